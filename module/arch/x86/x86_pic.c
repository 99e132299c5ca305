// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel 8259A pair of KVM_CREATE_IRQCHIP, as KVM models it: master
 * at 0x20/0x21, slave at 0xa0/0xa1 cascaded on the master's IRQ2, the
 * PIIX ELCR at 0x4d0/0x4d1 choosing edge or level per line.  ICW1-4,
 * OCW1-3 (IRR/ISR read, poll, special mask, specific and non-specific
 * EOI, rotation), auto-EOI and special fully nested mode.  The master's
 * INT output reaches the vCPUs whose LAPIC takes ExtINT (LVT0 unmasked in
 * ExtINT mode, or the LAPIC hardware-disabled), as kvm_apic_accept_pic_intr;
 * the vCPU's interrupt acknowledge reads the vector (x86_pic_read_irq()).
 * The state is struct kvm_pic_state itself (KVM_GET/SET_IRQCHIP).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "x86_lapic.h"

#define X86_PIC_MASTER_ELCR_MASK	0xf8	/* IRQ0-2 are edge only */
#define X86_PIC_SLAVE_ELCR_MASK		0xde	/* IRQ8 and IRQ13 too */
#define X86_PIC_CASCADE			2

struct x86_pic {
	spinlock_t lock;		/* both chips and output; IRQs off */
	struct kvm_pic_state chip[2];	/* master, slave */
	bool output;			/* the master's INT pin */
	bool wakeup;			/* output rose: kick after unlock */
	struct hvmod_vm *vm;
};

static struct x86_pic *x86_pic_of(struct hvmod_vm *vm)
{
	return ((struct x86_vm *)vm->arch)->pic;
}

/* The priority (0 highest) of the first bit set in mask, 8 if none. */
static int x86_pic_priority(const struct kvm_pic_state *s, u8 mask)
{
	int p = 0;

	if (!mask)
		return 8;
	while (!(mask & BIT((p + s->priority_add) & 7)))
		p++;
	return p;
}

/* The IRQ the chip would present now, or -1. */
static int x86_pic_get_irq(const struct kvm_pic_state *s, bool master)
{
	u8 isr = s->isr;
	int p, cur;

	p = x86_pic_priority(s, s->irr & ~s->imr);
	if (p == 8)
		return -1;
	/* special mask: in-service lines do not block lower priorities */
	if (s->special_mask)
		isr &= ~s->imr;
	/* fully nested: the slave may interrupt its own cascade */
	if (master && s->special_fully_nested_mode)
		isr &= ~BIT(X86_PIC_CASCADE);
	cur = x86_pic_priority(s, isr);
	return p < cur ? (p + s->priority_add) & 7 : -1;
}

/* A line's level: 1 raised, 0 coalesced, -1 masked (KVM's status). */
static int x86_pic_set_line(struct kvm_pic_state *s, int irq, bool level)
{
	u8 mask = BIT(irq);
	int r = 1;

	if (s->elcr & mask) {
		if (level) {
			s->irr |= mask;
			s->last_irr |= mask;
		} else {
			s->irr &= ~mask;
			s->last_irr &= ~mask;
		}
	} else if (level) {
		if (!(s->last_irr & mask)) {
			if (s->irr & mask)
				r = 0;	/* the edge before it still waits */
			s->irr |= mask;
		}
		s->last_irr |= mask;
	} else {
		s->last_irr &= ~mask;
	}
	return (s->imr & mask) ? -1 : r;
}

/* Cascade the slave into IRQ2, then set the master's output.  Locked. */
static void x86_pic_update(struct x86_pic *pic)
{
	bool out;

	if (x86_pic_get_irq(&pic->chip[1], false) >= 0) {
		x86_pic_set_line(&pic->chip[0], X86_PIC_CASCADE, true);
		x86_pic_set_line(&pic->chip[0], X86_PIC_CASCADE, false);
	}
	out = x86_pic_get_irq(&pic->chip[0], true) >= 0;
	if (out && !pic->output)
		pic->wakeup = true;
	pic->output = out;
}

/* Does the vCPU's LAPIC pass the PIC's INT in (kvm_apic_accept_pic_intr)? */
static bool x86_pic_accepted(struct x86_vcpu *x)
{
	u32 lvt0;

	if (!(x->apic_base & MSR_IA32_APICBASE_ENABLE))
		return true;
	lvt0 = READ_ONCE(*(u32 *)(x->apic->regs + APIC_LVT0));
	return !(lvt0 & APIC_LVT_MASKED) &&
	       GET_APIC_DELIVERY_MODE(lvt0) == APIC_MODE_EXTINT;
}

/* Unlock; if INT rose, make the vCPUs that take it look (pic_unlock). */
static void x86_pic_unlock(struct x86_pic *pic, unsigned long flags)
{
	bool wakeup = pic->wakeup;
	unsigned int i;

	pic->wakeup = false;
	spin_unlock_irqrestore(&pic->lock, flags);
	if (!wakeup)
		return;
	for (i = 0; i < HVMOD_MAX_VCPUS; i++) {
		/* pairs with the vCPU's publication: its LAPIC is set up */
		struct hvmod_vcpu *vcpu = smp_load_acquire(&pic->vm->vcpus[i]);
		struct x86_vcpu *x = vcpu ? to_x86(vcpu) : NULL;

		if (x && x->apic && x86_pic_accepted(x))
			x86_lapic_kick(x->apic);
	}
}

int x86_pic_create(struct hvmod_vm *vm)
{
	struct x86_pic *pic = kzalloc(sizeof(*pic), GFP_KERNEL_ACCOUNT);

	if (!pic)
		return -ENOMEM;
	spin_lock_init(&pic->lock);
	pic->vm = vm;
	pic->chip[0].elcr_mask = X86_PIC_MASTER_ELCR_MASK;
	pic->chip[1].elcr_mask = X86_PIC_SLAVE_ELCR_MASK;
	((struct x86_vm *)vm->arch)->pic = pic;
	return 0;
}

void x86_pic_destroy(struct hvmod_vm *vm)
{
	struct x86_vm *xvm = vm->arch;

	kfree(xvm->pic);
	xvm->pic = NULL;
}

/* KVM_IRQ_LINE of PIC pin 0-15 (8-15: the slave's 0-7). */
int x86_pic_set_irq(struct hvmod_vm *vm, unsigned int pin, bool level)
{
	struct x86_pic *pic = x86_pic_of(vm);
	unsigned long flags;
	int r;

	spin_lock_irqsave(&pic->lock, flags);
	r = x86_pic_set_line(&pic->chip[pin >> 3], pin & 7, level);
	x86_pic_update(pic);
	x86_pic_unlock(pic, flags);
	return r;
}

/* The INTA cycle: ISR set (unless auto-EOI), an edge's IRR cleared. */
static void x86_pic_intack(struct kvm_pic_state *s, int irq)
{
	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (irq + 1) & 7;
	} else {
		s->isr |= BIT(irq);
	}
	/* a level line stays requested while it is high */
	if (!(s->elcr & BIT(irq)))
		s->irr &= ~BIT(irq);
}

/* Is the PIC's INT asserted for this vCPU? (before an entry) */
bool x86_pic_extint_ready(struct x86_vcpu *x)
{
	struct x86_pic *pic = x->apic ? x86_pic_of(x->apic->vcpu->vm) : NULL;

	return pic && READ_ONCE(pic->output) && x86_pic_accepted(x);
}

/* The CPU acknowledges ExtINT: the vector (the spurious IRQ7 if none). */
int x86_pic_read_irq(struct hvmod_vm *vm)
{
	struct x86_pic *pic = x86_pic_of(vm);
	struct kvm_pic_state *m = &pic->chip[0], *sl = &pic->chip[1];
	unsigned long flags;
	int irq, irq2, vec;

	spin_lock_irqsave(&pic->lock, flags);
	irq = x86_pic_get_irq(m, true);
	if (irq < 0) {
		vec = m->irq_base + 7;
	} else {
		x86_pic_intack(m, irq);
		if (irq == X86_PIC_CASCADE) {
			irq2 = x86_pic_get_irq(sl, false);
			if (irq2 >= 0)
				x86_pic_intack(sl, irq2);
			else
				irq2 = 7;
			vec = sl->irq_base + irq2;
		} else {
			vec = m->irq_base + irq;
		}
	}
	x86_pic_update(pic);
	x86_pic_unlock(pic, flags);
	return vec;
}

/* OCW3 poll: the next IRQ acknowledged as by INTA, bit 7 if one. */
static u8 x86_pic_poll(struct x86_pic *pic, int c)
{
	struct kvm_pic_state *s = &pic->chip[c];
	int irq = x86_pic_get_irq(s, c == 0);

	s->poll = 0;
	if (irq < 0)
		return 0;
	x86_pic_intack(s, irq);
	x86_pic_update(pic);
	return 0x80 | irq;
}

static void x86_pic_ocw2(struct x86_pic *pic, struct kvm_pic_state *s, u8 v)
{
	int p, irq = v & 7;

	switch (v >> 5) {
	case 0:				/* rotate in auto-EOI: clear */
	case 4:				/* rotate in auto-EOI: set */
		s->rotate_on_auto_eoi = v >> 7;
		return;
	case 1:				/* non-specific EOI */
	case 5:				/* and rotate */
		p = x86_pic_priority(s, s->isr);
		if (p == 8)
			return;
		irq = (p + s->priority_add) & 7;
		if (v >> 5 == 5)
			s->priority_add = (irq + 1) & 7;
		s->isr &= ~BIT(irq);
		break;
	case 3:				/* specific EOI */
		s->isr &= ~BIT(irq);
		break;
	case 6:				/* set priority */
		s->priority_add = (irq + 1) & 7;
		break;
	case 7:				/* specific EOI and rotate */
		s->priority_add = (irq + 1) & 7;
		s->isr &= ~BIT(irq);
		break;
	default:			/* 2: no operation */
		return;
	}
	x86_pic_update(pic);
}

static void x86_pic_write(struct x86_pic *pic, int c, bool data, u8 v)
{
	struct kvm_pic_state *s = &pic->chip[c];

	if (data) {
		switch (s->init_state) {
		case 0:			/* OCW1: the mask */
			s->imr = v;
			x86_pic_update(pic);
			break;
		case 1:			/* ICW2: the vector base */
			s->irq_base = v & 0xf8;
			s->init_state = 2;
			break;
		case 2:			/* ICW3: cascade wiring, fixed here */
			s->init_state = s->init4 ? 3 : 0;
			break;
		case 3:			/* ICW4 */
			s->special_fully_nested_mode = (v >> 4) & 1;
			s->auto_eoi = (v >> 1) & 1;
			s->init_state = 0;
			break;
		}
		return;
	}
	if (v & 0x10) {			/* ICW1: start initialization */
		s->init4 = v & 1;
		s->last_irr = 0;
		s->irr &= s->elcr;
		s->imr = 0;
		s->isr = 0;
		s->priority_add = 0;
		s->special_mask = 0;
		s->read_reg_select = 0;
		s->poll = 0;
		if (!s->init4) {
			s->special_fully_nested_mode = 0;
			s->auto_eoi = 0;
		}
		s->init_state = 1;
		/* a single 8259 or ICW1's LTIM: the PIIX wires neither */
		if (v & 0x0a)
			hvmod_reject("8259: ICW1 0x%x single mode / LTIM ignored, as KVM",
				     v);
		x86_pic_update(pic);
	} else if (v & 0x08) {		/* OCW3 */
		if (v & 0x04)
			s->poll = 1;
		if (v & 0x02)
			s->read_reg_select = v & 1;
		if (v & 0x40)
			s->special_mask = (v >> 5) & 1;
		x86_pic_update(pic);
	} else {
		x86_pic_ocw2(pic, s, v);
	}
}

static u8 x86_pic_read(struct x86_pic *pic, int c, bool data)
{
	const struct kvm_pic_state *s = &pic->chip[c];

	if (s->poll)
		return x86_pic_poll(pic, c);
	if (data)
		return s->imr;
	return s->read_reg_select ? s->isr : s->irr;
}

/*
 * IN/OUT on 0x20/0x21, 0xa0/0xa1 (byte only, as KVM), 0x4d0/0x4d1:
 * false if the port is not the PIC's or there is no in-kernel PIC.
 */
bool x86_pic_pio(struct hvmod_vm *vm, u16 port, u8 size, bool in, u32 *val)
{
	struct x86_pic *pic = x86_pic_of(vm);
	unsigned long flags;
	int c;

	if (!pic)
		return false;
	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1:
		c = port >> 7;
		if (size != 1) {
			hvmod_reject("8259: %u-byte access to port 0x%x ignored",
				     size, port);
			if (in)
				*val = ~0u;
			return true;
		}
		spin_lock_irqsave(&pic->lock, flags);
		if (in)
			*val = x86_pic_read(pic, c, port & 1);
		else
			x86_pic_write(pic, c, port & 1, *val);
		x86_pic_unlock(pic, flags);
		return true;
	case 0x4d0: case 0x4d1:
		c = port & 1;
		spin_lock_irqsave(&pic->lock, flags);
		if (in) {
			*val = pic->chip[c].elcr;
			if (size > 1 && !c)
				*val |= pic->chip[1].elcr << 8;
		} else {
			pic->chip[c].elcr = *val & pic->chip[c].elcr_mask;
			if (size > 1 && !c)
				pic->chip[1].elcr = (*val >> 8) &
						    pic->chip[1].elcr_mask;
		}
		x86_pic_unlock(pic, flags);
		return true;
	default:
		return false;
	}
}

/* KVM_GET/SET_IRQCHIP of KVM_IRQCHIP_PIC_MASTER (0) / _SLAVE (1) */
void x86_pic_get(struct hvmod_vm *vm, int c, struct kvm_pic_state *s)
{
	struct x86_pic *pic = x86_pic_of(vm);
	unsigned long flags;

	spin_lock_irqsave(&pic->lock, flags);
	*s = pic->chip[c];
	spin_unlock_irqrestore(&pic->lock, flags);
}

void x86_pic_set(struct hvmod_vm *vm, int c, const struct kvm_pic_state *s)
{
	struct x86_pic *pic = x86_pic_of(vm);
	struct kvm_pic_state *d = &pic->chip[c];
	unsigned long flags;

	spin_lock_irqsave(&pic->lock, flags);
	*d = *s;
	/* the model's wiring, whatever the saved state says */
	d->elcr_mask = c ? X86_PIC_SLAVE_ELCR_MASK : X86_PIC_MASTER_ELCR_MASK;
	d->elcr &= d->elcr_mask;
	d->irq_base &= 0xf8;
	d->init_state = min_t(u8, d->init_state, 3);
	x86_pic_update(pic);
	x86_pic_unlock(pic, flags);
}

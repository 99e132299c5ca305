// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel IOAPIC of KVM_CREATE_IRQCHIP, as KVM models it: 24 pins,
 * version 0x11 (no EOI register), IOREGSEL/IOWIN at 0xfec00000 handled
 * before any MMIO exit.  A pin's redirection entry sends its vector to
 * the LAPICs it names (x86_lapic_deliver_irq()); level-triggered pins
 * set Remote IRR and are delivered again at the LAPIC's EOI while the
 * line is still high; edge-triggered pins fire on a rising edge.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "x86_lapic.h"

#define X86_IOAPIC_BASE		0xfec00000ull
#define X86_IOAPIC_LEN		0x100	/* as KVM's IOAPIC_MEM_LENGTH */
#define X86_IOAPIC_VERSION	(0x11 | ((X86_IOAPIC_PINS - 1) << 16))
#define X86_IOAPIC_IOREGSEL	0x00
#define X86_IOAPIC_IOWIN	0x10

#define RTE_VECTOR		0xffull
#define RTE_DM			(7ull << 8)
#define RTE_LOGICAL		BIT_ULL(11)
#define RTE_STATUS		BIT_ULL(12)
#define RTE_POLARITY		BIT_ULL(13)
#define RTE_REMOTE_IRR		BIT_ULL(14)
#define RTE_LEVEL		BIT_ULL(15)
#define RTE_MASKED		BIT_ULL(16)
#define RTE_DEST_SHIFT		56
/* what the guest writes; Remote IRR and delivery status are read-only */
#define RTE_WRITABLE		(RTE_VECTOR | RTE_DM | RTE_LOGICAL | \
				 RTE_POLARITY | RTE_LEVEL | RTE_MASKED | \
				 (0xffull << RTE_DEST_SHIFT))

struct x86_ioapic {
	spinlock_t lock;		/* all below; outside the LAPICs' */
	u32 ioregsel, id;
	u32 irr;			/* pins waiting for delivery */
	u32 line;			/* the lines' levels */
	u64 rte[X86_IOAPIC_PINS];
};

int x86_ioapic_create(struct hvmod_vm *vm)
{
	struct x86_vm *xvm = vm->arch;
	struct x86_ioapic *io = kzalloc(sizeof(*io), GFP_KERNEL_ACCOUNT);
	unsigned int i;

	if (!io)
		return -ENOMEM;
	spin_lock_init(&io->lock);
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED;	/* reset: all masked */
	xvm->ioapic = io;
	return 0;
}

void x86_ioapic_destroy(struct hvmod_vm *vm)
{
	struct x86_vm *xvm = vm->arch;

	kfree(xvm->ioapic);
	xvm->ioapic = NULL;
}

/*
 * Deliver pin if it is pending and may be: 1 delivered, 0 held back
 * (Remote IRR: coalesced), -1 masked or nobody took it.  Lock held.
 */
static int x86_ioapic_service(struct hvmod_vm *vm, struct x86_ioapic *io,
			      unsigned int pin)
{
	u64 e = io->rte[pin];
	u32 icr;
	int n;

	if (!(io->irr & BIT(pin)))
		return 0;
	if (e & RTE_MASKED)
		return -1;
	if ((e & RTE_LEVEL) && (e & RTE_REMOTE_IRR))
		return 0;
	icr = (e & (RTE_VECTOR | RTE_DM | RTE_LOGICAL)) | APIC_INT_ASSERT |
	      ((e & RTE_LEVEL) ? APIC_INT_LEVELTRIG : 0);
	n = x86_lapic_deliver_irq(vm, NULL, icr, e >> RTE_DEST_SHIFT);
	if (e & RTE_LEVEL) {
		if (n)
			io->rte[pin] |= RTE_REMOTE_IRR;
	} else {
		io->irr &= ~BIT(pin);
	}
	return n ? 1 : -1;
}

/* A line changes level (KVM_IRQ_LINE): KVM's status convention. */
int x86_ioapic_set_pin(struct hvmod_vm *vm, unsigned int pin, bool level)
{
	struct x86_ioapic *io = ((struct x86_vm *)vm->arch)->ioapic;
	bool was;
	int r = 0;

	spin_lock(&io->lock);
	was = io->line & BIT(pin);
	if (level)
		io->line |= BIT(pin);
	else
		io->line &= ~BIT(pin);
	if (io->rte[pin] & RTE_LEVEL) {
		if (level) {
			io->irr |= BIT(pin);
			r = x86_ioapic_service(vm, io, pin);
		} else {
			io->irr &= ~BIT(pin);
		}
	} else if (level && !was) {
		/* an edge already pending is coalesced into it */
		if (io->irr & BIT(pin)) {
			r = 0;
		} else {
			io->irr |= BIT(pin);
			r = x86_ioapic_service(vm, io, pin);
			/* masked: the edge is lost, as KVM drops it */
			if (r < 0)
				io->irr &= ~BIT(pin);
		}
	} else if (level) {
		r = 0;			/* no new edge */
	}
	spin_unlock(&io->lock);
	return r;
}

/* A LAPIC's EOI of a level-triggered vector: end Remote IRR. */
void x86_ioapic_eoi(struct hvmod_vm *vm, u8 vector)
{
	struct x86_ioapic *io = ((struct x86_vm *)vm->arch)->ioapic;
	unsigned int i;

	if (!io)
		return;
	spin_lock(&io->lock);
	for (i = 0; i < X86_IOAPIC_PINS; i++) {
		u64 e = io->rte[i];

		if ((e & RTE_VECTOR) != vector || !(e & RTE_LEVEL) ||
		    !(e & RTE_REMOTE_IRR))
			continue;
		io->rte[i] &= ~RTE_REMOTE_IRR;
		x86_ioapic_service(vm, io, i);
	}
	spin_unlock(&io->lock);
}

static u32 x86_ioapic_read(struct x86_ioapic *io)
{
	u32 r = io->ioregsel, pin = (r - 0x10) / 2;

	switch (r) {
	case 0:
	case 2:			/* arbitration ID: the ID */
		return io->id << 24;
	case 1:
		return X86_IOAPIC_VERSION;
	default:
		if (r < 0x10 || pin >= X86_IOAPIC_PINS)
			return 0;
		return (r & 1) ? io->rte[pin] >> 32 : (u32)io->rte[pin];
	}
}

static void x86_ioapic_write(struct hvmod_vm *vm, struct x86_ioapic *io,
			     u32 v)
{
	u32 r = io->ioregsel, pin = (r - 0x10) / 2;
	u64 e;

	if (r == 0) {
		io->id = (v >> 24) & 0xf;
		return;
	}
	if (r < 0x10 || pin >= X86_IOAPIC_PINS)
		return;			/* version, arbitration: read-only */
	e = io->rte[pin];
	if (r & 1)
		e = (e & 0xffffffffull) | ((u64)v << 32);
	else
		e = (e & ~0xffffffffull) | v;
	io->rte[pin] = (io->rte[pin] & ~RTE_WRITABLE) | (e & RTE_WRITABLE);
	/* edge entries have no Remote IRR */
	if (!(io->rte[pin] & RTE_LEVEL))
		io->rte[pin] &= ~RTE_REMOTE_IRR;
	/* a level still high on a newly unmasked pin is delivered now */
	x86_ioapic_service(vm, io, pin);
}

bool x86_ioapic_mmio(struct hvmod_vm *vm, u64 gpa, unsigned int len,
		     bool write, u64 *data)
{
	struct x86_ioapic *io = ((struct x86_vm *)vm->arch)->ioapic;
	unsigned int off = gpa - X86_IOAPIC_BASE;

	if (!io || gpa < X86_IOAPIC_BASE ||
	    gpa >= X86_IOAPIC_BASE + X86_IOAPIC_LEN)
		return false;
	spin_lock(&io->lock);
	if (!write) {
		u32 v = 0;

		if ((off & ~3u) == X86_IOAPIC_IOREGSEL)
			v = io->ioregsel;
		else if ((off & ~3u) == X86_IOAPIC_IOWIN)
			v = x86_ioapic_read(io);
		v >>= (off & 3) * 8;
		*data = len >= 4 ? v : v & (BIT(len * 8) - 1);
	} else if (off == X86_IOAPIC_IOREGSEL) {
		io->ioregsel = *data & 0xff;
	} else if (off == X86_IOAPIC_IOWIN && len == 4) {
		x86_ioapic_write(vm, io, *data);
	} else {
		hvmod_reject("IOAPIC: %u-byte write at offset 0x%x ignored",
			     len, off);
	}
	spin_unlock(&io->lock);
	return true;
}

/* KVM_GET/SET_IRQCHIP of KVM_IRQCHIP_IOAPIC */
void x86_ioapic_get(struct hvmod_vm *vm, struct kvm_ioapic_state *s)
{
	struct x86_ioapic *io = ((struct x86_vm *)vm->arch)->ioapic;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	spin_lock(&io->lock);
	s->base_address = X86_IOAPIC_BASE;
	s->ioregsel = io->ioregsel;
	s->id = io->id;
	s->irr = io->irr;
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		s->redirtbl[i].bits = io->rte[i];
	spin_unlock(&io->lock);
}

void x86_ioapic_set(struct hvmod_vm *vm, const struct kvm_ioapic_state *s)
{
	struct x86_ioapic *io = ((struct x86_vm *)vm->arch)->ioapic;
	unsigned int i;

	spin_lock(&io->lock);
	io->ioregsel = s->ioregsel;
	io->id = s->id & 0xf;
	io->irr = s->irr & GENMASK(X86_IOAPIC_PINS - 1, 0);
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		io->rte[i] = s->redirtbl[i].bits & ~RTE_STATUS;
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		x86_ioapic_service(vm, io, i);
	spin_unlock(&io->lock);
}

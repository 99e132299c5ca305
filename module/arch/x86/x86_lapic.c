// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel xAPIC of a vCPU (KVM_CREATE_IRQCHIP): the register page
 * at the APIC base, reached from the MMIO decode before any exit to
 * userspace; IRR/ISR/TMR and the priorities (TPR, PPR); EOI; the ICR
 * (fixed, lowest-priority, NMI, INIT and STARTUP IPIs to the vCPUs the
 * destination names, physical or logical flat/cluster, and the
 * shorthands).  Registers are accessed as KVM allows: 32-bit aligned
 * writes, reads of up to 4 bytes within a register.  No x2APIC.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/msr-index.h>
#include "x86_lapic.h"

#define X86_LAPIC_PAGE_MASK	GENMASK_ULL(51, 12)
#define X86_LVT_MASK_BITS	(APIC_LVT_MASKED | APIC_VECTOR_MASK)

static const unsigned int x86_lvts[] = {
	APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR,
};

/* Highest set bit of the 256-bit vector at off (IRR, ISR, TMR), or -1. */
static int x86_lapic_highest(const struct x86_lapic *l, unsigned int off)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = x86_lapic_reg(l, off + i * 0x10);

		if (w)
			return i * 32 + __fls(w);
	}
	return -1;
}

static void x86_lapic_assign(struct x86_lapic *l, unsigned int off, u8 v,
			     bool set)
{
	unsigned int r = off + (v / 32) * 0x10;
	u32 w = x86_lapic_reg(l, r);

	x86_lapic_set_reg(l, r, set ? w | BIT(v % 32) : w & ~BIT(v % 32));
}

/* PPR: the TPR, or the class of the highest in-service vector if higher */
static u32 x86_lapic_update_ppr(struct x86_lapic *l)
{
	u32 tpr = x86_lapic_reg(l, APIC_TASKPRI) & 0xff;
	int isr = x86_lapic_highest(l, APIC_ISR);
	u32 isrc = isr < 0 ? 0 : isr & 0xf0;
	u32 ppr = (tpr & 0xf0) >= isrc ? tpr : isrc;

	x86_lapic_set_reg(l, APIC_PROCPRI, ppr);
	return ppr;
}

static bool x86_lapic_sw_enabled(const struct x86_lapic *l)
{
	return x86_lapic_reg(l, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

static bool x86_lapic_hw_enabled(const struct x86_lapic *l)
{
	return to_x86(l->vcpu)->apic_base & MSR_IA32_APICBASE_ENABLE;
}

bool x86_lapic_has_irq_locked(struct x86_lapic *l)
{
	int irr;

	if (!x86_lapic_hw_enabled(l) || !x86_lapic_sw_enabled(l))
		return false;
	irr = x86_lapic_highest(l, APIC_IRR);
	return irr >= 0 && (irr & 0xf0) > (x86_lapic_update_ppr(l) & 0xf0);
}

/* Before an entry: an interrupt the APIC would present to the CPU. */
bool x86_lapic_irq_ready(struct x86_vcpu *x)
{
	struct x86_lapic *l = x->apic;
	unsigned long flags;
	bool r;

	if (!l)
		return false;
	spin_lock_irqsave(&l->lock, flags);
	r = x86_lapic_has_irq_locked(l);
	spin_unlock_irqrestore(&l->lock, flags);
	return r || x86_pic_extint_ready(x);
}

/*
 * The CPU takes the interrupt: IRR -> ISR, or the PIC's INTA cycle.  The
 * vector, or -1.
 */
int x86_lapic_accept(struct x86_vcpu *x)
{
	struct x86_lapic *l = x->apic;
	unsigned long flags;
	int v = -1;

	/* ExtINT first, as KVM's kvm_cpu_get_interrupt: the PIC's vector */
	if (x86_pic_extint_ready(x))
		return x86_pic_read_irq(l->vcpu->vm);
	spin_lock_irqsave(&l->lock, flags);
	if (x86_lapic_has_irq_locked(l)) {
		v = x86_lapic_highest(l, APIC_IRR);
		x86_lapic_assign(l, APIC_IRR, v, false);
		x86_lapic_assign(l, APIC_ISR, v, true);
		x86_lapic_update_ppr(l);
	}
	spin_unlock_irqrestore(&l->lock, flags);
	return v;
}

/* Make the vCPU look at its APIC: out of the guest, out of HLT. */
void x86_lapic_kick(struct x86_lapic *l)
{
	struct task_struct *task;

	atomic_set(&l->event, 1);
	smp_mb__after_atomic();		/* event before in_guest: see struct */
	if (READ_ONCE(l->in_guest)) {
		rcu_read_lock();
		task = READ_ONCE(l->task);
		if (task)
			kick_process(task);
		rcu_read_unlock();
	}
	wake_up_interruptible(&l->wq);
}

/* A fixed interrupt arrives: IRR (TMR for level); dropped while disabled. */
void x86_lapic_raise(struct x86_lapic *l, u8 vector, bool level)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&l->lock, flags);
	ok = x86_lapic_sw_enabled(l) && vector >= 16;
	if (ok) {
		x86_lapic_assign(l, APIC_IRR, vector, true);
		x86_lapic_assign(l, APIC_TMR, vector, level);
	} else if (vector < 16) {
		x86_lapic_set_reg(l, APIC_ESR, x86_lapic_reg(l, APIC_ESR) |
				  APIC_ESR_RECVILL);
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (ok)
		x86_lapic_kick(l);
}

/* Power-on / INIT state of the registers (the ID and base stay). */
void x86_lapic_reset(struct x86_lapic *l)
{
	struct hvmod_vcpu *vcpu = l->vcpu;
	unsigned long flags;
	unsigned int i;
	u32 id;

	x86_lapic_timer_stop(l);
	spin_lock_irqsave(&l->lock, flags);
	id = x86_lapic_reg(l, APIC_ID);
	memset(l->regs, 0, KVM_APIC_REG_SIZE);
	x86_lapic_set_reg(l, APIC_ID, id);
	x86_lapic_set_reg(l, APIC_LVR, X86_LAPIC_VERSION);
	x86_lapic_set_reg(l, APIC_DFR, APIC_DFR_FLAT);
	x86_lapic_set_reg(l, APIC_SPIV, 0xff);
	for (i = 0; i < ARRAY_SIZE(x86_lvts); i++)
		x86_lapic_set_reg(l, x86_lvts[i], APIC_LVT_MASKED);
	/* as KVM: the BSP's LINT0 is a virtual wire (ExtINT) from reset */
	if (to_x86(vcpu)->apic_base & MSR_IA32_APICBASE_BSP)
		x86_lapic_set_reg(l, APIC_LVT0, APIC_MODE_EXTINT << 8);
	l->tsc_deadline = 0;
	spin_unlock_irqrestore(&l->lock, flags);
}

int x86_lapic_create(struct hvmod_vcpu *vcpu)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct x86_lapic *l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);

	if (!l)
		return -ENOMEM;
	l->page = hvmod_ctl_page_alloc(NUMA_NO_NODE);
	if (!l->page) {
		kfree(l);
		return -ENOMEM;
	}
	l->regs = page_address(l->page);
	l->vcpu = vcpu;
	spin_lock_init(&l->lock);
	init_waitqueue_head(&l->wq);
	x86_lapic_timer_init(l);
	x86_lapic_set_reg(l, APIC_ID, vcpu->id << 24);	/* as KVM */
	x86_lapic_reset(l);
	/* as KVM: with an in-kernel APIC the APs wait for INIT and SIPI */
	l->mp_state = vcpu->id ? KVM_MP_STATE_UNINITIALIZED :
				 KVM_MP_STATE_RUNNABLE;
	x->apic = l;
	return 0;
}

void x86_lapic_destroy(struct x86_vcpu *x)
{
	struct x86_lapic *l = x->apic;

	if (!l)
		return;
	x86_lapic_timer_stop(l);
	hvmod_ctl_page_free(l->page);
	kfree(l);
	x->apic = NULL;
}

/* Does t accept an IPI for dest in the given mode? (xAPIC rules) */
static bool x86_lapic_match(struct x86_lapic *t, u8 dest, bool logical)
{
	u32 ldr, dfr;

	if (!logical)
		return dest == 0xff || dest == x86_lapic_reg(t, APIC_ID) >> 24;
	ldr = x86_lapic_reg(t, APIC_LDR) >> 24;
	dfr = x86_lapic_reg(t, APIC_DFR) >> 28;
	if (dfr == 0xf)			/* flat: one bit per APIC */
		return ldr & dest;
	/* cluster: cluster number in 7:4, a bit per member in 3:0 */
	if ((dest & 0xf0) == 0xf0)
		return ldr & dest & 0xf;
	return (dest & 0xf0) == (ldr & 0xf0) && (ldr & dest & 0xf);
}

static void x86_lapic_deliver(struct x86_lapic *t, u32 icr)
{
	u8 vec = icr & APIC_VECTOR_MASK;

	switch (icr & APIC_DM_FIXED_MASK) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		x86_lapic_raise(t, vec, icr & APIC_INT_LEVELTRIG);
		break;
	case APIC_DM_NMI:
		atomic_inc(&t->nmis);
		x86_lapic_kick(t);
		break;
	case APIC_DM_INIT:
		/* the level-triggered de-assert of INIT does nothing */
		if ((icr & APIC_INT_LEVELTRIG) && !(icr & APIC_INT_ASSERT))
			break;
		set_bit(X86_LAPIC_INIT, &t->pending_events);
		x86_lapic_kick(t);
		break;
	case APIC_DM_STARTUP:
		WRITE_ONCE(t->sipi_vector, vec);
		/* the vector, then the event (x86_accept_events() reads back) */
		smp_mb__before_atomic();
		set_bit(X86_LAPIC_SIPI, &t->pending_events);
		x86_lapic_kick(t);
		break;
	default:
		/* SMI, remote read, ExtINT: not offered (as KVM ignores them) */
		break;
	}
}

/*
 * An APIC message (an IPI from src's ICR, or from the IOAPIC or an MSI
 * with src NULL) to the LAPICs it names, delivered at once: the number
 * of targets.
 */
int x86_lapic_deliver_irq(struct hvmod_vm *vm, struct x86_lapic *src,
			  u32 icr, u8 dest)
{
	bool logical = icr & APIC_DEST_LOGICAL;
	u32 shorthand = icr & APIC_DEST_ALLBUT;
	struct x86_lapic *lowest = NULL;
	unsigned int i, n = 0;

	for (i = 0; i < HVMOD_MAX_VCPUS; i++) {
		/* pairs with vcpu.c's release: a vCPU seen is fully built */
		struct hvmod_vcpu *vcpu = smp_load_acquire(&vm->vcpus[i]);
		struct x86_lapic *t = vcpu ? to_x86(vcpu)->apic : NULL;
		bool hit;

		if (!t)
			continue;
		switch (shorthand) {
		case APIC_DEST_SELF:
			hit = t == src;
			break;
		case APIC_DEST_ALLINC:
			hit = true;
			break;
		case APIC_DEST_ALLBUT:
			hit = t != src;
			break;
		default:
			hit = x86_lapic_match(t, dest, logical);
		}
		if (!hit)
			continue;
		/* lowest priority: the target with the lowest PPR */
		if ((icr & APIC_DM_FIXED_MASK) == APIC_DM_LOWEST) {
			if (!lowest || x86_lapic_reg(t, APIC_PROCPRI) <
				       x86_lapic_reg(lowest, APIC_PROCPRI))
				lowest = t;
			continue;
		}
		x86_lapic_deliver(t, icr);
		n++;
	}
	if (lowest) {
		x86_lapic_deliver(lowest, icr);
		n++;
	}
	return n;
}

/* EOI: the vector if it was level-triggered (for the IOAPIC), else -1 */
static int x86_lapic_eoi(struct x86_lapic *l)
{
	int v = x86_lapic_highest(l, APIC_ISR);

	if (v < 0)
		return -1;
	x86_lapic_assign(l, APIC_ISR, v, false);
	x86_lapic_update_ppr(l);
	return x86_lapic_reg(l, APIC_TMR + (v / 32) * 0x10) & BIT(v % 32) ?
	       v : -1;
}

static u32 x86_lapic_read(struct x86_lapic *l, unsigned int off)
{
	switch (off) {
	case APIC_PROCPRI:
		return x86_lapic_update_ppr(l);
	case APIC_TMCCT:
		return x86_lapic_timer_current(l);
	case APIC_ARBPRI:
	case APIC_RRR:
	case APIC_EOI:
		return 0;
	default:
		return off < KVM_APIC_REG_SIZE ? x86_lapic_reg(l, off) : 0;
	}
}

/* Returns true if the timer must be (re)started, outside the lock. */
static bool x86_lapic_write(struct x86_lapic *l, unsigned int off, u32 v,
			    u32 *ipi_icr, u8 *ipi_dest, int *eoi)
{
	unsigned int i;

	switch (off) {
	case APIC_ID:
		x86_lapic_set_reg(l, APIC_ID, v & 0xff000000);
		break;
	case APIC_TASKPRI:
		x86_lapic_set_reg(l, APIC_TASKPRI, v & 0xff);
		x86_lapic_update_ppr(l);
		break;
	case APIC_EOI:
		*eoi = x86_lapic_eoi(l);
		break;
	case APIC_LDR:
		x86_lapic_set_reg(l, APIC_LDR, v & APIC_LDR_MASK);
		break;
	case APIC_DFR:
		x86_lapic_set_reg(l, APIC_DFR, v | 0x0fffffff);
		break;
	case APIC_SPIV:
		x86_lapic_set_reg(l, APIC_SPIV, v & 0x3ff);
		/* software disable masks every LVT entry */
		if (!(v & APIC_SPIV_APIC_ENABLED)) {
			for (i = 0; i < ARRAY_SIZE(x86_lvts); i++)
				x86_lapic_set_reg(l, x86_lvts[i],
						  x86_lapic_reg(l, x86_lvts[i]) |
						  APIC_LVT_MASKED);
			return true;
		}
		break;
	case APIC_ESR:
		x86_lapic_set_reg(l, APIC_ESR, 0);
		break;
	case APIC_ICR:
		v &= ~APIC_ICR_BUSY;	/* delivered at once */
		x86_lapic_set_reg(l, APIC_ICR, v);
		*ipi_icr = v;
		*ipi_dest = x86_lapic_reg(l, APIC_ICR2) >> 24;
		break;
	case APIC_ICR2:
		x86_lapic_set_reg(l, APIC_ICR2, v & 0xff000000);
		break;
	case APIC_LVTT:
		if (!x86_lapic_sw_enabled(l))
			v |= APIC_LVT_MASKED;
		x86_lapic_set_reg(l, APIC_LVTT, v & (X86_LVT_MASK_BITS |
			APIC_LVT_TIMER_PERIODIC | APIC_LVT_TIMER_TSCDEADLINE));
		return true;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		if (!x86_lapic_sw_enabled(l))
			v |= APIC_LVT_MASKED;
		if (off == APIC_LVT0 || off == APIC_LVT1)
			v &= X86_LVT_MASK_BITS | APIC_MODE_MASK |
			     APIC_INPUT_POLARITY | APIC_LVT_LEVEL_TRIGGER;
		else if (off == APIC_LVTERR)
			v &= X86_LVT_MASK_BITS;
		else
			v &= X86_LVT_MASK_BITS | APIC_MODE_MASK;
		x86_lapic_set_reg(l, off, v);
		break;
	case APIC_TMICT:
		/* ignored in TSC-deadline mode, as on hardware */
		if ((x86_lapic_reg(l, APIC_LVTT) & APIC_LVT_TIMER_TSCDEADLINE) ==
		    APIC_LVT_TIMER_TSCDEADLINE)
			break;
		x86_lapic_set_reg(l, APIC_TMICT, v);
		return true;
	case APIC_TDCR:
		x86_lapic_set_reg(l, APIC_TDCR, v & 0xb);
		break;
	default:
		/* read-only and reserved registers: writes are ignored */
		break;
	}
	return false;
}

/*
 * An access to guest-physical gpa: true if it is the APIC's page (then
 * handled: *data read or written), false for other MMIO.
 */
bool x86_lapic_mmio(struct hvmod_vcpu *vcpu, u64 gpa, unsigned int len,
		    bool write, u64 *data)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct x86_lapic *l = x->apic;
	unsigned int off = gpa & ~PAGE_MASK;
	unsigned long flags;
	bool timer = false;
	u32 icr = 0, v;
	int eoi = -1;
	u8 dest = 0;

	if (!l || !x86_lapic_hw_enabled(l) ||
	    (gpa & X86_LAPIC_PAGE_MASK) != (x->apic_base & X86_LAPIC_PAGE_MASK))
		return false;
	spin_lock_irqsave(&l->lock, flags);
	if (!write) {
		/* up to 4 bytes inside one 16-byte register */
		v = 0;
		if (len <= 4 && (off & 0xf) + len <= 4)
			v = x86_lapic_read(l, off & ~0xf) >> ((off & 3) * 8);
		*data = len >= 4 ? v : v & (BIT(len * 8) - 1);
	} else if (len == 4 && !(off & 0xf)) {
		timer = x86_lapic_write(l, off, *data, &icr, &dest, &eoi);
	} else {
		hvmod_reject("LAPIC: %u-byte write at offset 0x%x ignored",
			     len, off);
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (timer)
		x86_lapic_timer_restart(l);
	if (write && off == APIC_ICR && len == 4)
		x86_lapic_deliver_irq(vcpu->vm, l, icr, dest);
	/* outside the LAPIC's lock: the IOAPIC may deliver again */
	if (eoi >= 0)
		x86_ioapic_eoi(vcpu->vm, eoi);
	return true;
}

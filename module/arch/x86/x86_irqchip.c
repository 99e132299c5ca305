// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CREATE_IRQCHIP and what an in-kernel LAPIC changes for a vCPU, as in
 * KVM: APs start UNINITIALIZED and wait in KVM_RUN for INIT, then SIPI
 * (INIT resets the vCPU, SIPI starts it at vector << 12 in real mode);
 * HLT is handled in the kernel (HALTED until an interrupt the guest
 * accepts, an NMI or INIT; a signal still ends KVM_RUN with EINTR and the
 * next KVM_RUN halts again); KVM_GET/SET_MP_STATE take every x86 state;
 * KVM_GET/SET_LAPIC copy the register page; KVM_INTERRUPT is ENXIO.
 * The sleeps happen without the stage-2 lock, as riscv's WFI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include "x86_lapic.h"

int x86_create_irqchip(struct hvmod_vm *vm)
{
	struct x86_vm *xvm = vm->arch;
	int r = 0;

	mutex_lock(&vm->lock);
	if (xvm->irqchip)
		r = -EEXIST;
	else if (vm->created_vcpus)
		r = -EINVAL;
	else
		r = x86_ioapic_create(vm);
	if (!r) {
		r = x86_pic_create(vm);
		if (r)
			x86_ioapic_destroy(vm);
	}
	if (!r)
		xvm->irqchip = true;
	mutex_unlock(&vm->lock);
	if (r == -EEXIST || r == -EINVAL)
		hvmod_reject("KVM_CREATE_IRQCHIP: %s", r == -EEXIST ?
			     "the VM has one already" : "vCPUs exist already");
	return r;
}

/* INIT: the architectural INIT state (as KVM's reset with init_event). */
static void x86_init_reset(struct hvmod_vcpu *vcpu, const struct x86_ops *ops)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct kvm_segment data = {
		.limit = 0xffff, .type = 3, .present = 1, .s = 1,
	};
	struct kvm_sregs s = {
		.cs = { .selector = 0xf000, .base = 0xffff0000, .limit = 0xffff,
			.type = 0xb, .present = 1, .s = 1 },
		.tr = { .limit = 0xffff, .type = 0xb, .present = 1 },
		.ldt = { .limit = 0xffff, .type = 2, .present = 1 },
		.gdt = { .limit = 0xffff },
		.idt = { .limit = 0xffff },
		.cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD,
	};

	s.ds = data;
	s.es = data;
	s.fs = data;
	s.gs = data;
	s.ss = data;
	memset(x->gpr, 0, sizeof(x->gpr));
	x->gpr[X86_RDX] = 0x600;	/* family 6, as KVM without CPUID */
	ops->set_sregs(vcpu, &s);
	ops->set_rip(vcpu, 0xfff0);
	ops->set_rflags(vcpu, X86_EFLAGS_FIXED);
	ops->set_event(vcpu, 0, 0);
	ops->set_int_shadow(vcpu, 0);
	ops->set_nmi_mask(vcpu, false);
	x->pending_irq = -1;
	x->nmi_pending = 0;
	x->dr6 = X86_DR6_INIT;
	x->dr7 = X86_DR7_INIT;
	x86_lapic_reset(x->apic);
}

/* SIPI: real mode at vector << 12, as KVM's kvm_vcpu_deliver_sipi_vector */
static void x86_sipi_start(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			   u8 vector)
{
	struct kvm_sregs s;

	ops->get_sregs(vcpu, &s);
	s.cs.selector = vector << 8;
	s.cs.base = (u64)vector << 12;
	ops->set_sregs(vcpu, &s);
	ops->set_rip(vcpu, 0);
}

/* INIT and SIPI sent by other vCPUs, in order, by the target's thread. */
static void x86_accept_events(struct hvmod_vcpu *vcpu,
			      const struct x86_ops *ops)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct x86_lapic *l = x->apic;
	u8 vector;

	/* INIT then SIPI, sent back to back, are both taken here in order */
	if (test_and_clear_bit(X86_LAPIC_INIT, &l->pending_events)) {
		x86_init_reset(vcpu, ops);
		l->mp_state = (x->apic_base & MSR_IA32_APICBASE_BSP) ?
			      KVM_MP_STATE_RUNNABLE :
			      KVM_MP_STATE_INIT_RECEIVED;
	}
	if (test_and_clear_bit(X86_LAPIC_SIPI, &l->pending_events)) {
		/* the vector was written before the bit: x86_lapic_deliver() */
		smp_mb__after_atomic();
		vector = READ_ONCE(l->sipi_vector);
		/* a SIPI counts only after an INIT */
		if (l->mp_state == KVM_MP_STATE_INIT_RECEIVED) {
			x86_sipi_start(vcpu, ops, vector);
			x->sipi_vector = vector;
			l->mp_state = KVM_MP_STATE_RUNNABLE;
		}
	}
}

/* May a vCPU in l->mp_state go on? (the wait_event condition) */
static bool x86_can_run(struct hvmod_vcpu *vcpu, bool if_on)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct x86_lapic *l = x->apic;

	if (READ_ONCE(l->pending_events))
		return true;
	switch (l->mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		return true;
	case KVM_MP_STATE_HALTED:
		return x->nmi_pending || atomic_read(&l->nmis) ||
		       (if_on && (x->pending_irq >= 0 ||
				  x86_lapic_irq_ready(x)));
	default:
		return false;		/* waiting for INIT / SIPI */
	}
}

/*
 * Each KVM_RUN pass before the entry: take INIT/SIPI and NMI IPIs, then
 * sleep while the vCPU waits for them or is halted.  1 to go on, -EINTR
 * (KVM_EXIT_INTR) on a signal.
 */
int x86_irqchip_before_entry(struct hvmod_vcpu *vcpu,
			     const struct x86_ops *ops)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct x86_lapic *l = x->apic;
	struct rw_semaphore *sem = &vcpu->vm->s2_sem;
	bool if_on;
	int r, n;

	if (!l)
		return 1;
	WRITE_ONCE(l->task, current);
	for (;;) {
		atomic_set(&l->event, 0);
		/*
		 * From here, a new kick stops the entry (x86_enter_ok()):
		 * the clear is ordered before what the kicker published.
		 */
		smp_mb__after_atomic();
		x86_accept_events(vcpu, ops);
		n = atomic_xchg(&l->nmis, 0);
		x->nmi_pending = min(x->nmi_pending + n, 2);
		if_on = ops->get_rflags(vcpu) & X86_EFLAGS_IF;
		if (x86_can_run(vcpu, if_on))
			break;
		up_read(sem);
		r = wait_event_interruptible(l->wq, x86_can_run(vcpu, if_on));
		down_read(sem);
		if (r) {
			vcpu->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
	}
	if (l->mp_state == KVM_MP_STATE_HALTED)
		l->mp_state = KVM_MP_STATE_RUNNABLE;
	return 1;
}

/* A HLT exit (RIP already past the HLT): halted in the kernel. */
int x86_irqchip_hlt(struct hvmod_vcpu *vcpu)
{
	to_x86(vcpu)->apic->mp_state = KVM_MP_STATE_HALTED;
	return 1;
}

static long x86_set_mp_state(struct x86_lapic *l, u32 state)
{
	switch (state) {
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_HALTED:
		l->mp_state = state;
		return 0;
	case KVM_MP_STATE_SIPI_RECEIVED:
		/* as KVM: waiting for INIT's end with the SIPI latched */
		l->mp_state = KVM_MP_STATE_INIT_RECEIVED;
		WRITE_ONCE(l->sipi_vector, to_x86(l->vcpu)->sipi_vector);
		set_bit(X86_LAPIC_SIPI, &l->pending_events);
		return 0;
	default:
		hvmod_reject("KVM_SET_MP_STATE: state %u unknown to hvmod's x86",
			     state);
		return -EINVAL;
	}
}

static long x86_set_lapic(struct x86_lapic *l, struct kvm_lapic_state __user *u)
{
	struct kvm_lapic_state *s = memdup_user(u, sizeof(*s));
	unsigned long flags;

	if (IS_ERR(s))
		return PTR_ERR(s);
	x86_lapic_timer_stop(l);
	spin_lock_irqsave(&l->lock, flags);
	memcpy(l->regs, s->regs, KVM_APIC_REG_SIZE);
	/* the version is the model's; the rest is the saved state */
	*(u32 *)(l->regs + APIC_LVR) = X86_LAPIC_VERSION;
	x86_lapic_has_irq_locked(l);	/* recomputes PPR */
	spin_unlock_irqrestore(&l->lock, flags);
	kfree(s);
	x86_lapic_timer_restart(l);
	x86_lapic_kick(l);
	return 0;
}

static long x86_get_lapic(struct x86_lapic *l, struct kvm_lapic_state __user *u)
{
	struct kvm_lapic_state *s = kmalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	unsigned long flags;
	long r = 0;

	if (!s)
		return -ENOMEM;
	spin_lock_irqsave(&l->lock, flags);
	memcpy(s->regs, l->regs, KVM_APIC_REG_SIZE);
	*(u32 *)(s->regs + APIC_TMCCT) = x86_lapic_timer_current(l);
	spin_unlock_irqrestore(&l->lock, flags);
	if (copy_to_user(u, s, sizeof(*s)))
		r = -EFAULT;
	kfree(s);
	return r;
}

/*
 * KVM_SET_VAPIC_ADDR: QEMU's kvm-apic sets address 0 (no vAPIC page) at
 * every reset and aborts if that fails.  hvmod has no vAPIC page, the
 * TPR-patching aid of QEMU's kvmvapic ROM (KVM_CAP_VAPIC is 0, and no
 * KVM_TPR_ACCESS_REPORTING exit asks for one): any other address EINVAL.
 */
static long x86_set_vapic_addr(struct x86_lapic *l,
			       struct kvm_vapic_addr __user *u)
{
	struct kvm_vapic_addr va;

	if (!l) {
		hvmod_reject("KVM_SET_VAPIC_ADDR: no in-kernel irqchip (KVM_CREATE_IRQCHIP)");
		return -EINVAL;
	}
	if (copy_from_user(&va, u, sizeof(va)))
		return -EFAULT;
	if (va.vapic_addr) {
		hvmod_reject("KVM_SET_VAPIC_ADDR: 0x%llx: hvmod has no vAPIC page (only 0)",
			     va.vapic_addr);
		return -EINVAL;
	}
	return 0;
}

/* vCPU ioctls an in-kernel irqchip changes; -ENOTTY for the others. */
long x86_irqchip_vcpu_ioctl(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			    unsigned int ioctl, void __user *argp)
{
	struct x86_lapic *l = to_x86(vcpu)->apic;
	struct kvm_mp_state mp;

	switch (ioctl) {
	case KVM_GET_LAPIC:
	case KVM_SET_LAPIC:
		if (!l) {
			hvmod_reject("KVM_GET/SET_LAPIC: no in-kernel irqchip");
			return -EINVAL;
		}
		return ioctl == KVM_GET_LAPIC ? x86_get_lapic(l, argp) :
						x86_set_lapic(l, argp);
	case KVM_GET_MP_STATE:
		if (!l)
			return -ENOTTY;
		x86_accept_events(vcpu, ops);
		mp.mp_state = l->mp_state;
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	case KVM_SET_MP_STATE:
		if (!l)
			return -ENOTTY;
		if (copy_from_user(&mp, argp, sizeof(mp)))
			return -EFAULT;
		return x86_set_mp_state(l, mp.mp_state);
	case KVM_SET_VAPIC_ADDR:
		return x86_set_vapic_addr(l, argp);
	case KVM_INTERRUPT:
		if (!l)
			return -ENOTTY;
		/* as KVM with a full in-kernel irqchip */
		hvmod_reject("KVM_INTERRUPT: the in-kernel irqchip delivers interrupts");
		return -ENXIO;
	default:
		return -ENOTTY;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 SMP guests: the SBI HSM extension (hart_start, hart_stop,
 * hart_get_status, hart_suspend), IPI (send_ipi) and RFENCE
 * (remote_fence_i, remote_sfence_vma[_asid]), their legacy SBI 0.1
 * forms, and KVM_GET/SET_MP_STATE, as KVM riscv has them.
 *
 * Hart ids are vCPU ids.  vCPU 0 starts STARTED, every other vCPU
 * STOPPED (KVM's power-off state): its KVM_RUN sleeps until another vCPU
 * starts it or a signal arrives.  hart_start only records the start
 * address and opaque value (START_PENDING); the target vCPU's own task
 * resets its registers on its next KVM_RUN pass, since only that task
 * owns them.
 *
 * Another vCPU's state is never written directly either: an IPI sets a
 * bit in its irq_queued word, a remote fence a bit in its requests word;
 * the target folds both in on its next entry, with interrupts off, and
 * is kicked out of the guest (or woken from WFI) to make that entry
 * happen.  A remote fence waits until each target is out of the guest:
 * when the SBI call returns, no target runs with stale translations.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": riscv: " fmt

#include <linux/bitmap.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/cacheflush.h>
#include <asm/sbi.h>
#include "rv.h"

/* legacy SBI 0.1 calls (<asm/sbi.h> has them only with SBI_V01) */
#define RV_SBI_LEGACY_CLEAR_IPI		0x3
#define RV_SBI_LEGACY_SEND_IPI		0x4
#define RV_SBI_LEGACY_FENCE_I		0x5
#define RV_SBI_LEGACY_SFENCE_VMA	0x6
#define RV_SBI_LEGACY_SFENCE_VMA_ASID	0x7

/* hart_suspend types: bit 31 non-retentive; reserved below the platform base */
#define RV_SUSP_NON_RET		0x80000000UL
#define RV_SUSP_PLAT_BASE	0x10000000UL

/* Invalidate this hart's VS-stage entries of the VMID in hgatp. */
static inline void rv_hfence_vvma_all(void)
{
	asm volatile(RV_H_INSN("hfence.vvma zero, zero") : : : "memory");
}

void rv_smp_init(struct rv_vcpu *v)
{
	spin_lock_init(&v->hsm_lock);
	init_waitqueue_head(&v->hsm_wq);
	/* as KVM: every vCPU but the first is powered off */
	v->hsm_state = v->vcpu->id ? SBI_HSM_STATE_STOPPED :
				     SBI_HSM_STATE_STARTED;
}

static struct rv_vcpu *rv_vcpu_by_id(struct hvmod_vm *vm, unsigned long id)
{
	struct hvmod_vcpu *vcpu;

	if (id >= HVMOD_MAX_VCPUS)
		return NULL;
	/* published with smp_store_release() once initialised */
	vcpu = smp_load_acquire(&vm->vcpus[id]);
	return vcpu ? to_rv(vcpu) : NULL;
}

/*
 * The vCPUs an SBI hart mask names: every one for base -1, else bit i
 * of mask is hart base + i.  SBI_ERR_INVALID_PARAM if one does not
 * exist, as the SBI specification asks.
 */
static long rv_harts(struct hvmod_vm *vm, unsigned long mask,
		     unsigned long base, unsigned long *set)
{
	unsigned long i;

	bitmap_zero(set, HVMOD_MAX_VCPUS);
	if (base == -1UL) {
		for (i = 0; i < HVMOD_MAX_VCPUS; i++)
			if (rv_vcpu_by_id(vm, i))
				__set_bit(i, set);
		return 0;
	}
	for_each_set_bit(i, &mask, BITS_PER_LONG) {
		if (base + i < base || !rv_vcpu_by_id(vm, base + i))
			return SBI_ERR_INVALID_PARAM;
		__set_bit(base + i, set);
	}
	return 0;
}

static void rv_kick_noop(void *info)
{
}

/*
 * Make @t see its queued interrupts and requests.  In the guest: an IPI
 * to its CPU makes it exit (any host interrupt does), and with @wait
 * this returns only once that CPU took the IPI, so out of the guest.
 * The set_bit before and the entry's smp_store_mb(in_guest) pair: either
 * the entry sees the bit or this sees in_guest.  Asleep in WFI: woken.
 */
static void rv_kick(struct rv_vcpu *t, bool wait)
{
	smp_mb__after_atomic();	/* the request bit before in_guest: above */
	if (READ_ONCE(t->in_guest))
		smp_call_function_single(READ_ONCE(t->cpu), rv_kick_noop,
					 NULL, wait);
	wake_up_interruptible(&t->timer.wq);
}

/* Guest entry, interrupts off, hgatp loaded: do what other vCPUs asked. */
void rv_smp_enter(struct rv_vcpu *v, int cpu)
{
	WRITE_ONCE(v->cpu, cpu);
	smp_store_mb(v->in_guest, 1);	/* pairs with rv_kick()'s barrier */
	if (test_and_clear_bit(RV_REQ_FENCE_I, &v->requests))
		local_flush_icache_all();
	if (test_and_clear_bit(RV_REQ_VVMA, &v->requests))
		rv_hfence_vvma_all();
	rv_smp_take_irqs(v);
}

void rv_smp_exit(struct rv_vcpu *v)
{
	WRITE_ONCE(v->in_guest, 0);
}

/* Interrupts other vCPUs raised: into the hvip the next entry loads */
void rv_smp_take_irqs(struct rv_vcpu *v)
{
	if (READ_ONCE(v->irq_queued))
		v->csr.hvip |= xchg(&v->irq_queued, 0);
}

/*
 * On each vCPU the hart mask names: an IPI (@fence false: @bit is an hvip
 * bit to raise) or a remote fence (@bit an RV_REQ_*; each target is out
 * of the guest when this returns).  The caller's own is done on its next
 * entry.
 */
static long rv_remote(struct hvmod_vcpu *vcpu, unsigned long mask,
		      unsigned long base, int bit, bool fence)
{
	DECLARE_BITMAP(set, HVMOD_MAX_VCPUS);
	struct rv_vcpu *t;
	unsigned long i;
	long err;

	err = rv_harts(vcpu->vm, mask, base, set);
	if (err)
		return err;
	for_each_set_bit(i, set, HVMOD_MAX_VCPUS) {
		t = rv_vcpu_by_id(vcpu->vm, i);
		set_bit(bit, fence ? &t->requests : &t->irq_queued);
		if (t != to_rv(vcpu))
			rv_kick(t, fence);
	}
	return 0;
}

/* hart_start: STOPPED -> START_PENDING with the entry point recorded */
static long rv_hart_start(struct hvmod_vcpu *vcpu, unsigned long hartid,
			  unsigned long pc, unsigned long opaque)
{
	struct rv_vcpu *t = rv_vcpu_by_id(vcpu->vm, hartid);
	long err = 0;

	if (!t)
		return SBI_ERR_INVALID_PARAM;
	spin_lock(&t->hsm_lock);
	if (t->hsm_state != SBI_HSM_STATE_STOPPED) {
		err = SBI_ERR_ALREADY_AVAILABLE;
	} else {
		t->start_pc = pc;
		t->start_opaque = opaque;
		WRITE_ONCE(t->hsm_state, SBI_HSM_STATE_START_PENDING);
	}
	spin_unlock(&t->hsm_lock);
	if (!err)
		wake_up_interruptible(&t->hsm_wq);
	return err;
}

static void rv_set_stopped(struct rv_vcpu *v)
{
	spin_lock(&v->hsm_lock);
	WRITE_ONCE(v->hsm_state, SBI_HSM_STATE_STOPPED);
	spin_unlock(&v->hsm_lock);
}

/*
 * hart_suspend: the default retentive suspend is a WFI (as KVM); the
 * non-retentive and platform types are not offered; reserved types are
 * invalid.
 */
static int rv_hart_suspend(struct hvmod_vcpu *vcpu, unsigned long type)
{
	unsigned long *x = to_rv(vcpu)->ctx.x;
	unsigned long base = type & ~RV_SUSP_NON_RET;

	if (type > U32_MAX || (base && base < RV_SUSP_PLAT_BASE)) {
		x[10] = SBI_ERR_INVALID_PARAM;
		return 1;
	}
	if (type != 0) {
		x[10] = SBI_ERR_NOT_SUPPORTED;
		return 1;
	}
	x[10] = 0;
	return rv_timer_wfi(vcpu);
}

/*
 * The SBI calls of this file (pc already stepped over the ecall).
 * Returns what rv_vcpu_run returns, or -ENOENT if @eid is not ours.
 */
int rv_smp_sbi(struct hvmod_vcpu *vcpu, unsigned long eid, unsigned long fid)
{
	struct rv_vcpu *v = to_rv(vcpu);
	unsigned long *x = v->ctx.x, mask = 0;
	long err = SBI_ERR_NOT_SUPPORTED, val = 0;
	struct rv_vcpu *t;
	u64 gpa;

	switch (eid) {
	case SBI_EXT_HSM:
		switch (fid) {
		case SBI_EXT_HSM_HART_START:
			err = rv_hart_start(vcpu, x[10], x[11], x[12]);
			break;
		case SBI_EXT_HSM_HART_STOP:
			/* rv_smp_run() puts it to sleep; a0/a1 unchanged */
			rv_set_stopped(v);
			return 1;
		case SBI_EXT_HSM_HART_STATUS:
			t = rv_vcpu_by_id(vcpu->vm, x[10]);
			err = t ? 0 : SBI_ERR_INVALID_PARAM;
			val = t ? READ_ONCE(t->hsm_state) : 0;
			break;
		case SBI_EXT_HSM_HART_SUSPEND:
			x[11] = 0;
			return rv_hart_suspend(vcpu, x[10]);
		}
		break;
	case SBI_EXT_IPI:
		if (fid == SBI_EXT_IPI_SEND_IPI)
			err = rv_remote(vcpu, x[10], x[11], IRQ_VS_SOFT, false);
		break;
	case SBI_EXT_RFENCE:
		switch (fid) {
		case SBI_EXT_RFENCE_REMOTE_FENCE_I:
			err = rv_remote(vcpu, x[10], x[11], RV_REQ_FENCE_I,
					true);
			break;
		/* the whole VS-stage of the VMID: a superset of any range */
		case SBI_EXT_RFENCE_REMOTE_SFENCE_VMA:
		case SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID:
			err = rv_remote(vcpu, x[10], x[11], RV_REQ_VVMA, true);
			break;
		/* the hfence ones: the guest has no H extension */
		}
		break;
	case RV_SBI_LEGACY_CLEAR_IPI:
		v->csr.hvip &= ~BIT(IRQ_VS_SOFT);
		clear_bit(IRQ_VS_SOFT, &v->irq_queued);
		x[10] = 0;
		return 1;
	case RV_SBI_LEGACY_SEND_IPI:
	case RV_SBI_LEGACY_FENCE_I:
	case RV_SBI_LEGACY_SFENCE_VMA:
	case RV_SBI_LEGACY_SFENCE_VMA_ASID:
		/* a0: the guest address of the hart mask; 0 for every hart */
		if (x[10] && (rv_gva_to_gpa(vcpu, x[10], &gpa) ||
			      hvmod_guest_rw(vcpu->vm, gpa, &mask,
					     sizeof(mask), false))) {
			x[10] = SBI_ERR_INVALID_ADDRESS;
			return 1;
		}
		if (eid == RV_SBI_LEGACY_SEND_IPI)
			err = rv_remote(vcpu, mask, x[10] ? 0 : -1UL,
					IRQ_VS_SOFT, false);
		else
			err = rv_remote(vcpu, mask, x[10] ? 0 : -1UL,
					eid == RV_SBI_LEGACY_FENCE_I ?
					RV_REQ_FENCE_I : RV_REQ_VVMA, true);
		x[10] = err;
		return 1;
	default:
		return -ENOENT;
	}
	x[10] = err;
	x[11] = val;
	return 1;
}

bool rv_smp_probe(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_HSM:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case RV_SBI_LEGACY_CLEAR_IPI:
	case RV_SBI_LEGACY_SEND_IPI:
	case RV_SBI_LEGACY_FENCE_I:
	case RV_SBI_LEGACY_SFENCE_VMA:
	case RV_SBI_LEGACY_SFENCE_VMA_ASID:
		return true;
	default:
		return false;
	}
}

/*
 * Each KVM_RUN pass, before the entry: a stopped vCPU sleeps (without
 * the stage-2 lock, like WFI) until started or signalled; a started one
 * takes hart_start's reset.  Returns 1 to go on, -EINTR on a signal.
 */
int rv_smp_run(struct hvmod_vcpu *vcpu)
{
	struct rv_vcpu *v = to_rv(vcpu);
	unsigned long pc = 0, opaque = 0;
	bool start = false;
	int r;

	if (READ_ONCE(v->hsm_state) == SBI_HSM_STATE_STOPPED) {
		up_read(&vcpu->vm->s2_sem);
		r = wait_event_interruptible(v->hsm_wq,
					     READ_ONCE(v->hsm_state) !=
					     SBI_HSM_STATE_STOPPED);
		down_read(&vcpu->vm->s2_sem);
		if (r) {
			vcpu->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
	}
	spin_lock(&v->hsm_lock);
	if (v->hsm_state == SBI_HSM_STATE_START_PENDING) {
		pc = v->start_pc;
		opaque = v->start_opaque;
		WRITE_ONCE(v->hsm_state, SBI_HSM_STATE_STARTED);
		start = true;
	}
	spin_unlock(&v->hsm_lock);
	if (start) {
		/* as KVM: a fresh hart, pc the start address, a1 opaque */
		rv_vcpu_reset(v);
		WRITE_ONCE(v->timer.armed, false);
		hrtimer_cancel(&v->timer.hrt);
		xchg(&v->irq_queued, 0);
		v->ctx.sepc = pc;
		v->ctx.x[11] = opaque;
	}
	return 1;
}

/* KVM_GET/SET_MP_STATE: STOPPED or RUNNABLE (as KVM riscv) */
int rv_smp_mp_state(struct hvmod_vcpu *vcpu, unsigned long arg, bool set)
{
	struct rv_vcpu *v = to_rv(vcpu);
	struct kvm_mp_state __user *up = (void __user *)arg;
	struct kvm_mp_state mp;

	if (!set) {
		mp.mp_state = READ_ONCE(v->hsm_state) == SBI_HSM_STATE_STOPPED ?
			      KVM_MP_STATE_STOPPED : KVM_MP_STATE_RUNNABLE;
		return copy_to_user(up, &mp, sizeof(mp)) ? -EFAULT : 0;
	}
	if (copy_from_user(&mp, up, sizeof(mp)))
		return -EFAULT;
	switch (mp.mp_state) {
	case KVM_MP_STATE_STOPPED:
		rv_set_stopped(v);
		return 0;
	case KVM_MP_STATE_RUNNABLE:
		/* powered on as it is, without a reset (as KVM) */
		spin_lock(&v->hsm_lock);
		if (v->hsm_state == SBI_HSM_STATE_STOPPED)
			WRITE_ONCE(v->hsm_state, SBI_HSM_STATE_STARTED);
		spin_unlock(&v->hsm_lock);
		return 0;
	default:
		hvmod_reject("KVM_SET_MP_STATE: state %u: riscv has RUNNABLE (0) and STOPPED (5)",
			     mp.mp_state);
		return -EINVAL;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 guest timer: the SBI TIME extension's set_timer, raised as the
 * VS timer interrupt (hvip.VSTIP), and KVM's timer ONE_REG ids.
 *
 * The guest reads time as the host's time CSR plus the VM's htimedelta
 * (0 when the VM was created, as in KVM).  No Sstc: hvmod keeps the
 * compare value and an hrtimer.  The interrupt is raised on guest entry
 * once the guest's time has reached compare; the hrtimer only makes that
 * entry happen in time: it wakes a vCPU sleeping in WFI and kicks the
 * vCPU task out of the guest (any host interrupt ends a VS-mode run).
 * set_timer clears a raised interrupt, as the SBI specification says.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": riscv: " fmt

#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <asm/delay.h>	/* riscv_timebase */
#include <asm/timex.h>
#include "rv.h"

u64 rv_guest_time(struct hvmod_vm *vm)
{
	struct rv_vm *rvm = vm->arch;

	return get_cycles64() + rvm->time_delta;
}

/* Guest time ticks ahead of compare, if compare is reached: >= 0 */
static s64 rv_timer_left(struct rv_vcpu *v)
{
	return (s64)(v->timer.compare - rv_guest_time(v->vcpu->vm));
}

bool rv_timer_due(struct rv_vcpu *v)
{
	return READ_ONCE(v->timer.armed) && rv_timer_left(v) <= 0;
}

static enum hrtimer_restart rv_timer_fire(struct hrtimer *hrt)
{
	struct rv_timer *t = container_of(hrt, struct rv_timer, hrt);
	struct task_struct *task;

	wake_up_interruptible(&t->wq);
	/* out of the guest if it runs on another CPU (RCU: task lifetime) */
	rcu_read_lock();
	task = READ_ONCE(t->task);
	if (task)
		kick_process(task);
	rcu_read_unlock();
	return HRTIMER_NORESTART;
}

void rv_timer_init(struct rv_vcpu *v)
{
	hrtimer_init(&v->timer.hrt, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	v->timer.hrt.function = rv_timer_fire;
	init_waitqueue_head(&v->timer.wq);
}

void rv_timer_destroy(struct rv_vcpu *v)
{
	hrtimer_cancel(&v->timer.hrt);
}

/* (Re)start the hrtimer for compare; the caller has set armed. */
static void rv_timer_start(struct rv_vcpu *v)
{
	s64 left = rv_timer_left(v);
	u64 ns;

	hrtimer_cancel(&v->timer.hrt);
	if (left <= 0)
		return;			/* raised on the next entry */
	ns = mul_u64_u64_div_u64(left, NSEC_PER_SEC, riscv_timebase) ?: 1;
	hrtimer_start(&v->timer.hrt, ns_to_ktime(ns), HRTIMER_MODE_REL);
}

/* SBI set_timer: a new compare value, and no timer interrupt pending */
void rv_timer_set(struct rv_vcpu *v, u64 compare)
{
	v->csr.hvip &= ~BIT(IRQ_VS_TIMER);
	v->timer.compare = compare;
	WRITE_ONCE(v->timer.armed, true);
	rv_timer_start(v);
}

/* Is a VS interrupt pending that the guest enabled in its sie? */
static bool rv_irq_pending(struct rv_vcpu *v)
{
	/* hvip has VS bit positions (2, 6, 10), vsie the S ones (1, 5, 9) */
	return (v->csr.hvip >> 1) & v->csr.vsie &
	       (BIT(IRQ_S_SOFT) | BIT(IRQ_S_TIMER) | BIT(IRQ_S_EXT));
}

/*
 * A WFI (pc stepped over already).  An enabled interrupt pending or the
 * timer due: resume.  Else sleep until the timer is due or another vCPU
 * raises an interrupt (rv_smp.c), without the VM's stage-2 lock (a slot
 * change must not wait for a halted vCPU), or until a signal.  Nothing
 * that could wake it (no timer, no other vCPU): KVM_EXIT_HLT, as KVM
 * without an in-kernel interrupt controller does for x86 HLT.
 */
int rv_timer_wfi(struct hvmod_vcpu *vcpu)
{
	struct rv_vcpu *v = to_rv(vcpu);
	struct rw_semaphore *sem = &vcpu->vm->s2_sem;
	int r;

	rv_smp_take_irqs(v);
	if (rv_irq_pending(v) || rv_timer_due(v))
		return 1;
	if (!v->timer.armed && READ_ONCE(vcpu->vm->nr_vcpus) < 2) {
		vcpu->run->exit_reason = KVM_EXIT_HLT;
		return 0;
	}
	up_read(sem);
	r = wait_event_interruptible(v->timer.wq, rv_timer_due(v) ||
				     READ_ONCE(v->irq_queued));
	down_read(sem);
	if (r) {
		vcpu->run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	return 1;
}

/* KVM_REG_RISCV_TIMER: frequency (read-only), time, compare, state */
int rv_timer_one_reg(struct hvmod_vcpu *vcpu, u64 idx, u64 __user *uaddr,
		     bool set)
{
	struct rv_vcpu *v = to_rv(vcpu);
	struct rv_vm *rvm = vcpu->vm->arch;
	u64 val = 0;

	if (set && get_user(val, uaddr))
		return -EFAULT;
	switch (idx) {
	case KVM_REG_RISCV_TIMER_REG(frequency):
		if (set && val != riscv_timebase) {
			hvmod_reject("ONE_REG: timer frequency %llu: the host's is %lu and cannot change",
				     val, riscv_timebase);
			return -EINVAL;
		}
		val = riscv_timebase;
		break;
	case KVM_REG_RISCV_TIMER_REG(time):
		if (set)
			rvm->time_delta = val - get_cycles64();
		val = rv_guest_time(vcpu->vm);
		break;
	case KVM_REG_RISCV_TIMER_REG(compare):
		if (set) {
			v->timer.compare = val;
			if (v->timer.armed)
				rv_timer_start(v);
		}
		val = v->timer.compare;
		break;
	case KVM_REG_RISCV_TIMER_REG(state):
		if (set) {
			if (val != KVM_RISCV_TIMER_STATE_ON &&
			    val != KVM_RISCV_TIMER_STATE_OFF) {
				hvmod_reject("ONE_REG: timer state %llu is neither ON (1) nor OFF (0)",
					     val);
				return -EINVAL;
			}
			WRITE_ONCE(v->timer.armed, val == KVM_RISCV_TIMER_STATE_ON);
			if (v->timer.armed)
				rv_timer_start(v);
			else
				hrtimer_cancel(&v->timer.hrt);
		}
		val = v->timer.armed ? KVM_RISCV_TIMER_STATE_ON :
				       KVM_RISCV_TIMER_STATE_OFF;
		break;
	default:
		hvmod_reject("ONE_REG: no riscv timer register %llu", idx);
		return -EINVAL;
	}
	if (set)
		return 0;
	return put_user(val, uaddr) ? -EFAULT : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN: the generic run loop.  The backend enters the guest once per
 * call and decodes the exit: > 0 means handled in the kernel (enter
 * again), 0 means struct kvm_run holds an exit for userspace, < 0 is an
 * error for the ioctl.  vcpu_put() runs on every return, so that the
 * backend can refresh what kvm_run reports (KVM's post_kvm_run_save()).
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include "hvmod.h"

long hvmod_vcpu_run(struct hvmod_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct hvmod_vm *vm = vcpu->vm;
	long r;

	if (!hvmod_be->vcpu_run)
		return -ENOTTY;

	if (hvmod_be->vcpu_load)
		hvmod_be->vcpu_load(vcpu);
	for (;;) {
		if (READ_ONCE(run->immediate_exit) || signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();
		down_read(&vm->s2_sem);
		r = hvmod_be->vcpu_run(vcpu);
		up_read(&vm->s2_sem);
		if (r <= 0)
			break;
	}
	if (hvmod_be->vcpu_put)
		hvmod_be->vcpu_put(vcpu);
	return r;
}

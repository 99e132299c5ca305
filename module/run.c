// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN: the generic run loop.  The backend enters the guest once per
 * call and decodes the exit: > 0 means handled in the kernel (enter
 * again), 0 means struct kvm_run holds an exit for userspace, < 0 is an
 * error for the ioctl.  vcpu_put() runs on every return, so that the
 * backend can refresh what kvm_run reports (KVM's post_kvm_run_save()).
 * As in KVM, the exit userspace handled is finished first, then
 * immediate_exit ends KVM_RUN with EINTR leaving exit_reason alone (the
 * upstream selftests' vcpu_run_complete_io() relies on both); a signal
 * ends it with EINTR and KVM_EXIT_INTR.
 * KVM_SET_SIGNAL_MASK: the thread runs the guest with that mask and gets
 * its own back on return (KVM's kvm_sigset_activate/deactivate): QEMU
 * blocks SIG_IPI in its threads and unblocks it only here, so a kick
 * ends KVM_RUN with EINTR instead of racing its check of exit_request.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/uaccess.h>
#include "hvmod.h"

long hvmod_set_signal_mask(struct hvmod_vcpu *vcpu, void __user *argp)
{
	struct kvm_signal_mask __user *user = argp;
	struct kvm_signal_mask head;
	sigset_t set;

	/* NULL: run with the thread's own mask again */
	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&head, user, sizeof(head)))
		return -EFAULT;
	if (head.len != sizeof(set)) {
		hvmod_reject("KVM_SET_SIGNAL_MASK: len %u, the kernel's sigset_t is %zu bytes",
			     head.len, sizeof(set));
		return -EINVAL;
	}
	if (copy_from_user(&set, user->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

long hvmod_vcpu_run(struct hvmod_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct hvmod_vm *vm = vcpu->vm;
	long r;

	if (!hvmod_be->vcpu_run)
		return -ENOTTY;

	/* real_blocked, as KVM: signal delivery restores it if it interrupts */
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &current->real_blocked);
	if (hvmod_be->vcpu_load)
		hvmod_be->vcpu_load(vcpu);
	r = 0;
	if (hvmod_be->vcpu_complete) {
		down_read(&vm->s2_sem);
		r = hvmod_be->vcpu_complete(vcpu);
		up_read(&vm->s2_sem);
	}
	if (!r && READ_ONCE(run->immediate_exit))
		r = -EINTR;
	if (r)
		goto out;
	for (;;) {
		if (signal_pending(current)) {
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
out:
	if (hvmod_be->vcpu_put)
		hvmod_be->vcpu_put(vcpu);
	if (vcpu->sigset_active) {
		sigprocmask(SIG_SETMASK, &current->real_blocked, NULL);
		sigemptyset(&current->real_blocked);
	}
	return r;
}

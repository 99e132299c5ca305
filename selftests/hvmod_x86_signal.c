// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN interrupted from userspace: immediate_exit (as KVM: EINTR with
 * exit_reason untouched, after the exit userspace handled is finished:
 * the upstream selftests' vcpu_run_complete_io()), and a signal (no-op
 * SIGALRM handler without SA_RESTART) stopping a guest that loops on
 * in-kernel exits, then one that spins without any exit, so that only a
 * host interrupt can take the CPU back.  KVM_SET_SIGNAL_MASK: the thread
 * blocks SIGALRM, the vCPU's mask lets it in, so it ends KVM_RUN and stays
 * pending (blocked again) after it; without a vCPU mask a pending blocked
 * signal does not stop the guest.  Runs last: if the host cannot
 * take the CPU back, the box hangs here.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "guest.h"
#include "x86_signal.sym.h"

HV_GUEST_BLOB(x86_signal);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	17

/* KVM_RUN with SIGALRM due in ms milliseconds; 0 or the errno. */
static int run_with_alarm(struct hv_vcpu *v, unsigned int ms)
{
	v->run->exit_reason = 0xdead;
	return hv_run_ms(v->fd, ms);
}

static void expect_intr(struct hv_vcpu *v, int err, const char *what)
{
	if (!tap_result(err == EINTR && v->run->exit_reason == KVM_EXIT_INTR,
			"%s: KVM_RUN -> EINTR, exit_reason KVM_EXIT_INTR", what))
		tap_diag("KVM_RUN %s, exit_reason %u (%s)",
			 err ? hv_errname(err) : "succeeded", v->run->exit_reason,
			 hv_exit_name(v->run->exit_reason));
}

/* KVM_SET_SIGNAL_MASK with the kernel's 8-byte sigset (len) or NULL. */
static int set_vcpu_sigmask(struct hv_vcpu *v, const sigset_t *set,
			    unsigned int len)
{
	struct {
		struct kvm_signal_mask head;
		unsigned char bits[8];
	} m;

	if (!set)
		return ioctl(v->fd, KVM_SET_SIGNAL_MASK, NULL) ? errno : 0;
	m.head.len = len;
	memcpy(m.bits, set, sizeof(m.bits));	/* glibc's first word: signals 1-64 */
	return ioctl(v->fd, KVM_SET_SIGNAL_MASK, &m) ? errno : 0;
}

static bool alrm_pending(void)
{
	sigset_t p;

	sigpending(&p);
	return sigismember(&p, SIGALRM);
}

/* Restarts the guest at rip with RAX = 0. */
static void set_rip(struct hv_vcpu *v, uint64_t rip)
{
	struct kvm_regs r;

	hv_get_regs(v, &r);
	r.rip = rip;
	r.rax = 0;
	hv_set_regs(v, &r);
}

int main(void)
{
	sigset_t set, old, cur;
	struct kvm_regs r;
	struct hv_vcpu v;
	bool ok;
	struct hv_vm vm;
	uint64_t rip;
	int sig, err, sys = hv_x86_open();

	tap_plan(NR_TESTS);
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_signal_bin, x86_signal_bin_end);
	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_out_entry);

	v.run->immediate_exit = 1;
	v.run->exit_reason = 0xdead;
	err = ioctl(v.fd, KVM_RUN, 0UL) ? errno : 0;
	if (!tap_result(err == EINTR && v.run->exit_reason == 0xdead,
			"immediate_exit = 1: KVM_RUN -> EINTR, exit_reason untouched"))
		tap_diag("KVM_RUN %s, exit_reason 0x%x", err ? hv_errname(err) : "succeeded",
			 v.run->exit_reason);
	hv_expect_hex(true, hv_rip(&v), GUEST_out_entry, "immediate_exit = 1: the guest did not run");
	v.run->immediate_exit = 0;
	hv_expect_out(&v, 0x10, 1, 0, "immediate_exit = 0: the guest runs (OUT)");

	/* an IN exit answered, then immediate_exit: the IN is finished */
	set_rip(&v, GUEST_in_entry);
	ok = hv_run_io(&v, KVM_EXIT_IO_IN, 1, 0x11, NULL);
	hv_io_reply(&v, 0x5a);
	v.run->immediate_exit = 1;
	err = ioctl(v.fd, KVM_RUN, 0UL) ? errno : 0;
	v.run->immediate_exit = 0;
	hv_get_regs(&v, &r);
	if (!tap_result(ok && err == EINTR && v.run->exit_reason == KVM_EXIT_IO,
			"IN exit answered, then immediate_exit = 1: EINTR, exit_reason still KVM_EXIT_IO"))
		tap_diag("KVM_RUN %s, exit_reason %u", err ? hv_errname(err) : "succeeded",
			 v.run->exit_reason);
	if (!tap_result(r.rip == GUEST_in_next && (r.rax & 0xff) == 0x5a,
			"... and KVM_GET_REGS shows the IN done: AL 0x5a, RIP past it"))
		tap_diag("RIP 0x%llx RAX 0x%llx", r.rip, r.rax);
	hv_expect_out(&v, 0x10, 1, 0x5a, "the next KVM_RUN goes on after the IN (OUT of 0x5a)");

	set_rip(&v, GUEST_cpuid_loop);
	err = run_with_alarm(&v, 300);
	expect_intr(&v, err, "SIGALRM while the guest loops on CPUID (exits to the kernel only)");
	rip = hv_rip(&v);
	if (!tap_result(rip >= GUEST_cpuid_loop && rip < GUEST_spin_loop,
			"after the signal the guest's RIP is still in its CPUID loop"))
		tap_diag("RIP 0x%llx", (unsigned long long)rip);

	set_rip(&v, GUEST_spin_loop);
	err = run_with_alarm(&v, 300);
	expect_intr(&v, err, "SIGALRM while the guest spins without any exit (JMP to itself)");
	hv_expect_hex(true, hv_rip(&v), GUEST_spin_loop, "after the signal RIP is the spinning JMP");
	set_rip(&v, GUEST_out_entry);
	hv_expect_out(&v, 0x10, 1, 0, "the vCPU runs again after being interrupted");

	sigemptyset(&set);
	err = set_vcpu_sigmask(&v, &set, 4);
	if (!tap_result(err == EINVAL, "KVM_SET_SIGNAL_MASK with len 4 (not the kernel's 8): EINVAL"))
		tap_diag("got %s", err ? hv_errname(err) : "success");
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigemptyset(&set);
	err = set_vcpu_sigmask(&v, &set, 8);
	if (!tap_result(!err, "KVM_SET_SIGNAL_MASK: SIGALRM unblocked while in KVM_RUN"))
		tap_diag("got %s", hv_errname(err));
	set_rip(&v, GUEST_spin_loop);
	hv_alarm_fired = 0;
	err = run_with_alarm(&v, 300);
	expect_intr(&v, err, "SIGALRM blocked in the thread, open in the vCPU mask: ends a spinning guest");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	tap_result(sigismember(&cur, SIGALRM) && alrm_pending() && !hv_alarm_fired,
		   "after KVM_RUN the thread's mask is back: SIGALRM blocked, pending, not handled");
	err = set_vcpu_sigmask(&v, NULL, 0);
	if (!tap_result(!err, "KVM_SET_SIGNAL_MASK(NULL): the thread's own mask again"))
		tap_diag("got %s", hv_errname(err));
	set_rip(&v, GUEST_out_entry);
	hv_expect_out(&v, 0x10, 1, 0,
		      "a pending but blocked SIGALRM does not stop KVM_RUN without a vCPU mask");
	/* take the pending SIGALRM, then the thread's mask as it was */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigwait(&set, &sig);
	sigprocmask(SIG_SETMASK, &old, NULL);

	hv_vcpu_free(&v);
	hv_vm_free(&vm);
	return tap_finish();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 SMP guests on /dev/hvmod: KVM_GET/SET_MP_STATE (vCPU 1 starts
 * STOPPED), a stopped vCPU's KVM_RUN sleeping until a signal (EINTR,
 * without spinning), then a 2-vCPU guest, each vCPU on its own thread:
 * vCPU 0 reads hart 1's HSM status, starts it with hart_start (bad
 * hartids and a running hart refused), hart 1 checks its start state
 * (a0 = hartid, a1 = opaque, satp 0), writes a marker and waits in WFI;
 * vCPU 0 sends it an IPI (SBI IPI) that its handler takes as a
 * supervisor software interrupt, hart 1 stops itself (hart_stop); vCPU 0
 * makes the RFENCE calls, a retentive hart_suspend woken by an IPI to
 * itself, the legacy SBI 0.1 IPI, and shuts down.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "hvmod_util.h"
#include "rv_guest_asm.h"
#include "tap.h"

#define G_RAM		0x80000000ULL
#define G_RAM_SIZE	(2UL << 20)
#define G_DATA		0x1000		/* offset in RAM: flags and results */

#define CORE(r)		(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | \
			 KVM_REG_RISCV_CORE_REG(r))

/* G_DATA slots (8 bytes each) */
enum {
	D_MARKER, D_READY, D_GOT_IRQ, D_HARTID, D_OPAQUE, D_SATP, D_BAD,
	D_SCAUSE, D_STATUS1_ERR, D_STATUS1_VAL, D_START_BAD, D_START_SELF,
	D_START_OK, D_IPI, D_IPI_BAD, D_FENCE_I, D_SFENCE, D_SFENCE_ASID,
	D_FENCE_BAD, D_HFENCE, D_STOPPED, D_STATUS_BAD, D_SUSP_RSV,
	D_SUSP_NONRET, D_SUSP_RET, D_SELF_IRQ, D_LEGACY_IPI, D_PROBE_HSM,
	D_START_AGAIN, D_NR
};

/*
 * The guest, position independent, uncompressed: copied to G_RAM.  s0 =
 * the data area.  Results go to the slots above.
 */
extern const unsigned char guest_start[], guest_end[];
asm(RV_GUEST_BEGIN(guest_start)
    "	li	s0, 0x80001000\n"
    "	li	s1, 0x48534d\n"			/* HSM */
    /* probe_extension(HSM) */
    "	li	a7, 0x10\n"
    "	li	a6, 3\n"
    "	mv	a0, s1\n"
    "	ecall\n"
    "	sd	a1, 8*27(s0)\n"
    /* hart_get_status(1): 0, STOPPED */
    "	mv	a7, s1\n"
    "	li	a6, 2\n"
    "	li	a0, 1\n"
    "	ecall\n"
    "	sd	a0, 8*8(s0)\n"
    "	sd	a1, 8*9(s0)\n"
    /* hart_get_status(40): no such hart */
    "	li	a6, 2\n"
    "	li	a0, 40\n"
    "	ecall\n"
    "	sd	a0, 8*21(s0)\n"
    /* hart_start(7): no such hart */
    "	li	a6, 0\n"
    "	li	a0, 7\n"
    "	lla	a1, secondary\n"
    "	li	a2, 0\n"
    "	ecall\n"
    "	sd	a0, 8*10(s0)\n"
    /* hart_start(0): running already */
    "	li	a6, 0\n"
    "	li	a0, 0\n"
    "	lla	a1, secondary\n"
    "	ecall\n"
    "	sd	a0, 8*11(s0)\n"
    /* hart_start(1, secondary, 0x5a5a) */
    "	li	a6, 0\n"
    "	li	a0, 1\n"
    "	lla	a1, secondary\n"
    "	li	a2, 0x5a5a\n"
    "	ecall\n"
    "	sd	a0, 8*12(s0)\n"
    /* hart_start(1) again: started or start pending */
    "	li	a6, 0\n"
    "	li	a0, 1\n"
    "	lla	a1, secondary\n"
    "	ecall\n"
    "	sd	a0, 8*28(s0)\n"
    /* hart 1 ready in its WFI loop */
    "1:	ld	t1, 8*1(s0)\n"
    "	beqz	t1, 1b\n"
    /* send_ipi(mask 0b10, base 0), then a mask naming hart 5 + 0 */
    "	li	a7, 0x735049\n"
    "	li	a6, 0\n"
    "	li	a0, 2\n"
    "	li	a1, 0\n"
    "	ecall\n"
    "	sd	a0, 8*13(s0)\n"
    "	li	a6, 0\n"
    "	li	a0, 1\n"
    "	li	a1, 5\n"
    "	ecall\n"
    "	sd	a0, 8*14(s0)\n"
    /* hart 1's handler ran */
    "2:	ld	t1, 8*2(s0)\n"
    "	beqz	t1, 2b\n"
    /* RFENCE: fence_i on every hart, sfence_vma (harts 0, 1), _asid (1) */
    "	li	a7, 0x52464e43\n"
    "	li	a6, 0\n"
    "	li	a0, 0\n"
    "	li	a1, -1\n"
    "	ecall\n"
    "	sd	a0, 8*15(s0)\n"
    "	li	a6, 1\n"
    "	li	a0, 3\n"
    "	li	a1, 0\n"
    "	li	a2, 0\n"
    "	li	a3, -1\n"
    "	ecall\n"
    "	sd	a0, 8*16(s0)\n"
    "	li	a6, 2\n"
    "	li	a0, 2\n"
    "	li	a1, 0\n"
    "	li	a2, 0\n"
    "	li	a3, 4096\n"
    "	li	a4, 1\n"
    "	ecall\n"
    "	sd	a0, 8*17(s0)\n"
    "	li	a6, 1\n"			/* harts 9, 10: none */
    "	li	a0, 3\n"
    "	li	a1, 9\n"
    "	li	a2, 0\n"
    "	li	a3, -1\n"
    "	ecall\n"
    "	sd	a0, 8*18(s0)\n"
    "	li	a6, 6\n"			/* remote_hfence_vvma */
    "	li	a0, 0\n"
    "	li	a1, -1\n"
    "	ecall\n"
    "	sd	a0, 8*19(s0)\n"
    /* hart 1 stops itself: poll its status until STOPPED */
    "3:	mv	a7, s1\n"
    "	li	a6, 2\n"
    "	li	a0, 1\n"
    "	ecall\n"
    "	li	t1, 1\n"
    "	bne	a1, t1, 3b\n"
    "	sd	a1, 8*20(s0)\n"
    /* hart_suspend: a reserved type, the default non-retentive one */
    "	li	a6, 3\n"
    "	li	a0, 5\n"
    "	ecall\n"
    "	sd	a0, 8*22(s0)\n"
    "	li	a6, 3\n"
    "	li	a0, 0x80000000\n"
    "	ecall\n"
    "	sd	a0, 8*23(s0)\n"
    /* retentive suspend, woken by an IPI to itself (sie.SSIE, SIE off) */
    "	li	t0, 2\n"
    "	csrw	sie, t0\n"
    "	li	a7, 0x735049\n"
    "	li	a6, 0\n"
    "	li	a0, 1\n"
    "	li	a1, 0\n"
    "	ecall\n"
    "	mv	a7, s1\n"
    "	li	a6, 3\n"
    "	li	a0, 0\n"
    "	ecall\n"
    "	sd	a0, 8*24(s0)\n"
    "	csrr	t0, sip\n"
    "	sd	t0, 8*25(s0)\n"
    "	csrci	sip, 2\n"
    /* legacy send_ipi: a0 = the address of the mask (hart 0) */
    "	li	t0, 1\n"
    "	sd	t0, 8*31(s0)\n"
    "	li	a7, 4\n"
    "	addi	a0, s0, 8*31\n"
    "	ecall\n"
    "	csrr	t0, sip\n"
    "	slli	t0, t0, 8\n"
    "	or	a0, a0, t0\n"			/* err | sip << 8 */
    "	sd	a0, 8*26(s0)\n"
    "	li	a7, 3\n"			/* legacy clear_ipi */
    "	ecall\n"
    /* SRST shutdown */
    "	li	a7, 0x53525354\n"
    "	li	a6, 0\n"
    "	li	a0, 0\n"
    "	li	a1, 0\n"
    "	ecall\n"
    "4:	j	4b\n"

    /* hart 1 */
    "secondary:\n"
    "	li	s0, 0x80001000\n"
    "	sd	a0, 8*3(s0)\n"
    "	sd	a1, 8*4(s0)\n"
    "	csrr	t0, satp\n"
    "	sd	t0, 8*5(s0)\n"
    "	lla	t0, handler\n"
    "	csrw	stvec, t0\n"
    "	li	t0, 2\n"			/* sie.SSIE; sstatus.SIE stays 0 */
    "	csrw	sie, t0\n"
    "	li	t1, 0x1234\n"
    "	sd	t1, 8*0(s0)\n"
    "	li	t1, 1\n"
    "	sd	t1, 8*1(s0)\n"
    /* wfi with SIE off, then take the interrupt: no lost wakeup */
    "5:	ld	t1, 8*2(s0)\n"
    "	bnez	t1, 6f\n"
    "	wfi\n"
    "	csrsi	sstatus, 2\n"
    "	csrci	sstatus, 2\n"
    "	j	5b\n"
    "6:	li	a7, 0x48534d\n"			/* hart_stop */
    "	li	a6, 1\n"
    "	ecall\n"
    "	li	t1, 0xbad\n"			/* never reached */
    "	sd	t1, 8*6(s0)\n"
    "7:	j	7b\n"
    ".balign 4\n"
    "handler:\n"
    "	csrr	t0, scause\n"
    "	sd	t0, 8*7(s0)\n"
    "	csrci	sip, 2\n"
    "	li	t1, 1\n"
    "	sd	t1, 8*2(s0)\n"
    "	sret\n"
    RV_GUEST_END(guest_end));

static void on_signal(int sig)
{
	(void)sig;
}

static int mp_state(int vcpu)
{
	struct kvm_mp_state mp = { .mp_state = 0xff };

	if (ioctl(vcpu, KVM_GET_MP_STATE, &mp))
		return -1;
	return mp.mp_state;
}

static int set_mp_state(int vcpu, unsigned int s)
{
	struct kvm_mp_state mp = { .mp_state = s };

	return ioctl(vcpu, KVM_SET_MP_STATE, &mp);
}

static void test_mp_state(int sys, int vcpu0, int vcpu1)
{
	hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_MP_STATE), 1,
		     "KVM_CAP_MP_STATE = 1");
	hv_expect_eq(mp_state(vcpu0), KVM_MP_STATE_RUNNABLE, "vCPU 0 starts RUNNABLE");
	hv_expect_eq(mp_state(vcpu1), KVM_MP_STATE_STOPPED, "vCPU 1 starts STOPPED");
	hv_check(set_mp_state(vcpu1, KVM_MP_STATE_RUNNABLE), 0, "SET_MP_STATE RUNNABLE");
	hv_expect_eq(mp_state(vcpu1), KVM_MP_STATE_RUNNABLE, "vCPU 1 reads RUNNABLE");
	hv_check(set_mp_state(vcpu1, KVM_MP_STATE_STOPPED), 0, "SET_MP_STATE STOPPED");
	hv_expect_eq(mp_state(vcpu1), KVM_MP_STATE_STOPPED, "vCPU 1 reads STOPPED");
	hv_check(set_mp_state(vcpu1, KVM_MP_STATE_HALTED), EINVAL,
		 "SET_MP_STATE HALTED -> EINVAL");
	hv_expect_eq(mp_state(vcpu1), KVM_MP_STATE_STOPPED, "still STOPPED after the refusal");
}

static double secs(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A stopped vCPU's KVM_RUN sleeps: a signal ends it, little CPU used */
static void test_stopped_run(int vcpu1, struct kvm_run *run1)
{
	double t0 = secs(CLOCK_MONOTONIC), c0 = secs(CLOCK_THREAD_CPUTIME_ID);
	double wall, cpu;

	run1->exit_reason = 0xffff;
	hv_expect_eq(hv_run_ms(vcpu1, 300), EINTR, "stopped vCPU: KVM_RUN fails with EINTR on SIGALRM");
	wall = secs(CLOCK_MONOTONIC) - t0;
	cpu = secs(CLOCK_THREAD_CPUTIME_ID) - c0;
	hv_expect_eq(run1->exit_reason, KVM_EXIT_INTR, "stopped vCPU: exit_reason KVM_EXIT_INTR");
	tap_result(wall >= 0.25 && cpu < wall / 2,
		   "stopped vCPU slept, not spun: %.3f s CPU in %.3f s", cpu, wall);
}

struct hart1 {
	int vcpu;
	struct kvm_run *run;
	int ret, err;
};

/* vCPU 1's thread: KVM_RUN until a signal (it never exits otherwise) */
static void *hart1_main(void *arg)
{
	struct hart1 *h = arg;

	h->ret = ioctl(h->vcpu, KVM_RUN, 0);
	h->err = errno;
	return NULL;
}

static void test_guest(int vm, int vcpu0, struct kvm_run *run0, int vcpu1,
		       struct kvm_run *run1)
{
	struct kvm_userspace_memory_region mr;
	struct hart1 h = { .vcpu = vcpu1, .run = run1 };
	uint64_t *d;
	pthread_t th;
	void *mem;
	int r;

	mem = mmap(NULL, G_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!tap_result(mem != MAP_FAILED, "mmap guest RAM"))
		return;
	memcpy(mem, guest_start, guest_end - guest_start);
	d = (uint64_t *)((char *)mem + G_DATA);
	mr = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = G_RAM,
		.memory_size = G_RAM_SIZE, .userspace_addr = (uintptr_t)mem };
	if (!hv_check(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr), 0, "2 MiB of RAM") ||
	    !hv_check(hv_set_one_reg64(vcpu0, CORE(regs.pc), G_RAM), 0, "vCPU 0 pc"))
		goto out;
	if (!tap_result(!pthread_create(&th, NULL, hart1_main, &h),
			"vCPU 1 thread in KVM_RUN"))
		goto out;

	/* vCPU 0 to its shutdown; SIGALRM after 20 s ends a hang */
	alarm(20);
	r = ioctl(vcpu0, KVM_RUN, 0);
	alarm(0);
	if (!tap_result(!r && run0->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
			run0->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN,
			"vCPU 0 ran to its SRST shutdown"))
		tap_diag("KVM_RUN %d (%s), exit %u, hw 0x%llx", r, r ? hv_errname(errno) : "",
			 run0->exit_reason,
			 (unsigned long long)run0->hw.hardware_exit_reason);
	/* vCPU 1 sleeps stopped in KVM_RUN: a signal ends it */
	usleep(100000);
	pthread_kill(th, SIGUSR1);
	pthread_join(th, NULL);
	if (!tap_result(h.ret == -1 && h.err == EINTR && run1->exit_reason == KVM_EXIT_INTR,
			"vCPU 1's KVM_RUN: asleep after hart_stop until the signal (EINTR)")) {
		uint64_t pc = 0;

		hv_get_one_reg(vcpu1, CORE(regs.pc), &pc);
		tap_diag("vCPU 1: KVM_RUN %d (%s), exit %u, hw 0x%llx, pc 0x%llx", h.ret,
			 h.ret ? hv_errname(h.err) : "", run1->exit_reason,
			 (unsigned long long)run1->hw.hardware_exit_reason,
			 (unsigned long long)pc);
	}
	hv_expect_eq(mp_state(vcpu1), KVM_MP_STATE_STOPPED, "vCPU 1 is STOPPED after hart_stop");

	hv_expect_eq(d[D_PROBE_HSM], 1, "probe_extension(HSM) = 1");
	hv_expect_eq(d[D_STATUS1_ERR], 0, "hart_get_status(1): no error");
	hv_expect_eq(d[D_STATUS1_VAL], 1, "hart_get_status(1) before the start: STOPPED");
	hv_expect_eq(d[D_STATUS_BAD], -3, "hart_get_status(40): INVALID_PARAM");
	hv_expect_eq(d[D_START_BAD], -3, "hart_start(7): INVALID_PARAM");
	hv_expect_eq(d[D_START_SELF], -6, "hart_start(0) of the running hart: ALREADY_AVAILABLE");
	hv_expect_eq(d[D_START_OK], 0, "hart_start(1): success");
	hv_expect_eq(d[D_START_AGAIN], -6, "hart_start(1) again: ALREADY_AVAILABLE");
	hv_expect_eq(d[D_MARKER], 0x1234, "hart 1 wrote its marker");
	hv_expect_eq(d[D_HARTID], 1, "hart 1 started with a0 = its hartid");
	hv_expect_eq(d[D_OPAQUE], 0x5a5a, "hart 1 started with a1 = opaque");
	hv_expect_eq(d[D_SATP], 0, "hart 1 started with satp 0");
	hv_expect_eq(d[D_IPI], 0, "send_ipi(hart 1): success");
	hv_expect_eq(d[D_IPI_BAD], -3, "send_ipi(hart 5): INVALID_PARAM");
	hv_expect_eq(d[D_SCAUSE], (long long)(1ULL << 63 | 1),
		     "hart 1's handler took a supervisor software interrupt");
	hv_expect_eq(d[D_FENCE_I], 0, "remote_fence_i(all): success");
	hv_expect_eq(d[D_SFENCE], 0, "remote_sfence_vma(harts 0, 1): success");
	hv_expect_eq(d[D_SFENCE_ASID], 0, "remote_sfence_vma_asid(hart 1): success");
	hv_expect_eq(d[D_FENCE_BAD], -3, "remote_sfence_vma(harts 9, 10): INVALID_PARAM");
	hv_expect_eq(d[D_HFENCE], -2, "remote_hfence_vvma: NOT_SUPPORTED");
	hv_expect_eq(d[D_STOPPED], 1, "hart_get_status(1) after its hart_stop: STOPPED");
	hv_expect_eq(d[D_BAD], 0, "hart_stop did not return");
	hv_expect_eq(d[D_SUSP_RSV], -3, "hart_suspend(5, reserved): INVALID_PARAM");
	hv_expect_eq(d[D_SUSP_NONRET], -2, "hart_suspend(non-retentive): NOT_SUPPORTED");
	hv_expect_eq(d[D_SUSP_RET], 0, "retentive hart_suspend woken by a pending IPI: 0");
	hv_expect_eq(d[D_SELF_IRQ] & 2, 2, "an IPI to itself: sip.SSIP set");
	hv_expect_eq(d[D_LEGACY_IPI], 2 << 8, "legacy send_ipi(mask at a0): 0, sip.SSIP set");
out:
	munmap(mem, G_RAM_SIZE);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct kvm_run *run0, *run1;
	int sys, vm, vcpu0, vcpu1;

	sys = hv_open_or_skip();
	tap_plan(47);
	/* no SA_RESTART: a signal ends KVM_RUN with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	vm = hv_create_vm(sys);
	vcpu0 = vm >= 0 ? hv_create_vcpu(vm, 0) : -1;
	vcpu1 = vm >= 0 ? hv_create_vcpu(vm, 1) : -1;
	run0 = vcpu0 >= 0 ? hv_map_run(vcpu0, 8192, 0) : MAP_FAILED;
	run1 = vcpu1 >= 0 ? hv_map_run(vcpu1, 8192, 0) : MAP_FAILED;
	if (!tap_result(run0 != MAP_FAILED && run1 != MAP_FAILED,
			"a VM with vCPUs 0 and 1, their kvm_run mapped"))
		return tap_finish();
	test_mp_state(sys, vcpu0, vcpu1);
	test_stopped_run(vcpu1, run1);
	test_guest(vm, vcpu0, run0, vcpu1, run1);
	close(vcpu1);
	close(vcpu0);
	close(vm);
	close(sys);
	return tap_finish();
}

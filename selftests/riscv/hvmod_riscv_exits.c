// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 guests on /dev/hvmod: the exits that are not MMIO or SBI.
 *  - a guest spinning in VS-mode leaves on host interrupts: a signal
 *    ends KVM_RUN with EINTR / KVM_EXIT_INTR, and the guest resumes where
 *    it stood; immediate_exit returns at once;
 *  - an ebreak is delegated (hedeleg) to the guest's own VS-mode trap
 *    handler, which sees scause 3 and sepc = the ebreak;
 *  - a fetch outside guest RAM is refused (KVM_EXIT_UNKNOWN with the
 *    trap cause, a "hvmod: " log line), as is an MMIO access by an
 *    instruction that is no plain load or store (an AMO:
 *    KVM_EXIT_INTERNAL_ERROR, emulation);
 *  - the guest has no FP state: an FP instruction traps as illegal even
 *    after the guest turned its own vsstatus.FS on (KVM_EXIT_UNKNOWN,
 *    cause 2), and the host task's FP registers are untouched.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "hvmod_util.h"
#include "tap.h"

#define G_RAM		0x80000000ULL
#define G_RAM_SIZE	(2UL << 20)
#define G_MMIO		0x10000000ULL
#define G_HOLE		0x40000000ULL	/* neither RAM nor used as MMIO */

/* trap causes (the privileged spec) */
#define EXC_ILLEGAL_INSN		2
#define EXC_BREAKPOINT			3
#define EXC_INST_GUEST_PAGE_FAULT	20

#define CORE(r)		(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | \
			 KVM_REG_RISCV_CORE_REG(r))

/*
 * The guests, position independent, uncompressed, no linker relaxation
 * (a gp-relative address would not survive the copy; lla, not la,
 * which loads from the GOT in a PIE): copied to G_RAM, each
 * case starts at its own label.
 */
extern const unsigned char guest_start[], guest_end[], g_spin[],
	g_ebreak[], g_ebreak_insn[], g_fetch_hole[], g_fp[], g_fp_insn[],
	g_amo[], g_amo_insn[];
asm(".pushsection .rodata\n"
    ".option push\n"
    ".option norvc\n"
    ".option norelax\n"
    ".balign 4\n"
    "guest_start:\n"
    "g_spin:\n"
    "	addi	s1, s1, 1\n"
    "	j	g_spin\n"
    /* stvec in VS-mode is vstvec */
    "g_ebreak:\n"
    "	lla	t0, 1f\n"
    "	csrw	stvec, t0\n"
    "g_ebreak_insn:\n"
    "	ebreak\n"
    "	j	.\n"
    ".balign 4\n"
    "1:	csrr	a0, scause\n"
    "	csrr	a1, sepc\n"
    "	li	t0, 0x10000000\n"
    "	sd	a0, 0(t0)\n"
    "	sd	a1, 8(t0)\n"
    "	j	.\n"
    "g_fetch_hole:\n"
    "	li	t0, 0x40000000\n"
    "	jr	t0\n"
    /* vsstatus.FS Dirty, then an FP instruction: hvmod keeps FS Off */
    "g_fp:\n"
    "	li	t0, 0x6000\n"
    "	csrs	sstatus, t0\n"
    "g_fp_insn:\n"
    "	fmv.d.x	f0, t0\n"
    "	j	.\n"
    "g_amo:\n"
    "	li	t0, 0x10000000\n"
    "	li	t1, 1\n"
    "g_amo_insn:\n"
    "	amoadd.w zero, t1, (t0)\n"
    "	j	.\n"
    "guest_end:\n"
    ".option pop\n"
    ".popsection\n");

#define G_ADDR(sym)	(G_RAM + (uint64_t)((sym) - guest_start))

struct guest {
	int vm, vcpu;
	struct kvm_run *run;
	void *mem;
};

/* A VM with the guest image in 2 MiB of RAM and one vCPU at pc. */
static bool guest_new(int sys, struct guest *g, uint64_t pc, const char *what)
{
	struct kvm_userspace_memory_region mr;

	memset(g, 0, sizeof(*g));
	g->vm = -1;
	g->vcpu = -1;
	g->mem = MAP_FAILED;
	g->vm = hv_create_vm(sys);
	if (!hv_check(g->vm, 0, "%s: KVM_CREATE_VM", what))
		return false;
	g->vcpu = hv_create_vcpu(g->vm, 0);
	if (!hv_check(g->vcpu, 0, "%s: KVM_CREATE_VCPU", what))
		return false;
	g->run = hv_map_run(g->vcpu, 8192, 0);
	g->mem = mmap(NULL, G_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_result(g->run != MAP_FAILED && g->mem != MAP_FAILED,
			"%s: mmap kvm_run and guest RAM", what))
		return false;
	memcpy(g->mem, guest_start, guest_end - guest_start);
	mr = (struct kvm_userspace_memory_region){ .slot = 0,
		.guest_phys_addr = G_RAM, .memory_size = G_RAM_SIZE,
		.userspace_addr = (uintptr_t)g->mem };
	return hv_check(ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &mr), 0,
			"%s: RAM at 0x%llx", what, G_RAM) &&
	       hv_check(hv_set_one_reg64(g->vcpu, CORE(regs.pc), pc), 0,
			"%s: pc = 0x%llx", what, (unsigned long long)pc);
}

static void guest_free(struct guest *g)
{
	if (g->mem != MAP_FAILED)
		munmap(g->mem, G_RAM_SIZE);
	if (g->run && g->run != MAP_FAILED)
		munmap(g->run, 8192);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
}

static const char *exit_name(unsigned int r)
{
	switch (r) {
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_SYSTEM_EVENT: return "SYSTEM_EVENT";
	case KVM_EXIT_RISCV_SBI: return "RISCV_SBI";
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "other";
	}
}

/* KVM_RUN once; true if it returned 0 with exit_reason want. */
static bool run_until(struct guest *g, unsigned int want)
{
	if (ioctl(g->vcpu, KVM_RUN, 0)) {
		tap_diag("KVM_RUN: %s", hv_errname(errno));
		return false;
	}
	if (g->run->exit_reason != want) {
		tap_diag("exit %u (%s), want %s; hw 0x%llx", g->run->exit_reason,
			 exit_name(g->run->exit_reason), exit_name(want),
			 (unsigned long long)g->run->hw.hardware_exit_reason);
		return false;
	}
	return true;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The guest never traps by itself: only host (timer) interrupts bring
 * it out to see the pending signal.
 */
static void test_signal(int sys)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };
	uint64_t pc = 0, n1 = 0, n2 = 0;
	struct guest g;
	double t0;
	int r, e;

	if (!guest_new(sys, &g, G_ADDR(g_spin), "spin"))
		goto out;
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */

	g.run->immediate_exit = 1;
	r = ioctl(g.vcpu, KVM_RUN, 0);
	e = errno;
	tap_result(r == -1 && e == EINTR && g.run->exit_reason == KVM_EXIT_INTR,
		   "immediate_exit: KVM_RUN fails with EINTR, KVM_EXIT_INTR (%s)",
		   r ? hv_errname(e) : "0");
	g.run->immediate_exit = 0;

	setitimer(ITIMER_REAL, &it, NULL);
	t0 = now();
	r = ioctl(g.vcpu, KVM_RUN, 0);
	e = errno;
	tap_result(r == -1 && e == EINTR && g.run->exit_reason == KVM_EXIT_INTR,
		   "SIGALRM ends KVM_RUN of a spinning guest: EINTR, KVM_EXIT_INTR (%s, exit %s)",
		   r ? hv_errname(e) : "0", exit_name(g.run->exit_reason));
	tap_result(now() - t0 < 10, "... after %.3f s", now() - t0);
	hv_get_one_reg(g.vcpu, CORE(regs.pc), &pc);
	hv_get_one_reg(g.vcpu, CORE(regs.s1), &n1);
	tap_result(pc >= G_ADDR(g_spin) && pc < G_ADDR(g_ebreak),
		   "pc 0x%llx is in the spin loop", (unsigned long long)pc);
	tap_result(n1 > 0, "the guest ran: s1 = %llu iterations",
		   (unsigned long long)n1);

	setitimer(ITIMER_REAL, &it, NULL);
	r = ioctl(g.vcpu, KVM_RUN, 0);
	e = errno;
	hv_get_one_reg(g.vcpu, CORE(regs.s1), &n2);
	tap_result(r == -1 && e == EINTR && n2 > n1,
		   "a second KVM_RUN resumes the loop: s1 %llu -> %llu, then EINTR",
		   (unsigned long long)n1, (unsigned long long)n2);
out:
	guest_free(&g);
}

static void test_ebreak(int sys)
{
	struct guest g;
	uint64_t v;

	if (!guest_new(sys, &g, G_ADDR(g_ebreak), "ebreak"))
		goto out;
	if (tap_result(run_until(&g, KVM_EXIT_MMIO) && g.run->mmio.is_write &&
		       g.run->mmio.phys_addr == G_MMIO && g.run->mmio.len == 8,
		       "ebreak: the guest's handler reports scause by MMIO")) {
		memcpy(&v, g.run->mmio.data, 8);
		hv_expect_eq(v, EXC_BREAKPOINT, "the guest's scause is breakpoint (3)");
	} else {
		tap_result(false, "the guest's scause is breakpoint (3)");
	}
	if (tap_result(run_until(&g, KVM_EXIT_MMIO) && g.run->mmio.is_write &&
		       g.run->mmio.phys_addr == G_MMIO + 8,
		       "ebreak: the guest's handler reports sepc by MMIO")) {
		memcpy(&v, g.run->mmio.data, 8);
		hv_expect_eq(v, G_ADDR(g_ebreak_insn), "the guest's sepc is the ebreak");
	} else {
		tap_result(false, "the guest's sepc is the ebreak");
	}
out:
	guest_free(&g);
}

static void test_fetch_hole(int sys)
{
	struct hv_kmsg km;
	char line[256];
	struct guest g;
	int n;

	if (!guest_new(sys, &g, G_ADDR(g_fetch_hole), "fetch"))
		goto out;
	hv_kmsg_mark(&km);
	tap_result(run_until(&g, KVM_EXIT_UNKNOWN) &&
		   g.run->hw.hardware_exit_reason == EXC_INST_GUEST_PAGE_FAULT,
		   "fetch from 0x%llx (no RAM): KVM_EXIT_UNKNOWN, cause 20", G_HOLE);
	n = hv_kmsg_find(&km, "hvmod: riscv: ", "guest fetch from 0x40000000",
			 line, sizeof(line));
	tap_result(n >= 1, "... logged: '%s'", n >= 1 ? line : "(nothing)");
	hv_kmsg_close(&km);
out:
	guest_free(&g);
}

static void test_amo(int sys)
{
	struct hv_kmsg km;
	char line[256];
	struct guest g;
	uint64_t pc = 0;
	int n;

	if (!guest_new(sys, &g, G_ADDR(g_amo), "amo"))
		goto out;
	hv_kmsg_mark(&km);
	tap_result(run_until(&g, KVM_EXIT_INTERNAL_ERROR) &&
		   g.run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
		   g.run->internal.data[1] == G_MMIO,
		   "amoadd.w on MMIO: KVM_EXIT_INTERNAL_ERROR, emulation, gpa 0x%llx",
		   G_MMIO);
	n = hv_kmsg_find(&km, "hvmod: riscv: ", "is no load or store",
			 line, sizeof(line));
	tap_result(n >= 1, "... logged: '%s'", n >= 1 ? line : "(nothing)");
	hv_kmsg_close(&km);
	hv_get_one_reg(g.vcpu, CORE(regs.pc), &pc);
	hv_expect_eq(pc, G_ADDR(g_amo_insn), "pc stays at the amoadd.w");
out:
	guest_free(&g);
}

/*
 * KVM_RUN as a raw system call with ft0 = 1.5 live around it: the guest's
 * fmv.d.x would write the hart's f0 (= ft0) if it could run.
 */
static long run_keep_ft0(int fd, uint64_t *ft0)
{
	register long a0 asm("a0") = fd;
	register long a1 asm("a1") = KVM_RUN;
	register long a2 asm("a2") = 0;
	register long a7 asm("a7") = __NR_ioctl;
	uint64_t in = *ft0;

	asm volatile("fmv.d.x	ft0, %[in]\n\t"
		     "ecall\n\t"
		     "fmv.x.d	%[out], ft0"
		     : "+r" (a0), [out] "=&r" (*ft0)
		     : [in] "r" (in), "r" (a1), "r" (a2), "r" (a7)
		     : "ft0", "memory");
	return a0;
}

static void test_fp(int sys)
{
	const uint64_t one_and_half = 0x3ff8000000000000ULL;
	uint64_t ft0 = one_and_half, pc = 0;
	struct guest g;
	long r;

	if (!guest_new(sys, &g, G_ADDR(g_fp), "fp"))
		goto out;
	r = run_keep_ft0(g.vcpu, &ft0);
	tap_result(r == 0 && g.run->exit_reason == KVM_EXIT_UNKNOWN &&
		   g.run->hw.hardware_exit_reason == EXC_ILLEGAL_INSN,
		   "fmv.d.x with the guest's vsstatus.FS on: KVM_EXIT_UNKNOWN, cause 2 (ret %ld, exit %s)",
		   r, exit_name(g.run->exit_reason));
	tap_result(ft0 == one_and_half, "the VMM's ft0 is untouched (0x%llx)",
		   (unsigned long long)ft0);
	hv_get_one_reg(g.vcpu, CORE(regs.pc), &pc);
	hv_expect_eq(pc, G_ADDR(g_fp_insn), "pc stays at the FP instruction");
out:
	guest_free(&g);
}

int main(void)
{
	int sys = hv_open_or_skip();

	tap_plan(43);
	test_signal(sys);
	test_ebreak(sys);
	test_fetch_hole(sys);
	test_fp(sys);
	test_amo(sys);
	close(sys);
	return tap_finish();
}

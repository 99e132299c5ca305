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
 *  - illegal instructions (an FP instruction with the guest's own
 *    vsstatus.FS Off) and misaligned AMOs are delegated to the guest's
 *    handler; an instruction VS-mode may not run (csrr hstatus: a virtual
 *    instruction trap) reaches it as an illegal instruction with stval
 *    the instruction, as in KVM;
 *  - the guest's FP state (f0-f31, fcsr) is its own: set and read with
 *    KVM_SET/GET_ONE_REG (FP_D, FP_F), kept across exits while the VMM
 *    task changes its own FP registers, which the guest never touches;
 *  - wfi with nothing that could wake it: KVM_EXIT_HLT, pc past it;
 *  - SBI set_timer: wfi sleeps in the kernel until the guest's time
 *    reaches compare, then the VS timer interrupt is pending and taken
 *    once the guest sets sstatus.SIE; a guest spinning with SIE on takes
 *    it too; the timer ONE_REG ids (frequency, time, compare, state).
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
#include "rv_guest_asm.h"
#include "tap.h"

#define G_RAM		0x80000000ULL
#define G_RAM_SIZE	(2UL << 20)
#define G_MMIO		0x10000000ULL
#define G_HOLE		0x40000000ULL	/* neither RAM nor used as MMIO */

/* trap causes (the privileged spec) */
#define EXC_ILLEGAL_INSN		2
#define EXC_BREAKPOINT			3
#define EXC_STORE_MISALIGNED		6
#define IRQ_S_TIMER_CAUSE		((1ULL << 63) | 5)
#define EXC_INST_GUEST_PAGE_FAULT	20

#define CORE(r)		(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | \
			 KVM_REG_RISCV_CORE_REG(r))
#define FPD(n)		(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_FP_D | (n))
#define FPD_FCSR	(KVM_REG_RISCV | KVM_REG_SIZE_U32 | KVM_REG_RISCV_FP_D | 32)
#define FPF(n)		(KVM_REG_RISCV | KVM_REG_SIZE_U32 | KVM_REG_RISCV_FP_F | (n))
#define TIMER(r)	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_TIMER | \
			 KVM_REG_RISCV_TIMER_REG(r))

/* The guests (rv_guest_asm.h): copied to G_RAM, each case at its label. */
extern const unsigned char guest_start[], guest_end[], g_spin[],
	g_ebreak[], g_ebreak_insn[], g_fetch_hole[], g_fp[], g_amo[],
	g_amo_insn[], g_illegal[], g_illegal_insn[], g_virt[], g_virt_insn[],
	g_misalign[], g_misalign_insn[], g_wfi[], g_wfi_insn[], g_timer[],
	g_timer_spin[];
asm(RV_GUEST_BEGIN(guest_start)
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
    /*
     * FP on (vsstatus.FS Initial): f0 = 2.0, f2 = f0 + f1 (f1 from the
     * VMM), reported; after the exit f0 again (the guest's, whatever the
     * VMM task did with its own), then fcsr (from the VMM).
     */
    "g_fp:\n"
    "	li	t0, 0x2000\n"
    "	csrs	sstatus, t0\n"
    "	li	t1, 0x4000000000000000\n"
    "	fmv.d.x	f0, t1\n"
    "	fadd.d	f2, f0, f1\n"
    "	fmv.x.d	t2, f2\n"
    "	li	t0, 0x10000000\n"
    "	sd	t2, 0(t0)\n"
    "	fmv.x.d	t2, f0\n"
    "	sd	t2, 8(t0)\n"
    "	frcsr	t2\n"
    "	sd	t2, 16(t0)\n"
    "	j	.\n"
    /* the guest's trap handler: scause, sepc, stval by MMIO */
    "report:\n"
    "	csrr	a0, scause\n"
    "	csrr	a1, sepc\n"
    "	csrr	a2, stval\n"
    "	li	t0, 0x10000000\n"
    "	sd	a0, 0(t0)\n"
    "	sd	a1, 8(t0)\n"
    "	sd	a2, 16(t0)\n"
    "	j	.\n"
    /* vsstatus.FS Off (reset): an FP instruction is illegal */
    "g_illegal:\n"
    "	lla	t0, report\n"
    "	csrw	stvec, t0\n"
    "g_illegal_insn:\n"
    "	fmv.d.x	f0, zero\n"
    "	j	.\n"
    /* hstatus (0x600) from VS-mode: a virtual instruction trap */
    "g_virt:\n"
    "	lla	t0, report\n"
    "	csrw	stvec, t0\n"
    "g_virt_insn:\n"
    "	csrr	t1, 0x600\n"
    "	j	.\n"
    /* an AMO on a misaligned RAM address */
    "g_misalign:\n"
    "	lla	t0, report\n"
    "	csrw	stvec, t0\n"
    "	li	t1, 0x80100001\n"
    "g_misalign_insn:\n"
    "	amoadd.w zero, t0, (t1)\n"
    "	j	.\n"
    "g_wfi:\n"
    "g_wfi_insn:\n"
    "	wfi\n"
    "	j	.\n"
    /*
     * set_timer(now + a1) (a1 from the VMM), sie.STIE on, sstatus.SIE
     * off: wfi returns once the timer is pending; report sip and the
     * time, then SIE on: the interrupt reaches report.
     */
    "g_timer:\n"
    "	lla	t0, report\n"
    "	csrw	stvec, t0\n"
    "	li	t0, 0x20\n"
    "	csrs	sie, t0\n"
    "	rdtime	a0\n"
    "	add	a0, a0, a1\n"
    "	mv	s5, a0\n"
    "	li	a7, 0x54494D45\n"
    "	li	a6, 0\n"
    "	ecall\n"
    "	mv	s7, a0\n"
    "	wfi\n"
    "	rdtime	s6\n"
    "	csrr	t2, sip\n"
    "	li	t0, 0x10000000\n"
    "	sd	t2, 24(t0)\n"
    "	csrsi	sstatus, 2\n"
    "	j	.\n"
    /* the same timer with SIE on while the guest spins: no trap of its own */
    "g_timer_spin:\n"
    "	lla	t0, report\n"
    "	csrw	stvec, t0\n"
    "	li	t0, 0x20\n"
    "	csrs	sie, t0\n"
    "	csrsi	sstatus, 2\n"
    "	rdtime	a0\n"
    "	add	a0, a0, a1\n"
    "	li	a7, 0x54494D45\n"
    "	li	a6, 0\n"
    "	ecall\n"
    "1:	addi	s1, s1, 1\n"
    "	j	1b\n"
    "g_amo:\n"
    "	li	t0, 0x10000000\n"
    "	li	t1, 1\n"
    "g_amo_insn:\n"
    "	amoadd.w zero, t1, (t0)\n"
    "	j	.\n"
    RV_GUEST_END(guest_end));

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
	case KVM_EXIT_HLT: return "HLT";
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
	g.run->exit_reason = 0xdead;
	r = ioctl(g.vcpu, KVM_RUN, 0);
	e = errno;
	/* as KVM: exit_reason is left as it was */
	tap_result(r == -1 && e == EINTR && g.run->exit_reason == 0xdead,
		   "immediate_exit: KVM_RUN fails with EINTR, exit_reason untouched (%s)",
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
 * KVM_RUN as a raw system call with ft0 = *ft0 live around it: returns
 * what ft0 holds afterwards in *ft0 (the guest uses its f0 = ft0).
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

/* One MMIO store by the guest at G_MMIO + off: its 8 bytes, or false. */
static bool mmio_store(struct guest *g, uint64_t off, uint64_t *val)
{
	if (g->run->exit_reason != KVM_EXIT_MMIO || !g->run->mmio.is_write ||
	    g->run->mmio.phys_addr != G_MMIO + off || g->run->mmio.len != 8) {
		tap_diag("exit %s, addr 0x%llx, want a store at 0x%llx",
			 exit_name(g->run->exit_reason),
			 (unsigned long long)g->run->mmio.phys_addr,
			 (unsigned long long)(G_MMIO + off));
		return false;
	}
	memcpy(val, g->run->mmio.data, 8);
	return true;
}

static void test_fp(int sys)
{
	const uint64_t d1_5 = 0x3ff8000000000000ULL, d2 = 0x4000000000000000ULL,
		       d3_5 = 0x400c000000000000ULL, d7 = 0x401c000000000000ULL;
	uint64_t ft0 = d1_5, v = 0;
	uint32_t w = 0;
	struct guest g;
	long r;

	if (!guest_new(sys, &g, G_ADDR(g_fp), "fp"))
		goto out;
	hv_check(hv_set_one_reg64(g.vcpu, FPD(1), d1_5), 0, "SET_ONE_REG FP_D f1 = 1.5");
	w = 0x20;	/* frm = RTZ (1) */
	hv_check(hv_set_one_reg(g.vcpu, FPD_FCSR, &w), 0, "SET_ONE_REG FP_D fcsr (32-bit) = 0x20");
	hv_check(hv_set_one_reg64(g.vcpu, KVM_REG_RISCV | KVM_REG_SIZE_U64 |
				  KVM_REG_RISCV_FP_D | 32, 0), EINVAL,
		 "FP_D fcsr as a 64-bit id -> EINVAL");
	hv_check(hv_get_one_reg(g.vcpu, FPD(33), &v), EINVAL, "FP_D index 33 -> EINVAL");
	hv_check(hv_get_one_reg(g.vcpu, FPF(1), &w), 0, "GET_ONE_REG FP_F f1 (32-bit)");
	hv_expect_eq(w, (uint32_t)d1_5, "FP_F f1 is the low half of FP_D f1");

	r = run_keep_ft0(g.vcpu, &ft0);
	tap_result(r == 0 && mmio_store(&g, 0, &v) && v == d3_5,
		   "guest f2 = f0 (2.0) + f1 (1.5 from ONE_REG) = 3.5 (0x%llx)",
		   (unsigned long long)v);
	tap_result(ft0 == d1_5, "the VMM's ft0 (1.5) is untouched by the guest's f0 = 2.0 (0x%llx)",
		   (unsigned long long)ft0);
	v = 0;
	hv_get_one_reg(g.vcpu, FPD(2), &v);
	hv_expect_eq(v, d3_5, "GET_ONE_REG FP_D f2 = 3.5 after the exit");

	ft0 = d7;
	r = run_keep_ft0(g.vcpu, &ft0);
	tap_result(r == 0 && mmio_store(&g, 8, &v) && v == d2,
		   "the guest's f0 is still 2.0 after a KVM_RUN with the VMM's ft0 = 7.0 (0x%llx)",
		   (unsigned long long)v);
	tap_result(ft0 == d7, "the VMM's ft0 (7.0) is untouched (0x%llx)",
		   (unsigned long long)ft0);
	tap_result(run_until(&g, KVM_EXIT_MMIO) && mmio_store(&g, 16, &v) && v == 0x20,
		   "the guest reads fcsr 0x20 as set by ONE_REG (0x%llx)",
		   (unsigned long long)v);
out:
	guest_free(&g);
}

/*
 * A guest trap that its own handler (report) sees: scause, sepc, stval
 * from three MMIO stores.
 */
static void expect_report(struct guest *g, const char *what, uint64_t cause,
			  const uint64_t *sepc, const uint64_t *stval)
{
	uint64_t v[3] = { 0, 0, 0 };
	bool ok = true;
	int i;

	for (i = 0; i < 3 && ok; i++)
		ok = run_until(g, KVM_EXIT_MMIO) && mmio_store(g, 8 * i, &v[i]);
	tap_result(ok && v[0] == cause,
		   "%s: the guest's handler sees scause %llu (got %llu)", what,
		   (unsigned long long)cause, (unsigned long long)v[0]);
	if (sepc)
		tap_result(ok && v[1] == *sepc, "%s: ... sepc 0x%llx (got 0x%llx)",
			   what, (unsigned long long)*sepc,
			   (unsigned long long)v[1]);
	if (stval)
		tap_result(ok && v[2] == *stval, "%s: ... stval 0x%llx (got 0x%llx)",
			   what, (unsigned long long)*stval,
			   (unsigned long long)v[2]);
}

static void test_delegated(int sys)
{
	const uint64_t csrr_hstatus = 0x60002373;	/* csrr t1, 0x600 */
	const uint64_t misaligned = 0x80100001;
	struct guest g;

	if (guest_new(sys, &g, G_ADDR(g_illegal), "illegal"))
		expect_report(&g, "FP instruction with vsstatus.FS Off",
			      EXC_ILLEGAL_INSN, &(uint64_t){ G_ADDR(g_illegal_insn) }, NULL);
	guest_free(&g);
	if (guest_new(sys, &g, G_ADDR(g_virt), "virtual"))
		expect_report(&g, "csrr hstatus in VS-mode", EXC_ILLEGAL_INSN,
			      &(uint64_t){ G_ADDR(g_virt_insn) }, &csrr_hstatus);
	guest_free(&g);
	if (guest_new(sys, &g, G_ADDR(g_misalign), "misaligned"))
		expect_report(&g, "amoadd.w at 0x80100001", EXC_STORE_MISALIGNED,
			      &(uint64_t){ G_ADDR(g_misalign_insn) }, &misaligned);
	guest_free(&g);
}

static void test_wfi_hlt(int sys)
{
	struct guest g;
	uint64_t pc = 0;

	if (!guest_new(sys, &g, G_ADDR(g_wfi), "wfi"))
		goto out;
	tap_result(run_until(&g, KVM_EXIT_HLT),
		   "wfi, no timer armed, nothing pending: KVM_EXIT_HLT");
	hv_get_one_reg(g.vcpu, CORE(regs.pc), &pc);
	hv_expect_eq(pc, G_ADDR(g_wfi_insn) + 4, "pc is past the wfi");
out:
	guest_free(&g);
}

static void test_timer(int sys)
{
	uint64_t freq = 0, t1 = 0, t2 = 0, v = 0, cmp = 0, woke = 0, delay;
	struct guest g;
	double t0, dt;

	if (!guest_new(sys, &g, G_ADDR(g_timer), "timer"))
		goto out;
	hv_check(hv_get_one_reg(g.vcpu, TIMER(frequency), &freq), 0,
		 "GET_ONE_REG timer frequency");
	tap_result(freq >= 1000000, "timer frequency %llu Hz", (unsigned long long)freq);
	hv_check(hv_set_one_reg64(g.vcpu, TIMER(frequency), freq + 1), EINVAL,
		 "SET_ONE_REG timer frequency + 1 -> EINVAL");
	hv_check(hv_set_one_reg64(g.vcpu, TIMER(state), 2), EINVAL,
		 "SET_ONE_REG timer state 2 -> EINVAL");
	hv_get_one_reg(g.vcpu, TIMER(time), &t1);
	hv_get_one_reg(g.vcpu, TIMER(time), &t2);
	tap_result(t2 >= t1 && t1 < 60 * freq,
		   "guest time starts near 0 and runs: %llu, %llu",
		   (unsigned long long)t1, (unsigned long long)t2);
	hv_check(hv_set_one_reg64(g.vcpu, TIMER(time), 1ULL << 40), 0,
		 "SET_ONE_REG timer time = 2^40");
	hv_get_one_reg(g.vcpu, TIMER(time), &t1);
	tap_result(t1 >= (1ULL << 40) && t1 < (1ULL << 40) + freq,
		   "timer time reads back 2^40 + %llu", (unsigned long long)(t1 - (1ULL << 40)));
	hv_get_one_reg(g.vcpu, TIMER(state), &v);
	hv_expect_eq(v, KVM_RISCV_TIMER_STATE_OFF, "timer state OFF before set_timer");

	delay = freq / 20;	/* 50 ms */
	hv_set_one_reg64(g.vcpu, CORE(regs.a1), delay);
	t0 = now();
	/* QEMU 7.2 shows VS-mode sip as 0 here: its value is only logged */
	tap_result(run_until(&g, KVM_EXIT_MMIO) && mmio_store(&g, 24, &v),
		   "set_timer(now + 50 ms), wfi: the guest runs on after it (sip 0x%llx)",
		   (unsigned long long)v);
	dt = now() - t0;
	tap_result(dt >= 0.045 && dt < 10, "... after %.3f s in KVM_RUN", dt);
	hv_get_one_reg(g.vcpu, CORE(regs.s5), &cmp);
	hv_get_one_reg(g.vcpu, CORE(regs.s6), &woke);
	tap_result(woke >= cmp, "the guest's time after wfi %llu >= compare %llu",
		   (unsigned long long)woke, (unsigned long long)cmp);
	hv_get_one_reg(g.vcpu, CORE(regs.s7), &v);
	hv_expect_eq(v, 0, "SBI set_timer returned success");
	hv_get_one_reg(g.vcpu, TIMER(compare), &v);
	hv_expect_eq(v, cmp, "GET_ONE_REG timer compare = the guest's set_timer value");
	hv_get_one_reg(g.vcpu, TIMER(state), &v);
	hv_expect_eq(v, KVM_RISCV_TIMER_STATE_OFF, "timer state OFF once it fired");
	expect_report(&g, "sstatus.SIE on", IRQ_S_TIMER_CAUSE, NULL, NULL);
out:
	guest_free(&g);
}

/*
 * The timer fires while the guest spins in VS-mode with interrupts on:
 * the hrtimer brings it out (or any host interrupt does), the next entry
 * raises the VS timer interrupt and the guest's handler takes it.
 */
static void test_timer_spin(int sys)
{
	uint64_t freq = 0, n = 0;
	struct guest g;
	double t0, dt;

	if (!guest_new(sys, &g, G_ADDR(g_timer_spin), "timer spin"))
		goto out;
	hv_get_one_reg(g.vcpu, TIMER(frequency), &freq);
	hv_set_one_reg64(g.vcpu, CORE(regs.a1), freq / 20);	/* 50 ms */
	t0 = now();
	expect_report(&g, "set_timer(now + 50 ms), spinning with SIE on",
		      IRQ_S_TIMER_CAUSE, NULL, NULL);
	dt = now() - t0;
	hv_get_one_reg(g.vcpu, CORE(regs.s1), &n);
	tap_result(dt >= 0.045 && dt < 10 && n > 0,
		   "... after %.3f s, %llu loop iterations", dt,
		   (unsigned long long)n);
out:
	guest_free(&g);
}

int main(void)
{
	int sys = hv_open_or_skip();

	tap_plan(109);
	test_signal(sys);
	test_ebreak(sys);
	test_fetch_hole(sys);
	test_fp(sys);
	test_amo(sys);
	test_delegated(sys);
	test_wfi_hlt(sys);
	test_timer(sys);
	test_timer_spin(sys);
	close(sys);
	return tap_finish();
}

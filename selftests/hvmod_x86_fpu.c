// SPDX-License-Identifier: GPL-2.0
/*
 * The guest FPU/SSE state is kept apart from the host's: KVM_SET/GET_FPU
 * (MXCSR reserved bits rejected) reach the guest's registers, the guest's
 * XMM0-15, MXCSR and x87 stack survive exits while this process and
 * another one on the same CPU do SSE/x87 work, and this process's own XMM
 * registers and MXCSR survive a KVM_RUN in which the guest uses others.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"
#include "x86_fpu.sym.h"

HV_GUEST_BLOB(x86_fpu);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	8
#define ROUNDS		50
#define G_FXSAVE	(G_DATA + 0x400)
#define GUEST_MXCSR	0x7f80		/* all masked, round toward zero */
#define FX_MXCSR	24		/* FXSAVE image offsets */
#define FX_ST0		32
#define FX_XMM0		160

static struct hv_vm vm;
static uint8_t xmm_pat[16][16];
/* st0 = 1.0, st1 = pi as 80-bit values */
static const uint8_t st0_one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f };
static const uint8_t st1_pi[10] = { 0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40 };

/* Loads XMM0-15 with 0xee.. and MXCSR with the default, and does x87 work. */
static double host_fpu_work(int round)
{
	static const uint8_t junk[16] = { [0 ... 15] = 0xee };
	volatile double acc = round;
	int i;

	for (i = 1; i < 20000; i++)
		acc = acc * 1.0000001 + 1.0 / i;
	asm volatile("movdqu %0, %%xmm0\n\tmovdqu %0, %%xmm1\n\tmovdqu %0, %%xmm2\n\t"
		     "movdqu %0, %%xmm3\n\tmovdqu %0, %%xmm4\n\tmovdqu %0, %%xmm5\n\t"
		     "movdqu %0, %%xmm6\n\tmovdqu %0, %%xmm7\n\tmovdqu %0, %%xmm8\n\t"
		     "movdqu %0, %%xmm9\n\tmovdqu %0, %%xmm10\n\tmovdqu %0, %%xmm11\n\t"
		     "movdqu %0, %%xmm12\n\tmovdqu %0, %%xmm13\n\tmovdqu %0, %%xmm14\n\t"
		     "movdqu %0, %%xmm15\n\tfldz\n\tfldz\n\tfldz\n\tfninit"
		     : : "m"(junk) : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		       "xmm13", "xmm14", "xmm15", "memory");
	if (round % 8 == 0)
		sched_yield();
	return acc;
}

/* Another process on this CPU: keeps its XMM registers, checks them. */
static pid_t start_sse_neighbour(void)
{
	static const uint8_t pat[16] = { [0 ... 15] = 0x3c };
	uint8_t got[16];
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		asm volatile("movdqu %1, %%xmm7\n\t"
			     "mov $100000, %%ecx\n1:\tdec %%ecx\n\tjnz 1b\n\t"
			     "movdqu %%xmm7, %0"
			     : "=m"(got) : "m"(pat) : "ecx", "xmm7", "memory");
		if (memcmp(got, pat, 16))
			_exit(1);
	}
}

/* KVM_RUN by raw syscall with XMM8-15 and MXCSR loaded; what they hold after. */
static long run_keep_xmm(int fd, const uint8_t in[8][16], uint8_t out[8][16],
			 uint32_t mxcsr, uint32_t *mxcsr_out)
{
	long ret = SYS_ioctl;
	uint32_t saved = 0;

	asm volatile("stmxcsr %[saved]\n\tldmxcsr %[mx]\n\t"
		     "movdqu 0x00(%[in]), %%xmm8\n\tmovdqu 0x10(%[in]), %%xmm9\n\t"
		     "movdqu 0x20(%[in]), %%xmm10\n\tmovdqu 0x30(%[in]), %%xmm11\n\t"
		     "movdqu 0x40(%[in]), %%xmm12\n\tmovdqu 0x50(%[in]), %%xmm13\n\t"
		     "movdqu 0x60(%[in]), %%xmm14\n\tmovdqu 0x70(%[in]), %%xmm15\n\t"
		     "syscall\n\t"
		     "movdqu %%xmm8, 0x00(%[out])\n\tmovdqu %%xmm9, 0x10(%[out])\n\t"
		     "movdqu %%xmm10, 0x20(%[out])\n\tmovdqu %%xmm11, 0x30(%[out])\n\t"
		     "movdqu %%xmm12, 0x40(%[out])\n\tmovdqu %%xmm13, 0x50(%[out])\n\t"
		     "movdqu %%xmm14, 0x60(%[out])\n\tmovdqu %%xmm15, 0x70(%[out])\n\t"
		     "stmxcsr %[mxo]\n\tldmxcsr %[saved]"
		     : "+a"(ret), [saved] "+m"(saved), [mxo] "=m"(*mxcsr_out)
		     : "D"((long)fd), "S"((long)KVM_RUN), "d"(0L), [in] "r"(in),
		       [out] "r"(out), [mx] "m"(mxcsr)
		     : "rcx", "r11", "memory", "xmm8", "xmm9", "xmm10", "xmm11",
		       "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

/* Compares the guest's FXSAVE image with what it loaded. */
static bool fxsave_ok(const uint8_t *fx, int round)
{
	int i;

	for (i = 0; i < 16; i++)
		if (memcmp(fx + FX_XMM0 + 16 * i, xmm_pat[i], 16)) {
			tap_diag("round %d: guest XMM%d changed", round, i);
			return false;
		}
	if (*(uint32_t *)(fx + FX_MXCSR) != GUEST_MXCSR ||
	    memcmp(fx + FX_ST0, st0_one, 10) || memcmp(fx + FX_ST0 + 16, st1_pi, 10)) {
		tap_diag("round %d: guest MXCSR 0x%x or st0/st1 changed", round,
			 *(uint32_t *)(fx + FX_MXCSR));
		return false;
	}
	return true;
}

static void test_set_get(void)
{
	struct kvm_fpu f, g;
	struct hv_vcpu v;
	uint8_t *fx = vm.mem + G_FXSAVE;
	bool ok;

	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_fxsave_entry);
	memset(&f, 0, sizeof(f));
	f.fcw = 0x27f;
	f.mxcsr = 0x10000 | 0x1f80;
	hv_check(ioctl(v.fd, KVM_SET_FPU, &f), EINVAL, "KVM_SET_FPU with MXCSR bit 16 -> EINVAL");
	f.mxcsr = 0x3f80;
	memcpy(f.xmm, xmm_pat, sizeof(f.xmm));
	if (ioctl(v.fd, KVM_SET_FPU, &f))
		tap_bail("KVM_SET_FPU: %s", hv_errname(errno));
	if (ioctl(v.fd, KVM_GET_FPU, &g))
		tap_bail("KVM_GET_FPU: %s", hv_errname(errno));
	tap_result(!memcmp(g.xmm, f.xmm, sizeof(f.xmm)) && g.mxcsr == f.mxcsr && g.fcw == f.fcw,
		   "KVM_SET_FPU/KVM_GET_FPU round trip: XMM0-15, MXCSR, FCW");
	memset(fx, 0, 512);
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x10, NULL);
	ok = ok && !memcmp(fx + FX_XMM0, xmm_pat, 256) &&
	     *(uint32_t *)(fx + FX_MXCSR) == 0x3f80 && *(uint16_t *)fx == 0x27f;
	if (!tap_result(ok, "guest FXSAVE sees the KVM_SET_FPU XMM0-15, MXCSR, FCW"))
		tap_diag("guest MXCSR 0x%x FCW 0x%x", *(uint32_t *)(fx + FX_MXCSR),
			 *(uint16_t *)fx);
	hv_vcpu_free(&v);
}

int main(void)
{
	uint8_t host_in[8][16], host_out[8][16], *fx;
	int i, status, sys = hv_x86_open();
	cpu_set_t cpu0;
	struct kvm_fpu f;
	struct hv_vcpu v;
	uint32_t mx = 0;
	pid_t child;
	bool ok;
	long ret;

	tap_plan(NR_TESTS);
	/* this process and an SSE neighbour share CPU 0 from here on */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
	child = start_sse_neighbour();
	for (i = 0; i < 256; i++)
		xmm_pat[i / 16][i % 16] = i * 7 + 1;
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	fx = vm.mem + G_FXSAVE;
	hv_vm_load(&vm, x86_fpu_bin, x86_fpu_bin_end);
	test_set_get();

	hv_vcpu_new(&vm, &v, 1);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_sse_entry);
	memcpy(vm.mem + G_DATA, xmm_pat, 256);
	*(uint32_t *)(vm.mem + G_DATA + 0x100) = GUEST_MXCSR;
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x11, NULL) && !ioctl(v.fd, KVM_GET_FPU, &f);
	tap_result(ok && !memcmp(f.xmm, xmm_pat, 256) && f.mxcsr == GUEST_MXCSR &&
		   !memcmp(f.fpr[0], st0_one, 10) && !memcmp(f.fpr[1], st1_pi, 10),
		   "KVM_GET_FPU at an exit: the guest's XMM0-15, MXCSR 0x%x, st0 = 1.0, st1 = pi",
		   GUEST_MXCSR);

	for (i = 0; i < ROUNDS && ok; i++) {
		host_fpu_work(i);
		ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x12, NULL) && fxsave_ok(fx, i) &&
		     hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x11, NULL);
	}
	tap_result(ok, "guest XMM0-15, MXCSR, st0/st1 intact across %d exits with host SSE/x87 work between",
		   ROUNDS);

	for (i = 0; i < 128; i++)
		host_in[i / 16][i % 16] = 0x80 | i;
	memset(host_out, 0, sizeof(host_out));
	ret = run_keep_xmm(v.fd, host_in, host_out, 0x5f80, &mx);
	ok = ret == 0 && hv_is_io(&v, KVM_EXIT_IO_OUT, 1, 0x12, NULL) && fxsave_ok(fx, ROUNDS);
	if (!tap_result(ok, "KVM_RUN by raw syscall: guest ran with its own registers"))
		tap_diag("KVM_RUN returned %ld", ret);
	if (!tap_result(!memcmp(host_in, host_out, sizeof(host_in)) && mx == 0x5f80,
			"this process's XMM8-15 and MXCSR 0x5f80 unchanged by KVM_RUN"))
		tap_diag("MXCSR after 0x%x", mx);

	kill(child, SIGTERM);
	waitpid(child, &status, 0);
	if (!tap_result(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
			"another process's XMM7 never changed while the guest ran"))
		tap_diag("neighbour %s %d", WIFEXITED(status) ? "exited" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
	return tap_finish();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * XSAVE state and debug registers through the KVM ABI: the CPUID that
 * offers XSAVE (and AVX where the host has YMM state), the guest's XCR0
 * (XSETBV exits, with #GP for what the CPU refuses; KVM_GET/SET_XCRS),
 * CR4.OSXSAVE only with XSAVE in the vCPU's CPUID, the guest's YMM
 * registers through KVM_GET/SET_XSAVE, this process's YMM registers kept
 * across KVM_RUN, and KVM_GET/SET_DEBUGREGS as the guest's MOV DR sees
 * them.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"
#include "x86_xsave.sym.h"

HV_GUEST_BLOB(x86_xsave);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	22
#define NR_AVX_TESTS	6	/* skipped without YMM state */
#define G_YMM_IN	G_DATA
#define G_YMM_OUT	(G_DATA + 0x400)
#define G_SEEN		(G_DATA + 0x800)
#define CR4_OSXSAVE	(1ULL << 18)
#define XFEAT_FP	1ULL
#define XFEAT_SSE	2ULL
#define XFEAT_YMM	4ULL
#define XFEAT_PKRU	(1ULL << 9)
#define ECX_XSAVE	(1U << 26)
#define ECX_OSXSAVE	(1U << 27)
#define ECX_AVX		(1U << 28)
#define XS_MXCSR	24	/* XSAVE image offsets (standard format) */
#define XS_XMM0		160
#define XS_XSTATE_BV	512

static struct hv_vm vm;
static struct {
	struct kvm_cpuid2 c;
	struct kvm_cpuid_entry2 e[256];
} sup;
static uint64_t sup_xcr0;
static uint32_t ymm_off, ymm_size;	/* CPUID 0xD.2: YMM_Hi128 in the image */
static unsigned int next_id;		/* vCPU ids are not reused */

static struct kvm_cpuid_entry2 *find_ent(uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < sup.c.nent; i++)
		if (sup.e[i].function == fn && sup.e[i].index == idx)
			return &sup.e[i];
	return NULL;
}

/* KVM_GET_SUPPORTED_CPUID into sup; whether it offers XSAVE. */
static bool get_supported_cpuid(int sys)
{
	sup.c.nent = 256;
	if (ioctl(sys, KVM_GET_SUPPORTED_CPUID, &sup))
		tap_bail("KVM_GET_SUPPORTED_CPUID: %s", hv_errname(errno));
	if (!find_ent(1, 0))
		tap_bail("no CPUID leaf 1 in KVM_GET_SUPPORTED_CPUID");
	return find_ent(1, 0)->ecx & ECX_XSAVE;
}

/* The supported CPUID offers XSAVE as KVM does. */
static void test_supported_cpuid(void)
{
	struct kvm_cpuid_entry2 *l1 = find_ent(1, 0), *d0, *d1, *d2;
	bool ok;

	d0 = find_ent(0xd, 0);
	d1 = find_ent(0xd, 1);
	d2 = find_ent(0xd, 2);
	ok = d0 && d1 && find_ent(0, 0) && find_ent(0, 0)->eax >= 0xd;
	if (ok) {
		sup_xcr0 = d0->eax | (uint64_t)d0->edx << 32;
		ok = (sup_xcr0 & (XFEAT_FP | XFEAT_SSE)) == (XFEAT_FP | XFEAT_SSE) &&
		     !(sup_xcr0 & ~(XFEAT_FP | XFEAT_SSE | XFEAT_YMM)) &&
		     !(l1->ecx & ECX_OSXSAVE) &&
		     !!(l1->ecx & ECX_AVX) == !!(sup_xcr0 & XFEAT_YMM) &&
		     !(d1->eax & (1U << 3)) && !d1->ecx && !d1->edx &&
		     !!d2 == !!(sup_xcr0 & XFEAT_YMM);
	}
	if (ok && d2) {
		ymm_off = d2->ebx;
		ymm_size = d2->eax;
		ok = ymm_size == 256 && ymm_off >= 576 &&
		     d0->ecx == ymm_off + ymm_size && d0->ebx == d0->ecx;
	} else if (ok) {
		ok = d0->ecx == 576;
	}
	if (!tap_result(ok, "KVM_GET_SUPPORTED_CPUID: XSAVE, no OSXSAVE, leaf 0xD with XCR0 0x%llx (x87|SSE[|YMM], AVX with YMM), no XSAVES/XSS",
			(unsigned long long)sup_xcr0)) {
		tap_diag("1.ECX 0x%x 0xD.0 %s", l1->ecx, d0 ? "" : "missing");
		if (d0)
			tap_diag("0xD.0: %08x %08x %08x %08x", d0->eax, d0->ebx,
				 d0->ecx, d0->edx);
		if (d1)
			tap_diag("0xD.1: %08x %08x %08x %08x", d1->eax, d1->ebx,
				 d1->ecx, d1->edx);
		if (d2)
			tap_diag("0xD.2: %08x %08x %08x %08x", d2->eax, d2->ebx,
				 d2->ecx, d2->edx);
	}
}

static bool set_xcr0(struct hv_vcpu *v, uint64_t val, uint32_t nr, uint32_t flags)
{
	struct kvm_xcrs x;

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = nr;
	x.flags = flags;
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = val;
	return !ioctl(v->fd, KVM_SET_XCRS, &x);
}

static uint64_t get_xcr0(struct hv_vcpu *v)
{
	struct kvm_xcrs x;

	if (ioctl(v->fd, KVM_GET_XCRS, &x))
		tap_bail("KVM_GET_XCRS: %s", hv_errname(errno));
	if (x.nr_xcrs != 1 || x.xcrs[0].xcr != 0) {
		tap_diag("KVM_GET_XCRS: nr_xcrs %u xcr %u", x.nr_xcrs, x.xcrs[0].xcr);
		return ~0ULL;
	}
	return x.xcrs[0].value;
}

static void test_xcrs(void)
{
	uint64_t all = sup_xcr0;
	struct hv_vcpu v;
	bool ok;

	hv_vcpu_new(&vm, &v, next_id++);
	hv_expect_eq(get_xcr0(&v), 1, "KVM_GET_XCRS at reset: XCR0 = 1 (x87)");
	ok = !set_xcr0(&v, 0, 1, 0) && errno == EINVAL &&
	     !set_xcr0(&v, XFEAT_FP | XFEAT_YMM, 1, 0) && errno == EINVAL &&
	     !set_xcr0(&v, XFEAT_FP | XFEAT_SSE | XFEAT_PKRU, 1, 0) && errno == EINVAL &&
	     !set_xcr0(&v, 1ULL << 63 | 3, 1, 0) && errno == EINVAL &&
	     !set_xcr0(&v, 3, KVM_MAX_XCRS + 1, 0) && errno == EINVAL &&
	     !set_xcr0(&v, 3, 1, 1) && errno == EINVAL;
	tap_result(ok && get_xcr0(&v) == 1,
		   "KVM_SET_XCRS: no x87, YMM without SSE, PKRU, bit 63, too many, flags -> EINVAL, XCR0 unchanged");
	ok = set_xcr0(&v, all, 1, 0) && get_xcr0(&v) == all &&
	     set_xcr0(&v, 3, 1, 0) && get_xcr0(&v) == 3;
	tap_result(ok, "KVM_SET_XCRS/KVM_GET_XCRS round trip: 0x%llx, 3",
		   (unsigned long long)all);
	hv_vcpu_free(&v);
}

/* CR4.OSXSAVE by KVM_SET_SREGS: only with XSAVE in the vCPU's CPUID. */
static void test_sregs_osxsave(void)
{
	struct kvm_cpuid_entry2 *l1 = find_ent(1, 0);
	struct kvm_sregs s;
	struct hv_vcpu v;
	uint32_t ecx = l1->ecx;

	hv_vcpu_new(&vm, &v, next_id++);
	hv_mode_sregs(&s, HV_LONG64);
	s.cr4 |= CR4_OSXSAVE;
	hv_check(ioctl(v.fd, KVM_SET_SREGS, &s), 0,
		 "KVM_SET_SREGS: CR4.OSXSAVE with XSAVE in the vCPU's CPUID");
	l1->ecx &= ~ECX_XSAVE;
	if (ioctl(v.fd, KVM_SET_CPUID2, &sup))
		tap_bail("KVM_SET_CPUID2: %s", hv_errname(errno));
	l1->ecx = ecx;
	hv_check(ioctl(v.fd, KVM_SET_SREGS, &s), EINVAL,
		 "KVM_SET_SREGS: CR4.OSXSAVE without XSAVE in the vCPU's CPUID -> EINVAL");
	hv_vcpu_free(&v);
}

/* XSETBV ECX=idx, EDX:EAX=val from 64-bit mode with CR4.OSXSAVE set. */
static bool guest_xsetbv(uint32_t idx, uint64_t val, bool want_gp, uint64_t *xcr0)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	struct hv_vcpu v;
	uint32_t got = 0;
	bool ok;

	hv_vcpu_new(&vm, &v, next_id++);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_xsetbv_entry);
	hv_get_sregs(&v, &s);
	s.cr4 |= CR4_OSXSAVE;
	if (ioctl(v.fd, KVM_SET_SREGS, &s))
		tap_bail("KVM_SET_SREGS: %s", hv_errname(errno));
	hv_get_regs(&v, &r);
	r.rcx = idx;
	r.rax = (uint32_t)val;
	r.rdx = val >> 32;
	hv_set_regs(&v, &r);
	if (want_gp) {
		ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x20, &got) && got == 13;
		if (!ok)
			tap_diag("expected #GP (13), got vector %u", got);
	} else {
		ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x30, NULL) &&
		     hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x31, &got) && got == val;
		if (!ok)
			tap_diag("XGETBV after XSETBV: 0x%x, KVM_GET_XCRS 0x%llx", got,
				 (unsigned long long)get_xcr0(&v));
	}
	*xcr0 = get_xcr0(&v);
	hv_vcpu_free(&v);
	return ok;
}

static void test_guest_xsetbv(void)
{
	static const struct {
		uint32_t idx;
		uint64_t val;
		const char *what;
	} bad[] = {
		{ 0, 0, "XCR0 = 0 (no x87)" },
		{ 0, XFEAT_FP | XFEAT_YMM, "YMM without SSE" },
		{ 0, XFEAT_FP | XFEAT_SSE | XFEAT_PKRU, "PKRU, not offered" },
		{ 1, XFEAT_FP, "ECX = 1 (no such XCR)" },
	};
	uint64_t xcr0;
	unsigned int i;
	bool ok;

	ok = guest_xsetbv(0, 3, false, &xcr0);
	tap_result(ok && xcr0 == 3, "guest XSETBV x87|SSE: no fault, XGETBV and KVM_GET_XCRS read 3");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ok = guest_xsetbv(bad[i].idx, bad[i].val, true, &xcr0);
		tap_result(ok && xcr0 == 1, "guest XSETBV %s -> #GP, XCR0 stays 1", bad[i].what);
	}
}

/* KVM_RUN by raw syscall with YMM8-15 loaded; what they hold after. */
static long run_keep_ymm(int fd, const uint8_t in[8][32], uint8_t out[8][32])
{
	long ret = SYS_ioctl;

	asm volatile("vmovdqu 0x00(%[in]), %%ymm8\n\tvmovdqu 0x20(%[in]), %%ymm9\n\t"
		     "vmovdqu 0x40(%[in]), %%ymm10\n\tvmovdqu 0x60(%[in]), %%ymm11\n\t"
		     "vmovdqu 0x80(%[in]), %%ymm12\n\tvmovdqu 0xa0(%[in]), %%ymm13\n\t"
		     "vmovdqu 0xc0(%[in]), %%ymm14\n\tvmovdqu 0xe0(%[in]), %%ymm15\n\t"
		     "syscall\n\t"
		     "vmovdqu %%ymm8, 0x00(%[out])\n\tvmovdqu %%ymm9, 0x20(%[out])\n\t"
		     "vmovdqu %%ymm10, 0x40(%[out])\n\tvmovdqu %%ymm11, 0x60(%[out])\n\t"
		     "vmovdqu %%ymm12, 0x80(%[out])\n\tvmovdqu %%ymm13, 0xa0(%[out])\n\t"
		     "vmovdqu %%ymm14, 0xc0(%[out])\n\tvmovdqu %%ymm15, 0xe0(%[out])\n\t"
		     "vzeroupper"
		     : "+a"(ret)
		     : "D"((long)fd), "S"((long)KVM_RUN), "d"(0L), [in] "r"(in),
		       [out] "r"(out)
		     : "rcx", "r11", "memory", "xmm8", "xmm9", "xmm10", "xmm11",
		       "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

/* Whether YMM0-15 in an XSAVE image equal regs (16 x 32 bytes). */
static bool image_ymm_eq(const struct kvm_xsave *xs, const uint8_t *regs,
			 const char *what)
{
	const uint8_t *img = (const uint8_t *)xs->region;
	int i;

	for (i = 0; i < 16; i++)
		if (memcmp(img + XS_XMM0 + 16 * i, regs + 32 * i, 16) ||
		    memcmp(img + ymm_off + 16 * i, regs + 32 * i + 16, 16)) {
			tap_diag("YMM%d: %s", i, what);
			return false;
		}
	return true;
}

static void test_avx(void)
{
	static struct kvm_xsave xs;
	uint8_t *in = vm.mem + G_YMM_IN, *out = vm.mem + G_YMM_OUT;
	uint32_t *seen = (uint32_t *)(vm.mem + G_SEEN);
	uint8_t host_in[8][32], host_out[8][32];
	struct hv_vcpu v;
	bool ok;
	long ret;
	int i;

	if (!(sup_xcr0 & XFEAT_YMM)) {
		for (i = 0; i < NR_AVX_TESTS; i++)
			tap_skip("no YMM state in the supported XCR0", "AVX test %d", i + 1);
		return;
	}
	for (i = 0; i < 512; i++)
		in[i] = i * 13 + 5;
	hv_vcpu_new(&vm, &v, next_id++);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_avx_entry);
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x10, NULL) &&
	     (seen[0] & ECX_OSXSAVE) && seen[1] == 1 && seen[2] == 7 &&
	     seen[3] == ymm_off + ymm_size;
	if (!tap_result(ok, "guest: CPUID.1 OSXSAVE after setting CR4.OSXSAVE, XCR0 1 at reset, 7 after XSETBV, CPUID.0xD.0:EBX %u for it",
			ymm_off + ymm_size))
		tap_diag("CPUID.1:ECX 0x%x, XCR0 0x%x then 0x%x, 0xD.0:EBX %u",
			 seen[0], seen[1], seen[2], seen[3]);

	if (ioctl(v.fd, KVM_GET_XSAVE, &xs))
		tap_bail("KVM_GET_XSAVE: %s", hv_errname(errno));
	ok = (*(uint64_t *)((uint8_t *)xs.region + XS_XSTATE_BV) & XFEAT_YMM) &&
	     get_xcr0(&v) == 7;
	ok = ok && image_ymm_eq(&xs, in, "the image differs from what the guest loaded");
	tap_result(ok, "KVM_GET_XSAVE: the guest's YMM0-15 (XSTATE_BV has YMM), KVM_GET_XCRS 7");

	/* new contents for all 16 registers, both halves */
	for (i = 0; i < 16; i++) {
		memset((uint8_t *)xs.region + XS_XMM0 + 16 * i, 0xa0 + i, 16);
		memset((uint8_t *)xs.region + ymm_off + 16 * i, 0x50 + i, 16);
	}
	*(uint64_t *)((uint8_t *)xs.region + XS_XSTATE_BV) |= XFEAT_PKRU;
	ok = ioctl(v.fd, KVM_SET_XSAVE, &xs) == -1 && errno == EINVAL;
	*(uint64_t *)((uint8_t *)xs.region + XS_XSTATE_BV) &= ~XFEAT_PKRU;
	*(uint32_t *)((uint8_t *)xs.region + XS_MXCSR) |= 1U << 20;
	ok = ok && ioctl(v.fd, KVM_SET_XSAVE, &xs) == -1 && errno == EINVAL;
	*(uint32_t *)((uint8_t *)xs.region + XS_MXCSR) &= ~(1U << 20);
	tap_result(ok, "KVM_SET_XSAVE: XSTATE_BV with PKRU, MXCSR reserved bit -> EINVAL");
	hv_check(ioctl(v.fd, KVM_SET_XSAVE, &xs), 0, "KVM_SET_XSAVE with new YMM0-15");
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x11, NULL) &&
	     image_ymm_eq(&xs, out, "the guest's is not what KVM_SET_XSAVE put there");
	tap_result(ok, "guest stores the YMM0-15 of KVM_SET_XSAVE");

	for (i = 0; i < 256; i++)
		host_in[i / 32][i % 32] = 0x80 | i;
	memset(host_out, 0, sizeof(host_out));
	memset(out, 0, 512);
	ret = run_keep_ymm(v.fd, host_in, host_out);
	ok = ret == 0 && hv_is_io(&v, KVM_EXIT_IO_OUT, 1, 0x10, NULL) &&
	     !memcmp(host_in, host_out, sizeof(host_in)) &&
	     hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x11, NULL) &&
	     image_ymm_eq(&xs, out, "the guest's changed by this process's YMM work");
	if (!tap_result(ok, "this process's YMM8-15 unchanged by KVM_RUN, the guest's YMM0-15 unchanged by them"))
		tap_diag("KVM_RUN returned %ld", ret);
	hv_vcpu_free(&v);
}

static bool debugregs_eq(const struct kvm_debugregs *a, const struct kvm_debugregs *b)
{
	return !memcmp(a->db, b->db, sizeof(a->db)) && a->dr6 == b->dr6 &&
	       a->dr7 == b->dr7 && !b->flags;
}

static void test_debugregs(void)
{
	struct kvm_debugregs d, g, bad;
	struct hv_vcpu v;
	uint32_t lo = 0;
	bool ok;

	hv_vcpu_new(&vm, &v, next_id++);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_dr_entry);
	memset(&d, 0, sizeof(d));
	d.dr6 = 0xffff0ff0;
	d.dr7 = 0x400;
	ok = !ioctl(v.fd, KVM_GET_DEBUGREGS, &g);
	tap_result(ok && debugregs_eq(&d, &g),
		   "KVM_GET_DEBUGREGS at reset: DR0-3 0, DR6 0xffff0ff0, DR7 0x400");
	d.db[0] = 0x1000;
	d.db[1] = 0xffffffff81000000ULL;
	d.db[2] = 0x7ffff000;
	d.db[3] = 0x12345678;
	d.dr6 = 0xffff4ff1;
	d.dr7 = 0x0d0d0602;	/* L0, G3; R/W and LEN fields */
	ok = !ioctl(v.fd, KVM_SET_DEBUGREGS, &d) && !ioctl(v.fd, KVM_GET_DEBUGREGS, &g);
	tap_result(ok && debugregs_eq(&d, &g), "KVM_SET_DEBUGREGS/KVM_GET_DEBUGREGS round trip");
	bad = d;
	bad.dr6 |= 1ULL << 32;
	ok = ioctl(v.fd, KVM_SET_DEBUGREGS, &bad) == -1 && errno == EINVAL;
	bad = d;
	bad.dr7 |= 1ULL << 40;
	ok = ok && ioctl(v.fd, KVM_SET_DEBUGREGS, &bad) == -1 && errno == EINVAL;
	bad = d;
	bad.flags = 1;
	ok = ok && ioctl(v.fd, KVM_SET_DEBUGREGS, &bad) == -1 && errno == EINVAL;
	ok = ok && !ioctl(v.fd, KVM_GET_DEBUGREGS, &g) && debugregs_eq(&d, &g);
	tap_result(ok, "KVM_SET_DEBUGREGS: DR6/DR7 bits 63:32, flags -> EINVAL, registers unchanged");
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x40, &lo) && lo == (uint32_t)d.db[1] &&
	     hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x41, &lo) && lo == (uint32_t)d.dr7;
	if (!tap_result(ok, "guest MOV from DR1 and DR7 reads the KVM_SET_DEBUGREGS values"))
		tap_diag("last read 0x%x", lo);
	hv_vcpu_free(&v);
}

int main(void)
{
	int sys = hv_x86_open();

	if (!get_supported_cpuid(sys))
		tap_skip_all("KVM_GET_SUPPORTED_CPUID has no XSAVE (host without XSAVE)");
	tap_plan(NR_TESTS);
	test_supported_cpuid();
	tap_result(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) == 1 &&
		   ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) == 1 &&
		   ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_DEBUGREGS) == 1,
		   "KVM_CHECK_EXTENSION: KVM_CAP_XSAVE, KVM_CAP_XCRS, KVM_CAP_DEBUGREGS = 1");
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_xsave_bin, x86_xsave_bin_end);
	hv_vm_set_gate(&vm, HV_LONG64, 13, GUEST_gp_handler);
	hv_vm_set_gate(&vm, HV_LONG64, 6, GUEST_ud_handler);
	test_xcrs();
	test_sregs_osxsave();
	test_guest_xsetbv();
	test_avx();
	test_debugregs();
	hv_vm_free(&vm);
	return tap_finish();
}

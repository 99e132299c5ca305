// SPDX-License-Identifier: GPL-2.0
/*
 * x86 MSRs: KVM_GET_MSR_INDEX_LIST, KVM_GET/SET_MSRS (count processed,
 * stop at the first unknown MSR, invalid values rejected), and the same
 * MSRs from the guest: RDMSR sees what KVM_SET_MSRS wrote, KVM_GET_MSRS
 * sees what WRMSR wrote, FS/GS bases are live in both directions, and an
 * unknown MSR raises #GP through the guest's own IDT.  TSC and TSC_ADJUST
 * as KVM keeps them.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest.h"
#include "x86_msr.sym.h"

HV_GUEST_BLOB(x86_msr);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define ROW(x, v, v2)	{ MSR_##x, #x, v, v2 }
#define BAD(x, v)	{ MSR_##x, #x, v }
#define NONCANON	0x0000800000000000ULL
#define UNKNOWN_MSR	0x12345678	/* outside every MSR permission range */
#define UNKNOWN_MSR2	0xc0001fff	/* inside one */

static const struct msr_val {
	uint32_t index;
	const char *name;
	uint64_t val, val2;		/* for KVM_SET_MSRS, for the guest's WRMSR */
} msrs[] = {
	ROW(STAR, 0x0023001000000000ULL, 0x001b000800000000ULL),
	ROW(LSTAR, 0xffffffff81000000ULL, 0xffffffff82000000ULL),
	ROW(CSTAR, 0xffffffff81000100ULL, 0x00007fffffff0000ULL),
	ROW(SFMASK, 0x47700, 0x700),
	ROW(KERNEL_GS_BASE, 0xffff888012345000ULL, 0x00007f0000001000ULL),
	ROW(FS_BASE, 0x00007f0012345000ULL, 0xffff800000002000ULL),
	ROW(GS_BASE, 0xffff888000001000ULL, 0x0000000000003000ULL),
	ROW(SYSENTER_CS, 0x10, 0x23),
	ROW(SYSENTER_ESP, 0xffffc90000004000ULL, 0x12345000),
	ROW(SYSENTER_EIP, 0xffffffff81000200ULL, 0x23456000),
	ROW(PAT, 0x0007040601050006ULL, 0x0406050700010604ULL),
	ROW(APIC_BASE, 0xfed00900, 0xfee00900),
	ROW(MISC_ENABLE, 0x1801, 0x1800),
	ROW(MCG_STATUS, 0x5, 0x4),
	ROW(MCG_CTL, 0, ~0ULL),		/* all or nothing */
	ROW(EFER, EFER_SCE | EFER_NX, 0),	/* ioctl only */
};
#define NR_MSRS		((int)ARRAY_SIZE(msrs))
#define NR_GUEST_MSRS	(NR_MSRS - 1)

static const struct {
	uint32_t index;
	const char *name;
	uint64_t val;
} bad[] = {
	BAD(FS_BASE, NONCANON), BAD(GS_BASE, NONCANON),
	BAD(KERNEL_GS_BASE, NONCANON), BAD(LSTAR, NONCANON),
	BAD(CSTAR, NONCANON), BAD(SYSENTER_ESP, NONCANON),
	BAD(SYSENTER_EIP, NONCANON),
	BAD(PAT, 0x0007040600070402ULL),	/* type 2 is reserved */
	BAD(PAT, 0x0007040600070408ULL),	/* type 8 does not exist */
	BAD(EFER, 1ULL << 12),		/* SVME */
	BAD(EFER, 1ULL << 63),
	BAD(MCG_CTL, 0xff),
	BAD(APIC_BASE, 0xfee00d00),	/* x2APIC enable: no x2APIC offered */
};
#define NR_BAD		((int)ARRAY_SIZE(bad))

#define NR_MTRR_MCE	16
#define NR_TSC		6
#define NR_SREGS	2
#define NR_TESTS	(6 + NR_BAD + 2 + 2 * NR_GUEST_MSRS + 9 + 4 + NR_MTRR_MCE + NR_TSC + NR_SREGS)

static struct hv_vm vm;

struct msr_buf {
	struct kvm_msrs m;
	struct kvm_msr_entry e[NR_MSRS];
};

static void test_ioctls(void)
{
	struct { struct kvm_msr_list l; uint32_t idx[64]; } list = { .l.nmsrs = 0 };
	struct msr_buf b = { .m.nmsrs = NR_MSRS };
	struct hv_vcpu v, v1;
	struct kvm_sregs s;
	uint64_t val, before;
	uint32_t missing = 0;
	int i, j, ret;

	hv_check(ioctl(vm.sys, KVM_GET_MSR_INDEX_LIST, &list), E2BIG,
		 "KVM_GET_MSR_INDEX_LIST with nmsrs 0 -> E2BIG");
	if (!tap_result(list.l.nmsrs >= (uint32_t)NR_MSRS + 1 && list.l.nmsrs <= 64,
			"KVM_GET_MSR_INDEX_LIST -> E2BIG sets nmsrs to the list size"))
		tap_diag("nmsrs %u", list.l.nmsrs);
	list.l.nmsrs = 64;
	if (ioctl(vm.sys, KVM_GET_MSR_INDEX_LIST, &list))
		tap_bail("KVM_GET_MSR_INDEX_LIST: %s", hv_errname(errno));
	for (i = 0; i <= NR_MSRS && !missing; i++) {
		uint32_t want = i < NR_MSRS ? msrs[i].index : MSR_TSC;

		for (j = 0; j < (int)list.l.nmsrs && list.idx[j] != want; j++)
			;
		if (j == (int)list.l.nmsrs)
			missing = want;
	}
	if (!tap_result(!missing,
			"KVM_GET_MSR_INDEX_LIST lists every MSR tested here and TSC"))
		tap_diag("MSR 0x%x missing", missing);

	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_new(&vm, &v1, 1);
	hv_get_msr(&v, MSR_APIC_BASE, &val);
	hv_get_msr(&v1, MSR_APIC_BASE, &before);
	if (!tap_result(val == 0xfee00900 && before == 0xfee00800,
			"fresh vCPUs: APIC_BASE 0xfee00900 on vCPU 0 (BSP), 0xfee00800 on vCPU 1"))
		tap_diag("got 0x%llx, 0x%llx", (unsigned long long)val,
			 (unsigned long long)before);

	for (i = 0; i < NR_MSRS; i++) {
		b.e[i].index = msrs[i].index;
		b.e[i].data = msrs[i].val;
	}
	hv_check_ret(ioctl(v.fd, KVM_SET_MSRS, &b), NR_MSRS,
		     "KVM_SET_MSRS of %d MSRs returns %d", NR_MSRS, NR_MSRS);
	memset(b.e, 0, sizeof(b.e));
	for (i = 0; i < NR_MSRS; i++)
		b.e[i].index = msrs[i].index;
	ret = ioctl(v.fd, KVM_GET_MSRS, &b);
	for (i = 0, j = 0; i < NR_MSRS; i++) {
		if (b.e[i].data == msrs[i].val)
			continue;
		tap_diag("%s: set 0x%llx, got 0x%llx", msrs[i].name,
			 (unsigned long long)msrs[i].val,
			 (unsigned long long)b.e[i].data);
		j++;
	}
	if (!tap_result(ret == NR_MSRS && !j,
			"KVM_GET_MSRS of %d MSRs returns %d, with the values set", NR_MSRS, NR_MSRS))
		tap_diag("returned %d", ret);

	/* [STAR, unknown, LSTAR]: processing stops at the unknown MSR */
	b.m.nmsrs = 3;
	b.e[0] = (struct kvm_msr_entry){ .index = MSR_STAR, .data = 0x1111 };
	b.e[1] = (struct kvm_msr_entry){ .index = UNKNOWN_MSR, .data = 1 };
	b.e[2] = (struct kvm_msr_entry){ .index = MSR_LSTAR, .data = 0x2222 };
	hv_check_ret(ioctl(v.fd, KVM_SET_MSRS, &b), 1,
		     "KVM_SET_MSRS [STAR, 0x%x, LSTAR] returns 1 (stops at the unknown MSR)",
		     UNKNOWN_MSR);
	hv_get_msr(&v, MSR_LSTAR, &val);
	hv_expect_hex(true, val, msrs[1].val, "KVM_SET_MSRS stopped: LSTAR after the unknown MSR unchanged");

	for (i = 0; i < NR_BAD; i++) {
		hv_get_msr(&v, bad[i].index, &before);
		ret = hv_set_msr(&v, bad[i].index, bad[i].val);
		hv_get_msr(&v, bad[i].index, &val);
		if (!tap_result(ret == 0 && val == before,
				"KVM_SET_MSRS %s = 0x%llx rejected (returns 0, value unchanged)",
				bad[i].name, (unsigned long long)bad[i].val))
			tap_diag("returned %d; value 0x%llx before, 0x%llx after", ret,
				 (unsigned long long)before, (unsigned long long)val);
	}
	/* KVM_SET_SREGS checks its apic_base as KVM_SET_MSRS does (as KVM) */
	hv_get_sregs(&v, &s);
	s.apic_base = 1 << 10;		/* x2APIC without xAPIC: invalid */
	hv_check(ioctl(v.fd, KVM_SET_SREGS, &s), EINVAL,
		 "KVM_SET_SREGS with APIC base 0x400 (x2APIC enable) -> EINVAL");
	s.apic_base = 1 << 11;
	hv_check(ioctl(v.fd, KVM_SET_SREGS, &s), 0,
		 "KVM_SET_SREGS with APIC base 0x800 (enabled at 0)");
	hv_vcpu_free(&v);
	hv_vcpu_free(&v1);
}

/* Runs entry with RCX/RAX/RDX/RBX set; the vCPU's sregs stay as they are. */
static void start(struct hv_vcpu *v, uint64_t rip, uint64_t rcx, uint64_t rax,
		  uint64_t rdx, uint64_t rbx)
{
	struct kvm_regs r = { .rip = rip, .rcx = rcx, .rax = rax, .rdx = rdx,
			      .rbx = rbx, .rsp = G_STACK_TOP,
			      .rflags = RFLAGS_FIXED };

	hv_set_regs(v, &r);
}

/* Two 4-byte OUTs on port: low then high half of a 64-bit value. */
static bool out64(struct hv_vcpu *v, uint16_t port, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	bool ok = hv_run_io(v, KVM_EXIT_IO_OUT, 4, port, &lo) &&
		  hv_run_io(v, KVM_EXIT_IO_OUT, 4, port == 0x10 ? 0x11 : port, &hi);

	*val = (uint64_t)hi << 32 | lo;
	return ok;
}

/* The guest's #GP: its IDT stub reports vector 13, error code 0, RIP. */
static void expect_gp(struct hv_vcpu *v, uint64_t rip, const char *what)
{
	uint32_t vec = 0, err = ~0U, at = 0;
	bool ok = hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x20, &vec) &&
		  hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x21, &err) &&
		  hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x22, &at) &&
		  hv_run_exit(v, KVM_EXIT_HLT);

	if (!tap_result(ok && vec == 13 && err == 0 && at == rip,
			"%s -> #GP(0) delivered through the guest IDT, RIP of the faulting instruction", what))
		tap_diag("vector %u error code 0x%x RIP 0x%x (want 13, 0, 0x%llx)",
			 vec, err, at, (unsigned long long)rip);
}

/* This CPU's TSC_AUX as RDTSCP reads it, if the task stayed on one CPU. */
static bool host_tsc_aux(uint32_t *aux, int *cpu)
{
	uint32_t lo, hi;
	int i;

	for (i = 0; i < 100; i++) {
		*cpu = sched_getcpu();
		__asm__ volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (*aux));
		if (sched_getcpu() == *cpu)
			return true;
	}
	return false;
}

/*
 * TSC_AUX (RDTSCP's ECX): the guest's own, from KVM_SET_MSRS or its
 * WRMSR, and the host's (Linux keeps the CPU number there for getcpu())
 * intact after the guest ran.
 */
static void test_tsc_aux(struct hv_vcpu *v)
{
	static const char *const what[] = {
		"guest RDTSCP reads the TSC_AUX set by KVM_SET_MSRS",
		"guest WRMSR TSC_AUX: KVM_GET_MSRS and the guest's RDTSCP read it",
		"KVM_SET_MSRS TSC_AUX with bit 32 (reserved) -> 0 MSRs set",
		"this process's RDTSCP still reads the host's TSC_AUX (its CPU number)",
	};
	unsigned int a, b, c, d, i;
	uint32_t got = 0, aux;
	uint64_t val = 0;
	int cpu;
	bool ok;

	if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(d & (1u << 27))) {
		for (i = 0; i < 4; i++)
			tap_skip("the host has no RDTSCP", "%s", what[i]);
		return;
	}
	hv_set_msr(v, MSR_TSC_AUX, 0x2a5);
	start(v, GUEST_rdtscp_entry, 0, 0, 0, 0);
	ok = hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x15, &got) && hv_run_exit(v, KVM_EXIT_HLT);
	hv_expect_hex(ok, got, 0x2a5, "%s", what[0]);

	start(v, GUEST_wrmsr_entry, MSR_TSC_AUX, 0x1234, 0, 0);
	ok = hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x12, NULL) && hv_run_exit(v, KVM_EXIT_HLT);
	hv_get_msr(v, MSR_TSC_AUX, &val);
	start(v, GUEST_rdtscp_entry, 0, 0, 0, 0);
	got = 0;
	ok = ok && val == 0x1234 && hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x15, &got) &&
	     hv_run_exit(v, KVM_EXIT_HLT);
	hv_expect_hex(ok, got, 0x1234, "%s", what[1]);

	hv_check_ret(hv_set_msr(v, MSR_TSC_AUX, 1ULL << 32), 0, "%s", what[2]);

	ok = host_tsc_aux(&aux, &cpu);
	if (!tap_result(ok && (int)(aux & 0xfff) == cpu, "%s", what[3]))
		tap_diag("RDTSCP ECX 0x%x on CPU %d", aux, cpu);
}

/* set INDEX to VAL: true if KVM_SET_MSRS took it and it reads back */
static bool msr_roundtrip(struct hv_vcpu *v, uint32_t index, uint64_t val)
{
	uint64_t got = ~val;

	return hv_set_msr(v, index, val) == 1 && hv_get_msr(v, index, &got) == 1 &&
	       got == val;
}

/*
 * The MTRRs and machine-check banks (unlisted, as in KVM) that QEMU
 * writes at reset because it sets CPUID MTRR and MCA for every guest, and
 * the kvmclock MSRs QEMU 7.2 writes (0) at reset.
 */
static void test_mtrr_mce(void)
{
	struct hv_vcpu v;
	uint64_t val = 0;

	hv_vcpu_new(&vm, &v, 5);
	tap_result(hv_get_msr(&v, MSR_MTRR_CAP, &val) == 1 && val == 0x508,
		   "MTRRcap: 8 variable ranges, fixed ranges, WC (0x%llx)",
		   (unsigned long long)val);
	tap_result(hv_set_msr(&v, MSR_MTRR_CAP, 0x508) == 0, "MTRRcap is read-only");
	tap_result(msr_roundtrip(&v, MSR_MTRR_DEF_TYPE, 0xc06),
		   "MTRRdefType E|FE|WB reads back");
	tap_result(hv_set_msr(&v, MSR_MTRR_DEF_TYPE, 0x2) == 0,
		   "MTRRdefType type 2 (reserved) -> 0 MSRs set");
	tap_result(msr_roundtrip(&v, MSR_MTRR_FIX64K, 0x0606050504040100ULL),
		   "MTRRfix64K_00000 reads back");
	tap_result(hv_set_msr(&v, MSR_MTRR_FIX64K, 0x0606060606060607ULL) == 0,
		   "MTRRfix64K_00000 with type 7 -> 0 MSRs set");
	tap_result(msr_roundtrip(&v, MSR_MTRR_BASE0, 0x80000006) &&
		   msr_roundtrip(&v, MSR_MTRR_MASK0, 0xf80000800ULL),
		   "MTRRphysBase0/PhysMask0 read back");
	tap_result(hv_set_msr(&v, MSR_MTRR_MASK0, 0xf80000801ULL) == 0,
		   "MTRRphysMask0 with reserved bit 0 -> 0 MSRs set");
	val = 0;
	tap_result(hv_get_msr(&v, MSR_MCG_CAP, &val) == 1 && val == 0x120,
		   "MCG_CAP: MCG_CTL_P and 32 banks (0x%llx)", (unsigned long long)val);
	val = 0;
	tap_result(hv_get_msr(&v, MSR_MC0_CTL, &val) == 1 && val == ~0ULL,
		   "MC0_CTL all ones after vCPU creation");
	tap_result(hv_set_msr(&v, MSR_MC0_CTL, 5) == 0,
		   "MC0_CTL neither 0 nor all ones -> 0 MSRs set");
	tap_result(msr_roundtrip(&v, MSR_MC0_STATUS + 4 * 31, 0xb200000000000001ULL),
		   "MC31_STATUS set by userspace reads back");
	/* kvmclock is not offered: its MSRs only for userspace, disabled */
	tap_result(msr_roundtrip(&v, MSR_KVM_SYSTEM_TIME, 0x5000),
		   "MSR_KVM_SYSTEM_TIME with bit 0 (enable) clear reads back");
	tap_result(hv_set_msr(&v, MSR_KVM_SYSTEM_TIME, 0x5001) == 0,
		   "MSR_KVM_SYSTEM_TIME with bit 0 set (no kvmclock) -> 0 MSRs set");
	tap_result(msr_roundtrip(&v, MSR_KVM_WALL_CLOCK, 0), "MSR_KVM_WALL_CLOCK 0 reads back");
	tap_result(hv_set_msr(&v, MSR_KVM_WALL_CLOCK, 0x6000) == 0,
		   "MSR_KVM_WALL_CLOCK at an address (no kvmclock) -> 0 MSRs set");
	hv_vcpu_free(&v);
}

#define T40	(1ULL << 40)

static uint64_t get_msr(struct hv_vcpu *v, uint32_t index)
{
	uint64_t val = ~0ULL;

	if (hv_get_msr(v, index, &val) != 1)
		tap_bail("KVM_GET_MSRS 0x%x: %s", index, hv_errname(errno));
	return val;
}

/*
 * TSC and TSC_ADJUST as KVM keeps them (the upstream tsc_msrs_test): a
 * new vCPU's TSC counts from the VM's creation; the guest's WRMSR to
 * either moves both by the same amount; KVM_SET_MSRS of either leaves
 * the other alone.  Values are 2^40 apart, far more than the run takes
 * (`slack`, 2 minutes of TSC).
 */
static void test_tsc(void)
{
	uint64_t tsc, adj, val = 0, slack;
	struct hv_vcpu v;
	bool ok;

	hv_vcpu_new(&vm, &v, 6);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_rdmsr_entry);
	slack = (uint64_t)ioctl(v.fd, KVM_GET_TSC_KHZ, 0) * 1000 * 120;
	tsc = get_msr(&v, MSR_TSC);
	adj = get_msr(&v, MSR_TSC_ADJUST);
	if (!tap_result(tsc < slack && adj == 0,
			"new vCPU: TSC counts from the VM's creation (< 2 minutes), TSC_ADJUST 0"))
		tap_diag("TSC 0x%llx TSC_ADJUST 0x%llx", (unsigned long long)tsc,
			 (unsigned long long)adj);

	ok = hv_set_msr(&v, MSR_TSC_ADJUST, T40) == 1;
	tsc = get_msr(&v, MSR_TSC);
	adj = get_msr(&v, MSR_TSC_ADJUST);
	if (!tap_result(ok && tsc < slack && adj == T40,
			"KVM_SET_MSRS TSC_ADJUST = 2^40: read back, the TSC stays"))
		tap_diag("TSC 0x%llx TSC_ADJUST 0x%llx", (unsigned long long)tsc,
			 (unsigned long long)adj);

	start(&v, GUEST_wrmsr_entry, MSR_TSC_ADJUST, 0, (3 * T40) >> 32, 0);
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x12, NULL) && hv_run_exit(&v, KVM_EXIT_HLT);
	tsc = get_msr(&v, MSR_TSC);
	adj = get_msr(&v, MSR_TSC_ADJUST);
	if (!tap_result(ok && tsc >= 2 * T40 && tsc < 2 * T40 + slack && adj == 3 * T40,
			"guest WRMSR TSC_ADJUST = 3 * 2^40: the TSC moves by 2 * 2^40 with it"))
		tap_diag("TSC 0x%llx TSC_ADJUST 0x%llx", (unsigned long long)tsc,
			 (unsigned long long)adj);

	start(&v, GUEST_wrmsr_entry, MSR_TSC, 0, T40 >> 32, 0);
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x12, NULL) && hv_run_exit(&v, KVM_EXIT_HLT);
	tsc = get_msr(&v, MSR_TSC);
	adj = get_msr(&v, MSR_TSC_ADJUST);
	if (!tap_result(ok && tsc >= T40 && tsc < T40 + slack &&
			adj <= 2 * T40 && adj > 2 * T40 - slack,
			"guest WRMSR TSC = 2^40 (about -2^40): TSC_ADJUST moves with it"))
		tap_diag("TSC 0x%llx TSC_ADJUST 0x%llx", (unsigned long long)tsc,
			 (unsigned long long)adj);

	val = adj;
	ok = hv_set_msr(&v, MSR_TSC, 5 * T40) == 1;
	tsc = get_msr(&v, MSR_TSC);
	adj = get_msr(&v, MSR_TSC_ADJUST);
	if (!tap_result(ok && tsc >= 5 * T40 && tsc < 5 * T40 + slack && adj == val,
			"KVM_SET_MSRS TSC = 5 * 2^40: TSC_ADJUST stays"))
		tap_diag("TSC 0x%llx TSC_ADJUST 0x%llx (was 0x%llx)", (unsigned long long)tsc,
			 (unsigned long long)adj, (unsigned long long)val);

	start(&v, GUEST_rdmsr_entry, MSR_TSC_ADJUST, 0, 0, 0);
	ok = out64(&v, 0x10, &val) && hv_run_exit(&v, KVM_EXIT_HLT);
	hv_expect_hex(ok, val, adj, "guest RDMSR TSC_ADJUST reads it");
	hv_vcpu_free(&v);
}

static void test_guest(void)
{
	struct kvm_sregs s;
	struct hv_vcpu v;
	uint64_t val, tsc;
	uint32_t a;
	int i;
	bool ok;

	hv_vcpu_new(&vm, &v, 2);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_rdmsr_entry);
	for (i = 0; i < 32; i++)
		hv_vm_set_gate(&vm, HV_LONG64, i, GUEST_exc_stubs + 16 * i);

	for (i = 0; i < NR_GUEST_MSRS; i++) {
		if (hv_set_msr(&v, msrs[i].index, msrs[i].val) != 1)
			tap_bail("KVM_SET_MSRS %s: %s", msrs[i].name, hv_errname(errno));
		start(&v, GUEST_rdmsr_entry, msrs[i].index, 0, 0, 0);
		ok = out64(&v, 0x10, &val) && hv_run_exit(&v, KVM_EXIT_HLT);
		hv_expect_hex(ok, val, msrs[i].val, "guest RDMSR %s reads the KVM_SET_MSRS value",
			      msrs[i].name);
	}
	for (i = 0; i < NR_GUEST_MSRS; i++) {
		start(&v, GUEST_wrmsr_entry, msrs[i].index, (uint32_t)msrs[i].val2,
		      msrs[i].val2 >> 32, 0);
		ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x12, NULL) &&
		     hv_run_exit(&v, KVM_EXIT_HLT);
		hv_get_msr(&v, msrs[i].index, &val);
		hv_expect_hex(ok, val, msrs[i].val2, "guest WRMSR %s: KVM_GET_MSRS reads the value",
			      msrs[i].name);
	}

	/* FS_BASE/GS_BASE from KVM_SET_MSRS are the guest's segment bases */
	*(uint64_t *)(vm.mem + G_DATA + 0x200) = 0x1122334455667788ULL;
	*(uint64_t *)(vm.mem + G_DATA + 0x300) = 0x99aabbccddeeff00ULL;
	hv_set_msr(&v, MSR_FS_BASE, G_DATA + 0x200);
	hv_set_msr(&v, MSR_GS_BASE, G_DATA + 0x300);
	start(&v, GUEST_fsgs_entry, 0, 0, 0, 0);
	ok = out64(&v, 0x13, &val);
	ok = ok && val == 0x1122334455667788ULL && out64(&v, 0x13, &val) &&
	     val == 0x99aabbccddeeff00ULL && hv_run_exit(&v, KVM_EXIT_HLT);
	if (!tap_result(ok, "guest reads FS:0 and GS:0 at the bases set by KVM_SET_MSRS"))
		tap_diag("last value read 0x%llx", (unsigned long long)val);

	/* ... and a guest WRMSR FS_BASE is what KVM_GET_SREGS/GET_MSRS see */
	*(uint32_t *)(vm.mem + G_DATA + 0x400) = 0x600dcafe;
	start(&v, GUEST_wrfs_entry, 0, 0, 0, G_DATA + 0x400);
	a = 0;
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x13, &a) && hv_run_exit(&v, KVM_EXIT_HLT);
	hv_expect_hex(ok, a, 0x600dcafe, "guest WRMSR FS_BASE, then reads FS:0 at the new base");
	hv_get_sregs(&v, &s);
	hv_get_msr(&v, MSR_FS_BASE, &val);
	if (!tap_result(s.fs.base == G_DATA + 0x400 && val == G_DATA + 0x400,
			"after guest WRMSR FS_BASE: KVM_GET_SREGS fs.base and KVM_GET_MSRS FS_BASE agree"))
		tap_diag("fs.base 0x%llx, FS_BASE 0x%llx, want 0x%x", s.fs.base,
			 (unsigned long long)val, G_DATA + 0x400);

	/* TSC written with KVM_SET_MSRS is what the guest's RDTSC counts from */
	hv_set_msr(&v, MSR_TSC, 1ULL << 40);
	start(&v, GUEST_rdtsc_entry, 0, 0, 0, 0);
	ok = out64(&v, 0x14, &tsc) && hv_run_exit(&v, KVM_EXIT_HLT);
	val = (uint64_t)ioctl(v.fd, KVM_GET_TSC_KHZ, 0) * 1000 * 120;	/* 2 minutes */
	if (!tap_result(ok && tsc >= (1ULL << 40) && tsc - (1ULL << 40) < val,
			"guest RDTSC after KVM_SET_MSRS TSC = 2^40: 2^40 <= TSC < 2^40 + 2 minutes"))
		tap_diag("TSC 0x%llx", (unsigned long long)tsc);

	test_tsc_aux(&v);

	start(&v, GUEST_rdmsr_entry, UNKNOWN_MSR, 0, 0, 0);
	expect_gp(&v, GUEST_rdmsr_insn, "guest RDMSR 0x12345678 (unknown)");
	start(&v, GUEST_rdmsr_entry, UNKNOWN_MSR2, 0, 0, 0);
	expect_gp(&v, GUEST_rdmsr_insn, "guest RDMSR 0xc0001fff (unknown)");
	start(&v, GUEST_wrmsr_entry, UNKNOWN_MSR, 1, 0, 0);
	expect_gp(&v, GUEST_wrmsr_insn, "guest WRMSR 0x12345678 (unknown)");
	/*
	 * Values hvmod itself refuses.  (FS_BASE & co. are not intercepted:
	 * the CPU checks their canonicality, which QEMU TCG does not.)
	 */
	start(&v, GUEST_wrmsr_entry, MSR_PAT, 0x00070402, 0x00070406, 0);
	expect_gp(&v, GUEST_wrmsr_insn, "guest WRMSR PAT with memory type 2");
	start(&v, GUEST_wrmsr_entry, MSR_EFER, EFER_LME | EFER_LMA, 0x80000000, 0);
	expect_gp(&v, GUEST_wrmsr_insn, "guest WRMSR EFER with reserved bit 63");
	hv_vcpu_free(&v);
}

int main(void)
{
	int sys = hv_x86_open();

	tap_plan(NR_TESTS);
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_msr_bin, x86_msr_bin_end);
	test_ioctls();
	test_guest();
	test_mtrr_mce();
	test_tsc();
	hv_vm_free(&vm);
	return tap_finish();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM arm64 register ABI of /dev/hvmod, without running a guest:
 * capabilities, KVM_ARM_PREFERRED_TARGET, the KVM_ARM_VCPU_INIT rules
 * (target, unknown and unsupported features, re-init, ENOEXEC before
 * init), the reset state, KVM_GET/SET_ONE_REG round trips of every core
 * and system register, bad ids and sizes, KVM_GET_REG_LIST.
 *
 * Error numbers follow KVM: an unknown register is ENOENT; a core
 * register id of the wrong size or pointing inside a register is EINVAL;
 * a system register id of a size other than 64 bits names no register
 * (ENOENT); an id of another architecture is EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "a64_lib.h"

#define NR_TESTS	56

static const struct {
	const char *name;
	uint64_t id;
	uint64_t val;
} sysregs[] = {
	{ "SCTLR_EL1", A64_SCTLR, 0x30d00801 },
	{ "CPACR_EL1", A64_CPACR, 3 << 20 },
	{ "TTBR0_EL1", A64_TTBR0, 0x1000 },
	{ "TTBR1_EL1", A64_TTBR1, 0x0001000000002000ULL },
	{ "TCR_EL1", A64_TCR, 0x32b5183518ULL },
	{ "ESR_EL1", A64_ESR, 0x96000045 },
	{ "FAR_EL1", A64_FAR, 0xffff000012345678ULL },
	{ "MAIR_EL1", A64_MAIR, 0x0000bbff440c0400ULL },
	{ "VBAR_EL1", A64_VBAR, 0x40000800 },
	{ "TPIDR_EL1", A64_TPIDR_EL1, 0x1111222233334444ULL },
	{ "TPIDR_EL0", A64_TPIDR_EL0, 0x5555666677778888ULL },
	{ "TPIDRRO_EL0", A64_TPIDRRO_EL0, 0x9999aaaabbbbccccULL },
	{ "MDSCR_EL1", A64_MDSCR, 0x8000 },
	{ "MPIDR_EL1", A64_MPIDR, 0x80000102 },
	{ "AFSR0_EL1", ARM64_SYS_REG(3, 0, 5, 1, 0), 7 },
	{ "AFSR1_EL1", ARM64_SYS_REG(3, 0, 5, 1, 1), 8 },
	{ "PAR_EL1", ARM64_SYS_REG(3, 0, 7, 4, 0), 0x800 },
	{ "AMAIR_EL1", ARM64_SYS_REG(3, 0, 10, 3, 0), 0x44 },
	{ "CONTEXTIDR_EL1", ARM64_SYS_REG(3, 0, 13, 0, 1), 0x42 },
	{ "CNTKCTL_EL1", ARM64_SYS_REG(3, 0, 14, 1, 0), 0x3 },
	{ "CSSELR_EL1", ARM64_SYS_REG(3, 2, 0, 0, 0), 0x2 },
	{ "ACTLR_EL1", ARM64_SYS_REG(3, 0, 1, 0, 1), 0x0 },
	{ "TIMER_CTL", KVM_REG_ARM_TIMER_CTL, 0x1 },
	{ "TIMER_CVAL", KVM_REG_ARM_TIMER_CVAL, 0x123456789ULL },
	{ "PSCI_VERSION", KVM_REG_ARM_PSCI_VERSION, 0x2 },
};

static int init_err(int vcpu, uint32_t target, uint32_t f0, uint32_t f1)
{
	struct kvm_vcpu_init init = { .target = target };

	init.features[0] = f0;
	init.features[1] = f1;
	return ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) ? errno : 0;
}

static bool core_round_trips(int vcpu)
{
	uint64_t v, got, id;
	unsigned __int128 q, gq;
	uint32_t w, gw;
	int i, e;
	bool ok = true;

	for (i = 0; i < 31; i++) {
		v = 0x0101010101010101ULL * (i + 1) ^ 0xa5;
		a64_set(vcpu, A64_X(i), v);
	}
	for (i = 0; i < 31; i++) {
		v = 0x0101010101010101ULL * (i + 1) ^ 0xa5;
		got = a64_get(vcpu, A64_X(i));
		if (got != v) {
			tap_diag("x%d: 0x%llx, want 0x%llx", i,
				 (unsigned long long)got, (unsigned long long)v);
			ok = false;
		}
	}
	const uint64_t ids[] = { A64_SP, A64_PC, A64_SP_EL1, A64_ELR_EL1,
		A64_CORE_ID(KVM_REG_SIZE_U64, spsr[0]),
		A64_CORE_ID(KVM_REG_SIZE_U64, spsr[4]) };
	for (i = 0; i < (int)(sizeof(ids) / sizeof(ids[0])); i++) {
		v = 0xfeed000000000000ULL | (i * 0x100 + 0x40);
		a64_set(vcpu, ids[i], v);
		if ((got = a64_get(vcpu, ids[i])) != v) {
			tap_diag("core id 0x%llx: 0x%llx", (unsigned long long)ids[i],
				 (unsigned long long)got);
			ok = false;
		}
	}
	for (i = 0; i < 32; i++) {
		q = ((unsigned __int128)(0x1000 + i) << 64) | (0x2000 + i);
		if ((e = a64_set_err(vcpu, A64_V(i), &q)) ||
		    (e = a64_get_err(vcpu, A64_V(i), &gq)) || gq != q) {
			tap_diag("v%d: %s", i, e ? hv_errname(e) : "mismatch");
			ok = false;
		}
	}
	w = 0x08000000;		/* FPSR.QC */
	id = A64_FPSR;
	if (a64_set_err(vcpu, id, &w) || a64_get_err(vcpu, id, &gw) || gw != w)
		ok = false;
	w = 0x03c00000;		/* FPCR.RMode | FZ | DN */
	id = A64_FPCR;
	if (a64_set_err(vcpu, id, &w) || a64_get_err(vcpu, id, &gw) || gw != w)
		ok = false;
	return ok;
}

int main(void)
{
	struct kvm_vcpu_init init;
	struct kvm_reg_list *list;
	uint64_t v, midr, n, cnt;
	int sys, vm, vcpu, vcpu2, e, i;
	struct kvm_run *run;
	bool ok, found_pc, found_v31, found_sctlr, found_psci;

	sys = hv_open_or_skip();
	tap_plan(NR_TESTS);

	hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_ONE_REG), 1,
		     "KVM_CAP_ONE_REG is 1");
	hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PSCI_0_2), 1,
		     "KVM_CAP_ARM_PSCI_0_2 is 1");
	hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_ARM_EL1_32BIT), 0,
		     "KVM_CAP_ARM_EL1_32BIT is 0 (no AArch32 EL1)");
	hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_ARM_SVE), 0,
		     "KVM_CAP_ARM_SVE is 0");

	vm = hv_create_vm(sys);
	if (vm < 0)
		tap_bail("KVM_CREATE_VM: %s", hv_errname(errno));
	memset(&init, 0xff, sizeof(init));
	hv_check(ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init), 0,
		 "KVM_ARM_PREFERRED_TARGET on the VM fd");
	hv_expect_eq(init.target, KVM_ARM_TARGET_GENERIC_V8,
		     "preferred target is GENERIC_V8");
	hv_expect_eq(init.features[0] | init.features[6], 0,
		     "preferred target has no features set");
	hv_check(ioctl(sys, KVM_ARM_PREFERRED_TARGET, &init), ENOTTY,
		 "KVM_ARM_PREFERRED_TARGET on the system fd: ENOTTY");

	vcpu = hv_create_vcpu(vm, 0);
	if (vcpu < 0)
		tap_bail("KVM_CREATE_VCPU: %s", hv_errname(errno));
	run = hv_map_run(vcpu, HV_PAGE_SIZE, 0);
	if (run == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	hv_check(ioctl(vcpu, KVM_RUN, 0), ENOEXEC,
		 "KVM_RUN before KVM_ARM_VCPU_INIT: ENOEXEC");
	hv_expect_eq(a64_get_err(vcpu, A64_PC, &v), ENOEXEC,
		     "GET_ONE_REG before init: ENOEXEC");
	hv_expect_eq(a64_set_err(vcpu, A64_PC, &v), ENOEXEC,
		     "SET_ONE_REG before init: ENOEXEC");
	n = 0;
	hv_check(ioctl(vcpu, KVM_GET_REG_LIST, &n), ENOEXEC,
		 "GET_REG_LIST before init: ENOEXEC");

	hv_expect_eq(init_err(vcpu, 0x77, 0, 0), EINVAL,
		     "VCPU_INIT with another target: EINVAL");
	hv_expect_eq(init_err(vcpu, init.target, 1U << 7, 0), ENOENT,
		     "VCPU_INIT with unknown feature 7: ENOENT");
	hv_expect_eq(init_err(vcpu, init.target, 0, 1), ENOENT,
		     "VCPU_INIT with a feature bit in word 1: ENOENT");
	hv_expect_eq(init_err(vcpu, init.target, 1U << KVM_ARM_VCPU_EL1_32BIT, 0),
		     EINVAL, "VCPU_INIT with EL1_32BIT: EINVAL");
	hv_expect_eq(init_err(vcpu, init.target, 1U << KVM_ARM_VCPU_SVE, 0),
		     EINVAL, "VCPU_INIT with SVE: EINVAL");
	hv_expect_eq(init_err(vcpu, init.target, 1U << KVM_ARM_VCPU_PMU_V3, 0),
		     EINVAL, "VCPU_INIT with PMU_V3: EINVAL");
	hv_check(ioctl(vcpu, KVM_RUN, 0), ENOEXEC,
		 "KVM_RUN after failed inits: still ENOEXEC");
	hv_expect_eq(init_err(vcpu, init.target, 1U << KVM_ARM_VCPU_PSCI_0_2, 0),
		     0, "VCPU_INIT with PSCI_0_2 succeeds");

	/* reset state */
	hv_expect_eq(a64_get(vcpu, A64_PC), 0, "reset PC is 0");
	hv_expect_eq(a64_get(vcpu, A64_PSTATE), PSTATE_EL1H_DAIF,
		     "reset PSTATE is EL1h with D, A, I, F masked");
	hv_expect_eq(a64_get(vcpu, A64_SCTLR) & 1, 0,
		     "reset SCTLR_EL1: MMU off");
	hv_expect_eq(a64_get(vcpu, A64_MPIDR), 0x80000000,
		     "MPIDR_EL1 of vCPU 0 is 0x80000000");
	midr = a64_get(vcpu, A64_MIDR);
	tap_result(midr != 0, "MIDR_EL1 reads the host's (0x%llx)",
		   (unsigned long long)midr);

	/* round trips */
	tap_result(core_round_trips(vcpu),
		   "core registers (x0-x30, sp, pc, sp_el1, elr_el1, spsr, v0-v31, fpsr, fpcr) round trip");
	ok = true;
	for (i = 0; i < (int)(sizeof(sysregs) / sizeof(sysregs[0])); i++) {
		e = a64_set_err(vcpu, sysregs[i].id, &sysregs[i].val);
		if (!e)
			e = a64_get_err(vcpu, sysregs[i].id, &v);
		if (e || v != sysregs[i].val) {
			tap_diag("%s: %s, 0x%llx", sysregs[i].name,
				 e ? hv_errname(e) : "mismatch",
				 (unsigned long long)v);
			ok = false;
		}
	}
	tap_result(ok, "%zu system and firmware registers round trip",
		   sizeof(sysregs) / sizeof(sysregs[0]));
	for (v = 0; v <= 5; v += 4) {
		uint64_t ps = 0x3c0 | v;
		e = a64_set_err(vcpu, A64_PSTATE, &ps);
		if (e)
			break;
	}
	hv_expect_eq(e, 0, "PSTATE EL0t and EL1t accepted");
	v = 0x3c5;
	a64_set(vcpu, A64_PSTATE, v);
	v = 0x10;
	hv_expect_eq(a64_set_err(vcpu, A64_PSTATE, &v), EINVAL,
		     "PSTATE with an AArch32 mode: EINVAL");
	v = 0x9;
	hv_expect_eq(a64_set_err(vcpu, A64_PSTATE, &v), EINVAL,
		     "PSTATE EL2h: EINVAL");
	v = midr;
	hv_expect_eq(a64_set_err(vcpu, A64_MIDR, &v), 0,
		     "MIDR_EL1 set to its own value");
	v = midr ^ 1;
	hv_expect_eq(a64_set_err(vcpu, A64_MIDR, &v), EINVAL,
		     "MIDR_EL1 set to another value: EINVAL");
	v = 0x30000;
	hv_expect_eq(a64_set_err(vcpu, KVM_REG_ARM_PSCI_VERSION, &v), EINVAL,
		     "PSCI_VERSION 3.0: EINVAL");
	cnt = 1000000;
	a64_set(vcpu, KVM_REG_ARM_TIMER_CNT, cnt);
	v = a64_get(vcpu, KVM_REG_ARM_TIMER_CNT);
	tap_result(v >= cnt && v - cnt < 1000000000ULL,
		   "TIMER_CNT set to 1000000 reads %llu", (unsigned long long)v);

	/* bad ids and sizes */
	hv_expect_eq(a64_get_err(vcpu, KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
				 KVM_REG_ARM_CORE | 0x1000, &v), ENOENT,
		     "core offset beyond struct kvm_regs: ENOENT");
	hv_expect_eq(a64_get_err(vcpu, A64_X(0) + 1, &v), EINVAL,
		     "core offset inside x0: EINVAL");
	hv_expect_eq(a64_get_err(vcpu, (A64_X(3) & ~KVM_REG_SIZE_MASK) |
				 KVM_REG_SIZE_U32, &v), EINVAL,
		     "x3 as a 32-bit register: EINVAL");
	hv_expect_eq(a64_set_err(vcpu, (A64_V(0) & ~KVM_REG_SIZE_MASK) |
				 KVM_REG_SIZE_U64, &v), EINVAL,
		     "v0 as a 64-bit register: EINVAL");
	hv_expect_eq(a64_get_err(vcpu, (A64_FPSR & ~KVM_REG_SIZE_MASK) |
				 KVM_REG_SIZE_U64, &v), EINVAL,
		     "fpsr as a 64-bit register: EINVAL");
	hv_expect_eq(a64_get_err(vcpu, ARM64_SYS_REG(3, 0, 15, 0, 0), &v),
		     ENOENT, "unknown system register: ENOENT");
	hv_expect_eq(a64_get_err(vcpu, (A64_SCTLR & ~KVM_REG_SIZE_MASK) |
				 KVM_REG_SIZE_U32, &v), ENOENT,
		     "SCTLR_EL1 as a 32-bit register: ENOENT (as KVM)");
	hv_expect_eq(a64_get_err(vcpu, KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
				 (0x0099ULL << KVM_REG_ARM_COPROC_SHIFT), &v),
		     ENOENT, "unknown register group: ENOENT");
	hv_expect_eq(a64_get_err(vcpu, KVM_REG_ARM_FW_REG(0x55), &v), ENOENT,
		     "unknown firmware register: ENOENT");
	hv_expect_eq(a64_get_err(vcpu, KVM_REG_X86 | KVM_REG_SIZE_U64, &v),
		     EINVAL, "an x86 register id: EINVAL");
	hv_expect_eq(a64_set_err(vcpu, ARM64_SYS_REG(3, 0, 15, 0, 0), &v),
		     ENOENT, "SET of an unknown system register: ENOENT");

	/* KVM_GET_REG_LIST */
	n = 0;
	hv_check(ioctl(vcpu, KVM_GET_REG_LIST, &n), E2BIG,
		 "GET_REG_LIST with n = 0: E2BIG");
	tap_result(n > 100, "GET_REG_LIST reports %llu registers",
		   (unsigned long long)n);
	list = calloc(1, sizeof(*list) + n * sizeof(uint64_t));
	list->n = n;
	hv_check(ioctl(vcpu, KVM_GET_REG_LIST, list), 0, "GET_REG_LIST");
	found_pc = found_v31 = found_sctlr = found_psci = false;
	ok = true;
	for (i = 0; i < (int)list->n; i++) {
		unsigned __int128 buf;

		found_pc |= list->reg[i] == A64_PC;
		found_v31 |= list->reg[i] == A64_V(31);
		found_sctlr |= list->reg[i] == A64_SCTLR;
		found_psci |= list->reg[i] == KVM_REG_ARM_PSCI_VERSION;
		e = a64_get_err(vcpu, list->reg[i], &buf);
		if (e) {
			tap_diag("listed 0x%llx: %s",
				 (unsigned long long)list->reg[i], hv_errname(e));
			ok = false;
		}
	}
	tap_result(found_pc && found_v31 && found_sctlr && found_psci,
		   "the list has PC, V31, SCTLR_EL1 and PSCI_VERSION");
	tap_result(ok, "every listed register is readable");
	free(list);

	/* re-init */
	a64_set(vcpu, A64_X(5), 123);
	hv_expect_eq(init_err(vcpu, init.target, 0, 0), EINVAL,
		     "re-init with other features: EINVAL");
	hv_expect_eq(init_err(vcpu, init.target, 1U << KVM_ARM_VCPU_PSCI_0_2, 0),
		     0, "re-init with the same features");
	hv_expect_eq(a64_get(vcpu, A64_X(5)), 0, "re-init resets x5");
	hv_expect_eq(a64_get(vcpu, A64_PSTATE), PSTATE_EL1H_DAIF,
		     "re-init resets PSTATE");

	vcpu2 = hv_create_vcpu(vm, 17);
	if (vcpu2 < 0)
		tap_bail("KVM_CREATE_VCPU 17: %s", hv_errname(errno));
	hv_expect_eq(init_err(vcpu2, init.target, 1U << KVM_ARM_VCPU_POWER_OFF, 0),
		     0, "VCPU_INIT of vCPU 17 with POWER_OFF");
	hv_expect_eq(a64_get(vcpu2, A64_MPIDR), 0x80000101,
		     "MPIDR_EL1 of vCPU 17 is 0x80000101 (Aff1 1, Aff0 1)");

	close(vcpu2);
	munmap(run, HV_PAGE_SIZE);
	close(vcpu);
	close(vm);
	close(sys);
	return tap_finish();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The machine-check MSRs, as KVM emulates them: MCG_CAP (read-only),
 * MCG_STATUS, MCG_CTL and X86_MCE_BANKS banks of MCi_CTL/STATUS/ADDR/MISC,
 * stored per vCPU.  Nothing raises a machine check in a guest (no
 * KVM_X86_SET_MCE); QEMU sets CPUID.1:EDX.MCE|MCA for every KVM guest and
 * writes MCG_STATUS, MCG_CTL (all ones) and its banks at reset, so
 * MCG_CAP offers MCG_CTL, and as many banks as KVM's KVM_MAX_MCE_BANKS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/mce.h>
#include <asm/msr-index.h>
#include "x86.h"

#define X86_MCG_CAP	(MCG_CTL_P | X86_MCE_BANKS)

void x86_mce_reset(struct x86_vcpu *x)
{
	int i;

	/* as KVM_X86_SETUP_MCE leaves them: every error reporting enabled */
	x->mcg_ctl = ~0ULL;
	for (i = 0; i < X86_MCE_BANKS; i++)
		x->mce_banks[i * 4] = ~0ULL;
}

static bool x86_mce_bank(u32 index)
{
	return index >= MSR_IA32_MC0_CTL &&
	       index < MSR_IA32_MC0_CTL + 4 * X86_MCE_BANKS;
}

/* -ENOENT: not a machine-check MSR */
int x86_mce_get(struct x86_vcpu *x, u32 index, u64 *data)
{
	switch (index) {
	case MSR_IA32_MCG_CAP:
		*data = X86_MCG_CAP;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = x->mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		*data = x->mcg_ctl;
		return 0;
	}
	if (!x86_mce_bank(index))
		return -ENOENT;
	*data = x->mce_banks[index - MSR_IA32_MC0_CTL];
	return 0;
}

/*
 * -ENOENT: not a machine-check MSR; -EINVAL: what KVM refuses.  guest:
 * a WRMSR, which may only clear MCi_STATUS (userspace may set it).
 */
int x86_mce_set(struct x86_vcpu *x, u32 index, u64 data, bool guest)
{
	u32 off;

	switch (index) {
	case MSR_IA32_MCG_CAP:
		return -EINVAL;		/* read-only */
	case MSR_IA32_MCG_STATUS:
		x->mcg_status = data;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (data && data != ~0ULL)
			return -EINVAL;
		x->mcg_ctl = data;
		return 0;
	}
	if (!x86_mce_bank(index))
		return -ENOENT;
	off = index - MSR_IA32_MC0_CTL;
	switch (off % 4) {
	case 0:		/* MCi_CTL: all or nothing (bit 10 of bank 4: AMD GART) */
		if (data && (data | (off == 16 ? BIT_ULL(10) : 0)) != ~0ULL)
			return -EINVAL;
		break;
	case 1:		/* MCi_STATUS */
		if (guest && data)
			return -EINVAL;
		break;
	}
	x->mce_banks[off] = data;
	return 0;
}

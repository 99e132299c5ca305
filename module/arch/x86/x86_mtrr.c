// SPDX-License-Identifier: GPL-2.0
/*
 * The MTRR MSRs, as KVM emulates them: MTRRcap (8 variable ranges, fixed
 * ranges, write-combining), MTRRdefType, the 11 fixed-range and 16
 * variable-range registers, stored per vCPU with the architectural
 * reserved-bit checks.  QEMU sets CPUID.1:EDX.MTRR for every KVM guest
 * (whatever KVM_GET_SUPPORTED_CPUID says) and writes them at reset.
 * Stage 2 maps guest memory write-back regardless, as KVM does on AMD
 * (NPT) and on Intel without non-coherent DMA: the values only have to
 * read back as written.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/msr-index.h>
#include "x86.h"

#define X86_MTRR_CAP	(BIT(10) | BIT(8) | X86_MTRR_VAR)	/* WC, FIX, VCNT */
#define X86_MTRR_BASE0	0x200		/* PhysBase0; PhysMask0 is 0x201 */

/* asm/msr-index.h names them in CamelCase: MTRRcap, MTRRdefType, MTRRfix* */
#define X86_MSR_MTRR_CAP	0xfe
#define X86_MSR_MTRR_DEF	0x2ff

/* fix64K_00000, fix16K_80000/A0000, fix4K_C0000 ... fix4K_F8000 */
static const u32 x86_mtrr_fixed_msrs[X86_MTRR_FIXED] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};

/* UC, WC, WT, WP, WB: 2, 3 and 7 and up are reserved */
static bool x86_mtrr_type_ok(u8 t)
{
	return t < 8 && t != 2 && t != 3 && t != 7;
}

static int x86_mtrr_fixed_index(u32 index)
{
	int i;

	for (i = 0; i < X86_MTRR_FIXED; i++)
		if (x86_mtrr_fixed_msrs[i] == index)
			return i;
	return -1;
}

static bool x86_mtrr_var(u32 index)
{
	return index >= X86_MTRR_BASE0 &&
	       index < (X86_MTRR_BASE0 + 2 * X86_MTRR_VAR);
}

/* -ENOENT: not an MTRR */
int x86_mtrr_get(struct x86_vcpu *x, u32 index, u64 *data)
{
	int i;

	if (index == X86_MSR_MTRR_CAP) {
		*data = X86_MTRR_CAP;
		return 0;
	}
	if (index == X86_MSR_MTRR_DEF) {
		*data = x->mtrr_def;
		return 0;
	}
	if (x86_mtrr_var(index)) {
		*data = x->mtrr_var[index - X86_MTRR_BASE0];
		return 0;
	}
	i = x86_mtrr_fixed_index(index);
	if (i < 0)
		return -ENOENT;
	*data = x->mtrr_fixed[i];
	return 0;
}

/* -ENOENT: not an MTRR; -EINVAL: reserved bits or types (#GP) */
int x86_mtrr_set(struct x86_vcpu *x, u32 index, u64 data)
{
	u64 above = ~0ULL << boot_cpu_data.x86_phys_bits;
	int i;

	if (index == X86_MSR_MTRR_CAP)
		return -EINVAL;		/* read-only */
	if (index == X86_MSR_MTRR_DEF) {
		/* type, FE (bit 10), E (bit 11) */
		if ((data & ~0xcffULL) || !x86_mtrr_type_ok(data & 0xff))
			return -EINVAL;
		x->mtrr_def = data;
		return 0;
	}
	if (x86_mtrr_var(index)) {
		i = index - X86_MTRR_BASE0;
		/* even: PhysBase (type, bits 8-11 reserved); odd: PhysMask (V = bit 11) */
		if (data & above)
			return -EINVAL;
		if (!(i & 1) && ((data & 0xf00) || !x86_mtrr_type_ok(data & 0xff)))
			return -EINVAL;
		if ((i & 1) && (data & 0x7ff))
			return -EINVAL;
		x->mtrr_var[i] = data;
		return 0;
	}
	i = x86_mtrr_fixed_index(index);
	if (i < 0)
		return -ENOENT;
	for (index = 0; index < 8; index++)
		if (!x86_mtrr_type_ok(data >> (index * 8)))
			return -EINVAL;
	x->mtrr_fixed[i] = data;
	return 0;
}

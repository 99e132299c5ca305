// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64: a guest virtual address through the guest's own VS-stage page
 * tables (vsatp: Bare, Sv39 or Sv48), to read the instruction of a trap
 * when the hart does not report it (htinst 0 on a guest page fault): the
 * guest runs with paging on, hvt unikernels for one.  Only the walk
 * itself: the guest executed the instruction, so permissions held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": riscv: " fmt

#include "rv.h"

#define RV_PTE_V		BIT(0)
#define RV_PTE_R		BIT(1)
#define RV_PTE_X		BIT(3)
#define RV_PTE_PPN(pte)		(((pte) >> 10) & GENMASK_ULL(43, 0))
#define RV_SATP_PPN(satp)	((satp) & GENMASK_ULL(43, 0))
#define RV_SATP_BARE		0
#define RV_SATP_SV39		8
#define RV_SATP_SV48		9

int rv_gva_to_gpa(struct hvmod_vcpu *vcpu, unsigned long gva, u64 *gpa)
{
	struct rv_vcpu *v = to_rv(vcpu);
	unsigned long mode = v->csr.vsatp >> 60;
	u64 table, pte, mask;
	int level;

	switch (mode) {
	case RV_SATP_BARE:
		*gpa = gva;
		return 0;
	case RV_SATP_SV39:
		level = 2;
		break;
	case RV_SATP_SV48:
		level = 3;
		break;
	default:
		hvmod_reject("guest vsatp mode %lu: not Bare, Sv39 or Sv48", mode);
		return -EINVAL;
	}
	table = RV_SATP_PPN(v->csr.vsatp) << PAGE_SHIFT;
	for (; level >= 0; level--) {
		u64 idx = (gva >> (PAGE_SHIFT + 9 * level)) & 511;

		if (hvmod_guest_rw(vcpu->vm, table + idx * 8, &pte, 8, false))
			return -EFAULT;
		if (!(pte & RV_PTE_V))
			break;
		if (pte & (RV_PTE_R | RV_PTE_X)) {
			mask = BIT_ULL(PAGE_SHIFT + 9 * level) - 1;
			*gpa = ((RV_PTE_PPN(pte) << PAGE_SHIFT) & ~mask) |
			       (gva & mask);
			return 0;
		}
		table = RV_PTE_PPN(pte) << PAGE_SHIFT;
	}
	hvmod_reject("guest VA 0x%lx has no VS-stage mapping", gva);
	return -EFAULT;
}

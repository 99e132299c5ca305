// SPDX-License-Identifier: GPL-2.0
/*
 * The riscv G-stage format on the shared walker: Sv48x4 with 4 KiB
 * pages.  The walker's level 0 is Sv48's level 0 (pages), its levels 1
 * and 2 are the 2 MiB and 1 GiB leaf levels, its root (level 3) is
 * Sv48x4's root: 2048 entries in 16 KiB, 16 KiB aligned (root_order 2).
 * Guest physical addresses have 40 bits, so only root entries 0 and 1
 * are ever used and the walker's 512-entry view of the root suffices.
 *
 * Non-leaf entries are V only.  Leaves have U set (G-stage accesses are
 * all checked as user accesses), A and D set (no hardware A/D updates
 * needed), and R/W/X from the slot's protection.
 */
#include <linux/mm.h>
#include "rv.h"

#define GS_V		BIT_ULL(0)
#define GS_R		BIT_ULL(1)
#define GS_W		BIT_ULL(2)
#define GS_X		BIT_ULL(3)
#define GS_U		BIT_ULL(4)
#define GS_A		BIT_ULL(6)
#define GS_D		BIT_ULL(7)
#define GS_PPN_SHIFT	10
#define GS_PPN_MASK	GENMASK_ULL(53, 10)

static u64 gs_mk_pa(phys_addr_t pa)
{
	return ((u64)(pa >> PAGE_SHIFT) << GS_PPN_SHIFT) & GS_PPN_MASK;
}

static u64 rv_s2_mk_table(phys_addr_t pa)
{
	return gs_mk_pa(pa) | GS_V;
}

static u64 rv_s2_mk_leaf(phys_addr_t pa, unsigned int level,
			 unsigned int prot)
{
	u64 e = gs_mk_pa(pa) | GS_V | GS_U | GS_A | GS_D;

	if (prot & HVMOD_S2_R)
		e |= GS_R;
	if (prot & HVMOD_S2_W)
		e |= GS_W;
	if (prot & HVMOD_S2_X)
		e |= GS_X;
	return e;
}

static bool rv_s2_present(u64 pte)
{
	return pte & GS_V;
}

static bool rv_s2_is_leaf(u64 pte, unsigned int level)
{
	return pte & (GS_R | GS_W | GS_X);
}

static phys_addr_t rv_s2_pte_pa(u64 pte)
{
	return (phys_addr_t)((pte & GS_PPN_MASK) >> GS_PPN_SHIFT) << PAGE_SHIFT;
}

static unsigned int rv_s2_pte_prot(u64 pte)
{
	return ((pte & GS_R) ? HVMOD_S2_R : 0) |
	       ((pte & GS_W) ? HVMOD_S2_W : 0) |
	       ((pte & GS_X) ? HVMOD_S2_X : 0);
}

const struct hvmod_s2_format rv_s2_format = {
	.name = "riscv-sv48x4",
	.levels = 4,
	.root_order = 2,
	.mk_table = rv_s2_mk_table,
	.mk_leaf = rv_s2_mk_leaf,
	.present = rv_s2_present,
	.is_leaf = rv_s2_is_leaf,
	.pte_pa = rv_s2_pte_pa,
	.pte_prot = rv_s2_pte_prot,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 stage-2 format on the shared walker: VMSAv8-64 descriptors
 * for a 4 KiB granule and a 40-bit IPA.  The walker's level 0 is the
 * architecture's level 3 (pages), its levels 1 and 2 are the 2 MiB and
 * 1 GiB block levels, and its root (level 3) is the architecture's level
 * 0, which VTCR_EL2 (SL0 = 2, T0SZ = 24) makes the initial lookup level:
 * with 40 IPA bits only its first two entries are used.
 *
 * Leaves are Normal Write-Back memory (MemAttr 0b1111), inner shareable,
 * with the access flag set (no access-flag faults), S2AP read-only or
 * read-write, and XN when not executable.
 */
#include <linux/mm.h>
#include <asm/cacheflush.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>
#include "a64.h"

#define S2_VALID		BIT_ULL(0)
#define S2_TABLE		BIT_ULL(1)	/* table or page (level 3) */
#define S2_MEMATTR_NORMAL_WB	(0xfULL << 2)
#define S2_AP_R			BIT_ULL(6)
#define S2_AP_W			BIT_ULL(7)
#define S2_SH_INNER		(3ULL << 8)
#define S2_AF			BIT_ULL(10)
#define S2_XN			BIT_ULL(54)	/* XN[1]: no execution at EL1/EL0 */
#define S2_ADDR_MASK		GENMASK_ULL(47, 12)

static u64 a64_s2_mk_table(phys_addr_t pa)
{
	return (pa & S2_ADDR_MASK) | S2_TABLE | S2_VALID;
}

/*
 * Cache maintenance for a new leaf: a guest running with its MMU or
 * caches off reads memory past the caches, and executes from it through
 * an instruction cache that need not see the host's writes.  Clean (and
 * invalidate) the data cache to the point of coherency, then invalidate
 * the instruction cache for executable leaves, before the guest can use
 * the mapping.
 */
static void a64_s2_sync_caches(phys_addr_t pa, unsigned int level,
			       unsigned int prot)
{
	unsigned long start = (unsigned long)phys_to_virt(pa);
	unsigned long end = start + (PAGE_SIZE << (9 * level));
	u64 ctr = read_sysreg(ctr_el0);
	unsigned long line = 4UL << ((ctr >> 16) & 0xf);	/* DminLine */
	unsigned long a;

	for (a = start & ~(line - 1); a < end; a += line)
		asm volatile("dc civac, %0" : : "r" (a) : "memory");
	dsb(ish);
	if (prot & HVMOD_S2_X) {
		if (!(ctr & BIT(29)))			/* DIC */
			asm volatile("ic ialluis" : : : "memory");
		dsb(ish);
		isb();
	}
}

static u64 a64_s2_mk_leaf(phys_addr_t pa, unsigned int level,
			  unsigned int prot)
{
	u64 e = (pa & S2_ADDR_MASK) | S2_VALID | S2_MEMATTR_NORMAL_WB |
		S2_SH_INNER | S2_AF;

	if (!level)
		e |= S2_TABLE;		/* a level-3 page descriptor */
	if (prot & HVMOD_S2_R)
		e |= S2_AP_R;
	if (prot & HVMOD_S2_W)
		e |= S2_AP_W;
	if (!(prot & HVMOD_S2_X))
		e |= S2_XN;
	a64_s2_sync_caches(pa, level, prot);
	return e;
}

static bool a64_s2_present(u64 pte)
{
	return pte & S2_VALID;
}

static bool a64_s2_is_leaf(u64 pte, unsigned int level)
{
	return !level || !(pte & S2_TABLE);
}

static phys_addr_t a64_s2_pte_pa(u64 pte)
{
	return pte & S2_ADDR_MASK;
}

static unsigned int a64_s2_pte_prot(u64 pte)
{
	return ((pte & S2_AP_R) ? HVMOD_S2_R : 0) |
	       ((pte & S2_AP_W) ? HVMOD_S2_W : 0) |
	       ((pte & S2_XN) ? 0 : HVMOD_S2_X);
}

const struct hvmod_s2_format a64_s2_format = {
	.name = "arm64-s2-4k",
	.levels = 4,
	.mk_table = a64_s2_mk_table,
	.mk_leaf = a64_s2_mk_leaf,
	.present = a64_s2_present,
	.is_leaf = a64_s2_is_leaf,
	.pte_pa = a64_s2_pte_pa,
	.pte_prot = a64_s2_pte_prot,
};

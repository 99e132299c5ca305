// SPDX-License-Identifier: GPL-2.0
/*
 * EPT: extended page tables.  Every entry holds its own read, write and
 * execute permission bits (an entry with all three clear is not present);
 * leaves also carry the memory type, here always write-back with the
 * guest's PAT ignored, since guest RAM is ordinary host RAM.  A leaf above
 * level 0 has bit 7 set (2 MiB at level 1, 1 GiB at level 2).
 *
 * VPIDs tag the guest's linear and combined translations so that they
 * survive VM entries and exits; VPID 0 is the host's.  One global bitmap
 * hands them out, one per vCPU for its lifetime.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": ept: " fmt

#include <linux/bitmap.h>
#include <linux/bug.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/asm.h>
#include <asm/vmx.h>
#include "ept.h"

#define EPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define EPT_LARGE	BIT_ULL(7)
#define EPT_LEAF_MT	((VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT) | \
			 VMX_EPT_IPAT_BIT)

static u64 ept_mk_table(phys_addr_t pa)
{
	/* permissions of a table entry only bound those below it */
	return (pa & EPT_ADDR_MASK) | VMX_EPT_RWX_MASK;
}

static u64 ept_mk_leaf(phys_addr_t pa, unsigned int level, unsigned int prot)
{
	u64 e = (pa & EPT_ADDR_MASK) | EPT_LEAF_MT;

	if (prot & HVMOD_S2_R)
		e |= VMX_EPT_READABLE_MASK;
	if (prot & HVMOD_S2_W)
		e |= VMX_EPT_WRITABLE_MASK;
	if (prot & HVMOD_S2_X)
		e |= VMX_EPT_EXECUTABLE_MASK;
	if (level)
		e |= EPT_LARGE;
	return e;
}

static bool ept_present(u64 pte)
{
	return pte & VMX_EPT_RWX_MASK;
}

static bool ept_is_leaf(u64 pte, unsigned int level)
{
	return !level || (pte & EPT_LARGE);
}

static phys_addr_t ept_pte_pa(u64 pte)
{
	return pte & EPT_ADDR_MASK;
}

static unsigned int ept_pte_prot(u64 pte)
{
	return ((pte & VMX_EPT_READABLE_MASK) ? HVMOD_S2_R : 0) |
	       ((pte & VMX_EPT_WRITABLE_MASK) ? HVMOD_S2_W : 0) |
	       ((pte & VMX_EPT_EXECUTABLE_MASK) ? HVMOD_S2_X : 0);
}

const struct hvmod_s2_format ept_format = {
	.name = "ept",
	.levels = 4,
	.mk_table = ept_mk_table,
	.mk_leaf = ept_mk_leaf,
	.present = ept_present,
	.is_leaf = ept_is_leaf,
	.pte_pa = ept_pte_pa,
	.pte_prot = ept_pte_prot,
};

u64 ept_eptp(phys_addr_t root_pa)
{
	return (root_pa & EPT_ADDR_MASK) | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
}

/* INVVPID extent to use, 0 = VPIDs unusable */
static unsigned long ept_invvpid_type;

int ept_probe(u64 cap)
{
	if (!(cap & VMX_EPT_PAGE_WALK_4_BIT) || !(cap & VMX_EPTP_WB_BIT) ||
	    !(cap & VMX_EPT_INVEPT_BIT) || !(cap & VMX_EPT_EXTENT_CONTEXT_BIT)) {
		pr_err("EPT lacks 4-level walks, write-back or single-context INVEPT (IA32_VMX_EPT_VPID_CAP = 0x%llx)\n",
		       cap);
		return -ENODEV;
	}
	ept_invvpid_type = 0;
	if (cap & (VMX_VPID_INVVPID_BIT << 32)) {
		if (cap & (VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT << 32))
			ept_invvpid_type = VMX_VPID_EXTENT_SINGLE_CONTEXT;
		else if (cap & (VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT << 32))
			ept_invvpid_type = VMX_VPID_EXTENT_ALL_CONTEXT;
	}
	return 0;
}

bool ept_vpid_usable(void)
{
	return ept_invvpid_type;
}

static void ept_invept(u64 eptp)
{
	struct {
		u64 eptp, gpa;
	} desc = { eptp, 0 };
	unsigned long type = VMX_EPT_EXTENT_CONTEXT;

	asm goto("1: invept %[desc], %[type]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [desc] "m" (desc), [type] "r" (type)
		 : "cc", "memory" : fail);
	return;
fail:
	WARN_ONCE(1, "hvmod: ept: INVEPT single-context of EPTP 0x%llx failed\n",
		  eptp);
}

static void ept_invvpid(u16 vpid)
{
	struct {
		u64 vpid, gla;
	} desc = { vpid, 0 };
	unsigned long type = ept_invvpid_type;

	asm goto("1: invvpid %[desc], %[type]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [desc] "m" (desc), [type] "r" (type)
		 : "cc", "memory" : fail);
	return;
fail:
	WARN_ONCE(1, "hvmod: ept: INVVPID type %lu of VPID %u failed\n", type,
		  vpid);
}

void ept_tlb_prepare(struct ept_tlb *t, u64 eptp, u16 vpid, s64 vm_tlb_gen)
{
	int cpu = smp_processor_id();
	bool gpa = false, lin = t->flush_vpid;

	/*
	 * A CPU the vCPU did not just run on may hold translations from its
	 * earlier visits, from the last owner of its VPID, or from a freed
	 * VM whose EPT root had the same address.
	 */
	if (t->cpu != cpu) {
		t->cpu = cpu;
		gpa = true;
		lin = true;
	}
	if (t->tlb_gen != vm_tlb_gen) {
		t->tlb_gen = vm_tlb_gen;
		gpa = true;
	}
	if (gpa)
		ept_invept(eptp);	/* guest-physical and combined */
	if (lin && vpid)
		ept_invvpid(vpid);	/* linear and combined of the VPID */
	t->flush_vpid = false;
}

static DECLARE_BITMAP(ept_vpids, VMX_NR_VPIDS);
static DEFINE_SPINLOCK(ept_vpid_lock);

u16 ept_vpid_alloc(void)
{
	unsigned long v;

	if (!ept_invvpid_type)
		return 0;
	spin_lock(&ept_vpid_lock);
	v = find_next_zero_bit(ept_vpids, VMX_NR_VPIDS, 1);
	if (v < VMX_NR_VPIDS)
		__set_bit(v, ept_vpids);
	else
		v = 0;
	spin_unlock(&ept_vpid_lock);
	return v;
}

void ept_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&ept_vpid_lock);
	__clear_bit(vpid, ept_vpids);
	spin_unlock(&ept_vpid_lock);
}

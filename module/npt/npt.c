// SPDX-License-Identifier: GPL-2.0
/*
 * NPT: nested page tables are ordinary x86-64 page tables walked with
 * the guest-physical address.  Every access is a user access in NPT
 * walks, so entries carry U; NX (bit 63) removes execute.
 *
 * ASIDs are handed out per CPU, as KVM does: a vCPU keeps its ASID while
 * it stays on a CPU and that CPU's generation is unchanged; when a CPU
 * runs out of ASIDs it starts a new generation and flushes every ASID.
 */
#include <linux/percpu.h>
#include <asm/pgtable_types.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include "npt.h"

#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define NPT_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

static u64 npt_mk_table(phys_addr_t pa)
{
	return (pa & NPT_ADDR_MASK) | NPT_TABLE;
}

static u64 npt_mk_leaf(phys_addr_t pa, unsigned int level, unsigned int prot)
{
	u64 e = (pa & NPT_ADDR_MASK) | _PAGE_PRESENT | _PAGE_USER |
		_PAGE_ACCESSED | _PAGE_DIRTY;

	if (prot & HVMOD_S2_W)
		e |= _PAGE_RW;
	if (!(prot & HVMOD_S2_X))
		e |= _PAGE_NX;
	if (level)
		e |= _PAGE_PSE;
	return e;
}

static bool npt_present(u64 pte)
{
	return pte & _PAGE_PRESENT;
}

static bool npt_is_leaf(u64 pte, unsigned int level)
{
	return !level || (pte & _PAGE_PSE);
}

static phys_addr_t npt_pte_pa(u64 pte)
{
	return pte & NPT_ADDR_MASK;
}

static unsigned int npt_pte_prot(u64 pte)
{
	return HVMOD_S2_R | ((pte & _PAGE_RW) ? HVMOD_S2_W : 0) |
	       ((pte & _PAGE_NX) ? 0 : HVMOD_S2_X);
}

const struct hvmod_s2_format npt_format = {
	.name = "npt",
	.levels = 4,
	.mk_table = npt_mk_table,
	.mk_leaf = npt_mk_leaf,
	.present = npt_present,
	.is_leaf = npt_is_leaf,
	.pte_pa = npt_pte_pa,
	.pte_prot = npt_pte_prot,
};

struct npt_cpu_asids {
	u64 gen;
	u32 next;
};

static DEFINE_PER_CPU(struct npt_cpu_asids, npt_cpu_asids);
static u32 npt_max_asid;
static bool npt_flush_by_asid;

int npt_asid_probe(void)
{
	u32 nasid = cpuid_ebx(SVM_CPUID_FUNC);

	if (nasid < 2)
		return -ENODEV;
	npt_max_asid = nasid - 1;	/* ASID 0 is the host's */
	npt_flush_by_asid = boot_cpu_has(X86_FEATURE_FLUSHBYASID);
	return 0;
}

/*
 * On enable: whatever used ASIDs before (another hypervisor, an earlier
 * hvmod) may have left TLB entries, so the first assignment must start a
 * new generation and flush them all.
 */
void npt_asid_cpu_reset(void)
{
	struct npt_cpu_asids *c = this_cpu_ptr(&npt_cpu_asids);

	c->gen++;
	c->next = npt_max_asid + 1;
}

u8 npt_asid_prepare(struct npt_asid *a, s64 vm_tlb_gen)
{
	struct npt_cpu_asids *c = this_cpu_ptr(&npt_cpu_asids);
	int cpu = smp_processor_id();
	u8 tlb_ctl = TLB_CONTROL_DO_NOTHING;

	if (a->cpu != cpu || a->gen != c->gen) {
		if (c->next > npt_max_asid) {
			c->gen++;
			c->next = 1;
			tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		}
		a->asid = c->next++;
		a->cpu = cpu;
		a->gen = c->gen;
		a->tlb_gen = vm_tlb_gen;
		/*
		 * A fresh ASID should hold nothing, but a TLB that is not
		 * tagged by ASID (QEMU TCG's) may still hold the previous
		 * guest's translations: flush, as KVM does for a new vCPU.
		 */
		if (tlb_ctl == TLB_CONTROL_DO_NOTHING)
			tlb_ctl = npt_flush_by_asid ? TLB_CONTROL_FLUSH_ASID :
				  TLB_CONTROL_FLUSH_ALL_ASID;
	}
	if (a->tlb_gen != vm_tlb_gen) {
		a->tlb_gen = vm_tlb_gen;
		if (tlb_ctl == TLB_CONTROL_DO_NOTHING)
			tlb_ctl = npt_flush_by_asid ? TLB_CONTROL_FLUSH_ASID :
				  TLB_CONTROL_FLUSH_ALL_ASID;
	}
	return tlb_ctl;
}

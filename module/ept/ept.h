/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EPT: the Intel stage-2 entry format, the EPT pointer, INVEPT, and the
 * VPIDs that tag a vCPU's linear translations (with INVVPID).
 */
#ifndef HVMOD_EPT_H
#define HVMOD_EPT_H

#include <linux/types.h>
#include "s2.h"

extern const struct hvmod_s2_format ept_format;

/* From IA32_VMX_EPT_VPID_CAP: 0 if EPT is usable, -ENODEV otherwise. */
int ept_probe(u64 ept_vpid_cap);
/* True if VPIDs can be used (INVVPID single-context or all-context). */
bool ept_vpid_usable(void);
/* EPTP for a 4-level, write-back table rooted at root_pa (no A/D bits). */
u64 ept_eptp(phys_addr_t root_pa);

/* A VPID for a new vCPU, 0 if none is left (the vCPU then runs untagged). */
u16 ept_vpid_alloc(void);
void ept_vpid_free(u16 vpid);

/*
 * Per-vCPU TLB state.  INVEPT and INVVPID act on the logical processor
 * that executes them, so a vCPU flushes its EPTP and VPID contexts when
 * it enters on a CPU other than the last one, when the VM's stage-2 lost
 * entries since its last flush (vm->tlb_gen), and when an emulated
 * control-register write changed how the guest translates (flush_vpid).
 */
struct ept_tlb {
	int cpu;		/* CPU of the last entry, -1 = none yet */
	s64 tlb_gen;		/* VM tlb_gen flushed for */
	bool flush_vpid;	/* drop the guest's linear translations */
};

static inline void ept_tlb_init(struct ept_tlb *t)
{
	t->cpu = -1;
	t->tlb_gen = 0;
	t->flush_vpid = false;
}

/* IRQs off, on the CPU about to enter the guest. */
void ept_tlb_prepare(struct ept_tlb *t, u64 eptp, u16 vpid, s64 vm_tlb_gen);

#endif /* HVMOD_EPT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* NPT: the AMD stage-2 entry format and ASID-tagged TLB control. */
#ifndef HVMOD_NPT_H
#define HVMOD_NPT_H

#include <linux/types.h>
#include "s2.h"

extern const struct hvmod_s2_format npt_format;

/* Per-vCPU ASID state: an ASID is valid on one CPU for one generation. */
struct npt_asid {
	u32 asid;
	int cpu;		/* CPU the ASID belongs to, -1 = none */
	u64 gen;		/* that CPU's generation when assigned */
	s64 tlb_gen;		/* VM tlb_gen last flushed for */
};

int npt_asid_probe(void);
void npt_asid_cpu_reset(void);
/* With IRQs off, on the CPU about to VMRUN: the ASID and TLB_CONTROL. */
u8 npt_asid_prepare(struct npt_asid *a, s64 vm_tlb_gen);

#endif /* HVMOD_NPT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* The SVM backend's private state, shared by its files. */
#ifndef HVMOD_SVM_H
#define HVMOD_SVM_H

#include "x86.h"
#include "vmcb.h"
#include "../../npt/npt.h"

struct svm_vcpu {
	struct x86_vcpu x;		/* first: vcpu->arch points here */
	struct vmcb *vmcb;
	struct page *vmcb_page;
	phys_addr_t vmcb_pa;
	struct npt_asid asid;
	int last_cpu;			/* CPU of the last VMRUN */
	/*
	 * The guest state as handed to the last VMRUN.  A VMRUN that fails
	 * its consistency checks leaves the VMCB's save area as it was on
	 * hardware, but QEMU's TCG fills it with the host's own state
	 * (CR3, RIP, descriptor table bases): put back what was entered so
	 * KVM_GET_REGS/SREGS show the rejected state, never the host's.
	 */
	struct vmcb_save_area entry_save;
	u32 entry_int_ctl;
};

static inline struct svm_vcpu *to_svm(struct hvmod_vcpu *vcpu)
{
	return vcpu->arch;
}

extern phys_addr_t svm_iopm_pa, svm_msrpm_pa;
extern const struct x86_ops svm_x86_ops;

/* svm_entry.S */
void svm_vmrun(u64 vmcb_pa, u64 host_area_pa, unsigned long *gpr);

/* svm_vcpu.c */
int svm_vcpu_init(struct hvmod_vcpu *vcpu);
void svm_vcpu_destroy(struct hvmod_vcpu *vcpu);
int svm_vcpu_run(struct hvmod_vcpu *vcpu);

/* svm_exit.c */
int svm_handle_exit(struct hvmod_vcpu *vcpu);
void svm_inject_exception(struct svm_vcpu *svm, u8 vector, bool has_err,
			  u32 err);
void svm_fill_run_state(struct hvmod_vcpu *vcpu);
bool svm_interrupt_allowed(struct svm_vcpu *svm);
void svm_set_vintr(struct svm_vcpu *svm, bool on);

#endif /* HVMOD_SVM_H */

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
	/*
	 * NMI blocking, kept here as KVM does without vNMI: set when an NMI
	 * is injected, cleared once the guest's IRET has run.  The IRET
	 * intercept fires before the IRET executes: from then on NMIs are
	 * "awaiting IRET", unblocked on the first exit with RIP elsewhere.
	 * With an NMI pending, that exit is forced by single-stepping the
	 * IRET (TF, then the #DB intercept); step_tf is the guest's own TF.
	 */
	bool nmi_masked, awaiting_iret, nmi_step, step_tf;
	u64 iret_rip;
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

/* svm_events.c */
void svm_set_nmi_mask(struct svm_vcpu *svm, bool masked);
void svm_prepare_nmi(struct svm_vcpu *svm);
void svm_nmi_exit(struct svm_vcpu *svm);
int svm_exit_iret(struct svm_vcpu *svm);
bool svm_nmi_step_done(struct svm_vcpu *svm);
void svm_get_event(struct hvmod_vcpu *vcpu, u32 *info, u32 *err);
void svm_set_event(struct hvmod_vcpu *vcpu, u32 info, u32 err);
bool svm_get_nmi_mask(struct hvmod_vcpu *vcpu);
void svm_set_nmi_mask_op(struct hvmod_vcpu *vcpu, bool masked);
u8 svm_get_int_shadow(struct hvmod_vcpu *vcpu);
void svm_set_int_shadow(struct hvmod_vcpu *vcpu, u8 shadow);

#endif /* HVMOD_SVM_H */

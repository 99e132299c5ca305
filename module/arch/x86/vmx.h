/* SPDX-License-Identifier: GPL-2.0 */
/* The VMX backend's private state, shared by its files. */
#ifndef HVMOD_VMX_H
#define HVMOD_VMX_H

#include <linux/list.h>
#include <linux/preempt.h>
#include "x86.h"
#include "vmcs.h"
#include "../../ept/ept.h"

/* What probe found and chose, fixed while the module is loaded. */
struct vmx_config {
	u64 basic;			/* IA32_VMX_BASIC */
	u32 revision;			/* VMCS revision identifier */
	u32 pin, proc, sec, exit, entry;	/* VM-execution/exit/entry controls */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	u32 preempt_timer;		/* VMX-preemption timer per entry, 0 = off */
	bool has_debugctl;		/* IA32_DEBUGCTL exists (not in Bochs) */
	/* the host's syscall MSRs, the same on every CPU */
	u64 host_star, host_lstar, host_cstar, host_sfmask;
	u64 host_efer;
};

extern struct vmx_config vmx_cfg;
extern phys_addr_t vmx_msr_bitmap_pa;

/* Why the last guest entry ended. */
struct vmx_exit {
	bool vmfail;		/* VMLAUNCH/VMRESUME failed: no exit at all */
	u32 reason;		/* basic reason | VMX_EXIT_REASONS_FAILED_VMENTRY */
	u32 insn_error;		/* VM-instruction error after a VMfail */
	u64 qual;		/* exit qualification */
	u64 gpa;		/* guest-physical address (EPT exits) */
	u32 insn_len;
	u32 intr_info, intr_err;	/* exception or NMI that exited */
	u32 idt_info, idt_err;		/* event whose delivery was cut short */
};

struct vmx_vcpu {
	struct x86_vcpu x;		/* first: vcpu->arch points here */
	struct page *vmcs_page;
	u64 vmcs_pa;
	/*
	 * Where the VMCS is active: -1 (clear, in memory) or the CPU that
	 * last loaded it, on whose vmx_loaded list it is.  Changed only by
	 * that CPU with IRQs off (or by the vCPU thread while it is -1).
	 */
	int cpu;
	bool launched;			/* VMRESUME rather than VMLAUNCH */
	struct list_head loaded_link;
	u16 vpid;
	u64 eptp;
	struct ept_tlb tlb;
	int last_cpu;			/* CPU of the last entry (fail_entry.cpu) */

	/* host state as last written into the VMCS */
	unsigned long host_cr3, host_cr4, host_fs_base;
	u16 host_fs_sel, host_gs_sel;
	/* the running task's state, saved at KVM_RUN start (vcpu_load) */
	struct {
		u16 ds, es, fs, gs, ldt;
		unsigned long fs_base, kernel_gs_base;
		u64 debugctl;
	} task;

	/*
	 * Guest state kept here rather than in the VMCS: what the exits
	 * change or test (RIP, RFLAGS, interruptibility), the control
	 * registers the guest only writes through exits (all CR0/CR4 bits
	 * are host-owned, reads come from the read shadows), EFER, CR2 and
	 * CR8 (not in the VMCS), and the syscall MSRs switched by hand.
	 */
	u64 rip, rflags;
	u32 intr_state;
	unsigned long cr0, cr2, cr4, cr8;
	u64 efer, pat;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u32 proc_ctl, entry_ctl;	/* wanted values of the two controls */
	u32 proc_ctl_vmcs, entry_ctl_vmcs;	/* values in the VMCS */
	/* an event to inject at the next entry (VM-entry interruption info) */
	u32 inject_info, inject_err, inject_len;

	struct vmx_exit exit;
};

static inline struct vmx_vcpu *to_vmx(struct hvmod_vcpu *vcpu)
{
	return vcpu->arch;
}

extern const struct x86_ops vmx_x86_ops;

/* vmx_entry.S: 0 after a VM exit, 1 VMfailValid, 2 VMfailInvalid/fault */
int vmx_vmenter(unsigned long *gpr, bool launched);
extern const char vmx_vmexit[];

/* vmx_vcpu.c */
int vmx_vcpu_init(struct hvmod_vcpu *vcpu);
void vmx_vcpu_destroy(struct hvmod_vcpu *vcpu);
void vmx_vcpu_load(struct hvmod_vcpu *vcpu);
void vmx_vcpu_put(struct hvmod_vcpu *vcpu);
int vmx_vcpu_run(struct hvmod_vcpu *vcpu);
void vmx_loaded_clear_cpu(void);
void vmx_percpu_init(void);
/* Make vmx's VMCS current here; returns with preemption disabled. */
void vmx_vmcs_get(struct vmx_vcpu *vmx);
static inline void vmx_vmcs_put(void)
{
	preempt_enable();
}

int vmx_set_cr0(struct hvmod_vcpu *vcpu, unsigned long cr0);
int vmx_set_cr4(struct hvmod_vcpu *vcpu, unsigned long cr4);
int vmx_set_cr3(struct hvmod_vcpu *vcpu, unsigned long cr3);
int vmx_set_efer(struct hvmod_vcpu *vcpu, u64 efer);
bool vmx_cr4_valid(struct vmx_vcpu *vmx, unsigned long cr4);

/* vmx_exit.c */
int vmx_handle_exit(struct hvmod_vcpu *vcpu);
void vmx_inject_exception(struct vmx_vcpu *vmx, u8 vector, bool has_err,
			  u32 err);
bool vmx_interrupt_allowed(struct vmx_vcpu *vmx);
void vmx_fill_run_state(struct hvmod_vcpu *vcpu);

/* vmx_events.c */
void vmx_prepare_nmi(struct vmx_vcpu *vmx);
void vmx_nmi_exit(struct vmx_vcpu *vmx);
void vmx_get_event(struct hvmod_vcpu *vcpu, u32 *info, u32 *err);
void vmx_set_event(struct hvmod_vcpu *vcpu, u32 info, u32 err);
bool vmx_get_nmi_mask(struct hvmod_vcpu *vcpu);
void vmx_set_nmi_mask(struct hvmod_vcpu *vcpu, bool masked);
u8 vmx_get_int_shadow(struct hvmod_vcpu *vcpu);
void vmx_set_int_shadow(struct hvmod_vcpu *vcpu, u8 shadow);

#endif /* HVMOD_VMX_H */

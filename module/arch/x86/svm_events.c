// SPDX-License-Identifier: GPL-2.0
/*
 * SVM events: NMI injection and NMI blocking, and the event state that
 * KVM_GET/SET_VCPU_EVENTS see (x86_events.c).  Without vNMI the CPU
 * keeps no guest NMI blocking: it is tracked here, as KVM does, from the
 * injection to the end of the guest's IRET (see struct svm_vcpu).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": svm: " fmt

#include <asm/irq_vectors.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include "svm.h"

static_assert((u32)SVM_EVTINJ_VALID == X86_EVENT_VALID);
static_assert(SVM_EVTINJ_VALID_ERR == X86_EVENT_HAS_ERR);
static_assert(SVM_EVTINJ_TYPE_MASK == X86_EVENT_TYPE_MASK);
static_assert(SVM_EVTINJ_TYPE_INTR == X86_EVENT_TYPE_INTR);
static_assert(SVM_EVTINJ_TYPE_NMI == X86_EVENT_TYPE_NMI);
static_assert(SVM_EVTINJ_TYPE_EXEPT == X86_EVENT_TYPE_EXCEPT);

/* Blocked NMIs end with an IRET: intercept it while they are. */
void svm_set_nmi_mask(struct svm_vcpu *svm, bool masked)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	svm->nmi_masked = masked;
	svm->awaiting_iret = false;
	if (masked)
		vmcb_set_intercept(c, INTERCEPT_IRET);
	else
		vmcb_clr_intercept(c, INTERCEPT_IRET);
}

static bool svm_nmi_allowed(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	return !svm->nmi_masked &&
	       !(c->int_state & SVM_INTERRUPT_SHADOW_MASK) &&
	       !(c->event_inj & SVM_EVTINJ_VALID);
}

/*
 * Before an entry: inject a pending NMI, or, if the guest's IRET is next,
 * step over it so that the NMI follows right after.  Not with an event to
 * deliver first: its handler's frame would get TF.  The other blockers
 * (interrupt shadow, an event being delivered) end within the guest's
 * next instructions; the next exit, at the latest the host's timer
 * interrupt, injects then.
 */
void svm_prepare_nmi(struct svm_vcpu *svm)
{
	struct vmcb *vmcb = svm->vmcb;

	x86_nmi_collapse(&svm->x, svm->nmi_masked);
	if (!svm->x.nmi_pending)
		return;
	if (svm_nmi_allowed(svm)) {
		vmcb->control.event_inj = SVM_EVTINJ_VALID |
					  SVM_EVTINJ_TYPE_NMI | NMI_VECTOR;
		svm->x.nmi_pending--;
		svm_set_nmi_mask(svm, true);
		return;
	}
	if (svm->awaiting_iret && !svm->nmi_step &&
	    !(vmcb->control.event_inj & SVM_EVTINJ_VALID)) {
		svm->nmi_step = true;
		svm->step_tf = vmcb->save.rflags & X86_EFLAGS_TF;
		vmcb->save.rflags |= X86_EFLAGS_TF;
	}
}

/* At every exit: once RIP left the IRET, the IRET ran and NMIs unblock. */
void svm_nmi_exit(struct svm_vcpu *svm)
{
	struct vmcb *vmcb = svm->vmcb;

	if (!svm->awaiting_iret || vmcb->save.rip == svm->iret_rip)
		return;
	svm->nmi_masked = false;
	svm->awaiting_iret = false;
	/* an IRET that faulted in the guest ends the step another way */
	if (vmcb->control.exit_code != SVM_EXIT_EXCP_BASE + X86_TRAP_DB)
		svm->nmi_step = false;
}

/* The IRET intercept fires before the IRET executes. */
int svm_exit_iret(struct svm_vcpu *svm)
{
	vmcb_clr_intercept(&svm->vmcb->control, INTERCEPT_IRET);
	svm->awaiting_iret = true;
	svm->iret_rip = svm->vmcb->save.rip;
	return 1;
}

/*
 * A #DB exit: true if it is only the end of hvmod's step over an IRET.
 * The IRET loaded RFLAGS (TF included) from the guest's stack.
 */
bool svm_nmi_step_done(struct svm_vcpu *svm)
{
	if (!svm->nmi_step)
		return false;
	svm->nmi_step = false;
	return !svm->step_tf;
}

void svm_get_event(struct hvmod_vcpu *vcpu, u32 *info, u32 *err)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	*info = c->event_inj;
	*err = c->event_inj_err;
}

void svm_set_event(struct hvmod_vcpu *vcpu, u32 info, u32 err)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->control.event_inj = info;
	svm->vmcb->control.event_inj_err = err;
	if ((info & X86_EVENT_VALID) &&
	    (info & X86_EVENT_TYPE_MASK) == X86_EVENT_TYPE_NMI)
		svm_set_nmi_mask(svm, true);
}

bool svm_get_nmi_mask(struct hvmod_vcpu *vcpu)
{
	return to_svm(vcpu)->nmi_masked;
}

void svm_set_nmi_mask_op(struct hvmod_vcpu *vcpu, bool masked)
{
	svm_set_nmi_mask(to_svm(vcpu), masked);
}

/* SVM has one shadow bit for both causes; KVM reports it as MOV SS. */
u8 svm_get_int_shadow(struct hvmod_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_state &
	       SVM_INTERRUPT_SHADOW_MASK ? KVM_X86_SHADOW_INT_MOV_SS : 0;
}

void svm_set_int_shadow(struct hvmod_vcpu *vcpu, u8 shadow)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	if (shadow)
		c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

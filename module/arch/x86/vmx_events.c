// SPDX-License-Identifier: GPL-2.0
/*
 * VMX events: NMI injection with virtual NMIs (the CPU blocks NMIs from
 * the injection to the guest's IRET, in the interruptibility state) and
 * NMI-window exiting for an NMI that must wait; the event state that
 * KVM_GET/SET_VCPU_EVENTS see (x86_events.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <asm/irq_vectors.h>
#include "vmx.h"

/* Exit qualification of EPT violations: an IRET unblocked NMIs, then faulted. */
#define VMX_QUAL_NMI_UNBLOCK	BIT(12)

static_assert(INTR_INFO_VALID_MASK == X86_EVENT_VALID);
static_assert(INTR_INFO_DELIVER_CODE_MASK == X86_EVENT_HAS_ERR);
static_assert(INTR_INFO_INTR_TYPE_MASK == X86_EVENT_TYPE_MASK);
static_assert(INTR_TYPE_EXT_INTR == X86_EVENT_TYPE_INTR);
static_assert(INTR_TYPE_NMI_INTR == X86_EVENT_TYPE_NMI);
static_assert(INTR_TYPE_HARD_EXCEPTION == X86_EVENT_TYPE_EXCEPT);

static bool vmx_injecting_nmi(struct vmx_vcpu *vmx)
{
	return (vmx->inject_info & INTR_INFO_VALID_MASK) &&
	       (vmx->inject_info & INTR_INFO_INTR_TYPE_MASK) ==
	       INTR_TYPE_NMI_INTR;
}

/*
 * Before an entry: inject a pending NMI, or exit as soon as the guest
 * can take one.  STI blocking may or may not block NMIs (SDM): here it
 * does not, and the NMI's delivery ends the shadow.
 */
void vmx_prepare_nmi(struct vmx_vcpu *vmx)
{
	x86_nmi_collapse(&vmx->x, (vmx->intr_state & GUEST_INTR_STATE_NMI) ||
			 vmx_injecting_nmi(vmx));
	if (vmx->x.nmi_pending &&
	    !(vmx->intr_state & (GUEST_INTR_STATE_NMI |
				 GUEST_INTR_STATE_MOV_SS)) &&
	    !(vmx->inject_info & INTR_INFO_VALID_MASK)) {
		vmx->inject_info = INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR |
				   NMI_VECTOR;
		vmx->intr_state &= ~GUEST_INTR_STATE_STI;
		vmx->x.nmi_pending--;
	}
	/* one still pending: exit once the handler's IRET unblocks NMIs */
	if (vmx->x.nmi_pending)
		vmx->proc_ctl |= CPU_BASED_NMI_WINDOW_EXITING;
	else
		vmx->proc_ctl &= ~CPU_BASED_NMI_WINDOW_EXITING;
}

/*
 * After an exit: an IRET that unblocked NMIs and then faulted (an
 * exception or an EPT violation) is executed again, so NMIs are blocked
 * again until it completes (SDM "NMI unblocking due to IRET").
 */
void vmx_nmi_exit(struct vmx_vcpu *vmx)
{
	struct vmx_exit *e = &vmx->exit;
	bool unblocked;

	/* an NMI cut short is delivered again: it did not block NMIs yet */
	if ((e->idt_info & VECTORING_INFO_VALID_MASK) &&
	    (e->idt_info & VECTORING_INFO_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		vmx->intr_state &= ~GUEST_INTR_STATE_NMI;
	if (e->idt_info & VECTORING_INFO_VALID_MASK)
		return;
	switch (e->reason & 0xffff) {
	case EXIT_REASON_EXCEPTION_NMI:
		unblocked = e->intr_info & INTR_INFO_UNBLOCK_NMI;
		break;
	case EXIT_REASON_EPT_VIOLATION:
		unblocked = e->qual & VMX_QUAL_NMI_UNBLOCK;
		break;
	default:
		unblocked = false;
	}
	if (unblocked)
		vmx->intr_state |= GUEST_INTR_STATE_NMI;
}

void vmx_get_event(struct hvmod_vcpu *vcpu, u32 *info, u32 *err)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	*info = vmx->inject_info;
	*err = vmx->inject_err;
}

void vmx_set_event(struct hvmod_vcpu *vcpu, u32 info, u32 err)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if ((info & INTR_INFO_VALID_MASK) &&
	    (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION) {
		vmx_inject_exception(vmx, info & INTR_INFO_VECTOR_MASK,
				     info & INTR_INFO_DELIVER_CODE_MASK, err);
		return;
	}
	vmx->inject_info = info;
	vmx->inject_err = err;
	/* VM entry refuses to inject an NMI while NMIs are blocked */
	if (vmx_injecting_nmi(vmx))
		vmx->intr_state &= ~(GUEST_INTR_STATE_NMI |
				     GUEST_INTR_STATE_STI);
}

bool vmx_get_nmi_mask(struct hvmod_vcpu *vcpu)
{
	return to_vmx(vcpu)->intr_state & GUEST_INTR_STATE_NMI;
}

void vmx_set_nmi_mask(struct hvmod_vcpu *vcpu, bool masked)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (masked)
		vmx->intr_state |= GUEST_INTR_STATE_NMI;
	else
		vmx->intr_state &= ~GUEST_INTR_STATE_NMI;
}

u8 vmx_get_int_shadow(struct hvmod_vcpu *vcpu)
{
	u32 s = to_vmx(vcpu)->intr_state;

	return (s & GUEST_INTR_STATE_STI ? KVM_X86_SHADOW_INT_STI : 0) |
	       (s & GUEST_INTR_STATE_MOV_SS ? KVM_X86_SHADOW_INT_MOV_SS : 0);
}

void vmx_set_int_shadow(struct hvmod_vcpu *vcpu, u8 shadow)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->intr_state &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	if (shadow & KVM_X86_SHADOW_INT_STI)
		vmx->intr_state |= GUEST_INTR_STATE_STI;
	if (shadow & KVM_X86_SHADOW_INT_MOV_SS)
		vmx->intr_state |= GUEST_INTR_STATE_MOV_SS;
}

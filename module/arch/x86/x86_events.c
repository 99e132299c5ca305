// SPDX-License-Identifier: GPL-2.0
/*
 * Pending and injected events of an x86 vCPU, shared by SVM and VMX:
 * KVM_NMI queues an NMI (the backends inject it when the guest does not
 * block NMIs) and KVM_GET/SET_VCPU_EVENTS save and restore what is in
 * flight: the event for the next entry, the KVM_INTERRUPT vector, pending
 * NMIs, NMI blocking and the interrupt shadow.  No SMM, no nested state,
 * no exception payloads: their flags are rejected as KVM rejects them
 * when the capability is off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/uaccess.h>
#include <asm/irq_vectors.h>
#include <asm/traps.h>
#include "x86.h"

#define X86_EVENTS_FLAGS	(KVM_VCPUEVENT_VALID_NMI_PENDING |	\
				 KVM_VCPUEVENT_VALID_SIPI_VECTOR |	\
				 KVM_VCPUEVENT_VALID_SHADOW)

/* Exceptions that push an error code in protected mode. */
static bool x86_exception_has_err(u8 vector)
{
	switch (vector) {
	case X86_TRAP_DF:
	case X86_TRAP_TS:
	case X86_TRAP_NP:
	case X86_TRAP_SS:
	case X86_TRAP_GP:
	case X86_TRAP_PF:
	case X86_TRAP_AC:
	case X86_TRAP_CP:
	case X86_TRAP_VC:
	case 30:	/* #SX */
		return true;
	default:
		return false;
	}
}

/* As KVM: the event in flight is reported; soft interrupts never are. */
static void x86_get_events(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			   struct kvm_vcpu_events *e)
{
	struct x86_vcpu *x = to_x86(vcpu);
	u32 info, err;

	memset(e, 0, sizeof(*e));
	ops->get_event(vcpu, &info, &err);
	if (info & X86_EVENT_VALID) {
		switch (info & X86_EVENT_TYPE_MASK) {
		case X86_EVENT_TYPE_EXCEPT:
			e->exception.injected = 1;
			e->exception.nr = info & X86_EVENT_VECTOR;
			e->exception.has_error_code = !!(info & X86_EVENT_HAS_ERR);
			e->exception.error_code = err;
			break;
		case X86_EVENT_TYPE_NMI:
			e->nmi.injected = 1;
			break;
		case X86_EVENT_TYPE_INTR:
			e->interrupt.injected = 1;
			e->interrupt.nr = info & X86_EVENT_VECTOR;
			break;
		}
	}
	/* a KVM_INTERRUPT vector is injected as soon as IF allows */
	if (!e->interrupt.injected && x->pending_irq >= 0) {
		e->interrupt.injected = 1;
		e->interrupt.nr = x->pending_irq;
	}
	e->interrupt.shadow = ops->get_int_shadow(vcpu);
	e->nmi.pending = x->nmi_pending != 0;
	e->nmi.masked = ops->get_nmi_mask(vcpu);
	e->sipi_vector = x->sipi_vector;
	e->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
}

static int x86_check_events(const struct kvm_vcpu_events *e)
{
	if (e->flags & ~X86_EVENTS_FLAGS) {
		hvmod_reject("KVM_SET_VCPU_EVENTS: flags 0x%x (no SMM, payloads, triple faults)",
			     e->flags);
		return -EINVAL;
	}
	if (e->exception.injected &&
	    (e->exception.nr > 31 || e->exception.nr == NMI_VECTOR)) {
		hvmod_reject("KVM_SET_VCPU_EVENTS: exception vector %u is not an exception",
			     e->exception.nr);
		return -EINVAL;
	}
	if (e->exception.injected && e->exception.has_error_code &&
	    !x86_exception_has_err(e->exception.nr)) {
		hvmod_reject("KVM_SET_VCPU_EVENTS: exception %u has no error code",
			     e->exception.nr);
		return -EINVAL;
	}
	/* RIP points past INT n once it exits: it cannot be delivered again */
	if (e->interrupt.injected && e->interrupt.soft) {
		hvmod_reject("KVM_SET_VCPU_EVENTS: software interrupt %u cannot be injected",
			     e->interrupt.nr);
		return -EINVAL;
	}
	if ((e->flags & KVM_VCPUEVENT_VALID_SHADOW) &&
	    (e->interrupt.shadow & ~(KVM_X86_SHADOW_INT_MOV_SS |
				     KVM_X86_SHADOW_INT_STI))) {
		hvmod_reject("KVM_SET_VCPU_EVENTS: interrupt shadow 0x%x unknown",
			     e->interrupt.shadow);
		return -EINVAL;
	}
	return 0;
}

/*
 * The backends have one event slot for the next entry: an injected
 * exception takes it first, then an injected NMI (else it stays
 * pending).  An injected interrupt becomes the KVM_INTERRUPT vector,
 * delivered when IF allows, as an interrupt in flight always is.
 */
static int x86_set_events(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			  const struct kvm_vcpu_events *e)
{
	struct x86_vcpu *x = to_x86(vcpu);
	u32 info = 0, err = 0;
	u8 nmis = x->nmi_pending;
	int r;

	r = x86_check_events(e);
	if (r)
		return r;
	if (e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		nmis = !!e->nmi.pending;
	if (e->exception.injected) {
		info = X86_EVENT_VALID | X86_EVENT_TYPE_EXCEPT | e->exception.nr;
		if (e->exception.has_error_code) {
			info |= X86_EVENT_HAS_ERR;
			err = e->exception.error_code;
		}
	}
	if (e->nmi.injected) {
		if (!info)
			info = X86_EVENT_VALID | X86_EVENT_TYPE_NMI | NMI_VECTOR;
		else if (nmis < 2)
			nmis++;
	}
	x->pending_irq = e->interrupt.injected ? e->interrupt.nr : -1;
	x->nmi_pending = nmis;
	/* the mask first: injecting an NMI blocks NMIs itself */
	ops->set_nmi_mask(vcpu, e->nmi.masked);
	ops->set_event(vcpu, info, err);
	if (e->flags & KVM_VCPUEVENT_VALID_SHADOW)
		ops->set_int_shadow(vcpu, e->interrupt.shadow);
	if (e->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR)
		x->sipi_vector = e->sipi_vector;
	return 0;
}

long x86_events_ioctl(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		      unsigned int ioctl, void __user *argp)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct kvm_vcpu_events e;

	switch (ioctl) {
	case KVM_NMI:
		/* a third one would collapse into the second on hardware */
		if (x->nmi_pending < 2)
			x->nmi_pending++;
		return 0;
	case KVM_GET_VCPU_EVENTS:
		x86_get_events(vcpu, ops, &e);
		return copy_to_user(argp, &e, sizeof(e)) ? -EFAULT : 0;
	case KVM_SET_VCPU_EVENTS:
		if (copy_from_user(&e, argp, sizeof(e)))
			return -EFAULT;
		return x86_set_events(vcpu, ops, &e);
	default:
		return -ENOTTY;
	}
}

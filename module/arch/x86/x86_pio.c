// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O the kernel answers before an IN/OUT would exit to userspace,
 * as KVM's kernel PIO bus: the in-kernel 8259 pair and ELCR
 * (KVM_CREATE_IRQCHIP), the 8254 and its speaker port (KVM_CREATE_PIT2).
 * One dispatch for the SVM and VMX exits; string I/O still goes to
 * userspace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "x86.h"

/* true if handled (RAX updated for an IN); the caller skips the insn */
bool x86_pio_kernel(struct hvmod_vcpu *vcpu, u16 port, u8 size, bool in)
{
	struct x86_vcpu *x = to_x86(vcpu);
	u32 val = x->gpr[X86_RAX];

	if (!x->apic)
		return false;
	if (!x86_pic_pio(vcpu->vm, port, size, in, &val) &&
	    !x86_pit_pio(vcpu->vm, port, size, in, &val))
		return false;
	if (in) {
		x->pio_in_size = size;
		x86_complete_pio_in(x, &val);
	}
	return true;
}

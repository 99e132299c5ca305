// SPDX-License-Identifier: GPL-2.0
/*
 * SVM exits: decoded into KVM exits for userspace, or handled here when
 * they need no device model (CPUID, MSRs, stage-2 faults on guest RAM,
 * host interrupts).  Returns > 0 to reenter, 0 for userspace, < 0 error.
 *
 * TCG offers neither NRIP save nor decode assists, so instruction lengths
 * come from next_rip only when the CPU has it and otherwise from the
 * (fixed) encoding of the intercepted instruction after its prefixes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": svm: " fmt

#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>
#include <asm/traps.h>
#include "svm.h"

#define PFERR_PRESENT	BIT_ULL(0)
#define PFERR_WRITE	BIT_ULL(1)
#define PFERR_RSVD	BIT_ULL(3)

bool svm_interrupt_allowed(struct svm_vcpu *svm)
{
	struct vmcb *vmcb = svm->vmcb;

	return (vmcb->save.rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK) &&
	       !(vmcb->control.event_inj & SVM_EVTINJ_VALID);
}

/* A virtual interrupt request makes the CPU exit when IF opens. */
void svm_set_vintr(struct svm_vcpu *svm, bool on)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (on) {
		c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
			      (0xf << V_INTR_PRIO_SHIFT);
		vmcb_set_intercept(c, INTERCEPT_VINTR);
	} else {
		c->int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK);
		vmcb_clr_intercept(c, INTERCEPT_VINTR);
	}
}

/* What KVM reports on every exit to userspace. */
void svm_fill_run_state(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct kvm_run *run = vcpu->run;

	run->flags = 0;
	run->if_flag = !!(svm->vmcb->save.rflags & X86_EFLAGS_IF);
	run->cr8 = svm->vmcb->control.int_ctl & V_TPR_MASK;
	run->apic_base = svm->x.apic_base;
	run->ready_for_interrupt_injection = svm->x.pending_irq < 0 &&
					     svm_interrupt_allowed(svm);
}

void svm_inject_exception(struct svm_vcpu *svm, u8 vector, bool has_err,
			  u32 err)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT | vector |
		       (has_err ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = err;
}

/* Step over the intercepted instruction: `len` bytes after its prefixes. */
static void svm_skip(struct hvmod_vcpu *vcpu, unsigned int len)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 rip = vmcb->save.rip, next = vmcb->control.next_rip;

	/* trust next_rip only where it can be right: TCG writes odd ones */
	if (boot_cpu_has(X86_FEATURE_NRIPS) && next > rip && next - rip <= 15)
		vmcb->save.rip = next;
	else
		vmcb->save.rip = rip + x86_prefix_len(vcpu, &svm_x86_ops) +
				 len;
	vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

static int svm_internal_error(struct hvmod_vcpu *vcpu, u32 suberror)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 4;
	run->internal.data[0] = c->exit_code;
	run->internal.data[1] = c->exit_info_1;
	run->internal.data[2] = c->exit_info_2;
	run->internal.data[3] = to_svm(vcpu)->vmcb->save.rip;
	return 0;
}

/*
 * An event whose delivery was cut short by the exit (say, a guest #PF
 * whose IDT page faulted in stage-2) is delivered again on reentry.
 * Software interrupts and INT3/INTO are simply executed again.
 */
static void svm_reinject(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 eii = c->exit_int_info, type = eii & SVM_EXITINTINFO_TYPE_MASK;
	u8 vec = eii & SVM_EXITINTINFO_VEC_MASK;

	if (!(eii & SVM_EXITINTINFO_VALID))
		return;
	if (type == SVM_EXITINTINFO_TYPE_SOFT ||
	    (type == SVM_EXITINTINFO_TYPE_EXEPT && (vec == 3 || vec == 4)))
		return;
	c->event_inj = eii;
	c->event_inj_err = c->exit_int_info_err;
}

static int svm_exit_io(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct kvm_run *run = vcpu->run;
	u32 info = c->exit_info_1;
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	bool in = info & SVM_IOIO_TYPE_MASK;

	if (info & SVM_IOIO_STR_MASK) {
		u8 asize = (info & SVM_IOIO_ASIZE_MASK) >> SVM_IOIO_ASIZE_SHIFT;

		/*
		 * A16/A32/A64 bits (QEMU TCG sets none: 0, the instruction
		 * is decoded anyway); EXITINFO2 is the next RIP
		 */
		asize = asize == 4 ? 8 : asize == 2 ? 4 : asize == 1 ? 2 : 0;
		return x86_emulate_string_io(vcpu, &svm_x86_ops, info >> 16,
					     size, in, info & SVM_IOIO_REP_MASK,
					     asize, c->exit_info_2);
	}

	if (x86_pio_kernel(vcpu, info >> 16, size, in)) {
		svm->vmcb->save.rip = c->exit_info_2;
		c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
		return 1;
	}
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = info >> 16;
	run->io.count = 1;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (in)
		svm->x.pio_in_size = size;
	else
		memcpy(page_address(vcpu->pio_page), &svm->x.gpr[X86_RAX],
		       size);
	/* EXITINFO2 is the next RIP for IOIO intercepts */
	svm->vmcb->save.rip = c->exit_info_2;
	c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	return 0;
}

static int svm_exit_cpuid(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	unsigned long *gpr = svm->x.gpr;
	u32 out[4];

	x86_guest_cpuid(&svm->x, svm->vmcb->save.cr4, gpr[X86_RAX],
			gpr[X86_RCX], out);
	gpr[X86_RAX] = out[0];
	gpr[X86_RBX] = out[1];
	gpr[X86_RCX] = out[2];
	gpr[X86_RDX] = out[3];
	svm_skip(vcpu, 2);
	return 1;
}

static int svm_exit_msr(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	unsigned long *gpr = svm->x.gpr;
	u32 index = gpr[X86_RCX];
	u64 data;
	int r;

	if (svm->vmcb->control.exit_info_1) {
		data = (u32)gpr[X86_RAX] | (u64)gpr[X86_RDX] << 32;
		r = x86_guest_wrmsr(vcpu, &svm_x86_ops, index, data);
	} else {
		r = x86_get_msr(vcpu, &svm_x86_ops, index, &data);
		if (!r) {
			gpr[X86_RAX] = (u32)data;
			gpr[X86_RDX] = data >> 32;
		}
	}
	if (r) {
		svm_inject_exception(svm, X86_TRAP_GP, true, 0);
		return 1;
	}
	svm_skip(vcpu, 2);
	return 1;
}

/* XSETBV (0f 01 d1): the guest's XCR0, or #GP as the CPU would raise it. */
static int svm_exit_xsetbv(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (x86_emulate_xsetbv(&svm->x, svm->vmcb->save.cpl))
		svm_inject_exception(svm, X86_TRAP_GP, true, 0);
	else
		svm_skip(vcpu, 3);
	return 1;
}

static int svm_exit_npf(struct hvmod_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u64 err = c->exit_info_1, gpa = c->exit_info_2;
	int r;

	if (err & PFERR_RSVD)
		return svm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	r = hvmod_s2_fault(vcpu->vm, gpa, err & PFERR_WRITE,
			   err & PFERR_PRESENT);
	if (r)
		return r;
	return x86_emulate_mmio(vcpu, &svm_x86_ops, gpa);
}

/* VMRUN refused the guest state: report it as entered (see entry_save). */
static int svm_entry_failed(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct kvm_run *run = vcpu->run;

	vmcb->save = svm->entry_save;
	vmcb->control.int_ctl = svm->entry_int_ctl;
	vmcb->control.exit_int_info = 0;
	svm->x.gpr[X86_RAX] = vmcb->save.rax;
	svm->x.gpr[X86_RSP] = vmcb->save.rsp;
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = vmcb->control.exit_code;
	run->fail_entry.cpu = svm->last_cpu;
	svm_fill_run_state(vcpu);
	return 0;
}

int svm_handle_exit(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct kvm_run *run = vcpu->run;
	int r;

	if (c->exit_code == SVM_EXIT_ERR)
		return svm_entry_failed(vcpu);
	svm_reinject(svm);
	svm_nmi_exit(svm);

	switch (c->exit_code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		return 1;	/* the host handled it once IRQs were on */
	case SVM_EXIT_VINTR:
		svm_set_vintr(svm, false);
		return 1;	/* svm_prepare_irq() injects or reports */
	case SVM_EXIT_IRET:
		return svm_exit_iret(svm);
	case SVM_EXIT_CPUID:
		return svm_exit_cpuid(vcpu);
	case SVM_EXIT_MSR:
		return svm_exit_msr(vcpu);
	case SVM_EXIT_XSETBV:
		return svm_exit_xsetbv(vcpu);
	case SVM_EXIT_NPF:
		r = svm_exit_npf(vcpu);
		break;
	case SVM_EXIT_IOIO:
		r = svm_exit_io(vcpu);
		break;
	case SVM_EXIT_HLT:
		svm_skip(vcpu, 1);
		if (svm->x.apic)
			return x86_irqchip_hlt(vcpu);
		run->exit_reason = KVM_EXIT_HLT;
		r = 0;
		break;
	case SVM_EXIT_SHUTDOWN:
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		r = 0;
		break;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
		svm_inject_exception(svm, X86_TRAP_AC, true, 0);
		return 1;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		if (svm_nmi_step_done(svm))
			return 1;
		svm_inject_exception(svm, X86_TRAP_DB, false, 0);
		return 1;
	case SVM_EXIT_PAUSE:	/* a spinning guest: let the host breathe */
		svm_skip(vcpu, 1);
		return 1;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR7:
		return x86_emulate_mov_dr(vcpu, &svm_x86_ops);
	case SVM_EXIT_INVD:	/* never let a guest drop host cache lines */
	case SVM_EXIT_WBINVD:	/* nor stall the host flushing them */
		svm_skip(vcpu, 2);
		return 1;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMMCALL:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_RSM:
		/* not offered by the guest's CPUID */
		svm_inject_exception(svm, X86_TRAP_UD, false, 0);
		return 1;
	default:
		r = svm_internal_error(vcpu,
				       KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
		break;
	}
	if (!r)
		svm_fill_run_state(vcpu);
	return r;
}

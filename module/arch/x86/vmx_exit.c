// SPDX-License-Identifier: GPL-2.0
/*
 * VMX exits: decoded into KVM exits for userspace, or handled here when
 * they need no device model (CPUID, MSRs, control registers, stage-2
 * faults on guest RAM, host interrupts).  Returns > 0 to reenter, 0 for
 * userspace, < 0 error.  Runs preemptible, after vmx_read_exit() took
 * what the exit left in the VMCS; VMCS accesses go through
 * vmx_vmcs_get()/vmx_vmcs_put().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include "vmx.h"

/* Exit qualification of I/O instructions. */
#define IO_SIZE_MASK	7
#define IO_IN		BIT(3)
#define IO_STRING	BIT(4)
#define IO_REP		BIT(5)
#define IO_PORT_SHIFT	16

#define EXIT_REASON_GETSEC	11	/* not in <uapi/asm/vmx.h> */

bool vmx_interrupt_allowed(struct vmx_vcpu *vmx)
{
	return (vmx->rflags & X86_EFLAGS_IF) &&
	       !(vmx->intr_state & (GUEST_INTR_STATE_STI |
				    GUEST_INTR_STATE_MOV_SS)) &&
	       !(vmx->inject_info & INTR_INFO_VALID_MASK);
}

/* What KVM reports on every exit to userspace. */
void vmx_fill_run_state(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;

	run->flags = 0;
	run->if_flag = !!(vmx->rflags & X86_EFLAGS_IF);
	run->cr8 = vmx->cr8;
	run->apic_base = vmx->x.apic_base;
	run->ready_for_interrupt_injection = vmx->x.pending_irq < 0 &&
					     vmx_interrupt_allowed(vmx);
}

/* A hardware exception; error codes exist only in protected mode. */
void vmx_inject_exception(struct vmx_vcpu *vmx, u8 vector, bool has_err,
			  u32 err)
{
	u32 info = INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION | vector;

	if (has_err && (vmx->cr0 & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmx->inject_err = err;
	}
	vmx->inject_info = info;
}

/* Past the exiting instruction; it ends STI and MOV SS blocking. */
static void vmx_skip(struct vmx_vcpu *vmx)
{
	vmx->rip += vmx->exit.insn_len;
	vmx->intr_state &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
}

static int vmx_internal_error(struct hvmod_vcpu *vcpu, u32 suberror)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 4;
	run->internal.data[0] = vmx->exit.reason;
	run->internal.data[1] = vmx->exit.qual;
	run->internal.data[2] = vmx->exit.gpa;
	run->internal.data[3] = vmx->rip;
	return 0;
}

/*
 * An event whose delivery was cut short by the exit (say, a guest #PF
 * whose IDT page faulted in stage-2) is delivered again on reentry.
 * Software interrupts and exceptions (INT n, INT3, INTO, INT1) are
 * executed again instead: RIP still points at the instruction.
 */
static void vmx_reinject(struct vmx_vcpu *vmx)
{
	u32 info = vmx->exit.idt_info, type = info & INTR_INFO_INTR_TYPE_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		return;
	vmx->inject_info = info & (INTR_INFO_VALID_MASK |
				   INTR_INFO_INTR_TYPE_MASK |
				   INTR_INFO_DELIVER_CODE_MASK |
				   INTR_INFO_VECTOR_MASK);
	vmx->inject_err = vmx->exit.idt_err;
}

/* An intercepted guest exception (#AC, #DB) goes back to the guest. */
static int vmx_exit_exception(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->exit.intr_info, type = info & INTR_INFO_INTR_TYPE_MASK;
	u8 vec = info & INTR_INFO_VECTOR_MASK;

	if (type == INTR_TYPE_NMI_INTR)
		return 1;	/* the host's, handled in vmx_read_exit() */
	if (type == INTR_TYPE_HARD_EXCEPTION &&
	    (vec == X86_TRAP_AC || vec == X86_TRAP_DB)) {
		vmx->inject_info = info & (INTR_INFO_VALID_MASK |
					   INTR_INFO_INTR_TYPE_MASK |
					   INTR_INFO_DELIVER_CODE_MASK |
					   INTR_INFO_VECTOR_MASK);
		vmx->inject_err = vmx->exit.intr_err;
		return 1;
	}
	if (type == INTR_TYPE_PRIV_SW_EXCEPTION && vec == X86_TRAP_DB) {
		/* INT1 (ICEBP): deliver it as the instruction would */
		vmx->inject_info = info & (INTR_INFO_VALID_MASK |
					   INTR_INFO_INTR_TYPE_MASK |
					   INTR_INFO_VECTOR_MASK);
		vmx->inject_len = vmx->exit.insn_len;
		return 1;
	}
	return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}

/* The address size of a string I/O instruction. */
static u8 vmx_io_asize(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_sregs s;
	u32 info;

	if (vmx_cfg.basic & VMX_BASIC_INOUT) {
		vmx_vmcs_get(vmx);
		info = vmcs_read32(VMX_INSTRUCTION_INFO);
		vmx_vmcs_put();
		return 2 << ((info >> 7) & 3);		/* 0: 16, 1: 32, 2: 64 */
	}
	/* no instruction information: the mode's default (no 0x67 prefix) */
	vmx_x86_ops.get_sregs(vcpu, &s);
	if ((s.efer & EFER_LMA) && s.cs.l)
		return 8;
	return s.cs.db ? 4 : 2;
}

static int vmx_exit_io(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;
	u64 q = vmx->exit.qual;
	u8 size = (q & IO_SIZE_MASK) + 1;
	bool in = q & IO_IN;
	u16 port = q >> IO_PORT_SHIFT;

	if (q & IO_STRING)
		return x86_emulate_string_io(vcpu, &vmx_x86_ops, port, size, in,
					     q & IO_REP, vmx_io_asize(vcpu),
					     vmx->rip + vmx->exit.insn_len);

	if (x86_pio_kernel(vcpu, port, size, in)) {
		vmx_skip(vmx);
		return 1;
	}
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (in)
		vmx->x.pio_in_size = size;
	else
		memcpy(page_address(vcpu->pio_page), &vmx->x.gpr[X86_RAX],
		       size);
	vmx_skip(vmx);
	return 0;
}

static int vmx_exit_cpuid(struct vmx_vcpu *vmx)
{
	unsigned long *gpr = vmx->x.gpr;
	u32 out[4];

	x86_guest_cpuid(&vmx->x, vmx->cr4, gpr[X86_RAX], gpr[X86_RCX], out);
	gpr[X86_RAX] = out[0];
	gpr[X86_RBX] = out[1];
	gpr[X86_RCX] = out[2];
	gpr[X86_RDX] = out[3];
	vmx_skip(vmx);
	return 1;
}

/* XSETBV: the guest's XCR0, or #GP as the CPU would raise it. */
static int vmx_exit_xsetbv(struct vmx_vcpu *vmx)
{
	u32 ss_ar;

	vmx_vmcs_get(vmx);
	ss_ar = vmcs_read32(GUEST_SS_AR_BYTES);
	vmx_vmcs_put();
	if (x86_emulate_xsetbv(&vmx->x, (ss_ar >> 5) & 3))	/* SS.DPL is the CPL */
		vmx_inject_exception(vmx, X86_TRAP_GP, true, 0);
	else
		vmx_skip(vmx);
	return 1;
}

static int vmx_exit_msr(struct hvmod_vcpu *vcpu, bool write)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long *gpr = vmx->x.gpr;
	u32 index = gpr[X86_RCX];
	u64 data;
	int r;

	if (write) {
		data = (u32)gpr[X86_RAX] | (u64)gpr[X86_RDX] << 32;
		r = x86_guest_wrmsr(vcpu, &vmx_x86_ops, index, data);
	} else {
		r = x86_get_msr(vcpu, &vmx_x86_ops, index, &data);
		if (!r) {
			gpr[X86_RAX] = (u32)data;
			gpr[X86_RDX] = data >> 32;
		}
	}
	if (r) {
		vmx_inject_exception(vmx, X86_TRAP_GP, true, 0);
		return 1;
	}
	vmx_skip(vmx);
	return 1;
}

/* 64-bit mode: MOV to/from CR uses all 64 bits of the register. */
static bool vmx_64bit_mode(struct vmx_vcpu *vmx)
{
	u32 ar;

	if (!(vmx->efer & EFER_LMA))
		return false;
	vmx_vmcs_get(vmx);
	ar = vmcs_read32(GUEST_CS_AR_BYTES);
	vmx_vmcs_put();
	return ar & VMX_AR_L_MASK;
}

/* MOV to/from CR0, CR3, CR4, CR8; CLTS; LMSW. */
static int vmx_exit_cr(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 q = vmx->exit.qual;
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	unsigned long *gpr = vmx->x.gpr, val;
	int r = 0;

	switch (type) {
	case 0:		/* MOV to CR */
		val = gpr[reg];
		if (!vmx_64bit_mode(vmx))
			val = (u32)val;
		switch (cr) {
		case 0:
			r = vmx_set_cr0(vcpu, val);
			break;
		case 3:
			r = vmx_set_cr3(vcpu, val);
			break;
		case 4:
			r = vmx_set_cr4(vcpu, val);
			break;
		case 8:
			if (val & ~0xfUL)
				r = -EINVAL;
			else
				vmx->cr8 = val;
			break;
		default:
			return vmx_internal_error(vcpu,
					KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
		}
		break;
	case 1:		/* MOV from CR */
		if (cr == 8) {
			val = vmx->cr8;
		} else if (cr == 3) {
			vmx_vmcs_get(vmx);
			val = vmcs_read(GUEST_CR3);
			vmx_vmcs_put();
		} else {
			return vmx_internal_error(vcpu,
					KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
		}
		gpr[reg] = vmx_64bit_mode(vmx) ? val : (u32)val;
		break;
	case 2:		/* CLTS */
		r = vmx_set_cr0(vcpu, vmx->cr0 & ~X86_CR0_TS);
		break;
	case 3:		/* LMSW: loads PE, MP, EM, TS; cannot clear PE */
		val = (q >> LMSW_SOURCE_DATA_SHIFT) & 0xf;
		r = vmx_set_cr0(vcpu, (vmx->cr0 & ~0xeUL) | val);
		break;
	}
	if (r) {
		vmx_inject_exception(vmx, X86_TRAP_GP, true, 0);
		return 1;
	}
	vmx_skip(vmx);
	return 1;
}

static int vmx_exit_ept_violation(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 gpa = vmx->exit.gpa;
	int r;

	/* bits 5:3: what the EPT entry allowed; all clear = not present */
	r = hvmod_s2_fault(vcpu->vm, gpa,
			   vmx->exit.qual & EPT_VIOLATION_ACC_WRITE,
			   vmx->exit.qual & EPT_VIOLATION_RWX_MASK);
	if (r)
		return r;
	/* outside every memory slot: MMIO */
	return x86_emulate_mmio(vcpu, &vmx_x86_ops, gpa);
}

static int vmx_fail_entry(struct hvmod_vcpu *vcpu, u64 reason)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = vmx->last_cpu;
	return 0;
}

static int vmx_dispatch(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_exit *e = &vmx->exit;
	struct kvm_run *run = vcpu->run;

	if (e->vmfail) {
		hvmod_reject("VM entry failed: VM-instruction error %u",
			     e->insn_error);
		return vmx_fail_entry(vcpu, e->insn_error);
	}
	if (e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		hvmod_reject("VM entry failed: exit reason 0x%x, qualification 0x%llx",
			     e->reason, e->qual);
		return vmx_fail_entry(vcpu, e->reason);
	}

	vmx_reinject(vmx);
	vmx_nmi_exit(vmx);

	switch (e->reason & 0xffff) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:	/* the slice is over */
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_SIPI_SIGNAL:
		return 1;	/* the host handled it once IRQs were on */
	case EXIT_REASON_EXCEPTION_NMI:
		return vmx_exit_exception(vcpu);
	case EXIT_REASON_INTERRUPT_WINDOW:
		vmx->proc_ctl &= ~CPU_BASED_INTR_WINDOW_EXITING;
		return 1;	/* vmx_prepare_irq() injects or reports */
	case EXIT_REASON_NMI_WINDOW:
		vmx->proc_ctl &= ~CPU_BASED_NMI_WINDOW_EXITING;
		return 1;	/* vmx_prepare_nmi() injects */
	case EXIT_REASON_CPUID:
		return vmx_exit_cpuid(vmx);
	case EXIT_REASON_MSR_READ:
		return vmx_exit_msr(vcpu, false);
	case EXIT_REASON_MSR_WRITE:
		return vmx_exit_msr(vcpu, true);
	case EXIT_REASON_CR_ACCESS:
		return vmx_exit_cr(vcpu);
	case EXIT_REASON_EPT_VIOLATION:
		return vmx_exit_ept_violation(vcpu);
	case EXIT_REASON_IO_INSTRUCTION:
		return vmx_exit_io(vcpu);
	case EXIT_REASON_HLT:
		vmx_skip(vmx);
		if (vmx->x.apic)
			return x86_irqchip_hlt(vcpu);
		run->exit_reason = KVM_EXIT_HLT;
		return 0;
	case EXIT_REASON_TRIPLE_FAULT:
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		return 0;
	case EXIT_REASON_XSETBV:
		return vmx_exit_xsetbv(vmx);
	case EXIT_REASON_DR_ACCESS:
		return x86_emulate_mov_dr(vcpu, &vmx_x86_ops);
	case EXIT_REASON_INVD:		/* never let a guest drop host cache lines */
	case EXIT_REASON_WBINVD:	/* nor stall the host flushing them */
		vmx_skip(vmx);
		return 1;
	case EXIT_REASON_RDPMC:		/* no performance counters */
		vmx_inject_exception(vmx, X86_TRAP_GP, true, 0);
		return 1;
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_GETSEC:
		/* not offered by the guest's CPUID */
		vmx_inject_exception(vmx, X86_TRAP_UD, false, 0);
		return 1;
	case EXIT_REASON_EPT_MISCONFIG:
		return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	default:
		return vmx_internal_error(vcpu,
					  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
	}
}

int vmx_handle_exit(struct hvmod_vcpu *vcpu)
{
	int r = vmx_dispatch(vcpu);

	if (!r)
		vmx_fill_run_state(vcpu);
	return r;
}

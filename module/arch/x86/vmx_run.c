// SPDX-License-Identifier: GPL-2.0
/*
 * VMX guest entry: one KVM_RUN step from the VMCS's entry fields to the
 * exit's fields.  The state VMX does not switch (the syscall MSRs, the
 * data segments, LDT, TR and GDT limits, DEBUGCTL, CR2) is switched here
 * by hand around VMLAUNCH/VMRESUME; vmx_exit.c handles the exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/mmu_context.h>
#include <asm/msr-index.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include "vmx.h"

/* KVM_RUN begins: the guest FPU, and the task state VM exits clobber. */
void vmx_vcpu_load(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	x86_vcpu_load(&vmx->x);
	savesegment(ds, vmx->task.ds);
	savesegment(es, vmx->task.es);
	savesegment(fs, vmx->task.fs);
	savesegment(gs, vmx->task.gs);
	store_ldt(vmx->task.ldt);
	rdmsrl(MSR_FS_BASE, vmx->task.fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->task.kernel_gs_base);
	/* VM exits clear it; not every CPU model has it (Bochs) */
	vmx->task.debugctl = 0;
	if (vmx_cfg.has_debugctl)
		rdmsrl(MSR_IA32_DEBUGCTLMSR, vmx->task.debugctl);
}

void vmx_vcpu_put(struct hvmod_vcpu *vcpu)
{
	/* also after EINTR: ready_for_interrupt_injection must be current */
	vmx_fill_run_state(vcpu);
	x86_vcpu_put(&to_vmx(vcpu)->x);
}

/*
 * Inject a pending NMI, else the KVM_INTERRUPT vector, or open an
 * interrupt window.
 */
static bool vmx_prepare_irq(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_prepare_nmi(vmx);
	/* the in-kernel LAPIC's interrupt, once the guest can take it */
	if (vmx->x.pending_irq < 0 && x86_lapic_irq_ready(&vmx->x)) {
		if (vmx_interrupt_allowed(vmx))
			vmx->x.pending_irq = x86_lapic_accept(&vmx->x);
		else
			vmx->proc_ctl |= CPU_BASED_INTR_WINDOW_EXITING;
	}
	if (vmx->x.pending_irq >= 0) {
		if (vmx_interrupt_allowed(vmx)) {
			vmx->inject_info = INTR_INFO_VALID_MASK |
					   INTR_TYPE_EXT_INTR |
					   vmx->x.pending_irq;
			vmx->x.pending_irq = -1;
		} else {
			vmx->proc_ctl |= CPU_BASED_INTR_WINDOW_EXITING;
		}
	} else if (vcpu->run->request_interrupt_window) {
		if (vmx_interrupt_allowed(vmx)) {
			vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
			vmx_fill_run_state(vcpu);
			return false;
		}
		vmx->proc_ctl |= CPU_BASED_INTR_WINDOW_EXITING;
	}
	return true;
}

/* The guest state kept in software, into the VMCS (current). */
static void vmx_write_entry_state(struct vmx_vcpu *vmx)
{
	u32 info = vmx->inject_info;

	vmcs_write(GUEST_RIP, vmx->rip);
	vmcs_write(GUEST_RSP, vmx->x.gpr[X86_RSP]);
	vmcs_write(GUEST_RFLAGS, vmx->rflags);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vmx->intr_state);
	if (vmx->proc_ctl != vmx->proc_ctl_vmcs) {
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc_ctl);
		vmx->proc_ctl_vmcs = vmx->proc_ctl;
	}
	if (vmx->entry_ctl != vmx->entry_ctl_vmcs) {
		vmcs_write(VM_ENTRY_CONTROLS, vmx->entry_ctl);
		vmx->entry_ctl_vmcs = vmx->entry_ctl;
	}
	if (info & INTR_INFO_VALID_MASK) {
		/* the CPU clears the valid bit on every VM exit */
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
		if (info & INTR_INFO_DELIVER_CODE_MASK)
			vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
				   vmx->inject_err);
		if ((info & INTR_INFO_INTR_TYPE_MASK) >= INTR_TYPE_SOFT_INTR)
			vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vmx->inject_len);
		vmx->inject_info = 0;
	}
}

/* Host state that follows the task or the CPU's current settings. */
static void vmx_write_host_state(struct vmx_vcpu *vmx)
{
	unsigned long cr3 = __get_current_cr3_fast(), cr4 = cr4_read_shadow();
	u16 fs = (vmx->task.fs & 7) ? 0 : vmx->task.fs;
	u16 gs = (vmx->task.gs & 7) ? 0 : vmx->task.gs;

	if (unlikely(cr3 != vmx->host_cr3)) {
		vmcs_write(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (unlikely(cr4 != vmx->host_cr4)) {
		vmcs_write(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
	if (unlikely(vmx->task.fs_base != vmx->host_fs_base)) {
		vmcs_write(HOST_FS_BASE, vmx->task.fs_base);
		vmx->host_fs_base = vmx->task.fs_base;
	}
	if (unlikely(fs != vmx->host_fs_sel)) {
		vmcs_write(HOST_FS_SELECTOR, fs);
		vmx->host_fs_sel = fs;
	}
	if (unlikely(gs != vmx->host_gs_sel)) {
		vmcs_write(HOST_GS_SELECTOR, gs);
		vmx->host_gs_sel = gs;
	}
}

/*
 * The syscall MSRs are not switched by the VMCS.  Only a guest in long
 * mode can use them (SYSCALL in 64-bit mode on Intel, SWAPGS), and every
 * RDMSR/WRMSR of them exits, so they are loaded only for such a guest.
 */
static void vmx_load_guest_msrs(struct vmx_vcpu *vmx)
{
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	wrmsrl(MSR_STAR, vmx->star);
	wrmsrl(MSR_LSTAR, vmx->lstar);
	wrmsrl(MSR_CSTAR, vmx->cstar);
	wrmsrl(MSR_SYSCALL_MASK, vmx->sfmask);
}

static void vmx_load_host_msrs(struct vmx_vcpu *vmx)
{
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);	/* SWAPGS */
	wrmsrl(MSR_STAR, vmx_cfg.host_star);
	wrmsrl(MSR_LSTAR, vmx_cfg.host_lstar);
	wrmsrl(MSR_CSTAR, vmx_cfg.host_cstar);
	wrmsrl(MSR_SYSCALL_MASK, vmx_cfg.host_sfmask);
}

/* After a VM exit: segment registers, LDT, TR limit and GDT limit. */
static void vmx_restore_host_segments(struct vmx_vcpu *vmx, bool guest_msrs)
{
	if (unlikely(vmx->task.ds | vmx->task.es)) {
		loadsegment(ds, vmx->task.ds);
		loadsegment(es, vmx->task.es);
	}
	if (unlikely(vmx->task.fs & 7))
		loadsegment(fs, vmx->task.fs);
	if (unlikely(vmx->task.ldt || (vmx->task.gs & 7))) {
		asm volatile("lldt %0" : : "rm" (vmx->task.ldt));
		load_gs_index(vmx->task.gs);
		guest_msrs = true;	/* the user GS base is reloaded below */
	}
	if (guest_msrs)
		wrmsrl(MSR_KERNEL_GS_BASE, vmx->task.kernel_gs_base);
	/* VM exits set the TR limit to 0x67 and the GDT limit to 0xffff */
	invalidate_tss_limit();
	load_fixmap_gdt(smp_processor_id());
}

/* Right after the exit, IRQs still off: what the handlers need. */
static void vmx_read_exit(struct vmx_vcpu *vmx)
{
	struct vmx_exit *e = &vmx->exit;
	u32 basic;

	e->vmfail = false;
	e->reason = vmcs_read32(VM_EXIT_REASON);
	basic = e->reason & 0xffff;
	e->qual = vmcs_read(EXIT_QUALIFICATION);
	e->idt_info = 0;
	e->intr_info = 0;
	if (e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		/*
		 * The guest state was not (fully) loaded: nothing of it
		 * changed.  VMCLEAR resets the launch state, whatever the
		 * failed VMLAUNCH left.
		 */
		vmcs_clear(vmx->vmcs_pa);
		vmcs_load(vmx->vmcs_pa);
		vmx->launched = false;
		return;
	}
	vmx->launched = true;
	if (basic == EXIT_REASON_EXCEPTION_NMI) {
		e->intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
		/* a host NMI: the host's handler, NMIs still blocked */
		if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) ==
		    INTR_TYPE_NMI_INTR)
			asm volatile("int $2");
		else if (e->intr_info & INTR_INFO_DELIVER_CODE_MASK)
			e->intr_err = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
	}
	e->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	e->idt_info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	if (e->idt_info & VECTORING_INFO_DELIVER_CODE_MASK)
		e->idt_err = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	if (basic == EXIT_REASON_EPT_VIOLATION ||
	    basic == EXIT_REASON_EPT_MISCONFIG)
		e->gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	vmx->rip = vmcs_read(GUEST_RIP);
	vmx->x.gpr[X86_RSP] = vmcs_read(GUEST_RSP);
	vmx->rflags = vmcs_read(GUEST_RFLAGS);
	vmx->intr_state = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
}

/* One entry, IRQs off, the VMCS current on this CPU. */
static void vmx_enter(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	bool guest_msrs = vmx->efer & EFER_LMA;
	int r;

	vmx_write_host_state(vmx);
	ept_tlb_prepare(&vmx->tlb, vmx->eptp, vmx->vpid,
			atomic64_read(&vcpu->vm->tlb_gen));
	vmx->last_cpu = smp_processor_id();
	if (guest_msrs)
		vmx_load_guest_msrs(vmx);
	if (vmx->cr2 != native_read_cr2())
		native_write_cr2(vmx->cr2);

	r = vmx_vmenter(vmx->x.gpr, vmx->launched);

	vmx->cr2 = native_read_cr2();
	/* VM exits clear DEBUGCTL and set DR7 to 0x400 */
	if (vmx->task.debugctl)
		update_debugctlmsr(vmx->task.debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (guest_msrs)
		vmx_load_host_msrs(vmx);
	vmx_restore_host_segments(vmx, guest_msrs);

	if (r) {
		vmx->exit.vmfail = true;
		vmx->exit.insn_error = r == 1 ? vmcs_insn_error() : 0;
		return;
	}
	vmx_read_exit(vmx);
}

int vmx_vcpu_run(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int r;

	r = x86_irqchip_before_entry(vcpu, &vmx_x86_ops);
	if (r <= 0)
		return r;
	if (!vmx_prepare_irq(vcpu))
		return 0;

	vmx_vmcs_get(vmx);
	vmx_write_entry_state(vmx);
	local_irq_disable();
	if (unlikely(!hvmod_cpu_virt_on() ||
		     READ_ONCE(vmx->cpu) != smp_processor_id())) {
		/* VMX went off under us: a reboot is in progress */
		local_irq_enable();
		vmx_vmcs_put();
		return -EIO;
	}
	if (!x86_enter_ok(&vmx->x)) {
		local_irq_enable();
		vmx_vmcs_put();
		return 1;	/* the run loop handles the signal or resched */
	}
	vmx_enter(vcpu);
	x86_after_exit(&vmx->x);
	local_irq_enable();	/* host interrupts that exited run here */
	vmx_vmcs_put();
	return vmx_handle_exit(vcpu);
}

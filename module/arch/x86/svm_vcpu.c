// SPDX-License-Identifier: GPL-2.0
/*
 * SVM vCPUs: the VMCB (reset state as KVM sets it), the state the shared
 * x86 code reads and writes, and one guest entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": svm: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include "svm.h"

DECLARE_PER_CPU(struct page *, svm_host_area);

static const u32 svm_intercepts[] = {
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
	INTERCEPT_RSM, INTERCEPT_INVD, INTERCEPT_WBINVD, INTERCEPT_HLT,
	INTERCEPT_INVLPGA,
	INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_TASK_SWITCH,
	INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN, INTERCEPT_VMMCALL,
	INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI,
	INTERCEPT_SKINIT, INTERCEPT_MONITOR, INTERCEPT_MWAIT,
	INTERCEPT_XSETBV, INTERCEPT_RDPRU,
};

static void svm_seg_reset(struct vmcb_seg *s, u16 attrib)
{
	s->selector = 0;
	s->base = 0;
	s->limit = 0xffff;
	s->attrib = attrib;
}

/* The architectural reset state (as KVM's init_vmcb) and hvmod's controls. */
static void svm_init_vmcb(struct svm_vcpu *svm, struct hvmod_vm *vm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct vmcb_save_area *s = &svm->vmcb->save;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(svm_intercepts); i++)
		vmcb_set_intercept(c, svm_intercepts[i]);
	c->tsc_offset = ((struct x86_vm *)vm->arch)->tsc_offset;
	/* Debug registers are not switched yet: keep the guest off them. */
	for (i = INTERCEPT_DR0_READ; i <= INTERCEPT_DR7_WRITE; i++)
		vmcb_set_intercept(c, i);
	/*
	 * A guest looping on #AC or #DB would never leave the CPU (the
	 * "benign exception" loops KVM also guards against): intercept both
	 * and hand them back to the guest.
	 */
	vmcb_set_intercept(c, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_AC);
	vmcb_set_intercept(c, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB);
	/*
	 * PAUSE exits only after the CPU's filter count (KVM's pause-loop
	 * exiting): a guest spinning on a lock gives the CPU back.  Without
	 * a filter (QEMU TCG) PAUSE is not intercepted, as in KVM: an exit
	 * per PAUSE makes every spin loop an exit storm, and host interrupts
	 * end the guest's run anyway (INTR intercept).
	 */
	if (boot_cpu_has(X86_FEATURE_PAUSEFILTER)) {
		vmcb_set_intercept(c, INTERCEPT_PAUSE);
		c->pause_filter_count = 3000;
	}
	c->iopm_base_pa = svm_iopm_pa;
	c->msrpm_base_pa = svm_msrpm_pa;
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = vm->s2.root_pa;

	svm_seg_reset(&s->cs, 0x9b);
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	svm_seg_reset(&s->ds, 0x93);
	svm_seg_reset(&s->es, 0x93);
	svm_seg_reset(&s->ss, 0x93);
	svm_seg_reset(&s->fs, 0x93);
	svm_seg_reset(&s->gs, 0x93);
	svm_seg_reset(&s->ldtr, 0x82);
	svm_seg_reset(&s->tr, 0x83);
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	s->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	s->efer = EFER_SVME;
	s->rflags = X86_EFLAGS_FIXED;
	s->rip = 0xfff0;
	s->dr6 = 0xffff0ff0;		/* DR6 at reset */
	s->dr7 = 0x400;			/* DR7 at reset */
	s->g_pat = 0x0007040600070406ULL;	/* PAT at reset */
}

int svm_vcpu_init(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	int r;

	if (!svm)
		return -ENOMEM;
	vcpu->arch = svm;
	svm->asid.cpu = -1;
	svm->last_cpu = -1;
	r = x86_vcpu_init(&svm->x, vcpu);
	if (r)
		return r;
	svm->vmcb_page = hvmod_ctl_page_alloc(NUMA_NO_NODE);
	if (!svm->vmcb_page)
		return -ENOMEM;
	svm->vmcb = page_address(svm->vmcb_page);
	svm->vmcb_pa = page_to_phys(svm->vmcb_page);
	svm_init_vmcb(svm, vcpu->vm);
	return 0;
}

/* Also undoes a failed svm_vcpu_init(). */
void svm_vcpu_destroy(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->arch;

	if (!svm)
		return;
	x86_vcpu_destroy(&svm->x);
	hvmod_ctl_page_free(svm->vmcb_page);
	kfree(svm);
	vcpu->arch = NULL;
}

static u64 svm_get_rip(struct hvmod_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rip;
}

static void svm_set_rip(struct hvmod_vcpu *vcpu, u64 rip)
{
	to_svm(vcpu)->vmcb->save.rip = rip;
}

/* hvmod's TF for a step over an IRET (svm_prepare_nmi()) stays hidden */
static u64 svm_get_rflags(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 rflags = svm->vmcb->save.rflags;

	if (svm->nmi_step && !svm->step_tf)
		rflags &= ~X86_EFLAGS_TF;
	return rflags;
}

static void svm_set_rflags(struct hvmod_vcpu *vcpu, u64 rflags)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (svm->nmi_step) {
		svm->step_tf = rflags & X86_EFLAGS_TF;
		rflags |= X86_EFLAGS_TF;
	}
	svm->vmcb->save.rflags = rflags;
}

static void svm_get_sregs(struct hvmod_vcpu *vcpu, struct kvm_sregs *s)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *v = &vmcb->save;

	vmcb_get_seg(&v->cs, &s->cs);
	vmcb_get_seg(&v->ds, &s->ds);
	vmcb_get_seg(&v->es, &s->es);
	vmcb_get_seg(&v->fs, &s->fs);
	vmcb_get_seg(&v->gs, &s->gs);
	vmcb_get_seg(&v->ss, &s->ss);
	vmcb_get_seg(&v->tr, &s->tr);
	vmcb_get_seg(&v->ldtr, &s->ldt);
	s->gdt.base = v->gdtr.base;
	s->gdt.limit = v->gdtr.limit;
	s->idt.base = v->idtr.base;
	s->idt.limit = v->idtr.limit;
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
	s->efer = v->efer & ~EFER_SVME;
}

static void svm_set_sregs(struct hvmod_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *v = &vmcb->save;

	vmcb_set_seg(&v->cs, &s->cs);
	vmcb_set_seg(&v->ds, &s->ds);
	vmcb_set_seg(&v->es, &s->es);
	vmcb_set_seg(&v->fs, &s->fs);
	vmcb_set_seg(&v->gs, &s->gs);
	vmcb_set_seg(&v->ss, &s->ss);
	vmcb_set_seg(&v->tr, &s->tr);
	vmcb_set_seg(&v->ldtr, &s->ldt);
	v->gdtr.base = s->gdt.base;
	v->gdtr.limit = s->gdt.limit;
	v->idtr.base = s->idt.base;
	v->idtr.limit = s->idt.limit;
	v->cpl = (s->cr0 & X86_CR0_PE) ? s->ss.dpl & 3 : 0;
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	v->efer = s->efer | EFER_SVME;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) |
				(s->cr8 & V_TPR_MASK);
}

/* The MSRs that live in the VMCB save area, by index. */
static u64 *svm_msr_field(struct vmcb_save_area *v, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &v->star;
	case MSR_LSTAR:
		return &v->lstar;
	case MSR_CSTAR:
		return &v->cstar;
	case MSR_SYSCALL_MASK:
		return &v->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &v->kernel_gs_base;
	case MSR_FS_BASE:
		return &v->fs.base;
	case MSR_GS_BASE:
		return &v->gs.base;
	case MSR_IA32_SYSENTER_CS:
		return &v->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &v->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &v->sysenter_eip;
	case MSR_IA32_CR_PAT:
		return &v->g_pat;
	default:
		return NULL;
	}
}

static int svm_get_msr(struct hvmod_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 *field = svm_msr_field(&vmcb->save, index);

	if (field)
		*data = *field;
	else if (index == MSR_EFER)
		*data = vmcb->save.efer & ~EFER_SVME;
	else if (index == MSR_IA32_TSC)
		*data = rdtsc() + vmcb->control.tsc_offset;
	else
		return -ENOENT;
	return 0;
}

static int svm_set_msr(struct hvmod_vcpu *vcpu, u32 index, u64 data)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 *field = svm_msr_field(&vmcb->save, index);

	switch (index) {
	case MSR_EFER:
		if (data & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return -EINVAL;
		vmcb->save.efer = data | EFER_SVME;
		return 0;
	case MSR_IA32_TSC:
		vmcb->control.tsc_offset = data - rdtsc();
		return 0;
	}
	if (!field)
		return -ENOENT;
	*field = data;
	return 0;
}

const struct x86_ops svm_x86_ops = {
	.get_rip = svm_get_rip,
	.set_rip = svm_set_rip,
	.get_rflags = svm_get_rflags,
	.set_rflags = svm_set_rflags,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.get_event = svm_get_event,
	.set_event = svm_set_event,
	.get_nmi_mask = svm_get_nmi_mask,
	.set_nmi_mask = svm_set_nmi_mask_op,
	.get_int_shadow = svm_get_int_shadow,
	.set_int_shadow = svm_set_int_shadow,
};

/*
 * Inject a pending NMI, else the KVM_INTERRUPT vector, or open an
 * interrupt window.
 */
static bool svm_prepare_irq(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	svm_prepare_nmi(svm);
	/* the in-kernel LAPIC's interrupt, once the guest can take it */
	if (svm->x.pending_irq < 0 && x86_lapic_irq_ready(&svm->x)) {
		if (svm_interrupt_allowed(svm))
			svm->x.pending_irq = x86_lapic_accept(&svm->x);
		else
			svm_set_vintr(svm, true);
	}
	if (svm->x.pending_irq >= 0) {
		if (svm_interrupt_allowed(svm)) {
			c->event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR |
				       svm->x.pending_irq;
			svm->x.pending_irq = -1;
		} else {
			svm_set_vintr(svm, true);
		}
	} else if (vcpu->run->request_interrupt_window) {
		if (svm_interrupt_allowed(svm)) {
			vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
			svm_fill_run_state(vcpu);
			return false;
		}
		svm_set_vintr(svm, true);
	}
	return true;
}

int svm_vcpu_run(struct hvmod_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	unsigned long *gpr = svm->x.gpr;
	u64 host_pa;
	int r;

	r = x86_irqchip_before_entry(vcpu, &svm_x86_ops);
	if (r <= 0)
		return r;
	if (!svm_prepare_irq(vcpu))
		return 0;

	vmcb->save.rax = gpr[X86_RAX];
	vmcb->save.rsp = gpr[X86_RSP];
	/*
	 * Physical interrupts must always exit the guest, whatever its IF.
	 * QEMU's TCG writes its own (zero) int_ctl into the VMCB when VMRUN
	 * fails its checks; without this the vCPU would later run with the
	 * host's interrupts masked by the guest's IF and never leave.
	 */
	vmcb->control.int_ctl |= V_INTR_MASKING_MASK;
	vmcb->control.clean = 0;
	/* CPUs (and TCG) that fill next_rip for some exits only: no stale one */
	vmcb->control.next_rip = 0;
	svm->entry_save = vmcb->save;
	svm->entry_int_ctl = vmcb->control.int_ctl;

	local_irq_disable();
	if (!hvmod_cpu_virt_on()) {
		local_irq_enable();
		return -EIO;	/* rebooting: SVM is off */
	}
	if (!x86_enter_ok(&svm->x)) {
		local_irq_enable();
		return 1;	/* the run loop handles the signal or resched */
	}
	vmcb->control.tlb_ctl =
		npt_asid_prepare(&svm->asid,
				 atomic64_read(&vcpu->vm->tlb_gen));
	vmcb->control.asid = svm->asid.asid;
	svm->last_cpu = smp_processor_id();
	host_pa = page_to_phys(this_cpu_read(svm_host_area));
	asm volatile("vmsave %%rax" : : "a" (host_pa) : "memory");
	asm volatile("clgi" : : : "memory");
	/*
	 * With V_INTR_MASKING, the host's RFLAGS.IF at VMRUN decides whether
	 * physical interrupts reach the host (as #VMEXIT(INTR)) while the
	 * guest runs: it must be set, or a guest that never exits (jmp $)
	 * keeps this CPU forever.  GIF=0 holds interrupts off meanwhile,
	 * as KVM does in svm_vcpu_enter_exit().
	 */
	raw_local_irq_enable();
	svm_vmrun(svm->vmcb_pa, host_pa, gpr);
	raw_local_irq_disable();
	x86_after_exit(&svm->x);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	asm volatile("stgi" : : : "memory");
	local_irq_enable();

	gpr[X86_RAX] = vmcb->save.rax;
	gpr[X86_RSP] = vmcb->save.rsp;
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	vmcb->control.event_inj = 0;
	return svm_handle_exit(vcpu);
}

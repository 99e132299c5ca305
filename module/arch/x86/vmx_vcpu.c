// SPDX-License-Identifier: GPL-2.0
/*
 * VMX vCPUs: the VMCS (controls, host state, KVM's reset state), where it
 * is loaded, and the state the shared x86 code reads and writes; one
 * guest entry is in vmx_run.c.
 *
 * A VMCS is active on at most one CPU.  VMREAD/VMWRITE reach the current
 * VMCS of the executing CPU, so every access happens with preemption off
 * after vmx_vmcs_get() has made the vCPU's VMCS current here: if it was
 * active on another CPU, that CPU VMCLEARs it first (an IPI), and the
 * next entry is a VMLAUNCH.  Each CPU lists the VMCSs active on it, so
 * that taking the CPU down (cpu_disable) can VMCLEAR them before VMXOFF.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/mmu_context.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/traps.h>
#include "vmx.h"

/* VMCS segment fields: ES, CS, SS, DS, FS, GS, LDTR, TR, 2 apart */
enum {
	VSEG_ES, VSEG_CS, VSEG_SS, VSEG_DS, VSEG_FS, VSEG_GS, VSEG_LDTR,
	VSEG_TR
};

#define VMX_RESET_CR0	(X86_CR0_NW | X86_CR0_CD | X86_CR0_ET)
#define VMX_RESET_PAT	0x0007040600070406ULL

/* CR4 bits a guest may set: as KVM_SET_SREGS accepts (x86_vcpu.c). */
#define VMX_CR4_GUEST	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD |	  \
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE |	  \
			 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |	  \
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |		  \
			 X86_CR4_FSGSBASE | X86_CR4_PCIDE | X86_CR4_SMEP | \
			 X86_CR4_SMAP | X86_CR4_OSXSAVE)

static DEFINE_PER_CPU(struct list_head, vmx_loaded);
static DEFINE_PER_CPU(struct vmx_vcpu *, vmx_current);

/* VMX is on here (not yet off for a reboot or this CPU going down). */
static bool vmx_cpu_on(void)
{
	unsigned long flags;
	bool on;

	local_irq_save(flags);
	on = hvmod_cpu_virt_on();
	local_irq_restore(flags);
	return on;
}

void vmcs_fail(const char *insn, unsigned long field, u64 val)
{
	/* a reboot turned VMX off under a vCPU: its entry will be refused */
	if (!vmx_cpu_on())
		return;
	WARN_ONCE(1, "hvmod: vmx: %s of field 0x%lx (value 0x%llx) failed: VM-instruction error %u\n",
		  insn, field, val, vmcs_insn_error());
}

/* cpu_enable, after VMXON: nothing is active here yet. */
void vmx_percpu_init(void)
{
	INIT_LIST_HEAD(this_cpu_ptr(&vmx_loaded));
	this_cpu_write(vmx_current, NULL);
}

/* On vmx->cpu with IRQs off: write the VMCS back and forget it here. */
static void vmx_clear_here(void *arg)
{
	struct vmx_vcpu *vmx = arg;

	if (vmx->cpu != smp_processor_id())
		return;		/* cleared meanwhile, by cpu_disable */
	vmcs_clear(vmx->vmcs_pa);
	if (__this_cpu_read(vmx_current) == vmx)
		__this_cpu_write(vmx_current, NULL);
	list_del(&vmx->loaded_link);
	/* off this list (pairs with vmx_vmcs_get()) before cpu reads -1 */
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
}

/* cpu_disable, before VMXOFF (preemption off, maybe in an IPI). */
void vmx_loaded_clear_cpu(void)
{
	struct list_head *l = this_cpu_ptr(&vmx_loaded);
	struct vmx_vcpu *vmx, *tmp;
	unsigned long flags;

	local_irq_save(flags);
	list_for_each_entry_safe(vmx, tmp, l, loaded_link)
		vmx_clear_here(vmx);
	this_cpu_write(vmx_current, NULL);
	local_irq_restore(flags);
}

/* From any CPU, IRQs on: the VMCS is clear (inactive) afterwards. */
static void vmx_vmcs_release(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_here, vmx, 1);
}

/* The host state that differs between CPUs (VMCS current, here). */
static void vmx_host_state_cpu(int cpu)
{
	struct desc_ptr idt;
	u64 v;

	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_GS_BASE, cpu_kernelmode_gs_base(cpu));
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(HOST_IA32_SYSENTER_EIP, v);
}

void vmx_vmcs_get(struct vmx_vcpu *vmx)
{
	unsigned long flags;
	int cpu;

	preempt_disable();
	cpu = smp_processor_id();
	if (unlikely(!vmx_cpu_on()))
		return;		/* rebooting: VMX is off, entries fail with -EIO */
	if (READ_ONCE(vmx->cpu) != cpu) {
		vmx_vmcs_release(vmx);
		/* pairs with vmx_clear_here(): its list_del is done */
		smp_rmb();
		/* inactive everywhere: VMCLEAR here sets the launch state */
		vmcs_clear(vmx->vmcs_pa);
		local_irq_save(flags);
		list_add(&vmx->loaded_link, this_cpu_ptr(&vmx_loaded));
		WRITE_ONCE(vmx->cpu, cpu);
		vmx->launched = false;
		vmcs_load(vmx->vmcs_pa);
		__this_cpu_write(vmx_current, vmx);
		local_irq_restore(flags);
		vmx_host_state_cpu(cpu);
		return;
	}
	if (__this_cpu_read(vmx_current) != vmx) {
		local_irq_save(flags);
		vmcs_load(vmx->vmcs_pa);
		__this_cpu_write(vmx_current, vmx);
		local_irq_restore(flags);
	}
}

static void vmx_seg_write(int seg, const struct kvm_segment *s)
{
	u32 ar;

	if (s->unusable || !s->present) {
		ar = VMX_AR_UNUSABLE_MASK;
	} else {
		ar = (s->type & VMX_AR_TYPE_MASK) | (s->s & 1) << 4 |
		     (s->dpl & 3) << VMX_AR_DPL_SHIFT | VMX_AR_P_MASK |
		     (s->avl & 1) << 12 | (s->l & 1) << 13 |
		     (s->db & 1) << 14 | (s->g & 1) << 15;
		/*
		 * As KVM does: with unrestricted guest, VM entry wants the
		 * accessed bit in every usable segment but LDTR, and
		 * userspace does not always set it.
		 */
		if (seg != VSEG_LDTR)
			ar |= VMX_AR_TYPE_ACCESSES_MASK;
	}
	vmcs_write(GUEST_ES_SELECTOR + seg * 2, s->selector);
	vmcs_write(GUEST_ES_BASE + seg * 2, s->base);
	vmcs_write(GUEST_ES_LIMIT + seg * 2, s->limit);
	vmcs_write(GUEST_ES_AR_BYTES + seg * 2, ar);
}

static void vmx_seg_read(int seg, struct kvm_segment *s)
{
	u32 ar = vmcs_read32(GUEST_ES_AR_BYTES + seg * 2);

	s->selector = vmcs_read(GUEST_ES_SELECTOR + seg * 2);
	s->base = vmcs_read(GUEST_ES_BASE + seg * 2);
	s->limit = vmcs_read32(GUEST_ES_LIMIT + seg * 2);
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = (ar >> 4) & 1;
	s->dpl = VMX_AR_DPL(ar);
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	/* a usable segment is present; userspace may not keep "unusable" */
	s->present = !s->unusable;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->padding = 0;
}

static void vmx_seg_reset(int seg, u16 sel, u64 base, u32 ar)
{
	vmcs_write(GUEST_ES_SELECTOR + seg * 2, sel);
	vmcs_write(GUEST_ES_BASE + seg * 2, base);
	vmcs_write(GUEST_ES_LIMIT + seg * 2, 0xffff);
	vmcs_write(GUEST_ES_AR_BYTES + seg * 2, ar);
}

/*
 * The guest's CR0/CR4/EFER into the VMCS (current).  Every CR0 and CR4
 * bit is host-owned: the guest reads its own values from the read
 * shadows and every write exits.  The hardware values add the bits VMX
 * operation needs (CR0.NE, CR4.VMXE; unrestricted guest exempts PE and
 * PG) and, as KVM with EPT, leave caching on: guest RAM is write-back.
 */
static void vmx_write_cr0(struct vmx_vcpu *vmx, unsigned long cr0)
{
	unsigned long hw;

	vmx->cr0 = cr0;
	hw = (cr0 & ~(X86_CR0_CD | X86_CR0_NW)) |
	     (vmx_cfg.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG));
	vmcs_write(GUEST_CR0, hw & (vmx_cfg.cr0_fixed1 | X86_CR0_PE |
				    X86_CR0_PG));
	vmcs_write(CR0_READ_SHADOW, cr0);
}

static void vmx_write_cr4(struct vmx_vcpu *vmx, unsigned long cr4)
{
	vmx->cr4 = cr4;
	vmcs_write(GUEST_CR4, cr4 | vmx_cfg.cr4_fixed0);
	vmcs_write(CR4_READ_SHADOW, cr4);
}

static void vmx_write_efer(struct vmx_vcpu *vmx, u64 efer)
{
	vmx->efer = efer;
	vmcs_write(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmx->entry_ctl |= VM_ENTRY_IA32E_MODE;
	else
		vmx->entry_ctl &= ~VM_ENTRY_IA32E_MODE;
}

static bool vmx_pae_paging(struct vmx_vcpu *vmx)
{
	return (vmx->cr0 & X86_CR0_PG) && (vmx->cr4 & X86_CR4_PAE) &&
	       !(vmx->efer & EFER_LMA);
}

/*
 * PAE paging with EPT takes the four PDPTEs from the VMCS, not from
 * memory: load them where the CPU would (MOV to CR0/CR3/CR4).  `locked`:
 * the caller holds vm->s2_sem (the run loop does).  A CR3 outside guest
 * RAM reads as all ones, whose reserved bits fail VM entry.
 */
static int vmx_load_pdptrs(struct hvmod_vcpu *vcpu, unsigned long cr3,
			   bool locked)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 pdpte[4];
	int r, i;

	if (!locked)
		down_read(&vcpu->vm->s2_sem);
	r = hvmod_guest_rw(vcpu->vm, cr3 & 0xffffffe0UL, pdpte, sizeof(pdpte),
			   false);
	if (!locked)
		up_read(&vcpu->vm->s2_sem);
	if (r)
		memset(pdpte, 0xff, sizeof(pdpte));
	vmx_vmcs_get(vmx);
	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR0 + i * 2, pdpte[i]);
	vmx_vmcs_put();
	return r;
}

static unsigned long vmx_guest_cr3(struct vmx_vcpu *vmx)
{
	unsigned long cr3;

	vmx_vmcs_get(vmx);
	cr3 = vmcs_read(GUEST_CR3);
	vmx_vmcs_put();
	return cr3;
}

static bool vmx_guest_cs_l(struct vmx_vcpu *vmx)
{
	u32 ar;

	vmx_vmcs_get(vmx);
	ar = vmcs_read32(GUEST_CS_AR_BYTES);
	vmx_vmcs_put();
	return ar & VMX_AR_L_MASK;
}

bool vmx_cr4_valid(struct vmx_vcpu *vmx, unsigned long cr4)
{
	/* OSXSAVE only with XSAVE in the vCPU's CPUID (#GP otherwise, as KVM) */
	if ((cr4 & X86_CR4_OSXSAVE) && !x86_guest_has_xsave(&vmx->x))
		return false;
	return !(cr4 & ~VMX_CR4_GUEST) &&
	       !((cr4 | vmx_cfg.cr4_fixed0) & ~vmx_cfg.cr4_fixed1);
}

/*
 * A guest MOV to CR0 (or CLTS, LMSW), with the checks the CPU makes:
 * -EINVAL for #GP.  Turning paging on or off with EFER.LME set enters
 * or leaves long mode (EFER.LMA and the IA-32e-mode entry control).
 */
int vmx_set_cr0(struct hvmod_vcpu *vcpu, unsigned long cr0)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long old = vmx->cr0;
	u64 efer = vmx->efer;

	if ((cr0 >> 32) || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return -EINVAL;
	if ((efer & EFER_LME) && !(old & X86_CR0_PG) && (cr0 & X86_CR0_PG)) {
		if (!(vmx->cr4 & X86_CR4_PAE) || vmx_guest_cs_l(vmx))
			return -EINVAL;
		efer |= EFER_LMA;
	} else if ((old & X86_CR0_PG) && !(cr0 & X86_CR0_PG) &&
		   (efer & EFER_LMA)) {
		if (vmx_guest_cs_l(vmx))
			return -EINVAL;	/* not from 64-bit code */
		efer &= ~EFER_LMA;
	}

	vmx_vmcs_get(vmx);
	vmx_write_cr0(vmx, cr0);
	if (efer != vmx->efer)
		vmx_write_efer(vmx, efer);
	vmx_vmcs_put();
	if ((old ^ cr0) & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP))
		vmx->tlb.flush_vpid = true;
	if (vmx_pae_paging(vmx) &&
	    ((old ^ cr0) & (X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)))
		vmx_load_pdptrs(vcpu, vmx_guest_cr3(vmx), true);
	return 0;
}

int vmx_set_cr4(struct hvmod_vcpu *vcpu, unsigned long cr4)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long old = vmx->cr4;
	const unsigned long pg = X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE |
				 X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP;

	if (!vmx_cr4_valid(vmx, cr4))
		return -EINVAL;
	if ((vmx->efer & EFER_LMA) && !(cr4 & X86_CR4_PAE))
		return -EINVAL;
	if ((cr4 & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) &&
	    (!(vmx->efer & EFER_LMA) || (vmx_guest_cr3(vmx) & 0xfff)))
		return -EINVAL;

	vmx_vmcs_get(vmx);
	vmx_write_cr4(vmx, cr4);
	vmx_vmcs_put();
	if ((old ^ cr4) & pg)
		vmx->tlb.flush_vpid = true;
	if (vmx_pae_paging(vmx) && ((old ^ cr4) & pg))
		vmx_load_pdptrs(vcpu, vmx_guest_cr3(vmx), true);
	return 0;
}

/* Only if the CPU forces CR3-load exiting (no true controls). */
int vmx_set_cr3(struct hvmod_vcpu *vcpu, unsigned long cr3)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if ((vmx->efer & EFER_LMA) &&
	    (cr3 & ~BIT_ULL(63)) >> boot_cpu_data.x86_phys_bits)
		return -EINVAL;
	if (!(vmx->cr4 & X86_CR4_PCIDE))
		cr3 &= ~BIT_ULL(63);
	vmx_vmcs_get(vmx);
	vmcs_write(GUEST_CR3, cr3 & ~BIT_ULL(63));
	vmx_vmcs_put();
	if (!(cr3 & BIT_ULL(63)))
		vmx->tlb.flush_vpid = true;
	if (vmx_pae_paging(vmx))
		vmx_load_pdptrs(vcpu, cr3, true);
	return 0;
}

int vmx_set_efer(struct hvmod_vcpu *vcpu, u64 efer)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return -EINVAL;
	vmx_vmcs_get(vmx);
	vmx_write_efer(vmx, efer);
	vmx_vmcs_put();
	return 0;
}

/* Controls, constant host state and KVM's reset state (VMCS current). */
static void vmx_vmcs_setup(struct vmx_vcpu *vmx, struct hvmod_vm *vm)
{
	u32 sec = vmx_cfg.sec;
	int i;

	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	else
		sec &= ~SECONDARY_EXEC_ENABLE_VPID;
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_cfg.pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc_ctl);
	vmx->proc_ctl_vmcs = vmx->proc_ctl;
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, sec);
	vmcs_write(VM_EXIT_CONTROLS, vmx_cfg.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx->entry_ctl);
	vmx->entry_ctl_vmcs = vmx->entry_ctl;
	/*
	 * #AC and #DB: a guest looping on either (the "benign exception"
	 * loops) would never leave the CPU.  Intercept, hand them back.
	 */
	vmcs_write(EXCEPTION_BITMAP, BIT(X86_TRAP_AC) | BIT(X86_TRAP_DB));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(MSR_BITMAP, vmx_msr_bitmap_pa);
	vmcs_write(EPT_POINTER, vmx->eptp);
	vmcs_write(TSC_OFFSET, ((struct x86_vm *)vm->arch)->tsc_offset);
	vmcs_write(VMCS_LINK_POINTER, -1ULL);
	vmcs_write(CR0_GUEST_HOST_MASK, ~0UL);
	vmcs_write(CR4_GUEST_HOST_MASK, ~0UL);
	if (vmx_cfg.preempt_timer)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_cfg.preempt_timer);

	/* host state the same on every CPU and for every task */
	vmcs_write(HOST_CR0, read_cr0() & ~X86_CR0_TS);
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_FS_BASE, 0);
	vmcs_write(HOST_IA32_EFER, vmx_cfg.host_efer);
	vmcs_write(HOST_RIP, (unsigned long)vmx_vmexit);
	vmx->host_cr3 = 0;
	vmx->host_cr4 = 0;
	vmx->host_fs_base = 0;
	vmx->host_fs_sel = 0;
	vmx->host_gs_sel = 0;

	/* the architectural reset state, as KVM sets it */
	vmx_seg_reset(VSEG_CS, 0xf000, 0xffff0000, 0x9b);
	vmx_seg_reset(VSEG_ES, 0, 0, 0x93);
	vmx_seg_reset(VSEG_SS, 0, 0, 0x93);
	vmx_seg_reset(VSEG_DS, 0, 0, 0x93);
	vmx_seg_reset(VSEG_FS, 0, 0, 0x93);
	vmx_seg_reset(VSEG_GS, 0, 0, 0x93);
	vmx_seg_reset(VSEG_LDTR, 0, 0, 0x82);
	vmx_seg_reset(VSEG_TR, 0, 0, 0x8b);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR0 + i * 2, 0);
	vmx_write_cr0(vmx, VMX_RESET_CR0);
	vmx_write_cr4(vmx, 0);
	vmx_write_efer(vmx, 0);
}

int vmx_vcpu_init(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	int r;

	if (!vmx)
		return -ENOMEM;
	vcpu->arch = vmx;
	vmx->cpu = -1;
	vmx->last_cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	ept_tlb_init(&vmx->tlb);
	r = x86_vcpu_init(&vmx->x, vcpu);
	if (r)
		return r;
	vmx->vmcs_page = hvmod_ctl_page_alloc(NUMA_NO_NODE);
	if (!vmx->vmcs_page)
		return -ENOMEM;
	*(u32 *)page_address(vmx->vmcs_page) = vmx_cfg.revision;
	vmx->vmcs_pa = page_to_phys(vmx->vmcs_page);
	vmx->vpid = ept_vpid_alloc();
	vmx->eptp = ept_eptp(vcpu->vm->s2.root_pa);

	vmx->rip = 0xfff0;
	vmx->rflags = X86_EFLAGS_FIXED;
	vmx->pat = VMX_RESET_PAT;
	vmx->proc_ctl = vmx_cfg.proc;
	vmx->entry_ctl = vmx_cfg.entry;
	vmx_vmcs_get(vmx);
	vmx_vmcs_setup(vmx, vcpu->vm);
	vmx_vmcs_put();
	return 0;
}

/* Also undoes a failed vmx_vcpu_init(). */
void vmx_vcpu_destroy(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->arch;

	if (!vmx)
		return;
	if (vmx->vmcs_page) {
		vmx_vmcs_release(vmx);
		hvmod_ctl_page_free(vmx->vmcs_page);
	}
	ept_vpid_free(vmx->vpid);
	x86_vcpu_destroy(&vmx->x);
	kfree(vmx);
	vcpu->arch = NULL;
}

static u64 vmx_get_rip(struct hvmod_vcpu *vcpu)
{
	return to_vmx(vcpu)->rip;
}

static void vmx_set_rip(struct hvmod_vcpu *vcpu, u64 rip)
{
	to_vmx(vcpu)->rip = rip;
}

static u64 vmx_get_rflags(struct hvmod_vcpu *vcpu)
{
	return to_vmx(vcpu)->rflags;
}

static void vmx_set_rflags(struct hvmod_vcpu *vcpu, u64 rflags)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->rflags = rflags;
	/* VM entry refuses STI blocking with IF clear */
	if (!(rflags & X86_EFLAGS_IF))
		vmx->intr_state &= ~GUEST_INTR_STATE_STI;
}

static void vmx_get_sregs(struct hvmod_vcpu *vcpu, struct kvm_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vmcs_get(vmx);
	vmx_seg_read(VSEG_CS, &s->cs);
	vmx_seg_read(VSEG_DS, &s->ds);
	vmx_seg_read(VSEG_ES, &s->es);
	vmx_seg_read(VSEG_FS, &s->fs);
	vmx_seg_read(VSEG_GS, &s->gs);
	vmx_seg_read(VSEG_SS, &s->ss);
	vmx_seg_read(VSEG_TR, &s->tr);
	vmx_seg_read(VSEG_LDTR, &s->ldt);
	s->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->cr3 = vmcs_read(GUEST_CR3);
	vmx_vmcs_put();
	s->cr0 = vmx->cr0;
	s->cr2 = vmx->cr2;
	s->cr4 = vmx->cr4;
	s->cr8 = vmx->cr8;
	s->efer = vmx->efer;
}

/* Validated by x86_check_sregs(); what VM entry still rejects fails it. */
static void vmx_set_sregs(struct hvmod_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vmcs_get(vmx);
	vmx_seg_write(VSEG_CS, &s->cs);
	vmx_seg_write(VSEG_DS, &s->ds);
	vmx_seg_write(VSEG_ES, &s->es);
	vmx_seg_write(VSEG_FS, &s->fs);
	vmx_seg_write(VSEG_GS, &s->gs);
	vmx_seg_write(VSEG_SS, &s->ss);
	vmx_seg_write(VSEG_TR, &s->tr);
	vmx_seg_write(VSEG_LDTR, &s->ldt);
	vmcs_write(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, s->idt.limit);
	vmcs_write(GUEST_CR3, s->cr3);
	vmx_write_efer(vmx, s->efer);
	vmx_write_cr4(vmx, s->cr4);
	vmx_write_cr0(vmx, s->cr0);
	vmx_vmcs_put();
	vmx->cr2 = s->cr2;
	vmx->cr8 = s->cr8 & 0xf;
	vmx->tlb.flush_vpid = true;
	if (vmx_pae_paging(vmx))
		vmx_load_pdptrs(vcpu, s->cr3, false);
}

/* The MSRs kept in software (switched by hand or never loaded). */
static u64 *vmx_msr_soft(struct vmx_vcpu *vmx, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &vmx->star;
	case MSR_LSTAR:
		return &vmx->lstar;
	case MSR_CSTAR:
		return &vmx->cstar;
	case MSR_SYSCALL_MASK:
		return &vmx->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &vmx->kernel_gs_base;
	case MSR_IA32_CR_PAT:
		return &vmx->pat;
	default:
		return NULL;
	}
}

/* The MSRs in the VMCS guest area (TSC: as the TSC offset); 0 if none. */
static unsigned long vmx_msr_vmcs(u32 index)
{
	switch (index) {
	case MSR_FS_BASE:
		return GUEST_FS_BASE;
	case MSR_GS_BASE:
		return GUEST_GS_BASE;
	case MSR_IA32_SYSENTER_CS:
		return GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return GUEST_SYSENTER_EIP;
	case MSR_IA32_TSC:
		return TSC_OFFSET;
	default:
		return 0;
	}
}

static int vmx_get_msr(struct hvmod_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long field = vmx_msr_vmcs(index);
	u64 *soft = vmx_msr_soft(vmx, index);

	if (index == MSR_EFER) {
		*data = vmx->efer;
	} else if (soft) {
		*data = *soft;
	} else if (field) {
		vmx_vmcs_get(vmx);
		*data = vmcs_read(field);
		if (index == MSR_IA32_TSC)
			*data += rdtsc();
		vmx_vmcs_put();
	} else {
		return -ENOENT;
	}
	return 0;
}

static int vmx_set_msr(struct hvmod_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long field = vmx_msr_vmcs(index);
	u64 *soft = vmx_msr_soft(vmx, index);

	if (index == MSR_EFER)
		return vmx_set_efer(vcpu, data);

	if (soft) {
		*soft = data;
	} else if (field) {
		vmx_vmcs_get(vmx);
		if (index == MSR_IA32_TSC)
			data -= rdtsc();
		vmcs_write(field, data);
		vmx_vmcs_put();
	} else {
		return -ENOENT;
	}
	return 0;
}

const struct x86_ops vmx_x86_ops = {
	.get_rip = vmx_get_rip,
	.set_rip = vmx_set_rip,
	.get_rflags = vmx_get_rflags,
	.set_rflags = vmx_set_rflags,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.get_event = vmx_get_event,
	.set_event = vmx_set_event,
	.get_nmi_mask = vmx_get_nmi_mask,
	.set_nmi_mask = vmx_set_nmi_mask,
	.get_int_shadow = vmx_get_int_shadow,
	.set_int_shadow = vmx_set_int_shadow,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: probe, per-CPU VMXON region, VMCS per vCPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/io.h>
#include <linux/slab.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/virtext.h>
#include <asm/vmx.h>
#include "hvmod.h"
#include "x86.h"

struct vmx_vcpu {
	struct page *vmcs_page;
};

static DEFINE_PER_CPU(struct page *, vmx_vmxon);
static u32 vmx_revision;

static bool vmx_native(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_INTEL ||
	       boot_cpu_data.x86_vendor == X86_VENDOR_CENTAUR ||
	       boot_cpu_data.x86_vendor == X86_VENDOR_ZHAOXIN;
}

/* The allowed-1 half of a VMX capability MSR. */
static u32 vmx_allowed1(u32 msr)
{
	u64 v;

	return rdmsrl_safe(msr, &v) ? 0 : v >> 32;
}

static int vmx_probe(void)
{
	u64 feat, basic, ept_cap;
	u32 sec;

	if (!cpu_has_vmx()) {
		pr_err("CPU does not support VMX (CPUID.1:ECX.VMX = 0)\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX disabled by firmware (IA32_FEATURE_CONTROL = 0x%llx: needs lock and VMX-outside-SMX)\n",
		       feat);
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("VMX disabled by the kernel (X86_FEATURE_VMX cleared)\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_VMX_BASIC, &basic)) {
		pr_err("IA32_VMX_BASIC unreadable\n");
		return -ENODEV;
	}
	if (((basic & VMX_BASIC_MEM_TYPE_MASK) >> VMX_BASIC_MEM_TYPE_SHIFT) !=
	    VMX_BASIC_MEM_TYPE_WB || (basic & VMX_BASIC_64) ||
	    ((basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff) > PAGE_SIZE) {
		pr_err("unusable IA32_VMX_BASIC 0x%llx (needs write-back VMCS, 64-bit addresses, size <= 4 KiB)\n",
		       basic);
		return -ENODEV;
	}
	if (!(vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS) &
	      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)) {
		pr_err("no secondary processor-based VM-execution controls\n");
		return -ENODEV;
	}
	sec = vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (!(sec & SECONDARY_EXEC_ENABLE_EPT)) {
		pr_err("EPT not supported\n");
		return -ENODEV;
	}
	if (!(sec & SECONDARY_EXEC_UNRESTRICTED_GUEST)) {
		pr_err("unrestricted guest not supported\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &ept_cap) ||
	    !(ept_cap & VMX_EPT_PAGE_WALK_4_BIT) ||
	    !(ept_cap & VMX_EPTP_WB_BIT) ||
	    !(ept_cap & VMX_EPT_INVEPT_BIT) ||
	    !(ept_cap & VMX_EPT_EXTENT_CONTEXT_BIT)) {
		pr_err("EPT lacks 4-level walks, write-back or single-context INVEPT (IA32_VMX_EPT_VPID_CAP = 0x%llx)\n",
		       ept_cap);
		return -ENODEV;
	}
	vmx_revision = basic & 0x7fffffff;
	return 0;
}

static void vmx_emergency_disable(void)
{
	__cpu_emergency_vmxoff();
}

static int vmx_global_enable(void)
{
	int r = hvmod_percpu_pages_alloc(&vmx_vmxon);

	if (!r)
		x86_emergency_register(vmx_emergency_disable);
	return r;
}

static void vmx_global_disable(void)
{
	x86_emergency_unregister();
	hvmod_percpu_pages_free(&vmx_vmxon);
}

/* CR0 and CR4 must honour the fixed bits while in VMX operation. */
static bool vmx_fixed_ok(unsigned long val, u32 msr0, u32 msr1)
{
	u64 fixed0, fixed1;

	rdmsrl(msr0, fixed0);
	rdmsrl(msr1, fixed1);
	return (val & fixed0) == fixed0 && !(val & ~fixed1);
}

static int vmx_cpu_enable(void)
{
	struct page *region = this_cpu_read(vmx_vmxon);
	u64 pa = page_to_phys(region);
	int cpu = smp_processor_id();

	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_warn("CPU %d: CR4.VMXE is already set: another hypervisor (kvm_intel?) owns VMX\n",
			cpu);
		return -EBUSY;
	}
	if (!vmx_fixed_ok(read_cr0(), MSR_IA32_VMX_CR0_FIXED0,
			  MSR_IA32_VMX_CR0_FIXED1) ||
	    !vmx_fixed_ok(__read_cr4() | X86_CR4_VMXE, MSR_IA32_VMX_CR4_FIXED0,
			  MSR_IA32_VMX_CR4_FIXED1)) {
		pr_warn("CPU %d: CR0/CR4 violate the VMX fixed bits\n", cpu);
		return -EIO;
	}
	*(u32 *)page_address(region) = vmx_revision;

	cr4_set_bits(X86_CR4_VMXE);
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	cr4_clear_bits(X86_CR4_VMXE);
	pr_warn("CPU %d: VMXON failed: another hypervisor may own VMX\n", cpu);
	return -EBUSY;
}

static void vmx_cpu_disable(void)
{
	cpu_vmxoff();
}

static int vmx_vcpu_init(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);

	if (!vmx)
		return -ENOMEM;
	vcpu->arch = vmx;
	vmx->vmcs_page = hvmod_ctl_page_alloc(NUMA_NO_NODE);
	if (!vmx->vmcs_page)
		return -ENOMEM;
	*(u32 *)page_address(vmx->vmcs_page) = vmx_revision;
	return 0;
}

/* Also undoes a failed vmx_vcpu_init(). */
static void vmx_vcpu_destroy(struct hvmod_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->arch;

	if (!vmx)
		return;
	hvmod_ctl_page_free(vmx->vmcs_page);
	kfree(vmx);
	vcpu->arch = NULL;
}

struct hvmod_backend hvmod_vmx_backend = {
	.name = "vmx",
	.id = HVMOD_BACKEND_VMX,
	.native = vmx_native,
	.probe = vmx_probe,
	.global_enable = vmx_global_enable,
	.global_disable = vmx_global_disable,
	.cpu_enable = vmx_cpu_enable,
	.cpu_disable = vmx_cpu_disable,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: probe, per-CPU EFER.SVME + host save area, VMCB per vCPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": svm: " fmt

#include <linux/io.h>
#include <linux/slab.h>
#include <asm/msr-index.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/virtext.h>
#include "hvmod.h"
#include "svm.h"

static DEFINE_PER_CPU(struct page *, svm_hsave);
/* where VMSAVE keeps the host's FS/GS/TR/syscall state during a run */
DEFINE_PER_CPU(struct page *, svm_host_area);

/* Shared, read-only after setup: intercept every port, most MSRs. */
#define SVM_IOPM_ORDER	2	/* 12 KiB used */
#define SVM_MSRPM_ORDER	1	/* 8 KiB */
static struct page *svm_iopm, *svm_msrpm;
phys_addr_t svm_iopm_pa, svm_msrpm_pa;

/* Switched by VMLOAD/VMSAVE, so the guest may own them directly. */
static const u32 svm_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
	MSR_CSTAR, MSR_SYSCALL_MASK, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static bool svm_native(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	       boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;
}

static int svm_probe(void)
{
	u64 vm_cr;

	if (!svm_native()) {
		pr_err("not an AMD or Hygon CPU (vendor %s)\n",
		       boot_cpu_data.x86_vendor_id);
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err("CPU does not support SVM (CPUID 0x80000001:ECX.SVM = 0)\n");
		return -ENODEV;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & (1 << SVM_VM_CR_SVM_DISABLE)) {
		pr_err("SVM disabled by firmware (VM_CR.SVMDIS = 1)\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("nested paging not supported (CPUID 0x8000000A:EDX.NP = 0)\n");
		return -ENODEV;
	}
	if (npt_asid_probe()) {
		pr_err("no ASIDs for guests (CPUID 0x8000000A:EBX < 2)\n");
		return -ENODEV;
	}
	if (boot_cpu_has(X86_FEATURE_GBPAGES))
		hvmod_svm_backend.features |= HVMOD_FEAT_HUGE_1G;
	return 0;
}

/* Two permission bits per MSR (read, write) in three 2 KiB ranges. */
static void svm_msrpm_pass(u8 *msrpm, u32 msr)
{
	u32 base, bit;

	if (msr <= 0x1fff) {
		base = 0;
	} else if (msr - 0xc0000000 <= 0x1fff) {
		base = 0x800;
		msr -= 0xc0000000;
	} else {
		base = 0x1000;
		msr -= 0xc0010000;
	}
	bit = msr * 2;
	msrpm[base + bit / 8] &= ~(3 << (bit % 8));
}

static void svm_free_maps(void)
{
	if (svm_iopm) {
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
		hvmod_count_add(HVMOD_CNT_CTL, -(1 << SVM_IOPM_ORDER));
	}
	if (svm_msrpm) {
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
		hvmod_count_add(HVMOD_CNT_CTL, -(1 << SVM_MSRPM_ORDER));
	}
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

static int svm_alloc_maps(void)
{
	unsigned int i;

	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	if (svm_iopm)
		hvmod_count_add(HVMOD_CNT_CTL, 1 << SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (svm_msrpm)
		hvmod_count_add(HVMOD_CNT_CTL, 1 << SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		svm_free_maps();
		return -ENOMEM;
	}
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(svm_passthrough_msrs); i++)
		svm_msrpm_pass(page_address(svm_msrpm),
			       svm_passthrough_msrs[i]);
	svm_iopm_pa = page_to_phys(svm_iopm);
	svm_msrpm_pa = page_to_phys(svm_msrpm);
	return 0;
}

static void svm_emergency_disable(void)
{
	cpu_emergency_svm_disable();
}

static void svm_global_disable(void)
{
	x86_emergency_unregister();
	hvmod_percpu_pages_free(&svm_hsave);
	hvmod_percpu_pages_free(&svm_host_area);
	svm_free_maps();
}

static int svm_global_enable(void)
{
	int r;

	r = hvmod_percpu_pages_alloc(&svm_hsave);
	if (!r)
		r = hvmod_percpu_pages_alloc(&svm_host_area);
	if (!r)
		r = svm_alloc_maps();
	if (r) {
		svm_global_disable();
		return r;
	}
	x86_emergency_register(svm_emergency_disable);
	return 0;
}

static int svm_cpu_enable(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_info_ratelimited("CPU %d: EFER.SVME is already set: another hypervisor (kvm_amd?) owns SVM\n",
				    smp_processor_id());
		return -EBUSY;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(this_cpu_read(svm_hsave)));
	npt_asid_cpu_reset();
	x86_cpu_enable();
	return 0;
}

static void svm_cpu_disable(void)
{
	cpu_svm_disable();
}

static void svm_vcpu_load(struct hvmod_vcpu *vcpu)
{
	x86_vcpu_load(&to_svm(vcpu)->x);
}

static void svm_vcpu_put(struct hvmod_vcpu *vcpu)
{
	/* also after EINTR: ready_for_interrupt_injection must be current */
	svm_fill_run_state(vcpu);
	x86_vcpu_put(&to_svm(vcpu)->x);
}

static int svm_vcpu_complete(struct hvmod_vcpu *vcpu)
{
	return x86_complete_userspace(vcpu, &svm_x86_ops);
}

static long svm_vcpu_ioctl(struct hvmod_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg)
{
	return x86_vcpu_ioctl(vcpu, &svm_x86_ops, ioctl, arg);
}

struct hvmod_backend hvmod_svm_backend = {
	.name = "svm",
	.id = HVMOD_BACKEND_SVM,
	.native = svm_native,
	.probe = svm_probe,
	.global_enable = svm_global_enable,
	.global_disable = svm_global_disable,
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.vcpu_complete = svm_vcpu_complete,
	.vcpu_run = svm_vcpu_run,
	.vcpu_ioctl = svm_vcpu_ioctl,
	.vm_init = x86_vm_init,
	.vm_stop = x86_vm_stop,
	.vm_destroy = x86_vm_destroy,
	.vm_ioctl = x86_vm_ioctl,
	.dev_ioctl = x86_dev_ioctl,
	.check_extension = x86_check_extension,
	.s2 = &npt_format,
	.features = HVMOD_FEAT_STAGE2 | HVMOD_FEAT_HUGE_2M |
		    HVMOD_FEAT_TAGGED_TLB | HVMOD_FEAT_RUN,
};

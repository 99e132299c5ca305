// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: probe and the controls it chooses, per-CPU VMXON
 * region, the shared MSR bitmap, and the backend's table.  vmx_vcpu.c
 * holds the VMCS and guest entry, vmx_exit.c the exits.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/io.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include <asm/virtext.h>
#include "hvmod.h"
#include "vmx.h"

static DEFINE_PER_CPU(struct page *, vmx_vmxon);
struct vmx_config vmx_cfg;

/*
 * One MSR bitmap for every vCPU: a set bit makes RDMSR/WRMSR exit.  Only
 * the MSRs the VMCS itself switches on entry and exit are left to the
 * guest: FS/GS base (in the guest segment state) and SYSENTER_*.
 */
static struct page *vmx_msr_bitmap;
phys_addr_t vmx_msr_bitmap_pa;

static const u32 vmx_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

/* Controls hvmod needs; probe fails without them. */
/* virtual NMIs: the CPU tracks the guest's NMI blocking (KVM_NMI) */
#define VMX_PIN_NEED	(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING | \
			 PIN_BASED_VIRTUAL_NMIS)
#define VMX_PROC_NEED	(CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING | \
			 CPU_BASED_USE_MSR_BITMAPS |			     \
			 CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |	     \
			 CPU_BASED_CR8_LOAD_EXITING |			     \
			 CPU_BASED_CR8_STORE_EXITING |			     \
			 CPU_BASED_MOV_DR_EXITING |			     \
			 CPU_BASED_USE_TSC_OFFSETTING |			     \
			 CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING | \
			 CPU_BASED_RDPMC_EXITING)
#define VMX_SEC_NEED	(SECONDARY_EXEC_ENABLE_EPT | \
			 SECONDARY_EXEC_UNRESTRICTED_GUEST)
/* RDTSCP: CPUID offers it to guests, so it must not #UD */
#define VMX_SEC_WANT	(SECONDARY_EXEC_ENABLE_VPID | \
			 SECONDARY_EXEC_WBINVD_EXITING | \
			 SECONDARY_EXEC_ENABLE_RDTSCP)
#define VMX_EXIT_NEED	(VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_LOAD_IA32_EFER)

/*
 * The longest a guest runs without an exit, through the VMX-preemption
 * timer.  A guest normally exits on the next host interrupt anyway; the
 * timer also covers emulators that fail to: Bochs 2.7 loads the guest's
 * RFLAGS before it marks the CPU as in VMX non-root operation, so a guest
 * entered with IF clear keeps host interrupts masked (no external-
 * interrupt exit) until it executes CLI/STI/POPF/IRET itself.
 */
#define VMX_SLICE_MS	10
#define VMX_ENTRY_NEED	VM_ENTRY_LOAD_IA32_EFER

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

/*
 * need | want, limited to what the CPU allows to be 1 and with what it
 * requires to be 1; -ENODEV if a needed control is missing.
 */
static int vmx_adjust(const char *what, u32 msr, u32 need, u32 want, u32 *ctl)
{
	u64 v;
	u32 c;

	if (rdmsrl_safe(msr, &v)) {
		pr_err("%s controls: capability MSR 0x%x unreadable\n", what,
		       msr);
		return -ENODEV;
	}
	c = ((need | want) & (u32)(v >> 32)) | (u32)v;
	if ((c & need) != need) {
		pr_err("%s controls 0x%x not supported (allowed-1 0x%x)\n",
		       what, need & ~c, (u32)(v >> 32));
		return -ENODEV;
	}
	*ctl = c;
	return 0;
}

/* A processor-based control the CPU allows but does not force. */
static bool vmx_toggleable(bool tr, u32 bit)
{
	return (vmx_allowed1(tr ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			     MSR_IA32_VMX_PROCBASED_CTLS) & bit) &&
	       !(vmx_cfg.proc & bit);
}

static int vmx_probe_controls(u64 basic)
{
	bool tr = basic & VMX_BASIC_TRUE_CTLS;
	u32 sec_want = VMX_SEC_WANT;
	int r;

	if (!ept_vpid_usable())
		sec_want &= ~SECONDARY_EXEC_ENABLE_VPID;
	r = vmx_adjust("pin-based", tr ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			MSR_IA32_VMX_PINBASED_CTLS, VMX_PIN_NEED,
		       PIN_BASED_VMX_PREEMPTION_TIMER, &vmx_cfg.pin);
	if (!r)
		r = vmx_adjust("processor-based",
			       tr ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			       MSR_IA32_VMX_PROCBASED_CTLS, VMX_PROC_NEED, 0,
			       &vmx_cfg.proc);
	if (!r)
		r = vmx_adjust("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
			       VMX_SEC_NEED, sec_want, &vmx_cfg.sec);
	if (!r)
		r = vmx_adjust("VM-exit", tr ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			       MSR_IA32_VMX_EXIT_CTLS, VMX_EXIT_NEED, 0,
			       &vmx_cfg.exit);
	if (!r)
		r = vmx_adjust("VM-entry", tr ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			       MSR_IA32_VMX_ENTRY_CTLS, VMX_ENTRY_NEED, 0,
			       &vmx_cfg.entry);
	if (r)
		return r;
	/* toggled per vCPU: must be allowed, must not be forced */
	if (!vmx_toggleable(tr, CPU_BASED_INTR_WINDOW_EXITING)) {
		pr_err("interrupt-window exiting cannot be toggled\n");
		return -ENODEV;
	}
	if (!vmx_toggleable(tr, CPU_BASED_NMI_WINDOW_EXITING)) {
		pr_err("NMI-window exiting cannot be toggled\n");
		return -ENODEV;
	}
	if (!(vmx_allowed1(tr ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			   MSR_IA32_VMX_ENTRY_CTLS) & VM_ENTRY_IA32E_MODE)) {
		pr_err("VM entry to IA-32e mode not supported\n");
		return -ENODEV;
	}
	vmx_cfg.entry &= ~VM_ENTRY_IA32E_MODE;
	vmx_cfg.exit &= ~VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
	return 0;
}

/* Timer ticks for VMX_SLICE_MS: the timer counts TSC >> rate (VMX_MISC). */
static void vmx_probe_timer(void)
{
	u64 misc, ticks;

	vmx_cfg.preempt_timer = 0;
	if (!(vmx_cfg.pin & PIN_BASED_VMX_PREEMPTION_TIMER))
		return;
	if (rdmsrl_safe(MSR_IA32_VMX_MISC, &misc) || !tsc_khz) {
		vmx_cfg.pin &= ~PIN_BASED_VMX_PREEMPTION_TIMER;
		return;
	}
	ticks = ((u64)tsc_khz * VMX_SLICE_MS) >>
		vmx_misc_preemption_timer_rate(misc);
	vmx_cfg.preempt_timer = clamp_t(u64, ticks, 1, U32_MAX);
}

static int vmx_probe(void)
{
	u64 feat, basic;
	int r;

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
	    vmx_basic_vmcs_size(basic) > PAGE_SIZE) {
		pr_err("unusable IA32_VMX_BASIC 0x%llx (needs write-back VMCS, 64-bit addresses, size <= 4 KiB)\n",
		       basic);
		return -ENODEV;
	}
	if (!(vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS) &
	      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)) {
		pr_err("no secondary processor-based VM-execution controls\n");
		return -ENODEV;
	}
	if (!(vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS2) &
	      SECONDARY_EXEC_ENABLE_EPT)) {
		pr_err("EPT not supported\n");
		return -ENODEV;
	}
	if (!(vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS2) &
	      SECONDARY_EXEC_UNRESTRICTED_GUEST)) {
		pr_err("unrestricted guest not supported\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &vmx_cfg.ept_vpid_cap) ||
	    ept_probe(vmx_cfg.ept_vpid_cap))
		return -ENODEV;
	r = vmx_probe_controls(basic);
	if (r)
		return r;
	vmx_probe_timer();
	if (rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED0, &vmx_cfg.cr0_fixed0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED1, &vmx_cfg.cr0_fixed1) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED0, &vmx_cfg.cr4_fixed0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED1, &vmx_cfg.cr4_fixed1)) {
		pr_err("CR0/CR4 fixed-bit MSRs unreadable\n");
		return -ENODEV;
	}
	vmx_cfg.basic = basic;
	vmx_cfg.revision = vmx_basic_vmcs_revision_id(basic);

	if (vmx_cfg.sec & SECONDARY_EXEC_ENABLE_VPID)
		hvmod_vmx_backend.features |= HVMOD_FEAT_TAGGED_TLB;
	if (vmx_cfg.ept_vpid_cap & VMX_EPT_2MB_PAGE_BIT)
		hvmod_vmx_backend.features |= HVMOD_FEAT_HUGE_2M;
	if (vmx_cfg.ept_vpid_cap & VMX_EPT_1GB_PAGE_BIT)
		hvmod_vmx_backend.features |= HVMOD_FEAT_HUGE_1G;
	pr_info("controls pin 0x%x proc 0x%x sec 0x%x exit 0x%x entry 0x%x, EPT/VPID cap 0x%llx, timer %u%s\n",
		vmx_cfg.pin, vmx_cfg.proc, vmx_cfg.sec, vmx_cfg.exit,
		vmx_cfg.entry, vmx_cfg.ept_vpid_cap, vmx_cfg.preempt_timer,
		(vmx_cfg.sec & SECONDARY_EXEC_ENABLE_VPID) ? "" : " (no VPIDs)");
	return 0;
}

static void vmx_emergency_disable(void)
{
	__cpu_emergency_vmxoff();
}

/* Clear the intercept bits (read and write) of one MSR. */
static void vmx_msr_pass(u8 *bitmap, u32 msr)
{
	u32 base;

	if (msr <= 0x1fff) {
		base = 0;
	} else if (msr - 0xc0000000 <= 0x1fff) {
		base = 1024;
		msr -= 0xc0000000;
	} else {
		return;
	}
	__clear_bit(msr, (unsigned long *)(bitmap + base));	/* read */
	__clear_bit(msr, (unsigned long *)(bitmap + base + 2048));	/* write */
}

static void vmx_global_disable(void)
{
	x86_emergency_unregister();
	hvmod_percpu_pages_free(&vmx_vmxon);
	hvmod_ctl_page_free(vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
}

static int vmx_global_enable(void)
{
	unsigned int i;
	u64 dbg;
	int r;

	r = hvmod_percpu_pages_alloc(&vmx_vmxon);
	if (r)
		return r;
	vmx_msr_bitmap = hvmod_ctl_page_alloc(NUMA_NO_NODE);
	if (!vmx_msr_bitmap) {
		vmx_global_disable();
		return -ENOMEM;
	}
	memset(page_address(vmx_msr_bitmap), 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(vmx_passthrough_msrs); i++)
		vmx_msr_pass(page_address(vmx_msr_bitmap),
			     vmx_passthrough_msrs[i]);
	vmx_msr_bitmap_pa = page_to_phys(vmx_msr_bitmap);

	/* the host's values, restored after guests that use their own */
	vmx_cfg.has_debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &dbg);
	rdmsrl(MSR_EFER, vmx_cfg.host_efer);
	rdmsrl(MSR_STAR, vmx_cfg.host_star);
	rdmsrl(MSR_LSTAR, vmx_cfg.host_lstar);
	rdmsrl(MSR_CSTAR, vmx_cfg.host_cstar);
	rdmsrl(MSR_SYSCALL_MASK, vmx_cfg.host_sfmask);

	x86_emergency_register(vmx_emergency_disable);
	return 0;
}

/* CR0 and CR4 must honour the fixed bits while in VMX operation. */
static bool vmx_fixed_ok(unsigned long val, u64 fixed0, u64 fixed1)
{
	return (val & fixed0) == fixed0 && !(val & ~fixed1);
}

static int vmx_cpu_enable(void)
{
	struct page *region = this_cpu_read(vmx_vmxon);
	u64 pa = page_to_phys(region);
	int cpu = smp_processor_id();

	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_info_ratelimited("CPU %d: CR4.VMXE is already set: another hypervisor (kvm_intel?) owns VMX\n",
				    cpu);
		return -EBUSY;
	}
	if (!vmx_fixed_ok(read_cr0(), vmx_cfg.cr0_fixed0, vmx_cfg.cr0_fixed1) ||
	    !vmx_fixed_ok(__read_cr4() | X86_CR4_VMXE, vmx_cfg.cr4_fixed0,
			  vmx_cfg.cr4_fixed1)) {
		pr_warn("CPU %d: CR0/CR4 violate the VMX fixed bits\n", cpu);
		return -EIO;
	}
	*(u32 *)page_address(region) = vmx_cfg.revision;

	cr4_set_bits(X86_CR4_VMXE);
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	vmx_percpu_init();
	x86_cpu_enable();
	return 0;
fail:
	cr4_clear_bits(X86_CR4_VMXE);
	pr_warn("CPU %d: VMXON failed: another hypervisor may own VMX\n", cpu);
	return -EBUSY;
}

/* Every VMCS still active here is written back before VMXOFF. */
static void vmx_cpu_disable(void)
{
	vmx_loaded_clear_cpu();
	cpu_vmxoff();
}

static int vmx_vcpu_complete(struct hvmod_vcpu *vcpu)
{
	return x86_complete_userspace(vcpu, &vmx_x86_ops);
}

static long vmx_vcpu_ioctl(struct hvmod_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg)
{
	return x86_vcpu_ioctl(vcpu, &vmx_x86_ops, ioctl, arg);
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
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.vcpu_complete = vmx_vcpu_complete,
	.vcpu_run = vmx_vcpu_run,
	.vcpu_ioctl = vmx_vcpu_ioctl,
	.vm_init = x86_vm_init,
	.vm_stop = x86_vm_stop,
	.vm_destroy = x86_vm_destroy,
	.vm_ioctl = x86_vm_ioctl,
	.dev_ioctl = x86_dev_ioctl,
	.check_extension = x86_check_extension,
	.s2 = &ept_format,
	.features = HVMOD_FEAT_STAGE2 | HVMOD_FEAT_RUN,
};

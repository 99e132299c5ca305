// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 backend: the host kernel runs at EL2 with VHE (HCR_EL2.E2H = 1),
 * so hvmod can program EL2 directly from the module: probe, per-CPU
 * setup, per-VM VMID and stage-2 translation control, the backend table.
 *
 * Linux's own KVM would share EL2 the same way and allocate VMIDs of its
 * own; hvmod refuses to load while KVM is initialised (boot the host with
 * kvm-arm.mode=none).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": arm64: " fmt

#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <asm/tlbflush.h>
#include <asm/virt.h>
#include "a64.h"

u64 a64_vtcr;
u64 a64_host_vectors;		/* the host's VBAR_EL2 (a64_entry.S) */
u64 a64_midr;
static unsigned int a64_vmid_max;
static DEFINE_IDA(a64_vmids);
static DEFINE_PER_CPU(u64, a64_host_cnthctl);

/* CNTHCTL_EL2 with E2H = 1: the EL1&0 (guest) counter and timer traps */
#define A64_CNTHCTL_EL1PCTEN	BIT(10)		/* 1: physical counter ok */
#define A64_CNTHCTL_EL1PTEN	BIT(11)		/* 1: physical timer ok */

static bool a64_native(void)
{
	return true;
}

static unsigned int a64_field(u64 reg, unsigned int shift)
{
	return (reg >> shift) & 0xf;
}

/*
 * Is Linux's KVM initialised?  kvm_init() creates kvm_debugfs_dir (an
 * ERR_PTR without debugfs, never NULL); with kvm-arm.mode=none it never
 * runs.  symbol_get: a kernel without KVM has no such symbol.
 */
extern struct dentry *kvm_debugfs_dir;

static bool a64_kvm_active(void)
{
	struct dentry **dir = symbol_get(kvm_debugfs_dir);
	bool active;

	if (!dir)
		return false;
	active = READ_ONCE(*dir);
	symbol_put(kvm_debugfs_dir);
	return active;
}

static int a64_probe(void)
{
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	unsigned int parange, tgran, ps;

	if (!is_kernel_in_hyp_mode()) {
		pr_err("the kernel runs at EL1, not EL2: EL2 is out of reach (booted at EL1, or KVM in nVHE/protected mode owns it: boot with kvm-arm.mode=none)\n");
		return -ENODEV;
	}
	if (!has_vhe() || !(read_sysreg(hcr_el2) & HCR_E2H)) {
		pr_err("the kernel runs at EL2 without VHE (HCR_EL2.E2H = 0)\n");
		return -ENODEV;
	}
	if (a64_kvm_active()) {
		pr_err("KVM is initialised and shares EL2 and VMIDs: boot with kvm-arm.mode=none\n");
		return -ENODEV;
	}
	tgran = a64_field(mmfr0, ID_AA64MMFR0_EL1_TGRAN4_2_SHIFT);
	if (tgran == 1 ||
	    (tgran == 0 &&
	     a64_field(mmfr0, ID_AA64MMFR0_EL1_TGRAN4_SHIFT) == 0xf)) {
		pr_err("no 4 KiB granule at stage 2 (ID_AA64MMFR0_EL1 0x%llx)\n",
		       mmfr0);
		return -ENODEV;
	}
	/* A 40-bit IPA starting at level 0 needs PARange >= 44 bits. */
	parange = a64_field(mmfr0, ID_AA64MMFR0_EL1_PARANGE_SHIFT);
	if (parange < 4) {
		pr_err("physical address range too small for a level-0 stage-2 root (PARange %u < 44 bits)\n",
		       parange);
		return -ENODEV;
	}
	ps = min(parange, 5U);		/* 48 bits at most: no 52-bit PA */
	a64_vtcr = VTCR_EL2_RES1 | ((u64)ps << VTCR_EL2_PS_SHIFT) |
		   VTCR_EL2_TG0_4K | VTCR_EL2_SH0_INNER |
		   VTCR_EL2_ORGN0_WBWA | VTCR_EL2_IRGN0_WBWA |
		   (2ULL << VTCR_EL2_SL0_SHIFT) | (64 - HVMOD_MAX_GPA_BITS);
	/* VMIDBits 0: 8 bits; 16-bit VMIDs need VTCR_EL2.VS, not used */
	a64_vmid_max = 255;
	if (!a64_field(mmfr1, ID_AA64MMFR1_EL1_VH_SHIFT)) {
		pr_err("ID_AA64MMFR1_EL1.VH = 0: no VHE\n");
		return -ENODEV;
	}
	a64_host_vectors = read_sysreg(vbar_el2);
	a64_midr = read_cpuid_id();
	return 0;
}

/* Invalidate every stage-1+2 entry tagged with vttbr's VMID, all CPUs. */
void a64_tlb_flush_vmid(u64 vttbr)
{
	unsigned long flags;
	u64 hcr, old;

	local_irq_save(flags);
	old = read_sysreg(vttbr_el2);
	hcr = read_sysreg(hcr_el2);
	write_sysreg(vttbr, vttbr_el2);
	/* with TGE = 1 the TLBI would target the host's EL2&0 regime */
	write_sysreg(hcr & ~HCR_TGE, hcr_el2);
	isb();
	dsb(ishst);
	__tlbi(vmalls12e1is);
	dsb(ish);
	isb();
	write_sysreg(hcr, hcr_el2);
	write_sysreg(old, vttbr_el2);
	isb();
	local_irq_restore(flags);
}

static int a64_cpu_enable(void)
{
	u64 cnthctl;

	if (!is_kernel_in_hyp_mode() || !(read_sysreg(hcr_el2) & HCR_E2H)) {
		pr_warn("CPU %d: not at EL2 with VHE\n", smp_processor_id());
		return -EBUSY;
	}
	/* guests read the counters, the physical timer traps (emulated) */
	cnthctl = read_sysreg(cnthctl_el2);
	this_cpu_write(a64_host_cnthctl, cnthctl);
	write_sysreg((cnthctl | A64_CNTHCTL_EL1PCTEN) & ~A64_CNTHCTL_EL1PTEN,
		     cnthctl_el2);
	/* whatever ran before may have left guest entries behind */
	dsb(ishst);
	__tlbi(alle1is);
	dsb(ish);
	isb();
	return 0;
}

static void a64_cpu_disable(void)
{
	write_sysreg(this_cpu_read(a64_host_cnthctl), cnthctl_el2);
	isb();
}

static int a64_vm_init(struct hvmod_vm *vm)
{
	struct a64_vm *avm = kzalloc(sizeof(*avm), GFP_KERNEL_ACCOUNT);
	int id;

	if (!avm)
		return -ENOMEM;
	id = ida_alloc_range(&a64_vmids, 1, a64_vmid_max, GFP_KERNEL);
	if (id < 0) {
		kfree(avm);
		return id == -ENOSPC ? -EBUSY : id;
	}
	avm->vmid = id;
	avm->vttbr = ((u64)id << VTTBR_VMID_SHIFT) | vm->s2.root_pa;
	avm->psci_version = A64_PSCI_VERSION_1_0;
	vm->arch = avm;
	a64_tlb_flush_vmid(avm->vttbr);
	return 0;
}

static void a64_vm_destroy(struct hvmod_vm *vm)
{
	struct a64_vm *avm = vm->arch;

	if (!avm)
		return;
	a64_tlb_flush_vmid(avm->vttbr);
	ida_free(&a64_vmids, avm->vmid);
	kfree(avm);
	vm->arch = NULL;
}

static long a64_vm_ioctl(struct hvmod_vm *vm, unsigned int ioctl,
			 unsigned long arg)
{
	struct kvm_vcpu_init init;

	switch (ioctl) {
	case KVM_ARM_PREFERRED_TARGET:
		memset(&init, 0, sizeof(init));
		init.target = KVM_ARM_TARGET_GENERIC_V8;
		if (copy_to_user((void __user *)arg, &init, sizeof(init)))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static int a64_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_ONE_REG:
	case KVM_CAP_ARM_PSCI:
	case KVM_CAP_ARM_PSCI_0_2:
	case KVM_CAP_IMMEDIATE_EXIT:
		return 1;
	default:
		return -1;
	}
}

struct hvmod_backend hvmod_arm64_backend = {
	.name = "arm64-vhe",
	.id = HVMOD_BACKEND_ARM64,
	.native = a64_native,
	.probe = a64_probe,
	.cpu_enable = a64_cpu_enable,
	.cpu_disable = a64_cpu_disable,
	.vm_init = a64_vm_init,
	.vm_destroy = a64_vm_destroy,
	.vcpu_init = a64_vcpu_init,
	.vcpu_destroy = a64_vcpu_destroy,
	.vcpu_complete = a64_vcpu_complete,
	.vcpu_run = a64_vcpu_run,
	.vcpu_ioctl = a64_vcpu_ioctl,
	.vm_ioctl = a64_vm_ioctl,
	.check_extension = a64_check_extension,
	.s2 = &a64_s2_format,
	.features = HVMOD_FEAT_STAGE2 | HVMOD_FEAT_HUGE_2M |
		    HVMOD_FEAT_HUGE_1G | HVMOD_FEAT_TAGGED_TLB |
		    HVMOD_FEAT_RUN,
};

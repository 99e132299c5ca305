// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 backend: the host kernel runs in HS-mode on harts with the H
 * extension, so hvmod programs the hypervisor CSRs directly from the
 * module: probe (H present, G-stage translation modes, VMID width),
 * per-CPU trap delegation, per-VM VMIDs and hgatp, the backend table.
 *
 * Linux's own KVM would program the same CSRs and allocate VMIDs of its
 * own; hvmod refuses to load while KVM is initialised.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": riscv: " fmt

#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <asm/csr.h>
#include <asm/hwcap.h>
#include <asm/timex.h>
#include "rv.h"

unsigned long rv_hgatp_mode;
unsigned int rv_vmid_bits;
static unsigned long rv_vmid_max;
static DEFINE_IDA(rv_vmids);

/* hstatus.VSXL: 2 = VS-mode XLEN 64 */
#define RV_VSXL_64		2UL

/*
 * Exceptions a guest handles itself (VS-mode): the ones its own kernel
 * takes from its own user space or its own page tables, and, as KVM does,
 * illegal instructions and misaligned accesses (the guest's FP state is
 * switched, so an FP instruction is illegal only by the guest's own
 * vsstatus.FS).  Everything else (ecall from VS-mode, guest page faults,
 * virtual instructions, access faults) traps to hvmod.
 */
#define RV_HEDELEG	(BIT(EXC_INST_MISALIGNED) | BIT(EXC_INST_ILLEGAL) | \
			 BIT(EXC_BREAKPOINT) | BIT(RV_EXC_LOAD_MISALIGNED) | \
			 BIT(RV_EXC_STORE_MISALIGNED) | BIT(EXC_SYSCALL) |	 \
			 BIT(EXC_INST_PAGE_FAULT) | BIT(EXC_LOAD_PAGE_FAULT) | \
			 BIT(EXC_STORE_PAGE_FAULT))
/* VS-level interrupts go to the guest */
#define RV_HIDELEG	(BIT(IRQ_VS_SOFT) | BIT(IRQ_VS_TIMER) | BIT(IRQ_VS_EXT))
/* the guest reads cycle, time and instret */
#define RV_HCOUNTEREN	0x7UL

struct hvmod_backend hvmod_riscv_backend;

static bool rv_native(void)
{
	return true;
}

/*
 * Is Linux's KVM initialised?  kvm_init() creates kvm_debugfs_dir (an
 * ERR_PTR without debugfs, never NULL).  symbol_get: a kernel without KVM
 * has no such symbol.
 */
extern struct dentry *kvm_debugfs_dir;

static bool rv_kvm_active(void)
{
	struct dentry **dir = symbol_get(kvm_debugfs_dir);
	bool active;

	if (!dir)
		return false;
	active = !!READ_ONCE(*dir);
	symbol_put(kvm_debugfs_dir);
	return active;
}

/*
 * Which G-stage modes does this hart take?  hgatp is WARL: an unsupported
 * MODE written leaves the register unchanged, so write each mode and read
 * it back.  Then the VMID field: write all ones, count what sticks.  Runs
 * with interrupts off on one hart; hgatp only matters while V = 1, and is
 * left 0 with this hart's guest TLB entries flushed.
 */
static void rv_probe_hgatp(bool *sv39x4, bool *sv48x4, unsigned int *vmid_bits,
			   unsigned long *old)
{
	unsigned long flags, v;

	local_irq_save(flags);
	*old = csr_read(CSR_HGATP);
	csr_write(CSR_HGATP, HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT);
	*sv39x4 = csr_read(CSR_HGATP) >> HGATP_MODE_SHIFT == HGATP_MODE_SV39X4;
	csr_write(CSR_HGATP, 0);
	csr_write(CSR_HGATP, HGATP_MODE_SV48X4 << HGATP_MODE_SHIFT);
	*sv48x4 = csr_read(CSR_HGATP) >> HGATP_MODE_SHIFT == HGATP_MODE_SV48X4;
	csr_write(CSR_HGATP, 0);
	*vmid_bits = 0;
	if (*sv48x4 || *sv39x4) {
		csr_write(CSR_HGATP, ((*sv48x4 ? HGATP_MODE_SV48X4 :
				       HGATP_MODE_SV39X4) << HGATP_MODE_SHIFT) |
			  HGATP_VMID_MASK);
		v = (csr_read(CSR_HGATP) & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
		*vmid_bits = fls_long(v);
	}
	csr_write(CSR_HGATP, 0);
	rv_hfence_gvma_all();
	local_irq_restore(flags);
}

static int rv_probe(void)
{
	bool sv39x4, sv48x4;
	unsigned long hstatus, old;
	unsigned int bits;

	if (!riscv_isa_extension_available(NULL, h)) {
		pr_err("no H extension: the harts' ISA string lacks 'h' (QEMU: -cpu rv64,h=true), or this kernel runs as a guest in VS-mode\n");
		return -ENODEV;
	}
	if (rv_kvm_active()) {
		pr_err("KVM is initialised and owns the hypervisor CSRs and VMIDs: unload kvm\n");
		return -ENODEV;
	}
	/* the ISA string said H: hstatus is readable */
	hstatus = csr_read(CSR_HSTATUS);
	if (((hstatus & HSTATUS_VSXL) >> HSTATUS_VSXL_SHIFT) != RV_VSXL_64) {
		pr_err("VS-mode is not 64-bit (hstatus 0x%lx, VSXL %lu)\n",
		       hstatus, (hstatus & HSTATUS_VSXL) >> HSTATUS_VSXL_SHIFT);
		return -ENODEV;
	}
	rv_probe_hgatp(&sv39x4, &sv48x4, &bits, &old);
	if (old)
		pr_warn("hgatp was 0x%lx, not 0, before hvmod: another hypervisor used this hart\n",
			old);
	/*
	 * Guest physical addresses have HVMOD_MAX_GPA_BITS = 40 bits: the
	 * shared walker's 512-entry tables need a 4-level G-stage (Sv48x4,
	 * root index 0..1), Sv39x4's 3 levels would need a 1024-entry root.
	 */
	if (!sv48x4) {
		pr_err("hgatp takes no Sv48x4 G-stage mode (Sv39x4 %s): 40-bit guest physical addresses need Sv48x4\n",
		       sv39x4 ? "present" : "absent too");
		return -ENODEV;
	}
	rv_hgatp_mode = HGATP_MODE_SV48X4;
	rv_vmid_bits = bits;
	/* VMID 0 is the host's "no guest" tag; with no VMID bits it is shared */
	rv_vmid_max = bits ? (1UL << bits) - 1 : 0;
	hvmod_riscv_backend.features = HVMOD_FEAT_STAGE2 | HVMOD_FEAT_HUGE_2M |
				       HVMOD_FEAT_HUGE_1G | HVMOD_FEAT_RUN |
				       (bits ? HVMOD_FEAT_TAGGED_TLB : 0);
	pr_info("H extension: hstatus 0x%lx, G-stage Sv39x4 %s Sv48x4 yes (used), %u VMID bits\n",
		hstatus, sv39x4 ? "yes" : "no", bits);
	return 0;
}

static int rv_cpu_enable(void)
{
	if (csr_read(CSR_HGATP)) {
		pr_warn("CPU %d: hgatp 0x%lx is in use by someone else\n",
			smp_processor_id(), csr_read(CSR_HGATP));
		return -EBUSY;
	}
	csr_write(CSR_HEDELEG, RV_HEDELEG);
	csr_write(CSR_HIDELEG, RV_HIDELEG);
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HCOUNTEREN, RV_HCOUNTEREN);
	/* whatever ran before may have left guest entries behind */
	rv_hfence_gvma_all();
	return 0;
}

static void rv_cpu_disable(void)
{
	/* no VS interrupt may stay pending once hideleg stops delegating */
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_VSIE, 0);
	csr_write(CSR_HIDELEG, 0);
	csr_write(CSR_HEDELEG, 0);
	csr_write(CSR_HCOUNTEREN, 0);
	csr_write(CSR_HGATP, 0);
	rv_hfence_gvma_all();
}

static void rv_flush_vmid_here(void *info)
{
	struct rv_vm *rvm = info;

	if (rv_vmid_bits)
		rv_hfence_gvma_vmid(rvm->vmid);
	else
		rv_hfence_gvma_all();
}

static int rv_vm_init(struct hvmod_vm *vm)
{
	struct rv_vm *rvm = kzalloc(sizeof(*rvm), GFP_KERNEL_ACCOUNT);
	int id = 0;

	if (!rvm)
		return -ENOMEM;
	if (rv_vmid_max) {
		id = ida_alloc_range(&rv_vmids, 1, rv_vmid_max, GFP_KERNEL);
		if (id < 0) {
			kfree(rvm);
			return id == -ENOSPC ? -EBUSY : id;
		}
	}
	rvm->vmid = id;
	/* as KVM: the guest's time starts at 0 when the VM is created */
	rvm->time_delta = -get_cycles64();
	rvm->hgatp = (rv_hgatp_mode << HGATP_MODE_SHIFT) |
		     (((unsigned long)id << HGATP_VMID_SHIFT) & HGATP_VMID_MASK) |
		     ((vm->s2.root_pa >> HGATP_PAGE_SHIFT) & HGATP_PPN);
	vm->arch = rvm;
	on_each_cpu(rv_flush_vmid_here, rvm, 1);
	return 0;
}

static void rv_vm_destroy(struct hvmod_vm *vm)
{
	struct rv_vm *rvm = vm->arch;

	if (!rvm)
		return;
	on_each_cpu(rv_flush_vmid_here, rvm, 1);
	if (rvm->vmid)
		ida_free(&rv_vmids, rvm->vmid);
	kfree(rvm);
	vm->arch = NULL;
}

static int rv_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_ONE_REG:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_MP_STATE:
		return 1;
	default:
		return -1;
	}
}

struct hvmod_backend hvmod_riscv_backend = {
	.name = "riscv-h",
	.id = HVMOD_BACKEND_RISCV,
	.native = rv_native,
	.probe = rv_probe,
	.cpu_enable = rv_cpu_enable,
	.cpu_disable = rv_cpu_disable,
	.vm_init = rv_vm_init,
	.vm_destroy = rv_vm_destroy,
	.vcpu_init = rv_vcpu_init,
	.vcpu_destroy = rv_vcpu_destroy,
	.vcpu_complete = rv_vcpu_complete,
	.vcpu_run = rv_vcpu_run,
	.vcpu_load = rv_vcpu_load,
	.vcpu_put = rv_vcpu_put,
	.vcpu_ioctl = rv_vcpu_ioctl,
	.check_extension = rv_check_extension,
	.s2 = &rv_s2_format,
	/* .features: set by rv_probe() */
};

// SPDX-License-Identifier: GPL-2.0
/*
 * hvt_a64.c: the aarch64 part of the hvt tender (struct hvt_arch): the
 * guest's identity page tables in low memory, the initial vCPU state
 * (KVM_ARM_VCPU_INIT, then ONE_REGs) and the hypercall exit (a 32-bit
 * store to 0x100000000 + (nr << 3), a KVM_EXIT_MMIO).
 *
 * Guest physical low memory (4 KiB granule, 40-bit VA, VA == PA):
 *   0x00000  zero page (not mapped)
 *   0x01000  PGD (level 0): [0] -> PUD
 *   0x02000  PUD (level 1): [0..3] -> PMD0..3, [4] 1 GiB device block at
 *            4 GiB (the hypercall MMIO addresses)
 *   0x03000  PMD0..3 (level 2, 0x3000-0x6fff): [0] of PMD0 -> PTE, the
 *            rest 2 MiB normal blocks up to the end of guest memory
 *   0x07000  PTE (level 3) for the first 2 MiB: 0x0-0xffff unmapped,
 *            0x10000-0xfffff read-only, never executable, 0x100000- RW
 *   0x10000  boot info, manifest, command line (hvt.c)
 *   0x100000 the unikernel's ELF segments
 */
#include <elf.h>
#include <err.h>
#include <string.h>
#include <sys/ioctl.h>
#include "hvt.h"

#define PGD_BASE	0x1000ull
#define PUD_BASE	0x2000ull
#define PMD_BASE	0x3000ull	/* 4 pages: PMD0..PMD3 */
#define PTE_BASE	0x7000ull

/* Stage-1 descriptor bits (VMSAv8-64, 4 KiB granule) */
#define DESC_TABLE	3ull		/* levels 0-2 */
#define DESC_BLOCK	1ull		/* levels 1-2 */
#define DESC_PAGE	3ull		/* level 3 */
#define DESC_ATTR(i)	((uint64_t)(i) << 2)	/* MAIR_EL1 index */
#define DESC_AP_RO	(1ull << 7)	/* AP[2]: read-only */
#define DESC_SH_INNER	(3ull << 8)
#define DESC_AF		(1ull << 10)
#define DESC_PXN	(1ull << 53)
#define DESC_UXN	(1ull << 54)

/* MAIR_EL1 attribute indexes (MAIR_INIT below) */
#define MT_DEVICE_nGnRE	1
#define MT_NORMAL	4

#define NORMAL_RW	(DESC_ATTR(MT_NORMAL) | DESC_SH_INNER | DESC_AF | DESC_UXN)
#define NORMAL_RO_XN	(NORMAL_RW | DESC_AP_RO | DESC_PXN)
#define DEVICE		(DESC_ATTR(MT_DEVICE_nGnRE) | DESC_AF | DESC_PXN | DESC_UXN)

#define FOUR_GIB	(4ull << 30)
_Static_assert(HVT_MMIO_BASE == FOUR_GIB, "PUD[4] is the MMIO block");

/* Initial state (SOLO5-HVT-ABI.md, section 4) */
#define PSTATE_INIT	0x3c5ull		/* D|A|I|F, EL1h */
#define CPACR_FPEN	(3ull << 20)		/* FP/SIMD at EL0 and EL1 */
#define MAIR_INIT	0x0000BBFF440C0400ull
#define TCR_INIT	0x32B5183518ull		/* 40-bit VA/IPA, 4K, WBWA, IS */
#define SCTLR_INIT	0x1005ull		/* M|C|I */

#define CORE_REG(f)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(f))
#define REG_PC		CORE_REG(regs.pc)
#define REG_PSTATE	CORE_REG(regs.pstate)
#define REG_X0		CORE_REG(regs.regs[0])
#define REG_SP_EL1	CORE_REG(sp_el1)
#define REG_SCTLR	ARM64_SYS_REG(3, 0, 1, 0, 0)
#define REG_CPACR	ARM64_SYS_REG(3, 0, 1, 0, 2)
#define REG_TTBR0	ARM64_SYS_REG(3, 0, 2, 0, 0)
#define REG_TCR		ARM64_SYS_REG(3, 0, 2, 0, 2)
#define REG_MAIR	ARM64_SYS_REG(3, 0, 10, 2, 0)

static void setup_pagetables(struct hvt *h)
{
	uint64_t *pgd = (uint64_t *)(h->mem + PGD_BASE);
	uint64_t *pud = (uint64_t *)(h->mem + PUD_BASE);
	uint64_t *pmd = (uint64_t *)(h->mem + PMD_BASE);	/* 2048 entries */
	uint64_t *pte = (uint64_t *)(h->mem + PTE_BASE);
	uint64_t pa, top = h->alloc_size < FOUR_GIB ? h->alloc_size : FOUR_GIB;
	int i;

	memset(h->mem + PGD_BASE, 0, PTE_BASE + 0x1000 - PGD_BASE);
	pgd[0] = PUD_BASE | DESC_TABLE;
	for (i = 0; i < 4; i++)
		pud[i] = (PMD_BASE + i * 0x1000ull) | DESC_TABLE;
	pud[4] = HVT_MMIO_BASE | DEVICE | DESC_BLOCK;
	pmd[0] = PTE_BASE | DESC_TABLE;
	for (pa = HVT_BOOT_INFO_BASE; pa < HVT_PAGE_2M; pa += 0x1000) {
		if (pa < HVT_GUEST_MIN_BASE)
			pte[pa >> 12] = pa | NORMAL_RO_XN | DESC_PAGE;
		else
			pte[pa >> 12] = pa | NORMAL_RW | DESC_PAGE;
	}
	for (pa = HVT_PAGE_2M; pa < top; pa += HVT_PAGE_2M)
		pmd[pa >> 21] = pa | NORMAL_RW | DESC_BLOCK;
}

/* The counter frequency the guest sees: the host's CNTFRQ_EL0. */
static uint64_t counter_freq(void)
{
	uint64_t f;

	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(f));
	if (!f)
		errx(1, "CNTFRQ_EL0 is 0: the firmware did not set the counter frequency");
	return f;
}

static void vcpu_init(struct hvt *h)
{
	struct kvm_vcpu_init init;

	memset(&init, 0, sizeof(init));
	if (ioctl(h->vm.vmfd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		err(1, "KVM: ioctl (KVM_ARM_PREFERRED_TARGET) failed");
	memset(init.features, 0, sizeof(init.features));
	if (ioctl(h->vm.vcpufd, KVM_ARM_VCPU_INIT, &init) < 0)
		err(1, "KVM: ioctl (KVM_ARM_VCPU_INIT) failed");

	vm_set_one_reg(&h->vm, REG_PSTATE, PSTATE_INIT, "PSTATE");
	vm_set_one_reg(&h->vm, REG_CPACR, CPACR_FPEN, "CPACR_EL1");
	vm_set_one_reg(&h->vm, REG_MAIR, MAIR_INIT, "MAIR_EL1");
	vm_set_one_reg(&h->vm, REG_TCR, TCR_INIT, "TCR_EL1");
	vm_set_one_reg(&h->vm, REG_TTBR0, PGD_BASE, "TTBR0_EL1");
	vm_set_one_reg(&h->vm, REG_SCTLR, SCTLR_INIT, "SCTLR_EL1");
	/* AAPCS64: SP 16-byte aligned; x0 = boot info */
	vm_set_one_reg(&h->vm, REG_SP_EL1, h->mem_size - 16, "SP_EL1");
	vm_set_one_reg(&h->vm, REG_X0, HVT_BOOT_INFO_BASE, "X0");
	vm_set_one_reg(&h->vm, REG_PC, h->entry, "PC");

	h->cpu_cycle_freq = counter_freq();
}

static uint64_t guest_pc(struct hvt *h, const char *why)
{
	return vm_get_one_reg(&h->vm, REG_PC, "PC", why);
}

const struct hvt_arch hvt_arch = {
	.name = "aarch64",
	.machine = EM_AARCH64,
	.pc_name = "pc",
	.ram_limit = HVT_MMIO_BASE,
	.setup_pagetables = setup_pagetables,
	.vcpu_init = vcpu_init,
	.handle_exit = hvt_mmio_hypercall,
	.guest_pc = guest_pc,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * hvt_rv.c: the riscv64 part of the hvt tender (struct hvt_arch), as
 * defined in docs/hvt-riscv64.md: the guest's identity Sv39 page tables
 * in low memory, the initial vCPU state (KVM riscv ONE_REGs) and the
 * hypercall exit (a 32-bit store to 0x100000000 + (nr << 3), a
 * KVM_EXIT_MMIO, as on aarch64).
 *
 * Guest physical low memory (4 KiB pages, Sv39, VA == PA):
 *   0x00000  zero page (not mapped)
 *   0x01000  root table (level 2): [0..3] -> L1 tables, [4] a 1 GiB
 *            read/write leaf at 4 GiB (the hypercall MMIO addresses)
 *   0x02000  L1 tables 0..3 (level 1, 0x2000-0x5fff): [0] of table 0 ->
 *            L0, the rest 2 MiB RWX leaves up to the end of guest memory
 *   0x06000  L0 (level 0) for the first 2 MiB: 0x0-0xffff unmapped,
 *            0x10000-0xfffff read-only, 0x100000- RWX
 *   0x10000  boot info, manifest, command line (hvt.c)
 *   0x100000 the unikernel's ELF segments
 */
#include <elf.h>
#include <err.h>
#include <string.h>
#include "hvt.h"

#define ROOT_BASE	0x1000ull
#define L1_BASE		0x2000ull	/* 4 pages: L1 tables 0..3 */
#define L0_BASE		0x6000ull

/* Sv39 PTE bits */
#define PTE_V		(1ull << 0)
#define PTE_R		(1ull << 1)
#define PTE_W		(1ull << 2)
#define PTE_X		(1ull << 3)
#define PTE_A		(1ull << 6)
#define PTE_D		(1ull << 7)
#define PTE_PPN(pa)	(((pa) >> 12) << 10)

/* A and D preset: the guest never takes an access/dirty update fault */
#define LEAF_RWX	(PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define LEAF_RO		(PTE_V | PTE_R | PTE_A)
#define LEAF_RW		(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

#define FOUR_GIB	(4ull << 30)
_Static_assert(HVT_MMIO_BASE == FOUR_GIB, "root[4] is the MMIO gigapage");

/* Initial state (docs/hvt-riscv64.md) */
#define SATP_SV39	(8ull << 60)
#define SSTATUS_FS_INITIAL	(1ull << 13)

#define RV_REG(type, idx)	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | (type) | (idx))
#define CORE_REG(r)	RV_REG(KVM_REG_RISCV_CORE, KVM_REG_RISCV_CORE_REG(r))
#define CSR_REG(r)	RV_REG(KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_REG(r))
#define TIMER_REG(r)	RV_REG(KVM_REG_RISCV_TIMER, KVM_REG_RISCV_TIMER_REG(r))

static void setup_pagetables(struct hvt *h)
{
	uint64_t *root = (uint64_t *)(h->mem + ROOT_BASE);
	uint64_t *l1 = (uint64_t *)(h->mem + L1_BASE);	/* 2048 entries */
	uint64_t *l0 = (uint64_t *)(h->mem + L0_BASE);
	uint64_t pa, top = h->alloc_size < FOUR_GIB ? h->alloc_size : FOUR_GIB;
	int i;

	memset(h->mem + ROOT_BASE, 0, L0_BASE + 0x1000 - ROOT_BASE);
	for (i = 0; i < 4; i++)
		root[i] = PTE_PPN(L1_BASE + i * 0x1000ull) | PTE_V;
	root[4] = PTE_PPN(HVT_MMIO_BASE) | LEAF_RW;
	l1[0] = PTE_PPN(L0_BASE) | PTE_V;
	for (pa = HVT_BOOT_INFO_BASE; pa < HVT_PAGE_2M; pa += 0x1000) {
		if (pa < HVT_GUEST_MIN_BASE)
			l0[pa >> 12] = PTE_PPN(pa) | LEAF_RO;
		else
			l0[pa >> 12] = PTE_PPN(pa) | LEAF_RWX;
	}
	for (pa = HVT_PAGE_2M; pa < top; pa += HVT_PAGE_2M)
		l1[pa >> 21] = PTE_PPN(pa) | LEAF_RWX;
}

static void vcpu_init(struct hvt *h)
{
	uint64_t freq;

	vm_set_one_reg(&h->vm, CORE_REG(mode), KVM_RISCV_MODE_S, "mode");
	vm_set_one_reg(&h->vm, CSR_REG(satp), SATP_SV39 | (ROOT_BASE >> 12), "satp");
	/* FP on (Initial), interrupts off: the guest has no handlers yet */
	vm_set_one_reg(&h->vm, CSR_REG(sstatus), SSTATUS_FS_INITIAL, "sstatus");
	/* psABI: sp 16-byte aligned; a0 = boot info; tp (TLS base) 0 */
	vm_set_one_reg(&h->vm, CORE_REG(regs.sp), h->mem_size - 16, "sp");
	vm_set_one_reg(&h->vm, CORE_REG(regs.a0), HVT_BOOT_INFO_BASE, "a0");
	vm_set_one_reg(&h->vm, CORE_REG(regs.tp), 0, "tp");
	vm_set_one_reg(&h->vm, CORE_REG(regs.pc), h->entry, "pc");

	/* the guest's time CSR counts at the host timer's frequency */
	freq = vm_get_one_reg(&h->vm, TIMER_REG(frequency), "timer frequency",
			      "vCPU setup");
	if (!freq)
		errx(1, "KVM: the timer frequency is 0");
	h->cpu_cycle_freq = freq;
}

static uint64_t guest_pc(struct hvt *h, const char *why)
{
	return vm_get_one_reg(&h->vm, CORE_REG(regs.pc), "pc", why);
}

const struct hvt_arch hvt_arch = {
	.name = "riscv64",
	.machine = EM_RISCV,
	.pc_name = "pc",
	.ram_limit = HVT_MMIO_BASE,
	.setup_pagetables = setup_pagetables,
	.vcpu_init = vcpu_init,
	.handle_exit = hvt_mmio_hypercall,
	.guest_pc = guest_pc,
};

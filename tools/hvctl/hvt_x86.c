// SPDX-License-Identifier: GPL-2.0
/*
 * hvt_x86.c: the x86_64 part of the hvt tender (struct hvt_arch): GDT and
 * identity page tables in low memory, the initial vCPU state and the
 * hypercall exit (OUTL to ports 0x500 + nr).
 *
 * Guest physical low memory:
 *   0x00000  zero page (not mapped in the guest page tables)
 *   0x01000  GDT: null, 64-bit code (0x08), data (0x10)
 *   0x02000  PML4      0x03000 PDPT      0x04000-0x07fff PD0..PD3
 *   0x08000  PT0 (4 KiB pages of the first 2 MiB)
 *   0x10000  boot info, manifest, command line (hvt.c; mapped read-only)
 *   0x100000 the unikernel's ELF segments
 */
#include <elf.h>
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "hvt.h"

#define GDT_BASE	0x1000ull
#define PML4_BASE	0x2000ull
#define PDPT_BASE	0x3000ull
#define PD_BASE		0x4000ull	/* 4 pages: PD0..PD3 */
#define PT0_BASE	0x8000ull

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)

#define GDT_CODE64	0x00af99000000ffffull
#define GDT_DATA	0x00cf93000000ffffull
#define SEL_CODE	0x08
#define SEL_DATA	0x10

#define CR0_INIT	0x80010021ull	/* PE | NE | WP | PG */
#define CR4_INIT	0x620ull	/* PAE | OSFXSR | OSXMMEXCPT */
#define EFER_INIT	0x500ull	/* LME | LMA */
#define RFLAGS_INIT	0x2ull

#define FOUR_GIB	(4ull << 30)

static void setup_gdt(uint8_t *mem)
{
	uint64_t *gdt = (uint64_t *)(mem + GDT_BASE);

	gdt[0] = 0;
	gdt[1] = GDT_CODE64;
	gdt[2] = GDT_DATA;
}

static void setup_pagetables(uint8_t *mem, uint64_t alloc_size)
{
	uint64_t *pml4 = (uint64_t *)(mem + PML4_BASE);
	uint64_t *pdpt = (uint64_t *)(mem + PDPT_BASE);
	uint64_t *pd = (uint64_t *)(mem + PD_BASE);	/* 2048 entries */
	uint64_t *pt0 = (uint64_t *)(mem + PT0_BASE);
	uint64_t pa, top = alloc_size < FOUR_GIB ? alloc_size : FOUR_GIB;
	int i;

	memset(mem + PML4_BASE, 0, PT0_BASE + 0x1000 - PML4_BASE);
	pml4[0] = PDPT_BASE | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_BASE + i * 0x1000ull) | PTE_P | PTE_RW;
	pd[0] = PT0_BASE | PTE_P | PTE_RW;
	for (pa = 0; pa < HVT_PAGE_2M; pa += 0x1000) {
		if (pa < HVT_BOOT_INFO_BASE)
			continue;		/* zero page, GDT, page tables */
		if (pa < HVT_GUEST_MIN_BASE)
			pt0[pa >> 12] = pa | PTE_P;	/* host -> guest only */
		else
			pt0[pa >> 12] = pa | PTE_P | PTE_RW;
	}
	for (pa = HVT_PAGE_2M; pa < top; pa += HVT_PAGE_2M)
		pd[pa >> 21] = pa | PTE_P | PTE_RW | PTE_PS;
}

static void setup_pagetables_gdt(struct hvt *h)
{
	setup_gdt(h->mem);
	setup_pagetables(h->mem, h->alloc_size);
}

static void setup_cpuid(struct hvt *h)
{
	vm_x86_set_cpuid(&h->vm, vm_x86_supported_cpuid(&h->vm));
}

static void vcpu_init(struct hvt *h)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	long r;
	int khz;

	setup_cpuid(h);

	memset(&sregs, 0, sizeof(sregs));
	sregs.cr0 = CR0_INIT;
	sregs.cr3 = PML4_BASE;
	sregs.cr4 = CR4_INIT;
	sregs.efer = EFER_INIT;
	/* CS execute-only, the others read-write; all accessed */
	sregs.cs = vm_x86_flat_seg(SEL_CODE, 9, 1, 0);
	sregs.ss = sregs.ds = sregs.es = sregs.fs = sregs.gs =
		vm_x86_flat_seg(SEL_DATA, 3, 0, 1);
	sregs.tr = (struct kvm_segment){ .type = 11, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .unusable = 1 };
	sregs.gdt.base = GDT_BASE;
	sregs.gdt.limit = 3 * 8 - 1;
	if (ioctl(h->vm.vcpufd, KVM_SET_SREGS, &sregs) < 0)
		err(1, "KVM: ioctl (SET_SREGS) failed");

	r = vm_check_extension(&h->vm, KVM_CAP_GET_TSC_KHZ);
	if (r < 0)
		err(1, "KVM: ioctl (KVM_CHECK_EXTENSION) failed");
	if (r == 0)
		errx(1, "KVM: host does not support KVM_CAP_GET_TSC_KHZ");
	khz = ioctl(h->vm.vcpufd, KVM_GET_TSC_KHZ, 0);
	if (khz < 0 && errno == EIO)
		errx(1, "KVM: host TSC is unstable, cannot continue");
	if (khz <= 0)
		err(1, "KVM: ioctl (KVM_GET_TSC_KHZ) failed");
	h->cpu_cycle_freq = khz * 1000ull;

	/* x86_64 ABI: (%rsp + 8) % 16 == 0 at entry; %rdi = boot info. */
	memset(&regs, 0, sizeof(regs));
	regs.rip = h->entry;
	regs.rflags = RFLAGS_INIT;
	regs.rsp = h->mem_size - 8;
	regs.rdi = HVT_BOOT_INFO_BASE;
	if (ioctl(h->vm.vcpufd, KVM_SET_REGS, &regs) < 0)
		err(1, "KVM: ioctl (SET_REGS) failed");
}

static uint64_t guest_rip(struct hvt *h, const char *why)
{
	struct kvm_regs regs;

	if (ioctl(h->vm.vcpufd, KVM_GET_REGS, &regs) < 0)
		err(1, "KVM: ioctl (GET_REGS) failed after %s", why);
	return regs.rip;
}

/* OUTL to a hypercall port: 1 if the guest halted, else 0. */
static int handle_io(struct hvt *h, int *status)
{
	struct kvm_run *run = h->vm.run;
	unsigned int port = run->io.port;
	uint32_t *data;

	if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
	    run->io.count != 1 || port < HVT_PIO_BASE ||
	    port >= HVT_PIO_BASE + HVT_HC_MAX)
		errx(1, "Invalid guest port access: port=0x%x", port);
	data = vm_run_data(&h->vm, run->io.data_offset, sizeof(*data));
	if (!data)
		errx(1, "KVM: I/O exit data offset 0x%llx outside kvm_run",
		     (unsigned long long)run->io.data_offset);
	return hvt_hypercall(h, port - HVT_PIO_BASE, *data, status);
}

static int handle_exit(struct hvt *h, int *status)
{
	if (h->vm.run->exit_reason != KVM_EXIT_IO)
		return -1;
	return handle_io(h, status);
}

const struct hvt_arch hvt_arch = {
	.name = "x86_64",
	.machine = EM_X86_64,
	.pc_name = "rip",
	.ram_limit = UINT64_MAX,	/* hypercalls are port I/O */
	.setup_pagetables = setup_pagetables_gdt,
	.vcpu_init = vcpu_init,
	.handle_exit = handle_exit,
	.guest_pc = guest_rip,
};

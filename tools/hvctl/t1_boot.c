// SPDX-License-Identifier: GPL-2.0
/*
 * t1_boot.c: the Linux x86 boot protocol, 64-bit entry
 * (Documentation/x86/boot.rst): hvctl does what the real-mode setup code
 * and the 32-bit entry would, and jumps to startup_64 of the compressed
 * kernel at the load address + 0x200 with
 *   - long mode, paging on, identity-mapped low 4 GiB (2 MiB pages),
 *   - a GDT with flat __BOOT_CS (0x10, 64-bit code) and __BOOT_DS (0x18),
 *   - interrupts off, %rsi = the zero page (struct boot_params) holding
 *     the kernel's setup header, an e820 map, the command line and the
 *     initrd's address and size.
 *
 * Guest physical layout:
 *   0x00500  GDT            0x01000  PML4   0x02000  PDPT
 *   0x03000  PD0..PD3       0x08ff0  initial stack (unused by Linux)
 *   0x10000  zero page      0x20000  command line
 *   pref_address (16 MiB for Debian's kernel): the protected-mode kernel
 *   the initrd: as high as initrd_addr_max and RAM allow
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "t1.h"

#define GDT_BASE	0x500ull
#define PML4_BASE	0x1000ull
#define PDPT_BASE	0x2000ull
#define PD_BASE		0x3000ull
#define STACK_TOP	0x8ff0ull
#define ZERO_PAGE	0x10000ull
#define CMDLINE_BASE	0x20000ull

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)

#define SEL_BOOT_CS	0x10
#define SEL_BOOT_DS	0x18
#define GDT_CODE64	0x00af9b000000ffffull
#define GDT_DATA	0x00cf93000000ffffull

#define CR0_PE_PG	0x80000011ull	/* PE | ET | PG */
#define CR4_PAE		0x20ull
#define EFER_LME_LMA	0x500ull

/* Setup header fields (offsets in the bzImage and in boot_params). */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_CODE32_START	0x214
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260

#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define E820_RAM		1
#define E820_RESERVED		2

#define LOADED_HIGH		0x01
#define XLF_KERNEL_64		0x01

#define ALIGN_DOWN(x, a)	((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a)		ALIGN_DOWN((x) + (a) - 1, a)

static uint8_t *read_file(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(1, "%s", path);
	if (fstat(fd, &st) < 0)
		err(1, "%s: stat", path);
	if (!S_ISREG(st.st_mode))
		errx(1, "%s: not a regular file", path);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		err(1, "out of memory");
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err(1, "%s: read", path);
		got += n;
	}
	close(fd);
	*size = got;
	return buf;
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void e820_add(uint8_t *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t n = bp[BP_E820_ENTRIES];
	uint8_t *e = bp + BP_E820_TABLE + n * 20;

	put64(e, 0, addr);
	put64(e, 8, size);
	put32(e, 16, type);
	bp[BP_E820_ENTRIES] = n + 1;
}

static void setup_pagetables(struct t1 *t)
{
	uint64_t *pml4 = (uint64_t *)(t->mem + PML4_BASE);
	uint64_t *pdpt = (uint64_t *)(t->mem + PDPT_BASE);
	uint64_t *pd = (uint64_t *)(t->mem + PD_BASE);	/* 2048 entries */
	uint64_t i;

	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = PDPT_BASE | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_BASE + i * 0x1000) | PTE_P | PTE_RW;
	for (i = 0; i < 2048; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
}

void t1_boot_load(struct t1 *t)
{
	uint8_t *img, *bp = t->mem + ZERO_PAGE;
	size_t img_size, setup_size, hdr_end;
	uint64_t load, init_size, align, kend;
	unsigned int setup_sects, version;

	img = read_file(t->kernel, &img_size);
	if (img_size < 0x300 || get32(img, HDR_MAGIC) != 0x53726448 ||
	    img[HDR_BOOT_FLAG] != 0x55 || img[HDR_BOOT_FLAG + 1] != 0xaa)
		errx(1, "%s: not a Linux bzImage (no \"HdrS\" setup header)",
		     t->kernel);
	version = img[HDR_VERSION] | img[HDR_VERSION + 1] << 8;
	if (version < 0x020c || !(img[HDR_XLOADFLAGS] & XLF_KERNEL_64))
		errx(1, "%s: boot protocol %u.%02u without the 64-bit entry (XLF_KERNEL_64); need 2.12+",
		     t->kernel, version >> 8, version & 0xff);
	if (!(img[HDR_LOADFLAGS] & LOADED_HIGH))
		errx(1, "%s: not a bzImage (zImage loads low)", t->kernel);
	setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	setup_size = (setup_sects + 1) * 512ul;
	if (setup_size >= img_size)
		errx(1, "%s: truncated (setup %zu bytes, file %zu)", t->kernel,
		     setup_size, img_size);

	/* Where the protected-mode kernel goes. */
	init_size = get32(img, HDR_INIT_SIZE);
	align = get32(img, HDR_KERNEL_ALIGNMENT);
	load = get64(img, HDR_PREF_ADDRESS);
	if (!load)
		load = get32(img, HDR_CODE32_START);
	if (img[HDR_RELOCATABLE] && align && (align & (align - 1)) == 0)
		load = ALIGN_UP(load, align);
	if (init_size < img_size - setup_size)
		init_size = img_size - setup_size;
	kend = load + init_size;
	if (load < 0x100000 || kend > t->mem_size)
		errx(1, "%s: needs RAM up to %llu MiB (load at 0x%llx, init_size %llu KiB): raise --mem",
		     t->kernel, (unsigned long long)(kend >> 20) + 1,
		     (unsigned long long)load,
		     (unsigned long long)init_size >> 10);
	memcpy(t->mem + load, img + setup_size, img_size - setup_size);

	/* The zero page: the kernel's own setup header, then ours. */
	memset(bp, 0, 0x1000);
	hdr_end = HDR_MAGIC + img[HDR_JUMP + 1];
	if (hdr_end > 0x1000 || hdr_end > img_size)
		errx(1, "%s: setup header too long", t->kernel);
	memcpy(bp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS,
	       hdr_end - HDR_SETUP_SECTS);
	bp[HDR_TYPE_OF_LOADER] = 0xff;		/* undefined boot loader */
	bp[HDR_LOADFLAGS] = LOADED_HIGH;	/* no KEEP_SEGMENTS, quiet off */
	put32(bp, HDR_CODE32_START, (uint32_t)load);

	t->cmdline_max = get32(img, HDR_CMDLINE_SIZE);
	put32(bp, HDR_CMD_LINE_PTR, (uint32_t)CMDLINE_BASE);

	if (t->initrd) {
		uint64_t max = get32(img, HDR_INITRD_ADDR_MAX);
		uint64_t top = t->mem_size, addr;
		size_t rd_size;
		uint8_t *rd = read_file(t->initrd, &rd_size);

		if (max && max + 1 < top)
			top = max + 1;
		addr = ALIGN_DOWN(top - (rd_size < top ? rd_size : top), 4096);
		if (rd_size > top || addr < kend)
			errx(1, "%s: %zu KiB does not fit above the kernel below %llu MiB: raise --mem",
			     t->initrd, rd_size >> 10,
			     (unsigned long long)top >> 20);
		memcpy(t->mem + addr, rd, rd_size);
		put32(bp, HDR_RAMDISK_IMAGE, (uint32_t)addr);
		put32(bp, HDR_RAMDISK_SIZE, (uint32_t)rd_size);
		free(rd);
	}

	/* e820: low RAM, EBDA/ROM holes, RAM from 1 MiB. */
	e820_add(bp, 0, 0x9fc00, E820_RAM);
	e820_add(bp, 0x9fc00, 0x400, E820_RESERVED);
	e820_add(bp, 0xf0000, 0x10000, E820_RESERVED);
	e820_add(bp, 0x100000, t->mem_size - 0x100000, E820_RAM);

	/* GDT and identity page tables. */
	put64(t->mem, GDT_BASE + SEL_BOOT_CS, GDT_CODE64);
	put64(t->mem, GDT_BASE + SEL_BOOT_DS, GDT_DATA);
	setup_pagetables(t);

	t->entry = load + 0x200;
	free(img);
}

void t1_boot_cmdline(struct t1 *t)
{
	size_t len = strlen(t->cmdline);

	if (len > t->cmdline_max || len >= T1_CMDLINE_MAX)
		errx(1, "command line of %zu bytes: the kernel takes at most %u",
		     len, t->cmdline_max);
	memcpy(t->mem + CMDLINE_BASE, t->cmdline, len + 1);
}

/*
 * The host's CPUID as the device offers it, minus the local APIC (one
 * vCPU) or with the xAPIC of t1_lapic.c (SMP, t1_smp_cpuid()).
 */
static void setup_cpuid(struct t1 *t)
{
	struct kvm_cpuid2 *cpuid = vm_x86_supported_cpuid(&t->vm);
	unsigned int i;

	if (t->ncpus > 1) {
		t1_smp_cpuid(t, cpuid, 0);
		vm_x86_set_cpuid(&t->vm, cpuid);
		return;
	}
	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 1) {
			e->edx &= ~(1u << 9);		/* APIC */
			e->ecx &= ~((1u << 21) |	/* x2APIC */
				    (1u << 24));	/* TSC deadline */
			e->ebx &= 0x0000ffff;		/* APIC ID 0, 1 CPU */
		}
	}
	vm_x86_set_cpuid(&t->vm, cpuid);
}

void t1_boot_vcpu(struct t1 *t)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	setup_cpuid(t);

	if (ioctl(t->vm.vcpufd, KVM_GET_SREGS, &sregs) < 0)
		err(1, "KVM: ioctl (GET_SREGS) failed");
	sregs.cr0 = CR0_PE_PG;
	sregs.cr3 = PML4_BASE;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME_LMA;
	/* CS execute/read, the others read/write; all accessed */
	sregs.cs = vm_x86_flat_seg(SEL_BOOT_CS, 11, 1, 0);
	sregs.ss = sregs.ds = sregs.es = sregs.fs = sregs.gs =
		vm_x86_flat_seg(SEL_BOOT_DS, 3, 0, 1);
	sregs.tr = (struct kvm_segment){ .type = 11, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .type = 2, .present = 1,
					  .unusable = 1 };
	sregs.gdt.base = GDT_BASE;
	sregs.gdt.limit = SEL_BOOT_DS + 7;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
	if (ioctl(t->vm.vcpufd, KVM_SET_SREGS, &sregs) < 0)
		err(1, "KVM: ioctl (SET_SREGS) failed");

	memset(&regs, 0, sizeof(regs));
	regs.rip = t->entry;
	regs.rsi = ZERO_PAGE;
	regs.rsp = STACK_TOP;
	regs.rflags = 0x2;			/* IF=0 */
	if (ioctl(t->vm.vcpufd, KVM_SET_REGS, &regs) < 0)
		err(1, "KVM: ioctl (SET_REGS) failed");
}

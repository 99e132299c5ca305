// SPDX-License-Identifier: GPL-2.0
/*
 * hvt_elf.c: the unikernel's ELF file: header, Solo5 notes (ABI1, MFT1),
 * manifest and PT_LOAD validation, then loading into guest memory.
 *
 * The file is untrusted input.  Everything is read with bounds-checked
 * pread()s; every offset/size sum is overflow-checked; a bad file gives a
 * message naming what is wrong and exit 1.  All checks run before any VM
 * (or guest memory) exists; hvt_elf_load() only copies what
 * hvt_elf_check_segments() accepted.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hvt.h"

#define INV "invalid executable"
#define PAGE_SIZE_4K 0x1000ull

/* The 20-byte header of a Solo5 note: Elf64_Nhdr + "Solo5\0" padded to 8. */
struct solo5_nhdr {
	Elf64_Nhdr h;
	char name[8];
};
_Static_assert(sizeof(struct solo5_nhdr) == 20, "solo5 note header");

/* Read exactly LEN bytes at OFF; -1 if the file is shorter or on error. */
static int read_at(const struct hvt_elf *elf, void *buf, uint64_t len,
		   uint64_t off)
{
	uint64_t end;
	char *p = buf;

	if (__builtin_add_overflow(off, len, &end) || end > elf->file_size)
		return -1;
	while (len) {
		ssize_t n = pread(elf->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static const Elf64_Phdr *phdr(const struct hvt_elf *elf, unsigned int i)
{
	return (const Elf64_Phdr *)elf->phdr + i;
}

void hvt_elf_open(struct hvt_elf *elf, const char *path)
{
	Elf64_Ehdr eh;
	struct stat st;
	uint64_t ph_size;

	memset(elf, 0, sizeof(*elf));
	elf->name = path;
	elf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (elf->fd < 0)
		err(1, "%s: Could not open", path);
	if (fstat(elf->fd, &st) < 0)
		err(1, "%s: Could not stat", path);
	if (!S_ISREG(st.st_mode))
		errx(1, "%s: %s: not a regular file", path, INV);
	elf->file_size = st.st_size;

	if (read_at(elf, &eh, sizeof(eh), 0))
		errx(1, "%s: %s: file too short for an ELF header (%llu < %zu bytes)",
		     path, INV, (unsigned long long)elf->file_size,
		     sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
		errx(1, "%s: %s: not an ELF file", path, INV);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_version != EV_CURRENT)
		errx(1, "%s: %s: not a little-endian ELF64 (version 1) file",
		     path, INV);
	if (eh.e_type != ET_EXEC)
		errx(1, "%s: %s: ELF type %u is not ET_EXEC", path, INV,
		     eh.e_type);
	if (eh.e_machine != hvt_arch.machine)
		errx(1, "%s: %s: ELF machine %u is not %s (%u)", path, INV,
		     eh.e_machine, hvt_arch.name, hvt_arch.machine);
	if (eh.e_ehsize != sizeof(Elf64_Ehdr) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		errx(1, "%s: %s: unexpected ELF header sizes (e_ehsize %u, e_phentsize %u)",
		     path, INV, eh.e_ehsize, eh.e_phentsize);
	if (eh.e_phnum < 1)
		errx(1, "%s: %s: no program headers", path, INV);

	elf->entry = eh.e_entry;
	elf->phnum = eh.e_phnum;
	ph_size = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	elf->phdr = malloc(ph_size);
	if (!elf->phdr)
		err(1, "%s: out of memory", path);
	if (read_at(elf, elf->phdr, ph_size, eh.e_phoff))
		errx(1, "%s: %s: program headers (%u at offset %llu) lie outside the file",
		     path, INV, eh.e_phnum, (unsigned long long)eh.e_phoff);
}

void hvt_elf_close(struct hvt_elf *elf)
{
	if (elf->fd >= 0)
		close(elf->fd);
	elf->fd = -1;
	free(elf->phdr);
	elf->phdr = NULL;
}

/*
 * Find the Solo5 note of TYPE.  As Solo5 does, only the first note of
 * every PT_NOTE segment is examined.  Returns -1 if there is none; exits on
 * a malformed one.  On success *DATA (malloc'd) holds the descriptor minus
 * the padding that aligns it to ALIGN, of *SIZE bytes in [MIN, MAX - pad].
 */
static int load_note(struct hvt_elf *elf, uint32_t type, size_t align,
		     size_t min, size_t max, void **data, size_t *size)
{
	struct solo5_nhdr nh;
	unsigned int i;
	size_t off, pad;

	for (i = 0; i < elf->phnum; i++) {
		const Elf64_Phdr *p = phdr(elf, i);

		if (p->p_type != PT_NOTE)
			continue;
		if (p->p_filesz < sizeof(Elf64_Nhdr))
			errx(1, "%s: %s: phdr[%u]: note segment smaller than a note header (%llu < %zu)",
			     elf->name, INV, i,
			     (unsigned long long)p->p_filesz,
			     sizeof(Elf64_Nhdr));
		if (p->p_filesz < sizeof(nh))
			continue;	/* too small for a Solo5 note */
		if (read_at(elf, &nh, sizeof(nh), p->p_offset))
			errx(1, "%s: %s: phdr[%u]: note at offset %llu lies outside the file",
			     elf->name, INV, i,
			     (unsigned long long)p->p_offset);
		if (nh.h.n_namesz != sizeof(HVT_NOTE_NAME) ||
		    memcmp(nh.name, HVT_NOTE_NAME, sizeof(HVT_NOTE_NAME)) ||
		    nh.h.n_type != type)
			continue;
		if (nh.h.n_descsz < 1 || nh.h.n_descsz > max)
			errx(1, "%s: %s: phdr[%u]: note size %u not in 1..%zu",
			     elf->name, INV, i, nh.h.n_descsz, max);
		if (p->p_filesz < sizeof(nh) + (uint64_t)nh.h.n_descsz)
			errx(1, "%s: %s: phdr[%u]: note (%zu bytes) extends beyond its segment (%llu bytes)",
			     elf->name, INV, i,
			     sizeof(nh) + (size_t)nh.h.n_descsz,
			     (unsigned long long)p->p_filesz);

		off = (sizeof(nh) + align - 1) & ~(align - 1);
		pad = off - sizeof(nh);
		if (nh.h.n_descsz < pad || nh.h.n_descsz - pad < min)
			errx(1, "%s: %s: phdr[%u]: note size %u too small (at least %zu)",
			     elf->name, INV, i, nh.h.n_descsz, min + pad);
		*size = nh.h.n_descsz - pad;
		*data = malloc(*size);
		if (!*data)
			err(1, "%s: out of memory", elf->name);
		if (read_at(elf, *data, *size, p->p_offset + off))
			errx(1, "%s: %s: phdr[%u]: note content lies outside the file",
			     elf->name, INV, i);
		return 0;
	}
	return -1;
}

void hvt_elf_check_abi(struct hvt_elf *elf)
{
	struct abi1_info *abi;
	size_t size;

	if (load_note(elf, HVT_NOTE_ABI1, 4, sizeof(*abi), sizeof(*abi),
		      (void **)&abi, &size))
		errx(1, "%s: No Solo5 ABI information found in executable",
		     elf->name);
	if (abi->abi_target != HVT_ABI_TARGET)
		errx(1, "%s: Executable is not for the solo5-hvt target",
		     elf->name);
	if (abi->abi_version != HVT_ABI_VERSION)
		errx(1, "%s: Executable requests unsupported ABI version %u",
		     elf->name, abi->abi_version);
	free(abi);
}

int hvt_mft_validate(const struct mft *mft, size_t size)
{
	unsigned int i;

	if (size < sizeof(*mft) || mft->version != MFT_VERSION)
		return -1;
	if (mft->entries < 1 || mft->entries > MFT_MAX_ENTRIES)
		return -1;
	if (size != sizeof(*mft) + mft->entries * sizeof(struct mft_entry))
		return -1;
	if (mft->e[0].type != MFT_RESERVED_FIRST || mft->e[0].name[0])
		return -1;
	for (i = 0; i < mft->entries; i++)
		if (mft->e[i].name[MFT_NAME_MAX] || mft->e[i].attached)
			return -1;
	return 0;
}

void hvt_elf_load_manifest(struct hvt_elf *elf, struct mft **mft,
			   size_t *size)
{
	if (load_note(elf, HVT_NOTE_MFT1, MFT1_NOTE_ALIGN, sizeof(struct mft),
		      MFT1_NOTE_MAX_SIZE, (void **)mft, size))
		errx(1, "%s: No Solo5 manifest found in executable", elf->name);
	if (hvt_mft_validate(*mft, *size))
		errx(1, "%s: Solo5 manifest is invalid", elf->name);
}

const char *hvt_mft_type_name(uint32_t type)
{
	switch (type) {
	case MFT_DEV_BLOCK_BASIC:
		return "BLOCK_BASIC";
	case MFT_DEV_NET_BASIC:
		return "NET_BASIC";
	case 3:
		return "PCI_BASIC";
	case MFT_RESERVED_FIRST:
		return "RESERVED_FIRST";
	default:
		return "UNKNOWN";
	}
}

struct mft_entry *hvt_mft_by_name(struct mft *mft, const char *name,
				  uint32_t type)
{
	unsigned int i;

	for (i = 0; i < mft->entries; i++)
		if (mft->e[i].type == type &&
		    !strncmp(mft->e[i].name, name, MFT_NAME_SIZE))
			return &mft->e[i];
	return NULL;
}

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* A PT_LOAD hvt loads: non-empty file part (Solo5 skips the others). */
static int loadable(const Elf64_Phdr *p)
{
	return p->p_type == PT_LOAD && p->p_filesz != 0;
}

void hvt_elf_check_segments(struct hvt_elf *elf, uint64_t mem_size,
			    uint64_t *entry, uint64_t *kernel_end)
{
	const uint64_t min = HVT_GUEST_MIN_BASE;
	uint64_t e_end = 0, last_vaddr = 0;
	unsigned int i;
	const char *n = elf->name;

	if (elf->entry < min || elf->entry >= mem_size)
		errx(1, "%s: %s: e_entry 0x%llx does not fall within guest memory [0x%llx, 0x%llx)",
		     n, INV, (unsigned long long)elf->entry,
		     (unsigned long long)min, (unsigned long long)mem_size);

	for (i = 0; i < elf->phnum; i++) {
		const Elf64_Phdr *p = phdr(elf, i);
		uint64_t start, end, fend;

		if (!loadable(p))
			continue;
		if (p->p_vaddr < min)
			errx(1, "%s: %s: phdr[%u].p_vaddr 0x%llx is below 0x%llx",
			     n, INV, i, (unsigned long long)p->p_vaddr,
			     (unsigned long long)min);
		if (p->p_vaddr < last_vaddr)
			errx(1, "%s: %s: phdr[%u].p_vaddr 0x%llx is not in ascending order (< 0x%llx)",
			     n, INV, i, (unsigned long long)p->p_vaddr,
			     (unsigned long long)last_vaddr);
		last_vaddr = p->p_vaddr;
		if (!is_pow2(p->p_align))
			errx(1, "%s: %s: phdr[%u].p_align 0x%llx is not a power of two",
			     n, INV, i, (unsigned long long)p->p_align);
		start = p->p_vaddr & ~(p->p_align - 1);
		if (start < min)
			errx(1, "%s: %s: phdr[%u] starts (aligned down to 0x%llx) at 0x%llx, below 0x%llx",
			     n, INV, i, (unsigned long long)p->p_align,
			     (unsigned long long)start,
			     (unsigned long long)min);
		if (start < e_end)
			errx(1, "%s: %s: phdr[%u] [0x%llx, ...) overlaps the previous segment (ending at 0x%llx)",
			     n, INV, i, (unsigned long long)start,
			     (unsigned long long)e_end);
		if (p->p_memsz < p->p_filesz)
			errx(1, "%s: %s: phdr[%u].p_memsz 0x%llx < p_filesz 0x%llx",
			     n, INV, i, (unsigned long long)p->p_memsz,
			     (unsigned long long)p->p_filesz);
		if (__builtin_add_overflow(p->p_vaddr, p->p_memsz, &end) ||
		    __builtin_add_overflow(end, p->p_align - 1, &end))
			errx(1, "%s: %s: phdr[%u]: p_vaddr + p_memsz overflows",
			     n, INV, i);
		end &= ~(p->p_align - 1);
		if (end > mem_size)
			errx(1, "%s: %s: phdr[%u] ends at 0x%llx, beyond guest memory (0x%llx)",
			     n, INV, i, (unsigned long long)end,
			     (unsigned long long)mem_size);
		if ((start | end) & (PAGE_SIZE_4K - 1))
			errx(1, "%s: %s: phdr[%u] [0x%llx, 0x%llx) is not aligned to the 4 KiB page size",
			     n, INV, i, (unsigned long long)start,
			     (unsigned long long)end);
		if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
			errx(1, "%s: %s: phdr[%u] requests WRITE and EXEC permissions",
			     n, INV, i);
		if (__builtin_add_overflow(p->p_offset, p->p_filesz, &fend) ||
		    fend > elf->file_size)
			errx(1, "%s: %s: phdr[%u] file data [%llu, +%llu) lies outside the file (%llu bytes): truncated?",
			     n, INV, i, (unsigned long long)p->p_offset,
			     (unsigned long long)p->p_filesz,
			     (unsigned long long)elf->file_size);
		if (end > e_end)
			e_end = end;
	}
	if (!e_end)
		errx(1, "%s: %s: no loadable segment", n, INV);
	*entry = elf->entry;
	*kernel_end = e_end;
}

/* Host protection of a guest segment: R -> R, RW -> RW, X -> R. */
static int seg_prot(const Elf64_Phdr *p)
{
	int prot = PROT_NONE;

	if (p->p_flags & (PF_R | PF_X))
		prot |= PROT_READ;
	if (p->p_flags & PF_W)
		prot |= PROT_WRITE;
	return prot;
}

void hvt_elf_load(struct hvt_elf *elf, uint8_t *mem)
{
	unsigned int i;

	for (i = 0; i < elf->phnum; i++) {
		const Elf64_Phdr *p = phdr(elf, i);
		uint64_t start, end;

		if (!loadable(p))
			continue;
		/* hvt_elf_check_segments() vetted every value used here. */
		if (read_at(elf, mem + p->p_vaddr, p->p_filesz, p->p_offset))
			errx(1, "%s: phdr[%u]: short read (file changed?)",
			     elf->name, i);
		memset(mem + p->p_vaddr + p->p_filesz, 0,
		       p->p_memsz - p->p_filesz);
		start = p->p_vaddr & ~(p->p_align - 1);
		end = (p->p_vaddr + p->p_memsz + p->p_align - 1) &
		      ~(p->p_align - 1);
		if (mprotect(mem + start, end - start, seg_prot(p)))
			err(1, "%s: phdr[%u]: mprotect failed", elf->name, i);
	}
}

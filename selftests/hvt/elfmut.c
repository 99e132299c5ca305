// SPDX-License-Identifier: GPL-2.0
/*
 * elfmut: derive a malformed unikernel from a good one (hvmod selftests).
 *
 *   elfmut GOOD.hvt VARIANT OUT      write the variant to OUT
 *   elfmut --list                    list the variants
 *
 * GOOD must look like the runtime's layout (hvt.ld): a text PT_LOAD (R E),
 * a rodata PT_LOAD (R), a data PT_LOAD (RW), and two PT_NOTEs holding the
 * Solo5 ABI1 and MFT1 notes.  Exit 0 on success, 1 on error.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_ABI1 0x31494241u
#define NOTE_MFT1 0x3154464du
#define NHDR_SIZE 20		/* Elf64_Nhdr + "Solo5\0" padded to 8 */

struct img {
	uint8_t *b;
	size_t size;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	Elf64_Phdr *text, *rodata, *data, *abi, *mft;
};

static void die(const char *msg)
{
	fprintf(stderr, "elfmut: %s\n", msg);
	exit(1);
}

static uint8_t *note_at(struct img *im, Elf64_Phdr *p, size_t extra)
{
	if (p->p_offset > im->size || NHDR_SIZE + extra > im->size - p->p_offset)
		die("note outside the file");
	return im->b + p->p_offset;
}

static void parse(struct img *im)
{
	unsigned int i;

	if (im->size < sizeof(Elf64_Ehdr))
		die("input too short");
	im->eh = (Elf64_Ehdr *)im->b;
	if (memcmp(im->eh->e_ident, ELFMAG, SELFMAG) ||
	    im->eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    im->eh->e_phoff > im->size ||
	    im->eh->e_phnum * sizeof(Elf64_Phdr) > im->size - im->eh->e_phoff)
		die("input is not a usable ELF64 file");
	im->ph = (Elf64_Phdr *)(im->b + im->eh->e_phoff);
	for (i = 0; i < im->eh->e_phnum; i++) {
		Elf64_Phdr *p = &im->ph[i];

		if (p->p_type == PT_LOAD && p->p_filesz) {
			if (p->p_flags & PF_X)
				im->text = p;
			else if (p->p_flags & PF_W)
				im->data = p;
			else
				im->rodata = p;
		} else if (p->p_type == PT_NOTE && p->p_filesz >= NHDR_SIZE) {
			uint32_t type;

			memcpy(&type, note_at(im, p, 0) + 8, 4);
			if (type == NOTE_ABI1)
				im->abi = p;
			else if (type == NOTE_MFT1)
				im->mft = p;
		}
	}
	if (!im->text || !im->rodata || !im->data || !im->abi || !im->mft)
		die("input lacks the text/rodata/data segments or the Solo5 notes");
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* ABI1 descriptor word I (0 target, 1 version); MFT1 manifest fields. */
static uint8_t *abi_word(struct img *im, int i)
{
	return note_at(im, im->abi, 16) + NHDR_SIZE + 4 * i;
}

static uint8_t *mft(struct img *im, size_t off, size_t len)
{
	return note_at(im, im->mft, 4 + off + len) + NHDR_SIZE + 4 + off;
}

#define MFT_E0		8		/* offset of e[0] in struct mft */

struct variant {
	const char *name;
	void (*apply)(struct img *im);
};

static void trunc_header(struct img *im) { im->size = 40; }
static void trunc_phdrs(struct img *im) { im->size = im->eh->e_phoff + 8; }
static void trunc_data(struct img *im) { im->size = im->data->p_offset + im->data->p_filesz / 2; }
static void bad_magic(struct img *im) { im->eh->e_ident[1] = 'X'; }
static void bad_class(struct img *im) { im->eh->e_ident[EI_CLASS] = ELFCLASS32; }
static void bad_endian(struct img *im) { im->eh->e_ident[EI_DATA] = ELFDATA2MSB; }
static void bad_version(struct img *im) { im->eh->e_version = 2; }
static void bad_type(struct img *im) { im->eh->e_type = ET_DYN; }
static void bad_machine(struct img *im) { im->eh->e_machine = EM_386; }
static void bad_phentsize(struct img *im) { im->eh->e_phentsize = 32; }
static void no_phdrs(struct img *im) { im->eh->e_phnum = 0; }
static void phoff_huge(struct img *im) { im->eh->e_phoff = ~0ull - 16; }
static void entry_low(struct img *im) { im->eh->e_entry = 0x1000; }
static void entry_high(struct img *im) { im->eh->e_entry = 0x40000000; }
/* at text's start: whatever text's size (one page on riscv64) */
static void overlap(struct img *im) { im->rodata->p_vaddr = im->text->p_vaddr; }
static void descending(struct img *im) { im->data->p_vaddr = im->text->p_vaddr; }
static void unaligned(struct img *im) { im->data->p_align = 0x10; im->data->p_vaddr += 0x10; }
static void bad_align(struct img *im) { im->text->p_align = 0x1001; }
static void seg_low(struct img *im) { im->text->p_vaddr = 0x1000; }
static void seg_high(struct img *im) { im->data->p_memsz = 0x80000000; }
static void seg_wrap(struct img *im) { im->data->p_memsz = ~0ull - 0x1000; }
static void memsz_small(struct img *im) { im->text->p_memsz = im->text->p_filesz - 1; }
static void wx(struct img *im) { im->text->p_flags |= PF_W; }
static void note_outside(struct img *im) { im->abi->p_filesz = 24; }
static void note_offset(struct img *im) { im->abi->p_offset = im->size + 4096; }
static void note_descsz(struct img *im) { put32(note_at(im, im->abi, 0) + 4, 17); }
static void note_tiny(struct img *im) { im->abi->p_filesz = 8; }
static void abi_target(struct img *im) { put32(abi_word(im, 0), 2); }
static void abi_version1(struct img *im) { put32(abi_word(im, 1), 1); }
static void abi_version3(struct img *im) { put32(abi_word(im, 1), 3); }
static void no_abi(struct img *im) { put32(note_at(im, im->abi, 0) + 8, NOTE_ABI1 + 1); }
static void no_mft(struct img *im) { put32(note_at(im, im->mft, 0) + 8, NOTE_MFT1 + 1); }
static void mft_version(struct img *im) { put32(mft(im, 0, 4), 2); }
static void mft_entries(struct img *im) { put32(mft(im, 4, 4), 65); }
static void mft_size(struct img *im) { put32(mft(im, 4, 4), 2); }
static void mft_zero(struct img *im) { put32(mft(im, 4, 4), 0); }
static void mft_first(struct img *im) { put32(mft(im, MFT_E0 + 68, 4), 1); }
static void mft_name(struct img *im) { *mft(im, MFT_E0 + 67, 1) = 'x'; }
static void mft_attached(struct img *im) { *mft(im, MFT_E0 + 96, 1) = 1; }

static const struct variant variants[] = {
	{ "trunc-header", trunc_header },
	{ "trunc-phdrs", trunc_phdrs },
	{ "truncated", trunc_data },
	{ "bad-magic", bad_magic },
	{ "bad-class", bad_class },
	{ "bad-endian", bad_endian },
	{ "bad-version", bad_version },
	{ "bad-type", bad_type },
	{ "bad-machine", bad_machine },
	{ "bad-phentsize", bad_phentsize },
	{ "no-phdrs", no_phdrs },
	{ "phoff-huge", phoff_huge },
	{ "entry-low", entry_low },
	{ "entry-high", entry_high },
	{ "overlap", overlap },
	{ "descending", descending },
	{ "unaligned", unaligned },
	{ "bad-align", bad_align },
	{ "seg-low", seg_low },
	{ "seg-high", seg_high },
	{ "seg-wrap", seg_wrap },
	{ "memsz-small", memsz_small },
	{ "wx", wx },
	{ "note-outside", note_outside },
	{ "note-offset", note_offset },
	{ "note-descsz", note_descsz },
	{ "note-tiny", note_tiny },
	{ "abi-target", abi_target },
	{ "abi-version1", abi_version1 },
	{ "abi-version3", abi_version3 },
	{ "no-abi", no_abi },
	{ "no-mft", no_mft },
	{ "mft-version", mft_version },
	{ "mft-entries", mft_entries },
	{ "mft-size", mft_size },
	{ "mft-zero", mft_zero },
	{ "mft-first", mft_first },
	{ "mft-name", mft_name },
	{ "mft-attached", mft_attached },
};

int main(int argc, char **argv)
{
	const struct variant *v = NULL;
	struct img im = { 0 };
	unsigned int i;
	FILE *f;
	long n;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
			printf("%s\n", variants[i].name);
		return 0;
	}
	if (argc != 4)
		die("usage: elfmut GOOD.hvt VARIANT OUT | elfmut --list");
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!strcmp(argv[2], variants[i].name))
			v = &variants[i];
	if (!v)
		die("unknown variant (see --list)");

	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET))
		die("cannot read the input");
	im.size = n;
	im.b = malloc(im.size);
	if (!im.b || fread(im.b, 1, im.size, f) != im.size)
		die("cannot read the input");
	fclose(f);

	parse(&im);
	v->apply(&im);

	f = fopen(argv[3], "wb");
	if (!f || fwrite(im.b, 1, im.size, f) != im.size || fclose(f))
		die("cannot write the output");
	return 0;
}

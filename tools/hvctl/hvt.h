/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvt.h: `hvctl run --mode hvt`, the Solo5 hvt ABI (version 2) tender.
 * The facts are in SOLO5-HVT-ABI.md; the structures below are the guest's
 * LP64 layouts, checked by static assertions.
 */
#ifndef HVCTL_HVT_H
#define HVCTL_HVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vm.h"

/* ELF notes and ABI identity */
#define HVT_ABI_TARGET		1	/* solo5-hvt */
#define HVT_ABI_VERSION		2
#define HVT_NOTE_NAME		"Solo5"
#define HVT_NOTE_ABI1		0x31494241u	/* "ABI1" */
#define HVT_NOTE_MFT1		0x3154464du	/* "MFT1" */

/* Guest physical layout (x86_64) */
#define HVT_GUEST_MIN_BASE	0x100000ull	/* ELF segments and entry */
#define HVT_BOOT_INFO_BASE	0x10000ull
#define HVT_CMDLINE_SIZE	8192
#define HVT_HALT_COOKIE_MAX	512
#define HVT_PAGE_2M		0x200000ull
#define HVT_MEM_DEFAULT		(512ull << 20)
#define HVT_MEM_MAX		(4096ull << 20)
#define HVT_RING_AREA		HVT_PAGE_2M	/* appended when a NET is attached */

/* Hypercalls: OUTL to port HVT_PIO_BASE + nr */
#define HVT_PIO_BASE		0x500
enum hvt_hypercall {
	HVT_HC_WALLTIME = 1,
	HVT_HC_PUTS,
	HVT_HC_POLL,
	HVT_HC_BLOCK_WRITE,
	HVT_HC_BLOCK_READ,
	HVT_HC_NET_WRITE,
	HVT_HC_NET_READ,
	HVT_HC_HALT,
	HVT_HC_MAX		/* 9: ports 0x500..0x508 */
};

/* solo5_result_t */
#define SOLO5_R_OK		0
#define SOLO5_R_AGAIN		1
#define SOLO5_R_EINVAL		2
#define SOLO5_R_EUNSPEC		3

/* Manifest (MFT1 note content) */
#define MFT_VERSION		1
#define MFT_MAX_ENTRIES		64
#define MFT_NAME_SIZE		68
#define MFT_NAME_MAX		(MFT_NAME_SIZE - 1)
#define MFT_DEV_BLOCK_BASIC	1
#define MFT_DEV_NET_BASIC	2
#define MFT_RESERVED_FIRST	(1u << 30)
#define MFT1_NOTE_ALIGN		8

struct mft_entry {
	char name[MFT_NAME_SIZE];
	uint32_t type;
	union {
		struct {
			uint64_t capacity;
			uint16_t block_size;
		} block_basic;
		struct {
			uint8_t mac[6];
			uint16_t mtu;
		} net_basic;
	} u;
	union {
		int hostfd;
		uint64_t data;	/* a guest pointer */
	} b;
	uint8_t attached;	/* a bool in the guest; untrusted here */
};

struct mft {
	uint32_t version;
	uint32_t entries;
	struct mft_entry e[];
};

_Static_assert(sizeof(struct mft_entry) == 104, "mft_entry layout");
_Static_assert(offsetof(struct mft_entry, type) == 68, "mft_entry.type");
_Static_assert(offsetof(struct mft_entry, u) == 72, "mft_entry.u");
_Static_assert(offsetof(struct mft_entry, b) == 88, "mft_entry.b");
_Static_assert(offsetof(struct mft_entry, attached) == 96, "mft_entry.attached");
_Static_assert(sizeof(struct mft) == 8, "mft layout");

#define MFT1_NOTE_MAX_SIZE	(4 + sizeof(struct mft) + \
				 MFT_MAX_ENTRIES * sizeof(struct mft_entry))

struct abi1_info {
	uint32_t abi_target;
	uint32_t abi_version;
	uint32_t reserved0;
	uint32_t reserved1;
};

/* Boot information at HVT_BOOT_INFO_BASE (pointer in RDI) */
struct hvt_boot_info {
	uint64_t mem_size;
	uint64_t kernel_end;
	uint64_t cpu_cycle_freq;
	uint64_t cmdline;
	uint64_t mft;
	uint32_t host_features;
	uint32_t guest_features;
	uint64_t net_ring;
};
_Static_assert(sizeof(struct hvt_boot_info) == 56, "hvt_boot_info layout");

/* Hypercall argument structures (guest pointers are u64 GPAs) */
struct hvt_hc_walltime { uint64_t nsecs; };
struct hvt_hc_puts { uint64_t data; uint64_t len; };
struct hvt_hc_poll { uint64_t timeout_nsecs; uint64_t ready_set; int32_t ret; };
struct hvt_hc_block_io {
	uint64_t handle;
	uint64_t offset;
	uint64_t data;
	uint64_t len;
	int32_t ret;
};
struct hvt_hc_net_io {
	uint64_t handle;
	uint64_t data;
	uint64_t len;
	int32_t ret;
};
struct hvt_hc_halt { uint64_t cookie; int32_t exit_status; };
_Static_assert(sizeof(struct hvt_hc_poll) == 24, "poll layout");
_Static_assert(sizeof(struct hvt_hc_block_io) == 40, "block io layout");
_Static_assert(sizeof(struct hvt_hc_net_io) == 32, "net io layout");
_Static_assert(sizeof(struct hvt_hc_halt) == 16, "halt layout");

/* The unikernel file, open and with validated headers (hvt_elf.c). */
struct hvt_elf {
	const char *name;
	int fd;
	uint64_t file_size;
	uint64_t entry;
	unsigned int phnum;
	void *phdr;		/* Elf64_Phdr[phnum] */
};

struct hvt;
typedef void (*hvt_hypercall_fn)(struct hvt *h, uint64_t gpa);

/* One tender run. */
struct hvt {
	const char *prog;	/* for usage messages */
	struct hvt_elf elf;
	struct mft *mft;	/* host copy, validated */
	size_t mft_size;
	int hostfd[MFT_MAX_ENTRIES];	/* per manifest entry, -1 if none */
	bool blk_in_use, net_in_use;

	uint64_t mem_size;	/* guest RAM: boot_info.mem_size */
	uint64_t alloc_size;	/* mem_size + ring area if a NET is attached */
	uint8_t *mem;		/* host mapping of guest physical 0 */
	uint64_t entry;		/* e_entry */
	uint64_t kernel_end;
	char cmdline[HVT_CMDLINE_SIZE];
	uint64_t cpu_cycle_freq;

	hvt_hypercall_fn hypercall[HVT_HC_MAX];
	struct vm vm;
};

/* hvt.c */
int hvt_main(int argc, char **argv, const char *device);
void hvt_usage(const char *prog, int status) __attribute__((noreturn));

/* hvt_elf.c: every check runs before any VM exists. */
void hvt_elf_open(struct hvt_elf *elf, const char *path);
void hvt_elf_check_abi(struct hvt_elf *elf);
void hvt_elf_load_manifest(struct hvt_elf *elf, struct mft **mft,
			   size_t *size);
int hvt_mft_validate(const struct mft *mft, size_t size);
const char *hvt_mft_type_name(uint32_t type);
struct mft_entry *hvt_mft_by_name(struct mft *mft, const char *name,
				  uint32_t type);
void hvt_elf_check_segments(struct hvt_elf *elf, uint64_t mem_size,
			    uint64_t *entry, uint64_t *kernel_end);
void hvt_elf_load(struct hvt_elf *elf, uint8_t *mem);
void hvt_elf_close(struct hvt_elf *elf);

/* hvt_x86.c */
uint64_t hvt_x86_mem_size(uint64_t requested);
void hvt_x86_setup_lowmem(struct hvt *h);
void hvt_x86_vcpu_init(struct hvt *h);
int hvt_x86_run(struct hvt *h);

/* hvt_hypercall.c */
void *hvt_checked_gpa(struct hvt *h, uint64_t gpa, uint64_t size);
void hvt_hypercall_setup_core(struct hvt *h);
int hvt_hypercall_halt(struct hvt *h, uint64_t gpa);

/* hvt_block.c and hvt_net.c: 0 if ARG was theirs, -1 if not (or invalid) */
int hvt_block_cmdarg(struct hvt *h, const char *arg);
void hvt_block_setup(struct hvt *h);
const char *hvt_block_usage(void);
int hvt_net_cmdarg(struct hvt *h, const char *arg);
void hvt_net_setup(struct hvt *h);
const char *hvt_net_usage(void);
int hvt_net_poll(struct hvt *h, uint64_t timeout_ns, uint64_t *ready_set);

#endif /* HVCTL_HVT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvt/abi.h: the Solo5 hvt ABI (version 2) as both sides see it: hvctl's
 * tender (tools/hvctl) and hvmod's own test unikernels (selftests/hvt).
 * The facts are in SOLO5-HVT-ABI.md.  LP64 layouts, fixed-size types only
 * (guest pointers are u64 GPAs), so one definition serves the host and a
 * freestanding guest; static assertions pin the layouts.
 */
#ifndef HVT_ABI_H
#define HVT_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ELF notes and ABI identity */
#define HVT_ABI_TARGET		1	/* solo5-hvt */
#define HVT_ABI_VERSION		2
#define HVT_NOTE_NAME		"Solo5"
#define HVT_NOTE_ABI1		0x31494241u	/* "ABI1" */
#define HVT_NOTE_MFT1		0x3154464du	/* "MFT1" */

/* Guest physical layout shared by x86_64 and aarch64 */
#define HVT_GUEST_MIN_BASE	0x100000ull	/* ELF segments and entry */
#define HVT_BOOT_INFO_BASE	0x10000ull
#define HVT_CMDLINE_SIZE	8192
#define HVT_HALT_COOKIE_MAX	512

/* Hypercall numbers */
enum hvt_hypercall {
	HVT_HC_WALLTIME = 1,
	HVT_HC_PUTS,
	HVT_HC_POLL,
	HVT_HC_BLOCK_WRITE,
	HVT_HC_BLOCK_READ,
	HVT_HC_NET_WRITE,
	HVT_HC_NET_READ,
	HVT_HC_HALT,
	HVT_HC_MAX		/* 9 */
};

/* x86_64: OUTL of the argument's GPA to port HVT_PIO_BASE + nr */
#define HVT_PIO_BASE		0x500
/*
 * aarch64: a 32-bit store of the argument's GPA to HVT_MMIO_BASE + (nr << 3),
 * in the 1 GiB device block the guest page tables map at 4 GiB.
 */
#define HVT_MMIO_BASE		0x100000000ull
#define HVT_MMIO_ADDR(nr)	(HVT_MMIO_BASE + ((uint64_t)(nr) << 3))

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
	uint8_t attached;	/* a bool in Solo5; untrusted in the tender */
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

/* Boot information at HVT_BOOT_INFO_BASE (pointer in RDI / x0) */
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

/* Hypercall argument structures */
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

#endif /* HVT_ABI_H */

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

#include <hvt/abi.h>

/* Guest memory sizes (both architectures) */
#define HVT_PAGE_2M		0x200000ull
#define HVT_MEM_DEFAULT		(512ull << 20)
#define HVT_MEM_MAX		(4096ull << 20)	/* x86: 4 PDs; aarch64, riscv64: below MMIO */
#define HVT_RING_AREA		HVT_PAGE_2M	/* appended when a NET is attached */

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

/*
 * The per-architecture part of the tender, one per build (hvt_x86.c,
 * hvt_a64.c, hvt_rv.c); everything else is shared.
 */
struct hvt_arch {
	const char *name;	/* in messages: "x86_64", "aarch64", "riscv64" */
	uint16_t machine;	/* the ELF e_machine it runs */
	const char *pc_name;	/* "rip", "pc" */
	uint64_t ram_limit;	/* guest RAM (with the ring area) ends below */
	/* guest page tables (and GDT) in low memory, below the boot info */
	void (*setup_pagetables)(struct hvt *h);
	/* initial vCPU state; sets h->cpu_cycle_freq */
	void (*vcpu_init)(struct hvt *h);
	/*
	 * An exit that is not common to both (hypercalls): 1 if the guest
	 * halted (*status set), 0 to resume, -1 if not this arch's exit.
	 * Bad hypercall attempts end hvctl with a message, exit 1.
	 */
	int (*handle_exit)(struct hvt *h, int *status);
	/* the guest's program counter, for messages (WHY if it fails) */
	uint64_t (*guest_pc)(struct hvt *h, const char *why);
};
extern const struct hvt_arch hvt_arch;

/* hvt_hypercall.c */
void *hvt_checked_gpa(struct hvt *h, uint64_t gpa, uint64_t size);
void hvt_hypercall_setup_core(struct hvt *h);
/* hypercall NR with argument GPA: 1 if it was HALT (*status set), else 0 */
int hvt_hypercall(struct hvt *h, unsigned int nr, uint64_t gpa, int *status);
/* aarch64, riscv64: the MMIO hypercall exit (a struct hvt_arch handle_exit) */
int hvt_mmio_hypercall(struct hvt *h, int *status);

/* hvt_block.c and hvt_net.c: 0 if ARG was theirs, -1 if not (or invalid) */
int hvt_block_cmdarg(struct hvt *h, const char *arg);
void hvt_block_setup(struct hvt *h);
const char *hvt_block_usage(void);
int hvt_net_cmdarg(struct hvt *h, const char *arg);
void hvt_net_setup(struct hvt *h);
const char *hvt_net_usage(void);
int hvt_net_poll(struct hvt *h, uint64_t timeout_ns, uint64_t *ready_set);
int hvt_tap_open(const char *ifname, int *mtu);	/* -1 with errno */

#endif /* HVCTL_HVT_H */

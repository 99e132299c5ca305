/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one stage-2 (guest-physical -> host-physical) radix-table walker.
 * A format (EPT, NPT, arm64 stage-2, riscv G-stage) only says how an
 * entry is encoded; the walker allocates, maps, unmaps and frees.
 *
 * Levels count from 0 (4 KiB leaves) up to levels-1 (the root table);
 * every table is one 4 KiB page of 512 64-bit entries.
 */
#ifndef HVMOD_S2_H
#define HVMOD_S2_H

#include <linux/mutex.h>
#include <linux/types.h>

#define HVMOD_S2_R	1
#define HVMOD_S2_W	2
#define HVMOD_S2_X	4

struct hvmod_s2_format {
	const char *name;
	unsigned int levels;
	/*
	 * The root table is 2^root_order pages, naturally aligned (riscv
	 * G-stage: a 16 KiB root); the walker uses its first 512 entries.
	 */
	unsigned int root_order;
	u64 (*mk_table)(phys_addr_t pa);
	u64 (*mk_leaf)(phys_addr_t pa, unsigned int level, unsigned int prot);
	bool (*present)(u64 pte);
	bool (*is_leaf)(u64 pte, unsigned int level);
	phys_addr_t (*pte_pa)(u64 pte);
	unsigned int (*pte_prot)(u64 pte);
};

#define HVMOD_S2_SPARE	8	/* >= levels - 1 of every format */

struct hvmod_s2 {
	const struct hvmod_s2_format *fmt;
	u64 *root;
	phys_addr_t root_pa;
	struct mutex lock;	/* table updates; the hardware walks locklessly */
	/*
	 * Zeroed table pages allocated ahead (hvmod_s2_topup), so that a map
	 * under the caller's locks never enters reclaim, which may call the
	 * MMU notifier that takes the same locks.  Counted once in use.
	 */
	u64 *spare[HVMOD_S2_SPARE];
	unsigned int nr_spare;
	/*
	 * Tables emptied by hvmod_s2_unmap(): a guest still in the guest
	 * (and the CPU's walk caches) may reach them until every vCPU has
	 * exited once, so they are freed by hvmod_s2_free_dead() after that.
	 */
	struct list_head dead;
};

/* Called for every leaf removed: the owner releases what the leaf mapped. */
typedef void (*hvmod_s2_release_t)(phys_addr_t pa, unsigned int level,
				   unsigned int prot);

int hvmod_s2_init(struct hvmod_s2 *s2, const struct hvmod_s2_format *fmt);
void hvmod_s2_destroy(struct hvmod_s2 *s2, hvmod_s2_release_t release);
/* Allocate (may sleep and reclaim) the tables one hvmod_s2_map may need. */
int hvmod_s2_topup(struct hvmod_s2 *s2);
/*
 * Map one leaf; -EEXIST if something is mapped there already.  Tables come
 * from the spares, else from a non-reclaiming allocation (-ENOMEM).
 */
int hvmod_s2_map(struct hvmod_s2 *s2, u64 gpa, phys_addr_t pa,
		 unsigned int level, unsigned int prot);
/* Find the leaf covering gpa: its entry (0 if none) and level. */
u64 hvmod_s2_lookup(struct hvmod_s2 *s2, u64 gpa, unsigned int *level);
/* Remove every leaf inside [gpa, gpa + size); returns how many. */
unsigned long hvmod_s2_unmap(struct hvmod_s2 *s2, u64 gpa, u64 size,
			     hvmod_s2_release_t release);
/* Frees the tables unmapped since: once no guest can walk them any more. */
void hvmod_s2_free_dead(struct hvmod_s2 *s2);

#endif /* HVMOD_S2_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM on stage-2 faults: a fault inside a memory slot pins the
 * backing user page and maps it; the page stays pinned until the slot is
 * deleted or moved, or the VM is destroyed.  Callers hold vm->s2_sem:
 * readers (vCPUs) fault pages in, writers (slot changes) unmap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "hvmod.h"

static struct hvmod_slot *hvmod_slot_find(struct hvmod_vm *vm, u64 gpa)
{
	struct hvmod_slot *s;
	int i;

	for (i = 0; i < HVMOD_MAX_SLOTS; i++) {
		s = &vm->slots[i];
		if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

bool hvmod_gpa_is_ram(struct hvmod_vm *vm, u64 gpa)
{
	return hvmod_slot_find(vm, gpa);
}

/*
 * Copy guest RAM through the slot's user mapping: KVM_RUN runs in the
 * VMM's process, so the host's own protections apply.  The range may
 * span pages and slots; anything outside RAM fails with -EFAULT.
 */
int hvmod_guest_rw(struct hvmod_vm *vm, u64 gpa, void *buf, size_t len,
		   bool write)
{
	struct hvmod_slot *s;
	unsigned long uaddr;
	size_t n;

	while (len) {
		s = hvmod_slot_find(vm, gpa);
		if (!s)
			return -EFAULT;
		n = min_t(u64, len, s->gpa + s->size - gpa);
		uaddr = s->uaddr + (gpa - s->gpa);
		if (write ? copy_to_user((void __user *)uaddr, buf, n) :
			    copy_from_user(buf, (void __user *)uaddr, n))
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Release of a leaf that mapped a pinned guest page. */
void hvmod_s2_release_pinned(phys_addr_t pa, unsigned int level,
			     unsigned int prot)
{
	unsigned long n = 1UL << (9 * level), i;

	for (i = 0; i < n; i++)
		unpin_user_page(pfn_to_page(PHYS_PFN(pa) + i));
	hvmod_count_add(HVMOD_CNT_PINNED, -(long)n);
}

/*
 * Try to map the 1 GiB or 2 MiB block around gpa in one leaf.  That needs
 * the slot to cover the aligned block, the guest and user addresses to
 * be congruent modulo the block size, and the host pages behind it to be
 * one physically contiguous, aligned run (a THP or hugetlb page).
 * `first` is the already pinned page at gpa; true if the block is mapped.
 */
static bool hvmod_s2_map_huge(struct hvmod_vm *vm, struct hvmod_slot *slot,
			      u64 gpa, struct page *first, unsigned int prot,
			      unsigned int gup)
{
	unsigned int level, order = compound_order(compound_head(first));
	unsigned long n, i, base_ua;
	struct page **pages;
	u64 sz, base;
	long got;

	for (level = 2; level >= 1; level--) {
		sz = 1ULL << (PAGE_SHIFT + 9 * level);
		base = gpa & ~(sz - 1);
		if (order < 9 * level || base < slot->gpa ||
		    base + sz > slot->gpa + slot->size ||
		    (slot->uaddr - slot->gpa) & (sz - 1))
			continue;
		n = sz >> PAGE_SHIFT;
		pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
		if (!pages)
			return false;
		base_ua = slot->uaddr + (base - slot->gpa);
		got = pin_user_pages_fast(base_ua, n, gup, pages);
		for (i = 1; got == n && i < n; i++)
			if (page_to_pfn(pages[i]) != page_to_pfn(pages[0]) + i)
				break;
		if (got == n && i == n &&
		    !(page_to_phys(pages[0]) & (sz - 1)) &&
		    !hvmod_s2_map(&vm->s2, base, page_to_phys(pages[0]),
				  level, prot)) {
			hvmod_count_add(HVMOD_CNT_PINNED, n);
			kvfree(pages);
			return true;
		}
		if (got > 0)
			unpin_user_pages(pages, got);
		kvfree(pages);
	}
	return false;
}

/*
 * Returns 1 when gpa is now mapped, 0 when it is outside every slot
 * (MMIO), -EFAULT for a write to memory userspace mapped read-only (or
 * not at all).  `present`: the hardware found a stage-2 entry (so this
 * is a permission fault, or another vCPU mapped it meanwhile).
 */
int hvmod_s2_fault(struct hvmod_vm *vm, u64 gpa, bool write, bool present)
{
	struct hvmod_slot *slot = hvmod_slot_find(vm, gpa);
	unsigned int prot = HVMOD_S2_R | HVMOD_S2_W | HVMOD_S2_X;
	unsigned int gup = FOLL_WRITE | FOLL_LONGTERM;
	unsigned int level;
	unsigned long uaddr;
	struct page *page;
	u64 pte;
	int r;

	if (!slot)
		return 0;
	gpa &= PAGE_MASK;
	uaddr = slot->uaddr + (gpa - slot->gpa);

	/* only a fault on a present entry needs to know what is there */
	pte = present ? hvmod_s2_lookup(&vm->s2, gpa, &level) : 0;
	if (pte) {
		/* Mapped already: by another vCPU, or read-only on a write. */
		if (write && !(vm->s2.fmt->pte_prot(pte) & HVMOD_S2_W))
			return -EFAULT;
		return 1;
	}

	r = pin_user_pages_fast(uaddr, 1, gup, &page);
	if (r != 1) {
		if (write)
			return -EFAULT;
		prot &= ~HVMOD_S2_W;
		gup = FOLL_LONGTERM;
		r = pin_user_pages_fast(uaddr, 1, gup, &page);
		if (r != 1)
			return -EFAULT;
	}
	/*
	 * Only writable blocks go huge: a read-only first touch (say, text
	 * the VMM mprotected) must not make its RW neighbours read-only.
	 */
	if ((prot & HVMOD_S2_W) && PageCompound(page) &&
	    hvmod_s2_map_huge(vm, slot, gpa, page, prot, gup)) {
		unpin_user_page(page);	/* the block holds its own pins */
		return 1;
	}
	r = hvmod_s2_map(&vm->s2, gpa, page_to_phys(page), 0, prot);
	if (r) {
		unpin_user_page(page);
		return r == -EEXIST ? 1 : r;
	}
	hvmod_count_add(HVMOD_CNT_PINNED, 1);
	return 1;
}

/* Drop a guest range from stage-2; vCPUs flush their TLB before reentry. */
void hvmod_s2_zap(struct hvmod_vm *vm, u64 gpa, u64 size)
{
	if (!vm->s2.root)
		return;
	if (hvmod_s2_unmap(&vm->s2, gpa, size, hvmod_s2_release_pinned))
		atomic64_inc(&vm->tlb_gen);
}

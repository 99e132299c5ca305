// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM on stage-2 faults: a fault inside a memory slot pins the
 * backing user page and maps it; the page stays pinned until the slot is
 * deleted or moved, the VM is destroyed, or the user mapping behind it
 * changes (munmap, mremap, madvise(DONTNEED), mprotect...): an MMU
 * interval notifier on each slot's user range then unmaps and unpins, and
 * the next guest touch faults the page in again from the new mapping (or
 * ends KVM_RUN with EFAULT if there is none), as in KVM.  Callers of the
 * fault path hold vm->s2_sem for reading; slot changes hold it for writing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/smp.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "hvmod.h"

#ifndef CONFIG_MMU_NOTIFIER
#error "hvmod needs CONFIG_MMU_NOTIFIER (selected by CONFIG_KVM): guest memory must follow the VMM's mappings"
#endif

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
			      unsigned int gup, unsigned long seq)
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
		    !(page_to_phys(pages[0]) & (sz - 1))) {
			mutex_lock(&vm->mmu_lock);
			if (!mmu_interval_read_retry(&slot->mni, seq) &&
			    !hvmod_s2_map(&vm->s2, base, page_to_phys(pages[0]),
					  level, prot)) {
				hvmod_count_add(HVMOD_CNT_PINNED, n);
				mutex_unlock(&vm->mmu_lock);
				kvfree(pages);
				return true;
			}
			mutex_unlock(&vm->mmu_lock);
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
	unsigned int prot, gup, level;
	unsigned long uaddr, seq;
	bool topped = false;
	struct page *page;
	u64 pte;
	int r;

	if (!slot)
		return 0;
	gpa &= PAGE_MASK;
	uaddr = slot->uaddr + (gpa - slot->gpa);
retry:
	prot = HVMOD_S2_R | HVMOD_S2_W | HVMOD_S2_X;
	gup = FOLL_WRITE | FOLL_LONGTERM;
	/* tables for the map, allocated before any lock the notifier takes */
	r = hvmod_s2_topup(&vm->s2);
	if (r)
		return r;

	/* only a fault on a present entry needs to know what is there */
	pte = present ? hvmod_s2_lookup(&vm->s2, gpa, &level) : 0;
	if (pte) {
		/* Mapped already: by another vCPU, or read-only on a write. */
		if (write && !(vm->s2.fmt->pte_prot(pte) & HVMOD_S2_W))
			return -EFAULT;
		return 1;
	}

	/* an invalidation between here and the map makes us start over */
	seq = mmu_interval_read_begin(&slot->mni);
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
	    hvmod_s2_map_huge(vm, slot, gpa, page, prot, gup, seq)) {
		unpin_user_page(page);	/* the block holds its own pins */
		return 1;
	}
	mutex_lock(&vm->mmu_lock);
	if (mmu_interval_read_retry(&slot->mni, seq)) {
		mutex_unlock(&vm->mmu_lock);
		unpin_user_page(page);
		goto retry;
	}
	r = hvmod_s2_map(&vm->s2, gpa, page_to_phys(page), 0, prot);
	if (!r)
		hvmod_count_add(HVMOD_CNT_PINNED, 1);
	mutex_unlock(&vm->mmu_lock);
	if (r) {
		unpin_user_page(page);
		/* the spare tables went to another vCPU: allocate, try again */
		if (r == -ENOMEM && !topped) {
			topped = true;
			goto retry;
		}
		return r == -EEXIST ? 1 : r;
	}
	return 1;
}

static void hvmod_kick(void *info)
{
}

/*
 * The user range behind part of a slot is changing: drop the stage-2
 * entries and pins of that part.  Every vCPU reads vm->tlb_gen with IRQs
 * off right before it enters the guest; the IPI below (waited for) is
 * only handled on a CPU once its guest has exited, so when this returns
 * no guest can still reach the old pages through a stale TLB entry, and
 * the pages themselves stay referenced by the user page tables until the
 * invalidation ends.
 */
static bool hvmod_slot_invalidate(struct mmu_interval_notifier *mni,
				  const struct mmu_notifier_range *range,
				  unsigned long cur_seq)
{
	struct hvmod_slot *slot = container_of(mni, struct hvmod_slot, mni);
	struct hvmod_vm *vm = slot->vm;
	unsigned long start, end, n = 0;

	/* sleeping locks and IPIs below; the OOM reaper retries later */
	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&vm->mmu_lock);
	mmu_interval_set_seq(mni, cur_seq);
	start = max_t(unsigned long, range->start, slot->uaddr);
	end = min_t(unsigned long, range->end, slot->uaddr + slot->size);
	if (start < end && vm->s2.root)
		n = hvmod_s2_unmap(&vm->s2, slot->gpa + (start - slot->uaddr),
				   end - start, hvmod_s2_release_pinned);
	if (n)
		atomic64_inc(&vm->tlb_gen);
	mutex_unlock(&vm->mmu_lock);
	if (n) {
		/* the new tlb_gen before the IPIs (vCPUs: IRQs off, then read) */
		smp_mb__after_atomic();
		smp_call_function(hvmod_kick, NULL, 1);
		/* every guest has exited since: no walk reaches them now */
		hvmod_s2_free_dead(&vm->s2);
	}
	return true;
}

static const struct mmu_interval_notifier_ops hvmod_slot_mn_ops = {
	.invalidate = hvmod_slot_invalidate,
};

/* A new slot: watch its user range in the VM's mm (the caller's). */
int hvmod_slot_watch(struct hvmod_vm *vm, struct hvmod_slot *slot)
{
	int r;

	slot->vm = vm;
	r = mmu_interval_notifier_insert(&slot->mni, vm->mm, slot->uaddr,
					 slot->size, &hvmod_slot_mn_ops);
	if (r) {
		hvmod_reject("memory slot: cannot watch its user range (%d)", r);
		return r;
	}
	slot->mni_live = true;
	return 0;
}

/* Waits for an invalidation in progress; before the slot's entries go. */
void hvmod_slot_unwatch(struct hvmod_slot *slot)
{
	if (!slot->mni_live)
		return;
	mmu_interval_notifier_remove(&slot->mni);
	slot->mni_live = false;
}

/* Drop a guest range from stage-2; vCPUs flush their TLB before reentry. */
void hvmod_s2_zap(struct hvmod_vm *vm, u64 gpa, u64 size)
{
	if (!vm->s2.root)
		return;
	if (hvmod_s2_unmap(&vm->s2, gpa, size, hvmod_s2_release_pinned))
		atomic64_inc(&vm->tlb_gen);
	/* s2_sem is held for writing: no vCPU is in the guest */
	hvmod_s2_free_dead(&vm->s2);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The stage-2 walker shared by every format (see s2.h).
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include "hvmod.h"
#include "s2.h"

#define S2_ENTRIES	512

static inline unsigned int s2_index(u64 gpa, unsigned int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * level)) & (S2_ENTRIES - 1);
}

static inline u64 s2_level_size(unsigned int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * level);
}

static u64 *s2_alloc_table(phys_addr_t *pa, gfp_t gfp)
{
	struct page *page = alloc_page(gfp | __GFP_ACCOUNT | __GFP_ZERO);

	if (!page)
		return NULL;
	hvmod_count_add(HVMOD_CNT_S2, 1);
	*pa = page_to_phys(page);
	return page_address(page);
}

/* Under s2->lock: a spare table, else one allocated without reclaim. */
static u64 *s2_take_table(struct hvmod_s2 *s2, phys_addr_t *pa)
{
	u64 *t;

	if (!s2->nr_spare)
		return s2_alloc_table(pa, GFP_NOWAIT | __GFP_NOWARN);
	t = s2->spare[--s2->nr_spare];
	hvmod_count_add(HVMOD_CNT_S2, 1);
	*pa = virt_to_phys(t);
	return t;
}

int hvmod_s2_topup(struct hvmod_s2 *s2)
{
	unsigned int want = s2->fmt->levels - 1;
	struct page *page;

	while (READ_ONCE(s2->nr_spare) < want) {
		page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		mutex_lock(&s2->lock);
		if (s2->nr_spare < HVMOD_S2_SPARE) {
			s2->spare[s2->nr_spare++] = page_address(page);
			page = NULL;
		}
		mutex_unlock(&s2->lock);
		if (page)
			__free_page(page);
	}
	return 0;
}

static void s2_free_table(u64 *table)
{
	free_page((unsigned long)table);
	hvmod_count_add(HVMOD_CNT_S2, -1);
}

static u64 *s2_table_of(const struct hvmod_s2_format *fmt, u64 pte)
{
	return phys_to_virt(fmt->pte_pa(pte));
}

int hvmod_s2_init(struct hvmod_s2 *s2, const struct hvmod_s2_format *fmt)
{
	struct page *page;

	s2->fmt = fmt;
	mutex_init(&s2->lock);
	s2->nr_spare = 0;
	INIT_LIST_HEAD(&s2->dead);
	if (!fmt->root_order) {
		s2->root = s2_alloc_table(&s2->root_pa, GFP_KERNEL);
		return s2->root ? 0 : -ENOMEM;
	}
	page = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO, fmt->root_order);
	if (!page)
		return -ENOMEM;
	hvmod_count_add(HVMOD_CNT_S2, 1L << fmt->root_order);
	s2->root_pa = page_to_phys(page);
	s2->root = page_address(page);
	return 0;
}

int hvmod_s2_map(struct hvmod_s2 *s2, u64 gpa, phys_addr_t pa,
		 unsigned int level, unsigned int prot)
{
	const struct hvmod_s2_format *fmt = s2->fmt;
	unsigned int l = fmt->levels - 1;
	u64 *table = s2->root, *ptep, *next;
	phys_addr_t next_pa;
	int r = 0;

	mutex_lock(&s2->lock);
	for (; l > level; l--) {
		ptep = &table[s2_index(gpa, l)];
		if (!fmt->present(*ptep)) {
			next = s2_take_table(s2, &next_pa);
			if (!next) {
				r = -ENOMEM;
				goto out;
			}
			WRITE_ONCE(*ptep, fmt->mk_table(next_pa));
		} else if (fmt->is_leaf(*ptep, l)) {
			r = -EEXIST;
			goto out;
		}
		table = s2_table_of(fmt, *ptep);
	}
	ptep = &table[s2_index(gpa, level)];
	if (fmt->present(*ptep)) {
		r = -EEXIST;
		goto out;
	}
	WRITE_ONCE(*ptep, fmt->mk_leaf(pa, level, prot));
out:
	mutex_unlock(&s2->lock);
	return r;
}

u64 hvmod_s2_lookup(struct hvmod_s2 *s2, u64 gpa, unsigned int *level)
{
	const struct hvmod_s2_format *fmt = s2->fmt;
	u64 *table = s2->root, pte = 0;
	unsigned int l;

	mutex_lock(&s2->lock);
	for (l = fmt->levels - 1; ; l--) {
		pte = table[s2_index(gpa, l)];
		if (!fmt->present(pte)) {
			pte = 0;
			break;
		}
		if (fmt->is_leaf(pte, l))
			break;
		table = s2_table_of(fmt, pte);
	}
	*level = l;
	mutex_unlock(&s2->lock);
	return pte;
}

/* Unmap [gpa, end) below one table; tables that become empty go dead. */
static unsigned long s2_unmap_table(struct hvmod_s2 *s2, u64 *table,
				    unsigned int level, u64 base, u64 gpa,
				    u64 end, hvmod_s2_release_t release)
{
	const struct hvmod_s2_format *fmt = s2->fmt;
	unsigned long n = 0;
	u64 sz = s2_level_size(level), a, pte;
	unsigned int i;
	u64 *child;
	bool empty;

	for (i = 0; i < S2_ENTRIES; i++) {
		a = base + i * sz;
		if (a + sz <= gpa || a >= end)
			continue;
		pte = table[i];
		if (!fmt->present(pte))
			continue;
		if (fmt->is_leaf(pte, level)) {
			/* A huge leaf partly inside the range goes whole. */
			WRITE_ONCE(table[i], 0);
			if (release)
				release(fmt->pte_pa(pte), level,
					fmt->pte_prot(pte));
			n++;
			continue;
		}
		child = s2_table_of(fmt, pte);
		n += s2_unmap_table(s2, child, level - 1, a, gpa, end,
				    release);
		empty = true;
		for (pte = 0; pte < S2_ENTRIES; pte++)
			if (fmt->present(child[pte])) {
				empty = false;
				break;
			}
		if (empty) {
			WRITE_ONCE(table[i], 0);
			list_add(&virt_to_page(child)->lru, &s2->dead);
		}
	}
	return n;
}

unsigned long hvmod_s2_unmap(struct hvmod_s2 *s2, u64 gpa, u64 size,
			     hvmod_s2_release_t release)
{
	unsigned long n;

	mutex_lock(&s2->lock);
	n = s2_unmap_table(s2, s2->root, s2->fmt->levels - 1, 0, gpa,
			   gpa + size, release);
	mutex_unlock(&s2->lock);
	return n;
}

void hvmod_s2_free_dead(struct hvmod_s2 *s2)
{
	struct page *page, *tmp;
	LIST_HEAD(dead);

	mutex_lock(&s2->lock);
	list_splice_init(&s2->dead, &dead);
	mutex_unlock(&s2->lock);
	list_for_each_entry_safe(page, tmp, &dead, lru) {
		list_del(&page->lru);
		s2_free_table(page_address(page));
	}
}

void hvmod_s2_destroy(struct hvmod_s2 *s2, hvmod_s2_release_t release)
{
	while (s2->nr_spare)
		free_page((unsigned long)s2->spare[--s2->nr_spare]);
	if (!s2->root)
		return;
	hvmod_s2_unmap(s2, 0, s2_level_size(s2->fmt->levels), release);
	hvmod_s2_free_dead(s2);		/* no vCPU is left */
	if (s2->fmt->root_order) {
		free_pages((unsigned long)s2->root, s2->fmt->root_order);
		hvmod_count_add(HVMOD_CNT_S2, -(1L << s2->fmt->root_order));
	} else {
		s2_free_table(s2->root);
	}
	s2->root = NULL;
}

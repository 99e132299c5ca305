// SPDX-License-Identifier: GPL-2.0
/*
 * hvmod accounting: every page and object hvmod holds is counted here, so
 * HVMOD_GET_INFO (and every test) can prove that the counts return to zero.
 */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include "hvmod.h"

static atomic64_t hvmod_counts[HVMOD_CNT_NR];

void hvmod_count_add(enum hvmod_count c, long n)
{
	atomic64_add(n, &hvmod_counts[c]);
}

void hvmod_counts_read(struct hvmod_counts *out)
{
	out->vms = atomic64_read(&hvmod_counts[HVMOD_CNT_VMS]);
	out->vcpus = atomic64_read(&hvmod_counts[HVMOD_CNT_VCPUS]);
	out->pinned_pages = atomic64_read(&hvmod_counts[HVMOD_CNT_PINNED]);
	out->s2_pages = atomic64_read(&hvmod_counts[HVMOD_CNT_S2]);
	out->ctl_pages = atomic64_read(&hvmod_counts[HVMOD_CNT_CTL]);
	out->cpus_enabled = atomic64_read(&hvmod_counts[HVMOD_CNT_CPUS]);
}

/* A zeroed page for hardware control structures (VMCB, VMCS, HSAVE...). */
struct page *hvmod_ctl_page_alloc(int node)
{
	struct page *page = alloc_pages_node(node, GFP_KERNEL_ACCOUNT |
					     __GFP_ZERO, 0);

	if (page)
		hvmod_count_add(HVMOD_CNT_CTL, 1);
	return page;
}

void hvmod_ctl_page_free(struct page *page)
{
	if (!page)
		return;
	__free_page(page);
	hvmod_count_add(HVMOD_CNT_CTL, -1);
}

/* One control page per possible CPU (SVM host save area, VMXON region). */
void hvmod_percpu_pages_free(struct page * __percpu *pages)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		hvmod_ctl_page_free(*per_cpu_ptr(pages, cpu));
		*per_cpu_ptr(pages, cpu) = NULL;
	}
}

int hvmod_percpu_pages_alloc(struct page * __percpu *pages)
{
	struct page *page;
	int cpu;

	for_each_possible_cpu(cpu) {
		page = hvmod_ctl_page_alloc(cpu_to_node(cpu));
		if (!page) {
			hvmod_percpu_pages_free(pages);
			return -ENOMEM;
		}
		*per_cpu_ptr(pages, cpu) = page;
	}
	return 0;
}

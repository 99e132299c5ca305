// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory follows the VMM's mapping, as in KVM (MMU notifiers): after
 * the VMM replaces the backing of a slot page (mmap MAP_FIXED), drops it
 * (madvise DONTNEED) or unmaps it, the guest sees the new content, zeros,
 * or KVM_RUN fails with EFAULT (and works again once memory is back);
 * a guest spinning without exits sees the new page too; the pages of the
 * old mapping are unpinned at once and every count returns to 0.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"
#include "x86_mmu.sym.h"

HV_GUEST_BLOB(x86_mmu);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	9
#define G_SLOT1		0x400000
#define SLOT1_PAGES	16
#define PG		4096

static struct hv_vm vm;
static uint8_t *backing;
static volatile int spin_ret;

/* A fresh anonymous page (4 KiB pages only) at backing + page, filled. */
static void remap_page(unsigned int page, uint32_t val)
{
	void *p = mmap(backing + page * PG, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap MAP_FIXED: %s", hv_errname(errno));
	*(uint32_t *)p = val;
}

static uint64_t pinned(void)
{
	struct hvmod_info info;

	if (hv_get_info(vm.sys, &info))
		tap_bail("HVMOD_GET_INFO: %s", hv_errname(errno));
	return info.counts.pinned_pages;
}

static bool read_pair(struct hv_vcpu *v, uint32_t *a, uint32_t *b)
{
	return hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x40, a) &&
	       hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x41, b);
}

static void *spin_thread(void *arg)
{
	struct hv_vcpu *v = arg;

	spin_ret = ioctl(v->fd, KVM_RUN, 0UL) ? errno : 0;
	return NULL;
}

/* Waits up to 10 s for the spinning guest to copy val. */
static bool spin_sees(uint32_t val)
{
	volatile uint32_t *seen = (volatile uint32_t *)(vm.mem + G_DATA + 0x80);
	int i;

	for (i = 0; i < 10000; i++) {
		if (*seen == val)
			return true;
		usleep(1000);
	}
	tap_diag("guest still reads 0x%x, want 0x%x", *seen, val);
	return false;
}

int main(void)
{
	uint32_t a = 0, b = 0;
	struct hvmod_info info;
	struct hv_vcpu v, s;
	uint64_t p1, p2;
	pthread_t t;
	int r, sys = hv_x86_open();
	bool ok;

	tap_plan(NR_TESTS);
	backing = mmap(NULL, SLOT1_PAGES * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (backing == MAP_FAILED)
		tap_bail("mmap: %s", hv_errname(errno));
	madvise(backing, SLOT1_PAGES * PG, MADV_NOHUGEPAGE);
	*(uint32_t *)backing = 0x11111111;
	*(uint32_t *)(backing + PG) = 0x11112222;
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_add_slot(&vm, 1, G_SLOT1, backing, SLOT1_PAGES * PG);
	hv_vm_load(&vm, x86_mmu_bin, x86_mmu_bin_end);
	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_read_entry);

	ok = read_pair(&v, &a, &b);
	if (!tap_result(ok && a == 0x11111111 && b == 0x11112222,
			"guest reads the slot's two pages"))
		tap_diag("read 0x%x 0x%x", a, b);
	p1 = pinned();

	remap_page(0, 0x22222222);
	p2 = pinned();
	ok = read_pair(&v, &a, &b);
	if (!tap_result(ok && a == 0x22222222 && b == 0x11112222,
			"mmap MAP_FIXED over page 0: the guest reads the new page, page 1 unchanged"))
		tap_diag("read 0x%x 0x%x", a, b);
	if (!tap_result(p2 == p1 - 1 && pinned() == p1,
			"the old page was unpinned by the mmap, the new one pinned on the guest's touch"))
		tap_diag("pinned %llu before, %llu after the mmap, %llu after the touch",
			 (unsigned long long)p1, (unsigned long long)p2,
			 (unsigned long long)pinned());

	madvise(backing + PG, PG, MADV_DONTNEED);
	ok = read_pair(&v, &a, &b);
	if (!tap_result(ok && a == 0x22222222 && b == 0,
			"madvise(MADV_DONTNEED) on page 1: the guest reads zeros"))
		tap_diag("read 0x%x 0x%x", a, b);

	/* a guest that never exits, while the page behind it is replaced */
	hv_vcpu_new(&vm, &s, 1);
	hv_vcpu_mode(&s, HV_LONG64, GUEST_spin_entry);
	if (pthread_create(&t, NULL, spin_thread, &s))
		tap_bail("pthread_create");
	ok = spin_sees(0x22222222);
	remap_page(0, 0x33333333);
	ok = ok && spin_sees(0x33333333);
	pthread_kill(t, SIGALRM);
	pthread_join(t, NULL);
	tap_result(ok && spin_ret == EINTR,
		   "a guest spinning without exits sees the page mmap'ed over its backing");

	p1 = pinned();
	munmap(backing, SLOT1_PAGES * PG);
	p2 = pinned();
	r = hv_run(&v);
	if (!tap_result(r == EFAULT, "munmap of the slot's backing: KVM_RUN fails with EFAULT"))
		tap_diag("KVM_RUN: %s, exit %s", r ? hv_errname(r) : "0",
			 hv_exit_name(v.run->exit_reason));
	if (!tap_result(p2 == p1 - 2, "munmap unpinned the slot's 2 guest pages at once"))
		tap_diag("pinned %llu before, %llu after", (unsigned long long)p1,
			 (unsigned long long)p2);

	if (mmap(backing, SLOT1_PAGES * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		tap_bail("mmap: %s", hv_errname(errno));
	*(uint32_t *)backing = 0x44444444;
	*(uint32_t *)(backing + PG) = 0x44445555;
	ok = read_pair(&v, &a, &b);
	if (!tap_result(ok && a == 0x44444444 && b == 0x44445555,
			"memory mapped again: the same KVM_RUN goes on with the new pages"))
		tap_diag("read 0x%x 0x%x", a, b);

	hv_vcpu_free(&s);
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
	munmap(backing, SLOT1_PAGES * PG);
	if (hv_get_info(sys, &info))
		tap_bail("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts, "every count back to 0 after the VM is freed");
	return tap_finish();
}

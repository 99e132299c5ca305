// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: two VMs with different contents at the same GPA stay
 * apart; a guest store to memory userspace mapped read-only makes KVM_RUN
 * fail with EFAULT; an access outside every slot is KVM_EXIT_MMIO; a guest
 * touching 256 MiB writes a per-page pattern the host checks page by page,
 * with counts.pinned_pages growing on first touch and back to 0 after the
 * VM is closed.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"
#include "x86_mem.sym.h"

HV_GUEST_BLOB(x86_mem);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	17
#define ROUNDS		50
#define RO_GPA		0x400000ULL
#define BIG_GPA		0x10000000ULL		/* 256 MiB .. 512 MiB */
#define BIG_SIZE	(256ULL << 20)
#define BIG_PAGES	(BIG_SIZE / HV_PAGE_SIZE)

static int sys;

static uint64_t pinned(void)
{
	struct hvmod_info info;

	if (hv_get_info(sys, &info))
		tap_bail("HVMOD_GET_INFO: %s", hv_errname(errno));
	return info.counts.pinned_pages;
}

static void new_guest(struct hv_vm *vm, struct hv_vcpu *v, uint64_t rip)
{
	hv_vm_new(vm, sys, G_MEM_SIZE);
	hv_vm_load(vm, x86_mem_bin, x86_mem_bin_end);
	hv_vcpu_new(vm, v, 0);
	hv_vcpu_mode(v, HV_LONG64, rip);
}

static void set_rdi_rsi_rbx(struct hv_vcpu *v, uint64_t rdi, uint64_t rsi,
			    uint64_t rbx)
{
	struct kvm_regs r;

	hv_get_regs(v, &r);
	r.rdi = rdi;
	r.rsi = rsi;
	r.rbx = rbx;
	hv_set_regs(v, &r);
}

/* Same GPA, different host memory: each guest only ever sees its own. */
static void test_isolation(void)
{
	struct hv_vm vm[2];
	struct hv_vcpu v[2];
	uint32_t base[2] = { 0xaaaa0000, 0xbbbb0000 }, got = 0;
	int r, i, bad = -1;

	for (i = 0; i < 2; i++) {
		new_guest(&vm[i], &v[i], GUEST_iso_entry);
		*(uint32_t *)(vm[i].mem + G_DATA) = base[i];
	}
	for (r = 0; r <= ROUNDS && bad < 0; r++) {
		for (i = 0; i < 2 && bad < 0; i++) {
			if (!hv_run_io(&v[i], KVM_EXIT_IO_OUT, 4, 0x10, &got) ||
			    got != base[i] + r)
				bad = i;
			*(uint32_t *)(vm[i].mem + G_DATA) = base[i] + r + 1;
		}
	}
	if (!tap_result(bad < 0, "two VMs run alternately %d times: each guest reads its own GPA 0x%x",
			ROUNDS, G_DATA))
		tap_diag("VM %d round %d read 0x%x, want 0x%x", bad, r - 1, got,
			 base[bad] + r - 1);
	for (i = 0, bad = -1; i < 2; i++)
		if (*(uint32_t *)(vm[i].mem + G_DATA + 4) != base[i] + ROUNDS - 1 + 0x100)
			bad = i;
	if (!tap_result(bad < 0, "each guest's stores to GPA 0x%x land in its own VM's memory",
			G_DATA + 4))
		tap_diag("VM 0 memory 0x%x, VM 1 memory 0x%x (want 0x%x, 0x%x)",
			 *(uint32_t *)(vm[0].mem + G_DATA + 4),
			 *(uint32_t *)(vm[1].mem + G_DATA + 4),
			 base[0] + ROUNDS - 1 + 0x100, base[1] + ROUNDS - 1 + 0x100);
	for (i = 0; i < 2; i++) {
		hv_vcpu_free(&v[i]);
		hv_vm_free(&vm[i]);
	}
}

/* A slot whose host mapping is PROT_READ: loads work, stores fail. */
static void test_read_only(void)
{
	uint8_t *ro = mmap(NULL, 2 * HV_PAGE_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct hv_vcpu v, w;
	struct hv_vm vm;
	int err;

	if (ro == MAP_FAILED)
		tap_bail("mmap: %s", hv_errname(errno));
	*(uint32_t *)ro = 0x600dcafe;
	*(uint32_t *)(ro + HV_PAGE_SIZE) = 0x5a5a5a5a;
	if (mprotect(ro, 2 * HV_PAGE_SIZE, PROT_READ))
		tap_bail("mprotect: %s", hv_errname(errno));
	new_guest(&vm, &v, GUEST_ro_entry);
	hv_vm_add_slot(&vm, 1, RO_GPA, ro, 2 * HV_PAGE_SIZE);
	set_rdi_rsi_rbx(&v, RO_GPA, 0, 0xbad);
	hv_expect_out(&v, 0x10, 4, 0x600dcafe,
		      "guest reads memory userspace mapped PROT_READ: 0x600dcafe");
	err = hv_run(&v);
	hv_expect(err ? -1 : 0, err, EFAULT, "guest store to it: KVM_RUN fails with EFAULT");
	err = hv_run(&v);
	hv_expect(err ? -1 : 0, err, EFAULT, "KVM_RUN again: EFAULT again");
	hv_expect_hex(true, hv_rip(&v), GUEST_ro_store, "after EFAULT: RIP still at the store");

	hv_vcpu_new(&vm, &w, 1);
	hv_vcpu_mode(&w, HV_LONG64, GUEST_ro_store);
	set_rdi_rsi_rbx(&w, RO_GPA + HV_PAGE_SIZE, 0, 0xbad);
	err = hv_run(&w);
	hv_expect(err ? -1 : 0, err, EFAULT,
		  "guest store as the first access to a read-only page: EFAULT");
	if (!tap_result(*(uint32_t *)ro == 0x600dcafe &&
			*(uint32_t *)(ro + HV_PAGE_SIZE) == 0x5a5a5a5a,
			"read-only pages unchanged"))
		tap_diag("0x%x 0x%x", *(uint32_t *)ro, *(uint32_t *)(ro + HV_PAGE_SIZE));
	hv_vcpu_free(&w);
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
	munmap(ro, 2 * HV_PAGE_SIZE);
}

static void test_mmio(void)
{
	struct kvm_run *run;
	struct hv_vcpu v;
	struct hv_vm vm;
	uint32_t val = 0;
	bool ok;

	new_guest(&vm, &v, GUEST_mmio_entry);
	run = v.run;
	ok = hv_run_exit(&v, KVM_EXIT_MMIO);
	if (!tap_result(ok && run->mmio.phys_addr == G_MMIO && run->mmio.len == 4 &&
			!run->mmio.is_write,
			"4-byte load outside every slot -> KVM_EXIT_MMIO read, phys_addr 0x%x, len 4",
			G_MMIO) && ok)
		hv_diag_exit(&v);
	val = 0x12345678;
	memcpy(run->mmio.data, &val, 4);
	ok = hv_run_exit(&v, KVM_EXIT_MMIO);
	memcpy(&val, run->mmio.data, 4);
	if (!tap_result(ok && run->mmio.phys_addr == G_MMIO + 8 && run->mmio.len == 4 &&
			run->mmio.is_write && val == 0x12345678,
			"MMIO read completed into EAX: the next store is KVM_EXIT_MMIO write 0x12345678 at 0x%x",
			G_MMIO + 8) && ok)
		hv_diag_exit(&v);
	ok = hv_run_exit(&v, KVM_EXIT_HLT);
	hv_expect_hex(ok, hv_rip(&v), GUEST_mmio_end, "after both MMIO exits the guest reaches HLT");
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
}

static void test_big(void)
{
	uint64_t i, sum = 0, want = 0, p0, p1, gpa, *page;
	uint32_t lo = 0, hi = 0, n = 0;
	struct hvmod_info info;
	struct hv_vcpu v;
	struct hv_vm vm;
	int64_t bad = -1, nbad = 0;
	uint8_t *big;
	int err;
	bool ok;

	big = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (big == MAP_FAILED)
		tap_bail("mmap of 256 MiB: %s", hv_errname(errno));
	for (i = 0; i < BIG_PAGES; i++) {
		*(uint64_t *)(big + i * HV_PAGE_SIZE + 8) = i * 7 + 3;
		want += i * 7 + 3;
	}
	new_guest(&vm, &v, GUEST_touch_entry);
	hv_vm_add_slot(&vm, 1, BIG_GPA, big, BIG_SIZE);
	set_rdi_rsi_rbx(&v, BIG_GPA, BIG_PAGES, 0);
	p0 = pinned();
	hv_expect_eq(p0, 0, "before the first KVM_RUN: counts.pinned_pages = 0 (pages are faulted in on touch)");

	err = hv_run_for(&v, 600);
	if (err)
		tap_diag("KVM_RUN: %s", hv_errname(err));
	ok = !err && hv_is_io(&v, KVM_EXIT_IO_OUT, 4, 0x10, &lo) &&
	     hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x11, &hi) &&
	     hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x12, &n);
	sum = (uint64_t)hi << 32 | lo;
	if (!tap_result(ok && sum == want && n == BIG_PAGES,
			"guest walked 65536 pages (256 MiB) and read the host's value in each"))
		tap_diag("sum 0x%llx (want 0x%llx), pages %u", (unsigned long long)sum,
			 (unsigned long long)want, n);
	p1 = pinned();
	if (!tap_result(p1 >= BIG_PAGES && p1 <= BIG_PAGES + G_MEM_SIZE / HV_PAGE_SIZE,
			"counts.pinned_pages covers the 65536 pages touched"))
		tap_diag("pinned_pages %llu", (unsigned long long)p1);
	for (i = 0; i < BIG_PAGES; i++) {
		page = (uint64_t *)(big + i * HV_PAGE_SIZE);
		gpa = BIG_GPA + i * HV_PAGE_SIZE;
		if (page[0] == (gpa | 0xa5) && page[511] == ~gpa)
			continue;
		if (bad < 0)
			bad = i;
		nbad++;
	}
	if (!tap_result(ok && bad < 0, "host sees the guest's pattern in every one of the 65536 pages"))
		tap_diag("%lld pages differ, first at GPA 0x%llx: 0x%llx ... 0x%llx", (long long)nbad,
			 (unsigned long long)(BIG_GPA + bad * HV_PAGE_SIZE),
			 (unsigned long long)((uint64_t *)(big + bad * HV_PAGE_SIZE))[0],
			 (unsigned long long)((uint64_t *)(big + bad * HV_PAGE_SIZE))[511]);
	hv_expect_exit(&v, KVM_EXIT_HLT, "256 MiB guest ends with HLT");
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
	munmap(big, BIG_SIZE);
	hv_get_info(sys, &info);
	hv_expect_idle(&info.counts, "VM closed: pinned_pages and every other count back to 0");
}

int main(void)
{
	sys = hv_x86_open();
	tap_plan(NR_TESTS);
	test_isolation();
	test_read_only();
	test_mmio();
	test_big();
	return tap_finish();
}

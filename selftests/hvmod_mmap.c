// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU run area: mmap of a vCPU fd gives 8 KiB, struct kvm_run then the
 * PIO data page (offset KVM_PIO_PAGE_OFFSET * 4096), zeroed, shared between
 * mappings, bounded to 8 KiB, and valid until munmap even after every fd
 * is closed.  Needs hvmod loaded and idle.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvmod_util.h"

#define NR_TESTS	20

static const struct {
	const char *desc;
	size_t len;
	off_t off;
} bad_maps[] = {
	{ "length 8193", HV_RUN_SIZE + 1, 0 },
	{ "length 12288", HV_RUN_SIZE + HV_PAGE_SIZE, 0 },
	{ "length 8192 at offset 4096", HV_RUN_SIZE, HV_PIO_OFFSET },
	{ "length 4096 at offset 8192", HV_PAGE_SIZE, HV_RUN_SIZE },
	{ "length 4096 at offset 1 MiB", HV_PAGE_SIZE, 1 << 20 },
};
#define NR_BAD		(int)(sizeof(bad_maps) / sizeof(bad_maps[0]))

static bool is_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++) {
		if (c[i]) {
			tap_diag("byte at offset %zu is 0x%02x", i, c[i]);
			return false;
		}
	}
	return true;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 1);
}

static bool has_pattern(const unsigned char *p)
{
	size_t i;

	for (i = 0; i < HV_PAGE_SIZE; i++) {
		if (p[i] != pattern(i)) {
			tap_diag("PIO byte %zu is 0x%02x, expected 0x%02x", i,
				 p[i], pattern(i));
			return false;
		}
	}
	return true;
}

/* A mapping that must fail with EINVAL; unmapped again if it did not. */
static void expect_bad_map(int vcpu, size_t len, off_t off, const char *desc)
{
	void *p = hv_map_run(vcpu, len, off);

	hv_check(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap %s -> EINVAL", desc);
	if (p != MAP_FAILED)
		munmap(p, len);
}

int main(void)
{
	int sys = hv_open_or_skip(), vm, vcpu, vcpu1, i;
	unsigned char *map, *map2, *pio, *page0, *map1;
	struct kvm_run *run, *run2;
	struct hvmod_info info;
	bool alive;

	tap_plan(NR_TESTS);
	hv_check_ret(ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0UL), HV_RUN_SIZE,
		     "KVM_GET_VCPU_MMAP_SIZE = 8192");
	vm = hv_create_vm(sys);
	vcpu = vm < 0 ? -1 : hv_create_vcpu(vm, 0);
	vcpu1 = vm < 0 ? -1 : hv_create_vcpu(vm, 1);
	if (vcpu < 0 || vcpu1 < 0)
		tap_bail("creating a VM with vCPUs 0 and 1: %s", hv_errname(errno));

	map = hv_map_run(vcpu, HV_RUN_SIZE, 0);
	if (!hv_check(map == MAP_FAILED ? -1 : 0, 0,
		      "mmap 8192 bytes RW shared at offset 0"))
		tap_bail("cannot map the run area");
	run = (struct kvm_run *)map;
	tap_result(is_zero(map, HV_PAGE_SIZE), "struct kvm_run page reads as zero");
	tap_result(is_zero(map + HV_PIO_OFFSET, HV_PAGE_SIZE),
		   "PIO page (offset 4096) reads as zero");

	run->immediate_exit = 1;
	for (i = 0; i < (int)HV_PAGE_SIZE; i++)
		map[HV_PIO_OFFSET + i] = pattern(i);
	map2 = hv_map_run(vcpu, HV_RUN_SIZE, 0);
	pio = hv_map_run(vcpu, HV_PAGE_SIZE, HV_PIO_OFFSET);
	page0 = hv_map_run(vcpu, HV_PAGE_SIZE, 0);
	if (map2 == MAP_FAILED || pio == MAP_FAILED || page0 == MAP_FAILED)
		tap_bail("second mappings of the run area: %s", hv_errname(errno));
	run2 = (struct kvm_run *)map2;
	hv_expect_eq(run2->immediate_exit, 1,
		     "second mapping sees immediate_exit = 1 written through the first");
	run2->request_interrupt_window = 1;
	hv_expect_eq(run->request_interrupt_window, 1,
		     "first mapping sees request_interrupt_window = 1 written through the second");
	tap_result(has_pattern(pio),
		   "mapping of 4096 at offset 4096 is the PIO page written through the first");
	pio[100] = 0xee;
	hv_expect_eq(map[HV_PIO_OFFSET + 100], 0xee,
		     "write through the PIO mapping is seen in the first mapping");
	pio[100] = pattern(100);
	hv_expect_eq(((struct kvm_run *)page0)->immediate_exit, 1,
		     "mapping of 4096 at offset 0 is struct kvm_run");

	for (i = 0; i < NR_BAD; i++)
		expect_bad_map(vcpu, bad_maps[i].len, bad_maps[i].off,
			       bad_maps[i].desc);

	map1 = hv_map_run(vcpu1, HV_RUN_SIZE, 0);
	tap_result(map1 != MAP_FAILED && is_zero(map1, HV_RUN_SIZE),
		   "vCPU 1 has its own run area (all zero)");

	close(vcpu);
	close(vcpu1);
	close(vm);
	close(sys);
	alive = tap_result(hv_try_access(map, HV_RUN_SIZE, true) &&
			   hv_try_access(map2, HV_RUN_SIZE, true),
			   "all fds closed: mappings still readable and writable");
	if (!alive)
		tap_diag("an access faulted: not touching the mappings again");
	tap_result(alive && run->immediate_exit == 1 &&
		   has_pattern(map + HV_PIO_OFFSET),
		   "all fds closed: immediate_exit and the PIO data are kept");
	if (alive)
		run->immediate_exit = 0;
	tap_result(alive && run2->immediate_exit == 0,
		   "all fds closed: a write is still seen through the second mapping");

	tap_result(!munmap(map, HV_RUN_SIZE) && !munmap(map2, HV_RUN_SIZE) &&
		   !munmap(pio, HV_PAGE_SIZE) && !munmap(page0, HV_PAGE_SIZE) &&
		   (map1 == MAP_FAILED || !munmap(map1, HV_RUN_SIZE)),
		   "munmap of every mapping succeeds");
	if (hv_get_info_fresh(&info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts, "fds closed and unmapped: all counts 0");
	return tap_finish();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION with KVM 6.1 semantics, within hvmod's limits
 * (32 slots, no slot flags, one address space, slots end at or below 1 TiB,
 * at most 256 GiB per VM).  Each row of a table is one ioctl and one test;
 * the rows of a table run in order on one VM.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvmod_util.h"

#define P		4096ULL			/* one page */
#define GIB		(1ULL << 30)
#define TIB		(1ULL << 40)
#define G0		0x100000ULL		/* slot 0 of rules[]: 16 pages */
#define MEM		0x5a0000000000ULL	/* 32 mapped pages */
#define MEM_PAGES	32
#define UNMAPPED	0x600000000000ULL	/* never mapped */
#define BIG		0x100000000000ULL	/* 256 GiB of unmapped user VA */
#define LAST_PAGE	1ULL	/* replaced by the last page of user space */
#define KADDR		0xffff800000000000ULL	/* a kernel address */
#define DIRTY		KVM_MEM_LOG_DIRTY_PAGES

struct row {
	const char *desc;
	__u32 slot, flags;
	__u64 gpa, size, uaddr;
	int want;		/* 0 or the errno */
};

static struct row rules[] = {
	{ "flags KVM_MEM_LOG_DIRTY_PAGES", 0, DIRTY, G0, 16 * P, MEM, EINVAL },
	{ "flags KVM_MEM_READONLY", 0, KVM_MEM_READONLY, G0, 16 * P, MEM, EINVAL },
	{ "flags bit 2 (unknown)", 0, 1U << 2, G0, 16 * P, MEM, EINVAL },
	{ "flags bit 31 (unknown)", 0, 1U << 31, G0, 16 * P, MEM, EINVAL },
	{ "address space 1 (slot 0x10000)", 0x10000, 0, G0, 16 * P, MEM, EINVAL },
	{ "address space 0xffff (slot 0xffff0000)", 0xffff0000, 0, G0, 16 * P, MEM, EINVAL },
	{ "slot id 32", 32, 0, G0, 16 * P, MEM, EINVAL },
	{ "slot id 0xffff", 0xffff, 0, G0, 16 * P, MEM, EINVAL },
	{ "memory_size 0x1800 (not page aligned)", 0, 0, G0, 0x1800, MEM, EINVAL },
	{ "memory_size 0x800 (not page aligned)", 0, 0, G0, 0x800, MEM, EINVAL },
	{ "guest_phys_addr 0x100800 (not page aligned)", 0, 0, G0 + 0x800, 16 * P, MEM, EINVAL },
	{ "userspace_addr MEM + 0x800 (not page aligned)", 0, 0, G0, 16 * P, MEM + 0x800, EINVAL },
	{ "guest_phys_addr + memory_size overflows", 0, 0, -P, 2 * P, MEM, EINVAL },
	{ "region ends one page above 1 TiB", 0, 0, TIB - P, 2 * P, MEM, EINVAL },
	{ "region starts at 1 TiB", 0, 0, TIB, P, MEM, EINVAL },
	{ "slot 5 ends exactly at 1 TiB", 5, 0, TIB - P, P, MEM, 0 },
	{ "delete slot 5", 5, 0, TIB - P, 0, MEM, 0 },
	{ "userspace_addr 0xffff800000000000 (kernel)", 0, 0, G0, 16 * P, KADDR, EINVAL },
	{ "userspace_addr + memory_size overflows", 0, 0, G0, 2 * P, -P, EINVAL },
	{ "user range crosses the top of user space", 0, 0, G0, 2 * P, LAST_PAGE, EINVAL },
	{ "slot 5 on the last page of user space (unmapped)", 5, 0, 0x10000000, P, LAST_PAGE, 0 },
	{ "delete slot 5", 5, 0, 0x10000000, 0, LAST_PAGE, 0 },
	{ "delete slot 7, which does not exist", 7, 0, 0, 0, MEM, EINVAL },
	{ "delete slot 5 again", 5, 0, 0x10000000, 0, LAST_PAGE, EINVAL },
	{ "delete slot 0: no rejected call created it", 0, 0, G0, 0, MEM, EINVAL },
	{ "delete slot 31: no rejected call created it", 31, 0, G0, 0, MEM, EINVAL },
	{ "create slot 0 (16 pages at 1 MiB)", 0, 0, G0, 16 * P, MEM, 0 },
	{ "re-issue slot 0 identically (no-op)", 0, 0, G0, 16 * P, MEM, 0 },
	{ "modify slot 0: other userspace_addr", 0, 0, G0, 16 * P, MEM + 16 * P, EINVAL },
	{ "modify slot 0: other memory_size", 0, 0, G0, 8 * P, MEM, EINVAL },
	{ "modify slot 0: other size and guest_phys_addr", 0, 0, 0x200000, 8 * P, MEM, EINVAL },
	{ "modify slot 0: flags KVM_MEM_LOG_DIRTY_PAGES", 0, DIRTY, G0, 16 * P, MEM, EINVAL },
	{ "slot 1 on exactly slot 0's range", 1, 0, G0, 16 * P, MEM, EEXIST },
	{ "slot 1 overlapping slot 0's first pages", 1, 0, G0 - 4 * P, 8 * P, MEM, EEXIST },
	{ "slot 1 overlapping slot 0's last page", 1, 0, G0 + 15 * P, 4 * P, MEM, EEXIST },
	{ "slot 1 inside slot 0", 1, 0, G0 + 4 * P, 4 * P, MEM, EEXIST },
	{ "slot 1 containing slot 0", 1, 0, G0 - 4 * P, 32 * P, MEM, EEXIST },
	{ "slot 1 adjacent below slot 0", 1, 0, G0 - 16 * P, 16 * P, MEM + 16 * P, 0 },
	{ "slot 2 adjacent above slot 0", 2, 0, G0 + 16 * P, 16 * P, MEM + 16 * P, 0 },
	{ "slot 3 backed by the same user memory as slot 0", 3, 0, 0x400000, 16 * P, MEM, 0 },
	{ "slot 4 at an unmapped userspace_addr", 4, 0, 0x800000, 256 * P, UNMAPPED, 0 },
	{ "slot 0 still as created (identical re-issue)", 0, 0, G0, 16 * P, MEM, 0 },
	{ "move slot 3 onto slot 0", 3, 0, G0, 16 * P, MEM, EEXIST },
	{ "move slot 3 onto slot 2's last page", 3, 0, G0 + 31 * P, 16 * P, MEM, EEXIST },
	{ "move slot 3 to a free range", 3, 0, 0x1000000, 16 * P, MEM, 0 },
	{ "slot 6 on slot 3's old range (freed by the move)", 6, 0, 0x400000, 16 * P, MEM, 0 },
	{ "move slot 3 by one page (overlapping only itself)", 3, 0, 0x1001000, 16 * P, MEM, 0 },
	{ "slot 9 overlapping moved slot 3's last page", 9, 0, 0x1010000, P, MEM, EEXIST },
	{ "slot 31 (highest id)", 31, 0, 0x2000000, P, MEM, 0 },
	{ "delete slot 6", 6, 0, 0x400000, 0, MEM, 0 },
	{ "delete slot 31 with guest_phys_addr 0 and userspace_addr 0", 31, 0, 0, 0, 0, 0 },
	{ "re-create slot 6 on a new range", 6, 0, 0x3000000, 16 * P, MEM, 0 },
	{ "slot 7 on slot 6's old range (freed by the delete)", 7, 0, 0x400000, 16 * P, MEM, 0 },
	{ "slot 8 on slot 6's new range", 8, 0, 0x3000000, P, MEM, EEXIST },
};

static struct row limits[] = {
	{ "one slot of 256 GiB + 4 KiB", 0, 0, 0, 256 * GIB + P, BIG, EINVAL },
	{ "slot 0 of 128 GiB", 0, 0, 0, 128 * GIB, BIG, 0 },
	{ "slot 1 of 128 GiB (total 256 GiB)", 1, 0, 128 * GIB, 128 * GIB, BIG, 0 },
	{ "slot 2 of 4 KiB (total above 256 GiB)", 2, 0, 256 * GIB, P, MEM, EINVAL },
	{ "move slot 1 (total unchanged)", 1, 0, 512 * GIB, 128 * GIB, BIG, 0 },
	{ "delete slot 0", 0, 0, 0, 0, BIG, 0 },
	{ "slot 2 of 4 KiB after the delete", 2, 0, 256 * GIB, P, MEM, 0 },
	{ "slot 0 of 128 GiB again (total 256 GiB + 4 KiB)", 0, 0, 0, 128 * GIB, BIG, EINVAL },
};

#define ARRAY_SIZE(a)	(int)(sizeof(a) / sizeof((a)[0]))
#define NR_TESTS	(5 + ARRAY_SIZE(rules) + ARRAY_SIZE(limits) + 2)

static int set_region(int vm, const struct row *r)
{
	struct kvm_userspace_memory_region mr = {
		.slot = r->slot, .flags = r->flags, .guest_phys_addr = r->gpa,
		.memory_size = r->size, .userspace_addr = r->uaddr,
	};

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr);
}

static void run_rows(int vm, const char *table, struct row *rows, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		if (!hv_check(set_region(vm, r), r->want, "%s[%d]: %s -> %s",
			      table, i, r->desc, r->want ? hv_errname(r->want) : "0"))
			tap_diag("region: slot=0x%x flags=0x%x gpa=0x%llx size=0x%llx uaddr=0x%llx",
				 r->slot, r->flags, (unsigned long long)r->gpa,
				 (unsigned long long)r->size,
				 (unsigned long long)r->uaddr);
	}
}

#ifdef __aarch64__
/*
 * Last page of user space: TASK_SIZE_MAX is 1 << VA_BITS, 48 bits unless
 * the kernel has 52-bit virtual addresses (a mapping above 48 bits works).
 */
static __u64 last_user_page(void)
{
	void *hi = (void *)(1ULL << 48);
	void *p = mmap(hi, P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE, -1, 0);
	int bits = 48;

	if (p == hi)
		bits = 52;
	if (p != MAP_FAILED)
		munmap(p, P);
	return (1ULL << bits) - P;
}
#else
/* Last page of user space: TASK_SIZE_MAX - 4 KiB (4- or 5-level paging). */
static __u64 last_user_page(void)
{
	char line[4096];
	bool la57 = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && strstr(line, " la57"))
			la57 = true;
	if (f)
		fclose(f);
	return ((1ULL << (la57 ? 56 : 47)) - P) - P;
}
#endif

/*
 * The rejection must log exactly one "hvmod: " line.  The log is ratelimited
 * and earlier programs were rejected often: retry once after the interval.
 */
static void expect_logged(int vm, const struct row *r, const char *what)
{
	struct hv_kmsg m;
	char line[512];
	int attempt, found = -1;

	for (attempt = 0; attempt < 2 && found <= 0; attempt++) {
		if (attempt) {
			tap_diag("no line yet; printk ratelimit? retrying in 6 s");
			sleep(6);
		}
		if (hv_kmsg_mark(&m))
			break;
		set_region(vm, r);
		found = hv_kmsg_find(&m, "hvmod: ", NULL, line, sizeof(line));
		hv_kmsg_close(&m);
	}
	if (found < 0)
		tap_skip("cannot read the kernel log", "%s logs one \"hvmod: \" line", what);
	else if (tap_result(found == 1, "%s logs one \"hvmod: \" line", what))
		tap_diag("logged: %s", line);
	else
		tap_diag("expected one new kernel log line starting \"hvmod: \", found %d%s%s",
			 found, found ? ", the first: " : "", line);
}

static void test_logging(int vm)
{
	static struct row bad_flags = { "", 0, KVM_MEM_LOG_DIRTY_PAGES, G0, P, MEM, EINVAL };
	static struct row slot0 = { "", 0, 0, G0, P, MEM, 0 };
	static struct row overlap = { "", 1, 0, G0, P, MEM, EEXIST };
	char verbose[16] = "";

	hv_check(set_region(vm, &bad_flags), EINVAL,
		 "log: flags KVM_MEM_LOG_DIRTY_PAGES -> EINVAL");
	hv_check(set_region(vm, &slot0), 0, "log: create slot 0 -> 0");
	hv_check(set_region(vm, &overlap), EEXIST, "log: slot 1 on slot 0 -> EEXIST");
	if (hv_read_file(HVMOD_SYSFS "/parameters/verbose", verbose,
			 sizeof(verbose)) > 0 && !strcmp(verbose, "0")) {
		tap_skip("hvmod verbose=0", "EINVAL logs one \"hvmod: \" line");
		tap_skip("hvmod verbose=0", "EEXIST logs one \"hvmod: \" line");
		return;
	}
	expect_logged(vm, &bad_flags, "EINVAL (flags KVM_MEM_LOG_DIRTY_PAGES)");
	expect_logged(vm, &overlap, "EEXIST (slot 1 on slot 0)");
}

static void test_all_slots(int vm)
{
	struct row r = { "", 0, 0, 0, P, MEM, 0 };
	int bad = -1;

	for (r.slot = 0; r.slot < HVMOD_MAX_SLOTS; r.slot++) {
		r.gpa = r.slot * 2 * P;
		if (set_region(vm, &r) && bad < 0) {
			bad = r.slot;
			tap_diag("slot %d: %s", bad, hv_errname(errno));
		}
	}
	tap_result(bad < 0, "slots 0..31 all usable in one VM");
}

int main(void)
{
	int sys = hv_open_or_skip(), vm[4], i;
	struct hvmod_info info;
	void *mem;

	tap_plan(NR_TESTS);
	mem = mmap((void *)MEM, MEM_PAGES * P, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (mem != (void *)MEM)
		tap_bail("mmap at 0x%llx: %s", MEM, strerror(errno));
	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].uaddr == LAST_PAGE)
			rules[i].uaddr = last_user_page();
	for (i = 0; i < 4; i++) {
		vm[i] = hv_create_vm(sys);
		if (vm[i] < 0)
			tap_bail("KVM_CREATE_VM: %s", hv_errname(errno));
	}

	test_logging(vm[0]);
	run_rows(vm[1], "rules", rules, ARRAY_SIZE(rules));
	run_rows(vm[2], "limits", limits, ARRAY_SIZE(limits));
	test_all_slots(vm[3]);

	for (i = 0; i < 4; i++)
		close(vm[i]);
	if (hv_get_info(sys, &info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts, "VMs with slots closed: all counts 0");
	close(sys);
	return tap_finish();
}

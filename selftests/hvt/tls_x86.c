// SPDX-License-Identifier: GPL-2.0
/* tls: FS_BASE set with WRMSR; %fs-relative loads see it, also after exits. */
#include "rt.h"

HVT_MANIFEST(0);

static uint64_t block_a[4] = { 0x1111111111111111ull, 0xaaaa, 3, 4 };
static uint64_t block_b[4] = { 0x2222222222222222ull, 0xbbbb, 5, 6 };

static uint64_t fs_load(unsigned int off)
{
	uint64_t v;

	__asm__ __volatile__("movq %%fs:(%1), %0" : "=r"(v) : "r"((uint64_t)off)
			     : "memory");
	return v;
}

int test_main(const char *cmdline)
{
	(void)cmdline;
	printf("\n**** hvt test tls ****\n\n");
	if (rdmsr(MSR_FS_BASE) != 0) {
		printf("FAILURE: FS_BASE is 0x%lx at start\n", rdmsr(MSR_FS_BASE));
		return 1;
	}
	wrmsr(MSR_FS_BASE, (uintptr_t)block_a);
	printf("tls: FS_BASE=0x%lx\n", rdmsr(MSR_FS_BASE));	/* an exit */
	if (fs_load(0) != block_a[0] || fs_load(8) != block_a[1]) {
		printf("FAILURE: %%fs:0 reads 0x%lx with block a\n", fs_load(0));
		return 1;
	}
	wrmsr(MSR_FS_BASE, (uintptr_t)block_b);
	hvt_walltime();						/* an exit */
	if (rdmsr(MSR_FS_BASE) != (uintptr_t)block_b ||
	    fs_load(0) != block_b[0] || fs_load(8) != block_b[1]) {
		printf("FAILURE: %%fs:0 reads 0x%lx with block b\n", fs_load(0));
		return 1;
	}
	wrmsr(MSR_FS_BASE, 0);
	printf("SUCCESS\n");
	return 0;
}

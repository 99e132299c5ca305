// SPDX-License-Identifier: GPL-2.0
/*
 * tls (riscv64): tp, the TLS base, is 0 at start; loads relative to it
 * see what it is set to, also after exits.
 */
#include "rt.h"

HVT_MANIFEST(0);

static uint64_t block_a[4] = { 0x1111111111111111ull, 0xaaaa, 3, 4 };
static uint64_t block_b[4] = { 0x2222222222222222ull, 0xbbbb, 5, 6 };

/* a load at OFF from the TLS base, as compiled TLS accesses do */
static uint64_t tls_load(unsigned int off)
{
	uint64_t v;

	__asm__ __volatile__("add %0, tp, %1\n\tld %0, 0(%0)"
			     : "=&r"(v) : "r"((uint64_t)off) : "memory");
	return v;
}

int test_main(const char *cmdline)
{
	(void)cmdline;
	printf("\n**** hvt test tls ****\n\n");
	if (rt_tp() != 0) {
		printf("FAILURE: tp is 0x%lx at start\n", rt_tp());
		return 1;
	}
	rt_set_tp((uintptr_t)block_a);
	printf("tls: tp=0x%lx\n", rt_tp());			/* an exit */
	if (tls_load(0) != block_a[0] || tls_load(8) != block_a[1]) {
		printf("FAILURE: [tp] reads 0x%lx with block a\n", tls_load(0));
		return 1;
	}
	rt_set_tp((uintptr_t)block_b);
	hvt_walltime();						/* an exit */
	if (rt_tp() != (uintptr_t)block_b ||
	    tls_load(0) != block_b[0] || tls_load(8) != block_b[1]) {
		printf("FAILURE: [tp] reads 0x%lx with block b\n", tls_load(0));
		return 1;
	}
	rt_set_tp(0);
	printf("SUCCESS\n");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hostile CASE: hypercalls with bad pointers, bad numbers, bad ports or
 * MMIO accesses (hostile_ARCH.c) and bad exits.
 * Every case must make the tender stop with a clear message and exit 1,
 * touching nothing outside guest memory.  "ok" is the baseline.
 */
#include "rt.h"

HVT_MANIFEST(0);

/*
 * hostile_x86.c / hostile_a64.c: the architecture's own bad exits (bad
 * port or MMIO accesses, ...).  Returns false if CASE is not one of them,
 * true if the tender let it pass.
 */
bool hostile_arch(const char *c);

static void puts_raw(uint64_t data, uint64_t len)
{
	volatile struct hvt_hc_puts a = { data, len };

	hvt_hc(HVT_HC_PUTS, (uint32_t)(uintptr_t)&a);
}

int test_main(const char *cmdline)
{
	uint64_t mem = boot_info->mem_size;
	const char *c = cmdline;

	printf("hostile: %s\n", c);
	if (rt_word(c, "ok")) {
		printf("SUCCESS\n");
		return 0;
	} else if (rt_word(c, "puts-oob")) {
		puts_raw(mem + 0x1000, 16);
	} else if (rt_word(c, "puts-end")) {
		puts_raw(mem - 16, 16);		/* ends at mem_size: strict */
	} else if (rt_word(c, "puts-wrap")) {
		puts_raw(0xfffffffffffff000ull, 0x2000);
	} else if (rt_word(c, "puts-huge")) {
		puts_raw(0x100000, 1ull << 62);
	} else if (rt_word(c, "arg-oob")) {
		/* a 16-byte struct across the end */
		hvt_hc(HVT_HC_PUTS, mem - 8);
	} else if (rt_word(c, "arg-high")) {
		hvt_hc(HVT_HC_WALLTIME, 0xfffffff0u);
	} else if (rt_word(c, "poll-oob")) {
		hvt_hc(HVT_HC_POLL, mem - 4);
	} else if (rt_word(c, "halt-oob")) {
		hvt_hc(HVT_HC_HALT, mem);
	} else if (rt_word(c, "cookie")) {
		hvt_halt(0, (void *)(uintptr_t)(mem - 256));
	} else if (rt_word(c, "hc-zero")) {
		hvt_hc(0, 0);
	} else if (rt_word(c, "hc-block")) {
		hvt_hc(HVT_HC_BLOCK_WRITE, 0x10000);
	} else if (rt_word(c, "hc-net")) {
		hvt_hc(HVT_HC_NET_READ, 0x10000);
	} else if (!hostile_arch(c)) {
		printf("hostile: unknown case\n");
		return 2;
	}
	printf("FAILURE: the tender let case '%s' pass\n", c);
	return 1;
}

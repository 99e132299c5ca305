// SPDX-License-Identifier: GPL-2.0
/*
 * hostile CASE: hypercalls with bad pointers, bad ports and bad exits.
 * Every case must make the tender stop with a clear message and exit 1,
 * touching nothing outside guest memory.  "ok" is the baseline.
 */
#include "rt.h"

HVT_MANIFEST(0);

static void outl(unsigned int port, uint32_t v)
{
	hvt_outl(port, v);
}

static void puts_raw(uint64_t data, uint64_t len)
{
	volatile struct { uint64_t data, len; } a = { data, len };

	outl(0x502, (uint32_t)(uintptr_t)&a);
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
		outl(0x502, mem - 8);		/* 16-byte struct across the end */
	} else if (rt_word(c, "arg-high")) {
		outl(0x501, 0xfffffff0u);
	} else if (rt_word(c, "poll-oob")) {
		outl(0x503, mem - 4);
	} else if (rt_word(c, "halt-oob")) {
		outl(0x508, mem);
	} else if (rt_word(c, "cookie")) {
		hvt_halt(0, (void *)(uintptr_t)(mem - 256));
	} else if (rt_word(c, "port-byte")) {
		__asm__ __volatile__("outb %%al, %%dx" : : "a"(0), "d"(0x501));
	} else if (rt_word(c, "port-word")) {
		__asm__ __volatile__("outw %%ax, %%dx" : : "a"(0), "d"(0x501));
	} else if (rt_word(c, "port-in")) {
		uint32_t v;

		__asm__ __volatile__("inl %%dx, %%eax" : "=a"(v) : "d"(0x501));
		printf("in: 0x%x\n", v);
	} else if (rt_word(c, "port-low")) {
		outl(0x4ff, 0);
	} else if (rt_word(c, "port-high")) {
		outl(0x509, 0);
	} else if (rt_word(c, "ring-kick")) {
		outl(0x600, 0);
	} else if (rt_word(c, "hc-zero")) {
		outl(0x500, 0);
	} else if (rt_word(c, "hc-block")) {
		outl(0x504, 0x10000);
	} else if (rt_word(c, "hc-net")) {
		outl(0x507, 0x10000);
	} else if (rt_word(c, "hlt")) {
		__asm__ __volatile__("hlt");
	} else if (rt_word(c, "triple")) {
		static const struct { uint16_t limit; uint64_t base; }
			__attribute__((packed)) no_idt = { 0, 0 };

		__asm__ __volatile__("lidt %0\n\tint3" : : "m"(no_idt));
	} else {
		printf("hostile: unknown case\n");
		return 2;
	}
	printf("FAILURE: the tender let case '%s' pass\n", c);
	return 1;
}

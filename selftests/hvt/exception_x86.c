// SPDX-License-Identifier: GPL-2.0
/*
 * exception [ud|de|bp|gp|int|ro]: a guest exception, taken by the guest's
 * own IDT (the runtime's handler prints "Solo5: trap" and aborts: 255).
 *   ud  ud2 (default)       de  divide by zero     bp  int3
 *   gp  non-canonical load  int software int $40   ro  write to the
 *                                                      read-only boot info page
 */
#include "rt.h"

HVT_MANIFEST(0);

int test_main(const char *cmdline)
{
	printf("\n**** hvt test exception ****\n\n");
	if (rt_word(cmdline, "de")) {
		unsigned int q, zero = 0;

		__asm__ __volatile__("divl %2" : "=a"(q) : "a"(1), "c"(zero), "d"(0));
		printf("%u\n", q);
	} else if (rt_word(cmdline, "bp")) {
		__asm__ __volatile__("int3");
	} else if (rt_word(cmdline, "gp")) {
		volatile uint64_t *p = (volatile uint64_t *)0x8000000000000000ull;

		printf("%lx\n", *p);
	} else if (rt_word(cmdline, "int")) {
		__asm__ __volatile__("int $40");
	} else if (rt_word(cmdline, "ro")) {
		*(volatile uint64_t *)boot_info = 0;
	} else {
		__asm__ __volatile__("ud2");
	}
	printf("FAILURE: no exception\n");
	return 1;
}

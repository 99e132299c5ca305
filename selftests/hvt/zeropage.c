// SPDX-License-Identifier: GPL-2.0
/*
 * zeropage [write]: a load from (or a store to) address 0 faults in the
 * guest (the zero page is not mapped) and the guest's IDT catches it.
 */
#include "rt.h"

HVT_MANIFEST(0);

int test_main(const char *cmdline)
{
	volatile uint64_t *zero = (volatile uint64_t *)0;

	printf("\n**** hvt test zeropage ****\n\n");
	__asm__ __volatile__("" : "+r"(zero));	/* not a known NULL */
	if (rt_word(cmdline, "write"))
		*zero = 1;
	else
		printf("%lx\n", *zero);
	printf("FAILURE: no page fault\n");
	return 1;
}

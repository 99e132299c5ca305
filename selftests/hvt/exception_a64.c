// SPDX-License-Identifier: GPL-2.0
/*
 * exception (aarch64) [ud|bp|svc|va|ro]: a guest exception, taken by the
 * guest's own vectors (VBAR_EL1; the runtime's handler prints "Solo5:
 * trap" and aborts: 255).
 *   ud   UDF (default)          bp  BRK            svc  SVC
 *   va   load from a VA outside both translation ranges (a translation
 *        fault at level 0: x86's non-canonical #GP)
 *   ro   write to the read-only boot info page (a permission fault)
 */
#include "rt.h"

HVT_MANIFEST(0);

int test_main(const char *cmdline)
{
	printf("\n**** hvt test exception ****\n\n");
	if (rt_word(cmdline, "bp")) {
		__asm__ __volatile__("brk #0");
	} else if (rt_word(cmdline, "svc")) {
		__asm__ __volatile__("svc #0");
	} else if (rt_word(cmdline, "va")) {
		volatile uint64_t *p = (volatile uint64_t *)0x1000000000000ull;

		printf("%lx\n", *p);
	} else if (rt_word(cmdline, "ro")) {
		*(volatile uint64_t *)boot_info = 0;
	} else {
		__asm__ __volatile__("udf #0");
	}
	printf("FAILURE: no exception\n");
	return 1;
}

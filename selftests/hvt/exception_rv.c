// SPDX-License-Identifier: GPL-2.0
/*
 * exception (riscv64) [ud|bp|va|ro]: a guest exception, taken by the
 * guest's own handler (stvec; the runtime's handler prints "Solo5: trap"
 * and aborts: 255).
 *   ud   unimp, an illegal instruction (default)    bp  ebreak
 *   va   load from a VA outside Sv39's range (a load page fault: x86's
 *        non-canonical #GP)
 *   ro   write to the read-only boot info page (a store page fault)
 */
#include "rt.h"

HVT_MANIFEST(0);

int test_main(const char *cmdline)
{
	printf("\n**** hvt test exception ****\n\n");
	if (rt_word(cmdline, "bp")) {
		__asm__ __volatile__("ebreak");
	} else if (rt_word(cmdline, "va")) {
		volatile uint64_t *p = (volatile uint64_t *)0x1000000000000ull;

		printf("%lx\n", *p);
	} else if (rt_word(cmdline, "ro")) {
		*(volatile uint64_t *)boot_info = 0;
	} else {
		__asm__ __volatile__("unimp");
	}
	printf("FAILURE: no exception\n");
	return 1;
}

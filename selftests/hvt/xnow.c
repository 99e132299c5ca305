// SPDX-License-Identifier: GPL-2.0
/*
 * xnow [rodata]: a write to the unikernel's own text (or rodata).  The
 * guest page tables allow it, the host mapped it PROT_READ: KVM_RUN fails
 * with EFAULT and the tender exits 1 ("host/guest translation fault").
 */
#include "rt.h"

HVT_MANIFEST(0);

static const uint32_t ro_word = 0x12345678;

int test_main(const char *cmdline)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)test_main;

	printf("\n**** hvt test xnow ****\n\n");
	if (rt_word(cmdline, "rodata"))
		p = (volatile uint8_t *)(uintptr_t)&ro_word;
	printf("xnow: writing to %p (holding 0x%x)\n", p, *(volatile uint32_t *)p);
	__asm__ __volatile__("" : "+r"(p));
	*p = 0xc3;
	printf("FAILURE: write to read-only memory at %p succeeded\n", p);
	return 1;
}

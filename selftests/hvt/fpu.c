// SPDX-License-Identifier: GPL-2.0
/*
 * fpu: the architecture's floating-point arithmetic works, and its
 * FP/SIMD register state survives an exit to the host (fpu_ARCH.c loads
 * every vector register, issues a PUTS hypercall, stores them again).
 */
#include "rt.h"
#include "fpu.h"

HVT_MANIFEST(0);

/* The N 16-byte vector registers REG0..REGn-1 as loaded and as read back. */
int fpu_compare(const uint8_t (*in)[16], const uint8_t (*out)[16], int n,
		const char *reg)
{
	int i, bad = 0;

	for (i = 0; i < n; i++)
		if (memcmp(in[i], out[i], 16)) {
			printf("fpu: %s%d changed across the exit\n", reg, i);
			bad = 1;
		}
	return bad ? -1 : 0;
}

int test_main(const char *cmdline)
{
	int r;

	(void)cmdline;
	printf("\n**** hvt test fpu ****\n\n");
	if ((r = fpu_math())) {
		printf("FAILURE: %s arithmetic (%d)\n", FPU_NAME, r);
		return 1;
	}
	if ((r = fpu_state_survives_exit())) {
		printf("FAILURE: %s state across an exit (%d)\n", FPU_NAME, r);
		return 1;
	}
	printf("SUCCESS\n");
	return 0;
}

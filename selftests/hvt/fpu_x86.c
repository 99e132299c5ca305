// SPDX-License-Identifier: GPL-2.0
/*
 * fpu: SSE and x87 arithmetic, and the SSE/x87 register state survives an
 * exit to the host (a PUTS hypercall issued between loading and storing
 * all 16 xmm registers).
 */
#include "rt.h"
#include "fpu.h"

static int sse_math(void)
{
	float a[4] __attribute__((aligned(16))) = { 1.5f, 2.0f, 3.0f, 4.0f };
	float b[4] __attribute__((aligned(16))) = { 2.0f, 0.5f, 7.0f, -1.0f };
	float c[4] __attribute__((aligned(16)));
	double x = 2.0, y;

	__asm__ __volatile__("movaps %1, %%xmm0\n\t"
			     "mulps %2, %%xmm0\n\t"
			     "addps %2, %%xmm0\n\t"
			     "movaps %%xmm0, %0"
			     : "=m"(c) : "m"(a), "m"(b) : "xmm0");
	/* a*b + b = { 5, 1.5, 28, -5 } */
	if (c[0] != 5.0f || c[1] != 1.5f || c[2] != 28.0f || c[3] != -5.0f)
		return -1;
	__asm__ __volatile__("sqrtsd %1, %0" : "=x"(y) : "x"(x));
	if (y * y < 1.9999999 || y * y > 2.0000001)
		return -2;
	return 0;
}

static int x87_math(void)
{
	long double r;

	__asm__ __volatile__("fldpi\n\tfld1\n\tfaddp\n\t" : "=t"(r));
	/* pi + 1 */
	if (r < 4.14159 || r > 4.1416)
		return -1;
	return 0;
}

int fpu_state_survives_exit(void)
{
	static uint8_t in[16][16] __attribute__((aligned(16)));
	static uint8_t out[16][16] __attribute__((aligned(16)));
	static const char msg[] = "fpu: xmm0-15 loaded, exiting to the host\n";
	volatile struct { uint64_t data, len; } arg = {
		(uintptr_t)msg, sizeof(msg) - 1
	};
	uint16_t cw_in = 0x027f, cw_out = 0;	/* x87: round-to-nearest, 53-bit */
	uint32_t mxcsr_in = 0x1fa0, mxcsr_out = 0, mxcsr_saved;	/* + flush to zero bits */
	int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			in[i][j] = (uint8_t)(i * 16 + j + 1);
	__asm__ __volatile__("stmxcsr %0" : "=m"(mxcsr_saved));
	__asm__ __volatile__(
		"fldcw %[cw]\n\t"
		"ldmxcsr %[mx]\n\t"
		"movaps 0x00(%[in]), %%xmm0\n\t"  "movaps 0x10(%[in]), %%xmm1\n\t"
		"movaps 0x20(%[in]), %%xmm2\n\t"  "movaps 0x30(%[in]), %%xmm3\n\t"
		"movaps 0x40(%[in]), %%xmm4\n\t"  "movaps 0x50(%[in]), %%xmm5\n\t"
		"movaps 0x60(%[in]), %%xmm6\n\t"  "movaps 0x70(%[in]), %%xmm7\n\t"
		"movaps 0x80(%[in]), %%xmm8\n\t"  "movaps 0x90(%[in]), %%xmm9\n\t"
		"movaps 0xa0(%[in]), %%xmm10\n\t" "movaps 0xb0(%[in]), %%xmm11\n\t"
		"movaps 0xc0(%[in]), %%xmm12\n\t" "movaps 0xd0(%[in]), %%xmm13\n\t"
		"movaps 0xe0(%[in]), %%xmm14\n\t" "movaps 0xf0(%[in]), %%xmm15\n\t"
		"outl %%eax, %%dx\n\t"
		"movaps %%xmm0, 0x00(%[out])\n\t"  "movaps %%xmm1, 0x10(%[out])\n\t"
		"movaps %%xmm2, 0x20(%[out])\n\t"  "movaps %%xmm3, 0x30(%[out])\n\t"
		"movaps %%xmm4, 0x40(%[out])\n\t"  "movaps %%xmm5, 0x50(%[out])\n\t"
		"movaps %%xmm6, 0x60(%[out])\n\t"  "movaps %%xmm7, 0x70(%[out])\n\t"
		"movaps %%xmm8, 0x80(%[out])\n\t"  "movaps %%xmm9, 0x90(%[out])\n\t"
		"movaps %%xmm10, 0xa0(%[out])\n\t" "movaps %%xmm11, 0xb0(%[out])\n\t"
		"movaps %%xmm12, 0xc0(%[out])\n\t" "movaps %%xmm13, 0xd0(%[out])\n\t"
		"movaps %%xmm14, 0xe0(%[out])\n\t" "movaps %%xmm15, 0xf0(%[out])\n\t"
		"fnstcw %[cwo]\n\t"
		"stmxcsr %[mxo]\n\t"
		: [cwo] "=m"(cw_out), [mxo] "=m"(mxcsr_out)
		: [in] "r"(in), [out] "r"(out), [cw] "m"(cw_in),
		  [mx] "m"(mxcsr_in), "a"((uint32_t)(uintptr_t)&arg),
		  "d"(0x502)
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		  "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		  "xmm13", "xmm14", "xmm15");
	__asm__ __volatile__("ldmxcsr %0" : : "m"(mxcsr_saved));
	if (fpu_compare(in, out, 16, "xmm"))
		return -1;
	if (cw_out != cw_in || mxcsr_out != mxcsr_in) {
		printf("fpu: fcw 0x%x -> 0x%x, mxcsr 0x%x -> 0x%x across the exit\n",
		       cw_in, cw_out, mxcsr_in, mxcsr_out);
		return -2;
	}
	return 0;
}

int fpu_math(void)
{
	int r = sse_math();

	if (r)
		return r;
	return x87_math() ? 10 : 0;	/* 10: the x87 check */
}

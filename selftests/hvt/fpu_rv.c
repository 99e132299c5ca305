// SPDX-License-Identifier: GPL-2.0
/*
 * fpu (riscv64): F/D arithmetic, and the FP register state (f0-f31,
 * fcsr) survives an exit to the host (a PUTS hypercall issued between
 * loading and storing all 32 FP registers).
 */
#include "rt.h"
#include "fpu.h"

int fpu_math(void)
{
	volatile float fa = 1.5f, fb = 2.0f;
	volatile double x = 2.0, a = 3.0, b = -0.25;
	float fc;
	double c, y;

	__asm__ __volatile__("fmadd.s %0, %1, %2, %2"
			     : "=f"(fc) : "f"(fa), "f"(fb));
	if (fc != 5.0f)		/* 1.5 * 2 + 2 */
		return -1;
	c = a * b + a;		/* 2.25 */
	if (c != 2.25)
		return -2;
	__asm__ __volatile__("fsqrt.d %0, %1" : "=f"(y) : "f"(x));
	if (y * y < 1.9999999 || y * y > 2.0000001)
		return -3;
	return 0;
}

int fpu_state_survives_exit(void)
{
	/* 16-byte rows for fpu_compare(): f registers fill the first 8 */
	static uint8_t in[32][16] __attribute__((aligned(16)));
	static uint8_t out[32][16] __attribute__((aligned(16)));
	static const char msg[] = "fpu: f0-f31 loaded, exiting to the host\n";
	volatile struct hvt_hc_puts arg = { (uintptr_t)msg, sizeof(msg) - 1 };
	/* fcsr: frm = round towards zero (1), fflags = NV | NX */
	uint64_t fcsr_in = (1u << 5) | 0x10 | 0x01, fcsr_out, fcsr_saved;
	int i, j;

	for (i = 0; i < 32; i++)
		for (j = 0; j < 8; j++)
			in[i][j] = (uint8_t)(i * 16 + j + 1);
	__asm__ __volatile__("frcsr %0" : "=r"(fcsr_saved));
	__asm__ __volatile__(
		"fscsr %[fcsr]\n\t"
		".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
		"fld f\\n, 16*\\n(%[in])\n\t"
		".endr\n\t"
		"sw %[arg], 0(%[hc])\n\t"
		".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
		"fsd f\\n, 16*\\n(%[out])\n\t"
		".endr\n\t"
		"frcsr %[fcsro]\n\t"
		: [fcsro] "=&r"(fcsr_out)
		: [in] "r"(in), [out] "r"(out), [fcsr] "r"(fcsr_in),
		  [arg] "r"((uint32_t)(uintptr_t)&arg),
		  [hc] "r"(HVT_MMIO_ADDR(HVT_HC_PUTS))
		: "memory", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7",
		  "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15",
		  "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23",
		  "f24", "f25", "f26", "f27", "f28", "f29", "f30", "f31");
	__asm__ __volatile__("fscsr %0" : : "r"(fcsr_saved));
	if (fpu_compare(in, out, 32, "f"))
		return -1;
	if (fcsr_out != fcsr_in) {
		printf("fpu: fcsr 0x%lx -> 0x%lx across the exit\n",
		       fcsr_in, fcsr_out);
		return -2;
	}
	return 0;
}

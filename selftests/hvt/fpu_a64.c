// SPDX-License-Identifier: GPL-2.0
/*
 * fpu (aarch64): FP/SIMD arithmetic, and the FP/SIMD register state
 * (v0-v31, FPCR, FPSR) survives an exit to the host (a PUTS hypercall
 * issued between loading and storing all 32 vector registers).
 */
#include "rt.h"
#include "fpu.h"

int fpu_math(void)
{
	float a[4] __attribute__((aligned(16))) = { 1.5f, 2.0f, 3.0f, 4.0f };
	float b[4] __attribute__((aligned(16))) = { 2.0f, 0.5f, 7.0f, -1.0f };
	float c[4] __attribute__((aligned(16)));
	double x = 2.0, y;

	__asm__ __volatile__("ld1 {v0.4s}, [%1]\n\t"
			     "ld1 {v1.4s}, [%2]\n\t"
			     "fmul v0.4s, v0.4s, v1.4s\n\t"
			     "fadd v0.4s, v0.4s, v1.4s\n\t"
			     "st1 {v0.4s}, [%0]"
			     : : "r"(c), "r"(a), "r"(b) : "v0", "v1", "memory");
	/* a*b + b = { 5, 1.5, 28, -5 } */
	if (c[0] != 5.0f || c[1] != 1.5f || c[2] != 28.0f || c[3] != -5.0f)
		return -1;
	__asm__ __volatile__("fsqrt %d0, %d1" : "=w"(y) : "w"(x));
	if (y * y < 1.9999999 || y * y > 2.0000001)
		return -2;
	return 0;
}

int fpu_state_survives_exit(void)
{
	static uint8_t in[32][16] __attribute__((aligned(16)));
	static uint8_t out[32][16] __attribute__((aligned(16)));
	static const char msg[] = "fpu: v0-v31 loaded, exiting to the host\n";
	volatile struct hvt_hc_puts arg = { (uintptr_t)msg, sizeof(msg) - 1 };
	/* FPCR: round towards zero, flush-to-zero; FPSR: IOC, IXC, QC */
	uint64_t fpcr_in = (3ull << 22) | (1ull << 24), fpcr_out, fpcr_saved;
	uint64_t fpsr_in = (1ull << 0) | (1ull << 4) | (1ull << 27), fpsr_out;
	uint8_t *pi = &in[0][0], *po = &out[0][0];
	int i, j;

	for (i = 0; i < 32; i++)
		for (j = 0; j < 16; j++)
			in[i][j] = (uint8_t)(i * 16 + j + 1);
	__asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr_saved));
	__asm__ __volatile__(
		"msr fpcr, %[fpcr]\n\t"
		"msr fpsr, %[fpsr]\n\t"
		"ld1 {v0.16b-v3.16b}, [%[in]], #64\n\t"
		"ld1 {v4.16b-v7.16b}, [%[in]], #64\n\t"
		"ld1 {v8.16b-v11.16b}, [%[in]], #64\n\t"
		"ld1 {v12.16b-v15.16b}, [%[in]], #64\n\t"
		"ld1 {v16.16b-v19.16b}, [%[in]], #64\n\t"
		"ld1 {v20.16b-v23.16b}, [%[in]], #64\n\t"
		"ld1 {v24.16b-v27.16b}, [%[in]], #64\n\t"
		"ld1 {v28.16b-v31.16b}, [%[in]], #64\n\t"
		"str %w[arg], [%[hc]]\n\t"
		"st1 {v0.16b-v3.16b}, [%[out]], #64\n\t"
		"st1 {v4.16b-v7.16b}, [%[out]], #64\n\t"
		"st1 {v8.16b-v11.16b}, [%[out]], #64\n\t"
		"st1 {v12.16b-v15.16b}, [%[out]], #64\n\t"
		"st1 {v16.16b-v19.16b}, [%[out]], #64\n\t"
		"st1 {v20.16b-v23.16b}, [%[out]], #64\n\t"
		"st1 {v24.16b-v27.16b}, [%[out]], #64\n\t"
		"st1 {v28.16b-v31.16b}, [%[out]], #64\n\t"
		"mrs %[fpcro], fpcr\n\t"
		"mrs %[fpsro], fpsr\n\t"
		: [in] "+r"(pi), [out] "+r"(po), [fpcro] "=&r"(fpcr_out),
		  [fpsro] "=&r"(fpsr_out)
		: [fpcr] "r"(fpcr_in), [fpsr] "r"(fpsr_in),
		  [arg] "r"((uint32_t)(uintptr_t)&arg),
		  [hc] "r"(HVT_MMIO_ADDR(HVT_HC_PUTS))
		: "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7",
		  "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",
		  "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23",
		  "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
	__asm__ __volatile__("msr fpcr, %0\n\tmsr fpsr, xzr" : : "r"(fpcr_saved));
	if (fpu_compare(in, out, 32, "v"))
		return -1;
	if (fpcr_out != fpcr_in || fpsr_out != fpsr_in) {
		printf("fpu: fpcr 0x%lx -> 0x%lx, fpsr 0x%lx -> 0x%lx across the exit\n",
		       fpcr_in, fpcr_out, fpsr_in, fpsr_out);
		return -2;
	}
	return 0;
}

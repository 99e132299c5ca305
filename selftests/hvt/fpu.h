/* SPDX-License-Identifier: GPL-2.0 */
/* fpu: what fpu_ARCH.c provides to the shared fpu.c. */
#ifndef HVT_TEST_FPU_H
#define HVT_TEST_FPU_H

#include <stdint.h>

#if defined(__x86_64__)
#define FPU_NAME	"SSE/x87"
#elif defined(__riscv)
#define FPU_NAME	"F/D"
#else
#define FPU_NAME	"FP/SIMD"
#endif

/* 0 if the arithmetic gave the right results, else which check failed */
int fpu_math(void);
/* 0 if every FP/SIMD register kept its value across a hypercall exit */
int fpu_state_survives_exit(void);
/* shared: compares N vector registers, naming each one that changed */
int fpu_compare(const uint8_t (*in)[16], const uint8_t (*out)[16], int n,
		const char *reg);

#endif

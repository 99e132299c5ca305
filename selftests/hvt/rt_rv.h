/* SPDX-License-Identifier: GPL-2.0 */
/* rt_rv.h: riscv64 helpers of the hvt test runtime (included by rt.h). */
#ifndef HVT_RT_RV_H
#define HVT_RT_RV_H

/* the cycle counter at boot_info->cpu_cycle_freq: the time CSR */
static inline uint64_t rt_cycles(void)
{
	uint64_t v;

	__asm__ __volatile__("rdtime %0" : "=r"(v) : : "memory");
	return v;
}

/* the TLS base register (as x86_64's FS base): tp */
static inline uint64_t rt_tp(void)
{
	uint64_t v;

	__asm__ __volatile__("mv %0, tp" : "=r"(v));
	return v;
}

static inline void rt_set_tp(uint64_t v)
{
	__asm__ __volatile__("mv tp, %0" : : "r"(v) : "memory");
}

#endif /* HVT_RT_RV_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* rt_a64.h: aarch64 helpers of the hvt test runtime (included by rt.h). */
#ifndef HVT_RT_A64_H
#define HVT_RT_A64_H

/* the cycle counter at boot_info->cpu_cycle_freq: the virtual counter */
static inline uint64_t rt_cycles(void)
{
	uint64_t v;

	/* ISB: not read ahead of the code before it */
	__asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

/* the TLS base register (as x86_64's FS base) */
static inline uint64_t rt_tpidr_el0(void)
{
	uint64_t v;

	__asm__ __volatile__("mrs %0, tpidr_el0" : "=r"(v));
	return v;
}

static inline void rt_set_tpidr_el0(uint64_t v)
{
	__asm__ __volatile__("msr tpidr_el0, %0" : : "r"(v) : "memory");
}

#endif /* HVT_RT_A64_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* rt_x86.h: x86_64 helpers of the hvt test runtime (included by rt.h). */
#ifndef HVT_RT_X86_H
#define HVT_RT_X86_H

/* any port: the hostile test's bad hypercalls */
void hvt_outl(unsigned int port, uint32_t value);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* the cycle counter at boot_info->cpu_cycle_freq: the TSC */
static inline uint64_t rt_cycles(void)
{
	return rdtsc();
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

#define MSR_FS_BASE	0xc0000100

#endif /* HVT_RT_X86_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * time: the wall clock (WALLTIME) and the cycle counter (x86_64: TSC,
 * aarch64: CNTVCT_EL0) advance together at the rate the tender reports
 * (boot_info.cpu_cycle_freq): over ~1 s of counter spinning
 * and over a 1 s POLL sleep.  Tolerance is wide: the boxes are emulators.
 */
#include "rt.h"

HVT_MANIFEST(0);

#define NSEC 1000000000ull

/* elapsed wall ns vs counter-derived ns: within 30% of each other */
static int compare(const char *what, uint64_t wall_ns, uint64_t cycles)
{
	uint64_t freq = boot_info->cpu_cycle_freq;
	uint64_t tsc_ns = cycles / (freq / 1000000) * 1000;

	printf("time: %s: wall %lu us, counter %lu us (%lu cycles at %lu Hz)\n",
	       what, wall_ns / 1000, tsc_ns / 1000, cycles, freq);
	if (tsc_ns * 10 < wall_ns * 7) {
		printf("FAILURE: %s: cycle counter slower than reported (slept too much)\n",
		       what);
		return -1;
	}
	if (tsc_ns * 7 > wall_ns * 10) {
		printf("FAILURE: %s: cycle counter faster than reported (slept too little)\n",
		       what);
		return -1;
	}
	return 0;
}

int test_main(const char *cmdline)
{
	uint64_t freq = boot_info->cpu_cycle_freq, w0, w1, c0, c1;
	int r;

	(void)cmdline;
	printf("\n**** hvt test time ****\n\n");
	if (freq < 1000000) {
		printf("FAILURE: cpu_cycle_freq %lu Hz\n", freq);
		return 1;
	}

	/* 1. spin for one second of counter cycles */
	w0 = hvt_walltime();
	c0 = rt_cycles();
	do
		c1 = rt_cycles();
	while (c1 - c0 < freq);
	w1 = hvt_walltime();
	if (w1 <= w0) {
		printf("FAILURE: walltime did not advance\n");
		return 1;
	}
	if (compare("spin", w1 - w0, c1 - c0))
		return 1;

	/* 2. sleep one second in POLL */
	w0 = hvt_walltime();
	c0 = rt_cycles();
	r = hvt_poll(NSEC, NULL);
	c1 = rt_cycles();
	w1 = hvt_walltime();
	if (r != 0) {
		printf("FAILURE: poll returned %d without devices\n", r);
		return 1;
	}
	if (w1 - w0 < NSEC - NSEC / 100) {
		printf("FAILURE: poll: slept too little (%lu ns)\n", w1 - w0);
		return 1;
	}
	if (compare("poll", w1 - w0, c1 - c0))
		return 1;
	printf("SUCCESS\n");
	return 0;
}

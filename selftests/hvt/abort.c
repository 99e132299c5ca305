// SPDX-License-Identifier: GPL-2.0
/* abort: the guest aborts itself: exit status 255. */
#include "rt.h"

HVT_MANIFEST(0);

int test_main(const char *cmdline)
{
	(void)cmdline;
	printf("\n**** hvt test abort ****\n\n");
	rt_abort("test_abort called");
}

// SPDX-License-Identifier: GPL-2.0
/* quiet: run with --solo5:quiet, nothing "Solo5:" may be printed. */
#include "rt.h"

HVT_MANIFEST(0);

int test_main(const char *cmdline)
{
	(void)cmdline;
	printf("\n**** hvt test quiet ****\n\n");
	if (!rt_quiet) {
		printf("FAILURE: --solo5:quiet not seen\n");
		return 1;
	}
	printf("SUCCESS\n");
	return 0;
}

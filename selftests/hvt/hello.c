// SPDX-License-Identifier: GPL-2.0
/* hello: prints its command line (what the tender passed after KERNEL). */
#include "rt.h"

HVT_MANIFEST(0);

int test_main(const char *cmdline)
{
	printf("\n**** hvt test hello ****\n\n");
	printf("Hello, World\nCommand line is: '%s'\n", cmdline);
	printf("SUCCESS\n");
	return 0;
}

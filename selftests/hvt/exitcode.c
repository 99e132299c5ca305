// SPDX-License-Identifier: GPL-2.0
/* exitcode N: halts with status N (hvctl's exit code). */
#include "rt.h"

HVT_MANIFEST(0);

int test_main(const char *cmdline)
{
	return (int)rt_atoul(cmdline);
}

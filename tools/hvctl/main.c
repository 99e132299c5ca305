// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the hvmod VMM and admin tool.
 */
#include <stdio.h>
#include <string.h>
#include "hvctl.h"

#ifndef HVCTL_VERSION
#define HVCTL_VERSION "unknown"
#endif

const char *hvctl_prog = "hvctl";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s COMMAND [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  info [--json] [--device PATH]   module state, device limits, features, counts\n"
		"                                  and KVM capabilities\n"
		"  run --mode hvt [--device PATH] [OPTIONS] [--] UNIKERNEL [ARGS...]\n"
		"                                  run a Solo5 hvt unikernel (see `run --help`)\n"
		"\n"
		"  %s --help | --version\n",
		hvctl_prog, hvctl_prog);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hvctl %s\n", HVCTL_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "info"))
		return hvctl_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return hvctl_run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s' (try --help)\n", hvctl_prog,
		argv[1]);
	return 1;
}

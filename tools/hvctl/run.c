// SPDX-License-Identifier: GPL-2.0
/*
 * run.c: `hvctl run --mode MODE [--device PATH] ...`: takes hvctl's own
 * options (--mode, --device) out of the options that precede the guest
 * and hands the rest to the mode.  Modes: hvt (Solo5 unikernels), type1
 * (a Linux x86 guest on emulated PC devices).
 */
#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hvctl.h"
#include "hvt.h"
#include "t1.h"

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: %s run --mode MODE [--device PATH] [MODE OPTIONS] [--] GUEST [ARGS...]\n"
		"\n"
		"modes:\n"
		"  hvt     a Solo5 hvt (ABI 2) unikernel, with solo5-hvt's options:\n"
		"          [--mem=MB] [--block:NAME=PATH] [--block-sector-size:NAME=N]\n"
		"          [--net:NAME=IFACE] [--net-mac:NAME=MAC] [--solo5:OPTION]\n"
		"          (`%s run --mode hvt --help` for details)\n"
		"  type1   a Linux x86 kernel on emulated PC devices:\n"
		"          --kernel BZIMAGE [--initrd FILE] [--append CMDLINE] [--mem=MB]\n"
		"          (`%s run --mode type1 --help` for details)\n"
		"  virtio  type1 plus virtio-mmio console, block and net devices:\n"
		"          [--disk PATH[,ro]] [--net IFACE] [--no-console]\n"
		"          (`%s run --mode virtio --help` for details)\n"
		"\n"
		"--device PATH  the KVM-ABI device (default %s; /dev/kvm works too)\n",
		hvctl_prog, hvctl_prog, hvctl_prog, hvctl_prog, HVCTL_DEFAULT_DEVICE);
}

/*
 * "--NAME VALUE" or "--NAME=VALUE" at ARGV[*I]: the value (advancing *I
 * past a separate VALUE), or NULL.  WHO prefixes the error for a missing
 * VALUE.
 */
const char *hvctl_opt_value(int argc, char **argv, int *i, const char *name,
			    const char *who)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		errx(1, "%s: option %s needs an argument", who, name);
	return argv[++*i];
}

/* MODE exists, but not in this build. */
static __attribute__((unused)) int mode_missing(const char *mode, char **rest,
						const char *where)
{
	warnx("run: mode '%s' is not in this build (%s)", mode, where);
	free(rest);
	return 1;
}

int hvctl_run(int argc, char **argv)
{
	const char *mode = NULL, *device = HVCTL_DEFAULT_DEVICE, *v;
	bool opts = true, help = false;
	char **rest;
	int i, n = 0;

	rest = calloc(argc + 1, sizeof(*rest));
	if (!rest)
		err(1, "out of memory");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && (a[0] != '-' || !strcmp(a, "--")))
			opts = false;
		if (opts && (v = hvctl_opt_value(argc, argv, &i, "--mode", "run"))) {
			mode = v;
			continue;
		}
		if (opts && (v = hvctl_opt_value(argc, argv, &i, "--device", "run"))) {
			if (!*v)
				errx(1, "run: --device needs a path");
			device = v;
			continue;
		}
		if (opts && (!strcmp(a, "--help") || !strcmp(a, "-h")))
			help = true;
		rest[n++] = argv[i];
	}

	if (!mode) {
		if (help) {
			run_usage(stdout);
			return 0;
		}
		warnx("run: missing --mode (available: hvt, type1, virtio)");
		run_usage(stderr);
		return 1;
	}
	(void)device;	/* unused in a build without hvt and type1 */
	if (!strcmp(mode, "hvt")) {
#ifdef HVCTL_HVT
		return hvt_main(n, rest, device);
#else
		return mode_missing(mode, rest, "x86_64, aarch64 and riscv64 hosts only");
#endif
	}
	if (!strcmp(mode, "type1")) {
#ifdef HVCTL_TYPE1
		return t1_main(n, rest, device, false);
#else
		return mode_missing(mode, rest, "x86_64 hosts only");
#endif
	}
	if (!strcmp(mode, "virtio")) {
#ifdef HVCTL_TYPE1
		return t1_main(n, rest, device, true);
#else
		return mode_missing(mode, rest, "x86_64 hosts only");
#endif
	}
	warnx("run: unknown mode '%s' (available: hvt, type1, virtio)", mode);
	return 1;
}

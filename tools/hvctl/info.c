// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl info: module state (libkmod and /sys/module), the device's
 * HVMOD_GET_INFO, and what KVM_CHECK_EXTENSION reports.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#ifndef HVCTL_NO_KMOD
#include <libkmod.h>
#endif
#include <linux/kvm.h>
#include <linux/hvmod.h>
#include "hvctl.h"

#define MAX_PARAMS 16

struct mod_state {
	bool loaded;
	const char *state;	/* "live", "coming", "going", "builtin" */
	int refcount;
	char version[64];
	int nparams;
	char pname[MAX_PARAMS][256];
	char pval[MAX_PARAMS][128];
};

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void module_params(struct mod_state *ms)
{
	struct dirent *de;
	char path[600];
	DIR *d;

	read_line("/sys/module/hvmod/version", ms->version,
		  sizeof(ms->version));
	d = opendir("/sys/module/hvmod/parameters");
	while (d && (de = readdir(d)) && ms->nparams < MAX_PARAMS) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(ms->pname[ms->nparams], sizeof(ms->pname[0]), "%s",
			 de->d_name);
		snprintf(path, sizeof(path), "/sys/module/hvmod/parameters/%s",
			 de->d_name);
		read_line(path, ms->pval[ms->nparams], sizeof(ms->pval[0]));
		ms->nparams++;
	}
	if (d)
		closedir(d);
}

#ifndef HVCTL_NO_KMOD
static void module_state(struct mod_state *ms)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int st;

	memset(ms, 0, sizeof(*ms));
	ctx = kmod_new(NULL, NULL);
	if (!ctx || kmod_module_new_from_name(ctx, "hvmod", &mod) < 0)
		goto out;
	st = kmod_module_get_initstate(mod);
	if (st < 0)
		goto out;
	ms->loaded = true;
	ms->state = kmod_module_initstate_str(st);
	ms->refcount = kmod_module_get_refcnt(mod);
	module_params(ms);
out:
	if (mod)
		kmod_module_unref(mod);
	if (ctx)
		kmod_unref(ctx);
}
#else
/*
 * Built without libkmod (make NO_KMOD=1, e.g. the arm64 cross build):
 * whether hvmod is loaded comes from /sys/module, its state and
 * reference count are not reported.
 */
static void module_state(struct mod_state *ms)
{
	memset(ms, 0, sizeof(*ms));
	ms->refcount = -1;
	if (access("/sys/module/hvmod", F_OK))
		return;
	ms->loaded = true;
	ms->state = "unavailable (hvctl built without libkmod)";
	module_params(ms);
}
#endif

static void feature_names(__u64 f, char *buf, size_t len)
{
	static const char *const names[] = {
		"stage2", "huge-2m", "huge-1g", "tagged-tlb", "run",
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & (1ULL << i))
			n += snprintf(buf + n, len - n, "%s%s", n ? " " : "",
				      names[i]);
}

static void print_human(const struct mod_state *ms, const char *dev,
			int api, const struct hvmod_info *hi, const long *caps)
{
	char feats[128];
	unsigned int i;
	int p;

	printf("module hvmod: %s, version %s", ms->state,
	       ms->version[0] ? ms->version : "?");
	if (ms->refcount >= 0)
		printf(", refcount %d", ms->refcount);
	printf("\n");
	for (p = 0; p < ms->nparams; p++)
		printf("  parameter %s = %s\n", ms->pname[p], ms->pval[p]);
	printf("device %s: KVM API version %d\n", dev, api);
	if (hi) {
		feature_names(hi->features, feats, sizeof(feats));
		printf("  backend: %s (hvmod ABI %u, module version %s)\n",
		       hi->backend, hi->abi_version, hi->version);
		printf("  limits: %u VMs, %u vCPUs/VM, %u slots/VM, %u-bit guest physical, %llu GiB/VM\n",
		       hi->max_vms, hi->max_vcpus, hi->max_slots,
		       hi->max_gpa_bits,
		       (unsigned long long)(hi->max_vm_mem >> 30));
		printf("  features: %s\n", feats[0] ? feats : "(none)");
		printf("  in use: %llu VMs, %llu vCPUs, %llu pinned pages, %llu stage-2 pages, %llu control pages, %llu CPUs enabled\n",
		       (unsigned long long)hi->counts.vms,
		       (unsigned long long)hi->counts.vcpus,
		       (unsigned long long)hi->counts.pinned_pages,
		       (unsigned long long)hi->counts.s2_pages,
		       (unsigned long long)hi->counts.ctl_pages,
		       (unsigned long long)hi->counts.cpus_enabled);
	} else {
		printf("  not an hvmod device (HVMOD_GET_INFO unsupported): KVM?\n");
	}
	printf("capabilities (KVM_CHECK_EXTENSION):\n");
	for (i = 0; i < hvctl_nr_caps; i++)
		printf("  %-40s %ld\n", hvctl_caps[i].name, caps[i]);
}

static void json_str(const char *key, const char *val, bool comma, int ind)
{
	const char *c;

	printf("%*s\"%s\": \"", ind, "", key);
	for (c = val; *c; c++) {
		if (*c == '"' || *c == '\\')
			putchar('\\');
		if ((unsigned char)*c >= 0x20)
			putchar(*c);
	}
	printf("\"%s\n", comma ? "," : "");
}

static void json_num(const char *key, unsigned long long v, bool comma,
		     int ind)
{
	printf("%*s\"%s\": %llu%s\n", ind, "", key, v, comma ? "," : "");
}

static void print_json(const struct mod_state *ms, const char *dev, int api,
		       const struct hvmod_info *hi, const long *caps)
{
	static const char *const fnames[] = {
		"stage2", "huge-2m", "huge-1g", "tagged-tlb", "run",
	};
	unsigned int i, n = 0;
	int p;

	printf("{\n  \"module\": {\n");
	json_str("name", "hvmod", true, 4);
	printf("    \"loaded\": true,\n");
	json_str("state", ms->state, true, 4);
	json_str("version", ms->version, true, 4);
	if (ms->refcount >= 0)
		json_num("refcount", ms->refcount, true, 4);
	printf("    \"parameters\": {\n");
	for (p = 0; p < ms->nparams; p++)
		json_str(ms->pname[p], ms->pval[p], p + 1 < ms->nparams, 6);
	printf("    }\n  },\n  \"device\": {\n");
	json_str("path", dev, true, 4);
	json_num("api_version", api, !!hi, 4);
	if (hi) {
		json_num("abi_version", hi->abi_version, true, 4);
		json_str("backend", hi->backend, true, 4);
		json_str("version", hi->version, true, 4);
		printf("    \"limits\": {\n");
		json_num("max_vms", hi->max_vms, true, 6);
		json_num("max_vcpus", hi->max_vcpus, true, 6);
		json_num("max_slots", hi->max_slots, true, 6);
		json_num("max_gpa_bits", hi->max_gpa_bits, true, 6);
		json_num("max_vm_mem", hi->max_vm_mem, false, 6);
		printf("    },\n    \"features\": [");
		for (i = 0; i < sizeof(fnames) / sizeof(fnames[0]); i++)
			if (hi->features & (1ULL << i))
				printf("%s\"%s\"", n++ ? ", " : "", fnames[i]);
		printf("],\n    \"counts\": {\n");
		json_num("vms", hi->counts.vms, true, 6);
		json_num("vcpus", hi->counts.vcpus, true, 6);
		json_num("pinned_pages", hi->counts.pinned_pages, true, 6);
		json_num("s2_pages", hi->counts.s2_pages, true, 6);
		json_num("ctl_pages", hi->counts.ctl_pages, true, 6);
		json_num("cpus_enabled", hi->counts.cpus_enabled, false, 6);
		printf("    }\n");
	}
	printf("  },\n  \"capabilities\": {\n");
	for (i = 0; i < hvctl_nr_caps; i++)
		printf("    \"%s\": %ld%s\n", hvctl_caps[i].name, caps[i],
		       i + 1 < hvctl_nr_caps ? "," : "");
	printf("  }\n}\n");
}

int hvctl_info(int argc, char **argv)
{
	const char *dev = HVCTL_DEFAULT_DEVICE;
	long caps[64] = { 0 };
	struct hvmod_info hi;
	struct mod_state ms;
	bool json = false, have_info;
	int i, fd, api;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			dev = argv[++i];
		} else if (!strncmp(argv[i], "--device=", 9)) {
			dev = argv[i] + 9;
		} else {
			fprintf(stderr, "%s info: unknown option '%s'\n",
				hvctl_prog, argv[i]);
			return 1;
		}
	}

	module_state(&ms);
	if (!ms.loaded && !strcmp(dev, HVCTL_DEFAULT_DEVICE)) {
		fprintf(stderr, "hvmod is not loaded: run `sudo modprobe hvmod`\n");
		return 1;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "%s: cannot open %s: %s%s\n", hvctl_prog, dev,
			strerror(e), e == EACCES ?
			" (see README: udev rule and group for /dev/hvmod)" :
			e == ENOENT ? " (module loaded? udev running?)" : "");
		return 1;
	}
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	have_info = ioctl(fd, HVMOD_GET_INFO, &hi) == 0;
	if (hvctl_nr_caps > sizeof(caps) / sizeof(caps[0]))
		abort();
	for (i = 0; i < (int)hvctl_nr_caps; i++)
		caps[i] = ioctl(fd, KVM_CHECK_EXTENSION, hvctl_caps[i].nr);
	close(fd);

	if (!ms.loaded)
		ms.state = "not loaded";
	if (json)
		print_json(&ms, dev, api, have_info ? &hi : NULL, caps);
	else
		print_human(&ms, dev, api, have_info ? &hi : NULL, caps);
	return 0;
}

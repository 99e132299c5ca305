// SPDX-License-Identifier: GPL-2.0
/*
 * Helper for the shell selftests (not a test itself):
 *
 *   hvmod_helper insmod FILE [PARAM...]  finit_module(); prints "insmod: ok"
 *                                        or "insmod: ENODEV (No such device)",
 *                                        then "log: <text>" for every kernel
 *                                        log line starting "hvmod" logged
 *                                        meanwhile; exit 0 if loaded
 *   hvmod_helper rmmod                   delete_module("hvmod"), same output
 *   hvmod_helper hold sys|vm|vcpu        keep only that hvmod fd open, print
 *                                        "ready", sleep until killed
 *   hvmod_helper once                    VM + vCPU + run area, counts checked
 *                                        while they live and after; exit 0 ok
 *   hvmod_helper info                    HVMOD_GET_INFO as key=value lines
 *
 * Exit codes: 0 success, 1 failure, 2 usage or setup error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvmod_util.h"

static void print_log(const char *text, void *arg)
{
	(void)arg;
	printf("log: %s\n", text);
}

static int report(const char *op, long ret, int err, struct hv_kmsg *m)
{
	if (ret == 0)
		printf("%s: ok\n", op);
	else
		printf("%s: %s (%s)\n", op, hv_errname(err), strerror(err));
	if (m) {
		hv_kmsg_scan(m, "hvmod", NULL, print_log, NULL);
		hv_kmsg_close(m);
	}
	return ret == 0 ? 0 : 1;
}

static int do_insmod(int argc, char **argv)
{
	char params[1024] = "";
	struct hv_kmsg m, *mp = &m;
	int fd, i, err;
	long ret;

	if (argc < 1)
		return 2;
	for (i = 1; i < argc; i++) {
		if (i > 1)
			strncat(params, " ", sizeof(params) - strlen(params) - 1);
		strncat(params, argv[i], sizeof(params) - strlen(params) - 1);
	}
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("insmod: cannot open %s: %s\n", argv[0], strerror(errno));
		return 2;
	}
	if (hv_kmsg_mark(&m)) {
		printf("# cannot read the kernel log\n");
		mp = NULL;
	}
	ret = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	close(fd);
	return report("insmod", ret, err, mp);
}

static int do_rmmod(void)
{
	struct hv_kmsg m, *mp = hv_kmsg_mark(&m) ? NULL : &m;
	long ret = syscall(SYS_delete_module, "hvmod", O_NONBLOCK);

	return report("rmmod", ret, errno, mp);
}

static int do_hold(const char *what)
{
	int sys = hv_open(), vm = -1, vcpu = -1;

	if (sys < 0) {
		printf("hold: %s: %s\n", HVMOD_DEV_PATH, strerror(errno));
		return 2;
	}
	if (strcmp(what, "sys")) {
		vm = hv_create_vm(sys);
		if (vm < 0) {
			printf("hold: KVM_CREATE_VM: %s\n", hv_errname(errno));
			return 2;
		}
		close(sys);
	}
	if (!strcmp(what, "vcpu")) {
		vcpu = hv_create_vcpu(vm, 0);
		if (vcpu < 0) {
			printf("hold: KVM_CREATE_VCPU: %s\n", hv_errname(errno));
			return 2;
		}
		close(vm);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static bool check_counts(const char *when, bool live, int cpus)
{
	struct hvmod_info info;
	struct hvmod_counts *c = &info.counts;
	bool ok;

	if (hv_get_info_fresh(&info)) {
		printf("# %s: HVMOD_GET_INFO: %s\n", when, hv_errname(errno));
		return false;
	}
	if (live)
		ok = c->vms == 1 && c->vcpus == 1 && c->ctl_pages > 0 &&
		     c->cpus_enabled == (__u64)cpus;
	else
		ok = hv_counts_idle(c);
	if (!ok) {
		printf("# %s: expected %s\n", when, live ?
		       "vms=1 vcpus=1 ctl_pages>0 cpus_enabled=<online CPUs>" :
		       "all counts 0");
		hv_diag_counts(c);
	}
	return ok;
}

static int do_once(void)
{
	int cpus = hv_online_cpus(), sys, vm, vcpu;
	bool ok = check_counts("before", false, cpus);
	void *run;

	sys = hv_open();
	vm = sys < 0 ? -1 : hv_create_vm(sys);
	vcpu = vm < 0 ? -1 : hv_create_vcpu(vm, 0);
	run = vcpu < 0 ? MAP_FAILED : hv_map_run(vcpu, HV_RUN_SIZE, 0);
	if (run == MAP_FAILED) {
		printf("# creating VM, vCPU and run area: %s\n", hv_errname(errno));
		return 1;
	}
	ok &= check_counts("VM and vCPU alive", true, cpus);
	munmap(run, HV_RUN_SIZE);
	close(vcpu);
	close(vm);
	close(sys);
	ok &= check_counts("after close", false, cpus);
	return ok ? 0 : 1;
}

static int do_info(void)
{
	struct hvmod_info info;

	if (hv_get_info_fresh(&info)) {
		printf("info: %s\n", hv_errname(errno));
		return 1;
	}
	printf("abi_version=%u\nbackend_id=%u\nbackend=%.16s\nversion=%.32s\n",
	       info.abi_version, info.backend_id, info.backend, info.version);
	printf("vms=%llu\nvcpus=%llu\nctl_pages=%llu\ncpus_enabled=%llu\n",
	       (unsigned long long)info.counts.vms,
	       (unsigned long long)info.counts.vcpus,
	       (unsigned long long)info.counts.ctl_pages,
	       (unsigned long long)info.counts.cpus_enabled);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "insmod"))
		return do_insmod(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "rmmod"))
		return do_rmmod();
	if (argc == 3 && !strcmp(argv[1], "hold") &&
	    (!strcmp(argv[2], "sys") || !strcmp(argv[2], "vm") ||
	     !strcmp(argv[2], "vcpu")))
		return do_hold(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "once"))
		return do_once();
	if (argc == 2 && !strcmp(argv[1], "info"))
		return do_info();
	fprintf(stderr, "usage: %s insmod FILE [PARAM...] | rmmod | hold sys|vm|vcpu | once | info\n",
		argv[0]);
	return 2;
}

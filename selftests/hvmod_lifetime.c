// SPDX-License-Identifier: GPL-2.0
/*
 * Object lifetimes: closing the system, VM and vCPU fds in all 6 orders
 * (with munmap of the run area at every position) frees everything; a VM fd
 * or vCPU fd used by another process (child after fork) gives EIO; an open
 * vCPU fd keeps its VM alive.  Needs hvmod loaded and idle.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvmod_util.h"

#define NR_ORDERS	6
#define NR_FORK		6
#define NR_TESTS	(3 * NR_ORDERS + NR_FORK + 4 + 5)

enum { SYS, VM, VCPU };
static const char *const fd_name[] = { "system", "VM", "vCPU" };
static const int orders[NR_ORDERS][3] = {
	{ SYS, VM, VCPU }, { SYS, VCPU, VM }, { VM, SYS, VCPU },
	{ VM, VCPU, SYS }, { VCPU, SYS, VM }, { VCPU, VM, SYS },
};

/* Opens system, VM and vCPU fds and maps the run area; bails out on error. */
static struct kvm_run *setup(int fd[3])
{
	void *run;

	fd[SYS] = hv_open();
	fd[VM] = fd[SYS] < 0 ? -1 : hv_create_vm(fd[SYS]);
	fd[VCPU] = fd[VM] < 0 ? -1 : hv_create_vcpu(fd[VM], 0);
	if (fd[VCPU] < 0)
		tap_bail("creating system, VM and vCPU fds: %s", hv_errname(errno));
	run = hv_map_run(fd[VCPU], HV_RUN_SIZE, 0);
	if (run == MAP_FAILED)
		tap_bail("mmap of the run area: %s", hv_errname(errno));
	return run;
}

/* All counts 0 (via a fresh fd) and, with that fd closed, refcnt 0. */
static void expect_freed(const char *what)
{
	struct hvmod_info info;
	long refcnt;

	if (hv_get_info_fresh(&info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts, "%s: all counts 0", what);
	refcnt = hv_module_refcnt();
	if (refcnt < 0)
		tap_skip("no " HVMOD_SYSFS "/refcnt",
			 "%s: module refcnt 0 (rmmod would succeed)", what);
	else
		hv_expect_eq(refcnt, 0, "%s: module refcnt 0 (rmmod would succeed)",
			     what);
}

static void test_order(int k)
{
	int fd[3], step, next = 0, munmap_at = k % 4;
	struct kvm_run *run = setup(fd);
	bool alive = true;
	char what[128];

	snprintf(what, sizeof(what), "order %d: close %s, %s, %s, munmap %s",
		 k + 1, fd_name[orders[k][0]], fd_name[orders[k][1]],
		 fd_name[orders[k][2]],
		 (const char *[]){ "first", "second", "third", "last" }[munmap_at]);
	run->immediate_exit = 1;
	for (step = 0; step < 4; step++) {
		if (step != munmap_at) {
			close(fd[orders[k][next++]]);
			continue;
		}
		alive = hv_try_access(run, HV_RUN_SIZE, true) &&
			run->immediate_exit == 1;
		munmap(run, HV_RUN_SIZE);
	}
	tap_result(alive, "%s: run area valid until munmap", what);
	expect_freed(what);
}

/* Child side of the fork test: the errno of each ioctl, 0 for success. */
static void child_ioctls(int vm, int vcpu, int res[NR_FORK])
{
	struct kvm_userspace_memory_region mr = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = HV_PAGE_SIZE,
		.userspace_addr = (unsigned long)res & ~(HV_PAGE_SIZE - 1),
	};

	res[0] = hv_ioctl_err(vm, KVM_CREATE_VCPU, 1);
	res[1] = hv_ioctl_err(vm, KVM_SET_USER_MEMORY_REGION, (unsigned long)&mr);
	res[2] = hv_ioctl_err(vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
	res[3] = hv_ioctl_err(vm, HV_IOCTL_UNKNOWN_KVM, 0);
	res[4] = hv_ioctl_err(vcpu, HV_IOCTL_UNKNOWN_KVM, 0);
	res[5] = hv_ioctl_err(vcpu, HV_IOCTL_UNKNOWN_HVMOD, 0);
}

static void test_fork(void)
{
	static const char *const what[NR_FORK] = {
		"VM fd: KVM_CREATE_VCPU(1)", "VM fd: KVM_SET_USER_MEMORY_REGION",
		"VM fd: KVM_CHECK_EXTENSION", "VM fd: _IO(0xAE, 0xff)",
		"vCPU fd: _IO(0xAE, 0xff)", "vCPU fd: _IO(0xB8, 0x7f)",
	};
	int fd[3], pipefd[2], res[NR_FORK], i, status, vcpu1;
	struct hvmod_info info;
	ssize_t n = -1;
	pid_t pid;

	munmap(setup(fd), HV_RUN_SIZE);
	if (pipe(pipefd))
		tap_bail("pipe: %s", hv_errname(errno));
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", hv_errname(errno));
	if (pid == 0) {
		child_ioctls(fd[VM], fd[VCPU], res);
		_exit(write(pipefd[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(pipefd[1]);
	memset(res, 0, sizeof(res));
	n = read(pipefd[0], res, sizeof(res));
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (n != sizeof(res))
		tap_diag("child reported nothing (status 0x%x)", status);
	for (i = 0; i < NR_FORK; i++)
		hv_expect(n == sizeof(res) && !res[i] ? 0 : -1, res[i], EIO,
			  "child after fork: %s -> EIO", what[i]);

	if (hv_get_info(fd[SYS], &info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	if (!tap_result(info.counts.vms == 1 && info.counts.vcpus == 1,
			"child exited: parent's VM and vCPU still alive"))
		hv_diag_counts(&info.counts);
	vcpu1 = hv_create_vcpu(fd[VM], 1);
	hv_check(vcpu1, 0, "child exited: parent's KVM_CREATE_VCPU(1) works");
	if (vcpu1 >= 0)
		close(vcpu1);
	close(fd[VCPU]);
	close(fd[VM]);
	close(fd[SYS]);
	expect_freed("fork test done");
}

static void test_vcpu_keeps_vm(void)
{
	struct hvmod_info info;
	int fd[3];
	void *run;

	munmap(setup(fd), HV_RUN_SIZE);
	close(fd[VM]);
	close(fd[SYS]);
	if (hv_get_info_fresh(&info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	if (!tap_result(info.counts.vms == 1 && info.counts.vcpus == 1,
			"VM and system fds closed, vCPU fd open: VM still alive"))
		hv_diag_counts(&info.counts);
	run = hv_map_run(fd[VCPU], HV_RUN_SIZE, 0);
	hv_check(run == MAP_FAILED ? -1 : 0, 0,
		 "VM fd closed: mmap of the vCPU fd still works");
	hv_check(ioctl(fd[VCPU], HV_IOCTL_UNKNOWN_KVM, 0UL), ENOTTY,
		 "VM fd closed: vCPU fd still answers (_IO(0xAE, 0xff) -> ENOTTY)");
	close(fd[VCPU]);
	if (run != MAP_FAILED)
		munmap(run, HV_RUN_SIZE);
	expect_freed("vCPU fd closed last");
}

int main(void)
{
	int fd = hv_open_or_skip(), k;

	close(fd);
	tap_plan(NR_TESTS);
	for (k = 0; k < NR_ORDERS; k++)
		test_order(k);
	test_fork();
	test_vcpu_keeps_vm();
	return tap_finish();
}

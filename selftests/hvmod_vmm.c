// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny KVM-ABI VMM for the shell selftests (not a test itself).  It speaks
 * only <linux/kvm.h>, so it runs the same on /dev/hvmod and /dev/kvm:
 *
 *   hvmod_vmm run DEV [N]     N times (default 1): VM + vCPU, a real-mode
 *                             guest that does OUT 0x42 to port 0x10 and HLT
 *                             (checked), then a guest spinning in "jmp $"
 *                             stopped by SIGALRM (KVM_RUN -> EINTR);
 *                             prints "run: ok" or why not; exit 0 if ok, 4
 *                             if DEV cannot run guests (KVM_CAP_IMMEDIATE_EXIT
 *                             is 0: a backend still in the works)
 *   hvmod_vmm create DEV      KVM_CREATE_VM only; "create: ok" or
 *                             "create: EBUSY (...)"; exit 0 if created
 *   hvmod_vmm hold DEV        VM + vCPU that ran the guest once (if DEV
 *                             runs guests); prints "ready" and sleeps until
 *                             killed
 *   hvmod_vmm spin DEV        VM + vCPU spinning in KVM_RUN (re-entered after
 *                             each signal); prints "ready", runs until killed
 *   hvmod_vmm openloop SECS   open/ioctl/close /dev/hvmod in a loop for SECS
 *                             seconds while the module may come and go: an
 *                             open fails with ENOENT, ENXIO or ENODEV or
 *                             succeeds and then KVM_GET_API_VERSION = 12 and
 *                             HVMOD_GET_INFO work; prints the tallies, exit 1
 *                             on anything else
 *
 * Exit codes: 0 success, 1 failure, 2 usage or setup error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hvmod_util.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000

/* mov al, 0x42; out 0x10, al; hlt; jmp $ (at CODE + 5) */
static const unsigned char guest_out_hlt[] = {
	0xb0, 0x42, 0xe6, 0x10, 0xf4, 0xeb, 0xfe,
};
#define SPIN_RIP	(CODE + 5)

struct vmm {
	int sys, vm, vcpu;
	struct kvm_run *run;
	unsigned char *mem;
	long run_size;
};

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static void vmm_close(struct vmm *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, v->run_size);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->sys >= 0)
		close(v->sys);
	if (v->mem && v->mem != MAP_FAILED)
		munmap(v->mem, MEM_SIZE);
	memset(v, 0, sizeof(*v));
	v->sys = v->vm = v->vcpu = -1;
}

/* VM with MEM_SIZE bytes at GPA 0 and vCPU 0 in real mode at CODE. */
static int vmm_open(struct vmm *v, const char *dev, char *why, size_t len)
{
	struct kvm_userspace_memory_region mr = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
	};
	/*
	 * IF set: Bochs 2.7 keeps the host's interrupts masked while a guest
	 * with IF clear runs, and kvm_intel (no preemption timer) then never
	 * leaves a spinning guest (see run_tests.sh).  The guests here take
	 * no interrupts, so IF changes nothing else.
	 */
	struct kvm_regs regs = { .rip = CODE, .rflags = 0x202 };
	struct kvm_sregs sregs;
	const char *step;

	memset(v, 0, sizeof(*v));
	v->sys = v->vm = v->vcpu = -1;
	step = "open";
	v->sys = open(dev, O_RDWR | O_CLOEXEC);
	if (v->sys < 0)
		goto fail;
	step = "KVM_CREATE_VM";
	v->vm = ioctl(v->sys, KVM_CREATE_VM, 0UL);
	if (v->vm < 0)
		goto fail;
	step = "mmap of guest memory";
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->mem == MAP_FAILED)
		goto fail;
	memcpy(v->mem + CODE, guest_out_hlt, sizeof(guest_out_hlt));
	mr.userspace_addr = (unsigned long)v->mem;
	step = "KVM_SET_USER_MEMORY_REGION";
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &mr))
		goto fail;
	step = "KVM_CREATE_VCPU";
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0UL);
	if (v->vcpu < 0)
		goto fail;
	step = "KVM_GET_VCPU_MMAP_SIZE";
	v->run_size = ioctl(v->sys, KVM_GET_VCPU_MMAP_SIZE, 0UL);
	if (v->run_size <= 0)
		goto fail;
	step = "mmap of the run area";
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		goto fail;
	step = "KVM_GET_SREGS";
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		goto fail;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	step = "KVM_SET_SREGS";
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs))
		goto fail;
	step = "KVM_SET_REGS";
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs))
		goto fail;
	return 0;
fail:
	snprintf(why, len, "%s: %s (%s)", step, hv_errname(errno),
		 strerror(errno));
	vmm_close(v);
	return -1;
}

/* One KVM_RUN with a watchdog of secs seconds; 0 or the errno. */
static int vmm_run(struct vmm *v, unsigned int secs)
{
	alarmed = 0;
	return hv_run_ms(v->vcpu, secs * 1000);
}

/* OUT 0x42 to port 0x10, then HLT: "" if so, else what happened. */
static int vmm_guest_once(struct vmm *v, char *why, size_t len)
{
	struct kvm_run *run = v->run;
	struct kvm_regs regs;
	int err;

	err = vmm_run(v, 10);
	if (err || run->exit_reason != KVM_EXIT_IO ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.port != 0x10 ||
	    run->io.size != 1 ||
	    *((unsigned char *)run + run->io.data_offset) != 0x42) {
		snprintf(why, len, "first KVM_RUN: %s, exit %u (expected KVM_EXIT_IO OUT 0x42 to port 0x10)",
			 err ? hv_errname(err) : "ok", run->exit_reason);
		return -1;
	}
	err = vmm_run(v, 10);
	if (err || run->exit_reason != KVM_EXIT_HLT) {
		snprintf(why, len, "second KVM_RUN: %s, exit %u (expected KVM_EXIT_HLT)",
			 err ? hv_errname(err) : "ok", run->exit_reason);
		return -1;
	}
	/* now spin in "jmp $" until the alarm */
	if (ioctl(v->vcpu, KVM_GET_REGS, &regs))
		regs.rip = 0;
	regs.rip = SPIN_RIP;
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs)) {
		snprintf(why, len, "KVM_SET_REGS: %s", hv_errname(errno));
		return -1;
	}
	err = vmm_run(v, 1);
	if (err != EINTR || !alarmed) {
		snprintf(why, len, "spinning guest: KVM_RUN %s, exit %u (expected EINTR after SIGALRM)",
			 err ? hv_errname(err) : "ok", run->exit_reason);
		return -1;
	}
	return 0;
}

/* KVM_CHECK_EXTENSION(KVM_CAP_IMMEDIATE_EXIT) on DEV: > 0 runs guests. */
static int can_run(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, KVM_CHECK_EXTENSION, (long)KVM_CAP_IMMEDIATE_EXIT);
	close(fd);
	return r;
}

static int do_run(const char *dev, int n)
{
	char why[256];
	struct vmm v;
	int i;

	if (can_run(dev) == 0) {
		printf("run: skip: %s cannot run guests (KVM_CAP_IMMEDIATE_EXIT = 0)\n",
		       dev);
		return 4;
	}
	for (i = 0; i < n; i++) {
		if (vmm_open(&v, dev, why, sizeof(why)) ||
		    vmm_guest_once(&v, why, sizeof(why))) {
			printf("run: %s: round %d: %s\n", dev, i + 1, why);
			vmm_close(&v);
			return 1;
		}
		vmm_close(&v);
	}
	printf("run: ok\n");
	return 0;
}

static int do_create(const char *dev)
{
	int sys = open(dev, O_RDWR | O_CLOEXEC), vm;

	if (sys < 0) {
		printf("create: open %s: %s (%s)\n", dev, hv_errname(errno),
		       strerror(errno));
		return 2;
	}
	vm = ioctl(sys, KVM_CREATE_VM, 0UL);
	if (vm < 0) {
		printf("create: %s (%s)\n", hv_errname(errno), strerror(errno));
		close(sys);
		return 1;
	}
	printf("create: ok\n");
	close(vm);
	close(sys);
	return 0;
}

static int do_hold(const char *dev, bool spin)
{
	struct kvm_regs regs;
	bool guest = can_run(dev) != 0;
	char why[256];
	struct vmm v;
	int err;

	if (vmm_open(&v, dev, why, sizeof(why)) ||
	    (guest && vmm_guest_once(&v, why, sizeof(why)))) {
		printf("hold: %s: %s\n", dev, why);
		return 2;
	}
	if (guest)
		printf("ready\n");
	else
		printf("ready (no guest: %s cannot run guests)\n", dev);
	fflush(stdout);
	if (!spin || !guest)
		for (;;)
			pause();
	for (;;) {
		if (ioctl(v.vcpu, KVM_GET_REGS, &regs) == 0 &&
		    regs.rip != SPIN_RIP) {
			regs.rip = SPIN_RIP;
			ioctl(v.vcpu, KVM_SET_REGS, &regs);
		}
		err = vmm_run(&v, 1);
		if (err && err != EINTR) {
			printf("spin: KVM_RUN: %s\n", hv_errname(err));
			return 1;
		}
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int do_openloop(int secs)
{
	unsigned long opened = 0, enoent = 0, enxio = 0, enodev = 0, bad = 0;
	uint64_t end = now_ms() + secs * 1000ULL;
	struct hvmod_info info;
	long api;
	int fd;

	while (now_ms() < end) {
		fd = open(HVMOD_DEV_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				enoent++;
			else if (errno == ENXIO)
				enxio++;
			else if (errno == ENODEV)
				enodev++;
			else if (bad++ < 5)
				printf("# open: unexpected %s\n", hv_errname(errno));
			continue;
		}
		opened++;
		/* the open fd pins the module: it must keep answering */
		api = ioctl(fd, KVM_GET_API_VERSION, 0UL);
		if (api != KVM_API_VERSION && bad++ < 5)
			printf("# KVM_GET_API_VERSION on an open fd: %ld (%s)\n",
			       api, api < 0 ? hv_errname(errno) : "");
		usleep(opened % 7 * 100);
		if (hv_get_info(fd, &info) && bad++ < 5)
			printf("# HVMOD_GET_INFO on an open fd: %s\n",
			       hv_errname(errno));
		close(fd);
	}
	printf("openloop: opened %lu, ENOENT %lu, ENXIO %lu, ENODEV %lu, unexpected %lu\n",
	       opened, enoent, enxio, enodev, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "run"))
		return do_run(argv[2], argc == 4 ? atoi(argv[3]) : 1);
	if (argc == 3 && !strcmp(argv[1], "create"))
		return do_create(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return do_hold(argv[2], false);
	if (argc == 3 && !strcmp(argv[1], "spin"))
		return do_hold(argv[2], true);
	if (argc == 3 && !strcmp(argv[1], "openloop"))
		return do_openloop(atoi(argv[2]));
	fprintf(stderr, "usage: %s run DEV [N] | create DEV | hold DEV | spin DEV | openloop SECS\n",
		argv[0]);
	return 2;
}

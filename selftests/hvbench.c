// SPDX-License-Identifier: GPL-2.0
/*
 * hvbench: one KVM-ABI client, timed against any KVM-ABI device, so that
 * hvmod and the distro's KVM can be compared in the same box run.
 *
 *   hvbench [--device PATH] [--reps N]
 *
 * Prints one "name value unit" line per figure: the median over N
 * repetitions of a batch average.  Guests are flat 32-bit protected-mode
 * code (no paging), which every x86 KVM-ABI hypervisor runs unchanged.
 * A benchmark, not a test: it only fails when the device misbehaves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#define MEM_SIZE	(2UL << 20)	/* guest RAM at GPA 0 */
#define CODE_GPA	0x1000
#define TOUCH_GPA	0x10000000UL	/* first-touch region */
#define TOUCH_PAGES	1024

/* The guests, assembled into this binary as data. */
asm(".pushsection .rodata\n"
    ".code32\n"
    "g_io:    out %al, $0x10\n"		/* userspace IO exit, forever */
    "         jmp g_io\n"
    "g_cpuid: xor %eax, %eax\n"		/* EDI in-kernel CPUID exits */
    "         cpuid\n"
    "         dec %edi\n"
    "         jnz g_cpuid\n"
    "         out %al, $0x11\n"
    "g_floor: wbinvd\n"			/* EDI minimal in-kernel exits */
    "         dec %edi\n"
    "         jnz g_floor\n"
    "         out %al, $0x12\n"
    "g_touch: movl $1, (%esi)\n"	/* EDI first touches from ESI */
    "         add $4096, %esi\n"
    "         dec %edi\n"
    "         jnz g_touch\n"
    "         out %al, $0x13\n"
    "g_end:\n"
    ".code64\n"
    ".popsection\n");
extern const unsigned char g_io[], g_cpuid[], g_floor[], g_touch[], g_end[];

static const char *dev = "/dev/hvmod";
static int reps = 7;
static int sysfd;

struct vm {
	int fd, vcpu;
	void *mem;
	struct kvm_run *run;
};

static void die(const char *what)
{
	fprintf(stderr, "hvbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void set_region(struct vm *vm, int slot, unsigned long gpa, void *mem,
		       size_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (unsigned long)mem,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r))
		die("KVM_SET_USER_MEMORY_REGION");
}

static void *guest_ram(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	/* 4 KiB pages on both sides: the fault path, not THP, is measured */
	madvise(p, size, MADV_NOHUGEPAGE);
	return p;
}

/* A flat 32-bit protected-mode vCPU running the guests above. */
static void vm_create(struct vm *vm)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 8, .type = 0xb,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .g = 1,
	};
	struct kvm_segment data = code;
	struct kvm_sregs s;

	vm->fd = ioctl(sysfd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	vm->mem = guest_ram(MEM_SIZE);
	memcpy((char *)vm->mem + CODE_GPA, g_io, g_end - g_io);
	set_region(vm, 0, 0, vm->mem, MEM_SIZE);
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		die("KVM_CREATE_VCPU");
	vm->run = mmap(NULL, ioctl(sysfd, KVM_GET_VCPU_MMAP_SIZE, 0),
		       PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	data.type = 3;
	data.selector = 0x10;
	s.cs = code;
	s.ds = s.es = s.ss = s.fs = s.gs = data;
	s.cr0 = 0x11;	/* PE | ET */
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
}

static void vm_destroy(struct vm *vm)
{
	munmap(vm->run, ioctl(sysfd, KVM_GET_VCPU_MMAP_SIZE, 0));
	close(vm->vcpu);
	close(vm->fd);
	munmap(vm->mem, MEM_SIZE);
}

/* Start `guest` with EDI = count, ESI = esi. */
static void vcpu_start(struct vm *vm, const unsigned char *guest,
		       unsigned long count, unsigned long esi)
{
	struct kvm_regs r = {
		.rip = CODE_GPA + (guest - g_io), .rflags = 2,
		.rdi = count, .rsi = esi, .rsp = MEM_SIZE - 16,
	};

	if (ioctl(vm->vcpu, KVM_SET_REGS, &r))
		die("KVM_SET_REGS");
}

/* Runs until an IO exit on `port`; anything else is fatal. */
static void run_to_port(struct vm *vm, unsigned int port)
{
	for (;;) {
		if (ioctl(vm->vcpu, KVM_RUN, 0) && errno != EINTR)
			die("KVM_RUN");
		if (vm->run->exit_reason == KVM_EXIT_IO &&
		    vm->run->io.port == port)
			return;
		if (vm->run->exit_reason != KVM_EXIT_INTR) {
			fprintf(stderr, "hvbench: unexpected exit %u\n",
				vm->run->exit_reason);
			exit(1);
		}
	}
}

static double bench_io(struct vm *vm)
{
	const int n = 2000;
	double t;
	int i;

	vcpu_start(vm, g_io, 0, 0);
	run_to_port(vm, 0x10);		/* warm up: code page faulted in */
	t = now_us();
	for (i = 0; i < n; i++)
		run_to_port(vm, 0x10);
	return (now_us() - t) / n;
}

static double bench_loop(struct vm *vm, const unsigned char *guest,
			 unsigned int port, int n)
{
	double t;

	vcpu_start(vm, guest, 1, 0);
	run_to_port(vm, port);		/* warm up */
	vcpu_start(vm, guest, n, 0);
	t = now_us();
	run_to_port(vm, port);
	return (now_us() - t) / n;
}

static double bench_touch(void)
{
	size_t size = TOUCH_PAGES * 4096UL;
	struct vm vm;
	void *ram;
	double t;

	vm_create(&vm);
	ram = guest_ram(size);
	set_region(&vm, 1, TOUCH_GPA, ram, size);
	vcpu_start(&vm, g_io, 0, 0);
	run_to_port(&vm, 0x10);		/* code and stack in */
	vcpu_start(&vm, g_touch, TOUCH_PAGES, TOUCH_GPA);
	t = now_us();
	run_to_port(&vm, 0x13);
	t = (now_us() - t) / TOUCH_PAGES;
	vm_destroy(&vm);
	munmap(ram, size);
	return t;
}

static double bench_setup(void)
{
	const int n = 20;
	struct vm vm;
	double t;
	int i;

	t = now_us();
	for (i = 0; i < n; i++) {
		vm_create(&vm);
		vm_destroy(&vm);
	}
	return (now_us() - t) / n;
}

int main(int argc, char **argv)
{
	double io[64], cpuid[64], floor_[64], touch[64], setup[64];
	struct vm vm;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc)
			dev = argv[++i];
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: hvbench [--device PATH] [--reps N]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > 64)
		reps = 7;
	sysfd = open(dev, O_RDWR | O_CLOEXEC);
	if (sysfd < 0)
		die(dev);

	vm_create(&vm);
	for (i = 0; i < reps; i++) {
		io[i] = bench_io(&vm);
		cpuid[i] = bench_loop(&vm, g_cpuid, 0x11, 2000);
		floor_[i] = bench_loop(&vm, g_floor, 0x12, 2000);
		touch[i] = bench_touch();
		setup[i] = bench_setup();
	}
	vm_destroy(&vm);

	printf("device %s reps %d\n", dev, reps);
	printf("io_exit %.2f us\n", median(io, reps));
	printf("cpuid_exit %.2f us\n", median(cpuid, reps));
	printf("floor_exit %.2f us\n", median(floor_, reps));
	printf("first_touch %.2f us\n", median(touch, reps));
	printf("vm_setup %.2f us\n", median(setup, reps));
	return 0;
}

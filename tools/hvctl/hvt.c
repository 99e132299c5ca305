// SPDX-License-Identifier: GPL-2.0
/*
 * hvt.c: `hvctl run --mode hvt`: runs a Solo5 hvt (ABI 2) unikernel with
 * solo5-hvt's options, defaults, messages and exit codes.
 *
 * Order of work, so that every input error is reported before any VM
 * exists (and before the device is even opened):
 *   1. find KERNEL among the arguments (--help/--version stop here),
 *   2. ELF header, ABI1 note, MFT1 manifest,
 *   3. options (--mem, devices: they refer to manifest names),
 *   4. guest memory size, PT_LOAD segments, devices, command line,
 *   5. guest memory: ELF segments, page tables (and x86's GDT), boot info,
 *   6. the device: VM, memory slot, vCPU, initial state; then run until
 *      the guest halts: its halt status is hvctl's exit code.
 *
 * The architecture's part (page tables, vCPU state, its hypercall exit)
 * is hvt_arch: hvt_x86.c, hvt_a64.c or hvt_rv.c, whichever this build has.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hvctl.h"
#include "hvt.h"

#ifndef HVCTL_VERSION
#define HVCTL_VERSION "unknown"
#endif

#define SOLO5_OPT_PREFIX "--solo5:"

void hvt_usage(const char *prog, int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: %s [ CORE OPTIONS ] [ MODULE OPTIONS ] [ -- ] KERNEL [ ARGS ]\n",
		prog);
	fprintf(f, "KERNEL is the filename of the unikernel to run.\n");
	fprintf(f, "ARGS are optional arguments passed to the unikernel.\n");
	fprintf(f, "Core options:\n");
	fprintf(f, "  [ --mem=512 ] (guest memory in MB)\n");
	fprintf(f, "  [ --device=%s ] (KVM-ABI device: %s or /dev/kvm)\n",
		HVCTL_DEFAULT_DEVICE, HVCTL_DEFAULT_DEVICE);
	fprintf(f, "  [ --solo5:OPTION ] (passed to the unikernel ahead of ARGS, e.g. --solo5:quiet)\n");
	fprintf(f, "    --help (display this help)\n");
	fprintf(f, "    --version (display the version and ABI version)\n");
	fprintf(f, "Compiled-in modules: core block net\n");
	fprintf(f, "Compiled-in module options:\n");
	fprintf(f, "    %s\n", hvt_block_usage());
	fprintf(f, "    %s\n", hvt_net_usage());
	exit(status);
}

static void version(void)
{
	printf("hvctl run --mode hvt (hvctl %s): Solo5 hvt tender\n",
	       HVCTL_VERSION);
	printf("ABI version %u\n", HVT_ABI_VERSION);
	exit(0);
}

/* Async-signal-safe: "hvctl: Exiting on signal N" and exit 1. */
static void on_signal(int sig)
{
	char msg[64] = "hvctl: Exiting on signal ";
	size_t n = strlen(msg);

	if (sig >= 10)
		msg[n++] = '0' + sig / 10;
	msg[n++] = '0' + sig % 10;
	msg[n++] = '\n';
	if (write(STDERR_FILENO, msg, n) < 0) {
		/* nothing left to report to */
	}
	_exit(1);
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		err(1, "Could not install signal handler");
}

static void handle_mem(const char *arg, uint64_t *mem)
{
	const char *v = arg + strlen("--mem=");
	unsigned long long mb;
	char *end;

	if (*v < '0' || *v > '9')
		errx(1, "Malformed argument to --mem");
	mb = strtoull(v, &end, 10);
	if (*end || mb == 0 || mb > (UINT64_MAX >> 20))
		errx(1, "Malformed argument to --mem");
	*mem = mb << 20;
}

/* Every declared device must be attached. */
static void check_attached(struct hvt *h)
{
	unsigned int i;
	int missing = 0;

	for (i = 0; i < h->mft->entries; i++) {
		const struct mft_entry *e = &h->mft->e[i];

		if (e->type >= MFT_RESERVED_FIRST || e->attached)
			continue;
		warnx("Device '%s' of type %s declared but not attached.",
		      e->name, hvt_mft_type_name(e->type));
		missing = 1;
	}
	if (missing)
		errx(1, "All declared devices must be attached. See --help for syntax.");
}

/* ARGS joined by ' ' into h->cmdline (at most HVT_CMDLINE_SIZE - 1). */
static void build_cmdline(struct hvt *h, char **pre, int npre, char **args,
			  int nargs)
{
	size_t used = 0;
	int i, total = npre + nargs;

	h->cmdline[0] = '\0';
	for (i = 0; i < total; i++) {
		const char *a = i < npre ? pre[i] : args[i - npre];
		size_t len = strlen(a) + (i + 1 < total);

		if (len >= sizeof(h->cmdline) - used)
			errx(1, "Guest command line too long (max=%d characters)",
			     HVT_CMDLINE_SIZE - 1);
		used += snprintf(h->cmdline + used, sizeof(h->cmdline) - used,
				 "%s%s", a, i + 1 < total ? " " : "");
	}
}

static void alloc_guest_memory(struct hvt *h)
{
	void *p = mmap(NULL, h->alloc_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		err(1, "Could not allocate guest memory (%llu bytes)",
		    (unsigned long long)h->alloc_size);
	h->mem = p;
}

/* --mem: rounded down to 2 MiB (at least 2 MiB), at most HVT_MEM_MAX. */
static uint64_t mem_size(uint64_t requested)
{
	uint64_t mem = requested & ~(HVT_PAGE_2M - 1);

	if (!mem)
		mem = HVT_PAGE_2M;
	if (mem != requested)
		warnx("adjusting memory to %llu bytes", (unsigned long long)mem);
	if (mem > HVT_MEM_MAX)
		errx(1, "guest memory size %llu bytes exceeds the max size %llu bytes",
		     (unsigned long long)mem, (unsigned long long)HVT_MEM_MAX);
	return mem;
}

/*
 * Boot info at HVT_BOOT_INFO_BASE, then the manifest copy, then the
 * command line; cpu_cycle_freq follows once the vCPU exists.
 */
static struct hvt_boot_info *setup_boot_info(struct hvt *h)
{
	struct hvt_boot_info *bi;
	uint64_t pos = HVT_BOOT_INFO_BASE;

	_Static_assert(HVT_BOOT_INFO_BASE + sizeof(struct hvt_boot_info) +
		       MFT1_NOTE_MAX_SIZE + HVT_CMDLINE_SIZE <=
		       HVT_GUEST_MIN_BASE, "low memory overflows into the ELF");

	bi = (struct hvt_boot_info *)(h->mem + pos);
	pos += sizeof(*bi);
	bi->mem_size = h->mem_size;
	bi->kernel_end = h->kernel_end;
	bi->host_features = 0;	/* no net ring: guests use hypercalls 6/7 */
	bi->guest_features = 0;
	bi->net_ring = 0;

	bi->mft = pos;
	memcpy(h->mem + pos, h->mft, h->mft_size);
	pos += h->mft_size;

	bi->cmdline = pos;
	memcpy(h->mem + pos, h->cmdline, HVT_CMDLINE_SIZE);
	return bi;
}

static void create_vm(struct hvt *h, const char *device,
		      struct hvt_boot_info *bi)
{
	vm_open(&h->vm, device);
	vm_create(&h->vm);
	vm_set_ram(&h->vm, 0, 0, h->mem, h->alloc_size);
	vm_create_vcpu(&h->vm, 0);
	hvt_arch.vcpu_init(h);
	bi->cpu_cycle_freq = h->cpu_cycle_freq;
}

/* KVM_RUN until the guest halts: its status.  Anything else ends hvctl. */
static int run_vcpu(struct hvt *h)
{
	struct kvm_run *run = h->vm.run;
	int status, r;

	for (;;) {
		if (ioctl(h->vm.vcpufd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EFAULT)
				errx(1, "KVM: host/guest translation fault: %s=0x%llx",
				     hvt_arch.pc_name, (unsigned long long)
				     hvt_arch.guest_pc(h, "guest fault"));
			err(1, "KVM: ioctl (RUN) failed");
		}
		r = hvt_arch.handle_exit(h, &status);
		if (r > 0)
			return status;
		if (r == 0)
			continue;
		switch (run->exit_reason) {
		case KVM_EXIT_INTR:
			break;	/* a signal: its handler decides */
		case KVM_EXIT_FAIL_ENTRY:
			errx(1, "KVM: entry failure: hw_entry_failure_reason=0x%llx",
			     (unsigned long long)
			     run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			errx(1, "KVM: internal error exit: suberror=0x%x",
			     run->internal.suberror);
		default:
			errx(1, "KVM: unhandled exit: exit_reason=0x%x, %s=0x%llx",
			     run->exit_reason, hvt_arch.pc_name,
			     (unsigned long long)
			     hvt_arch.guest_pc(h, "unhandled exit"));
		}
	}
}

/*
 * ARGV: the arguments after `hvctl run`, without --mode and --device
 * (run.c takes those); ARGV[ARGC] is NULL.
 */
int hvt_main(int argc, char **argv, const char *device)
{
	const char *prog = "hvctl run --mode hvt";
	static struct hvt hv;
	struct hvt *h = &hv;
	char **pre = NULL;
	struct hvt_boot_info *bi;
	int i, k, npre = 0, status;
	uint64_t mem = HVT_MEM_DEFAULT;

	h->prog = prog;
	for (i = 0; i < MFT_MAX_ENTRIES; i++)
		h->hostfd[i] = -1;

	/* 1. the KERNEL operand; --help and --version end here. */
	for (k = 0; k < argc && argv[k][0] == '-'; k++) {
		if (!strcmp(argv[k], "--")) {
			k++;
			break;
		}
		if (!strcmp(argv[k], "--help"))
			hvt_usage(prog, 0);
		if (!strcmp(argv[k], "--version"))
			version();
	}
	if (k >= argc) {
		warnx("Missing KERNEL operand");
		hvt_usage(prog, 1);
	}

	/* 2. the unikernel's identity and manifest. */
	hvt_elf_open(&h->elf, argv[k]);
	hvt_elf_check_abi(&h->elf);
	hvt_elf_load_manifest(&h->elf, &h->mft, &h->mft_size);

	/* 3. options, in order. */
	pre = calloc(argc + 1, sizeof(*pre));
	if (!pre)
		err(1, "out of memory");
	for (i = 0; i < k && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--mem=", 6))
			handle_mem(a, &mem);
		else if (!strncmp(a, SOLO5_OPT_PREFIX, strlen(SOLO5_OPT_PREFIX)))
			pre[npre++] = argv[i];
		else if (hvt_block_cmdarg(h, a) && hvt_net_cmdarg(h, a)) {
			warnx("Invalid option: `%s'", a);
			hvt_usage(prog, 1);
		}
	}

	/* 4. sizes, segments, devices, command line. */
	h->mem_size = mem_size(mem);
	hvt_elf_check_segments(&h->elf, h->mem_size, &h->entry,
			       &h->kernel_end);
	hvt_block_setup(h);
	hvt_net_setup(h);
	check_attached(h);
	h->alloc_size = h->mem_size + (h->net_in_use ? HVT_RING_AREA : 0);
	if (h->alloc_size > hvt_arch.ram_limit)
		errx(1, "guest memory with the net ring area (%llu bytes) overlaps the hypercall MMIO at 0x%llx: use --mem=%llu or less",
		     (unsigned long long)h->alloc_size,
		     (unsigned long long)hvt_arch.ram_limit,
		     (unsigned long long)
		     ((hvt_arch.ram_limit - HVT_RING_AREA) >> 20));
	build_cmdline(h, pre, npre, argv + k + 1, argc - k - 1);
	free(pre);

	/* 5. guest memory. */
	alloc_guest_memory(h);
	hvt_elf_load(&h->elf, h->mem);
	hvt_elf_close(&h->elf);
	hvt_arch.setup_pagetables(h);
	bi = setup_boot_info(h);
	hvt_hypercall_setup_core(h);

	/* 6. the VM. */
	setup_signals();
	create_vm(h, device, bi);
	status = run_vcpu(h);
	vm_close(&h->vm);
	return status & 0xff;
}

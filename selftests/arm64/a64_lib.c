// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest helpers for the hvmod selftests; see a64_lib.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "a64_lib.h"

#define A64_RUN_TIMEOUT	15	/* seconds before a64_run() gives up */

/*
 * guests/a64_guest.bin, linked at G_RAM.  The labels are global (hidden)
 * symbols: a local label would be referenced as .rodata + offset, and
 * the aarch64 linker gives GOT references to one section symbol a single
 * GOT entry whatever their addends, so both would read as the start.
 */
extern const unsigned char a64_guest_bin[], a64_guest_bin_end[];
__asm__(".pushsection .rodata\n"
	".balign 16\n"
	".globl a64_guest_bin, a64_guest_bin_end\n"
	".hidden a64_guest_bin, a64_guest_bin_end\n"
	"a64_guest_bin:\n"
	".incbin \"guests/a64_guest.bin\"\n"
	"a64_guest_bin_end:\n"
	".popsection\n");

static void a64_alarm(int sig)
{
	(void)sig;
}

uint64_t a64_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void a64_vm_create(struct a64_vm *g)
{
	struct kvm_userspace_memory_region mem = {
		.slot = 0, .guest_phys_addr = G_RAM, .memory_size = G_RAM_SIZE,
	};
	struct sigaction sa = { .sa_handler = a64_alarm };

	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: KVM_RUN -> EINTR */
	memset(g, 0, sizeof(*g));
	memset(g->vcpu, -1, sizeof(g->vcpu));
	g->sys = hv_open_or_skip();
	g->vm = hv_create_vm(g->sys);
	if (g->vm < 0)
		tap_bail("KVM_CREATE_VM: %s", hv_errname(errno));
	g->ram = mmap(NULL, G_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->ram == MAP_FAILED)
		tap_bail("mmap guest RAM: %s", strerror(errno));
	memcpy(g->ram, a64_guest_bin, a64_guest_bin_end - a64_guest_bin);
	mem.userspace_addr = (uintptr_t)g->ram;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &mem))
		tap_bail("KVM_SET_USER_MEMORY_REGION: %s", hv_errname(errno));
}

void a64_vcpu_add(struct a64_vm *g, int id, uint32_t feat)
{
	struct kvm_vcpu_init init;

	g->vcpu[id] = hv_create_vcpu(g->vm, id);
	if (g->vcpu[id] < 0)
		tap_bail("KVM_CREATE_VCPU %d: %s", id, hv_errname(errno));
	g->run[id] = hv_map_run(g->vcpu[id], HV_PAGE_SIZE, 0);
	if (g->run[id] == MAP_FAILED)
		tap_bail("mmap kvm_run: %s", strerror(errno));
	if (ioctl(g->vm, KVM_ARM_PREFERRED_TARGET, &init))
		tap_bail("KVM_ARM_PREFERRED_TARGET: %s", hv_errname(errno));
	init.features[0] = feat;
	if (ioctl(g->vcpu[id], KVM_ARM_VCPU_INIT, &init))
		tap_bail("KVM_ARM_VCPU_INIT: %s", hv_errname(errno));
}

void a64_vm_destroy(struct a64_vm *g)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (g->run[i])
			munmap(g->run[i], HV_PAGE_SIZE);
		if (g->vcpu[i] >= 0)
			close(g->vcpu[i]);
	}
	close(g->vm);
	close(g->sys);
	munmap(g->ram, G_RAM_SIZE);
}

int a64_get_err(int vcpufd, uint64_t id, void *val)
{
	return hv_get_one_reg(vcpufd, id, val) ? errno : 0;
}

int a64_set_err(int vcpufd, uint64_t id, const void *val)
{
	return hv_set_one_reg(vcpufd, id, val) ? errno : 0;
}

uint64_t a64_get(int vcpufd, uint64_t id)
{
	uint64_t v = 0;
	int e = a64_get_err(vcpufd, id, &v);

	if (e)
		tap_bail("KVM_GET_ONE_REG 0x%llx: %s", (unsigned long long)id,
			 hv_errname(e));
	return v;
}

void a64_set(int vcpufd, uint64_t id, uint64_t val)
{
	int e = a64_set_err(vcpufd, id, &val);

	if (e)
		tap_bail("KVM_SET_ONE_REG 0x%llx: %s", (unsigned long long)id,
			 hv_errname(e));
}

void a64_start(struct a64_vm *g, int idx, uint64_t entry)
{
	a64_set(g->vcpu[idx], A64_PC, entry);
	a64_set(g->vcpu[idx], A64_PSTATE, PSTATE_EL1H_DAIF);
	a64_set(g->vcpu[idx], A64_SP_EL1, G_STACK_TOP);
}

int a64_run(struct a64_vm *g, int idx)
{
	int r, e;

	alarm(A64_RUN_TIMEOUT);
	r = ioctl(g->vcpu[idx], KVM_RUN, 0);
	e = errno;
	alarm(0);
	if (r && e == EINTR && g->run[idx]->exit_reason == KVM_EXIT_INTR) {
		uint64_t pc = 0, esr = 0, elr = 0, far = 0, spsr = 0;

		a64_get_err(g->vcpu[idx], A64_PC, &pc);
		a64_get_err(g->vcpu[idx], A64_ESR, &esr);
		a64_get_err(g->vcpu[idx], A64_ELR_EL1, &elr);
		a64_get_err(g->vcpu[idx], A64_FAR, &far);
		a64_get_err(g->vcpu[idx], A64_SPSR_EL1, &spsr);
		tap_bail("guest stuck for %d s (pc 0x%llx; last EL1 exception: ESR 0x%llx ELR 0x%llx FAR 0x%llx SPSR 0x%llx)",
			 A64_RUN_TIMEOUT, (unsigned long long)pc,
			 (unsigned long long)esr, (unsigned long long)elr,
			 (unsigned long long)far, (unsigned long long)spsr);
	}
	return r ? e : 0;
}

const char *a64_exit_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SYSTEM_EVENT: return "SYSTEM_EVENT";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_HLT: return "HLT";
	default: return "other";
	}
}

static void a64_diag_exit(struct a64_vm *g, int idx, int err)
{
	struct kvm_run *run = g->run[idx];
	uint64_t pc = 0;

	a64_get_err(g->vcpu[idx], A64_PC, &pc);
	if (err)
		tap_diag("KVM_RUN failed: %s (pc 0x%llx)", hv_errname(err),
			 (unsigned long long)pc);
	else
		tap_diag("exit %u (%s), pc 0x%llx", run->exit_reason,
			 a64_exit_name(run->exit_reason),
			 (unsigned long long)pc);
	if (!err && run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		tap_diag("internal error %u: 0x%llx 0x%llx 0x%llx",
			 run->internal.suberror,
			 (unsigned long long)run->internal.data[0],
			 (unsigned long long)run->internal.data[1],
			 (unsigned long long)run->internal.data[2]);
}

bool a64_run_mmio(struct a64_vm *g, int idx, bool write, uint64_t *data,
		  uint32_t *len, uint64_t *addr)
{
	struct kvm_run *run = g->run[idx];
	int e = a64_run(g, idx);

	if (e || run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.is_write != write) {
		a64_diag_exit(g, idx, e);
		return false;
	}
	*len = run->mmio.len;
	*addr = run->mmio.phys_addr;
	*data = 0;
	if (write)
		memcpy(data, run->mmio.data, run->mmio.len);
	return true;
}

uint64_t a64_report(struct a64_vm *g, int idx)
{
	uint64_t data, addr;
	uint32_t len;

	if (!a64_run_mmio(g, idx, true, &data, &len, &addr))
		return ~0ULL;
	return data;
}

bool a64_run_event(struct a64_vm *g, int idx, uint32_t type)
{
	struct kvm_run *run = g->run[idx];
	int e = a64_run(g, idx);

	if (e || run->exit_reason != KVM_EXIT_SYSTEM_EVENT ||
	    run->system_event.type != type) {
		a64_diag_exit(g, idx, e);
		if (!e && run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
			tap_diag("system event type %u, want %u",
				 run->system_event.type, type);
		return false;
	}
	return true;
}

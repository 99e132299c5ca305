// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guests on /dev/hvmod: the payloads of guests/a64_guest.S run at
 * EL1 and every exit is checked from struct kvm_run and the registers:
 * MMIO writes and reads of each size (sign extension, XZR, no syndrome),
 * an MMIO read finished by a KVM_RUN that immediate_exit ends at once,
 * SMCCC/PSCI calls over HVC and SMC, SYSTEM_OFF/RESET, WFI with and
 * without the virtual timer, stage-2 faults on RAM, exceptions taken
 * through the guest's VBAR_EL1 (SVC, BRK, UDF, an UNDEF injected for a
 * trapped register, a prefetch abort injected for a fetch outside RAM),
 * system register traps, FP/SIMD and EL0 thread register isolation from
 * the host, a memory slot remapped under a running guest (stage-2 TLB
 * invalidation), two VMs side by side (VMIDs), host signals reaching a
 * guest that never exits, SMP bring-up with PSCI CPU_ON, and the cost of
 * an exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "a64_lib.h"
#include "a64_guest.sym.h"

#define NR_TESTS	72

static void test_mmio_write(void)
{
	static const struct { uint64_t addr, data; uint32_t len; } want[] = {
		{ G_MMIO, 0x11, 1 }, { G_MMIO + 2, 0x2222, 2 },
		{ G_MMIO + 4, 0x33333333, 4 },
		{ G_MMIO + 8, 0x4444444455555555ULL, 8 },
		{ G_MMIO + 16, 0, 8 },
	};
	struct a64_vm g;
	uint64_t data, addr, pc, pc0;
	uint32_t len;
	bool ok;
	int i;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_mmio_write);
	for (i = 0; i < 5; i++) {
		ok = a64_run_mmio(&g, 0, true, &data, &len, &addr);
		pc = a64_get(g.vcpu[0], A64_PC);
		if (i == 0)
			pc0 = pc;
		tap_result(ok && addr == want[i].addr && len == want[i].len &&
			   data == want[i].data,
			   "MMIO write %u bytes: addr 0x%llx data 0x%llx",
			   want[i].len, (unsigned long long)addr,
			   (unsigned long long)data);
	}
	tap_result(pc0 >= GUEST_mmio_write && pc0 < GUEST_mmio_write + 32,
		   "PC at an MMIO exit is the access (0x%llx)",
		   (unsigned long long)pc0);
	tap_result(a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN),
		   "PSCI SYSTEM_OFF over HVC: KVM_EXIT_SYSTEM_EVENT shutdown");
	a64_vm_destroy(&g);
}

static void test_mmio_read(void)
{
	/* data the host answers with for each read, as little endian */
	static const uint64_t answer[] = {
		0x8899aabbccddeeffULL, 0x8899aabbccddeeffULL,
		0x8899aabbccddeeffULL, 0x8899aabbccddeeffULL,
		0x80, 0x8001, 0x80000001, 0xfe, 0x5555,
	};
	static const struct { int reg; uint64_t val; const char *what; } want[] = {
		{ 1, 0xff, "ldrb w1" },
		{ 2, 0xeeff, "ldrh w2" },
		{ 3, 0xccddeeff, "ldr w3" },
		{ 4, 0x8899aabbccddeeffULL, "ldr x4" },
		{ 5, 0xffffffffffffff80ULL, "ldrsb x5 (sign-extended)" },
		{ 6, 0xffff8001, "ldrsh w6 (sign-extended to 32 bits)" },
		{ 7, 0xffffffff80000001ULL, "ldrsw x7 (sign-extended)" },
		{ 8, 0xfffffffe, "ldrsb w8 (sign-extended to 32 bits)" },
		{ 9, 0x1234, "ldr xzr leaves x9 alone" },
	};
	static const uint32_t lens[] = { 1, 2, 4, 8, 1, 2, 4, 1, 8 };
	struct a64_vm g;
	uint64_t data, addr;
	uint32_t len;
	bool ok = true;
	int i;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_mmio_read);
	for (i = 0; i < 9; i++) {
		if (!a64_run_mmio(&g, 0, false, &data, &len, &addr) ||
		    len != lens[i]) {
			tap_diag("read %d: len %u, want %u", i, len, lens[i]);
			ok = false;
			break;
		}
		memcpy(g.run[0]->mmio.data, &answer[i], 8);
	}
	tap_result(ok, "9 MMIO reads of sizes 1, 2, 4, 8 exit with their length");
	ok = ok && a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN);
	for (i = 0; i < 9; i++) {
		uint64_t got = ok ? a64_get(g.vcpu[0], A64_X(want[i].reg)) : 0;

		tap_result(ok && got == want[i].val, "MMIO read %s = 0x%llx",
			   want[i].what, (unsigned long long)got);
	}
	a64_vm_destroy(&g);

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_mmio_nisv);
	tap_result(a64_run(&g, 0) == ENOSYS,
		   "MMIO ldp (no syndrome): KVM_RUN fails with ENOSYS, as KVM");
	a64_vm_destroy(&g);
}

/*
 * As KVM: the KVM_RUN after an MMIO load finishes it (register written,
 * PC stepped) before it looks at immediate_exit, so an EINTR leaves the
 * load done and exit_reason alone; resuming must not load again.
 */
static void test_mmio_immediate_exit(void)
{
	const uint64_t val = 0x0123456789abcdefULL;
	uint64_t data, addr, pc0, pc = 0, x1 = 0;
	struct a64_vm g;
	uint32_t len;
	bool ok;
	int r, e;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_mmio_echo);
	a64_set(g.vcpu[0], A64_X(1), 0);
	ok = a64_run_mmio(&g, 0, false, &data, &len, &addr) &&
	     addr == G_MMIO && len == 8;
	pc0 = a64_get(g.vcpu[0], A64_PC);
	memcpy(g.run[0]->mmio.data, &val, 8);
	g.run[0]->immediate_exit = 1;
	r = ioctl(g.vcpu[0], KVM_RUN, 0);
	e = errno;
	tap_result(ok && r == -1 && e == EINTR &&
		   g.run[0]->exit_reason == KVM_EXIT_MMIO,
		   "MMIO load answered, immediate_exit: EINTR, exit_reason still MMIO (%s)",
		   a64_exit_name(g.run[0]->exit_reason));
	if (ok) {
		x1 = a64_get(g.vcpu[0], A64_X(1));
		pc = a64_get(g.vcpu[0], A64_PC);
	}
	tap_result(ok && x1 == val && pc == pc0 + 4,
		   "after the EINTR: x1 = 0x%llx, PC 0x%llx past the load at 0x%llx",
		   (unsigned long long)x1, (unsigned long long)pc,
		   (unsigned long long)pc0);
	/* a second immediate exit: nothing left to finish, nothing moves */
	r = ioctl(g.vcpu[0], KVM_RUN, 0);
	e = errno;
	tap_result(ok && r == -1 && e == EINTR &&
		   a64_get(g.vcpu[0], A64_PC) == pc0 + 4 &&
		   a64_get(g.vcpu[0], A64_X(1)) == val,
		   "a second immediate_exit KVM_RUN: EINTR, x1 and PC unchanged");
	g.run[0]->immediate_exit = 0;
	ok = ok && a64_run_mmio(&g, 0, true, &data, &len, &addr);
	tap_result(ok && addr == G_MMIO + 8 && data == val &&
		   a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN),
		   "resumed: the guest stores the loaded value back (0x%llx), then SYSTEM_OFF",
		   (unsigned long long)data);
	a64_vm_destroy(&g);
}

static void test_hvc(void)
{
	static const struct { uint64_t val; const char *what; } want[] = {
		{ 0x10000, "PSCI_VERSION over HVC = 1.0" },
		{ 0, "PSCI_FEATURES(SYSTEM_OFF) = 0" },
		{ 0xffffffffffffffffULL, "PSCI_FEATURES(unknown) = NOT_SUPPORTED" },
		{ 0x10001, "SMCCC_VERSION = 1.1" },
		{ 0xffffffffffffffffULL, "unknown SMCCC call = NOT_SUPPORTED" },
		{ 0x10000, "PSCI_VERSION over SMC (trapped) = 1.0" },
		{ 0, "AFFINITY_INFO(self) = ON" },
	};
	struct a64_vm g;
	uint64_t got;
	int i;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_hvc_calls);
	for (i = 0; i < 7; i++) {
		got = a64_report(&g, 0);
		tap_result(got == want[i].val, "%s (0x%llx)", want[i].what,
			   (unsigned long long)got);
	}
	tap_result(a64_run_event(&g, 0, KVM_SYSTEM_EVENT_RESET),
		   "PSCI SYSTEM_RESET: KVM_EXIT_SYSTEM_EVENT reset");
	a64_vm_destroy(&g);
}

static void test_wfi(void)
{
	struct a64_vm g;
	uint64_t slept, asked, ctl, t0, ns;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_wfi_test);
	tap_result(a64_report(&g, 0) == 1,
		   "WFI with nothing armed completes (a spurious wake-up)");
	t0 = a64_now_ns();
	slept = a64_report(&g, 0);
	ns = a64_now_ns() - t0;
	asked = a64_report(&g, 0);
	ctl = a64_report(&g, 0);
	tap_result(slept >= asked && asked > 0,
		   "WFI with the virtual timer armed sleeps until it fires (%llu >= %llu ticks)",
		   (unsigned long long)slept, (unsigned long long)asked);
	tap_result(ns >= 20000000,
		   "... and KVM_RUN took %llu us (timer 1/32 s)",
		   (unsigned long long)ns / 1000);
	tap_result(ctl == 5, "CNTV_CTL_EL0 reads ENABLE | ISTATUS (0x%llx)",
		   (unsigned long long)ctl);
	tap_result(a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN),
		   "WFE completes, then SYSTEM_OFF");
	a64_vm_destroy(&g);
}

static void test_ram(void)
{
	struct a64_vm g;
	uint64_t sum, want = 0, *p;
	bool ok = true;
	int i;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_ram_touch);
	for (i = 0; i < 256; i++)
		want += 0x100 + i;
	sum = a64_report(&g, 0);
	tap_result(sum == want,
		   "256 pages written and read back through stage-2 faults (sum 0x%llx)",
		   (unsigned long long)sum);
	for (i = 0; i < 256; i++) {
		p = (uint64_t *)((char *)g.ram + (G_DATA - G_RAM) + i * 4096);
		if (*p != 0x100ULL + i)
			ok = false;
	}
	tap_result(ok, "the host sees the guest's writes in its mapping");
	tap_result(a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN),
		   "SYSTEM_OFF after the RAM test");
	a64_vm_destroy(&g);
}

static void test_exceptions(void)
{
	static const struct { unsigned int ec; const char *what; } want[] = {
		{ 0x15, "SVC #0x42 taken at EL1 (EC 0x15)" },
		{ 0x3c, "BRK #7 taken at EL1 (EC 0x3c)" },
		{ 0x00, "UDF taken at EL1 (EC 0x00)" },
		{ 0x00, "trapped IMPDEF register: UNDEF injected (EC 0x00)" },
		{ 0x21, "fetch outside RAM: prefetch abort injected (EC 0x21)" },
	};
	struct a64_vm g;
	uint64_t esr, elr, far, spsr, vbar;
	int i;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_exc_test);
	for (i = 0; i < 5; i++) {
		esr = a64_report(&g, 0);
		elr = a64_report(&g, 0);
		far = a64_report(&g, 0);
		spsr = a64_report(&g, 0);
		tap_result((esr >> 26) == want[i].ec && (spsr & 0x3cf) == 0x3c5,
			   "%s: ESR 0x%llx ELR 0x%llx SPSR 0x%llx", want[i].what,
			   (unsigned long long)esr, (unsigned long long)elr,
			   (unsigned long long)spsr);
		if (i == 1)
			tap_result((esr & 0xffff) == 7, "BRK comment 7 in ESR");
		if (i == 4)
			tap_result(far == G_MMIO_FETCH && elr == G_MMIO_FETCH,
				   "prefetch abort: FAR = ELR = 0x%llx",
				   (unsigned long long)far);
	}
	tap_result(a64_report(&g, 0) == 0xe0d,
		   "the guest resumes after its handlers");
	vbar = a64_get(g.vcpu[0], A64_VBAR);
	tap_result(vbar > GUEST_exc_test && !(vbar & 0x7ff),
		   "VBAR_EL1 set by the guest reads 0x%llx",
		   (unsigned long long)vbar);
	tap_result(a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN),
		   "SYSTEM_OFF after the exception test");
	a64_vm_destroy(&g);
}

static void test_sysregs(void)
{
	struct a64_vm g;
	uint64_t x[12], hz, mpidr;
	int i;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_sysreg_test);
	tap_result(a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN),
		   "system register test ran to SYSTEM_OFF");
	for (i = 1; i < 12; i++)
		x[i] = a64_get(g.vcpu[0], A64_X(i));
	hz = x[5];
	mpidr = a64_get(g.vcpu[0], A64_MPIDR);
	tap_result(x[2] == 0x5a && a64_get(g.vcpu[0], A64_MDSCR) == 0x5a,
		   "MDSCR_EL1 (trapped) keeps the guest's 0x5a");
	tap_result(x[3] == 0 && x[4] == 0,
		   "PMCR_EL0 and CNTP_CTL_EL0 (trapped) read as zero");
	tap_result(hz > 0 && x[6] > 0 && x[7] >= x[6],
		   "CNTFRQ_EL0 %llu Hz, CNTVCT_EL0 and CNTPCT_EL0 readable",
		   (unsigned long long)hz);
	tap_result(x[8] == a64_get(g.vcpu[0], A64_MIDR) && x[9] == mpidr,
		   "MIDR_EL1 and MPIDR_EL1 read what ONE_REG reports");
	tap_result(x[10] == 8 && x[11] == 0,
		   "OSLSR_EL1 reads unlocked, OSLAR/ACTLR accesses emulated");
	a64_vm_destroy(&g);
}

static void test_fp_tls(void)
{
	unsigned __int128 v1 = ((unsigned __int128)0x1111111122222222ULL << 64) |
			       0x3333333344444444ULL, v0, d2;
	volatile double host = 1.5;
	uint64_t tp0, tp1, x2;
	struct a64_vm g;
	int e;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_fp_test);
	a64_set(g.vcpu[0], A64_CPACR, CPACR_FPEN);
	a64_set_err(g.vcpu[0], A64_V(1), &v1);
	host *= 3.0;
	tap_result(a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN),
		   "FP test ran to SYSTEM_OFF");
	host += 0.25;
	e = a64_get_err(g.vcpu[0], A64_V(0), &v0);
	tap_result(!e && v0 == v1 + v1 - ((unsigned __int128)0 << 64) &&
		   a64_get(g.vcpu[0], A64_X(1)) == 0x3333333344444444ULL,
		   "guest FP/SIMD registers: v1 from the host, v0 = v1 + v1");
	a64_get_err(g.vcpu[0], A64_V(2), &d2);
	tap_result((uint64_t)d2 == 0x0123456789abcdefULL && (d2 >> 64) == 0,
		   "fmov d2 zeroes the upper half");
	tap_result(host == 4.75, "host FP state intact across guest runs");
	a64_vm_destroy(&g);

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_tls_test);
	asm volatile("mrs %0, tpidr_el0" : "=r"(tp0));
	tap_result(a64_run_event(&g, 0, KVM_SYSTEM_EVENT_SHUTDOWN),
		   "TLS test ran to SYSTEM_OFF");
	asm volatile("mrs %0, tpidr_el0" : "=r"(tp1));
	x2 = a64_get(g.vcpu[0], A64_X(2));
	errno = 0;
	tap_result(tp0 == tp1 && x2 == 0xdead0000beef0000ULL &&
		   a64_get(g.vcpu[0], A64_TPIDR_EL0) == x2 &&
		   a64_get(g.vcpu[0], A64_TPIDR_EL1) == x2 &&
		   a64_get(g.vcpu[0], A64_SP) == x2,
		   "guest TPIDR_EL0/TPIDRRO_EL0/TPIDR_EL1/SP_EL0 are its own, the host's TLS survives");
	a64_vm_destroy(&g);
}

/* Slot 1 at G_SLOT2 is replaced under a running guest: no stale TLB. */
static void test_slot_remap(void)
{
	struct kvm_userspace_memory_region mem = {
		.slot = 1, .guest_phys_addr = G_SLOT2, .memory_size = 4096,
	};
	uint64_t *a, *b, got1, got2, got3;
	struct a64_vm g;

	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*a = 0xaaaa;
	*b = 0xbbbb;
	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	mem.userspace_addr = (uintptr_t)a;
	if (ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &mem))
		tap_bail("slot 1: %s", hv_errname(errno));
	a64_start(&g, 0, GUEST_slot_read);
	got1 = a64_report(&g, 0);
	got2 = a64_report(&g, 0);
	mem.memory_size = 0;
	ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &mem);
	mem.memory_size = 4096;
	mem.userspace_addr = (uintptr_t)b;
	if (ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &mem))
		tap_bail("slot 1 again: %s", hv_errname(errno));
	got3 = a64_report(&g, 0);	/* the read before the report */
	got3 = a64_report(&g, 0);
	tap_result(got1 == 0xaaaa && got2 == 0xaaaa,
		   "guest reads slot 1 (0x%llx)", (unsigned long long)got1);
	tap_result(got3 == 0xbbbb,
		   "after the slot is replaced the guest reads the new backing (0x%llx): stage-2 TLB invalidated",
		   (unsigned long long)got3);
	a64_vm_destroy(&g);
	munmap(a, 4096);
	munmap(b, 4096);
}

/* Two VMs, same guest-physical layout, different backing: VMIDs. */
static void test_two_vms(void)
{
	struct kvm_userspace_memory_region mem = {
		.slot = 1, .guest_phys_addr = G_SLOT2, .memory_size = 4096,
	};
	struct a64_vm g[2];
	uint64_t *page[2], got;
	bool ok = true;
	int i, k;

	for (k = 0; k < 2; k++) {
		page[k] = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		*page[k] = 0x1000 + k;
		a64_vm_create(&g[k]);
		a64_vcpu_add(&g[k], 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
		mem.userspace_addr = (uintptr_t)page[k];
		if (ioctl(g[k].vm, KVM_SET_USER_MEMORY_REGION, &mem))
			tap_bail("slot 1: %s", hv_errname(errno));
		a64_start(&g[k], 0, GUEST_slot_read);
	}
	for (i = 0; i < 20; i++)
		for (k = 0; k < 2; k++) {
			got = a64_report(&g[k], 0);
			if (got != 0x1000ULL + k) {
				tap_diag("VM %d round %d read 0x%llx", k, i,
					 (unsigned long long)got);
				ok = false;
			}
		}
	tap_result(ok, "two VMs alternating 20 times each see their own page at the same IPA");
	for (k = 0; k < 2; k++) {
		a64_vm_destroy(&g[k]);
		munmap(page[k], 4096);
	}
}

static volatile int sig_seen;
static void on_usr1(int sig)
{
	(void)sig;
	sig_seen = 1;
}

static void *kick(void *arg)
{
	usleep(200000);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

/* A guest that never exits: host timer IRQs preempt it, signals stop it. */
static void test_spin(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t self = pthread_self(), t;
	struct a64_vm g;
	uint64_t t0, ns, x1;
	int r, e;

	sigaction(SIGUSR1, &sa, NULL);
	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_spin);
	pthread_create(&t, NULL, kick, &self);
	t0 = a64_now_ns();
	r = ioctl(g.vcpu[0], KVM_RUN, 0);
	e = errno;
	ns = a64_now_ns() - t0;
	pthread_join(t, NULL);
	x1 = a64_get(g.vcpu[0], A64_X(1));
	tap_result(r < 0 && e == EINTR && sig_seen &&
		   g.run[0]->exit_reason == KVM_EXIT_INTR,
		   "a spinning guest is stopped by a signal: EINTR, KVM_EXIT_INTR after %llu ms",
		   (unsigned long long)ns / 1000000);
	tap_result(x1 > 1000, "the guest ran meanwhile (x1 = %llu)",
		   (unsigned long long)x1);
	a64_vm_destroy(&g);
}

struct smp_arg {
	struct a64_vm *g;
	uint64_t ctx, mpidr;
	int err;
};

static void *smp_secondary(void *p)
{
	struct smp_arg *a = p;

	a->ctx = a64_report(a->g, 1);
	a->mpidr = a64_report(a->g, 1);
	return NULL;
}

static void test_smp(void)
{
	struct smp_arg arg = { 0 };
	struct a64_vm g;
	uint64_t r[5];
	pthread_t t;
	int i;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_vcpu_add(&g, 1, (1U << KVM_ARM_VCPU_PSCI_0_2) |
			    (1U << KVM_ARM_VCPU_POWER_OFF));
	a64_start(&g, 0, GUEST_smp_boot);
	arg.g = &g;
	pthread_create(&t, NULL, smp_secondary, &arg);
	for (i = 0; i < 5; i++)
		r[i] = a64_report(&g, 0);
	pthread_join(t, NULL);
	tap_result(r[0] == 1, "AFFINITY_INFO(vCPU 1) = OFF before CPU_ON");
	tap_result(r[1] == 0, "CPU_ON(vCPU 1) = SUCCESS");
	tap_result(r[2] == (uint64_t)-4 || r[2] == (uint64_t)-5,
		   "CPU_ON again = ALREADY_ON or ON_PENDING (%lld)",
		   (long long)r[2]);
	tap_result(r[3] == (uint64_t)-2, "CPU_ON(no such MPIDR) = INVALID_PARAMETERS");
	tap_result(arg.ctx == 0x77 && arg.mpidr == 0x80000001,
		   "vCPU 1 started at the entry point with x0 = context id, MPIDR 0x%llx",
		   (unsigned long long)arg.mpidr);
	a64_vm_destroy(&g);
}

static void test_exit_cost(void)
{
	struct a64_vm g;
	uint64_t t0, ns, n = 2000, i, left, x0;
	bool seq = true;

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_hvc_loop);
	a64_set(g.vcpu[0], A64_X(1), n);
	a64_report(&g, 0);		/* warm up: pages mapped */
	a64_set(g.vcpu[0], A64_X(1), n);
	a64_start(&g, 0, GUEST_hvc_loop);
	t0 = a64_now_ns();
	left = a64_report(&g, 0);
	ns = a64_now_ns() - t0;
	x0 = a64_get(g.vcpu[0], A64_X(0));
	/* the loop ran down to 0 and the last call answered PSCI 1.0 */
	tap_result(left == 0 && x0 == 0x10000,
		   "%llu in-kernel exits (HVC PSCI_VERSION): %llu ns each",
		   (unsigned long long)n, (unsigned long long)(ns / n));
	a64_vm_destroy(&g);

	a64_vm_create(&g);
	a64_vcpu_add(&g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	a64_start(&g, 0, GUEST_mmio_loop);
	a64_set(g.vcpu[0], A64_X(1), 0);
	a64_report(&g, 0);
	t0 = a64_now_ns();
	for (i = 0; i < n; i++)
		if (a64_report(&g, 0) != i + 1)
			seq = false;
	ns = a64_now_ns() - t0;
	/* every exit carried the guest's next count: none lost or repeated */
	tap_result(seq, "%llu userspace MMIO exits in order: %llu ns each round trip",
		   (unsigned long long)n, (unsigned long long)(ns / n));
	a64_vm_destroy(&g);
}

int main(void)
{
	const char *verbose = getenv("HVMOD_A64_VERBOSE");
	int fd = hv_open_or_skip();
	FILE *f;

	close(fd);
	/* HVMOD_A64_VERBOSE=3 (kernel command line): hvmod traces exits */
	if (verbose && (f = fopen("/sys/module/hvmod/parameters/verbose", "w"))) {
		fputs(verbose, f);
		fclose(f);
	}
	tap_plan(NR_TESTS);
	test_mmio_write();
	test_mmio_read();
	test_mmio_immediate_exit();
	test_hvc();
	test_wfi();
	test_ram();
	test_exceptions();
	test_sysregs();
	test_fp_tls();
	test_slot_remap();
	test_two_vms();
	test_spin();
	test_smp();
	test_exit_cost();
	return tap_finish();
}

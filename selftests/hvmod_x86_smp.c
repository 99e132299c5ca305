// SPDX-License-Identifier: GPL-2.0
/*
 * Two vCPUs of one VM running at once on two host threads (one per CPU):
 * each sees its own KVM_SET_CPUID2 table, both meet at a rendezvous in
 * guest memory (so they really overlap), each increments its own counter
 * N times and a shared one with LOCK INC, and exits by OUT.
 *
 * With one CPU online (the Bochs box) both threads share it: the first
 * vCPU at the rendezvous spins there without any exit until the host takes
 * the CPU back (host interrupt, or the backend's own time slice) and
 * schedules the other thread, so the rendezvous then proves that a guest
 * that never exits is preempted and both vCPUs are inside KVM_RUN at once.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "guest.h"
#include "x86_smp.sym.h"

HV_GUEST_BLOB(x86_smp);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	8
#define NR_VCPUS	2
#define N		100000
#define ARRIVED		(G_DATA + 0x100)
#define SHARED		(G_DATA + 0x200)
#define COUNTER(i)	(G_DATA + 0x300 + (i) * 0x40)
#define APIC_ID(i)	(0x25 + (i))
#define TIMEOUT		120	/* seconds for both vCPUs */

struct vcpu_thread {
	pthread_t tid;
	struct hv_vcpu v;
	pthread_barrier_t *start;
	int err;		/* KVM_RUN errno */
	uint32_t exits[3];	/* exit reasons: after CPUID, count, end */
	uint32_t apic_id, count;
	uint64_t rip;		/* at the final exit */
};

static struct hv_vm vm;

static void on_usr1(int sig)
{
	(void)sig;
}

/* Runs once; records the exit and the OUT data (port must match). */
static bool step(struct vcpu_thread *t, int n, uint16_t port, uint32_t *val)
{
	struct kvm_run *run = t->v.run;

	if (ioctl(t->v.fd, KVM_RUN, 0UL)) {
		t->err = errno;
		return false;
	}
	t->exits[n] = run->exit_reason;
	if (port && (run->exit_reason != KVM_EXIT_IO || run->io.port != port))
		return false;
	if (val)
		*val = hv_io_data(&t->v);
	return true;
}

static void *vcpu_main(void *arg)
{
	struct vcpu_thread *t = arg;
	struct kvm_regs r;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->v.id % hv_online_cpus(), &set);
	sched_setaffinity(0, sizeof(set), &set);	/* best effort */
	pthread_barrier_wait(t->start);
	if (step(t, 0, 0x11, &t->apic_id) && step(t, 1, 0x10, &t->count) &&
	    step(t, 2, 0, NULL) && ioctl(t->v.fd, KVM_GET_REGS, &r) == 0)
		t->rip = r.rip;
	return NULL;
}

/* vCPU i's CPUID table: the supported one with leaf 1 EBX[31:24] = APIC_ID(i). */
static void set_cpuid(struct hv_vcpu *v, int i)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[256];
	} cpuid = { .c.nent = 256 };
	unsigned int k;

	if (ioctl(vm.sys, KVM_GET_SUPPORTED_CPUID, &cpuid))
		tap_bail("KVM_GET_SUPPORTED_CPUID: %s", hv_errname(errno));
	for (k = 0; k < cpuid.c.nent; k++)
		if (cpuid.e[k].function == 1)
			cpuid.e[k].ebx = (cpuid.e[k].ebx & 0xffffff) | APIC_ID(i) << 24;
	if (ioctl(v->fd, KVM_SET_CPUID2, &cpuid))
		tap_bail("KVM_SET_CPUID2: %s", hv_errname(errno));
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct vcpu_thread t[NR_VCPUS];
	pthread_barrier_t start;
	struct timespec until;
	bool joined[NR_VCPUS], ok;
	int i, sys = hv_x86_open();

	tap_plan(NR_TESTS);
	if (hv_online_cpus() < NR_VCPUS)
		tap_diag("%d CPU(s) online for %d vCPUs: the vCPU threads take turns, the host must preempt the spinning one",
			 hv_online_cpus(), NR_VCPUS);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: stops KVM_RUN */
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_smp_bin, x86_smp_bin_end);
	pthread_barrier_init(&start, NULL, NR_VCPUS);
	memset(t, 0, sizeof(t));
	for (i = 0; i < NR_VCPUS; i++) {
		struct kvm_regs r;

		hv_vcpu_new(&vm, &t[i].v, i);
		set_cpuid(&t[i].v, i);
		hv_vcpu_mode(&t[i].v, HV_LONG64, GUEST_count_entry);
		hv_get_regs(&t[i].v, &r);
		r.rbx = COUNTER(i);
		r.rcx = N;
		hv_set_regs(&t[i].v, &r);
		t[i].start = &start;
	}
	for (i = 0; i < NR_VCPUS; i++)
		if (pthread_create(&t[i].tid, NULL, vcpu_main, &t[i]))
			tap_bail("pthread_create failed");
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += TIMEOUT;
	for (i = 0; i < NR_VCPUS; i++) {
		joined[i] = !pthread_timedjoin_np(t[i].tid, NULL, &until);
		if (!joined[i]) {
			tap_diag("vCPU %d still in KVM_RUN after %d s: SIGUSR1", i, TIMEOUT);
			pthread_kill(t[i].tid, SIGUSR1);
			pthread_join(t[i].tid, NULL);
		}
	}

	for (i = 0; i < NR_VCPUS; i++)
		if (!hv_expect_hex(t[i].exits[0] == KVM_EXIT_IO, t[i].apic_id, APIC_ID(i),
				   "vCPU %d: guest CPUID.1:EBX[31:24] is 0x%x from its own KVM_SET_CPUID2 table",
				   i, APIC_ID(i)))
			tap_diag("vCPU %d: KVM_RUN %s, exit %s", i,
				 t[i].err ? hv_errname(t[i].err) : "ok",
				 hv_exit_name(t[i].exits[0]));
	ok = t[0].exits[1] == KVM_EXIT_IO && t[1].exits[1] == KVM_EXIT_IO &&
	     *(uint32_t *)(vm.mem + ARRIVED) == NR_VCPUS;
	if (!tap_result(ok, "both vCPUs met at the rendezvous in guest memory (ran at the same time)"))
		tap_diag("arrived %u; vCPU 0: %s %s, vCPU 1: %s %s",
			 *(uint32_t *)(vm.mem + ARRIVED),
			 t[0].err ? hv_errname(t[0].err) : "ok", hv_exit_name(t[0].exits[1]),
			 t[1].err ? hv_errname(t[1].err) : "ok", hv_exit_name(t[1].exits[1]));
	for (i = 0; i < NR_VCPUS; i++) {
		uint64_t mem = *(uint64_t *)(vm.mem + COUNTER(i));

		if (!tap_result(ok && t[i].count == N && mem == N,
				"vCPU %d: its counter reached %d (reported by OUT and in memory)", i, N))
			tap_diag("reported %u, memory %llu", t[i].count, (unsigned long long)mem);
	}
	hv_expect_hex(ok, *(uint64_t *)(vm.mem + SHARED), 2 * N,
		      "shared counter incremented with LOCK INC by both vCPUs: %d", 2 * N);
	for (i = 0; i < NR_VCPUS; i++)
		if (!tap_result(t[i].exits[2] == KVM_EXIT_HLT && t[i].rip == GUEST_count_end,
				"vCPU %d: ends with KVM_EXIT_HLT past its HLT", i))
			tap_diag("exit %s, RIP 0x%llx", hv_exit_name(t[i].exits[2]),
				 (unsigned long long)t[i].rip);
	for (i = 0; i < NR_VCPUS; i++)
		hv_vcpu_free(&t[i].v);
	hv_vm_free(&vm);
	return tap_finish();
}

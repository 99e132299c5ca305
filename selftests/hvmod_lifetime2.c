// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes under faults: a VMM killed with SIGKILL while its vCPUs spin in
 * KVM_RUN, while it changes memory slots in a loop, and while it creates and
 * destroys VMs and vCPUs in a loop; a VMM that forks (the child closing its
 * inherited fds, or exiting with them, or keeping them after the parent
 * closed its own); guest memory unmapped while the guest runs.  As with
 * KVM, a VM belongs to the mm that created it: VM and vCPU ioctls from a
 * forked child fail with EIO, while the inherited /dev/hvmod fd still
 * creates VMs of the child's own.  Every case
 * ends with all counts back to 0, and the kernel log stays clean.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvmod_util.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

#define NR_KILL_PHASES	3
#define NR_ROUNDS	4
#define NR_FORK_TESTS	(5 + 4 + 2 + 3)
#define NR_MUNMAP_TESTS	5
#define NR_TESTS	(1 + NR_KILL_PHASES * NR_ROUNDS * 2 + NR_FORK_TESTS + \
			 NR_MUNMAP_TESTS + 1)

#define MEM_SIZE	0x10000		/* slot 0 at GPA 0 */
#define SLOT1_GPA	0x100000	/* slot 1: 1 MiB, changed under the guest */
#define SLOT1_SIZE	0x100000
#define REAP_SECS	10

/*
 * 32-bit guest code at GPA 0x1000 (flat segments, no paging):
 *   0x1000 spin:  jmp $
 *   0x1010 count: inc eax; mov [0x2000], eax; jmp count
 *   0x1020 touch: for (ebx = 0x100000; ebx < 0x200000; ebx += 4096)
 *                   [ebx] = [ebx] + 1;  forever (slot 1, or MMIO if absent)
 *   0x1040 fresh: mov dword [0x5000], 0x12345678; hlt  (a page not touched)
 *   0x1050 halt:  hlt
 */
#define G_SPIN		0x1000
#define G_COUNT		0x1010
#define G_TOUCH		0x1020
#define G_FRESH		0x1040
#define G_HALT		0x1050
#define G_COUNTER	0x2000
#define G_FRESH_PAGE	0x5000

static const struct {
	uint32_t gpa;
	uint8_t len;
	uint8_t code[28];
} code[] = {
	{ G_SPIN, 2, { 0xeb, 0xfe } },
	{ G_COUNT, 9, { 0x40, 0x89, 0x05, 0x00, 0x20, 0x00, 0x00, 0xeb, 0xf7 } },
	{ G_TOUCH, 26, { 0xbb, 0x00, 0x00, 0x10, 0x00,	/* mov ebx, 0x100000 */
			 0x8b, 0x03,			/* mov eax, [ebx] */
			 0x40,				/* inc eax */
			 0x89, 0x03,			/* mov [ebx], eax */
			 0x81, 0xc3, 0x00, 0x10, 0x00, 0x00,	/* add ebx, 4096 */
			 0x81, 0xfb, 0x00, 0x00, 0x20, 0x00,	/* cmp ebx, 0x200000 */
			 0x72, 0xed,			/* jb 0x1025 */
			 0xeb, 0xe6 } },		/* jmp 0x1020 */
	{ G_FRESH, 11, { 0xc7, 0x05, 0x00, 0x50, 0x00, 0x00,
			 0x78, 0x56, 0x34, 0x12, 0xf4 } },
	{ G_HALT, 1, { 0xf4 } },
};

struct mini {
	int sys, vm, nvcpu;
	int vcpu[4];
	struct kvm_run *run[4];
	uint8_t *mem;
};

static int sys_probe = -1;

/* ---- a minimal VMM that never bails (it also runs in children) ---- */

static void mini_close(struct mini *m)
{
	int i;

	for (i = 0; i < m->nvcpu; i++) {
		if (m->run[i] && m->run[i] != MAP_FAILED)
			munmap(m->run[i], HV_RUN_SIZE);
		if (m->vcpu[i] >= 0)
			close(m->vcpu[i]);
	}
	if (m->vm >= 0)
		close(m->vm);
	if (m->sys >= 0)
		close(m->sys);
	if (m->mem && m->mem != MAP_FAILED)
		munmap(m->mem, MEM_SIZE);
	memset(m, 0, sizeof(*m));
	m->sys = m->vm = -1;
}

static int set_slot(int vm, uint32_t slot, uint64_t gpa, uint64_t size,
		    void *mem)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

/* vCPU i in 32-bit protected mode at rip; 0 or -1 with errno. */
static int mini_vcpu_at(struct mini *m, int i, uint64_t rip)
{
	struct kvm_regs regs = { .rip = rip, .rflags = 2 };
	struct kvm_sregs s;

	if (ioctl(m->vcpu[i], KVM_GET_SREGS, &s))
		return -1;
	flat_seg(&s.cs, 8, 11);
	flat_seg(&s.ds, 16, 3);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.cr0 = 0x33;	/* PE MP ET NE */
	if (ioctl(m->vcpu[i], KVM_SET_SREGS, &s))
		return -1;
	return ioctl(m->vcpu[i], KVM_SET_REGS, &regs);
}

/* VM, MEM_SIZE of RAM at GPA 0 with the code above, nvcpu vCPUs at rip. */
static int mini_new(struct mini *m, int nvcpu, uint64_t rip)
{
	unsigned int k;
	int i;

	memset(m, 0, sizeof(*m));
	m->sys = m->vm = -1;
	m->sys = open(HVMOD_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (m->sys < 0)
		return -1;
	m->vm = ioctl(m->sys, KVM_CREATE_VM, 0UL);
	if (m->vm < 0)
		return -1;
	m->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->mem == MAP_FAILED)
		return -1;
	for (k = 0; k < sizeof(code) / sizeof(code[0]); k++)
		memcpy(m->mem + code[k].gpa, code[k].code, code[k].len);
	if (set_slot(m->vm, 0, 0, MEM_SIZE, m->mem))
		return -1;
	for (i = 0; i < nvcpu; i++) {
		m->vcpu[i] = -1;
		m->nvcpu = i + 1;
		m->vcpu[i] = ioctl(m->vm, KVM_CREATE_VCPU, (unsigned long)i);
		if (m->vcpu[i] < 0)
			return -1;
		m->run[i] = mmap(NULL, HV_RUN_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED, m->vcpu[i], 0);
		if (m->run[i] == MAP_FAILED || mini_vcpu_at(m, i, rip))
			return -1;
	}
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

/* ---- counts ---- */

static bool counts(struct hvmod_counts *c)
{
	struct hvmod_info info;

	if (hv_get_info(sys_probe, &info)) {
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
		memset(c, 0xff, sizeof(*c));
		return false;
	}
	*c = info.counts;
	return true;
}

/* All counts 0 (the system fd used to ask holds no VM). */
static bool expect_idle(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool expect_idle(const char *fmt, ...)
{
	struct hvmod_counts c;
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	counts(&c);
	return hv_expect_idle(&c, "%s", what);
}

/* ---- kill -9 in every phase ---- */

enum phase { PH_RUN, PH_SLOTS, PH_CREATE };
static const char *const phase_name[] = {
	"during KVM_RUN of spinning guests (3 vCPUs, 3 threads)",
	"during memory-slot changes in a loop (guest touching the slot)",
	"during VM/vCPU creation and destruction in a loop",
};

static void *spin_thread(void *arg)
{
	int fd = (intptr_t)arg;

	for (;;)
		ioctl(fd, KVM_RUN, 0UL);	/* MMIO and IO exits: re-enter */
	return NULL;
}

static void child_ready(int wfd)
{
	if (write(wfd, "r", 1) != 1)
		_exit(3);
}

static __attribute__((noreturn)) void child_run(int wfd)
{
	static const uint64_t rips[] = { G_SPIN, G_COUNT, G_TOUCH };
	uint8_t *s1 = mmap(NULL, SLOT1_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mini m;
	pthread_t t;
	int i;

	if (mini_new(&m, 3, G_SPIN) || s1 == MAP_FAILED ||
	    set_slot(m.vm, 1, SLOT1_GPA, SLOT1_SIZE, s1))
		_exit(2);
	for (i = 0; i < 3; i++) {
		if (mini_vcpu_at(&m, i, rips[i]))
			_exit(2);
		pthread_create(&t, NULL, spin_thread,
			       (void *)(intptr_t)m.vcpu[i]);
	}
	msleep(50);	/* let them enter the guest */
	child_ready(wfd);
	for (;;)
		pause();
}

static __attribute__((noreturn)) void child_slots(int wfd)
{
	uint8_t *s1 = mmap(NULL, 2 * SLOT1_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mini m;
	pthread_t t;
	unsigned int n;

	if (mini_new(&m, 1, G_TOUCH) || s1 == MAP_FAILED)
		_exit(2);
	pthread_create(&t, NULL, spin_thread, (void *)(intptr_t)m.vcpu[0]);
	child_ready(wfd);
	for (n = 0;; n++) {
		set_slot(m.vm, 1, SLOT1_GPA, SLOT1_SIZE, s1);
		msleep(1);
		set_slot(m.vm, 1, SLOT1_GPA + 0x400000, SLOT1_SIZE, s1);
		set_slot(m.vm, 1, SLOT1_GPA, SLOT1_SIZE, s1);
		set_slot(m.vm, 2 + n % 8, 0x1000000 + n % 8 * SLOT1_SIZE,
			 SLOT1_SIZE, s1 + SLOT1_SIZE);
		if (n % 4 == 3) {
			/* the guest's pages go, new ones come */
			mmap(s1, 2 * SLOT1_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		}
		set_slot(m.vm, 1, 0, 0, NULL);		/* delete */
		if (n % 8 == 7)
			set_slot(m.vm, 2 + n % 8, 0, 0, NULL);
	}
}

static __attribute__((noreturn)) void child_create(int wfd)
{
	struct mini m;
	unsigned int n;
	int i;

	for (n = 0;; n++) {
		if (mini_new(&m, 1 + n % 4, G_HALT))
			_exit(2);
		for (i = 0; i < m.nvcpu; i++)
			ioctl(m.vcpu[i], KVM_RUN, 0UL);
		if (!n)
			child_ready(wfd);
		if (n % 2) {
			/* VM fd first: the vCPUs keep it alive */
			close(m.vm);
			m.vm = -1;
		}
		mini_close(&m);
	}
}

/* Reaps pid within REAP_SECS; returns its wait status or -1. */
static int reap(pid_t pid)
{
	uint64_t end = now_ms() + REAP_SECS * 1000;
	int status;

	while (now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		msleep(10);
	}
	return -1;
}

static void test_kill(enum phase ph)
{
	static const unsigned int delay_ms[NR_ROUNDS] = { 5, 60, 200, 500 };
	struct pollfd pfd;
	int round, p[2], status;
	struct hvmod_counts c;
	char buf;
	pid_t pid;
	bool ok;

	for (round = 0; round < NR_ROUNDS; round++) {
		if (pipe2(p, O_CLOEXEC))
			tap_bail("pipe: %s", hv_errname(errno));
		pid = fork();
		if (pid < 0)
			tap_bail("fork: %s", hv_errname(errno));
		if (!pid) {
			close(p[0]);
			if (ph == PH_RUN)
				child_run(p[1]);
			else if (ph == PH_SLOTS)
				child_slots(p[1]);
			child_create(p[1]);
		}
		close(p[1]);
		pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
		ok = poll(&pfd, 1, REAP_SECS * 1000) == 1 &&
		     read(p[0], &buf, 1) == 1;
		close(p[0]);
		if (!ok)
			tap_diag("child never got ready (setup failed?)");
		msleep(delay_ms[round]);
		if (ok && counts(&c) && !c.vms) {
			tap_diag("child ready but no VM counted");
			hv_diag_counts(&c);
		}
		kill(pid, SIGKILL);
		status = reap(pid);
		if (!tap_result(ok && status >= 0 && WIFSIGNALED(status) &&
				WTERMSIG(status) == SIGKILL,
				"kill -9 %s, round %d (after %u ms): VMM reaped within %d s",
				phase_name[ph], round + 1, delay_ms[round],
				REAP_SECS)) {
			if (status < 0)
				tap_diag("child %d not reaped: stuck in the kernel?",
					 pid);
			else
				tap_diag("wait status 0x%x", status);
			if (status < 0)
				tap_bail("a killed VMM did not die");
		}
		expect_idle("kill -9 %s, round %d: all counts 0",
			    phase_name[ph], round + 1);
	}
}

/* ---- fork ---- */

/* KVM_RUN under a 50 ms alarm: EINTR expected for a running guest. */
static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static int run_for_ms(int vcpu, unsigned int ms)
{
	alarmed = 0;
	return hv_run_ms(vcpu, ms);
}

static uint64_t rax_of(int vcpu)
{
	struct kvm_regs r;

	return ioctl(vcpu, KVM_GET_REGS, &r) ? ~0ULL : r.rax;
}

/*
 * The parent's VM still works: the guest counts on, a new vCPU (id; ids
 * stay taken until the VM goes), slot 1.
 */
static void parent_still_works(struct mini *m, unsigned long id,
			       const char *when)
{
	uint64_t before = rax_of(m->vcpu[0]), after;
	int err = run_for_ms(m->vcpu[0], 50), fd;
	static uint8_t slot1[4096] __attribute__((aligned(4096)));

	after = rax_of(m->vcpu[0]);
	if (!tap_result(err == EINTR && after > before && after != ~0ULL,
			"%s: parent's guest keeps running (KVM_RUN -> EINTR, RAX advances)",
			when))
		tap_diag("KVM_RUN: %s, RAX 0x%llx -> 0x%llx", hv_errname(err),
			 (unsigned long long)before, (unsigned long long)after);
	fd = ioctl(m->vm, KVM_CREATE_VCPU, id);
	hv_check(fd, 0, "%s: parent's KVM_CREATE_VCPU(%lu) works", when, id);
	if (fd >= 0)
		close(fd);
	hv_check(set_slot(m->vm, 1, SLOT1_GPA, sizeof(slot1), slot1), 0,
		 "%s: parent's KVM_SET_USER_MEMORY_REGION works", when);
	set_slot(m->vm, 1, 0, 0, NULL);
}

/*
 * In a forked child: the VM and vCPU ioctls on the inherited fds fail
 * with EIO (KVM: kvm->mm != current->mm), the inherited system fd still
 * answers and creates a VM owned by the child.  Exit status: a bit per
 * check that failed.
 */
enum { CH_VCPU = 1, CH_RUN = 2, CH_VM = 4, CH_SLOT = 8, CH_EXT = 16,
       CH_SYS = 32, CH_OWN_VM = 64 };

static __attribute__((noreturn)) void child_foreign(struct mini *m)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	struct kvm_regs r;
	int bad = 0, vm, fd;

	if (ioctl(m->vcpu[0], KVM_GET_REGS, &r) != -1 || errno != EIO)
		bad |= CH_VCPU;
	if (ioctl(m->vcpu[0], KVM_RUN, 0UL) != -1 || errno != EIO)
		bad |= CH_RUN;
	if (ioctl(m->vm, KVM_CREATE_VCPU, 3UL) != -1 || errno != EIO)
		bad |= CH_VM;
	if (set_slot(m->vm, 1, SLOT1_GPA, sizeof(page), page) != -1 ||
	    errno != EIO)
		bad |= CH_SLOT;
	if (ioctl(m->vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) != -1 ||
	    errno != EIO)
		bad |= CH_EXT;
	if (ioctl(m->sys, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		bad |= CH_SYS;
	vm = ioctl(m->sys, KVM_CREATE_VM, 0UL);
	fd = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0UL);
	if (fd < 0 || set_slot(vm, 0, 0, sizeof(page), page))
		bad |= CH_OWN_VM;
	_exit(bad);
}

static void test_fork(void)
{
	struct hvmod_counts c;
	struct mini m;
	int status, p[2];
	char buf;
	pid_t pid;

	/* 1: the child closes everything it inherited, then exits */
	if (mini_new(&m, 1, G_COUNT))
		tap_bail("setup: VM for the fork test: %s", hv_errname(errno));
	run_for_ms(m.vcpu[0], 20);
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", hv_errname(errno));
	if (!pid) {
		munmap(m.run[0], HV_RUN_SIZE);
		munmap(m.mem, MEM_SIZE);
		_exit(close(m.vcpu[0]) || close(m.vm) || close(m.sys) ? 1 : 0);
	}
	status = reap(pid);
	hv_expect_eq(status, 0, "fork: child closed its inherited system, VM and vCPU fds and unmapped them (exit 0)");
	counts(&c);
	if (!tap_result(c.vms == 1 && c.vcpus == 1,
			"fork: child gone, parent's VM and vCPU still counted"))
		hv_diag_counts(&c);
	parent_still_works(&m, 1, "child closed its fds");

	/* 2: the child uses the fds, then exits with them open */
	pid = fork();
	if (!pid)
		child_foreign(&m);
	status = reap(pid);
	if (!tap_result(WIFEXITED(status) &&
			!(WEXITSTATUS(status) & ~(CH_SYS | CH_OWN_VM)),
			"fork: child's VM and vCPU ioctls on the inherited fds fail with EIO (KVM_GET_REGS, KVM_RUN, KVM_CREATE_VCPU, KVM_SET_USER_MEMORY_REGION, KVM_CHECK_EXTENSION)"))
		tap_diag("child status 0x%x (exit bits: 1 GET_REGS, 2 RUN, 4 CREATE_VCPU, 8 SET_USER_MEMORY_REGION, 16 CHECK_EXTENSION)",
			 status);
	hv_expect_eq(WIFEXITED(status) ?
		     WEXITSTATUS(status) & (CH_SYS | CH_OWN_VM) : -1, 0,
		     "fork: child's inherited /dev/hvmod fd answers and creates a VM of its own");
	hv_expect_eq(status, 0, "fork: second child exited without closing anything");
	parent_still_works(&m, 2, "child exited holding fds");

	/* 3: the parent closes first; the child's copies keep the VM */
	if (pipe2(p, O_CLOEXEC))
		tap_bail("pipe: %s", hv_errname(errno));
	pid = fork();
	if (!pid) {
		close(p[1]);
		/* wait for the parent to close, then exit holding the fds */
		_exit(read(p[0], &buf, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	mini_close(&m);
	counts(&c);
	if (!tap_result(c.vms == 1 && c.vcpus == 3,
			"fork: parent closed everything, child's inherited fds keep the VM (and its 3 vCPUs)"))
		hv_diag_counts(&c);
	close(p[1]);
	status = reap(pid);
	hv_expect_eq(status, 0, "fork: child exited after the parent closed");
	expect_idle("fork: child holding the last references exited: all counts 0");
}

/* ---- munmap of guest memory while the guest runs ---- */

struct runner {
	int vcpu;
	atomic_bool stop;
	unsigned long eintr, other, exits;
	int other_err;
};

static void on_usr1(int sig)
{
	(void)sig;
}

static void *runner_thread(void *arg)
{
	struct itimerspec its = { .it_value.tv_nsec = 10000000,
				  .it_interval.tv_nsec = 10000000 };
	struct sigevent sev = { 0 };
	struct runner *r = arg;
	timer_t timer;

	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify_thread_id = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer))
		return NULL;
	timer_settime(timer, 0, &its, NULL);
	while (!atomic_load(&r->stop)) {
		if (ioctl(r->vcpu, KVM_RUN, 0UL) == 0) {
			r->exits++;
		} else if (errno == EINTR) {
			r->eintr++;
		} else {
			r->other++;
			r->other_err = errno;
			break;
		}
	}
	timer_delete(timer);
	return NULL;
}

static void test_munmap(void)
{
	struct runner r = { 0 };
	static uint8_t saved[MEM_SIZE];
	struct mini m;
	pthread_t t;
	void *p;
	int err;

	if (mini_new(&m, 1, G_COUNT))
		tap_bail("setup: VM for the munmap test: %s", hv_errname(errno));
	memcpy(saved, m.mem, MEM_SIZE);
	r.vcpu = m.vcpu[0];
	pthread_create(&t, NULL, runner_thread, &r);
	msleep(100);
	/* the runner is (almost always) inside KVM_RUN now */
	if (munmap(m.mem, MEM_SIZE))
		tap_bail("munmap: %s", hv_errname(errno));
	msleep(200);
	atomic_store(&r.stop, true);
	pthread_join(t, NULL);
	/*
	 * As on KVM: the MMU notifier drops the guest's pages with the
	 * mapping, the guest's next touch finds no memory: KVM_RUN EFAULT.
	 */
	if (!tap_result(r.other == 1 && r.other_err == EFAULT,
			"munmap while the guest runs: its KVM_RUN ends with EFAULT (memory gone, as on KVM)"))
		tap_diag("KVM_RUN: %lu EINTR, %lu exits, %lu errors (last %s)",
			 r.eintr, r.exits, r.other, hv_errname(r.other_err));

	/* a page the guest never touched is gone too: a clean EFAULT */
	mini_vcpu_at(&m, 0, G_FRESH);
	err = run_for_ms(m.vcpu[0], 2000);
	hv_expect(err ? -1 : 0, err, EFAULT,
		  "after munmap: guest store to a never-touched page -> KVM_RUN EFAULT");
	err = run_for_ms(m.vcpu[0], 2000);
	hv_expect(err ? -1 : 0, err, EFAULT,
		  "after munmap: KVM_RUN again -> EFAULT again (no state lost)");

	/* new memory (with the guest's code) at the same address: it runs */
	p = mmap(m.mem, MEM_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap MAP_FIXED: %s", hv_errname(errno));
	memcpy(m.mem, saved, MEM_SIZE);
	err = run_for_ms(m.vcpu[0], 2000);
	if (!tap_result(!err && m.run[0]->exit_reason == KVM_EXIT_HLT &&
			*(uint32_t *)(m.mem + G_FRESH_PAGE) == 0x12345678,
			"memory mapped again at the slot's address: store lands there, KVM_EXIT_HLT"))
		tap_diag("KVM_RUN: %s, exit %u, [0x5000] = 0x%x", hv_errname(err),
			 m.run[0]->exit_reason,
			 *(uint32_t *)(m.mem + G_FRESH_PAGE));
	mini_close(&m);
	expect_idle("munmap test done: all counts 0");
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hv_kmsg km;
	bool kmsg_ok;
	int ph, n;

	sys_probe = hv_open_or_skip();
	if (ioctl(sys_probe, KVM_CHECK_EXTENSION, (long)KVM_CAP_IMMEDIATE_EXIT) <= 0)
		tap_skip_all("backend cannot run guests yet (KVM_CAP_IMMEDIATE_EXIT = 0)");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	tap_plan(NR_TESTS);
	kmsg_ok = !hv_kmsg_mark(&km);
	expect_idle("at start: all counts 0");

	for (ph = 0; ph < NR_KILL_PHASES; ph++)
		test_kill(ph);
	test_fork();
	test_munmap();

	if (!kmsg_ok) {
		tap_skip("kernel log unreadable",
			 "kernel log: no BUG/WARNING/Oops/Call Trace/general protection");
	} else {
		n = hv_kmsg_problems(&km);
		tap_result(n == 0,
			   "kernel log: no BUG/WARNING/Oops/Call Trace/general protection");
		hv_kmsg_close(&km);
	}
	close(sys_probe);
	return tap_finish();
}

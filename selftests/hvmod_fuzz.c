// SPDX-License-Identifier: GPL-2.0
/*
 * hvmod ioctl fuzzer: random sequences of valid and invalid calls on system,
 * VM and vCPU fds from several threads, with random arguments, random
 * memory slots over memory that changes under them (mprotect, MADV_DONTNEED,
 * MAP_FIXED replacement), fds closed while other threads use them, and
 * random guest code run with KVM_RUN under a per-thread timer.  Afterwards:
 * no call hung, every hvmod fd is closed, every count is back to 0 and the
 * kernel log holds no BUG, WARNING, Oops, Call Trace or general protection.
 *
 *   hvmod_fuzz [--seed S] [--iter N] [--threads T] [--seconds S] [--verbose]
 *
 * --iter is the number of calls (syscalls on hvmod fds and guest memory)
 * over all threads; --seconds stops earlier (default: no limit).  Without
 * either, the short pass of "make check": 10000 calls or 40 seconds.  Thread i
 * draws its operations from seed + i, so a run with --threads 1 repeats
 * exactly; with more threads the interleaving differs from run to run.
 *
 * Closing: a table holds every fd the fuzzer owns.  A close while another
 * thread may be inside a call on that fd number replaces the number with
 * /dev/null (dup2), so the hvmod file is released as soon as in-flight
 * calls return and the number cannot be reused by an unrelated open; the
 * placeholder is closed when no thread uses the number any more.  Guest
 * memory never leaves the address space (it is replaced in place), so a
 * slot can never alias the fuzzer's own stacks or heap; pointer arguments
 * point into a per-thread scratch area between guard pages.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
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
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "hvmod_util.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

#define NR_TESTS	8
#define MAX_THREADS	16
#define MAX_OBJS	40	/* fds in the table */
#define MAX_OUR_VMS	4	/* VMs created by structured ops */
#define MAX_VCPU_ID	70	/* ids above HVMOD_MAX_VCPUS are invalid */
#define NR_SLOT_IDS	34	/* ids 32, 33 are invalid */
#define SCRATCH_SIZE	(64 * 1024)
#define HANG_SECS	20	/* a call running this long is a hang */
#define DEFAULT_ITER	10000	/* the short pass of "make check" ... */
#define DEFAULT_SECS	40	/* ... stopped after this long if slower */
#define DEFAULT_THREADS	4
#define RECENT		16	/* last ops per thread, shown on a hang */

#define PAGE		4096UL
#define SZ_2M		(2UL << 20)
#define GUARD		(64UL << 10)	/* PROT_NONE around every arena */
#define USER_TOP	0x00007ffffffff000ULL	/* TASK_SIZE_MAX */

enum kind { K_FREE, K_SYS, K_VM, K_VCPU, K_DEAD };
static const char *const kind_name[] = { "free", "system", "VM", "vCPU", "closed" };

struct obj {
	enum kind kind;
	int fd;
	int users;		/* threads between obj_get() and obj_put() */
	unsigned long vm_serial;	/* VM: its own; vCPU: its VM's */
	struct kvm_run *run;	/* vCPU: run area mapped by the fuzzer */
};

/* What the fuzzer last set on a VM's slots (advisory, racy by design). */
struct vminfo {
	unsigned long serial;
	struct {
		uint64_t gpa, size, uaddr;
	} slot[HVMOD_MAX_SLOTS];
};

/* Guest memory: never unmapped, only changed in place. */
enum arena_type { A_ANON, A_HUGE, A_MEMFD, A_RDONLY };
struct arena {
	enum arena_type type;
	size_t size;
	uint8_t *base;
	int memfd;
};

static struct arena arenas[] = {
	{ A_ANON, 2 * SZ_2M, NULL, -1 },
	{ A_HUGE, 2 * SZ_2M, NULL, -1 },
	{ A_MEMFD, 1 << 20, NULL, -1 },
	{ A_ANON, 256 << 10, NULL, -1 },
	{ A_RDONLY, 64 << 10, NULL, -1 },
};
#define NR_ARENAS	(int)(sizeof(arenas) / sizeof(arenas[0]))

struct rng {
	uint64_t s;
};

struct thr {
	int idx;
	pthread_t tid;
	struct rng rng;
	uint8_t *scratch;	/* SCRATCH_SIZE bytes between guard pages */
	timer_t timer;
	uint64_t calls, budget;
	uint64_t runs, exits[KVM_EXIT_X86_WRMSR + 2];
	uint64_t ok, fail;
	/* what the thread is doing now, for the watchdog */
	_Atomic uint64_t call_start_ms;
	const char *cur_op;
	unsigned long cur_req;
	int cur_fd;
	char recent[RECENT][96];
	unsigned int nrecent;
	char guest[320];	/* the last guest set up by op_guest() */
};

static struct obj objs[MAX_OBJS];
static struct vminfo vminfo[64];
static pthread_mutex_t objs_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long next_serial = 1;
static int nullfd = -1;
static uint8_t *guard_page;	/* a PROT_NONE page: valid-looking, unmapped */
static bool verbose;
static atomic_bool stop;
static _Atomic uint64_t total_calls;
static uint64_t deadline_ms;
static struct thr thrs[MAX_THREADS];
static int nthreads = DEFAULT_THREADS;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* splitmix64 */
static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rn(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int pct)
{
	return rn(r, 100) < pct;
}

/* Values that tend to sit on the edges of checks. */
static uint64_t rval(struct rng *r)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 999,
		1000, 1001, 0x7f, 0x80, 0xff, 0xfff, 0x1000, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0xfffff000, 0xfffffff0, 0xffff0000, 0x1ULL << 40,
		(1ULL << 40) - 0x1000, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 1, 0xffff800000000000ULL,
		0x0000800000000000ULL, 0xc0000080, 0xc0000100, 0x1b, 0x10,
		0x174, 0x277, 0x40000000, 0x80000001, 0x8000000a,
	};

	switch (rn(r, 5)) {
	case 0:
	case 1:
		return v[rn(r, sizeof(v) / sizeof(v[0]))];
	case 2:
		return rn(r, 0x1000);
	case 3:
		return rnd(r) & ((1ULL << rn(r, 64)) - 1);
	default:
		return rnd(r);
	}
}

static void note(struct thr *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct thr *t, const char *fmt, ...)
{
	char *slot = t->recent[t->nrecent++ % RECENT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(slot, sizeof(t->recent[0]), fmt, ap);
	va_end(ap);
	if (verbose)
		printf("# [%d] %s\n", t->idx, slot);
}

/* Every call the fuzzer makes goes through here (counted, watched). */
static void call_begin(struct thr *t, const char *op, int fd, unsigned long req)
{
	t->cur_op = op;
	t->cur_fd = fd;
	t->cur_req = req;
	atomic_store(&t->call_start_ms, now_ms());
}

static long call_end(struct thr *t, long r)
{
	int err = errno;

	atomic_store(&t->call_start_ms, 0);
	t->calls++;
	atomic_fetch_add(&total_calls, 1);
	if (r < 0)
		t->fail++;
	else
		t->ok++;
	errno = err;
	return r;
}

static long xioctl(struct thr *t, int fd, unsigned long req, unsigned long arg)
{
	long r;

	call_begin(t, "ioctl", fd, req);
	r = ioctl(fd, req, arg);
	return call_end(t, r);
}

static bool done(struct thr *t)
{
	if (atomic_load(&stop) || t->calls >= t->budget)
		return true;
	if (deadline_ms && now_ms() >= deadline_ms)
		return true;
	return false;
}

/* ---- the fd table ---- */

static int obj_add(enum kind k, int fd, unsigned long vm_serial)
{
	int i;

	pthread_mutex_lock(&objs_lock);
	for (i = 0; i < MAX_OBJS; i++) {
		if (objs[i].kind != K_FREE)
			continue;
		objs[i] = (struct obj){ .kind = k, .fd = fd,
					.vm_serial = vm_serial };
		pthread_mutex_unlock(&objs_lock);
		return i;
	}
	pthread_mutex_unlock(&objs_lock);
	close(fd);	/* table full: not ours to keep */
	return -1;
}

static int count_kind(enum kind k)
{
	int i, n = 0;

	for (i = 0; i < MAX_OBJS; i++)
		n += objs[i].kind == k;
	return n;
}

/* A random entry of one of the kinds in mask (1 << kind), pinned; or -1. */
static int obj_get(struct thr *t, unsigned int mask)
{
	int i, n = 0, pick[MAX_OBJS];

	pthread_mutex_lock(&objs_lock);
	for (i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind != K_FREE && (mask & (1u << objs[i].kind)))
			pick[n++] = i;
	if (!n) {
		pthread_mutex_unlock(&objs_lock);
		return -1;
	}
	i = pick[rn(&t->rng, n)];
	objs[i].users++;
	pthread_mutex_unlock(&objs_lock);
	return i;
}

static void obj_release_locked(int i)
{
	struct obj *o = &objs[i];

	if (o->run)
		munmap(o->run, HV_RUN_SIZE);
	close(o->fd);
	memset(o, 0, sizeof(*o));
}

static void obj_put(int i)
{
	pthread_mutex_lock(&objs_lock);
	if (!--objs[i].users && objs[i].kind == K_DEAD)
		obj_release_locked(i);
	pthread_mutex_unlock(&objs_lock);
}

/* Close an entry: now if nobody uses it, else swap in /dev/null. */
static void op_close(struct thr *t)
{
	int i = obj_get(t, (1 << K_SYS) | (1 << K_VM) | (1 << K_VCPU));
	struct obj *o;

	if (i < 0)
		return;
	pthread_mutex_lock(&objs_lock);
	o = &objs[i];
	if (o->kind == K_DEAD) {
		pthread_mutex_unlock(&objs_lock);
		obj_put(i);
		return;
	}
	note(t, "close %s fd %d (%d other users)", kind_name[o->kind], o->fd,
	     o->users - 1);
	call_begin(t, "close", o->fd, 0);
	if (o->users == 1) {
		call_end(t, 0);
		o->users = 0;
		obj_release_locked(i);
		pthread_mutex_unlock(&objs_lock);
		return;
	}
	/* In-flight calls keep the file; the number now means /dev/null. */
	call_end(t, dup2(nullfd, o->fd));
	o->kind = K_DEAD;
	pthread_mutex_unlock(&objs_lock);
	obj_put(i);
}

static void op_dup(struct thr *t)
{
	int i = obj_get(t, (1 << K_SYS) | (1 << K_VM) | (1 << K_VCPU)), fd;
	enum kind k;
	unsigned long s;

	if (i < 0)
		return;
	k = objs[i].kind;
	s = objs[i].vm_serial;
	call_begin(t, "dup", objs[i].fd, 0);
	fd = call_end(t, fcntl(objs[i].fd, F_DUPFD_CLOEXEC, 0));
	obj_put(i);
	note(t, "dup %s -> %d", kind_name[k], fd);
	if (fd >= 0 && k == K_DEAD)
		close(fd);	/* closed meanwhile: a copy of /dev/null */
	else if (fd >= 0)
		obj_add(k, fd, s);
}

/* ---- creation ---- */

static void op_open(struct thr *t)
{
	int fd;

	if (count_kind(K_SYS) >= 4)
		return;
	call_begin(t, "open", -1, 0);
	fd = call_end(t, open(HVMOD_DEV_PATH, O_RDWR | O_CLOEXEC));
	note(t, "open /dev/hvmod -> %d", fd);
	if (fd >= 0)
		obj_add(K_SYS, fd, 0);
}

static void add_vm(int fd)
{
	unsigned long s;

	pthread_mutex_lock(&objs_lock);
	s = next_serial++;
	memset(&vminfo[s % 64], 0, sizeof(vminfo[0]));
	vminfo[s % 64].serial = s;
	pthread_mutex_unlock(&objs_lock);
	obj_add(K_VM, fd, s);
}

static void op_create_vm(struct thr *t)
{
	int i, fd;
	unsigned long type = chance(&t->rng, 90) ? 0 : rval(&t->rng);

	if (count_kind(K_VM) >= MAX_OUR_VMS)
		return;
	i = obj_get(t, 1 << K_SYS);
	if (i < 0)
		return;
	fd = xioctl(t, objs[i].fd, KVM_CREATE_VM, type);
	note(t, "KVM_CREATE_VM(%lu) -> %d %s", type, fd,
	     fd < 0 ? hv_errname(errno) : "");
	obj_put(i);
	if (fd >= 0)
		add_vm(fd);
}

static void map_run(struct thr *t, int i)
{
	void *p;

	call_begin(t, "mmap", objs[i].fd, 0);
	p = mmap(NULL, HV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 objs[i].fd, 0);
	call_end(t, p == MAP_FAILED ? -1 : 0);
	if (p == MAP_FAILED)
		return;
	pthread_mutex_lock(&objs_lock);
	if (!objs[i].run && objs[i].kind == K_VCPU)
		objs[i].run = p;
	else
		munmap(p, HV_RUN_SIZE);
	pthread_mutex_unlock(&objs_lock);
}

static void op_create_vcpu(struct thr *t)
{
	unsigned long id = chance(&t->rng, 80) ? rn(&t->rng, 8) :
			   rn(&t->rng, MAX_VCPU_ID);
	unsigned long s;
	int i, fd, j;

	if (count_kind(K_VCPU) >= 16)
		return;
	i = obj_get(t, 1 << K_VM);
	if (i < 0)
		return;
	s = objs[i].vm_serial;
	fd = xioctl(t, objs[i].fd, KVM_CREATE_VCPU, id);
	note(t, "KVM_CREATE_VCPU(%lu) -> %d %s", id, fd,
	     fd < 0 ? hv_errname(errno) : "");
	obj_put(i);
	if (fd < 0)
		return;
	j = obj_add(K_VCPU, fd, s);
	if (j < 0 || chance(&t->rng, 10))
		return;
	pthread_mutex_lock(&objs_lock);
	objs[j].users++;
	pthread_mutex_unlock(&objs_lock);
	map_run(t, j);
	obj_put(j);
}

/* ---- guest memory ---- */

static void arena_map(struct arena *a, bool fixed)
{
	int flags = MAP_NORESERVE | (fixed ? MAP_FIXED : 0);
	int prot = a->type == A_RDONLY ? PROT_READ : PROT_READ | PROT_WRITE;
	void *hint = fixed ? a->base : NULL;
	void *p;

	if (a->type == A_MEMFD)
		p = mmap(hint, a->size, prot, flags | MAP_SHARED, a->memfd, 0);
	else
		p = mmap(hint, a->size, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (p == MAP_FAILED)
		tap_bail("setup: mmap of a %zu-byte guest memory arena: %s",
			 a->size, hv_errname(errno));
	a->base = p;
	if (a->type == A_HUGE)
		madvise(p, a->size, MADV_HUGEPAGE);
}

/*
 * Every arena sits between PROT_NONE guards, 2 MiB aligned (so that 2 MiB
 * stage-2 leaves are possible): a slot that runs past an arena finds
 * nothing it can pin, never the fuzzer's own memory.
 */
static void arenas_setup(void)
{
	size_t span;
	struct arena *a;
	uint8_t *p;
	int i;

	for (i = 0; i < NR_ARENAS; i++) {
		a = &arenas[i];
		if (a->type == A_MEMFD) {
			a->memfd = memfd_create("fuzz-arena", MFD_CLOEXEC);
			if (a->memfd < 0 || ftruncate(a->memfd, a->size))
				tap_bail("setup: memfd of %zu bytes: %s", a->size,
					 hv_errname(errno));
		}
		span = a->size + 2 * GUARD + SZ_2M;
		p = mmap(NULL, span, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			tap_bail("setup: mmap: %s", hv_errname(errno));
		a->base = (uint8_t *)(((uintptr_t)p + GUARD + SZ_2M - 1) &
				      ~(SZ_2M - 1));
		arena_map(a, true);
	}
}

/*
 * True if a slot over [uaddr, uaddr + size) could only ever reach arena
 * memory or its guards, or is one the kernel refuses anyway (unaligned,
 * beyond the user address space).  A slot over anything else would let
 * the guest write into the fuzzer.
 */
static bool safe_range(uint64_t uaddr, uint64_t size)
{
	const struct arena *a;
	int i;

	if (!size || ((uaddr | size) & (PAGE - 1)) || uaddr + size < uaddr ||
	    uaddr + size > USER_TOP)
		return true;
	if (uaddr >= (uintptr_t)guard_page && uaddr + size <= (uintptr_t)guard_page + PAGE)
		return true;
	for (i = 0; i < NR_ARENAS; i++) {
		a = &arenas[i];
		if (uaddr >= (uintptr_t)a->base - GUARD &&
		    uaddr + size <= (uintptr_t)a->base + a->size + GUARD)
			return true;
	}
	return false;
}

/* Change guest memory under whatever VMs use it. */
static void op_arena(struct thr *t)
{
	struct arena *a = &arenas[rn(&t->rng, NR_ARENAS)];
	size_t off = rn(&t->rng, a->size / PAGE) * PAGE;
	size_t len = (1 + rn(&t->rng, (a->size - off) / PAGE)) * PAGE;
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE };
	long r;

	switch (rn(&t->rng, 5)) {
	case 0:	/* the munmap + mmap a VMM might do, in one step */
		call_begin(t, "mmap(MAP_FIXED)", -1, 0);
		arena_map(a, true);
		call_end(t, 0);
		note(t, "arena %p: replaced by fresh memory", a->base);
		break;
	case 1:
		call_begin(t, "madvise", -1, 0);
		r = call_end(t, madvise(a->base + off, len, MADV_DONTNEED));
		note(t, "arena %p+0x%zx: MADV_DONTNEED 0x%zx -> %ld", a->base,
		     off, len, r);
		break;
	case 2:
		call_begin(t, "madvise", -1, 0);
		r = call_end(t, madvise(a->base, a->size, chance(&t->rng, 50) ?
					MADV_HUGEPAGE : MADV_NOHUGEPAGE));
		break;
	default:
		if (a->type == A_RDONLY)
			break;
		call_begin(t, "mprotect", -1, 0);
		r = call_end(t, mprotect(a->base + off, len,
					 prots[rn(&t->rng, 3)]));
		note(t, "arena %p+0x%zx: mprotect 0x%zx -> %ld", a->base, off,
		     len, r);
		break;
	}
}

/* Write into guest memory the way the kernel would: faults are errors. */
static void guest_write(struct thr *t, uint64_t uaddr, const void *buf,
			size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)uaddr, len };

	call_begin(t, "process_vm_writev", -1, 0);
	call_end(t, process_vm_writev(getpid(), &local, 1, &remote, 1, 0));
}

static uint64_t pick_gpa(struct rng *r, uint64_t size)
{
	switch (rn(r, 8)) {
	case 0:
		return 0;
	case 1:
		return 0x100000000ULL - size;	/* the reset vector's page */
	case 2:
		return rn(r, 0x100000000ULL / PAGE) * PAGE;
	case 3:
		return (1ULL << 40) - size;	/* the last allowed range */
	case 4:
		return rn(r, (1ULL << 40) / PAGE) * PAGE;
	case 5:
		return rn(r, 64) * SZ_2M;
	case 6:
		return rval(r) & ~(chance(r, 80) ? PAGE - 1 : 0);
	default:
		return rn(r, 256) * PAGE;
	}
}

/* KVM_SET_USER_MEMORY_REGION with mostly-sane, sometimes broken values. */
static void op_slot(struct thr *t, int vm)
{
	struct kvm_userspace_memory_region *m = (void *)t->scratch;
	struct rng *r = &t->rng;
	struct arena *a = &arenas[rn(r, NR_ARENAS)];
	struct vminfo *vi;
	size_t off = rn(r, a->size / PAGE) * PAGE;
	bool own = vm < 0;
	long ret;

	if (own && (vm = obj_get(t, 1 << K_VM)) < 0)
		return;
	memset(m, 0, sizeof(*m));
	m->slot = chance(r, 90) ? rn(r, NR_SLOT_IDS) : (uint32_t)rval(r);
	if (chance(r, 25)) {
		m->memory_size = 0;	/* delete */
	} else {
		m->userspace_addr = (uintptr_t)a->base + off;
		m->memory_size = (1 + rn(r, (a->size - off) / PAGE)) * PAGE;
		if (chance(r, 5))
			m->memory_size += PAGE * (1 + rn(r, 16));	/* past the end */
	}
	m->guest_phys_addr = pick_gpa(r, m->memory_size);
	if (chance(r, 5))
		m->flags = chance(r, 50) ? KVM_MEM_LOG_DIRTY_PAGES : rval(r);
	switch (chance(r, 8) ? rn(r, 6) : 6) {
	case 0:
		m->userspace_addr = (uintptr_t)guard_page;
		break;
	case 1:
		m->userspace_addr = 0xffff888000000000ULL;	/* kernel */
		break;
	case 2:
		m->userspace_addr |= rn(r, PAGE);
		break;
	case 3:
		m->memory_size = rval(r) & ~(chance(r, 70) ? PAGE - 1 : 0);
		break;
	case 4:
		m->userspace_addr = 0x0000800000000000ULL - PAGE;
		break;
	case 5:
		m->guest_phys_addr |= rn(r, PAGE);
		break;
	}
	if (!safe_range(m->userspace_addr, m->memory_size))
		m->memory_size = 1ULL << 47;	/* refused: beyond user space */
	ret = xioctl(t, objs[vm].fd, KVM_SET_USER_MEMORY_REGION,
		     (unsigned long)m);
	note(t, "SET_USER_MEMORY_REGION slot 0x%x gpa 0x%llx size 0x%llx ua 0x%llx flags 0x%x -> %ld %s",
	     m->slot, (unsigned long long)m->guest_phys_addr,
	     (unsigned long long)m->memory_size,
	     (unsigned long long)m->userspace_addr, m->flags, ret,
	     ret < 0 ? hv_errname(errno) : "");
	if (!ret && (uint16_t)m->slot < HVMOD_MAX_SLOTS) {
		pthread_mutex_lock(&objs_lock);
		vi = &vminfo[objs[vm].vm_serial % 64];
		if (vi->serial == objs[vm].vm_serial) {
			vi->slot[(uint16_t)m->slot].gpa = m->guest_phys_addr;
			vi->slot[(uint16_t)m->slot].size = m->memory_size;
			vi->slot[(uint16_t)m->slot].uaddr = m->userspace_addr;
		}
		pthread_mutex_unlock(&objs_lock);
	}
	if (own)
		obj_put(vm);
}

/* ---- guest code ---- */

/* Instructions that exit or misbehave, glued together at random. */
static const struct {
	uint8_t len;
	uint8_t b[7];
} snippets[] = {
	{ 2, { 0xe4, 0x70 } },			/* in al, 0x70 */
	{ 2, { 0xe6, 0x80 } },			/* out 0x80, al */
	{ 1, { 0xec } },			/* in al, dx */
	{ 1, { 0xef } },			/* out dx, eax */
	{ 2, { 0x66, 0xed } },			/* in ax/eax, dx */
	{ 2, { 0xf3, 0x6c } },			/* rep insb */
	{ 2, { 0xf3, 0x6f } },			/* rep outsd */
	{ 1, { 0x6e } },			/* outsb */
	{ 2, { 0x0f, 0xa2 } },			/* cpuid */
	{ 2, { 0x0f, 0x32 } },			/* rdmsr */
	{ 2, { 0x0f, 0x30 } },			/* wrmsr */
	{ 1, { 0xf4 } },			/* hlt */
	{ 2, { 0x0f, 0x0b } },			/* ud2 */
	{ 1, { 0xcc } },			/* int3 */
	{ 2, { 0xcd, 0x21 } },			/* int 0x21 */
	{ 3, { 0x0f, 0x01, 0xd8 } },		/* vmrun */
	{ 3, { 0x0f, 0x01, 0xd9 } },		/* vmmcall */
	{ 3, { 0x0f, 0x01, 0xda } },		/* vmload */
	{ 3, { 0x0f, 0x01, 0xdb } },		/* vmsave */
	{ 3, { 0x0f, 0x01, 0xdc } },		/* stgi */
	{ 3, { 0x0f, 0x01, 0xdd } },		/* clgi */
	{ 3, { 0x0f, 0x01, 0xde } },		/* skinit */
	{ 3, { 0x0f, 0x01, 0xdf } },		/* invlpga */
	{ 3, { 0x0f, 0x01, 0xd1 } },		/* xsetbv */
	{ 3, { 0x0f, 0x01, 0xc8 } },		/* monitor */
	{ 3, { 0x0f, 0x01, 0xc9 } },		/* mwait */
	{ 3, { 0x0f, 0x01, 0xfd } },		/* rdpru */
	{ 2, { 0x0f, 0xaa } },			/* rsm */
	{ 2, { 0x0f, 0x08 } },			/* invd */
	{ 2, { 0x0f, 0x09 } },			/* wbinvd */
	{ 3, { 0x0f, 0x21, 0xc0 } },		/* mov eax, dr0 */
	{ 3, { 0x0f, 0x23, 0xf8 } },		/* mov dr7, eax */
	{ 3, { 0x0f, 0x22, 0xc0 } },		/* mov cr0, eax */
	{ 3, { 0x0f, 0x22, 0xd8 } },		/* mov cr3, eax */
	{ 3, { 0x0f, 0x22, 0xe0 } },		/* mov cr4, eax */
	{ 3, { 0x0f, 0x01, 0x10 } },		/* lgdt [eax] */
	{ 3, { 0x0f, 0x01, 0x18 } },		/* lidt [eax] */
	{ 1, { 0xfa } },			/* cli */
	{ 1, { 0xfb } },			/* sti */
	{ 1, { 0x9d } },			/* popf */
	{ 2, { 0xeb, 0xfe } },			/* jmp $ */
	{ 2, { 0x89, 0x07 } },			/* mov [edi], eax */
	{ 2, { 0x8b, 0x07 } },			/* mov eax, [edi] */
	{ 2, { 0x88, 0x27 } },			/* mov [edi], ah */
	{ 3, { 0x0f, 0xb7, 0x07 } },		/* movzx eax, word [edi] */
	{ 3, { 0x0f, 0xbe, 0x07 } },		/* movsx eax, byte [edi] */
	{ 3, { 0x48, 0x63, 0x07 } },		/* movsxd rax, [rdi] */
	{ 2, { 0xf3, 0xa5 } },			/* rep movsd */
	{ 2, { 0xf3, 0xab } },			/* rep stosd */
	{ 2, { 0x01, 0x07 } },			/* add [edi], eax (no decode) */
	{ 2, { 0x87, 0x07 } },			/* xchg [edi], eax (no decode) */
	{ 3, { 0x0f, 0x01, 0xf9 } },		/* rdtscp */
	{ 2, { 0x0f, 0x31 } },			/* rdtsc */
	{ 1, { 0xbf } },			/* mov edi, imm32 (imm follows) */
	{ 1, { 0xb9 } },			/* mov ecx, imm32 */
	{ 1, { 0xb8 } },			/* mov eax, imm32 */
	{ 1, { 0xba } },			/* mov edx, imm32 */
	{ 1, { 0xbe } },			/* mov esi, imm32 */
};
#define NR_SNIPPETS	(sizeof(snippets) / sizeof(snippets[0]))

static void gen_code(struct rng *r, uint8_t *code, size_t len)
{
	size_t i = 0, k;
	uint32_t imm;

	if (chance(r, 30)) {
		for (i = 0; i < len; i++)
			code[i] = rnd(r);
		return;
	}
	while (i + 12 < len) {
		k = rn(r, NR_SNIPPETS);
		memcpy(code + i, snippets[k].b, snippets[k].len);
		i += snippets[k].len;
		if (snippets[k].len == 1 && (snippets[k].b[0] & 0xf8) == 0xb8) {
			/* an address or MSR/port number worth trying */
			imm = chance(r, 50) ? (uint32_t)pick_gpa(r, PAGE) :
					      (uint32_t)rval(r);
			memcpy(code + i, &imm, 4);
			i += 4;
		}
		if (chance(r, 5))
			code[i++] = rnd(r);
	}
	while (i < len)
		code[i++] = 0xf4;
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint32_t limit,
		    uint8_t type, bool db, bool l, bool g)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = limit;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = g;
}

/* 0 real, 1 protected, 2 long, 3 random mutation of the current state */
static void gen_sregs(struct rng *r, struct kvm_sregs *s, int mode,
		      uint64_t cr3)
{
	struct kvm_segment data;

	switch (mode) {
	case 0:
		set_seg(&s->cs, 0, 0xffff, 11, false, false, false);
		set_seg(&data, 0, 0xffff, 3, false, false, false);
		s->cr0 = 0x60000010;
		s->cr4 = 0;
		s->efer = 0;
		break;
	case 1:
		set_seg(&s->cs, 8, 0xffffffff, 11, true, false, true);
		set_seg(&data, 16, 0xffffffff, 3, true, false, true);
		s->cr0 = 0x33;
		s->cr4 = 0x600;
		s->efer = 0;
		break;
	case 2:
		set_seg(&s->cs, 8, 0xffffffff, 11, false, true, true);
		set_seg(&data, 16, 0xffffffff, 3, true, false, true);
		s->cr0 = 0x80050033;
		s->cr3 = cr3;
		s->cr4 = 0x620;
		s->efer = 0x500;
		break;
	default:
		data = s->ds;
		s->cr0 ^= 1ULL << rn(r, 32);
		if (chance(r, 50))
			s->cr4 ^= 1ULL << rn(r, 24);
		if (chance(r, 50))
			s->efer ^= 1ULL << rn(r, 16);
		if (chance(r, 30))
			s->cs.l ^= 1;
		if (chance(r, 30))
			s->cs.db ^= 1;
		if (chance(r, 30))
			s->cs.type = rn(r, 16);
		if (chance(r, 30))
			s->ss.dpl = rn(r, 4);
		if (chance(r, 30))
			s->cs.present = 0;
		if (chance(r, 30))
			s->idt.base = rval(r);
		if (chance(r, 30))
			s->cr3 = rval(r);
		if (chance(r, 20))
			s->cr8 = rn(r, 16);
		break;
	}
	if (mode < 3) {
		s->ds = s->es = s->fs = s->gs = s->ss = data;
		set_seg(&s->tr, 0, 0x67, 11, false, false, false);
		s->tr.s = 0;
		set_seg(&s->ldt, 0, 0xffff, 2, false, false, false);
		s->ldt.s = 0;
		s->idt.base = chance(r, 50) ? 0 : rval(r);
		s->idt.limit = chance(r, 50) ? 0 : rn(r, 0x1000);
		s->gdt.base = 0;
		s->gdt.limit = 0;
	}
	/*
	 * EFER.LME with paging and CR4.PAE off is a legal state, but QEMU
	 * 7.2's TCG does not survive a #VMEXIT from it: do_vmexit() restores
	 * the host's CR0 while the guest's CR4 and EFER are still loaded,
	 * cpu_x86_update_cr0() refuses to turn paging on (LME set, PAE
	 * clear) and returns early, and the host goes on with the guest's
	 * CR0 (seen with BOX_MONITOR in the SVM box).  Not an hvmod bug:
	 * keep the fuzzer off it so that it looks for hvmod's.
	 */
	if ((s->efer & (1ULL << 8)) && !(s->cr0 & (1ULL << 31)))	/* LME, PG */
		s->cr4 |= 1ULL << 5;					/* PAE */
}

static void on_timer(int sig)
{
	(void)sig;
}

/* Interrupts KVM_RUN after 2..40 ms, and every 20 ms after that. */
static void timer_arm(struct thr *t, bool on)
{
	struct itimerspec its = { 0 };

	if (on) {
		its.it_value.tv_nsec = (2 + rn(&t->rng, 39)) * 1000000L;
		its.it_interval.tv_nsec = 20 * 1000000L;
	}
	timer_settime(t->timer, 0, &its, NULL);
}

/* KVM_RUN, always under the timer. */
static long run_once(struct thr *t, int fd, struct kvm_run *run)
{
	long r;

	note(t, "KVM_RUN on fd %d%s", fd, run ? "" : " (no guest set up)");
	timer_arm(t, true);
	call_begin(t, "KVM_RUN", fd, KVM_RUN);
	r = ioctl(fd, KVM_RUN, 0UL);
	call_end(t, r);
	timer_arm(t, false);
	t->runs++;
	if (r == 0 && run) {
		uint32_t e = run->exit_reason;

		t->exits[e <= KVM_EXIT_X86_WRMSR ? e : KVM_EXIT_X86_WRMSR + 1]++;
	}
	return r;
}

/* Answer the exit the way a VMM would (or would not). */
static void answer_exit(struct thr *t, struct kvm_run *run)
{
	uint64_t v = rnd(&t->rng);

	if (!run)
		return;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (run->io.direction == KVM_EXIT_IO_IN &&
		    run->io.data_offset == HV_PIO_OFFSET &&
		    run->io.size * run->io.count <= HV_PAGE_SIZE)
			memset((char *)run + run->io.data_offset, (int)v,
			       run->io.size * run->io.count);
		break;
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write)
			memcpy(run->mmio.data, &v, sizeof(v));
		break;
	}
	run->request_interrupt_window = chance(&t->rng, 10);
	run->immediate_exit = chance(&t->rng, 3);
}

/* Random code in a slot, a CPU mode around it, and a few KVM_RUNs. */
static void op_guest(struct thr *t)
{
	struct rng *r = &t->rng;
	int i = obj_get(t, 1 << K_VCPU), n, k, mode;
	uint64_t gpa = 0, uaddr = 0, size = 0, off, tables[2][512];
	struct kvm_sregs *s = (void *)t->scratch;
	struct kvm_regs *regs = (void *)(t->scratch + 4096);
	struct kvm_run *run;
	uint8_t code[512];
	struct vminfo *vi;
	long ret = 0;

	if (i < 0)
		return;
	if (!objs[i].run)
		map_run(t, i);
	run = objs[i].run;

	pthread_mutex_lock(&objs_lock);
	vi = &vminfo[objs[i].vm_serial % 64];
	if (vi->serial == objs[i].vm_serial) {
		for (n = 0, k = rn(r, HVMOD_MAX_SLOTS); n < HVMOD_MAX_SLOTS;
		     n++, k = (k + 1) % HVMOD_MAX_SLOTS) {
			if (vi->slot[k].size >= 4 * PAGE) {
				gpa = vi->slot[k].gpa;
				uaddr = vi->slot[k].uaddr;
				size = vi->slot[k].size;
				break;
			}
		}
	}
	pthread_mutex_unlock(&objs_lock);

	mode = rn(r, 5);
	if (size) {
		off = 2 * PAGE + rn(r, (size - 3 * PAGE) / 16) * 16;
		gen_code(r, code, sizeof(code));
		guest_write(t, uaddr + off, code,
			    sizeof(code) < size - off ? sizeof(code) : size - off);
		if (mode == 2) {
			/* PML4 -> PDPT of 1 GiB pages: identity map of 512 GiB */
			memset(tables, 0, sizeof(tables));
			tables[0][0] = (gpa + PAGE) | 3;
			for (k = 0; k < 512; k++)
				tables[1][k] = ((uint64_t)k << 30) | 0x83;
			guest_write(t, uaddr, tables, sizeof(tables));
		}
		if (xioctl(t, objs[i].fd, KVM_GET_SREGS, (unsigned long)s) == 0) {
			gen_sregs(r, s, mode == 4 ? 3 : mode % 3, gpa);
			xioctl(t, objs[i].fd, KVM_SET_SREGS, (unsigned long)s);
		}
		memset(regs, 0, sizeof(*regs));
		for (k = 0; k < 16; k++)
			((uint64_t *)regs)[k] = chance(r, 50) ? pick_gpa(r, PAGE) :
								 rval(r);
		regs->rip = mode == 0 ? off : gpa + off;
		if (mode == 0 && gpa < 0x100000) {
			/* real mode: CS base = the slot, IP = offset */
			regs->rip = off;
		}
		regs->rflags = 2 | (chance(r, 30) ? 0x200 : 0) |
			       (chance(r, 10) ? rn(r, 0x400000) : 0);
		xioctl(t, objs[i].fd, KVM_SET_REGS, (unsigned long)regs);
		if (mode == 0 &&
		    xioctl(t, objs[i].fd, KVM_GET_SREGS, (unsigned long)s) == 0) {
			s->cs.base = gpa & 0xfffff;
			s->cs.selector = (gpa & 0xfffff) >> 4;
			xioctl(t, objs[i].fd, KVM_SET_SREGS, (unsigned long)s);
		}
	}
	if (size) {
		int len;

		len = snprintf(t->guest, sizeof(t->guest),
			       "mode %d slot gpa 0x%llx size 0x%llx RIP 0x%llx RFLAGS 0x%llx CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx CS 0x%x/0x%llx l%u db%u code",
			       mode, (unsigned long long)gpa,
			       (unsigned long long)size,
			       (unsigned long long)regs->rip,
			       (unsigned long long)regs->rflags,
			       (unsigned long long)s->cr0,
			       (unsigned long long)s->cr3,
			       (unsigned long long)s->cr4,
			       (unsigned long long)s->efer, s->cs.selector,
			       (unsigned long long)s->cs.base, s->cs.l, s->cs.db);
		for (k = 0; k < 24 && len < (int)sizeof(t->guest) - 4; k++)
			len += snprintf(t->guest + len, sizeof(t->guest) - len,
					" %02x", code[k]);
	} else {
		snprintf(t->guest, sizeof(t->guest),
			 "no slot known: the vCPU's state as it was");
	}
	if (verbose)
		printf("# [%d] guest on vCPU fd %d: %s\n", t->idx, objs[i].fd,
		       t->guest);
	if (run)
		run->immediate_exit = chance(r, 3);
	if (chance(r, 10)) {
		struct kvm_interrupt irq = { .irq = rn(r, 300) };

		xioctl(t, objs[i].fd, KVM_INTERRUPT, (unsigned long)&irq);
	}
	for (n = 1 + rn(r, 6); n > 0 && !done(t); n--) {
		ret = run_once(t, objs[i].fd, run);
		if (ret < 0 && errno != EINTR)
			break;
		if (ret == 0)
			answer_exit(t, run);
	}
	note(t, "guest mode %d at gpa 0x%llx on vCPU fd %d: last KVM_RUN %ld %s exit %u",
	     mode, (unsigned long long)gpa, objs[i].fd, ret,
	     ret < 0 ? hv_errname(errno) : "", run ? run->exit_reason : 0);
	obj_put(i);
}

/* ---- random ioctls ---- */

struct ioc {
	const char *name;
	unsigned long req;
};

#define IOC(x)	{ #x, x }
static const struct ioc iocs[] = {
	IOC(KVM_GET_API_VERSION), IOC(KVM_CREATE_VM), IOC(KVM_GET_MSR_INDEX_LIST),
	IOC(KVM_CHECK_EXTENSION), IOC(KVM_GET_VCPU_MMAP_SIZE),
	IOC(KVM_GET_SUPPORTED_CPUID), IOC(KVM_GET_EMULATED_CPUID),
	IOC(KVM_GET_MSR_FEATURE_INDEX_LIST), IOC(KVM_CREATE_VCPU),
	IOC(KVM_GET_DIRTY_LOG), IOC(KVM_SET_NR_MMU_PAGES),
	IOC(KVM_SET_USER_MEMORY_REGION), IOC(KVM_SET_TSS_ADDR),
	IOC(KVM_SET_IDENTITY_MAP_ADDR), IOC(KVM_CREATE_IRQCHIP),
	IOC(KVM_IRQ_LINE), IOC(KVM_IRQ_LINE_STATUS), IOC(KVM_IOEVENTFD),
	IOC(KVM_IRQFD), IOC(KVM_CREATE_PIT2), IOC(KVM_SET_BOOT_CPU_ID),
	IOC(KVM_REGISTER_COALESCED_MMIO), IOC(KVM_SET_GSI_ROUTING),
	IOC(KVM_GET_CLOCK), IOC(KVM_SET_CLOCK), IOC(KVM_ENABLE_CAP),
	IOC(KVM_GET_STATS_FD), IOC(KVM_RUN), IOC(KVM_GET_REGS),
	IOC(KVM_SET_REGS), IOC(KVM_GET_SREGS), IOC(KVM_SET_SREGS),
	IOC(KVM_TRANSLATE), IOC(KVM_INTERRUPT), IOC(KVM_GET_MSRS),
	IOC(KVM_SET_MSRS), IOC(KVM_SET_CPUID), IOC(KVM_SET_CPUID2),
	IOC(KVM_GET_CPUID2), IOC(KVM_GET_FPU), IOC(KVM_SET_FPU),
	IOC(KVM_GET_LAPIC), IOC(KVM_SET_LAPIC), IOC(KVM_NMI),
	IOC(KVM_GET_VCPU_EVENTS), IOC(KVM_SET_VCPU_EVENTS),
	IOC(KVM_GET_DEBUGREGS), IOC(KVM_SET_DEBUGREGS), IOC(KVM_GET_MP_STATE),
	IOC(KVM_SET_MP_STATE), IOC(KVM_SET_GUEST_DEBUG), IOC(KVM_GET_XSAVE),
	IOC(KVM_SET_XSAVE), IOC(KVM_GET_XCRS), IOC(KVM_SET_XCRS),
	IOC(KVM_GET_TSC_KHZ), IOC(KVM_SET_TSC_KHZ), IOC(KVM_KVMCLOCK_CTRL),
	IOC(KVM_GET_ONE_REG), IOC(KVM_SET_ONE_REG), IOC(KVM_SMI),
	IOC(KVM_X86_SETUP_MCE), IOC(HVMOD_GET_INFO),
};
#define NR_IOCS	(sizeof(iocs) / sizeof(iocs[0]))

/*
 * A pointer argument: into the scratch area (whose contents are random
 * values), its very end (the kernel's copy runs into the guard page), or
 * somewhere the kernel must refuse.  Never anywhere else in the fuzzer.
 */
static unsigned long rand_arg(struct thr *t, size_t size)
{
	struct rng *r = &t->rng;
	uint64_t *w = (uint64_t *)t->scratch;
	size_t i, off;

	switch (rn(r, 12)) {
	case 0:
		return 0;
	case 1:
		return rval(r);
	case 2:
		return 0xffff888000000000ULL + rn(r, 1 << 20) * 8;
	case 3:
		return (unsigned long)guard_page;
	case 4:
		/* straddles the end of scratch */
		off = SCRATCH_SIZE - (size ? rn(r, size) + 1 : 1);
		return (unsigned long)(t->scratch + off);
	default:
		for (i = 0; i < 512; i++)
			w[i] = chance(r, 70) ? rval(r) : 0;
		/* counts in headers (nmsrs, nent...) small enough to matter */
		if (chance(r, 50))
			w[0] = rn(r, 300);
		return (unsigned long)t->scratch;
	}
}

static void fix_pointers(struct thr *t, unsigned long req, unsigned long arg)
{
	uint64_t *p = (uint64_t *)arg;

	if (arg != (unsigned long)t->scratch)
		return;
	/* fields the kernel would follow as user pointers */
	if (req == KVM_GET_DIRTY_LOG || req == KVM_GET_ONE_REG ||
	    req == KVM_SET_ONE_REG)
		p[1] = chance(&t->rng, 50) ? (uint64_t)(uintptr_t)(t->scratch + 8192) :
					     (uint64_t)(uintptr_t)guard_page;
}

static void op_ioctl(struct thr *t)
{
	struct rng *r = &t->rng;
	unsigned long req, arg;
	const char *name = "random";
	int i, fd;
	long ret;

	if (chance(r, 80)) {
		const struct ioc *c = &iocs[rn(r, NR_IOCS)];

		req = c->req;
		name = c->name;
	} else if (chance(r, 70)) {
		/* unknown numbers in KVM's and hvmod's spaces */
		req = _IOC(rn(r, 4), chance(r, 50) ? KVMIO : HVMOD_IOCTL_MAGIC,
			   rn(r, 256), rn(r, 1 << 10));
	} else {
		req = (uint32_t)rnd(r);
	}
	if (req == KVM_SET_USER_MEMORY_REGION) {
		i = obj_get(t, 1 << K_VM);
		if (i >= 0) {
			op_slot(t, i);
			obj_put(i);
		}
		return;
	}
	i = obj_get(t, (1 << K_SYS) | (1 << K_VM) | (1 << K_VCPU) | (1 << K_DEAD));
	if (i < 0)
		return;
	fd = objs[i].fd;
	arg = rand_arg(t, _IOC_SIZE(req));
	fix_pointers(t, req, arg);
	if (req == KVM_RUN) {
		ret = run_once(t, fd, NULL);	/* arg is ignored: always 0 */
	} else if ((req == KVM_CREATE_VM && count_kind(K_VM) >= MAX_OUR_VMS + 2) ||
		   (req == KVM_CREATE_VCPU && count_kind(K_VCPU) >= 20)) {
		obj_put(i);
		return;
	} else {
		ret = xioctl(t, fd, req, arg);
	}
	note(t, "ioctl %s (0x%lx) on %s fd %d arg 0x%lx -> %ld %s", name, req,
	     kind_name[objs[i].kind], fd, arg, ret,
	     ret < 0 ? hv_errname(errno) : "");
	/* calls that hand out a new fd: keep it in the table */
	if (ret >= 0 && objs[i].kind != K_DEAD) {
		if (req == KVM_CREATE_VM && objs[i].kind == K_SYS)
			add_vm(ret);
		else if (req == KVM_CREATE_VCPU && objs[i].kind == K_VM)
			obj_add(K_VCPU, ret, objs[i].vm_serial);
		else if (req == KVM_GET_STATS_FD)
			obj_add(K_SYS, ret, 0);
	}
	obj_put(i);
}

/* Well-formed register state with random contents. */
static void op_regs(struct thr *t)
{
	struct rng *r = &t->rng;
	int i = obj_get(t, 1 << K_VCPU), k;
	uint64_t *w = (uint64_t *)t->scratch;
	struct kvm_msrs *msrs = (void *)t->scratch;
	static const uint32_t msr_idx[] = {
		0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
		0xc0000100, 0xc0000101, 0xc0000102, 0x10, 0x1b, 0x174, 0x175,
		0x176, 0x1a0, 0x277, 0x0, 0xffffffff, 0x40000000, 0xc0010000,
		0x3a, 0x48, 0xc0010117,
	};
	unsigned long req;

	if (i < 0)
		return;
	switch (rn(r, 6)) {
	case 0:
		for (k = 0; k < 18; k++)
			w[k] = rval(r);
		req = KVM_SET_REGS;
		break;
	case 1:
		xioctl(t, objs[i].fd, KVM_GET_SREGS, (unsigned long)t->scratch);
		gen_sregs(r, (void *)t->scratch, rn(r, 4), rval(r) & ~0xfffULL);
		req = KVM_SET_SREGS;
		break;
	case 2:
		msrs->nmsrs = 1 + rn(r, 8);
		msrs->pad = 0;
		for (k = 0; k < (int)msrs->nmsrs; k++) {
			msrs->entries[k].index = chance(r, 80) ?
				msr_idx[rn(r, sizeof(msr_idx) / 4)] : (uint32_t)rval(r);
			msrs->entries[k].reserved = 0;
			msrs->entries[k].data = rval(r);
		}
		req = chance(r, 50) ? KVM_SET_MSRS : KVM_GET_MSRS;
		break;
	case 3: {
		struct kvm_cpuid2 *c = (void *)t->scratch;

		c->nent = rn(r, 40);
		c->padding = 0;
		for (k = 0; k < (int)c->nent; k++) {
			memset(&c->entries[k], 0, sizeof(c->entries[k]));
			c->entries[k].function = chance(r, 70) ? rn(r, 16) :
						 0x80000000 + rn(r, 16);
			c->entries[k].index = rn(r, 4);
			c->entries[k].flags = rn(r, 8);
			c->entries[k].eax = rval(r);
			c->entries[k].ebx = rval(r);
			c->entries[k].ecx = rval(r);
			c->entries[k].edx = rval(r);
		}
		req = chance(r, 70) ? KVM_SET_CPUID2 : KVM_GET_CPUID2;
		break;
	}
	case 4:
		for (k = 0; k < (int)(sizeof(struct kvm_fpu) / 8); k++)
			w[k] = chance(r, 50) ? 0 : rval(r);
		req = KVM_SET_FPU;
		break;
	default: {
		struct kvm_interrupt *irq = (void *)t->scratch;

		irq->irq = chance(r, 80) ? rn(r, 256) : (uint32_t)rval(r);
		req = KVM_INTERRUPT;
		break;
	}
	}
	xioctl(t, objs[i].fd, req, (unsigned long)t->scratch);
	obj_put(i);
}

/* mmap of any fd with odd lengths/offsets; the run area gets scribbled on. */
static void op_mmap(struct thr *t)
{
	struct rng *r = &t->rng;
	int i = obj_get(t, (1 << K_SYS) | (1 << K_VM) | (1 << K_VCPU) | (1 << K_DEAD));
	size_t len = (1 + rn(r, 4)) * PAGE;
	off_t off = chance(r, 70) ? rn(r, 4) * PAGE : (off_t)rval(r) & ~(PAGE - 1);
	int prot = chance(r, 80) ? PROT_READ | PROT_WRITE : PROT_READ;
	int flags = chance(r, 80) ? MAP_SHARED : MAP_PRIVATE;
	struct kvm_run *run;
	void *p;

	if (i < 0)
		return;
	run = objs[i].run;
	if (run && chance(r, 40)) {
		/* userspace owns the run area: the kernel must not trust it */
		uint64_t *w = (uint64_t *)run;
		int k;

		for (k = 0; k < 1 + (int)rn(r, 8); k++)
			w[rn(r, 64)] = rval(r);
		run->immediate_exit = chance(r, 10);
	} else {
		call_begin(t, "mmap", objs[i].fd, 0);
		p = mmap(NULL, len, prot, flags, objs[i].fd, off);
		call_end(t, p == MAP_FAILED ? -1 : 0);
		note(t, "mmap %s fd %d len 0x%zx off 0x%llx -> %s",
		     kind_name[objs[i].kind], objs[i].fd, len,
		     (unsigned long long)off, p == MAP_FAILED ? hv_errname(errno) : "ok");
		if (p != MAP_FAILED)
			munmap(p, len);
	}
	obj_put(i);
}

static void op_munmap_run(struct thr *t)
{
	int i;

	pthread_mutex_lock(&objs_lock);
	i = rn(&t->rng, MAX_OBJS);
	if (objs[i].run && !objs[i].users) {
		munmap(objs[i].run, HV_RUN_SIZE);
		objs[i].run = NULL;
	}
	pthread_mutex_unlock(&objs_lock);
}

static void op_info(struct thr *t)
{
	int i = obj_get(t, (1 << K_SYS) | (1 << K_DEAD));
	struct hvmod_info *info = (void *)t->scratch;

	if (i < 0)
		return;
	xioctl(t, objs[i].fd, HVMOD_GET_INFO, (unsigned long)info);
	obj_put(i);
}

static const struct {
	void (*fn)(struct thr *t);
	unsigned int weight;
} ops[] = {
	{ op_open, 2 },
	{ op_create_vm, 3 },
	{ op_create_vcpu, 5 },
	{ op_close, 4 },
	{ op_dup, 2 },
	{ NULL, 12 },		/* op_slot(t, -1) */
	{ op_arena, 3 },
	{ op_guest, 20 },
	{ op_ioctl, 30 },
	{ op_regs, 12 },
	{ op_mmap, 4 },
	{ op_munmap_run, 1 },
	{ op_info, 2 },
};
#define NR_OPS	(sizeof(ops) / sizeof(ops[0]))

static void *worker(void *arg)
{
	struct thr *t = arg;
	struct sigevent sev = { 0 };
	unsigned int total = 0, k;
	uint64_t x;

	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify_thread_id = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &t->timer))
		tap_bail("timer_create: %s", hv_errname(errno));
	for (k = 0; k < NR_OPS; k++)
		total += ops[k].weight;
	while (!done(t)) {
		x = rn(&t->rng, total);
		for (k = 0; x >= ops[k].weight; k++)
			x -= ops[k].weight;
		if (ops[k].fn)
			ops[k].fn(t);
		else
			op_slot(t, -1);
	}
	timer_delete(t->timer);
	return NULL;
}

/* ---- checks ---- */

/* hvmod fds still open in this process (anon inodes and /dev/hvmod). */
static int open_hvmod_fds(bool close_them)
{
	char path[64], link[256];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0, fd;
	ssize_t len;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		fd = atoi(d->d_name);
		if (d->d_name[0] == '.' || fd == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		if (strncmp(link, "anon_inode:hvmod", 16) &&
		    strcmp(link, HVMOD_DEV_PATH))
			continue;
		n++;
		tap_diag("fd %d still open: %s", fd, link);
		if (close_them)
			close(fd);
	}
	closedir(dir);
	return n;
}

/* Sets *arg to the index of a thread stuck in one call for HANG_SECS. */
static void *watchdog(void *arg)
{
	_Atomic int *who = arg;
	uint64_t now, s;
	int i;

	while (!atomic_load(&stop)) {
		usleep(200 * 1000);
		now = now_ms();
		for (i = 0; i < nthreads; i++) {
			s = atomic_load(&thrs[i].call_start_ms);
			if (s && now > s + HANG_SECS * 1000) {
				atomic_store(who, i);
				return NULL;
			}
		}
	}
	return NULL;
}

static const char *exit_name(unsigned int reason)
{
	static const char *const names[] = {
		"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT",
		"MMIO", "IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR",
		"SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR",
		"NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL",
		"WATCHDOG", "S390_TSCH", "EPR", "SYSTEM_EVENT", "S390_STSI",
		"IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR",
	};

	if (reason < sizeof(names) / sizeof(names[0]))
		return names[reason];
	return "(other)";
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--seed S] [--iter N] [--threads T] [--seconds S] [--verbose]\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iter", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed = 0, iter = DEFAULT_ITER, seconds = 0, t0, t1, runs = 0;
	uint64_t exits[KVM_EXIT_X86_WRMSR + 2] = { 0 }, calls = 0, oks = 0;
	struct sigaction sa = { .sa_handler = on_timer };
	bool have_seed = false, have_iter = false, kmsg_ok;
	struct hvmod_info info;
	struct hv_kmsg km;
	int c, i, sys, left;
	_Atomic int hung = -1;
	pthread_t wd;
	long refcnt;

	while ((c = getopt_long(argc, argv, "s:n:t:S:v", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 'n':
			iter = strtoull(optarg, NULL, 0);
			have_iter = true;
			break;
		case 't':
			nthreads = atoi(optarg);
			if (nthreads < 1 || nthreads > MAX_THREADS)
				usage(argv[0]);
			break;
		case 'S':
			seconds = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!have_iter && !seconds)
		seconds = DEFAULT_SECS;
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ ts.tv_nsec ^
		       ((uint64_t)getpid() << 32);
	}

	sys = hv_open_or_skip();
	if (ioctl(sys, KVM_CHECK_EXTENSION, (long)KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		close(sys);
		tap_skip_all("backend cannot run guests yet (KVM_CAP_IMMEDIATE_EXIT = 0)");
	}
	close(sys);
	tap_plan(NR_TESTS);
	tap_diag("seed 0x%" PRIx64 " iter %" PRIu64 " threads %d (reproduce: hvmod_fuzz --seed 0x%" PRIx64 " --iter %" PRIu64 " --threads %d)",
		 seed, iter, nthreads, seed, iter, nthreads);

	if (hv_get_info_fresh(&info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts, "before fuzzing: all counts 0");
	kmsg_ok = !hv_kmsg_mark(&km);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: KVM_RUN returns */
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	guard_page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (nullfd < 0 || guard_page == MAP_FAILED)
		tap_bail("setup: /dev/null or guard page: %s", hv_errname(errno));
	arenas_setup();
	for (i = 0; i < nthreads; i++) {
		uint8_t *p = mmap(NULL, SCRATCH_SIZE + 2 * PAGE, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED ||
		    mprotect(p + PAGE, SCRATCH_SIZE, PROT_READ | PROT_WRITE))
			tap_bail("setup: scratch area: %s", hv_errname(errno));
		thrs[i].idx = i;
		thrs[i].scratch = p + PAGE;
		thrs[i].rng.s = seed + i * 0x1000193ULL;
		thrs[i].budget = iter / nthreads + (i < (int)(iter % nthreads));
	}

	t0 = now_ms();
	if (seconds)
		deadline_ms = t0 + seconds * 1000;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&thrs[i].tid, NULL, worker, &thrs[i]))
			tap_bail("pthread_create: %s", hv_errname(errno));
	pthread_create(&wd, NULL, watchdog, (void *)&hung);
	for (i = 0; i < nthreads; i++) {
		/* join with a timeout so a hung thread is diagnosed, not waited on */
		while (pthread_tryjoin_np(thrs[i].tid, NULL)) {
			if (hung >= 0)
				break;
			usleep(100 * 1000);
		}
		if (hung >= 0)
			break;
	}
	atomic_store(&stop, true);
	pthread_join(wd, NULL);
	t1 = now_ms();

	for (i = 0; i < nthreads; i++) {
		calls += thrs[i].calls;
		oks += thrs[i].ok;
		runs += thrs[i].runs;
		for (c = 0; c < KVM_EXIT_X86_WRMSR + 2; c++)
			exits[c] += thrs[i].exits[c];
	}
	tap_diag("%" PRIu64 " calls (%" PRIu64 " succeeded) in %.1f s: %.0f calls/s; %" PRIu64 " KVM_RUN",
		 calls, oks, (t1 - t0) / 1000.0,
		 calls * 1000.0 / (t1 - t0 ? t1 - t0 : 1), runs);
	for (c = 0; c < KVM_EXIT_X86_WRMSR + 2; c++)
		if (exits[c])
			tap_diag("  exit %-2d %-26s %" PRIu64, c,
				 exit_name(c),
				 exits[c]);

	if (!tap_result(hung < 0, "no call ran longer than %d s", HANG_SECS)) {
		struct thr *t = &thrs[hung];
		unsigned int k;

		tap_diag("thread %d stuck in %s (fd %d, request 0x%lx) for %" PRIu64 " s; its last operations:",
			 hung, t->cur_op, t->cur_fd, t->cur_req,
			 (now_ms() - atomic_load(&t->call_start_ms)) / 1000);
		for (k = t->nrecent > RECENT ? t->nrecent - RECENT : 0;
		     k < t->nrecent; k++)
			tap_diag("  %s", t->recent[k % RECENT]);
		tap_diag("its last guest: %s", t->guest);
		tap_diag("reproduce: hvmod_fuzz --seed 0x%" PRIx64 " --iter %" PRIu64 " --threads %d",
			 seed, iter, nthreads);
		fflush(stdout);
		_exit(KSFT_FAIL);	/* a thread is stuck in the kernel */
	}
	tap_result(calls >= iter || deadline_ms,
		   "%" PRIu64 " calls made (asked for %" PRIu64 ")", calls, iter);
	if (!tap_result(exits[KVM_EXIT_IO] + exits[KVM_EXIT_HLT] +
			exits[KVM_EXIT_SHUTDOWN] + exits[KVM_EXIT_MMIO] > 0,
			"guests ran: KVM_RUN returned IO, MMIO, HLT or SHUTDOWN exits"))
		tap_diag("no guest exit seen: the fuzzer did not reach guest code");

	for (i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind != K_FREE)
			obj_release_locked(i);
	left = open_hvmod_fds(true);
	hv_expect_eq(left, 0, "every hvmod fd closed (none left in /proc/self/fd)");

	if (hv_get_info_fresh(&info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts, "after fuzzing: all counts back to 0");
	refcnt = hv_module_refcnt();
	if (refcnt < 0)
		tap_skip("no " HVMOD_SYSFS "/refcnt", "module refcnt back to 0");
	else
		hv_expect_eq(refcnt, 0, "module refcnt back to 0");

	if (!kmsg_ok) {
		tap_skip("kernel log unreadable", "kernel log: no BUG/WARNING/Oops/Call Trace/general protection");
	} else {
		c = hv_kmsg_problems(&km);
		tap_result(c == 0,
			   "kernel log: no BUG/WARNING/Oops/Call Trace/general protection");
		hv_kmsg_close(&km);
	}
	if (tap.failed)
		tap_diag("reproduce: hvmod_fuzz --seed 0x%" PRIx64 " --iter %" PRIu64 " --threads %d",
			 seed, iter, nthreads);
	return tap_finish();
}

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
#include "fuzz/fuzz.h"

/*
 * This file: the fd table, the calls, the threads and the checks; guest
 * memory and code in fuzz/fuzz_guest.c, random ioctls in fuzz/fuzz_ioctl.c.
 */
const char *const kind_name[] = { "free", "system", "VM", "vCPU", "closed" };

struct obj objs[MAX_OBJS];
struct vminfo vminfo[64];
pthread_mutex_t objs_lock = PTHREAD_MUTEX_INITIALIZER;
unsigned long next_serial = 1;
int nullfd = -1;
uint8_t *guard_page;	/* a PROT_NONE page: valid-looking, unmapped */
bool verbose;
atomic_bool stop;
_Atomic uint64_t total_calls;
uint64_t deadline_ms;
struct thr thrs[MAX_THREADS];
int nthreads = DEFAULT_THREADS;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* splitmix64 */
uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rn(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

bool chance(struct rng *r, unsigned int pct)
{
	return rn(r, 100) < pct;
}

/* Values that tend to sit on the edges of checks. */
uint64_t rval(struct rng *r)
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

void note(struct thr *t, const char *fmt, ...)
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
void call_begin(struct thr *t, const char *op, int fd, unsigned long req)
{
	t->cur_op = op;
	t->cur_fd = fd;
	t->cur_req = req;
	atomic_store(&t->call_start_ms, now_ms());
}

long call_end(struct thr *t, long r)
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

long xioctl(struct thr *t, int fd, unsigned long req, unsigned long arg)
{
	long r;

	call_begin(t, "ioctl", fd, req);
	r = ioctl(fd, req, arg);
	return call_end(t, r);
}

bool done(struct thr *t)
{
	if (atomic_load(&stop) || t->calls >= t->budget)
		return true;
	if (deadline_ms && now_ms() >= deadline_ms)
		return true;
	return false;
}

/* ---- the fd table ---- */

int obj_add(enum kind k, int fd, unsigned long vm_serial)
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

int count_kind(enum kind k)
{
	int i, n = 0;

	for (i = 0; i < MAX_OBJS; i++)
		n += objs[i].kind == k;
	return n;
}

/* A random entry of one of the kinds in mask (1 << kind), pinned; or -1. */
int obj_get(struct thr *t, unsigned int mask)
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

void obj_put(int i)
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

void add_vm(int fd)
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

void map_run(struct thr *t, int i)
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

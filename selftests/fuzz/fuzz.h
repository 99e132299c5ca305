/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of hvmod_fuzz share: limits, the fd table, the guest
 * memory arenas, the per-thread state, the call wrappers and the ops.
 */
#ifndef HVMOD_FUZZ_H
#define HVMOD_FUZZ_H

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

#include "guest.h"
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
extern const char *const kind_name[];

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
extern struct arena arenas[];	/* fuzz_guest.c */
extern const int nr_arenas;

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

extern struct obj objs[MAX_OBJS];
extern struct vminfo vminfo[64];
extern pthread_mutex_t objs_lock;
extern unsigned long next_serial;
extern int nullfd;
extern uint8_t *guard_page;
extern bool verbose;
extern atomic_bool stop;
extern _Atomic uint64_t total_calls;
extern uint64_t deadline_ms;
extern struct thr thrs[MAX_THREADS];
extern int nthreads;

uint64_t rnd(struct rng *r);
uint64_t rn(struct rng *r, uint64_t n);
bool chance(struct rng *r, unsigned int pct);
uint64_t rval(struct rng *r);
void note(struct thr *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void call_begin(struct thr *t, const char *op, int fd, unsigned long req);
long call_end(struct thr *t, long r);
long xioctl(struct thr *t, int fd, unsigned long req, unsigned long arg);
bool done(struct thr *t);
int obj_add(enum kind k, int fd, unsigned long vm_serial);
int count_kind(enum kind k);
int obj_get(struct thr *t, unsigned int mask);
void obj_put(int i);
void add_vm(int fd);
void map_run(struct thr *t, int i);
void arenas_setup(void);
void op_arena(struct thr *t);
void op_slot(struct thr *t, int vm);
void gen_sregs(struct rng *r, struct kvm_sregs *s, int mode, uint64_t cr3);
void on_timer(int sig);
long run_once(struct thr *t, int fd, struct kvm_run *run);
void op_guest(struct thr *t);
void op_ioctl(struct thr *t);
void op_regs(struct thr *t);
void op_mmap(struct thr *t);
void op_munmap_run(struct thr *t);

#endif

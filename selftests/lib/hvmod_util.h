/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the hvmod selftests: device and object creation,
 * HVMOD_GET_INFO, errno checks that print TAP, sysfs and kernel log access.
 */
#ifndef HVMOD_SELFTEST_UTIL_H
#define HVMOD_SELFTEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kvm.h>
#include <linux/hvmod.h>

#include "tap.h"

#define HVMOD_DEV_PATH		"/dev/hvmod"
#define HVMOD_SYSFS		"/sys/module/hvmod"
#define HV_PAGE_SIZE		4096UL
#define HV_RUN_SIZE		8192UL	/* struct kvm_run page + PIO page */
#ifndef KVM_PIO_PAGE_OFFSET
#define KVM_PIO_PAGE_OFFSET	1	/* x86's; hvmod keeps the layout elsewhere */
#endif
#define HV_PIO_OFFSET		(KVM_PIO_PAGE_OFFSET * HV_PAGE_SIZE)

/* Ioctls that no hvmod fd knows. */
#define HV_IOCTL_UNKNOWN_KVM	_IO(KVMIO, 0xff)
#define HV_IOCTL_UNKNOWN_HVMOD	_IO(HVMOD_IOCTL_MAGIC, 0x7f)

/* "EINVAL" for EINVAL; "errno 1234" for numbers without a name. */
const char *hv_errname(int err);

/* Opens /dev/hvmod read-write; returns the fd or -1 with errno set. */
int hv_open(void);
/* Like hv_open(), but skips the whole program (exit 4) if that fails. */
int hv_open_or_skip(void);
/* KVM_CREATE_VM(0) / KVM_CREATE_VCPU(id): fd, or -1 with errno set. */
int hv_create_vm(int sysfd);
int hv_create_vcpu(int vmfd, unsigned long id);
/* Shared read-write mapping of a vCPU's run area; MAP_FAILED on error. */
void *hv_map_run(int vcpufd, size_t len, off_t offset);
/* Returns 0 if the ioctl succeeded, else its errno. */
int hv_ioctl_err(int fd, unsigned long req, unsigned long arg);

/*
 * HVMOD_GET_INFO on sysfd; 0 or -1 with errno set.  On failure every byte of
 * info is 0xff, so that no "count is 0" check passes by accident.
 */
int hv_get_info(int sysfd, struct hvmod_info *info);
/* HVMOD_GET_INFO through a fresh /dev/hvmod fd that is closed again. */
int hv_get_info_fresh(struct hvmod_info *info);
/* Prints "# counts: vms=.. vcpus=.. ..." */
void hv_diag_counts(const struct hvmod_counts *c);
/* True if every count is 0. */
bool hv_counts_idle(const struct hvmod_counts *c);
/* TAP result for "every count is 0"; diagnoses the counts otherwise. */
__attribute__((format(printf, 2, 3)))
bool hv_expect_idle(const struct hvmod_counts *c, const char *fmt, ...);

/*
 * TAP result for "ret/err must be success (want == 0) or fail with want".
 * Use hv_check() so that errno is sampled right after the call.
 */
__attribute__((format(printf, 4, 5)))
bool hv_expect(long ret, int err, int want, const char *fmt, ...);
#define hv_check(expr, want, ...) ({					\
	long __ret = (long)(expr);					\
	int __err = errno;						\
	hv_expect(__ret, __err, (want), __VA_ARGS__);			\
})
/* TAP result for "the call returned want" (and not -1 with an errno). */
__attribute__((format(printf, 4, 5)))
bool hv_expect_ret(long ret, int err, long want, const char *fmt, ...);
#define hv_check_ret(expr, want, ...) ({				\
	long __ret = (long)(expr);					\
	int __err = errno;						\
	hv_expect_ret(__ret, __err, (want), __VA_ARGS__);		\
})
/* TAP result for got == want; diagnoses "expected <want>, got <got>". */
__attribute__((format(printf, 3, 4)))
bool hv_expect_eq(long long got, long long want, const char *fmt, ...);

/*
 * KVM_GET/SET_ONE_REG of register id through a buffer of the id's size:
 * the ioctl's result (-1 with errno on failure).
 */
int hv_get_one_reg(int vcpu, uint64_t id, void *val);
int hv_set_one_reg(int vcpu, uint64_t id, const void *val);
static inline int hv_set_one_reg64(int vcpu, uint64_t id, uint64_t val)
{
	return hv_set_one_reg(vcpu, id, &val);
}

/*
 * KVM_RUN stopped by SIGALRM after ms milliseconds, and again every ms
 * after that: a tick that comes before the thread is inside KVM_RUN (a
 * slow emulator) is followed by another, so the call cannot miss its stop.
 * Needs a SIGALRM handler without SA_RESTART.  0 or the errno.
 */
int hv_run_ms(int vcpu, unsigned int ms);

/* Online CPUs (what the kernel's num_online_cpus() reports). */
int hv_online_cpus(void);
/* "svm" or "vmx": $HVMOD_BOX, else guessed from /proc/cpuinfo; NULL if unknown. */
const char *hv_box(void);
/* Reads a small text file, strips the trailing newline; length or -1. */
int hv_read_file(const char *path, char *buf, size_t len);
/* /sys/module/hvmod/refcnt, or -1 if unreadable. */
long hv_module_refcnt(void);

/*
 * Touches every page of [p, p + len) (read, or read and write back) with
 * SIGSEGV/SIGBUS caught; returns false if any access faulted.
 */
bool hv_try_access(volatile void *p, size_t len, bool write);

/*
 * Kernel log: hv_kmsg_mark() remembers "now"; hv_kmsg_find() returns how
 * many lines logged since then start with prefix and contain needle (NULL:
 * any), copying the first into line.  Uses /dev/kmsg, or klogctl() if that
 * cannot be opened.  Returns -1 if the log cannot be read.  A find consumes
 * what it read: take a new mark for the next check.
 */
struct hv_kmsg {
	int fd;		/* /dev/kmsg, or -1 when using klogctl() */
	char *snap;	/* klogctl(): buffer at mark time */
	int snaplen;
};

typedef void (*hv_kmsg_fn)(const char *text, void *arg);

int hv_kmsg_mark(struct hv_kmsg *m);
/* Like hv_kmsg_find(), but calls fn for every matching line. */
int hv_kmsg_scan(struct hv_kmsg *m, const char *prefix, const char *needle,
		 hv_kmsg_fn fn, void *arg);
int hv_kmsg_find(struct hv_kmsg *m, const char *prefix, const char *needle,
		 char *line, size_t len);
void hv_kmsg_close(struct hv_kmsg *m);
/*
 * Kernel problems (BUG, WARNING, Oops, Call Trace, general protection)
 * logged since the mark, each shown as a TAP diagnostic (the first 20):
 * their number, or -1 if the log cannot be read.
 */
int hv_kmsg_problems(struct hv_kmsg *m);

#endif /* HVMOD_SELFTEST_UTIL_H */

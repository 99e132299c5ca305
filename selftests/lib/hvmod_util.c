// SPDX-License-Identifier: GPL-2.0
/*
 * Shared helpers for the hvmod selftests; see hvmod_util.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "hvmod_util.h"
#include "tap.h"

const char *hv_errname(int err)
{
	static char buf[32];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

int hv_open(void)
{
	return open(HVMOD_DEV_PATH, O_RDWR | O_CLOEXEC);
}

int hv_open_or_skip(void)
{
	int fd = hv_open();

	if (fd < 0)
		tap_skip_all("%s: %s", HVMOD_DEV_PATH, strerror(errno));
	return fd;
}

int hv_create_vm(int sysfd)
{
	return ioctl(sysfd, KVM_CREATE_VM, 0UL);
}

int hv_create_vcpu(int vmfd, unsigned long id)
{
	return ioctl(vmfd, KVM_CREATE_VCPU, id);
}

void *hv_map_run(int vcpufd, size_t len, off_t offset)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, vcpufd,
		    offset);
}

int hv_ioctl_err(int fd, unsigned long req, unsigned long arg)
{
	return ioctl(fd, req, arg) < 0 ? errno : 0;
}

int hv_get_info(int sysfd, struct hvmod_info *info)
{
	int err;

	memset(info, 0, sizeof(*info));
	if (ioctl(sysfd, HVMOD_GET_INFO, info) == 0)
		return 0;
	err = errno;
	memset(info, 0xff, sizeof(*info));
	errno = err;
	return -1;
}

int hv_get_info_fresh(struct hvmod_info *info)
{
	int fd = hv_open(), ret, err;

	if (fd < 0)
		return -1;
	ret = hv_get_info(fd, info);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

void hv_diag_counts(const struct hvmod_counts *c)
{
	tap_diag("counts: vms=%llu vcpus=%llu pinned_pages=%llu s2_pages=%llu ctl_pages=%llu cpus_enabled=%llu",
		 (unsigned long long)c->vms, (unsigned long long)c->vcpus,
		 (unsigned long long)c->pinned_pages,
		 (unsigned long long)c->s2_pages,
		 (unsigned long long)c->ctl_pages,
		 (unsigned long long)c->cpus_enabled);
}

bool hv_counts_idle(const struct hvmod_counts *c)
{
	return !c->vms && !c->vcpus && !c->pinned_pages && !c->s2_pages &&
	       !c->ctl_pages && !c->cpus_enabled;
}

bool hv_expect_idle(const struct hvmod_counts *c, const char *fmt, ...)
{
	bool ok = hv_counts_idle(c);
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(ok, fmt, ap);
	va_end(ap);
	if (!ok) {
		tap_diag("expected all counts 0 (idle)");
		hv_diag_counts(c);
	}
	return ok;
}

bool hv_expect(long ret, int err, int want, const char *fmt, ...)
{
	bool ok = want ? (ret == -1 && err == want) : ret >= 0;
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(ok, fmt, ap);
	va_end(ap);
	if (ok)
		return true;
	if (ret >= 0)
		tap_diag("expected %s, got success (returned %ld)",
			 hv_errname(want), ret);
	else if (want)
		tap_diag("expected %s, got %s", hv_errname(want),
			 hv_errname(err));
	else
		tap_diag("expected success, got %s", hv_errname(err));
	return false;
}

bool hv_expect_ret(long ret, int err, long want, const char *fmt, ...)
{
	bool ok = ret == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(ok, fmt, ap);
	va_end(ap);
	if (ok)
		return true;
	if (ret == -1)
		tap_diag("expected %ld, got %s", want, hv_errname(err));
	else
		tap_diag("expected %ld, got %ld", want, ret);
	return false;
}

bool hv_expect_eq(long long got, long long want, const char *fmt, ...)
{
	bool ok = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("expected %lld, got %lld", want, got);
	return ok;
}

int hv_online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

const char *hv_box(void)
{
	static char box[8];
	const char *env = getenv("HVMOD_BOX");
	char line[4096];
	FILE *f;

	if (env && *env)
		return env;
	if (box[0])
		return box;
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		if (strstr(line, " svm"))
			strcpy(box, "svm");
		else if (strstr(line, " vmx"))
			strcpy(box, "vmx");
		break;
	}
	fclose(f);
	return box[0] ? box : NULL;
}

int hv_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return (int)n;
}

long hv_module_refcnt(void)
{
	char buf[32];

	if (hv_read_file(HVMOD_SYSFS "/refcnt", buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static sigjmp_buf hv_fault_jmp;

static void hv_fault_handler(int sig)
{
	siglongjmp(hv_fault_jmp, sig);
}

bool hv_try_access(volatile void *p, size_t len, bool write)
{
	struct sigaction sa = { .sa_handler = hv_fault_handler }, old_segv, old_bus;
	volatile char *c = p;
	volatile bool ok = true;
	size_t off;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(hv_fault_jmp, 1) == 0) {
		for (off = 0; off < len; off += HV_PAGE_SIZE) {
			char v = c[off];

			if (write)
				c[off] = v;
		}
	} else {
		ok = false;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return ok;
}

/* Message text of one klogctl() line: skips "<6>" and "[   1.234567] ". */
static const char *hv_klog_text(const char *l)
{
	const char *end;

	if (*l == '<' && (end = strchr(l, '>')))
		l = end + 1;
	if (*l == '[' && (end = strchr(l, ']'))) {
		l = end + 1;
		while (*l == ' ')
			l++;
	}
	return l;
}

static bool hv_line_match(const char *text, const char *prefix,
			  const char *needle)
{
	if (prefix && strncmp(text, prefix, strlen(prefix)))
		return false;
	return !needle || strstr(text, needle);
}

static char *hv_klog_read(int *len)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;

	if (size <= 0)
		size = 1 << 20;
	buf = calloc(1, size + 1);
	if (!buf)
		return NULL;
	*len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (*len < 0) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

int hv_kmsg_mark(struct hv_kmsg *m)
{
	memset(m, 0, sizeof(*m));
	m->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (m->fd >= 0)
		return lseek(m->fd, 0, SEEK_END) < 0 ? -1 : 0;
	m->snap = hv_klog_read(&m->snaplen);
	return m->snap ? 0 : -1;
}

/* klogctl() fallback: lines after the last line of the snapshot. */
static int hv_klog_scan(struct hv_kmsg *m, const char *prefix,
			const char *needle, hv_kmsg_fn fn, void *arg)
{
	char *buf, *start, *last, *tok, *save;
	int n, count = 0;

	buf = hv_klog_read(&n);
	if (!buf)
		return -1;
	start = buf;
	while (m->snaplen && m->snap[m->snaplen - 1] == '\n')
		m->snap[--m->snaplen] = '\0';
	last = strrchr(m->snap, '\n');
	last = last ? last + 1 : m->snap;
	if (*last) {
		char *hit = NULL, *p = buf;

		while ((p = strstr(p, last))) {
			hit = p;
			p++;
		}
		if (hit)
			start = hit + strlen(last);
	}
	for (tok = strtok_r(start, "\n", &save); tok;
	     tok = strtok_r(NULL, "\n", &save)) {
		const char *text = hv_klog_text(tok);

		if (hv_line_match(text, prefix, needle)) {
			count++;
			if (fn)
				fn(text, arg);
		}
	}
	free(buf);
	return count;
}

int hv_kmsg_scan(struct hv_kmsg *m, const char *prefix, const char *needle,
		 hv_kmsg_fn fn, void *arg)
{
	char rec[8192];
	int count = 0;

	if (m->fd < 0)
		return m->snap ? hv_klog_scan(m, prefix, needle, fn, arg) : -1;
	for (;;) {
		ssize_t n = read(m->fd, rec, sizeof(rec) - 1);
		char *text, *nl;

		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;	/* EPIPE: records were overwritten */
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (hv_line_match(text, prefix, needle)) {
			count++;
			if (fn)
				fn(text, arg);
		}
	}
	return count;
}

struct hv_first_line {
	char *buf;
	size_t len;
};

static void hv_keep_first(const char *text, void *arg)
{
	struct hv_first_line *f = arg;

	if (f->buf && f->len && !f->buf[0])
		snprintf(f->buf, f->len, "%s", text);
}

int hv_kmsg_find(struct hv_kmsg *m, const char *prefix, const char *needle,
		 char *line, size_t len)
{
	struct hv_first_line f = { line, len };

	if (line && len)
		line[0] = '\0';
	return hv_kmsg_scan(m, prefix, needle, hv_keep_first, &f);
}

void hv_kmsg_close(struct hv_kmsg *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m->snap);
	m->fd = -1;
	m->snap = NULL;
}

static void hv_kmsg_problem(const char *text, void *arg)
{
	/* as the kernel words them: "KVM_SET_DEBUGREGS" is no BUG */
	static const char *const bad[] = {
		"BUG:", "kernel BUG at", "WARNING:", "Oops", "Call Trace",
		"general protection",
	};
	int *hits = arg;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (strstr(text, bad[i])) {
			if ((*hits)++ < 20)
				tap_diag("kernel log: %s", text);
			return;
		}
	}
}

int hv_kmsg_problems(struct hv_kmsg *m)
{
	int hits = 0;

	if (hv_kmsg_scan(m, NULL, NULL, hv_kmsg_problem, &hits) < 0)
		return -1;
	return hits;
}

int hv_get_one_reg(int vcpu, uint64_t id, void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu, KVM_GET_ONE_REG, &r);
}

int hv_set_one_reg(int vcpu, uint64_t id, const void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

int hv_run_ms(int vcpu, unsigned int ms)
{
	struct itimerval it = { 0 };
	int r, err;

	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = ms % 1000 * 1000;
	it.it_interval = it.it_value;
	setitimer(ITIMER_REAL, &it, NULL);
	r = ioctl(vcpu, KVM_RUN, 0UL);
	err = errno;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	return r < 0 ? err : 0;
}

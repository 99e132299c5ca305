// SPDX-License-Identifier: GPL-2.0
/*
 * hvt_hypercall.c: guest pointer validation and the core hypercalls that
 * exist for every unikernel (walltime, puts, poll, halt), and the MMIO
 * hypercall exit of aarch64 and riscv64.  The block and net hypercalls
 * live in hvt_block.c and hvt_net.c.
 *
 * Every guest pointer goes through hvt_checked_gpa() before the host
 * touches the memory behind it: nothing outside guest RAM (and nothing in
 * the net ring area above it) is ever read or written.
 */
#include <err.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hvt.h"

/*
 * The guest memory [GPA, GPA + SIZE) or exit 1.  Strict, as Solo5's
 * HVT_CHECKED_GPA_P: the range must end below mem_size.
 */
void *hvt_checked_gpa(struct hvt *h, uint64_t gpa, uint64_t size)
{
	uint64_t end;

	if (gpa >= h->mem_size || __builtin_add_overflow(gpa, size, &end) ||
	    end >= h->mem_size)
		errx(1, "Invalid guest access: gpa=0x%llx, sz=%llu",
		     (unsigned long long)gpa, (unsigned long long)size);
	return h->mem + gpa;
}

static void hc_walltime(struct hvt *h, uint64_t gpa)
{
	struct hvt_hc_walltime *t = hvt_checked_gpa(h, gpa, sizeof(*t));
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		err(1, "clock_gettime(CLOCK_REALTIME) failed");
	t->nsecs = ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void hc_puts(struct hvt *h, uint64_t gpa)
{
	struct hvt_hc_puts *p = hvt_checked_gpa(h, gpa, sizeof(*p));
	uint64_t len = p->len;
	const char *s = hvt_checked_gpa(h, p->data, len);

	while (len) {
		ssize_t n = write(STDOUT_FILENO, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* stdout gone: the guest cannot care */
		s += n;
		len -= n;
	}
}

static void hc_poll(struct hvt *h, uint64_t gpa)
{
	struct hvt_hc_poll *t = hvt_checked_gpa(h, gpa, sizeof(*t));
	uint64_t ready = 0;

	t->ret = hvt_net_poll(h, t->timeout_nsecs, &ready);
	t->ready_set = ready;
}

void hvt_hypercall_setup_core(struct hvt *h)
{
	h->hypercall[HVT_HC_WALLTIME] = hc_walltime;
	h->hypercall[HVT_HC_PUTS] = hc_puts;
	h->hypercall[HVT_HC_POLL] = hc_poll;
}

/* HALT: the guest's exit status; a non-zero cookie must be valid memory. */
static int hc_halt(struct hvt *h, uint64_t gpa)
{
	struct hvt_hc_halt *t = hvt_checked_gpa(h, gpa, sizeof(*t));

	if (t->cookie)
		hvt_checked_gpa(h, t->cookie, HVT_HALT_COOKIE_MAX);
	return t->exit_status;
}

/*
 * Hypercall NR (already known to be below HVT_HC_MAX: each architecture
 * checks its own port / address range) with argument GPA.
 */
int hvt_hypercall(struct hvt *h, unsigned int nr, uint64_t gpa, int *status)
{
	if (nr == HVT_HC_HALT) {
		*status = hc_halt(h, gpa);
		return 1;
	}
	if (nr >= HVT_HC_MAX || !h->hypercall[nr])
		errx(1, "Invalid guest hypercall: num=%u", nr);
	h->hypercall[nr](h, gpa);
	return 0;
}

/*
 * aarch64 and riscv64: a 32-bit store of the argument's GPA to
 * HVT_MMIO_ADDR(nr) is a KVM_EXIT_MMIO.  1 if the guest halted, 0 to
 * resume, -1 if the exit is no MMIO; any other access ends hvctl.
 */
int hvt_mmio_hypercall(struct hvt *h, int *status)
{
	struct kvm_run *run = h->vm.run;
	unsigned long long addr = run->mmio.phys_addr;
	uint32_t data;

	if (run->exit_reason != KVM_EXIT_MMIO)
		return -1;
	if (!run->mmio.is_write || run->mmio.len != 4 ||
	    addr < HVT_MMIO_BASE || addr >= HVT_MMIO_ADDR(HVT_HC_MAX))
		errx(1, "Invalid guest mmio access: mmio=0x%llx, len=%u, %s",
		     addr, run->mmio.len, run->mmio.is_write ? "write" : "read");
	memcpy(&data, run->mmio.data, sizeof(data));
	return hvt_hypercall(h, (addr - HVT_MMIO_BASE) >> 3, data, status);
}

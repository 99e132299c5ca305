// SPDX-License-Identifier: GPL-2.0
/*
 * x86 guests for the hvmod selftests: KVM_RUN and the checks of the exits
 * it reports; see guest.h.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guest.h"

int hv_run_for(struct hv_vcpu *v, unsigned int secs)
{
	int err;

	hv_alarm_fired = 0;
	err = hv_run_ms(v->fd, secs * 1000);
	if (err == EINTR && hv_alarm_fired)
		tap_diag("KVM_RUN: guest still running after %u s, stopped by SIGALRM (RIP 0x%llx)",
			 secs, (unsigned long long)hv_rip(v));
	return err;
}

const char *hv_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
		[KVM_EXIT_IO] = "KVM_EXIT_IO",
		[KVM_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
		[KVM_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
		[KVM_EXIT_HLT] = "KVM_EXIT_HLT",
		[KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
		[KVM_EXIT_INTR] = "KVM_EXIT_INTR",
		[KVM_EXIT_SET_TPR] = "KVM_EXIT_SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "KVM_EXIT_TPR_ACCESS",
		[KVM_EXIT_NMI] = "KVM_EXIT_NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "KVM_EXIT_SYSTEM_EVENT",
		[KVM_EXIT_X86_RDMSR] = "KVM_EXIT_X86_RDMSR",
		[KVM_EXIT_X86_WRMSR] = "KVM_EXIT_X86_WRMSR",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "(unknown exit reason)";
}

void hv_diag_exit(struct hv_vcpu *v)
{
	struct kvm_run *run = v->run;
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r))
		r.rip = ~0ULL;
	tap_diag("exit: %s (%u), RIP 0x%llx", hv_exit_name(run->exit_reason),
		 run->exit_reason, (unsigned long long)r.rip);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		tap_diag("  io: %s size %u port 0x%x count %u data_offset 0x%llx data 0x%x",
			 run->io.direction == KVM_EXIT_IO_OUT ? "OUT" : "IN",
			 run->io.size, run->io.port, run->io.count,
			 (unsigned long long)run->io.data_offset,
			 hv_io_data(v));
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		tap_diag("  internal: suberror %u ndata %u data 0x%llx 0x%llx 0x%llx 0x%llx",
			 run->internal.suberror, run->internal.ndata,
			 (unsigned long long)run->internal.data[0],
			 (unsigned long long)run->internal.data[1],
			 (unsigned long long)run->internal.data[2],
			 (unsigned long long)run->internal.data[3]);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		tap_diag("  fail_entry: hardware_entry_failure_reason 0x%llx cpu %u",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		break;
	case KVM_EXIT_MMIO:
		tap_diag("  mmio: %s phys_addr 0x%llx len %u",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	}
}

bool hv_run_exit(struct hv_vcpu *v, uint32_t reason)
{
	int err = hv_run(v);

	if (err) {
		tap_diag("KVM_RUN failed: %s (expected exit %s)",
			 hv_errname(err), hv_exit_name(reason));
		return false;
	}
	if (v->run->exit_reason == reason)
		return true;
	tap_diag("expected exit %s, got:", hv_exit_name(reason));
	hv_diag_exit(v);
	return false;
}

bool hv_is_io(struct hv_vcpu *v, uint8_t dir, uint8_t size, uint16_t port,
	      uint32_t *data)
{
	struct kvm_run *run = v->run;

	if (run->exit_reason != KVM_EXIT_IO || run->io.direction != dir ||
	    run->io.size != size || run->io.port != port ||
	    run->io.count != 1 || run->io.data_offset != HV_PIO_OFFSET) {
		tap_diag("expected io: %s size %u port 0x%x count 1 data_offset 0x%lx",
			 dir == KVM_EXIT_IO_OUT ? "OUT" : "IN", size, port,
			 HV_PIO_OFFSET);
		hv_diag_exit(v);
		return false;
	}
	if (data)
		*data = hv_io_data(v);
	return true;
}

bool hv_run_io(struct hv_vcpu *v, uint8_t dir, uint8_t size, uint16_t port,
	       uint32_t *data)
{
	return hv_run_exit(v, KVM_EXIT_IO) && hv_is_io(v, dir, size, port, data);
}

uint32_t hv_io_data(struct hv_vcpu *v)
{
	struct kvm_run *run = v->run;
	uint32_t val = 0;

	if (run->io.data_offset > HV_RUN_SIZE - 4 || run->io.size > 4)
		return 0xbadbad;
	memcpy(&val, (char *)run + run->io.data_offset, run->io.size);
	return val;
}

void hv_io_reply(struct hv_vcpu *v, uint32_t val)
{
	struct kvm_run *run = v->run;

	if (run->io.data_offset > HV_RUN_SIZE - 4 || run->io.size > 4)
		return;
	memcpy((char *)run + run->io.data_offset, &val, run->io.size);
}

bool hv_expect_exit(struct hv_vcpu *v, uint32_t reason, const char *fmt, ...)
{
	bool ok = hv_run_exit(v, reason);
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(ok, fmt, ap);
	va_end(ap);
	return ok;
}

bool hv_expect_out(struct hv_vcpu *v, uint16_t port, uint8_t size,
		   uint32_t want, const char *fmt, ...)
{
	uint32_t got = 0;
	bool ok = hv_run_io(v, KVM_EXIT_IO_OUT, size, port, &got);
	va_list ap;

	if (ok && got != want) {
		tap_diag("OUT to port 0x%x: expected 0x%x, got 0x%x", port,
			 want, got);
		ok = false;
	}
	va_start(ap, fmt);
	tap_vresult(ok, fmt, ap);
	va_end(ap);
	return ok;
}

bool hv_expect_hex(bool ok, uint64_t got, uint64_t want, const char *fmt, ...)
{
	bool pass = ok && got == want;
	va_list ap;

	if (ok && !pass)
		tap_diag("expected 0x%llx, got 0x%llx", (unsigned long long)want,
			 (unsigned long long)got);
	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	return pass;
}

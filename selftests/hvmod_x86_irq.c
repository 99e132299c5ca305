// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt injection without an in-kernel irqchip, as KVM does it:
 * KVM_INTERRUPT (vector range, one pending at a time, shown in
 * KVM_GET_SREGS.interrupt_bitmap), delivery through the guest's IDT when
 * IF = 1 (also after a HLT exit), held back while IF = 0 until STI and its
 * shadow, and request_interrupt_window -> KVM_EXIT_IRQ_WINDOW_OPEN, with
 * if_flag and ready_for_interrupt_injection reported on every exit.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ioctl.h>

#include "guest.h"
#include "x86_irq.sym.h"

HV_GUEST_BLOB(x86_irq);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	20

static int inject(struct hv_vcpu *v, uint32_t vec)
{
	struct kvm_interrupt irq = { .irq = vec };

	return ioctl(v->fd, KVM_INTERRUPT, &irq);
}

static bool run_flags(struct hv_vcpu *v, uint8_t if_flag, uint8_t ready,
		      const char *what)
{
	struct kvm_run *run = v->run;
	bool ok = run->if_flag == if_flag &&
		  run->ready_for_interrupt_injection == ready;

	if (!tap_result(ok, "%s: if_flag %u, ready_for_interrupt_injection %u",
			what, if_flag, ready))
		tap_diag("got if_flag %u, ready_for_interrupt_injection %u",
			 run->if_flag, run->ready_for_interrupt_injection);
	return ok;
}

/* The handler of vec reports vec and the interrupted RIP, then IRETQ. */
static void expect_handler(struct hv_vcpu *v, uint32_t vec, uint64_t rip,
			   const char *what)
{
	uint32_t got = 0, at = 0;
	bool ok = hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x20, &got) &&
		  hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x21, &at);

	if (!tap_result(ok && got == vec && at == rip,
			"%s: guest IDT handler of vector 0x%x runs, interrupted RIP 0x%llx",
			what, vec, (unsigned long long)rip))
		tap_diag("handler reported vector 0x%x, RIP 0x%x", got, at);
}

int main(void)
{
	uint64_t bitmap[4], want[4] = { 0, 1ULL << 0, 0, 0 };
	struct kvm_sregs s;
	struct kvm_regs r;
	struct hv_vcpu v;
	struct hv_vm vm;
	bool ok;
	int sys = hv_x86_open();

	tap_plan(NR_TESTS);
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_irq_bin, x86_irq_bin_end);
	hv_vm_set_gate(&vm, HV_LONG64, 0x40, GUEST_irq40);
	hv_vm_set_gate(&vm, HV_LONG64, 0x41, GUEST_irq41);
	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_irq_entry);
	hv_get_regs(&v, &r);
	r.rflags |= RFLAGS_IF;
	hv_set_regs(&v, &r);

	hv_check(inject(&v, 256), EINVAL, "KVM_INTERRUPT vector 256 -> EINVAL");
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x10, NULL);
	if (!ok)
		tap_bail("guest did not reach its first OUT");
	run_flags(&v, 1, 1, "exit with IF = 1");
	hv_check(inject(&v, 0x40), 0, "KVM_INTERRUPT vector 0x40");
	hv_check(inject(&v, 0x41), EEXIST, "KVM_INTERRUPT while 0x40 is pending -> EEXIST");
	hv_get_sregs(&v, &s);
	memcpy(bitmap, s.interrupt_bitmap, sizeof(bitmap));
	if (!tap_result(!memcmp(bitmap, want, sizeof(bitmap)),
			"KVM_GET_SREGS: interrupt_bitmap holds exactly the pending vector 0x40"))
		tap_diag("bitmap %016llx %016llx %016llx %016llx",
			 (unsigned long long)bitmap[0], (unsigned long long)bitmap[1],
			 (unsigned long long)bitmap[2], (unsigned long long)bitmap[3]);
	expect_handler(&v, 0x40, GUEST_irq_a_next, "injected at the next KVM_RUN");
	hv_expect_out(&v, 0x11, 4, 1, "after IRETQ the guest goes on where it was interrupted");

	ok = hv_run_exit(&v, KVM_EXIT_HLT);
	tap_result(ok && hv_rip(&v) == GUEST_irq_c_next, "guest HLT -> KVM_EXIT_HLT");
	hv_check(inject(&v, 0x41), 0, "KVM_INTERRUPT vector 0x41 after the HLT exit");
	expect_handler(&v, 0x41, GUEST_irq_c_next, "after a HLT exit");
	hv_expect_out(&v, 0x11, 4, 2, "guest goes on after the HLT");

	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x12, NULL);
	run_flags(&v, 0, 0, "exit after CLI");
	v.run->request_interrupt_window = 1;
	ok = hv_run_exit(&v, KVM_EXIT_IRQ_WINDOW_OPEN);
	run_flags(&v, 1, 1, "request_interrupt_window with IF = 0, guest then runs STI: KVM_EXIT_IRQ_WINDOW_OPEN");
	hv_expect_hex(ok, hv_rip(&v), GUEST_irq_f_next,
		      "KVM_EXIT_IRQ_WINDOW_OPEN after the instruction in STI's shadow");
	v.run->request_interrupt_window = 0;
	inject(&v, 0x40);
	expect_handler(&v, 0x40, GUEST_irq_f_next, "injected in the open window");
	hv_expect_out(&v, 0x13, 1, 2, "guest goes on after the handler");

	hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x14, NULL);
	hv_check(inject(&v, 0x41), 0, "KVM_INTERRUPT with IF = 0 (ready_for_interrupt_injection 0) is queued");
	hv_expect_out(&v, 0x15, 1, 2, "queued interrupt not delivered while IF = 0");
	expect_handler(&v, 0x41, GUEST_irq_i_next, "queued interrupt delivered after STI and its shadow");
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x16, NULL) && hv_run_exit(&v, KVM_EXIT_HLT);
	hv_expect_hex(ok, hv_rip(&v), GUEST_irq_end, "guest ends at its last HLT");

	hv_vcpu_free(&v);
	hv_vm_free(&vm);
	return tap_finish();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * NMIs and event state without an in-kernel irqchip, as KVM does it:
 * KVM_NMI delivered through the guest's IDT (vector 2) whatever IF is,
 * NMIs blocked from delivery to the handler's IRET, NMIs raised meanwhile
 * collapsed into one delivered right after that IRET, and
 * KVM_GET/SET_VCPU_EVENTS: nmi.pending/masked at each step, masking and
 * unmasking, an injected #GP with its error code, the KVM_INTERRUPT
 * vector, the interrupt shadow, a round trip, and EINVAL for flags and
 * vectors KVM rejects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest.h"
#include "x86_nmi.sym.h"

HV_GUEST_BLOB(x86_nmi);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	50
#define GP_VECTOR	13
#define UD_VECTOR	6

static void get_events(struct hv_vcpu *v, struct kvm_vcpu_events *e)
{
	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, e))
		tap_bail("KVM_GET_VCPU_EVENTS: %s", strerror(errno));
}

static int set_events(struct hv_vcpu *v, const struct kvm_vcpu_events *e)
{
	return ioctl(v->fd, KVM_SET_VCPU_EVENTS, e);
}

/* TAP: nmi.pending and nmi.masked as wanted, nothing else in flight. */
static bool expect_nmi_state(struct hv_vcpu *v, uint8_t pending,
			     uint8_t masked, const char *what)
{
	struct kvm_vcpu_events e;
	bool ok;

	get_events(v, &e);
	ok = e.nmi.pending == pending && e.nmi.masked == masked &&
	     !e.nmi.injected && !e.exception.injected &&
	     !e.interrupt.injected &&
	     e.flags == (KVM_VCPUEVENT_VALID_NMI_PENDING |
			 KVM_VCPUEVENT_VALID_SHADOW);
	if (!tap_result(ok, "%s: KVM_GET_VCPU_EVENTS nmi.pending %u, nmi.masked %u",
			what, pending, masked))
		tap_diag("got nmi pending %u masked %u injected %u, exception %u, interrupt %u, flags 0x%x",
			 e.nmi.pending, e.nmi.masked, e.nmi.injected,
			 e.exception.injected, e.interrupt.injected, e.flags);
	return ok;
}

static int nmi(struct hv_vcpu *v)
{
	return ioctl(v->fd, KVM_NMI);
}

/*
 * The NMI handler runs: count and interrupted RIP, then it spins on port
 * 0x22 (the exit is left in v->run, unanswered).
 */
static void expect_handler(struct hv_vcpu *v, uint32_t count, uint64_t rip,
			   const char *what)
{
	uint32_t got = 0, at = 0;
	bool ok = hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x20, &got) &&
		  hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x21, &at) &&
		  hv_run_io(v, KVM_EXIT_IO_IN, 1, 0x22, NULL);

	if (!tap_result(ok && got == count && at == rip,
			"%s: NMI handler runs (NMI %u), interrupted RIP 0x%llx",
			what, count, (unsigned long long)rip))
		tap_diag("handler reported NMI %u, RIP 0x%x", got, at);
}

/* SET_VCPU_EVENTS that must fail with EINVAL; nothing else in e. */
static void expect_einval(struct hv_vcpu *v, struct kvm_vcpu_events *e,
			  const char *what)
{
	hv_check(set_events(v, e), EINVAL, "KVM_SET_VCPU_EVENTS %s -> EINVAL",
		 what);
	memset(e, 0, sizeof(*e));
}

static void test_bad_events(struct hv_vcpu *v)
{
	struct kvm_vcpu_events e;

	memset(&e, 0, sizeof(e));
	e.flags = 0x80;
	expect_einval(v, &e, "unknown flag 0x80");
	e.flags = KVM_VCPUEVENT_VALID_SMM;
	expect_einval(v, &e, "KVM_VCPUEVENT_VALID_SMM (no SMM)");
	e.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	expect_einval(v, &e, "KVM_VCPUEVENT_VALID_PAYLOAD (cap not enabled)");
	e.exception.injected = 1;
	e.exception.nr = 2;
	expect_einval(v, &e, "exception vector 2 (NMI)");
	e.exception.injected = 1;
	e.exception.nr = 32;
	expect_einval(v, &e, "exception vector 32");
	e.exception.injected = 1;
	e.exception.nr = UD_VECTOR;
	e.exception.has_error_code = 1;
	expect_einval(v, &e, "#UD with an error code");
	e.interrupt.injected = 1;
	e.interrupt.nr = 0x40;
	e.interrupt.soft = 1;
	expect_einval(v, &e, "software interrupt");
	e.flags = KVM_VCPUEVENT_VALID_SHADOW;
	e.interrupt.shadow = 4;
	expect_einval(v, &e, "interrupt shadow 4");
}

/* KVM_INTERRUPT's vector and the interrupt shadow, set and read back. */
static void test_irq_and_shadow(struct hv_vcpu *v)
{
	struct kvm_interrupt irq = { .irq = 0x40 };
	struct kvm_vcpu_events e;

	hv_check(ioctl(v->fd, KVM_INTERRUPT, &irq), 0, "KVM_INTERRUPT 0x40");
	get_events(v, &e);
	tap_result(e.interrupt.injected && e.interrupt.nr == 0x40 &&
		   !e.interrupt.soft,
		   "KVM_GET_VCPU_EVENTS: KVM_INTERRUPT vector as interrupt.injected, nr 0x40");
	e.interrupt.injected = 0;
	e.flags = KVM_VCPUEVENT_VALID_SHADOW;
	e.interrupt.shadow = KVM_X86_SHADOW_INT_MOV_SS;
	hv_check(set_events(v, &e), 0,
		 "KVM_SET_VCPU_EVENTS: no interrupt, MOV SS shadow");
	get_events(v, &e);
	tap_result(!e.interrupt.injected &&
		   e.interrupt.shadow == KVM_X86_SHADOW_INT_MOV_SS,
		   "KVM_GET_VCPU_EVENTS: interrupt gone, shadow MOV SS");
	hv_check(ioctl(v->fd, KVM_INTERRUPT, &irq), 0,
		 "KVM_INTERRUPT again: the vector was taken back");
	e.interrupt.injected = 0;
	e.interrupt.shadow = 0;
	hv_check(set_events(v, &e), 0,
		 "KVM_SET_VCPU_EVENTS: no interrupt, no shadow");
	get_events(v, &e);
	tap_result(!e.interrupt.injected && !e.interrupt.shadow,
		   "KVM_GET_VCPU_EVENTS: nothing pending, no shadow");
}

/* An injected #GP: set, read back, set again unchanged, delivered. */
static void test_exception(struct hv_vcpu *v)
{
	struct kvm_vcpu_events e, back, again;

	memset(&e, 0, sizeof(e));
	e.exception.injected = 1;
	e.exception.nr = GP_VECTOR;
	e.exception.has_error_code = 1;
	e.exception.error_code = 0x18;
	e.sipi_vector = 0x12;
	e.flags = KVM_VCPUEVENT_VALID_SIPI_VECTOR | KVM_VCPUEVENT_VALID_SHADOW |
		  KVM_VCPUEVENT_VALID_NMI_PENDING;
	hv_check(set_events(v, &e), 0,
		 "KVM_SET_VCPU_EVENTS: #GP injected, error code 0x18");
	get_events(v, &back);
	tap_result(back.exception.injected && back.exception.nr == GP_VECTOR &&
		   back.exception.has_error_code &&
		   back.exception.error_code == 0x18 &&
		   back.sipi_vector == 0x12 && !back.nmi.pending &&
		   !back.nmi.masked && !back.interrupt.injected,
		   "KVM_GET_VCPU_EVENTS: the #GP and sipi_vector read back");
	hv_check(set_events(v, &back), 0,
		 "KVM_SET_VCPU_EVENTS of what KVM_GET_VCPU_EVENTS returned");
	get_events(v, &again);
	tap_result(!memcmp(&back, &again, sizeof(back)),
		   "round trip: KVM_GET_VCPU_EVENTS returns the same again");
	hv_expect_out(v, 0x24, 4, 0x18,
		      "injected #GP delivered with its error code");
	hv_expect_out(v, 0x25, 4, GUEST_nmi_e_next,
		      "#GP interrupted RIP is where the guest stopped");
}

int main(void)
{
	struct kvm_vcpu_events e;
	struct kvm_regs r;
	struct hv_vcpu v;
	struct hv_vm vm;
	int sys = hv_x86_open();

	tap_plan(NR_TESTS);
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_nmi_bin, x86_nmi_bin_end);
	hv_vm_set_gate(&vm, HV_LONG64, 2, GUEST_nmi);
	hv_vm_set_gate(&vm, HV_LONG64, GP_VECTOR, GUEST_gp);
	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_nmi_entry);
	hv_get_regs(&v, &r);
	r.rflags |= RFLAGS_IF;
	hv_set_regs(&v, &r);

	hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_NMI), 1,
		 "KVM_CAP_USER_NMI is 1");
	hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_VCPU_EVENTS), 1,
		 "KVM_CAP_VCPU_EVENTS is 1");
	if (!hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x10, NULL))
		tap_bail("guest did not reach its first OUT");
	expect_nmi_state(&v, 0, 0, "at start");
	hv_check(nmi(&v), 0, "KVM_NMI");
	expect_nmi_state(&v, 1, 0, "after KVM_NMI");
	expect_handler(&v, 1, GUEST_nmi_a_next, "at the next KVM_RUN");
	expect_nmi_state(&v, 0, 1, "in the handler");

	hv_check(nmi(&v), 0, "KVM_NMI while the handler runs");
	hv_check(nmi(&v), 0, "KVM_NMI again while the handler runs");
	expect_nmi_state(&v, 1, 1, "two NMIs while blocked");
	hv_io_reply(&v, 0);
	tap_result(hv_run_io(&v, KVM_EXIT_IO_IN, 1, 0x22, NULL),
		   "no NMI nests in the handler (it spins on)");
	hv_io_reply(&v, 1);
	expect_handler(&v, 2, GUEST_nmi_a_next,
		       "right after the handler's IRET, before the next instruction");
	expect_nmi_state(&v, 0, 1, "the two blocked NMIs collapsed into one");
	hv_io_reply(&v, 1);
	hv_expect_out(&v, 0x11, 4, 2, "exactly two NMIs taken");
	expect_nmi_state(&v, 0, 0, "after the last IRET");

	hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x12, NULL);
	tap_result(v.run->if_flag == 0, "guest runs with IF = 0 (if_flag 0)");
	hv_check(nmi(&v), 0, "KVM_NMI with IF = 0");
	expect_handler(&v, 3, GUEST_nmi_b_next, "NMI with IF = 0");
	hv_io_reply(&v, 1);
	hv_expect_out(&v, 0x13, 4, 3, "guest goes on after the IRET");
	tap_result(v.run->if_flag == 0, "IF still 0 after the IRET");

	hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x14, NULL);
	memset(&e, 0, sizeof(e));
	e.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	e.nmi.pending = 1;
	e.nmi.masked = 1;
	hv_check(set_events(&v, &e), 0,
		 "KVM_SET_VCPU_EVENTS: nmi.pending 1, nmi.masked 1");
	expect_nmi_state(&v, 1, 1, "after SET_VCPU_EVENTS");
	hv_expect_out(&v, 0x15, 4, 3, "masked NMI not delivered");
	e.flags = 0;	/* nmi.pending is kept without the flag */
	e.nmi.pending = 0;
	e.nmi.masked = 0;
	hv_check(set_events(&v, &e), 0, "KVM_SET_VCPU_EVENTS: nmi.masked 0");
	expect_nmi_state(&v, 1, 0, "unmasked, without VALID_NMI_PENDING");
	expect_handler(&v, 4, GUEST_nmi_d_next, "after unmasking");
	hv_io_reply(&v, 1);
	hv_expect_out(&v, 0x16, 4, 4, "guest goes on after the IRET");

	test_exception(&v);
	tap_result(hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x17, NULL),
		   "guest goes on after the #GP handler");
	test_bad_events(&v);
	test_irq_and_shadow(&v);
	tap_result(hv_run_exit(&v, KVM_EXIT_HLT) && hv_rip(&v) == GUEST_nmi_end,
		   "guest ends at its HLT, nothing else delivered");

	hv_vcpu_free(&v);
	hv_vm_free(&vm);
	return tap_finish();
}

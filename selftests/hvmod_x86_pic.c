// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel 8259 pair of KVM_CREATE_IRQCHIP, as KVM has it: a guest
 * programs both chips (ICW1-4, masks, ELCR) and takes KVM_IRQ_LINE'd
 * IRQs through LVT0 in ExtINT mode into its IDT handlers with the right
 * vectors: an edge IRQ on the master with ISR before and after its EOI,
 * a level IRQ (ELCR) on the slave through the cascade, delivered again
 * after the EOI while the line stays high, none while LVT0 is masked,
 * one routed by KVM_SET_GSI_ROUTING to a PIC pin; KVM_IRQ_LINE_STATUS
 * on masked lines; KVM_GET/SET_IRQCHIP of both chips and bad chip ids.
 * The 8254 of KVM_CREATE_PIT2: ioctl order and errnos, periodic channel
 * 0 ticks counted by the guest's IRQ0 handler, latch and read-back, the
 * channel 2 gate and output on port 0x61 polled as Linux calibrates the
 * TSC, KVM_GET/SET_PIT2 and KVM_GET_PIT.  KVM_SET_VAPIC_ADDR takes 0 only.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "guest.h"
#include "x86_pic.sym.h"

HV_GUEST_BLOB(x86_pic);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	44
#define PIT_PERIOD	5966
#define CAL_COUNT	1193

static int irq_line(struct hv_vm *vm, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l))
		return -1000;
	return l.status;
}

/* A VM with the in-kernel irqchip, the payload and the PIC's gates. */
static void pic_vm(struct hv_vm *vm, struct hv_vcpu *v, int sys, uint64_t rip)
{
	hv_vm_new(vm, sys, G_MEM_SIZE);
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0))
		tap_bail("setup: KVM_CREATE_IRQCHIP: %s", hv_errname(errno));
	hv_vm_load(vm, x86_pic_bin, x86_pic_bin_end);
	hv_vm_set_gate(vm, HV_PROT32, 0x20, GUEST_irq20);
	hv_vm_set_gate(vm, HV_PROT32, 0x25, GUEST_irq25);
	hv_vm_set_gate(vm, HV_PROT32, 0x2a, GUEST_irq2a);
	hv_vm_set_gate(vm, HV_PROT32, 0x27, GUEST_spurious);
	hv_vm_set_gate(vm, HV_PROT32, 0x2f, GUEST_spurious);
	hv_vcpu_new(vm, v, 0);
	hv_vcpu_mode(v, HV_PROT32, rip);
}

static int get_pic(struct hv_vm *vm, uint32_t id, struct kvm_irqchip *c)
{
	memset(c, 0, sizeof(*c));
	c->chip_id = id;
	return ioctl(vm->fd, KVM_GET_IRQCHIP, c);
}

static void test_state(struct hv_vm *vm)
{
	struct kvm_irqchip m, s, t;
	bool ok;

	ok = !get_pic(vm, KVM_IRQCHIP_PIC_MASTER, &m) &&
	     !get_pic(vm, KVM_IRQCHIP_PIC_SLAVE, &s);
	tap_result(ok && m.chip.pic.irq_base == 0x20 && m.chip.pic.imr == 0xda &&
		   m.chip.pic.init4 && !m.chip.pic.init_state &&
		   m.chip.pic.elcr_mask == 0xf8 && s.chip.pic.irq_base == 0x28 &&
		   s.chip.pic.imr == 0xfb && s.chip.pic.elcr == 0x04 &&
		   s.chip.pic.elcr_mask == 0xde,
		   "KVM_GET_IRQCHIP(PIC master, slave): the guest's ICW2, masks, ELCR");
	m.chip.pic.imr = 0x5a;
	m.chip.pic.elcr = 0xff;		/* the master's IRQ0-2 cannot be level */
	hv_check(ioctl(vm->fd, KVM_SET_IRQCHIP, &m), 0,
		 "KVM_SET_IRQCHIP(PIC master)");
	ok = !get_pic(vm, KVM_IRQCHIP_PIC_MASTER, &t);
	tap_result(ok && t.chip.pic.imr == 0x5a && t.chip.pic.elcr == 0xf8 &&
		   t.chip.pic.irq_base == 0x20,
		   "KVM_GET_IRQCHIP returns the set IMR, ELCR within its mask (0x%x)",
		   t.chip.pic.elcr);
	m.chip.pic.imr = 0xda;
	m.chip.pic.elcr = 0;
	if (ioctl(vm->fd, KVM_SET_IRQCHIP, &m))
		tap_bail("KVM_SET_IRQCHIP(PIC master) restore: %s",
			 hv_errname(errno));
	t.chip_id = 3;
	hv_check(ioctl(vm->fd, KVM_GET_IRQCHIP, &t), EINVAL,
		 "KVM_GET_IRQCHIP of chip 3 -> EINVAL");
	hv_check(ioctl(vm->fd, KVM_SET_IRQCHIP, &t), EINVAL,
		 "KVM_SET_IRQCHIP of chip 3 -> EINVAL");
}

static void test_pic(int sys)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} rt = {
		.r.nr = 1,
		.e[0] = { .gsi = 20, .type = KVM_IRQ_ROUTING_IRQCHIP,
			  .u.irqchip = { .irqchip = KVM_IRQCHIP_PIC_MASTER,
					 .pin = 5 } },
	};
	struct kvm_vapic_addr vapic = { 0 };
	struct hv_vcpu v;
	struct hv_vm vm;

	pic_vm(&vm, &v, sys, GUEST_pic_entry);
	hv_check(ioctl(v.fd, KVM_SET_VAPIC_ADDR, &vapic), 0,
		 "KVM_SET_VAPIC_ADDR 0 (no vAPIC page, as QEMU sets at reset)");
	vapic.vapic_addr = 0x7000;
	hv_check(ioctl(v.fd, KVM_SET_VAPIC_ADDR, &vapic), EINVAL,
		 "KVM_SET_VAPIC_ADDR of a page -> EINVAL (KVM_CAP_VAPIC 0)");
	hv_expect_out(&v, 0x10, 4, 0x04fbda,
		      "guest programmed both 8259s: IMRs 0xda/0xfb, ELCR2 0x04 read back");
	test_state(&vm);
	if (!hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x11, NULL))
		tap_bail("guest did not reach its first IRQ wait");
	hv_expect_eq(irq_line(&vm, 3, 1), -1,
		     "KVM_IRQ_LINE_STATUS GSI 3, masked in the PIC and IOAPIC: -1");
	irq_line(&vm, 3, 0);
	hv_expect_eq(irq_line(&vm, 5, 1), 1,
		     "KVM_IRQ_LINE_STATUS GSI 5 high: delivered to the PIC (1)");
	irq_line(&vm, 5, 0);
	hv_expect_out(&v, 0x12, 4, 0x2025,
		      "edge IRQ5 -> vector 0x25 through ExtINT; ISR bit 5 until the non-specific EOI");
	if (!hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x13, NULL))
		tap_bail("guest did not reach its level IRQ wait");
	hv_expect_eq(irq_line(&vm, 10, 1), 1,
		     "KVM_IRQ_LINE_STATUS GSI 10 (ELCR level) high: 1");
	hv_expect_out(&v, 0x14, 4, 0x040401,
		      "level IRQ10 -> slave vector 0x2a; slave ISR bit 2, master ISR bit 2 (cascade)");
	hv_expect_out(&v, 0x14, 4, 0x040402,
		      "the line still high after both EOIs: IRQ10 delivered again");
	irq_line(&vm, 10, 0);
	hv_expect_out(&v, 0x15, 4, 2, "line low before the EOI: no third delivery");
	if (!hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x16, NULL))
		tap_bail("guest did not mask LVT0");
	hv_expect_eq(irq_line(&vm, 5, 1), 1, "GSI 5 high with LVT0 masked: PIC IRR set (1)");
	irq_line(&vm, 5, 0);
	hv_expect_out(&v, 0x17, 4, 1,
		      "LVT0 masked: the PIC's INT does not reach the vCPU");
	hv_expect_out(&v, 0x12, 4, 0x2025,
		      "LVT0 in ExtINT mode again: the waiting IRQ5 is taken");
	hv_expect_out(&v, 0x18, 4, 2, "exactly once");
	if (!hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x19, NULL))
		tap_bail("guest did not reach the routing step");
	hv_check(ioctl(vm.fd, KVM_SET_GSI_ROUTING, &rt.r), 0,
		 "KVM_SET_GSI_ROUTING: GSI 20 -> PIC master pin 5");
	hv_expect_eq(irq_line(&vm, 20, 1), 1, "KVM_IRQ_LINE_STATUS GSI 20 high: 1");
	irq_line(&vm, 20, 0);
	hv_expect_out(&v, 0x12, 4, 0x2025, "GSI 20 reached the guest as IRQ5 (0x25)");
	hv_expect_out(&v, 0x1a, 4, 3, "guest counted three IRQ5s");
	rt.e[0].u.irqchip.pin = 8;
	hv_check(ioctl(vm.fd, KVM_SET_GSI_ROUTING, &rt.r), EINVAL,
		 "KVM_SET_GSI_ROUTING to PIC pin 8 -> EINVAL");
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
}

static void test_pit_ioctls(int sys)
{
	struct kvm_pit_config cfg = { .flags = 0x80 };
	struct kvm_reinject_control rc = { .pit_reinject = 1 };
	struct kvm_pit_state2 ps;
	struct hv_vm vm;
	bool ok;

	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_check(ioctl(vm.fd, KVM_CREATE_PIT2, &cfg), EINVAL,
		 "KVM_CREATE_PIT2 flags 0x80 -> EINVAL");
	cfg.flags = 0;
	hv_check(ioctl(vm.fd, KVM_CREATE_PIT2, &cfg), ENOENT,
		 "KVM_CREATE_PIT2 without KVM_CREATE_IRQCHIP -> ENOENT");
	hv_check(ioctl(vm.fd, KVM_GET_PIT2, &ps), ENXIO,
		 "KVM_GET_PIT2 without a PIT -> ENXIO");
	if (ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0))
		tap_bail("setup: KVM_CREATE_IRQCHIP: %s", hv_errname(errno));
	hv_check(ioctl(vm.fd, KVM_CREATE_PIT2, &cfg), 0, "KVM_CREATE_PIT2");
	hv_check(ioctl(vm.fd, KVM_CREATE_PIT2, &cfg), EEXIST,
		 "KVM_CREATE_PIT2 again -> EEXIST");
	ok = !ioctl(vm.fd, KVM_GET_PIT2, &ps);
	tap_result(ok && ps.channels[0].count == 0x10000 &&
		   ps.channels[0].gate && !ps.channels[2].gate && !ps.flags,
		   "KVM_GET_PIT2: reset state (counts 0x10000, gate 2 low)");
	hv_check(ioctl(vm.fd, KVM_REINJECT_CONTROL, &rc), EINVAL,
		 "KVM_REINJECT_CONTROL pit_reinject 1 -> EINVAL (lost ticks are discarded)");
	rc.pit_reinject = 0;
	hv_check(ioctl(vm.fd, KVM_REINJECT_CONTROL, &rc), 0,
		 "KVM_REINJECT_CONTROL pit_reinject 0");
	hv_vm_free(&vm);
}

/* Port 0x61 is the kernel's only with KVM_PIT_SPEAKER_DUMMY (KVM_CREATE_PIT's). */
static void test_speaker(int sys)
{
	struct kvm_pit_config cfg = { 0 };
	struct hv_vcpu v;
	struct hv_vm vm;
	uint32_t val = 0;
	bool ok;

	pic_vm(&vm, &v, sys, GUEST_spk_entry);
	if (ioctl(vm.fd, KVM_CREATE_PIT2, &cfg))
		tap_bail("setup: KVM_CREATE_PIT2: %s", hv_errname(errno));
	ok = hv_run_io(&v, KVM_EXIT_IO_IN, 1, 0x61, NULL);
	tap_result(ok, "KVM_CREATE_PIT2 flags 0: port 0x61 exits to userspace, as KVM");
	hv_vcpu_free(&v);
	hv_vm_free(&vm);

	pic_vm(&vm, &v, sys, GUEST_spk_entry);
	hv_check(ioctl(vm.fd, KVM_CREATE_PIT, 0), 0,
		 "KVM_CREATE_PIT (the speaker port included, as KVM)");
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x34, &val);
	tap_result(ok && !(val & 0x03),
		   "port 0x61 answered in the kernel: gate 2 low, speaker off (0x%x)", val);
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ll + ts.tv_nsec / 1000;
}

static void test_pit(int sys)
{
	struct kvm_pit_config cfg = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct kvm_pit_state2 ps, t;
	struct kvm_pit_state old;
	struct hv_vcpu v;
	struct hv_vm vm;
	uint32_t val = 0;
	long long t0;
	bool ok;

	pic_vm(&vm, &v, sys, GUEST_pit_entry);
	hv_check(ioctl(vm.fd, KVM_CREATE_PIT2, &cfg), 0,
		 "KVM_CREATE_PIT2 with KVM_PIT_SPEAKER_DUMMY (port 0x61)");
	hv_expect_out(&v, 0x30, 4, 3,
		      "PIT channel 0 in mode 2: IRQ0 ticks (vector 0x20) woke the halted guest 3 times");
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x31, &val);
	tap_result(ok && val > 0 && val <= PIT_PERIOD,
		   "latched channel 0 count within its period (%u)", val);
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x32, &val);
	tap_result(ok && (val & 0x3f) == 0x34,
		   "read-back status of channel 0: word access, mode 2 (0x%x)", val);
	t0 = now_us();
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x33, &val);
	t0 = now_us() - t0;
	tap_result(ok && val > 0 && t0 >= 900,
		   "port 0x61: channel 2 output rose after its 1 ms count (%u polls, %lld us)",
		   val, t0);
	ok = !ioctl(vm.fd, KVM_GET_PIT2, &ps);
	tap_result(ok && ps.channels[0].mode == 2 &&
		   ps.channels[0].count == PIT_PERIOD &&
		   ps.channels[0].rw_mode == 3 && ps.channels[2].mode == 0 &&
		   ps.channels[2].count == CAL_COUNT && ps.channels[2].gate,
		   "KVM_GET_PIT2: the guest's modes, counts and gate 2");
	ps.channels[1].count = 1000;
	ps.channels[1].mode = 2;
	hv_check(ioctl(vm.fd, KVM_SET_PIT2, &ps), 0, "KVM_SET_PIT2");
	ok = !ioctl(vm.fd, KVM_GET_PIT2, &t) && !ioctl(vm.fd, KVM_GET_PIT, &old);
	tap_result(ok && t.channels[1].count == 1000 && t.channels[1].mode == 2 &&
		   t.channels[0].count == PIT_PERIOD &&
		   old.channels[1].count == 1000 && old.channels[0].mode == 2,
		   "KVM_GET_PIT2 and KVM_GET_PIT return what KVM_SET_PIT2 set");
	/* channel 0 still ticks: the VM goes away with its timer running */
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
}

int main(void)
{
	struct hvmod_info info;
	int sys = hv_x86_open();

	tap_plan(NR_TESTS);
	test_pic(sys);
	test_pit_ioctls(sys);
	test_pit(sys);
	test_speaker(sys);
	if (hv_get_info_fresh(&info))
		tap_bail("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts,
		       "all irqchip and PIT state, vCPUs and VMs freed (counts back to 0)");
	return tap_finish();
}

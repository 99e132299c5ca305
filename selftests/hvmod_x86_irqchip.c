// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel irqchip's local APIC (KVM_CREATE_IRQCHIP), as KVM has it:
 * ioctl order and errnos; KVM_GET/SET_LAPIC; KVM_GET/SET_MP_STATE (APs
 * start UNINITIALIZED); a guest's one-shot and periodic LAPIC timer taken
 * in its IDT handlers with EOI, woken out of an in-kernel HLT; TMCCT;
 * a signal ending a vCPU halted in the kernel with EINTR; INIT + STARTUP
 * IPIs starting an AP blocked in KVM_RUN; a fixed IPI between two vCPUs
 * waking the target out of HLT into its handler; the IOAPIC (KVM_IRQ_LINE
 * and KVM_IRQ_LINE_STATUS on an edge and a level pin through KVM's default
 * routing, Remote IRR and redelivery at EOI, masked pins, the guest's
 * IOREGSEL/IOWIN, KVM_GET_IRQCHIP) and KVM_SIGNAL_MSI.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "guest.h"
#include "x86_irqchip.sym.h"

HV_GUEST_BLOB(x86_irqchip);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	46
#define AP_READY	(G_DATA + 0x40)

static int mp_state(struct hv_vcpu *v)
{
	struct kvm_mp_state mp;

	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp))
		return -1;
	return mp.mp_state;
}

static uint32_t reg(const struct kvm_lapic_state *s, unsigned int off)
{
	uint32_t v;

	memcpy(&v, s->regs + off, 4);
	return v;
}

static void set_reg(struct kvm_lapic_state *s, unsigned int off, uint32_t v)
{
	memcpy(s->regs + off, &v, 4);
}

static int irq_line(struct hv_vm *vm, uint32_t gsi, uint32_t level,
		    int32_t *status)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };
	int r = ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l);

	if (status)
		*status = r ? -1000 : l.status;
	return r;
}

static void test_ioctls(int sys)
{
	struct kvm_lapic_state s;
	struct kvm_interrupt irq = { .irq = 0x40 };
	struct hv_vcpu v0, v1;
	struct hv_vm vm;
	bool ok;

	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vcpu_new(&vm, &v0, 0);
	hv_check(ioctl(v0.fd, KVM_GET_LAPIC, &s), EINVAL,
		 "KVM_GET_LAPIC without an irqchip -> EINVAL");
	hv_check(irq_line(&vm, 5, 1, NULL), ENXIO,
		 "KVM_IRQ_LINE_STATUS without an irqchip -> ENXIO");
	hv_check(ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0), EINVAL,
		 "KVM_CREATE_IRQCHIP after a vCPU -> EINVAL");
	hv_vcpu_free(&v0);
	hv_vm_free(&vm);

	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_check(ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0), 0, "KVM_CREATE_IRQCHIP");
	hv_check(ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0), EEXIST,
		 "KVM_CREATE_IRQCHIP again -> EEXIST");
	hv_vcpu_new(&vm, &v0, 0);
	hv_vcpu_new(&vm, &v1, 1);
	hv_expect_eq(mp_state(&v0), KVM_MP_STATE_RUNNABLE,
		     "KVM_GET_MP_STATE: vCPU 0 (BSP) RUNNABLE");
	hv_expect_eq(mp_state(&v1), KVM_MP_STATE_UNINITIALIZED,
		     "KVM_GET_MP_STATE: vCPU 1 (AP) UNINITIALIZED");
	hv_check(ioctl(v0.fd, KVM_INTERRUPT, &irq), ENXIO,
		 "KVM_INTERRUPT with an in-kernel irqchip -> ENXIO");

	ok = !ioctl(v1.fd, KVM_GET_LAPIC, &s);
	tap_result(ok && reg(&s, 0x20) == 1u << 24 && reg(&s, 0x30) == 0x50014 &&
		   reg(&s, 0xe0) == 0xffffffff && reg(&s, 0xf0) == 0xff &&
		   reg(&s, 0x320) == 0x10000,
		   "KVM_GET_LAPIC: reset state (ID 1, version 0x50014, DFR, SVR, LVTT masked)");
	set_reg(&s, 0x80, 0x20);	/* TPR */
	set_reg(&s, 0xa0, 0x20);	/* PPR, as recomputed from it */
	set_reg(&s, 0xf0, 0x1ff);	/* SVR */
	set_reg(&s, 0x350, 0x700);	/* LINT0 ExtINT */
	set_reg(&s, 0xd0, 0x02000000);	/* LDR */
	hv_check(ioctl(v1.fd, KVM_SET_LAPIC, &s), 0, "KVM_SET_LAPIC");
	{
		struct kvm_lapic_state t;

		ok = !ioctl(v1.fd, KVM_GET_LAPIC, &t);
		tap_result(ok && !memcmp(&s, &t, sizeof(s)),
			   "KVM_GET_LAPIC returns what KVM_SET_LAPIC set");
	}
	{
		struct kvm_mp_state mp = { .mp_state = 42 };

		hv_check(ioctl(v1.fd, KVM_SET_MP_STATE, &mp), EINVAL,
			 "KVM_SET_MP_STATE unknown state -> EINVAL");
		mp.mp_state = KVM_MP_STATE_RUNNABLE;
		hv_check(ioctl(v1.fd, KVM_SET_MP_STATE, &mp), 0,
			 "KVM_SET_MP_STATE RUNNABLE");
		hv_expect_eq(mp_state(&v1), KVM_MP_STATE_RUNNABLE,
			     "KVM_GET_MP_STATE after SET: RUNNABLE");
	}
	hv_vcpu_free(&v1);
	hv_vcpu_free(&v0);
	hv_vm_free(&vm);
}

/* A VM with the in-kernel irqchip and the guest payload loaded. */
static void irqchip_vm(struct hv_vm *vm, int sys)
{
	hv_vm_new(vm, sys, G_MEM_SIZE);
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0))
		tap_bail("setup: KVM_CREATE_IRQCHIP: %s", hv_errname(errno));
	hv_vm_load(vm, x86_irqchip_bin, x86_irqchip_bin_end);
}

static void test_timer(int sys)
{
	struct hv_vcpu v;
	struct hv_vm vm;
	uint32_t val = 0;
	bool ok;
	int err;

	irqchip_vm(&vm, sys);
	hv_vm_set_gate(&vm, HV_PROT32, 0x40, GUEST_timer40);
	hv_vm_set_gate(&vm, HV_PROT32, 0x41, GUEST_timer41);
	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_mode(&v, HV_PROT32, GUEST_timer_entry);

	hv_expect_out(&v, 0x10, 4, 1,
		      "one-shot LAPIC timer: HLT in the kernel wakes, the IDT handler ran once");
	hv_expect_out(&v, 0x11, 4, 0, "EOI cleared the vector from ISR");
	hv_expect_out(&v, 0x12, 4, 3, "periodic LAPIC timer: 3 ticks taken from HLT");
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x13, &val);
	tap_result(ok && val > 0 && val < 1000000000,
		   "TMCCT counts down from TMICT (read %u)", val);
	hv_expect_out(&v, 0x14, 4, 0,
		      "TSC-deadline timer: the handler ran, MSR_IA32_TSC_DEADLINE reads 0 after");
	err = hv_run_for(&v, 1);
	tap_result(err == EINTR && v.run->exit_reason == KVM_EXIT_INTR,
		   "a signal ends KVM_RUN of a vCPU halted in the kernel: EINTR, KVM_EXIT_INTR (errno %s)",
		   hv_errname(err));
	hv_expect_eq(mp_state(&v), KVM_MP_STATE_HALTED,
		     "KVM_GET_MP_STATE of the halted vCPU: HALTED");
	hv_expect_eq(hv_rip(&v), GUEST_hlt_forever + 1,
		     "RIP is past the HLT");
	err = hv_run_for(&v, 1);
	tap_result(err == EINTR, "KVM_RUN again: still halted until the signal (%s)",
		   hv_errname(err));
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
}

static void test_ioapic(int sys)
{
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x62 };
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct hv_vcpu v;
	struct hv_vm vm;
	int32_t st;
	bool ok;

	irqchip_vm(&vm, sys);
	hv_vm_set_gate(&vm, HV_PROT32, 0x60, GUEST_irq60);
	hv_vm_set_gate(&vm, HV_PROT32, 0x61, GUEST_irq61);
	hv_vm_set_gate(&vm, HV_PROT32, 0x62, GUEST_irq62);
	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_mode(&v, HV_PROT32, GUEST_ioapic_entry);

	hv_expect_out(&v, 0x44, 4, 0x170011,
		      "IOAPIC version register through IOREGSEL/IOWIN (24 pins, 0x11)");
	if (!hv_run_io(&v, KVM_EXIT_IO_OUT, 1, 0x40, NULL))
		tap_bail("guest did not program the IOAPIC");
	irq_line(&vm, 7, 1, &st);
	hv_expect_eq(st, -1, "KVM_IRQ_LINE_STATUS on a masked pin: status -1");
	irq_line(&vm, 5, 1, &st);
	hv_expect_eq(st, 1, "KVM_IRQ_LINE_STATUS GSI 5 (edge) high: delivered (1)");
	irq_line(&vm, 5, 0, NULL);
	hv_expect_out(&v, 0x41, 4, 0x60, "edge pin 5 reached the guest's handler of vector 0x60");
	/* AL still holds the low byte of the version the guest read */
	hv_expect_out(&v, 0x42, 1, 0x11, "guest took exactly that interrupt and went on");
	irq_line(&vm, 10, 1, &st);
	hv_expect_eq(st, 1, "KVM_IRQ_LINE_STATUS GSI 10 (level) high: delivered (1)");
	hv_expect_out(&v, 0x46, 4, 1, "level pin 10 reached the handler of vector 0x61");
	irq_line(&vm, 10, 1, &st);
	hv_expect_eq(st, 0, "GSI 10 raised again before the EOI: coalesced (0, Remote IRR)");
	ok = !ioctl(vm.fd, KVM_GET_IRQCHIP, &chip);
	tap_result(ok && chip.chip.ioapic.redirtbl[5].fields.vector == 0x60 &&
		   !chip.chip.ioapic.redirtbl[5].fields.trig_mode &&
		   chip.chip.ioapic.redirtbl[10].fields.trig_mode &&
		   chip.chip.ioapic.redirtbl[10].fields.remote_irr &&
		   chip.chip.ioapic.redirtbl[7].fields.mask &&
		   chip.chip.ioapic.base_address == 0xfec00000,
		   "KVM_GET_IRQCHIP(IOAPIC): the guest's entries, Remote IRR of pin 10");
	hv_expect_out(&v, 0x46, 4, 2,
		      "the EOI with the level still high delivers vector 0x61 again");
	irq_line(&vm, 10, 0, NULL);
	hv_expect_out(&v, 0x43, 4, 2, "after the line went low: no third delivery");
	hv_check_ret(ioctl(vm.fd, KVM_SIGNAL_MSI, &msi), 1,
		     "KVM_SIGNAL_MSI to APIC ID 0: 1 (delivered)");
	hv_expect_out(&v, 0x47, 4, 0x62, "the MSI woke the halted guest into its handler of 0x62");
	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	ok = !ioctl(vm.fd, KVM_GET_IRQCHIP, &chip);
	tap_result(ok && chip.chip.pic.imr == 0xff,
		   "KVM_GET_IRQCHIP(PIC master): the guest masked all its IRQs");
	chip.chip_id = 3;
	hv_check(ioctl(vm.fd, KVM_GET_IRQCHIP, &chip), EINVAL,
		 "KVM_GET_IRQCHIP of an unknown chip -> EINVAL");
	hv_vcpu_free(&v);
	hv_vm_free(&vm);
}

struct ap_thread {
	pthread_t tid;
	struct hv_vcpu *v;
	int err;
	uint16_t port;
	uint32_t data;
};

static void *ap_main(void *arg)
{
	struct ap_thread *t = arg;

	t->err = ioctl(t->v->fd, KVM_RUN, 0UL) ? errno : 0;
	if (!t->err && t->v->run->exit_reason == KVM_EXIT_IO) {
		t->port = t->v->run->io.port;
		t->data = hv_io_data(t->v);
	}
	return NULL;
}

/* Joins the AP thread; after 30 s a SIGALRM ends its KVM_RUN (EINTR). */
static void ap_join(struct ap_thread *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	if (pthread_timedjoin_np(t->tid, NULL, &ts)) {
		tap_diag("the AP's KVM_RUN is still running after 30 s");
		pthread_kill(t->tid, SIGALRM);
		pthread_join(t->tid, NULL);
	}
}

static void test_smp(int sys)
{
	struct ap_thread t = { 0 };
	struct hv_vcpu bsp, ap;
	struct kvm_sregs s;
	struct hv_vm vm;

	irqchip_vm(&vm, sys);
	hv_vm_set_gate(&vm, HV_PROT32, 0x50, GUEST_ipi50);
	hv_vcpu_new(&vm, &bsp, 0);
	hv_vcpu_new(&vm, &ap, 1);
	hv_vcpu_mode(&bsp, HV_PROT32, GUEST_bsp_entry);

	/* the AP blocks in KVM_RUN until INIT + STARTUP */
	t.v = &ap;
	if (pthread_create(&t.tid, NULL, ap_main, &t))
		tap_bail("setup: pthread_create");
	usleep(200000);
	/* (KVM_GET_MP_STATE would wait for the vCPU's KVM_RUN to end) */
	tap_result(pthread_tryjoin_np(t.tid, NULL) == EBUSY,
		   "the UNINITIALIZED AP waits in KVM_RUN");
	hv_expect_out(&bsp, 0x24, 1, 0,
		      "BSP sent INIT and STARTUP");
	ap_join(&t);
	tap_result(!t.err && t.port == 0x30,
		   "INIT + STARTUP: the AP ran its real-mode code (OUT 0x30; err %s, port 0x%x)",
		   hv_errname(t.err), t.port);
	hv_get_sregs(&ap, &s);
	tap_result(s.cs.selector == (GUEST_ap_real >> 4) &&
		   s.cs.base == GUEST_ap_real && hv_rip(&ap) == 2,
		   "the AP started at vector << 12 (CS 0x%x base 0x%llx, RIP 0x%llx)",
		   s.cs.selector, (unsigned long long)s.cs.base,
		   (unsigned long long)hv_rip(&ap));
	hv_expect_eq(mp_state(&ap), KVM_MP_STATE_RUNNABLE,
		     "KVM_GET_MP_STATE of the started AP: RUNNABLE");

	/* the AP halts with IF = 1; the BSP sends it a fixed IPI */
	hv_vcpu_mode(&ap, HV_PROT32, GUEST_ap32_entry);
	memset(&t, 0, sizeof(t));
	t.v = &ap;
	if (pthread_create(&t.tid, NULL, ap_main, &t))
		tap_bail("setup: pthread_create");
	hv_expect_out(&bsp, 0x25, 1, 0, "BSP saw the AP ready and sent IPI 0x50");
	ap_join(&t);
	tap_result(!t.err && t.port == 0x31 && t.data == 0x50,
		   "fixed IPI woke the halted AP into its handler of vector 0x50 (err %s, port 0x%x, data 0x%x)",
		   hv_errname(t.err), t.port, t.data);
	hv_vcpu_free(&ap);
	hv_vcpu_free(&bsp);
	hv_vm_free(&vm);
}

int main(void)
{
	struct hvmod_info info;
	int sys = hv_x86_open();

	tap_plan(NR_TESTS);
	test_ioctls(sys);
	test_timer(sys);
	test_smp(sys);
	test_ioapic(sys);
	if (hv_get_info_fresh(&info))
		tap_bail("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts,
		       "all LAPIC pages, vCPUs and VMs freed (counts back to 0)");
	return tap_finish();
}

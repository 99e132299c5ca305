// SPDX-License-Identifier: GPL-2.0
/*
 * t1.c: `hvctl run --mode type1 --kernel bzImage [--initrd FILE]
 * [--append "CMDLINE"] [--mem=MB] [--cpus N]`: boots a Linux x86 kernel
 * with the PC devices of t1_*.c, until the guest powers off, reboots,
 * panics or triple-faults.  --cpus N > 1 runs in t1_smp.c; below is the
 * one-vCPU machine, without a local APIC.
 *
 * The vCPU runs in this thread.  Device models are plain calls on I/O
 * exits.  Time comes from CLOCK_MONOTONIC; when the PIT's next IRQ 0 is
 * due, a POSIX timer sends SIGALRM, whose handler sets kvm_run's
 * immediate_exit so KVM_RUN returns (or does not start) and the loop
 * raises the IRQ.  A HLT with interrupts enabled waits in ppoll() for
 * stdin or the next timer deadline, never by spinning.  Interrupts go in
 * with KVM_INTERRUPT when kvm_run says ready_for_interrupt_injection,
 * otherwise the loop asks for an interrupt window.
 *
 * Without ACPI a kernel has no way to cut the power: `poweroff -f` (and
 * halt) end in every CPU executing HLT with IF=0, which is what hvctl
 * takes for "powered off".  Exit status: 0 after a poweroff or a reboot
 * (i8042 0xFE, port 0x92 or 0xcf9 reset), 2 after a kernel panic
 * (hvctl watches the console for "Kernel panic - not syncing") or a
 * triple fault, 1 on hvctl's own errors.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "hvctl.h"
#include "t1.h"

static struct kvm_run *volatile kick_run;
static timer_t kick_timer;
static volatile sig_atomic_t stop_sig;	/* a fatal signal to report */

int64_t t1_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

void t1_kick_at(struct t1 *t, int64_t ns)
{
	struct itimerspec its = { 0 };

	if (t->ncpus > 1) {
		t1_smp_timer_changed(t);	/* its clock thread looks */
		return;
	}
	if (ns >= 0) {
		if (ns == 0)
			ns = 1;
		its.it_value.tv_sec = ns / 1000000000ll;
		its.it_value.tv_nsec = ns % 1000000000ll;
	}
	if (timer_settime(kick_timer, TIMER_ABSTIME, &its, NULL) < 0)
		err(1, "timer_settime");
}

int t1_stop_signal(void)
{
	return stop_sig;
}

static void on_kick(int sig)
{
	struct kvm_run *run = kick_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

/*
 * The first SIGINT/SIGTERM/SIGHUP stops the run loop, which reports where
 * the guest was (a hung guest is diagnosed from that line); a second one,
 * or one that KVM_RUN does not return for, ends hvctl at once.
 */
static void on_fatal(int sig)
{
	static const char msg[] = "hvctl: Exiting on signal\n";
	struct kvm_run *run = kick_run;

	if (!stop_sig && run) {
		stop_sig = sig;
		run->immediate_exit = 1;
		return;
	}
	t1_uart_restore_tty();
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to report to */
	}
	_exit(1);
}

static void setup_signals(void)
{
	struct sigevent sev = { 0 };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = on_fatal;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		err(1, "sigaction");
	sa.sa_handler = on_kick;
	if (sigaction(SIGALRM, &sa, NULL))
		err(1, "sigaction");
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &kick_timer) < 0)
		err(1, "timer_create");
}

static void usage(FILE *f, bool virtio)
{
	fprintf(f,
		"usage: %s run --mode %s [--device PATH] --kernel BZIMAGE [--initrd FILE]\n"
		"                [--append \"CMDLINE\"] [--mem=MB] [--cpus N]%s\n"
		"\n"
		"Boots a Linux x86 kernel (64-bit boot protocol) on PC legacy devices:\n"
		"16550A UART on 0x3f8/IRQ 4 (console on stdin/stdout), 8259 PIC pair,\n"
		"8254 PIT, CMOS RTC, port 0x80, i8042 reset.  No ACPI, no PCI, no IOAPIC.\n"
		"  --mem=MB     guest RAM (default %d, at most %d)\n"
		"  --append     kernel command line (default \"console=ttyS0\"); hvctl adds\n"
		"               tsc_early_khz=<the device's TSC rate> unless it is given\n"
		"  --cpus N     vCPUs, 1 to %d (default 1: no local APIC); more than one\n"
		"               get an xAPIC each, an MP table and \"noapic\" (no IOAPIC)\n"
		"Exit status: 0 guest powered off (all CPUs halted, interrupts off) or\n"
		"rebooted; 2 guest kernel panic or triple fault; 1 hvctl error.\n",
		hvctl_prog, virtio ? "virtio" : "type1",
		virtio ? " [--disk PATH[,ro]]\n                [--net IFACE] [--no-console]" : "",
		T1_MEM_DEFAULT_MB, T1_MEM_MAX_MB, T1_CPUS_MAX);
	if (virtio)
		fprintf(f,
			"virtio mode adds virtio-mmio devices at 0x%llx (4 KiB apart, PIC IRQs\n"
			"5, 9, 10, 11), declared on the command line as virtio_mmio.device=:\n%s",
			VIO_BASE, vio_usage());
}

static unsigned long number(const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		errx(1, "type1: %s: not a number: '%s'", what, s);
	v = strtoul(s, &end, 10);
	if (errno || *end)
		errx(1, "type1: %s: not a number: '%s'", what, s);
	return v;
}

static void build_cmdline(struct t1 *t, const char *append)
{
	int n;

	if (!append)
		append = "console=ttyS0";
	/* SMP: the xAPICs but no IOAPIC (the PIC stays in virtual wire mode) */
	n = snprintf(t->cmdline, sizeof(t->cmdline), "%s%s", append,
		     t->ncpus > 1 && !strstr(append, "noapic") ? " noapic" : "");
	if (n >= 0 && (size_t)n < sizeof(t->cmdline) && t->tsc_khz &&
	    !strstr(append, "tsc_early_khz="))
		n += snprintf(t->cmdline + n, sizeof(t->cmdline) - n,
			      " tsc_early_khz=%lu", t->tsc_khz);
	if (n < 0 || (size_t)n >= sizeof(t->cmdline) ||
	    vio_cmdline(t, t->cmdline + n, sizeof(t->cmdline) - n))
		errx(1, "type1: command line too long (max %d bytes)",
		     T1_CMDLINE_MAX - 1);
}

/* HLT with IF=1: wait for an interrupt from a device or the timer. */
static void wait_for_irq(struct t1 *t)
{
	for (;;) {
		struct pollfd p[1 + VIO_MAX_DEVS] = {
			{ .fd = t->uart.in_fd, .events = POLLIN }
		};
		struct timespec ts, *tsp = NULL;
		int64_t now = t1_now_ns();
		int np;

		t1_pit_update(t, now);
		t1_uart_poll_input(t);
		vio_poll(t);
		if (t1_pic_pending(t) || t->end || stop_sig)
			return;
		if (t->pit_irq_next_ns >= 0) {
			int64_t d = t->pit_irq_next_ns - now;

			ts.tv_sec = d / 1000000000ll;
			ts.tv_nsec = d % 1000000000ll;
			tsp = &ts;
		}
		np = t1_uart_wants_input(t) ? 1 : 0;
		if (!np)
			p[0].fd = -1;	/* ignored by ppoll */
		np = 1 + vio_pollfds(t, p + 1, VIO_MAX_DEVS);
		if (ppoll(p, np, tsp, NULL) < 0 &&
		    errno != EINTR)
			err(1, "ppoll");
	}
}

static void handle_io(struct t1 *t)
{
	struct kvm_run *run = t->vm.run;
	size_t len = (size_t)run->io.size * run->io.count;
	uint8_t *data = vm_run_data(&t->vm, run->io.data_offset, len);
	uint32_t i;

	if (!data)
		errx(1, "KVM: I/O exit data (0x%llx, %zu bytes) outside kvm_run",
		     (unsigned long long)run->io.data_offset, len);
	for (i = 0; i < run->io.count; i++)
		t1_io(t, run->io.port, run->io.direction == KVM_EXIT_IO_OUT,
		      data + i * run->io.size, run->io.size);
}

static void inject(struct t1 *t)
{
	struct kvm_run *run = t->vm.run;

	if (!t1_pic_pending(t)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (run->ready_for_interrupt_injection && run->if_flag) {
		struct kvm_interrupt irq = { .irq = t1_pic_ack(t) };

		if (ioctl(t->vm.vcpufd, KVM_INTERRUPT, &irq) < 0)
			err(1, "KVM: ioctl (INTERRUPT) failed for vector 0x%x",
			    irq.irq);
		run->request_interrupt_window = t1_pic_pending(t);
		return;
	}
	run->request_interrupt_window = 1;
}

static unsigned long long guest_rip(struct t1 *t)
{
	struct kvm_regs regs;

	if (ioctl(t->vm.vcpufd, KVM_GET_REGS, &regs) < 0)
		return ~0ull;
	return regs.rip;
}

/*
 * A triple fault ends the guest: print the faulting vCPU's state while it
 * is still there, so the cause can be found from the log (the kernel's
 * System.map gives the function at rip; cr2 the last page fault).
 */
void t1_shutdown_state(int vcpufd, unsigned int id)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(vcpufd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vcpufd, KVM_GET_SREGS, &s) < 0) {
		warn("hvctl: vCPU %u shut down; KVM_GET_(S)REGS", id);
		return;
	}
	fprintf(stderr,
		"hvctl: vCPU %u triple fault: rip=0x%llx rsp=0x%llx rflags=0x%llx cs=0x%x cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx idt=0x%llx/0x%x\n",
		id, (unsigned long long)r.rip, (unsigned long long)r.rsp,
		(unsigned long long)r.rflags, s.cs.selector,
		(unsigned long long)s.cr0, (unsigned long long)s.cr2,
		(unsigned long long)s.cr3, (unsigned long long)s.cr4,
		(unsigned long long)s.efer, (unsigned long long)s.idt.base,
		s.idt.limit);
}

static void run_loop(struct t1 *t)
{
	struct kvm_run *run = t->vm.run;

	kick_run = run;
	t1_kick_at(t, t->pit_irq_next_ns);
	while (!t->end) {
		if (stop_sig) {
			t->end = T1_SIGNAL;
			break;
		}
		run->immediate_exit = 0;
		t1_pit_update(t, t1_now_ns());
		inject(t);
		if (t->end)
			break;
		if (ioctl(t->vm.vcpufd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				t1_uart_poll_input(t);
				vio_poll(t);
				continue;
			}
			err(1, "KVM: ioctl (RUN) failed at rip=0x%llx",
			    guest_rip(t));
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			handle_io(t);
			break;
		case KVM_EXIT_HLT:
			if (!run->if_flag) {
				t->end = T1_POWEROFF;
				break;
			}
			wait_for_irq(t);
			break;
		case KVM_EXIT_IRQ_WINDOW_OPEN:
		case KVM_EXIT_INTR:
			t1_uart_poll_input(t);
			vio_poll(t);
			break;
		case KVM_EXIT_MMIO:
			/* outside the virtio devices reads float high */
			if (run->mmio.len > sizeof(run->mmio.data) ||
			    !vio_mmio(t, run->mmio.phys_addr, run->mmio.data,
				      run->mmio.len, run->mmio.is_write)) {
				if (!run->mmio.is_write)
					memset(run->mmio.data, 0xff,
					       sizeof(run->mmio.data));
			}
			break;
		case KVM_EXIT_SHUTDOWN:
			t1_shutdown_state(t->vm.vcpufd, 0);
			t->end = T1_SHUTDOWN;
			break;
		case KVM_EXIT_FAIL_ENTRY:
			errx(1, "KVM: entry failure: hw_entry_failure_reason=0x%llx",
			     (unsigned long long)
			     run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			errx(1, "KVM: internal error exit: suberror=0x%x at rip=0x%llx (data %llx %llx %llx %llx)",
			     run->internal.suberror, guest_rip(t),
			     (unsigned long long)run->internal.data[0],
			     (unsigned long long)run->internal.data[1],
			     (unsigned long long)run->internal.data[2],
			     (unsigned long long)run->internal.data[3]);
		default:
			errx(1, "KVM: unhandled exit: exit_reason=0x%x, rip=0x%llx",
			     run->exit_reason, guest_rip(t));
		}
	}
	t1_kick_at(t, -1);
	kick_run = NULL;
}

/* One line on where a guest that hvctl was told to stop stood. */
static void report_state(struct t1 *t)
{
	const struct t1_pit_chan *c = &t->pit[0];
	struct kvm_run *run = t->vm.run;
	struct kvm_regs regs;
	char due[48] = "none";

	if (ioctl(t->vm.vcpufd, KVM_GET_REGS, &regs) < 0)
		memset(&regs, 0xff, sizeof(regs));
	if (t->pit_irq_next_ns >= 0)
		snprintf(due, sizeof(due), "in %lld us",
			 (long long)(t->pit_irq_next_ns - t1_now_ns()) / 1000);
	fprintf(stderr,
		"hvctl: guest state: rip=0x%llx rflags=0x%llx last exit %u if=%u ready=%u window=%u; PIC irr/isr/imr %02x/%02x/%02x %02x/%02x/%02x; PIT0 mode %u reload %u, next IRQ 0 %s\n",
		(unsigned long long)regs.rip, (unsigned long long)regs.rflags,
		run->exit_reason, run->if_flag,
		run->ready_for_interrupt_injection,
		run->request_interrupt_window, t->pic[0].irr, t->pic[0].isr,
		t->pic[0].imr, t->pic[1].irr, t->pic[1].isr, t->pic[1].imr,
		c->mode, c->reload, due);
}

static int report(struct t1 *t)
{
	if (t->uart.panic_seen && t->end != T1_PANIC)
		t->end = T1_PANIC;
	switch (t->end) {
	case T1_POWEROFF:
		fprintf(stderr, "hvctl: guest powered off (CPU halted with interrupts off)\n");
		return 0;
	case T1_RESET:
		fprintf(stderr, "hvctl: guest reset (reboot)\n");
		return 0;
	case T1_PANIC:
		fprintf(stderr, "hvctl: guest kernel panic: %s\n",
			"see the console output above");
		return 2;
	case T1_SIGNAL:
		fprintf(stderr, "hvctl: Exiting on signal %d\n", (int)stop_sig);
		report_state(t);
		return 1;
	case T1_SHUTDOWN:
		fprintf(stderr, "hvctl: guest triple fault (shutdown)\n");
		return 2;
	default:
		return 1;
	}
}

/*
 * ARGV: the arguments after `hvctl run`, without --mode and --device;
 * ARGV[ARGC] is NULL.
 */
int t1_main(int argc, char **argv, const char *device, bool virtio)
{
	static struct t1 t1;
	struct t1 *t = &t1;
	const char *append = NULL, *v;
	unsigned long mem_mb = T1_MEM_DEFAULT_MB, cpus = 1;
	int i, khz, status;
	const char *who = virtio ? "virtio" : "type1";
	void *p;

	t->virtio = virtio;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout, virtio);
			return 0;
		} else if ((v = hvctl_opt_value(argc, argv, &i, "--kernel", who))) {
			t->kernel = v;
		} else if ((v = hvctl_opt_value(argc, argv, &i, "--initrd", who))) {
			t->initrd = v;
		} else if ((v = hvctl_opt_value(argc, argv, &i, "--append", who))) {
			append = v;
		} else if ((v = hvctl_opt_value(argc, argv, &i, "--mem", who))) {
			mem_mb = number(v, "--mem");
		} else if ((v = hvctl_opt_value(argc, argv, &i, "--cpus", who))) {
			cpus = number(v, "--cpus");
		} else if (virtio && vio_option(t, argc, argv, &i)) {
			continue;
		} else {
			warnx("%s: unknown argument '%s'", who, argv[i]);
			usage(stderr, virtio);
			return 1;
		}
	}
	if (!t->kernel) {
		warnx("%s: missing --kernel BZIMAGE", who);
		usage(stderr, virtio);
		return 1;
	}
	if (mem_mb < 32 || mem_mb > T1_MEM_MAX_MB)
		errx(1, "type1: --mem=%lu: between 32 and %d MB", mem_mb,
		     T1_MEM_MAX_MB);
	if (cpus < 1 || cpus > T1_CPUS_MAX)
		errx(1, "type1: --cpus %lu: between 1 and %d", cpus,
		     T1_CPUS_MAX);
	t->ncpus = cpus;
	t->mem_size = (uint64_t)mem_mb << 20;

	p = mmap(NULL, t->mem_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		err(1, "Could not allocate guest memory (%lu MB)", mem_mb);
	t->mem = p;

	t1_boot_load(t);

	vm_open(&t->vm, device);
	khz = ioctl(t->vm.sysfd, KVM_CHECK_EXTENSION, KVM_CAP_GET_TSC_KHZ);
	vm_create(&t->vm);
	vm_set_ram(&t->vm, 0, 0, t->mem, t->mem_size);
	vm_create_vcpu(&t->vm, 0);
	if (khz > 0) {
		khz = ioctl(t->vm.vcpufd, KVM_GET_TSC_KHZ, 0);
		t->tsc_khz = khz > 0 ? (unsigned long)khz : 0;
	}
	build_cmdline(t, append);
	t1_boot_cmdline(t);
	t1_boot_vcpu(t);
	if (t->ncpus > 1)
		t1_smp_setup(t);

	t1_pic_init(t);
	t1_pit_init(t);
	t1_rtc_init(t);
	setup_signals();
	t1_uart_init(t);
	if (t->vio_console)
		t->uart.in_fd = -1;	/* stdin is hvc0's */
	t->start_ns = t1_now_ns();

	if (t->ncpus > 1) {
		kick_run = t->vm.run;	/* a first fatal signal only stops */
		t1_smp_run(t);
		kick_run = NULL;
	} else {
		run_loop(t);
	}
	status = report(t);
	t1_uart_restore_tty();
	vm_close(&t->vm);
	munmap(t->mem, t->mem_size);
	return status;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * t1_smp.c: `--mode type1 --cpus N` (2..T1_CPUS_MAX): N vCPUs, each with
 * the userspace xAPIC of t1_lapic.c, found by the guest through an MP
 * table (MP spec 1.4; no ACPI).  There is no IOAPIC: hvctl puts "noapic"
 * on the command line and the legacy devices stay on the 8259 PIC, whose
 * INTR reaches the BSP through LINT0 in ExtINT mode (virtual wire mode,
 * as a PC BIOS leaves it).  The guest's local timers and IPIs are the
 * xAPICs'.
 *
 * Threads: one per vCPU, and hvctl's main thread as the clock and input
 * thread.  One mutex (t1.lock) covers every device and the xAPICs; it is
 * held while an exit is handled, never across KVM_RUN or a wait.
 *  - A vCPU thread injects its highest deliverable interrupt with
 *    KVM_INTERRUPT when kvm_run says ready_for_interrupt_injection, else
 *    asks for an interrupt window.  A vCPU that gets a new interrupt while
 *    inside KVM_RUN is sent SIGUSR1, whose handler sets its kvm_run's
 *    immediate_exit.  HLT with IF=1 waits on the vCPU's condvar for a
 *    deliverable interrupt; HLT with IF=0 stops the vCPU for good (the
 *    guest powered off once every vCPU has).
 *  - APs start in wait-for-SIPI; INIT puts them back there; a SIPI starts
 *    them in real mode at vector << 12.
 *  - An NMI IPI is queued on the target (t1_cpu.nmi_queued) and the target
 *    kicked: its own thread issues KVM_NMI before its next KVM_RUN.  Any
 *    thread may call KVM_NMI, but it takes the vCPU's mutex, which KVM_RUN
 *    holds: from another thread it would wait for the target's next exit.
 *    The NMI also ends a HLT, with IF=0 too (as on hardware).
 *  - The main thread sleeps in ppoll() on stdin, the virtio back ends and
 *    a wake-up pipe until the next PIT or xAPIC timer deadline, raises
 *    what is due and kicks the vCPUs concerned.  Nothing spins.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "t1.h"

#define KICK_SIG	SIGUSR1

/* MP table (MP spec 1.4) in the BIOS area, reserved in the e820 map. */
#define MP_FLOAT	0xf0000ull
#define MP_TABLE	0xf0010ull
#define MP_CPU_LEN	20
#define MP_BUS_LEN	8
#define MP_HDR_LEN	44

static __thread struct kvm_run *self_run;

static void on_kick(int sig)
{
	(void)sig;
	if (self_run)
		self_run->immediate_exit = 1;
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return (uint8_t)-s;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void mptable(struct t1 *t)
{
	uint8_t *f = t->mem + MP_FLOAT, *m = t->mem + MP_TABLE, *e;
	size_t len = MP_HDR_LEN + t->ncpus * MP_CPU_LEN + MP_BUS_LEN;
	unsigned int i;

	memset(f, 0, 16);
	memcpy(f, "_MP_", 4);
	put32(f + 4, (uint32_t)MP_TABLE);
	f[8] = 1;		/* length in 16-byte units */
	f[9] = 4;		/* spec 1.4 */
	/* feature bytes 0: a table follows; virtual wire mode (no IMCR) */
	f[10] = checksum(f, 16);

	memset(m, 0, len);
	memcpy(m, "PCMP", 4);
	put16(m + 4, (uint16_t)len);
	m[6] = 4;
	memcpy(m + 8, "HVMOD   ", 8);
	memcpy(m + 16, "HVCTL TYPE1 ", 12);
	put16(m + 34, (uint16_t)(t->ncpus + 1));	/* entry count */
	put32(m + 36, (uint32_t)T1_LAPIC_BASE);
	e = m + MP_HDR_LEN;
	for (i = 0; i < t->ncpus; i++, e += MP_CPU_LEN) {
		e[0] = 0;			/* processor */
		e[1] = (uint8_t)i;		/* APIC ID */
		e[2] = 0x14;			/* APIC version */
		e[3] = 0x01 | (i ? 0 : 0x02);	/* enabled, BSP */
	}
	e[0] = 1;				/* bus 0: ISA */
	e[1] = 0;
	memcpy(e + 2, "ISA   ", 6);
	m[7] = checksum(m, len);
}

/*
 * Every vCPU is a package of its own with one core and one thread: APIC
 * on (xAPIC only), its ID in CPUID.1:EBX, topology leaves emptied.
 */
void t1_smp_cpuid(struct t1 *t, struct kvm_cpuid2 *cpuid, unsigned int id)
{
	unsigned int i;

	(void)t;
	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 1:
			e->edx |= 1u << 9;		/* APIC */
			e->edx &= ~(1u << 28);		/* HTT */
			e->ecx &= ~((1u << 21) |	/* x2APIC */
				    (1u << 24));	/* TSC deadline */
			e->ebx = (e->ebx & 0xffff) | id << 24 | 1u << 16;
			break;
		case 4:		/* cores and threads sharing a cache: 1 */
			e->eax &= 0x3fff;
			break;
		case 0xb:
		case 0x1f:
		case 0x8000001e:
		case 0x80000026:
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		case 0x80000001:
			e->ecx &= ~((1u << 1) |		/* CmpLegacy */
				    (1u << 22));	/* TOPOEXT */
			break;
		case 0x80000008:
			e->ecx = 0;			/* one core */
			break;
		case 0x40000001:
			/*
			 * KVM's paravirtual EOI, unhalt, TLB flush, IPI,
			 * poll control, yield, async PF and MSI features need
			 * its in-kernel LAPIC (on /dev/kvm): keep them off.
			 */
			e->eax &= ~((1u << 6) | (1u << 7) | (1u << 9) |
				    (1u << 11) | (1u << 12) | (1u << 13) |
				    (1u << 14) | (1u << 15));
			break;
		}
	}
}

void t1_smp_setup(struct t1 *t)
{
	unsigned int i;

	mptable(t);
	t->user_nmi = vm_check_extension(&t->vm, KVM_CAP_USER_NMI) > 0;
	if (!t->user_nmi)
		fprintf(stderr, "hvctl: %s lacks KVM_CAP_USER_NMI: NMI IPIs will not be delivered\n",
			t->vm.dev);
	t->cpu = calloc(t->ncpus, sizeof(*t->cpu));
	if (!t->cpu)
		err(1, "out of memory");
	if (pthread_mutex_init(&t->lock, NULL))
		errx(1, "pthread_mutex_init failed");
	if (pipe2(t->wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		err(1, "pipe");
	for (i = 0; i < t->ncpus; i++) {
		struct t1_cpu *c = &t->cpu[i];

		c->t = t;
		c->id = i;
		c->sipi_vector = -1;
		c->wait_sipi = i != 0;
		if (pthread_cond_init(&c->wake, NULL))
			errx(1, "pthread_cond_init failed");
		if (!i) {
			c->fd = t->vm.vcpufd;
			c->run = t->vm.run;
		} else {
			struct vm ap = t->vm;
			struct kvm_cpuid2 *cpuid;

			c->fd = ioctl(t->vm.vmfd, KVM_CREATE_VCPU, (unsigned long)i);
			if (c->fd < 0)
				err(1, "KVM: ioctl (CREATE_VCPU) failed for vCPU %u of %u",
				    i, t->ncpus);
			c->run = mmap(NULL, t->vm.run_size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, c->fd, 0);
			if (c->run == MAP_FAILED)
				err(1, "KVM: mmap of vCPU %u's kvm_run failed", i);
			ap.vcpufd = c->fd;
			cpuid = vm_x86_supported_cpuid(&ap);

			t1_smp_cpuid(t, cpuid, i);
			vm_x86_set_cpuid(&ap, cpuid);
		}
		t1_lapic_init(c);
	}
}

void t1_smp_timer_changed(struct t1 *t)
{
	if (write(t->wake_pipe[1], "", 1) < 0) {
		/* EAGAIN: the pipe is full, the clock thread will look anyway */
	}
}

static bool deliverable(struct t1_cpu *c)
{
	if (c->nmi_queued)
		return true;
	if (t1_lapic_extint(c) && t1_pic_pending(c->t))
		return true;
	return t1_lapic_pending(c) >= 0;
}

static void force_kick(struct t1_cpu *c)
{
	pthread_cond_signal(&c->wake);
	if (c->in_run && !c->kicked) {
		c->kicked = true;
		pthread_kill(c->thread, KICK_SIG);
	}
}

void t1_smp_kick(struct t1_cpu *c)
{
	if (pthread_equal(c->thread, pthread_self()))
		return;		/* it looks before it enters KVM_RUN */
	if (!c->in_run) {
		pthread_cond_signal(&c->wake);
		return;
	}
	/* with a window requested it comes out by itself when it can take one */
	if (!c->window && deliverable(c))
		force_kick(c);
}

static void end_all(struct t1 *t)
{
	unsigned int i;

	for (i = 0; i < t->ncpus; i++)
		force_kick(&t->cpu[i]);
	t1_smp_timer_changed(t);
}

void t1_smp_init_ipi(struct t1_cpu *c)
{
	if (!c->id)
		return;		/* the BSP is not reset by hvctl */
	t1_lapic_init(c);
	c->wait_sipi = true;
	c->stopped = false;
	c->sipi_vector = -1;
	c->nmi_queued = 0;	/* as KVM's reset: an undelivered NMI is gone */
	if (!pthread_equal(c->thread, pthread_self()))
		force_kick(c);
}

void t1_smp_sipi(struct t1_cpu *c, uint8_t vector)
{
	if (!c->wait_sipi)
		return;		/* only a CPU waiting for one takes it */
	c->sipi_vector = vector;
	pthread_cond_signal(&c->wake);
}

/*
 * An NMI for C (any thread, under t1.lock).  A CPU waiting for a SIPI
 * keeps it until it runs.  Two at most: more collapse on hardware too.
 */
void t1_smp_nmi(struct t1_cpu *c)
{
	if (!c->t->user_nmi) {
		c->nmi_lost++;
		return;
	}
	if (c->nmi_queued < 2)
		c->nmi_queued++;
	c->stopped = false;
	if (!pthread_equal(c->thread, pthread_self()))
		force_kick(c);
}

/* C's own thread, before KVM_RUN: the queued NMIs to the vCPU. */
static void nmi_flush(struct t1_cpu *c)
{
	for (; c->nmi_queued; c->nmi_queued--)
		if (ioctl(c->fd, KVM_NMI, 0) < 0)
			err(1, "KVM: ioctl (NMI) failed on vCPU %u", c->id);
}

/* The AP leaves wait-for-SIPI: real mode at CS:IP = vector << 8 : 0. */
static void start_ap(struct t1_cpu *c)
{
	struct kvm_segment data = {
		.limit = 0xffff, .type = 3, .present = 1, .s = 1,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		err(1, "KVM: ioctl (GET_SREGS) failed for vCPU %u", c->id);
	sregs.cs = data;
	sregs.cs.type = 11;
	sregs.cs.selector = (uint16_t)(c->sipi_vector << 8);
	sregs.cs.base = (uint64_t)c->sipi_vector << 12;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.tr = (struct kvm_segment){ .limit = 0xffff, .type = 11,
					 .present = 1 };
	sregs.ldt = (struct kvm_segment){ .limit = 0xffff, .type = 2,
					  .present = 1 };
	sregs.gdt.base = sregs.idt.base = 0;
	sregs.gdt.limit = sregs.idt.limit = 0xffff;
	sregs.cr0 = 0x60000010;		/* CD, NW, ET: the reset value */
	sregs.cr2 = sregs.cr3 = sregs.cr4 = 0;
	sregs.efer = 0;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
	if (ioctl(c->fd, KVM_SET_SREGS, &sregs) < 0)
		err(1, "KVM: ioctl (SET_SREGS) failed for vCPU %u", c->id);
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0)
		err(1, "KVM: ioctl (SET_REGS) failed for vCPU %u", c->id);
	c->run->request_interrupt_window = 0;
	c->wait_sipi = false;
	c->sipi_vector = -1;
}

static void inject(struct t1_cpu *c)
{
	struct kvm_run *run = c->run;
	bool pic = t1_lapic_extint(c) && t1_pic_pending(c->t);
	int v = pic ? -1 : t1_lapic_pending(c);
	struct kvm_interrupt irq;

	if (!pic && v < 0) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt_injection || !run->if_flag) {
		run->request_interrupt_window = 1;
		return;
	}
	if (pic)
		v = t1_pic_ack(c->t);
	else
		t1_lapic_accept(c, v);
	irq.irq = (uint32_t)v;
	if (ioctl(c->fd, KVM_INTERRUPT, &irq) < 0)
		err(1, "KVM: ioctl (INTERRUPT) failed for vector 0x%x on vCPU %u",
		    irq.irq, c->id);
	run->request_interrupt_window = deliverable(c);
}

/* Devices an exit touched may have raised a PIC line for the BSP. */
static void kick_others(struct t1_cpu *self)
{
	struct t1 *t = self->t;
	unsigned int i;

	for (i = 0; i < t->ncpus; i++)
		if (&t->cpu[i] != self)
			t1_smp_kick(&t->cpu[i]);
}

static void halted_for_good(struct t1_cpu *c)
{
	struct t1 *t = c->t;
	unsigned int i;

	c->stopped = true;
	for (i = 0; i < t->ncpus; i++)
		if (!t->cpu[i].stopped && !t->cpu[i].wait_sipi)
			return;
	t->end = T1_POWEROFF;
}

static unsigned long long rip_of(struct t1_cpu *c)
{
	struct kvm_regs regs;

	if (ioctl(c->fd, KVM_GET_REGS, &regs) < 0)
		return ~0ull;
	return regs.rip;
}

static void handle_exit(struct t1_cpu *c)
{
	struct t1 *t = c->t;
	struct kvm_run *run = c->run;
	uint8_t *data;
	size_t len;
	uint32_t i;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		len = (size_t)run->io.size * run->io.count;
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.data_offset > t->vm.run_size ||
		    len > t->vm.run_size - run->io.data_offset)
			errx(1, "KVM: I/O exit data (0x%llx, %zu bytes) outside kvm_run",
			     (unsigned long long)run->io.data_offset, len);
		for (i = 0; i < run->io.count; i++)
			t1_io(t, run->io.port,
			      run->io.direction == KVM_EXIT_IO_OUT,
			      data + i * run->io.size, run->io.size);
		kick_others(c);
		break;
	case KVM_EXIT_MMIO:
		if (run->mmio.len > sizeof(run->mmio.data))
			errx(1, "KVM: MMIO exit of %u bytes", run->mmio.len);
		if (run->mmio.phys_addr >= T1_LAPIC_BASE &&
		    run->mmio.phys_addr < T1_LAPIC_BASE + T1_LAPIC_SIZE) {
			t1_lapic_mmio(c, run->mmio.phys_addr - T1_LAPIC_BASE,
				      run->mmio.data, run->mmio.len,
				      run->mmio.is_write);
			break;
		}
		/* outside the devices reads float high */
		if (!vio_mmio(t, run->mmio.phys_addr, run->mmio.data,
			      run->mmio.len, run->mmio.is_write) &&
		    !run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		kick_others(c);
		break;
	case KVM_EXIT_HLT:
		if (!run->if_flag) {
			halted_for_good(c);
			break;
		}
		while (!t->end && !deliverable(c) && !c->wait_sipi)
			pthread_cond_wait(&c->wake, &t->lock);
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		t1_uart_poll_input(t);
		vio_poll(t);
		kick_others(c);
		break;
	case KVM_EXIT_SHUTDOWN:
		t1_shutdown_state(c->fd, c->id);
		t->end = T1_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		errx(1, "KVM: vCPU %u entry failure: hw_entry_failure_reason=0x%llx",
		     c->id, (unsigned long long)
		     run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		errx(1, "KVM: vCPU %u internal error exit: suberror=0x%x at rip=0x%llx",
		     c->id, run->internal.suberror, rip_of(c));
	default:
		errx(1, "KVM: vCPU %u unhandled exit: exit_reason=0x%x, rip=0x%llx",
		     c->id, run->exit_reason, rip_of(c));
	}
}

static void *cpu_thread(void *arg)
{
	struct t1_cpu *c = arg;
	struct t1 *t = c->t;
	sigset_t s;
	int r, e;

	sigemptyset(&s);
	sigaddset(&s, KICK_SIG);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	self_run = c->run;
	pthread_mutex_lock(&t->lock);
	while (!t->end) {
		if (c->wait_sipi && c->sipi_vector >= 0)
			start_ap(c);
		if (c->wait_sipi || c->stopped) {
			pthread_cond_wait(&c->wake, &t->lock);
			continue;
		}
		nmi_flush(c);
		inject(c);
		c->run->immediate_exit = 0;
		c->in_run = true;
		c->kicked = false;
		c->window = c->run->request_interrupt_window;
		pthread_mutex_unlock(&t->lock);
		r = ioctl(c->fd, KVM_RUN, 0);
		e = errno;
		pthread_mutex_lock(&t->lock);
		c->in_run = false;
		if (r < 0 && e != EINTR && e != EAGAIN) {
			errno = e;
			err(1, "KVM: ioctl (RUN) failed on vCPU %u at rip=0x%llx",
			    c->id, rip_of(c));
		}
		if (r < 0) {
			t1_uart_poll_input(t);
			vio_poll(t);
		} else {
			handle_exit(c);
		}
		if (t->end)
			end_all(t);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static int64_t next_deadline(struct t1 *t)
{
	int64_t next = t->pit_irq_next_ns;
	unsigned int i;

	for (i = 0; i < t->ncpus; i++) {
		int64_t n = t1_lapic_timer_next(&t->cpu[i]);

		if (n >= 0 && (next < 0 || n < next))
			next = n;
	}
	return next;
}

/* The main thread: timers and input, until the guest or a signal ends it. */
void t1_smp_run(struct t1 *t)
{
	struct sigaction sa;
	sigset_t block, waitmask;
	unsigned int i;
	char buf[64];

	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = on_kick;
	if (sigaction(KICK_SIG, &sa, NULL))
		err(1, "sigaction");
	/* vCPU threads take only the kick; fatal signals come here */
	sigemptyset(&block);
	sigaddset(&block, KICK_SIG);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &block, &waitmask);
	sigaddset(&waitmask, KICK_SIG);

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->ncpus; i++)
		if (pthread_create(&t->cpu[i].thread, NULL, cpu_thread,
				   &t->cpu[i]))
			errx(1, "cannot start the thread of vCPU %u", i);
	while (!t->end) {
		struct pollfd p[2 + VIO_MAX_DEVS] = {
			{ .fd = t->wake_pipe[0], .events = POLLIN },
			{ .fd = t->uart.in_fd, .events = POLLIN },
		};
		struct timespec ts, *tsp = NULL;
		int64_t now = t1_now_ns(), next;
		int np;

		if (t1_stop_signal()) {
			t->end = T1_SIGNAL;
			break;
		}
		t1_pit_update(t, now);
		for (i = 0; i < t->ncpus; i++)
			t1_lapic_timer_update(&t->cpu[i], now);
		t1_uart_poll_input(t);
		vio_poll(t);
		for (i = 0; i < t->ncpus; i++)
			t1_smp_kick(&t->cpu[i]);
		next = next_deadline(t);
		if (next >= 0) {
			int64_t d = next > now ? next - now : 0;

			ts.tv_sec = d / 1000000000ll;
			ts.tv_nsec = d % 1000000000ll;
			tsp = &ts;
		}
		if (!t1_uart_wants_input(t))
			p[1].fd = -1;
		np = 2 + vio_pollfds(t, p + 2, VIO_MAX_DEVS);
		pthread_mutex_unlock(&t->lock);
		if (ppoll(p, np, tsp, &waitmask) < 0 && errno != EINTR)
			err(1, "ppoll");
		while (read(t->wake_pipe[0], buf, sizeof(buf)) > 0)
			;
		pthread_mutex_lock(&t->lock);
	}
	end_all(t);
	pthread_mutex_unlock(&t->lock);
	for (i = 0; i < t->ncpus; i++)
		pthread_join(t->cpu[i].thread, NULL);
	for (i = 0; i < t->ncpus; i++) {
		struct t1_cpu *c = &t->cpu[i];

		if (c->nmi_lost)
			fprintf(stderr, "hvctl: %lu NMI IPIs to CPU %u not delivered (no KVM_CAP_USER_NMI)\n",
				c->nmi_lost, i);
		if (i) {	/* vCPU 0 is t->vm's, closed with it */
			munmap(c->run, t->vm.run_size);
			close(c->fd);
		}
	}
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * t1.h: `hvctl run --mode type1`: a Linux x86 guest (bzImage) on the
 * legacy PC devices hvctl emulates in userspace, no ACPI.  With one vCPU
 * there is no local APIC (hidden from CPUID): the kernel runs on the 8259
 * PIC pair and the 8254 PIT.  With --cpus N > 1 every vCPU gets a
 * userspace xAPIC (MMIO exits at 0xfee00000) and an MP table lists them.
 *
 * Files: t1.c (options, the 1-CPU run loop), t1_boot.c (boot protocol),
 * t1_io.c (port dispatch, port 0x80, i8042), t1_uart.c (16550A),
 * t1_pic.c (8259 pair), t1_pit.c (8254, port 0x61), t1_rtc.c (CMOS),
 * t1_smp.c (vCPU threads, MP table, CPUID), t1_lapic.c (xAPIC).
 */
#ifndef HVCTL_T1_H
#define HVCTL_T1_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "vm.h"
#include "vio.h"

#define T1_MEM_DEFAULT_MB	256
#define T1_MEM_MAX_MB		3072	/* below the 32-bit PCI/MMIO hole */
#define T1_CMDLINE_MAX		2048
#define T1_CPUS_MAX		8	/* logical flat APIC mode: 8 CPUs */

/* Why the run loop stopped: hvctl's exit status is in t1_exit_status(). */
enum t1_end {
	T1_RUNNING = 0,
	T1_POWEROFF,	/* all vCPUs halted with IF=0 (poweroff/halt) */
	T1_RESET,	/* i8042 0xFE: the guest rebooted */
	T1_PANIC,	/* "Kernel panic" seen on the console */
	T1_SHUTDOWN,	/* triple fault */
	T1_SIGNAL,	/* SIGINT/SIGTERM/SIGHUP to hvctl */
};

/* 8259A: one chip of the pair. */
struct t1_pic_chip {
	uint8_t irr, isr, imr;
	uint8_t last_level;	/* input lines, for edge detection */
	uint8_t base;		/* ICW2 vector base */
	uint8_t init_step;	/* 0: ready, 2..4: expecting ICW2..ICW4 */
	bool icw4_needed, single, auto_eoi;
	bool read_isr;		/* OCW3: reads of the command port give ISR */
	bool special_mask;
	uint8_t prio_add;	/* lowest-priority rotation */
};

struct t1_pit_chan {
	uint32_t reload;	/* 1..65536 */
	uint8_t mode, access;	/* mode 0-5; access 1 lsb 2 msb 3 lsb/msb */
	bool write_msb_next, read_msb_next;
	bool latched;		/* counter latch command */
	uint16_t latch;
	bool latch_msb_next;
	bool status_latched;
	uint8_t status;
	bool gate;
	bool armed;		/* a count has been written */
	int64_t start_ns;	/* when counting began */
	uint8_t write_lsb;
};

struct t1_uart {
	uint8_t ier, lcr, mcr, lsr_extra, scr, dll, dlm, fcr;
	bool thre_pending;	/* THR-empty interrupt not yet acknowledged */
	uint8_t rx[64];
	unsigned int rx_head, rx_len;
	/* console output scanning for the panic line */
	char line[256];
	size_t line_len;
	bool panic_seen;
	int in_fd;		/* -1 once stdin is at EOF */
	bool in_tty;
};

/* The xAPIC of one vCPU (t1_lapic.c); LVT order as in T1_LVT_*. */
enum { T1_LVT_TIMER, T1_LVT_THERMAL, T1_LVT_PERF, T1_LVT_LINT0,
       T1_LVT_LINT1, T1_LVT_ERROR, T1_NLVT };

struct t1_lapic {
	uint32_t id, tpr, ldr, dfr, svr, esr, icr_lo, icr_hi;
	uint32_t lvt[T1_NLVT];
	uint32_t irr[8], isr[8], tmr[8];
	uint32_t tmict, tdcr;
	int64_t timer_start_ns;	/* when TMICT was written */
	int64_t timer_next_ns;	/* next expiry, or -1 */
};

/* One vCPU of an SMP guest (t1_smp.c); fields under t1.lock. */
struct t1_cpu {
	struct t1 *t;
	unsigned int id;	/* vCPU index = APIC ID */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	pthread_cond_t wake;	/* HLT, wait-for-SIPI */
	struct t1_lapic apic;
	bool wait_sipi;		/* after INIT (APs start so) */
	int sipi_vector;	/* a SIPI to act on, or -1 */
	bool stopped;		/* HLT with IF=0 */
	bool in_run;		/* inside KVM_RUN */
	bool kicked;		/* signalled since it entered KVM_RUN */
	bool window;		/* entered with request_interrupt_window */
	unsigned int nmi_queued; /* NMIs for its own thread's KVM_NMI (0..2) */
	unsigned long nmi_lost;	/* NMIs not delivered (no KVM_CAP_USER_NMI) */
};

struct t1 {
	struct vm vm;
	uint8_t *mem;
	uint64_t mem_size;
	const char *kernel, *initrd;
	uint64_t entry;		/* startup_64 */
	char cmdline[T1_CMDLINE_MAX];
	uint32_t cmdline_max;	/* the kernel's cmdline_size */
	unsigned long tsc_khz;
	enum t1_end end;

	struct t1_pic_chip pic[2];
	struct t1_pit_chan pit[3];
	bool pit_speaker;	/* port 0x61 bit 1 */
	bool refresh_toggle;
	int64_t pit_irq_next_ns;	/* next IRQ 0 edge, or -1 */
	struct t1_uart uart;
	uint8_t cmos_index;
	uint8_t cmos[128];
	uint8_t port92;
	int64_t start_ns;
	bool marker_timing;

	/* --mode virtio (vio.h) */
	bool virtio;
	struct vio_dev *vio[VIO_MAX_DEVS];
	unsigned int nvio;
	struct vio_dev *vio_console;	/* owns stdin when present */

	/* --cpus N > 1 (t1_smp.c) */
	unsigned int ncpus;
	struct t1_cpu *cpu;
	pthread_mutex_t lock;	/* all device state and struct t1_cpu */
	bool user_nmi;		/* KVM_CAP_USER_NMI: KVM_NMI works */
	int wake_pipe[2];	/* to the clock/input thread */
};

/* t1.c */
int t1_main(int argc, char **argv, const char *device, bool virtio);
int64_t t1_now_ns(void);
void t1_kick_at(struct t1 *t, int64_t ns);	/* host timer for the vCPU */
int t1_stop_signal(void);	/* the fatal signal that stops the run, or 0 */
/* stderr: vCPU ID's registers after it shut down (triple fault) */
void t1_shutdown_state(int vcpufd, unsigned int id);

/*
 * t1_boot.c: load the bzImage (+ initrd) and the zero page (before the
 * device is opened: a bad image fails first), then the command line,
 * then the vCPU's CPUID and registers.
 */
void t1_boot_load(struct t1 *t);
void t1_boot_cmdline(struct t1 *t);
void t1_boot_vcpu(struct t1 *t);

/* t1_io.c: one I/O port access of SIZE bytes. */
void t1_io(struct t1 *t, uint16_t port, bool out, uint8_t *data,
	   unsigned int size);

/* t1_pic.c */
void t1_pic_init(struct t1 *t);
void t1_pic_set_irq(struct t1 *t, unsigned int irq, bool level);
bool t1_pic_pending(struct t1 *t);	/* an unmasked request is waiting */
int t1_pic_ack(struct t1 *t);		/* the vector the CPU takes */
uint8_t t1_pic_read(struct t1 *t, uint16_t port);
void t1_pic_write(struct t1 *t, uint16_t port, uint8_t v);

/* t1_pit.c */
void t1_pit_init(struct t1 *t);
void t1_pit_update(struct t1 *t, int64_t now);	/* raise IRQ 0 if due */
uint8_t t1_pit_read(struct t1 *t, uint16_t port);
void t1_pit_write(struct t1 *t, uint16_t port, uint8_t v);
uint8_t t1_port61_read(struct t1 *t);
void t1_port61_write(struct t1 *t, uint8_t v);

/* t1_uart.c */
void t1_uart_init(struct t1 *t);
uint8_t t1_uart_read(struct t1 *t, unsigned int reg);
void t1_uart_write(struct t1 *t, unsigned int reg, uint8_t v);
void t1_uart_poll_input(struct t1 *t);	/* non-blocking read of stdin */
bool t1_uart_wants_input(struct t1 *t);	/* stdin is worth polling */
void t1_uart_restore_tty(void);

/* t1_smp.c: --cpus N > 1, see there. */
struct kvm_cpuid2;	/* <linux/kvm.h> declares it on x86 only */
void t1_smp_setup(struct t1 *t);	/* MP table, AP vCPUs */
void t1_smp_cpuid(struct t1 *t, struct kvm_cpuid2 *cpuid, unsigned int id);
void t1_smp_run(struct t1 *t);
void t1_smp_timer_changed(struct t1 *t);	/* a deadline moved */
void t1_smp_kick(struct t1_cpu *c);	/* re-check its interrupts */
void t1_smp_init_ipi(struct t1_cpu *c);
void t1_smp_sipi(struct t1_cpu *c, uint8_t vector);
void t1_smp_nmi(struct t1_cpu *c);

/* t1_lapic.c: one xAPIC per vCPU at T1_LAPIC_BASE, under t1.lock. */
#define T1_LAPIC_BASE	0xfee00000ull
#define T1_LAPIC_SIZE	0x1000ull
void t1_lapic_init(struct t1_cpu *c);
void t1_lapic_mmio(struct t1_cpu *c, uint64_t off, uint8_t *data,
		   unsigned int len, bool write);
int t1_lapic_pending(struct t1_cpu *c);	/* deliverable vector or -1 */
void t1_lapic_accept(struct t1_cpu *c, int vector);	/* IRR -> ISR */
bool t1_lapic_extint(struct t1_cpu *c);	/* takes the PIC's INTR */
void t1_lapic_timer_update(struct t1_cpu *c, int64_t now);
int64_t t1_lapic_timer_next(struct t1_cpu *c);

/* t1_rtc.c */
void t1_rtc_init(struct t1 *t);
uint8_t t1_rtc_read(struct t1 *t, uint16_t port);
void t1_rtc_write(struct t1 *t, uint16_t port, uint8_t v);

#endif /* HVCTL_T1_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * t1_uart.c: a 16550A UART at 0x3f8 on IRQ 4 (COM1).  Transmit goes to
 * hvctl's stdout at once (THR and the shift register are always empty),
 * receive comes from stdin through a 64-byte FIFO.  Interrupts: received
 * data and THR empty, gated by MCR.OUT2 as on a PC; loopback mode
 * (MCR.LOOP) for the driver's probes.  A terminal on stdin is put in
 * non-canonical, no-echo mode (signals still work) and restored at exit.
 *
 * The console stream is scanned for the kernel's panic lines: t1.c ends
 * the run with a clear message and a non-zero status.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "t1.h"

#define UART_IRQ	4

#define IER_RDI		0x01
#define IER_THRI	0x02
#define LCR_DLAB	0x80
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IIR_NONE	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02

static struct termios saved_tio;
static bool tio_saved;

void t1_uart_restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	tio_saved = false;
}

void t1_uart_init(struct t1 *t)
{
	struct t1_uart *u = &t->uart;
	struct termios tio;

	memset(u, 0, sizeof(*u));
	u->in_fd = STDIN_FILENO;
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved_tio)) {
		tio = saved_tio;
		tio.c_lflag &= ~(ICANON | ECHO);
		tio.c_iflag &= ~ICRNL;
		tio.c_cc[VMIN] = 1;
		tio.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &tio)) {
			tio_saved = true;
			atexit(t1_uart_restore_tty);
		}
	}
}

static uint8_t iir(struct t1_uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_len)
		return IIR_RDI | fifo;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI | fifo;
	return IIR_NONE | fifo;
}

static void update_irq(struct t1 *t)
{
	struct t1_uart *u = &t->uart;

	t1_pic_set_irq(t, UART_IRQ,
		       (u->mcr & MCR_OUT2) && !(iir(u) & IIR_NONE));
}

static void rx_push(struct t1_uart *u, uint8_t c)
{
	if (u->rx_len < sizeof(u->rx)) {
		u->rx[(u->rx_head + u->rx_len) % sizeof(u->rx)] = c;
		u->rx_len++;
	} else {
		u->lsr_extra |= 0x02;	/* overrun */
	}
}

/* Panic lines of the guest kernel: see t1.c for what follows. */
static void scan_console(struct t1 *t, uint8_t c)
{
	struct t1_uart *u = &t->uart;

	if (c != '\n' && u->line_len < sizeof(u->line) - 1) {
		u->line[u->line_len++] = c;
		return;
	}
	if (c != '\n')
		return;		/* an over-long line: keep its head */
	u->line[u->line_len] = '\0';
	u->line_len = 0;
	if (strstr(u->line, "Kernel panic - not syncing"))
		u->panic_seen = true;
	if (u->panic_seen && strstr(u->line, "---[ end Kernel panic"))
		t->end = T1_PANIC;
}

static void tx(struct t1 *t, uint8_t c)
{
	ssize_t n;

	do {
		n = write(STDOUT_FILENO, &c, 1);
	} while (n < 0 && errno == EINTR);
	scan_console(t, c);
}

bool t1_uart_wants_input(struct t1 *t)
{
	const struct t1_uart *u = &t->uart;

	return u->in_fd >= 0 && u->rx_len < sizeof(u->rx) && (u->ier & IER_RDI);
}

void t1_uart_poll_input(struct t1 *t)
{
	struct t1_uart *u = &t->uart;
	struct pollfd p = { .fd = u->in_fd, .events = POLLIN };
	uint8_t buf[64];
	ssize_t n, i;

	/*
	 * Input waits in stdin until a driver listens (receive interrupt
	 * on): the 8250 driver's start-up clears the FIFO, which would drop
	 * what came before.
	 */
	if (!t1_uart_wants_input(t))
		return;
	if (poll(&p, 1, 0) <= 0)
		return;
	n = read(u->in_fd, buf, sizeof(u->rx) - u->rx_len);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			u->in_fd = -1;	/* EOF: no more input */
		return;
	}
	for (i = 0; i < n; i++)
		rx_push(u, buf[i]);
	update_irq(t);
}

uint8_t t1_uart_read(struct t1 *t, unsigned int reg)
{
	struct t1_uart *u = &t->uart;
	uint8_t v = 0;

	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (u->rx_len) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % sizeof(u->rx);
			u->rx_len--;
		}
		break;
	case 1:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case 2:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRI)
			u->thre_pending = false;	/* read clears it */
		break;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		v = LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0) |
		    u->lsr_extra;
		u->lsr_extra = 0;
		return v;
	case 6:
		if (u->mcr & MCR_LOOP)	/* CTS=RTS DSR=DTR RI=OUT1 DCD=OUT2 */
			return (u->mcr & 0x02 ? 0x10 : 0) |
			       (u->mcr & 0x01 ? 0x20 : 0) |
			       (u->mcr & 0x04 ? 0x40 : 0) |
			       (u->mcr & 0x08 ? 0x80 : 0);
		return 0xb0;		/* DCD, DSR, CTS */
	case 7:
		return u->scr;
	}
	update_irq(t);
	return v;
}

void t1_uart_write(struct t1 *t, unsigned int reg, uint8_t v)
{
	struct t1_uart *u = &t->uart;

	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			return;
		}
		if (u->mcr & MCR_LOOP)
			rx_push(u, v);
		else
			tx(t, v);
		u->thre_pending = true;
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			return;
		}
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;	/* THR is empty */
		u->ier = v & 0x0f;
		break;
	case 2:
		u->fcr = v & 0xc9;
		if (v & FCR_CLEAR_RX)
			u->rx_len = 0;
		break;
	case 3:
		u->lcr = v;
		return;
	case 4:
		u->mcr = v & 0x1f;
		break;
	case 7:
		u->scr = v;
		return;
	default:
		return;			/* LSR, MSR: read-only */
	}
	update_irq(t);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vio_con.c: virtio console (virtio 1.x 5.3): one port, the guest's
 * hvc0.  Transmit goes to hvctl's stdout, receive comes from stdin,
 * which this device then has to itself (t1.c keeps the UART off it).
 *
 * VIRTIO_CONSOLE_F_MULTIPORT is offered (with max_nr_ports 1) only for
 * its control queues: Linux drops console input that arrives before the
 * port is hooked to hvc, and the receive buffers are posted before that;
 * the guest's PORT_OPEN says when it is ready.  Input is read from stdin
 * only then and while a receive buffer is posted, so nothing typed early
 * is lost; what does not fit in one buffer waits for the next.
 *
 * Control handshake (5.3.6.2): DEVICE_READY -> we add port 0;
 * PORT_READY -> we make it the console port and open our side;
 * PORT_OPEN from the guest -> input flows.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "t1.h"
#include "vio.h"

#define CON_RXQ		0
#define CON_TXQ		1
#define CON_CTRL_RXQ	2
#define CON_CTRL_TXQ	3

#define CON_F_MULTIPORT	(1ull << 1)

enum {
	CTRL_DEVICE_READY = 0, CTRL_PORT_ADD = 1, CTRL_PORT_READY = 3,
	CTRL_CONSOLE_PORT = 4, CTRL_PORT_OPEN = 6,
};

struct con_ctrl {
	uint32_t id;
	uint16_t event, value;
};

#define CON_CTRL_PENDING	8

struct vio_con {
	int in_fd;		/* -1 after EOF */
	bool open;		/* the guest has the port open */
	struct con_ctrl ctrl[CON_CTRL_PENDING];	/* to the guest, waiting */
	unsigned int nctrl;
	uint8_t pend[4096];	/* read from stdin, not yet in the guest */
	size_t pend_off, pend_len;
	struct vio_chain chain;
};

static void out_all(const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* stdout gone: the guest's output is dropped */
		p += n;
		len -= n;
	}
}

static void con_tx(struct vio_dev *d)
{
	struct vio_con *c = d->priv;
	struct vio_queue *q = &d->q[CON_TXQ];
	unsigned int i;

	while (vio_queue_pop(d, q, &c->chain) > 0) {
		for (i = 0; i < c->chain.nout; i++)
			out_all(c->chain.out[i].iov_base, c->chain.out[i].iov_len);
		vio_queue_push(d, q, c->chain.head, 0);
	}
}

static void con_rx(struct vio_dev *d)
{
	struct vio_con *c = d->priv;
	struct vio_queue *q = &d->q[CON_RXQ];

	while (c->open && vio_queue_has_buf(d, q)) {
		size_t n;

		if (!c->pend_len) {
			struct pollfd p = { .fd = c->in_fd, .events = POLLIN };
			ssize_t r;

			if (c->in_fd < 0 || poll(&p, 1, 0) <= 0)
				return;
			r = read(c->in_fd, c->pend, sizeof(c->pend));
			if (r <= 0) {
				if (r == 0 || (errno != EINTR && errno != EAGAIN))
					c->in_fd = -1;
				return;
			}
			c->pend_off = 0;
			c->pend_len = r;
		}
		if (vio_queue_pop(d, q, &c->chain) <= 0)
			return;
		n = vio_iov_copy_to(c->chain.in, c->chain.nin, 0,
				    c->pend + c->pend_off, c->pend_len);
		c->pend_off += n;
		c->pend_len -= n;
		vio_queue_push(d, q, c->chain.head, n);
	}
}

/* Control messages waiting for the guest's control receive buffers. */
static void ctrl_flush(struct vio_dev *d)
{
	struct vio_con *c = d->priv;
	struct vio_queue *q = &d->q[CON_CTRL_RXQ];
	unsigned int i = 0;

	while (i < c->nctrl && vio_queue_pop(d, q, &c->chain) > 0) {
		size_t n = vio_iov_copy_to(c->chain.in, c->chain.nin, 0,
					   &c->ctrl[i], sizeof(c->ctrl[i]));

		vio_queue_push(d, q, c->chain.head, n);
		i++;
	}
	memmove(c->ctrl, c->ctrl + i, (c->nctrl - i) * sizeof(c->ctrl[0]));
	c->nctrl -= i;
}

static void ctrl_send(struct vio_dev *d, uint16_t event, uint16_t value)
{
	struct vio_con *c = d->priv;

	if (c->nctrl == CON_CTRL_PENDING) {
		vio_broken(d, "control receive queue never drained");
		return;
	}
	c->ctrl[c->nctrl++] = (struct con_ctrl){ 0, event, value };
	ctrl_flush(d);
}

static void ctrl_rx(struct vio_dev *d, const struct con_ctrl *m)
{
	struct vio_con *c = d->priv;

	if (m->id != 0 && m->event != CTRL_DEVICE_READY)
		return;		/* only port 0 exists */
	switch (m->event) {
	case CTRL_DEVICE_READY:
		if (m->value)
			ctrl_send(d, CTRL_PORT_ADD, 0);
		break;
	case CTRL_PORT_READY:
		if (m->value) {
			ctrl_send(d, CTRL_CONSOLE_PORT, 1);
			ctrl_send(d, CTRL_PORT_OPEN, 1);
		}
		break;
	case CTRL_PORT_OPEN:
		c->open = m->value;
		con_rx(d);
		break;
	}
}

static void ctrl_tx(struct vio_dev *d)
{
	struct vio_con *c = d->priv;
	struct vio_queue *q = &d->q[CON_CTRL_TXQ];

	while (vio_queue_pop(d, q, &c->chain) > 0) {
		struct con_ctrl m;
		uint16_t head = c->chain.head;

		if (vio_iov_copy_from(c->chain.out, c->chain.nout, 0, &m,
				      sizeof(m)) != sizeof(m)) {
			vio_broken(d, "short control message (%zu bytes)",
				   c->chain.out_len);
			return;
		}
		/* done with the chain before answering (it reuses c->chain) */
		vio_queue_push(d, q, head, 0);
		ctrl_rx(d, &m);
	}
}

static void con_notify(struct vio_dev *d, unsigned int q)
{
	switch (q) {
	case CON_TXQ:
		con_tx(d);
		break;
	case CON_RXQ:
		con_rx(d);
		break;
	case CON_CTRL_RXQ:
		ctrl_flush(d);
		break;
	case CON_CTRL_TXQ:
		ctrl_tx(d);
		break;
	}
}

static void con_reset(struct vio_dev *d)
{
	struct vio_con *c = d->priv;

	c->open = false;
	c->nctrl = 0;
}

static bool con_pollfd(struct vio_dev *d, struct pollfd *p)
{
	struct vio_con *c = d->priv;

	if (c->in_fd < 0 || c->pend_len || !c->open ||
	    !vio_queue_has_buf(d, &d->q[CON_RXQ]))
		return false;
	p->fd = c->in_fd;
	p->events = POLLIN;
	return true;
}

static const struct vio_ops con_ops = {
	.name = "console",
	.device_id = VIO_ID_CONSOLE,
	.nqueues = 4,
	.notify = con_notify,
	.reset = con_reset,
	.pollfd = con_pollfd,
	.poll = con_rx,
};

void vio_con_add(struct t1 *t)
{
	struct vio_con *c = calloc(1, sizeof(*c));
	uint32_t ports = 1;

	if (!c)
		err(1, "out of memory");
	c->in_fd = STDIN_FILENO;
	t->vio_console = vio_add(t, &con_ops, CON_F_MULTIPORT, c);
	/* config: cols, rows (le16), max_nr_ports (le32), emerg_wr (le32) */
	memcpy(t->vio_console->config + 4, &ports, 4);
	t->vio_console->config_len = 12;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vio_con.c: virtio console (virtio 1.x 5.3), one port, no multiport:
 * the guest's hvc0.  Transmit goes to hvctl's stdout, receive comes from
 * stdin, which this device then has to itself (t1.c keeps the UART off
 * it).  Input is read only when the driver has a receive buffer posted,
 * so nothing typed before the guest listens is lost, and what does not
 * fit in one buffer waits for the next.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "t1.h"
#include "vio.h"

#define CON_RXQ	0
#define CON_TXQ	1

struct vio_con {
	int in_fd;		/* -1 after EOF */
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

	while (vio_queue_has_buf(d, q)) {
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

static void con_notify(struct vio_dev *d, unsigned int q)
{
	if (q == CON_TXQ)
		con_tx(d);
	else
		con_rx(d);
}

static bool con_pollfd(struct vio_dev *d, struct pollfd *p)
{
	struct vio_con *c = d->priv;

	if (c->in_fd < 0 || c->pend_len || !vio_queue_has_buf(d, &d->q[CON_RXQ]))
		return false;
	p->fd = c->in_fd;
	p->events = POLLIN;
	return true;
}

static const struct vio_ops con_ops = {
	.name = "console",
	.device_id = VIO_ID_CONSOLE,
	.nqueues = 2,
	.notify = con_notify,
	.pollfd = con_pollfd,
	.poll = con_rx,
};

void vio_con_add(struct t1 *t)
{
	struct vio_con *c = calloc(1, sizeof(*c));

	if (!c)
		err(1, "out of memory");
	c->in_fd = STDIN_FILENO;
	t->vio_console = vio_add(t, &con_ops, 0, c);
	t->vio_console->config_len = 12;	/* cols, rows, ports, emerg_wr */
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vio_net.c: virtio network device (virtio 1.x 5.1) on a tap interface,
 * `--net IFACE` (opened as hvt_net.c does: the tap must exist and be up).
 * Queues: 0 receive, 1 transmit; features: MAC only (a random locally
 * administered address), no offloads, no mergeable buffers, so every
 * frame is one buffer behind a 12-byte virtio_net_hdr_v1 that hvctl
 * fills with zeros (num_buffers 1).  Frames are read from the tap only
 * while the guest has a receive buffer posted; one that does not fit is
 * dropped.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hvt.h"
#include "t1.h"
#include "vio.h"

#define NET_F_MAC	(1ull << 5)
#define NET_RXQ		0
#define NET_TXQ		1
#define NET_HDR_LEN	12
#define NET_FRAME_MAX	65550

struct vio_net {
	int fd;
	uint8_t frame[NET_HDR_LEN + NET_FRAME_MAX];
	size_t frame_len;	/* a frame read from the tap, waiting */
	unsigned long dropped;
	struct vio_chain chain;
};

static void net_tx(struct vio_dev *d)
{
	struct vio_net *n = d->priv;
	struct vio_queue *q = &d->q[NET_TXQ];
	static uint8_t buf[NET_FRAME_MAX];

	while (vio_queue_pop(d, q, &n->chain) > 0) {
		struct vio_chain *c = &n->chain;
		size_t len;

		if (c->out_len < NET_HDR_LEN ||
		    c->out_len - NET_HDR_LEN > sizeof(buf)) {
			vio_broken(d, "transmit buffer of %zu bytes", c->out_len);
			return;
		}
		len = vio_iov_copy_from(c->out, c->nout, NET_HDR_LEN, buf,
					c->out_len - NET_HDR_LEN);
		/* a full tap drops the frame, as a wire would */
		if (write(n->fd, buf, len) < 0 && errno != EAGAIN)
			n->dropped++;
		vio_queue_push(d, q, c->head, 0);
	}
}

static void net_rx(struct vio_dev *d)
{
	struct vio_net *n = d->priv;
	struct vio_queue *q = &d->q[NET_RXQ];

	while (vio_queue_has_buf(d, q)) {
		struct vio_chain *c = &n->chain;

		if (!n->frame_len) {
			ssize_t r = read(n->fd, n->frame + NET_HDR_LEN,
					 NET_FRAME_MAX);

			if (r <= 0)
				return;	/* EAGAIN: nothing waiting */
			memset(n->frame, 0, NET_HDR_LEN);
			n->frame[10] = 1;	/* num_buffers (le16) */
			n->frame_len = NET_HDR_LEN + r;
		}
		if (vio_queue_pop(d, q, c) <= 0)
			return;
		if (c->in_len < n->frame_len) {
			n->dropped++;
			vio_queue_push(d, q, c->head, 0);
		} else {
			vio_iov_copy_to(c->in, c->nin, 0, n->frame, n->frame_len);
			vio_queue_push(d, q, c->head, n->frame_len);
		}
		n->frame_len = 0;
	}
}

static void net_notify(struct vio_dev *d, unsigned int q)
{
	if (q == NET_TXQ)
		net_tx(d);
	else
		net_rx(d);
}

static bool net_pollfd(struct vio_dev *d, struct pollfd *p)
{
	struct vio_net *n = d->priv;

	if (n->frame_len || !vio_queue_has_buf(d, &d->q[NET_RXQ]))
		return false;
	p->fd = n->fd;
	p->events = POLLIN;
	return true;
}

static const struct vio_ops net_ops = {
	.name = "net",
	.device_id = VIO_ID_NET,
	.nqueues = 2,
	.notify = net_notify,
	.pollfd = net_pollfd,
	.poll = net_rx,
};

void vio_net_add(struct t1 *t, const char *iface)
{
	struct vio_net *n = calloc(1, sizeof(*n));
	struct vio_dev *d;
	uint8_t mac[6];
	int mtu, fd;

	if (!n)
		err(1, "out of memory");
	if (!*iface)
		errx(1, "virtio: --net needs an interface name");
	n->fd = hvt_tap_open(iface, &mtu);
	if (n->fd < 0)
		err(1, "virtio: --net %s: cannot attach the tap", iface);
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, mac, sizeof(mac)) != sizeof(mac))
		err(1, "virtio: --net %s: /dev/urandom", iface);
	close(fd);
	mac[0] = (mac[0] & 0xfe) | 0x02;	/* unicast, locally administered */
	d = vio_add(t, &net_ops, NET_F_MAC, n);
	memcpy(d->config, mac, sizeof(mac));
	d->config_len = 8;
}

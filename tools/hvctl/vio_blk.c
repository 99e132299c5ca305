// SPDX-License-Identifier: GPL-2.0
/*
 * vio_blk.c: virtio block device (virtio 1.x 5.2) on a raw image file,
 * `--disk PATH[,ro]`.  One request queue; requests are done
 * synchronously on the notify: IN (read), OUT (write), FLUSH (fsync, so
 * a guest's sync before poweroff reaches the host's disk) and GET_ID.
 * A read-only disk offers VIRTIO_BLK_F_RO and fails writes with IOERR.
 * The capacity is the image size in 512-byte sectors (a partial last
 * sector is not visible).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "t1.h"
#include "vio.h"

#define BLK_F_SEG_MAX	(1ull << 2)
#define BLK_F_RO	(1ull << 5)
#define BLK_F_FLUSH	(1ull << 9)

#define BLK_T_IN	0
#define BLK_T_OUT	1
#define BLK_T_FLUSH	4
#define BLK_T_GET_ID	8

#define BLK_S_OK	0
#define BLK_S_IOERR	1
#define BLK_S_UNSUPP	2

#define BLK_ID_BYTES	20
#define BLK_SEG_MAX	(VIO_QUEUE_MAX - 2)	/* header and status */

struct blk_req_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

struct vio_blk {
	int fd;
	bool ro;
	uint64_t sectors;
	char id[BLK_ID_BYTES];
	struct vio_chain chain;
};

/* pread/pwrite over an iovec list, from byte OFF of the list. */
static int rw_iov(int fd, bool write, const struct iovec *iov, unsigned int n,
		  size_t off, size_t len, uint64_t pos)
{
	unsigned int i;

	for (i = 0; i < n && len; i++) {
		uint8_t *p = iov[i].iov_base;
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		p += off;
		l -= off;
		off = 0;
		if (l > len)
			l = len;
		while (l) {
			ssize_t r = write ? pwrite(fd, p, l, pos) :
					    pread(fd, p, l, pos);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
			p += r;
			l -= r;
			len -= r;
			pos += r;
		}
	}
	return 0;
}

/* One request: its status, *WRITTEN the data bytes put in the chain. */
static uint8_t do_req(struct vio_blk *b, struct vio_chain *c, size_t *written)
{
	struct blk_req_hdr h;
	size_t len;

	*written = 0;
	if (vio_iov_copy_from(c->out, c->nout, 0, &h, sizeof(h)) != sizeof(h))
		return BLK_S_IOERR;
	switch (h.type) {
	case BLK_T_IN:
	case BLK_T_OUT:
		len = h.type == BLK_T_IN ? c->in_len - 1 :
		      c->out_len - sizeof(h);
		if (len % 512 || h.sector > b->sectors ||
		    len / 512 > b->sectors - h.sector)
			return BLK_S_IOERR;
		if (h.type == BLK_T_OUT && b->ro)
			return BLK_S_IOERR;
		if (h.type == BLK_T_IN) {
			if (rw_iov(b->fd, false, c->in, c->nin, 0, len,
				   h.sector * 512))
				return BLK_S_IOERR;
			*written = len;
		} else if (rw_iov(b->fd, true, c->out, c->nout, sizeof(h),
				  len, h.sector * 512)) {
			return BLK_S_IOERR;
		}
		return BLK_S_OK;
	case BLK_T_FLUSH:
		if (!b->ro && fsync(b->fd))
			return BLK_S_IOERR;
		return BLK_S_OK;
	case BLK_T_GET_ID:
		len = c->in_len - 1 < BLK_ID_BYTES ? c->in_len - 1 : BLK_ID_BYTES;
		*written = vio_iov_copy_to(c->in, c->nin, 0, b->id, len);
		return BLK_S_OK;
	default:
		return BLK_S_UNSUPP;
	}
}

static void blk_notify(struct vio_dev *d, unsigned int qi)
{
	struct vio_blk *b = d->priv;
	struct vio_queue *q = &d->q[qi];
	struct vio_chain *c = &b->chain;

	while (vio_queue_pop(d, q, c) > 0) {
		size_t written;
		uint8_t st;

		if (!c->in_len) {
			vio_broken(d, "request %u without a status byte", c->head);
			return;
		}
		st = do_req(b, c, &written);
		vio_iov_copy_to(c->in, c->nin, c->in_len - 1, &st, 1);
		vio_queue_push(d, q, c->head, written + 1);
	}
}

static const struct vio_ops blk_ops = {
	.name = "block",
	.device_id = VIO_ID_BLK,
	.nqueues = 1,
	.notify = blk_notify,
};

void vio_blk_add(struct t1 *t, const char *arg)
{
	struct vio_blk *b = calloc(1, sizeof(*b));
	const char *comma = strchr(arg, ',');
	struct vio_dev *d;
	struct stat st;
	uint32_t seg_max = BLK_SEG_MAX;
	char *path;

	if (!b)
		err(1, "out of memory");
	path = strndup(arg, comma ? (size_t)(comma - arg) : strlen(arg));
	if (!path)
		err(1, "out of memory");
	if (comma) {
		if (strcmp(comma + 1, "ro"))
			errx(1, "virtio: --disk %s: unknown flag '%s' (only ro)",
			     arg, comma + 1);
		b->ro = true;
	}
	if (!*path)
		errx(1, "virtio: --disk needs a PATH");
	b->fd = open(path, (b->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0)
		err(1, "virtio: --disk %s", path);
	if (fstat(b->fd, &st))
		err(1, "virtio: --disk %s", path);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		errx(1, "virtio: --disk %s: not a file or block device", path);
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(b->fd, 0, SEEK_END);

		if (end < 0)
			err(1, "virtio: --disk %s", path);
		st.st_size = end;
	}
	b->sectors = st.st_size / 512;
	if (!b->sectors)
		errx(1, "virtio: --disk %s: smaller than one 512-byte sector",
		     path);
	snprintf(b->id, sizeof(b->id), "hvctl-vd%u", t->nvio);
	d = vio_add(t, &blk_ops,
		    BLK_F_SEG_MAX | BLK_F_FLUSH | (b->ro ? BLK_F_RO : 0), b);
	/* config: capacity (le64) at 0, seg_max (le32) at 12 */
	memcpy(d->config, &b->sectors, 8);
	memcpy(d->config + 12, &seg_max, 4);
	d->config_len = 24;
	free(path);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vio_queue.c: split virtqueues (virtio 1.x 2.7): the descriptor table,
 * the driver's available ring and the device's used ring, all in guest
 * RAM.  No indirect descriptors and no event index are offered, so a
 * chain is a list of direct descriptors linked by NEXT.
 *
 * The guest is not trusted: every address and length is checked against
 * guest RAM before use, a chain may not be longer than the queue (which
 * also ends descriptor loops) and the available index may not run more
 * than a queue's worth ahead.  A violation marks the device broken
 * (vio_broken()), the caller stops processing.
 *
 * The vCPU is stopped while hvctl looks at the rings (one thread), so
 * plain loads and stores suffice; the fences order them as the spec's
 * memory model asks of a device.
 */
#include <stddef.h>
#include <string.h>
#include "t1.h"
#include "vio.h"

#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
#define VRING_AVAIL_F_NO_INTERRUPT	1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
} __attribute__((packed));

/* GPA..GPA+LEN inside guest RAM: a host pointer to it, else NULL. */
void *vio_gpa(struct vio_dev *d, uint64_t gpa, uint64_t len)
{
	uint64_t size = d->t->mem_size;

	if (gpa > size || len > size - gpa)
		return NULL;
	return d->t->mem + gpa;
}

static uint16_t *avail_idx(struct vio_dev *d, struct vio_queue *q)
{
	return vio_gpa(d, q->avail + 2, 2);
}

/* QueueReady: the three rings inside RAM and aligned (2.7.1). */
bool vio_queue_check(struct vio_dev *d, struct vio_queue *q)
{
	uint64_t n = q->num;

	if (!n || n > VIO_QUEUE_MAX) {
		vio_broken(d, "queue enabled with size %u", q->num);
		return false;
	}
	if ((q->desc & 15) || (q->avail & 1) || (q->used & 3)) {
		vio_broken(d, "queue rings misaligned (desc 0x%llx avail 0x%llx used 0x%llx)",
			   (unsigned long long)q->desc,
			   (unsigned long long)q->avail,
			   (unsigned long long)q->used);
		return false;
	}
	if (!vio_gpa(d, q->desc, 16 * n) || !vio_gpa(d, q->avail, 6 + 2 * n) ||
	    !vio_gpa(d, q->used, 6 + 8 * n)) {
		vio_broken(d, "queue rings outside guest RAM (desc 0x%llx avail 0x%llx used 0x%llx)",
			   (unsigned long long)q->desc,
			   (unsigned long long)q->avail,
			   (unsigned long long)q->used);
		return false;
	}
	return true;
}

static bool usable(struct vio_dev *d, struct vio_queue *q)
{
	return q->ready && (d->status & VIO_S_DRIVER_OK) &&
	       !(d->status & VIO_S_NEEDS_RESET);
}

/* Whether the driver has made a buffer available that is not taken yet. */
bool vio_queue_has_buf(struct vio_dev *d, struct vio_queue *q)
{
	if (!usable(d, q))
		return false;
	return *avail_idx(d, q) != q->last_avail;
}

/*
 * The next available chain into C: 1, or 0 if there is none, -1 if the
 * driver broke the rules (the device is then marked broken).
 */
int vio_queue_pop(struct vio_dev *d, struct vio_queue *q, struct vio_chain *c)
{
	const struct vring_desc *table;
	uint16_t idx, head, i;
	unsigned int count = 0;

	if (!usable(d, q))
		return 0;
	idx = *avail_idx(d, q);
	if (idx == q->last_avail)
		return 0;
	if ((uint16_t)(idx - q->last_avail) > q->num) {
		vio_broken(d, "available index %u runs %u ahead of a %u-entry queue",
			   idx, (uint16_t)(idx - q->last_avail), q->num);
		return -1;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* idx before the ring */
	head = *(uint16_t *)vio_gpa(d, q->avail + 4 + 2 * (q->last_avail % q->num), 2);
	table = vio_gpa(d, q->desc, 16ull * q->num);
	memset(c, 0, offsetof(struct vio_chain, out));
	c->head = head;
	i = head;
	for (;;) {
		struct vring_desc desc;
		void *p;

		if (i >= q->num) {
			vio_broken(d, "descriptor index %u out of a %u-entry table",
				   i, q->num);
			return -1;
		}
		if (++count > q->num) {
			vio_broken(d, "descriptor chain from %u longer than the queue (a loop)",
				   head);
			return -1;
		}
		memcpy(&desc, &table[i], sizeof(desc));
		if (desc.flags & VRING_DESC_F_INDIRECT) {
			vio_broken(d, "indirect descriptor (not negotiated)");
			return -1;
		}
		p = vio_gpa(d, desc.addr, desc.len);
		if (!p) {
			vio_broken(d, "descriptor %u: buffer 0x%llx+0x%x outside guest RAM",
				   i, (unsigned long long)desc.addr, desc.len);
			return -1;
		}
		if (desc.flags & VRING_DESC_F_WRITE) {
			c->in[c->nin].iov_base = p;
			c->in[c->nin++].iov_len = desc.len;
			c->in_len += desc.len;
		} else {
			if (c->nin) {
				vio_broken(d, "descriptor %u: readable buffer after a writable one",
					   i);
				return -1;
			}
			c->out[c->nout].iov_base = p;
			c->out[c->nout++].iov_len = desc.len;
			c->out_len += desc.len;
		}
		if (!(desc.flags & VRING_DESC_F_NEXT))
			break;
		i = desc.next;
	}
	q->last_avail++;
	return 1;
}

/* Chain HEAD is done, LEN bytes written into it; interrupt the driver. */
void vio_queue_push(struct vio_dev *d, struct vio_queue *q, uint16_t head,
		    uint32_t len)
{
	uint16_t *used_idx = vio_gpa(d, q->used + 2, 2);
	uint32_t *elem = vio_gpa(d, q->used + 4 + 8 * (*used_idx % q->num), 8);
	uint16_t flags = *(uint16_t *)vio_gpa(d, q->avail, 2);

	elem[0] = head;
	elem[1] = len;
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* the entry before idx */
	*used_idx = *used_idx + 1;
	if (!(flags & VRING_AVAIL_F_NO_INTERRUPT)) {
		d->isr |= 1;
		vio_irq_update(d);
	}
}

/*
 * Copy LEN bytes between BUF and an iovec list, starting OFF bytes into
 * the list (TO_IOV: into it); the bytes copied.
 */
static size_t iov_copy(const struct iovec *iov, unsigned int n, size_t off,
		       uint8_t *buf, size_t len, bool to_iov)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		uint8_t *p = iov[i].iov_base;
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len - done)
			l = len - done;
		if (to_iov)
			memcpy(p + off, buf + done, l);
		else
			memcpy(buf + done, p + off, l);
		done += l;
		off = 0;
	}
	return done;
}

size_t vio_iov_copy_from(const struct iovec *iov, unsigned int n, size_t off,
			 void *buf, size_t len)
{
	return iov_copy(iov, n, off, buf, len, false);
}

size_t vio_iov_copy_to(const struct iovec *iov, unsigned int n, size_t off,
		       const void *buf, size_t len)
{
	return iov_copy(iov, n, off, (uint8_t *)buf, len, true);
}

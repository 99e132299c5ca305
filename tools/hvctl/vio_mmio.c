// SPDX-License-Identifier: GPL-2.0
/*
 * vio_mmio.c: the virtio-mmio transport (virtio 1.x 4.2, version 2
 * register layout, modern only: VIRTIO_F_VERSION_1 must be taken) for
 * `hvctl run --mode virtio`, and the mode's options.
 *
 * Device N sits at VIO_BASE + N * 4 KiB on legacy PIC IRQ vio_irqs[N].
 * The transport interrupt is a level (InterruptStatus != 0) fed to the
 * edge-triggered 8259 model: each new used buffer or config change after
 * an InterruptACK is a new edge.  Queue notifications are handled at
 * once, in the vCPU thread, on the MMIO exit.
 */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hvctl.h"
#include "t1.h"
#include "vio.h"

#define VIO_MAGIC	0x74726976	/* "virt" */
#define VIO_VENDOR	0x444d5648	/* "HVMD" */

enum {
	R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008,
	R_VENDOR_ID = 0x00c, R_DEV_FEATURES = 0x010, R_DEV_FEATURES_SEL = 0x014,
	R_DRV_FEATURES = 0x020, R_DRV_FEATURES_SEL = 0x024,
	R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038,
	R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
	R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
	R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_AVAIL_LO = 0x090,
	R_AVAIL_HI = 0x094, R_USED_LO = 0x0a0, R_USED_HI = 0x0a4,
	R_SHM_SEL = 0x0ac, R_SHM_LEN_LO = 0x0b0, R_SHM_LEN_HI = 0x0b4,
	R_SHM_BASE_LO = 0x0b8, R_SHM_BASE_HI = 0x0bc,
	R_CONFIG_GEN = 0x0fc, R_CONFIG = 0x100,
};

/* Free ISA lines on a PC without ACPI: no LPT, no sound, no PS/2 mouse. */
static const unsigned int vio_irqs[VIO_MAX_DEVS] = { 5, 9, 10, 11 };

static bool no_console;

const char *vio_usage(void)
{
	return "  --disk PATH[,ro]  a virtio block device on the image PATH (raw; ro:\n"
	       "               read-only, writes fail); devices: 4 in all\n"
	       "  --net IFACE  a virtio network device on the tap interface IFACE\n"
	       "  --no-console no virtio console (default: one, hvc0 in the guest, on\n"
	       "               hvctl's stdin/stdout; the UART then gets no input)\n";
}

/* A virtio-mode option at ARGV[*I]: 1 if taken. */
int vio_option(struct t1 *t, int argc, char **argv, int *i)
{
	const char *v;

	if ((v = hvctl_opt_value(argc, argv, i, "--disk", "virtio"))) {
		vio_blk_add(t, v);
		return 1;
	}
	if ((v = hvctl_opt_value(argc, argv, i, "--net", "virtio"))) {
		vio_net_add(t, v);
		return 1;
	}
	if (!strcmp(argv[*i], "--no-console")) {
		no_console = true;
		return 1;
	}
	return 0;
}

struct vio_dev *vio_add(struct t1 *t, const struct vio_ops *ops,
			uint64_t features, void *priv)
{
	struct vio_dev *d;

	if (t->nvio >= VIO_MAX_DEVS)
		errx(1, "virtio: at most %d devices (%s)", VIO_MAX_DEVS,
		     ops->name);
	d = calloc(1, sizeof(*d));
	if (!d)
		err(1, "out of memory");
	d->ops = ops;
	d->t = t;
	d->base = VIO_BASE + t->nvio * VIO_SLOT;
	d->irq = vio_irqs[t->nvio];
	d->features = features | VIO_F_VERSION_1;
	d->priv = priv;
	t->vio[t->nvio++] = d;
	return d;
}

/*
 * The console goes last so that it is only added when asked for, after
 * the options; then the devices' part of the kernel command line.
 */
int vio_cmdline(struct t1 *t, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;
	int n;

	if (!no_console && t->virtio)
		vio_con_add(t);
	for (i = 0; i < t->nvio; i++) {
		n = snprintf(buf + len, size - len,
			     " virtio_mmio.device=0x%x@0x%llx:%u",
			     VIO_REGS_SIZE, (unsigned long long)t->vio[i]->base,
			     t->vio[i]->irq);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += n;
	}
	return 0;
}

void vio_irq_update(struct vio_dev *d)
{
	t1_pic_set_irq(d->t, d->irq, d->isr != 0);
}

void vio_broken(struct vio_dev *d, const char *fmt, ...)
{
	va_list ap;

	if (d->status & VIO_S_NEEDS_RESET)
		return;		/* one line per breakage */
	fprintf(stderr, "hvctl: virtio %s at 0x%llx: ", d->ops->name,
		(unsigned long long)d->base);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; device needs reset\n", stderr);
	d->status |= VIO_S_NEEDS_RESET;
	if (d->status & VIO_S_DRIVER_OK) {
		d->isr |= 2;	/* configuration change */
		vio_irq_update(d);
	}
}

static void dev_reset(struct vio_dev *d)
{
	memset(d->q, 0, sizeof(d->q));
	d->drv_features = 0;
	d->dev_feat_sel = d->drv_feat_sel = d->queue_sel = 0;
	d->status = 0;
	d->isr = 0;
	vio_irq_update(d);
	if (d->ops->reset)
		d->ops->reset(d);
}

static void set_status(struct vio_dev *d, uint32_t v)
{
	if (!v) {
		dev_reset(d);
		return;
	}
	/* FEATURES_OK only sticks for a subset of ours with VERSION_1 */
	if ((v & VIO_S_FEATURES_OK) && !(d->status & VIO_S_FEATURES_OK) &&
	    ((d->drv_features & ~d->features) ||
	     !(d->drv_features & VIO_F_VERSION_1)))
		v &= ~VIO_S_FEATURES_OK;
	if ((v & VIO_S_DRIVER_OK) && !(v & VIO_S_FEATURES_OK)) {
		vio_broken(d, "DRIVER_OK without FEATURES_OK");
		return;
	}
	d->status = (v & 0xff & ~VIO_S_NEEDS_RESET) |
		    (d->status & VIO_S_NEEDS_RESET);
}

static struct vio_queue *cur_queue(struct vio_dev *d)
{
	return d->queue_sel < d->ops->nqueues ? &d->q[d->queue_sel] : NULL;
}

static uint32_t reg_read(struct vio_dev *d, uint64_t off)
{
	struct vio_queue *q = cur_queue(d);

	switch (off) {
	case R_MAGIC:
		return VIO_MAGIC;
	case R_VERSION:
		return 2;
	case R_DEVICE_ID:
		return d->ops->device_id;
	case R_VENDOR_ID:
		return VIO_VENDOR;
	case R_DEV_FEATURES:
		return d->dev_feat_sel > 1 ? 0 :
		       (uint32_t)(d->features >> (32 * d->dev_feat_sel));
	case R_QUEUE_NUM_MAX:
		return q ? VIO_QUEUE_MAX : 0;
	case R_QUEUE_READY:
		return q ? q->ready : 0;
	case R_INT_STATUS:
		return d->isr;
	case R_STATUS:
		return d->status;
	case R_SHM_LEN_LO:
	case R_SHM_LEN_HI:
	case R_SHM_BASE_LO:
	case R_SHM_BASE_HI:
		return ~0u;	/* no shared memory regions */
	case R_CONFIG_GEN:
		return 0;	/* the config space never changes */
	default:
		return 0;
	}
}

/* A 32-bit half of a queue address, only while the queue is off. */
static void set_addr(struct vio_dev *d, uint64_t *a, bool hi, uint32_t v)
{
	struct vio_queue *q = cur_queue(d);

	if (!q || q->ready) {
		vio_broken(d, "queue address written while the queue is %s",
			   q ? "enabled" : "absent");
		return;
	}
	if (hi)
		*a = (*a & 0xffffffffull) | ((uint64_t)v << 32);
	else
		*a = (*a & ~0xffffffffull) | v;
}

static void reg_write(struct vio_dev *d, uint64_t off, uint32_t v)
{
	struct vio_queue *q = cur_queue(d);

	switch (off) {
	case R_DEV_FEATURES_SEL:
		d->dev_feat_sel = v;
		break;
	case R_DRV_FEATURES:
		if (d->status & VIO_S_FEATURES_OK) {
			vio_broken(d, "features written after FEATURES_OK");
		} else if (d->drv_feat_sel <= 1) {
			int s = 32 * d->drv_feat_sel;

			d->drv_features = (d->drv_features & ~(0xffffffffull << s)) |
					  ((uint64_t)v << s);
		}
		break;
	case R_DRV_FEATURES_SEL:
		d->drv_feat_sel = v;
		break;
	case R_QUEUE_SEL:
		d->queue_sel = v;
		break;
	case R_QUEUE_NUM:
		if (!q || q->ready || v > VIO_QUEUE_MAX)
			vio_broken(d, "queue size %u refused (queue %u%s)", v,
				   d->queue_sel, q && q->ready ? " enabled" : "");
		else
			q->num = v;
		break;
	case R_QUEUE_READY:
		if (!q) {
			vio_broken(d, "enabling absent queue %u", d->queue_sel);
		} else if (v & 1) {
			if (!q->ready && vio_queue_check(d, q)) {
				q->ready = true;
				q->last_avail = 0;
			}
		} else {
			q->ready = false;
		}
		break;
	case R_QUEUE_NOTIFY:
		if (v >= d->ops->nqueues)
			vio_broken(d, "notify for absent queue %u", v);
		else if (d->q[v].ready && !(d->status & VIO_S_NEEDS_RESET))
			d->ops->notify(d, v);
		break;
	case R_INT_ACK:
		d->isr &= ~v;
		vio_irq_update(d);
		break;
	case R_STATUS:
		set_status(d, v);
		break;
	case R_DESC_LO:
	case R_DESC_HI:
		set_addr(d, q ? &q->desc : NULL, off == R_DESC_HI, v);
		break;
	case R_AVAIL_LO:
	case R_AVAIL_HI:
		set_addr(d, q ? &q->avail : NULL, off == R_AVAIL_HI, v);
		break;
	case R_USED_LO:
	case R_USED_HI:
		set_addr(d, q ? &q->used : NULL, off == R_USED_HI, v);
		break;
	case R_SHM_SEL:
		break;
	default:
		vio_broken(d, "write 0x%x to read-only or unknown register 0x%llx",
			   v, (unsigned long long)off);
	}
}

/* A guest access to the MMIO window: true if a device took it. */
bool vio_mmio(struct t1 *t, uint64_t addr, uint8_t *data, unsigned int len,
	      bool write)
{
	struct vio_dev *d;
	uint64_t off;
	uint32_t v = 0;

	if (addr < VIO_BASE || (addr - VIO_BASE) / VIO_SLOT >= t->nvio)
		return false;
	d = t->vio[(addr - VIO_BASE) / VIO_SLOT];
	off = (addr - VIO_BASE) % VIO_SLOT;
	if (off >= R_CONFIG) {
		/* device config space, any width; writes are ignored */
		off -= R_CONFIG;
		if (!write) {
			memset(data, 0, len);
			if (off < d->config_len)
				memcpy(data, d->config + off,
				       len < d->config_len - off ?
				       len : d->config_len - off);
		}
		return true;
	}
	if (len != 4 || (off & 3)) {
		if (!write)
			memset(data, 0xff, len);
		vio_broken(d, "%u-byte %s at register 0x%llx (32-bit only)",
			   len, write ? "write" : "read",
			   (unsigned long long)off);
		return true;
	}
	if (write) {
		memcpy(&v, data, 4);
		reg_write(d, off, v);
	} else {
		v = reg_read(d, off);
		memcpy(data, &v, 4);
	}
	return true;
}

/* Host input for every device (console stdin, tap). */
void vio_poll(struct t1 *t)
{
	unsigned int i;

	for (i = 0; i < t->nvio; i++)
		if (t->vio[i]->ops->poll)
			t->vio[i]->ops->poll(t->vio[i]);
}

/* File descriptors to wait on, at most MAX, into P: how many. */
int vio_pollfds(struct t1 *t, struct pollfd *p, int max)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < t->nvio && n < max; i++) {
		struct vio_dev *d = t->vio[i];

		if (d->ops->pollfd && d->ops->pollfd(d, &p[n]))
			n++;
	}
	return n;
}

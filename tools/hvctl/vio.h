/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vio.h: `hvctl run --mode virtio`: type1 (t1.h) plus virtio-mmio
 * devices (virtio 1.x, transport version 2, split virtqueues) in an MMIO
 * window above guest RAM, one 4 KiB slot and one legacy PIC IRQ each.
 * hvctl declares them on the guest command line as
 * virtio_mmio.device=<size>@<addr>:<irq>.
 *
 * Files: vio_mmio.c (options, the register file, interrupts),
 * vio_queue.c (split virtqueues, guest-address checks), vio_blk.c,
 * vio_con.c, vio_net.c (the devices).
 *
 * Everything the driver hands over (ring addresses, descriptors) is
 * checked against guest RAM; a driver that breaks the rules gets
 * DEVICE_NEEDS_RESET and one line on stderr, hvctl goes on.
 */
#ifndef HVCTL_VIO_H
#define HVCTL_VIO_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct t1;

#define VIO_BASE	0xd0000000ull	/* above T1_MEM_MAX_MB */
#define VIO_SLOT	0x1000ull
#define VIO_REGS_SIZE	0x200		/* what the command line declares */
#define VIO_MAX_DEVS	4
#define VIO_MAX_QUEUES	4
#define VIO_QUEUE_MAX	256		/* QueueNumMax */
#define VIO_CONFIG_MAX	64

/* device status bits */
#define VIO_S_ACKNOWLEDGE	0x01
#define VIO_S_DRIVER		0x02
#define VIO_S_DRIVER_OK		0x04
#define VIO_S_FEATURES_OK	0x08
#define VIO_S_NEEDS_RESET	0x40
#define VIO_S_FAILED		0x80

#define VIO_F_VERSION_1		(1ull << 32)

/* device IDs */
#define VIO_ID_NET	1
#define VIO_ID_BLK	2
#define VIO_ID_CONSOLE	3

struct vio_queue {
	uint16_t num;		/* 0: not set up */
	bool ready;
	uint64_t desc, avail, used;	/* guest physical */
	uint16_t last_avail;
};

/*
 * One descriptor chain, split into what the device may read (out) and
 * what it may write (in), as host pointers into guest RAM.
 */
struct vio_chain {
	uint16_t head;
	unsigned int nout, nin;
	size_t out_len, in_len;
	struct iovec out[VIO_QUEUE_MAX], in[VIO_QUEUE_MAX];
};

struct vio_dev;

struct vio_ops {
	const char *name;
	uint32_t device_id;
	unsigned int nqueues;
	void (*notify)(struct vio_dev *d, unsigned int q);
	void (*reset)(struct vio_dev *d);	/* may be NULL */
	/* host input to wait for: fill *P, return whether it is wanted */
	bool (*pollfd)(struct vio_dev *d, struct pollfd *p);
	void (*poll)(struct vio_dev *d);	/* non-blocking input */
};

struct vio_dev {
	const struct vio_ops *ops;
	struct t1 *t;
	uint64_t base;
	unsigned int irq;
	uint64_t features, drv_features;
	uint32_t dev_feat_sel, drv_feat_sel, queue_sel;
	uint32_t status, isr;
	struct vio_queue q[VIO_MAX_QUEUES];
	uint8_t config[VIO_CONFIG_MAX];
	unsigned int config_len;
	void *priv;
};

/* vio_mmio.c */
int vio_option(struct t1 *t, int argc, char **argv, int *i);
const char *vio_usage(void);
int vio_cmdline(struct t1 *t, char *buf, size_t size);
bool vio_mmio(struct t1 *t, uint64_t addr, uint8_t *data, unsigned int len,
	      bool write);
void vio_poll(struct t1 *t);
int vio_pollfds(struct t1 *t, struct pollfd *p, int max);
void vio_irq_update(struct vio_dev *d);
void vio_broken(struct vio_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct vio_dev *vio_add(struct t1 *t, const struct vio_ops *ops,
			uint64_t features, void *priv);

/* vio_queue.c */
void *vio_gpa(struct vio_dev *d, uint64_t gpa, uint64_t len);
bool vio_queue_check(struct vio_dev *d, struct vio_queue *q);
int vio_queue_pop(struct vio_dev *d, struct vio_queue *q,
		  struct vio_chain *c);
bool vio_queue_has_buf(struct vio_dev *d, struct vio_queue *q);
void vio_queue_push(struct vio_dev *d, struct vio_queue *q, uint16_t head,
		    uint32_t len);
size_t vio_iov_copy_from(const struct iovec *iov, unsigned int n, size_t off,
			 void *buf, size_t len);
size_t vio_iov_copy_to(const struct iovec *iov, unsigned int n, size_t off,
		       const void *buf, size_t len);

/* the devices: parse an option value, add the device (exit 1 on errors) */
void vio_blk_add(struct t1 *t, const char *arg);
void vio_con_add(struct t1 *t);
void vio_net_add(struct t1 *t, const char *iface);

#endif /* HVCTL_VIO_H */

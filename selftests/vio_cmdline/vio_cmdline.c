// SPDX-License-Identifier: GPL-2.0
/*
 * vio_cmdline.ko: for the guest of selftests/hvmod_virtio.sh.  The
 * Debian 6.1 kernel the test boots has virtio_mmio as a module but
 * without CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES, so the
 * virtio_mmio.device=<size>@<addr>:<irq> declarations hvctl puts on the
 * command line have no reader, and an x86 PC without ACPI or a device
 * tree has no other way to describe the devices.  This module takes the
 * same declarations (device=D1,D2,...: the guest's init passes what it
 * finds in /proc/cmdline) and registers a "virtio-mmio" platform device
 * for each, which virtio_mmio.ko then drives.
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#define VIO_MAX	8

static char *device[VIO_MAX];
static int ndevice;
module_param_array(device, charp, &ndevice, 0444);
MODULE_PARM_DESC(device, "virtio-mmio devices: <size>@<addr>:<irq>,...");

static struct platform_device *pdev[VIO_MAX];

/* "<size>@<addr>:<irq>", size and addr with memparse's K/M/G suffixes */
static int parse(const char *s, struct resource res[2])
{
	unsigned long long size, addr;
	unsigned int irq;
	char *p;

	size = memparse(s, &p);
	if (!size || *p != '@')
		return -EINVAL;
	addr = memparse(p + 1, &p);
	if (*p != ':' || kstrtouint(p + 1, 0, &irq) || !irq)
		return -EINVAL;
	if (addr + size - 1 < addr)
		return -EINVAL;
	res[0] = (struct resource)DEFINE_RES_MEM(addr, size);
	res[1] = (struct resource)DEFINE_RES_IRQ(irq);
	return 0;
}

static void vio_cmdline_remove(void)
{
	int i;

	for (i = 0; i < ndevice; i++)
		if (!IS_ERR_OR_NULL(pdev[i]))
			platform_device_unregister(pdev[i]);
}

static int __init vio_cmdline_init(void)
{
	struct resource res[2];
	int i, ret;

	for (i = 0; i < ndevice; i++) {
		ret = parse(device[i], res);
		if (ret) {
			pr_err("vio_cmdline: bad device '%s' (<size>@<addr>:<irq>)\n",
			       device[i]);
			goto fail;
		}
		pdev[i] = platform_device_register_resndata(NULL, "virtio-mmio",
							    i, res, 2, NULL, 0);
		if (IS_ERR(pdev[i])) {
			ret = PTR_ERR(pdev[i]);
			pr_err("vio_cmdline: device '%s': error %d\n", device[i],
			       ret);
			goto fail;
		}
		pr_info("vio_cmdline: virtio-mmio.%d at %pR, %pR\n", i, &res[0],
			&res[1]);
	}
	return 0;
fail:
	vio_cmdline_remove();
	return ret;
}

static void __exit vio_cmdline_exit(void)
{
	vio_cmdline_remove();
}

module_init(vio_cmdline_init);
module_exit(vio_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("virtio-mmio devices from virtio_mmio.device= declarations");

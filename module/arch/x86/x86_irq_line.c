// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts userspace raises on an in-kernel irqchip, as KVM: KVM_IRQ_LINE
 * and KVM_IRQ_LINE_STATUS set a GSI's level through the VM's routing
 * (KVM_SET_GSI_ROUTING's table, else KVM's default: GSIs 0-15 to the PIC
 * and IOAPIC pin of the same number, 16-23 to the IOAPIC), KVM_SIGNAL_MSI
 * and MSI routes are decoded into an APIC message, KVM_GET/SET_IRQCHIP
 * save and restore the IOAPIC and the two 8259s.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/uaccess.h>
#include "x86_lapic.h"

#define X86_MSI_DEST_LOGICAL	BIT(2)
#define X86_MSI_LEVEL		BIT(15)

/* An MSI (address, data) as an APIC message: the number of targets. */
static int x86_msi_deliver(struct hvmod_vm *vm, u32 addr_lo, u32 data)
{
	u32 icr = (data & (APIC_VECTOR_MASK | APIC_DM_FIXED_MASK)) |
		  APIC_INT_ASSERT |
		  ((addr_lo & X86_MSI_DEST_LOGICAL) ? APIC_DEST_LOGICAL : 0) |
		  ((data & X86_MSI_LEVEL) ? APIC_INT_LEVELTRIG : 0);

	return x86_lapic_deliver_irq(vm, NULL, icr, (addr_lo >> 12) & 0xff);
}

/* KVM's sum of statuses: a route's failure counts only if all fail. */
static int x86_status_add(int ret, int r)
{
	return r < 0 ? ret : r + (ret < 0 ? 0 : ret);
}

/*
 * A GSI's level through the routing, vm->lock held (KVM_IRQ_LINE, the
 * PIT).  KVM's status: > 0 delivered, 0 coalesced, -1 masked or no route.
 */
int x86_set_gsi(struct hvmod_vm *vm, u32 gsi, bool level)
{
	struct x86_vm *xvm = vm->arch;
	int ret = -1, r;
	u32 i;

	if (!xvm->routes_set) {
		if (gsi < 16)
			ret = x86_pic_set_irq(vm, gsi, level);
		if (gsi < X86_IOAPIC_PINS)
			ret = x86_status_add(ret, x86_ioapic_set_pin(vm, gsi,
								     level));
		return ret;
	}
	for (i = 0; i < xvm->nr_routes; i++) {
		const struct kvm_irq_routing_entry *e = &xvm->routes[i];

		if (e->gsi != gsi)
			continue;
		if (e->type == KVM_IRQ_ROUTING_MSI) {
			/* an MSI route fires on the rising edge only */
			if (!level)
				continue;
			r = x86_msi_deliver(vm, e->u.msi.address_lo,
					    e->u.msi.data) ? 1 : -1;
		} else if (e->u.irqchip.irqchip == KVM_IRQCHIP_IOAPIC) {
			r = x86_ioapic_set_pin(vm, e->u.irqchip.pin, level);
		} else {
			/* PIC master pins 0-7, slave pins 8-15 */
			r = x86_pic_set_irq(vm, e->u.irqchip.pin +
					    8 * e->u.irqchip.irqchip, level);
		}
		ret = x86_status_add(ret, r);
	}
	return ret;
}

static long x86_irq_line(struct hvmod_vm *vm, unsigned int ioctl,
			 struct kvm_irq_level __user *argp)
{
	struct kvm_irq_level l;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	l.status = x86_set_gsi(vm, l.irq, l.level);
	mutex_unlock(&vm->lock);
	if (ioctl == KVM_IRQ_LINE_STATUS &&
	    copy_to_user(argp, &l, sizeof(l)))
		return -EFAULT;
	return 0;
}

static long x86_signal_msi(struct hvmod_vm *vm, struct kvm_msi __user *argp)
{
	struct kvm_msi m;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (m.flags || memchr_inv(m.pad, 0, sizeof(m.pad))) {
		hvmod_reject("KVM_SIGNAL_MSI: flags 0x%x (no device ids) or padding set",
			     m.flags);
		return -EINVAL;
	}
	return x86_msi_deliver(vm, m.address_lo, m.data) ? 1 : 0;
}

static long x86_irqchip_state(struct hvmod_vm *vm, bool set,
			      struct kvm_irqchip __user *argp)
{
	struct kvm_irqchip c;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	switch (c.chip_id) {
	case KVM_IRQCHIP_IOAPIC:
		if (set)
			x86_ioapic_set(vm, &c.chip.ioapic);
		else
			x86_ioapic_get(vm, &c.chip.ioapic);
		break;
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		if (set)
			x86_pic_set(vm, c.chip_id, &c.chip.pic);
		else
			x86_pic_get(vm, c.chip_id, &c.chip.pic);
		break;
	default:
		hvmod_reject("KVM_GET/SET_IRQCHIP: chip %u unknown", c.chip_id);
		return -EINVAL;
	}
	if (set)
		return 0;
	return copy_to_user(argp, &c, sizeof(c)) ? -EFAULT : 0;
}

/* -ENOTTY: not one of these ioctls */
long x86_irq_line_ioctl(struct hvmod_vm *vm, unsigned int ioctl,
			void __user *argp)
{
	struct x86_vm *xvm = vm->arch;

	switch (ioctl) {
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS:
	case KVM_GET_IRQCHIP:
	case KVM_SET_IRQCHIP:
		if (!READ_ONCE(xvm->irqchip)) {
			hvmod_reject("irqchip ioctl 0x%x: no KVM_CREATE_IRQCHIP",
				     ioctl);
			return -ENXIO;
		}
		break;
	case KVM_SIGNAL_MSI:
		if (!READ_ONCE(xvm->irqchip)) {
			hvmod_reject("KVM_SIGNAL_MSI: no KVM_CREATE_IRQCHIP");
			return -EINVAL;
		}
		return x86_signal_msi(vm, argp);
	default:
		return -ENOTTY;
	}
	if (ioctl == KVM_IRQ_LINE || ioctl == KVM_IRQ_LINE_STATUS)
		return x86_irq_line(vm, ioctl, argp);
	return x86_irqchip_state(vm, ioctl == KVM_SET_IRQCHIP, argp);
}

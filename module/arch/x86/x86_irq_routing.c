// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_GSI_ROUTING: the VM's GSI routing table, checked entry by entry
 * as KVM checks it (PIC pins 0-7 per chip, IOAPIC pins 0-23, MSI, one
 * non-irqchip route per GSI) and kept for KVM_IRQ_LINE (x86_irq_line.c:
 * PIC, IOAPIC and MSI routes); QEMU requires KVM_CAP_IRQ_ROUTING even
 * with kernel-irqchip=off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include "x86.h"

#define X86_PIC_PINS		8	/* per 8259 */

static int x86_route_check(const struct kvm_irq_routing_entry *e)
{
	if (e->gsi >= X86_MAX_IRQ_ROUTES || e->flags)
		return -EINVAL;
	switch (e->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		switch (e->u.irqchip.irqchip) {
		case KVM_IRQCHIP_PIC_MASTER:
		case KVM_IRQCHIP_PIC_SLAVE:
			return e->u.irqchip.pin < X86_PIC_PINS ? 0 : -EINVAL;
		case KVM_IRQCHIP_IOAPIC:
			return e->u.irqchip.pin < X86_IOAPIC_PINS ? 0 : -EINVAL;
		default:
			return -EINVAL;
		}
	case KVM_IRQ_ROUTING_MSI:
		return 0;
	default:
		return -EINVAL;
	}
}

/* as KVM: a GSI maps to several irqchips, or to exactly one other route */
static bool x86_route_clash(const struct kvm_irq_routing_entry *a,
			    const struct kvm_irq_routing_entry *b)
{
	return a->gsi == b->gsi &&
	       (a->type != KVM_IRQ_ROUTING_IRQCHIP ||
		b->type != KVM_IRQ_ROUTING_IRQCHIP ||
		a->u.irqchip.irqchip == b->u.irqchip.irqchip);
}

long x86_set_gsi_routing(struct hvmod_vm *vm, struct kvm_irq_routing __user *argp)
{
	struct kvm_irq_routing_entry *ent = NULL;
	struct x86_vm *xvm = vm->arch;
	struct kvm_irq_routing r;
	u32 i, j;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.nr > X86_MAX_IRQ_ROUTES || r.flags) {
		hvmod_reject("KVM_SET_GSI_ROUTING: %u entries (at most %d), flags 0x%x",
			     r.nr, X86_MAX_IRQ_ROUTES, r.flags);
		return -EINVAL;
	}
	if (r.nr) {
		ent = vmemdup_user(argp->entries, array_size(r.nr, sizeof(*ent)));
		if (IS_ERR(ent))
			return PTR_ERR(ent);
	}
	for (i = 0; i < r.nr; i++) {
		for (j = 0; j < i && !x86_route_clash(&ent[i], &ent[j]); j++)
			;
		if (x86_route_check(&ent[i]) || j < i) {
			hvmod_reject("KVM_SET_GSI_ROUTING: entry %u (GSI %u, type %u, flags 0x%x) invalid or a second route for its GSI",
				     i, ent[i].gsi, ent[i].type, ent[i].flags);
			kvfree(ent);
			return -EINVAL;
		}
	}
	mutex_lock(&vm->lock);
	swap(xvm->routes, ent);
	xvm->nr_routes = r.nr;
	xvm->routes_set = true;
	mutex_unlock(&vm->lock);
	kvfree(ent);
	return 0;
}

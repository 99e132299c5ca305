// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VM x86 state: the guest-physical addresses userspace gives for the
 * pages KVM's VMX needs without unrestricted guest (KVM_SET_TSS_ADDR: a
 * real-mode TSS; KVM_SET_IDENTITY_MAP_ADDR: an identity page table for
 * paging-off guests under EPT).  hvmod needs neither: SVM runs real mode
 * natively and hvmod's VMX requires unrestricted guest.  They are checked
 * as KVM checks them and recorded, because QEMU requires
 * KVM_CAP_SET_TSS_ADDR and calls both before it creates any vCPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include "x86.h"

int x86_vm_init(struct hvmod_vm *vm)
{
	struct x86_vm *xvm = kzalloc(sizeof(*xvm), GFP_KERNEL_ACCOUNT);

	if (!xvm)
		return -ENOMEM;
	/*
	 * As KVM (kvm_synchronize_tsc() for each new vCPU): the guest TSC
	 * starts at 0 and all vCPUs of the VM share one offset.
	 */
	xvm->tsc_offset = -rdtsc();
	vm->arch = xvm;
	return 0;
}

/* Before the vCPUs are freed: the PIT's ticks go to their LAPICs. */
void x86_vm_stop(struct hvmod_vm *vm)
{
	if (vm->arch)
		x86_pit_stop(vm);
}

void x86_vm_destroy(struct hvmod_vm *vm)
{
	struct x86_vm *xvm = vm->arch;

	if (xvm) {
		x86_pit_destroy(vm);
		kvfree(xvm->routes);
		x86_ioapic_destroy(vm);
		x86_pic_destroy(vm);
	}
	kfree(vm->arch);
	vm->arch = NULL;
}

static long x86_set_tss_addr(struct hvmod_vm *vm, unsigned long addr)
{
	struct x86_vm *xvm = vm->arch;

	/* as KVM: the three TSS pages must lie below 4 GiB */
	if (addr > (unsigned int)(-3 * PAGE_SIZE)) {
		hvmod_reject("KVM_SET_TSS_ADDR: 0x%lx leaves no 3 pages below 4 GiB",
			     addr);
		return -EINVAL;
	}
	mutex_lock(&vm->lock);
	xvm->tss_addr = addr;
	mutex_unlock(&vm->lock);
	return 0;
}

static long x86_set_identity_map_addr(struct hvmod_vm *vm, u64 __user *argp)
{
	struct x86_vm *xvm = vm->arch;
	long r = 0;
	u64 addr;

	if (copy_from_user(&addr, argp, sizeof(addr)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	/* as KVM: only before the first vCPU */
	if (vm->nr_vcpus)
		r = -EINVAL;
	else
		xvm->identity_map_addr = addr;
	mutex_unlock(&vm->lock);
	if (r)
		hvmod_reject("KVM_SET_IDENTITY_MAP_ADDR: vCPUs exist already");
	return r;
}

/*
 * KVM_SET/GET_NR_MMU_PAGES: the cap on KVM's shadow-MMU pages.  hvmod has
 * only stage-2 tables, which (like KVM's TDP MMU) do not count against
 * it; the value is checked and kept as KVM does, and GET reports it, or
 * KVM's default of 2% of the slots' pages (at least 64).
 */
#define X86_MIN_MMU_PAGES	64	/* KVM_MIN_ALLOC_MMU_PAGES */

static long x86_set_nr_mmu_pages(struct hvmod_vm *vm, unsigned long n)
{
	struct x86_vm *xvm = vm->arch;

	if (n < X86_MIN_MMU_PAGES) {
		hvmod_reject("KVM_SET_NR_MMU_PAGES: %lu below %d", n,
			     X86_MIN_MMU_PAGES);
		return -EINVAL;
	}
	mutex_lock(&vm->lock);
	xvm->nr_mmu_pages = n;
	mutex_unlock(&vm->lock);
	return 0;
}

static long x86_get_nr_mmu_pages(struct hvmod_vm *vm)
{
	struct x86_vm *xvm = vm->arch;
	unsigned long n = 0;
	int i;

	mutex_lock(&vm->lock);
	n = xvm->nr_mmu_pages;
	mutex_unlock(&vm->lock);
	if (n)
		return n;
	/* slots change with s2_sem held for writing */
	down_read(&vm->s2_sem);
	for (i = 0; i < HVMOD_MAX_SLOTS; i++)
		n += vm->slots[i].size >> PAGE_SHIFT;
	up_read(&vm->s2_sem);
	return max_t(unsigned long, n * 20 / 1000, X86_MIN_MMU_PAGES);
}

/* -ENOTTY: not one of these ioctls (VM ioctls of x86_vm.c, x86_irq_routing.c) */
long x86_vm_addr_ioctl(struct hvmod_vm *vm, unsigned int ioctl,
		       unsigned long arg)
{
	long r;

	switch (ioctl) {
	case KVM_SET_TSS_ADDR:
		return x86_set_tss_addr(vm, arg);
	case KVM_SET_IDENTITY_MAP_ADDR:
		return x86_set_identity_map_addr(vm, (u64 __user *)arg);
	case KVM_SET_NR_MMU_PAGES:
		return x86_set_nr_mmu_pages(vm, arg);
	case KVM_GET_NR_MMU_PAGES:
		return x86_get_nr_mmu_pages(vm);
	case KVM_CREATE_IRQCHIP:
		return x86_create_irqchip(vm);
	case KVM_SET_GSI_ROUTING:
		return x86_set_gsi_routing(vm, (struct kvm_irq_routing __user *)arg);
	default:
		r = x86_pit_ioctl(vm, ioctl, (void __user *)arg);
		if (r != -ENOTTY)
			return r;
		return x86_irq_line_ioctl(vm, ioctl, (void __user *)arg);
	}
}

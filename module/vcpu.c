// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: one anon-inode fd each, with struct kvm_run (page 0) and the PIO
 * data page (page KVM_PIO_PAGE_OFFSET) mapped by userspace.  A vCPU fd
 * holds a VM reference; the vCPU itself is freed with its VM, as in KVM
 * (its id stays taken until then).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "hvmod.h"

static vm_fault_t hvmod_vcpu_fault(struct vm_fault *vmf)
{
	struct hvmod_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = vcpu->run_page;
	else if (vmf->pgoff == KVM_PIO_PAGE_OFFSET)
		page = vcpu->pio_page;
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hvmod_vcpu_vm_ops = {
	.fault = hvmod_vcpu_fault,
};

/* The mapping holds a file reference, so the vCPU outlives it. */
static int hvmod_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long pages = vma_pages(vma);

	if (vma->vm_pgoff >= HVMOD_VCPU_MMAP_PAGES ||
	    pages > HVMOD_VCPU_MMAP_PAGES - vma->vm_pgoff) {
		hvmod_reject("vCPU mmap: pages %lu+%lu beyond the %d-page area",
			     vma->vm_pgoff, pages, HVMOD_VCPU_MMAP_PAGES);
		return -EINVAL;
	}
	vma->vm_ops = &hvmod_vcpu_vm_ops;
	return 0;
}

static int hvmod_vcpu_release(struct inode *inode, struct file *filp)
{
	struct hvmod_vcpu *vcpu = filp->private_data;

	hvmod_vm_put(vcpu->vm);
	return 0;
}

static long hvmod_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			     unsigned long arg)
{
	struct hvmod_vcpu *vcpu = filp->private_data;
	long r;

	if (hvmod_vm_foreign(vcpu->vm))
		return -EIO;
	if (mutex_lock_killable(&vcpu->lock))
		return -EINTR;
	if (ioctl == KVM_RUN)
		r = arg ? -EINVAL : hvmod_vcpu_run(vcpu);
	else if (ioctl == KVM_SET_SIGNAL_MASK)
		r = hvmod_set_signal_mask(vcpu, (void __user *)arg);
	else if (hvmod_be->vcpu_ioctl)
		r = hvmod_be->vcpu_ioctl(vcpu, ioctl, arg);
	else
		r = -ENOTTY;
	mutex_unlock(&vcpu->lock);
	return r;
}

static const struct file_operations hvmod_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = hvmod_vcpu_release,
	.unlocked_ioctl = hvmod_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = hvmod_vcpu_mmap,
	.llseek = noop_llseek,
};

void hvmod_vcpu_free(struct hvmod_vcpu *vcpu)
{
	if (hvmod_be->vcpu_destroy)
		hvmod_be->vcpu_destroy(vcpu);
	hvmod_ctl_page_free(vcpu->run_page);
	hvmod_ctl_page_free(vcpu->pio_page);
	kfree(vcpu);
	hvmod_count_add(HVMOD_CNT_VCPUS, -1);
}

int hvmod_create_vcpu(struct hvmod_vm *vm, unsigned long id)
{
	struct hvmod_vcpu *vcpu;
	int r;

	if (id >= HVMOD_MAX_VCPUS) {
		hvmod_reject("KVM_CREATE_VCPU: id %lu above limit (%d vCPUs)",
			     id, HVMOD_MAX_VCPUS);
		return -EINVAL;
	}

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	/* from here on, VM-wide setup that must precede vCPUs is refused */
	mutex_lock(&vm->lock);
	vm->created_vcpus++;
	mutex_unlock(&vm->lock);
	hvmod_count_add(HVMOD_CNT_VCPUS, 1);
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->lock);
	vcpu->run_page = hvmod_ctl_page_alloc(NUMA_NO_NODE);
	vcpu->pio_page = hvmod_ctl_page_alloc(NUMA_NO_NODE);
	if (!vcpu->run_page || !vcpu->pio_page) {
		r = -ENOMEM;
		goto out_free;
	}
	vcpu->run = page_address(vcpu->run_page);
	if (hvmod_be->vcpu_init) {
		r = hvmod_be->vcpu_init(vcpu);
		if (r)
			goto out_free;
	}

	mutex_lock(&vm->lock);
	/* as KVM: the first vCPU fixes the limit (KVM_CAP_MAX_VCPU_ID) */
	if (!vm->max_vcpu_ids)
		vm->max_vcpu_ids = HVMOD_MAX_VCPUS;
	if (id >= vm->max_vcpu_ids) {
		mutex_unlock(&vm->lock);
		hvmod_reject("KVM_CREATE_VCPU: id %lu not below KVM_CAP_MAX_VCPU_ID %u",
			     id, vm->max_vcpu_ids);
		r = -EINVAL;
		goto out_free;
	}
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->lock);
		hvmod_reject("KVM_CREATE_VCPU: id %lu already exists", id);
		r = -EEXIST;
		goto out_free;
	}
	kref_get(&vm->ref);
	r = anon_inode_getfd("hvmod-vcpu", &hvmod_vcpu_fops, vcpu,
			     O_RDWR | O_CLOEXEC);
	if (r < 0) {
		/* never the last reference: this ioctl holds the VM fd */
		refcount_dec(&vm->ref.refcount);
		mutex_unlock(&vm->lock);
		goto out_free;
	}
	/* initialised: other vCPUs look it up without vm->lock (riscv SBI) */
	smp_store_release(&vm->vcpus[id], vcpu);
	vm->nr_vcpus++;
	mutex_unlock(&vm->lock);
	return r;

out_free:
	hvmod_vcpu_free(vcpu);
	mutex_lock(&vm->lock);
	vm->created_vcpus--;
	mutex_unlock(&vm->lock);
	return r;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A VM: one anon-inode fd.  It lives while its fd or any of its vCPU fds
 * is open (each holds a reference); vCPUs are freed with the VM, as in KVM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "hvmod.h"

static DEFINE_MUTEX(hvmod_vms_lock);
static unsigned int hvmod_nr_vms;

static void hvmod_vm_free(struct kref *ref)
{
	struct hvmod_vm *vm = container_of(ref, struct hvmod_vm, ref);
	int i;

	if (hvmod_be->vm_stop)
		hvmod_be->vm_stop(vm);
	for (i = 0; i < HVMOD_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			hvmod_vcpu_free(vm->vcpus[i]);
	if (hvmod_be->vm_destroy)
		hvmod_be->vm_destroy(vm);
	for (i = 0; i < HVMOD_MAX_SLOTS; i++)
		hvmod_slot_unwatch(&vm->slots[i]);
	hvmod_s2_destroy(&vm->s2, hvmod_s2_release_pinned);
	mmdrop(vm->mm);
	kfree(vm);
	hvmod_virt_put();
	hvmod_count_add(HVMOD_CNT_VMS, -1);
	mutex_lock(&hvmod_vms_lock);
	hvmod_nr_vms--;
	mutex_unlock(&hvmod_vms_lock);
}

void hvmod_vm_put(struct hvmod_vm *vm)
{
	kref_put(&vm->ref, hvmod_vm_free);
}

/* KVM refuses VM and vCPU ioctls from any mm but the creator's: so do we. */
bool hvmod_vm_foreign(struct hvmod_vm *vm)
{
	if (likely(current->mm == vm->mm))
		return false;
	hvmod_reject("VM used from another process (pid %d): EIO",
		     task_pid_nr(current));
	return true;
}

static int hvmod_vm_release(struct inode *inode, struct file *filp)
{
	hvmod_vm_put(filp->private_data);
	return 0;
}

static long hvmod_vm_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	struct hvmod_vm *vm = filp->private_data;
	struct kvm_userspace_memory_region mem;
	long r;

	if (hvmod_vm_foreign(vm))
		return -EIO;

	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return hvmod_check_extension(arg);
	case KVM_CREATE_VCPU:
		return hvmod_create_vcpu(vm, arg);
	case KVM_SET_USER_MEMORY_REGION:
		if (copy_from_user(&mem, (void __user *)arg, sizeof(mem)))
			return -EFAULT;
		down_write(&vm->s2_sem);
		r = hvmod_set_memory_region(vm, &mem);
		up_write(&vm->s2_sem);
		return r;
	default:
		if (hvmod_be->vm_ioctl)
			return hvmod_be->vm_ioctl(vm, ioctl, arg);
		return -ENOTTY;
	}
}

static const struct file_operations hvmod_vm_fops = {
	.owner = THIS_MODULE,
	.release = hvmod_vm_release,
	.unlocked_ioctl = hvmod_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int hvmod_create_vm(unsigned long type)
{
	struct hvmod_vm *vm;
	int r;

	if (type) {
		hvmod_reject("KVM_CREATE_VM: unsupported VM type %lu", type);
		return -EINVAL;
	}

	mutex_lock(&hvmod_vms_lock);
	if (hvmod_nr_vms >= HVMOD_MAX_VMS) {
		mutex_unlock(&hvmod_vms_lock);
		hvmod_reject("KVM_CREATE_VM: limit of %d VMs reached",
			     HVMOD_MAX_VMS);
		return -ENOSPC;
	}
	hvmod_nr_vms++;
	mutex_unlock(&hvmod_vms_lock);

	r = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto out_count;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	init_rwsem(&vm->s2_sem);
	mutex_init(&vm->mmu_lock);
	vm->mm = current->mm;
	mmgrab(vm->mm);
	if (hvmod_be->s2) {
		r = hvmod_s2_init(&vm->s2, hvmod_be->s2);
		if (r)
			goto out_free;
	}

	r = hvmod_virt_get();
	if (r)
		goto out_free;
	if (hvmod_be->vm_init) {
		r = hvmod_be->vm_init(vm);
		if (r)
			goto out_virt;
	}
	hvmod_count_add(HVMOD_CNT_VMS, 1);

	r = anon_inode_getfd("hvmod-vm", &hvmod_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		hvmod_vm_put(vm);	/* undoes everything above */
	return r;

out_virt:
	hvmod_virt_put();
out_free:
	hvmod_s2_destroy(&vm->s2, NULL);
	mmdrop(vm->mm);
	kfree(vm);
out_count:
	mutex_lock(&hvmod_vms_lock);
	hvmod_nr_vms--;
	mutex_unlock(&hvmod_vms_lock);
	return r;
}

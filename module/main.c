// SPDX-License-Identifier: GPL-2.0
/*
 * hvmod: module entry, backend selection and the /dev/hvmod system fd.
 *
 * The system fd speaks KVM's ABI (magic 0xAE) for the ioctls KVM defines
 * there, and hvmod's own (HVMOD_IOCTL_MAGIC) for what KVM has no word for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>
#include "hvmod.h"

#ifndef HVMOD_VERSION
#define HVMOD_VERSION "unknown"
#endif

static char *backend = "auto";
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend, "Backend to use: auto (default), svm, vmx (x86), arm64-vhe (arm64) or riscv-h (riscv64)");

unsigned int hvmod_verbose = 1;
module_param_named(verbose, hvmod_verbose, uint, 0644);
MODULE_PARM_DESC(verbose,
		 "Log a one-line reason for every rejected input (default 1, 0 = quiet)");

const struct hvmod_backend *hvmod_be;

static struct hvmod_backend *const hvmod_backends[] = {
#ifdef CONFIG_X86_64
	&hvmod_svm_backend,
	&hvmod_vmx_backend,
#endif
#ifdef CONFIG_ARM64
	&hvmod_arm64_backend,
#endif
#ifdef CONFIG_RISCV
	&hvmod_riscv_backend,
#endif
};

#if defined(CONFIG_ARM64)
#define HVMOD_BACKEND_NAMES	"arm64-vhe"
#define HVMOD_NO_BACKEND	"no backend for this CPU (arm64: EL2 with VHE)"
#elif defined(CONFIG_RISCV)
#define HVMOD_BACKEND_NAMES	"riscv-h"
#define HVMOD_NO_BACKEND	"no backend for this CPU (riscv: the H extension)"
#else
#define HVMOD_BACKEND_NAMES	"svm or vmx"
#define HVMOD_NO_BACKEND	"no backend for this CPU (neither AMD SVM nor Intel VMX)"
#endif

static void hvmod_fill_info(struct hvmod_info *info)
{
	memset(info, 0, sizeof(*info));
	info->abi_version = HVMOD_ABI_VERSION;
	info->backend_id = hvmod_be->id;
	strscpy(info->backend, hvmod_be->name, sizeof(info->backend));
	strscpy(info->version, HVMOD_VERSION, sizeof(info->version));
	info->max_vms = HVMOD_MAX_VMS;
	info->max_vcpus = HVMOD_MAX_VCPUS;
	info->max_slots = HVMOD_MAX_SLOTS;
	info->max_gpa_bits = HVMOD_MAX_GPA_BITS;
	info->max_vm_mem = HVMOD_MAX_VM_MEM;
	info->features = hvmod_be->features;
	hvmod_counts_read(&info->counts);
}

static long hvmod_dev_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	struct hvmod_info info;

	switch (ioctl) {
	case KVM_GET_API_VERSION:
		if (arg) {
			hvmod_reject("KVM_GET_API_VERSION: argument must be 0");
			return -EINVAL;
		}
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return hvmod_check_extension(arg);
	case KVM_CREATE_VM:
		return hvmod_create_vm(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg) {
			hvmod_reject("KVM_GET_VCPU_MMAP_SIZE: argument must be 0");
			return -EINVAL;
		}
		return HVMOD_VCPU_MMAP_PAGES * PAGE_SIZE;
	case HVMOD_GET_INFO:
		hvmod_fill_info(&info);
		if (copy_to_user((void __user *)arg, &info, sizeof(info)))
			return -EFAULT;
		return 0;
	default:
		if (hvmod_be->dev_ioctl)
			return hvmod_be->dev_ioctl(ioctl, arg);
		return -ENOTTY;
	}
}

static const struct file_operations hvmod_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hvmod_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hvmod_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hvmod",
	.fops = &hvmod_dev_fops,
	.mode = 0600,
};

/*
 * Pick the backend named by the "backend" parameter, or in auto mode the
 * one native to this CPU's vendor, so that exactly one probe runs and a
 * failure leaves exactly one precise line in dmesg.
 */
static int hvmod_select_backend(void)
{
	bool any = !strcmp(backend, "auto");
	struct hvmod_backend *be;
	int i, r;

	for (i = 0; i < ARRAY_SIZE(hvmod_backends); i++) {
		be = hvmod_backends[i];
		if (any ? be->native() : !strcmp(backend, be->name))
			goto found;
	}
	if (!any) {
		pr_err("backend=%s: unknown backend (use auto or " HVMOD_BACKEND_NAMES ")\n",
		       backend);
		return -EINVAL;
	}
	pr_err(HVMOD_NO_BACKEND "\n");
	return -ENODEV;
found:
	r = be->probe();
	if (!r)
		hvmod_be = be;
	return r;
}

static int __init hvmod_init(void)
{
	int r;

	r = hvmod_select_backend();
	if (r)
		return r;
	r = hvmod_cpu_init();
	if (r)
		return r;
	r = misc_register(&hvmod_dev);
	if (r) {
		pr_err("cannot register /dev/hvmod: %d\n", r);
		hvmod_cpu_exit();
		return r;
	}
	pr_info("version %s loaded, backend %s\n", HVMOD_VERSION,
		hvmod_be->name);
	return 0;
}

static void __exit hvmod_exit(void)
{
	misc_deregister(&hvmod_dev);
	hvmod_cpu_exit();
	pr_info("unloaded\n");
}

module_init(hvmod_init);
module_exit(hvmod_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("hvmod developers");
MODULE_DESCRIPTION("hvmod: a loadable hypervisor speaking the KVM ABI on /dev/hvmod");
MODULE_VERSION(HVMOD_VERSION);

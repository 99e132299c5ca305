// SPDX-License-Identifier: GPL-2.0
/*
 * x86 virtualization state shared by VMX and SVM: the emergency callback
 * that turns VMX/SVM off on a crash or an emergency reboot.
 *
 * The kernel has a single callback slot, and registering a second callback
 * is a WARN.  KVM's vendor modules take the slot when they load (kvm_intel
 * in 6.1; kvm_amd too in later kernels) and keep it until they unload.
 * Their callbacks turn VMX or SVM off on the CPU whoever enabled it, so
 * while one is loaded hvmod relies on it instead of fighting over the slot:
 * hvmod holds the slot only while it has virtualization on and no KVM
 * vendor module is loaded, gives it up when one is about to load (module
 * notifier, MODULE_STATE_COMING runs before the module's init) and takes
 * it back when that module is gone (MODULE_STATE_GOING follows its exit).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include "x86.h"

static DEFINE_MUTEX(x86_emergency_lock);
static cpu_emergency_virt_cb *x86_emergency_want;	/* while VMs exist */
static bool x86_emergency_held;				/* hvmod's in the slot */

static bool x86_is_kvm_vendor(const struct module *mod)
{
	return !strcmp(mod->name, "kvm_intel") || !strcmp(mod->name, "kvm_amd");
}

static int x86_module_event(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct module *mod = data;

	if (!x86_is_kvm_vendor(mod))
		return NOTIFY_DONE;
	mutex_lock(&x86_emergency_lock);
	if (action == MODULE_STATE_COMING && x86_emergency_held) {
		cpu_emergency_unregister_virt_callback(x86_emergency_want);
		x86_emergency_held = false;
		pr_info("%s loading: its emergency callback turns virtualization off for hvmod too\n",
			mod->name);
	} else if (action == MODULE_STATE_GOING && x86_emergency_want &&
		   !x86_emergency_held) {
		cpu_emergency_register_virt_callback(x86_emergency_want);
		x86_emergency_held = true;
	}
	mutex_unlock(&x86_emergency_lock);
	return NOTIFY_OK;
}

static struct notifier_block x86_module_nb = {
	.notifier_call = x86_module_event,
};

/* KVM's core exports kvm_rebooting: loaded, most likely with its vendor. */
static bool x86_kvm_loaded(void)
{
	if (!__symbol_get("kvm_rebooting"))
		return false;
	__symbol_put("kvm_rebooting");
	return true;
}

/* From the backend's global_enable(), process context. */
void x86_emergency_register(cpu_emergency_virt_cb *cb)
{
	/* first, so that no vendor module can load unseen in between */
	if (register_module_notifier(&x86_module_nb))
		pr_warn("no module notifier: loading kvm_intel now would WARN\n");
	mutex_lock(&x86_emergency_lock);
	x86_emergency_want = cb;
	if (!x86_kvm_loaded()) {
		cpu_emergency_register_virt_callback(cb);
		x86_emergency_held = true;
	}
	mutex_unlock(&x86_emergency_lock);
}

void x86_emergency_unregister(void)
{
	/* not under the lock: this waits for a running x86_module_event() */
	unregister_module_notifier(&x86_module_nb);
	mutex_lock(&x86_emergency_lock);
	if (x86_emergency_held)
		cpu_emergency_unregister_virt_callback(x86_emergency_want);
	x86_emergency_held = false;
	x86_emergency_want = NULL;
	mutex_unlock(&x86_emergency_lock);
}

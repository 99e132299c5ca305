// SPDX-License-Identifier: GPL-2.0
/*
 * x86 virtualization state shared by VMX and SVM: the emergency callback
 * that turns VMX/SVM off on a crash or an emergency reboot.
 *
 * The kernel has a single callback slot and KVM's vendor modules
 * (kvm_amd, kvm_intel) take it when they load.  Their callbacks turn SVM
 * or VMX off on the CPU whoever enabled it, so when KVM is loaded hvmod
 * relies on KVM's callback instead of fighting over the slot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "x86.h"

static cpu_emergency_virt_cb *x86_emergency_cb;

void x86_emergency_register(cpu_emergency_virt_cb *cb)
{
	if (__symbol_get("kvm_rebooting")) {
		__symbol_put("kvm_rebooting");
		return;
	}
	cpu_emergency_register_virt_callback(cb);
	x86_emergency_cb = cb;
}

void x86_emergency_unregister(void)
{
	if (!x86_emergency_cb)
		return;
	cpu_emergency_unregister_virt_callback(x86_emergency_cb);
	x86_emergency_cb = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU virtualization enable, done lazily: switched on for every
 * online CPU when the first VM is created and off when the last VM goes,
 * through a dynamic cpuhp state so hot-plugged CPUs follow.  While no VM
 * exists hvmod owns no CPU, so KVM (or another hypervisor) can use them;
 * whoever comes second gets -EBUSY from the backend's cpu_enable.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include "hvmod.h"

static DEFINE_MUTEX(hvmod_virt_lock);
static unsigned int hvmod_virt_users;	/* live VMs */
static int hvmod_hp_state;		/* dynamic cpuhp state while enabled */
static bool hvmod_rebooting;
static DEFINE_PER_CPU(bool, hvmod_cpu_on);

static int hvmod_cpu_online(unsigned int cpu)
{
	int r = -EBUSY;

	preempt_disable();
	if (!READ_ONCE(hvmod_rebooting))
		r = hvmod_be->cpu_enable();
	if (!r) {
		this_cpu_write(hvmod_cpu_on, true);
		hvmod_count_add(HVMOD_CNT_CPUS, 1);
	}
	preempt_enable();
	return r;
}

static void hvmod_cpu_off_here(void *unused)
{
	if (!this_cpu_read(hvmod_cpu_on))
		return;
	hvmod_be->cpu_disable();
	this_cpu_write(hvmod_cpu_on, false);
	hvmod_count_add(HVMOD_CNT_CPUS, -1);
}

static int hvmod_cpu_offline(unsigned int cpu)
{
	preempt_disable();
	hvmod_cpu_off_here(NULL);
	preempt_enable();
	return 0;
}

/*
 * True if this CPU has virtualization on.  Backends check it with IRQs
 * off right before entering a guest: a reboot (or this CPU going
 * offline) turns it off by IPI, which cannot land between the check and
 * the entry.
 */
bool hvmod_cpu_virt_on(void)
{
	lockdep_assert_irqs_disabled();
	return this_cpu_read(hvmod_cpu_on);
}

/* Called for every new VM: the first one turns virtualization on. */
int hvmod_virt_get(void)
{
	int r = 0;

	mutex_lock(&hvmod_virt_lock);
	if (hvmod_virt_users++)
		goto out;
	if (hvmod_be->global_enable) {
		r = hvmod_be->global_enable();
		if (r)
			goto fail;
	}
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvmod:online",
			      hvmod_cpu_online, hvmod_cpu_offline);
	if (r < 0) {
		if (hvmod_be->global_disable)
			hvmod_be->global_disable();
		goto fail;
	}
	hvmod_hp_state = r;
	r = 0;
	goto out;
fail:
	hvmod_virt_users--;
out:
	mutex_unlock(&hvmod_virt_lock);
	return r;
}

/* Called when a VM is destroyed: the last one turns virtualization off. */
void hvmod_virt_put(void)
{
	mutex_lock(&hvmod_virt_lock);
	if (WARN_ON(!hvmod_virt_users) || --hvmod_virt_users)
		goto out;
	cpuhp_remove_state(hvmod_hp_state);
	if (hvmod_be->global_disable)
		hvmod_be->global_disable();
out:
	mutex_unlock(&hvmod_virt_lock);
}

/*
 * An orderly reboot, halt or kexec must not leave virtualization on (with
 * VMX on, INIT is blocked and the next kernel cannot start its CPUs).
 * Crashes and emergency reboots are covered by the backend's emergency
 * callback.
 */
static int hvmod_reboot(struct notifier_block *nb, unsigned long code,
			void *unused)
{
	WRITE_ONCE(hvmod_rebooting, true);
	on_each_cpu(hvmod_cpu_off_here, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block hvmod_reboot_nb = {
	.notifier_call = hvmod_reboot,
	.priority = 0,
};

int hvmod_cpu_init(void)
{
	return register_reboot_notifier(&hvmod_reboot_nb);
}

void hvmod_cpu_exit(void)
{
	unregister_reboot_notifier(&hvmod_reboot_nb);
}

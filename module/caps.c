// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CHECK_EXTENSION: honest answers only.  A capability is reported
 * when hvmod implements it; everything else is 0, as KVM answers for a
 * capability it does not know.
 */
#include <linux/cpumask.h>
#include <linux/minmax.h>
#include "hvmod.h"

long hvmod_check_extension(long cap)
{
	int r;

	if (hvmod_be->check_extension) {
		r = hvmod_be->check_extension(cap);
		if (r >= 0)
			return r;
	}

	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_CHECK_EXTENSION_VM:
		return 1;
	case KVM_CAP_NR_VCPUS:
		return min_t(unsigned int, num_online_cpus(), HVMOD_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return HVMOD_MAX_VCPUS;
	case KVM_CAP_NR_MEMSLOTS:
		return HVMOD_MAX_SLOTS;
	default:
		return 0;
	}
}

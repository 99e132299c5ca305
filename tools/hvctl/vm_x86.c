// SPDX-License-Identifier: GPL-2.0
/*
 * x86 vCPU set-up shared by the hvt tender and type1 mode: the supported
 * CPUID table, and flat 4 GiB segments for the initial SREGS.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include "vm.h"

struct kvm_cpuid2 *vm_x86_supported_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid = NULL;
	unsigned int nent = 64;

	for (;;) {
		free(cpuid);
		cpuid = calloc(1, sizeof(*cpuid) +
				  nent * sizeof(struct kvm_cpuid_entry2));
		if (!cpuid)
			err(1, "out of memory");
		cpuid->nent = nent;
		if (!ioctl(vm->sysfd, KVM_GET_SUPPORTED_CPUID, cpuid))
			return cpuid;
		if (errno != E2BIG || nent >= 4096)
			err(1, "KVM: ioctl (GET_SUPPORTED_CPUID) failed");
		nent *= 2;
	}
}

void vm_x86_set_cpuid(struct vm *vm, struct kvm_cpuid2 *cpuid)
{
	if (ioctl(vm->vcpufd, KVM_SET_CPUID2, cpuid) < 0)
		err(1, "KVM: ioctl (SET_CPUID2) failed");
	free(cpuid);
}

struct kvm_segment vm_x86_flat_seg(uint16_t sel, uint8_t type, uint8_t l,
				   uint8_t db)
{
	struct kvm_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = db, .s = 1, .l = l, .g = 1,
	};
	return s;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm.h: thin helpers over the KVM ioctl ABI, shared by hvctl's run modes.
 * They speak plain KVM only, so any KVM-ABI device works: /dev/hvmod or
 * /dev/kvm.  Every helper prints a clear message and exits 1 on failure
 * (hvctl is a command-line tool: there is nothing to roll back).
 */
#ifndef HVCTL_VM_H
#define HVCTL_VM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

struct vm {
	const char *dev;	/* device path, for messages */
	int sysfd;		/* the device */
	int vmfd;
	int vcpufd;
	struct kvm_run *run;	/* mmapped on vcpufd */
	size_t run_size;
};

/* Open DEV and check KVM_GET_API_VERSION == 12. */
void vm_open(struct vm *vm, const char *dev);
/* KVM_CHECK_EXTENSION on the device fd: the value, or -1 on error. */
long vm_check_extension(struct vm *vm, long cap);
/* KVM_CREATE_VM (type 0). */
void vm_create(struct vm *vm);
/* KVM_SET_USER_MEMORY_REGION: SIZE bytes of HOST at guest physical GPA. */
void vm_set_ram(struct vm *vm, uint32_t slot, uint64_t gpa, void *host,
		uint64_t size);
/* KVM_CREATE_VCPU and mmap of its struct kvm_run. */
void vm_create_vcpu(struct vm *vm, unsigned long id);
/*
 * KVM_SET/GET_ONE_REG of the vCPU; failure ends hvctl with a message
 * naming the register (NAME) and, for a read, what it was for (WHY).
 */
void vm_set_one_reg(struct vm *vm, uint64_t id, uint64_t val,
		    const char *name);
uint64_t vm_get_one_reg(struct vm *vm, uint64_t id, const char *name,
			const char *why);
/* Pointer to SIZE bytes at OFFSET of the kvm_run area, NULL if outside. */
void *vm_run_data(struct vm *vm, uint64_t offset, size_t size);
/* Close everything that is open (safe to call more than once). */
void vm_close(struct vm *vm);

#ifdef __x86_64__
/* vm_x86.c: KVM_GET_SUPPORTED_CPUID (calloc'ed, grown on E2BIG). */
struct kvm_cpuid2 *vm_x86_supported_cpuid(struct vm *vm);
/* KVM_SET_CPUID2 on the vCPU, then free(CPUID). */
void vm_x86_set_cpuid(struct vm *vm, struct kvm_cpuid2 *cpuid);
/* A present ring-0 segment: base 0, 4 GiB, granular, code/data TYPE. */
struct kvm_segment vm_x86_flat_seg(uint16_t sel, uint8_t type, uint8_t l,
				   uint8_t db);
#endif

#endif /* HVCTL_VM_H */

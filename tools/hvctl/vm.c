// SPDX-License-Identifier: GPL-2.0
/*
 * vm.c: VM and vCPU set-up over the KVM ioctl ABI (see vm.h).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vm.h"

#define KVM_API_VERSION_EXPECTED 12

static const char *open_hint(int e, const char *dev)
{
	if (e == ENOENT && strstr(dev, "hvmod"))
		return " (is hvmod loaded? run `sudo modprobe hvmod`)";
	if (e == ENOENT && strstr(dev, "kvm"))
		return " (is kvm loaded? run `sudo modprobe kvm_amd` or kvm_intel)";
	if (e == EACCES)
		return " (no permission: see the README for the udev rule and group)";
	return "";
}

void vm_open(struct vm *vm, const char *dev)
{
	int api;

	memset(vm, 0, sizeof(*vm));
	vm->dev = dev;
	vm->vmfd = vm->vcpufd = -1;
	vm->sysfd = open(dev, O_RDWR | O_CLOEXEC);
	if (vm->sysfd < 0) {
		int e = errno;

		errx(1, "Could not open: %s: %s%s", dev, strerror(e),
		     open_hint(e, dev));
	}
	api = ioctl(vm->sysfd, KVM_GET_API_VERSION, 0);
	if (api < 0)
		err(1, "%s: KVM_GET_API_VERSION failed (not a KVM-ABI device?)",
		    dev);
	if (api != KVM_API_VERSION_EXPECTED)
		errx(1, "%s: KVM API version %d, expected %d", dev, api,
		     KVM_API_VERSION_EXPECTED);
}

long vm_check_extension(struct vm *vm, long cap)
{
	return ioctl(vm->sysfd, KVM_CHECK_EXTENSION, cap);
}

void vm_create(struct vm *vm)
{
	vm->vmfd = ioctl(vm->sysfd, KVM_CREATE_VM, 0);
	if (vm->vmfd < 0) {
		int e = errno;

		errx(1, "KVM: ioctl (CREATE_VM) failed on %s: %s%s", vm->dev,
		     strerror(e), e == EBUSY ?
		     " (another hypervisor, kvm or hvmod, owns the CPU's virtualization: see dmesg)"
		     : "");
	}
}

void vm_set_ram(struct vm *vm, uint32_t slot, uint64_t gpa, void *host,
		uint64_t size)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm->vmfd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		err(1, "KVM: ioctl (SET_USER_MEMORY_REGION) failed (%llu MiB at 0x%llx)",
		    (unsigned long long)(size >> 20),
		    (unsigned long long)gpa);
}

void vm_create_vcpu(struct vm *vm, unsigned long id)
{
	int size;
	void *p;

	vm->vcpufd = ioctl(vm->vmfd, KVM_CREATE_VCPU, id);
	if (vm->vcpufd < 0)
		err(1, "KVM: ioctl (CREATE_VCPU) failed");
	size = ioctl(vm->sysfd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		err(1, "KVM: ioctl (GET_VCPU_MMAP_SIZE) failed");
	if ((size_t)size < sizeof(struct kvm_run))
		errx(1, "KVM: vCPU mmap size %d is smaller than struct kvm_run",
		     size);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpufd,
		 0);
	if (p == MAP_FAILED)
		err(1, "KVM: mmap of the vCPU's kvm_run failed");
	vm->run = p;
	vm->run_size = size;
}

void *vm_run_data(struct vm *vm, uint64_t offset, size_t size)
{
	if (offset > vm->run_size || size > vm->run_size - offset)
		return NULL;
	return (char *)vm->run + offset;
}

void vm_set_one_reg(struct vm *vm, uint64_t id, uint64_t val,
		    const char *name)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(vm->vcpufd, KVM_SET_ONE_REG, &reg) < 0)
		err(1, "KVM: ioctl (SET_ONE_REG %s) failed", name);
}

uint64_t vm_get_one_reg(struct vm *vm, uint64_t id, const char *name,
			const char *why)
{
	struct kvm_one_reg reg;
	uint64_t val;

	reg.id = id;
	reg.addr = (uintptr_t)&val;
	if (ioctl(vm->vcpufd, KVM_GET_ONE_REG, &reg) < 0)
		err(1, "KVM: ioctl (GET_ONE_REG %s) failed after %s", name, why);
	return val;
}

void vm_close(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	vm->run = NULL;
	if (vm->vcpufd >= 0)
		close(vm->vcpufd);
	if (vm->vmfd >= 0)
		close(vm->vmfd);
	if (vm->sysfd >= 0)
		close(vm->sysfd);
	vm->vcpufd = vm->vmfd = vm->sysfd = -1;
}

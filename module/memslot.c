// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION with KVM's validation rules (create, move,
 * delete; alignment; overlap -> EEXIST) and hvmod's fixed limits.
 * Called with vm->s2_sem held for writing: no vCPU is in the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/uaccess.h>
#include "hvmod.h"

#define HVMOD_GPA_LIMIT	BIT_ULL(HVMOD_MAX_GPA_BITS)

static bool hvmod_slot_overlaps(struct hvmod_vm *vm, u32 id, u64 gpa,
				u64 size)
{
	const struct hvmod_slot *s;
	u32 i;

	for (i = 0; i < HVMOD_MAX_SLOTS; i++) {
		s = &vm->slots[i];
		if (i == id || !s->size)
			continue;
		if (gpa < s->gpa + s->size && s->gpa < gpa + size) {
			hvmod_reject("memory slot %u: [0x%llx, 0x%llx) overlaps slot %u [0x%llx, 0x%llx)",
				     id, gpa, gpa + size, i, s->gpa,
				     s->gpa + s->size);
			return true;
		}
	}
	return false;
}

/* The checks KVM makes before looking at existing slots. */
static int hvmod_slot_check(const struct kvm_userspace_memory_region *mem)
{
	u32 as_id = mem->slot >> 16, id = (u16)mem->slot;
	u64 end = mem->guest_phys_addr + mem->memory_size;

	if (mem->flags) {
		hvmod_reject("memory slot %u: flags 0x%x not supported",
			     mem->slot, mem->flags);
		return -EINVAL;
	}
	if (as_id) {
		hvmod_reject("memory slot 0x%x: address space %u does not exist",
			     mem->slot, as_id);
		return -EINVAL;
	}
	if (id >= HVMOD_MAX_SLOTS) {
		hvmod_reject("memory slot %u: id above limit (%u slots)",
			     id, HVMOD_MAX_SLOTS);
		return -EINVAL;
	}
	if ((mem->memory_size | mem->guest_phys_addr | mem->userspace_addr) &
	    ~PAGE_MASK) {
		hvmod_reject("memory slot %u: size, guest or user address not page aligned",
			     id);
		return -EINVAL;
	}
	if (!access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size)) {
		hvmod_reject("memory slot %u: 0x%llx+0x%llx is not a user address range",
			     id, mem->userspace_addr, mem->memory_size);
		return -EINVAL;
	}
	if (end < mem->guest_phys_addr || end > HVMOD_GPA_LIMIT) {
		hvmod_reject("memory slot %u: guest range ends above the %u-bit limit",
			     id, HVMOD_MAX_GPA_BITS);
		return -EINVAL;
	}
	return 0;
}

int hvmod_set_memory_region(struct hvmod_vm *vm,
			    const struct kvm_userspace_memory_region *mem)
{
	struct hvmod_slot *slot;
	u32 id = (u16)mem->slot;
	int r;

	r = hvmod_slot_check(mem);
	if (r)
		return r;
	slot = &vm->slots[id];

	if (!mem->memory_size) {
		if (!slot->size) {
			hvmod_reject("memory slot %u: cannot delete, it does not exist",
				     id);
			return -EINVAL;
		}
		hvmod_slot_unwatch(slot);
		hvmod_s2_zap(vm, slot->gpa, slot->size);
		vm->slot_bytes -= slot->size;
		memset(slot, 0, sizeof(*slot));
		return 0;
	}

	if (slot->size) {
		if (mem->userspace_addr != slot->uaddr ||
		    mem->memory_size != slot->size) {
			hvmod_reject("memory slot %u: only the guest address of an existing slot may change",
				     id);
			return -EINVAL;
		}
		if (mem->guest_phys_addr == slot->gpa)
			return 0;
	} else if (vm->slot_bytes + mem->memory_size > HVMOD_MAX_VM_MEM) {
		hvmod_reject("memory slot %u: guest memory above the %llu GiB limit",
			     id, HVMOD_MAX_VM_MEM >> 30);
		return -EINVAL;
	}

	if (hvmod_slot_overlaps(vm, id, mem->guest_phys_addr,
				mem->memory_size))
		return -EEXIST;

	if (slot->size) {
		/* a move: the notifier (same user range) stays */
		hvmod_s2_zap(vm, slot->gpa, slot->size);
		mutex_lock(&vm->mmu_lock);
		slot->gpa = mem->guest_phys_addr;
		mutex_unlock(&vm->mmu_lock);
		return 0;
	}
	slot->gpa = mem->guest_phys_addr;
	slot->size = mem->memory_size;
	slot->uaddr = mem->userspace_addr;
	slot->flags = mem->flags;
	r = hvmod_slot_watch(vm, slot);
	if (r) {
		memset(slot, 0, sizeof(*slot));
		return r;
	}
	vm->slot_bytes += mem->memory_size;
	return 0;
}

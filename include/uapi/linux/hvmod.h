/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvmod's own userspace ABI.
 *
 * Everything KVM already defines (ioctl numbers on magic 0xAE, struct kvm_run,
 * exit reasons, capabilities) is spoken byte for byte from <linux/kvm.h>.
 * This header only holds what KVM has no words for: module information,
 * limits, feature bits and resource accounting.  Its ioctls live on their
 * own magic so they can never collide with a KVM ioctl.
 */
#ifndef _UAPI_LINUX_HVMOD_H
#define _UAPI_LINUX_HVMOD_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HVMOD_IOCTL_MAGIC	0xB8	/* KVM uses 0xAE */
#define HVMOD_ABI_VERSION	1

/* Fixed, documented limits (also reported by HVMOD_GET_INFO). */
#define HVMOD_MAX_VMS		64	/* VMs alive at once, module-wide */
#define HVMOD_MAX_VCPUS		64	/* vCPUs per VM; ids are 0..63 */
#define HVMOD_MAX_SLOTS		32	/* memory slots per VM; ids 0..31 */
#define HVMOD_MAX_GPA_BITS	40	/* a slot must end at or below 1 TiB */
#define HVMOD_MAX_VM_MEM	(256ULL << 30)	/* sum of slot sizes per VM */

/* hvmod_info.backend_id */
#define HVMOD_BACKEND_NONE	0
#define HVMOD_BACKEND_SVM	1
#define HVMOD_BACKEND_VMX	2
#define HVMOD_BACKEND_ARM64	3
#define HVMOD_BACKEND_RISCV	4

/*
 * hvmod_info.features: what this build and CPU can do.  A bit is set only
 * when the feature is implemented and usable on this host.
 */
#define HVMOD_FEAT_STAGE2	(1ULL << 0)	/* second-level paging present */
#define HVMOD_FEAT_HUGE_2M	(1ULL << 1)	/* 2 MiB stage-2 leaves */
#define HVMOD_FEAT_HUGE_1G	(1ULL << 2)	/* 1 GiB stage-2 leaves */
#define HVMOD_FEAT_TAGGED_TLB	(1ULL << 3)	/* ASID / VPID / VMID */
#define HVMOD_FEAT_RUN		(1ULL << 4)	/* KVM_RUN executes guests */

/* Resources hvmod holds right now; every count returns to 0 when idle. */
struct hvmod_counts {
	__u64 vms;		/* live VMs */
	__u64 vcpus;		/* live vCPUs */
	__u64 pinned_pages;	/* guest pages pinned for stage-2 */
	__u64 s2_pages;		/* stage-2 table pages */
	__u64 ctl_pages;	/* VMCB/VMCS/HSAVE/VMXON/kvm_run pages */
	__u64 cpus_enabled;	/* CPUs with virtualization turned on */
	__u64 reserved[2];
};

struct hvmod_info {
	__u32 abi_version;	/* HVMOD_ABI_VERSION */
	__u32 backend_id;	/* HVMOD_BACKEND_* */
	char  backend[16];	/* "svm", "vmx", ... NUL-terminated */
	char  version[32];	/* module version, NUL-terminated */
	__u32 max_vms;
	__u32 max_vcpus;
	__u32 max_slots;
	__u32 max_gpa_bits;
	__u64 max_vm_mem;	/* bytes */
	__u64 features;		/* HVMOD_FEAT_* */
	struct hvmod_counts counts;
	__u64 reserved[8];	/* zero */
};

/* On /dev/hvmod (the system fd). */
#define HVMOD_GET_INFO		_IOR(HVMOD_IOCTL_MAGIC, 0x00, struct hvmod_info)

#endif /* _UAPI_LINUX_HVMOD_H */

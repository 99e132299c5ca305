// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs hvmod emulates for x86 guests and exposes through
 * KVM_GET/SET_MSRS.  Guest RDMSR/WRMSR of anything else gets #GP.
 *   held by the backend (VMCB/VMCS): EFER, STAR, LSTAR, CSTAR, SFMASK,
 *     KERNEL_GS_BASE, FS_BASE, GS_BASE, TSC, SYSENTER_CS/ESP/EIP, PAT
 *   held here: APIC_BASE, MISC_ENABLE, TSC_ADJUST (as KVM: the guest's
 *     writes to TSC and TSC_ADJUST move both, userspace's move only the
 *     one written), TSC_AUX (where the host has RDTSCP:
 *     loaded for the guest around each entry, see x86_enter_ok()); the
 *     MTRRs (x86_mtrr.c) and machine-check MSRs (x86_mce.c), not listed
 *     by KVM_GET_MSR_INDEX_LIST but for MCG_STATUS and MCG_CTL, as in KVM;
 *     kvmclock's MSR_KVM_SYSTEM_TIME and MSR_KVM_WALL_CLOCK, for userspace
 *     only and only disabled: hvmod offers no kvmclock (its 0x40000001
 *     leaf is empty), but QEMU 7.2 writes both (0) at every reset, as it
 *     may on KVM
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/kvm_para.h>
#include <asm/msr-index.h>
#include "x86_lapic.h"

static const u32 x86_msrs[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_TSC,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_CR_PAT, MSR_IA32_APICBASE, MSR_IA32_MISC_ENABLE,
	MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL, MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK,
	MSR_IA32_TSC_ADJUST,
	MSR_TSC_AUX,		/* last: only with RDTSCP, see x86_msr_count() */
};

/* TSC_AUX exists (for RDTSCP) on hosts that have RDTSCP. */
static bool x86_has_tsc_aux(void)
{
	return boot_cpu_has(X86_FEATURE_RDTSCP);
}

static u32 x86_msr_count(void)
{
	return ARRAY_SIZE(x86_msrs) - !x86_has_tsc_aux();
}

static bool x86_canonical(u64 v)
{
	return ((s64)v << 16 >> 16) == (s64)v;
}

/* The PAT may only hold the architectural memory types. */
static bool x86_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/*
 * What the architecture allows in an MSR, checked once for every backend
 * before it stores the value: canonical addresses, PAT memory types;
 * 32-bit registers are truncated.
 */
static int x86_msr_value(u32 index, u64 *data)
{
	switch (index) {
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return x86_canonical(*data) ? 0 : -EINVAL;
	case MSR_SYSCALL_MASK:
	case MSR_IA32_SYSENTER_CS:
		*data = (u32)*data;
		return 0;
	case MSR_IA32_CR_PAT:
		return x86_pat_valid(*data) ? 0 : -EINVAL;
	default:
		return 0;
	}
}

/*
 * EFER.LMA belongs to the CPU: it follows CR0.PG and EFER.LME, so a write
 * (guest WRMSR or KVM_SET_MSRS) keeps the current one, as KVM's
 * set_efer() does.  A VMCB or VMCS whose LMA disagrees with CR0.PG is a
 * state some CPUs (and QEMU's TCG) do not survive.
 */
static u64 x86_efer_keep_lma(struct hvmod_vcpu *vcpu,
			     const struct x86_ops *ops, u64 data)
{
	struct kvm_sregs s;

	ops->get_sregs(vcpu, &s);
	return (data & ~EFER_LMA) | (s.efer & EFER_LMA);
}

/*
 * An IA32_APIC_BASE value KVM's kvm_set_apic_base() takes: no reserved
 * bit (0-7, 9, above the address width) and no x2APIC enable (bit 10):
 * hvmod's LAPIC has no x2APIC mode, as KVM's for a vCPU whose CPUID has
 * no x2APIC (hvmod never offers it).
 */
bool x86_apic_base_valid(u64 data)
{
	return !(data & (0x2ff | X2APIC_ENABLE)) &&
	       !(data >> boot_cpu_data.x86_phys_bits);
}

/* TSC_ADJUST is written only when the vCPU's CPUID offers it (as KVM). */
static bool x86_has_tsc_adjust(const struct x86_vcpu *x)
{
	u32 out[4];

	return x86_cpuid(x, 7, 0, out) && (out[1] & X86_7_EBX_TSC_ADJUST);
}

/*
 * The guest's WRMSR to TSC or TSC_ADJUST (KVM's kvm_set_msr_common() for
 * a write not host-initiated): the TSC moves by `delta` from `tsc`, the
 * guest TSC the caller read, and TSC_ADJUST with it.  The offset goes
 * through the TSC MSR: the cycles between the read and the write are lost.
 */
static int x86_guest_tsc_move(struct hvmod_vcpu *vcpu,
			      const struct x86_ops *ops, u64 tsc, s64 delta)
{
	int r = ops->set_msr(vcpu, MSR_IA32_TSC, tsc + delta);

	if (!r)
		to_x86(vcpu)->tsc_adjust += delta;
	return r;
}

/* A guest's WRMSR: as x86_set_msr(), plus what only the guest may not do. */
int x86_guest_wrmsr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		    u32 index, u64 data)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct kvm_sregs s;
	u64 tsc;
	int r;

	/* no kvmclock in the guest's CPUID: its MSRs #GP */
	if (index == MSR_KVM_SYSTEM_TIME || index == MSR_KVM_WALL_CLOCK)
		return -EINVAL;
	/* MCi_STATUS: the guest may only clear it */
	r = x86_mce_set(to_x86(vcpu), index, data, true);
	if (r != -ENOENT)
		return r;
	if (index == MSR_IA32_TSC || index == MSR_IA32_TSC_ADJUST) {
		if (index == MSR_IA32_TSC_ADJUST && !x86_has_tsc_adjust(x))
			return 0;	/* ignored, as KVM */
		r = ops->get_msr(vcpu, MSR_IA32_TSC, &tsc);
		if (r)
			return r;
		return x86_guest_tsc_move(vcpu, ops, tsc, index == MSR_IA32_TSC ?
					  data - tsc : data - x->tsc_adjust);
	}
	if (index == MSR_EFER) {
		/* LME is fixed while paging is on (#GP on the CPU) */
		ops->get_sregs(vcpu, &s);
		if ((s.cr0 & X86_CR0_PG) && ((data ^ s.efer) & EFER_LME))
			return -EINVAL;
	}
	return x86_set_msr(vcpu, ops, index, data);
}

int x86_get_msr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		u32 index, u64 *data)
{
	struct x86_vcpu *x = to_x86(vcpu);
	int r;

	switch (index) {
	case MSR_IA32_APICBASE:
		*data = x->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = x->misc_enable;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*data = x->tsc_adjust;
		return 0;
	case MSR_TSC_AUX:
		if (!x86_has_tsc_aux())
			return -ENOENT;
		*data = x->tsc_aux;
		return 0;
	case MSR_KVM_SYSTEM_TIME:
		*data = x->kvm_system_time;
		return 0;
	case MSR_KVM_WALL_CLOCK:
		*data = 0;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		if (!x->apic)
			return -ENOENT;
		*data = READ_ONCE(x->apic->tsc_deadline);
		return 0;
	default:
		r = x86_mtrr_get(x, index, data);
		if (r == -ENOENT)
			r = x86_mce_get(x, index, data);
		if (r == -ENOENT)
			r = ops->get_msr(vcpu, index, data);
		return r;
	}
}

int x86_set_msr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		u32 index, u64 data)
{
	struct x86_vcpu *x = to_x86(vcpu);
	int r;

	switch (index) {
	case MSR_IA32_APICBASE:
		if (!x86_apic_base_valid(data))
			return -EINVAL;
		x->apic_base = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		x->misc_enable = data;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		/* userspace's write leaves the TSC alone (KVM: host_initiated) */
		if (x86_has_tsc_adjust(x))
			x->tsc_adjust = data;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		if (!x->apic)
			return -ENOENT;
		return x86_lapic_set_deadline(vcpu, ops, data);
	case MSR_TSC_AUX:
		if (!x86_has_tsc_aux())
			return -ENOENT;
		if (data >> 32)		/* reserved, as on the CPU */
			return -EINVAL;
		x->tsc_aux = data;
		return 0;
	case MSR_KVM_SYSTEM_TIME:
		/* bit 0 would start kvmclock updates into guest memory */
		if (data & 1) {
			hvmod_reject("MSR_KVM_SYSTEM_TIME 0x%llx: hvmod has no kvmclock to enable",
				     data);
			return -EINVAL;
		}
		x->kvm_system_time = data;
		return 0;
	case MSR_KVM_WALL_CLOCK:
		/* non-zero: KVM writes the wall clock to that address */
		if (data) {
			hvmod_reject("MSR_KVM_WALL_CLOCK 0x%llx: hvmod has no kvmclock",
				     data);
			return -EINVAL;
		}
		return 0;
	case MSR_EFER:
		return ops->set_msr(vcpu, index,
				    x86_efer_keep_lma(vcpu, ops, data));
	default:
		r = x86_mtrr_set(x, index, data);
		if (r == -ENOENT)
			r = x86_mce_set(x, index, data, false);
		if (r != -ENOENT)
			return r;
		if (x86_msr_value(index, &data))
			return -EINVAL;
		return ops->set_msr(vcpu, index, data);
	}
}

/* As KVM: process entries in order, return how many succeeded. */
long x86_msrs_ioctl(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		    bool set, struct kvm_msrs __user *umsrs)
{
	struct kvm_msr_entry *ent;
	struct kvm_msrs m;
	u32 i;
	long r;

	if (copy_from_user(&m, umsrs, sizeof(m)))
		return -EFAULT;
	if (m.nmsrs >= X86_MAX_IO_MSRS) {
		hvmod_reject("KVM_%s_MSRS: %u entries, at most %d",
			     set ? "SET" : "GET", m.nmsrs, X86_MAX_IO_MSRS - 1);
		return -E2BIG;
	}
	ent = memdup_user(umsrs->entries, m.nmsrs * sizeof(*ent));
	if (IS_ERR(ent))
		return PTR_ERR(ent);
	for (i = 0; i < m.nmsrs; i++) {
		if (set ? x86_set_msr(vcpu, ops, ent[i].index, ent[i].data) :
			  x86_get_msr(vcpu, ops, ent[i].index, &ent[i].data))
			break;
	}
	r = i;
	if (!set && copy_to_user(umsrs->entries, ent, i * sizeof(*ent)))
		r = -EFAULT;
	kfree(ent);
	return r;
}

long x86_msr_index_list(struct kvm_msr_list __user *ulist)
{
	struct kvm_msr_list l;
	u32 n = x86_msr_count();

	if (copy_from_user(&l, ulist, sizeof(l)))
		return -EFAULT;
	if (copy_to_user(&ulist->nmsrs, &n, sizeof(n)))
		return -EFAULT;
	if (l.nmsrs < n)
		return -E2BIG;
	return copy_to_user(ulist->indices, x86_msrs, n * sizeof(x86_msrs[0])) ?
	       -EFAULT : 0;
}

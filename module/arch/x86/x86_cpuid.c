// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID policy: KVM_GET_SUPPORTED_CPUID offers the host's leaves minus
 * what hvmod does not virtualize (no nested virtualization, no x2APIC or
 * TSC-deadline timer, no XSAVE state beyond x87/SSE/AVX, no MTRR/MCA MSRs,
 * no MONITOR).  The xAPIC is offered as KVM always does: userspace
 * emulates it (QEMU with kernel-irqchip=off, hvctl --cpus N), and a VMM
 * without one clears the bit in its own table.  KVM_SET_CPUID2 stores
 * the vCPU's table and CPUID exits are answered from it in the kernel,
 * with the bits KVM keeps up to date at run time (CPUID.1 OSXSAVE from
 * CR4, the XSAVE sizes in 0xD from XCR0).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeatures.h>
#include <asm/processor.h>
#include "x86.h"

#define HV_BASIC_MAX	0xd
#define HV_EXT_MAX	0x80000008
#define HV_SIGNATURE	0x40000000
#define HV_FEATURES	0x40000001	/* KVM_CPUID_FEATURES: none offered */

/* CPUID.1 bits hidden from guests (ECX, EDX); OSXSAVE follows CR4 at run time. */
#define HV_1_ECX_HIDE	(BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | \
			 BIT(15) | BIT(21) | BIT(24) | HV_1_ECX_OSXSAVE)
#define HV_1_ECX_XSAVE		BIT(26)
#define HV_1_ECX_OSXSAVE	BIT(27)
/* need the YMM state component: FMA, AVX, F16C; AVX2 in 7.0:EBX */
#define HV_1_ECX_AVX	(BIT(12) | BIT(28) | BIT(29))
#define HV_7_EBX_AVX2	BIT(5)
/* MTRR MCA DS ACPI TM PBE; APIC (bit 9) stays, see above */
#define HV_1_EDX_HIDE	(BIT(12) | BIT(14) | BIT(21) | BIT(22) | BIT(29) | \
			 BIT(31))
#define HV_1_ECX_HYPERVISOR	BIT(31)
/* CPUID.7.0:EBX kept: FSGSBASE BMI1 SMEP BMI2 ERMS ADX SMAP CLFLUSHOPT SHA */
#define HV_7_EBX_KEEP	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) |       \
			 BIT(19) | BIT(20) | BIT(23) | BIT(29))
/* CPUID.0xD.1:EAX kept: XSAVEOPT XSAVEC XGETBV1 (no XSAVES: no XSS) */
#define HV_D1_EAX_KEEP	(BIT(0) | BIT(1) | BIT(2))
#define HV_D1_EAX_XSAVEC	BIT(1)
#define HV_81_ECX_SVM	BIT(2)
#define HV_87_EDX_KEEP	BIT(8)			/* invariant TSC */

struct hv_cpuid_buf {
	struct kvm_cpuid_entry2 *ent;
	int n, max;
};

/* Append the host's leaf fn.idx; NULL when the caller's array is full. */
static struct kvm_cpuid_entry2 *hv_add(struct hv_cpuid_buf *b, u32 fn,
				       u32 idx, u32 flags)
{
	struct kvm_cpuid_entry2 *e;

	if (b->n >= b->max)
		return NULL;
	e = &b->ent[b->n++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = flags;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

static void hv_filter_basic(struct kvm_cpuid_entry2 *e, u32 max, u64 xcr0)
{
	switch (e->function) {
	case 0:
		e->eax = max;
		break;
	case 1:
		e->ecx = (e->ecx & ~HV_1_ECX_HIDE) | HV_1_ECX_HYPERVISOR;
		if (!xcr0)
			e->ecx &= ~HV_1_ECX_XSAVE;
		if (!(xcr0 & XFEATURE_MASK_YMM))
			e->ecx &= ~HV_1_ECX_AVX;
		e->edx &= ~HV_1_EDX_HIDE;
		break;
	case 7:
		e->eax = 0;
		e->ebx &= HV_7_EBX_KEEP |
			  ((xcr0 & XFEATURE_MASK_YMM) ? HV_7_EBX_AVX2 : 0);
		/* emulated (x86_msr.c): offered whatever the host has */
		e->ebx |= X86_7_EBX_TSC_ADJUST;
		e->ecx = 0;
		e->edx = 0;
		break;
	}
}

/*
 * Leaf 0xD for the supported XCR0: 0 (the components, sizes), 1 (XSAVE
 * variants, no XSS) and one sub-leaf per offered component >= 2.
 */
static int hv_add_xsave(struct hv_cpuid_buf *b, u64 xcr0)
{
	struct kvm_cpuid_entry2 *e;
	unsigned int i;

	e = hv_add(b, 0xd, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	if (!e)
		return -E2BIG;
	e->eax = (u32)xcr0;
	e->edx = xcr0 >> 32;
	e->ebx = x86_xstate_size(xcr0, false);
	e->ecx = e->ebx;
	e = hv_add(b, 0xd, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	if (!e)
		return -E2BIG;
	e->eax &= HV_D1_EAX_KEEP;
	e->ebx = (e->eax & HV_D1_EAX_XSAVEC) ? x86_xstate_size(xcr0, true) : 0;
	e->ecx = 0;
	e->edx = 0;
	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		e = hv_add(b, 0xd, i, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
		if (!e)
			return -E2BIG;
		e->edx = 0;
	}
	return 0;
}

static void hv_filter_ext(struct kvm_cpuid_entry2 *e, u32 max)
{
	switch (e->function) {
	case 0x80000000:
		e->eax = max;
		break;
	case 0x80000001:
		e->ecx &= ~HV_81_ECX_SVM;
		break;
	case 0x80000007:
		e->eax = 0;
		e->ebx = 0;
		e->ecx = 0;
		e->edx &= HV_87_EDX_KEEP;
		break;
	case 0x80000008:
		e->ebx = 0;
		e->ecx = 0;
		e->edx = 0;
		break;
	}
}

/* Fill the supported leaves; how many, or -E2BIG if b->max is short. */
static int hv_supported_cpuid(struct hv_cpuid_buf *b)
{
	u32 bmax = min_t(u32, cpuid_eax(0), HV_BASIC_MAX);
	u32 emax = min_t(u32, cpuid_eax(0x80000000), HV_EXT_MAX);
	u64 xcr0 = x86_supported_xcr0();
	struct kvm_cpuid_entry2 *e;
	u32 fn, idx;

	/* no leaf 0xD without XSAVE: then the last is 7 at most */
	if (!xcr0 || bmax < 0xd)
		bmax = min_t(u32, bmax, 7);
	for (fn = 0; fn <= bmax; fn++) {
		/* 8-0xC: reserved, DCA, PMU, topology: none offered */
		if (fn == 3 || fn == 5 || fn == 6 || (fn >= 8 && fn <= 0xc))
			continue;
		if (fn == 0xd) {
			if (hv_add_xsave(b, xcr0))
				return -E2BIG;
			continue;
		}
		if (fn == 4 || fn == 7) {
			/* sub-leaves: leaf 4 until its null type, leaf 7.0 */
			for (idx = 0; idx < 8; idx++) {
				e = hv_add(b, fn, idx,
					   KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
				if (!e)
					return -E2BIG;
				hv_filter_basic(e, bmax, xcr0);
				if (fn == 7 || !(e->eax & 0x1f))
					break;
			}
			continue;
		}
		e = hv_add(b, fn, 0, 0);
		if (!e)
			return -E2BIG;
		hv_filter_basic(e, bmax, xcr0);
	}

	e = hv_add(b, HV_SIGNATURE, 0, 0);
	if (!e)
		return -E2BIG;
	/* as KVM's, the last hypervisor leaf is its features leaf */
	e->eax = HV_FEATURES;
	memcpy(&e->ebx, "hvmo", 4);
	memcpy(&e->ecx, "dhvm", 4);
	memcpy(&e->edx, "odhv", 4);
	e = hv_add(b, HV_FEATURES, 0, 0);
	if (!e)
		return -E2BIG;
	e->eax = 0;		/* no PV features: no kvmclock, no PV EOI, ... */
	e->ebx = 0;
	e->ecx = 0;
	e->edx = 0;		/* no hints */

	for (fn = 0x80000000; fn <= emax; fn++) {
		e = hv_add(b, fn, 0, 0);
		if (!e)
			return -E2BIG;
		hv_filter_ext(e, emax);
	}
	return b->n;
}

static long hv_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 *ent;
	struct hv_cpuid_buf b;
	struct kvm_cpuid2 c;
	int n;

	if (copy_from_user(&c, ucpuid, sizeof(c)))
		return -EFAULT;
	if (c.nent < 1)
		return -E2BIG;
	c.nent = min_t(u32, c.nent, X86_MAX_CPUID_ENTRIES);
	ent = kvcalloc(c.nent, sizeof(*ent), GFP_KERNEL);
	if (!ent)
		return -ENOMEM;
	b = (struct hv_cpuid_buf){ .ent = ent, .max = c.nent };
	n = hv_supported_cpuid(&b);
	if (n < 0)
		goto out;
	c.nent = n;
	if (copy_to_user(ucpuid, &c, sizeof(c)) ||
	    copy_to_user(ucpuid->entries, ent, n * sizeof(*ent)))
		n = -EFAULT;
out:
	kvfree(ent);
	return n < 0 ? n : 0;
}

/* System-fd ioctls of the x86 backends. */
long x86_dev_ioctl(unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_SUPPORTED_CPUID:
		return hv_get_supported_cpuid((void __user *)arg);
	case KVM_GET_MSR_INDEX_LIST:
		return x86_msr_index_list((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/*
 * What KVM updates in the vCPU's table at run time
 * (__kvm_update_cpuid_runtime()), on leaf fn.idx's registers r[4]:
 * OSXSAVE mirrors CR4.OSXSAVE, 0xD.0 and 0xD.1 EBX are the XSAVE image
 * sizes for the guest's current XCR0.  hvmod keeps the table as set and
 * applies this wherever KVM's updated table shows: guest CPUID,
 * KVM_GET_CPUID2 and the comparison of KVM_SET_CPUID2 after KVM_RUN.
 */
static void hv_cpuid_runtime(const struct x86_vcpu *x, unsigned long cr4,
			     u32 fn, u32 idx, u32 r[4])
{
	if (fn == 1 && boot_cpu_has(X86_FEATURE_XSAVE)) {
		r[2] &= ~HV_1_ECX_OSXSAVE;
		if (cr4 & X86_CR4_OSXSAVE)
			r[2] |= HV_1_ECX_OSXSAVE;
	} else if (fn == 0xd && idx == 0) {
		r[1] = x86_xstate_size(x->xcr0, false);
	} else if (fn == 0xd && idx == 1 && (r[0] & HV_D1_EAX_XSAVEC)) {
		r[1] = x86_xstate_size(x->xcr0, true);
	}
}

/* An entry as the guest sees it now. */
static void hv_cpuid_entry_runtime(const struct x86_vcpu *x, unsigned long cr4,
				   struct kvm_cpuid_entry2 *e)
{
	u32 r[4] = { e->eax, e->ebx, e->ecx, e->edx };

	hv_cpuid_runtime(x, cr4, e->function, e->index, r);
	e->eax = r[0];
	e->ebx = r[1];
	e->ecx = r[2];
	e->edx = r[3];
}

/* The vCPU's table is ent[0..n) (KVM's kvm_cpuid_check_equal()). */
static bool hv_cpuid_same(const struct x86_vcpu *x, unsigned long cr4,
			  const struct kvm_cpuid_entry2 *ent, u32 n)
{
	struct kvm_cpuid_entry2 a, b;
	u32 i;

	if (n != x->cpuid_nent)
		return false;
	for (i = 0; i < n; i++) {
		a = x->cpuid[i];
		b = ent[i];
		hv_cpuid_entry_runtime(x, cr4, &a);
		hv_cpuid_entry_runtime(x, cr4, &b);
		if (a.function != b.function || a.index != b.index ||
		    a.flags != b.flags || a.eax != b.eax ||
		    a.ebx != b.ebx || a.ecx != b.ecx || a.edx != b.edx)
			return false;
	}
	return true;
}

/*
 * As KVM since 5.16: once the vCPU has run, its CPUID is fixed and only
 * the same table is accepted again (what a VMM restoring state does).
 */
int x86_set_cpuid2(struct x86_vcpu *x, unsigned long cr4,
		   struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 *ent = NULL;
	struct kvm_cpuid2 c;

	if (copy_from_user(&c, ucpuid, sizeof(c)))
		return -EFAULT;
	if (c.nent > X86_MAX_CPUID_ENTRIES) {
		hvmod_reject("KVM_SET_CPUID2: %u entries, at most %d",
			     c.nent, X86_MAX_CPUID_ENTRIES);
		return -E2BIG;
	}
	if (c.nent) {
		ent = vmemdup_user(ucpuid->entries, c.nent * sizeof(*ent));
		if (IS_ERR(ent))
			return PTR_ERR(ent);
	}
	if (x->entered) {
		bool same = hv_cpuid_same(x, cr4, ent, c.nent);

		kvfree(ent);
		if (same)
			return 0;
		hvmod_reject("KVM_SET_CPUID2: the vCPU has run, its CPUID can no longer change");
		return -EINVAL;
	}
	kvfree(x->cpuid);
	x->cpuid = ent;
	x->cpuid_nent = c.nent;
	return 0;
}

/* The table with the run-time bits, as KVM's updated table reads. */
int x86_get_cpuid2(struct x86_vcpu *x, unsigned long cr4,
		   struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 e;
	struct kvm_cpuid2 c;
	u32 i;

	if (copy_from_user(&c, ucpuid, sizeof(c)))
		return -EFAULT;
	if (c.nent < x->cpuid_nent) {
		c.nent = x->cpuid_nent;
		return copy_to_user(ucpuid, &c, sizeof(c)) ? -EFAULT : -E2BIG;
	}
	c.nent = x->cpuid_nent;
	if (copy_to_user(ucpuid, &c, sizeof(c)))
		return -EFAULT;
	for (i = 0; i < x->cpuid_nent; i++) {
		e = x->cpuid[i];
		hv_cpuid_entry_runtime(x, cr4, &e);
		if (copy_to_user(&ucpuid->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	return 0;
}

/* The vCPU's table entry fn.idx; false (and zeros) if it has none. */
bool x86_cpuid(const struct x86_vcpu *x, u32 fn, u32 idx, u32 out[4])
{
	const struct kvm_cpuid_entry2 *e;
	u32 i;

	memset(out, 0, 4 * sizeof(*out));
	for (i = 0; i < x->cpuid_nent; i++) {
		e = &x->cpuid[i];
		if (e->function != fn)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != idx)
			continue;
		out[0] = e->eax;
		out[1] = e->ebx;
		out[2] = e->ecx;
		out[3] = e->edx;
		return true;
	}
	return false;
}

/*
 * XSAVE for CR4.OSXSAVE: as KVM, a vCPU without a CPUID table yet gets
 * what the host supports, one with a table what the table says.
 */
bool x86_guest_has_xsave(const struct x86_vcpu *x)
{
	u32 out[4];

	if (!x86_supported_xcr0())
		return false;
	if (!x->cpuid_nent)
		return true;
	return x86_cpuid(x, 1, 0, out) && (out[2] & HV_1_ECX_XSAVE);
}

/* A guest CPUID instruction: the table entry with the run-time bits. */
void x86_guest_cpuid(const struct x86_vcpu *x, unsigned long cr4, u32 fn,
		     u32 idx, u32 out[4])
{
	if (x86_cpuid(x, fn, idx, out))
		hv_cpuid_runtime(x, cr4, fn, idx, out);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's XSAVE state, as KVM keeps it: its XCR0 (XSETBV exits,
 * KVM_GET/SET_XCRS), loaded into the CPU around each guest entry (KVM's
 * kvm_load_guest/host_xsave_state), and the XSAVE image of the guest FPU
 * (KVM_GET/SET_XSAVE).  Offered: x87, SSE and AVX (YMM) state where the
 * host has it enabled; no XSS, no AVX-512, no dynamic (AMX) state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include "x86.h"

/* XCR0 of this CPU while hvmod is on (read in x86_cpu_enable()). */
static DEFINE_PER_CPU(u64, x86_host_xcr0);

void x86_xsave_cpu_enable(void)
{
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		this_cpu_write(x86_host_xcr0,
			       xgetbv(XCR_XFEATURE_ENABLED_MASK));
}

/* The XCR0 bits any guest may get: KVM_GET_SUPPORTED_CPUID's 0xD.0. */
u64 x86_supported_xcr0(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	return xgetbv(XCR_XFEATURE_ENABLED_MASK) & X86_XCR0_OFFERED;
}

/* This vCPU's: its CPUID 0xD.0 within the supported (KVM's guest_supported_xcr0). */
static u64 x86_guest_xcr0_mask(const struct x86_vcpu *x)
{
	u32 d[4];

	if (!x86_cpuid(x, 0xd, 0, d))
		return 0;
	return ((u64)d[3] << 32 | d[0]) & x86_supported_xcr0();
}

/*
 * Size of an XSAVE image holding the components in xcr0, standard or
 * compacted format, from the host's CPUID 0xD sub-leaves (the guest's
 * are the host's for every offered component).
 */
u32 x86_xstate_size(u64 xcr0, bool compacted)
{
	u32 size = 512 + 64, eax, ebx, ecx, edx, off;
	unsigned int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		if (compacted)
			off = (ecx & 2) ? ALIGN(size, 64) : size;
		else
			off = ebx;
		size = max(size, off + eax);
	}
	return size;
}

/* KVM's __kvm_set_xcr(): 0, or -EINVAL for what XSETBV would #GP on. */
int x86_set_xcr(struct x86_vcpu *x, u32 index, u64 xcr0)
{
	u64 valid = x86_guest_xcr0_mask(x) | XFEATURE_MASK_FP;

	if (index != XCR_XFEATURE_ENABLED_MASK)
		return -EINVAL;
	if (!(xcr0 & XFEATURE_MASK_FP) || (xcr0 & ~valid))
		return -EINVAL;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return -EINVAL;
	x->xcr0 = xcr0;
	return 0;
}

/* A guest XSETBV (ECX: index, EDX:EAX: value); -EINVAL means #GP(0). */
int x86_emulate_xsetbv(struct x86_vcpu *x, unsigned int cpl)
{
	u64 val = (u32)x->gpr[X86_RAX] | (u64)(u32)x->gpr[X86_RDX] << 32;

	if (cpl)
		return -EINVAL;
	return x86_set_xcr(x, x->gpr[X86_RCX], val);
}

/*
 * With IRQs off, right before the guest runs: its XCR0 into the CPU.
 * Unlike KVM this does not wait for the guest's CR4.OSXSAVE: the SVM
 * backend does not intercept CR4 writes, so a guest may set OSXSAVE and
 * run XGETBV/XSAVE without an exit in between; it must find its own XCR0.
 */
void x86_load_guest_xcr0(struct x86_vcpu *x)
{
	if (boot_cpu_has(X86_FEATURE_XSAVE) &&
	    x->xcr0 != this_cpu_read(x86_host_xcr0))
		xsetbv(XCR_XFEATURE_ENABLED_MASK, x->xcr0);
}

/*
 * Right after the exit, IRQs still off, before the host touches its FPU.
 * The CPU's XCR0 is read rather than assumed to be x->xcr0: QEMU 7.2's
 * TCG does not implement the SVM XSETBV intercept and runs a guest's
 * XSETBV itself (checked against its own CPUID).  What the guest set
 * that way is its XCR0 from now on; the host's goes back either way.
 */
void x86_load_host_xcr0(struct x86_vcpu *x)
{
	u64 host = this_cpu_read(x86_host_xcr0), cur;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return;
	cur = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	x->xcr0 = cur;
	if (cur != host)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host);
}

static long x86_get_xcrs(struct x86_vcpu *x, struct kvm_xcrs __user *uxcrs)
{
	struct kvm_xcrs xcrs;

	memset(&xcrs, 0, sizeof(xcrs));
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		xcrs.nr_xcrs = 1;
		xcrs.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
		xcrs.xcrs[0].value = x->xcr0;
	}
	return copy_to_user(uxcrs, &xcrs, sizeof(xcrs)) ? -EFAULT : 0;
}

/* As KVM: only XCR0 is looked at, the first entry for it counts. */
static long x86_set_xcrs(struct x86_vcpu *x, struct kvm_xcrs __user *uxcrs)
{
	struct kvm_xcrs xcrs;
	unsigned int i;

	if (!boot_cpu_has(X86_FEATURE_XSAVE)) {
		hvmod_reject("KVM_SET_XCRS: the host has no XSAVE");
		return -EINVAL;
	}
	if (copy_from_user(&xcrs, uxcrs, sizeof(xcrs)))
		return -EFAULT;
	if (xcrs.nr_xcrs > KVM_MAX_XCRS || xcrs.flags) {
		hvmod_reject("KVM_SET_XCRS: nr_xcrs %u (at most %d), flags 0x%x",
			     xcrs.nr_xcrs, KVM_MAX_XCRS, xcrs.flags);
		return -EINVAL;
	}
	for (i = 0; i < xcrs.nr_xcrs; i++) {
		if (xcrs.xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK)
			continue;
		if (x86_set_xcr(x, XCR_XFEATURE_ENABLED_MASK,
				xcrs.xcrs[i].value)) {
			hvmod_reject("KVM_SET_XCRS: XCR0 0x%llx invalid for this vCPU (allowed 0x%llx)",
				     xcrs.xcrs[i].value,
				     x86_guest_xcr0_mask(x) | XFEATURE_MASK_FP);
			return -EINVAL;
		}
		break;
	}
	return 0;
}

/*
 * The guest FPU in the standard XSAVE layout (an FXSAVE image on hosts
 * without XSAVE), components limited to what the vCPU's CPUID allows,
 * as KVM's KVM_GET_XSAVE.
 */
static long x86_get_xsave(struct x86_vcpu *x, void __user *uxsave)
{
	struct kvm_xsave *xs = kzalloc(sizeof(*xs), GFP_KERNEL_ACCOUNT);
	long r;

	if (!xs)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&x->fpu, xs->region,
				       sizeof(xs->region),
				       x86_guest_xcr0_mask(x) |
				       XFEATURE_MASK_FPSSE, 0);
	r = copy_to_user(uxsave, xs, sizeof(*xs)) ? -EFAULT : 0;
	kfree(xs);
	return r;
}

/*
 * The kernel checks the image (XSTATE_BV within the supported XCR0,
 * reserved header and MXCSR bits) and copies it into the guest fpstate.
 * PKRU is not offered: a PKRU in the image is dropped.
 */
static long x86_set_xsave(struct x86_vcpu *x, void __user *uxsave)
{
	struct kvm_xsave *xs;
	u32 pkru = 0;
	long r;

	xs = memdup_user(uxsave, sizeof(*xs));
	if (IS_ERR(xs))
		return PTR_ERR(xs);
	r = fpu_copy_uabi_to_guest_fpstate(&x->fpu, xs->region,
					   x86_supported_xcr0() |
					   XFEATURE_MASK_FPSSE, &pkru);
	if (r)
		hvmod_reject("KVM_SET_XSAVE: XSTATE_BV 0x%llx (supported 0x%llx), reserved header or MXCSR bits: %ld",
			     *(u64 *)&xs->region[512 / 4],
			     x86_supported_xcr0() | XFEATURE_MASK_FPSSE, r);
	kfree(xs);
	return r;
}

/* The vCPU ioctls of this file; -ENOTTY for others. */
long x86_xsave_ioctl(struct x86_vcpu *x, unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_XSAVE:
		return x86_get_xsave(x, argp);
	case KVM_SET_XSAVE:
		return x86_set_xsave(x, argp);
	case KVM_GET_XCRS:
		return x86_get_xcrs(x, argp);
	case KVM_SET_XCRS:
		return x86_set_xcrs(x, argp);
	default:
		return -ENOTTY;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM x86 vCPU register ABI, shared by SVM and VMX: GET/SET_REGS,
 * GET/SET_SREGS (with KVM's validity rules), GET/SET_FPU, CPUID2, MSRS,
 * GET_TSC_KHZ, GET/SET_DEBUGREGS, and the guest FPU that is swapped in
 * for KVM_RUN (its XSAVE state: x86_xsave.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>
#include "x86_lapic.h"

/* vcpu->arch points to the backend's vCPU, x its first member */
int x86_vcpu_init(struct x86_vcpu *x, struct hvmod_vcpu *vcpu)
{
	struct x86_vm *xvm = vcpu->vm->arch;
	int r;

	if (!fpu_alloc_guest_fpstate(&x->fpu))
		return -ENOMEM;
	/* As KVM: xAPIC enabled at the architectural base; vCPU 0 is the BSP. */
	x->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
		       (vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
	x->misc_enable = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
			 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;
	x->pending_irq = -1;
	x->dr6 = X86_DR6_INIT;		/* as at reset */
	x->dr7 = X86_DR7_INIT;
	x->xcr0 = XFEATURE_MASK_FP;	/* at reset */
	x86_mce_reset(x);
	/* KVM_CREATE_IRQCHIP is refused once vCPUs exist: no race here */
	if (READ_ONCE(xvm->irqchip)) {
		r = x86_lapic_create(vcpu);
		if (r)
			return r;
	}
	return 0;
}

void x86_vcpu_destroy(struct x86_vcpu *x)
{
	x86_lapic_destroy(x);
	if (x->fpu.fpstate)
		fpu_free_guest_fpstate(&x->fpu);
	kfree(x->cpuid);
	x->cpuid = NULL;
}

/* KVM_RUN keeps the guest's FPU in the registers (and the task's fpstate). */
void x86_vcpu_load(struct x86_vcpu *x)
{
	fpu_swap_kvm_fpstate(&x->fpu, true);
}

void x86_vcpu_put(struct x86_vcpu *x)
{
	fpu_swap_kvm_fpstate(&x->fpu, false);
}

/*
 * The host's TSC_AUX on each CPU (Linux writes its getcpu() value there
 * once, at CPU bring-up), read when hvmod turns the CPU on rather than on
 * every entry.
 */
static DEFINE_PER_CPU(u64, x86_host_tsc_aux);

/* Part of each backend's cpu_enable: on that CPU, preemption off. */
void x86_cpu_enable(void)
{
	if (boot_cpu_has(X86_FEATURE_RDTSCP))
		rdmsrl(MSR_TSC_AUX, *this_cpu_ptr(&x86_host_tsc_aux));
	x86_xsave_cpu_enable();
}

/*
 * Called with IRQs off right before the guest is entered.  A preemption
 * or a kernel_fpu_begin() since x86_vcpu_load() may have left another
 * context's FPU state in the registers (TIF_NEED_FPU_LOAD): the guest
 * must not run on it, nor write it back into that context's registers.
 * Pending task work (a signal, a reschedule) goes first: false means
 * "do not enter, return to the run loop", as in KVM's vcpu_enter_guest().
 * RDTSCP in the guest reads TSC_AUX directly: the guest's value goes in
 * here and the host's (its CPU number for getcpu()) comes back in
 * x86_after_exit(), both with IRQs off; so do the guest's and host's
 * XCR0.
 */
bool x86_enter_ok(struct x86_vcpu *x)
{
	lockdep_assert_irqs_disabled();
	if (signal_pending(current) || need_resched())
		return false;
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	if (boot_cpu_has(X86_FEATURE_RDTSCP) &&
	    x->tsc_aux != this_cpu_read(x86_host_tsc_aux))
		wrmsrl(MSR_TSC_AUX, x->tsc_aux);
	x86_load_guest_xcr0(x);
	if (x->apic) {
		/* pairs with x86_lapic_kick(): see struct x86_lapic */
		smp_store_mb(x->apic->in_guest, 1);
		if (atomic_read(&x->apic->event)) {
			WRITE_ONCE(x->apic->in_guest, 0);
			x86_load_host_xcr0(x);
			return false;
		}
	}
	return true;
}

/* Right after the exit, IRQs still off: the host's XCR0 and TSC_AUX back. */
void x86_after_exit(struct x86_vcpu *x)
{
	u64 host = this_cpu_read(x86_host_tsc_aux);

	if (x->apic)
		WRITE_ONCE(x->apic->in_guest, 0);
	x->entered = true;
	x86_load_host_xcr0(x);
	if (boot_cpu_has(X86_FEATURE_RDTSCP) && x->tsc_aux != host)
		wrmsrl(MSR_TSC_AUX, host);
}

/* The data of an IN that userspace completed, into RAX as the CPU would. */
void x86_complete_pio_in(struct x86_vcpu *x, const void *data)
{
	unsigned long *rax = &x->gpr[X86_RAX];

	switch (x->pio_in_size) {
	case 1:
		*rax = (*rax & ~0xffUL) | *(const u8 *)data;
		break;
	case 2:
		*rax = (*rax & ~0xffffUL) | *(const u16 *)data;
		break;
	case 4:
		*rax = *(const u32 *)data;	/* 32-bit writes zero-extend */
		break;
	}
	x->pio_in_size = 0;
}

static void x86_get_regs(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			 struct kvm_regs *r)
{
	const unsigned long *g = to_x86(vcpu)->gpr;

	r->rax = g[X86_RAX]; r->rbx = g[X86_RBX];
	r->rcx = g[X86_RCX]; r->rdx = g[X86_RDX];
	r->rsi = g[X86_RSI]; r->rdi = g[X86_RDI];
	r->rsp = g[X86_RSP]; r->rbp = g[X86_RBP];
	r->r8 = g[X86_R8];   r->r9 = g[X86_R9];
	r->r10 = g[X86_R10]; r->r11 = g[X86_R11];
	r->r12 = g[X86_R12]; r->r13 = g[X86_R13];
	r->r14 = g[X86_R14]; r->r15 = g[X86_R15];
	r->rip = ops->get_rip(vcpu);
	r->rflags = ops->get_rflags(vcpu);
}

static void x86_set_regs(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			 const struct kvm_regs *r)
{
	unsigned long *g = to_x86(vcpu)->gpr;

	g[X86_RAX] = r->rax; g[X86_RBX] = r->rbx;
	g[X86_RCX] = r->rcx; g[X86_RDX] = r->rdx;
	g[X86_RSI] = r->rsi; g[X86_RDI] = r->rdi;
	g[X86_RSP] = r->rsp; g[X86_RBP] = r->rbp;
	g[X86_R8] = r->r8;   g[X86_R9] = r->r9;
	g[X86_R10] = r->r10; g[X86_R11] = r->r11;
	g[X86_R12] = r->r12; g[X86_R13] = r->r13;
	g[X86_R14] = r->r14; g[X86_R15] = r->r15;
	ops->set_rip(vcpu, r->rip);
	/* bit 1 is always set, as KVM does */
	ops->set_rflags(vcpu, r->rflags | X86_EFLAGS_FIXED);
}

/* KVM's rules (kvm_is_valid_sregs): reject what the CPU could not hold. */
static int x86_check_sregs(const struct x86_vcpu *x, const struct kvm_sregs *s)
{
	const u64 efer_ok = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	u64 cr4_ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD |
		     X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE |
		     X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |
		     X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	/*
	 * As KVM: a feature's CR4 bit only if the host (and so
	 * KVM_GET_SUPPORTED_CPUID) has the feature.
	 */
	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		cr4_ok |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_PCID))
		cr4_ok |= X86_CR4_PCIDE;
	if (boot_cpu_has(X86_FEATURE_SMEP))
		cr4_ok |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP))
		cr4_ok |= X86_CR4_SMAP;
	/* and, as KVM's kvm_is_valid_cr4(), only if the vCPU's CPUID has it */
	if (x86_guest_has_xsave(x))
		cr4_ok |= X86_CR4_OSXSAVE;

	if (s->cr0 >> 32 || ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)) ||
	    ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE))) {
		hvmod_reject("KVM_SET_SREGS: invalid CR0 0x%llx", s->cr0);
		return -EINVAL;
	}
	if (s->cr4 & ~cr4_ok) {
		hvmod_reject("KVM_SET_SREGS: CR4 0x%llx has reserved or unsupported bits",
			     s->cr4);
		return -EINVAL;
	}
	if (s->efer & ~efer_ok) {
		hvmod_reject("KVM_SET_SREGS: EFER 0x%llx has reserved or unsupported bits",
			     s->efer);
		return -EINVAL;
	}
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA)) {
			hvmod_reject("KVM_SET_SREGS: long mode needs CR4.PAE and EFER.LMA");
			return -EINVAL;
		}
		if (s->cr3 >> boot_cpu_data.x86_phys_bits) {
			hvmod_reject("KVM_SET_SREGS: CR3 0x%llx beyond the physical address width",
				     s->cr3);
			return -EINVAL;
		}
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		hvmod_reject("KVM_SET_SREGS: EFER.LMA or CS.L outside long mode");
		return -EINVAL;
	}
	if (!x86_apic_base_valid(s->apic_base)) {
		hvmod_reject("KVM_SET_SREGS: APIC base 0x%llx has reserved bits (or x2APIC)",
			     s->apic_base);
		return -EINVAL;
	}
	return 0;
}

/* struct kvm_fpu is the legacy FXSAVE image, as KVM fills it. */
static void x86_get_fpu(struct x86_vcpu *x, struct kvm_fpu *f)
{
	const struct fxregs_state *fx = &x->fpu.fpstate->regs.fxsave;

	memset(f, 0, sizeof(*f));
	memcpy(f->fpr, fx->st_space, 128);
	f->fcw = fx->cwd;
	f->fsw = fx->swd;
	f->ftwx = fx->twd;
	f->last_opcode = fx->fop;
	f->last_ip = fx->rip;
	f->last_dp = fx->rdp;
	memcpy(f->xmm, fx->xmm_space, sizeof(f->xmm));
	f->mxcsr = fx->mxcsr;
}

static void x86_set_fpu(struct x86_vcpu *x, const struct kvm_fpu *f)
{
	struct fxregs_state *fx = &x->fpu.fpstate->regs.fxsave;

	memcpy(fx->st_space, f->fpr, 128);
	fx->cwd = f->fcw;
	fx->swd = f->fsw;
	fx->twd = f->ftwx;
	fx->fop = f->last_opcode;
	fx->rip = f->last_ip;
	fx->rdp = f->last_dp;
	memcpy(fx->xmm_space, f->xmm, sizeof(f->xmm));
	fx->mxcsr = f->mxcsr;
	/* XRSTOR loads x87/SSE from this image only if the header says so */
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		x->fpu.fpstate->regs.xsave.header.xfeatures |=
			XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
}

/*
 * KVM_GET/SET_DEBUGREGS: the copies MOV DR is emulated on (x86_emulate.c).
 * As KVM: no flags, DR6/DR7 bits 63:32 are reserved (EINVAL).
 */
static long x86_get_debugregs(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_debugregs d;

	memset(&d, 0, sizeof(d));
	memcpy(d.db, x->db, sizeof(d.db));
	d.dr6 = x->dr6;
	d.dr7 = x->dr7;
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

static long x86_set_debugregs(struct x86_vcpu *x, void __user *argp)
{
	struct kvm_debugregs d;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags || d.dr6 >> 32 || d.dr7 >> 32) {
		hvmod_reject("KVM_SET_DEBUGREGS: flags 0x%llx, DR6 0x%llx, DR7 0x%llx: reserved bits",
			     d.flags, d.dr6, d.dr7);
		return -EINVAL;
	}
	memcpy(x->db, d.db, sizeof(x->db));
	x->dr6 = d.dr6;
	x->dr7 = d.dr7;
	return 0;
}

/*
 * KVM_CHECK_EXTENSION answers of both x86 backends (the guest ABI is
 * shared); -1: the generic core answers.
 */
int x86_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_GET_TSC_KHZ:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_ENABLE_CAP_VM:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_INTR_SHADOW:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_MMU_SHADOW_CACHE_CONTROL:
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_SIGNAL_MSI:
	/* LAPIC, IOAPIC, 8259 pair: QEMU's default kernel-irqchip=on */
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_PIT:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_REINJECT_CONTROL:
		return 1;
	/* as KVM: the number of GSI routes (QEMU sizes its GSI map on it) */
	case KVM_CAP_IRQ_ROUTING:
		return X86_MAX_IRQ_ROUTES;
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
		return boot_cpu_has(X86_FEATURE_XSAVE);
	default:
		return -1;
	}
}

/*
 * VM ioctls shared by SVM and VMX.  KVM_ENABLE_CAP: only KVM_CAP_MAX_VCPU_ID
 * (lower the vCPU id limit before the first vCPU; set once); other caps
 * EINVAL, as KVM answers for a cap it cannot enable.
 */
long x86_vm_ioctl(struct hvmod_vm *vm, unsigned int ioctl, unsigned long arg)
{
	struct kvm_enable_cap cap;
	long r;

	switch (ioctl) {
	case KVM_ENABLE_CAP:
		if (copy_from_user(&cap, (void __user *)arg, sizeof(cap)))
			return -EFAULT;
		if (cap.flags || cap.cap != KVM_CAP_MAX_VCPU_ID) {
			hvmod_reject("KVM_ENABLE_CAP: cap %u flags 0x%x not supported",
				     cap.cap, cap.flags);
			return -EINVAL;
		}
		if (cap.args[0] > HVMOD_MAX_VCPUS) {
			hvmod_reject("KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID): %llu above %d",
				     cap.args[0], HVMOD_MAX_VCPUS);
			return -EINVAL;
		}
		mutex_lock(&vm->lock);
		r = 0;
		if (!vm->max_vcpu_ids)
			vm->max_vcpu_ids = cap.args[0];
		else if (vm->max_vcpu_ids != cap.args[0])
			r = -EINVAL;
		mutex_unlock(&vm->lock);
		if (r)
			hvmod_reject("KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID): already %u",
				     vm->max_vcpu_ids);
		return r;
	default:
		return x86_vm_addr_ioctl(vm, ioctl, arg);
	}
}

long x86_vcpu_ioctl(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		    unsigned int ioctl, unsigned long arg)
{
	struct x86_vcpu *x = to_x86(vcpu);
	void __user *argp = (void __user *)arg;
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_fpu fpu;
		struct kvm_interrupt irq;
		struct kvm_mp_state mp;
	} u;
	long r;

	r = x86_irqchip_vcpu_ioctl(vcpu, ops, ioctl, argp);
	if (r != -ENOTTY)
		return r;
	switch (ioctl) {
	case KVM_GET_REGS:
		x86_get_regs(vcpu, ops, &u.regs);
		return copy_to_user(argp, &u.regs, sizeof(u.regs)) ? -EFAULT : 0;
	case KVM_SET_REGS:
		if (copy_from_user(&u.regs, argp, sizeof(u.regs)))
			return -EFAULT;
		x86_set_regs(vcpu, ops, &u.regs);
		return 0;
	case KVM_GET_SREGS:
		memset(&u.sregs, 0, sizeof(u.sregs));
		ops->get_sregs(vcpu, &u.sregs);
		u.sregs.apic_base = x->apic_base;
		if (x->pending_irq >= 0)
			__set_bit(x->pending_irq,
				  (unsigned long *)u.sregs.interrupt_bitmap);
		return copy_to_user(argp, &u.sregs, sizeof(u.sregs)) ?
		       -EFAULT : 0;
	case KVM_SET_SREGS:
		if (copy_from_user(&u.sregs, argp, sizeof(u.sregs)))
			return -EFAULT;
		r = x86_check_sregs(x, &u.sregs);
		if (r)
			return r;
		ops->set_sregs(vcpu, &u.sregs);
		x->apic_base = u.sregs.apic_base;
		return 0;
	case KVM_GET_FPU:
		x86_get_fpu(x, &u.fpu);
		return copy_to_user(argp, &u.fpu, sizeof(u.fpu)) ? -EFAULT : 0;
	case KVM_SET_FPU:
		if (copy_from_user(&u.fpu, argp, sizeof(u.fpu)))
			return -EFAULT;
		/* reserved MXCSR bits would fault when the state is loaded */
		if (u.fpu.mxcsr >> 16) {
			hvmod_reject("KVM_SET_FPU: MXCSR 0x%x has reserved bits",
				     u.fpu.mxcsr);
			return -EINVAL;
		}
		x86_set_fpu(x, &u.fpu);
		return 0;
	case KVM_SET_CPUID2:
	case KVM_GET_CPUID2:
		/* CR4 for the bits KVM keeps up to date in the table */
		ops->get_sregs(vcpu, &u.sregs);
		return ioctl == KVM_SET_CPUID2 ?
		       x86_set_cpuid2(x, u.sregs.cr4, argp) :
		       x86_get_cpuid2(x, u.sregs.cr4, argp);
	case KVM_GET_MSRS:
		return x86_msrs_ioctl(vcpu, ops, false, argp);
	case KVM_SET_MSRS:
		return x86_msrs_ioctl(vcpu, ops, true, argp);
	case KVM_GET_TSC_KHZ:
		return tsc_khz;
	/*
	 * No in-kernel LAPIC: as in KVM without one, HLT exits to userspace
	 * and INIT/SIPI are userspace's, so a vCPU is always RUNNABLE.
	 */
	case KVM_GET_MP_STATE:
		u.mp.mp_state = KVM_MP_STATE_RUNNABLE;
		return copy_to_user(argp, &u.mp, sizeof(u.mp)) ? -EFAULT : 0;
	case KVM_SET_MP_STATE:
		if (copy_from_user(&u.mp, argp, sizeof(u.mp)))
			return -EFAULT;
		if (u.mp.mp_state != KVM_MP_STATE_RUNNABLE) {
			hvmod_reject("KVM_SET_MP_STATE: state %u needs an in-kernel LAPIC",
				     u.mp.mp_state);
			return -EINVAL;
		}
		return 0;
	case KVM_INTERRUPT:
		if (copy_from_user(&u.irq, argp, sizeof(u.irq)))
			return -EFAULT;
		if (u.irq.irq >= 256) {
			hvmod_reject("KVM_INTERRUPT: vector %u out of range",
				     u.irq.irq);
			return -EINVAL;
		}
		if (x->pending_irq >= 0) {
			hvmod_reject("KVM_INTERRUPT: vector %d still pending",
				     x->pending_irq);
			return -EEXIST;
		}
		x->pending_irq = u.irq.irq;
		return 0;
	case KVM_GET_DEBUGREGS:
		return x86_get_debugregs(x, argp);
	case KVM_SET_DEBUGREGS:
		return x86_set_debugregs(x, argp);
	default:
		r = x86_events_ioctl(vcpu, ops, ioctl, argp);
		if (r != -ENOTTY)
			return r;
		return x86_xsave_ioctl(x, ioctl, argp);
	}
}

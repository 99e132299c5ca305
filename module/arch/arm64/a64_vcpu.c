// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 vCPUs: reset state, the KVM arm64 register ABI (KVM_ARM_VCPU_INIT,
 * KVM_GET/SET_ONE_REG, KVM_GET_REG_LIST) and one guest entry.
 *
 * Entry, with every DAIF bit masked and the FP/SIMD unit claimed through
 * kernel_neon_begin() (which saves the task's user FP/SVE state and keeps
 * preemption and softirqs off until kernel_neon_end()):
 *   host registers the guest shares or that hvmod changes are saved,
 *   the guest's EL1 registers are written through the *_EL12 aliases,
 *   VTCR/VTTBR (VMID + stage-2 root), MDCR/CPTR/HCR get the guest's traps,
 *   a64_enter() ERETs into the guest and returns on its next exception;
 * then everything is put back in the reverse order and the exit decoded
 * (a64_exit.c) once interrupts are on again: a host IRQ that made the
 * guest exit is taken by the host right there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": arm64: " fmt

#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/daifflags.h>
#include <asm/kvm_arm.h>
#include <asm/neon.h>
#include <asm/sysreg.h>
#include <asm/tlbflush.h>
#include "a64.h"

/* EL12 aliases <asm/sysreg.h> lacks in 6.1 */
#define A64_SYS_CPACR_EL12	sys_reg(3, 5, 1, 0, 2)
#define A64_SYS_FAR_EL12	sys_reg(3, 5, 6, 0, 0)
#define A64_SYS_CONTEXTIDR_EL12	sys_reg(3, 5, 13, 0, 1)
/* PSTATE fields as registers */
#define A64_SYS_PAN		sys_reg(3, 0, 4, 2, 3)
#define A64_SYS_DIT		sys_reg(3, 3, 4, 2, 5)

/* HCR_EL2 while a guest runs: stage 2 on, AArch64 EL1, traps, E2H kept */
#define A64_HCR_GUEST	(HCR_VM | HCR_SWIO | HCR_PTW | HCR_BSU_IS | HCR_FB | \
			 HCR_AMO | HCR_IMO | HCR_FMO | HCR_TSC | HCR_TACR | \
			 HCR_TIDCP | HCR_TWI | HCR_TWE | HCR_TLOR | HCR_RW | \
			 HCR_E2H)
/* MDCR_EL2 traps added for guests: debug, OS lock, PMU */
#define A64_MDCR_GUEST	(MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA | \
			 MDCR_EL2_TPM | MDCR_EL2_TPMCR)
/*
 * CPTR_EL2 in its E2H (CPACR) layout: FP/SIMD free for the guest (its
 * state is switched), SVE and SME trapped (not switched), trace and
 * activity monitors trapped.
 */
#define A64_CPTR_FPEN		(3UL << 20)
#define A64_CPTR_TTA		BIT(28)
#define A64_CPTR_TAM		BIT(30)
#define A64_CPTR_GUEST		(A64_CPTR_FPEN | A64_CPTR_TTA | A64_CPTR_TAM)

/* SCTLR_EL1 at reset: the RES1 bits of ARMv8.0 */
#define A64_SCTLR_RESET		(BIT(29) | BIT(28) | BIT(23) | BIT(22) | \
				 BIT(20) | BIT(11))
#define A64_PSTATE_RESET	(PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | \
				 PSR_I_BIT | PSR_F_BIT)

/* Host state a guest run changes. */
struct a64_host {
	u64 hcr, mdcr, cptr;
	u64 tpidr_el0, tpidrro_el0, tpidr_el1, par, csselr;
	u64 pan, dit;
};

static bool a64_has_pan, a64_has_dit;

static void a64_features_once(void)
{
	static bool done;

	if (done)
		return;
	a64_has_pan = (read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf;
	a64_has_dit = (read_sysreg(id_aa64pfr0_el1) >> 48) & 0xf;
	done = true;
}

/* MPIDR_EL1 for vCPU id (as KVM: Aff0 = id[3:0], Aff1 = id[11:4]) */
u64 a64_mpidr_of(u32 id)
{
	return BIT(31) | ((u64)(id & 0xf)) | ((u64)((id >> 4) & 0xff) << 8) |
	       ((u64)((id >> 12) & 0xff) << 16);
}

/* Architectural reset as KVM_ARM_VCPU_INIT does it. */
void a64_vcpu_reset(struct a64_vcpu *v)
{
	u32 id = v->vcpu->id;

	memset(&v->ctx, 0, sizeof(v->ctx));
	memset(&v->fp, 0, sizeof(v->fp));
	memset(v->sys, 0, sizeof(v->sys));
	v->sp_el1 = 0;
	v->elr_el1 = 0;
	memset(v->spsr, 0, sizeof(v->spsr));
	memset(&v->mmio, 0, sizeof(v->mmio));
	v->ctx.pstate = A64_PSTATE_RESET;
	v->sys[A64_SCTLR] = A64_SCTLR_RESET;
	v->sys[A64_MPIDR] = a64_mpidr_of(id);
}

int a64_vcpu_init(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);

	if (!v)
		return -ENOMEM;
	a64_features_once();
	vcpu->arch = v;
	v->vcpu = vcpu;
	spin_lock_init(&v->power_lock);
	init_waitqueue_head(&v->wq);
	v->tlb_gen = atomic64_read(&vcpu->vm->tlb_gen);
	a64_vcpu_reset(v);
	return 0;
}

void a64_vcpu_destroy(struct hvmod_vcpu *vcpu)
{
	kfree(vcpu->arch);
	vcpu->arch = NULL;
}

/* ---- the world switch ---------------------------------------------- */

static void a64_load(struct a64_vcpu *v, struct a64_vm *avm,
		     struct a64_host *h)
{
	const u64 *s = v->sys;

	h->hcr = read_sysreg(hcr_el2);
	h->mdcr = read_sysreg(mdcr_el2);
	h->cptr = read_sysreg(cpacr_el1);	/* CPTR_EL2 under VHE */
	h->tpidr_el0 = read_sysreg(tpidr_el0);
	h->tpidrro_el0 = read_sysreg(tpidrro_el0);
	h->tpidr_el1 = read_sysreg(tpidr_el1);
	h->par = read_sysreg(par_el1);
	h->csselr = read_sysreg(csselr_el1);
	if (a64_has_pan)
		h->pan = read_sysreg_s(A64_SYS_PAN);
	if (a64_has_dit)
		h->dit = read_sysreg_s(A64_SYS_DIT);

	write_sysreg_s(s[A64_SCTLR], SYS_SCTLR_EL12);
	write_sysreg_s(s[A64_CPACR], A64_SYS_CPACR_EL12);
	write_sysreg_s(s[A64_TTBR0], SYS_TTBR0_EL12);
	write_sysreg_s(s[A64_TTBR1], SYS_TTBR1_EL12);
	write_sysreg_s(s[A64_TCR], SYS_TCR_EL12);
	write_sysreg_s(s[A64_ESR], SYS_ESR_EL12);
	write_sysreg_s(s[A64_AFSR0], SYS_AFSR0_EL12);
	write_sysreg_s(s[A64_AFSR1], SYS_AFSR1_EL12);
	write_sysreg_s(s[A64_FAR], A64_SYS_FAR_EL12);
	write_sysreg_s(s[A64_MAIR], SYS_MAIR_EL12);
	write_sysreg_s(s[A64_AMAIR], SYS_AMAIR_EL12);
	write_sysreg_s(s[A64_VBAR], SYS_VBAR_EL12);
	write_sysreg_s(s[A64_CONTEXTIDR], A64_SYS_CONTEXTIDR_EL12);
	write_sysreg_s(s[A64_CNTKCTL], SYS_CNTKCTL_EL12);
	write_sysreg_s(v->elr_el1, SYS_ELR_EL12);
	write_sysreg_s(v->spsr[0], SYS_SPSR_EL12);
	write_sysreg(v->sp_el1, sp_el1);
	write_sysreg(s[A64_TPIDR_EL1], tpidr_el1);
	write_sysreg(s[A64_PAR], par_el1);
	write_sysreg(s[A64_CSSELR], csselr_el1);
	write_sysreg(s[A64_TPIDR_EL0], tpidr_el0);
	write_sysreg(s[A64_TPIDRRO_EL0], tpidrro_el0);
	write_sysreg(s[A64_MPIDR], vmpidr_el2);
	write_sysreg(a64_midr, vpidr_el2);
	write_sysreg(avm->cntvoff, cntvoff_el2);
	write_sysreg_s(s[A64_CNTV_CVAL], SYS_CNTV_CVAL_EL02);
	write_sysreg_s(s[A64_CNTV_CTL], SYS_CNTV_CTL_EL02);

	write_sysreg(a64_vtcr, vtcr_el2);
	write_sysreg(avm->vttbr, vttbr_el2);
	write_sysreg((h->mdcr | A64_MDCR_GUEST) & ~MDCR_EL2_TDE, mdcr_el2);
	write_sysreg(A64_CPTR_GUEST, cpacr_el1);
	write_sysreg(A64_HCR_GUEST, hcr_el2);
	isb();
}

static void a64_put(struct a64_vcpu *v, struct a64_host *h)
{
	u64 *s = v->sys;

	/* the host's traps and regime first: TGE = 1 again */
	write_sysreg(h->hcr, hcr_el2);
	write_sysreg(h->cptr, cpacr_el1);
	write_sysreg(h->mdcr, mdcr_el2);
	isb();
	if (a64_has_pan)
		write_sysreg_s(h->pan, A64_SYS_PAN);
	if (a64_has_dit)
		write_sysreg_s(h->dit, A64_SYS_DIT);

	s[A64_SCTLR] = read_sysreg_s(SYS_SCTLR_EL12);
	s[A64_CPACR] = read_sysreg_s(A64_SYS_CPACR_EL12);
	s[A64_TTBR0] = read_sysreg_s(SYS_TTBR0_EL12);
	s[A64_TTBR1] = read_sysreg_s(SYS_TTBR1_EL12);
	s[A64_TCR] = read_sysreg_s(SYS_TCR_EL12);
	s[A64_ESR] = read_sysreg_s(SYS_ESR_EL12);
	s[A64_AFSR0] = read_sysreg_s(SYS_AFSR0_EL12);
	s[A64_AFSR1] = read_sysreg_s(SYS_AFSR1_EL12);
	s[A64_FAR] = read_sysreg_s(A64_SYS_FAR_EL12);
	s[A64_MAIR] = read_sysreg_s(SYS_MAIR_EL12);
	s[A64_AMAIR] = read_sysreg_s(SYS_AMAIR_EL12);
	s[A64_VBAR] = read_sysreg_s(SYS_VBAR_EL12);
	s[A64_CONTEXTIDR] = read_sysreg_s(A64_SYS_CONTEXTIDR_EL12);
	s[A64_CNTKCTL] = read_sysreg_s(SYS_CNTKCTL_EL12);
	v->elr_el1 = read_sysreg_s(SYS_ELR_EL12);
	v->spsr[0] = read_sysreg_s(SYS_SPSR_EL12);
	v->sp_el1 = read_sysreg(sp_el1);
	s[A64_TPIDR_EL1] = read_sysreg(tpidr_el1);
	s[A64_PAR] = read_sysreg(par_el1);
	s[A64_CSSELR] = read_sysreg(csselr_el1);
	s[A64_TPIDR_EL0] = read_sysreg(tpidr_el0);
	s[A64_TPIDRRO_EL0] = read_sysreg(tpidrro_el0);
	s[A64_CNTV_CTL] = read_sysreg_s(SYS_CNTV_CTL_EL02);
	s[A64_CNTV_CVAL] = read_sysreg_s(SYS_CNTV_CVAL_EL02);

	write_sysreg(h->tpidr_el0, tpidr_el0);
	write_sysreg(h->tpidrro_el0, tpidrro_el0);
	write_sysreg(h->tpidr_el1, tpidr_el1);
	write_sysreg(h->par, par_el1);
	write_sysreg(h->csselr, csselr_el1);
}

/*
 * Sleep without holding the VM's stage-2 lock (slot changes must not wait
 * for a halted vCPU).  ns = 0: until woken.  -EINTR on a signal.
 */
int a64_sleep_unlocked(struct hvmod_vcpu *vcpu, u64 ns)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct rw_semaphore *sem = &vcpu->vm->s2_sem;
	ktime_t t = ns_to_ktime(ns);
	int r = 0;

	up_read(sem);
	if (ns) {
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_hrtimeout(&t, HRTIMER_MODE_REL);
		__set_current_state(TASK_RUNNING);
	} else {
		r = wait_event_interruptible(v->wq, !READ_ONCE(v->power_off));
	}
	down_read(sem);
	if (r || signal_pending(current)) {
		vcpu->run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	return 0;
}

/* A powered-off vCPU (PSCI CPU_OFF, POWER_OFF at init) waits for CPU_ON. */
static int a64_power_wait(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	bool reset, be;
	u64 pc, x0;
	int r;

	while (READ_ONCE(v->power_off)) {
		r = a64_sleep_unlocked(vcpu, 0);
		if (r)
			return r;
	}
	spin_lock(&v->power_lock);
	reset = v->reset_pending;
	pc = v->reset_pc;
	x0 = v->reset_x0;
	be = v->reset_be;
	v->reset_pending = false;
	spin_unlock(&v->power_lock);
	if (reset) {
		a64_vcpu_reset(v);
		v->ctx.pc = pc;
		v->ctx.x[0] = x0;
		if (be)
			v->sys[A64_SCTLR] |= SCTLR_ELx_EE;
	}
	return 0;
}

/*
 * Every KVM_RUN, before immediate_exit is looked at (as KVM): refuse a
 * vCPU without KVM_ARM_VCPU_INIT, finish an MMIO exit userspace answered.
 */
int a64_vcpu_complete(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);

	if (!v->initialised) {
		hvmod_reject("vCPU %u: KVM_RUN before KVM_ARM_VCPU_INIT: ENOEXEC",
			     vcpu->id);
		return -ENOEXEC;
	}
	if (v->mmio.pending)
		a64_mmio_complete(vcpu);
	return 0;
}

int a64_vcpu_run(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct hvmod_vm *vm = vcpu->vm;
	struct a64_vm *avm = vm->arch;
	struct a64_host h;
	unsigned long flags;
	s64 gen;
	u64 code;
	int r;

	/* a64_vcpu_complete() refused an uninitialised vCPU already */
	if (WARN_ON_ONCE(!v->initialised))
		return -ENOEXEC;
	if (READ_ONCE(v->power_off) || READ_ONCE(v->reset_pending)) {
		r = a64_power_wait(vcpu);
		if (r)
			return r;
	}

	kernel_neon_begin();
	flags = local_daif_save();
	if (!hvmod_cpu_virt_on()) {
		local_daif_restore(flags);
		kernel_neon_end();
		return -EIO;
	}
	a64_fp_load(&v->fp);
	a64_load(v, avm, &h);
	gen = atomic64_read(&vm->tlb_gen);
	dsb(ishst);		/* stage-2 entries written, visible to walks */
	if (v->tlb_gen != gen) {
		__tlbi(vmalls12e1is);	/* VTTBR (VMID) loaded, TGE = 0 */
		dsb(ish);
		isb();
		v->tlb_gen = gen;
	}
	code = a64_enter(&v->ctx);
	a64_put(v, &h);
	a64_fp_save(&v->fp);
	local_daif_restore(flags);
	kernel_neon_end();

	return a64_handle_exit(vcpu, code);
}

/* ---- KVM_GET/SET_ONE_REG, KVM_GET_REG_LIST ------------------------- */

#define A64_CORE_OFF(f)		(offsetof(struct kvm_regs, f) / sizeof(u32))
#define A64_NR_CORE_U32		(sizeof(struct kvm_regs) / sizeof(u32))

/* The field at u32 index off of struct kvm_regs, its size; NULL if none. */
static void *a64_core_reg(struct a64_vcpu *v, u64 off, unsigned int *size)
{
	size_t b = off * sizeof(u32);
	size_t spsr = offsetof(struct kvm_regs, spsr);
	size_t vregs = offsetof(struct kvm_regs, fp_regs.vregs);

	*size = sizeof(u64);
	if (b < offsetof(struct kvm_regs, regs.sp))
		return b % 8 ? NULL : &v->ctx.x[b / 8];
	switch (b) {
	case offsetof(struct kvm_regs, regs.sp):
		return &v->ctx.sp_el0;
	case offsetof(struct kvm_regs, regs.pc):
		return &v->ctx.pc;
	case offsetof(struct kvm_regs, regs.pstate):
		return &v->ctx.pstate;
	case offsetof(struct kvm_regs, sp_el1):
		return &v->sp_el1;
	case offsetof(struct kvm_regs, elr_el1):
		return &v->elr_el1;
	case offsetof(struct kvm_regs, fp_regs.fpsr):
		*size = sizeof(u32);
		return &v->fp.fpsr;
	case offsetof(struct kvm_regs, fp_regs.fpcr):
		*size = sizeof(u32);
		return &v->fp.fpcr;
	}
	if (b >= spsr && b < spsr + sizeof(v->spsr))
		return (b - spsr) % 8 ? NULL : &v->spsr[(b - spsr) / 8];
	if (b >= vregs && b < vregs + sizeof(v->fp.vregs)) {
		*size = 16;
		return (b - vregs) % 16 ? NULL : &v->fp.vregs[(b - vregs) / 16];
	}
	return NULL;
}

static u64 a64_size_id(unsigned int size)
{
	switch (size) {
	case 4:
		return KVM_REG_SIZE_U32;
	case 16:
		return KVM_REG_SIZE_U128;
	default:
		return KVM_REG_SIZE_U64;
	}
}

static bool a64_pstate_valid(u64 pstate)
{
	switch (pstate & (PSR_MODE32_BIT | PSR_MODE_MASK)) {
	case PSR_MODE_EL0t:
	case PSR_MODE_EL1t:
	case PSR_MODE_EL1h:
		return true;
	default:
		return false;	/* no AArch32, no EL2 */
	}
}

static int a64_core_one_reg(struct a64_vcpu *v, const struct kvm_one_reg *reg,
			    bool set)
{
	u64 off = reg->id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK |
			      KVM_REG_ARM_CORE);
	void __user *uaddr = (void __user *)(unsigned long)reg->addr;
	unsigned int size;
	u8 buf[16];
	void *p;

	if (off >= A64_NR_CORE_U32 ||
	    off + KVM_REG_SIZE(reg->id) / sizeof(u32) > A64_NR_CORE_U32) {
		hvmod_reject("ONE_REG: core register offset 0x%llx out of range",
			     off);
		return -ENOENT;
	}
	p = a64_core_reg(v, off, &size);
	if (!p) {
		hvmod_reject("ONE_REG: core offset 0x%llx is inside a register",
			     off);
		return -EINVAL;
	}
	if (KVM_REG_SIZE(reg->id) != size) {
		hvmod_reject("ONE_REG: core offset 0x%llx has size %u, id says %u",
			     off, size, KVM_REG_SIZE(reg->id));
		return -EINVAL;
	}
	if (!set)
		return copy_to_user(uaddr, p, size) ? -EFAULT : 0;
	if (copy_from_user(buf, uaddr, size))
		return -EFAULT;
	if (p == &v->ctx.pstate && !a64_pstate_valid(*(u64 *)buf)) {
		hvmod_reject("ONE_REG: PSTATE 0x%llx: mode not EL0t/EL1t/EL1h",
			     *(u64 *)buf);
		return -EINVAL;
	}
	memcpy(p, buf, size);
	return 0;
}

/* System registers as KVM numbers them (ARM64_SYS_REG encoding). */
#define A64_SR(op0, op1, crn, crm, op2)					\
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))

enum { A64_SR_PLAIN, A64_SR_MIDR, A64_SR_CNT };

static const struct a64_sysreg_desc {
	u32 enc;
	u8 idx;
	u8 kind;
} a64_sysregs[] = {
	{ A64_SR(3, 0, 0, 0, 0), 0, A64_SR_MIDR },		/* MIDR_EL1 */
	{ A64_SR(3, 0, 0, 0, 5), A64_MPIDR },
	{ A64_SR(3, 0, 1, 0, 0), A64_SCTLR },
	{ A64_SR(3, 0, 1, 0, 1), A64_ACTLR },
	{ A64_SR(3, 0, 1, 0, 2), A64_CPACR },
	{ A64_SR(3, 0, 2, 0, 0), A64_TTBR0 },
	{ A64_SR(3, 0, 2, 0, 1), A64_TTBR1 },
	{ A64_SR(3, 0, 2, 0, 2), A64_TCR },
	{ A64_SR(3, 0, 5, 1, 0), A64_AFSR0 },
	{ A64_SR(3, 0, 5, 1, 1), A64_AFSR1 },
	{ A64_SR(3, 0, 5, 2, 0), A64_ESR },
	{ A64_SR(3, 0, 6, 0, 0), A64_FAR },
	{ A64_SR(3, 0, 7, 4, 0), A64_PAR },
	{ A64_SR(3, 0, 10, 2, 0), A64_MAIR },
	{ A64_SR(3, 0, 10, 3, 0), A64_AMAIR },
	{ A64_SR(3, 0, 12, 0, 0), A64_VBAR },
	{ A64_SR(3, 0, 13, 0, 1), A64_CONTEXTIDR },
	{ A64_SR(3, 0, 13, 0, 4), A64_TPIDR_EL1 },
	{ A64_SR(3, 0, 14, 1, 0), A64_CNTKCTL },
	{ A64_SR(3, 2, 0, 0, 0), A64_CSSELR },
	{ A64_SR(3, 3, 13, 0, 2), A64_TPIDR_EL0 },
	{ A64_SR(3, 3, 13, 0, 3), A64_TPIDRRO_EL0 },
	{ A64_SR(2, 0, 0, 2, 2), A64_MDSCR },
	/* KVM_REG_ARM_TIMER_*: CTL, CVAL and CNT (KVM's historic ids) */
	{ A64_SR(3, 3, 14, 3, 1), A64_CNTV_CTL },
	{ A64_SR(3, 3, 14, 0, 2), A64_CNTV_CVAL },
	{ A64_SR(3, 3, 14, 3, 2), 0, A64_SR_CNT },
};

static const struct a64_sysreg_desc *a64_find_sysreg(u32 enc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(a64_sysregs); i++)
		if (a64_sysregs[i].enc == enc)
			return &a64_sysregs[i];
	return NULL;
}

static int a64_sys_one_reg(struct hvmod_vcpu *vcpu,
			   const struct kvm_one_reg *reg, bool set)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct a64_vm *avm = vcpu->vm->arch;
	void __user *uaddr = (void __user *)(unsigned long)reg->addr;
	const struct a64_sysreg_desc *d;
	u64 val, rest;

	rest = reg->id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK |
			   KVM_REG_ARM_COPROC_MASK | 0xffff);
	d = a64_find_sysreg(reg->id & 0xffff);
	/* as KVM: a sysreg id of another size names no register */
	if (rest || !d || (reg->id & KVM_REG_SIZE_MASK) != KVM_REG_SIZE_U64) {
		hvmod_reject("ONE_REG: no system register 0x%llx", reg->id);
		return -ENOENT;
	}
	if (!set) {
		switch (d->kind) {
		case A64_SR_MIDR:
			val = a64_midr;
			break;
		case A64_SR_CNT:
			val = read_sysreg(cntpct_el0) - avm->cntvoff;
			break;
		default:
			val = v->sys[d->idx];
		}
		return put_user(val, (u64 __user *)uaddr);
	}
	if (get_user(val, (u64 __user *)uaddr))
		return -EFAULT;
	switch (d->kind) {
	case A64_SR_MIDR:
		/* invariant, as in KVM: only its own value is accepted */
		if (val != a64_midr) {
			hvmod_reject("ONE_REG: MIDR_EL1 is read-only");
			return -EINVAL;
		}
		return 0;
	case A64_SR_CNT:
		/* the guest's virtual count, per VM as CNTVOFF_EL2 */
		avm->cntvoff = read_sysreg(cntpct_el0) - val;
		return 0;
	}
	v->sys[d->idx] = val;
	return 0;
}

static int a64_fw_one_reg(struct hvmod_vcpu *vcpu,
			  const struct kvm_one_reg *reg, bool set)
{
	struct a64_vm *avm = vcpu->vm->arch;
	u64 __user *uaddr = (u64 __user *)(unsigned long)reg->addr;
	u64 val;

	if (reg->id != KVM_REG_ARM_PSCI_VERSION) {
		hvmod_reject("ONE_REG: no firmware register 0x%llx", reg->id);
		return -ENOENT;
	}
	if (!set)
		return put_user((u64)avm->psci_version, uaddr);
	if (get_user(val, uaddr))
		return -EFAULT;
	if (val != A64_PSCI_VERSION_0_2 && val != A64_PSCI_VERSION_1_0) {
		hvmod_reject("ONE_REG: PSCI version 0x%llx not offered", val);
		return -EINVAL;
	}
	avm->psci_version = val;
	return 0;
}

static int a64_one_reg(struct hvmod_vcpu *vcpu, unsigned long arg, bool set)
{
	struct kvm_one_reg reg;

	if (copy_from_user(&reg, (void __user *)arg, sizeof(reg)))
		return -EFAULT;
	if ((reg.id & KVM_REG_ARCH_MASK) != KVM_REG_ARM64) {
		hvmod_reject("ONE_REG: id 0x%llx is not an arm64 register",
			     reg.id);
		return -EINVAL;
	}
	switch (reg.id & KVM_REG_ARM_COPROC_MASK) {
	case KVM_REG_ARM_CORE:
		return a64_core_one_reg(to_a64(vcpu), &reg, set);
	case KVM_REG_ARM64_SYSREG:
		return a64_sys_one_reg(vcpu, &reg, set);
	case KVM_REG_ARM_FW:
		return a64_fw_one_reg(vcpu, &reg, set);
	default:
		hvmod_reject("ONE_REG: no register 0x%llx", reg.id);
		return -ENOENT;
	}
}

/* Every id KVM_GET_REG_LIST reports, in order; n = count if ids NULL. */
static unsigned int a64_reg_ids(struct a64_vcpu *v, u64 *ids)
{
	unsigned int n = 0, size, i;
	u64 off;

	for (off = 0; off < A64_NR_CORE_U32; off++) {
		if (!a64_core_reg(v, off, &size))
			continue;
		if (ids)
			ids[n] = KVM_REG_ARM64 | a64_size_id(size) |
				 KVM_REG_ARM_CORE | off;
		n++;
	}
	for (i = 0; i < ARRAY_SIZE(a64_sysregs); i++, n++)
		if (ids)
			ids[n] = KVM_REG_ARM64 | KVM_REG_SIZE_U64 |
				 KVM_REG_ARM64_SYSREG | a64_sysregs[i].enc;
	if (ids)
		ids[n] = KVM_REG_ARM_PSCI_VERSION;
	n++;
	return n;
}

static int a64_get_reg_list(struct a64_vcpu *v, unsigned long arg)
{
	struct kvm_reg_list __user *ul = (void __user *)arg;
	unsigned int n = a64_reg_ids(v, NULL);
	u64 want, *ids;
	int r = 0;

	if (get_user(want, &ul->n))
		return -EFAULT;
	if (put_user((u64)n, &ul->n))
		return -EFAULT;
	if (want < n)
		return -E2BIG;
	ids = kcalloc(n, sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return -ENOMEM;
	a64_reg_ids(v, ids);
	if (copy_to_user(ul->reg, ids, n * sizeof(*ids)))
		r = -EFAULT;
	kfree(ids);
	return r;
}

/* ---- KVM_ARM_VCPU_INIT ---------------------------------------------- */

#define A64_FEATURES_OK	(BIT(KVM_ARM_VCPU_POWER_OFF) | BIT(KVM_ARM_VCPU_PSCI_0_2))
#define A64_MAX_FEATURES	7	/* KVM_VCPU_MAX_FEATURES in 6.1 */

static int a64_vcpu_init_ioctl(struct hvmod_vcpu *vcpu, unsigned long arg)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct kvm_vcpu_init init;
	unsigned int i;
	u32 f;

	if (copy_from_user(&init, (void __user *)arg, sizeof(init)))
		return -EFAULT;
	if (init.target != KVM_ARM_TARGET_GENERIC_V8) {
		hvmod_reject("KVM_ARM_VCPU_INIT: target %u is not the preferred %u",
			     init.target, KVM_ARM_TARGET_GENERIC_V8);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(init.features); i++) {
		f = init.features[i];
		if (i == 0)
			f &= ~GENMASK(A64_MAX_FEATURES - 1, 0);
		if (f) {
			hvmod_reject("KVM_ARM_VCPU_INIT: unknown feature bits 0x%x in word %u",
				     f, i);
			return -ENOENT;
		}
	}
	f = init.features[0];
	if (f & ~A64_FEATURES_OK) {
		hvmod_reject("KVM_ARM_VCPU_INIT: features 0x%x not offered (32-bit EL1, PMU, SVE, pointer auth)",
			     f & ~(u32)A64_FEATURES_OK);
		return -EINVAL;
	}
	if (v->initialised && (f ^ v->features) & ~BIT(KVM_ARM_VCPU_POWER_OFF)) {
		hvmod_reject("KVM_ARM_VCPU_INIT: features 0x%x differ from the first init's 0x%x",
			     f, v->features);
		return -EINVAL;
	}
	a64_vcpu_reset(v);
	spin_lock(&v->power_lock);
	v->power_off = f & BIT(KVM_ARM_VCPU_POWER_OFF);
	v->reset_pending = false;
	spin_unlock(&v->power_lock);
	v->features = f;
	v->initialised = true;
	return 0;
}

long a64_vcpu_ioctl(struct hvmod_vcpu *vcpu, unsigned int ioctl,
		    unsigned long arg)
{
	struct a64_vcpu *v = to_a64(vcpu);

	switch (ioctl) {
	case KVM_ARM_VCPU_INIT:
		return a64_vcpu_init_ioctl(vcpu, arg);
	case KVM_GET_ONE_REG:
	case KVM_SET_ONE_REG:
	case KVM_GET_REG_LIST:
		if (!v->initialised) {
			hvmod_reject("vCPU %u: register access before KVM_ARM_VCPU_INIT: ENOEXEC",
				     vcpu->id);
			return -ENOEXEC;
		}
		if (ioctl == KVM_GET_REG_LIST)
			return a64_get_reg_list(v, arg);
		return a64_one_reg(vcpu, arg, ioctl == KVM_SET_ONE_REG);
	default:
		return -ENOTTY;
	}
}

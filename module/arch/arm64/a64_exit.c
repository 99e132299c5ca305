// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 exits: ESR_EL2 decoded into what the core and userspace see.
 *
 *   data/instruction abort on RAM   stage-2 fill (hvmod_s2_fault), reenter
 *   data abort elsewhere            KVM_EXIT_MMIO from the ISV syndrome
 *                                   (size, sign extension, register, write)
 *   HVC, SMC                        SMCCC/PSCI answered in the kernel;
 *                                   SYSTEM_OFF/RESET -> KVM_EXIT_SYSTEM_EVENT
 *   WFI/WFE                         wait for the guest's virtual timer / yield
 *   system register traps           debug, PMU, physical timer, ACTLR, LOR:
 *                                   emulated; anything else UNDEF in the guest
 *   instruction fetch outside RAM   prefetch abort injected into the guest
 *   host IRQ/FIQ                    taken by the host, reenter
 *
 * Exceptions hvmod injects are taken at the guest's EL1 through its
 * VBAR_EL1, as the hardware would.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": arm64: " fmt

#include <linux/arm-smccc.h>
#include <linux/psci.h>
#include <linux/sched.h>
#include <clocksource/arm_arch_timer.h>
#include <asm/esr.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <uapi/linux/psci.h>
#include "a64.h"

static void a64_skip(struct a64_vcpu *v)
{
	v->ctx.pc += (v->ctx.esr & ESR_ELx_IL) ? 4 : 2;
}

static bool a64_from_el0(struct a64_vcpu *v)
{
	return (v->ctx.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t ||
	       (v->ctx.pstate & PSR_MODE32_BIT);
}

/* Take a synchronous exception at the guest's EL1, as the CPU would. */
static void a64_inject_sync(struct a64_vcpu *v, u64 esr, bool far, u64 addr)
{
	u64 pstate = v->ctx.pstate, off, sctlr = v->sys[A64_SCTLR];

	if (pstate & PSR_MODE32_BIT)
		off = 0x600;
	else if ((pstate & PSR_MODE_MASK) == PSR_MODE_EL0t)
		off = 0x400;
	else if ((pstate & PSR_MODE_MASK) == PSR_MODE_EL1h)
		off = 0x200;
	else
		off = 0;
	v->elr_el1 = v->ctx.pc;
	v->spsr[0] = pstate;
	v->sys[A64_ESR] = esr;
	if (far)
		v->sys[A64_FAR] = addr;
	pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT;
	if (!(sctlr & SCTLR_EL1_SPAN) &&
	    ((read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf))
		pstate |= PSR_PAN_BIT;
	v->ctx.pstate = pstate;
	v->ctx.pc = v->sys[A64_VBAR] + off;
}

void a64_inject_undef(struct a64_vcpu *v)
{
	a64_inject_sync(v, (ESR_ELx_EC_UNKNOWN << ESR_ELx_EC_SHIFT) |
			   (v->ctx.esr & ESR_ELx_IL), false, 0);
}

/* A synchronous external abort on an access to addr (no RAM there). */
static void a64_inject_abort(struct a64_vcpu *v, bool fetch, u64 addr)
{
	u64 ec;

	if (fetch)
		ec = a64_from_el0(v) ? ESR_ELx_EC_IABT_LOW : ESR_ELx_EC_IABT_CUR;
	else
		ec = a64_from_el0(v) ? ESR_ELx_EC_DABT_LOW : ESR_ELx_EC_DABT_CUR;
	a64_inject_sync(v, (ec << ESR_ELx_EC_SHIFT) | ESR_ELx_IL |
			   ESR_ELx_FSC_EXTABT, true, addr);
}

/* ---- MMIO ------------------------------------------------------------ */

static bool a64_data_be(struct a64_vcpu *v)
{
	if (a64_from_el0(v))
		return v->sys[A64_SCTLR] & SCTLR_EL1_E0E;
	return v->sys[A64_SCTLR] & SCTLR_ELx_EE;
}

static u64 a64_swab(u64 val, unsigned int len)
{
	switch (len) {
	case 2:
		return swab16(val);
	case 4:
		return swab32(val);
	case 8:
		return swab64(val);
	default:
		return val;
	}
}

/* The next KVM_RUN after an MMIO exit: load a read's data, step past. */
void a64_mmio_complete(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct a64_mmio *m = &v->mmio;
	struct kvm_run *run = vcpu->run;
	unsigned int bits = m->len * 8;
	u64 val = 0;

	m->pending = false;
	if (!run->mmio.is_write) {
		memcpy(&val, run->mmio.data, m->len);
		if (a64_data_be(v))
			val = a64_swab(val, m->len);
		if (bits < 64) {
			val &= GENMASK_ULL(bits - 1, 0);
			if (m->sign && (val & BIT_ULL(bits - 1)))
				val |= GENMASK_ULL(63, bits);
		}
		if (!m->sf)
			val &= 0xffffffffULL;
		a64_set_reg(v, m->rt, val);
	}
	a64_skip(v);
}

static int a64_mmio(struct hvmod_vcpu *vcpu, u64 gpa)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct kvm_run *run = vcpu->run;
	u64 esr = v->ctx.esr, val;
	unsigned int len;

	if (esr & ESR_ELx_S1PTW) {
		/* the guest's page tables point outside RAM */
		a64_inject_abort(v, false, v->ctx.far);
		return 1;
	}
	if (esr & ESR_ELx_CM) {
		/* cache maintenance on MMIO: nothing to do */
		a64_skip(v);
		return 1;
	}
	if (!(esr & ESR_ELx_ISV)) {
		/* as KVM: no syndrome, no emulation (ldp/stp, writeback...) */
		hvmod_reject("vCPU %u: MMIO at 0x%llx by an instruction without syndrome (pc 0x%llx, ESR 0x%llx): ENOSYS",
			     vcpu->id, gpa, v->ctx.pc, esr);
		return -ENOSYS;
	}
	len = 1U << ((esr & ESR_ELx_SAS) >> ESR_ELx_SAS_SHIFT);
	v->mmio.pending = true;
	v->mmio.rt = (esr & ESR_ELx_SRT_MASK) >> ESR_ELx_SRT_SHIFT;
	v->mmio.len = len;
	v->mmio.sign = esr & ESR_ELx_SSE;
	v->mmio.sf = esr & ESR_ELx_SF;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = !!(esr & ESR_ELx_WNR);
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (run->mmio.is_write) {
		val = a64_get_reg(v, v->mmio.rt);
		if (a64_data_be(v))
			val = a64_swab(val, len);
		memcpy(run->mmio.data, &val, len);
	}
	return 0;
}

/* ---- stage-2 faults -------------------------------------------------- */

static int a64_abort(struct hvmod_vcpu *vcpu, bool fetch)
{
	struct a64_vcpu *v = to_a64(vcpu);
	u64 esr = v->ctx.esr;
	u64 gpa = ((v->ctx.hpfar & HPFAR_MASK) << 8) | (v->ctx.far & 0xfff);
	unsigned int fsc = esr & ESR_ELx_FSC_TYPE;
	bool write, present;
	int r;

	if (fsc != ESR_ELx_FSC_FAULT && fsc != ESR_ELx_FSC_PERM &&
	    fsc != ESR_ELx_FSC_ACCESS) {
		pr_warn_ratelimited("vCPU %u: stage-2 abort with FSC 0x%llx at IPA 0x%llx (pc 0x%llx): EFAULT\n",
				    vcpu->id, esr & ESR_ELx_FSC, gpa, v->ctx.pc);
		return -EFAULT;
	}
	write = !fetch && (esr & (ESR_ELx_WNR | ESR_ELx_S1PTW));
	present = fsc != ESR_ELx_FSC_FAULT;
	r = hvmod_s2_fault(vcpu->vm, gpa, write, present);
	if (r)
		return r;	/* 1: mapped, reenter; -EFAULT */
	if (fetch) {
		/* executing from outside RAM: as KVM, a prefetch abort */
		a64_inject_abort(v, true, v->ctx.far);
		return 1;
	}
	return a64_mmio(vcpu, gpa);
}

/* ---- WFI / WFE ------------------------------------------------------- */

/* ns until the guest's virtual timer fires, 0 if it is not armed. */
static u64 a64_vtimer_ns(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct a64_vm *avm = vcpu->vm->arch;
	u64 ctl = v->sys[A64_CNTV_CTL], now, cval, freq;

	if ((ctl & (ARCH_TIMER_CTRL_ENABLE | ARCH_TIMER_CTRL_IT_MASK)) !=
	    ARCH_TIMER_CTRL_ENABLE)
		return 0;
	now = read_sysreg(cntpct_el0) - avm->cntvoff;
	cval = v->sys[A64_CNTV_CVAL];
	if ((s64)(cval - now) <= 0)
		return 0;
	freq = read_sysreg(cntfrq_el0);
	if (!freq)
		return 0;
	return mul_u64_u64_div_u64(cval - now, NSEC_PER_SEC, freq) ?: 1;
}

static int a64_wfx(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	u64 ns;

	a64_skip(v);
	if (v->ctx.esr & 1)	/* WFE: a yield (the run loop reschedules) */
		return 1;
	/*
	 * WFI: wait for the only wake-up source a guest without an
	 * interrupt controller has, its virtual timer.  With none armed the
	 * WFI completes at once (architecturally a WFI may wake spuriously).
	 */
	ns = a64_vtimer_ns(vcpu);
	if (ns)
		return a64_sleep_unlocked(vcpu, ns) ?: 1;
	return 1;
}

/* ---- system registers ------------------------------------------------ */

struct a64_sys_access {
	u8 op0, op1, crn, crm, op2, rt;
	bool read;
};

/* Returns 1 handled (PC advanced), 0 unknown (UNDEF). */
static int a64_sysreg(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	u64 iss = v->ctx.esr & ESR_ELx_ISS_MASK;
	struct a64_sys_access a = {
		.op0 = (iss >> 20) & 3, .op2 = (iss >> 17) & 7,
		.op1 = (iss >> 14) & 7, .crn = (iss >> 10) & 0xf,
		.rt = (iss >> 5) & 0x1f, .crm = (iss >> 1) & 0xf,
		.read = iss & 1,
	};
	u64 *shadow = NULL, val = 0;
	bool known = false;

	if (a.op0 == 2) {
		/* debug and OS lock registers (MDCR_EL2.TDA/TDOSA/TDRA) */
		known = true;
		if (a.op1 == 0 && a.crn == 0 && a.crm == 2 && a.op2 == 2)
			shadow = &v->sys[A64_MDSCR];
		else if (a.op1 == 0 && a.crn == 1 && a.crm == 1 && a.op2 == 4)
			val = BIT(3);	/* OSLSR_EL1: OSLM = 0b10, unlocked */
	} else if (a.op0 == 3 && ((a.crn == 9 && a.crm >= 12) ||
				  (a.crn == 14 && a.crm >= 8 && a.op1 == 3))) {
		known = true;		/* PMU (MDCR_EL2.TPM): none */
	} else if (a.op0 == 3 && a.op1 == 3 && a.crn == 14 && a.crm == 2) {
		known = true;		/* CNTP_*: no physical timer for guests */
	} else if (a.op0 == 3 && a.op1 == 0 && a.crn == 1 && a.crm == 0 &&
		   a.op2 == 1) {
		known = true;		/* ACTLR_EL1 (HCR_EL2.TACR) */
		shadow = &v->sys[A64_ACTLR];
	} else if (a.op0 == 3 && a.op1 == 0 && a.crn == 10 && a.crm == 4) {
		known = true;		/* LOR* (HCR_EL2.TLOR): RAZ/WI */
	} else if (a.op0 == 3 && a.op1 == 0 && a.crn == 12 && a.crm == 11 &&
		   a.op2 >= 5 && !a.read) {
		known = true;		/* ICC_*SGI*R: no other vCPUs to kick */
	}
	if (!known) {
		hvmod_reject("vCPU %u: %s of system register S%u_%u_C%u_C%u_%u at pc 0x%llx: UNDEF",
			     vcpu->id, a.read ? "read" : "write", a.op0, a.op1,
			     a.crn, a.crm, a.op2, v->ctx.pc);
		return 0;
	}
	if (a.read)
		a64_set_reg(v, a.rt, shadow ? *shadow : val);
	else if (shadow)
		*shadow = a64_get_reg(v, a.rt);
	a64_skip(v);
	return 1;
}

/* ---- SMCCC / PSCI ---------------------------------------------------- */

#define A64_MPIDR_AFF	0xff00ffffffULL

static struct hvmod_vcpu *a64_vcpu_by_mpidr(struct hvmod_vm *vm, u64 mpidr)
{
	struct hvmod_vcpu *t;
	unsigned int i;

	for (i = 0; i < HVMOD_MAX_VCPUS; i++) {
		t = READ_ONCE(vm->vcpus[i]);
		if (t && to_a64(t)->initialised &&
		    (to_a64(t)->sys[A64_MPIDR] & A64_MPIDR_AFF) ==
		    (mpidr & A64_MPIDR_AFF))
			return t;
	}
	return NULL;
}

static long a64_psci_cpu_on(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu), *tv;
	struct hvmod_vcpu *t;
	long r = PSCI_RET_SUCCESS;

	t = a64_vcpu_by_mpidr(vcpu->vm, v->ctx.x[1]);
	if (!t)
		return PSCI_RET_INVALID_PARAMS;
	tv = to_a64(t);
	spin_lock(&tv->power_lock);
	if (!tv->power_off) {
		r = tv->reset_pending ? PSCI_RET_ON_PENDING :
					PSCI_RET_ALREADY_ON;
	} else {
		tv->reset_pending = true;
		tv->reset_pc = v->ctx.x[2];
		tv->reset_x0 = v->ctx.x[3];
		tv->reset_be = v->sys[A64_SCTLR] & SCTLR_ELx_EE;
		WRITE_ONCE(tv->power_off, false);
	}
	spin_unlock(&tv->power_lock);
	if (r == PSCI_RET_SUCCESS)
		wake_up_interruptible(&tv->wq);
	return r;
}

static long a64_psci_affinity_info(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	u64 target = v->ctx.x[1], level = v->ctx.x[2], mask;
	struct hvmod_vcpu *t;
	unsigned int i;
	bool found = false;

	if (level > 3)
		return PSCI_RET_INVALID_PARAMS;
	mask = A64_MPIDR_AFF;
	for (i = 0; i < level; i++)
		mask &= ~(0xffULL << (i == 3 ? 32 : 8 * i));
	for (i = 0; i < HVMOD_MAX_VCPUS; i++) {
		t = READ_ONCE(vcpu->vm->vcpus[i]);
		if (!t || !to_a64(t)->initialised ||
		    ((to_a64(t)->sys[A64_MPIDR] ^ target) & mask))
			continue;
		found = true;
		if (!READ_ONCE(to_a64(t)->power_off))
			return PSCI_0_2_AFFINITY_LEVEL_ON;
	}
	return found ? PSCI_0_2_AFFINITY_LEVEL_OFF : PSCI_RET_INVALID_PARAMS;
}

/* SYSTEM_OFF/RESET: every vCPU stops, userspace decides (as KVM). */
static int a64_system_event(struct hvmod_vcpu *vcpu, u32 type, u64 flags)
{
	struct hvmod_vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;
	struct hvmod_vcpu *t;
	unsigned int i;

	for (i = 0; i < HVMOD_MAX_VCPUS; i++) {
		t = READ_ONCE(vm->vcpus[i]);
		if (t && t->arch)
			WRITE_ONCE(to_a64(t)->power_off, true);
	}
	memset(&run->system_event, 0, sizeof(run->system_event));
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = type;
	run->system_event.ndata = 1;
	run->system_event.data[0] = flags;
	return 0;
}

static bool a64_psci_known(u32 fn)
{
	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
	case PSCI_0_2_FN_CPU_SUSPEND:
	case PSCI_0_2_FN64_CPU_SUSPEND:
	case PSCI_0_2_FN_CPU_OFF:
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
	case PSCI_0_2_FN_SYSTEM_OFF:
	case PSCI_0_2_FN_SYSTEM_RESET:
	case PSCI_1_0_FN_PSCI_FEATURES:
	case ARM_SMCCC_VERSION_FUNC_ID:
		return true;
	default:
		return false;
	}
}

/* HVC or SMC with x0 = function id: 1 reenter, 0 exit, < 0 error. */
static int a64_smccc(struct hvmod_vcpu *vcpu)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct a64_vm *avm = vcpu->vm->arch;
	u32 fn = v->ctx.x[0];
	bool v1 = avm->psci_version >= A64_PSCI_VERSION_1_0;
	long ret = PSCI_RET_NOT_SUPPORTED;
	u64 ns;
	int r;

	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
		ret = avm->psci_version;
		break;
	case PSCI_0_2_FN_CPU_SUSPEND:
	case PSCI_0_2_FN64_CPU_SUSPEND:
		/* a standby state: as WFI (a spurious wake-up is allowed) */
		ns = a64_vtimer_ns(vcpu);
		v->ctx.x[0] = PSCI_RET_SUCCESS;
		if (ns) {
			r = a64_sleep_unlocked(vcpu, ns);
			if (r)
				return r;
		}
		return 1;
	case PSCI_0_2_FN_CPU_OFF:
		WRITE_ONCE(v->power_off, true);
		ret = PSCI_RET_SUCCESS;
		break;
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
		ret = a64_psci_cpu_on(vcpu);
		break;
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
		ret = a64_psci_affinity_info(vcpu);
		break;
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
		ret = PSCI_0_2_TOS_MP;	/* no Trusted OS to migrate */
		break;
	case PSCI_0_2_FN_SYSTEM_OFF:
		v->ctx.x[0] = PSCI_RET_INTERNAL_FAILURE; /* if it returns */
		return a64_system_event(vcpu, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
	case PSCI_0_2_FN_SYSTEM_RESET:
		v->ctx.x[0] = PSCI_RET_INTERNAL_FAILURE;
		return a64_system_event(vcpu, KVM_SYSTEM_EVENT_RESET, 0);
	case PSCI_1_0_FN_PSCI_FEATURES:
		if (v1)
			ret = a64_psci_known(v->ctx.x[1]) ? 0 :
			      PSCI_RET_NOT_SUPPORTED;
		break;
	case ARM_SMCCC_VERSION_FUNC_ID:
		ret = ARM_SMCCC_VERSION_1_1;
		break;
	default:
		break;
	}
	v->ctx.x[0] = ret;
	return 1;
}

/* ---- the exit -------------------------------------------------------- */

static int a64_internal_error(struct hvmod_vcpu *vcpu, u64 code)
{
	struct a64_vcpu *v = to_a64(vcpu);
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON;
	run->internal.ndata = 3;
	run->internal.data[0] = code;
	run->internal.data[1] = v->ctx.esr;
	run->internal.data[2] = v->ctx.pc;
	return 0;
}

int a64_handle_exit(struct hvmod_vcpu *vcpu, u64 code)
{
	struct a64_vcpu *v = to_a64(vcpu);
	u64 esr = v->ctx.esr;

	if (hvmod_verbose >= 3)
		pr_info_ratelimited("vCPU %u: exit %llu ESR 0x%llx pc 0x%llx pstate 0x%llx FAR 0x%llx HPFAR 0x%llx\n",
				    vcpu->id, code, esr, v->ctx.pc,
				    v->ctx.pstate, v->ctx.far, v->ctx.hpfar);
	switch (code) {
	case A64_EXIT_IRQ:
	case A64_EXIT_FIQ:
		return 1;	/* the host took it when DAIF was restored */
	case A64_EXIT_SERROR:
		pr_warn_ratelimited("vCPU %u: SError from the guest (ESR 0x%llx, pc 0x%llx)\n",
				    vcpu->id, esr, v->ctx.pc);
		return a64_internal_error(vcpu, code);
	case A64_EXIT_SYNC:
		break;
	default:
		return a64_internal_error(vcpu, code);
	}

	switch (ESR_ELx_EC(esr)) {
	case ESR_ELx_EC_DABT_LOW:
		return a64_abort(vcpu, false);
	case ESR_ELx_EC_IABT_LOW:
		return a64_abort(vcpu, true);
	case ESR_ELx_EC_HVC64:
		return a64_smccc(vcpu);
	case ESR_ELx_EC_SMC64:
		a64_skip(v);	/* a trapped SMC returns to itself */
		if (esr & 0xffff) {
			v->ctx.x[0] = PSCI_RET_NOT_SUPPORTED;
			return 1;
		}
		return a64_smccc(vcpu);
	case ESR_ELx_EC_WFx:
		return a64_wfx(vcpu);
	case ESR_ELx_EC_SYS64:
		if (!a64_sysreg(vcpu))
			a64_inject_undef(v);
		return 1;
	default:
		/*
		 * SVE, SME, pointer authentication, FP traps, AArch32
		 * coprocessor accesses...: features hvmod does not give
		 * guests, UNDEF as KVM does for unknown exits.
		 */
		hvmod_reject("vCPU %u: exit EC 0x%x (ESR 0x%llx) at pc 0x%llx: UNDEF to the guest",
			     vcpu->id, (unsigned int)ESR_ELx_EC(esr), esr,
			     v->ctx.pc);
		a64_inject_undef(v);
		return 1;
	}
}

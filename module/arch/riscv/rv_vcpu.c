// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 vCPUs: reset state, the KVM riscv register ABI (KVM_GET/
 * SET_ONE_REG: config, core, CSR, timer and FP registers;
 * KVM_GET_REG_LIST), one guest entry and the exit decode (SBI calls,
 * G-stage faults, MMIO, virtual instructions, traps sent back to the
 * guest).
 *
 * Entry, with interrupts and preemption off: the guest's VS CSRs and
 * hgatp (VMID + G-stage root) are written, rv_enter() srets into VS-mode
 * and returns on the guest's next trap to HS-mode; the VS CSRs are read
 * back and hgatp cleared, then the exit is decoded with interrupts on (a
 * host interrupt that made the guest exit is taken right there).
 *
 * FP: the guest has F and D.  Its f0-f31 and fcsr live in the vCPU; each
 * entry saves the hart's FP registers (the VMM task's, live in the
 * hardware while the kernel runs with sstatus.FS Off), loads the guest's
 * and srets with FS Clean; after the exit the guest's are saved if it
 * dirtied them, and the host's loaded back.  The guest's own vsstatus.FS
 * decides whether its FP instructions work (Off: illegal instruction, to
 * the guest).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": riscv: " fmt

#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/sbi.h>
#include "rv.h"

/* The ISA the guest sees (KVM_REG_RISCV_CONFIG isa): IMAFDC, no H */
#define RV_GUEST_ISA	(BIT('i' - 'a') | BIT('m' - 'a') | BIT('a' - 'a') | \
			 BIT('f' - 'a') | BIT('d' - 'a') | BIT('c' - 'a'))
/* wfi's encoding */
#define RV_INSN_WFI	0x10500073U
/* SBI TIME extension and the legacy set_timer (SBI 0.1) */
#define RV_SBI_EXT_TIME		0x54494D45UL
#define RV_SBI_LEGACY_SET_TIMER	0x0
/* legacy SBI 0.1 extensions (<asm/sbi.h> has them only with SBI_V01) */
#define RV_SBI_LEGACY_PUTCHAR	0x1
#define RV_SBI_LEGACY_GETCHAR	0x2
#define RV_SBI_LEGACY_SHUTDOWN	0x8
/* SBI spec version reported: 1.0 */
#define RV_SBI_SPEC	0x01000000UL
/* SBI implementation id: none registered for hvmod */
#define RV_SBI_IMPL_ID	0x4856UL	/* "HV" */

/* rv_entry.S uses these offsets */
static_assert(offsetof(struct rv_ctx, sepc) == RV_CTX_SEPC);
static_assert(offsetof(struct rv_ctx, htinst) == RV_CTX_HTINST);
static_assert(offsetof(struct rv_ctx, host_s[11]) == RV_CTX_HOST_S(11));
static_assert(offsetof(struct rv_ctx, host_sscratch) == RV_CTX_HOST_SSCRATCH);
static_assert(sizeof(struct rv_ctx) == RV_CTX_SIZE);
static_assert(offsetof(struct rv_vcpu, ctx) == 0);
/* rv_fp.S uses these */
static_assert(offsetof(struct rv_fp, fcsr) == RV_FP_FCSR);

void rv_vcpu_reset(struct rv_vcpu *v)
{
	memset(&v->ctx, 0, sizeof(v->ctx));
	memset(&v->csr, 0, sizeof(v->csr));
	memset(&v->fp, 0, sizeof(v->fp));
	/* as KVM: a0 = hart id, a1 = device tree (none yet), S-mode */
	v->ctx.x[10] = v->vcpu->id;
	v->vu = false;
	v->mmio.pending = false;
	v->sbi_pending = false;
}

int rv_vcpu_init(struct hvmod_vcpu *vcpu)
{
	struct rv_vcpu *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);

	if (!v)
		return -ENOMEM;
	v->vcpu = vcpu;
	v->last_cpu = -1;
	v->tlb_gen = -1;
	vcpu->arch = v;
	rv_timer_init(v);
	rv_smp_init(v);
	rv_vcpu_reset(v);
	return 0;
}

void rv_vcpu_destroy(struct hvmod_vcpu *vcpu)
{
	rv_timer_destroy(vcpu->arch);
	kfree(vcpu->arch);
	vcpu->arch = NULL;
}

/* ---- one guest entry ------------------------------------------------ */

static void rv_csr_load(struct rv_vscsr *c)
{
	csr_write(CSR_VSSTATUS, c->vsstatus);
	csr_write(CSR_VSIE, c->vsie);
	csr_write(CSR_VSTVEC, c->vstvec);
	csr_write(CSR_VSSCRATCH, c->vsscratch);
	csr_write(CSR_VSEPC, c->vsepc);
	csr_write(CSR_VSCAUSE, c->vscause);
	csr_write(CSR_VSTVAL, c->vstval);
	csr_write(CSR_HVIP, c->hvip);
	csr_write(CSR_VSATP, c->vsatp);
}

static void rv_csr_save(struct rv_vscsr *c)
{
	c->vsstatus = csr_read(CSR_VSSTATUS);
	c->vsie = csr_read(CSR_VSIE);
	c->vstvec = csr_read(CSR_VSTVEC);
	c->vsscratch = csr_read(CSR_VSSCRATCH);
	c->vsepc = csr_read(CSR_VSEPC);
	c->vscause = csr_read(CSR_VSCAUSE);
	c->vstval = csr_read(CSR_VSTVAL);
	c->hvip = csr_read(CSR_HVIP);
	c->vsatp = csr_read(CSR_VSATP);
}

/* the vCPU that last ran on each CPU (see the flush in rv_enter_guest) */
static DEFINE_PER_CPU(struct rv_vcpu *, rv_last_vcpu);

static int rv_enter_guest(struct hvmod_vcpu *vcpu)
{
	struct rv_vcpu *v = to_rv(vcpu);
	struct rv_vm *rvm = vcpu->vm->arch;
	s64 gen = atomic64_read(&vcpu->vm->tlb_gen);
	unsigned long hstatus, host_fs;
	int cpu;

	preempt_disable();
	local_irq_disable();
	if (!hvmod_cpu_virt_on()) {
		local_irq_enable();
		preempt_enable();
		return -EIO;
	}
	cpu = smp_processor_id();
	csr_write(CSR_HGATP, rvm->hgatp);
	/*
	 * Entries for this VMID left by an earlier run, or zapped since; or
	 * left here by another vCPU (of this VM: the VMID is shared, and the
	 * guest's remote fences reached that vCPU, not this hart; or of
	 * another VM without VMID bits).
	 */
	if (cpu != v->last_cpu || gen != v->tlb_gen ||
	    __this_cpu_read(rv_last_vcpu) != v) {
		if (rv_vmid_bits)
			rv_hfence_gvma_vmid(rvm->vmid);
		else
			rv_hfence_gvma_all();
		v->last_cpu = cpu;
		v->tlb_gen = gen;
		__this_cpu_write(rv_last_vcpu, v);
	}
	/* other vCPUs' IPIs and remote fences */
	rv_smp_enter(v, cpu);
	/* the timer's compare reached: the VS timer interrupt, until set_timer */
	if (rv_timer_due(v)) {
		v->csr.hvip |= BIT(IRQ_VS_TIMER);
		WRITE_ONCE(v->timer.armed, false);
	}
	rv_csr_load(&v->csr);
	csr_write(CSR_HTIMEDELTA, rvm->time_delta);
	/* the host task's FP registers out, the guest's in (see the top) */
	host_fs = csr_read(CSR_SSTATUS) & SR_FS;
	csr_set(CSR_SSTATUS, SR_FS_CLEAN);
	rv_fp_save(&v->host_fp);
	rv_fp_load(&v->fp);
	v->ctx.sstatus = (csr_read(CSR_SSTATUS) &
			  ~(SR_SIE | SR_SPIE | SR_SPP | SR_FS)) |
			 SR_FS_CLEAN | (v->vu ? 0 : SR_SPP);
	hstatus = csr_read(CSR_HSTATUS);
	hstatus &= ~(HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTSR | HSTATUS_VTW |
		     HSTATUS_VTVM | HSTATUS_HU | HSTATUS_GVA | HSTATUS_VGEIN);
	/* VTW: the guest's wfi traps (virtual instruction), see rv_timer_wfi */
	v->ctx.hstatus = hstatus | HSTATUS_SPV | HSTATUS_VTW |
			 (v->vu ? 0 : HSTATUS_SPVP);

	rv_enter(&v->ctx);
	rv_smp_exit(v);

	/* the trap's sstatus.FS is the guest's use of its FP registers */
	if ((v->ctx.sstatus & SR_FS) == SR_FS_DIRTY)
		rv_fp_save(&v->fp);
	rv_fp_load(&v->host_fp);
	csr_clear(CSR_SSTATUS, SR_FS);
	csr_set(CSR_SSTATUS, host_fs);
	/* the trap's sstatus.SPP is the mode the guest was in */
	v->vu = !(v->ctx.sstatus & SR_SPP);
	rv_csr_save(&v->csr);
	csr_write(CSR_HGATP, 0);
	local_irq_enable();
	preempt_enable();
	return 0;
}

/* ---- exits ---------------------------------------------------------- */

static void rv_exit_unknown(struct hvmod_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_UNKNOWN;
	vcpu->run->hw.hardware_exit_reason = to_rv(vcpu)->ctx.scause;
}

/*
 * Send a trap to the guest's own VS-mode handler, as the hart does for
 * the exceptions hedeleg delegates: vsepc/vscause/vstval, vsstatus.SPP
 * and SPIE from the mode and SIE the guest had, then pc = vstvec's base
 * in VS-mode.
 */
static void rv_redirect(struct rv_vcpu *v, unsigned long cause,
			unsigned long tval)
{
	unsigned long s = v->csr.vsstatus;

	s &= ~(SR_SPP | SR_SPIE | SR_SIE);
	if (!v->vu)
		s |= SR_SPP;
	if (v->csr.vsstatus & SR_SIE)
		s |= SR_SPIE;
	v->csr.vsstatus = s;
	v->csr.vscause = cause;
	v->csr.vstval = tval;
	v->csr.vsepc = v->ctx.sepc;
	v->ctx.sepc = v->csr.vstvec & ~3UL;
	v->vu = false;
}

static int rv_system_event(struct hvmod_vcpu *vcpu, u32 type, u64 reason)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	memset(&run->system_event, 0, sizeof(run->system_event));
	run->system_event.type = type;
	run->system_event.ndata = 1;
	run->system_event.data[0] = reason;
	return 0;
}

/* ecall from VS-mode: SBI.  a7 = extension, a6 = function, a0.. args. */
static int rv_sbi(struct hvmod_vcpu *vcpu)
{
	struct rv_vcpu *v = to_rv(vcpu);
	unsigned long *x = v->ctx.x;
	unsigned long eid = x[17], fid = x[16];
	long err = 0, val = 0;
	struct kvm_run *run = vcpu->run;
	int i;

	v->ctx.sepc += 4;
	i = rv_smp_sbi(vcpu, eid, fid);
	if (i != -ENOENT)
		return i;
	switch (eid) {
	case RV_SBI_LEGACY_SET_TIMER:
		rv_timer_set(v, x[10]);
		x[10] = 0;
		return 1;
	case RV_SBI_EXT_TIME:
		if (fid != 0) {		/* set_timer is the only function */
			err = SBI_ERR_NOT_SUPPORTED;
			break;
		}
		rv_timer_set(v, x[10]);
		break;
	case SBI_EXT_BASE:
		switch (fid) {
		case SBI_EXT_BASE_GET_SPEC_VERSION:
			val = RV_SBI_SPEC;
			break;
		case SBI_EXT_BASE_GET_IMP_ID:
			val = RV_SBI_IMPL_ID;
			break;
		case SBI_EXT_BASE_GET_IMP_VERSION:
			val = 0;
			break;
		case SBI_EXT_BASE_PROBE_EXT:
			val = x[10] == SBI_EXT_BASE || x[10] == SBI_EXT_SRST ||
			      x[10] == RV_SBI_EXT_TIME ||
			      x[10] == RV_SBI_LEGACY_SET_TIMER ||
			      x[10] == RV_SBI_LEGACY_PUTCHAR ||
			      x[10] == RV_SBI_LEGACY_SHUTDOWN ||
			      rv_smp_probe(x[10]);
			break;
		case SBI_EXT_BASE_GET_MVENDORID:
		case SBI_EXT_BASE_GET_MARCHID:
		case SBI_EXT_BASE_GET_MIMPID:
			val = 0;
			break;
		default:
			err = SBI_ERR_NOT_SUPPORTED;
		}
		break;
	case SBI_EXT_SRST:
		if (fid != SBI_EXT_SRST_RESET) {
			err = SBI_ERR_NOT_SUPPORTED;
			break;
		}
		switch (x[10]) {
		case SBI_SRST_RESET_TYPE_SHUTDOWN:
			return rv_system_event(vcpu, KVM_SYSTEM_EVENT_SHUTDOWN,
					       x[11]);
		case SBI_SRST_RESET_TYPE_COLD_REBOOT:
		case SBI_SRST_RESET_TYPE_WARM_REBOOT:
			return rv_system_event(vcpu, KVM_SYSTEM_EVENT_RESET,
					       x[11]);
		default:
			err = SBI_ERR_INVALID_PARAM;
		}
		break;
	case RV_SBI_LEGACY_SHUTDOWN:
		return rv_system_event(vcpu, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
	case RV_SBI_LEGACY_PUTCHAR:
	case RV_SBI_LEGACY_GETCHAR:
		/* userspace's console: KVM_EXIT_RISCV_SBI, a0/a1 on resume */
		run->exit_reason = KVM_EXIT_RISCV_SBI;
		run->riscv_sbi.extension_id = eid;
		run->riscv_sbi.function_id = fid;
		for (i = 0; i < 6; i++)
			run->riscv_sbi.args[i] = x[10 + i];
		run->riscv_sbi.ret[0] = SBI_ERR_NOT_SUPPORTED;
		run->riscv_sbi.ret[1] = 0;
		v->sbi_pending = true;
		return 0;
	default:
		err = SBI_ERR_NOT_SUPPORTED;
	}
	x[10] = err;
	x[11] = val;
	return 1;
}

/*
 * The load or store that faulted: htinst when the hart reports it (a
 * transformed instruction: bit 0 set, bit 1 clear for a 16-bit original),
 * else read from guest memory at sepc (rv_read_insn).
 */
static int rv_read_insn(struct hvmod_vcpu *vcpu, u32 *insn, u8 *ilen);

static int rv_fetch_insn(struct hvmod_vcpu *vcpu, u32 *insn, u8 *ilen)
{
	struct rv_vcpu *v = to_rv(vcpu);

	if (v->ctx.htinst & 1) {
		*insn = v->ctx.htinst | 2;
		*ilen = (v->ctx.htinst & 2) ? 4 : 2;
		return 0;
	}
	return rv_read_insn(vcpu, insn, ilen);
}

/*
 * The instruction at the guest's pc, through its VS-stage page tables
 * (each half on its own: a 32-bit instruction may cross a page).
 */
static int rv_read_insn(struct hvmod_vcpu *vcpu, u32 *insn, u8 *ilen)
{
	struct rv_vcpu *v = to_rv(vcpu);
	u16 half[2];
	u64 gpa;

	if (rv_gva_to_gpa(vcpu, v->ctx.sepc, &gpa) ||
	    hvmod_guest_rw(vcpu->vm, gpa, &half[0], 2, false))
		return -EFAULT;
	if ((half[0] & 3) != 3) {
		*insn = half[0];
		*ilen = 2;
		return 0;
	}
	if (rv_gva_to_gpa(vcpu, v->ctx.sepc + 2, &gpa) ||
	    hvmod_guest_rw(vcpu->vm, gpa, &half[1], 2, false))
		return -EFAULT;
	*insn = half[0] | (u32)half[1] << 16;
	*ilen = 4;
	return 0;
}

/*
 * Decode a load or store: 32-bit LOAD/STORE, or the compressed
 * C.LW/C.LD/C.SW/C.SD.  Returns false for anything else.  The encoding
 * decides, not the length stepped over: htinst reports a compressed
 * original as its 32-bit transformed form.
 */
static bool rv_decode_mem(u32 insn, bool *store, u8 *reg, u8 *len,
			  bool *sign)
{
	unsigned int f3;

	if ((insn & 3) != 3) {
		if ((insn & 3) != 0 || insn >> 16)
			return false;
		f3 = (insn >> 13) & 7;
		*reg = ((insn >> 2) & 7) + 8;
		*sign = true;
		/* c.lw 010, c.ld 011, c.sw 110, c.sd 111 */
		if ((f3 & 3) < 2)
			return false;
		*store = f3 & 4;
		*len = (f3 & 1) ? 8 : 4;
		return true;
	}
	f3 = (insn >> 12) & 7;
	switch (insn & 0x7f) {
	case 0x03:			/* LOAD: lb lh lw ld lbu lhu lwu */
		if (f3 == 7)
			return false;
		*store = false;
		*reg = (insn >> 7) & 31;
		*len = 1 << (f3 & 3);
		*sign = !(f3 & 4);
		return true;
	case 0x23:			/* STORE: sb sh sw sd */
		if (f3 > 3)
			return false;
		*store = true;
		*reg = (insn >> 20) & 31;
		*len = 1 << f3;
		*sign = false;
		return true;
	default:
		return false;
	}
}

static int rv_mmio(struct hvmod_vcpu *vcpu, u64 gpa)
{
	struct rv_vcpu *v = to_rv(vcpu);
	struct kvm_run *run = vcpu->run;
	bool store, sign;
	u8 reg, len, ilen;
	u32 insn;
	u64 val;
	int r;

	r = rv_fetch_insn(vcpu, &insn, &ilen);
	if (r)
		return r;
	if (!rv_decode_mem(insn, &store, &reg, &len, &sign)) {
		hvmod_reject("MMIO at 0x%llx: instruction 0x%x at pc 0x%lx is no load or store",
			     gpa, insn, v->ctx.sepc);
		run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
		run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
		run->internal.ndata = 2;
		run->internal.data[0] = insn;
		run->internal.data[1] = gpa;
		return 0;
	}
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = store;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (store) {
		val = reg ? v->ctx.x[reg] : 0;
		memcpy(run->mmio.data, &val, len);	/* little endian */
		v->ctx.sepc += ilen;
		return 0;
	}
	v->mmio.pending = true;
	v->mmio.rd = reg;
	v->mmio.len = len;
	v->mmio.ilen = ilen;
	v->mmio.sign = sign;
	return 0;
}

/*
 * KVM_RUN after an MMIO load or an SBI exit: hand over userspace's data.
 * Before immediate_exit is looked at, as KVM, so an EINTR leaves the
 * access finished.
 */
int rv_vcpu_complete(struct hvmod_vcpu *vcpu)
{
	struct rv_vcpu *v = to_rv(vcpu);
	struct kvm_run *run = vcpu->run;
	unsigned int sh;
	u64 val = 0;

	if (v->mmio.pending) {
		memcpy(&val, run->mmio.data, v->mmio.len);
		sh = 64 - 8 * v->mmio.len;
		if (v->mmio.sign && sh)
			val = (u64)((s64)(val << sh) >> sh);
		if (v->mmio.rd)
			v->ctx.x[v->mmio.rd] = val;
		v->ctx.sepc += v->mmio.ilen;
		v->mmio.pending = false;
	}
	if (v->sbi_pending) {
		v->ctx.x[10] = run->riscv_sbi.ret[0];
		v->ctx.x[11] = run->riscv_sbi.ret[1];
		v->sbi_pending = false;
	}
	return 0;
}

/*
 * A virtual instruction trap: wfi (hstatus.VTW), else an instruction
 * VS-mode may not run (hypervisor CSRs and fences...): as KVM, an illegal
 * instruction for the guest, stval the instruction.  The hart reports
 * the instruction in stval; if it does not, it is read at pc.
 */
static int rv_virtual_insn(struct hvmod_vcpu *vcpu)
{
	struct rv_vcpu *v = to_rv(vcpu);
	u32 insn = v->ctx.stval;
	u8 ilen = 4;
	int r;

	if (!insn) {
		r = rv_read_insn(vcpu, &insn, &ilen);
		if (r) {
			rv_exit_unknown(vcpu);
			return 0;
		}
	}
	if (insn == RV_INSN_WFI) {
		v->ctx.sepc += 4;
		return rv_timer_wfi(vcpu);
	}
	rv_redirect(v, EXC_INST_ILLEGAL, insn);
	return 1;
}

static int rv_handle_exit(struct hvmod_vcpu *vcpu)
{
	struct rv_vcpu *v = to_rv(vcpu);
	unsigned long cause = v->ctx.scause;
	u64 gpa;
	int r;

	if (cause & CAUSE_IRQ_FLAG)
		return 1;		/* a host interrupt, taken already */
	switch (cause) {
	case EXC_SUPERVISOR_SYSCALL:	/* ecall from VS-mode */
		return rv_sbi(vcpu);
	case EXC_VIRTUAL_INST_FAULT:
		return rv_virtual_insn(vcpu);
	case EXC_LOAD_ACCESS:
	case EXC_STORE_ACCESS:
		/* as KVM: the guest's own access faults are its to handle */
		rv_redirect(v, cause, v->ctx.stval);
		return 1;
	case EXC_INST_GUEST_PAGE_FAULT:
	case EXC_LOAD_GUEST_PAGE_FAULT:
	case EXC_STORE_GUEST_PAGE_FAULT:
		gpa = ((u64)v->ctx.htval << 2) | (v->ctx.stval & 3);
		r = hvmod_s2_fault(vcpu->vm, gpa,
				   cause == EXC_STORE_GUEST_PAGE_FAULT, true);
		if (r)
			return r;
		if (cause == EXC_INST_GUEST_PAGE_FAULT) {
			hvmod_reject("guest fetch from 0x%llx: not RAM", gpa);
			rv_exit_unknown(vcpu);
			return 0;
		}
		return rv_mmio(vcpu, gpa);
	default:
		rv_exit_unknown(vcpu);
		return 0;
	}
}

/* KVM_RUN begins / ends: the task the timer kicks out of the guest */
void rv_vcpu_load(struct hvmod_vcpu *vcpu)
{
	WRITE_ONCE(to_rv(vcpu)->timer.task, current);
}

void rv_vcpu_put(struct hvmod_vcpu *vcpu)
{
	WRITE_ONCE(to_rv(vcpu)->timer.task, NULL);
}

int rv_vcpu_run(struct hvmod_vcpu *vcpu)
{
	int r;

	r = rv_smp_run(vcpu);
	if (r <= 0)
		return r;
	r = rv_enter_guest(vcpu);
	if (r)
		return r;
	return rv_handle_exit(vcpu);
}

/* ---- KVM_GET/SET_ONE_REG -------------------------------------------- */

static unsigned long *rv_csr_of(struct rv_vcpu *v, u64 idx)
{
	struct rv_vscsr *c = &v->csr;

	switch (idx) {
	case KVM_REG_RISCV_CSR_REG(sstatus):	return &c->vsstatus;
	case KVM_REG_RISCV_CSR_REG(sie):	return &c->vsie;
	case KVM_REG_RISCV_CSR_REG(stvec):	return &c->vstvec;
	case KVM_REG_RISCV_CSR_REG(sscratch):	return &c->vsscratch;
	case KVM_REG_RISCV_CSR_REG(sepc):	return &c->vsepc;
	case KVM_REG_RISCV_CSR_REG(scause):	return &c->vscause;
	case KVM_REG_RISCV_CSR_REG(stval):	return &c->vstval;
	case KVM_REG_RISCV_CSR_REG(sip):	return &c->hvip;
	case KVM_REG_RISCV_CSR_REG(satp):	return &c->vsatp;
	case KVM_REG_RISCV_CSR_REG(scounteren):	return &c->scounteren;
	default:				return NULL;
	}
}

/* core "mode": S (VS-mode) or U (VU-mode) */
static int rv_mode_reg(struct rv_vcpu *v, struct kvm_one_reg *reg, bool set)
{
	u64 val = v->vu ? KVM_RISCV_MODE_U : KVM_RISCV_MODE_S;

	if (!set)
		return put_user(val, (u64 __user *)reg->addr) ? -EFAULT : 0;
	if (get_user(val, (u64 __user *)reg->addr))
		return -EFAULT;
	if (val != KVM_RISCV_MODE_U && val != KVM_RISCV_MODE_S) {
		hvmod_reject("ONE_REG: mode %llu is neither S (1) nor U (0)",
			     val);
		return -EINVAL;
	}
	v->vu = val == KVM_RISCV_MODE_U;
	return 0;
}

/*
 * KVM_REG_RISCV_FP_F (32-bit f0-f31 and fcsr: the low halves of the D
 * registers) and KVM_REG_RISCV_FP_D (64-bit f0-f31, 32-bit fcsr).
 */
static int rv_fp_reg(struct rv_vcpu *v, u64 id, void __user *uaddr, bool set)
{
	bool d = (id & KVM_REG_RISCV_TYPE_MASK) == KVM_REG_RISCV_FP_D;
	u64 idx = id & 0xffffff, size = id & KVM_REG_SIZE_MASK, val;
	u64 *p;
	u32 v32;

	if (idx > 32) {
		hvmod_reject("ONE_REG: no riscv FP register %llu (f0-f31 are 0-31, fcsr 32)",
			     idx);
		return -EINVAL;
	}
	if (size != ((d && idx < 32) ? KVM_REG_SIZE_U64 : KVM_REG_SIZE_U32)) {
		hvmod_reject("ONE_REG: id 0x%llx: wrong size for FP_%c register %llu",
			     id, d ? 'D' : 'F', idx);
		return -EINVAL;
	}
	p = idx == 32 ? &v->fp.fcsr : &v->fp.f[idx];
	if (size == KVM_REG_SIZE_U64) {
		if (!set)
			return put_user(*p, (u64 __user *)uaddr) ? -EFAULT : 0;
		if (get_user(val, (u64 __user *)uaddr))
			return -EFAULT;
		*p = val;
		return 0;
	}
	if (!set)
		return put_user((u32)*p, (u32 __user *)uaddr) ? -EFAULT : 0;
	if (get_user(v32, (u32 __user *)uaddr))
		return -EFAULT;
	/* an F register is the low half of its D register; fcsr is 32-bit */
	*p = idx == 32 ? v32 : (*p & ~0xffffffffULL) | v32;
	return 0;
}

static int rv_one_reg(struct hvmod_vcpu *vcpu, unsigned long arg, bool set)
{
	struct rv_vcpu *v = to_rv(vcpu);
	struct kvm_one_reg reg;
	unsigned long val = 0, *p = NULL;
	u64 idx;

	if (copy_from_user(&reg, (void __user *)arg, sizeof(reg)))
		return -EFAULT;
	if ((reg.id & ~(KVM_REG_SIZE_MASK | KVM_REG_RISCV_TYPE_MASK | 0xffffff)) !=
	    KVM_REG_RISCV) {
		hvmod_reject("ONE_REG: id 0x%llx is not a riscv register", reg.id);
		return -EINVAL;
	}
	switch (reg.id & KVM_REG_RISCV_TYPE_MASK) {
	case KVM_REG_RISCV_FP_F:
	case KVM_REG_RISCV_FP_D:
		return rv_fp_reg(v, reg.id, (void __user *)reg.addr, set);
	}
	if ((reg.id & KVM_REG_SIZE_MASK) != KVM_REG_SIZE_U64) {
		hvmod_reject("ONE_REG: id 0x%llx: riscv64 registers are 64-bit",
			     reg.id);
		return -EINVAL;
	}
	idx = reg.id & 0xffffff;
	switch (reg.id & KVM_REG_RISCV_TYPE_MASK) {
	case KVM_REG_RISCV_CONFIG:
		if (idx != KVM_REG_RISCV_CONFIG_REG(isa))
			goto bad;
		val = RV_GUEST_ISA;
		if (set) {
			if (get_user(val, (u64 __user *)reg.addr))
				return -EFAULT;
			if (val != RV_GUEST_ISA) {
				hvmod_reject("ONE_REG: config isa 0x%lx: only 0x%lx is offered",
					     val, (unsigned long)RV_GUEST_ISA);
				return -EINVAL;
			}
			return 0;
		}
		break;
	case KVM_REG_RISCV_CORE:
		if (idx == KVM_REG_RISCV_CORE_REG(mode))
			return rv_mode_reg(v, &reg, set);
		if (idx >= 32)
			goto bad;
		/* index 0 is pc, 1..31 are x1..x31 */
		p = idx ? &v->ctx.x[idx] : &v->ctx.sepc;
		break;
	case KVM_REG_RISCV_CSR:
		p = rv_csr_of(v, idx);
		if (!p)
			goto bad;
		break;
	case KVM_REG_RISCV_TIMER:
		return rv_timer_one_reg(vcpu, idx, (u64 __user *)reg.addr, set);
	default:
		goto bad;
	}
	if (set) {
		if (get_user(val, (u64 __user *)reg.addr))
			return -EFAULT;
		*p = val;
		return 0;
	}
	if (p)
		val = *p;
	return put_user((u64)val, (u64 __user *)reg.addr) ? -EFAULT : 0;
bad:
	hvmod_reject("ONE_REG: no riscv register 0x%llx", reg.id);
	return -EINVAL;
}

/*
 * KVM_GET_REG_LIST: config isa, core pc..t6 and mode, the CSRs, the
 * timer, FP_D f0-f31 and fcsr (as KVM lists FP_D, not FP_F, with D)
 */
#define RV_NR_CORE	(KVM_REG_RISCV_CORE_REG(mode) + 1)
#define RV_NR_CSR	(sizeof(struct kvm_riscv_csr) / sizeof(unsigned long))
#define RV_NR_TIMER	(sizeof(struct kvm_riscv_timer) / sizeof(u64))
#define RV_NR_FP	33
#define RV_NR_REGS	(1 + RV_NR_CORE + RV_NR_CSR + RV_NR_TIMER + RV_NR_FP)

static int rv_reg_list(unsigned long arg)
{
	struct kvm_reg_list __user *ul = (void __user *)arg;
	const u64 base = KVM_REG_RISCV | KVM_REG_SIZE_U64;
	u64 n, id, i;

	if (get_user(n, &ul->n))
		return -EFAULT;
	if (put_user((u64)RV_NR_REGS, &ul->n))
		return -EFAULT;
	if (n < RV_NR_REGS)
		return -E2BIG;
	for (i = 0; i < RV_NR_REGS; i++) {
		if (!i)
			id = base | KVM_REG_RISCV_CONFIG |
			     KVM_REG_RISCV_CONFIG_REG(isa);
		else if (i <= RV_NR_CORE)
			id = base | KVM_REG_RISCV_CORE | (i - 1);
		else if (i <= RV_NR_CORE + RV_NR_CSR)
			id = base | KVM_REG_RISCV_CSR | (i - 1 - RV_NR_CORE);
		else if (i <= RV_NR_CORE + RV_NR_CSR + RV_NR_TIMER)
			id = base | KVM_REG_RISCV_TIMER |
			     (i - 1 - RV_NR_CORE - RV_NR_CSR);
		else if (i < RV_NR_REGS - 1)
			id = base | KVM_REG_RISCV_FP_D |
			     (i - 1 - RV_NR_CORE - RV_NR_CSR - RV_NR_TIMER);
		else	/* fcsr: 32-bit */
			id = KVM_REG_RISCV | KVM_REG_SIZE_U32 |
			     KVM_REG_RISCV_FP_D | KVM_REG_RISCV_FP_D_REG(fcsr);
		if (put_user(id, &ul->reg[i]))
			return -EFAULT;
	}
	return 0;
}

long rv_vcpu_ioctl(struct hvmod_vcpu *vcpu, unsigned int ioctl,
		   unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_ONE_REG:
	case KVM_SET_ONE_REG:
		return rv_one_reg(vcpu, arg, ioctl == KVM_SET_ONE_REG);
	case KVM_GET_REG_LIST:
		return rv_reg_list(arg);
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
		return rv_smp_mp_state(vcpu, arg, ioctl == KVM_SET_MP_STATE);
	default:
		return -ENOTTY;
	}
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The riscv64 backend's private state, shared by its files.
 *
 * The host kernel runs in HS-mode (S-mode of a hart with the H extension)
 * under OpenSBI; hvmod runs guests in VS/VU-mode with the hypervisor CSRs
 * (hstatus, hgatp, hedeleg, hideleg, the vs* CSRs) written from the
 * module.
 */
#ifndef HVMOD_RV_H
#define HVMOD_RV_H

/* struct rv_ctx offsets, shared with rv_entry.S */
#define RV_CTX_X(n)		(8 * (n))	/* x0 slot unused */
#define RV_CTX_SEPC		(32 * 8)
#define RV_CTX_SSTATUS		(33 * 8)
#define RV_CTX_HSTATUS		(34 * 8)
#define RV_CTX_SCAUSE		(35 * 8)
#define RV_CTX_STVAL		(36 * 8)
#define RV_CTX_HTVAL		(37 * 8)
#define RV_CTX_HTINST		(38 * 8)
#define RV_CTX_HOST_RA		(39 * 8)
#define RV_CTX_HOST_SP		(40 * 8)
#define RV_CTX_HOST_GP		(41 * 8)
#define RV_CTX_HOST_TP		(42 * 8)
#define RV_CTX_HOST_S(n)	((43 + (n)) * 8)	/* s0..s11 */
#define RV_CTX_HOST_SSTATUS	(55 * 8)
#define RV_CTX_HOST_HSTATUS	(56 * 8)
#define RV_CTX_HOST_STVEC	(57 * 8)
#define RV_CTX_HOST_SSCRATCH	(58 * 8)
#define RV_CTX_SIZE		(59 * 8)

/* struct rv_fp offsets, shared with rv_fp.S */
#define RV_FP_F(n)		(8 * (n))
#define RV_FP_FCSR		(32 * 8)

#ifndef __ASSEMBLY__

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <asm/csr.h>
#include "hvmod.h"

/*
 * What rv_entry.S switches.  Before entry: the guest's GPRs, pc (sepc),
 * the sstatus to sret with (SPP: VS or VU) and hstatus (SPV set).  After
 * the exit: the guest's GPRs and pc, and the trap's cause and values.
 */
struct rv_ctx {
	unsigned long x[32];
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long hstatus;
	unsigned long scause, stval, htval, htinst;
	unsigned long host_ra, host_sp, host_gp, host_tp;
	unsigned long host_s[12];
	unsigned long host_sstatus, host_hstatus, host_stvec, host_sscratch;
};

/*
 * binutils 2.40 rejects H-extension instructions under the kernel's
 * -march: enable the extension around each one.
 */
#define RV_H_INSN(insn)							\
	".option push\n\t.option arch, +h\n\t" insn "\n\t.option pop\n\t"

/* Invalidate every G-stage (and VS-stage) TLB entry of this hart. */
static inline void rv_hfence_gvma_all(void)
{
	asm volatile(RV_H_INSN("hfence.gvma zero, zero") : : : "memory");
}

/* Invalidate this hart's TLB entries tagged with one VMID. */
static inline void rv_hfence_gvma_vmid(unsigned long vmid)
{
	asm volatile(RV_H_INSN("hfence.gvma zero, %0")
		     : : "r" (vmid) : "memory");
}

/* Exception causes <asm/csr.h> (6.1) has no names for */
#define RV_EXC_LOAD_MISALIGNED	4
#define RV_EXC_STORE_MISALIGNED	6

struct rv_vm {
	unsigned long vmid;
	unsigned long hgatp;		/* mode | VMID | root PPN */
	/* htimedelta: the guest's time CSR is the host's plus this (KVM: per VM) */
	u64 time_delta;
};

/* f0-f31 and fcsr (the D extension's layout), see rv_fp.S */
struct rv_fp {
	u64 f[32];
	u64 fcsr;
};

/*
 * The guest's SBI timer (no Sstc used): the compare value in guest time,
 * an hrtimer that kicks the vCPU task when it is due (the VS timer
 * interrupt is then raised in hvip on the next entry) and wakes a WFI.
 */
struct rv_timer {
	u64 compare;
	bool armed;			/* compare set, interrupt not raised yet */
	struct hrtimer hrt;
	struct task_struct *task;	/* the task in KVM_RUN, NULL outside */
	wait_queue_head_t wq;		/* a WFI sleeps here */
};

/* The guest's VS-level CSRs (KVM_REG_RISCV_CSR order is different). */
struct rv_vscsr {
	unsigned long vsstatus, vsie, vstvec, vsscratch, vsepc, vscause;
	unsigned long vstval, hvip, vsatp, scounteren;
};

struct rv_mmio {
	bool pending;		/* a load waits for userspace's data */
	u8 rd;
	u8 len;
	u8 ilen;		/* instruction length, to step over */
	bool sign;
};

struct rv_vcpu {
	struct rv_ctx ctx;		/* first: rv_enter() takes &ctx */
	struct rv_vscsr csr;
	bool vu;			/* guest runs in VU-mode (mode U) */
	struct rv_mmio mmio;
	bool sbi_pending;		/* KVM_EXIT_RISCV_SBI: a0/a1 on resume */
	struct rv_fp fp;		/* the guest's FP registers */
	struct rv_fp host_fp;		/* the host's, during one entry */
	struct rv_timer timer;
	s64 tlb_gen;			/* vm->tlb_gen last flushed for */
	int last_cpu;
	struct hvmod_vcpu *vcpu;
	/* SMP, see rv_smp.c */
	spinlock_t hsm_lock;		/* hsm_state and start_* together */
	int hsm_state;			/* SBI_HSM_STATE_{STARTED,STOPPED,START_PENDING} */
	unsigned long start_pc, start_opaque;	/* hart_start's, for the reset */
	wait_queue_head_t hsm_wq;	/* a stopped vCPU sleeps here */
	unsigned long irq_queued;	/* hvip bits other vCPUs raised */
	unsigned long requests;		/* RV_REQ_* other vCPUs asked for */
	int in_guest;			/* 1 from the entry's checks to the exit */
	int cpu;			/* the CPU of that entry */
};

/* rv_vcpu.requests: done on the next entry */
#define RV_REQ_FENCE_I		0	/* fence.i */
#define RV_REQ_VVMA		1	/* hfence.vvma of the VM's VMID */

static inline struct rv_vcpu *to_rv(struct hvmod_vcpu *vcpu)
{
	return vcpu->arch;
}

/* rv.c */
extern unsigned long rv_hgatp_mode;	/* HGATP_MODE_* in place */
extern unsigned int rv_vmid_bits;

/* rv_s2.c */
extern const struct hvmod_s2_format rv_s2_format;

/* rv_entry.S */
void rv_enter(struct rv_ctx *ctx);

/* rv_fp.S: sstatus.FS must be on */
void rv_fp_save(struct rv_fp *fp);
void rv_fp_load(const struct rv_fp *fp);

/* rv_walk.c: a guest VA through the guest's vsatp; -EFAULT if unmapped */
int rv_gva_to_gpa(struct hvmod_vcpu *vcpu, unsigned long gva, u64 *gpa);

/* rv_timer.c */
void rv_timer_init(struct rv_vcpu *v);
void rv_timer_destroy(struct rv_vcpu *v);
u64 rv_guest_time(struct hvmod_vm *vm);
void rv_timer_set(struct rv_vcpu *v, u64 compare);
bool rv_timer_due(struct rv_vcpu *v);
int rv_timer_wfi(struct hvmod_vcpu *vcpu);
int rv_timer_one_reg(struct hvmod_vcpu *vcpu, u64 idx, u64 __user *uaddr,
		     bool set);

/* rv_smp.c */
void rv_smp_init(struct rv_vcpu *v);
int rv_smp_run(struct hvmod_vcpu *vcpu);
void rv_smp_enter(struct rv_vcpu *v, int cpu);
void rv_smp_exit(struct rv_vcpu *v);
void rv_smp_take_irqs(struct rv_vcpu *v);
int rv_smp_sbi(struct hvmod_vcpu *vcpu, unsigned long eid, unsigned long fid);
bool rv_smp_probe(unsigned long eid);
int rv_smp_mp_state(struct hvmod_vcpu *vcpu, unsigned long arg, bool set);

/* rv_vcpu.c */
void rv_vcpu_reset(struct rv_vcpu *v);
int rv_vcpu_init(struct hvmod_vcpu *vcpu);
void rv_vcpu_destroy(struct hvmod_vcpu *vcpu);
int rv_vcpu_complete(struct hvmod_vcpu *vcpu);
int rv_vcpu_run(struct hvmod_vcpu *vcpu);
void rv_vcpu_load(struct hvmod_vcpu *vcpu);
void rv_vcpu_put(struct hvmod_vcpu *vcpu);
long rv_vcpu_ioctl(struct hvmod_vcpu *vcpu, unsigned int ioctl,
		   unsigned long arg);

#endif /* __ASSEMBLY__ */
#endif /* HVMOD_RV_H */

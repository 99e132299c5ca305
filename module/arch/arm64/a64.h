/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 backend's private state, shared by its files.
 *
 * hvmod runs guests from a host kernel that itself runs at EL2 with
 * HCR_EL2.E2H = 1 (VHE).  Such a host never uses the EL1 system
 * registers (its own accesses to SCTLR_EL1 & co. are redirected to the
 * EL2 registers), so a guest's EL1 state is written through the *_EL12
 * aliases.  What host and guest really share (the EL0 thread registers,
 * SP_EL0, TPIDR_EL1, PAR_EL1, the FP/SIMD registers) is switched on every
 * entry and exit.
 */
#ifndef HVMOD_A64_H
#define HVMOD_A64_H

/* struct a64_ctx offsets, shared with a64_entry.S */
#define A64_CTX_X0		0
#define A64_CTX_X(n)		(A64_CTX_X0 + 8 * (n))
#define A64_CTX_SP_EL0		(31 * 8)
#define A64_CTX_PC		(32 * 8)
#define A64_CTX_PSTATE		(33 * 8)
#define A64_CTX_ESR		(34 * 8)
#define A64_CTX_FAR		(35 * 8)
#define A64_CTX_HPFAR		(36 * 8)
#define A64_CTX_HOST_VBAR	(37 * 8)
#define A64_CTX_HOST_SP_EL0	(38 * 8)

/* a64_enter() return values: which vector the guest left through */
#define A64_EXIT_SYNC		0
#define A64_EXIT_IRQ		1
#define A64_EXIT_FIQ		2
#define A64_EXIT_SERROR		3

#ifndef __ASSEMBLY__

#include <linux/spinlock.h>
#include <linux/wait.h>
#include <asm/ptrace.h>
#include "hvmod.h"

/* What a64_entry.S switches: the guest's GPRs and the exit syndrome. */
struct a64_ctx {
	u64 x[31];
	u64 sp_el0;
	u64 pc;			/* ELR_EL2 */
	u64 pstate;		/* SPSR_EL2 */
	u64 esr, far, hpfar;	/* filled on exit */
	u64 host_vbar;		/* host's VBAR_EL2 while the guest runs */
	u64 host_sp_el0;	/* host's SP_EL0 (current) */
};

/* The guest EL1/EL0 system registers hvmod keeps per vCPU. */
enum a64_sysreg {
	A64_SCTLR,
	A64_CPACR,
	A64_TTBR0,
	A64_TTBR1,
	A64_TCR,
	A64_ESR,
	A64_AFSR0,
	A64_AFSR1,
	A64_FAR,
	A64_MAIR,
	A64_AMAIR,
	A64_VBAR,
	A64_CONTEXTIDR,
	A64_CNTKCTL,
	A64_TPIDR_EL1,
	A64_PAR,
	A64_CSSELR,
	A64_TPIDR_EL0,
	A64_TPIDRRO_EL0,
	A64_MDSCR,		/* trapped (MDCR_EL2.TDA): shadow only */
	A64_ACTLR,		/* trapped (HCR_EL2.TACR): shadow only */
	A64_MPIDR,		/* VMPIDR_EL2 */
	A64_CNTV_CTL,
	A64_CNTV_CVAL,
	A64_NR_SYSREGS
};

struct a64_mmio {
	bool pending;		/* a read waits for userspace's data */
	u8 rt;			/* destination register, 31 = XZR */
	u8 len;
	bool sign;		/* SSE: sign-extend */
	bool sf;		/* SF: 64-bit destination */
};

struct a64_vcpu {
	struct a64_ctx ctx;		/* first: entry code takes &ctx */
	struct user_fpsimd_state fp;
	u64 sys[A64_NR_SYSREGS];
	u64 sp_el1, elr_el1;
	u64 spsr[KVM_NR_SPSR];		/* [0] = SPSR_EL1 */
	bool initialised;
	u32 features;			/* KVM_ARM_VCPU_INIT features[0] */
	struct a64_mmio mmio;
	s64 tlb_gen;			/* vm->tlb_gen last flushed for */
	/* PSCI power state, changed by other vCPUs (CPU_ON) */
	spinlock_t power_lock;
	bool power_off;
	bool reset_pending;		/* CPU_ON: reset to reset_pc/x0 */
	u64 reset_pc, reset_x0;
	bool reset_be;
	wait_queue_head_t wq;
	struct hvmod_vcpu *vcpu;
};

/* PSCI versions as PSCI_VERSION returns them (and KVM_REG_ARM_PSCI_VERSION) */
#define A64_PSCI_VERSION_0_2	0x00000002
#define A64_PSCI_VERSION_1_0	0x00010000

struct a64_vm {
	u16 vmid;
	u64 vttbr;
	u64 cntvoff;			/* CNTVOFF_EL2: guest virtual count */
	u32 psci_version;
};

static inline struct a64_vcpu *to_a64(struct hvmod_vcpu *vcpu)
{
	return vcpu->arch;
}

/* a64.c */
extern u64 a64_vtcr;
extern u64 a64_host_vectors;
extern u64 a64_midr;
void a64_tlb_flush_vmid(u64 vttbr);

/* a64_s2.c */
extern const struct hvmod_s2_format a64_s2_format;

/* a64_entry.S */
u64 a64_enter(struct a64_ctx *ctx);
void a64_fp_load(struct user_fpsimd_state *fp);
void a64_fp_save(struct user_fpsimd_state *fp);
extern char a64_vectors[];

/* a64_vcpu.c */
int a64_vcpu_init(struct hvmod_vcpu *vcpu);
void a64_vcpu_destroy(struct hvmod_vcpu *vcpu);
int a64_vcpu_complete(struct hvmod_vcpu *vcpu);
int a64_vcpu_run(struct hvmod_vcpu *vcpu);
long a64_vcpu_ioctl(struct hvmod_vcpu *vcpu, unsigned int ioctl,
		    unsigned long arg);
void a64_vcpu_reset(struct a64_vcpu *v);
u64 a64_mpidr_of(u32 id);
int a64_sleep_unlocked(struct hvmod_vcpu *vcpu, u64 ns);

/* a64_exit.c */
int a64_handle_exit(struct hvmod_vcpu *vcpu, u64 code);
void a64_mmio_complete(struct hvmod_vcpu *vcpu);
void a64_inject_undef(struct a64_vcpu *v);

static inline u64 a64_get_reg(struct a64_vcpu *v, unsigned int rt)
{
	return rt == 31 ? 0 : v->ctx.x[rt];
}

static inline void a64_set_reg(struct a64_vcpu *v, unsigned int rt, u64 val)
{
	if (rt != 31)
		v->ctx.x[rt] = val;
}

#endif /* __ASSEMBLY__ */
#endif /* HVMOD_A64_H */

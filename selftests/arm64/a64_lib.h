/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 guests for the hvmod selftests: a VM with RAM at G_RAM holding the
 * payload of guests/a64_guest.S, vCPUs initialised with the preferred
 * target, register access through KVM_GET/SET_ONE_REG, and KVM_RUN with
 * a timeout.  Setup steps that are not under test bail out.
 */
#ifndef HVMOD_A64_LIB_H
#define HVMOD_A64_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "a64_layout.h"
#include "hvmod_util.h"

/* KVM ids of the core registers (struct kvm_regs) */
#define A64_CORE_ID(size, field)					\
	(KVM_REG_ARM64 | (size) | KVM_REG_ARM_CORE |			\
	 (offsetof(struct kvm_regs, field) / sizeof(uint32_t)))
#define A64_X(n)	A64_CORE_ID(KVM_REG_SIZE_U64, regs.regs[n])
#define A64_SP		A64_CORE_ID(KVM_REG_SIZE_U64, regs.sp)
#define A64_PC		A64_CORE_ID(KVM_REG_SIZE_U64, regs.pc)
#define A64_PSTATE	A64_CORE_ID(KVM_REG_SIZE_U64, regs.pstate)
#define A64_SP_EL1	A64_CORE_ID(KVM_REG_SIZE_U64, sp_el1)
#define A64_ELR_EL1	A64_CORE_ID(KVM_REG_SIZE_U64, elr_el1)
#define A64_SPSR_EL1	A64_CORE_ID(KVM_REG_SIZE_U64, spsr[0])
#define A64_V(n)	A64_CORE_ID(KVM_REG_SIZE_U128, fp_regs.vregs[n])
#define A64_FPSR	A64_CORE_ID(KVM_REG_SIZE_U32, fp_regs.fpsr)
#define A64_FPCR	A64_CORE_ID(KVM_REG_SIZE_U32, fp_regs.fpcr)

/* System registers: ARM64_SYS_REG(op0, op1, crn, crm, op2) */
#define A64_MIDR	ARM64_SYS_REG(3, 0, 0, 0, 0)
#define A64_MPIDR	ARM64_SYS_REG(3, 0, 0, 0, 5)
#define A64_SCTLR	ARM64_SYS_REG(3, 0, 1, 0, 0)
#define A64_CPACR	ARM64_SYS_REG(3, 0, 1, 0, 2)
#define A64_TTBR0	ARM64_SYS_REG(3, 0, 2, 0, 0)
#define A64_TTBR1	ARM64_SYS_REG(3, 0, 2, 0, 1)
#define A64_TCR		ARM64_SYS_REG(3, 0, 2, 0, 2)
#define A64_ESR		ARM64_SYS_REG(3, 0, 5, 2, 0)
#define A64_FAR		ARM64_SYS_REG(3, 0, 6, 0, 0)
#define A64_MAIR	ARM64_SYS_REG(3, 0, 10, 2, 0)
#define A64_VBAR	ARM64_SYS_REG(3, 0, 12, 0, 0)
#define A64_TPIDR_EL1	ARM64_SYS_REG(3, 0, 13, 0, 4)
#define A64_TPIDR_EL0	ARM64_SYS_REG(3, 3, 13, 0, 2)
#define A64_TPIDRRO_EL0	ARM64_SYS_REG(3, 3, 13, 0, 3)
#define A64_MDSCR	ARM64_SYS_REG(2, 0, 0, 2, 2)

#define PSTATE_EL1H_DAIF	0x3c5ULL
#define CPACR_FPEN		(3ULL << 20)

struct a64_vm {
	int sys, vm;
	int vcpu[4];
	struct kvm_run *run[4];
	void *ram;			/* G_RAM_SIZE bytes at G_RAM */
};

/* /dev/hvmod (skips the program if absent), a VM, RAM with the payload. */
void a64_vm_create(struct a64_vm *g);
/* vCPU id, KVM_ARM_VCPU_INIT with features[0] = feat, its run page. */
void a64_vcpu_add(struct a64_vm *g, int id, uint32_t feat);
void a64_vm_destroy(struct a64_vm *g);

/* ONE_REG on a vCPU fd; bail out on failure. */
uint64_t a64_get(int vcpufd, uint64_t id);
void a64_set(int vcpufd, uint64_t id, uint64_t val);
/* ONE_REG returning 0 or errno, for the ABI checks. */
int a64_get_err(int vcpufd, uint64_t id, void *val);
int a64_set_err(int vcpufd, uint64_t id, const void *val);

/* PC = entry (a GUEST_* address), PSTATE = EL1h with DAIF masked. */
void a64_start(struct a64_vm *g, int idx, uint64_t entry);
/* KVM_RUN with a timeout: 0 or errno (EINTR on timeout). */
int a64_run(struct a64_vm *g, int idx);
/* Run and expect an MMIO exit; returns false (and a TAP diag) if not. */
bool a64_run_mmio(struct a64_vm *g, int idx, bool write, uint64_t *data,
		  uint32_t *len, uint64_t *addr);
/* Run until an MMIO write and return its value (diag + ~0 otherwise). */
uint64_t a64_report(struct a64_vm *g, int idx);
/* Run and expect KVM_EXIT_SYSTEM_EVENT of type. */
bool a64_run_event(struct a64_vm *g, int idx, uint32_t type);

const char *a64_exit_name(uint32_t reason);
uint64_t a64_now_ns(void);

#endif

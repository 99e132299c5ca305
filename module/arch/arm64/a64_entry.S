/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 world switch: enter a guest at EL1 from the VHE host at EL2
 * and come back through hvmod's own EL2 vector table.
 *
 * a64_enter(ctx) runs with every DAIF bit masked and the guest's HCR_EL2,
 * stage-2 and EL1 system registers already loaded (a64_vcpu.c).  It saves
 * the host's callee-saved registers and SP_EL0 (the kernel's `current`),
 * installs a64_vectors in VBAR_EL2, loads the guest's GPRs, SP_EL0, PC
 * (ELR_EL2) and PSTATE (SPSR_EL2) and ERETs.  SP_EL2 keeps pointing at
 * this frame while the guest runs, so an exception from the guest finds
 * the context pointer on the stack, saves the guest's GPRs and syndrome,
 * restores SP_EL0 and the host's VBAR_EL2 and returns which vector was
 * taken (A64_EXIT_*).
 *
 * An exception taken at EL2 while a64_vectors is installed is a bug in
 * this window: it is handed to the host's own vectors by re-installing
 * them and returning to the faulting instruction, so the kernel reports
 * it the usual way.
 */
#include <linux/linkage.h>
#include <asm/assembler.h>
#include <asm/fpsimdmacros.h>
#include "a64.h"

#define FRAME	112	/* x29/x30, x19..x28, x18 + ctx */

	.text

/* u64 a64_enter(struct a64_ctx *ctx) */
SYM_FUNC_START(a64_enter)
	stp	x29, x30, [sp, #-FRAME]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	stp	x18, x0, [sp, #96]
	/* the context pointer on top: [sp] while the guest runs */
	str	x0, [sp, #-16]!

	mrs	x1, sp_el0
	str	x1, [x0, #A64_CTX_HOST_SP_EL0]
	mrs	x1, vbar_el2
	str	x1, [x0, #A64_CTX_HOST_VBAR]
	adr_l	x1, a64_vectors
	msr	vbar_el2, x1
	isb

	ldr	x1, [x0, #A64_CTX_SP_EL0]
	msr	sp_el0, x1
	ldp	x1, x2, [x0, #A64_CTX_PC]
	msr	elr_el2, x1
	msr	spsr_el2, x2

	mov	x29, x0
	ldp	x0, x1, [x29, #A64_CTX_X(0)]
	ldp	x2, x3, [x29, #A64_CTX_X(2)]
	ldp	x4, x5, [x29, #A64_CTX_X(4)]
	ldp	x6, x7, [x29, #A64_CTX_X(6)]
	ldp	x8, x9, [x29, #A64_CTX_X(8)]
	ldp	x10, x11, [x29, #A64_CTX_X(10)]
	ldp	x12, x13, [x29, #A64_CTX_X(12)]
	ldp	x14, x15, [x29, #A64_CTX_X(14)]
	ldp	x16, x17, [x29, #A64_CTX_X(16)]
	ldp	x18, x19, [x29, #A64_CTX_X(18)]
	ldp	x20, x21, [x29, #A64_CTX_X(20)]
	ldp	x22, x23, [x29, #A64_CTX_X(22)]
	ldp	x24, x25, [x29, #A64_CTX_X(24)]
	ldp	x26, x27, [x29, #A64_CTX_X(26)]
	ldr	x28, [x29, #A64_CTX_X(28)]
	ldr	x30, [x29, #A64_CTX_X(30)]
	ldr	x29, [x29, #A64_CTX_X(29)]
	eret
	/* no speculation past the ERET */
	dsb	nsh
	isb
SYM_FUNC_END(a64_enter)

/* Every exit: x1 = A64_EXIT_*, guest x0/x1 at [sp], ctx at [sp, #16]. */
SYM_CODE_START_LOCAL(a64_guest_exit)
	ldr	x0, [sp, #16]
	stp	x2, x3, [x0, #A64_CTX_X(2)]
	stp	x4, x5, [x0, #A64_CTX_X(4)]
	stp	x6, x7, [x0, #A64_CTX_X(6)]
	stp	x8, x9, [x0, #A64_CTX_X(8)]
	stp	x10, x11, [x0, #A64_CTX_X(10)]
	stp	x12, x13, [x0, #A64_CTX_X(12)]
	stp	x14, x15, [x0, #A64_CTX_X(14)]
	stp	x16, x17, [x0, #A64_CTX_X(16)]
	stp	x18, x19, [x0, #A64_CTX_X(18)]
	stp	x20, x21, [x0, #A64_CTX_X(20)]
	stp	x22, x23, [x0, #A64_CTX_X(22)]
	stp	x24, x25, [x0, #A64_CTX_X(24)]
	stp	x26, x27, [x0, #A64_CTX_X(26)]
	stp	x28, x29, [x0, #A64_CTX_X(28)]
	str	x30, [x0, #A64_CTX_X(30)]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #A64_CTX_X(0)]
	mrs	x2, sp_el0
	str	x2, [x0, #A64_CTX_SP_EL0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #A64_CTX_PC]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [x0, #A64_CTX_ESR]
	mrs	x2, hpfar_el2
	str	x2, [x0, #A64_CTX_HPFAR]

	ldr	x2, [x0, #A64_CTX_HOST_SP_EL0]
	msr	sp_el0, x2
	ldr	x2, [x0, #A64_CTX_HOST_VBAR]
	msr	vbar_el2, x2
	isb

	mov	x0, x1
	add	sp, sp, #16
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldr	x18, [sp, #96]
	ldp	x29, x30, [sp], #FRAME
	ret
SYM_CODE_END(a64_guest_exit)

/* An exception at EL2 inside the window: let the host's vectors take it. */
SYM_CODE_START_LOCAL(a64_el2_unexpected)
	stp	x0, x1, [sp, #-16]!
	adr_l	x0, a64_host_vectors
	ldr	x0, [x0]
	msr	vbar_el2, x0
	isb
	ldp	x0, x1, [sp], #16
	eret
SYM_CODE_END(a64_el2_unexpected)

.macro a64_vector_unexpected
	.align	7
	b	a64_el2_unexpected
.endm

.macro a64_vector_guest code
	.align	7
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\code
	b	a64_guest_exit
.endm

	.align	11
SYM_CODE_START(a64_vectors)
	/* current EL with SP_EL0 */
	a64_vector_unexpected
	a64_vector_unexpected
	a64_vector_unexpected
	a64_vector_unexpected
	/* current EL with SP_ELx */
	a64_vector_unexpected
	a64_vector_unexpected
	a64_vector_unexpected
	a64_vector_unexpected
	/* lower EL, AArch64 */
	a64_vector_guest A64_EXIT_SYNC
	a64_vector_guest A64_EXIT_IRQ
	a64_vector_guest A64_EXIT_FIQ
	a64_vector_guest A64_EXIT_SERROR
	/* lower EL, AArch32 */
	a64_vector_guest A64_EXIT_SYNC
	a64_vector_guest A64_EXIT_IRQ
	a64_vector_guest A64_EXIT_FIQ
	a64_vector_guest A64_EXIT_SERROR
	.align	7
SYM_CODE_END(a64_vectors)

/* void a64_fp_load(struct user_fpsimd_state *fp) */
SYM_FUNC_START(a64_fp_load)
	fpsimd_restore x0, 8
	ret
SYM_FUNC_END(a64_fp_load)

/* void a64_fp_save(struct user_fpsimd_state *fp) */
SYM_FUNC_START(a64_fp_save)
	fpsimd_save x0, 8
	ret
SYM_FUNC_END(a64_fp_save)

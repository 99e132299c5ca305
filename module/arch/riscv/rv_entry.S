/* SPDX-License-Identifier: GPL-2.0 */
/*
 * riscv64 world switch.  rv_enter(ctx) runs with interrupts off: it saves
 * the host's callee-saved registers and trap CSRs in ctx, points stvec at
 * rv_trap and sscratch at ctx, loads the guest's GPRs and srets into
 * VS-mode (hstatus.SPV = 1; sstatus.SPP picks VS or VU).  The guest's
 * next trap to HS-mode (an exception hedeleg does not delegate, or any
 * host interrupt: HS interrupts are always on while V = 1) lands in
 * rv_trap, which saves the guest's GPRs and the trap CSRs, restores the
 * host's and returns from rv_enter.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/csr.h>
#include "rv.h"

	.text
	.altmacro

.macro SAVE_X n
	sd	x\n, RV_CTX_X(\n)(a0)
.endm
.macro LOAD_X n
	ld	x\n, RV_CTX_X(\n)(a0)
.endm

SYM_FUNC_START(rv_enter)
	/* host: callee-saved registers and the trap CSRs */
	sd	ra, RV_CTX_HOST_RA(a0)
	sd	sp, RV_CTX_HOST_SP(a0)
	sd	gp, RV_CTX_HOST_GP(a0)
	sd	tp, RV_CTX_HOST_TP(a0)
	sd	s0, RV_CTX_HOST_S(0)(a0)
	sd	s1, RV_CTX_HOST_S(1)(a0)
	sd	s2, RV_CTX_HOST_S(2)(a0)
	sd	s3, RV_CTX_HOST_S(3)(a0)
	sd	s4, RV_CTX_HOST_S(4)(a0)
	sd	s5, RV_CTX_HOST_S(5)(a0)
	sd	s6, RV_CTX_HOST_S(6)(a0)
	sd	s7, RV_CTX_HOST_S(7)(a0)
	sd	s8, RV_CTX_HOST_S(8)(a0)
	sd	s9, RV_CTX_HOST_S(9)(a0)
	sd	s10, RV_CTX_HOST_S(10)(a0)
	sd	s11, RV_CTX_HOST_S(11)(a0)
	csrr	t0, CSR_SSTATUS
	sd	t0, RV_CTX_HOST_SSTATUS(a0)
	csrr	t0, CSR_HSTATUS
	sd	t0, RV_CTX_HOST_HSTATUS(a0)
	csrr	t0, CSR_STVEC
	sd	t0, RV_CTX_HOST_STVEC(a0)
	csrr	t0, CSR_SSCRATCH
	sd	t0, RV_CTX_HOST_SSCRATCH(a0)

	/* guest: where sret goes */
	ld	t0, RV_CTX_SSTATUS(a0)
	csrw	CSR_SSTATUS, t0
	ld	t0, RV_CTX_HSTATUS(a0)
	csrw	CSR_HSTATUS, t0
	ld	t0, RV_CTX_SEPC(a0)
	csrw	CSR_SEPC, t0
	la	t0, rv_trap
	csrw	CSR_STVEC, t0
	csrw	CSR_SSCRATCH, a0

	/* guest GPRs, a0 (x10) last */
	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	LOAD_X	\n
	.endr
	ld	a0, RV_CTX_X(10)(a0)
	sret
SYM_FUNC_END(rv_enter)

	.balign 4
SYM_CODE_START(rv_trap)
	/* a0 <- ctx, sscratch <- the guest's a0 */
	csrrw	a0, CSR_SSCRATCH, a0
	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	SAVE_X	\n
	.endr
	csrr	t0, CSR_SSCRATCH
	sd	t0, RV_CTX_X(10)(a0)
	csrr	t0, CSR_SEPC
	sd	t0, RV_CTX_SEPC(a0)
	csrr	t0, CSR_SCAUSE
	sd	t0, RV_CTX_SCAUSE(a0)
	csrr	t0, CSR_STVAL
	sd	t0, RV_CTX_STVAL(a0)
	csrr	t0, CSR_HTVAL
	sd	t0, RV_CTX_HTVAL(a0)
	csrr	t0, CSR_HTINST
	sd	t0, RV_CTX_HTINST(a0)
	csrr	t0, CSR_HSTATUS
	sd	t0, RV_CTX_HSTATUS(a0)
	csrr	t0, CSR_SSTATUS
	sd	t0, RV_CTX_SSTATUS(a0)

	/* host: trap CSRs, then registers */
	ld	t0, RV_CTX_HOST_STVEC(a0)
	csrw	CSR_STVEC, t0
	ld	t0, RV_CTX_HOST_SSCRATCH(a0)
	csrw	CSR_SSCRATCH, t0
	ld	t0, RV_CTX_HOST_HSTATUS(a0)
	csrw	CSR_HSTATUS, t0
	ld	t0, RV_CTX_HOST_SSTATUS(a0)
	csrw	CSR_SSTATUS, t0
	ld	ra, RV_CTX_HOST_RA(a0)
	ld	sp, RV_CTX_HOST_SP(a0)
	ld	gp, RV_CTX_HOST_GP(a0)
	ld	tp, RV_CTX_HOST_TP(a0)
	ld	s0, RV_CTX_HOST_S(0)(a0)
	ld	s1, RV_CTX_HOST_S(1)(a0)
	ld	s2, RV_CTX_HOST_S(2)(a0)
	ld	s3, RV_CTX_HOST_S(3)(a0)
	ld	s4, RV_CTX_HOST_S(4)(a0)
	ld	s5, RV_CTX_HOST_S(5)(a0)
	ld	s6, RV_CTX_HOST_S(6)(a0)
	ld	s7, RV_CTX_HOST_S(7)(a0)
	ld	s8, RV_CTX_HOST_S(8)(a0)
	ld	s9, RV_CTX_HOST_S(9)(a0)
	ld	s10, RV_CTX_HOST_S(10)(a0)
	ld	s11, RV_CTX_HOST_S(11)(a0)
	ret
SYM_CODE_END(rv_trap)

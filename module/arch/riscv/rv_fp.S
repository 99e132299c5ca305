/* SPDX-License-Identifier: GPL-2.0 */
/*
 * riscv64 FP register file save and load (f0-f31 as 64-bit D values,
 * fcsr), for switching between the host's and a guest's FP state around
 * one guest entry.  The caller has sstatus.FS on and interrupts off.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/csr.h>
#include "rv.h"

	.text
	.altmacro
	/* the kernel's C code is built without F/D; this file needs them */
	.option push
	.option arch, +d

.macro FSD_N n
	fsd	f\n, RV_FP_F(\n)(a0)
.endm
.macro FLD_N n
	fld	f\n, RV_FP_F(\n)(a0)
.endm

/* void rv_fp_save(struct rv_fp *fp) */
SYM_FUNC_START(rv_fp_save)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	FSD_N	\n
	.endr
	.irp n, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	FSD_N	\n
	.endr
	frcsr	t0
	sd	t0, RV_FP_FCSR(a0)
	ret
SYM_FUNC_END(rv_fp_save)

/* void rv_fp_load(const struct rv_fp *fp) */
SYM_FUNC_START(rv_fp_load)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	FLD_N	\n
	.endr
	.irp n, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	FLD_N	\n
	.endr
	ld	t0, RV_FP_FCSR(a0)
	fscsr	t0
	ret
SYM_FUNC_END(rv_fp_load)

	.option pop

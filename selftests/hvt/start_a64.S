/* SPDX-License-Identifier: GPL-2.0 */
/*
 * start_a64.S: aarch64 entry point and exception vectors of the hvt test
 * runtime.
 *
 * The tender enters _start at EL1h with x0 = boot info, SP_EL1 =
 * mem_size - 16, the MMU on and DAIF masked.  The runtime moves its own
 * stack to SP_EL0 (EL1t) and gives SP_EL1 a stack in .bss, so that an
 * exception (taken on SP_EL1) never runs on a stack near the end of
 * guest memory: its trap frame, the halt cookie, must have 512 valid
 * bytes behind it (as x86_64's IST stacks).  The 16 vectors save the
 * general registers and call rt_trap(frame, vector), which never returns.
 */
#define FRAME_SIZE	288		/* x0-x30, elr, spsr, esr, far (+pad) */
#define TRAP_STACK	8192

	.section .text.start, "ax"
	.globl _start
_start:
	mov	x1, sp
	msr	sp_el0, x1
	adrp	x1, trap_stack
	add	x1, x1, :lo12:trap_stack
	add	x1, x1, #TRAP_STACK
	mov	sp, x1			/* SP_EL1: the trap stack */
	msr	spsel, #0		/* from here on: SP_EL0 */
	adrp	x1, rt_vectors
	add	x1, x1, :lo12:rt_vectors
	msr	vbar_el1, x1
	isb
	mov	x29, xzr
	mov	x30, xzr
	bl	rt_start
1:	wfi
	b	1b

	.macro VECTOR n
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\n
	b	trap_common
	.endm

	.text
	.balign	0x800
	.globl rt_vectors
rt_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	VECTOR \n
	.endr

trap_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el1
	stp	x30, x2, [sp, #240]
	mrs	x2, spsr_el1
	mrs	x3, esr_el1
	stp	x2, x3, [sp, #256]
	mrs	x2, far_el1
	str	x2, [sp, #272]
	mov	x0, sp
	bl	rt_trap
2:	wfi
	b	2b

	.bss
	.balign	16
trap_stack:
	.skip	TRAP_STACK

	.section .note.GNU-stack, "", @progbits

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * start_rv.S: riscv64 entry point and trap entry of the hvt test runtime.
 *
 * The tender enters _start in VS-mode (S) with a0 = boot info, sp =
 * mem_size - 16, Sv39 paging on and interrupts off.  stvec points at
 * rt_trap_entry (direct mode) and sscratch at the top of a trap stack in
 * .bss, so that a trap never runs on a stack near the end of guest
 * memory: its frame, the halt cookie, must have 512 valid bytes behind it
 * (as x86_64's IST stacks).  The entry saves the general registers and
 * the trap CSRs and calls rt_trap(frame), which never returns.
 */
#define FRAME_SIZE	288		/* x0-x31, sepc, sstatus, scause, stval */
#define TRAP_STACK	8192

	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	t0, rt_trap_entry
	csrw	stvec, t0
	la	t0, trap_stack + TRAP_STACK
	csrw	sscratch, t0
	.option pop
	li	ra, 0
	li	s0, 0
	call	rt_start
1:	wfi
	j	1b

	.text
	.balign	4
	.globl rt_trap_entry
rt_trap_entry:
	csrrw	sp, sscratch, sp	/* sp: the trap stack; sscratch: old sp */
	addi	sp, sp, -FRAME_SIZE
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, (8 * \n)(sp)
	.endr
	csrr	t0, sscratch
	sd	t0, 16(sp)		/* x2: the sp at the trap */
	csrr	t0, sepc
	sd	t0, 256(sp)
	csrr	t0, sstatus
	sd	t0, 264(sp)
	csrr	t0, scause
	sd	t0, 272(sp)
	csrr	t0, stval
	sd	t0, 280(sp)
	mv	a0, sp
	call	rt_trap
2:	wfi
	j	2b

	.bss
	.balign	16
trap_stack:
	.skip	TRAP_STACK

	.section .note.GNU-stack, "", @progbits

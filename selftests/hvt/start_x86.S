/* SPDX-License-Identifier: GPL-2.0 */
/*
 * start_x86.S: x86_64 entry point and exception entry stubs of the hvt test
 * runtime.
 *
 * The tender enters _start in 64-bit mode with %rdi = boot info and
 * %rsp = mem_size - 8.  The 48 IDT stubs push an error code (0 where the
 * CPU pushes none) and the vector, save the general registers and call
 * rt_trap(frame), which never returns.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp		/* call below: (%rsp + 8) % 16 == 0 */
	call	rt_start
1:	cli
	hlt
	jmp	1b

	.text
	/* Long-mode CS reload: lretq to the new code selector. */
	.globl rt_reload_cs
rt_reload_cs:
	popq	%rax			/* return address */
	pushq	%rdi			/* new CS */
	pushq	%rax
	lretq

	.macro TRAP_NOEC n
trap_\n:
	pushq	$0
	pushq	$\n
	jmp	trap_common
	.endm

	.macro TRAP_EC n
trap_\n:
	pushq	$\n
	jmp	trap_common
	.endm

	/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
	TRAP_NOEC 0
	TRAP_NOEC 1
	TRAP_NOEC 2
	TRAP_NOEC 3
	TRAP_NOEC 4
	TRAP_NOEC 5
	TRAP_NOEC 6
	TRAP_NOEC 7
	TRAP_EC 8
	TRAP_NOEC 9
	TRAP_EC 10
	TRAP_EC 11
	TRAP_EC 12
	TRAP_EC 13
	TRAP_EC 14
	TRAP_NOEC 15
	TRAP_NOEC 16
	TRAP_EC 17
	TRAP_NOEC 18
	TRAP_NOEC 19
	TRAP_NOEC 20
	TRAP_EC 21
	TRAP_NOEC 22
	TRAP_NOEC 23
	TRAP_NOEC 24
	TRAP_NOEC 25
	TRAP_NOEC 26
	TRAP_NOEC 27
	TRAP_NOEC 28
	TRAP_EC 29
	TRAP_EC 30
	TRAP_NOEC 31
	.irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	TRAP_NOEC \n
	.endr

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	rt_trap
2:	cli
	hlt
	jmp	2b

	.section .rodata
	.globl rt_trap_stubs
	.balign 8
rt_trap_stubs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
	.quad	trap_\n
	.endr
	.irp n, 24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.quad	trap_\n
	.endr

	.section .note.GNU-stack, "", @progbits

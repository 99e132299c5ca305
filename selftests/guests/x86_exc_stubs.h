/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exception stubs for vectors 0-31, 16 bytes apart from exc_stubs (the
 * test points IDT gate n at exc_stubs + 16 * n).  Each pushes a dummy
 * error code if the CPU pushes none, then its vector, and jumps to
 * exc_common, which the including guest defines: on its stack are the
 * vector, the error code and the RIP saved by the CPU.
 */
#ifndef GUEST_X86_EXC_STUBS_H
#define GUEST_X86_EXC_STUBS_H

	.macro stub vec
	.balign 16
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17)
	push $0
	.endif
	push $\vec
	jmp exc_common
	.endm

	.balign 16
exc_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	stub \v
	.endr
	.irp v, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stub \v
	.endr

#endif

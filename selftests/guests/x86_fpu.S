/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_fpu (64-bit mode, CR4.OSFXSR set), linked at G_CODE.
 * FXSAVE images go to G_FXSAVE (16-byte aligned).
 */
#include "guest_layout.h"

#define G_FXSAVE	(G_DATA + 0x400)

	.text
	.globl guest_base
guest_base:
	.code64

/* The FPU state the vCPU starts with (set by KVM_SET_FPU). */
fxsave_entry:
	fxsave G_FXSAVE
	out %al, $0x10
	hlt

/*
 * Loads XMM0-15 from G_DATA (256 bytes), MXCSR from G_DATA + 0x100 and
 * st0 = 1.0, st1 = pi; then forever: OUT to port 0x11 (the host uses its
 * own FPU meanwhile), FXSAVE, OUT to port 0x12 (the host compares).
 */
sse_entry:
	movdqu G_DATA + 0x00, %xmm0
	movdqu G_DATA + 0x10, %xmm1
	movdqu G_DATA + 0x20, %xmm2
	movdqu G_DATA + 0x30, %xmm3
	movdqu G_DATA + 0x40, %xmm4
	movdqu G_DATA + 0x50, %xmm5
	movdqu G_DATA + 0x60, %xmm6
	movdqu G_DATA + 0x70, %xmm7
	movdqu G_DATA + 0x80, %xmm8
	movdqu G_DATA + 0x90, %xmm9
	movdqu G_DATA + 0xa0, %xmm10
	movdqu G_DATA + 0xb0, %xmm11
	movdqu G_DATA + 0xc0, %xmm12
	movdqu G_DATA + 0xd0, %xmm13
	movdqu G_DATA + 0xe0, %xmm14
	movdqu G_DATA + 0xf0, %xmm15
	ldmxcsr G_DATA + 0x100
	fninit
	fldpi
	fld1
1:	out %al, $0x11
	fxsave G_FXSAVE
	out %al, $0x12
	jmp 1b

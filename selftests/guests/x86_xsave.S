/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_xsave (64-bit mode, CR4.OSFXSR set), linked at G_CODE.
 * G_DATA layout: 0x000 the YMM0-15 the guest loads (16 x 32 bytes),
 * 0x400 the YMM0-15 it stores, 0x800 what it read (see avx_entry).
 */
#include "guest_layout.h"

#define CR4_OSXSAVE	(1 << 18)
#define G_YMM_IN	G_DATA
#define G_YMM_OUT	(G_DATA + 0x400)
#define G_SEEN		(G_DATA + 0x800)

	.text
	.globl guest_base
guest_base:
	.code64

/*
 * Sets CR4.OSXSAVE and stores: CPUID.1:ECX (G_SEEN), XCR0 at reset
 * (+4), then after XSETBV to x87|SSE|AVX: XCR0 (+8) and CPUID.0xD.0:EBX
 * (+12).  Loads YMM0-15 from G_YMM_IN, then forever: OUT to port 0x10
 * (the host reads and rewrites the state with KVM_GET/SET_XSAVE), stores
 * YMM0-15 to G_YMM_OUT, OUT to port 0x11 (the host compares).
 */
avx_entry:
	mov %cr4, %rax
	or $CR4_OSXSAVE, %rax
	mov %rax, %cr4
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	mov %ecx, G_SEEN
	xor %ecx, %ecx
	xgetbv
	mov %eax, G_SEEN + 4
	mov $7, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	xsetbv
	xor %ecx, %ecx
	xgetbv
	mov %eax, G_SEEN + 8
	mov $0xd, %eax
	xor %ecx, %ecx
	cpuid
	mov %ebx, G_SEEN + 12
	vmovdqu G_YMM_IN + 0x000, %ymm0
	vmovdqu G_YMM_IN + 0x020, %ymm1
	vmovdqu G_YMM_IN + 0x040, %ymm2
	vmovdqu G_YMM_IN + 0x060, %ymm3
	vmovdqu G_YMM_IN + 0x080, %ymm4
	vmovdqu G_YMM_IN + 0x0a0, %ymm5
	vmovdqu G_YMM_IN + 0x0c0, %ymm6
	vmovdqu G_YMM_IN + 0x0e0, %ymm7
	vmovdqu G_YMM_IN + 0x100, %ymm8
	vmovdqu G_YMM_IN + 0x120, %ymm9
	vmovdqu G_YMM_IN + 0x140, %ymm10
	vmovdqu G_YMM_IN + 0x160, %ymm11
	vmovdqu G_YMM_IN + 0x180, %ymm12
	vmovdqu G_YMM_IN + 0x1a0, %ymm13
	vmovdqu G_YMM_IN + 0x1c0, %ymm14
	vmovdqu G_YMM_IN + 0x1e0, %ymm15
1:	out %al, $0x10
	vmovdqu %ymm0, G_YMM_OUT + 0x000
	vmovdqu %ymm1, G_YMM_OUT + 0x020
	vmovdqu %ymm2, G_YMM_OUT + 0x040
	vmovdqu %ymm3, G_YMM_OUT + 0x060
	vmovdqu %ymm4, G_YMM_OUT + 0x080
	vmovdqu %ymm5, G_YMM_OUT + 0x0a0
	vmovdqu %ymm6, G_YMM_OUT + 0x0c0
	vmovdqu %ymm7, G_YMM_OUT + 0x0e0
	vmovdqu %ymm8, G_YMM_OUT + 0x100
	vmovdqu %ymm9, G_YMM_OUT + 0x120
	vmovdqu %ymm10, G_YMM_OUT + 0x140
	vmovdqu %ymm11, G_YMM_OUT + 0x160
	vmovdqu %ymm12, G_YMM_OUT + 0x180
	vmovdqu %ymm13, G_YMM_OUT + 0x1a0
	vmovdqu %ymm14, G_YMM_OUT + 0x1c0
	vmovdqu %ymm15, G_YMM_OUT + 0x1e0
	out %al, $0x11
	jmp 1b

/*
 * XSETBV with the ECX, EDX:EAX the host set (CR4.OSXSAVE set by the host
 * too); OUT to port 0x30 if it did not fault, then XGETBV's EAX on 0x31.
 */
xsetbv_entry:
	xsetbv
	out %al, $0x30
	xor %ecx, %ecx
	xgetbv
	out %eax, $0x31
	hlt

/* #GP and #UD handlers: the vector on port 0x20. */
gp_handler:
	mov $13, %eax
	out %eax, $0x20
	hlt

ud_handler:
	mov $6, %eax
	out %eax, $0x20
	hlt

/* MOV from DR1 and DR7: their low halves on ports 0x40 and 0x41. */
dr_entry:
	mov %dr1, %rax
	out %eax, $0x40
	mov %dr7, %rax
	out %eax, $0x41
	hlt

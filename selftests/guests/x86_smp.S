/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of hvmod_x86_smp (64-bit mode), linked at G_CODE, run by two vCPUs
 * of one VM at once.  RBX = GPA of this vCPU's counter, RCX = N (set with
 * KVM_SET_REGS).  Reports CPUID.1:EBX[31:24] (from this vCPU's own
 * SET_CPUID2 table) on port 0x11, waits for the other vCPU at a rendezvous
 * in guest memory, increments its own counter and the shared one N times,
 * then reports its counter on port 0x10.
 */
#include "guest_layout.h"

#define ARRIVED		(G_DATA + 0x100)
#define SHARED		(G_DATA + 0x200)

	.text
	.globl guest_base
guest_base:
	.code64

count_entry:
	mov %rbx, %r13			/* my counter */
	mov %rcx, %r12			/* N */
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	mov %ebx, %eax
	shr $24, %eax
	out %eax, $0x11
	lock incl ARRIVED
1:	pause
	cmpl $2, ARRIVED		/* until both vCPUs are here */
	jne 1b
2:	incq (%r13)
	lock incq SHARED
	dec %r12
	jnz 2b
	mov (%r13), %rax
	out %eax, $0x10
	hlt
count_end:

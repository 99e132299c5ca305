/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_hostile, linked at G_CODE, run in 64-bit mode (the
 * test builds the IDT: vector v -> stubs + 16 * v).  Exceptions report
 * vector, faulting RIP and error code on ports 0xe0, 0xe1, 0xe2 and halt;
 * interrupts (vectors 32..255) count in G_DATA, note their vector in
 * G_DATA + 4 and return.  The hammer loops take their iteration count in
 * R12 (and the MMIO address in RDI).
 */
#include "guest_layout.h"

#define IRQ_COUNT	G_DATA
#define IRQ_LAST	(G_DATA + 4)
#define STR_BUF		0x30000		/* 10000 bytes of RAM for string IO */

	.text
	.globl guest_base
guest_base:
	.code64

/* One 16-byte stub per vector; the CPU pushes an error code for some. */
	.balign 16
stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if vec < 32
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	push $0
	.endif
	push $vec
	jmp exc_common
	.else
	push $vec
	jmp irq_common
	.endif
	.set vec, vec + 1
	.endr

/* [rsp] vector, 8 error code, 16 RIP */
exc_common:
	mov (%rsp), %eax
	out %eax, $0xe0
	mov 16(%rsp), %rax
	out %eax, $0xe1
	mov 8(%rsp), %eax
	out %eax, $0xe2
	hlt
exc_after_hlt:
	jmp exc_after_hlt

irq_common:
	push %rax
	incl IRQ_COUNT
	mov 8(%rsp), %eax
	mov %eax, IRQ_LAST
	pop %rax
	add $8, %rsp
	iretq

/* Exits handled in the kernel, R12 times: CPUID, known MSRs, INVD, WBINVD. */
hammer_kernel:
	mov %r12d, %eax
	and $7, %eax			/* leaves 0..7 */
	xor %ecx, %ecx
	cpuid
	mov $0x80000001, %eax
	cpuid
	mov $0x40000000, %eax		/* hypervisor leaf */
	cpuid
	mov $0x8fffffff, %eax		/* beyond every range */
	cpuid
	mov $0xc0000080, %ecx		/* EFER */
	rdmsr
	wrmsr
	mov $0xc0000081, %ecx		/* STAR */
	rdmsr
	wrmsr
	mov $0x277, %ecx		/* PAT */
	rdmsr
	wrmsr
	mov $0x10, %ecx			/* TSC */
	rdmsr
	mov $0x1b, %ecx			/* APIC_BASE */
	rdmsr
	invd
	wbinvd
	dec %r12
	jnz hammer_kernel
	mov $0x600d, %eax
	out %eax, $0x10
	hlt
hammer_kernel_end:
	jmp hammer_kernel_end

/* R12 OUTs of the count down to port 0x11, INs from 0x12 summed, sum to 0x13. */
hammer_io:
	xor %r13d, %r13d
1:	mov %r12d, %eax
	out %eax, $0x11
	in $0x12, %eax
	add %eax, %r13d
	dec %r12
	jnz 1b
	mov %r13d, %eax
	out %eax, $0x13
	hlt
hammer_io_end:
	jmp hammer_io_end

/* R12 MMIO writes of the count to [RDI], reads of [RDI + 8] summed. */
hammer_mmio:
	xor %r13d, %r13d
1:	mov %r12d, (%rdi)
	mov 8(%rdi), %eax
	add %eax, %r13d
	dec %r12
	jnz 1b
	mov %r13d, %eax
	out %eax, $0x13
	hlt
hammer_mmio_end:
	jmp hammer_mmio_end

/* REP OUTSB of 10000 bytes from STR_BUF to port 0x14, REP INSB back. */
hammer_string:
	mov $STR_BUF, %esi
	mov $10000, %ecx
	mov $0x14, %dx
	rep outsb
	mov $STR_BUF, %edi
	mov $10000, %ecx
	rep insb
	hlt
hammer_string_end:
	jmp hammer_string_end

/* Interrupt storms: wait in HLT, spin with IF set, spin with IF clear. */
storm_hlt:
	sti
1:	hlt
	jmp 1b
storm_spin:
	sti
1:	pause
	jmp 1b
storm_cli:
	cli
1:	pause
	jmp 1b

/* #DB with TF set, over and over (the "benign exception" loop). */
trap_flag:
	pushf
	orl $0x100, (%rsp)
	popf
	nop
	nop
	hlt

/* An IDT of limit 0: INT3 -> #GP -> #DF -> shutdown. */
triple_fault:
	lidt zero_idt
	int3
	hlt
	.balign 8
zero_idt:
	.word 0
	.quad 0

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_modes, linked at G_CODE: one per CPU mode (the test
 * sets the mode with KVM_SET_SREGS) and one that goes from real mode to
 * long mode by itself.  Each reports with OUT and stops with HLT.
 */
#include "guest_layout.h"

	.text
	.globl guest_base
guest_base:

/*
 * Reset vector: copied to GPA 0xfffffff0, run with the vCPU's reset state
 * (CS base 0xffff0000, IP 0xfff0).  Position-independent.
 */
	.code16
reset_code:
	mov $0x5a, %al
	out %al, $0x10			/* OUT 1 byte 0x5a to port 0x10 */
	hlt
reset_code_end:

/* Real mode, all segments 0, SP = G_STACK_TOP. */
real_entry:
	smsw %ax
	out %ax, $0x10			/* CR0[15:0]: PE clear */
	mov $(G_DATA >> 4), %bx
	mov %bx, %ds
	movw $0xbeef, 0x10		/* DS:0x10 is GPA G_DATA + 0x10 */
	xor %bx, %bx
	mov %bx, %ds
	push $0x7e57
	pop %ax
	out %ax, $0x11			/* 0x7e57 through the 16-bit stack */
	hlt
real_after_hlt:
	jmp real_after_hlt

/* 32-bit protected mode, flat segments, no paging. */
	.code32
prot_entry:
	mov %cr0, %eax
	out %eax, $0x10			/* CR0: PE set, PG clear */
	movl $0xdeadbeef, G_MEM_SIZE - 16	/* above 1 MiB */
	pushl $0xcafef00d
	pop %eax
	out %eax, $0x11			/* 0xcafef00d through the 32-bit stack */
	hlt
prot_after_hlt:
	jmp prot_after_hlt

/* 64-bit mode, identity-mapped page tables built by the test. */
	.code64
long_entry:
	mov %cr0, %rax
	out %eax, $0x10			/* CR0: PE and PG set */
	mov %cr4, %rax
	out %eax, $0x11			/* CR4: PAE set */
	mov $0xc0000080, %ecx
	rdmsr
	out %eax, $0x12			/* EFER: LME and LMA set */
	movabs $0x1122334455667788, %rax
	mov %rax, G_DATA + 0x40		/* 64-bit store */
	mov %rax, %r15			/* R15 exists only in 64-bit mode */
	lea long_entry(%rip), %rbx	/* RIP-relative addressing */
	hlt
long_after_hlt:
	jmp long_after_hlt

/*
 * Real mode -> protected mode -> long mode, using the GDT and page tables
 * the test built; reports 16, 32, 64 on port 0x10 from each mode.
 */
	.code16
switch_entry:
	cli
	mov $16, %al
	out %al, $0x10
	lgdtl gdt_desc
	mov %cr0, %eax
	or $1, %eax			/* PE */
	mov %eax, %cr0
	ljmpl $G_SEL_CODE32, $switch_32
	.code32
switch_32:
	mov $G_SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $32, %al
	out %al, $0x10
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov $G_PML4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx		/* EFER */
	rdmsr
	or $0x100, %eax			/* LME */
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax		/* PG: long mode becomes active */
	mov %eax, %cr0
	ljmp $G_SEL_CODE64, $switch_64
	.code64
switch_64:
	mov $64, %al
	out %al, $0x10
	hlt
switch_after_hlt:
	jmp switch_after_hlt

	.balign 8
gdt_desc:
	.word G_GDT_LIMIT
	.long G_GDT

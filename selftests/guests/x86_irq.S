/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of hvmod_x86_irq (64-bit mode, starts with IF = 1), linked at
 * G_CODE.  Stops at OUTs on ports 0x10-0x16 and two HLTs so that the test
 * can inject interrupts (KVM_INTERRUPT) at known points; the handlers for
 * vectors 0x40 and 0x41 report the vector and the interrupted RIP.
 */
#include "guest_layout.h"

	.text
	.globl guest_base
guest_base:
	.code64

/* Vector on port 0x20, interrupted RIP (low 32 bits) on port 0x21. */
irq40:
	push %rax
	mov $0x40, %eax
	jmp irq_common
irq41:
	push %rax
	mov $0x41, %eax
irq_common:
	out %eax, $0x20
	mov 8(%rsp), %rax		/* RIP pushed by the CPU */
	out %eax, $0x21
	pop %rax
	iretq

irq_entry:
	out %al, $0x10			/* IF = 1: the test injects 0x40 */
irq_a_next:
	mov $1, %eax
	out %eax, $0x11
	hlt				/* the test injects 0x41 */
irq_c_next:
	mov $2, %eax
	out %eax, $0x11
	cli
	out %al, $0x12			/* IF = 0: the test asks for a window */
	mov $1000, %ecx
1:	loop 1b
	sti
	nop				/* STI shadow */
irq_f_next:
	out %al, $0x13
	cli
	out %al, $0x14			/* IF = 0: the test injects 0x41 */
	out %al, $0x15			/* ... which must wait for STI */
	sti
	nop
irq_i_next:
	out %al, $0x16
	hlt
irq_end:

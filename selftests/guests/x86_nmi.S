/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of hvmod_x86_nmi (64-bit mode, starts with IF = 1), linked at
 * G_CODE.  The NMI handler (vector 2) counts NMIs in G_DATA, reports the
 * count (port 0x20) and the interrupted RIP (0x21), then spins reading
 * port 0x22 until the test answers non-zero, so that the test can queue
 * NMIs while it runs, and IRETQs.  The #GP handler reports its error
 * code (0x24) and the interrupted RIP (0x25).  The main code stops at
 * OUTs on ports 0x10-0x17, reporting the count where the test needs it.
 */
#include "guest_layout.h"

	.text
	.globl guest_base
guest_base:
	.code64

nmi:
	push %rax
	incl G_DATA
	mov G_DATA, %eax
	out %eax, $0x20
	mov 8(%rsp), %rax		/* RIP pushed by the CPU */
	out %eax, $0x21
1:	in $0x22, %al
	test %al, %al
	jz 1b
	pop %rax
	iretq

gp:
	push %rax
	mov 8(%rsp), %rax		/* error code */
	out %eax, $0x24
	mov 16(%rsp), %rax		/* RIP */
	out %eax, $0x25
	pop %rax
	add $8, %rsp			/* drop the error code */
	iretq

nmi_entry:
	movl $0, G_DATA
	out %al, $0x10			/* the test queues an NMI */
nmi_a_next:
	mov G_DATA, %eax
	out %eax, $0x11			/* NMIs taken so far */
	cli
	out %al, $0x12			/* IF = 0: the test queues an NMI */
nmi_b_next:
	mov G_DATA, %eax
	out %eax, $0x13
	out %al, $0x14			/* the test masks NMIs, one pending */
nmi_c_next:
	mov G_DATA, %eax
	out %eax, $0x15			/* the test unmasks */
nmi_d_next:
	mov G_DATA, %eax
	out %eax, $0x16			/* the test injects a #GP */
nmi_e_next:
	out %al, $0x17
	hlt
nmi_end:

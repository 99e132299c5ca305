/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_exits, linked at G_CODE: port IO of each size and
 * direction, string IO, and guests that end in a triple fault or that the
 * CPU refuses to enter.  The *_next labels are the RIPs the test expects
 * after each exit.
 */
#include "guest_layout.h"

	.text
	.globl guest_base
guest_base:

	.code64
/* OUT of 1, 2 and 4 bytes, port as an immediate or in DX. */
out_entry:
	mov $0x5a, %al
	out %al, $0x10
out1_next:
	mov $0x1234, %dx
	mov $0xbeef, %ax
	out %ax, %dx
out2_next:
	mov $0xfffc, %dx
	mov $0xdeadbeef, %eax
	out %eax, %dx
out4_next:
	hlt
out_hlt_next:

/*
 * IN of 1, 2 and 4 bytes, each with RAX = 0xaaaaaaaaaaaaaaaa before; the
 * results are kept in RBX, RCX and RSI for the test to read at the HLT.
 */
in_entry:
	movabs $0xaaaaaaaaaaaaaaaa, %rax
	in $0x20, %al
in1_next:
	mov %rax, %rbx
	movabs $0xaaaaaaaaaaaaaaaa, %rax
	mov $0x2345, %dx
	in %dx, %ax
in2_next:
	mov %rax, %rcx
	movabs $0xaaaaaaaaaaaaaaaa, %rax
	mov $0xfff8, %dx
	in %dx, %eax
in4_next:
	mov %rax, %rsi
	hlt
in_hlt_next:

/*
 * String IO: REP OUTSB of 4 bytes from G_DATA, then REP INSW of 3 words
 * to G_DATA + 0x100, port 0x30 in DX.
 */
str_entry:
	cld
	mov $0x30, %dx
	mov $G_DATA, %esi
	mov $4, %ecx
	rep outsb
outs_next:
	mov $(G_DATA + 0x100), %edi
	mov $3, %ecx
	rep insw
ins_next:
	hlt
str_hlt_next:

/* REP INSB of RCX bytes (set by the test) to G_DATA + 0x200, port 0x30. */
insb_entry:
	cld
	mov $0x30, %dx
	mov $(G_DATA + 0x200), %edi
	rep insb
	hlt
insb_hlt_next:

/* #UD with an IDT limit of 0: #UD -> #GP -> #DF -> triple fault. */
triple_entry:
	ud2

/*
 * Exceptions, each entered directly by the test: #UD, #DE (ECX = 0) and
 * #PF (RBX = an address the page tables do not map).
 */
ud_insn:
	ud2
de_insn:
	div %ecx
pf_insn:
	mov (%rbx), %eax

#include "x86_exc_stubs.h"

/* On the stack: vector, error code, RIP; reported on ports 0x20 and up. */
exc_common:
	pop %rax
	out %eax, $0x20			/* vector */
	pop %rax
	out %eax, $0x21			/* error code */
	pop %rax
	out %eax, $0x22			/* RIP of the faulting instruction */
	mov %cr2, %rax
	out %eax, $0x23
	hlt

/* 32-bit IN/OUT from real mode (operand-size prefix). */
	.code16
rm_io_entry:
	mov $0x11223344, %eax
	out %eax, $0x40
rm_out_next:
	in $0x41, %eax
rm_in_next:
	mov %eax, %ebx
	hlt
rm_hlt_next:

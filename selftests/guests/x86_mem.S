/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_mem (64-bit mode), linked at G_CODE.  The test sets
 * RDI, RSI, RBX with KVM_SET_REGS before each entry point.
 */
#include "guest_layout.h"

	.text
	.globl guest_base
guest_base:
	.code64

/*
 * RSI pages from GPA RDI: writes (GPA | 0xa5) at offset 0 and ~GPA at
 * offset 4088 of each page, adds up the 8-byte values the host left at
 * offset 8; reports the sum (ports 0x10, 0x11: low, high) and the page
 * count (port 0x12).
 */
touch_entry:
	xor %r8, %r8
	mov %rsi, %r9
1:	mov %rdi, %rax
	or $0xa5, %rax
	mov %rax, (%rdi)
	mov %rdi, %rax
	not %rax
	mov %rax, 4088(%rdi)
	add 8(%rdi), %r8
	add $4096, %rdi
	dec %rsi
	jnz 1b
	mov %r8, %rax
	out %eax, $0x10
	shr $32, %rax
	out %eax, $0x11
	mov %r9, %rax
	out %eax, $0x12
	hlt

/* Forever: report the 4 bytes at G_DATA, store them + 0x100 at G_DATA + 4. */
iso_entry:
	mov G_DATA, %eax
	out %eax, $0x10
	add $0x100, %eax
	mov %eax, G_DATA + 4
	jmp iso_entry

/* Reports the 4 bytes at RDI on port 0x10, then stores EBX there. */
ro_entry:
	mov (%rdi), %eax
	out %eax, $0x10
ro_store:
	mov %ebx, (%rdi)
	out %eax, $0x11			/* not reached if the store faults */
	hlt

/* MMIO: a 4-byte load from G_MMIO, stored back to G_MMIO + 8. */
mmio_entry:
	mov G_MMIO, %eax
mmio_load_next:
	mov %eax, G_MMIO + 8
mmio_store_next:
	hlt
mmio_end:

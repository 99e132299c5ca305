/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_signal (64-bit mode), linked at G_CODE: one that
 * never exits to userspace but exits to the kernel all the time (CPUID is
 * answered there), one that never exits at all, one that does OUT + HLT,
 * one that does IN, then OUT of what it read.
 */
#include "guest_layout.h"

	.text
	.globl guest_base
guest_base:
	.code64

cpuid_loop:
	xor %eax, %eax
	cpuid
	jmp cpuid_loop

spin_loop:
	jmp spin_loop

out_entry:
	out %al, $0x10
	hlt

in_entry:
	in $0x11, %al
in_next:
	out %al, $0x10
	hlt

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of hvmod_x86_cpuid (64-bit mode), linked at G_CODE: for each of
 * the RSI (EAX, ECX) pairs at G_DATA, executes CPUID and reports EAX,
 * EBX, ECX, EDX on ports 0x10-0x13; then HLT.
 */
#include "guest_layout.h"

	.text
	.globl guest_base
guest_base:
	.code64

cpuid_entry:
	mov $G_DATA, %edi
1:	mov (%rdi), %eax
	mov 4(%rdi), %ecx
	cpuid
	out %eax, $0x10
	mov %ebx, %eax
	out %eax, $0x11
	mov %ecx, %eax
	out %eax, $0x12
	mov %edx, %eax
	out %eax, $0x13
	add $8, %rdi
	dec %rsi
	jnz 1b
	hlt
cpuid_end:

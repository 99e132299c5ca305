/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_msr (64-bit mode), linked at G_CODE.  The test sets
 * RCX, RAX, RDX, RBX with KVM_SET_REGS before each entry point.
 */
#include "guest_layout.h"

	.text
	.globl guest_base
guest_base:
	.code64

/* RDMSR of RCX: EAX on port 0x10, EDX on port 0x11. */
rdmsr_entry:
rdmsr_insn:
	rdmsr
	out %eax, $0x10
	mov %edx, %eax
	out %eax, $0x11
	hlt

/* WRMSR of RCX with EDX:EAX, then 1 on port 0x12. */
wrmsr_entry:
wrmsr_insn:
	wrmsr
	mov $1, %eax
	out %eax, $0x12
	hlt

/* The 8 bytes at FS:0 then at GS:0, 4 bytes at a time, on port 0x13. */
fsgs_entry:
	mov %fs:0, %rax
	out %eax, $0x13
	shr $32, %rax
	out %eax, $0x13
	mov %gs:0, %rax
	out %eax, $0x13
	shr $32, %rax
	out %eax, $0x13
	hlt

/* WRMSR FS_BASE = RBX, then the 4 bytes at FS:0 on port 0x13. */
wrfs_entry:
	mov $0xc0000100, %ecx
	mov %ebx, %eax
	mov %rbx, %rdx
	shr $32, %rdx
	wrmsr
	mov %fs:0, %eax
	out %eax, $0x13
	hlt

/* RDTSCP: ECX (TSC_AUX) on port 0x15. */
rdtscp_entry:
	rdtscp
	mov %ecx, %eax
	out %eax, $0x15
	hlt

/* RDTSC: EAX then EDX on port 0x14. */
rdtsc_entry:
	rdtsc
	out %eax, $0x14
	mov %edx, %eax
	out %eax, $0x14
	hlt

#include "x86_exc_stubs.h"

/* On the stack: vector, error code, RIP; reported on ports 0x20 and up. */
exc_common:
	pop %rax
	out %eax, $0x20			/* vector */
	pop %rax
	out %eax, $0x21			/* error code */
	pop %rax
	out %eax, $0x22			/* RIP of the faulting instruction */
	hlt

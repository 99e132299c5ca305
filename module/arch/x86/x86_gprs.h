/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest GPR moves shared by the SVM and VMX world switches (svm_entry.S,
 * vmx_entry.S).  gpr[] holds the 16 GPRs in x86 encoding order; the
 * backend moves RAX and RSP itself (SVM: both in the VMCB; VMX: RSP in the
 * VMCS, RAX last because it is the base register).
 */
#ifndef HVMOD_X86_GPRS_H
#define HVMOD_X86_GPRS_H

#define GPR(n)	((n) * 8)

/* RCX, RDX, RBX, RBP, RSI, RDI, R8-R15 from gpr[] at \base (not RAX/RSP) */
.macro X86_LOAD_GPRS base:req
	mov	GPR(1)(\base), %rcx
	mov	GPR(2)(\base), %rdx
	mov	GPR(3)(\base), %rbx
	mov	GPR(5)(\base), %rbp
	mov	GPR(6)(\base), %rsi
	mov	GPR(7)(\base), %rdi
	mov	GPR(8)(\base), %r8
	mov	GPR(9)(\base), %r9
	mov	GPR(10)(\base), %r10
	mov	GPR(11)(\base), %r11
	mov	GPR(12)(\base), %r12
	mov	GPR(13)(\base), %r13
	mov	GPR(14)(\base), %r14
	mov	GPR(15)(\base), %r15
.endm

/* the same registers back into gpr[] at \base */
.macro X86_SAVE_GPRS base:req
	mov	%rcx, GPR(1)(\base)
	mov	%rdx, GPR(2)(\base)
	mov	%rbx, GPR(3)(\base)
	mov	%rbp, GPR(5)(\base)
	mov	%rsi, GPR(6)(\base)
	mov	%rdi, GPR(7)(\base)
	mov	%r8, GPR(8)(\base)
	mov	%r9, GPR(9)(\base)
	mov	%r10, GPR(10)(\base)
	mov	%r11, GPR(11)(\base)
	mov	%r12, GPR(12)(\base)
	mov	%r13, GPR(13)(\base)
	mov	%r14, GPR(14)(\base)
	mov	%r15, GPR(15)(\base)
.endm

/*
 * No guest value survives in a caller-saved register the host may
 * speculate on (the callee-saved ones are restored from the stack).
 */
.macro X86_CLEAR_GPRS
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
.endm

#endif

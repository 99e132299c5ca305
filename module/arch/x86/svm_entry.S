/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM world switch.
 *
 * void svm_vmrun(u64 vmcb_pa, u64 host_area_pa, unsigned long *gpr)
 *
 * Called with IRQs off and GIF clear.  IF is set for VMRUN itself: with
 * V_INTR_MASKING the host's IF at VMRUN decides whether physical
 * interrupts exit the guest, and GIF=0 keeps them pending here until the
 * guest runs (and again after #VMEXIT, until the caller's STGI).
 * gpr[] holds the guest's 16 GPRs in
 * x86 encoding order; RAX and RSP travel in the VMCB, so they are not
 * loaded here.  VMLOAD/VMSAVE switch the state VMRUN leaves alone (FS, GS,
 * TR, LDTR hidden state, KERNEL_GS_BASE, STAR/LSTAR/CSTAR/SFMASK,
 * SYSENTER_*): the host's copy is in host_area (saved by the caller).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define GPR(n)	((n) * 8)

.section .text, "ax"

SYM_FUNC_START(svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx		/* 16(%rsp): gpr */
	push	%rsi		/*  8(%rsp): host area */
	push	%rdi		/*  0(%rsp): vmcb */

	mov	%rdx, %rax
	mov	GPR(1)(%rax), %rcx
	mov	GPR(2)(%rax), %rdx
	mov	GPR(3)(%rax), %rbx
	mov	GPR(5)(%rax), %rbp
	mov	GPR(6)(%rax), %rsi
	mov	GPR(7)(%rax), %rdi
	mov	GPR(8)(%rax), %r8
	mov	GPR(9)(%rax), %r9
	mov	GPR(10)(%rax), %r10
	mov	GPR(11)(%rax), %r11
	mov	GPR(12)(%rax), %r12
	mov	GPR(13)(%rax), %r13
	mov	GPR(14)(%rax), %r14
	mov	GPR(15)(%rax), %r15

	mov	(%rsp), %rax
	vmload	%rax
	sti
	nop	/* let STI's one-instruction shadow end here, not in the guest */
	vmrun	%rax
	cli
	vmsave	%rax

	mov	16(%rsp), %rax
	mov	%rcx, GPR(1)(%rax)
	mov	%rdx, GPR(2)(%rax)
	mov	%rbx, GPR(3)(%rax)
	mov	%rbp, GPR(5)(%rax)
	mov	%rsi, GPR(6)(%rax)
	mov	%rdi, GPR(7)(%rax)
	mov	%r8, GPR(8)(%rax)
	mov	%r9, GPR(9)(%rax)
	mov	%r10, GPR(10)(%rax)
	mov	%r11, GPR(11)(%rax)
	mov	%r12, GPR(12)(%rax)
	mov	%r13, GPR(13)(%rax)
	mov	%r14, GPR(14)(%rax)
	mov	%r15, GPR(15)(%rax)

	mov	8(%rsp), %rax
	vmload	%rax

	/* No guest value survives in a register the host may speculate on. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(svm_vmrun)

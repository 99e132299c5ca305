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
#include "x86_gprs.h"


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
	X86_LOAD_GPRS %rax

	mov	(%rsp), %rax
	vmload	%rax
	sti
	nop	/* let STI's one-instruction shadow end here, not in the guest */
	vmrun	%rax
	cli
	vmsave	%rax

	mov	16(%rsp), %rax
	X86_SAVE_GPRS %rax

	mov	8(%rsp), %rax
	vmload	%rax

	X86_CLEAR_GPRS

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(svm_vmrun)

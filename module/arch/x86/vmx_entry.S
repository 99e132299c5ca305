/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX world switch.
 *
 * int vmx_vmenter(unsigned long *gpr, bool launched)
 *
 * Called with IRQs off and the vCPU's VMCS current.  gpr[] holds the
 * guest's 16 GPRs in x86 encoding order; RSP travels in the VMCS (the
 * caller writes and reads GUEST_RSP), every other one is loaded here.
 * HOST_RSP is set here, HOST_RIP is vmx_vmexit (set once per VMCS).
 *
 * Returns 0 after a VM exit (a failed VM entry included: it exits too),
 * 1 on VMfailValid (the VM-instruction error field says why), 2 on
 * VMfailInvalid or a fault (no current VMCS, VMX off).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include "x86_gprs.h"
#include <asm/unwind_hints.h>

#define VMCS_HOST_RSP	0x00006c14	/* HOST_RSP in <asm/vmx.h> */

.section .text, "ax"

SYM_FUNC_START(vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi		/* 0(%rsp): gpr, found again after the exit */

	/* the exit lands with this stack */
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jna	.Lvmfail

	/* CF = launched: VMRESUME, else VMLAUNCH; the MOVs keep flags */
	bt	$0, %esi
	mov	%rdi, %rax
	X86_LOAD_GPRS %rax
	mov	GPR(0)(%rax), %rax

	/* MDS and friends: clears CPU buffers if mitigated (ZF only) */
	VM_CLEAR_CPU_BUFFERS

	jnc	.Lvmlaunch

	/*
	 * A successful VMRESUME/VMLAUNCH continues at vmx_vmexit, through
	 * the VMCS' HOST_RIP: tell objtool the stack state it finds there.
	 */
	UNWIND_HINT_SAVE
.Lvmresume:
	vmresume
	jmp	.Lvmfail
.Lvmlaunch:
	vmlaunch
	jmp	.Lvmfail

	_ASM_EXTABLE(.Lvmresume, .Lfault)
	_ASM_EXTABLE(.Lvmlaunch, .Lfault)

SYM_INNER_LABEL(vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR

	push	%rax		/* guest RAX */
	mov	8(%rsp), %rax	/* gpr */
	X86_SAVE_GPRS %rax
	pop	GPR(0)(%rax)

	/* before the first unbalanced RET after the exit */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	xor	%eax, %eax
	jmp	.Lout

.Lvmfail:
	/* CF: VMfailInvalid; else ZF: VMfailValid */
	mov	$1, %eax
	jnc	.Lout
	mov	$2, %eax
	jmp	.Lout

.Lfault:
	mov	$2, %eax

.Lout:
	X86_CLEAR_GPRS

	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(vmx_vmenter)

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest payloads for the arm64 selftests: one flat binary linked at G_RAM,
 * run at EL1 with the MMU off (the reset state of KVM_ARM_VCPU_INIT).  A
 * test points the vCPU's PC at one of the global labels below; each name
 * becomes GUEST_<label> in a64_guest.sym.h.  Reports go out as MMIO
 * writes to G_MMIO; most payloads end with PSCI SYSTEM_OFF.
 */
#include "a64_layout.h"

	.text
	.global	guest_base
guest_base:

.macro	psci_off
	ldr	x0, =G_PSCI_SYSTEM_OFF
	hvc	#0
	b	.
.endm

.macro	report reg
	str	\reg, [x28]
.endm

.macro	mmio_base
	mov	x28, #G_MMIO
.endm

/* One store of each size, then SYSTEM_OFF through HVC. */
	.global	mmio_write
mmio_write:
	mov	x0, #G_MMIO
	mov	w1, #0x11
	strb	w1, [x0]
	mov	w1, #0x2222
	strh	w1, [x0, #2]
	ldr	w1, =0x33333333
	str	w1, [x0, #4]
	ldr	x1, =0x4444444455555555
	str	x1, [x0, #8]
	str	xzr, [x0, #16]
	psci_off

/* Loads of each size, signed and unsigned; the host checks x1-x9. */
	.global	mmio_read
mmio_read:
	mov	x0, #G_MMIO
	ldrb	w1, [x0]
	ldrh	w2, [x0, #2]
	ldr	w3, [x0, #4]
	ldr	x4, [x0, #8]
	ldrsb	x5, [x0, #16]
	ldrsh	w6, [x0, #18]
	ldrsw	x7, [x0, #20]
	ldrsb	w8, [x0, #24]
	ldr	x9, =0x1234
	ldr	xzr, [x0, #32]
	psci_off

/*
 * One MMIO load, its value stored back: the host answers the load with
 * immediate_exit set, then checks the store carries the value once.
 */
	.global	mmio_echo
mmio_echo:
	mov	x0, #G_MMIO
	ldr	x1, [x0]
	str	x1, [x0, #8]
	psci_off

/* An MMIO load without syndrome (a pair): KVM_RUN fails with ENOSYS. */
	.global	mmio_nisv
mmio_nisv:
	mov	x0, #G_MMIO
	ldp	x1, x2, [x0]
	psci_off

/* SMCCC/PSCI answered in the kernel, each result reported. */
	.global	hvc_calls
hvc_calls:
	mmio_base
	ldr	x0, =G_PSCI_VERSION
	hvc	#0
	report	x0
	ldr	x0, =G_PSCI_FEATURES
	ldr	x1, =G_PSCI_SYSTEM_OFF
	hvc	#0
	report	x0
	ldr	x0, =G_PSCI_FEATURES
	ldr	x1, =0x8400ffff
	hvc	#0
	report	x0
	ldr	x0, =G_SMCCC_VERSION
	hvc	#0
	report	x0
	ldr	x0, =0xc2000000		/* not a PSCI/SMCCC-arch call */
	hvc	#0
	report	x0
	ldr	x0, =G_PSCI_VERSION	/* the SMC conduit (HCR_EL2.TSC) */
	smc	#0
	report	x0
	ldr	x0, =G_PSCI_AFFINITY_INFO
	mrs	x1, mpidr_el1
	mov	x2, #0
	hvc	#0
	report	x0
	ldr	x0, =G_PSCI_SYSTEM_RESET
	hvc	#0
	b	.

/* WFI without and with the virtual timer armed ~1/32 s ahead. */
	.global	wfi_test
wfi_test:
	mmio_base
	wfi
	mov	x1, #1
	report	x1
	mrs	x1, cntfrq_el0
	lsr	x1, x1, #5
	isb
	mrs	x2, cntvct_el0
	add	x3, x2, x1
	msr	cntv_cval_el0, x3
	mov	x4, #1			/* ENABLE, not masked */
	msr	cntv_ctl_el0, x4
	isb
1:	wfi
	isb
	mrs	x5, cntvct_el0
	cmp	x5, x3
	b.lo	1b
	sub	x6, x5, x2
	report	x6			/* ticks slept */
	report	x1			/* ticks asked for */
	mrs	x7, cntv_ctl_el0
	report	x7			/* ISTATUS set */
	msr	cntv_ctl_el0, xzr
	wfe
	psci_off

/* Write then read back 256 pages of RAM: one stage-2 fault each. */
	.global	ram_touch
ram_touch:
	mmio_base
	ldr	x1, =G_DATA
	mov	x2, #0
1:	add	x3, x2, #0x100
	lsl	x5, x2, #12
	str	x3, [x1, x5]
	add	x2, x2, #1
	cmp	x2, #256
	b.ne	1b
	mov	x2, #0
	mov	x4, #0
2:	lsl	x5, x2, #12
	ldr	x3, [x1, x5]
	add	x4, x4, x3
	add	x2, x2, #1
	cmp	x2, #256
	b.ne	2b
	report	x4
	psci_off

/* Exceptions taken at EL1 through VBAR_EL1; the handler reports each. */
	.global	exc_test
exc_test:
	mmio_base
	adr	x1, exc_vectors
	msr	vbar_el1, x1
	isb
	svc	#0x42
	brk	#0x7
	.inst	0x00000000		/* udf #0 */
	mrs	x2, s3_0_c15_c0_0	/* IMPDEF: trapped (TIDCP), UNDEF */
	ldr	x3, =G_MMIO_FETCH
	blr	x3			/* fetch outside RAM: prefetch abort */
	mov	x1, #0xe0d
	report	x1
	psci_off

	.balign	2048
exc_vectors:
	.rept	4			/* current EL, SP_EL0 */
	.balign	128
	b	.
	.endr
	.balign	128			/* current EL, SP_ELx: sync */
	mrs	x10, esr_el1
	report	x10
	mrs	x11, elr_el1
	report	x11
	mrs	x12, far_el1
	report	x12
	mrs	x13, spsr_el1
	report	x13
	lsr	x14, x10, #26
	cmp	x14, #0x15		/* SVC: ELR is past it */
	b.eq	1f
	cmp	x14, #0x21		/* IABT: return to the caller */
	b.eq	2f
	add	x11, x11, #4
	msr	elr_el1, x11
	eret
1:	eret
2:	msr	elr_el1, x30
	eret
	.rept	3
	.balign	128
	b	.
	.endr
	.rept	8			/* lower EL */
	.balign	128
	b	.
	.endr

/* Trapped and untrapped system registers; the host checks x1-x10. */
	.global	sysreg_test
sysreg_test:
	mov	x1, #0x5a
	msr	mdscr_el1, x1
	mrs	x2, mdscr_el1
	mrs	x3, pmcr_el0
	mrs	x4, cntp_ctl_el0
	mrs	x5, cntfrq_el0
	mrs	x6, cntvct_el0
	mrs	x7, cntpct_el0
	mrs	x8, midr_el1
	mrs	x9, mpidr_el1
	mrs	x10, oslsr_el1
	msr	oslar_el1, xzr
	mrs	x11, actlr_el1
	psci_off

/* FP/SIMD: v1 comes from the host, v0 = v1 + v1 (per 64-bit lane). */
	.global	fp_test
fp_test:
	mov	x1, v1.d[0]
	mov	x2, v1.d[1]
	add	v0.2d, v1.2d, v1.2d
	ldr	x3, =0x0123456789abcdef
	fmov	d2, x3
	psci_off

/* The EL0 thread registers and SP_EL0 are the guest's: clobber them. */
	.global	tls_test
tls_test:
	ldr	x1, =0xdead0000beef0000
	msr	tpidr_el0, x1
	msr	tpidrro_el0, x1
	msr	tpidr_el1, x1
	msr	sp_el0, x1
	mrs	x2, tpidr_el0
	psci_off

/* Read the word at G_SLOT2 and report it, forever (slot remap test). */
	.global	slot_read
slot_read:
	mmio_base
	ldr	x1, =G_SLOT2
1:	ldr	x2, [x1]
	report	x2
	b	1b

/* Count in-kernel exits: G_PSCI_VERSION x1 times, then report. */
	.global	hvc_loop
hvc_loop:
	mmio_base
1:	ldr	x0, =G_PSCI_VERSION
	hvc	#0
	subs	x1, x1, #1
	b.ne	1b
	report	x1
	b	hvc_loop

/* Count MMIO exits: report forever. */
	.global	mmio_loop
mmio_loop:
	mmio_base
1:	report	x1
	add	x1, x1, #1
	b	1b

/* Spin forever without exits (host IRQs and signals must still get in). */
	.global	spin
spin:
	add	x1, x1, #1
	b	spin

/* SMP: vCPU 0 starts vCPU 1 with PSCI CPU_ON and checks the answers. */
	.global	smp_boot
smp_boot:
	mmio_base
	ldr	x0, =G_PSCI_AFFINITY_INFO
	mov	x1, #1			/* MPIDR of vCPU 1 */
	mov	x2, #0
	hvc	#0
	report	x0			/* OFF (1) */
	ldr	x0, =G_PSCI_CPU_ON
	mov	x1, #1
	adr	x2, smp_secondary
	ldr	x3, =0x77
	hvc	#0
	report	x0			/* SUCCESS (0) */
	ldr	x0, =G_PSCI_CPU_ON
	mov	x1, #1
	adr	x2, smp_secondary
	mov	x3, #0
	hvc	#0
	report	x0			/* ALREADY_ON (-4) or ON_PENDING (-5) */
	ldr	x0, =G_PSCI_CPU_ON
	mov	x1, #9			/* no such vCPU */
	adr	x2, smp_secondary
	hvc	#0
	report	x0			/* INVALID_PARAMETERS (-2) */
	mov	x1, #0
	report	x1
	b	.

smp_secondary:
	mmio_base
	report	x0			/* the context id, 0x77 */
	mrs	x1, mpidr_el1
	report	x1
	ldr	x0, =G_PSCI_CPU_OFF
	hvc	#0
	b	.

	.ltorg

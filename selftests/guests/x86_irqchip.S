/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of hvmod_x86_irqchip (32-bit protected mode, flat segments, no
 * paging), linked at G_CODE, with an in-kernel LAPIC at 0xfee00000:
 *  - timer_entry: one-shot LAPIC timer woken out of HLT, EOI, periodic
 *    ticks, TMCCT counting down, the TSC-deadline mode, then HLT with
 *    IF = 0 for ever (the test
 *    ends that KVM_RUN with a signal);
 *  - bsp_entry: INIT + STARTUP to APIC ID 1 (the AP starts at ap_real in
 *    real mode and reports on port 0x30), then, once the AP (put at
 *    ap32_entry by the test) says it is ready, a fixed IPI 0x50 to it;
 *  - ioapic_entry: IOAPIC pin 5 edge -> vector 0x60, pin 10 level ->
 *    0x61, both to APIC ID 0; the handlers report on ports 0x41/0x46;
 *    then waits in HLT for an MSI (vector 0x62, port 0x47).
 */
#include "guest_layout.h"

#define APIC		0xfee00000
#define APIC_EOI	(APIC + 0xb0)
#define APIC_SVR	(APIC + 0xf0)
#define APIC_ISR2	(APIC + 0x120)	/* ISR vectors 0x40-0x5f */
#define APIC_ICR	(APIC + 0x300)
#define APIC_ICR2	(APIC + 0x310)
#define APIC_LVTT	(APIC + 0x320)
#define APIC_TMICT	(APIC + 0x380)
#define APIC_TMCCT	(APIC + 0x390)
#define APIC_TDCR	(APIC + 0x3e0)
#define CNT_ONESHOT	(G_DATA + 0x0)
#define CNT_PERIODIC	(G_DATA + 0x4)
#define AP_READY	(G_DATA + 0x40)
#define AP_PAGE		(G_CODE + 0x1000)	/* SIPI vector AP_PAGE >> 12 */
#define CNT_EDGE	(G_DATA + 0x8)
#define CNT_LEVEL	(G_DATA + 0xc)
#define IOREGSEL	0xfec00000
#define IOWIN		0xfec00010

	.text
	.globl guest_base
guest_base:
	.code32

timer40:
	incl CNT_ONESHOT
	movl $0, APIC_EOI
	iret
/*
 * The third tick stops the timer from here (IF = 0): the guest's loop
 * cannot see a fourth tick come in before its CLI.  A tick already
 * pending when the timer stopped is not counted.
 */
timer41:
	cmpl $3, CNT_PERIODIC
	jae 1f
	incl CNT_PERIODIC
	cmpl $3, CNT_PERIODIC
	jb 1f
	movl $0, APIC_TMICT
1:	movl $0, APIC_EOI
	iret
ipi50:
	push %eax
	mov $0x50, %eax
	out %eax, $0x31
	movl $0, APIC_EOI
	pop %eax
	iret

irq60:
	push %eax
	incl CNT_EDGE
	mov $0x60, %eax
	out %eax, $0x41
	movl $0, APIC_EOI
	pop %eax
	iret
irq61:
	push %eax
	incl CNT_LEVEL
	mov CNT_LEVEL, %eax
	out %eax, $0x46
	movl $0, APIC_EOI
	pop %eax
	iret
irq62:
	push %eax
	mov $0x62, %eax
	out %eax, $0x47
	movl $0, APIC_EOI
	pop %eax
	iret

ioapic_entry:
	movl $0x1ff, APIC_SVR
	mov $0xff, %al			/* mask the 8259s: GSIs 0-15 reach them too */
	out %al, $0x21
	out %al, $0xa1
	movl $0x1a, IOREGSEL		/* pin 5 low: edge, fixed, 0x60 */
	movl $0x60, IOWIN
	movl $0x1b, IOREGSEL		/* pin 5 high: APIC ID 0 */
	movl $0, IOWIN
	movl $0x24, IOREGSEL		/* pin 10 low: level, 0x61 */
	movl $0x8061, IOWIN
	movl $0x25, IOREGSEL
	movl $0, IOWIN
	movl $1, IOREGSEL		/* version */
	mov IOWIN, %eax
	out %eax, $0x44
	sti
	out %al, $0x40			/* the test raises GSI 5 */
	/* the interrupt may come before the HLT: test, then STI; HLT */
5:	cli
	cmpl $1, CNT_EDGE
	jae 51f
	sti
	hlt
	jmp 5b
51:	sti
	out %al, $0x42			/* the test raises GSI 10 */
6:	cli
	cmpl $2, CNT_LEVEL
	jae 61f
	sti
	hlt
	jmp 6b
61:	sti
	mov CNT_LEVEL, %eax
	out %eax, $0x43
7:	hlt				/* the test sends an MSI */
	jmp 7b

timer_entry:
	movl $0x1ff, APIC_SVR		/* software enable, spurious 0xff */
	movl $0xb, APIC_TDCR		/* divide by 1 */
	movl $0x40, APIC_LVTT		/* one-shot, vector 0x40 */
	movl $2000000, APIC_TMICT	/* 2 ms */
	sti
	hlt				/* in the kernel until the timer */
timer_after_hlt:
	cli
	mov CNT_ONESHOT, %eax
	out %eax, $0x10
	mov APIC_ISR2, %eax		/* the EOI cleared 0x40 */
	out %eax, $0x11
	movl $(0x41 | 0x20000), APIC_LVTT	/* periodic, vector 0x41 */
	movl $1000000, APIC_TMICT	/* 1 ms */
	sti
1:	hlt
	cmpl $3, CNT_PERIODIC
	jb 1b
	cli
	movl $0, APIC_TMICT		/* stops the timer */
	mov CNT_PERIODIC, %eax
	out %eax, $0x12
	movl $0x10040, APIC_LVTT	/* masked one-shot */
	movl $1000000000, APIC_TMICT	/* 1 s */
	mov APIC_TMCCT, %eax
	out %eax, $0x13
	movl $0, APIC_TMICT
	movl $0x40040, APIC_LVTT	/* TSC-deadline mode, vector 0x40 */
	rdtsc
	add $2000000, %eax		/* ~1 ms of TSC from now */
	adc $0, %edx
	mov $0x6e0, %ecx		/* MSR_IA32_TSC_DEADLINE */
	wrmsr
	sti
8:	hlt
	cmpl $2, CNT_ONESHOT
	jb 8b
	cli
	rdmsr				/* 0 once the deadline fired */
	out %eax, $0x14
hlt_forever:
	hlt
	jmp hlt_forever

bsp_entry:
	movl $0x1ff, APIC_SVR
	movl $(1 << 24), APIC_ICR2	/* APIC ID 1 */
	movl $0x4500, APIC_ICR		/* INIT, assert */
	movl $(0x4600 | (AP_PAGE >> 12)), APIC_ICR	/* STARTUP */
	out %al, $0x24
2:	pause
	cmpl $1, AP_READY
	jne 2b
	movl $(1 << 24), APIC_ICR2
	movl $0x4050, APIC_ICR		/* fixed, vector 0x50 */
3:	out %al, $0x25
	jmp 3b

	.org AP_PAGE - G_CODE
	.code16
ap_real:
	out %al, $0x30
	hlt

	.code32
ap32_entry:
	movl $0x1ff, APIC_SVR
	movl $1, AP_READY
	sti
4:	hlt
	jmp 4b

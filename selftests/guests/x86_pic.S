/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of hvmod_x86_pic (32-bit protected mode, flat segments, no
 * paging), linked at G_CODE, on the in-kernel irqchip's 8259 pair (master
 * vectors 0x20-0x27, slave 0x28-0x2f) reached through LVT0 in ExtINT mode:
 *  - pic_entry: ICW1-4 on both chips, masks and ELCR read back (port
 *    0x10); edge IRQ5 (0x25) with ISR before/after the non-specific EOI
 *    (0x12); level IRQ10 through the slave and the cascade (0x14), again
 *    while the line stays high; LVT0 masked keeps the PIC's INT out (0x17),
 *    unmasked lets it in; an IRQ routed by KVM_SET_GSI_ROUTING (0x1a);
 *  - pit_entry: 8254 channel 0 in mode 2 ticking IRQ0 out of HLT (0x30),
 *    a latched count (0x31), the read-back status (0x32), channel 2 gated
 *    through port 0x61 polled until its output goes high, as Linux's
 *    TSC calibration does (0x33).
 *  - spk_entry: port 0x61 read once, reported on 0x34.
 * Spurious vectors 0x27/0x2f report on port 0x1f.
 */
#include "guest_layout.h"

#define APIC		0xfee00000
#define APIC_SVR	(APIC + 0xf0)
#define APIC_LVT0	(APIC + 0x350)
#define CNT_IRQ5	(G_DATA + 0x0)
#define CNT_IRQ10	(G_DATA + 0x4)
#define CNT_IRQ0	(G_DATA + 0x8)
#define PIT_PERIOD	5966		/* 5 ms at 1.193182 MHz */
#define CAL_COUNT	1193		/* 1 ms */

	.text
	.globl guest_base
guest_base:
	.code32

/* edge IRQ5: ISR (OCW3 read ISR) before and after the EOI, as 0x25 | b << 8 | a << 16 */
irq25:
	push %eax
	push %ebx
	incl CNT_IRQ5
	mov $0x0b, %al
	out %al, $0x20
	in $0x20, %al
	mov %al, %bl
	mov $0x20, %al			/* non-specific EOI */
	out %al, $0x20
	in $0x20, %al
	movzbl %al, %eax
	shl $16, %eax
	movzbl %bl, %ebx
	shl $8, %ebx
	or %ebx, %eax
	or $0x25, %eax
	out %eax, $0x12
	pop %ebx
	pop %eax
	iret

/* level IRQ10 (slave IRQ2): count | slave ISR << 8 | master ISR << 16 */
irq2a:
	push %eax
	push %ebx
	incl CNT_IRQ10
	mov $0x0b, %al
	out %al, $0xa0
	out %al, $0x20
	in $0xa0, %al
	mov %al, %bl
	in $0x20, %al
	mov %al, %bh
	movzwl %bx, %eax
	shl $8, %eax
	or CNT_IRQ10, %eax
	out %eax, $0x14
	mov $0x20, %al			/* EOI slave, then master */
	out %al, $0xa0
	out %al, $0x20
	pop %ebx
	pop %eax
	iret

/* PIT IRQ0: counts three ticks, then only EOIs */
irq20:
	push %eax
	cmpl $3, CNT_IRQ0
	jae 1f
	incl CNT_IRQ0
1:	mov $0x20, %al
	out %al, $0x20
	pop %eax
	iret

spurious:
	out %al, $0x1f
	iret

/* ICW1-4 on both chips: master 0x20, slave 0x28 on IRQ2, all masked */
pic_init:
	mov $0x11, %al			/* ICW1: edge, cascade, ICW4 */
	out %al, $0x20
	out %al, $0xa0
	mov $0x20, %al			/* ICW2: vector bases */
	out %al, $0x21
	mov $0x28, %al
	out %al, $0xa1
	mov $0x04, %al			/* ICW3: slave on IRQ2 / slave id 2 */
	out %al, $0x21
	mov $0x02, %al
	out %al, $0xa1
	mov $0x01, %al			/* ICW4: 8086, normal EOI */
	out %al, $0x21
	out %al, $0xa1
	mov $0xff, %al
	out %al, $0x21
	out %al, $0xa1
	ret

pic_entry:
	movl $0x1ff, APIC_SVR
	call pic_init
	mov $0xda, %al			/* master: IRQ0, 2 (cascade), 5 */
	out %al, $0x21
	mov $0xfb, %al			/* slave: IRQ10 */
	out %al, $0xa1
	mov $0x04, %al			/* ELCR: IRQ10 level */
	mov $0x4d1, %dx
	out %al, %dx
	in %dx, %al
	movzbl %al, %ebx
	shl $16, %ebx
	in $0xa1, %al
	mov %al, %bh
	in $0x21, %al
	mov %al, %bl
	mov %ebx, %eax
	out %eax, $0x10
	sti
	out %al, $0x11			/* the test raises GSI 3 (masked), GSI 5 */
1:	cli
	cmpl $1, CNT_IRQ5
	jae 2f
	sti
	hlt
	jmp 1b
2:	sti
	out %al, $0x13			/* the test raises GSI 10 and holds it */
3:	cli
	cmpl $2, CNT_IRQ10
	jae 4f
	sti
	hlt
	jmp 3b
4:	mov CNT_IRQ10, %eax
	out %eax, $0x15
	movl $0x10700, APIC_LVT0	/* ExtINT, masked */
	sti
	out %al, $0x16			/* the test pulses GSI 5 */
	nop
	nop
	cli
	mov CNT_IRQ5, %eax
	out %eax, $0x17
	movl $0x700, APIC_LVT0		/* ExtINT again: IRQ5 comes in */
	sti
	nop
	nop
	cli
	mov CNT_IRQ5, %eax
	out %eax, $0x18
	sti
	out %al, $0x19			/* the test routes GSI 20 to PIC pin 5 */
5:	cli
	cmpl $3, CNT_IRQ5
	jae 6f
	sti
	hlt
	jmp 5b
6:	mov CNT_IRQ5, %eax
	out %eax, $0x1a
7:	hlt
	jmp 7b

/* port 0x61 read once, reported on 0x34 */
spk_entry:
	in $0x61, %al
	movzbl %al, %eax
	out %eax, $0x34
1:	hlt
	jmp 1b

pit_entry:
	movl $0x1ff, APIC_SVR
	call pic_init
	mov $0xfe, %al			/* IRQ0 only */
	out %al, $0x21
	mov $0x34, %al			/* channel 0, lobyte/hibyte, mode 2 */
	out %al, $0x43
	mov $(PIT_PERIOD & 0xff), %al
	out %al, $0x40
	mov $(PIT_PERIOD >> 8), %al
	out %al, $0x40
	sti
1:	hlt
	cmpl $3, CNT_IRQ0
	jb 1b
	cli
	mov $0xff, %al
	out %al, $0x21
	mov CNT_IRQ0, %eax
	out %eax, $0x30
	mov $0x00, %al			/* latch channel 0 */
	out %al, $0x43
	in $0x40, %al
	mov %al, %bl
	in $0x40, %al
	mov %al, %bh
	movzwl %bx, %eax
	out %eax, $0x31
	mov $0xe2, %al			/* read-back: channel 0 status only */
	out %al, $0x43
	in $0x40, %al
	movzbl %al, %eax
	out %eax, $0x32
	/* Linux's pit_calibrate_tsc(): gate 2 high, speaker off, mode 0 */
	in $0x61, %al
	and $0xfd, %al
	or $0x01, %al
	out %al, $0x61
	mov $0xb0, %al
	out %al, $0x43
	mov $(CAL_COUNT & 0xff), %al
	out %al, $0x42
	mov $(CAL_COUNT >> 8), %al
	out %al, $0x42
	xor %ecx, %ecx
2:	inc %ecx
	in $0x61, %al
	test $0x20, %al
	jz 2b
	mov %ecx, %eax
	out %eax, $0x33
3:	hlt
	jmp 3b

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest physical memory layout shared by the x86 guest payloads
 * (guests/x86_*.S, linked at G_CODE) and the tests that load them
 * (lib/guest.c).  Everything the payloads need sits in the first 64 KiB, so
 * that real-mode code reaches it with segment registers 0.  Only #defines:
 * the assembler includes this file too.
 */
#ifndef HVMOD_SELFTEST_GUEST_LAYOUT_H
#define HVMOD_SELFTEST_GUEST_LAYOUT_H

#define G_IVT		0x0000	/* real mode: interrupt vector table */
#define G_GDT		0x1000	/* GDT built by the test (see G_SEL_*) */
#define G_IDT		0x2000	/* IDT: gates set by the test */
#define G_PML4		0x3000	/* long mode: identity map of [0, 1 GiB) */
#define G_PDPT		0x4000
#define G_PD		0x5000	/* 512 x 2 MiB pages */
#define G_DATA		0x6000	/* two pages of data shared with the host */
#define G_CODE		0x8000	/* payloads are linked and loaded here */
#define G_CODE_MAX	0x6000	/* at most 24 KiB of payload */
#define G_STACK_TOP	0xf000	/* the stack grows down from here */
#define G_MEM_SIZE	0x200000	/* default guest RAM: 2 MiB at GPA 0 */
#define G_MAPPED_TOP	0x40000000	/* long mode maps [0, 1 GiB) */
#define G_MMIO		0x3ff00000	/* mapped by the guest, in no slot */

/* GDT selectors (flat 4 GiB segments) */
#define G_SEL_CODE32	0x08
#define G_SEL_DATA	0x10
#define G_SEL_CODE64	0x18
#define G_GDT_LIMIT	0x1f

#endif /* HVMOD_SELFTEST_GUEST_LAYOUT_H */

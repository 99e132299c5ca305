/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of hvmod_x86_mmu (64-bit mode), linked at G_CODE: they read the
 * first two pages of the extra slot at G_SLOT1.
 */
#include "guest_layout.h"

#define G_SLOT1		0x400000

	.text
	.globl guest_base
guest_base:
	.code64

/* Forever: page 0's first dword on port 0x40, page 1's on port 0x41. */
read_entry:
	mov G_SLOT1, %eax
	out %eax, $0x40
	mov G_SLOT1 + 0x1000, %eax
	out %eax, $0x41
	jmp read_entry

/* Forever, without exits: page 0's first dword copied to G_DATA + 0x80. */
spin_entry:
	mov G_SLOT1, %eax
	mov %eax, G_DATA + 0x80
	jmp spin_entry

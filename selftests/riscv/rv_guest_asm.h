/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame of a riscv test guest written as top-level asm in .rodata:
 * the test copies it into guest RAM and never runs it itself.  Position
 * independent code only (lla, not la, which loads from the GOT in a PIE),
 * uncompressed (the tests read trapped instructions as 32 bits), no linker
 * relaxation (a gp-relative address would not survive the copy).
 *
 *	asm(RV_GUEST_BEGIN(guest_start) "...code..." RV_GUEST_END(guest_end));
 */
#ifndef RV_GUEST_ASM_H
#define RV_GUEST_ASM_H

#define RV_GUEST_BEGIN(start)						\
	".pushsection .rodata\n"					\
	".option push\n"						\
	".option norvc\n"						\
	".option norelax\n"						\
	".balign 4\n"							\
	#start ":\n"

#define RV_GUEST_END(end)						\
	#end ":\n"							\
	".option pop\n"							\
	".popsection\n"

#endif

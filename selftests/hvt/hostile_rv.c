// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_rv.c: the riscv64 cases of the hostile test (hostile.c):
 * accesses to the hypercall MMIO gigapage that are not 32-bit stores
 * below 0x100000000 + (9 << 3), an AMO there (no load or store the
 * kernel can emulate), a wfi with nothing to wake it (KVM_EXIT_HLT) and
 * an exit the tender does not handle (SBI system reset: shutdown).
 */
#include "rt.h"

#define SBI_EXT_SRST	0x53525354u

bool hostile_arch(const char *c);
bool hostile_arch(const char *c)
{
	uintptr_t puts = HVT_MMIO_ADDR(HVT_HC_PUTS);

	if (rt_word(c, "mmio-byte")) {
		__asm__ __volatile__("sb zero, 0(%0)" : : "r"(puts) : "memory");
	} else if (rt_word(c, "mmio-half")) {
		__asm__ __volatile__("sh zero, 0(%0)" : : "r"(puts) : "memory");
	} else if (rt_word(c, "mmio-dword")) {
		__asm__ __volatile__("sd zero, 0(%0)" : : "r"(puts) : "memory");
	} else if (rt_word(c, "mmio-read")) {
		uint32_t v;

		__asm__ __volatile__("lw %0, 0(%1)" : "=r"(v) : "r"(puts)
				     : "memory");
		printf("read: 0x%x\n", v);
	} else if (rt_word(c, "mmio-high")) {
		hvt_hc(HVT_HC_MAX, 0);
	} else if (rt_word(c, "ring-kick")) {
		/* the net ring's kick address, not offered by this tender */
		__asm__ __volatile__("sw zero, 0(%0)"
				     : : "r"(HVT_MMIO_BASE + 0x100) : "memory");
	} else if (rt_word(c, "mmio-amo")) {
		/* an AMO has no MMIO emulation: an internal error exit */
		__asm__ __volatile__("amoswap.w zero, zero, (%0)" : : "r"(puts)
				     : "memory");
	} else if (rt_word(c, "hlt")) {
		__asm__ __volatile__("wfi");
	} else if (rt_word(c, "sbi-off")) {
		register uint64_t a0 __asm__("a0") = 0;	/* shutdown */
		register uint64_t a1 __asm__("a1") = 0;	/* no reason */
		register uint64_t a6 __asm__("a6") = 0;	/* system_reset */
		register uint64_t a7 __asm__("a7") = SBI_EXT_SRST;

		__asm__ __volatile__("ecall"
				     : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7)
				     : "memory");
	} else {
		return false;
	}
	return true;
}

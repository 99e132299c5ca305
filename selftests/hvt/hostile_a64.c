// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_a64.c: the aarch64 cases of the hostile test (hostile.c):
 * accesses to the hypercall MMIO block that are not 32-bit stores below
 * 0x100000000 + (9 << 3), a store without a syndrome, and an exit the
 * tender does not handle (PSCI SYSTEM_OFF).
 */
#include "rt.h"

#define PSCI_SYSTEM_OFF	0x84000008u

bool hostile_arch(const char *c);
bool hostile_arch(const char *c)
{
	uintptr_t puts = HVT_MMIO_ADDR(HVT_HC_PUTS);

	if (rt_word(c, "mmio-byte")) {
		__asm__ __volatile__("strb wzr, [%0]" : : "r"(puts) : "memory");
	} else if (rt_word(c, "mmio-half")) {
		__asm__ __volatile__("strh wzr, [%0]" : : "r"(puts) : "memory");
	} else if (rt_word(c, "mmio-dword")) {
		__asm__ __volatile__("str xzr, [%0]" : : "r"(puts) : "memory");
	} else if (rt_word(c, "mmio-read")) {
		uint32_t v;

		__asm__ __volatile__("ldr %w0, [%1]" : "=r"(v) : "r"(puts)
				     : "memory");
		printf("read: 0x%x\n", v);
	} else if (rt_word(c, "mmio-high")) {
		hvt_hc(HVT_HC_MAX, 0);
	} else if (rt_word(c, "ring-kick")) {
		/* the net ring's kick address, not offered by this tender */
		__asm__ __volatile__("str wzr, [%0]"
				     : : "r"(HVT_MMIO_BASE + 0x100) : "memory");
	} else if (rt_word(c, "mmio-pair")) {
		/* STP has no instruction syndrome: the device cannot emulate it */
		__asm__ __volatile__("stp wzr, wzr, [%0]" : : "r"(puts)
				     : "memory");
	} else if (rt_word(c, "psci-off")) {
		register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;

		__asm__ __volatile__("hvc #0"
				     : "+r"(x0) : : "x1", "x2", "x3", "x4", "x5",
				     "x6", "x7", "x8", "x9", "x10", "x11", "x12",
				     "x13", "x14", "x15", "x16", "x17",
				     "memory");
	} else {
		return false;
	}
	return true;
}

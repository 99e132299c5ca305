// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_x86.c: the x86_64 cases of the hostile test (hostile.c): port
 * accesses that are not OUTL to 0x500..0x508, HLT, a triple fault.
 */
#include "rt.h"

bool hostile_arch(const char *c);
bool hostile_arch(const char *c)
{
	if (rt_word(c, "port-byte")) {
		__asm__ __volatile__("outb %%al, %%dx" : : "a"(0), "d"(0x501));
	} else if (rt_word(c, "port-word")) {
		__asm__ __volatile__("outw %%ax, %%dx" : : "a"(0), "d"(0x501));
	} else if (rt_word(c, "port-in")) {
		uint32_t v;

		__asm__ __volatile__("inl %%dx, %%eax" : "=a"(v) : "d"(0x501));
		printf("in: 0x%x\n", v);
	} else if (rt_word(c, "port-low")) {
		hvt_outl(0x4ff, 0);
	} else if (rt_word(c, "port-high")) {
		hvt_outl(0x509, 0);
	} else if (rt_word(c, "ring-kick")) {
		hvt_outl(0x600, 0);
	} else if (rt_word(c, "hlt")) {
		__asm__ __volatile__("hlt");
	} else if (rt_word(c, "triple")) {
		static const struct { uint16_t limit; uint64_t base; }
			__attribute__((packed)) no_idt = { 0, 0 };

		__asm__ __volatile__("lidt %0\n\tint3" : : "m"(no_idt));
	} else {
		return false;
	}
	return true;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * rt_a64.c: the aarch64 part of the hvt test runtime: TLS base 0,
 * hypercalls as 32-bit stores to the MMIO block at 4 GiB, and the trap
 * handler (vectors and stacks: start_a64.S).
 */
#include "rt.h"

void rt_arch_init(void)
{
	rt_set_tpidr_el0(0);
}

/* a 32-bit store of the argument's GPA to 0x100000000 + (nr << 3) */
void hvt_hc(unsigned int nr, uint32_t value)
{
	/* STR (immediate, no writeback): the exit carries a syndrome */
	__asm__ __volatile__("str %w0, [%1]"
			     : : "r"(value), "r"(HVT_MMIO_ADDR(nr)) : "memory");
}

void rt_arch_halted(void)
{
	for (;;)
		__asm__ __volatile__("wfi");
}

struct trap_frame {
	uint64_t x[31];
	uint64_t elr, spsr, esr, far;
	uint64_t pad;
};
_Static_assert(sizeof(struct trap_frame) == 288, "start_a64.S FRAME_SIZE");

/*
 * VBAR_EL1 + 0x80 * n: (current EL with SP_EL0, with SP_ELx, lower EL
 * AArch64, lower EL AArch32) x (synchronous, IRQ, FIQ, SError)
 */
static const char *const vector_names[16] = {
	"el1t_sync", "el1t_irq", "el1t_fiq", "el1t_serror",
	"el1h_sync", "el1h_irq", "el1h_fiq", "el1h_serror",
	"el0_sync", "el0_irq", "el0_fiq", "el0_serror",
	"el0_32_sync", "el0_32_irq", "el0_32_fiq", "el0_32_serror",
};

/* ESR_EL1.EC of the synchronous exceptions a test can cause */
static const char *ec_name(unsigned int ec)
{
	switch (ec) {
	case 0x00: return "UNKNOWN";
	case 0x01: return "WFX";
	case 0x07: return "FP_ASIMD";
	case 0x0e: return "ILL";
	case 0x15: return "SVC64";
	case 0x16: return "HVC64";
	case 0x17: return "SMC64";
	case 0x18: return "SYS64";
	case 0x20: return "IABT_LOW";
	case 0x21: return "IABT_CUR";
	case 0x22: return "PC_ALIGN";
	case 0x24: return "DABT_LOW";
	case 0x25: return "DABT_CUR";
	case 0x26: return "SP_ALIGN";
	case 0x2c: return "FP_EXC64";
	case 0x2f: return "SERROR";
	case 0x3c: return "BRK64";
	default: return "?";
	}
}

void rt_trap(struct trap_frame *f, uint64_t vector);
void rt_trap(struct trap_frame *f, uint64_t vector)
{
	unsigned int ec = f->esr >> 26;

	printf("Solo5: trap: type=%s ec=0x%x (%s) esr=0x%lx far=0x%lx elr=0x%lx spsr=0x%lx\n",
	       vector_names[vector & 15], ec, ec_name(ec), f->esr, f->far,
	       f->elr, f->spsr);
	printf("Solo5: ABORT: guest exception\n");
	hvt_halt(EXIT_ABORT, f);	/* the trap frame is the halt cookie */
}

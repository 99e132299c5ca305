// SPDX-License-Identifier: GPL-2.0
/*
 * rt_rv.c: the riscv64 part of the hvt test runtime: TLS base (tp) 0,
 * hypercalls as 32-bit stores to the MMIO gigapage at 4 GiB, and the
 * trap handler (stvec entry and trap stack: start_rv.S).
 */
#include "rt.h"

void rt_arch_init(void)
{
	rt_set_tp(0);
}

/* a 32-bit store (sw) of the argument's GPA to 0x100000000 + (nr << 3) */
void hvt_hc(unsigned int nr, uint32_t value)
{
	__asm__ __volatile__("sw %0, 0(%1)"
			     : : "r"(value), "r"(HVT_MMIO_ADDR(nr)) : "memory");
}

void rt_arch_halted(void)
{
	for (;;)
		__asm__ __volatile__("wfi");
}

struct trap_frame {
	uint64_t x[32];		/* x0 slot: unused */
	uint64_t sepc, sstatus, scause, stval;
};
_Static_assert(sizeof(struct trap_frame) == 288, "start_rv.S FRAME_SIZE");

/* scause of the exceptions a test can cause (the privileged spec) */
static const char *cause_name(uint64_t cause)
{
	if (cause >> 63)
		return "interrupt";
	switch (cause) {
	case 0: return "insn-misaligned";
	case 1: return "insn-access-fault";
	case 2: return "illegal-instruction";
	case 3: return "breakpoint";
	case 4: return "load-misaligned";
	case 5: return "load-access-fault";
	case 6: return "store-misaligned";
	case 7: return "store-access-fault";
	case 8: return "ecall-U";
	case 12: return "insn-page-fault";
	case 13: return "load-page-fault";
	case 15: return "store-page-fault";
	default: return "?";
	}
}

void rt_trap(struct trap_frame *f);
void rt_trap(struct trap_frame *f)
{
	printf("Solo5: trap: scause=0x%lx (%s) stval=0x%lx sepc=0x%lx sstatus=0x%lx\n",
	       f->scause, cause_name(f->scause), f->stval, f->sepc, f->sstatus);
	printf("Solo5: ABORT: guest exception\n");
	hvt_halt(EXIT_ABORT, f);	/* the trap frame is the halt cookie */
}

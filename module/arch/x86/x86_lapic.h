/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel local APIC of an x86 vCPU (KVM_CREATE_IRQCHIP), shared by
 * x86_lapic.c (registers, delivery), x86_lapic_timer.c and x86_irqchip.c
 * (MP state, INIT/SIPI, HLT, entry hooks).
 */
#ifndef HVMOD_X86_LAPIC_H
#define HVMOD_X86_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <asm/apicdef.h>
#include "x86.h"

/* As KVM: a 1 GHz APIC bus, six LVT entries, version 0x14 */
#define X86_LAPIC_VERSION	(0x14 | (5 << 16))
/* KVM's floor for a periodic timer (min_timer_period_us) */
#define X86_LAPIC_MIN_PERIOD_NS	200000ull

/* pending_events bits: INIT and SIPI wait for the target's own thread */
#define X86_LAPIC_INIT		0
#define X86_LAPIC_SIPI		1

struct x86_lapic {
	struct hvmod_vcpu *vcpu;
	/*
	 * The register page in the layout of struct kvm_lapic_state (the
	 * xAPIC MMIO page's first KiB), in a counted control page.  Other
	 * vCPUs (IPIs) and the timer (hard IRQ) set IRR bits: every access
	 * takes the lock with IRQs off.
	 */
	spinlock_t lock;
	struct page *page;
	u8 *regs;
	/* LAPIC timer: one-shot, periodic (period_ns) or TSC deadline */
	struct hrtimer timer;
	u64 period_ns;
	u64 tsc_deadline;		/* MSR_IA32_TSC_DEADLINE, guest TSC */
	/* KVM_MP_STATE_*, changed only by the vCPU's own thread */
	u32 mp_state;
	unsigned long pending_events;	/* X86_LAPIC_INIT/SIPI */
	u8 sipi_vector;
	atomic_t nmis;			/* NMI IPIs not yet queued */
	/*
	 * Kicks: a sender sets `event`, then looks at `in_guest`; the entry
	 * sets `in_guest`, then looks at `event` (both with full barriers),
	 * so one of them sees the other.  `task` is the thread in KVM_RUN.
	 */
	atomic_t event;
	int in_guest;
	struct task_struct *task;
	wait_queue_head_t wq;
};

static inline u32 x86_lapic_reg(const struct x86_lapic *l, unsigned int off)
{
	return *(const u32 *)(l->regs + off);
}

static inline void x86_lapic_set_reg(struct x86_lapic *l, unsigned int off,
				     u32 v)
{
	*(u32 *)(l->regs + off) = v;
}

/* x86_lapic.c */
void x86_lapic_kick(struct x86_lapic *l);
void x86_lapic_raise(struct x86_lapic *l, u8 vector, bool level);
void x86_lapic_reset(struct x86_lapic *l);
bool x86_lapic_has_irq_locked(struct x86_lapic *l);

/* x86_lapic_timer.c */
void x86_lapic_timer_init(struct x86_lapic *l);
void x86_lapic_timer_restart(struct x86_lapic *l);
void x86_lapic_timer_stop(struct x86_lapic *l);
u32 x86_lapic_timer_current(struct x86_lapic *l);
int x86_lapic_set_deadline(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			   u64 deadline);

#endif /* HVMOD_X86_LAPIC_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * The LAPIC timer on an hrtimer: one-shot and periodic counting at KVM's
 * 1 GHz APIC bus divided by TDCR (a periodic period no shorter than KVM's
 * 200 us), and TSC-deadline mode (MSR_IA32_TSC_DEADLINE, in guest TSC
 * ticks at tsc_khz).  On expiry the LVTT vector goes into IRR unless the
 * entry is masked, and the vCPU is kicked (x86_lapic_raise()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>
#include "x86_lapic.h"

#define X86_LVTT_MODE	(APIC_LVT_TIMER_PERIODIC | APIC_LVT_TIMER_TSCDEADLINE)

/* TDCR bits 3,1:0 -> divide by 2, 4, ... 128, 1 */
static u32 x86_lapic_divide(struct x86_lapic *l)
{
	u32 tdcr = x86_lapic_reg(l, APIC_TDCR);
	u32 v = (tdcr & 3) | ((tdcr & 8) >> 1);

	return 1u << ((v + 1) & 7);
}

static enum hrtimer_restart x86_lapic_timer_fire(struct hrtimer *hrt)
{
	struct x86_lapic *l = container_of(hrt, struct x86_lapic, timer);
	u32 lvtt = READ_ONCE(*(u32 *)(l->regs + APIC_LVTT));

	if (!(lvtt & APIC_LVT_MASKED))
		x86_lapic_raise(l, lvtt & APIC_VECTOR_MASK, false);
	if ((lvtt & X86_LVTT_MODE) == APIC_LVT_TIMER_TSCDEADLINE)
		WRITE_ONCE(l->tsc_deadline, 0);	/* cleared once it fired */
	if ((lvtt & X86_LVTT_MODE) == APIC_LVT_TIMER_PERIODIC &&
	    READ_ONCE(l->period_ns)) {
		hrtimer_forward_now(hrt, ns_to_ktime(READ_ONCE(l->period_ns)));
		return HRTIMER_RESTART;
	}
	return HRTIMER_NORESTART;
}

void x86_lapic_timer_init(struct x86_lapic *l)
{
	hrtimer_init(&l->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	l->timer.function = x86_lapic_timer_fire;
}

void x86_lapic_timer_stop(struct x86_lapic *l)
{
	hrtimer_cancel(&l->timer);
	WRITE_ONCE(l->period_ns, 0);
}

/*
 * After a write of LVTT, TMICT, SVR or the whole page: count TMICT again
 * (as a write of TMICT does on hardware).  By the vCPU's thread only.
 */
void x86_lapic_timer_restart(struct x86_lapic *l)
{
	unsigned long flags;
	u32 lvtt, tmict;
	u64 ns;

	x86_lapic_timer_stop(l);
	spin_lock_irqsave(&l->lock, flags);
	lvtt = x86_lapic_reg(l, APIC_LVTT);
	tmict = x86_lapic_reg(l, APIC_TMICT);
	ns = (u64)tmict * x86_lapic_divide(l);
	spin_unlock_irqrestore(&l->lock, flags);
	if ((lvtt & X86_LVTT_MODE) == APIC_LVT_TIMER_TSCDEADLINE || !tmict)
		return;			/* armed by the deadline MSR */
	if ((lvtt & X86_LVTT_MODE) == APIC_LVT_TIMER_PERIODIC) {
		ns = max(ns, X86_LAPIC_MIN_PERIOD_NS);
		WRITE_ONCE(l->period_ns, ns);
	}
	hrtimer_start(&l->timer, ns_to_ktime(ns), HRTIMER_MODE_REL);
}

/* TMCCT: what is left of the count (0 once a one-shot count expired). */
u32 x86_lapic_timer_current(struct x86_lapic *l)
{
	u32 tmict = x86_lapic_reg(l, APIC_TMICT);
	ktime_t left;

	if (!tmict || (x86_lapic_reg(l, APIC_LVTT) & X86_LVTT_MODE) ==
		      APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	left = hrtimer_get_remaining(&l->timer);
	if (!hrtimer_active(&l->timer) || ktime_to_ns(left) <= 0)
		return 0;
	return min_t(u64, div_u64(ktime_to_ns(left), x86_lapic_divide(l)),
		     tmict);
}

/* MSR_IA32_TSC_DEADLINE: arm at that guest TSC, 0 disarms. */
int x86_lapic_set_deadline(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			   u64 deadline)
{
	struct x86_lapic *l = to_x86(vcpu)->apic;
	u64 now, ns = 0;

	x86_lapic_timer_stop(l);
	WRITE_ONCE(l->tsc_deadline, deadline);
	if (!deadline || (x86_lapic_reg(l, APIC_LVTT) & X86_LVTT_MODE) !=
			 APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	if (ops->get_msr(vcpu, MSR_IA32_TSC, &now))
		return -EINVAL;
	if (deadline > now && tsc_khz)
		ns = mul_u64_u32_div(deadline - now, 1000000, tsc_khz);
	hrtimer_start(&l->timer, ns_to_ktime(ns), HRTIMER_MODE_REL);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * t1_lapic.c: a userspace xAPIC per vCPU for `--mode type1 --cpus N`.
 * The module has no in-kernel irqchip, so the APIC page at 0xfee00000 is
 * not RAM: every access is an MMIO exit handled here (32-bit registers,
 * 16-byte aligned).  Relocation through the APIC_BASE MSR is not seen by
 * hvctl (the module keeps that MSR): the page stays at 0xfee00000.
 *
 * Modelled: ID, VER (0x14, 6 LVT entries), TPR/APR/PPR, EOI, LDR, DFR,
 * SVR (software enable), ISR/TMR/IRR, ESR, ICR, the LVT timer, thermal,
 * perf, LINT0, LINT1 and error entries, and the timer (TMICT, TMCCT,
 * TDCR; one-shot and periodic).  Every interrupt is edge-triggered (there
 * is no IOAPIC).  The timer counts at a 1 GHz bus clock, 1 ns per tick
 * before the divider (as KVM's APIC), computed from CLOCK_MONOTONIC; the
 * clock thread of t1_smp.c sleeps until the next expiry.
 *
 * IPIs (ICR): fixed and lowest-priority (taken as fixed, to the lowest
 * matching APIC ID), physical and logical flat/cluster destinations, the
 * self / all / all-but-self shorthands, INIT and SIPI (t1_smp.c starts
 * the target), NMI (t1_smp.c queues KVM_NMI on the target).  LINT0/1
 * have no source but the PIC's INTR on the BSP's LINT0: nothing raises
 * LINT1, so its NMI mode is only stored.
 */
#include <string.h>
#include "t1.h"

#define APIC_ID		0x020
#define APIC_VER	0x030
#define APIC_TPR	0x080
#define APIC_APR	0x090
#define APIC_PPR	0x0a0
#define APIC_EOI	0x0b0
#define APIC_LDR	0x0d0
#define APIC_DFR	0x0e0
#define APIC_SVR	0x0f0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define APIC_LVT0	0x320	/* LVT timer; the others follow 0x10 apart */
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0

#define APIC_VERSION	(0x14 | (T1_NLVT - 1) << 16)
#define SVR_ENABLE	0x100
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define LVT_DM(v)	(((v) >> 8) & 7)
#define DM_FIXED	0
#define DM_LOWEST	1
#define DM_NMI		4
#define DM_INIT		5
#define DM_SIPI		6
#define DM_EXTINT	7
#define ICR_LOGICAL	(1u << 11)
#define ICR_BUSY	(1u << 12)
#define ICR_ASSERT	(1u << 14)
#define ICR_LEVEL	(1u << 15)
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)

/* A periodic timer faster than this would be an interrupt storm. */
#define TIMER_MIN_NS	10000

static void set_vec(uint32_t *r, int v, bool on)
{
	if (on)
		r[v >> 5] |= 1u << (v & 31);
	else
		r[v >> 5] &= ~(1u << (v & 31));
}

/* The highest vector set in R, or -1. */
static int highest(const uint32_t *r)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

static bool sw_enabled(const struct t1_lapic *a)
{
	return a->svr & SVR_ENABLE;
}

static uint32_t ppr(const struct t1_lapic *a)
{
	int isrv = highest(a->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	if ((a->tpr & 0xf0) >= isr_class)
		return a->tpr & 0xff;
	return isr_class;
}

void t1_lapic_init(struct t1_cpu *c)
{
	struct t1_lapic *a = &c->apic;
	int i;

	memset(a, 0, sizeof(*a));
	a->id = c->id << 24;
	a->dfr = 0xffffffff;
	a->svr = 0xff;			/* software-disabled, as at reset */
	for (i = 0; i < T1_NLVT; i++)
		a->lvt[i] = LVT_MASKED;
	/* what a BIOS leaves in virtual wire mode: PIC on LINT0 of the BSP */
	a->lvt[T1_LVT_LINT0] |= DM_EXTINT << 8;
	a->lvt[T1_LVT_LINT1] |= DM_NMI << 8;
	a->timer_next_ns = -1;
}

/* An edge on vector V: set IRR, tell the vCPU. */
static void raise_vec(struct t1_cpu *c, int v)
{
	if (!sw_enabled(&c->apic) || v < 16)
		return;
	set_vec(c->apic.irr, v, true);
	t1_smp_kick(c);
}

int t1_lapic_pending(struct t1_cpu *c)
{
	int v = highest(c->apic.irr);

	if (v < 0 || (uint32_t)(v & 0xf0) <= (ppr(&c->apic) & 0xf0))
		return -1;
	return v;
}

void t1_lapic_accept(struct t1_cpu *c, int v)
{
	set_vec(c->apic.irr, v, false);
	set_vec(c->apic.isr, v, true);
}

bool t1_lapic_extint(struct t1_cpu *c)
{
	uint32_t l = c->apic.lvt[T1_LVT_LINT0];

	if (c->id != 0)
		return false;	/* the PIC's INTR is wired to the BSP */
	return !sw_enabled(&c->apic) ||
	       (!(l & LVT_MASKED) && LVT_DM(l) == DM_EXTINT);
}

/* ---------------------------------------------------------------- timer */

static uint64_t divider(const struct t1_lapic *a)
{
	unsigned int v = (a->tdcr & 3) | ((a->tdcr & 8) >> 1);

	return v == 7 ? 1 : 2u << v;
}

static int64_t period_ns(const struct t1_lapic *a)
{
	int64_t p = (int64_t)a->tmict * (int64_t)divider(a);

	if ((a->lvt[T1_LVT_TIMER] & LVT_PERIODIC) && p < TIMER_MIN_NS)
		p = TIMER_MIN_NS;
	return p;
}

static uint32_t tmcct(const struct t1_lapic *a, int64_t now)
{
	uint64_t ticks;

	if (!a->tmict || a->timer_start_ns < 0)
		return 0;
	ticks = (uint64_t)(now - a->timer_start_ns) / divider(a);
	if (a->lvt[T1_LVT_TIMER] & LVT_PERIODIC)
		return a->tmict - (uint32_t)(ticks % a->tmict);
	return ticks >= a->tmict ? 0 : a->tmict - (uint32_t)ticks;
}

static void timer_start(struct t1_cpu *c, int64_t now)
{
	struct t1_lapic *a = &c->apic;

	a->timer_start_ns = now;
	a->timer_next_ns = a->tmict ? now + period_ns(a) : -1;
	t1_smp_timer_changed(c->t);
}

void t1_lapic_timer_update(struct t1_cpu *c, int64_t now)
{
	struct t1_lapic *a = &c->apic;
	uint32_t lvt = a->lvt[T1_LVT_TIMER];
	int64_t p;

	if (a->timer_next_ns < 0 || now < a->timer_next_ns)
		return;
	if (!(lvt & LVT_MASKED))
		raise_vec(c, lvt & 0xff);
	if (!(lvt & LVT_PERIODIC)) {
		a->timer_next_ns = -1;
		return;
	}
	/* ticks lost while the host did not run us are dropped, not queued */
	p = period_ns(a);
	a->timer_next_ns += p;
	if (a->timer_next_ns <= now)
		a->timer_next_ns = now + p - (now - a->timer_next_ns) % p;
}

int64_t t1_lapic_timer_next(struct t1_cpu *c)
{
	return c->apic.timer_next_ns;
}

/* ----------------------------------------------------------------- IPIs */

static bool dest_match(struct t1_cpu *c, uint32_t dest, bool logical)
{
	const struct t1_lapic *a = &c->apic;
	uint32_t ldr = a->ldr >> 24;

	if (!logical)
		return dest == 0xff || dest == a->id >> 24;
	if (dest == 0xff)
		return true;
	if ((a->dfr >> 28) == 0xf)			/* flat */
		return (ldr & dest) != 0;
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);	/* cluster */
}

static void deliver(struct t1_cpu *to, uint32_t lo)
{
	switch (LVT_DM(lo)) {
	case DM_FIXED:
	case DM_LOWEST:
		raise_vec(to, lo & 0xff);
		break;
	case DM_NMI:
		t1_smp_nmi(to);
		break;
	case DM_INIT:
		/* the de-assert half of a level INIT does nothing on xAPICs */
		if ((lo & ICR_LEVEL) && !(lo & ICR_ASSERT))
			break;
		t1_smp_init_ipi(to);
		break;
	case DM_SIPI:
		t1_smp_sipi(to, lo & 0xff);
		break;
	default:			/* SMI, ExtINT: nothing to deliver */
		break;
	}
}

static void send_ipi(struct t1_cpu *from)
{
	struct t1 *t = from->t;
	uint32_t lo = from->apic.icr_lo, dest = from->apic.icr_hi >> 24;
	unsigned int i;

	for (i = 0; i < t->ncpus; i++) {
		struct t1_cpu *to = &t->cpu[i];
		bool hit;

		switch (ICR_SHORTHAND(lo)) {
		case 1:
			hit = to == from;
			break;
		case 2:
			hit = true;
			break;
		case 3:
			hit = to != from;
			break;
		default:
			hit = dest_match(to, dest, lo & ICR_LOGICAL);
			break;
		}
		if (!hit)
			continue;
		deliver(to, lo);
		if (LVT_DM(lo) == DM_LOWEST)
			break;
	}
}

/* ------------------------------------------------------------ registers */

static uint32_t reg_read(struct t1_cpu *c, unsigned int reg)
{
	struct t1_lapic *a = &c->apic;

	switch (reg) {
	case APIC_ID:
		return a->id;
	case APIC_VER:
		return APIC_VERSION;
	case APIC_TPR:
		return a->tpr;
	case APIC_APR:
		return 0;
	case APIC_PPR:
		return ppr(a);
	case APIC_LDR:
		return a->ldr;
	case APIC_DFR:
		return a->dfr;
	case APIC_SVR:
		return a->svr;
	case APIC_ESR:
		return a->esr;
	case APIC_ICR_LO:
		return a->icr_lo;	/* delivery is instant: never busy */
	case APIC_ICR_HI:
		return a->icr_hi;
	case APIC_TMICT:
		return a->tmict;
	case APIC_TMCCT:
		return tmcct(a, t1_now_ns());
	case APIC_TDCR:
		return a->tdcr;
	}
	if (reg >= APIC_ISR && reg < APIC_ISR + 0x80)
		return a->isr[(reg - APIC_ISR) >> 4];
	if (reg >= APIC_TMR && reg < APIC_TMR + 0x80)
		return a->tmr[(reg - APIC_TMR) >> 4];
	if (reg >= APIC_IRR && reg < APIC_IRR + 0x80)
		return a->irr[(reg - APIC_IRR) >> 4];
	if (reg >= APIC_LVT0 && reg < APIC_LVT0 + T1_NLVT * 0x10)
		return a->lvt[(reg - APIC_LVT0) >> 4];
	return 0;
}

static void reg_write(struct t1_cpu *c, unsigned int reg, uint32_t v)
{
	struct t1_lapic *a = &c->apic;
	int i;

	switch (reg) {
	case APIC_ID:
		a->id = v & 0xff000000;
		return;
	case APIC_TPR:
		a->tpr = v & 0xff;
		t1_smp_kick(c);
		return;
	case APIC_EOI:
		i = highest(a->isr);
		if (i >= 0)
			set_vec(a->isr, i, false);
		t1_smp_kick(c);
		return;
	case APIC_LDR:
		a->ldr = v & 0xff000000;
		return;
	case APIC_DFR:
		a->dfr = v | 0x0fffffff;
		return;
	case APIC_SVR:
		a->svr = v & 0x3ff;
		if (!sw_enabled(a))
			for (i = 0; i < T1_NLVT; i++)
				a->lvt[i] |= LVT_MASKED;
		t1_smp_kick(c);
		return;
	case APIC_ESR:
		a->esr = 0;		/* no error is ever detected */
		return;
	case APIC_ICR_LO:
		a->icr_lo = v & ~ICR_BUSY;
		send_ipi(c);
		return;
	case APIC_ICR_HI:
		a->icr_hi = v & 0xff000000;
		return;
	case APIC_TMICT:
		a->tmict = v;
		timer_start(c, t1_now_ns());
		return;
	case APIC_TDCR:
		a->tdcr = v & 0xb;
		return;
	}
	if (reg >= APIC_LVT0 && reg < APIC_LVT0 + T1_NLVT * 0x10) {
		i = (reg - APIC_LVT0) >> 4;
		a->lvt[i] = v & (i == T1_LVT_TIMER ? 0x300ff : 0x1a7ff);
		if (!sw_enabled(a))
			a->lvt[i] |= LVT_MASKED;
		t1_smp_kick(c);
	}
	/* read-only and reserved registers ignore writes */
}

void t1_lapic_mmio(struct t1_cpu *c, uint64_t off, uint8_t *data,
		   unsigned int len, bool write)
{
	unsigned int reg = off & 0xff0, shift = (off & 3) * 8;
	uint32_t v;

	/* the registers are 32 bits wide; other widths read/write a part */
	if ((off & 0xf) + len > 4) {
		if (!write)
			memset(data, 0, len);
		return;
	}
	if (!write) {
		v = reg_read(c, reg) >> shift;
		memcpy(data, &v, len);
		return;
	}
	v = 0;
	memcpy(&v, data, len);
	reg_write(c, reg, v << shift);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * t1_pit.c: the 8254 PIT (0x40-0x43) and port 0x61 (channel 2 gate,
 * speaker enable, OUT2 and the refresh toggle).  Counters are computed
 * from the host's CLOCK_MONOTONIC at 1.193182 MHz; nothing spins.
 * Channel 0 drives IRQ 0: one edge per period in modes 2/3, one edge at
 * terminal count in the one-shot modes.  When the next edge is due,
 * t1_kick_at() arms a host timer that pulls the vCPU out of KVM_RUN.
 */
#include "t1.h"

#define PIT_HZ		1193182ull
#define NS_PER_SEC	1000000000ull

static uint64_t ns_to_ticks(int64_t ns)
{
	return ns <= 0 ? 0 : (uint64_t)((unsigned __int128)ns * PIT_HZ / NS_PER_SEC);
}

static int64_t ticks_to_ns(uint64_t ticks)
{
	return (int64_t)(((unsigned __int128)ticks * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ);
}

static bool periodic(const struct t1_pit_chan *c)
{
	return c->mode == 2 || c->mode == 3;
}

static uint64_t elapsed(const struct t1_pit_chan *c, int64_t now)
{
	if (!c->armed || c->start_ns < 0)
		return 0;
	return ns_to_ticks(now - c->start_ns);
}

static uint16_t count_now(const struct t1_pit_chan *c, int64_t now)
{
	uint64_t n = elapsed(c, now);

	if (!c->armed || c->start_ns < 0)
		return (uint16_t)c->reload;
	if (periodic(c)) {
		uint64_t left = c->reload - n % c->reload;

		if (c->mode == 3)	/* counts down by two, twice a period */
			left = (left * 2) % c->reload;
		return (uint16_t)left;
	}
	return (uint16_t)(c->reload - n);	/* wraps past 0, as the chip */
}

static bool out_now(const struct t1_pit_chan *c, int64_t now)
{
	uint64_t n = elapsed(c, now);

	if (!c->armed)
		return c->mode != 0;
	if (c->start_ns < 0)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
		return n >= c->reload;
	case 2:
		return n % c->reload != c->reload - 1;
	case 3:
		return n % c->reload < (c->reload + 1) / 2;
	default:		/* 1, 4, 5: low for one tick at terminal count */
		return n != c->reload;
	}
}

void t1_pit_init(struct t1 *t)
{
	int i;

	for (i = 0; i < 3; i++)
		t->pit[i] = (struct t1_pit_chan){ .reload = 65536, .access = 3,
						  .gate = i != 2, .start_ns = -1 };
	t->pit_irq_next_ns = -1;
}

static void schedule_irq0(struct t1 *t)
{
	const struct t1_pit_chan *c = &t->pit[0];

	t->pit_irq_next_ns = -1;
	if (c->armed && c->start_ns >= 0)
		t->pit_irq_next_ns = c->start_ns + ticks_to_ns(c->reload);
	t1_kick_at(t, t->pit_irq_next_ns);
}

void t1_pit_update(struct t1 *t, int64_t now)
{
	const struct t1_pit_chan *c = &t->pit[0];
	int64_t period;

	if (t->pit_irq_next_ns < 0 || now < t->pit_irq_next_ns)
		return;
	t1_pic_set_irq(t, 0, true);
	t1_pic_set_irq(t, 0, false);
	if (!periodic(c)) {
		t->pit_irq_next_ns = -1;
		return;
	}
	/* Missed periods coalesce into this one edge, as on a busy PC. */
	period = ticks_to_ns(c->reload);
	t->pit_irq_next_ns += period;
	if (t->pit_irq_next_ns <= now)
		t->pit_irq_next_ns = now + period -
				     (now - t->pit_irq_next_ns) % period;
	t1_kick_at(t, t->pit_irq_next_ns);
}

static void start(struct t1 *t, int ch, int64_t now)
{
	struct t1_pit_chan *c = &t->pit[ch];

	c->armed = true;
	c->start_ns = c->gate ? now : -1;
	if (ch == 0)
		schedule_irq0(t);
}

static void latch_count(struct t1_pit_chan *c, int64_t now)
{
	if (c->latched)
		return;		/* the first latch holds until read */
	c->latch = count_now(c, now);
	c->latched = true;
	c->latch_msb_next = false;
}

static void control(struct t1 *t, uint8_t v, int64_t now)
{
	unsigned int ch = v >> 6, i;
	struct t1_pit_chan *c;

	if (ch == 3) {			/* read-back */
		for (i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			c = &t->pit[i];
			if (!(v & 0x20))
				latch_count(c, now);
			if (!(v & 0x10) && !c->status_latched) {
				c->status = (out_now(c, now) ? 0x80 : 0) |
					    (c->armed ? 0 : 0x40) |
					    c->access << 4 | c->mode << 1;
				c->status_latched = true;
			}
		}
		return;
	}
	c = &t->pit[ch];
	if (!((v >> 4) & 3)) {		/* counter latch */
		latch_count(c, now);
		return;
	}
	c->access = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;		/* 6, 7 are 2, 3 */
	c->write_msb_next = false;
	c->read_msb_next = false;
	c->latched = false;
	c->status_latched = false;
	c->armed = false;
	if (ch == 0)
		schedule_irq0(t);
}

void t1_pit_write(struct t1 *t, uint16_t port, uint8_t v)
{
	int64_t now = t1_now_ns();
	struct t1_pit_chan *c;
	uint32_t n;

	if (port == 0x43) {
		control(t, v, now);
		return;
	}
	c = &t->pit[port - 0x40];
	switch (c->access) {
	case 1:
		n = v;
		break;
	case 2:
		n = v << 8;
		break;
	default:
		if (!c->write_msb_next) {
			c->write_lsb = v;
			c->write_msb_next = true;
			return;
		}
		c->write_msb_next = false;
		n = c->write_lsb | v << 8;
		break;
	}
	c->reload = n ? n : 65536;
	if (c->mode == 3 && c->reload == 1)
		c->reload = 2;
	start(t, port - 0x40, now);
}

uint8_t t1_pit_read(struct t1 *t, uint16_t port)
{
	struct t1_pit_chan *c;
	uint16_t v;
	bool msb;

	if (port == 0x43)
		return 0xff;	/* the control word is write-only */
	c = &t->pit[port - 0x40];
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		v = c->latch;
		if (c->access == 3) {
			msb = c->latch_msb_next;
			c->latch_msb_next = !msb;
			if (msb)
				c->latched = false;
		} else {
			msb = c->access == 2;
			c->latched = false;
		}
	} else {
		v = count_now(c, t1_now_ns());
		if (c->access == 3) {
			msb = c->read_msb_next;
			c->read_msb_next = !msb;
		} else {
			msb = c->access == 2;
		}
	}
	return msb ? v >> 8 : v & 0xff;
}

uint8_t t1_port61_read(struct t1 *t)
{
	const struct t1_pit_chan *c = &t->pit[2];

	t->refresh_toggle = !t->refresh_toggle;
	return (c->gate ? 0x01 : 0) | (t->pit_speaker ? 0x02 : 0) |
	       (t->refresh_toggle ? 0x10 : 0) |
	       (out_now(c, t1_now_ns()) ? 0x20 : 0);
}

void t1_port61_write(struct t1 *t, uint8_t v)
{
	struct t1_pit_chan *c = &t->pit[2];
	bool gate = v & 0x01;

	t->pit_speaker = v & 0x02;
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->armed)
		return;
	if (gate && (c->start_ns < 0 || (c->mode != 0 && c->mode != 4)))
		c->start_ns = t1_now_ns();	/* (re)trigger */
}

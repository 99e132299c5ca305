// SPDX-License-Identifier: GPL-2.0
/*
 * t1_pic.c: the 8259A pair of a PC: master at 0x20/0x21 (IRQ 0-7),
 * slave at 0xa0/0xa1 (IRQ 8-15) cascaded on the master's IRQ 2.
 * Edge-triggered inputs (a request is latched in IRR on a rising edge),
 * ICW1-4, IMR, non-specific/specific/rotating EOI, OCW3 IRR/ISR reads,
 * special mask, auto-EOI.  The slave's INT output is a level on the
 * master's IRQ 2.  The CPU side: t1_pic_pending() says whether INTR is
 * up, t1_pic_ack() is the INTA cycle that hands out the vector.
 */
#include "t1.h"

/* Priority 0 (highest) .. 7 of the highest bit set in MASK, 8 if none. */
static int priority(const struct t1_pic_chip *c, uint8_t mask)
{
	int p;

	for (p = 0; p < 8; p++)
		if (mask & (1u << ((p + c->prio_add) & 7)))
			return p;
	return 8;
}

static uint8_t effective_irr(struct t1 *t, int chip);

/* The IRQ line (0-7) this chip would raise INT for, or -1. */
static int chip_irq(struct t1 *t, int chip)
{
	const struct t1_pic_chip *c = &t->pic[chip];
	uint8_t isr = c->isr;
	int req = priority(c, effective_irr(t, chip) & ~c->imr);

	if (req == 8)
		return -1;
	if (c->special_mask)
		isr &= ~c->imr;
	if (req < priority(c, isr))
		return (req + c->prio_add) & 7;
	return -1;
}

static uint8_t effective_irr(struct t1 *t, int chip)
{
	if (chip == 0 && !t->pic[0].single && chip_irq(t, 1) >= 0)
		return t->pic[0].irr | 0x04;	/* the slave's INT */
	return t->pic[chip].irr;
}

void t1_pic_init(struct t1 *t)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct t1_pic_chip *c = &t->pic[i];

		*c = (struct t1_pic_chip){ .imr = 0xff, .base = i ? 0x70 : 0x08 };
	}
}

void t1_pic_set_irq(struct t1 *t, unsigned int irq, bool level)
{
	struct t1_pic_chip *c = &t->pic[irq >> 3];
	uint8_t bit = 1u << (irq & 7);

	if (level) {
		if (!(c->last_level & bit))
			c->irr |= bit;
		c->last_level |= bit;
	} else {
		c->last_level &= ~bit;
	}
}

bool t1_pic_pending(struct t1 *t)
{
	return chip_irq(t, 0) >= 0;
}

/* INTA on one chip for line IRQ: IRR -> ISR (unless auto-EOI). */
static void chip_ack(struct t1_pic_chip *c, int irq)
{
	c->irr &= ~(1u << irq);
	if (!c->auto_eoi)
		c->isr |= 1u << irq;
}

int t1_pic_ack(struct t1 *t)
{
	int irq = chip_irq(t, 0), irq2;

	if (irq < 0)
		return t->pic[0].base | 7;	/* spurious IRQ 7 */
	if (irq == 2) {
		irq2 = chip_irq(t, 1);
		chip_ack(&t->pic[0], 2);
		if (irq2 < 0)
			return t->pic[1].base | 7;	/* spurious IRQ 15 */
		chip_ack(&t->pic[1], irq2);
		return t->pic[1].base | irq2;
	}
	chip_ack(&t->pic[0], irq);
	return t->pic[0].base | irq;
}

static void eoi(struct t1_pic_chip *c, int irq, bool rotate)
{
	if (irq < 0) {
		int p = priority(c, c->isr);

		if (p == 8)
			return;
		irq = (p + c->prio_add) & 7;
	}
	c->isr &= ~(1u << irq);
	if (rotate)
		c->prio_add = (irq + 1) & 7;
}

uint8_t t1_pic_read(struct t1 *t, uint16_t port)
{
	struct t1_pic_chip *c = &t->pic[port >= 0xa0];

	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : effective_irr(t, port >= 0xa0);
}

void t1_pic_write(struct t1 *t, uint16_t port, uint8_t v)
{
	struct t1_pic_chip *c = &t->pic[port >= 0xa0];

	if (!(port & 1)) {
		if (v & 0x10) {			/* ICW1 */
			c->imr = 0;
			c->isr = 0;
			c->irr = 0;
			c->last_level = 0;
			c->prio_add = 0;
			c->read_isr = false;
			c->special_mask = false;
			c->auto_eoi = false;
			c->icw4_needed = v & 0x01;
			c->single = v & 0x02;
			c->init_step = 2;
		} else if (v & 0x08) {		/* OCW3 */
			if (v & 0x02)
				c->read_isr = v & 0x01;
			if (v & 0x40)
				c->special_mask = v & 0x20;
		} else {			/* OCW2 */
			switch (v >> 5) {
			case 1:		/* non-specific EOI */
				eoi(c, -1, false);
				break;
			case 3:		/* specific EOI */
				eoi(c, v & 7, false);
				break;
			case 5:		/* rotate on non-specific EOI */
				eoi(c, -1, true);
				break;
			case 7:		/* rotate on specific EOI */
				eoi(c, v & 7, true);
				break;
			case 6:		/* set priority */
				c->prio_add = (v + 1) & 7;
				break;
			default:	/* rotate in AEOI mode, no-op */
				break;
			}
		}
		return;
	}
	switch (c->init_step) {
	case 2:				/* ICW2: vector base */
		c->base = v & 0xf8;
		c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		break;
	case 3:				/* ICW3: cascade wiring, fixed */
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	case 4:				/* ICW4 */
		c->auto_eoi = v & 0x02;
		c->init_step = 0;
		break;
	default:			/* OCW1 */
		c->imr = v;
		break;
	}
}

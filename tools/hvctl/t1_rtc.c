// SPDX-License-Identifier: GPL-2.0
/*
 * t1_rtc.c: the CMOS RTC at 0x70 (index, bit 7 = NMI mask) / 0x71
 * (data): the host's UTC time in BCD, 24-hour mode, never mid-update
 * (register A's UIP stays 0), battery good (register D), no RTC
 * interrupts (register B leaves them off; writes to B keep only the
 * mode bits the clock honours).  The other bytes are plain CMOS RAM.
 */
#include <time.h>
#include "t1.h"

#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32
#define B_24H		0x02
#define B_BINARY	0x04

void t1_rtc_init(struct t1 *t)
{
	t->cmos[REG_A] = 0x26;		/* 32.768 kHz, 1024 Hz rate */
	t->cmos[REG_B] = B_24H;
	t->cmos[REG_D] = 0x80;		/* valid RAM and time */
}

static uint8_t enc(struct t1 *t, int v)
{
	if (t->cmos[REG_B] & B_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t clock_reg(struct t1 *t, uint8_t idx)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (idx) {
	case 0x00:
		return enc(t, tm.tm_sec);
	case 0x02:
		return enc(t, tm.tm_min);
	case 0x04:
		return enc(t, tm.tm_hour);
	case 0x06:
		return enc(t, tm.tm_wday + 1);
	case 0x07:
		return enc(t, tm.tm_mday);
	case 0x08:
		return enc(t, tm.tm_mon + 1);
	case 0x09:
		return enc(t, tm.tm_year % 100);
	default:		/* REG_CENTURY */
		return enc(t, 19 + tm.tm_year / 100);
	}
}

uint8_t t1_rtc_read(struct t1 *t, uint16_t port)
{
	uint8_t idx = t->cmos_index & 0x7f;

	if (port == 0x70)
		return 0xff;		/* the index register is write-only */
	switch (idx) {
	case 0x00: case 0x02: case 0x04: case 0x06:
	case 0x07: case 0x08: case 0x09: case REG_CENTURY:
		return clock_reg(t, idx);
	case REG_C:
		return 0;		/* no interrupt flags, ever */
	default:
		return t->cmos[idx];
	}
}

void t1_rtc_write(struct t1 *t, uint16_t port, uint8_t v)
{
	uint8_t idx;

	if (port == 0x70) {
		t->cmos_index = v;
		return;
	}
	idx = t->cmos_index & 0x7f;
	switch (idx) {
	case REG_A:
		t->cmos[idx] = v & 0x7f;	/* UIP is read-only */
		break;
	case REG_B:
		t->cmos[idx] = v & (B_24H | B_BINARY);	/* no IRQ 8 sources */
		break;
	case REG_C: case REG_D:
		break;			/* read-only */
	case 0x00: case 0x02: case 0x04: case 0x06:
	case 0x07: case 0x08: case 0x09: case REG_CENTURY:
		break;			/* the host's clock is not set */
	default:
		t->cmos[idx] = v;
		break;
	}
}

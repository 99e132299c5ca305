// SPDX-License-Identifier: GPL-2.0
/*
 * t1_io.c: the PC's I/O port map for `--mode type1`.
 *   0x20-0x21, 0xa0-0xa1  8259 PIC pair        (t1_pic.c)
 *   0x40-0x43, 0x61       8254 PIT, port B     (t1_pit.c)
 *   0x60, 0x64            i8042: status "empty"; command 0xFE (CPU
 *                         reset) ends the run as a guest reboot
 *   0x70-0x71             CMOS RTC             (t1_rtc.c)
 *   0x80                  POST code, I/O delay: ignored
 *   0x92                  port A: bit 0 is a fast reset, as 0xFE
 *   0xcf9                 reset control: a byte write with bit 2 (0x06,
 *                         0x0e) resets, as 0xFE; 0xcf8 dwords do not
 *   0x3f8-0x3ff           16550A UART, COM1    (t1_uart.c)
 * Nothing else is there: reads give all ones, writes are dropped (as on
 * an ISA bus with no device answering).  Wider accesses to byte devices
 * are split into bytes at consecutive ports, as the bus does.
 */
#include "t1.h"

#define I8042_STATUS	0x64
#define I8042_RESET	0xfe

static uint8_t in8(struct t1 *t, uint16_t port)
{
	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1:
		return t1_pic_read(t, port);
	case 0x40: case 0x41: case 0x42: case 0x43:
		return t1_pit_read(t, port);
	case 0x61:
		return t1_port61_read(t);
	case 0x60: case I8042_STATUS:
		return 0x00;	/* no data, input buffer empty */
	case 0x70: case 0x71:
		return t1_rtc_read(t, port);
	case 0x92:
		return t->port92;
	}
	if (port >= 0x3f8 && port <= 0x3ff)
		return t1_uart_read(t, port - 0x3f8);
	return 0xff;
}

static void out8(struct t1 *t, uint16_t port, uint8_t v, bool byte)
{
	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1:
		t1_pic_write(t, port, v);
		return;
	case 0x40: case 0x41: case 0x42: case 0x43:
		t1_pit_write(t, port, v);
		return;
	case 0x61:
		t1_port61_write(t, v);
		return;
	case I8042_STATUS:
		if (v == I8042_RESET)
			t->end = T1_RESET;
		return;
	case 0x70: case 0x71:
		t1_rtc_write(t, port, v);
		return;
	case 0x92:
		if ((v & 0x01) && !(t->port92 & 0x01))
			t->end = T1_RESET;
		t->port92 = v & ~0x01;
		return;
	case 0xcf9:
		/* byte writes only: PCI probes write 0xcf8 as a dword */
		if (byte && (v & 0x04))
			t->end = T1_RESET;
		return;
	}
	if (port >= 0x3f8 && port <= 0x3ff)
		t1_uart_write(t, port - 0x3f8, v);
}

void t1_io(struct t1 *t, uint16_t port, bool out, uint8_t *data,
	   unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		if (out)
			out8(t, port + i, data[i], size == 1);
		else
			data[i] = in8(t, port + i);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * blk [oobdata]: the block device "storage": write sectors, read them
 * back, verify; out-of-range requests and wrong handles get EINVAL.
 * Sector 1 is left holding "hvt-blk-sector-1" for the test driver.
 * oobdata: a read into a buffer outside guest memory (tender: exit 1).
 */
#include "rt.h"

HVT_MANIFEST(1, MFT_BLOCK("storage"));

static uint8_t wbuf[8192] __attribute__((aligned(16)));
static uint8_t rbuf[8192] __attribute__((aligned(16)));

static void fill(uint64_t sector, uint16_t bs)
{
	unsigned int i;

	for (i = 0; i < bs; i++)
		wbuf[i] = (uint8_t)(sector * 7 + i);
	snprintf((char *)wbuf, 32, "hvt-blk-sector-%lu", sector);
}

static int check(int got, int want, const char *what)
{
	if (got == want)
		return 0;
	printf("FAILURE: %s: result %d, expected %d\n", what, got, want);
	return 1;
}

int test_main(const char *cmdline)
{
	const struct mft_entry *e;
	uint64_t h, cap, nsect, s, sectors[4];
	uint16_t bs;
	int i, fail = 0;

	printf("\n**** hvt test blk ****\n\n");
	e = rt_device("storage", MFT_DEV_BLOCK_BASIC, &h);
	if (!e || !e->attached) {
		printf("FAILURE: storage not attached\n");
		return 1;
	}
	cap = e->u.block_basic.capacity;
	bs = e->u.block_basic.block_size;
	nsect = cap / bs;
	printf("blk: handle %lu capacity %lu block_size %u\n", h, cap, bs);
	if (bs < 512 || bs > sizeof(wbuf) || cap % bs || !nsect) {
		printf("FAILURE: bad geometry\n");
		return 1;
	}
	if (rt_word(cmdline, "oobdata")) {
		hvt_block_read(h, 0, (void *)(uintptr_t)(boot_info->mem_size + 4096),
			       bs);
		printf("FAILURE: read into memory outside the guest passed\n");
		return 1;
	}

	sectors[0] = 0;
	sectors[1] = nsect > 1 ? 1 : 0;
	sectors[2] = nsect / 2;
	sectors[3] = nsect - 1;
	for (i = 0; i < 4; i++) {
		s = sectors[i];
		fill(s, bs);
		fail |= check(hvt_block_write(h, s * bs, wbuf, bs), R_OK, "write");
	}
	for (i = 3; i >= 0; i--) {
		s = sectors[i];
		memset(rbuf, 0, sizeof(rbuf));
		fail |= check(hvt_block_read(h, s * bs, rbuf, bs), R_OK, "read");
		fill(s, bs);
		if (memcmp(rbuf, wbuf, bs)) {
			printf("FAILURE: sector %lu reads back different data\n", s);
			fail = 1;
		}
	}
	/* two sectors at once */
	if (nsect >= 2)
		fail |= check(hvt_block_read(h, 0, rbuf, 2 * bs), R_OK,
			      "two-sector read");

	fail |= check(hvt_block_read(h, cap, rbuf, bs), R_EINVAL,
		      "read at capacity");
	fail |= check(hvt_block_write(h, cap, wbuf, bs), R_EINVAL,
		      "write at capacity");
	fail |= check(hvt_block_read(h, cap - bs, rbuf, 2 * bs), R_EINVAL,
		      "read across the end");
	fail |= check(hvt_block_write(h, (uint64_t)-512, wbuf, bs), R_EINVAL,
		      "write at a wrapping offset");
	fail |= check(hvt_block_read(h, 0, rbuf, (uint64_t)1 << 63), R_EINVAL,
		      "read of 2^63 bytes");
	fail |= check(hvt_block_read(0, 0, rbuf, bs), R_EINVAL,
		      "read on the reserved entry");
	fail |= check(hvt_block_read(99, 0, rbuf, bs), R_EINVAL,
		      "read on handle 99");
	fail |= check(hvt_block_write((uint64_t)-1, 0, wbuf, bs), R_EINVAL,
		      "write on handle -1");
	if (fail)
		return 1;
	printf("SUCCESS\n");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * mft63: a manifest with 63 block devices (64 entries with the reserved
 * one: the maximum).  Every device is attached; each gets its index
 * written to its first sector, then all are read back.
 */
#include "rt.h"

HVT_MANIFEST(63,
	MFT_BLOCK("storage0"),
	MFT_BLOCK("storage1"),
	MFT_BLOCK("storage2"),
	MFT_BLOCK("storage3"),
	MFT_BLOCK("storage4"),
	MFT_BLOCK("storage5"),
	MFT_BLOCK("storage6"),
	MFT_BLOCK("storage7"),
	MFT_BLOCK("storage8"),
	MFT_BLOCK("storage9"),
	MFT_BLOCK("storage10"),
	MFT_BLOCK("storage11"),
	MFT_BLOCK("storage12"),
	MFT_BLOCK("storage13"),
	MFT_BLOCK("storage14"),
	MFT_BLOCK("storage15"),
	MFT_BLOCK("storage16"),
	MFT_BLOCK("storage17"),
	MFT_BLOCK("storage18"),
	MFT_BLOCK("storage19"),
	MFT_BLOCK("storage20"),
	MFT_BLOCK("storage21"),
	MFT_BLOCK("storage22"),
	MFT_BLOCK("storage23"),
	MFT_BLOCK("storage24"),
	MFT_BLOCK("storage25"),
	MFT_BLOCK("storage26"),
	MFT_BLOCK("storage27"),
	MFT_BLOCK("storage28"),
	MFT_BLOCK("storage29"),
	MFT_BLOCK("storage30"),
	MFT_BLOCK("storage31"),
	MFT_BLOCK("storage32"),
	MFT_BLOCK("storage33"),
	MFT_BLOCK("storage34"),
	MFT_BLOCK("storage35"),
	MFT_BLOCK("storage36"),
	MFT_BLOCK("storage37"),
	MFT_BLOCK("storage38"),
	MFT_BLOCK("storage39"),
	MFT_BLOCK("storage40"),
	MFT_BLOCK("storage41"),
	MFT_BLOCK("storage42"),
	MFT_BLOCK("storage43"),
	MFT_BLOCK("storage44"),
	MFT_BLOCK("storage45"),
	MFT_BLOCK("storage46"),
	MFT_BLOCK("storage47"),
	MFT_BLOCK("storage48"),
	MFT_BLOCK("storage49"),
	MFT_BLOCK("storage50"),
	MFT_BLOCK("storage51"),
	MFT_BLOCK("storage52"),
	MFT_BLOCK("storage53"),
	MFT_BLOCK("storage54"),
	MFT_BLOCK("storage55"),
	MFT_BLOCK("storage56"),
	MFT_BLOCK("storage57"),
	MFT_BLOCK("storage58"),
	MFT_BLOCK("storage59"),
	MFT_BLOCK("storage60"),
	MFT_BLOCK("storage61"),
	MFT_BLOCK("storage62"));

static uint8_t buf[512];

int test_main(const char *cmdline)
{
	const struct mft *m = (const struct mft *)(uintptr_t)boot_info->mft;
	char name[16];
	uint64_t h;
	int i;

	(void)cmdline;
	printf("\n**** hvt test mft63 ****\n\n");
	if (m->entries != 64) {
		printf("FAILURE: %u manifest entries\n", m->entries);
		return 1;
	}
	for (i = 0; i < 63; i++) {
		const struct mft_entry *e;

		snprintf(name, sizeof(name), "storage%d", i);
		e = rt_device(name, MFT_DEV_BLOCK_BASIC, &h);
		if (!e || !e->attached || h != (uint64_t)i + 1 ||
		    e->u.block_basic.block_size != 512 ||
		    e->u.block_basic.capacity < 512) {
			printf("FAILURE: %s missing or wrong\n", name);
			return 1;
		}
		memset(buf, 0, sizeof(buf));
		snprintf((char *)buf, sizeof(buf), "device %s", name);
		if (hvt_block_write(h, 0, buf, 512) != R_OK) {
			printf("FAILURE: write to %s\n", name);
			return 1;
		}
	}
	for (i = 0; i < 63; i++) {
		char want[32];

		snprintf(name, sizeof(name), "storage%d", i);
		snprintf(want, sizeof(want), "device %s", name);
		if (hvt_block_read((uint64_t)i + 1, 0, buf, 512) != R_OK ||
		    strcmp((char *)buf, want)) {
			printf("FAILURE: %s reads back '%s'\n", name, (char *)buf);
			return 1;
		}
	}
	printf("SUCCESS\n");
	return 0;
}

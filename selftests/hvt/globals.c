// SPDX-License-Identifier: GPL-2.0
/* globals: initialized data, read-only data and bss as the ELF says. */
#include "rt.h"

HVT_MANIFEST(0);

static const char ro_string[] = "read-only data";
static volatile uint64_t data_words[4] = {
	0x0123456789abcdefull, 0xfedcba9876543210ull, 42, 0
};
static volatile uint8_t bss_bytes[65536];
static volatile uint64_t bss_word;

int test_main(const char *cmdline)
{
	size_t i;

	(void)cmdline;
	printf("\n**** hvt test globals ****\n\n");
	if (strcmp(ro_string, "read-only data")) {
		printf("FAILURE: rodata\n");
		return 1;
	}
	if (data_words[0] != 0x0123456789abcdefull ||
	    data_words[1] != 0xfedcba9876543210ull || data_words[2] != 42 ||
	    data_words[3] != 0) {
		printf("FAILURE: data\n");
		return 1;
	}
	for (i = 0; i < sizeof(bss_bytes); i++)
		if (bss_bytes[i]) {
			printf("FAILURE: bss byte %lu is 0x%x\n", i, bss_bytes[i]);
			return 1;
		}
	if (bss_word) {
		printf("FAILURE: bss word\n");
		return 1;
	}
	/* writable: data and bss */
	data_words[3] = data_words[0] ^ data_words[1];
	bss_word = data_words[3];
	for (i = 0; i < sizeof(bss_bytes); i++)
		bss_bytes[i] = i;
	if (data_words[3] != 0xffffffffffffffffull || bss_word != data_words[3] ||
	    bss_bytes[4097] != (uint8_t)4097) {
		printf("FAILURE: write back\n");
		return 1;
	}
	printf("SUCCESS\n");
	return 0;
}

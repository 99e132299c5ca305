/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP 13 output for the hvmod selftests (kselftest conventions).
 *
 *   tap_plan(n);                    "TAP version 13" and "1..n"
 *   tap_result(cond, "desc %d", x); "ok i desc" / "not ok i desc"
 *   tap_skip("reason", "desc");     "ok i desc # SKIP reason"
 *   tap_diag("fmt", ...);           "# ..."
 *   tap_skip_all("reason");         whole program skipped: exit 4
 *   return tap_finish();            0 all ok, 1 any failure (or plan mismatch),
 *                                   4 if every test was skipped
 *
 * Output is line buffered so that fork() never duplicates pending lines.
 */
#ifndef HVMOD_SELFTEST_TAP_H
#define HVMOD_SELFTEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

struct tap_state {
	int planned;
	int nr;
	int failed;
	int skipped;
	bool header;
};

/* One counter per program even though several objects include this file. */
struct tap_state tap __attribute__((weak));

static inline void tap_header(void)
{
	if (tap.header)
		return;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	tap.header = true;
}

static inline void tap_plan(int n)
{
	tap_header();
	tap.planned = n;
	printf("1..%d\n", n);
}

static inline void tap_vdiag(const char *fmt, va_list ap)
{
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
}

static inline __attribute__((format(printf, 1, 2)))
void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

static inline bool tap_vresult(bool cond, const char *fmt, va_list ap)
{
	tap_header();
	tap.nr++;
	if (!cond)
		tap.failed++;
	printf("%sok %d ", cond ? "" : "not ", tap.nr);
	vprintf(fmt, ap);
	printf("\n");
	return cond;
}

/* Prints one result line; returns cond so callers can chain diagnostics. */
static inline __attribute__((format(printf, 2, 3)))
bool tap_result(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(cond, fmt, ap);
	va_end(ap);
	return cond;
}

static inline __attribute__((format(printf, 2, 3)))
void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	tap_header();
	tap.nr++;
	tap.skipped++;
	printf("ok %d ", tap.nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
}

static inline __attribute__((noreturn, format(printf, 1, 2)))
void tap_skip_all(const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	tap_header();
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	tap_diag("%s", reason);
	if (!tap.planned)
		printf("1..0 # SKIP %s\n", reason);
	fflush(stdout);
	exit(KSFT_SKIP);
}

/* Gives up on the remaining tests (TAP "Bail out!"); exits with failure. */
static inline __attribute__((noreturn, format(printf, 1, 2)))
void tap_bail(const char *fmt, ...)
{
	va_list ap;

	tap_header();
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(KSFT_FAIL);
}

static inline int tap_finish(void)
{
	if (tap.nr != tap.planned) {
		tap_diag("planned %d tests but ran %d", tap.planned, tap.nr);
		return KSFT_FAIL;
	}
	tap_diag("totals: pass:%d fail:%d skip:%d",
		 tap.nr - tap.failed - tap.skipped, tap.failed, tap.skipped);
	if (tap.failed)
		return KSFT_FAIL;
	if (tap.nr && tap.skipped == tap.nr)
		return KSFT_SKIP;
	return KSFT_PASS;
}

#endif /* HVMOD_SELFTEST_TAP_H */

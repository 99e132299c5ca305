/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvt_opt.h: parsing helpers for the hvt mode's device options.
 */
#ifndef HVCTL_HVT_OPT_H
#define HVCTL_HVT_OPT_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hvt.h"

/*
 * "NAME=REST": NAME is 1..MFT_NAME_MAX characters of [A-Za-z0-9] (the
 * manifest's name syntax).  Copies NAME, points *REST after the '='.
 */
static inline int hvt_opt_name(const char *s, char name[MFT_NAME_SIZE],
			       const char **rest)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
	       (s[n] >= '0' && s[n] <= '9')) {
		if (n == MFT_NAME_MAX)
			return -1;
		n++;
	}
	if (n == 0 || s[n] != '=')
		return -1;
	memcpy(name, s, n);
	name[n] = '\0';
	*rest = s + n + 1;
	return 0;
}

/* A decimal number, digits only, no sign, no overflow. */
static inline int hvt_opt_ulong(const char *s, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end)
		return -1;
	return 0;
}

#endif /* HVCTL_HVT_OPT_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVCTL_H
#define HVCTL_H

#define HVCTL_DEFAULT_DEVICE "/dev/hvmod"

extern const char *hvctl_prog;

int hvctl_info(int argc, char **argv);
int hvctl_run(int argc, char **argv);
const char *hvctl_opt_value(int argc, char **argv, int *i, const char *name,
			    const char *who);

/* kvmcaps.c: the KVM capabilities hvctl knows by name */
struct hvctl_cap {
	const char *name;
	long nr;
};
extern const struct hvctl_cap hvctl_caps[];
extern const unsigned int hvctl_nr_caps;

#endif /* HVCTL_H */

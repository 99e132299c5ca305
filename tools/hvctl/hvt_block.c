// SPDX-License-Identifier: GPL-2.0
/*
 * hvt_block.c: BLOCK_BASIC devices: --block:NAME=PATH,
 * --block-sector-size:NAME=N and the BLOCK_WRITE / BLOCK_READ hypercalls.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hvt.h"
#include "hvt_opt.h"

#define BLOCK_PREFIX		"--block:"
#define SECTOR_SIZE_PREFIX	"--block-sector-size:"
#define DEFAULT_SECTOR_SIZE	512

const char *hvt_block_usage(void)
{
	return "--block:NAME=PATH (attach block device/file at PATH as block storage NAME)\n"
	       "    [ --block-sector-size:NAME=SECTORSIZE ] (set sector size for block device NAME;"
	       " must be a power of two greater than or equal 512)";
}

static int attach(struct hvt *h, const char *name, const char *path)
{
	struct mft_entry *e = hvt_mft_by_name(h->mft, name,
					      MFT_DEV_BLOCK_BASIC);
	unsigned int i;
	off_t capacity;
	int fd;

	if (!e) {
		warnx("Resource not declared in manifest: '%s'", name);
		return -1;
	}
	i = e - h->mft->e;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		err(1, "Could not open block device: %s", path);
	capacity = lseek(fd, 0, SEEK_END);
	if (capacity < 0)
		err(1, "%s: Could not determine capacity", path);
	if (h->hostfd[i] >= 0)
		close(h->hostfd[i]);	/* attached again: the last one wins */
	h->hostfd[i] = fd;
	e->u.block_basic.capacity = capacity;
	e->attached = 1;
	h->blk_in_use = true;
	return 0;
}

static int set_sector_size(struct hvt *h, const char *name, const char *val)
{
	struct mft_entry *e;
	unsigned long n;

	if (hvt_opt_ulong(val, &n) || n < 512 || n > 32768 || (n & (n - 1))) {
		warnx("Block size must be a multiple of 2 greater than or equal 512");
		return -1;
	}
	e = hvt_mft_by_name(h->mft, name, MFT_DEV_BLOCK_BASIC);
	if (!e) {
		warnx("Resource not declared in manifest: '%s'", name);
		return -1;
	}
	e->u.block_basic.block_size = n;
	return 0;
}

int hvt_block_cmdarg(struct hvt *h, const char *arg)
{
	char name[MFT_NAME_SIZE];
	const char *rest;

	if (!strncmp(arg, BLOCK_PREFIX, strlen(BLOCK_PREFIX))) {
		if (hvt_opt_name(arg + strlen(BLOCK_PREFIX), name, &rest) ||
		    !*rest)
			return -1;
		return attach(h, name, rest);
	}
	if (!strncmp(arg, SECTOR_SIZE_PREFIX, strlen(SECTOR_SIZE_PREFIX))) {
		if (hvt_opt_name(arg + strlen(SECTOR_SIZE_PREFIX), name, &rest))
			return -1;
		return set_sector_size(h, name, rest);
	}
	return -1;
}

static struct mft_entry *block_dev(struct hvt *h, uint64_t handle)
{
	if (handle >= h->mft->entries ||
	    h->mft->e[handle].type != MFT_DEV_BLOCK_BASIC ||
	    !h->mft->e[handle].attached)
		return NULL;
	return &h->mft->e[handle];
}

static void block_io(struct hvt *h, uint64_t gpa, int write)
{
	struct hvt_hc_block_io *io = hvt_checked_gpa(h, gpa, sizeof(*io));
	uint64_t handle = io->handle, off = io->offset, len = io->len, end;
	struct mft_entry *e = block_dev(h, handle);
	uint64_t cap;
	char *buf;

	if (!e) {
		io->ret = SOLO5_R_EINVAL;
		return;
	}
	cap = e->u.block_basic.capacity;
	if (len > SSIZE_MAX || off >= cap ||
	    __builtin_add_overflow(off, len, &end) || end > cap) {
		io->ret = SOLO5_R_EINVAL;
		return;
	}
	buf = hvt_checked_gpa(h, io->data, len);
	while (len) {
		ssize_t n = write ? pwrite(h->hostfd[handle], buf, len, off)
				  : pread(h->hostfd[handle], buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "Fatal error: block %s on '%s' at offset %llu",
			    write ? "write" : "read", e->name,
			    (unsigned long long)off);
		if (n == 0)
			errx(1, "Fatal error: short block %s on '%s' at offset %llu",
			     write ? "write" : "read", e->name,
			     (unsigned long long)off);
		buf += n;
		off += n;
		len -= n;
	}
	io->ret = SOLO5_R_OK;
}

static void hc_block_write(struct hvt *h, uint64_t gpa)
{
	block_io(h, gpa, 1);
}

static void hc_block_read(struct hvt *h, uint64_t gpa)
{
	block_io(h, gpa, 0);
}

void hvt_block_setup(struct hvt *h)
{
	unsigned int i;

	if (!h->blk_in_use)
		return;
	h->hypercall[HVT_HC_BLOCK_WRITE] = hc_block_write;
	h->hypercall[HVT_HC_BLOCK_READ] = hc_block_read;
	for (i = 0; i < h->mft->entries; i++) {
		struct mft_entry *e = &h->mft->e[i];
		uint16_t bs;

		if (e->type != MFT_DEV_BLOCK_BASIC || !e->attached)
			continue;
		if (!e->u.block_basic.block_size)
			e->u.block_basic.block_size = DEFAULT_SECTOR_SIZE;
		bs = e->u.block_basic.block_size;
		if (e->u.block_basic.capacity & (bs - 1))
			errx(1, "%s: Backing storage size must be block aligned (%u bytes)",
			     e->name, bs);
		if (e->u.block_basic.capacity < bs)
			errx(1, "%s: Backing storage must be at least 1 block (%u bytes) in size",
			     e->name, bs);
	}
}

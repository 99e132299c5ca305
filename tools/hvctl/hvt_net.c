// SPDX-License-Identifier: GPL-2.0
/*
 * hvt_net.c: NET_BASIC devices on Linux tap interfaces: --net:NAME=IFACE
 * (or --net:NAME=@FD, an already open tap fd), --net-mac:NAME=MAC, the
 * NET_WRITE / NET_READ hypercalls and the wait behind POLL.
 *
 * The tap must exist and be up (hvctl never creates one): as solo5-hvt, so
 * that a typo does not silently create a new interface.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include "hvt.h"
#include "hvt_opt.h"

#define NET_PREFIX	"--net:"
#define NET_MAC_PREFIX	"--net-mac:"
#define DEFAULT_MTU	1500

const char *hvt_net_usage(void)
{
	return "--net:NAME=IFACE | @NN (attach tap at IFACE or at host fd @NN as network NAME)\n"
	       "    [ --net-mac:NAME=HWADDR ] (set HWADDR for network NAME)";
}

/* Flags and MTU of interface IFNAME; -1 with errno on failure. */
static int if_query(const char *ifname, short *flags, int *mtu)
{
	struct ifreq ifr;
	int s, r = -1;

	if (strlen(ifname) >= IFNAMSIZ) {
		errno = EINVAL;
		return -1;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		*flags = ifr.ifr_flags;
		if (ioctl(s, SIOCGIFMTU, &ifr) == 0) {
			*mtu = ifr.ifr_mtu;
			r = 0;
		}
	} else if (errno == ENODEV) {
		errno = ENOENT;
	}
	close(s);
	return r;
}

/* Tap IFNAME (up), non-blocking; also for vio_net.c. */
int hvt_tap_open(const char *ifname, int *mtu)
{
	struct ifreq ifr;
	short flags;
	int fd, e;

	if (if_query(ifname, &flags, mtu))
		return -1;
	if (!(flags & (IFF_UP | IFF_RUNNING))) {
		errno = ENETDOWN;
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* A name with "%d" would have made the kernel pick another tap. */
	if (strncmp(ifr.ifr_name, ifname, IFNAMSIZ)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* "@N": an open tap file descriptor handed over by the caller. */
static int tap_fd(const char *s, int *mtu)
{
	unsigned long n;
	struct ifreq ifr;
	short flags;
	int fd;

	if (hvt_opt_ulong(s, &n) || n > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	fd = n;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return -1;
	*mtu = DEFAULT_MTU;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) == 0)
		if_query(ifr.ifr_name, &flags, mtu);
	return fd;
}

static int attach(struct hvt *h, const char *name, const char *iface)
{
	struct mft_entry *e = hvt_mft_by_name(h->mft, name, MFT_DEV_NET_BASIC);
	unsigned int i;
	int fd, mtu = -1;

	if (!e) {
		warnx("Resource not declared in manifest: '%s'", name);
		return -1;
	}
	fd = iface[0] == '@' ? tap_fd(iface + 1, &mtu) : hvt_tap_open(iface, &mtu);
	if (fd < 0 || mtu <= 0 || mtu > 0xffff) {
		warnx("Could not attach interface: %s: %s", iface,
		      strerror(fd < 0 ? errno : EINVAL));
		return -1;
	}
	i = e - h->mft->e;
	if (h->hostfd[i] >= 0)
		close(h->hostfd[i]);	/* attached again: the last one wins */
	h->hostfd[i] = fd;
	e->u.net_basic.mtu = mtu;
	e->attached = 1;
	h->net_in_use = true;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* xx:xx:xx:xx:xx:xx (one or two hex digits per byte) */
static int parse_mac(const char *s, uint8_t mac[6])
{
	int i, d;

	for (i = 0; i < 6; i++) {
		if ((d = hexval(*s++)) < 0)
			return -1;
		mac[i] = d;
		if ((d = hexval(*s)) >= 0) {
			mac[i] = mac[i] << 4 | d;
			s++;
		}
		if (*s != (i < 5 ? ':' : '\0'))
			return -1;
		s++;
	}
	return 0;
}

static int set_mac(struct hvt *h, const char *name, const char *val)
{
	struct mft_entry *e;
	uint8_t mac[6];

	if (parse_mac(val, mac))
		return -1;
	e = hvt_mft_by_name(h->mft, name, MFT_DEV_NET_BASIC);
	if (!e) {
		warnx("Resource not declared in manifest: '%s'", name);
		return -1;
	}
	memcpy(e->u.net_basic.mac, mac, sizeof(mac));
	return 0;
}

int hvt_net_cmdarg(struct hvt *h, const char *arg)
{
	char name[MFT_NAME_SIZE];
	const char *rest;

	if (!strncmp(arg, NET_PREFIX, strlen(NET_PREFIX))) {
		if (hvt_opt_name(arg + strlen(NET_PREFIX), name, &rest) ||
		    !*rest || strlen(rest) > 19)
			return -1;
		return attach(h, name, rest);
	}
	if (!strncmp(arg, NET_MAC_PREFIX, strlen(NET_MAC_PREFIX))) {
		if (hvt_opt_name(arg + strlen(NET_MAC_PREFIX), name, &rest))
			return -1;
		return set_mac(h, name, rest);
	}
	return -1;
}

static struct mft_entry *net_dev(struct hvt *h, uint64_t handle)
{
	if (handle >= h->mft->entries ||
	    h->mft->e[handle].type != MFT_DEV_NET_BASIC ||
	    !h->mft->e[handle].attached)
		return NULL;
	return &h->mft->e[handle];
}

static void hc_net_write(struct hvt *h, uint64_t gpa)
{
	struct hvt_hc_net_io *io = hvt_checked_gpa(h, gpa, sizeof(*io));
	uint64_t handle = io->handle, len = io->len;
	const void *buf;
	ssize_t n;

	if (!net_dev(h, handle)) {
		io->ret = SOLO5_R_EINVAL;
		return;
	}
	buf = hvt_checked_gpa(h, io->data, len);
	do
		n = write(h->hostfd[handle], buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		errx(1, "Fatal error when writing: %s", strerror(errno));
	if ((uint64_t)n != len)
		errx(1, "Fatal error: wrote only %zd out of %llu bytes", n,
		     (unsigned long long)len);
	io->ret = SOLO5_R_OK;
}

static void hc_net_read(struct hvt *h, uint64_t gpa)
{
	struct hvt_hc_net_io *io = hvt_checked_gpa(h, gpa, sizeof(*io));
	uint64_t handle = io->handle, len = io->len;
	void *buf;
	ssize_t n;

	if (!net_dev(h, handle)) {
		io->ret = SOLO5_R_EINVAL;
		return;
	}
	buf = hvt_checked_gpa(h, io->data, len);
	do
		n = read(h->hostfd[handle], buf, len);
	while (n < 0 && errno == EINTR);
	if (n == 0 || (n < 0 && errno == EAGAIN)) {
		io->ret = SOLO5_R_AGAIN;
		return;
	}
	if (n < 0)
		errx(1, "Fatal error when reading: %s", strerror(errno));
	io->len = n;
	io->ret = SOLO5_R_OK;
}

static void random_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		err(1, "Could not generate a MAC address (getrandom)");
	mac[0] &= 0xfe;		/* unicast */
	mac[0] |= 0x02;		/* locally administered */
}

void hvt_net_setup(struct hvt *h)
{
	static const uint8_t zero[6];
	unsigned int i;

	if (!h->net_in_use)
		return;
	h->hypercall[HVT_HC_NET_WRITE] = hc_net_write;
	h->hypercall[HVT_HC_NET_READ] = hc_net_read;
	for (i = 0; i < h->mft->entries; i++) {
		struct mft_entry *e = &h->mft->e[i];

		if (e->type == MFT_DEV_NET_BASIC && e->attached &&
		    !memcmp(e->u.net_basic.mac, zero, 6))
			random_mac(e->u.net_basic.mac);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Wait up to TIMEOUT_NS or until an attached NET device has input.
 * Returns the number of ready devices; bit i of *READY is manifest index i.
 */
int hvt_net_poll(struct hvt *h, uint64_t timeout_ns, uint64_t *ready)
{
	struct pollfd pfd[MFT_MAX_ENTRIES];
	unsigned int idx[MFT_MAX_ENTRIES];
	uint64_t deadline, now;
	unsigned int i, n = 0;
	int r;

	for (i = 0; i < h->mft->entries; i++) {
		if (!net_dev(h, i))
			continue;
		pfd[n].fd = h->hostfd[i];
		pfd[n].events = POLLIN;
		idx[n++] = i;
	}
	now = now_ns();
	deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	for (;;) {
		uint64_t left = deadline > now ? deadline - now : 0;
		struct timespec ts = {
			.tv_sec = left / 1000000000ull,
			.tv_nsec = left % 1000000000ull,
		};

		r = ppoll(pfd, n, &ts, NULL);
		if (r >= 0)
			break;
		if (errno != EINTR)
			err(1, "Fatal error: poll failed");
		now = now_ns();
	}
	*ready = 0;
	for (i = 0; r > 0 && i < n; i++)
		if (pfd[i].revents)
			*ready |= 1ull << idx[i];
	return r;
}

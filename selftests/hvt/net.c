// SPDX-License-Identifier: GPL-2.0
/*
 * net [limit=N] [ip=A.B.C.D]: the network device "service0" answers ARP
 * requests and ICMP echo requests for its IP (default 10.0.0.2) and
 * succeeds after N (default 10) echo replies.  Uses POLL, NET_READ (with
 * AGAIN) and NET_WRITE.  Gives up after 60 s.
 */
#include "rt.h"

HVT_MANIFEST(1, MFT_NET("service0"));

#define ETH_ARP		0x0806
#define ETH_IP		0x0800
#define NSEC		1000000000ull

static uint8_t frame[2048] __attribute__((aligned(16)));
static uint8_t my_mac[6];
static uint8_t my_ip[4] = { 10, 0, 0, 2 };

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (; n > 1; n -= 2, p += 2)
		s += get16(p);
	if (n)
		s += p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static void swap(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t t;

	for (; n; n--, a++, b++)
		t = *a, *a = *b, *b = t;
}

/* Turn FRAME (LEN bytes) into its reply in place: its new length or 0. */
static size_t answer(size_t len, int *echo)
{
	uint8_t *eth = frame, *p = frame + 14;
	size_t ihl, tot;

	*echo = 0;
	if (len < 14 + 28)
		return 0;
	if (get16(eth + 12) == ETH_ARP) {
		/* Ethernet/IPv4 request for my IP */
		if (get16(p) != 1 || get16(p + 2) != ETH_IP || p[4] != 6 ||
		    p[5] != 4 || get16(p + 6) != 1 || memcmp(p + 24, my_ip, 4))
			return 0;
		put16(p + 6, 2);
		memcpy(p + 18, p + 8, 10);	/* tha, tpa = sha, spa */
		memcpy(p + 8, my_mac, 6);
		memcpy(p + 14, my_ip, 4);
		memcpy(eth, p + 18, 6);
		memcpy(eth + 6, my_mac, 6);
		return 14 + 28;
	}
	if (get16(eth + 12) != ETH_IP || (p[0] >> 4) != 4)
		return 0;
	ihl = (p[0] & 15) * 4;
	tot = get16(p + 2);
	if (ihl < 20 || tot < ihl + 8 || 14 + tot > len || p[9] != 1 ||
	    memcmp(p + 16, my_ip, 4) || p[ihl] != 8)	/* ICMP echo request */
		return 0;
	swap(p + 12, p + 16, 4);
	p[8] = 64;
	put16(p + 10, 0);
	put16(p + 10, csum(p, ihl));
	p[ihl] = 0;					/* echo reply */
	put16(p + ihl + 2, 0);
	put16(p + ihl + 2, csum(p + ihl, tot - ihl));
	memcpy(eth, eth + 6, 6);
	memcpy(eth + 6, my_mac, 6);
	*echo = 1;
	return 14 + tot;
}

static void parse_ip(const char *s)
{
	int i;

	for (i = 0; i < 4; i++) {
		my_ip[i] = rt_atoul(s);
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == '.')
			s++;
	}
}

int test_main(const char *cmdline)
{
	const struct mft_entry *e;
	unsigned long limit = 10, replies = 0, frames = 0;
	uint64_t h, ready, got, t_end;
	const char *c = cmdline;
	int r;

	printf("\n**** hvt test net ****\n\n");
	while (*c) {
		if (!strncmp(c, "limit=", 6))
			limit = rt_atoul(c + 6);
		else if (!strncmp(c, "ip=", 3))
			parse_ip(c + 3);
		while (*c && *c != ' ')
			c++;
		while (*c == ' ')
			c++;
	}
	e = rt_device("service0", MFT_DEV_NET_BASIC, &h);
	if (!e || !e->attached) {
		printf("FAILURE: service0 not attached\n");
		return 1;
	}
	memcpy(my_mac, e->u.net_basic.mac, 6);
	printf("net: handle %lu mac=%02x:%02x:%02x:%02x:%02x:%02x mtu=%u ip=%u.%u.%u.%u limit=%lu\n",
	       h, my_mac[0], my_mac[1], my_mac[2], my_mac[3], my_mac[4],
	       my_mac[5], e->u.net_basic.mtu, my_ip[0], my_ip[1], my_ip[2],
	       my_ip[3], limit);
	if (hvt_net_write(0, frame, 60) != R_EINVAL ||
	    hvt_net_read(99, frame, sizeof(frame), &got) != R_EINVAL) {
		printf("FAILURE: wrong handles not refused\n");
		return 1;
	}

	t_end = hvt_walltime() + 60 * NSEC;
	while (replies < limit) {
		if (hvt_walltime() > t_end) {
			printf("FAILURE: %lu of %lu echo replies in 60 s (%lu frames)\n",
			       replies, limit, frames);
			return 1;
		}
		r = hvt_poll(NSEC, &ready);
		if (r < 0 || (r > 0 && ready != 1ull << h)) {
			printf("FAILURE: poll: %d, ready_set 0x%lx\n", r, ready);
			return 1;
		}
		for (;;) {
			size_t n;
			int echo;

			r = hvt_net_read(h, frame, sizeof(frame), &got);
			if (r == R_AGAIN)
				break;
			if (r != R_OK || got > sizeof(frame)) {
				printf("FAILURE: net_read: %d (%lu bytes)\n", r, got);
				return 1;
			}
			frames++;
			n = answer(got, &echo);
			if (!n)
				continue;
			if (hvt_net_write(h, frame, n) != R_OK) {
				printf("FAILURE: net_write\n");
				return 1;
			}
			replies += echo;
		}
	}
	printf("net: %lu echo replies, %lu frames received\n", replies, frames);
	printf("SUCCESS\n");
	return 0;
}

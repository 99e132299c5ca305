/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rt.h: the tiny runtime of hvmod's own Solo5 hvt (ABI 2) test unikernels.
 *
 * A test provides   int test_main(const char *cmdline);
 * and, if it uses devices, a manifest:   HVT_MANIFEST(2, MFT_BLOCK("a"),
 * MFT_NET("b"));   (entry 0, the reserved one, is added).  The runtime
 * (start.S, rt.c) enters long mode's own GDT/TSS/IDT (48 vectors), parses
 * --solo5:quiet, prints a banner, calls test_main() and halts with its
 * return value.  Exceptions are caught by the guest's own IDT: they print
 * a "Solo5: trap" line and abort (exit status 255).
 */
#ifndef HVT_RT_H
#define HVT_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the hvt ABI, guest side (LP64; same layout as the tender's) ---- */

struct hvt_boot_info {
	uint64_t mem_size;
	uint64_t kernel_end;
	uint64_t cpu_cycle_freq;
	uint64_t cmdline;
	uint64_t mft;
	uint32_t host_features;
	uint32_t guest_features;
	uint64_t net_ring;
};

#define MFT_NAME_SIZE		68
#define MFT_DEV_BLOCK_BASIC	1
#define MFT_DEV_NET_BASIC	2
#define MFT_RESERVED_FIRST	(1u << 30)

struct mft_entry {
	char name[MFT_NAME_SIZE];
	uint32_t type;
	union {
		struct {
			uint64_t capacity;
			uint16_t block_size;
		} block_basic;
		struct {
			uint8_t mac[6];
			uint16_t mtu;
		} net_basic;
	} u;
	union {
		int hostfd;
		void *data;
	} b;
	bool attached;
};

struct mft {
	uint32_t version;
	uint32_t entries;
	struct mft_entry e[];
};

_Static_assert(sizeof(struct mft_entry) == 104, "mft_entry layout");

/* The MFT1 note: a 20-byte header, 4 bytes of padding, the manifest. */
#define HVT_MANIFEST(n, ...)						\
	const struct {							\
		uint32_t namesz, descsz, type;				\
		char name[8];						\
		uint32_t pad;						\
		uint32_t version, entries;				\
		struct mft_entry e[(n) + 1];				\
	} hvt_mft1_note							\
	__attribute__((section(".note.solo5.manifest"), aligned(8),	\
		       used)) = {					\
		6, 4 + 8 + ((n) + 1) * sizeof(struct mft_entry),	\
		0x3154464d, "Solo5", 0, 1, (n) + 1,			\
		{ { .type = MFT_RESERVED_FIRST }, __VA_ARGS__ }		\
	}
#define MFT_BLOCK(n)	{ .name = n, .type = MFT_DEV_BLOCK_BASIC }
#define MFT_NET(n)	{ .name = n, .type = MFT_DEV_NET_BASIC }

/* solo5_result_t */
#define R_OK		0
#define R_AGAIN		1
#define R_EINVAL	2
#define R_EUNSPEC	3

#define EXIT_ABORT	255

/* ---- runtime ---- */

extern const struct hvt_boot_info *boot_info;
extern bool rt_quiet;

int test_main(const char *cmdline);

/* hypercalls */
void hvt_outl(unsigned int port, uint32_t value);
uint64_t hvt_walltime(void);
void hvt_puts(const char *s, size_t len);
int hvt_poll(uint64_t timeout_ns, uint64_t *ready_set);
int hvt_block_write(uint64_t handle, uint64_t off, const void *buf,
		    uint64_t len);
int hvt_block_read(uint64_t handle, uint64_t off, void *buf, uint64_t len);
int hvt_net_write(uint64_t handle, const void *buf, uint64_t len);
int hvt_net_read(uint64_t handle, void *buf, uint64_t size, uint64_t *len);
void hvt_halt(int status, void *cookie) __attribute__((noreturn));

void rt_exit(int status) __attribute__((noreturn));
void rt_abort(const char *why) __attribute__((noreturn));

/* the manifest copy the tender filled in: entry NAME of TYPE, or NULL */
const struct mft_entry *rt_device(const char *name, uint32_t type,
				  uint64_t *handle);

/* output */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* freestanding libc bits (the compiler may call the mem* ones) */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
const char *rt_word(const char *s, const char *word); /* after WORD or NULL */
unsigned long rt_atoul(const char *s);

/* CPU */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

#define MSR_FS_BASE	0xc0000100

#endif /* HVT_RT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rt.h: the tiny runtime of hvmod's own Solo5 hvt (ABI 2) test unikernels.
 *
 * A test provides   int test_main(const char *cmdline);
 * and, if it uses devices, a manifest:   HVT_MANIFEST(2, MFT_BLOCK("a"),
 * MFT_NET("b"));   (entry 0, the reserved one, is added).  The runtime
 * (start_ARCH.S, rt.c, rt_ARCH.c) sets up the guest's own exception
 * handling (x86_64: GDT/TSS/IDT with 48 vectors; aarch64: VBAR_EL1 and an
 * exception stack; riscv64: stvec and a trap stack in sscratch), parses --solo5:quiet, prints a banner, calls
 * test_main() and halts with its return value.  Exceptions are caught by
 * the guest itself: they print a "Solo5: trap" line and abort (exit 255).
 */
#ifndef HVT_RT_H
#define HVT_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the hvt ABI: the tender's own definitions (include/uapi/hvt/abi.h) */
#include <hvt/abi.h>

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
		HVT_NOTE_MFT1, HVT_NOTE_NAME, 0, MFT_VERSION, (n) + 1,			\
		{ { .type = MFT_RESERVED_FIRST }, __VA_ARGS__ }		\
	}
#define MFT_BLOCK(n)	{ .name = n, .type = MFT_DEV_BLOCK_BASIC }
#define MFT_NET(n)	{ .name = n, .type = MFT_DEV_NET_BASIC }

/* solo5_result_t */
#define R_OK		SOLO5_R_OK
#define R_AGAIN		SOLO5_R_AGAIN
#define R_EINVAL	SOLO5_R_EINVAL
#define R_EUNSPEC	SOLO5_R_EUNSPEC

#define EXIT_ABORT	255

/* ---- runtime ---- */

extern const struct hvt_boot_info *boot_info;
extern bool rt_quiet;

int test_main(const char *cmdline);

/*
 * hypercalls; hvt_hc() is the raw one (rt_x86.c: OUTL to port 0x500 + nr,
 * rt_a64.c, rt_rv.c: a 32-bit store to 0x100000000 + (nr << 3)) with
 * VALUE as the argument's 32-bit GPA
 */
void hvt_hc(unsigned int nr, uint32_t value);
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

/* the architecture's part of the runtime (rt_x86.c, rt_a64.c, rt_rv.c) */
void rt_arch_init(void);		/* exception vectors, TLS base 0 */
void rt_arch_halted(void) __attribute__((noreturn));	/* after HALT */

#if defined(__x86_64__)
#include "rt_x86.h"
#elif defined(__aarch64__)
#include "rt_a64.h"
#elif defined(__riscv) && __riscv_xlen == 64
#include "rt_rv.h"
#else
#error "hvt test unikernels: x86_64, aarch64 or riscv64 only"
#endif

#endif /* HVT_RT_H */

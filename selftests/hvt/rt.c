// SPDX-License-Identifier: GPL-2.0
/*
 * rt.c: the hvt test runtime (see rt.h), the architecture-neutral part:
 * the ABI1 note, hypercall wrappers, printf-lite, start-up.  CPU set-up
 * and traps: rt_x86.c, rt_a64.c, rt_rv.c.
 */
#include "rt.h"

/* The ABI1 note: this is a solo5-hvt (target 1) ABI 2 executable. */
const struct {
	uint32_t namesz, descsz, type;
	char name[8];
	uint32_t abi_target, abi_version, reserved0, reserved1;
} hvt_abi1_note __attribute__((section(".note.solo5.abi"), aligned(4),
			       used)) = {
	6, 16, HVT_NOTE_ABI1, HVT_NOTE_NAME, HVT_ABI_TARGET, HVT_ABI_VERSION, 0, 0
};

const struct hvt_boot_info *boot_info;
bool rt_quiet;
/* Keeps .data non-empty, so the data segment is a loaded PT_LOAD. */
volatile int rt_data_marker = 0x48565421;

/* ---------------------------------------------------------- hypercalls */

/* Argument structures live on the stack: always below 4 GiB. */
static void hypercall(unsigned int nr, volatile void *arg)
{
	hvt_hc(nr, (uint32_t)(uintptr_t)arg);
}

uint64_t hvt_walltime(void)
{
	volatile struct hvt_hc_walltime a = { 0 };

	hypercall(HVT_HC_WALLTIME, &a);
	return a.nsecs;
}

void hvt_puts(const char *s, size_t len)
{
	volatile struct hvt_hc_puts a = { (uintptr_t)s, len };

	hypercall(HVT_HC_PUTS, &a);
}

int hvt_poll(uint64_t timeout_ns, uint64_t *ready_set)
{
	volatile struct hvt_hc_poll a = { timeout_ns, 0, 0 };

	hypercall(HVT_HC_POLL, &a);
	if (ready_set)
		*ready_set = a.ready_set;
	return a.ret;
}

int hvt_block_write(uint64_t handle, uint64_t off, const void *buf,
		    uint64_t len)
{
	volatile struct hvt_hc_block_io a = {
		handle, off, (uintptr_t)buf, len, -1
	};

	hypercall(HVT_HC_BLOCK_WRITE, &a);
	return a.ret;
}

int hvt_block_read(uint64_t handle, uint64_t off, void *buf, uint64_t len)
{
	volatile struct hvt_hc_block_io a = {
		handle, off, (uintptr_t)buf, len, -1
	};

	hypercall(HVT_HC_BLOCK_READ, &a);
	return a.ret;
}

int hvt_net_write(uint64_t handle, const void *buf, uint64_t len)
{
	volatile struct hvt_hc_net_io a = { handle, (uintptr_t)buf, len, -1 };

	hypercall(HVT_HC_NET_WRITE, &a);
	return a.ret;
}

int hvt_net_read(uint64_t handle, void *buf, uint64_t size, uint64_t *len)
{
	volatile struct hvt_hc_net_io a = { handle, (uintptr_t)buf, size, -1 };

	hypercall(HVT_HC_NET_READ, &a);
	*len = a.len;
	return a.ret;
}

void hvt_halt(int status, void *cookie)
{
	volatile struct hvt_hc_halt a = { (uintptr_t)cookie, status };

	hypercall(HVT_HC_HALT, &a);
	rt_arch_halted();	/* never resumed */
}

void rt_exit(int status)
{
	if (!rt_quiet)
		printf("Solo5: solo5_exit(%d) called\n", status);
	hvt_halt(status, 0);
}

void rt_abort(const char *why)
{
	printf("Solo5: ABORT: %s\n", why);
	hvt_halt(EXIT_ABORT, 0);
}

const struct mft_entry *rt_device(const char *name, uint32_t type,
				  uint64_t *handle)
{
	const struct mft *m = (const struct mft *)(uintptr_t)boot_info->mft;
	uint32_t i;

	for (i = 0; i < m->entries; i++)
		if (m->e[i].type == type && !strcmp(m->e[i].name, name)) {
			if (handle)
				*handle = i;
			return &m->e[i];
		}
	return NULL;
}

/* -------------------------------------------------------------- libc */

/* Plain loops: the build forbids turning them back into calls. */
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

/* S starts with WORD followed by a space or the end: what follows. */
const char *rt_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(s, word, n) || (s[n] && s[n] != ' '))
		return NULL;
	return s[n] ? s + n + 1 : s + n;
}

unsigned long rt_atoul(const char *s)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

struct outbuf {
	char *p;
	size_t size, len;
};

static void out_c(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->p[o->len] = c;
	o->len++;
}

static void out_num(struct outbuf *o, unsigned long long v, unsigned base,
		    bool neg, int width, char pad, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (neg && pad == '0')
		out_c(o, '-');
	for (; width > n; width--)
		out_c(o, pad);
	if (neg && pad != '0')
		out_c(o, '-');
	while (n)
		out_c(o, tmp[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		unsigned long long u;
		long long s;
		const char *str;

		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng++, fmt++;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, long long) : va_arg(ap, int);
			out_num(&o, s < 0 ? -(unsigned long long)s : (unsigned long long)s, 10,
				s < 0, width, pad, false);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, unsigned long long)
				: va_arg(ap, unsigned int);
			out_num(&o, u, *fmt == 'u' ? 10 : 16, false, width,
				pad, *fmt == 'X');
			break;
		case 'p':
			out_c(&o, '0');
			out_c(&o, 'x');
			out_num(&o, (uintptr_t)va_arg(ap, void *), 16, false,
				width, pad, false);
			break;
		case 'c':
			out_c(&o, (char)va_arg(ap, int));
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (width -= strlen(str); width > 0; width--)
				out_c(&o, ' ');
			while (*str)
				out_c(&o, *str++);
			break;
		case '%':
			out_c(&o, '%');
			break;
		default:
			out_c(&o, '?');
			if (!*fmt)
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hvt_puts(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

/* -------------------------------------------------------------- start */

void rt_start(const struct hvt_boot_info *bi);
void rt_start(const struct hvt_boot_info *bi)
{
	const char *cmdline, *rest;

	boot_info = bi;
	rt_arch_init();

	cmdline = (const char *)(uintptr_t)bi->cmdline;
	for (;;) {
		while (*cmdline == ' ')
			cmdline++;
		if ((rest = rt_word(cmdline, "--solo5:quiet")))
			rt_quiet = true;
		else if (!(rest = rt_word(cmdline, "--solo5:debug")))
			break;
		cmdline = rest;
	}
	if (!rt_quiet) {
		printf("Solo5: hvmod test runtime, hvt ABI 2\n");
		printf("Solo5: mem_size=0x%lx kernel_end=0x%lx cpu_cycle_freq=%lu Hz\n",
		       bi->mem_size, bi->kernel_end, bi->cpu_cycle_freq);
	}
	rt_exit(test_main(cmdline));
}

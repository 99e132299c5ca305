// SPDX-License-Identifier: GPL-2.0
/*
 * rt.c: the hvt test runtime (see rt.h): CPU set-up (GDT, TSS with IST
 * stacks, 48-vector IDT, FS base), hypercall wrappers, printf-lite, traps.
 */
#include "rt.h"

/* The ABI1 note: this is a solo5-hvt (target 1) ABI 2 executable. */
const struct {
	uint32_t namesz, descsz, type;
	char name[8];
	uint32_t abi_target, abi_version, reserved0, reserved1;
} hvt_abi1_note __attribute__((section(".note.solo5.abi"), aligned(4),
			       used)) = {
	6, 16, 0x31494241, "Solo5", 1, 2, 0, 0
};

const struct hvt_boot_info *boot_info;
bool rt_quiet;
/* Keeps .data non-empty, so the data segment is a loaded PT_LOAD. */
volatile int rt_data_marker = 0x48565421;

/* ---------------------------------------------------------------- CPU */

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18
#define NR_VECTORS	48
#define IST_SIZE	8192

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
};

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));
static uint8_t ist_stack[3][IST_SIZE] __attribute__((aligned(16)));

extern const uint64_t rt_trap_stubs[NR_VECTORS];
void rt_reload_cs(uint64_t sel);

static void cpu_init(void)
{
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	int i;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull;		/* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffull;		/* data */
	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 |
		 0x89ull << 40 |		/* present, available TSS */
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[4] = base >> 32;

	for (i = 0; i < 3; i++)
		tss.ist[i] = (uintptr_t)ist_stack[i] + IST_SIZE;
	tss.iomap_base = sizeof(tss);

	for (i = 0; i < NR_VECTORS; i++) {
		uint64_t a = rt_trap_stubs[i];

		idt[i].off_lo = a & 0xffff;
		idt[i].off_mid = (a >> 16) & 0xffff;
		idt[i].off_hi = a >> 32;
		idt[i].sel = SEL_CODE;
		idt[i].type_attr = 0x8e;	/* present, interrupt gate */
		/* NMI and #DF on their own stacks, the rest on IST1. */
		idt[i].ist = i == 2 ? 3 : i == 8 ? 2 : 1;
	}

	__asm__ __volatile__("lgdt %0" : : "m"(gdtr) : "memory");
	rt_reload_cs(SEL_CODE);
	__asm__ __volatile__("movw %w0, %%ss\n\tmovw %w0, %%ds\n\t"
			     "movw %w0, %%es\n\tmovw %w0, %%fs\n\t"
			     "movw %w0, %%gs"
			     : : "r"(SEL_DATA) : "memory");
	__asm__ __volatile__("ltr %w0" : : "r"(SEL_TSS) : "memory");
	__asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
	wrmsr(MSR_FS_BASE, 0);
}

/* ---------------------------------------------------------- hypercalls */

#define HC_PORT(nr)	(0x500 + (nr))

void hvt_outl(unsigned int port, uint32_t value)
{
	__asm__ __volatile__("outl %0, %w1" : : "a"(value), "Nd"(port)
			     : "memory");
}

/* Argument structures live on the stack: always below 4 GiB. */
static void hypercall(unsigned int nr, volatile void *arg)
{
	hvt_outl(HC_PORT(nr), (uint32_t)(uintptr_t)arg);
}

uint64_t hvt_walltime(void)
{
	volatile struct { uint64_t nsecs; } a = { 0 };

	hypercall(1, &a);
	return a.nsecs;
}

void hvt_puts(const char *s, size_t len)
{
	volatile struct { uint64_t data, len; } a = { (uintptr_t)s, len };

	hypercall(2, &a);
}

int hvt_poll(uint64_t timeout_ns, uint64_t *ready_set)
{
	volatile struct { uint64_t timeout, ready; int32_t ret; } a = {
		timeout_ns, 0, 0
	};

	hypercall(3, &a);
	if (ready_set)
		*ready_set = a.ready;
	return a.ret;
}

struct block_io {
	uint64_t handle, offset, data, len;
	int32_t ret;
};

int hvt_block_write(uint64_t handle, uint64_t off, const void *buf,
		    uint64_t len)
{
	volatile struct block_io a = { handle, off, (uintptr_t)buf, len, -1 };

	hypercall(4, &a);
	return a.ret;
}

int hvt_block_read(uint64_t handle, uint64_t off, void *buf, uint64_t len)
{
	volatile struct block_io a = { handle, off, (uintptr_t)buf, len, -1 };

	hypercall(5, &a);
	return a.ret;
}

struct net_io {
	uint64_t handle, data, len;
	int32_t ret;
};

int hvt_net_write(uint64_t handle, const void *buf, uint64_t len)
{
	volatile struct net_io a = { handle, (uintptr_t)buf, len, -1 };

	hypercall(6, &a);
	return a.ret;
}

int hvt_net_read(uint64_t handle, void *buf, uint64_t size, uint64_t *len)
{
	volatile struct net_io a = { handle, (uintptr_t)buf, size, -1 };

	hypercall(7, &a);
	*len = a.len;
	return a.ret;
}

void hvt_halt(int status, void *cookie)
{
	volatile struct { uint64_t cookie; int32_t status; } a = {
		(uintptr_t)cookie, status
	};

	hypercall(8, &a);
	for (;;)	/* never resumed */
		__asm__ __volatile__("cli; hlt");
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

void *memset(void *d, int c, size_t n)
{
	void *r = d;

	__asm__ __volatile__("rep stosb" : "+D"(d), "+c"(n) : "a"(c)
			     : "memory");
	return r;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *r = d;

	__asm__ __volatile__("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : :
			     "memory");
	return r;
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

/* ------------------------------------------------------------- traps */

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, ec, rip, cs, rflags, rsp, ss;
};

static const char *const trap_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

void rt_trap(struct trap_frame *f);
void rt_trap(struct trap_frame *f)
{
	uint64_t cr2;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
	if (f->vector < 32)
		printf("Solo5: trap: type=%s ec=0x%lx rip=0x%lx rsp=0x%lx rflags=0x%lx",
		       trap_names[f->vector], f->ec, f->rip, f->rsp, f->rflags);
	else
		printf("Solo5: trap: interrupt vector=%lu rip=0x%lx",
		       f->vector, f->rip);
	if (f->vector == 14)
		printf(" cr2=0x%lx", cr2);
	printf("\nSolo5: ABORT: guest exception\n");
	hvt_halt(EXIT_ABORT, f);	/* the trap frame is the halt cookie */
}

/* -------------------------------------------------------------- start */

void rt_start(const struct hvt_boot_info *bi);
void rt_start(const struct hvt_boot_info *bi)
{
	const char *cmdline, *rest;

	boot_info = bi;
	cpu_init();

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

// SPDX-License-Identifier: GPL-2.0
/*
 * rt_x86.c: the x86_64 part of the hvt test runtime: the guest's own GDT,
 * TSS with IST stacks and 48-vector IDT, FS base 0, hypercalls by OUTL
 * and the trap handler (the stubs are in start_x86.S).
 */
#include "rt.h"

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

void rt_arch_init(void)
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

/* OUTL of the argument's GPA to the hypercall port 0x500 + nr */
void hvt_hc(unsigned int nr, uint32_t value)
{
	hvt_outl(HVT_PIO_BASE + nr, value);
}

void hvt_outl(unsigned int port, uint32_t value)
{
	__asm__ __volatile__("outl %0, %w1" : : "a"(value), "Nd"(port)
			     : "memory");
}

void rt_arch_halted(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

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

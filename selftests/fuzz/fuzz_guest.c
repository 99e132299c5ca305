// SPDX-License-Identifier: GPL-2.0
/*
 * hvmod_fuzz: guest memory (arenas changed in place under live slots),
 * memory slots, and random guest code run with KVM_RUN.
 */
#define _GNU_SOURCE
#include "fuzz.h"


struct arena arenas[] = {
	{ A_ANON, 2 * SZ_2M, NULL, -1 },
	{ A_HUGE, 2 * SZ_2M, NULL, -1 },
	{ A_MEMFD, 1 << 20, NULL, -1 },
	{ A_ANON, 256 << 10, NULL, -1 },
	{ A_RDONLY, 64 << 10, NULL, -1 },
};
const int nr_arenas = sizeof(arenas) / sizeof(arenas[0]);

/* ---- guest memory ---- */

static void arena_map(struct arena *a, bool fixed)
{
	int flags = MAP_NORESERVE | (fixed ? MAP_FIXED : 0);
	int prot = a->type == A_RDONLY ? PROT_READ : PROT_READ | PROT_WRITE;
	void *hint = fixed ? a->base : NULL;
	void *p;

	if (a->type == A_MEMFD)
		p = mmap(hint, a->size, prot, flags | MAP_SHARED, a->memfd, 0);
	else
		p = mmap(hint, a->size, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (p == MAP_FAILED)
		tap_bail("setup: mmap of a %zu-byte guest memory arena: %s",
			 a->size, hv_errname(errno));
	a->base = p;
	if (a->type == A_HUGE)
		madvise(p, a->size, MADV_HUGEPAGE);
}

/*
 * Every arena sits between PROT_NONE guards, 2 MiB aligned (so that 2 MiB
 * stage-2 leaves are possible): a slot that runs past an arena finds
 * nothing it can pin, never the fuzzer's own memory.
 */
void arenas_setup(void)
{
	size_t span;
	struct arena *a;
	uint8_t *p;
	int i;

	for (i = 0; i < nr_arenas; i++) {
		a = &arenas[i];
		if (a->type == A_MEMFD) {
			a->memfd = memfd_create("fuzz-arena", MFD_CLOEXEC);
			if (a->memfd < 0 || ftruncate(a->memfd, a->size))
				tap_bail("setup: memfd of %zu bytes: %s", a->size,
					 hv_errname(errno));
		}
		span = a->size + 2 * GUARD + SZ_2M;
		p = mmap(NULL, span, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			tap_bail("setup: mmap: %s", hv_errname(errno));
		a->base = (uint8_t *)(((uintptr_t)p + GUARD + SZ_2M - 1) &
				      ~(SZ_2M - 1));
		arena_map(a, true);
	}
}

/*
 * True if a slot over [uaddr, uaddr + size) could only ever reach arena
 * memory or its guards, or is one the kernel refuses anyway (unaligned,
 * beyond the user address space).  A slot over anything else would let
 * the guest write into the fuzzer.
 */
static bool safe_range(uint64_t uaddr, uint64_t size)
{
	const struct arena *a;
	int i;

	if (!size || ((uaddr | size) & (PAGE - 1)) || uaddr + size < uaddr ||
	    uaddr + size > USER_TOP)
		return true;
	if (uaddr >= (uintptr_t)guard_page && uaddr + size <= (uintptr_t)guard_page + PAGE)
		return true;
	for (i = 0; i < nr_arenas; i++) {
		a = &arenas[i];
		if (uaddr >= (uintptr_t)a->base - GUARD &&
		    uaddr + size <= (uintptr_t)a->base + a->size + GUARD)
			return true;
	}
	return false;
}

/* Change guest memory under whatever VMs use it. */
void op_arena(struct thr *t)
{
	struct arena *a = &arenas[rn(&t->rng, nr_arenas)];
	size_t off = rn(&t->rng, a->size / PAGE) * PAGE;
	size_t len = (1 + rn(&t->rng, (a->size - off) / PAGE)) * PAGE;
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE };
	long r;

	switch (rn(&t->rng, 5)) {
	case 0:	/* the munmap + mmap a VMM might do, in one step */
		call_begin(t, "mmap(MAP_FIXED)", -1, 0);
		arena_map(a, true);
		call_end(t, 0);
		note(t, "arena %p: replaced by fresh memory", a->base);
		break;
	case 1:
		call_begin(t, "madvise", -1, 0);
		r = call_end(t, madvise(a->base + off, len, MADV_DONTNEED));
		note(t, "arena %p+0x%zx: MADV_DONTNEED 0x%zx -> %ld", a->base,
		     off, len, r);
		break;
	case 2:
		call_begin(t, "madvise", -1, 0);
		r = call_end(t, madvise(a->base, a->size, chance(&t->rng, 50) ?
					MADV_HUGEPAGE : MADV_NOHUGEPAGE));
		break;
	default:
		if (a->type == A_RDONLY)
			break;
		call_begin(t, "mprotect", -1, 0);
		r = call_end(t, mprotect(a->base + off, len,
					 prots[rn(&t->rng, 3)]));
		note(t, "arena %p+0x%zx: mprotect 0x%zx -> %ld", a->base, off,
		     len, r);
		break;
	}
}

/* Write into guest memory the way the kernel would: faults are errors. */
static void guest_write(struct thr *t, uint64_t uaddr, const void *buf,
			size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)uaddr, len };

	call_begin(t, "process_vm_writev", -1, 0);
	call_end(t, process_vm_writev(getpid(), &local, 1, &remote, 1, 0));
}

static uint64_t pick_gpa(struct rng *r, uint64_t size)
{
	switch (rn(r, 8)) {
	case 0:
		return 0;
	case 1:
		return 0x100000000ULL - size;	/* the reset vector's page */
	case 2:
		return rn(r, 0x100000000ULL / PAGE) * PAGE;
	case 3:
		return (1ULL << 40) - size;	/* the last allowed range */
	case 4:
		return rn(r, (1ULL << 40) / PAGE) * PAGE;
	case 5:
		return rn(r, 64) * SZ_2M;
	case 6:
		return rval(r) & ~(chance(r, 80) ? PAGE - 1 : 0);
	default:
		return rn(r, 256) * PAGE;
	}
}

/* KVM_SET_USER_MEMORY_REGION with mostly-sane, sometimes broken values. */
void op_slot(struct thr *t, int vm)
{
	struct kvm_userspace_memory_region *m = (void *)t->scratch;
	struct rng *r = &t->rng;
	struct arena *a = &arenas[rn(r, nr_arenas)];
	struct vminfo *vi;
	size_t off = rn(r, a->size / PAGE) * PAGE;
	bool own = vm < 0;
	long ret;

	if (own && (vm = obj_get(t, 1 << K_VM)) < 0)
		return;
	memset(m, 0, sizeof(*m));
	m->slot = chance(r, 90) ? rn(r, NR_SLOT_IDS) : (uint32_t)rval(r);
	if (chance(r, 25)) {
		m->memory_size = 0;	/* delete */
	} else {
		m->userspace_addr = (uintptr_t)a->base + off;
		m->memory_size = (1 + rn(r, (a->size - off) / PAGE)) * PAGE;
		if (chance(r, 5))
			m->memory_size += PAGE * (1 + rn(r, 16));	/* past the end */
	}
	m->guest_phys_addr = pick_gpa(r, m->memory_size);
	if (chance(r, 5))
		m->flags = chance(r, 50) ? KVM_MEM_LOG_DIRTY_PAGES : rval(r);
	switch (chance(r, 8) ? rn(r, 6) : 6) {
	case 0:
		m->userspace_addr = (uintptr_t)guard_page;
		break;
	case 1:
		m->userspace_addr = 0xffff888000000000ULL;	/* kernel */
		break;
	case 2:
		m->userspace_addr |= rn(r, PAGE);
		break;
	case 3:
		m->memory_size = rval(r) & ~(chance(r, 70) ? PAGE - 1 : 0);
		break;
	case 4:
		m->userspace_addr = 0x0000800000000000ULL - PAGE;
		break;
	case 5:
		m->guest_phys_addr |= rn(r, PAGE);
		break;
	}
	if (!safe_range(m->userspace_addr, m->memory_size))
		m->memory_size = 1ULL << 47;	/* refused: beyond user space */
	ret = xioctl(t, objs[vm].fd, KVM_SET_USER_MEMORY_REGION,
		     (unsigned long)m);
	note(t, "SET_USER_MEMORY_REGION slot 0x%x gpa 0x%llx size 0x%llx ua 0x%llx flags 0x%x -> %ld %s",
	     m->slot, (unsigned long long)m->guest_phys_addr,
	     (unsigned long long)m->memory_size,
	     (unsigned long long)m->userspace_addr, m->flags, ret,
	     ret < 0 ? hv_errname(errno) : "");
	if (!ret && (uint16_t)m->slot < HVMOD_MAX_SLOTS) {
		pthread_mutex_lock(&objs_lock);
		vi = &vminfo[objs[vm].vm_serial % 64];
		if (vi->serial == objs[vm].vm_serial) {
			vi->slot[(uint16_t)m->slot].gpa = m->guest_phys_addr;
			vi->slot[(uint16_t)m->slot].size = m->memory_size;
			vi->slot[(uint16_t)m->slot].uaddr = m->userspace_addr;
		}
		pthread_mutex_unlock(&objs_lock);
	}
	if (own)
		obj_put(vm);
}

/* ---- guest code ---- */

/* Instructions that exit or misbehave, glued together at random. */
static const struct {
	uint8_t len;
	uint8_t b[7];
} snippets[] = {
	{ 2, { 0xe4, 0x70 } },			/* in al, 0x70 */
	{ 2, { 0xe6, 0x80 } },			/* out 0x80, al */
	{ 1, { 0xec } },			/* in al, dx */
	{ 1, { 0xef } },			/* out dx, eax */
	{ 2, { 0x66, 0xed } },			/* in ax/eax, dx */
	{ 2, { 0xf3, 0x6c } },			/* rep insb */
	{ 2, { 0xf3, 0x6f } },			/* rep outsd */
	{ 1, { 0x6e } },			/* outsb */
	{ 2, { 0x0f, 0xa2 } },			/* cpuid */
	{ 2, { 0x0f, 0x32 } },			/* rdmsr */
	{ 2, { 0x0f, 0x30 } },			/* wrmsr */
	{ 1, { 0xf4 } },			/* hlt */
	{ 2, { 0x0f, 0x0b } },			/* ud2 */
	{ 1, { 0xcc } },			/* int3 */
	{ 2, { 0xcd, 0x21 } },			/* int 0x21 */
	{ 3, { 0x0f, 0x01, 0xd8 } },		/* vmrun */
	{ 3, { 0x0f, 0x01, 0xd9 } },		/* vmmcall */
	{ 3, { 0x0f, 0x01, 0xda } },		/* vmload */
	{ 3, { 0x0f, 0x01, 0xdb } },		/* vmsave */
	{ 3, { 0x0f, 0x01, 0xdc } },		/* stgi */
	{ 3, { 0x0f, 0x01, 0xdd } },		/* clgi */
	{ 3, { 0x0f, 0x01, 0xde } },		/* skinit */
	{ 3, { 0x0f, 0x01, 0xdf } },		/* invlpga */
	{ 3, { 0x0f, 0x01, 0xd1 } },		/* xsetbv */
	{ 3, { 0x0f, 0x01, 0xc8 } },		/* monitor */
	{ 3, { 0x0f, 0x01, 0xc9 } },		/* mwait */
	{ 3, { 0x0f, 0x01, 0xfd } },		/* rdpru */
	{ 2, { 0x0f, 0xaa } },			/* rsm */
	{ 2, { 0x0f, 0x08 } },			/* invd */
	{ 2, { 0x0f, 0x09 } },			/* wbinvd */
	{ 3, { 0x0f, 0x21, 0xc0 } },		/* mov eax, dr0 */
	{ 3, { 0x0f, 0x23, 0xf8 } },		/* mov dr7, eax */
	{ 3, { 0x0f, 0x22, 0xc0 } },		/* mov cr0, eax */
	{ 3, { 0x0f, 0x22, 0xd8 } },		/* mov cr3, eax */
	{ 3, { 0x0f, 0x22, 0xe0 } },		/* mov cr4, eax */
	{ 3, { 0x0f, 0x01, 0x10 } },		/* lgdt [eax] */
	{ 3, { 0x0f, 0x01, 0x18 } },		/* lidt [eax] */
	{ 1, { 0xfa } },			/* cli */
	{ 1, { 0xfb } },			/* sti */
	{ 1, { 0x9d } },			/* popf */
	{ 2, { 0xeb, 0xfe } },			/* jmp $ */
	{ 2, { 0x89, 0x07 } },			/* mov [edi], eax */
	{ 2, { 0x8b, 0x07 } },			/* mov eax, [edi] */
	{ 2, { 0x88, 0x27 } },			/* mov [edi], ah */
	{ 3, { 0x0f, 0xb7, 0x07 } },		/* movzx eax, word [edi] */
	{ 3, { 0x0f, 0xbe, 0x07 } },		/* movsx eax, byte [edi] */
	{ 3, { 0x48, 0x63, 0x07 } },		/* movsxd rax, [rdi] */
	{ 2, { 0xf3, 0xa5 } },			/* rep movsd */
	{ 2, { 0xf3, 0xab } },			/* rep stosd */
	{ 2, { 0x01, 0x07 } },			/* add [edi], eax (no decode) */
	{ 2, { 0x87, 0x07 } },			/* xchg [edi], eax (no decode) */
	{ 3, { 0x0f, 0x01, 0xf9 } },		/* rdtscp */
	{ 2, { 0x0f, 0x31 } },			/* rdtsc */
	{ 1, { 0xbf } },			/* mov edi, imm32 (imm follows) */
	{ 1, { 0xb9 } },			/* mov ecx, imm32 */
	{ 1, { 0xb8 } },			/* mov eax, imm32 */
	{ 1, { 0xba } },			/* mov edx, imm32 */
	{ 1, { 0xbe } },			/* mov esi, imm32 */
};
#define NR_SNIPPETS	(sizeof(snippets) / sizeof(snippets[0]))

static void gen_code(struct rng *r, uint8_t *code, size_t len)
{
	size_t i = 0, k;
	uint32_t imm;

	if (chance(r, 30)) {
		for (i = 0; i < len; i++)
			code[i] = rnd(r);
		return;
	}
	while (i + 12 < len) {
		k = rn(r, NR_SNIPPETS);
		memcpy(code + i, snippets[k].b, snippets[k].len);
		i += snippets[k].len;
		if (snippets[k].len == 1 && (snippets[k].b[0] & 0xf8) == 0xb8) {
			/* an address or MSR/port number worth trying */
			imm = chance(r, 50) ? (uint32_t)pick_gpa(r, PAGE) :
					      (uint32_t)rval(r);
			memcpy(code + i, &imm, 4);
			i += 4;
		}
		if (chance(r, 5))
			code[i++] = rnd(r);
	}
	while (i < len)
		code[i++] = 0xf4;
}

/* 0 real, 1 protected, 2 long, 3 random mutation of the current state */
void gen_sregs(struct rng *r, struct kvm_sregs *s, int mode, uint64_t cr3)
{
	static const enum hv_mode modes[] = { HV_REAL, HV_PROT32, HV_LONG64 };

	if (mode < 3) {
		/* the tests' own entry states, on the fuzzer's tables */
		hv_mode_sregs(s, modes[mode]);
		if (mode == 2)
			s->cr3 = cr3;
		s->idt.base = chance(r, 50) ? 0 : rval(r);
		s->idt.limit = chance(r, 50) ? 0 : rn(r, 0x1000);
		s->gdt.base = 0;
		s->gdt.limit = 0;
	} else {
		s->cr0 ^= 1ULL << rn(r, 32);
		if (chance(r, 50))
			s->cr4 ^= 1ULL << rn(r, 24);
		if (chance(r, 50))
			s->efer ^= 1ULL << rn(r, 16);
		if (chance(r, 30))
			s->cs.l ^= 1;
		if (chance(r, 30))
			s->cs.db ^= 1;
		if (chance(r, 30))
			s->cs.type = rn(r, 16);
		if (chance(r, 30))
			s->ss.dpl = rn(r, 4);
		if (chance(r, 30))
			s->cs.present = 0;
		if (chance(r, 30))
			s->idt.base = rval(r);
		if (chance(r, 30))
			s->cr3 = rval(r);
		if (chance(r, 20))
			s->cr8 = rn(r, 16);
	}
	/*
	 * EFER.LME with paging and CR4.PAE off is a legal state, but QEMU
	 * 7.2's TCG does not survive a #VMEXIT from it: do_vmexit() restores
	 * the host's CR0 while the guest's CR4 and EFER are still loaded,
	 * cpu_x86_update_cr0() refuses to turn paging on (LME set, PAE
	 * clear) and returns early, and the host goes on with the guest's
	 * CR0 (seen with BOX_MONITOR in the SVM box).  Not an hvmod bug:
	 * keep the fuzzer off it so that it looks for hvmod's.
	 */
	if ((s->efer & (1ULL << 8)) && !(s->cr0 & (1ULL << 31)))	/* LME, PG */
		s->cr4 |= 1ULL << 5;					/* PAE */
}

void on_timer(int sig)
{
	(void)sig;
}

/* Interrupts KVM_RUN after 2..40 ms, and every 20 ms after that. */
static void timer_arm(struct thr *t, bool on)
{
	struct itimerspec its = { 0 };

	if (on) {
		its.it_value.tv_nsec = (2 + rn(&t->rng, 39)) * 1000000L;
		its.it_interval.tv_nsec = 20 * 1000000L;
	}
	timer_settime(t->timer, 0, &its, NULL);
}

/* KVM_RUN, always under the timer. */
long run_once(struct thr *t, int fd, struct kvm_run *run)
{
	long r;

	note(t, "KVM_RUN on fd %d%s", fd, run ? "" : " (no guest set up)");
	timer_arm(t, true);
	call_begin(t, "KVM_RUN", fd, KVM_RUN);
	r = ioctl(fd, KVM_RUN, 0UL);
	call_end(t, r);
	timer_arm(t, false);
	t->runs++;
	if (r == 0 && run) {
		uint32_t e = run->exit_reason;

		t->exits[e <= KVM_EXIT_X86_WRMSR ? e : KVM_EXIT_X86_WRMSR + 1]++;
	}
	return r;
}

/* Answer the exit the way a VMM would (or would not). */
static void answer_exit(struct thr *t, struct kvm_run *run)
{
	uint64_t v = rnd(&t->rng);

	if (!run)
		return;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (run->io.direction == KVM_EXIT_IO_IN &&
		    run->io.data_offset == HV_PIO_OFFSET &&
		    run->io.size * run->io.count <= HV_PAGE_SIZE)
			memset((char *)run + run->io.data_offset, (int)v,
			       run->io.size * run->io.count);
		break;
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write)
			memcpy(run->mmio.data, &v, sizeof(v));
		break;
	}
	run->request_interrupt_window = chance(&t->rng, 10);
	run->immediate_exit = chance(&t->rng, 3);
}

/*
 * Events around a guest run: NMIs (also while one is handled) and the
 * vCPU's event state as KVM_GET_VCPU_EVENTS gave it, with fields and
 * flags changed at random.
 */
static void fuzz_events(struct thr *t, int fd)
{
	struct rng *r = &t->rng;
	struct kvm_vcpu_events e;
	int n;

	for (n = chance(r, 20) ? rn(r, 4) : 0; n > 0; n--)
		xioctl(t, fd, KVM_NMI, 0);
	if (!chance(r, 10) || xioctl(t, fd, KVM_GET_VCPU_EVENTS,
				      (unsigned long)&e))
		return;
	if (chance(r, 30)) {
		e.exception.injected = chance(r, 50);
		e.exception.nr = rn(r, 40);
		e.exception.has_error_code = chance(r, 50);
		e.exception.error_code = rval(r);
	}
	if (chance(r, 30)) {
		e.interrupt.injected = chance(r, 50);
		e.interrupt.nr = rn(r, 256);
		e.interrupt.soft = chance(r, 10);
		e.interrupt.shadow = rn(r, 5);
	}
	if (chance(r, 30)) {
		e.nmi.injected = chance(r, 30);
		e.nmi.pending = rn(r, 3);
		e.nmi.masked = chance(r, 50);
	}
	if (chance(r, 30))
		e.flags = rn(r, 0x40);
	xioctl(t, fd, KVM_SET_VCPU_EVENTS, (unsigned long)&e);
}

/* Random code in a slot, a CPU mode around it, and a few KVM_RUNs. */
void op_guest(struct thr *t)
{
	struct rng *r = &t->rng;
	int i = obj_get(t, 1 << K_VCPU), n, k, mode;
	uint64_t gpa = 0, uaddr = 0, size = 0, off, tables[2][512];
	struct kvm_sregs *s = (void *)t->scratch;
	struct kvm_regs *regs = (void *)(t->scratch + 4096);
	struct kvm_run *run;
	uint8_t code[512];
	struct vminfo *vi;
	long ret = 0;

	if (i < 0)
		return;
	if (!objs[i].run)
		map_run(t, i);
	run = objs[i].run;

	pthread_mutex_lock(&objs_lock);
	vi = &vminfo[objs[i].vm_serial % 64];
	if (vi->serial == objs[i].vm_serial) {
		for (n = 0, k = rn(r, HVMOD_MAX_SLOTS); n < HVMOD_MAX_SLOTS;
		     n++, k = (k + 1) % HVMOD_MAX_SLOTS) {
			if (vi->slot[k].size >= 4 * PAGE) {
				gpa = vi->slot[k].gpa;
				uaddr = vi->slot[k].uaddr;
				size = vi->slot[k].size;
				break;
			}
		}
	}
	pthread_mutex_unlock(&objs_lock);

	mode = rn(r, 5);
	if (size) {
		off = 2 * PAGE + rn(r, (size - 3 * PAGE) / 16) * 16;
		gen_code(r, code, sizeof(code));
		guest_write(t, uaddr + off, code,
			    sizeof(code) < size - off ? sizeof(code) : size - off);
		if (mode == 2) {
			/* PML4 -> PDPT of 1 GiB pages: identity map of 512 GiB */
			memset(tables, 0, sizeof(tables));
			tables[0][0] = (gpa + PAGE) | 3;
			for (k = 0; k < 512; k++)
				tables[1][k] = ((uint64_t)k << 30) | 0x83;
			guest_write(t, uaddr, tables, sizeof(tables));
		}
		if (xioctl(t, objs[i].fd, KVM_GET_SREGS, (unsigned long)s) == 0) {
			gen_sregs(r, s, mode == 4 ? 3 : mode % 3, gpa);
			xioctl(t, objs[i].fd, KVM_SET_SREGS, (unsigned long)s);
		}
		memset(regs, 0, sizeof(*regs));
		for (k = 0; k < 16; k++)
			((uint64_t *)regs)[k] = chance(r, 50) ? pick_gpa(r, PAGE) :
								 rval(r);
		regs->rip = mode == 0 ? off : gpa + off;
		if (mode == 0 && gpa < 0x100000) {
			/* real mode: CS base = the slot, IP = offset */
			regs->rip = off;
		}
		regs->rflags = 2 | (chance(r, 30) ? 0x200 : 0) |
			       (chance(r, 10) ? rn(r, 0x400000) : 0);
		xioctl(t, objs[i].fd, KVM_SET_REGS, (unsigned long)regs);
		if (mode == 0 &&
		    xioctl(t, objs[i].fd, KVM_GET_SREGS, (unsigned long)s) == 0) {
			s->cs.base = gpa & 0xfffff;
			s->cs.selector = (gpa & 0xfffff) >> 4;
			xioctl(t, objs[i].fd, KVM_SET_SREGS, (unsigned long)s);
		}
	}
	if (size) {
		int len;

		len = snprintf(t->guest, sizeof(t->guest),
			       "mode %d slot gpa 0x%llx size 0x%llx RIP 0x%llx RFLAGS 0x%llx CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx CS 0x%x/0x%llx l%u db%u code",
			       mode, (unsigned long long)gpa,
			       (unsigned long long)size,
			       (unsigned long long)regs->rip,
			       (unsigned long long)regs->rflags,
			       (unsigned long long)s->cr0,
			       (unsigned long long)s->cr3,
			       (unsigned long long)s->cr4,
			       (unsigned long long)s->efer, s->cs.selector,
			       (unsigned long long)s->cs.base, s->cs.l, s->cs.db);
		for (k = 0; k < 24 && len < (int)sizeof(t->guest) - 4; k++)
			len += snprintf(t->guest + len, sizeof(t->guest) - len,
					" %02x", code[k]);
	} else {
		snprintf(t->guest, sizeof(t->guest),
			 "no slot known: the vCPU's state as it was");
	}
	if (verbose)
		printf("# [%d] guest on vCPU fd %d: %s\n", t->idx, objs[i].fd,
		       t->guest);
	if (run)
		run->immediate_exit = chance(r, 3);
	if (chance(r, 10)) {
		struct kvm_interrupt irq = { .irq = rn(r, 300) };

		xioctl(t, objs[i].fd, KVM_INTERRUPT, (unsigned long)&irq);
	}
	fuzz_events(t, objs[i].fd);
	for (n = 1 + rn(r, 6); n > 0 && !done(t); n--) {
		ret = run_once(t, objs[i].fd, run);
		if (ret < 0 && errno != EINTR)
			break;
		if (ret == 0)
			answer_exit(t, run);
	}
	note(t, "guest mode %d at gpa 0x%llx on vCPU fd %d: last KVM_RUN %ld %s exit %u",
	     mode, (unsigned long long)gpa, objs[i].fd, ret,
	     ret < 0 ? hv_errname(errno) : "", run ? run->exit_reason : 0);
	obj_put(i);
}


// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough instruction emulation for exits that need a device model:
 *  - MMIO: a stage-2 fault outside RAM.  The instruction at RIP is fetched
 *    through the guest's page tables and decoded for the MOV, MOVZX,
 *    MOVSX(D), MOVS and STOS forms of 1, 2, 4 and 8 bytes; the faulting
 *    GPA comes from the hardware, so no effective address is computed.
 *    Anything else is KVM_EXIT_INTERNAL_ERROR (emulation).
 *  - string IO (INS/OUTS, REP): up to a page of data per exit.
 * Reads finish on the next KVM_RUN, when userspace has filled the data.
 * REP forms do one chunk per exit and leave RIP on the instruction until
 * RCX reaches zero, so the guest simply executes it again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include "x86.h"

#define X86_MAX_INSN	15

enum x86_insn_kind {
	INSN_LOAD,		/* reg <- mem (zero-extended if ext == 0) */
	INSN_STORE,		/* mem <- reg */
	INSN_STORE_IMM,		/* mem <- imm */
	INSN_STOS,		/* ES:[rDI] <- rAX */
	INSN_MOVS,		/* ES:[rDI] <- seg:[rSI] */
	INSN_STRIO,		/* INS/OUTS: only prefixes and length matter */
};

struct x86_insn {
	enum x86_insn_kind kind;
	u8 len;
	u8 size;	/* memory operand size */
	u8 dsize;	/* destination register size for loads */
	u8 reg;		/* register operand (ModRM.reg with REX.R) */
	u8 ext;		/* 0 mov, 1 zero-extend, 2 sign-extend */
	u8 asize;	/* address size: 2, 4, 8 */
	bool rex;
	bool rep;
	int seg;	/* segment override (VCPU_SREG order: es cs ss ds fs gs) */
	u64 imm;
};

static u64 x86_fetch(const u8 *b, unsigned int n)
{
	u64 v = 0;

	memcpy(&v, b, n);
	return v;
}

/* Length of the ModRM addressing bytes at b; -1 for a register operand. */
static int x86_modrm_len(const u8 *b, u8 asize)
{
	u8 mod = b[0] >> 6, rm = b[0] & 7;

	if (mod == 3)
		return -1;
	if (asize == 2) {
		if (mod == 1)
			return 2;
		return (mod == 2 || (mod == 0 && rm == 6)) ? 3 : 1;
	}
	if (rm == 4) {
		int base5 = (b[1] & 7) == 5;

		if (mod == 1)
			return 3;
		return (mod == 2 || base5) ? 6 : 2;
	}
	if (mod == 1)
		return 2;
	return (mod == 2 || rm == 5) ? 5 : 1;
}

/* A segment-override prefix: its segment (es cs ss ds fs gs), else -1. */
static int x86_prefix_seg(u8 b)
{
	switch (b) {
	case 0x26:
		return 0;
	case 0x2e:
		return 1;
	case 0x36:
		return 2;
	case 0x3e:
		return 3;
	case 0x64:
		return 4;
	case 0x65:
		return 5;
	default:
		return -1;
	}
}

static int x86_decode(const u8 *b, unsigned int avail, bool mode64, bool def32,
		      struct x86_insn *in)
{
	u8 osize = def32 ? 4 : 2, rexb = 0;
	unsigned int i = 0;
	int m;

	memset(in, 0, sizeof(*in));
	in->seg = -1;
	in->asize = mode64 ? 8 : osize;
	for (; i < avail; i++) {
		int seg = x86_prefix_seg(b[i]);

		if (seg >= 0)
			in->seg = seg;
		else if (b[i] == 0x66)
			osize = def32 ? 2 : 4;
		else if (b[i] == 0x67)
			in->asize = mode64 ? 4 : (def32 ? 2 : 4);
		else if (b[i] == 0xf2 || b[i] == 0xf3)
			in->rep = true;
		else if (b[i] != 0xf0)
			break;
	}
	if (mode64 && i < avail && (b[i] & 0xf0) == 0x40) {
		rexb = b[i++];
		in->rex = true;
		if (rexb & 8)
			osize = 8;
	}
	if (i < avail && (b[i] & 0xfc) == 0x6c) {
		/* INS/OUTS: size and port come from the exit */
		in->kind = INSN_STRIO;
		in->size = (b[i] & 1) ? min_t(u8, osize, 4) : 1;
		in->len = i + 1;
		return 0;
	}
	if (i + 1 >= avail)
		return -EINVAL;

	in->size = osize;
	/* the byte forms are the even opcodes of each pair */
	switch (b[i]) {
	case 0x88:
	case 0x89:
		in->kind = INSN_STORE;
		break;
	case 0x8a:
	case 0x8b:
		in->kind = INSN_LOAD;
		break;
	case 0xc6:
	case 0xc7:
		in->kind = INSN_STORE_IMM;
		break;
	case 0x63:
		if (!mode64 || osize != 8)
			return -EINVAL;
		in->kind = INSN_LOAD;
		in->size = 4;
		in->ext = 2;
		break;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		/* MOV AL/rAX <-> moffs: the offset has the address size */
		in->kind = (b[i] & 2) ? INSN_STORE : INSN_LOAD;
		if (!(b[i] & 1))
			in->size = 1;
		in->dsize = in->size;
		in->reg = 0;
		in->len = i + 1 + in->asize;
		return in->len <= avail ? 0 : -EINVAL;
	case 0xa4:
	case 0xa5:
	case 0xaa:
	case 0xab:
		in->kind = (b[i] >= 0xaa) ? INSN_STOS : INSN_MOVS;
		if (!(b[i] & 1))
			in->size = 1;
		in->len = i + 1;
		return 0;
	case 0x0f:
		i++;
		if (i + 1 >= avail || (b[i] & 0xf6) != 0xb6)
			return -EINVAL;
		/* 0f b6/b7 movzx, 0f be/bf movsx */
		in->kind = INSN_LOAD;
		in->ext = (b[i] & 8) ? 2 : 1;
		in->size = (b[i] & 1) ? 2 : 1;
		break;
	default:
		return -EINVAL;
	}
	if ((b[i] & 0xfe) == 0x88 || (b[i] & 0xfe) == 0x8a ||
	    (b[i] & 0xfe) == 0xc6)
		in->size = (b[i] & 1) ? osize : 1;
	in->dsize = in->ext ? osize : in->size;
	i++;
	m = x86_modrm_len(&b[i], in->asize);
	if (m < 0)
		return -EINVAL;
	in->reg = ((b[i] >> 3) & 7) | ((rexb & 4) << 1);
	if (in->kind == INSN_STORE_IMM) {
		unsigned int isz = min_t(unsigned int, in->size, 4);

		if (in->reg & 7)
			return -EINVAL;	/* c6/c7 /0 only */
		if (i + m + isz > avail)
			return -EINVAL;
		in->imm = x86_fetch(&b[i + m], isz);
		if (in->size == 8)
			in->imm = (s64)(s32)in->imm;
		m += isz;
	}
	in->len = i + m;
	return in->len <= avail ? 0 : -EINVAL;
}

/* An 8-bit register operand without REX: 4..7 are AH, CH, DH, BH. */
static u64 x86_get_reg(const struct x86_vcpu *x, u8 reg, u8 size, bool rex)
{
	if (size == 1 && !rex && reg >= 4 && reg < 8)
		return (x->gpr[reg - 4] >> 8) & 0xff;
	return x->gpr[reg];
}

static void x86_set_reg(struct x86_vcpu *x, u8 reg, u8 size, bool rex, u64 v)
{
	unsigned long *r = &x->gpr[reg];

	switch (size) {
	case 1:
		if (!rex && reg >= 4 && reg < 8) {
			r = &x->gpr[reg - 4];
			*r = (*r & ~0xff00UL) | ((v & 0xff) << 8);
		} else {
			*r = (*r & ~0xffUL) | (v & 0xff);
		}
		break;
	case 2:
		*r = (*r & ~0xffffUL) | (v & 0xffff);
		break;
	case 4:
		*r = (u32)v;
		break;
	default:
		*r = v;
	}
}

static u64 x86_seg_base(const struct kvm_sregs *s, int seg)
{
	const struct kvm_segment *t[] = { &s->es, &s->cs, &s->ss, &s->ds,
					  &s->fs, &s->gs };
	bool mode64 = (s->efer & EFER_LMA) && s->cs.l;

	if (mode64 && seg < 4)
		return 0;
	return t[seg]->base;
}

static u64 x86_amask(u8 asize)
{
	return asize == 8 ? ~0ULL : (1ULL << (asize * 8)) - 1;
}

/*
 * Step rSI/rDI (by n elements, down if DF) and rCX for a string
 * instruction; true when it is finished (RIP may move past it).
 */
static bool x86_string_step(struct x86_vcpu *x, u64 rflags, u8 asize,
			    bool rep, unsigned int n, u8 size, bool si, bool di)
{
	u64 mask = x86_amask(asize);
	s64 d = (rflags & X86_EFLAGS_DF) ? -(s64)(n * size) : n * size;
	unsigned long *g = x->gpr;

	if (si)
		g[X86_RSI] = (g[X86_RSI] & ~mask) | ((g[X86_RSI] + d) & mask);
	if (di)
		g[X86_RDI] = (g[X86_RDI] & ~mask) | ((g[X86_RDI] + d) & mask);
	if (!rep)
		return true;
	g[X86_RCX] = (g[X86_RCX] & ~mask) | ((g[X86_RCX] - n) & mask);
	return !(g[X86_RCX] & mask);
}

static int x86_emulation_failed(struct hvmod_vcpu *vcpu, u64 a, u64 b)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 2;
	run->internal.data[0] = a;
	run->internal.data[1] = b;
	return 0;
}

/*
 * The number of prefix bytes (legacy prefixes, then a REX in 64-bit mode)
 * of the instruction at RIP: the length of an intercepted instruction of
 * fixed encoding, when the CPU does not say where the next one starts,
 * is this plus the length of its opcode.  0 if RIP cannot be fetched.
 */
unsigned int x86_prefix_len(struct hvmod_vcpu *vcpu, const struct x86_ops *ops)
{
	u64 rip = ops->get_rip(vcpu);
	struct kvm_sregs s;
	unsigned int i;
	bool mode64;
	u64 la;
	u8 b;

	ops->get_sregs(vcpu, &s);
	mode64 = (s.efer & EFER_LMA) && s.cs.l;
	la = mode64 ? rip : s.cs.base + (rip & 0xffffffff);
	for (i = 0; i < X86_MAX_INSN - 1; i++) {
		if (x86_linear_rw(vcpu, &s, la + i, &b, 1, false))
			return 0;
		if (x86_prefix_seg(b) < 0 && b != 0x66 && b != 0x67 &&
		    b != 0xf0 && b != 0xf2 && b != 0xf3)
			break;
	}
	if (mode64 && (b & 0xf0) == 0x40 && i < X86_MAX_INSN - 1)
		i++;
	return i;
}

/*
 * Step RIP past an instruction emulated to its end (NEXT is where it
 * left off when it did not finish): an STI or MOV SS shadow ends with
 * it, as after any instruction the guest executes itself.
 */
static void x86_retire(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		       u64 next)
{
	if (next != ops->get_rip(vcpu))
		ops->set_int_shadow(vcpu, 0);
	ops->set_rip(vcpu, next);
}

/*
 * Fetch the instruction at RIP through the guest's page tables (as much
 * of it as is mapped: it may end before a page does) and decode it.
 */
static int x86_fetch_decode(struct hvmod_vcpu *vcpu, const struct kvm_sregs *s,
			    u64 rip, u8 *buf, struct x86_insn *in)
{
	bool mode64 = (s->efer & EFER_LMA) && s->cs.l;
	u64 la = mode64 ? rip : s->cs.base + (rip & 0xffffffff);
	int n;

	memset(buf, 0, X86_MAX_INSN);
	for (n = X86_MAX_INSN; n > 0; n--)
		if (!x86_linear_rw(vcpu, s, la, buf, n, false))
			break;
	if (!n)
		return -EFAULT;
	return x86_decode(buf, n, mode64, mode64 || s->cs.db, in);
}

static int x86_mmio_finish(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			   u64 v);

int x86_emulate_mmio(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
		     u64 gpa)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct kvm_run *run = vcpu->run;
	u64 rip = ops->get_rip(vcpu), rflags = ops->get_rflags(vcpu);
	u64 other_gpa, data = 0;
	struct x86_insn in;
	struct kvm_sregs s;
	bool write, done = true;
	u8 buf[X86_MAX_INSN];

	ops->get_sregs(vcpu, &s);
	if (x86_fetch_decode(vcpu, &s, rip, buf, &in) ||
	    in.kind == INSN_STRIO)
		return x86_emulation_failed(vcpu, rip, x86_fetch(buf, 8));

	write = in.kind != INSN_LOAD;
	switch (in.kind) {
	case INSN_STORE:
		data = x86_get_reg(x, in.reg, in.size, in.rex);
		break;
	case INSN_STORE_IMM:
		data = in.imm;
		break;
	case INSN_STOS:
		data = x->gpr[X86_RAX];
		done = x86_string_step(x, rflags, in.asize, in.rep, 1, in.size,
				       false, true);
		break;
	case INSN_MOVS: {
		u64 src = x86_seg_base(&s, in.seg < 0 ? 3 : in.seg) +
			  (x->gpr[X86_RSI] & x86_amask(in.asize));
		u64 dst = x86_seg_base(&s, 0) +
			  (x->gpr[X86_RDI] & x86_amask(in.asize));

		/* One side is the MMIO page, the other must be RAM. */
		if (!x86_linear_to_gpa(vcpu, &s, dst, true, &other_gpa) &&
		    (other_gpa & PAGE_MASK) == (gpa & PAGE_MASK)) {
			if (x86_linear_rw(vcpu, &s, src, &data, in.size, false))
				return x86_emulation_failed(vcpu, rip, src);
		} else if (!x86_linear_to_gpa(vcpu, &s, dst, true,
					      &other_gpa) &&
			   hvmod_gpa_is_ram(vcpu->vm, other_gpa)) {
			write = false;
			x->mmio.to_mem = true;
			x->mmio.mem_gpa = other_gpa;
		} else {
			return x86_emulation_failed(vcpu, rip, dst);
		}
		done = x86_string_step(x, rflags, in.asize, in.rep, 1, in.size,
				       true, true);
		break;
	}
	case INSN_LOAD:
	case INSN_STRIO:
		break;
	}

	/* where a read's value goes, once it is there (x86_mmio_finish()) */
	if (!write) {
		x->mmio.reg = in.reg;
		x->mmio.size = in.size;
		x->mmio.dsize = in.dsize;
		x->mmio.ext = in.ext;
		x->mmio.rex = in.rex;
		x->mmio.next_rip = done ? rip + in.len : rip;
	}

	/* the in-kernel LAPIC's and IOAPIC's pages never reach userspace */
	if (x86_lapic_mmio(vcpu, gpa, in.size, write, &data) ||
	    x86_ioapic_mmio(vcpu->vm, gpa, in.size, write, &data)) {
		if (!write)
			return x86_mmio_finish(vcpu, ops, data) ?: 1;
		if (done)
			x86_retire(vcpu, ops, rip + in.len);
		return 1;
	}

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = in.size;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write) {
		memcpy(run->mmio.data, &data, in.size);
		if (done)
			x86_retire(vcpu, ops, rip + in.len);
		return 0;
	}
	/* a read: finished by x86_complete_userspace() on the next run */
	x->mmio.pending = true;
	return 0;
}

/*
 * String IO: `port`, `size`, `in` from the exit.  The address size, the
 * segment override, REP and the instruction's length come from decoding
 * the instruction at RIP, as KVM does: QEMU TCG reports no address size
 * in the SVM IOIO exit and no reliable next RIP.  Only if the instruction
 * cannot be fetched are the exit's `rep`, `asize` (0: not given) and
 * `next_rip` used.
 */
int x86_emulate_string_io(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			  u16 port, u8 size, bool in, bool rep, u8 asize,
			  u64 next_rip)
{
	struct x86_vcpu *x = to_x86(vcpu);
	struct kvm_run *run = vcpu->run;
	u64 rip = ops->get_rip(vcpu), rflags = ops->get_rflags(vcpu);
	u8 *page = page_address(vcpu->pio_page);
	struct x86_insn insn;
	struct kvm_sregs s;
	unsigned int n, i;
	int seg = -1;
	u64 mask, la;
	bool done;
	s64 step;
	u8 buf[X86_MAX_INSN];

	ops->get_sregs(vcpu, &s);
	if (!x86_fetch_decode(vcpu, &s, rip, buf, &insn)) {
		if (insn.kind != INSN_STRIO)
			return x86_emulation_failed(vcpu, rip,
						    x86_fetch(buf, 8));
		asize = insn.asize;
		seg = insn.seg;
		rep = insn.rep;
		next_rip = rip + insn.len;
	} else if (!asize) {
		return x86_emulation_failed(vcpu, rip, x86_fetch(buf, 8));
	}
	mask = x86_amask(asize);
	n = rep ? min_t(u64, x->gpr[X86_RCX] & mask, PAGE_SIZE / size) : 1;
	if (!n) {
		x86_retire(vcpu, ops, next_rip);
		return 1;
	}
	step = (rflags & X86_EFLAGS_DF) ? -(s64)size : size;

	if (!in) {
		/* OUTS honours a segment override */
		la = x86_seg_base(&s, seg < 0 ? 3 : seg);
		for (i = 0; i < n; i++) {
			u64 a = la + ((x->gpr[X86_RSI] + i * step) & mask);

			if (x86_linear_rw(vcpu, &s, a, page + i * size, size,
					  false))
				return x86_emulation_failed(vcpu, rip, a);
		}
	} else {
		x->pio_str.pending = true;
		x->pio_str.count = n;
		x->pio_str.size = size;
		x->pio_str.asize = asize;
		x->pio_str.rep = rep;
		x->pio_str.next_rip = next_rip;
	}

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = n;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (!in) {
		done = x86_string_step(x, rflags, asize, rep, n, size, true,
				       false);
		x86_retire(vcpu, ops, done ? next_rip : rip);
	}
	return 0;
}

/* An MMIO read's data v into its register (or memory for MOVS). */
static int x86_mmio_finish(struct hvmod_vcpu *vcpu, const struct x86_ops *ops,
			   u64 v)
{
	struct x86_vcpu *x = to_x86(vcpu);

	if (x->mmio.to_mem) {
		x->mmio.to_mem = false;
		if (hvmod_guest_rw(vcpu->vm, x->mmio.mem_gpa, &v,
				   x->mmio.size, true))
			return -EFAULT;
	} else {
		if (x->mmio.ext == 2)
			v = x->mmio.size == 1 ? (s64)(s8)v :
			    x->mmio.size == 2 ? (s64)(s16)v :
						(s64)(s32)v;
		x86_set_reg(x, x->mmio.reg, x->mmio.dsize, x->mmio.rex, v);
	}
	x86_retire(vcpu, ops, x->mmio.next_rip);
	return 0;
}

/* Finish what the last exit left to userspace: IN data, MMIO reads. */
int x86_complete_userspace(struct hvmod_vcpu *vcpu, const struct x86_ops *ops)
{
	struct x86_vcpu *x = to_x86(vcpu);
	const u8 *page = page_address(vcpu->pio_page);
	struct kvm_run *run = vcpu->run;
	u64 v = 0;

	if (x->pio_in_size)
		x86_complete_pio_in(x, page);

	if (x->mmio.pending) {
		int r;

		x->mmio.pending = false;
		memcpy(&v, run->mmio.data, x->mmio.size);
		r = x86_mmio_finish(vcpu, ops, v);
		if (r)
			return r;
	}

	if (x->pio_str.pending) {
		struct kvm_sregs s;
		u64 mask = x86_amask(x->pio_str.asize);
		u64 rflags = ops->get_rflags(vcpu);
		s64 step = (rflags & X86_EFLAGS_DF) ? -(s64)x->pio_str.size :
						      x->pio_str.size;
		unsigned int i;
		unsigned int n = x->pio_str.count;
		bool done;

		x->pio_str.pending = false;
		/*
		 * As KVM's emulator: one item per remaining count, so a count
		 * userspace lowered meanwhile (KVM_SET_REGS) ends the INS
		 * early, one it raised goes on after these items.
		 */
		if (x->pio_str.rep)
			n = min_t(u64, n, x->gpr[X86_RCX] & mask);
		ops->get_sregs(vcpu, &s);
		for (i = 0; i < n; i++) {
			u64 a = x86_seg_base(&s, 0) +
				((x->gpr[X86_RDI] + i * step) & mask);

			if (x86_linear_rw(vcpu, &s, a,
					  (void *)page + i * x->pio_str.size,
					  x->pio_str.size, true))
				return -EFAULT;
		}
		done = x86_string_step(x, rflags, x->pio_str.asize,
				       x->pio_str.rep, n, x->pio_str.size,
				       false, true);
		if (done)
			x86_retire(vcpu, ops, x->pio_str.next_rip);
	}
	return 0;
}

/*
 * MOV to/from a debug register (0F 21 /r, 0F 23 /r) after a DR access
 * exit: decoded here because the exit does not always name the GPR
 * (SVM without decode assists).  The register operand is ModRM.rm
 * (+REX.B) whatever ModRM.mod says; DR4/DR5 alias DR6/DR7 (CR4.DE is
 * not offered).  Returns 1 (handled, RIP advanced) or 0 with an
 * internal-error exit for userspace.
 */
int x86_emulate_mov_dr(struct hvmod_vcpu *vcpu, const struct x86_ops *ops)
{
	struct x86_vcpu *x = to_x86(vcpu);
	u64 rip = ops->get_rip(vcpu), la, v;
	struct kvm_sregs s;
	bool mode64, to_dr;
	unsigned int i = 0, n;
	u8 buf[15], rex = 0, dr, gpr;

	ops->get_sregs(vcpu, &s);
	mode64 = (s.efer & EFER_LMA) && s.cs.l;
	la = mode64 ? rip : s.cs.base + (rip & 0xffffffff);
	for (n = sizeof(buf); n > 0; n--)
		if (!x86_linear_rw(vcpu, &s, la, buf, n, false))
			break;
	while (i < n && (buf[i] == 0x66 || buf[i] == 0x67 || buf[i] == 0xf2 ||
			 buf[i] == 0xf3 || x86_prefix_seg(buf[i]) >= 0))
		i++;
	if (mode64 && i < n && (buf[i] & 0xf0) == 0x40)
		rex = buf[i++];
	if (i + 3 > n || buf[i] != 0x0f ||
	    (buf[i + 1] != 0x21 && buf[i + 1] != 0x23))
		return x86_emulation_failed(vcpu, rip, x86_fetch(buf, 8));
	to_dr = buf[i + 1] == 0x23;
	dr = (buf[i + 2] >> 3) & 7;
	gpr = (buf[i + 2] & 7) | ((rex & 1) << 3);
	if (rex & 4)			/* DR8-15 do not exist */
		return x86_emulation_failed(vcpu, rip, x86_fetch(buf, 8));
	if (dr == 4 || dr == 5)
		dr += 2;
	if (to_dr) {
		v = x->gpr[gpr];
		if (!mode64)
			v = (u32)v;
		if (dr < 4)
			x->db[dr] = v;
		else if (dr == 6)
			x->dr6 = (v & X86_DR6_VOLATILE) |
				 (X86_DR6_INIT & ~X86_DR6_VOLATILE);
		else
			x->dr7 = (v & X86_DR7_VOLATILE) | X86_DR7_INIT;
	} else {
		v = dr < 4 ? x->db[dr] : dr == 6 ? x->dr6 : x->dr7;
		x->gpr[gpr] = mode64 ? v : (u32)v;
	}
	x86_retire(vcpu, ops, rip + i + 3);
	return 1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * x86 register state and CPU modes: the vCPU reset state, KVM_GET/SET_REGS
 * and KVM_GET/SET_SREGS round trips, the SET_SREGS combinations KVM
 * rejects, and guests in real, protected and long mode (plus one that
 * switches from real to long mode by itself) that report what they see.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "guest.h"
#include "x86_modes.sym.h"

HV_GUEST_BLOB(x86_modes);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

struct sregs_row {
	const char *desc;
	enum hv_mode mode;		/* valid state the row starts from */
	uint64_t cr0_set, cr0_clr, cr4_set, cr4_clr, efer_set, efer_clr;
	int cs_l;			/* -1: unchanged */
};

static const struct sregs_row bad_sregs[] = {
	{ "CR0 bit 32 set", HV_PROT32, 1ULL << 32, 0, 0, 0, 0, 0, -1 },
	{ "CR0.NW without CR0.CD", HV_PROT32, CR0_NW, CR0_CD, 0, 0, 0, 0, -1 },
	{ "CR0.PG without CR0.PE", HV_PROT32, CR0_PG, CR0_PE, 0, 0, 0, 0, -1 },
	{ "CR4.LA57 (bit 12)", HV_PROT32, 0, 0, 1ULL << 12, 0, 0, 0, -1 },
	{ "CR4.VMXE (bit 13)", HV_PROT32, 0, 0, 1ULL << 13, 0, 0, 0, -1 },
	{ "CR4.PKE (bit 22, no PKU offered)", HV_PROT32, 0, 0, 1ULL << 22, 0, 0, 0, -1 },
	{ "CR4 bit 32 (reserved)", HV_PROT32, 0, 0, 1ULL << 32, 0, 0, 0, -1 },
	{ "EFER.SVME (bit 12)", HV_PROT32, 0, 0, 0, 0, 1ULL << 12, 0, -1 },
	{ "EFER bit 63 (reserved)", HV_PROT32, 0, 0, 0, 0, 1ULL << 63, 0, -1 },
	{ "EFER.LME + CR0.PG without CR4.PAE", HV_LONG64, 0, 0, 0, CR4_PAE, 0, 0, -1 },
	{ "EFER.LME + CR0.PG without EFER.LMA", HV_LONG64, 0, 0, 0, 0, 0, EFER_LMA, -1 },
	{ "EFER.LMA + LME without CR0.PG", HV_LONG64, 0, CR0_PG, 0, 0, 0, 0, 0 },
	{ "EFER.LMA without EFER.LME", HV_LONG64, 0, CR0_PG, 0, CR4_PAE, 0, EFER_LME, 0 },
	{ "CS.L in protected mode", HV_PROT32, 0, 0, 0, 0, 0, 0, 1 },
};
#define NR_BAD		((int)ARRAY_SIZE(bad_sregs))
#define NR_TESTS	(5 + NR_BAD + 2 + 5 + 5 + 6 + 5)

static int sys;

static bool seg_eq(const char *name, const struct kvm_segment *a,
		   const struct kvm_segment *b)
{
	if (a->base == b->base && a->limit == b->limit &&
	    a->selector == b->selector && a->type == b->type &&
	    a->present == b->present && a->dpl == b->dpl && a->db == b->db &&
	    a->s == b->s && a->l == b->l && a->g == b->g)
		return true;
	tap_diag("%s: set sel 0x%x base 0x%llx limit 0x%x type %u p %u dpl %u db %u s %u l %u g %u",
		 name, a->selector, (unsigned long long)a->base, a->limit,
		 a->type, a->present, a->dpl, a->db, a->s, a->l, a->g);
	tap_diag("%s: got sel 0x%x base 0x%llx limit 0x%x type %u p %u dpl %u db %u s %u l %u g %u",
		 name, b->selector, (unsigned long long)b->base, b->limit,
		 b->type, b->present, b->dpl, b->db, b->s, b->l, b->g);
	return false;
}

#define CMP(field) do {							\
	if (a->field != b->field) {					\
		tap_diag(#field ": set 0x%llx, got 0x%llx",		\
			 (unsigned long long)a->field,			\
			 (unsigned long long)b->field);			\
		ok = false;						\
	}								\
} while (0)

static bool sregs_eq(const struct kvm_sregs *a, const struct kvm_sregs *b)
{
	bool ok = seg_eq("cs", &a->cs, &b->cs) & seg_eq("ds", &a->ds, &b->ds) &
		  seg_eq("es", &a->es, &b->es) & seg_eq("fs", &a->fs, &b->fs) &
		  seg_eq("gs", &a->gs, &b->gs) & seg_eq("ss", &a->ss, &b->ss) &
		  seg_eq("tr", &a->tr, &b->tr) & seg_eq("ldt", &a->ldt, &b->ldt);

	CMP(gdt.base); CMP(gdt.limit); CMP(idt.base); CMP(idt.limit);
	CMP(cr0); CMP(cr2); CMP(cr3); CMP(cr4); CMP(cr8); CMP(efer);
	CMP(apic_base);
	return ok;
}

static bool regs_eq(const struct kvm_regs *a, const struct kvm_regs *b)
{
	bool ok = true;

	CMP(rax); CMP(rbx); CMP(rcx); CMP(rdx); CMP(rsi); CMP(rdi);
	CMP(rsp); CMP(rbp); CMP(r8); CMP(r9); CMP(r10); CMP(r11);
	CMP(r12); CMP(r13); CMP(r14); CMP(r15); CMP(rip); CMP(rflags);
	return ok;
}

/* Reset state and the register ioctls, on a vCPU that never runs. */
static void test_registers(struct hv_vm *vm)
{
	struct kvm_regs r, r2;
	struct kvm_sregs s, s2, before;
	struct hv_vcpu v;
	__u64 *p;
	int i, ret, err;

	hv_vcpu_new(vm, &v, 1);
	hv_get_regs(&v, &r);
	if (!tap_result(r.rip == 0xfff0 && r.rflags == RFLAGS_FIXED,
			"reset: RIP 0xfff0, RFLAGS 0x2"))
		tap_diag("got RIP 0x%llx RFLAGS 0x%llx", r.rip, r.rflags);
	hv_get_sregs(&v, &s);
	if (!tap_result(s.cs.selector == 0xf000 && s.cs.base == 0xffff0000 &&
			s.cs.limit == 0xffff && s.cr0 == 0x60000010,
			"reset: CS selector 0xf000 base 0xffff0000 limit 0xffff, CR0 0x60000010"))
		tap_diag("got CS selector 0x%x base 0x%llx limit 0x%x, CR0 0x%llx",
			 s.cs.selector, s.cs.base, s.cs.limit, s.cr0);

	for (i = 0, p = &r.rax; p <= &r.r15; p++, i++)
		*p = 0x0101010101010101ULL * (i + 1) ^ 0x8000000000000000ULL;
	r.rip = 0x123456789aULL;
	r.rflags = 0xed7;	/* CF PF AF ZF SF IF DF OF and bit 1 */
	hv_set_regs(&v, &r);
	hv_get_regs(&v, &r2);
	tap_result(regs_eq(&r, &r2), "KVM_SET_REGS/KVM_GET_REGS round trip of all 18 fields");
	r.rflags = 0;
	hv_set_regs(&v, &r);
	hv_get_regs(&v, &r2);
	hv_expect_hex(true, r2.rflags, RFLAGS_FIXED,
		      "KVM_SET_REGS RFLAGS 0: reads back 0x2 (bit 1 is fixed)");

	hv_mode_sregs(&s, HV_LONG64);
	s.fs.base = 0x7fff12340000ULL;
	s.gs.base = 0xffff800012345000ULL;
	s.cr2 = 0xfedcba9876543210ULL;
	s.cr8 = 5;
	s.gdt.limit = 0x27;
	s.idt.base = 0x1000000;
	if (ioctl(v.fd, KVM_SET_SREGS, &s))
		tap_bail("KVM_SET_SREGS (long mode): %s", hv_errname(errno));
	hv_get_sregs(&v, &s2);
	tap_result(sregs_eq(&s, &s2), "KVM_SET_SREGS/KVM_GET_SREGS round trip of a long-mode state");

	for (i = 0; i < NR_BAD; i++) {
		const struct sregs_row *b = &bad_sregs[i];
		bool same;

		hv_get_sregs(&v, &s);
		hv_mode_sregs(&s, b->mode);
		if (ioctl(v.fd, KVM_SET_SREGS, &s))
			tap_bail("KVM_SET_SREGS (mode %d): %s", b->mode,
				 hv_errname(errno));
		before = s;
		s.cr0 = (s.cr0 | b->cr0_set) & ~b->cr0_clr;
		s.cr4 = (s.cr4 | b->cr4_set) & ~b->cr4_clr;
		s.efer = (s.efer | b->efer_set) & ~b->efer_clr;
		if (b->cs_l >= 0)
			s.cs.l = b->cs_l;
		ret = ioctl(v.fd, KVM_SET_SREGS, &s);
		err = errno;
		hv_get_sregs(&v, &s2);
		same = sregs_eq(&before, &s2);
		if (ret != -1 || err != EINVAL)
			tap_diag("expected EINVAL, got %s",
				 ret ? hv_errname(err) : "success");
		if (!same)
			tap_diag("state changed by the call (above)");
		tap_result(ret == -1 && err == EINVAL && same,
			   "KVM_SET_SREGS %s -> EINVAL, state unchanged", b->desc);
	}
	hv_vcpu_free(&v);
}

/* A fresh vCPU starts at 0xfffffff0: a slot at the top of 4 GiB holds code. */
static void test_reset_vector(struct hv_vm *vm)
{
	size_t len = GUEST_reset_code_end - GUEST_reset_code;
	uint8_t *top = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct hv_vcpu v;
	bool ok;

	if (top == MAP_FAILED)
		tap_bail("mmap: %s", hv_errname(errno));
	memcpy(top + 0xfff0, x86_modes_bin + (GUEST_reset_code - G_CODE), len);
	hv_vm_add_slot(vm, 1, 0xffff0000, top, 0x10000);
	hv_vcpu_new(vm, &v, 2);
	hv_expect_out(&v, 0x10, 1, 0x5a,
		      "reset vector: code at 0xfffffff0 runs without SET_REGS/SET_SREGS (OUT 0x5a)");
	ok = hv_run_exit(&v, KVM_EXIT_HLT);	/* before hv_rip(): no arguments */
	hv_expect_hex(ok, hv_rip(&v), 0xfff0 + len,
		      "reset vector: KVM_EXIT_HLT, RIP 0x%zx past the HLT", 0xfff0 + len);
	hv_vcpu_free(&v);
}

static void test_real(struct hv_vm *vm)
{
	struct hv_vcpu v;

	hv_vcpu_new(vm, &v, 3);
	hv_vcpu_mode(&v, HV_REAL, GUEST_real_entry);
	hv_expect_out(&v, 0x10, 2, 0x0010, "real mode: SMSW reads 0x0010 (ET, PE clear)");
	hv_expect_out(&v, 0x11, 2, 0x7e57, "real mode: push/pop through SS:SP");
	hv_expect_exit(&v, KVM_EXIT_HLT, "real mode: HLT -> KVM_EXIT_HLT");
	hv_expect_hex(true, hv_rip(&v), GUEST_real_after_hlt, "real mode: RIP past the HLT");
	hv_expect_hex(true, *(uint16_t *)(vm->mem + G_DATA + 0x10), 0xbeef,
		      "real mode: store to DS 0x%x : 0x10 lands at GPA 0x%x",
		      G_DATA >> 4, G_DATA + 0x10);
	hv_vcpu_free(&v);
}

static void test_prot(struct hv_vm *vm)
{
	struct hv_vcpu v;

	hv_vcpu_new(vm, &v, 4);
	hv_vcpu_mode(&v, HV_PROT32, GUEST_prot_entry);
	hv_expect_out(&v, 0x10, 4, CR0_PE | CR0_MP | CR0_ET | CR0_NE,
		      "protected mode: guest reads CR0 0x33 as set by KVM_SET_SREGS");
	hv_expect_out(&v, 0x11, 4, 0xcafef00d, "protected mode: push/pop through SS:ESP");
	hv_expect_exit(&v, KVM_EXIT_HLT, "protected mode: HLT -> KVM_EXIT_HLT");
	hv_expect_hex(true, hv_rip(&v), GUEST_prot_after_hlt, "protected mode: RIP past the HLT");
	hv_expect_hex(true, *(uint32_t *)(vm->mem + G_MEM_SIZE - 16), 0xdeadbeef,
		      "protected mode: 32-bit store to GPA 0x%x", G_MEM_SIZE - 16);
	hv_vcpu_free(&v);
}

static void test_long(struct hv_vm *vm)
{
	struct hv_vcpu v;
	struct kvm_regs r;
	bool ok;

	hv_vcpu_new(vm, &v, 5);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_long_entry);
	hv_expect_out(&v, 0x10, 4, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
		      "long mode: guest reads CR0 0x80050033");
	hv_expect_out(&v, 0x11, 4, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT,
		      "long mode: guest reads CR4 0x620");
	hv_expect_out(&v, 0x12, 4, EFER_LME | EFER_LMA,
		      "long mode: guest RDMSR EFER reads LME|LMA (0x500)");
	ok = hv_expect_exit(&v, KVM_EXIT_HLT, "long mode: HLT -> KVM_EXIT_HLT");
	hv_get_regs(&v, &r);
	hv_expect_hex(ok, r.rip, GUEST_long_after_hlt, "long mode: RIP past the HLT");
	ok = ok && r.r15 == 0x1122334455667788ULL && r.rbx == GUEST_long_entry &&
	     *(uint64_t *)(vm->mem + G_DATA + 0x40) == 0x1122334455667788ULL;
	if (!tap_result(ok, "long mode: 64-bit R15, RIP-relative LEA and 64-bit store"))
		tap_diag("R15 0x%llx (want 0x1122334455667788), RBX 0x%llx (want 0x%x), memory 0x%llx",
			 r.r15, r.rbx, GUEST_long_entry,
			 (unsigned long long)*(uint64_t *)(vm->mem + G_DATA + 0x40));
	hv_vcpu_free(&v);
}

static void test_switch(struct hv_vm *vm)
{
	struct kvm_sregs s;
	struct hv_vcpu v;
	bool ok;

	hv_vcpu_new(vm, &v, 6);
	hv_vcpu_mode(&v, HV_REAL, GUEST_switch_entry);
	hv_expect_out(&v, 0x10, 1, 16, "mode switch: starts in real mode");
	hv_expect_out(&v, 0x10, 1, 32, "mode switch: reaches protected mode (LGDT, CR0.PE, far jump)");
	ok = hv_expect_out(&v, 0x10, 1, 64,
			   "mode switch: reaches 64-bit mode (CR4.PAE, CR3, WRMSR EFER.LME, CR0.PG)");
	hv_get_sregs(&v, &s);
	ok = ok && (s.efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA) &&
	     (s.cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG) &&
	     (s.cr4 & CR4_PAE) && s.cs.l && s.cs.selector == G_SEL_CODE64;
	if (!tap_result(ok, "mode switch: KVM_GET_SREGS shows EFER.LMA, CR0.PG, CR4.PAE, CS.L"))
		tap_diag("EFER 0x%llx CR0 0x%llx CR4 0x%llx CS sel 0x%x l %u",
			 s.efer, s.cr0, s.cr4, s.cs.selector, s.cs.l);
	ok = hv_run_exit(&v, KVM_EXIT_HLT);
	hv_expect_hex(ok, hv_rip(&v), GUEST_switch_after_hlt,
		      "mode switch: KVM_EXIT_HLT in 64-bit mode, RIP past the HLT");
	hv_vcpu_free(&v);
}

int main(void)
{
	struct hv_vm vm;

	sys = hv_x86_open();
	tap_plan(NR_TESTS);
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_modes_bin, x86_modes_bin_end);

	test_registers(&vm);
	test_reset_vector(&vm);
	test_real(&vm);
	test_prot(&vm);
	test_long(&vm);
	test_switch(&vm);
	hv_vm_free(&vm);
	return tap_finish();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * x86 exits to userspace with their exact fields: KVM_EXIT_IO for IN and
 * OUT of 1, 2 and 4 bytes (64-bit and real mode) and for string IO,
 * (a REP INS count userspace changes during the exit counts, as in KVM),
 * KVM_EXIT_HLT, KVM_EXIT_SHUTDOWN on a triple fault, KVM_EXIT_FAIL_ENTRY
 * for a state KVM_SET_SREGS accepts but the CPU refuses to enter; and
 * guest exceptions, which do not exit but go through the guest's own IDT.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ioctl.h>

#include "guest.h"
#include "x86_exits.sym.h"

HV_GUEST_BLOB(x86_exits);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define NR_TESTS	34
#define AAAA		0xaaaaaaaaaaaaaaaaULL

static struct hv_vm vm;

static void expect_rip(struct hv_vcpu *v, uint64_t want, const char *what)
{
	hv_expect_hex(true, hv_rip(v), want, "%s: RIP 0x%llx, past the instruction",
		      what, (unsigned long long)want);
}

static void test_out(void)
{
	struct hv_vcpu v;
	bool ok;

	hv_vcpu_new(&vm, &v, 0);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_out_entry);
	hv_expect_out(&v, 0x10, 1, 0x5a, "OUT imm8 port, 1 byte: port 0x10, data 0x5a, count 1, data_offset 4096");
	expect_rip(&v, GUEST_out1_next, "OUT 1 byte");
	hv_expect_out(&v, 0x1234, 2, 0xbeef, "OUT DX port, 2 bytes: port 0x1234, data 0xbeef");
	expect_rip(&v, GUEST_out2_next, "OUT 2 bytes");
	hv_expect_out(&v, 0xfffc, 4, 0xdeadbeef, "OUT DX port, 4 bytes: port 0xfffc, data 0xdeadbeef");
	expect_rip(&v, GUEST_out4_next, "OUT 4 bytes");
	ok = hv_run_exit(&v, KVM_EXIT_HLT);
	hv_expect_hex(ok, hv_rip(&v), GUEST_out_hlt_next,
		      "HLT -> KVM_EXIT_HLT, RIP past the HLT");
	hv_vcpu_free(&v);
}

static void test_in(void)
{
	struct kvm_regs r;
	struct hv_vcpu v;
	bool ok;

	hv_vcpu_new(&vm, &v, 1);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_in_entry);

	ok = hv_run_io(&v, KVM_EXIT_IO_IN, 1, 0x20, NULL);
	hv_expect_hex(ok, hv_rip(&v), GUEST_in1_next,
		      "IN imm8 port, 1 byte: port 0x20, count 1, data_offset 4096, RIP past the IN");
	hv_io_reply(&v, 0x5b);
	ok = hv_run_io(&v, KVM_EXIT_IO_IN, 2, 0x2345, NULL);
	hv_expect_hex(ok, hv_rip(&v), GUEST_in2_next,
		      "IN DX port, 2 bytes: port 0x2345, RIP past the IN");
	hv_get_regs(&v, &r);
	hv_expect_hex(ok, r.rbx, (AAAA & ~0xffULL) | 0x5b,
		      "IN 1 byte: the data lands in AL, RAX[63:8] unchanged");
	hv_io_reply(&v, 0x1234);
	ok = hv_run_io(&v, KVM_EXIT_IO_IN, 4, 0xfff8, NULL);
	hv_expect_hex(ok, hv_rip(&v), GUEST_in4_next,
		      "IN DX port, 4 bytes: port 0xfff8, RIP past the IN");
	hv_get_regs(&v, &r);
	hv_expect_hex(ok, r.rcx, (AAAA & ~0xffffULL) | 0x1234,
		      "IN 2 bytes: the data lands in AX, RAX[63:16] unchanged");
	hv_io_reply(&v, 0xcafef00d);
	ok = hv_run_exit(&v, KVM_EXIT_HLT);
	hv_get_regs(&v, &r);
	hv_expect_hex(ok, r.rip, GUEST_in_hlt_next, "IN 4 bytes: guest runs on to its HLT");
	hv_expect_hex(ok, r.rsi, 0xcafef00dULL,
		      "IN 4 bytes: the data lands in EAX, zero-extended into RAX");
	hv_vcpu_free(&v);
}

/*
 * Userspace sees string IO as KVM_EXIT_IO with count >= 1 elements back to
 * back at data_offset; KVM may split a REP into several exits.  Collects
 * n elements of size bytes on port; the last exit is left in v->run.
 */
static bool string_io(struct hv_vcpu *v, uint8_t dir, uint8_t size,
		      unsigned int n, uint8_t *buf)
{
	unsigned int got = 0, c;

	while (got < n) {
		if (!hv_run_exit(v, KVM_EXIT_IO))
			return false;
		c = v->run->io.count;
		if (v->run->io.direction != dir || v->run->io.size != size ||
		    v->run->io.port != 0x30 || !c || got + c > n ||
		    v->run->io.data_offset != HV_PIO_OFFSET) {
			tap_diag("expected %s of %u elements of %u bytes on port 0x30 (%u seen so far)",
				 dir == KVM_EXIT_IO_OUT ? "OUTS" : "INS", n, size, got);
			hv_diag_exit(v);
			return false;
		}
		if (dir == KVM_EXIT_IO_OUT)
			memcpy(buf + got * size, (char *)v->run + HV_PIO_OFFSET, c * size);
		else
			memcpy((char *)v->run + HV_PIO_OFFSET, buf + got * size, c * size);
		got += c;
	}
	return true;
}

static void test_string_io(void)
{
	static const uint8_t bytes[4] = { 0x01, 0x02, 0x03, 0x04 };
	uint16_t words[3] = { 0x1111, 0x2222, 0x3333 };
	uint8_t out[4] = { 0 };
	struct kvm_regs r;
	struct hv_vcpu v;
	bool ok;

	hv_vcpu_new(&vm, &v, 2);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_str_entry);
	memcpy(vm.mem + G_DATA, bytes, sizeof(bytes));
	memset(vm.mem + G_DATA + 0x100, 0xee, 8);

	ok = string_io(&v, KVM_EXIT_IO_OUT, 1, 4, out);
	if (!tap_result(ok && !memcmp(out, bytes, 4),
			"REP OUTSB x4: KVM_EXIT_IO OUT size 1 port 0x30 carries bytes 01 02 03 04"))
		tap_diag("got %02x %02x %02x %02x", out[0], out[1], out[2], out[3]);
	ok = ok && string_io(&v, KVM_EXIT_IO_IN, 2, 3, (uint8_t *)words);
	hv_get_regs(&v, &r);
	hv_expect_hex(ok, r.rsi, G_DATA + 4,
		      "REP OUTSB done: RSI advanced by 4 (seen at the REP INSW exit)");
	tap_result(ok, "REP INSW x3: KVM_EXIT_IO IN size 2 port 0x30");
	ok = ok && hv_run_exit(&v, KVM_EXIT_HLT);
	hv_get_regs(&v, &r);
	ok = ok && r.rip == GUEST_str_hlt_next && r.rcx == 0 &&
	     r.rdi == G_DATA + 0x106 &&
	     !memcmp(vm.mem + G_DATA + 0x100, words, sizeof(words)) &&
	     *(uint16_t *)(vm.mem + G_DATA + 0x106) == 0xeeee;
	if (!tap_result(ok, "REP INSW done: 3 words in guest memory, RCX 0, RDI advanced by 6, guest reaches HLT"))
		tap_diag("RIP 0x%llx RCX 0x%llx RDI 0x%llx memory %04x %04x %04x %04x",
			 r.rip, r.rcx, r.rdi,
			 ((uint16_t *)(vm.mem + G_DATA + 0x100))[0],
			 ((uint16_t *)(vm.mem + G_DATA + 0x100))[1],
			 ((uint16_t *)(vm.mem + G_DATA + 0x100))[2],
			 ((uint16_t *)(vm.mem + G_DATA + 0x100))[3]);
	hv_vcpu_free(&v);
}

/*
 * REP INSB of `first` bytes; at its exit userspace sets RCX to `rcx` and
 * supplies the exit's count of bytes, then `more` bytes at a second exit
 * if the INS goes on.  As KVM's emulator (the upstream userspace_io_test):
 * the INS stores one byte per remaining count, so a lowered RCX ends it
 * early and a raised one makes it go on.
 */
static void test_ins_count(unsigned int id, unsigned int first, unsigned int rcx,
			   unsigned int more, const char *what)
{
	static const uint8_t data[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	uint8_t *mem = (uint8_t *)vm.mem + G_DATA + 0x200;
	unsigned int n = rcx < first ? rcx : first + more;
	struct kvm_regs r;
	struct hv_vcpu v;
	bool ok;

	hv_vcpu_new(&vm, &v, id);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_insb_entry);
	hv_get_regs(&v, &r);
	r.rcx = first;
	hv_set_regs(&v, &r);
	memset(mem, 0xee, 16);
	ok = hv_run_exit(&v, KVM_EXIT_IO) && v.run->io.count == first;
	memcpy((char *)v.run + HV_PIO_OFFSET, data, first);
	hv_get_regs(&v, &r);
	r.rcx = rcx;
	hv_set_regs(&v, &r);
	if (ok && more) {
		ok = hv_run_exit(&v, KVM_EXIT_IO) && v.run->io.count == more;
		memcpy((char *)v.run + HV_PIO_OFFSET, data + first, more);
	}
	ok = ok && hv_run_exit(&v, KVM_EXIT_HLT);
	hv_get_regs(&v, &r);
	ok = ok && r.rip == GUEST_insb_hlt_next && r.rcx == 0 &&
	     r.rdi == G_DATA + 0x200 + n && !memcmp(mem, data, n) && mem[n] == 0xee;
	if (!tap_result(ok, "%s", what))
		tap_diag("RIP 0x%llx RCX 0x%llx RDI 0x%llx, last exit %s count %u",
			 r.rip, r.rcx, r.rdi, hv_exit_name(v.run->exit_reason),
			 v.run->io.count);
	hv_vcpu_free(&v);
}

static void test_real_mode_io(void)
{
	struct kvm_regs r;
	struct hv_vcpu v;
	bool ok;

	hv_vcpu_new(&vm, &v, 3);
	hv_vcpu_mode(&v, HV_REAL, GUEST_rm_io_entry);
	ok = hv_expect_out(&v, 0x40, 4, 0x11223344,
			   "real mode: OUT with operand-size prefix: 4 bytes 0x11223344 to port 0x40");
	ok = ok && hv_run_io(&v, KVM_EXIT_IO_IN, 4, 0x41, NULL);
	hv_expect_hex(ok, hv_rip(&v), GUEST_rm_in_next,
		      "real mode: IN EAX from port 0x41 -> KVM_EXIT_IO IN size 4, RIP past the IN");
	hv_io_reply(&v, 0x55667788);
	ok = ok && hv_run_exit(&v, KVM_EXIT_HLT);
	hv_get_regs(&v, &r);
	if (!tap_result(ok && r.rbx == 0x55667788 && r.rip == GUEST_rm_hlt_next,
			"real mode: EAX got the IN data 0x55667788, guest reaches HLT"))
		tap_diag("RBX 0x%llx RIP 0x%llx", r.rbx, r.rip);
	hv_vcpu_free(&v);
}

/* Each exception reaches the guest's own IDT stub, which reports it. */
static void test_exceptions(void)
{
	static const struct {
		const char *what;
		uint64_t rip;
		uint32_t vec, cr2;
	} exc[] = {
		{ "UD2 -> #UD", GUEST_ud_insn, 6, 0 },
		{ "DIV by 0 -> #DE", GUEST_de_insn, 0, 0 },
		{ "load from 0x80000000, not mapped -> #PF(0), CR2 0x80000000",
		  GUEST_pf_insn, 14, 0x80000000 },
	};
	uint32_t got[4];
	struct kvm_regs r;
	struct hv_vcpu v;
	int i, k;
	bool ok;

	for (i = 0; i < 32; i++)
		hv_vm_set_gate(&vm, HV_LONG64, i, GUEST_exc_stubs + 16 * i);
	hv_vcpu_new(&vm, &v, 6);
	hv_vcpu_mode(&v, HV_LONG64, 0);
	for (i = 0; i < 3; i++) {
		memset(&r, 0, sizeof(r));
		r.rip = exc[i].rip;
		r.rsp = G_STACK_TOP;
		r.rflags = RFLAGS_FIXED;
		r.rbx = 0x80000000;
		hv_set_regs(&v, &r);
		memset(got, 0xff, sizeof(got));
		for (k = 0, ok = true; k < 4; k++)
			ok = ok && hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x20 + k, &got[k]);
		ok = ok && hv_run_exit(&v, KVM_EXIT_HLT);
		if (!tap_result(ok && got[0] == exc[i].vec && got[1] == 0 &&
				got[2] == exc[i].rip && (!exc[i].cr2 || got[3] == exc[i].cr2),
				"%s, handled by the guest's IDT (no exit)", exc[i].what))
			tap_diag("vector %u error 0x%x RIP 0x%x CR2 0x%x", got[0], got[1],
				 got[2], got[3]);
	}
	hv_vcpu_free(&v);
}

static void test_shutdown(void)
{
	struct kvm_sregs s;
	struct hv_vcpu v;

	hv_vcpu_new(&vm, &v, 4);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_triple_entry);
	hv_get_sregs(&v, &s);
	s.idt.limit = 0;
	if (ioctl(v.fd, KVM_SET_SREGS, &s))
		tap_bail("KVM_SET_SREGS (IDT limit 0): %s", hv_errname(errno));
	hv_expect_exit(&v, KVM_EXIT_SHUTDOWN, "triple fault (UD2 with an empty IDT) -> KVM_EXIT_SHUTDOWN");
	hv_vcpu_free(&v);
}

static void test_fail_entry(void)
{
	struct hvmod_info info;
	unsigned long long want;
	struct kvm_sregs s, s2;
	struct kvm_regs r, r2;
	struct hv_vcpu v;
	bool ok;

	/* the hardware's own reason: SVM VMEXIT_INVALID, VMX bit 31 | 33 */
	if (hv_get_info_fresh(&info))
		tap_bail("HVMOD_GET_INFO: %s", hv_errname(errno));
	want = info.backend_id == HVMOD_BACKEND_VMX ? 0x80000021ULL :
						      0xffffffffULL;
	hv_vcpu_new(&vm, &v, 5);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_out_entry);
	hv_get_sregs(&v, &s);
	s.cs.db = 1;
	hv_check(ioctl(v.fd, KVM_SET_SREGS, &s), 0,
		 "KVM_SET_SREGS accepts long mode with CS.L = 1 and CS.D = 1 (KVM leaves it to the CPU)");
	hv_get_sregs(&v, &s);
	hv_get_regs(&v, &r);
	ok = hv_run_exit(&v, KVM_EXIT_FAIL_ENTRY);
	hv_expect_hex(ok, v.run->fail_entry.hardware_entry_failure_reason, want,
		      "CS.L + CS.D: KVM_EXIT_FAIL_ENTRY, hardware_entry_failure_reason 0x%llx (invalid guest state)",
		      want);
	if (!tap_result(ok && v.run->fail_entry.cpu < (unsigned int)hv_online_cpus(),
			"KVM_EXIT_FAIL_ENTRY: fail_entry.cpu is an online CPU"))
		tap_diag("fail_entry.cpu %u, %d CPUs online", v.run->fail_entry.cpu,
			 hv_online_cpus());
	/* the refused state, not whatever the CPU held when it refused it */
	hv_get_sregs(&v, &s2);
	hv_get_regs(&v, &r2);
	if (!tap_result(ok && !memcmp(&s, &s2, sizeof(s)),
			"KVM_EXIT_FAIL_ENTRY: KVM_GET_SREGS gives the state as set"))
		tap_diag("cr0 %llx/%llx cr3 %llx/%llx gdt %llx/%llx cs %llx/%llx",
			 s.cr0, s2.cr0, s.cr3, s2.cr3, s.gdt.base, s2.gdt.base,
			 s.cs.base, s2.cs.base);
	if (!tap_result(ok && !memcmp(&r, &r2, sizeof(r)),
			"KVM_EXIT_FAIL_ENTRY: KVM_GET_REGS gives the registers as set"))
		tap_diag("rip %llx/%llx rsp %llx/%llx rax %llx/%llx",
			 r.rip, r2.rip, r.rsp, r2.rsp, r.rax, r2.rax);
	hv_vcpu_free(&v);
}

int main(void)
{
	struct hv_vcpu v;
	int sys = hv_x86_open();

	tap_plan(NR_TESTS);
	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_exits_bin, x86_exits_bin_end);

	hv_vcpu_new(&vm, &v, 9);
	hv_vcpu_mode(&v, HV_LONG64, GUEST_out_entry);
	hv_check(ioctl(v.fd, KVM_RUN, 1UL), EINVAL, "KVM_RUN with argument 1 -> EINVAL");
	hv_expect_hex(true, hv_rip(&v), GUEST_out_entry, "KVM_RUN with argument 1: guest did not run");
	hv_vcpu_free(&v);

	test_out();
	test_in();
	test_string_io();
	test_ins_count(10, 4, 1, 0, "REP INSB x4, RCX set to 1 at the exit: 1 byte stored, RCX 0, HLT");
	test_ins_count(11, 2, 5, 3, "REP INSB x2, RCX set to 5 at the exit: 2 bytes, a second exit for 3, HLT");
	test_real_mode_io();
	test_exceptions();
	test_shutdown();
	test_fail_entry();
	hv_vm_free(&vm);
	return tap_finish();
}

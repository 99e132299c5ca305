// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests: exits hammered by the thousand (CPUID, MSRs, INVD/WBINVD
 * in the kernel; IO, string IO and MMIO through userspace); every
 * privileged or virtualization instruction (SVM and VMX ones, MONITOR,
 * MWAIT, XSETBV, RSM... -> #UD; unknown or invalid MSRs -> #GP; debug
 * registers -> KVM_EXIT_INTERNAL_ERROR); #DB loops and a triple fault;
 * MMIO with every instruction form the decoder knows (checked exit by
 * exit) and with forms it does not (-> KVM_EXIT_INTERNAL_ERROR) in 64-bit,
 * 32-bit and real mode; loads and stores at every kind of guest-physical
 * address (below, between, inside and above slots, up to and beyond
 * 1 TiB); interrupt storms through KVM_INTERRUPT.  The host must stay
 * healthy: every count back to 0 and nothing bad in the kernel log.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "guest.h"
#include "x86_hostile.sym.h"

HV_GUEST_BLOB(x86_hostile);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define SCR		0x20000ULL		/* snippets are copied here */
#define STR_BUF		0x30000		/* guests/x86_hostile.S */
#define SCR16		0xe000ULL		/* ... and here for real mode */
#define PDPT_HI		0x100000	/* PML4[1]: 512 GiB .. 1 TiB */
#define PDPT_TOP	0x101000	/* PML4[2]: 1 TiB .. 1.5 TiB */
#define SLOT1_GPA	0x40000000ULL
#define SLOT2_GPA	0x80000000ULL
#define SLOT3_GPA	((1ULL << 40) - 0x10000)
#define SLOT_SIZE	0x10000
#define RAX_INIT	0x1122334455667788ULL
#define R8_INIT		0xa1a2a3a4a5a6a7a8ULL
#define MMIO_DATA	0x88776655443322f1ULL
#define HAMMER_KERNEL	5000
#define HAMMER_IO	3000
#define HAMMER_MMIO	3000
#define STORM_HLT	20000
#define STORM_SPIN	2000

static int sys;
static uint8_t *slot_mem[3];
static struct hv_vm vm_main;
static int next_id = HVMOD_MAX_VCPUS;	/* ids stay taken until the VM goes */
static const uint64_t slot_gpa[3] = { 0x40000000ULL, 0x80000000ULL,
				      (1ULL << 40) - 0x10000 };

static void map_high(struct hv_vm *vm);

/* The main VM: RAM, payload, IDT, slots 1..3, page tables up to 1.5 TiB. */
static void main_vm_build(void)
{
	int i;

	hv_vm_new(&vm_main, sys, G_MEM_SIZE);
	hv_vm_load(&vm_main, x86_hostile_bin, x86_hostile_bin_end);
	for (i = 0; i < 256; i++)
		hv_vm_set_gate(&vm_main, HV_LONG64, i, GUEST_stubs + 16 * i);
	for (i = 0; i < 3; i++)
		hv_vm_add_slot(&vm_main, 1 + i, slot_gpa[i], slot_mem[i],
			       0x10000);
	map_high(&vm_main);
}

/*
 * A fresh vCPU of the main VM for every case, so nothing a case leaves
 * pending carries over; the VM is rebuilt when its 64 ids are used up.
 * Call it before writing guest memory.
 */
static void new_vcpu(struct hv_vcpu *v)
{
	if (next_id >= HVMOD_MAX_VCPUS) {
		if (vm_main.fd > 0)
			hv_vm_free(&vm_main);
		main_vm_build();
		next_id = 0;
	}
	hv_vcpu_new(&vm_main, v, next_id++);
}

/* ---- small helpers ---- */


static void put_snippet(struct hv_vm *vm, uint64_t at, const uint8_t *b,
			size_t len)
{
	memcpy(vm->mem + at, b, len);
	vm->mem[at + len] = 0xf4;	/* hlt */
}

/* Long-mode vCPU at rip with the usual registers for the snippets. */
static void setup_regs(struct hv_vcpu *v, enum hv_mode mode, uint64_t rip,
		       uint64_t rdi, uint64_t rsi, uint64_t rcx)
{
	struct kvm_regs r;

	hv_vcpu_mode(v, mode, rip);
	hv_get_regs(v, &r);
	r.rax = RAX_INIT;
	r.rbx = rdi;
	r.rcx = rcx;
	r.rdx = 0;
	r.rdi = rdi;
	r.rsi = rsi;
	r.r8 = R8_INIT;
	hv_set_regs(v, &r);
}

/*
 * The guest's exception handler reports on ports 0xe0 (vector), 0xe1
 * (RIP) and 0xe2 (error code), then halts.  rip == ~0: any RIP.
 */
static bool run_exception2(struct hv_vcpu *v, uint32_t vec, uint32_t vec2,
			   uint64_t rip)
{
	uint32_t got_vec = 0, got_rip = 0, err = 0;

	if (!hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0xe0, &got_vec))
		return false;
	if (!hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0xe1, &got_rip) ||
	    !hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0xe2, &err) ||
	    !hv_run_exit(v, KVM_EXIT_HLT))
		return false;
	if ((got_vec == vec || (vec2 && got_vec == vec2)) &&
	    (rip == ~0ULL || got_rip == (uint32_t)rip))
		return true;
	tap_diag("guest took vector %u at RIP 0x%x (error code 0x%x); expected vector %u at 0x%llx",
		 got_vec, got_rip, err, vec, (unsigned long long)rip);
	return false;
}

static bool run_exception(struct hv_vcpu *v, uint32_t vec, uint64_t rip)
{
	return run_exception2(v, vec, 0, rip);
}

/* ---- exits hammered ---- */

static void test_hammer(void)
{
	struct hv_vm *vm = &vm_main;
	struct hv_vcpu v;
	struct kvm_regs r;
	uint32_t val, sum = 0, want;
	unsigned int i, n, total;
	bool ok;

	new_vcpu(&v);

	/* CPUID, MSRs, INVD, WBINVD: 16 exits an iteration, none to userspace */
	setup_regs(&v, HV_LONG64, GUEST_hammer_kernel, 0, 0, 0);
	hv_get_regs(&v, &r);
	r.r12 = HAMMER_KERNEL;
	hv_set_regs(&v, &r);
	ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x10, &val) && val == 0x600d &&
	     hv_run_exit(&v, KVM_EXIT_HLT);
	tap_result(ok, "hammer: %d x (4 CPUID, 5 RDMSR, 3 WRMSR, INVD, WBINVD) handled in the kernel",
		   HAMMER_KERNEL);

	/* IO through userspace */
	setup_regs(&v, HV_LONG64, GUEST_hammer_io, 0, 0, 0);
	hv_get_regs(&v, &r);
	r.r12 = HAMMER_IO;
	hv_set_regs(&v, &r);
	ok = true;
	for (i = HAMMER_IO, want = 0; i > 0 && ok; i--) {
		ok = hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x11, &val) && val == i &&
		     hv_run_io(&v, KVM_EXIT_IO_IN, 4, 0x12, NULL);
		hv_io_reply(&v, i * 3);
		want += i * 3;
	}
	ok = ok && hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x13, &sum);
	if (!tap_result(ok && sum == want,
			"hammer: %d OUT + IN pairs through userspace, guest sums what it read",
			HAMMER_IO))
		tap_diag("stopped at iteration %u, sum 0x%x (expected 0x%x)", i,
			 sum, want);

	/* MMIO through userspace */
	setup_regs(&v, HV_LONG64, GUEST_hammer_mmio, G_MMIO, 0, 0);
	hv_get_regs(&v, &r);
	r.r12 = HAMMER_MMIO;
	hv_set_regs(&v, &r);
	ok = true;
	for (i = HAMMER_MMIO, want = 0; i > 0 && ok; i--) {
		ok = hv_run_exit(&v, KVM_EXIT_MMIO) && v.run->mmio.is_write &&
		     v.run->mmio.phys_addr == G_MMIO && v.run->mmio.len == 4 &&
		     *(uint32_t *)v.run->mmio.data == i &&
		     hv_run_exit(&v, KVM_EXIT_MMIO) && !v.run->mmio.is_write &&
		     v.run->mmio.phys_addr == G_MMIO + 8;
		if (!ok)
			hv_diag_exit(&v);
		*(uint32_t *)v.run->mmio.data = i * 5;
		want += i * 5;
	}
	ok = ok && hv_run_io(&v, KVM_EXIT_IO_OUT, 4, 0x13, &sum);
	if (!tap_result(ok && sum == want,
			"hammer: %d MMIO writes + reads through userspace, guest sums what it read",
			HAMMER_MMIO))
		tap_diag("stopped at iteration %u, sum 0x%x (expected 0x%x)", i,
			 sum, want);

	/* REP OUTSB / REP INSB of 10000 bytes: chunks of at most a page */
	memset(vm->mem + STR_BUF, 0x5a, 10000);
	setup_regs(&v, HV_LONG64, GUEST_hammer_string, 0, 0, 0);
	/* the guest's count in RCX, not the one setup_regs() puts there */
	ok = true;
	for (i = 0; i < 2; i++) {
		for (total = 0; total < 10000 && ok; total += n) {
			ok = hv_run_exit(&v, KVM_EXIT_IO) &&
			     v.run->io.direction == (i ? KVM_EXIT_IO_IN :
							 KVM_EXIT_IO_OUT) &&
			     v.run->io.port == 0x14 && v.run->io.size == 1 &&
			     v.run->io.data_offset == HV_PIO_OFFSET;
			n = v.run->io.count;
			ok = ok && n >= 1 && n <= 4096 && total + n <= 10000;
			if (!ok)
				hv_diag_exit(&v);
			else if (i)
				memset((char *)v.run + HV_PIO_OFFSET, 0xa5, n);
		}
	}
	ok = ok && hv_run_exit(&v, KVM_EXIT_HLT);
	if (ok && (vm->mem[STR_BUF] != 0xa5 || vm->mem[STR_BUF + 9999] != 0xa5)) {
		ok = false;
		tap_diag("REP INSB data not at GPA 0x%x..0x%x (bytes 0x%02x 0x%02x)%s",
			 STR_BUF, STR_BUF + 9999, vm->mem[STR_BUF],
			 vm->mem[STR_BUF + 9999],
			 vm->mem[STR_BUF & 0xffff] == 0xa5 ?
			 ": it landed at GPA 0 (RDI taken as 16-bit)" : "");
	}
	tap_result(ok, "hammer: REP OUTSB + REP INSB of 10000 bytes in page-sized exits");
	hv_vcpu_free(&v);
	/* a string IO gone wrong may have hit the IDT: start a fresh VM */
	next_id = HVMOD_MAX_VCPUS;
}

/* ---- privileged instructions ---- */

enum expect { X_HLT, X_EXC, X_INTERNAL, X_ANY };

struct priv_case {
	const char *name;
	uint8_t len;
	uint8_t b[10];
	enum expect x;
	uint8_t vec;		/* X_EXC */
	uint8_t vec2;		/* X_EXC: also accepted if not 0 */
	uint8_t rip_off;	/* X_EXC: reported RIP is SCR + rip_off */
	uint32_t ecx;
	uint64_t rax, rdx;	/* also R9 = RAX */
	uint64_t rcx_is;	/* X_HLT: RCX after the HLT, if not 0 */
};

#define ANY_RIP	0xff
#define I(n, ...)	.name = n, .len = sizeof((uint8_t[]){ __VA_ARGS__ }), \
		.b = { __VA_ARGS__ }
#define UD(n, ...)	{ I(n, __VA_ARGS__), .x = X_EXC, .vec = 6 }

static const struct priv_case priv_cases[] = {
	UD("VMRUN", 0x0f, 0x01, 0xd8),
	UD("VMMCALL", 0x0f, 0x01, 0xd9),
	UD("VMLOAD", 0x0f, 0x01, 0xda),
	UD("VMSAVE", 0x0f, 0x01, 0xdb),
	UD("STGI", 0x0f, 0x01, 0xdc),
	UD("CLGI", 0x0f, 0x01, 0xdd),
	UD("SKINIT", 0x0f, 0x01, 0xde),
	UD("INVLPGA", 0x0f, 0x01, 0xdf),
	UD("XSETBV", 0x0f, 0x01, 0xd1),
	UD("MONITOR", 0x0f, 0x01, 0xc8),
	UD("MWAIT", 0x0f, 0x01, 0xc9),
	UD("RDPRU", 0x0f, 0x01, 0xfd),
	UD("RSM", 0x0f, 0xaa),
	UD("VMCALL (Intel)", 0x0f, 0x01, 0xc1),
	UD("VMXON (Intel)", 0xf3, 0x0f, 0xc7, 0x30),
	UD("GETSEC", 0x0f, 0x37),
	UD("XGETBV with CR4.OSXSAVE clear", 0x0f, 0x01, 0xd0),
	UD("SYSCALL with EFER.SCE clear", 0x0f, 0x05),
	UD("UD2", 0x0f, 0x0b),
	UD("LOCK NOP", 0xf0, 0x90),
	{ I("INVD", 0x0f, 0x08), .x = X_HLT },
	{ I("WBINVD", 0x0f, 0x09), .x = X_HLT },
	{ I("CPUID 0x4fffffff", 0x0f, 0xa2), .x = X_HLT, .rax = 0x4fffffff },
	{ I("CPUID 0xffffffff", 0x0f, 0xa2), .x = X_HLT, .rax = 0xffffffff },
	{ I("RDMSR EFER (known)", 0x0f, 0x32), .x = X_HLT, .ecx = 0xc0000080 },
	{ I("RDMSR TSC (known)", 0x0f, 0x32), .x = X_HLT, .ecx = 0x10 },
	{ I("WRMSR SYSENTER_EIP (known)", 0x0f, 0x30), .x = X_HLT, .ecx = 0x176, .rax = 0x1000 },
	{ I("RDMSR 0x12345678 (unknown)", 0x0f, 0x32), .x = X_EXC, .vec = 13, .ecx = 0x12345678 },
	{ I("WRMSR 0x12345678 (unknown)", 0x0f, 0x30), .x = X_EXC, .vec = 13, .ecx = 0x12345678 },
	{ I("RDMSR 0xc0010117 (VM_HSAVE_PA)", 0x0f, 0x32), .x = X_EXC, .vec = 13, .ecx = 0xc0010117 },
	{ I("WRMSR 0xc0010117 (VM_HSAVE_PA)", 0x0f, 0x30), .x = X_EXC, .vec = 13, .ecx = 0xc0010117 },
	{ I("RDMSR 0xc0010114 (VM_CR)", 0x0f, 0x32), .x = X_EXC, .vec = 13, .ecx = 0xc0010114 },
	{ I("WRMSR EFER with SVME", 0x0f, 0x30), .x = X_EXC, .vec = 13, .ecx = 0xc0000080, .rax = 0x1d00 },
	{ I("WRMSR EFER bit 63", 0x0f, 0x30), .x = X_EXC, .vec = 13, .ecx = 0xc0000080, .rax = 0x500, .rdx = 0x80000000 },
	{ I("WRMSR PAT with type 2", 0x0f, 0x30), .x = X_EXC, .vec = 13, .ecx = 0x277, .rax = 0x02020202, .rdx = 0x02020202 },
	/* FS_BASE is passed through: the CPU checks it (QEMU TCG does not) */
	{ I("WRMSR FS_BASE non-canonical (passed through)", 0x0f, 0x30), .x = X_ANY, .ecx = 0xc0000100, .rdx = 0x00008000 },
	{ I("WRMSR APIC_BASE reserved bits", 0x0f, 0x30), .x = X_EXC, .vec = 13, .ecx = 0x1b, .rax = 0xfee00fff },
	/* debug registers: emulated on per-vCPU copies, never the host's */
	{ I("MOV EAX, DR0", 0x0f, 0x21, 0xc0), .x = X_HLT },
	{ I("MOV DR7, EAX", 0x0f, 0x23, 0xf8), .x = X_HLT, .rax = 0x401 },
	{ I("MOV DR6, EAX", 0x0f, 0x23, 0xf0), .x = X_HLT },
	{ I("MOV DR0, RAX; MOV RCX, DR0", 0x0f, 0x23, 0xc0, 0x0f, 0x21, 0xc1),
	  .x = X_HLT, .rax = 0xffffffff81000000ull, .rcx_is = 0xffffffff81000000ull },
	{ I("MOV DR1, R9 (REX.B); MOV RCX, DR1", 0x41, 0x0f, 0x23, 0xc9, 0x0f, 0x21, 0xc9),
	  .x = X_HLT, .rax = 0x1234, .rcx_is = 0x1234 },
	{ I("MOV RCX, DR6 after reset", 0x0f, 0x21, 0xf1), .x = X_HLT,
	  .rcx_is = 0xffff0ff0 },
	{ I("MOV RCX, DR7 after reset", 0x0f, 0x21, 0xf9), .x = X_HLT,
	  .rcx_is = 0x400 },
	{ I("MOV DR7, RAX; MOV RCX, DR5 (DR7 alias)", 0x0f, 0x23, 0xf8, 0x0f, 0x21, 0xe9),
	  .x = X_HLT, .rax = 0x402, .rcx_is = 0x402 },
	{ I("INT3", 0xcc), .x = X_EXC, .vec = 3, .rip_off = 1 },
	/* INT1 is #DB on hardware; QEMU TCG raises #UD */
	{ I("ICEBP (INT1)", 0xf1), .x = X_EXC, .vec = 1, .vec2 = 6, .rip_off = ANY_RIP },
	{ I("INT 0x80 (gate to the interrupt counter)", 0xcd, 0x80), .x = X_HLT },
	{ I("CLTS", 0x0f, 0x06), .x = X_HLT },
	{ I("INVLPG [RAX]", 0x0f, 0x01, 0x38), .x = X_HLT, .rax = G_DATA },
	{ I("MOV CR8, RAX", 0x44, 0x0f, 0x22, 0xc0), .x = X_HLT, .rax = 5 },
	{ I("SWAPGS twice", 0x0f, 0x01, 0xf8, 0x0f, 0x01, 0xf8), .x = X_HLT },
	{ I("PAUSE", 0xf3, 0x90), .x = X_HLT },
	{ I("RDTSC", 0x0f, 0x31), .x = X_HLT },
	{ I("RDTSCP", 0x0f, 0x01, 0xf9), .x = X_ANY },
	{ I("RDPMC 0", 0x0f, 0x33), .x = X_ANY },
	{ I("SYSENTER in long mode", 0x0f, 0x34), .x = X_ANY },
	{ I("WBNOINVD (F3 0F 09: WBINVD where not supported)", 0xf3, 0x0f, 0x09), .x = X_HLT },
	{ I("CPUID with an operand-size prefix (66 0F A2)", 0x66, 0x0f, 0xa2), .x = X_HLT },
	{ I("RDMSR EFER with a segment prefix (2E 0F 32)", 0x2e, 0x0f, 0x32), .x = X_HLT, .ecx = 0xc0000080 },
	{ I("CLFLUSH [RAX]", 0x0f, 0xae, 0x38), .x = X_HLT, .rax = G_DATA },
	{ .name = "HLT", .x = X_HLT },
};
#define NR_PRIV	(int)(sizeof(priv_cases) / sizeof(priv_cases[0]))

static void test_privileged(void)
{
	struct hv_vm *vm = &vm_main;
	const struct priv_case *c;
	struct hv_vcpu v;
	struct kvm_regs r;
	uint64_t rip;
	bool ok;
	int i;

	for (i = 0; i < NR_PRIV; i++) {
		c = &priv_cases[i];
		/* a fresh vCPU each time: nothing carries over */
		new_vcpu(&v);
		put_snippet(vm, SCR, c->b, c->len);
		setup_regs(&v, HV_LONG64, SCR, G_DATA, G_DATA, c->ecx);
		hv_get_regs(&v, &r);
		r.rax = c->rax;
		r.rdx = c->rdx;
		r.r9 = c->rax;
		hv_set_regs(&v, &r);
		switch (c->x) {
		case X_HLT:
			ok = hv_run_exit(&v, KVM_EXIT_HLT);
			rip = hv_rip(&v);
			if (ok && rip != SCR + c->len + 1) {
				tap_diag("RIP 0x%llx after the HLT, expected 0x%llx",
					 (unsigned long long)rip,
					 (unsigned long long)SCR + c->len + 1);
				ok = false;
			}
			if (ok && c->rcx_is) {
				hv_get_regs(&v, &r);
				if (r.rcx != c->rcx_is) {
					tap_diag("RCX 0x%llx, expected 0x%llx",
						 (unsigned long long)r.rcx,
						 (unsigned long long)c->rcx_is);
					ok = false;
				}
			}
			tap_result(ok, "privileged: %s executes (then HLT)", c->name);
			break;
		case X_EXC:
			ok = run_exception2(&v, c->vec, c->vec2,
					    c->rip_off == ANY_RIP ? ~0ULL :
					    SCR + c->rip_off);
			if (c->vec2)
				tap_result(ok, "privileged: %s -> vector %u (or %u) in the guest",
					   c->name, c->vec, c->vec2);
			else
				tap_result(ok, "privileged: %s -> vector %u in the guest",
					   c->name, c->vec);
			break;
		case X_INTERNAL:
			ok = hv_run_exit(&v, KVM_EXIT_INTERNAL_ERROR) &&
			     hv_rip(&v) == SCR;
			ok = ok && hv_run_exit(&v, KVM_EXIT_INTERNAL_ERROR);
			tap_result(ok, "privileged: %s -> KVM_EXIT_INTERNAL_ERROR (twice, RIP unchanged)",
				   c->name);
			break;
		case X_ANY:
			ok = hv_run(&v) == 0;
			tap_diag("%s: exit %s", c->name,
				 hv_exit_name(v.run->exit_reason));
			tap_result(ok, "privileged: %s -> KVM_RUN returns an exit (any)",
				   c->name);
			break;
		}
		hv_vcpu_free(&v);
	}
}

/* #DB with TF, a triple fault, an interrupt gate with IF clear. */
static void test_faults(void)
{
	struct hv_vcpu v;
	bool ok;

	new_vcpu(&v);
	setup_regs(&v, HV_LONG64, GUEST_trap_flag, 0, 0, 0);
	tap_result(run_exception(&v, 1, ~0ULL),
		   "faults: single step (EFLAGS.TF) -> #DB delivered to the guest");
	hv_vcpu_free(&v);

	new_vcpu(&v);
	setup_regs(&v, HV_LONG64, GUEST_triple_fault, 0, 0, 0);
	ok = hv_run_exit(&v, KVM_EXIT_SHUTDOWN);
	tap_result(ok, "faults: INT3 with an IDT of limit 0 -> triple fault -> KVM_EXIT_SHUTDOWN");
	/* running a shut-down vCPU again must not hurt the host either */
	tap_result(hv_run_for(&v, 5) != ENOTTY,
		   "faults: KVM_RUN after the shutdown returns");
	hv_vcpu_free(&v);
}

/* ---- MMIO decode ---- */

enum mmio_flag {
	M_RIPREL = 1,	/* disp32 at b[2] made RIP-relative to G_MMIO */
	M_MOFFS = 2,	/* 8-byte absolute address at b[moffs] */
	M_R8 = 4,	/* check R8 instead of RAX */
	M_DATA = 8,	/* check RAM at G_DATA + 0x100 instead of RAX */
};

struct mmio_case {
	const char *name;
	uint8_t len;
	uint8_t b[16];
	bool write;
	uint8_t size;
	uint32_t off;		/* expected GPA = G_MMIO + off */
	uint64_t val;		/* write: data; read: register after */
	unsigned int flags;
	uint8_t moffs;
	uint64_t rdi, rsi;	/* 0: G_MMIO */
	uint8_t exits;		/* REP forms: exits (default 1) */
};

#define B(...)	sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ }
#define M(n, ...)	.name = n, .len = sizeof((uint8_t[]){ __VA_ARGS__ }), \
		.b = { __VA_ARGS__ }

static const struct mmio_case mmio64[] = {
	{ M("MOV [RDI], AL", 0x88, 0x07), .write = true, .size = 1, .val = 0x88 },
	{ M("MOV [RDI], AH", 0x88, 0x27), .write = true, .size = 1, .val = 0x77 },
	{ M("MOV [RDI], AX", 0x66, 0x89, 0x07), .write = true, .size = 2, .val = 0x7788 },
	{ M("MOV [RDI], EAX", 0x89, 0x07), .write = true, .size = 4, .val = 0x55667788 },
	{ M("MOV [RDI], RAX", 0x48, 0x89, 0x07), .write = true, .size = 8, .val = RAX_INIT },
	{ M("MOV [RDI], R8B", 0x44, 0x88, 0x07), .write = true, .size = 1, .val = 0xa8 },
	{ M("MOV [RDI], R8", 0x4c, 0x89, 0x07), .write = true, .size = 8, .val = R8_INIT },
	{ M("MOV [RDI+8], EAX", 0x89, 0x47, 0x08), .write = true, .size = 4, .off = 8, .val = 0x55667788 },
	{ M("MOV [RDI+0x100], EAX", 0x89, 0x87, 0x00, 0x01, 0x00, 0x00), .write = true, .size = 4, .off = 0x100, .val = 0x55667788 },
	{ M("MOV [RDI+RCX], EAX (SIB)", 0x89, 0x04, 0x0f), .write = true, .size = 4, .off = 0x10, .val = 0x55667788 },
	{ M("MOV [RIP+disp32], EAX", 0x89, 0x05, 0, 0, 0, 0), .write = true, .size = 4, .val = 0x55667788, .flags = M_RIPREL },
	{ M("FS: MOV [RDI], EAX", 0x64, 0x89, 0x07), .write = true, .size = 4, .val = 0x55667788 },
	{ M("13 prefixes + MOV [RDI], EAX (15 bytes)", 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36, 0x2e, 0x3e, 0x26, 0x2e, 0x3e, 0x26, 0x2e, 0x89, 0x07), .write = true, .size = 4, .val = 0x55667788 },
	{ M("MOV [EDI], EAX (addr32)", 0x67, 0x89, 0x07), .write = true, .size = 4, .val = 0x55667788 },
	{ M("MOV BYTE [RDI], 0x5a", 0xc6, 0x07, 0x5a), .write = true, .size = 1, .val = 0x5a },
	{ M("MOV WORD [RDI], 0x1234", 0x66, 0xc7, 0x07, 0x34, 0x12), .write = true, .size = 2, .val = 0x1234 },
	{ M("MOV DWORD [RDI], imm32", 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12), .write = true, .size = 4, .val = 0x12345678 },
	{ M("MOV QWORD [RDI], -16", 0x48, 0xc7, 0x07, 0xf0, 0xff, 0xff, 0xff), .write = true, .size = 8, .val = 0xfffffffffffffff0ULL },
	{ M("MOVABS [moffs64], AL", 0xa2, 0, 0, 0, 0, 0, 0, 0, 0), .write = true, .size = 1, .val = 0x88, .flags = M_MOFFS, .moffs = 1 },
	{ M("MOVABS [moffs64], RAX", 0x48, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0), .write = true, .size = 8, .val = RAX_INIT, .flags = M_MOFFS, .moffs = 2 },
	{ M("STOSB", 0xaa), .write = true, .size = 1, .val = 0x88 },
	{ M("STOSD", 0xab), .write = true, .size = 4, .val = 0x55667788 },
	{ M("STOSQ", 0x48, 0xab), .write = true, .size = 8, .val = RAX_INIT },
	{ M("REP STOSD (RCX = 3)", 0xf3, 0xab), .write = true, .size = 4, .val = 0x55667788, .exits = 3 },
	{ M("MOVSD from RAM", 0xa5), .write = true, .size = 4, .val = 0xcafef00d, .rsi = G_DATA },
	{ M("MOV AL, [RDI]", 0x8a, 0x07), .write = false, .size = 1, .val = 0x11223344556677f1ULL },
	{ M("MOV AH, [RDI]", 0x8a, 0x27), .write = false, .size = 1, .val = 0x112233445566f188ULL },
	{ M("MOV AX, [RDI]", 0x66, 0x8b, 0x07), .write = false, .size = 2, .val = 0x11223344556622f1ULL },
	{ M("MOV EAX, [RDI]", 0x8b, 0x07), .write = false, .size = 4, .val = 0x443322f1 },
	{ M("MOV RAX, [RDI]", 0x48, 0x8b, 0x07), .write = false, .size = 8, .val = MMIO_DATA },
	{ M("MOV R8, [RDI]", 0x4c, 0x8b, 0x07), .write = false, .size = 8, .val = MMIO_DATA, .flags = M_R8 },
	{ M("MOVZX EAX, BYTE [RDI]", 0x0f, 0xb6, 0x07), .write = false, .size = 1, .val = 0xf1 },
	{ M("MOVZX EAX, WORD [RDI]", 0x0f, 0xb7, 0x07), .write = false, .size = 2, .val = 0x22f1 },
	{ M("MOVSX EAX, BYTE [RDI]", 0x0f, 0xbe, 0x07), .write = false, .size = 1, .val = 0xfffffff1 },
	{ M("MOVSX RAX, BYTE [RDI]", 0x48, 0x0f, 0xbe, 0x07), .write = false, .size = 1, .val = 0xfffffffffffffff1ULL },
	{ M("MOVSX EAX, WORD [RDI]", 0x0f, 0xbf, 0x07), .write = false, .size = 2, .val = 0x22f1 },
	{ M("MOVSXD RAX, [RDI]", 0x48, 0x63, 0x07), .write = false, .size = 4, .val = 0x443322f1 },
	{ M("MOVABS RAX, [moffs64]", 0x48, 0xa1, 0, 0, 0, 0, 0, 0, 0, 0), .write = false, .size = 8, .val = MMIO_DATA, .flags = M_MOFFS, .moffs = 2 },
	{ M("MOVSD to RAM", 0xa5), .write = false, .size = 4, .val = 0x443322f1, .flags = M_DATA, .rdi = G_DATA + 0x100, .rsi = G_MMIO },
};
#define NR_MMIO64	(int)(sizeof(mmio64) / sizeof(mmio64[0]))

/* Instructions with an MMIO operand that the decoder does not know. */
static const struct {
	const char *name;
	uint8_t len;
	uint8_t b[8];
} undecodable[] = {
	{ "ADD [RDI], EAX", B(0x01, 0x07) },
	{ "XCHG [RDI], EAX", B(0x87, 0x07) },
	{ "LOCK CMPXCHG [RDI], ECX", B(0xf0, 0x0f, 0xb1, 0x0f) },
	{ "CMPXCHG8B [RDI]", B(0x0f, 0xc7, 0x0f) },
	{ "PUSH [RDI]", B(0xff, 0x37) },
	{ "POP [RDI]", B(0x8f, 0x07) },
	{ "JMP [RDI]", B(0xff, 0x27) },
	{ "CALL [RDI]", B(0xff, 0x17) },
	{ "MOVUPS [RDI], XMM0", B(0x0f, 0x11, 0x07) },
	{ "MOVUPS XMM0, [RDI]", B(0x0f, 0x10, 0x07) },
	{ "MOVNTI [RDI], RAX", B(0x48, 0x0f, 0xc3, 0x07) },
	{ "FXSAVE [RDI]", B(0x0f, 0xae, 0x07) },
	{ "FLD DWORD [RDI]", B(0xd9, 0x07) },
	{ "BT [RDI], EAX", B(0x0f, 0xa3, 0x07) },
	{ "TEST BYTE [RDI], 1", B(0xf6, 0x07, 0x01) },
	{ "OR BYTE [RDI], 1", B(0x80, 0x0f, 0x01) },
	{ "INC DWORD [RDI]", B(0xff, 0x07) },
	{ "JMP RDI (execute from MMIO)", B(0xff, 0xe7) },
};
#define NR_UNDEC	(int)(sizeof(undecodable) / sizeof(undecodable[0]))

static bool mmio_exit_ok(struct hv_vcpu *v, bool write, uint8_t size,
			 uint64_t gpa, uint64_t val)
{
	struct kvm_run *run = v->run;
	uint64_t data = 0;

	if (!hv_run_exit(v, KVM_EXIT_MMIO))
		return false;
	memcpy(&data, run->mmio.data, size <= 8 ? size : 8);
	if (run->mmio.is_write == write && run->mmio.len == size &&
	    run->mmio.phys_addr == gpa && (!write || data == val))
		return true;
	tap_diag("mmio: %s len %u at 0x%llx data 0x%llx; expected %s len %u at 0x%llx data 0x%llx",
		 run->mmio.is_write ? "write" : "read", run->mmio.len,
		 (unsigned long long)run->mmio.phys_addr,
		 (unsigned long long)data, write ? "write" : "read", size,
		 (unsigned long long)gpa, (unsigned long long)(write ? val : 0));
	return false;
}

static void test_mmio64(void)
{
	struct hv_vm *vm = &vm_main;
	const struct mmio_case *c;
	uint8_t b[32];
	struct hv_vcpu v;
	struct kvm_regs r;
	uint64_t got, a;
	int i, k, n;
	bool ok;

	for (i = 0; i < NR_MMIO64; i++) {
		c = &mmio64[i];
		new_vcpu(&v);
		*(uint32_t *)(vm->mem + G_DATA) = 0xcafef00d;
		memcpy(b, c->b, c->len);
		if (c->flags & M_RIPREL) {
			int32_t d = G_MMIO - (SCR + c->len);

			memcpy(b + 2, &d, 4);
		}
		if (c->flags & M_MOFFS) {
			a = G_MMIO;
			memcpy(b + c->moffs, &a, 8);
		}
		put_snippet(vm, SCR, b, c->len);
		setup_regs(&v, HV_LONG64, SCR, c->rdi ? c->rdi : G_MMIO,
			   c->rsi ? c->rsi : G_MMIO, c->exits ? c->exits : 0x10);
		ok = true;
		n = c->exits ? c->exits : 1;
		for (k = 0; k < n && ok; k++) {
			ok = mmio_exit_ok(&v, c->write, c->size,
					  G_MMIO + c->off + k * c->size, c->val);
			if (!c->write)
				memcpy(v.run->mmio.data, &(uint64_t){ MMIO_DATA }, 8);
		}
		ok = ok && hv_run_exit(&v, KVM_EXIT_HLT);
		if (ok && !c->write) {
			hv_get_regs(&v, &r);
			got = c->flags & M_R8 ? r.r8 :
			      c->flags & M_DATA ? *(uint32_t *)(vm->mem + G_DATA + 0x100) :
			      r.rax;
			if (got != c->val) {
				tap_diag("after the read: 0x%llx, expected 0x%llx",
					 (unsigned long long)got,
					 (unsigned long long)c->val);
				ok = false;
			}
		}
		if (ok && c->exits) {
			hv_get_regs(&v, &r);
			ok = r.rcx == 0;
			if (!ok)
				tap_diag("RCX %llu after REP, expected 0",
					 (unsigned long long)r.rcx);
		}
		tap_result(ok, "MMIO 64-bit: %s -> %s of %u byte%s at G_MMIO+0x%x%s",
			   c->name, c->write ? "write" : "read", c->size,
			   c->size > 1 ? "s" : "", c->off,
			   n > 1 ? " (one exit per element)" : "");
		hv_vcpu_free(&v);
	}

	for (i = 0; i < NR_UNDEC; i++) {
		new_vcpu(&v);
		put_snippet(vm, SCR, undecodable[i].b, undecodable[i].len);
		setup_regs(&v, HV_LONG64, SCR, G_MMIO, G_MMIO, 1);
		ok = hv_run_exit(&v, KVM_EXIT_INTERNAL_ERROR) &&
		     v.run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION;
		if (!ok)
			hv_diag_exit(&v);
		tap_result(ok, "MMIO 64-bit: %s -> KVM_EXIT_INTERNAL_ERROR (emulation)",
			   undecodable[i].name);
		hv_vcpu_free(&v);
	}
}

/* 32-bit protected mode without paging, and real mode (16-bit forms). */
static const struct {
	const char *name;
	enum hv_mode mode;
	uint8_t len;
	uint8_t b[8];
	bool write;
	uint8_t size;
	uint64_t val;
	uint8_t exits;
} legacy[] = {
		{ M("32-bit: MOV [EDI], EAX", 0x89, 0x07), .mode = HV_PROT32, .write = true, .size = 4, .val = 0x55667788 },
		{ M("32-bit: MOV [EDI], AX", 0x66, 0x89, 0x07), .mode = HV_PROT32, .write = true, .size = 2, .val = 0x7788 },
		{ M("32-bit: MOV EAX, [EDI]", 0x8b, 0x07), .mode = HV_PROT32, .write = false, .size = 4, .val = 0x443322f1 },
		{ M("32-bit: MOVZX EAX, BYTE [EDI]", 0x0f, 0xb6, 0x07), .mode = HV_PROT32, .write = false, .size = 1, .val = 0xf1 },
		{ M("32-bit: MOV [moffs32], EAX", 0xa3, 0, 0, 0xf0, 0x3f), .mode = HV_PROT32, .write = true, .size = 4, .val = 0x55667788 },
		{ M("32-bit: REP MOVSD from RAM (ECX = 2)", 0xf3, 0xa5), .mode = HV_PROT32, .write = true, .size = 4, .val = 0xcafef00d, .exits = 2 },
		{ M("16-bit: MOV [BX], AX", 0x89, 0x07), .mode = HV_REAL, .write = true, .size = 2, .val = 0x7788 },
		{ M("16-bit: MOV [BX], EAX", 0x66, 0x89, 0x07), .mode = HV_REAL, .write = true, .size = 4, .val = 0x55667788 },
		{ M("16-bit: MOV [BX], AL", 0x88, 0x07), .mode = HV_REAL, .write = true, .size = 1, .val = 0x88 },
		{ M("16-bit: MOV AX, [BX]", 0x8b, 0x07), .mode = HV_REAL, .write = false, .size = 2, .val = 0x22f1 },
		{ M("16-bit: MOV WORD [BX], 0x1234", 0xc7, 0x07, 0x34, 0x12), .mode = HV_REAL, .write = true, .size = 2, .val = 0x1234 },
		{ M("16-bit: MOV [0x8000], AX (moffs16)", 0xa3, 0x00, 0x80), .mode = HV_REAL, .write = true, .size = 2, .val = 0x7788 },
		{ M("16-bit: MOV [EBX], AX (addr32)", 0x67, 0x89, 0x03), .mode = HV_REAL, .write = true, .size = 2, .val = 0x7788 },
		{ M("16-bit: MOVZX AX, BYTE [BX]", 0x0f, 0xb6, 0x07), .mode = HV_REAL, .write = false, .size = 1, .val = 0xf1 },
		{ M("16-bit: STOSW", 0xab), .mode = HV_REAL, .write = true, .size = 2, .val = 0x7788 },
};
#define NR_LEGACY	(int)(sizeof(legacy) / sizeof(legacy[0]))

static void test_mmio_legacy(void)
{
	struct hv_vm rvm;
	struct hv_vm *m;
	struct kvm_sregs s;
	struct kvm_regs r;
	struct hv_vcpu v;
	unsigned int k, n;
	uint64_t mmio, got;
	bool ok;
	int i;

	/* real mode needs MMIO below 1 MiB: a VM with 512 KiB of RAM */
	hv_vm_new(&rvm, sys, 0x80000);
	for (i = 0; i < NR_LEGACY; i++) {
		bool real = legacy[i].mode == HV_REAL;

		m = real ? &rvm : &vm_main;
		mmio = real ? 0xb8000 : G_MMIO;
		if (real)
			hv_vcpu_new(m, &v, i);
		else
			new_vcpu(&v);
		*(uint32_t *)(m->mem + G_DATA) = 0xcafef00d;
		*(uint32_t *)(m->mem + G_DATA + 4) = 0xcafef00d;
		put_snippet(m, real ? SCR16 : SCR, legacy[i].b, legacy[i].len);
		setup_regs(&v, legacy[i].mode, real ? SCR16 : SCR,
			   real ? 0x8000 : G_MMIO, G_DATA,
			   legacy[i].exits ? legacy[i].exits : 0x10);
		if (real) {
			hv_get_sregs(&v, &s);
			s.ds.selector = s.es.selector = 0xb000;
			s.ds.base = s.es.base = 0xb0000;
			if (ioctl(v.fd, KVM_SET_SREGS, &s))
				tap_bail("KVM_SET_SREGS: %s", hv_errname(errno));
			hv_get_regs(&v, &r);
			r.rdi = 0x8000;
			r.rsi = 0;
			hv_set_regs(&v, &r);
		}
		ok = true;
		n = legacy[i].exits ? legacy[i].exits : 1;
		for (k = 0; k < n && ok; k++) {
			ok = mmio_exit_ok(&v, legacy[i].write, legacy[i].size,
					  mmio + k * legacy[i].size, legacy[i].val);
			if (!legacy[i].write)
				memcpy(v.run->mmio.data, &(uint64_t){ MMIO_DATA }, 8);
		}
		ok = ok && hv_run_exit(&v, KVM_EXIT_HLT);
		if (ok && !legacy[i].write) {
			hv_get_regs(&v, &r);
			got = r.rax & (real ? 0xffff : 0xffffffff);
			if (got != legacy[i].val) {
				tap_diag("after the read: 0x%llx, expected 0x%llx",
					 (unsigned long long)got,
					 (unsigned long long)legacy[i].val);
				ok = false;
			}
		}
		tap_result(ok, "MMIO %s -> %s of %u bytes at 0x%llx", legacy[i].name,
			   legacy[i].write ? "write" : "read", legacy[i].size,
			   (unsigned long long)mmio);
		hv_vcpu_free(&v);
	}
	hv_vm_free(&rvm);
}

/* ---- every kind of guest-physical address ---- */

static void map_high(struct hv_vm *vm)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + G_PML4);
	uint64_t *pdpt = (uint64_t *)(vm->mem + G_PDPT);
	uint64_t *hi = (uint64_t *)(vm->mem + PDPT_HI);
	uint64_t *top = (uint64_t *)(vm->mem + PDPT_TOP);
	uint64_t i;

	/* 1 GiB pages: [1 GiB, 512 GiB), [512 GiB, 1 TiB), [1 TiB, 1.5 TiB) */
	for (i = 1; i < 512; i++)
		pdpt[i] = (i << 30) | 0x83;
	for (i = 0; i < 512; i++) {
		hi[i] = ((512 + i) << 30) | 0x83;
		top[i] = ((1024 + i) << 30) | 0x83;
	}
	pml4[1] = PDPT_HI | 3;
	pml4[2] = PDPT_TOP | 3;
}

static const struct {
	const char *name;
	uint64_t gpa;
	int slot;	/* RAM of slot n (1..3), -1 MMIO, -2 MMIO or #PF */
} gpas[] = {
		{ "1 GiB - 8 (just below slot 1)", SLOT1_GPA - 8, -1 },
		{ "1 GiB (first byte of slot 1)", SLOT1_GPA, 1 },
		{ "1 GiB + 64 KiB - 8 (last bytes of slot 1)", SLOT1_GPA + SLOT_SIZE - 8, 1 },
		{ "1 GiB + 64 KiB (just above slot 1)", SLOT1_GPA + SLOT_SIZE, -1 },
		{ "1.5 GiB (between slots 1 and 2)", 0x60000000, -1 },
		{ "2 GiB + 0x100 (inside slot 2)", SLOT2_GPA + 0x100, 2 },
		{ "0xfee00000 (the xAPIC page)", 0xfee00000, -1 },
		{ "0xfffffff0 (the reset vector)", 0xfffffff0, -1 },
		{ "4 GiB", 0x100000000ULL, -1 },
		{ "64 GiB", 0x1000000000ULL, -1 },
		{ "512 GiB - 8", (512ULL << 30) - 8, -1 },
		{ "512 GiB", 512ULL << 30, -1 },
		{ "1 TiB - 64 KiB (slot 3, the highest allowed)", SLOT3_GPA, 3 },
		{ "1 TiB - 8 (last bytes of slot 3)", (1ULL << 40) - 8, 3 },
		{ "1 TiB (beyond the slot limit)", 1ULL << 40, -2 },
		{ "1 TiB + 4 GiB", (1ULL << 40) + (4ULL << 30), -2 },
		{ "1.5 TiB - 8", (1536ULL << 30) - 8, -2 },
};
#define NR_GPAS	(int)(sizeof(gpas) / sizeof(gpas[0]))

static void test_gpa(void)
{
	struct hv_vm *vm = &vm_main;
	static const uint8_t load[] = { 0x48, 0x8b, 0x07 };	/* mov rax, [rdi] */
	static const uint8_t store[] = { 0x48, 0x89, 0x07 };	/* mov [rdi], rax */
	struct hv_vcpu v;
	struct kvm_regs r;
	unsigned int w;
	uint64_t ram;
	uint8_t *p;
	bool ok;
	int i;

	for (i = 0; i < NR_GPAS; i++) {
		for (w = 0; w < 2; w++) {
			new_vcpu(&v);
			put_snippet(vm, SCR, w ? store : load, 3);
			setup_regs(&v, HV_LONG64, SCR, gpas[i].gpa, 0, 0);
			if (gpas[i].slot > 0) {
				p = slot_mem[gpas[i].slot - 1] +
				    (gpas[i].gpa & (SLOT_SIZE - 1));
				memcpy(p, &(uint64_t){ 0x0123456789abcdefULL }, 8);
				ok = hv_run_exit(&v, KVM_EXIT_HLT);
				hv_get_regs(&v, &r);
				memcpy(&ram, p, 8);
				ok = ok && (w ? ram == RAX_INIT :
					    r.rax == 0x0123456789abcdefULL);
				tap_result(ok, "GPA %s: %s reaches slot %d's memory",
					   gpas[i].name, w ? "store" : "load",
					   gpas[i].slot);
			} else {
				ok = hv_run(&v) == 0;
				if (ok && v.run->exit_reason == KVM_EXIT_MMIO) {
					ok = v.run->mmio.phys_addr == gpas[i].gpa &&
					     v.run->mmio.len == 8 &&
					     v.run->mmio.is_write == w;
					if (!w && ok) {
						memcpy(v.run->mmio.data,
						       &(uint64_t){ 7 }, 8);
						ok = hv_run_exit(&v, KVM_EXIT_HLT);
					}
				} else if (ok && gpas[i].slot == -2 &&
					   v.run->exit_reason == KVM_EXIT_IO &&
					   v.run->io.port == 0xe0) {
					/* the guest's MAXPHYADDR is below: #PF */
					ok = hv_io_data(&v) == 14;
					tap_diag("GPA %s: guest #PF (beyond its MAXPHYADDR)",
						 gpas[i].name);
				} else {
					ok = false;
				}
				if (!ok)
					hv_diag_exit(&v);
				tap_result(ok, "GPA %s: %s -> KVM_EXIT_MMIO at that address%s",
					   gpas[i].name, w ? "store" : "load",
					   gpas[i].slot == -2 ? " (or a guest #PF)" : "");
			}
			hv_vcpu_free(&v);
		}
	}
}

/* ---- interrupt storms ---- */

static bool bitmap_any(const __u64 *b)
{
	unsigned int i;

	for (i = 0; i < (KVM_NR_INTERRUPTS + 63) / 64; i++)
		if (b[i])
			return true;
	return false;
}

static void test_storm(void)
{
	volatile uint32_t *count, *last;
	struct kvm_interrupt irq;
	struct kvm_sregs s;
	struct kvm_regs r;
	struct hv_vcpu v;
	unsigned int i, n, k, vec = 0;
	int err = 0;
	bool ok;

	new_vcpu(&v);
	count = (uint32_t *)(vm_main.mem + G_DATA);
	last = (uint32_t *)(vm_main.mem + G_DATA + 4);
	setup_regs(&v, HV_LONG64, GUEST_storm_hlt, 0, 0, 0);
	*count = 0;
	ok = hv_run_exit(&v, KVM_EXIT_HLT);
	for (i = 0; i < STORM_HLT && ok; i++) {
		irq.irq = vec = 32 + i % 224;
		ok = !ioctl(v.fd, KVM_INTERRUPT, &irq) &&
		     hv_run_exit(&v, KVM_EXIT_HLT);
	}
	if (!tap_result(ok && *count == STORM_HLT && *last == vec,
			"storm: %d KVM_INTERRUPTs into a halting guest, each delivered once",
			STORM_HLT))
		tap_diag("after %u: guest counted %u, last vector %u (expected %u)",
			 i, *count, *last, vec);

	/*
	 * A guest spinning with IF set, stopped by a 2 ms timer each time.
	 * The timer may fire before the vCPU enters (a slow emulator): the
	 * vector then stays pending and KVM_INTERRUPT says EEXIST, as KVM's
	 * does, until a later run delivers it.  So queue until STORM_SPIN
	 * were accepted (in at most 2 * STORM_SPIN runs), then run until
	 * nothing is pending.
	 */
	setup_regs(&v, HV_LONG64, GUEST_storm_spin, 0, 0, 0);
	*count = 0;
	for (i = 0, n = 0, ok = true; n < STORM_SPIN && ok; i++) {
		irq.irq = 32 + n % 224;
		if (!ioctl(v.fd, KVM_INTERRUPT, &irq))
			n++;
		else if (errno != EEXIST)
			ok = false;
		err = hv_run_ms(v.fd, 2);
		ok = ok && err == EINTR && i < 2 * STORM_SPIN;
	}
	for (k = 0; ok && k < 10; k++) {
		hv_get_sregs(&v, &s);
		if (!bitmap_any(s.interrupt_bitmap))
			break;
		hv_run_ms(v.fd, 2);
	}
	if (!tap_result(ok && *count == STORM_SPIN,
			"storm: %d KVM_INTERRUPTs into a spinning guest, each delivered once",
			STORM_SPIN))
		tap_diag("after %u runs, %u accepted: guest counted %u, last KVM_RUN %s, KVM_INTERRUPT %s",
			 i, n, *count, hv_errname(err), hv_errname(errno));

	/* IF clear: the vector stays pending, a second one is refused */
	setup_regs(&v, HV_LONG64, GUEST_storm_cli, 0, 0, 0);
	*count = 0;
	irq.irq = 0x40;
	hv_check(ioctl(v.fd, KVM_INTERRUPT, &irq), 0,
		 "storm: KVM_INTERRUPT(0x40) into a guest with IF clear");
	v.run->request_interrupt_window = 1;
	err = hv_run_ms(v.fd, 50);
	v.run->request_interrupt_window = 0;
	hv_get_sregs(&v, &s);
	ok = err == EINTR && *count == 0 &&
	     (s.interrupt_bitmap[0x40 / 64] & (1ULL << (0x40 % 64)));
	if (!tap_result(ok, "storm: IF clear: vector not delivered, still pending in interrupt_bitmap"))
		tap_diag("KVM_RUN %s, count %u", hv_errname(err), *count);
	irq.irq = 0x41;
	hv_check(ioctl(v.fd, KVM_INTERRUPT, &irq), EEXIST,
		 "storm: a second KVM_INTERRUPT while one is pending -> EEXIST");
	irq.irq = 256;
	hv_check(ioctl(v.fd, KVM_INTERRUPT, &irq), EINVAL,
		 "storm: KVM_INTERRUPT(256) -> EINVAL");
	hv_get_regs(&v, &r);
	r.rip = GUEST_storm_spin;
	hv_set_regs(&v, &r);
	err = hv_run_ms(v.fd, 50);
	if (!tap_result(err == EINTR && *count == 1 && *last == 0x40,
			"storm: IF set again (STI): the pending vector 0x40 is delivered"))
		tap_diag("KVM_RUN %s, count %u, last vector 0x%x", hv_errname(err),
			 *count, *last);

	/* exception vectors and the ones the guest has no gate for, as IRQs */
	ok = true;
	for (i = 0; i < 32 && ok; i++) {
		hv_vcpu_free(&v);
		new_vcpu(&v);
		setup_regs(&v, HV_LONG64, GUEST_storm_hlt, 0, 0, 0);
		ok = hv_run_exit(&v, KVM_EXIT_HLT);
		irq.irq = i;
		ok = ok && !ioctl(v.fd, KVM_INTERRUPT, &irq) &&
		     hv_run_for(&v, 5) == 0;
	}
	tap_result(ok, "storm: vectors 0..31 injected as interrupts: KVM_RUN returns an exit each time");
	hv_vcpu_free(&v);
}

#define NR_TESTS	(4 + NR_PRIV + 3 + NR_MMIO64 + NR_UNDEC + NR_LEGACY + \
			 2 * NR_GPAS + 8 + 2)

int main(void)
{
	struct hvmod_info info;
	struct hv_kmsg km;
	bool kmsg_ok;
	int i, n;

	sys = hv_x86_open();
	tap_plan(NR_TESTS);
	kmsg_ok = !hv_kmsg_mark(&km);
	for (i = 0; i < 3; i++) {
		slot_mem[i] = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (slot_mem[i] == MAP_FAILED)
			tap_bail("setup: mmap: %s", hv_errname(errno));
	}

	test_hammer();
	test_privileged();
	test_faults();
	test_mmio64();
	test_mmio_legacy();
	test_gpa();
	test_storm();

	hv_vm_free(&vm_main);
	for (i = 0; i < 3; i++)
		munmap(slot_mem[i], SLOT_SIZE);
	if (hv_get_info(sys, &info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	hv_expect_idle(&info.counts, "every VM closed: all counts 0");
	if (!kmsg_ok) {
		tap_skip("kernel log unreadable",
			 "kernel log: no BUG/WARNING/Oops/Call Trace/general protection");
	} else {
		n = hv_kmsg_problems(&km);
		tap_result(n == 0,
			   "kernel log: no BUG/WARNING/Oops/Call Trace/general protection");
		hv_kmsg_close(&km);
	}
	return tap_finish();
}

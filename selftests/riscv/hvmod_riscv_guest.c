// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64 guests on /dev/hvmod through KVM's riscv ABI: KVM_GET/SET_ONE_REG
 * (config, core, CSR ids; bad ids), KVM_GET_REG_LIST, then one VS-mode guest that does MMIO
 * stores of each size, MMIO loads (sign and zero extension), a store and
 * load on RAM (G-stage fault filled in the kernel), SBI base and legacy
 * console calls, and SBI SRST shutdown -> KVM_EXIT_SYSTEM_EVENT; then a
 * second guest with the compressed loads and stores on MMIO; then a third
 * whose MMIO load and SBI call are answered by a KVM_RUN with
 * immediate_exit, which finishes them before it fails with EINTR (as KVM).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "hvmod_util.h"
#include "rv_guest_asm.h"
#include "tap.h"

#define G_RAM		0x80000000ULL
#define G_RAM_SIZE	(2UL << 20)
#define G_MMIO		0x10000000ULL
#define G_DATA		(G_RAM + 0x1000)
#define PATTERN		0x1122334455667788ULL

#define CORE(r)		(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | \
			 KVM_REG_RISCV_CORE_REG(r))
#define CSR(r)		(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CSR | \
			 KVM_REG_RISCV_CSR_REG(r))
#define CONFIG(r)	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CONFIG | \
			 KVM_REG_RISCV_CONFIG_REG(r))

/* The guest, position independent, uncompressed: copied to G_RAM. */
extern const unsigned char guest_start[], guest_end[];
asm(RV_GUEST_BEGIN(guest_start)
    "	li	t0, 0x10000000\n"
    "	li	t1, 0x1122334455667788\n"
    "	sb	t1, 0(t0)\n"
    "	sh	t1, 0(t0)\n"
    "	sw	t1, 0(t0)\n"
    "	sd	t1, 0(t0)\n"
    "	lw	a2, 8(t0)\n"
    "	ld	a3, 16(t0)\n"
    "	lbu	a4, 24(t0)\n"
    "	li	t2, 0x80001000\n"
    "	sd	t1, 0(t2)\n"
    "	ld	a5, 0(t2)\n"
    "	li	a7, 0x10\n"		/* SBI base: get_spec_version */
    "	li	a6, 0\n"
    "	ecall\n"
    "	mv	s2, a0\n"
    "	mv	s3, a1\n"
    "	li	a7, 1\n"		/* legacy console_putchar('H') */
    "	li	a0, 0x48\n"
    "	ecall\n"
    "	mv	s4, a0\n"
    "	li	a7, 0x53525354\n"	/* SRST: shutdown, reason 0 */
    "	li	a6, 0\n"
    "	li	a0, 0\n"
    "	li	a1, 0\n"
    "	ecall\n"
    "1:	j	1b\n"
    RV_GUEST_END(guest_end));

/*
 * The compressed loads and stores (C.SW, C.SD, C.LW, C.LD) on MMIO: the
 * exit decodes them whether the hart reports a transformed instruction
 * in htinst or hvmod reads the 16 bits at sepc, and steps over 2 bytes.
 */
extern const unsigned char cguest_start[], cguest_end[];
asm(".pushsection .rodata\n"
    ".option push\n"
    ".option rvc\n"
    ".balign 4\n"
    "cguest_start:\n"
    "	li	a0, 0x10000000\n"
    "	li	a1, 0x1122334455667788\n"
    "	c.sw	a1, 0(a0)\n"
    "	c.sd	a1, 8(a0)\n"
    "	c.lw	a2, 16(a0)\n"
    "	c.ld	a3, 24(a0)\n"
    "	li	a7, 0x53525354\n"	/* SRST: shutdown */
    "	li	a6, 0\n"
    "	li	a0, 0\n"
    "	li	a1, 0\n"
    "	ecall\n"
    "1:	j	1b\n"
    RV_GUEST_END(cguest_end));

/*
 * An MMIO load, stored back; a legacy console_putchar whose a0/a1 (from
 * the VMM's ret[]) are stored too: the VMM answers both with
 * immediate_exit set and sees each value once.
 */
extern const unsigned char ieguest_start[], ieguest_load[], ieguest_end[];
asm(RV_GUEST_BEGIN(ieguest_start)
    "	li	t0, 0x10000000\n"
    "ieguest_load:\n"
    "	ld	a2, 0(t0)\n"
    "	sd	a2, 8(t0)\n"
    "	li	a7, 1\n"		/* legacy console_putchar('I') */
    "	li	a0, 0x49\n"
    "	ecall\n"
    "	sd	a0, 16(t0)\n"
    "	sd	a1, 24(t0)\n"
    "	li	a7, 0x53525354\n"	/* SRST: shutdown */
    "	li	a6, 0\n"
    "	li	a0, 0\n"
    "	li	a1, 0\n"
    "	ecall\n"
    "1:	j	1b\n"
    RV_GUEST_END(ieguest_end));

static const char *exit_name(unsigned int r)
{
	switch (r) {
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SYSTEM_EVENT: return "SYSTEM_EVENT";
	case KVM_EXIT_RISCV_SBI: return "RISCV_SBI";
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "other";
	}
}

/* KVM_RUN once; true if it returned 0 with exit_reason want. */
static bool run_until(int vcpu, struct kvm_run *run, unsigned int want)
{
	int r = ioctl(vcpu, KVM_RUN, 0);

	if (r) {
		tap_diag("KVM_RUN: %s", hv_errname(errno));
		return false;
	}
	if (run->exit_reason != want) {
		tap_diag("exit %u (%s), want %u (%s); hw 0x%llx", run->exit_reason,
			 exit_name(run->exit_reason), want, exit_name(want),
			 (unsigned long long)run->hw.hardware_exit_reason);
		return false;
	}
	return true;
}

static void test_one_reg(int vcpu)
{
	uint64_t v = 0xdead;

	hv_check(hv_get_one_reg(vcpu, CORE(regs.pc), &v), 0, "GET_ONE_REG core pc");
	hv_expect_eq(v, 0, "pc is 0 after reset");
	hv_check(hv_get_one_reg(vcpu, CORE(regs.a0), &v), 0, "GET_ONE_REG core a0");
	hv_expect_eq(v, 0, "a0 = hart id 0 after reset");
	hv_check(hv_get_one_reg(vcpu, CORE(mode), &v), 0, "GET_ONE_REG core mode");
	hv_expect_eq(v, KVM_RISCV_MODE_S, "mode is S after reset");
	hv_check(hv_set_one_reg64(vcpu, CORE(regs.t6), 0x123456789abcdef0ULL), 0,
		 "SET_ONE_REG core t6");
	hv_get_one_reg(vcpu, CORE(regs.t6), &v);
	hv_expect_eq(v, 0x123456789abcdef0ULL, "t6 round trip");
	hv_check(hv_set_one_reg64(vcpu, CSR(sscratch), 0xabcdULL), 0, "SET_ONE_REG csr sscratch");
	v = 0;
	hv_get_one_reg(vcpu, CSR(sscratch), &v);
	hv_expect_eq(v, 0xabcd, "sscratch round trip");
	hv_check(hv_get_one_reg(vcpu, CONFIG(isa), &v), 0, "GET_ONE_REG config isa");
	tap_result((v & (1 << ('i' - 'a'))) && !(v & (1 << ('h' - 'a'))),
		   "config isa has I and no H (0x%llx)", (unsigned long long)v);
	hv_check(hv_set_one_reg64(vcpu, CONFIG(isa), v | (1 << ('h' - 'a'))), EINVAL,
		 "SET_ONE_REG config isa with H -> EINVAL");
	hv_check(hv_set_one_reg64(vcpu, CORE(mode), 7), EINVAL, "mode 7 -> EINVAL");
	hv_check(hv_get_one_reg(vcpu, KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | 33, &v),
		 EINVAL, "core index 33 -> EINVAL");
	hv_check(hv_get_one_reg(vcpu, KVM_REG_RISCV | KVM_REG_SIZE_U32 | KVM_REG_RISCV_CORE, &v),
		 EINVAL, "32-bit core id -> EINVAL");
	hv_check(hv_get_one_reg(vcpu, KVM_REG_RISCV | KVM_REG_SIZE_U64 | (0x7fULL << 24), &v),
		 EINVAL, "unknown register type -> EINVAL");
	hv_check(hv_get_one_reg(vcpu, KVM_REG_ARM64 | KVM_REG_SIZE_U64, &v), EINVAL,
		 "arm64 id -> EINVAL");
	hv_set_one_reg64(vcpu, CORE(regs.t6), 0);
}

/* KVM_GET_REG_LIST: E2BIG with the count, then ids that all read back */
static void test_reg_list(int vcpu)
{
	struct kvm_reg_list probe = { .n = 0 }, *list;
	uint64_t i, v, bad = 0;

	hv_check(ioctl(vcpu, KVM_GET_REG_LIST, &probe), E2BIG,
		 "KVM_GET_REG_LIST n=0 -> E2BIG");
	tap_result(probe.n >= 1 + 33 + 10, "reg list count %llu >= 44",
		   (unsigned long long)probe.n);
	list = calloc(1, sizeof(*list) + probe.n * sizeof(list->reg[0]));
	if (!list)
		tap_bail("calloc");
	list->n = probe.n;
	hv_check(ioctl(vcpu, KVM_GET_REG_LIST, list), 0, "KVM_GET_REG_LIST");
	for (i = 0; i < list->n; i++)
		if (hv_get_one_reg(vcpu, list->reg[i], &v)) {
			tap_diag("id 0x%llx: %s", (unsigned long long)list->reg[i],
				 hv_errname(errno));
			bad++;
		}
	tap_result(!bad, "every listed id reads with GET_ONE_REG");
	free(list);
}

static void test_guest(int vmfd, int vcpu, struct kvm_run *run)
{
	static const uint8_t sizes[] = { 1, 2, 4, 8 };
	struct kvm_userspace_memory_region mr;
	uint64_t v, want;
	void *mem;
	int i;

	mem = mmap(NULL, G_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		tap_result(false, "mmap guest RAM");
		return;
	}
	memcpy(mem, guest_start, guest_end - guest_start);
	mr = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = G_RAM,
		.memory_size = G_RAM_SIZE, .userspace_addr = (uintptr_t)mem };
	hv_check(ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &mr), 0,
		 "2 MiB of RAM at 0x%llx", G_RAM);
	hv_check(hv_set_one_reg64(vcpu, CORE(regs.pc), G_RAM), 0, "pc = 0x%llx", G_RAM);

	for (i = 0; i < 4; i++) {
		bool ok = run_until(vcpu, run, KVM_EXIT_MMIO);

		want = 0;
		memcpy(&want, &(uint64_t){ PATTERN }, sizes[i]);
		v = 0;
		memcpy(&v, run->mmio.data, sizes[i]);
		tap_result(ok && run->mmio.is_write && run->mmio.len == sizes[i] &&
			   run->mmio.phys_addr == G_MMIO && v == want,
			   "MMIO store of %u bytes at 0x%llx: data 0x%llx", sizes[i],
			   G_MMIO, (unsigned long long)want);
		if (!ok)
			goto out;
		tap_diag("got addr 0x%llx len %u write %u data 0x%llx",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len,
			 run->mmio.is_write, (unsigned long long)v);
	}
	/* lw: 0x80000001 sign-extends */
	tap_result(run_until(vcpu, run, KVM_EXIT_MMIO) && !run->mmio.is_write &&
		   run->mmio.len == 4 && run->mmio.phys_addr == G_MMIO + 8,
		   "MMIO load of 4 bytes at 0x%llx", G_MMIO + 8);
	memcpy(run->mmio.data, &(uint32_t){ 0x80000001 }, 4);
	tap_result(run_until(vcpu, run, KVM_EXIT_MMIO) && !run->mmio.is_write &&
		   run->mmio.len == 8 && run->mmio.phys_addr == G_MMIO + 16,
		   "MMIO load of 8 bytes at 0x%llx", G_MMIO + 16);
	memcpy(run->mmio.data, &(uint64_t){ 0xfedcba9876543210ULL }, 8);
	tap_result(run_until(vcpu, run, KVM_EXIT_MMIO) && !run->mmio.is_write &&
		   run->mmio.len == 1 && run->mmio.phys_addr == G_MMIO + 24,
		   "MMIO load of 1 byte at 0x%llx", G_MMIO + 24);
	run->mmio.data[0] = 0xff;

	tap_result(run_until(vcpu, run, KVM_EXIT_RISCV_SBI) &&
		   run->riscv_sbi.extension_id == 1 && run->riscv_sbi.args[0] == 'H',
		   "SBI console_putchar('H') -> KVM_EXIT_RISCV_SBI");
	run->riscv_sbi.ret[0] = 0;
	tap_result(run_until(vcpu, run, KVM_EXIT_SYSTEM_EVENT) &&
		   run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN,
		   "SBI SRST shutdown -> KVM_EXIT_SYSTEM_EVENT shutdown");

	hv_get_one_reg(vcpu, CORE(regs.a2), &v);
	hv_expect_eq(v, 0xffffffff80000001ULL, "lw result sign-extended");
	hv_get_one_reg(vcpu, CORE(regs.a3), &v);
	hv_expect_eq(v, 0xfedcba9876543210ULL, "ld result");
	hv_get_one_reg(vcpu, CORE(regs.a4), &v);
	hv_expect_eq(v, 0xff, "lbu result zero-extended");
	hv_get_one_reg(vcpu, CORE(regs.a5), &v);
	hv_expect_eq(v, PATTERN, "RAM store/load through the G-stage");
	hv_expect_eq(*(uint64_t *)((char *)mem + (G_DATA - G_RAM)), PATTERN,
		     "the guest's RAM store is in the VMM's memory");
	hv_get_one_reg(vcpu, CORE(regs.s2), &v);
	hv_expect_eq(v, 0, "SBI get_spec_version: error 0");
	hv_get_one_reg(vcpu, CORE(regs.s3), &v);
	hv_expect_eq(v, 0x01000000, "SBI spec version 1.0");
	hv_get_one_reg(vcpu, CORE(regs.s4), &v);
	hv_expect_eq(v, 0, "console_putchar returned userspace's ret[0]");
	hv_get_one_reg(vcpu, CORE(regs.pc), &v);
	tap_result(v > G_RAM && v < G_RAM + (guest_end - guest_start),
		   "pc after the shutdown ecall is inside the guest (0x%llx)",
		   (unsigned long long)v);
out:
	munmap(mem, G_RAM_SIZE);
}

/* A VM with one vCPU and G_RAM holding [start, end), pc at G_RAM. */
struct gvm {
	int vm, vcpu;
	struct kvm_run *run;
	void *mem;
};

static bool gvm_new(int sys, struct gvm *g, const unsigned char *start,
		    const unsigned char *end, const char *what)
{
	struct kvm_userspace_memory_region mr;

	g->vm = hv_create_vm(sys);
	g->vcpu = g->vm >= 0 ? hv_create_vcpu(g->vm, 0) : -1;
	g->run = g->vcpu >= 0 ? hv_map_run(g->vcpu, 8192, 0) : MAP_FAILED;
	g->mem = mmap(NULL, G_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_result(g->run != MAP_FAILED && g->mem != MAP_FAILED,
			"%s: another VM, vCPU, kvm_run and RAM", what))
		return false;
	memcpy(g->mem, start, end - start);
	mr = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = G_RAM,
		.memory_size = G_RAM_SIZE, .userspace_addr = (uintptr_t)g->mem };
	return hv_check(ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &mr), 0,
			"%s: RAM", what) &&
	       hv_check(hv_set_one_reg64(g->vcpu, CORE(regs.pc), G_RAM), 0,
			"%s: pc", what);
}

static void gvm_free(struct gvm *g)
{
	if (g->mem != MAP_FAILED)
		munmap(g->mem, G_RAM_SIZE);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
}

static void test_guest_rvc(int sys)
{
	struct kvm_run *run;
	struct gvm g;
	int vcpu;
	uint64_t v;

	if (!gvm_new(sys, &g, cguest_start, cguest_end, "rvc"))
		goto out;
	vcpu = g.vcpu;
	run = g.run;

	tap_result(run_until(vcpu, run, KVM_EXIT_MMIO) && run->mmio.is_write &&
		   run->mmio.len == 4 && run->mmio.phys_addr == G_MMIO &&
		   !memcmp(run->mmio.data, &(uint32_t){ 0x55667788 }, 4),
		   "c.sw on MMIO: 4 bytes 0x55667788 at 0x%llx", G_MMIO);
	tap_result(run_until(vcpu, run, KVM_EXIT_MMIO) && run->mmio.is_write &&
		   run->mmio.len == 8 && run->mmio.phys_addr == G_MMIO + 8 &&
		   !memcmp(run->mmio.data, &(uint64_t){ PATTERN }, 8),
		   "c.sd on MMIO: 8 bytes at 0x%llx", G_MMIO + 8);
	tap_result(run_until(vcpu, run, KVM_EXIT_MMIO) && !run->mmio.is_write &&
		   run->mmio.len == 4 && run->mmio.phys_addr == G_MMIO + 16,
		   "c.lw on MMIO: 4 bytes at 0x%llx", G_MMIO + 16);
	memcpy(run->mmio.data, &(uint32_t){ 0x80000002 }, 4);
	tap_result(run_until(vcpu, run, KVM_EXIT_MMIO) && !run->mmio.is_write &&
		   run->mmio.len == 8 && run->mmio.phys_addr == G_MMIO + 24,
		   "c.ld on MMIO: 8 bytes at 0x%llx", G_MMIO + 24);
	memcpy(run->mmio.data, &(uint64_t){ 0x0123456789abcdefULL }, 8);
	tap_result(run_until(vcpu, run, KVM_EXIT_SYSTEM_EVENT) &&
		   run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN,
		   "rvc: each step was 2 bytes: the guest reaches its SRST shutdown");
	hv_get_one_reg(vcpu, CORE(regs.a2), &v);
	hv_expect_eq(v, 0xffffffff80000002ULL, "c.lw result sign-extended");
	hv_get_one_reg(vcpu, CORE(regs.a3), &v);
	hv_expect_eq(v, 0x0123456789abcdefULL, "c.ld result");
out:
	gvm_free(&g);
}

/* KVM_RUN with immediate_exit: true if it failed with EINTR, exit kept */
static bool run_immediate(int vcpu, struct kvm_run *run, unsigned int want)
{
	int r, e;

	run->immediate_exit = 1;
	r = ioctl(vcpu, KVM_RUN, 0);
	e = errno;
	run->immediate_exit = 0;
	if (r != -1 || e != EINTR || run->exit_reason != want) {
		tap_diag("KVM_RUN: %d (%s), exit %s, want EINTR, exit %s", r,
			 r ? hv_errname(e) : "0", exit_name(run->exit_reason),
			 exit_name(want));
		return false;
	}
	return true;
}

/* The guest's 8-byte MMIO store at G_MMIO + off: its data, or false. */
static bool run_store(int vcpu, struct kvm_run *run, uint64_t off, uint64_t *val)
{
	if (!run_until(vcpu, run, KVM_EXIT_MMIO))
		return false;
	if (!run->mmio.is_write || run->mmio.len != 8 ||
	    run->mmio.phys_addr != G_MMIO + off) {
		tap_diag("MMIO %s of %u at 0x%llx, want a store of 8 at 0x%llx",
			 run->mmio.is_write ? "store" : "load", run->mmio.len,
			 (unsigned long long)run->mmio.phys_addr,
			 (unsigned long long)(G_MMIO + off));
		return false;
	}
	memcpy(val, run->mmio.data, 8);
	return true;
}

static void test_guest_immediate_exit(int sys)
{
	const uint64_t val = 0x0123456789abcdefULL;
	const uint64_t pc0 = G_RAM + (ieguest_load - ieguest_start);
	uint64_t a2 = 0, pc = 0, a0 = 0, a1 = 0, v = 0;
	struct kvm_run *run;
	struct gvm g;
	int vcpu;
	bool ok;

	if (!gvm_new(sys, &g, ieguest_start, ieguest_end, "immediate_exit"))
		goto out;
	vcpu = g.vcpu;
	run = g.run;

	ok = run_until(vcpu, run, KVM_EXIT_MMIO) && !run->mmio.is_write &&
	     run->mmio.len == 8 && run->mmio.phys_addr == G_MMIO;
	if (!tap_result(ok, "ld on MMIO: 8 bytes at 0x%llx", G_MMIO))
		goto out;
	memcpy(run->mmio.data, &val, 8);
	tap_result(run_immediate(vcpu, run, KVM_EXIT_MMIO),
		   "MMIO load answered, immediate_exit: EINTR, exit_reason still MMIO");
	hv_get_one_reg(vcpu, CORE(regs.a2), &a2);
	hv_get_one_reg(vcpu, CORE(regs.pc), &pc);
	tap_result(a2 == val && pc == pc0 + 4,
		   "after the EINTR: a2 = 0x%llx, pc 0x%llx past the ld at 0x%llx",
		   (unsigned long long)a2, (unsigned long long)pc,
		   (unsigned long long)pc0);
	/* a second immediate exit: nothing left to finish, nothing moves */
	ok = run_immediate(vcpu, run, KVM_EXIT_MMIO);
	hv_get_one_reg(vcpu, CORE(regs.a2), &a2);
	hv_get_one_reg(vcpu, CORE(regs.pc), &pc);
	tap_result(ok && a2 == val && pc == pc0 + 4,
		   "a second immediate_exit KVM_RUN: EINTR, a2 and pc unchanged");
	tap_result(run_store(vcpu, run, 8, &v) && v == val,
		   "resumed: the guest stores the loaded value back (0x%llx)",
		   (unsigned long long)v);

	ok = run_until(vcpu, run, KVM_EXIT_RISCV_SBI) &&
	     run->riscv_sbi.extension_id == 1 && run->riscv_sbi.args[0] == 'I';
	if (!tap_result(ok, "SBI console_putchar('I') -> KVM_EXIT_RISCV_SBI"))
		goto out;
	run->riscv_sbi.ret[0] = 0x1234;
	run->riscv_sbi.ret[1] = 0x5678;
	ok = run_immediate(vcpu, run, KVM_EXIT_RISCV_SBI);
	hv_get_one_reg(vcpu, CORE(regs.a0), &a0);
	hv_get_one_reg(vcpu, CORE(regs.a1), &a1);
	tap_result(ok && a0 == 0x1234 && a1 == 0x5678,
		   "SBI answered, immediate_exit: EINTR, exit kept, a0 0x%llx a1 0x%llx",
		   (unsigned long long)a0, (unsigned long long)a1);
	/* the VMM's ret[] must not be taken again: only the first answer counts */
	run->riscv_sbi.ret[0] = 0xdead;
	run->riscv_sbi.ret[1] = 0xbeef;
	ok = run_store(vcpu, run, 16, &a0) && run_store(vcpu, run, 24, &a1);
	tap_result(ok && a0 == 0x1234 && a1 == 0x5678,
		   "resumed: the guest stores a0 0x%llx, a1 0x%llx it got",
		   (unsigned long long)a0, (unsigned long long)a1);
	tap_result(run_until(vcpu, run, KVM_EXIT_SYSTEM_EVENT) &&
		   run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN,
		   "immediate_exit: the guest reaches its SRST shutdown");
out:
	gvm_free(&g);
}

int main(void)
{
	int sys, vm, vcpu;
	struct kvm_run *run;

	sys = hv_open_or_skip();
	tap_plan(68);
	vm = hv_create_vm(sys);
	if (!hv_check(vm, 0, "KVM_CREATE_VM"))
		return tap_finish();
	vcpu = hv_create_vcpu(vm, 0);
	if (!hv_check(vcpu, 0, "KVM_CREATE_VCPU 0"))
		return tap_finish();
	hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_ONE_REG), 1,
		     "KVM_CAP_ONE_REG = 1");
	run = hv_map_run(vcpu, 8192, 0);
	if (!tap_result(run != MAP_FAILED, "mmap kvm_run"))
		return tap_finish();
	test_one_reg(vcpu);
	test_reg_list(vcpu);
	test_guest(vm, vcpu, run);
	close(vcpu);
	close(vm);
	test_guest_rvc(sys);
	test_guest_immediate_exit(sys);
	close(sys);
	return tap_finish();
}

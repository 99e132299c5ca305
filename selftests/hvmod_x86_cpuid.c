// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: the capabilities of a guest-running backend, KVM_GET_SUPPORTED_CPUID
 * (E2BIG when nent is too small), KVM_SET_CPUID2/KVM_GET_CPUID2, and the
 * guest's CPUID answered from the vCPU's table: indexed leaves only for
 * their own index, zeros for absent leaves, a new table replaces the old
 * until the vCPU has run; after that only the same table (as KVM).
 * Also KVM_GET_TSC_KHZ, and KVM_GET/SET_MP_STATE without an in-kernel LAPIC
 * (as KVM: always RUNNABLE, a HLT exit included; other states EINVAL).
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ioctl.h>

#include "guest.h"
#include "x86_cpuid.sym.h"

HV_GUEST_BLOB(x86_cpuid);
_Static_assert(GUEST_guest_base == G_CODE, "payload not linked at G_CODE");

#define SIG	KVM_CPUID_FLAG_SIGNIFCANT_INDEX
#define ENT(f, i, fl, a, b, c, d) \
	{ .function = f, .index = i, .flags = fl, .eax = a, .ebx = b, .ecx = c, .edx = d }

static const struct kvm_cpuid_entry2 table[] = {
	ENT(0, 0, 0, 7, 0x6f6d7668, 0x55504374, 0x74736554),	/* "hvmodTestCPU" */
	ENT(1, 0, 0, 0x00a00f11, 0x01020304, 0x80000001, 0x178bfbff),
	ENT(7, 0, SIG, 1, 0x11110000, 0x22220000, 0x33330000),
	ENT(7, 1, SIG, 0, 0x44440000, 0x55550000, 0x66660000),
	ENT(0x40000000, 0, 0, 0x40000000, 0x6f6d7668, 0x73655464, 0x00000074),
	ENT(0x80000001, 0, 0, 0, 0, 0x00000121, 0x2fd3fbff),
};
#define NR_ENT		((int)ARRAY_SIZE(table))

static const struct query {
	uint32_t fn, idx;
	int ent;		/* table entry expected, -1: zeros */
	const char *why;
} queries[] = {
	{ 0, 0, 0, "leaf 0" },
	{ 1, 0x55, 1, "leaf 1 with ECX 0x55 (index not significant)" },
	{ 7, 0, 2, "leaf 7 index 0" },
	{ 7, 1, 3, "leaf 7 index 1" },
	{ 7, 2, -1, "leaf 7 index 2, not in the table: zeros" },
	{ 0x40000000, 0, 4, "leaf 0x40000000" },
	{ 0x12345, 0, -1, "leaf 0x12345, not in the table: zeros" },
	{ 0x80000001, 0, 5, "leaf 0x80000001" },
};
#define NR_Q		((int)ARRAY_SIZE(queries))
#define NR_TESTS	(11 + NR_Q + 4 + 3 + 3)

struct cpuid_buf {
	struct kvm_cpuid2 c;
	struct kvm_cpuid_entry2 e[260];
};

static struct cpuid_buf buf;

/* Runs the guest over n (EAX, ECX) pairs; checks each against want[]. */
static void guest_cpuid(struct hv_vm *vm, struct hv_vcpu *v, const struct query *q,
			int n, const struct kvm_cpuid_entry2 *tab)
{
	struct kvm_regs r;
	uint32_t got[4], want[4];
	int i, k;
	bool ok;

	for (i = 0; i < n; i++) {
		((uint32_t *)(vm->mem + G_DATA))[2 * i] = q[i].fn;
		((uint32_t *)(vm->mem + G_DATA))[2 * i + 1] = q[i].idx;
	}
	hv_vcpu_mode(v, HV_LONG64, GUEST_cpuid_entry);
	hv_get_regs(v, &r);
	r.rsi = n;
	hv_set_regs(v, &r);
	for (i = 0; i < n; i++) {
		const struct kvm_cpuid_entry2 *e = q[i].ent >= 0 ? &tab[q[i].ent] : NULL;

		want[0] = e ? e->eax : 0;
		want[1] = e ? e->ebx : 0;
		want[2] = e ? e->ecx : 0;
		want[3] = e ? e->edx : 0;
		ok = true;
		for (k = 0; k < 4; k++)
			ok = ok && hv_run_io(v, KVM_EXIT_IO_OUT, 4, 0x10 + k, &got[k]);
		if (!tap_result(ok && !memcmp(got, want, sizeof(got)),
				"guest CPUID(0x%x, 0x%x): %s", q[i].fn, q[i].idx, q[i].why))
			tap_diag("got %08x %08x %08x %08x, want %08x %08x %08x %08x",
				 got[0], got[1], got[2], got[3],
				 want[0], want[1], want[2], want[3]);
	}
	if (!hv_run_exit(v, KVM_EXIT_HLT))
		tap_diag("guest did not end with HLT");
}

static bool has_leaf(const struct cpuid_buf *b, uint32_t fn)
{
	uint32_t i;

	for (i = 0; i < b->c.nent; i++)
		if (b->e[i].function == fn)
			return true;
	return false;
}

/*
 * The bits KVM keeps up to date in the vCPU's table: leaf 0xD.0 EBX is
 * the XSAVE size for the vCPU's XCR0 (x87 only after creation: 512 + 64)
 * in KVM_GET_CPUID2 and for the guest; KVM_SET_CPUID2 after KVM_RUN
 * rewrites it too, so a table differing only there is the same table.
 */
static void test_runtime_bits(struct hv_vm *vm)
{
	static const struct kvm_cpuid_entry2 xtab = ENT(0xd, 0, SIG, 1, 0x1234, 0x1234, 0);
	static const struct kvm_cpuid_entry2 want = ENT(0xd, 0, SIG, 1, 576, 0x1234, 0);
	static const struct query qd = { 0xd, 0, 0, "leaf 0xD.0: EBX the XSAVE size for XCR0 (576)" };
	struct hv_vcpu v;

	hv_vcpu_new(vm, &v, 1);
	buf.c.nent = 1;
	buf.e[0] = xtab;
	if (ioctl(v.fd, KVM_SET_CPUID2, &buf))
		tap_bail("KVM_SET_CPUID2: %s", hv_errname(errno));
	memset(&buf, 0, sizeof(buf));
	buf.c.nent = 4;
	if (!tap_result(!ioctl(v.fd, KVM_GET_CPUID2, &buf) && buf.c.nent == 1 &&
			!memcmp(&buf.e[0], &want, sizeof(want)),
			"KVM_GET_CPUID2: leaf 0xD.0 EBX is the XSAVE size for XCR0 (576), as KVM keeps it"))
		tap_diag("nent %u, EBX %u", buf.c.nent, buf.e[0].ebx);
	guest_cpuid(vm, &v, &qd, 1, &want);
	buf.c.nent = 1;
	buf.e[0] = xtab;
	hv_check(ioctl(v.fd, KVM_SET_CPUID2, &buf), 0,
		 "KVM_SET_CPUID2 after KVM_RUN, differing only in 0xD.0 EBX (rewritten): the same table");
	hv_vcpu_free(&v);
}

int main(void)
{
	static const struct { long cap; const char *name; } caps[] = {
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ" },
		{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	};
	struct kvm_mp_state mp;
	struct kvm_cpuid_entry2 new0 = ENT(0, 0, 0, 0xd, 0x4e455741, 0x4e455743, 0x4e455742);
	struct query q0 = { 0, 0, 0, "leaf 0 after the refused KVM_SET_CPUID2: the first table's" };
	int i, sys = hv_x86_open();
	struct hv_vcpu v;
	struct hv_vm vm;
	long khz;

	tap_plan(NR_TESTS);
	for (i = 0; i < (int)ARRAY_SIZE(caps); i++)
		hv_check_ret(ioctl(sys, KVM_CHECK_EXTENSION, caps[i].cap), 1,
			     "KVM_CHECK_EXTENSION(%s) = 1", caps[i].name);
	buf.c.nent = 1;
	hv_check(ioctl(sys, KVM_GET_SUPPORTED_CPUID, &buf), E2BIG,
		 "KVM_GET_SUPPORTED_CPUID with nent 1 -> E2BIG");
	buf.c.nent = 256;
	if (!tap_result(!ioctl(sys, KVM_GET_SUPPORTED_CPUID, &buf) && buf.c.nent > 1 &&
			buf.c.nent <= 256 && has_leaf(&buf, 0) && has_leaf(&buf, 1) &&
			has_leaf(&buf, 0x80000000),
			"KVM_GET_SUPPORTED_CPUID with nent 256: leaves 0, 1 and 0x80000000"))
		tap_diag("nent %u", buf.c.nent);

	hv_vm_new(&vm, sys, G_MEM_SIZE);
	hv_vm_load(&vm, x86_cpuid_bin, x86_cpuid_bin_end);
	hv_vcpu_new(&vm, &v, 0);
	khz = ioctl(v.fd, KVM_GET_TSC_KHZ, 0UL);
	if (!tap_result(khz > 0, "KVM_GET_TSC_KHZ > 0"))
		tap_diag("returned %ld (%s)", khz, hv_errname(errno));

	buf.c.nent = 257;
	hv_check(ioctl(v.fd, KVM_SET_CPUID2, &buf), E2BIG, "KVM_SET_CPUID2 with 257 entries -> E2BIG");
	/* before the first KVM_RUN a new table replaces the old */
	buf.c.nent = 1;
	buf.e[0] = new0;
	if (ioctl(v.fd, KVM_SET_CPUID2, &buf))
		tap_bail("KVM_SET_CPUID2: %s", hv_errname(errno));
	buf.c.nent = NR_ENT;
	memcpy(buf.e, table, sizeof(table));
	hv_check(ioctl(v.fd, KVM_SET_CPUID2, &buf), 0, "KVM_SET_CPUID2 with %d entries", NR_ENT);
	memset(&buf, 0, sizeof(buf));
	buf.c.nent = 1;
	hv_check(ioctl(v.fd, KVM_GET_CPUID2, &buf), E2BIG,
		 "KVM_GET_CPUID2 with nent 1 (table of %d) -> E2BIG", NR_ENT);
	buf.c.nent = 64;
	tap_result(!ioctl(v.fd, KVM_GET_CPUID2, &buf) && buf.c.nent == NR_ENT &&
		   !memcmp(buf.e, table, sizeof(table)),
		   "KVM_GET_CPUID2 returns the table set");

	guest_cpuid(&vm, &v, queries, NR_Q, table);

	buf.c.nent = 1;
	buf.e[0] = new0;
	hv_check(ioctl(v.fd, KVM_SET_CPUID2, &buf), EINVAL,
		 "KVM_SET_CPUID2 of another table after KVM_RUN -> EINVAL");
	buf.c.nent = NR_ENT;
	memcpy(buf.e, table, sizeof(table));
	buf.e[2].ebx--;
	hv_check(ioctl(v.fd, KVM_SET_CPUID2, &buf), EINVAL,
		 "KVM_SET_CPUID2 after KVM_RUN with one register changed -> EINVAL");
	buf.e[2].ebx++;
	hv_check(ioctl(v.fd, KVM_SET_CPUID2, &buf), 0,
		 "KVM_SET_CPUID2 of the same table after KVM_RUN");
	guest_cpuid(&vm, &v, &q0, 1, table);

	/* the guest ended with a HLT exit */
	mp.mp_state = ~0u;
	if (!tap_result(!ioctl(v.fd, KVM_GET_MP_STATE, &mp) &&
			mp.mp_state == KVM_MP_STATE_RUNNABLE,
			"KVM_GET_MP_STATE after a HLT exit: RUNNABLE"))
		tap_diag("mp_state %u (%s)", mp.mp_state, hv_errname(errno));
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	hv_check(ioctl(v.fd, KVM_SET_MP_STATE, &mp), 0, "KVM_SET_MP_STATE(RUNNABLE)");
	mp.mp_state = KVM_MP_STATE_HALTED;
	hv_check(ioctl(v.fd, KVM_SET_MP_STATE, &mp), EINVAL,
		 "KVM_SET_MP_STATE(HALTED) without an in-kernel LAPIC -> EINVAL");

	hv_vcpu_free(&v);
	test_runtime_bits(&vm);
	hv_vm_free(&vm);
	return tap_finish();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CREATE_VM and KVM_CREATE_VCPU rules, the 64-VM limit, ioctls the VM
 * and vCPU fds do not know, and the live-object counts of HVMOD_GET_INFO
 * (lazy per-CPU enable: cpus_enabled is non-zero only while a VM exists).
 * x86: KVM_SET_TSS_ADDR, KVM_SET_IDENTITY_MAP_ADDR and KVM_SET_GSI_ROUTING,
 * checked as KVM checks them (QEMU requires them; without an in-kernel
 * irqchip hvmod, like KVM, has no use for the pages or the routes).
 * Needs hvmod loaded and idle.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvmod_util.h"

#ifdef __x86_64__
#define NR_X86_TESTS	24
#else
#define NR_X86_TESTS	0
#endif
#define NR_TESTS	(42 + NR_X86_TESTS)

static int sysfd;

static struct hvmod_counts counts(void)
{
	struct hvmod_info info;

	if (hv_get_info(sysfd, &info))
		tap_diag("HVMOD_GET_INFO: %s", hv_errname(errno));
	return info.counts;
}

/* One TAP line checking vms, vcpus and cpus_enabled. */
static void expect_counts(long long vms, long long vcpus, long long cpus,
			  const char *what)
{
	struct hvmod_counts c = counts();
	bool ok = c.vms == (__u64)vms && c.vcpus == (__u64)vcpus &&
		  c.cpus_enabled == (__u64)cpus;

	if (!tap_result(ok, "%s: counts.vms = %lld, counts.vcpus = %lld, counts.cpus_enabled = %lld",
			what, vms, vcpus, cpus)) {
		tap_diag("expected vms=%lld vcpus=%lld cpus_enabled=%lld", vms,
			 vcpus, cpus);
		hv_diag_counts(&c);
	}
}

static void expect_idle(const char *what)
{
	struct hvmod_counts c = counts();

	hv_expect_idle(&c, "%s", what);
}

static void test_create_vm(int cpus)
{
	int vm;

	expect_idle("at start: all counts 0 (no VM: CPUs not enabled)");
	vm = hv_create_vm(sysfd);
	hv_check(vm, 0, "KVM_CREATE_VM(0) returns a fd");
	expect_counts(1, 0, cpus, "one VM");
	hv_check(ioctl(sysfd, KVM_CREATE_VM, 1UL), EINVAL,
		 "KVM_CREATE_VM(1) -> EINVAL");
	hv_check(ioctl(sysfd, KVM_CREATE_VM, 2UL), EINVAL,
		 "KVM_CREATE_VM(2) -> EINVAL");
	hv_check(ioctl(sysfd, KVM_CREATE_VM, 0xffffffffUL), EINVAL,
		 "KVM_CREATE_VM(0xffffffff) -> EINVAL");
	hv_check(ioctl(sysfd, KVM_CREATE_VM, -1UL), EINVAL,
		 "KVM_CREATE_VM(-1UL) -> EINVAL");
	expect_counts(1, 0, cpus, "after the rejected KVM_CREATE_VM calls");
	close(vm);
	expect_idle("VM closed: all counts 0 (CPUs disabled again)");
}

static void test_unknown(int vm, int vcpu)
{
	static const struct {
		const char *name;
		unsigned long req;
	} vm_unknown[] = {
		{ "KVM_GET_API_VERSION", KVM_GET_API_VERSION },
		{ "KVM_CREATE_VM", KVM_CREATE_VM },
		{ "KVM_GET_VCPU_MMAP_SIZE", KVM_GET_VCPU_MMAP_SIZE },
		{ "KVM_RUN", KVM_RUN },
		{ "HVMOD_GET_INFO", HVMOD_GET_INFO },
		{ "_IO(0xAE, 0xff)", HV_IOCTL_UNKNOWN_KVM },
		{ "_IO(0xB8, 0x7f)", HV_IOCTL_UNKNOWN_HVMOD },
	}, vcpu_unknown[] = {
		{ "_IO(0xAE, 0xff)", HV_IOCTL_UNKNOWN_KVM },
		{ "_IO(0xB8, 0x7f)", HV_IOCTL_UNKNOWN_HVMOD },
		{ "HVMOD_GET_INFO", HVMOD_GET_INFO },
	};
	unsigned int i;

	for (i = 0; i < sizeof(vm_unknown) / sizeof(vm_unknown[0]); i++)
		hv_check(ioctl(vm, vm_unknown[i].req, 0UL), ENOTTY,
			 "VM fd: %s -> ENOTTY", vm_unknown[i].name);
	for (i = 0; i < sizeof(vcpu_unknown) / sizeof(vcpu_unknown[0]); i++)
		hv_check(ioctl(vcpu, vcpu_unknown[i].req, 0UL), ENOTTY,
			 "vCPU fd: %s -> ENOTTY", vcpu_unknown[i].name);
}

static void test_create_vcpu(int cpus)
{
	int vm, vm2, vcpu[HVMOD_MAX_VCPUS], other, id, bad = -1;
	struct hvmod_counts c;

	vm = hv_create_vm(sysfd);
	if (vm < 0)
		tap_bail("KVM_CREATE_VM: %s", hv_errname(errno));
	vcpu[0] = hv_create_vcpu(vm, 0);
	hv_check(vcpu[0], 0, "KVM_CREATE_VCPU(0) returns a fd");
	c = counts();
	hv_expect_eq(c.vcpus, 1, "one vCPU: counts.vcpus = 1");
	if (!tap_result(c.ctl_pages > 0, "one vCPU: counts.ctl_pages > 0"))
		hv_diag_counts(&c);
	hv_check(hv_create_vcpu(vm, 0), EEXIST, "KVM_CREATE_VCPU(0) again -> EEXIST");
	hv_check(hv_create_vcpu(vm, 64), EINVAL, "KVM_CREATE_VCPU(64) -> EINVAL");
	hv_check(hv_create_vcpu(vm, 65), EINVAL, "KVM_CREATE_VCPU(65) -> EINVAL");
	hv_check(hv_create_vcpu(vm, -1UL), EINVAL, "KVM_CREATE_VCPU(-1UL) -> EINVAL");
	hv_check(hv_create_vcpu(vm, (1UL << 32) + 1), EINVAL,
		 "KVM_CREATE_VCPU(0x100000001) -> EINVAL (no truncation to 1)");
	expect_counts(1, 1, cpus, "after the rejected KVM_CREATE_VCPU calls");

	test_unknown(vm, vcpu[0]);

	for (id = 1; id < HVMOD_MAX_VCPUS; id++) {
		vcpu[id] = hv_create_vcpu(vm, id);
		if (vcpu[id] < 0 && bad < 0) {
			bad = id;
			tap_diag("KVM_CREATE_VCPU(%d): %s", id, hv_errname(errno));
		}
	}
	tap_result(bad < 0, "KVM_CREATE_VCPU(1..63) all return a fd");
	expect_counts(1, 64, cpus, "64 vCPUs");
	hv_check(hv_create_vcpu(vm, 63), EEXIST, "KVM_CREATE_VCPU(63) again -> EEXIST");

	vm2 = hv_create_vm(sysfd);
	other = vm2 < 0 ? -1 : hv_create_vcpu(vm2, 0);
	hv_check(other, 0, "second VM: KVM_CREATE_VCPU(0) returns a fd (ids are per VM)");
	expect_counts(2, 65, cpus, "two VMs");
	if (other >= 0)
		close(other);
	if (vm2 >= 0)
		close(vm2);
	expect_counts(1, 64, cpus, "second VM closed");

	for (id = 0; id < HVMOD_MAX_VCPUS; id++)
		if (vcpu[id] >= 0)
			close(vcpu[id]);
	close(vm);
	expect_idle("everything closed: all counts 0");
}

static void test_vm_limit(int cpus)
{
	int vm[HVMOD_MAX_VMS], i, bad = -1, extra;

	for (i = 0; i < HVMOD_MAX_VMS; i++) {
		vm[i] = hv_create_vm(sysfd);
		if (vm[i] < 0 && bad < 0) {
			bad = i;
			tap_diag("VM %d: KVM_CREATE_VM: %s", i + 1, hv_errname(errno));
		}
	}
	tap_result(bad < 0, "64 VMs created");
	expect_counts(HVMOD_MAX_VMS, 0, cpus, "64 VMs");
	extra = hv_create_vm(sysfd);
	hv_check(extra, ENOSPC, "65th KVM_CREATE_VM -> ENOSPC");
	if (extra >= 0)
		close(extra);
	expect_counts(HVMOD_MAX_VMS, 0, cpus, "after the 65th VM was refused");
	close(vm[17]);
	vm[17] = hv_create_vm(sysfd);
	hv_check(vm[17], 0, "one of 64 VMs closed: KVM_CREATE_VM succeeds again");
	hv_check(hv_create_vm(sysfd), ENOSPC, "65th KVM_CREATE_VM again -> ENOSPC");
	for (i = 0; i < HVMOD_MAX_VMS; i++)
		if (vm[i] >= 0)
			close(vm[i]);
	expect_idle("all 64 VMs closed: all counts 0");
}

#ifdef __x86_64__
static void test_x86_legacy_addrs(void)
{
	uint64_t ident = 0xfeffc000;
	int vm, vcpu;

	vm = hv_create_vm(sysfd);
	if (vm < 0)
		tap_bail("KVM_CREATE_VM: %s", hv_errname(errno));
	hv_expect_eq(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR), 1,
		     "KVM_CAP_SET_TSS_ADDR reported");
	hv_expect_eq(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR), 1,
		     "KVM_CAP_SET_IDENTITY_MAP_ADDR reported");
	hv_check(ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &ident), 0,
		 "KVM_SET_IDENTITY_MAP_ADDR(0xfeffc000) before any vCPU");
	hv_check(ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, NULL), EFAULT,
		 "KVM_SET_IDENTITY_MAP_ADDR(NULL) -> EFAULT");
	hv_check(ioctl(vm, KVM_SET_TSS_ADDR, 0xfeffd000UL), 0,
		 "KVM_SET_TSS_ADDR(0xfeffd000)");
	hv_check(ioctl(vm, KVM_SET_TSS_ADDR, 0xffffd000UL), 0,
		 "KVM_SET_TSS_ADDR(0xffffd000): the last 3 pages below 4 GiB");
	hv_check(ioctl(vm, KVM_SET_TSS_ADDR, 0xffffe000UL), EINVAL,
		 "KVM_SET_TSS_ADDR(0xffffe000) -> EINVAL (3 pages cross 4 GiB)");
	vcpu = hv_create_vcpu(vm, 0);
	hv_check(ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &ident), EINVAL,
		 "KVM_SET_IDENTITY_MAP_ADDR after KVM_CREATE_VCPU -> EINVAL");
	hv_check(ioctl(vm, KVM_SET_TSS_ADDR, 0xfeffd000UL), 0,
		 "KVM_SET_TSS_ADDR after KVM_CREATE_VCPU still accepted (as KVM)");
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
}

/*
 * KVM_SET/GET_NR_MMU_PAGES, as KVM: at least 64; unset, GET gives KVM's
 * default of 2% of the slots' pages (hvmod has no shadow MMU to cap).
 */
static void test_x86_nr_mmu_pages(void)
{
	struct kvm_userspace_memory_region r = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = 64 << 20,
	};
	void *mem;
	int vm;

	vm = hv_create_vm(sysfd);
	if (vm < 0)
		tap_bail("KVM_CREATE_VM: %s", hv_errname(errno));
	hv_expect_eq(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MMU_SHADOW_CACHE_CONTROL), 1,
		     "KVM_CAP_MMU_SHADOW_CACHE_CONTROL reported");
	hv_expect_eq(ioctl(vm, KVM_GET_NR_MMU_PAGES, 0), 64,
		     "KVM_GET_NR_MMU_PAGES without memory: 64 (KVM's minimum)");
	mem = mmap(NULL, r.memory_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		tap_bail("mmap of 64 MiB failed");
	r.userspace_addr = (unsigned long)mem;
	hv_check(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r), 0,
		 "a 64 MiB slot");
	hv_expect_eq(ioctl(vm, KVM_GET_NR_MMU_PAGES, 0), 16384 * 20 / 1000,
		     "KVM_GET_NR_MMU_PAGES with 64 MiB: 2%% of 16384 pages");
	hv_check(ioctl(vm, KVM_SET_NR_MMU_PAGES, 63UL), EINVAL,
		 "KVM_SET_NR_MMU_PAGES(63) -> EINVAL");
	hv_check(ioctl(vm, KVM_SET_NR_MMU_PAGES, 1000UL), 0,
		 "KVM_SET_NR_MMU_PAGES(1000)");
	hv_expect_eq(ioctl(vm, KVM_GET_NR_MMU_PAGES, 0), 1000,
		     "KVM_GET_NR_MMU_PAGES gives the value set");
	close(vm);
	munmap(mem, r.memory_size);
}

static int set_routes(int vm, const struct kvm_irq_routing_entry *e,
		      unsigned int nr, unsigned int flags)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[4];
	} t = { .r.nr = nr, .r.flags = flags };

	memcpy(t.e, e, sizeof(*e) * (nr < 4 ? nr : 4));
	return ioctl(vm, KVM_SET_GSI_ROUTING, &t);
}

static void test_x86_gsi_routing(void)
{
	const struct kvm_irq_routing_entry ok[3] = {
		{ .gsi = 0, .type = KVM_IRQ_ROUTING_IRQCHIP,
		  .u.irqchip = { KVM_IRQCHIP_PIC_MASTER, 0 } },
		{ .gsi = 0, .type = KVM_IRQ_ROUTING_IRQCHIP,
		  .u.irqchip = { KVM_IRQCHIP_IOAPIC, 2 } },
		{ .gsi = 24, .type = KVM_IRQ_ROUTING_MSI,
		  .u.msi = { .address_lo = 0xfee00000, .data = 0x41 } },
	};
	struct kvm_irq_routing_entry bad[2] = { ok[1], ok[2] };
	int vm = hv_create_vm(sysfd);

	if (vm < 0)
		tap_bail("KVM_CREATE_VM: %s", hv_errname(errno));
	/* as KVM: the number of routes (QEMU sizes its GSI bitmap on it) */
	hv_expect_eq(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING), 4096,
		     "KVM_CAP_IRQ_ROUTING: 4096 routes (KVM_MAX_IRQ_ROUTES)");
	hv_check(set_routes(vm, ok, 3, 0), 0,
		 "KVM_SET_GSI_ROUTING: GSI 0 to PIC and IOAPIC, GSI 24 to an MSI");
	hv_check(set_routes(vm, ok, 0, 0), 0, "KVM_SET_GSI_ROUTING: empty table");
	bad[0].u.irqchip.pin = 24;
	hv_check(set_routes(vm, bad, 1, 0), EINVAL,
		 "KVM_SET_GSI_ROUTING: IOAPIC pin 24 -> EINVAL");
	bad[0] = ok[2];
	hv_check(set_routes(vm, bad, 2, 0), EINVAL,
		 "KVM_SET_GSI_ROUTING: two MSI routes for GSI 24 -> EINVAL");
	hv_check(set_routes(vm, ok, 3, 1), EINVAL,
		 "KVM_SET_GSI_ROUTING: flags 1 -> EINVAL");
	hv_check(set_routes(vm, ok, 4097, 0), EINVAL,
		 "KVM_SET_GSI_ROUTING: 4097 entries -> EINVAL");
	close(vm);
}
#endif

int main(void)
{
	int cpus;

	sysfd = hv_open_or_skip();
	cpus = hv_online_cpus();
	tap_plan(NR_TESTS);
	tap_diag("%d online CPUs", cpus);
	test_create_vm(cpus);
	test_create_vcpu(cpus);
	test_vm_limit(cpus);
#ifdef __x86_64__
	test_x86_legacy_addrs();
	test_x86_gsi_routing();
	test_x86_nr_mmu_pages();
	expect_idle("after the x86 address ioctls: all counts 0");
#endif
	close(sysfd);
	return tap_finish();
}

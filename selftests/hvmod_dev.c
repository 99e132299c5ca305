// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvmod and its system-fd ioctls: device node, KVM_GET_API_VERSION,
 * KVM_GET_VCPU_MMAP_SIZE, KVM_CHECK_EXTENSION (system and VM fd),
 * unknown ioctls and HVMOD_GET_INFO.  Needs hvmod loaded and idle.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hvmod_util.h"

#define CAP(c, v)	{ #c, c, v }
#define NR_VCPUS	-2	/* expected value: min(online CPUs, 64) */

static const struct cap_want {
	const char *name;
	long cap;
	long want;
} caps[] = {
	CAP(KVM_CAP_USER_MEMORY, 1),
	CAP(KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1),
	CAP(KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, 1),
	CAP(KVM_CAP_CHECK_EXTENSION_VM, 1),
	CAP(KVM_CAP_NR_VCPUS, NR_VCPUS),
	CAP(KVM_CAP_MAX_VCPUS, HVMOD_MAX_VCPUS),
	CAP(KVM_CAP_MAX_VCPU_ID, HVMOD_MAX_VCPUS),
	CAP(KVM_CAP_NR_MEMSLOTS, HVMOD_MAX_SLOTS),
#ifdef __x86_64__
	CAP(KVM_CAP_IRQCHIP, 1),	/* LAPIC, IOAPIC, 8259s (x86_pic.c) */
#else
	CAP(KVM_CAP_IRQCHIP, 0),
#endif
	CAP(KVM_CAP_HLT, 0),
#ifdef __x86_64__
	CAP(KVM_CAP_MMU_SHADOW_CACHE_CONTROL, 1),	/* KVM_SET_NR_MMU_PAGES */
	CAP(KVM_CAP_SET_TSS_ADDR, 1),	/* QEMU requires it (x86_vm.c) */
	CAP(KVM_CAP_PIT, 1),		/* the 8254 (x86_pit.c) */
	CAP(KVM_CAP_PIT2, 1),
	CAP(KVM_CAP_PIT_STATE2, 1),
	CAP(KVM_CAP_REINJECT_CONTROL, 1),
#else
	CAP(KVM_CAP_MMU_SHADOW_CACHE_CONTROL, 0),
	CAP(KVM_CAP_SET_TSS_ADDR, 0),
	/* the uapi header defines it only where __KVM_HAVE_PIT (x86) */
	{ "KVM_CAP_PIT2", 33, 0 },
#endif
	CAP(KVM_CAP_READONLY_MEM, 0),
	CAP(KVM_CAP_COALESCED_MMIO, 0),
	CAP(KVM_CAP_IOEVENTFD, 0),
	CAP(KVM_CAP_IRQFD, 0),
	CAP(KVM_CAP_MULTI_ADDRESS_SPACE, 0),
	CAP(KVM_CAP_DIRTY_LOG_RING, 0),
	CAP(KVM_CAP_S390_PSW, 0),
	CAP(KVM_CAP_PPC_HIOR, 0),
#ifdef __aarch64__
	CAP(KVM_CAP_ARM_PSCI, 1),
#else
	CAP(KVM_CAP_ARM_PSCI, 0),
#endif
	{ "-1", -1, 0 },
	{ "0x7fffffff", 0x7fffffff, 0 },
};
#define NR_CAPS		(int)(sizeof(caps) / sizeof(caps[0]))

static const struct {
	const char *name;
	unsigned long req;
} unknown[] = {
	{ "KVM_CREATE_VCPU", KVM_CREATE_VCPU },
	{ "KVM_RUN", KVM_RUN },
	{ "KVM_SET_USER_MEMORY_REGION", KVM_SET_USER_MEMORY_REGION },
	{ "_IO(0xAE, 0xff)", HV_IOCTL_UNKNOWN_KVM },
	{ "_IO(0xB8, 0x7f)", HV_IOCTL_UNKNOWN_HVMOD },
	{ "_IOR(0xB8, 0x00, __u64) (GET_INFO with a wrong size)",
	  _IOR(HVMOD_IOCTL_MAGIC, 0x00, __u64) },
};
#define NR_UNKNOWN	(int)(sizeof(unknown) / sizeof(unknown[0]))

#define NR_INFO_TESTS	15
#define NR_TESTS	(6 + 2 * NR_CAPS + NR_UNKNOWN + NR_INFO_TESTS)

static void test_node(void)
{
	struct stat st;
	int ret = stat(HVMOD_DEV_PATH, &st);

	if (!tap_result(ret == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 10,
			"%s is a char device with major 10", HVMOD_DEV_PATH) && !ret)
		tap_diag("mode 0%o, rdev %u:%u", st.st_mode, major(st.st_rdev),
			 minor(st.st_rdev));
	if (!tap_result(ret == 0 && (st.st_mode & 07777) == 0600 &&
			st.st_uid == 0, "%s has mode 0600 and owner root",
			HVMOD_DEV_PATH) && !ret)
		tap_diag("mode 0%o, uid %u", st.st_mode & 07777, st.st_uid);
}

static void test_caps(int fd, const char *which)
{
	int cpus = hv_online_cpus();
	long nr_vcpus = cpus < HVMOD_MAX_VCPUS ? cpus : HVMOD_MAX_VCPUS;
	int i;

	for (i = 0; i < NR_CAPS; i++) {
		long want = caps[i].want == NR_VCPUS ? nr_vcpus : caps[i].want;

		hv_check_ret(ioctl(fd, KVM_CHECK_EXTENSION, caps[i].cap), want,
			     "%s: KVM_CHECK_EXTENSION(%s) = %ld",
			     which, caps[i].name, want);
	}
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--)
		if (*c++)
			return false;
	return true;
}

static void test_info(int fd)
{
	const char *box = hv_box(), *env_version = getenv("HVMOD_VERSION");
	char version[64] = "";
	struct hvmod_info info;
	int ret, want_id;

	memset(&info, 0xa5, sizeof(info));
	ret = ioctl(fd, HVMOD_GET_INFO, &info);
	if (!hv_check(ret, 0, "HVMOD_GET_INFO succeeds"))
		memset(&info, 0, sizeof(info));
	hv_expect_eq(info.abi_version, HVMOD_ABI_VERSION, "info.abi_version = %d",
		     HVMOD_ABI_VERSION);
	if (!box) {
		tap_skip("HVMOD_BOX unset, no svm/vmx in /proc/cpuinfo",
			 "info.backend_id matches the box");
		tap_skip("HVMOD_BOX unset, no svm/vmx in /proc/cpuinfo",
			 "info.backend matches the box");
	} else {
		/* the arm64 box's backend is "arm64-vhe", riscv's "riscv-h" */
		const char *be = !strcmp(box, "arm64") ? "arm64-vhe" :
				 !strcmp(box, "riscv") ? "riscv-h" : box;

		want_id = !strcmp(box, "svm") ? HVMOD_BACKEND_SVM :
			  !strcmp(box, "arm64") ? HVMOD_BACKEND_ARM64 :
			  !strcmp(box, "riscv") ? HVMOD_BACKEND_RISCV :
			  HVMOD_BACKEND_VMX;
		hv_expect_eq(info.backend_id, want_id,
			     "info.backend_id = HVMOD_BACKEND_%s",
			     !strcmp(box, "svm") ? "SVM" :
			     !strcmp(box, "arm64") ? "ARM64" :
			     !strcmp(box, "riscv") ? "RISCV" : "VMX");
		if (!tap_result(memchr(info.backend, 0, sizeof(info.backend)) &&
				!strcmp(info.backend, be),
				"info.backend = \"%s\"", be))
			tap_diag("got \"%.*s\"", (int)sizeof(info.backend),
				 info.backend);
	}
	hv_read_file(HVMOD_SYSFS "/version", version, sizeof(version));
	if (!tap_result(memchr(info.version, 0, sizeof(info.version)) &&
			info.version[0] && !strcmp(info.version, version),
			"info.version = %s/version (\"%s\")", HVMOD_SYSFS, version))
		tap_diag("got \"%.*s\"", (int)sizeof(info.version), info.version);
	if (env_version && *env_version) {
		if (!tap_result(!strcmp(info.version, env_version),
				"info.version = $HVMOD_VERSION (\"%s\")", env_version))
			tap_diag("got \"%.*s\"", (int)sizeof(info.version),
				 info.version);
	} else {
		tap_skip("HVMOD_VERSION unset", "info.version = $HVMOD_VERSION");
	}
	hv_expect_eq(info.max_vms, HVMOD_MAX_VMS, "info.max_vms = HVMOD_MAX_VMS");
	hv_expect_eq(info.max_vcpus, HVMOD_MAX_VCPUS,
		     "info.max_vcpus = HVMOD_MAX_VCPUS");
	hv_expect_eq(info.max_slots, HVMOD_MAX_SLOTS,
		     "info.max_slots = HVMOD_MAX_SLOTS");
	hv_expect_eq(info.max_gpa_bits, HVMOD_MAX_GPA_BITS,
		     "info.max_gpa_bits = HVMOD_MAX_GPA_BITS");
	hv_expect_eq(info.max_vm_mem, HVMOD_MAX_VM_MEM,
		     "info.max_vm_mem = HVMOD_MAX_VM_MEM");
	if (!tap_result(!(info.features & ~(HVMOD_FEAT_STAGE2 | HVMOD_FEAT_HUGE_2M |
					    HVMOD_FEAT_HUGE_1G | HVMOD_FEAT_TAGGED_TLB |
					    HVMOD_FEAT_RUN)),
			"info.features has only defined HVMOD_FEAT_* bits"))
		tap_diag("features 0x%llx", (unsigned long long)info.features);
	tap_result(all_zero(info.reserved, sizeof(info.reserved)) &&
		   all_zero(info.counts.reserved, sizeof(info.counts.reserved)),
		   "info.reserved and info.counts.reserved are zero");
	hv_expect_idle(&info.counts, "info.counts are all 0 (idle)");
	hv_check(ioctl(fd, HVMOD_GET_INFO, NULL), EFAULT,
		 "HVMOD_GET_INFO(NULL) -> EFAULT");
}

int main(void)
{
	int fd = hv_open_or_skip(), vmfd, i;

	tap_plan(NR_TESTS);
	test_node();

	hv_check_ret(ioctl(fd, KVM_GET_API_VERSION, 0UL), KVM_API_VERSION,
		     "KVM_GET_API_VERSION = %d", KVM_API_VERSION);
	hv_check(ioctl(fd, KVM_GET_API_VERSION, 1UL), EINVAL,
		 "KVM_GET_API_VERSION(1) -> EINVAL");
	hv_check_ret(ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0UL), HV_RUN_SIZE,
		     "KVM_GET_VCPU_MMAP_SIZE = %lu", HV_RUN_SIZE);
	hv_check(ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 1UL), EINVAL,
		 "KVM_GET_VCPU_MMAP_SIZE(1) -> EINVAL");

	for (i = 0; i < NR_UNKNOWN; i++)
		hv_check(ioctl(fd, unknown[i].req, 0UL), ENOTTY,
			 "system fd: %s -> ENOTTY", unknown[i].name);

	test_caps(fd, "system fd");
	vmfd = hv_create_vm(fd);
	if (vmfd < 0) {
		tap_diag("KVM_CREATE_VM: %s", hv_errname(errno));
		for (i = 0; i < NR_CAPS; i++)
			tap_result(false, "VM fd: KVM_CHECK_EXTENSION(%s)",
				   caps[i].name);
	} else {
		test_caps(vmfd, "VM fd");
		close(vmfd);
	}

	test_info(fd);
	close(fd);
	return tap_finish();
}

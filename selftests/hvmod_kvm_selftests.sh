#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Linux kernel's own KVM selftests (tools/testing/selftests/kvm of
# Debian's linux-source-6.1, the kernel the boxes run), unmodified, as an
# unmodified KVM client of /dev/hvmod: each upstream test runs in a private
# mount namespace where /dev/hvmod is bind-mounted over /dev/kvm.  One TAP
# line per upstream test; the test's own output is the diagnostic.
#
#   hvmod_kvm_selftests.sh [TEST...]    default: the expected-pass list
#
# Built by tools/testbox/kvm-selftests.sh, copied into the box as
# /selftests/kvm/ by mkinitramfs.sh.  svm box only (the vmx box is Bochs
# and its backend experimental; the KVM baseline was taken in the svm box).
#
# Kernel command line (BOX_APPEND), for diagnosis:
#   hvkst=hvmod|kvm|both   device(s) to run on (default hvmod); "both" runs
#                          every test on /dev/hvmod (KVM not loaded), then
#                          loads kvm-amd and runs them on the real /dev/kvm
#   hvkst_tests=a,b|all    the tests instead of the expected-pass list
#   hvkst_timeout=S        seconds per test
# Env: HVMOD_KST_TIMEOUT seconds per test (default 120), HVMOD_KST_DIR.
#
# Expected to pass on /dev/hvmod (the other built tests, and why not, are
# listed below):
PASS="kvm_create_max_vcpus"
#
# Known to fail on /dev/hvmod (all pass on the distro's KVM in the svm box
# unless noted), by what hvmod lacks:
#   KVM_CREATE_IRQCHIP: 6.1's __vm_create() creates the in-kernel irqchip
#     (PIC+IOAPIC+LAPIC) for every x86 VM that has vCPUs and asserts it
#     succeeds; hvmod has only the userspace irqchip (KVM_INTERRUPT), so
#     every test built on vm_create*() stops there:
#     set_memory_region_test kvm_page_table_test
#     memslot_modification_stress_test memslot_perf_test demand_paging_test
#     hardware_disable_test max_guest_memory_test system_counter_offset_test
#     rseq_test x86_64/set_sregs_test x86_64/sync_regs_test
#     x86_64/userspace_io_test x86_64/cpuid_test x86_64/debug_regs
#     x86_64/platform_info_test x86_64/tsc_msrs_test x86_64/kvm_pv_test
#     x86_64/mmio_warning_test x86_64/userspace_msr_exit_test
#     x86_64/cr4_cpuid_sync_test x86_64/emulator_error_test
#     x86_64/xss_msr_test x86_64/kvm_clock_test x86_64/monitor_mwait_test
#     x86_64/fix_hypercall_test x86_64/set_boot_cpu_id x86_64/state_test
#     x86_64/triple_fault_event_test x86_64/xapic_state_test
#     x86_64/svm_vmcall_test x86_64/smm_test
#   kvm_binary_stats_test: KVM_GET_STATS_FD (binary stats) not implemented.
#   x86_64/get_msr_index_features: KVM_GET_MSR_FEATURE_INDEX_LIST.
#   x86_64/max_vcpuid_cap_test: KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID).

DIR=$(cd "$(dirname "$0")" && pwd)
KST=${HVMOD_KST_DIR:-$DIR/kvm}
TIMEOUT=${HVMOD_KST_TIMEOUT:-120}

mode=hvmod
list=$PASS
for arg in $(cat /proc/cmdline 2>/dev/null); do
	case $arg in
	hvkst=*) mode=${arg#hvkst=} ;;
	hvkst_tests=*) list=$(echo "${arg#hvkst_tests=}" | tr , ' ') ;;
	hvkst_timeout=*) TIMEOUT=${arg#hvkst_timeout=} ;;
	esac
done
[ $# -gt 0 ] && list="$*"

echo "TAP version 13"
skip_all() { echo "# $*"; echo "1..0 # SKIP $*"; exit 4; }

[ "${HVMOD_BOX:-svm}" = svm ] || skip_all "svm box only (this is the ${HVMOD_BOX} box)"
[ -d "$KST" ] || skip_all "$KST missing (tools/testbox/kvm-selftests.sh not run)"
[ "$list" = all ] &&
	list=$(cd "$KST" && find . -type f -perm -u+x | sed 's|^\./||' | sort)
command -v unshare > /dev/null || skip_all "no unshare"
case $mode in
hvmod) devs=hvmod ;;
kvm) devs=kvm ;;
both) devs="hvmod kvm" ;;
*) skip_all "bad hvkst=$mode" ;;
esac

n=0
for d in $devs; do for t in $list; do n=$((n + 1)); done; done
echo "1..$n"
[ -n "$(cat "$KST/VERSION" 2>/dev/null)" ] &&
	echo "# upstream KVM selftests of linux-source $(cat "$KST/VERSION")"

prefix() {
	while IFS= read -r _l || [ -n "$_l" ]; do echo "# $_l"; done
}

made_node=
loaded_kvm=
cleanup() {
	[ -z "$made_node" ] || rm -f /dev/kvm
	[ -z "$loaded_kvm" ] || modprobe -r kvm-amd 2>/dev/null
}
trap cleanup EXIT

# use_dev hvmod|kvm: the device the tests' /dev/kvm opens.
use_dev() {
	case $1 in
	hvmod)
		[ -c /dev/hvmod ] || { echo "# /dev/hvmod missing (hvmod not loaded?)"; return 1; }
		# a bind mount needs something at /dev/kvm to cover
		if [ ! -e /dev/kvm ]; then
			: > /dev/kvm && made_node=1
		fi
		src=/dev/hvmod
		;;
	kvm)
		[ -n "$made_node" ] && rm -f /dev/kvm && made_node=
		if [ ! -c /dev/kvm ]; then
			modprobe kvm-amd 2>&1 | prefix
			loaded_kvm=1
		fi
		i=0
		while [ ! -c /dev/kvm ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		[ -c /dev/kvm ] || { echo "# /dev/kvm missing after modprobe kvm-amd"; return 1; }
		src=/dev/kvm
		;;
	esac
}

i=0
fail=0
for d in $devs; do
	use_dev "$d" || src=
	for t in $list; do
		i=$((i + 1))
		name="$t"
		[ "$mode" = both ] && name="$t ($d)"
		if [ -z "$src" ]; then
			echo "not ok $i $name # no device"
			fail=$((fail + 1))
			continue
		fi
		if [ ! -x "$KST/$t" ]; then
			echo "not ok $i $name # not built"
			fail=$((fail + 1))
			continue
		fi
		echo "# $name: /dev/kvm = $src"
		exec 4>&1
		rc=$({ { (cd "$KST" &&
			  timeout "$TIMEOUT" unshare -m sh -c \
				'mount --bind "$1" /dev/kvm && exec "$2"' sh "$src" "./$t") 2>&1
			echo $? >&3; } | prefix >&4; } 3>&1)
		exec 4>&-
		case $rc in
		0) echo "ok $i $name" ;;
		4) echo "ok $i $name # SKIP (the test skipped itself)" ;;
		124 | 143) echo "not ok $i $name # TIMEOUT ${TIMEOUT}s"; fail=$((fail + 1)) ;;
		*) echo "not ok $i $name # exit $rc"; fail=$((fail + 1)) ;;
		esac
	done
done
[ $fail -eq 0 ]

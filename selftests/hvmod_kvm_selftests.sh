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
PASS="kvm_create_max_vcpus x86_64/max_vcpuid_cap_test x86_64/state_test
	x86_64/cr4_cpuid_sync_test x86_64/cpuid_test x86_64/tsc_msrs_test
	x86_64/userspace_io_test x86_64/set_sregs_test set_memory_region_test"
#
# Not in the list, by what /dev/hvmod lacks (box-run in the svm box,
# hvkst=both hvkst_tests=all; "KVM:" is the same test on the distro's KVM
# in that box, where it differs from a pass):
#  Until KVM_CREATE_IRQCHIP existed (6.1's __vm_create() makes the in-kernel
#  irqchip for every x86 VM with vCPUs and asserts success) these failed at
#  VM creation.  With hvmod's LAPIC + IOAPIC (box run of 2026-11-24, 60 s
#  per test) they get further and fail on:
#    kvm_page_table_test memslot_modification_stress_test  mmap ENOMEM
#      (1 GiB box; max_guest_memory_test is OOM-killed, demand_paging_test
#      as on KVM)
#    memslot_perf_test rseq_test  pass their old asserts, but run past 60 s in
#      the box (box run of 2026-11-25: memslot_perf_test's map test
#      passes, its unmap test was still running; not yet compared with
#      KVM in the same box)
#    x86_64/xapic_state_test  its first half runs the guest in x2APIC
#      mode unconditionally: hvmod's LAPIC has no x2APIC mode (CPUID
#      x2APIC not offered), the guest's x2APIC MSR accesses #GP
#    x86_64/userspace_msr_exit_test  KVM_CAP_X86_USER_SPACE_MSR and
#      KVM_X86_SET_MSR_FILTER (MSR exits to userspace) not implemented
#    hardware_disable_test (KVM: runs past any short timeout under TCG)
#    x86_64/smm_test  (no SMM)
#    x86_64/xss_msr_test  skips itself (no XSAVES)
#  Passing since 2026-11-25 (what hvmod fixed to behave as KVM):
#    state_test cr4_cpuid_sync_test  immediate_exit left exit_reason
#      KVM_EXIT_INTR and skipped finishing the IN of the last exit (the
#      tests' get_ucall() calls vcpu_run_complete_io() after every exit)
#    cpuid_test  leaf 0x40000001, KVM_GET_CPUID2's run-time bits,
#      KVM_SET_CPUID2 after KVM_RUN only with the same table
#    tsc_msrs_test  guest TSC from 0 at VM creation, IA32_TSC_ADJUST
#    userspace_io_test  REP INS count changed by userspace during the exit
#    set_memory_region_test  KVM_SET/GET_NR_MMU_PAGES (was ENOTTY)
#    set_sregs_test  KVM_SET_SREGS's apic_base checked (x2APIC enable)
#  Skip themselves, a capability hvmod does not report:
#    kvm_binary_stats_test     KVM_CAP_BINARY_STATS_FD
#    x86_64/debug_regs         KVM_CAP_SET_GUEST_DEBUG
#    x86_64/emulator_error_test  KVM_CAP_SMALLER_MAXPHYADDR
#    x86_64/fix_hypercall_test x86_64/monitor_mwait_test  KVM_CAP_DISABLE_QUIRKS2
#    x86_64/get_msr_index_features  KVM_CAP_GET_MSR_FEATURES
#    x86_64/kvm_clock_test     KVM_CAP_ADJUST_CLOCK (KVM_CLOCK_REALTIME)
#    x86_64/kvm_pv_test        KVM_CAP_ENFORCE_PV_FEATURE_CPUID
#    x86_64/platform_info_test KVM_CAP_MSR_PLATFORM_INFO
#    x86_64/set_boot_cpu_id    KVM_CAP_SET_BOOT_CPU_ID
#    x86_64/sync_regs_test     KVM_CAP_SYNC_REGS
#    x86_64/svm_vmcall_test x86_64/triple_fault_event_test  nested SVM (no
#                              SVM in KVM_GET_SUPPORTED_CPUID)
#    x86_64/mmio_warning_test  Intel only (skips on KVM in this box too)
#  Not built (6.1.y tree does not compile them): dirty_log_test, steal_time.

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
# each test runs in its own mount and PID namespace (bind mount, no
# leftover processes): a kernel without them (the debug box's) cannot
unshare -m -p -f true 2> /dev/null ||
	skip_all "this kernel has no mount/PID namespaces (unshare -m -p fails)"
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

OUT=${TMPDIR:-/tmp}/hvmod_kvm_selftests.$$
made_node=
loaded_kvm=
cleanup() {
	rm -f "$OUT"
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
		# New mount and PID namespaces: sh is PID 1 there (no exec: a
		# PID 1 test would ignore timeout's SIGTERM); when it exits, the
		# kernel kills whatever the test forked and left behind.
		(cd "$KST" && unshare -m -p -f sh -c \
			'mount --bind "$1" /dev/kvm || exit 125
			 timeout "$2" "$3"; r=$?; exit $r' \
			sh "$src" "$TIMEOUT" "./$t") > "$OUT" 2>&1
		rc=$?
		prefix < "$OUT"
		case $rc in
		0) echo "ok $i $name" ;;
		4) echo "ok $i $name # SKIP (the test skipped itself)" ;;
		124 | 143) echo "not ok $i $name # TIMEOUT ${TIMEOUT}s"; fail=$((fail + 1)) ;;
		*) echo "not ok $i $name # exit $rc"; fail=$((fail + 1)) ;;
		esac
	done
done
[ $fail -eq 0 ]

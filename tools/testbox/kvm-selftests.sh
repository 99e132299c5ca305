#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Linux kernel's own KVM selftests (tools/testing/selftests/kvm)
# from Debian's linux-source-6.1 tarball, unmodified, for the svm box:
# selftests/hvmod_kvm_selftests.sh runs them there against /dev/hvmod
# (bind-mounted over /dev/kvm in a private mount namespace).
#
#   kvm-selftests.sh            extract (once), build, copy to $OUT
#
# The tarball is unpacked once into $CACHE/kvm-selftests-<key> (key: the
# package version and the first 16 hex digits of the tarball's sha256), only
# the parts needed: tools/, the uapi headers and what "make headers" needs.
# A repeat run finds the tree (and the built tests) there and only copies.
# The uapi headers come from linux-libc-dev when its version is the same,
# else from "make headers" in the tree.
# The tests are dynamically linked; mkinitramfs.sh copies their libraries.
#
# Environment (defaults in brackets):
#   KST_TARBALL  [/usr/src/linux-source-6.1.tar.xz] (apt: linux-source-6.1)
#   HVMOD_CACHE  [/var/cache/hvmod-testbox]
#   KST_OUT      [$BUILD/kvm-selftests]   what mkinitramfs.sh puts in the box
#   KST_TESTS    [the list below]         programs to build, relative to
#                tools/testing/selftests/kvm
#   KST_JOBS     [nproc]

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CACHE=${HVMOD_CACHE:-/var/cache/hvmod-testbox}
TARBALL=${KST_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
OUT=${KST_OUT:-$BUILD/kvm-selftests}
JOBS=${KST_JOBS:-$(nproc)}

# Everything hvmod_kvm_selftests.sh may run (its expected-pass list and the
# candidates kept out of it).  dirty_log_test and steal_time do not build
# from this tree (Debian 6.1.y backport: TEST_ASSERT_EQ / __DECLARE_FLEX_ARRAY
# missing), so they are not listed.
KST_TESTS=${KST_TESTS:-"
	kvm_create_max_vcpus set_memory_region_test kvm_page_table_test
	memslot_modification_stress_test memslot_perf_test kvm_binary_stats_test
	demand_paging_test hardware_disable_test max_guest_memory_test
	system_counter_offset_test rseq_test
	x86_64/set_sregs_test x86_64/sync_regs_test x86_64/userspace_io_test
	x86_64/cpuid_test x86_64/debug_regs x86_64/platform_info_test
	x86_64/tsc_msrs_test x86_64/kvm_pv_test x86_64/mmio_warning_test
	x86_64/userspace_msr_exit_test x86_64/cr4_cpuid_sync_test
	x86_64/emulator_error_test x86_64/xss_msr_test
	x86_64/get_msr_index_features x86_64/max_vcpuid_cap_test
	x86_64/kvm_clock_test x86_64/monitor_mwait_test
	x86_64/fix_hypercall_test x86_64/set_boot_cpu_id x86_64/state_test
	x86_64/triple_fault_event_test x86_64/xapic_state_test
	x86_64/svm_vmcall_test x86_64/smm_test
"}

# Parts of the tarball the build needs: tools/ (selftests, tools/include,
# tools/arch), and for "make headers" (the uapi headers the selftests
# include) the top Makefile, scripts/, the uapi sources and the x86 arch
# Makefile, syscall tables and relocs tool it pulls in.
PARTS="tools include/uapi include/asm-generic include/linux/compiler-version.h
       arch/x86/include arch/x86/Makefile arch/x86/Makefile_32.cpu
       arch/x86/entry/syscalls arch/x86/tools scripts Makefile"

step() { echo "kvm-selftests: $*"; }
die() { echo "kvm-selftests: error: $*" >&2; exit 1; }

[ -f "$TARBALL" ] || die "$TARBALL missing: apt-get install linux-source-6.1 (make setup)"

ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo local)
sum=$(sha256sum "$TARBALL" | cut -c1-16)
tree=$CACHE/kvm-selftests-$ver-$sum
top=$(tar -tJf "$TARBALL" 2>/dev/null | head -n 1 | cut -d/ -f1) ||
	die "cannot list $TARBALL"
src=$tree/$top
kst=$src/tools/testing/selftests/kvm

t0=$(date +%s)
if [ ! -f "$tree/.extracted" ]; then
	step "extracting $(basename "$TARBALL") (tools + headers) into $tree"
	rm -rf "$tree"
	mkdir -p "$tree"
	# shellcheck disable=SC2086
	tar -xJf "$TARBALL" -C "$tree" $(for p in $PARTS; do echo "$top/$p"; done) ||
		die "extracting $TARBALL failed"
	touch "$tree/.extracted"
fi
t1=$(date +%s)

# The uapi headers: linux-libc-dev of the same Debian version installs
# exactly what "make headers" would generate, so use /usr/include then;
# otherwise generate them in the tree (about 3 CPU-minutes, once).
libc_ver=$(dpkg-query -W -f='${Version}' linux-libc-dev 2>/dev/null || true)
if [ "$libc_ver" = "$ver" ]; then
	khdr="-isystem /usr/include"
	step "uapi headers: /usr/include (linux-libc-dev $libc_ver)"
else
	khdr="-isystem $src/usr/include"
	if [ ! -f "$tree/.headers" ]; then
		step "make headers (linux-libc-dev '$libc_ver' != $ver)"
		make -s -C "$src" ARCH=x86_64 headers >"$tree/headers.log" 2>&1 ||
			{ tail -n 20 "$tree/headers.log" >&2; die "make headers failed"; }
		touch "$tree/.headers"
	fi
fi
t2=$(date +%s)

targets=
for t in $KST_TESTS; do targets="$targets $kst/$t"; done
step "building $(echo "$KST_TESTS" | wc -w) KVM selftests (-j$JOBS)"
# shellcheck disable=SC2086
# kselftest's lib.mk sets OUTPUT only at MAKELEVEL 0: run it as a fresh make
# even when "make kvm-selftests" is the caller.
env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS \
	make -C "$kst" -j"$JOBS" KHDR_INCLUDES="$khdr" $targets >"$tree/build.log" 2>&1 ||
	{ grep -E 'error|Error' "$tree/build.log" | head -n 20 >&2; die "build failed (log: $tree/build.log)"; }
t3=$(date +%s)

rm -rf "$OUT"
mkdir -p "$OUT/x86_64"
for t in $KST_TESTS; do
	strip -o "$OUT/$t" "$kst/$t"
done
echo "$ver $sum" >"$OUT/VERSION"
step "$OUT: $(echo "$KST_TESTS" | wc -w) tests from linux-source $ver;" \
     "extract $((t1 - t0))s, headers $((t2 - t1))s, build $((t3 - t2))s"

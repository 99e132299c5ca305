#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build what the arm64 box runs, outside the source tree so that the
# x86 build products in the tree stay untouched:
#
#   $BUILD/arm64/src/          copy of Kbuild, VERSION, module/, include/
#   $BUILD/arm64/hvmod.ko      built there against the box's arm64 headers
#   $BUILD/arm64/selftests/    copy of selftests/ with the generic tests,
#                              selftests/arm64/ and the aarch64 hvt
#                              unikernels (selftests/hvt/) built by
#                              aarch64-linux-gnu-gcc
#
#   $BUILD/arm64/hvctl          static hvctl (NO_KMOD=1; run --mode hvt)
#
#   build-arm64.sh [module|selftests|hvctl|all]      (default all)
#
# Needs setup-arm64.sh to have run (make setup).  Incremental: a source is
# copied only when its content changed (copy_tree in cross.sh).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KVER=${KVER:-$("$here/kver.sh")}
BUILD=${BUILD:-$TOP/build}
AVER=${KVER%-amd64}-arm64
AROOT=${AROOT:-$BUILD/testbox/arm64}
AKDIR=${AKDIR:-$AROOT/usr/src/linux-headers-$AVER}
OUT=$BUILD/arm64
CROSS=${CROSS_COMPILE:-aarch64-linux-gnu-}
what=${1:-all}
# keep in step with the arm64 list in selftests/run_tests.sh
GENERIC="hvmod_dev hvmod_vm hvmod_memslot hvmod_mmap hvmod_lifetime hvmod_helper"

die() { echo "build-arm64: error: $*" >&2; exit 1; }

command -v "${CROSS}gcc" >/dev/null || die "${CROSS}gcc missing: run 'make setup'"
[ -d "$AKDIR" ] || die "$AKDIR missing: run 'make setup'"

ME=build-arm64
. "$here/cross.sh"

build_module()
{
	copy_tree "$OUT/src" Kbuild VERSION module include
	make -s -C "$AKDIR" M="$OUT/src" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		modules || die "module build failed"
	cp -p "$OUT/src/hvmod.ko" "$OUT/hvmod.ko"
	echo "build-arm64: $OUT/hvmod.ko"
}

build_selftests()
{
	local st=$OUT/selftests

	copy_tree "$st" selftests include
	# the architecture-neutral tests the arm64 run list uses
	# (selftests/run_tests.sh) and the helper, then selftests/arm64
	# shellcheck disable=SC2086
	make -s -C "$st/selftests" CC="${CROSS}gcc" X86_PROGS= $GENERIC \
		>/dev/null || die "selftests build failed"
	make -s -C "$st/selftests/arm64" CROSS_COMPILE="$CROSS" ||
		die "selftests/arm64 build failed"
	# hvmod_hvt.sh's unikernels and elfmut, for aarch64
	make -s -C "$st/selftests/hvt" CC="${CROSS}gcc" >/dev/null ||
		die "selftests/hvt build failed"
	echo "build-arm64: $st/selftests"
}

cross_main "$what"

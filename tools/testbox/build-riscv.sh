#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build what the riscv64 box runs, outside the source tree so that
# the x86 build products in the tree stay untouched:
#
#   $BUILD/riscv/src/          copy of Kbuild, VERSION, module/, include/
#   $BUILD/riscv/hvmod.ko      built there against the box kernel's tree
#   $BUILD/riscv/selftests/    copy of selftests/ with the generic tests,
#                              selftests/riscv/ and the riscv64 hvt
#                              unikernels (selftests/hvt/) built by
#                              riscv64-linux-gnu-gcc
#   $BUILD/riscv/hvctl         static hvctl (NO_KMOD=1; run --mode hvt)
#
#   build-riscv.sh [module|selftests|hvctl|all]      (default all)
#
# Needs setup-riscv.sh to have run (make setup BOXES=riscv).  Incremental:
# a source is copied only when its content changed (copy_tree in cross.sh).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
RROOT=${RROOT:-$BUILD/testbox/riscv}
RKDIR=${RKDIR:-$RROOT/kbuild}
OUT=$BUILD/riscv
CROSS=${CROSS_COMPILE_RISCV:-riscv64-linux-gnu-}
what=${1:-all}

die() { echo "build-riscv: error: $*" >&2; exit 1; }

command -v "${CROSS}gcc" >/dev/null || die "${CROSS}gcc missing: run 'make setup BOXES=riscv'"

ME=build-riscv
. "$here/cross.sh"

build_module()
{
	[ -f "$RKDIR/Makefile" ] || die "$RKDIR missing: run 'make setup BOXES=riscv'"
	copy_tree "$OUT/src" Kbuild VERSION module include
	make -s -C "$RKDIR" M="$OUT/src" ARCH=riscv CROSS_COMPILE="$CROSS" \
		modules || die "module build failed"
	cp -p "$OUT/src/hvmod.ko" "$OUT/hvmod.ko"
	echo "build-riscv: $OUT/hvmod.ko"
}

build_selftests()
{
	local st=$OUT/selftests

	copy_tree "$st" selftests include
	# the generic tests the riscv box runs (run_tests.sh) and the
	# helper; the others (hvmod_fuzz, hvmod_lifetime2, hvmod_vmm,
	# hvbench) drive x86 guests and registers
	progs="hvmod_dev hvmod_vm hvmod_memslot hvmod_mmap hvmod_lifetime hvmod_helper"
	# shellcheck disable=SC2086
	make -s -C "$st/selftests" CC="${CROSS}gcc" X86_PROGS= $progs \
		>/dev/null || die "selftests build failed"
	# selftests/riscv: the riscv register ABI and guests
	mkdir -p "$st/selftests/riscv"
	for t in "$st"/selftests/riscv/*.c; do
		[ -e "$t" ] || continue
		[ "${t%.c}" -nt "$t" ] && [ "${t%.c}" -nt "$st/selftests/lib/hvmod_util.c" ] && continue
		"${CROSS}gcc" -static -O2 -g -Wall -Wextra -Werror \
			-I"$st/include/uapi" -I"$st/selftests/lib" -o "${t%.c}" \
			"$t" "$st/selftests/lib/hvmod_util.c" ||
			die "$(basename "$t") build failed"
	done
	# hvmod_hvt.sh's unikernels and elfmut, for riscv64
	make -s -C "$st/selftests/hvt" CC="${CROSS}gcc" >/dev/null ||
		die "selftests/hvt build failed"
	chmod +x "$st/selftests"/*.sh
	echo "build-riscv: $st/selftests"
}

cross_main "$what"

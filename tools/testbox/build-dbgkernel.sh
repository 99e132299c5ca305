#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug box (issue 6): a kernel with KASAN, kmemleak, lockdep,
# DEBUG_ATOMIC_SLEEP and UBSAN, built from Debian's linux-source-6.1
# (allnoconfig + dbgkernel.config), then hvmod.ko built against it.
#
# The kernel is cached in $CACHE/dbgkernel-<hash>, the hash covering the
# source package version, the config fragment and RECIPE (bump it when
# the kernel build steps below change), so only the first run on a
# machine pays for the build (~10 min on 2 cores).
# Writes $BUILD/testbox/dbg.env (DBG_KVER DBG_ROOT DBG_KBUILD) and
# $BUILD/dbg/hvmod.ko.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CACHE=${HVMOD_CACHE:-/var/cache/hvmod-testbox}
frag=$here/dbgkernel.config
tarball=/usr/src/linux-source-6.1.tar.xz
pkgs="linux-source-6.1 flex bison libelf-dev libssl-dev bc"

step() { echo "dbgkernel: $*"; }
die() { echo "dbgkernel: error: $*" >&2; exit 1; }

. "$here/apt.sh"
# shellcheck disable=SC2086
apt_need $pkgs
[ -f "$tarball" ] || die "$tarball missing after installing linux-source-6.1"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
RECIPE=1
hash=$( { echo "$srcver recipe $RECIPE"; cat "$frag"; } | sha256sum | cut -c1-16)
dir=$CACHE/dbgkernel-$hash
src=$dir/linux-source-6.1
kb=$dir/build

if [ ! -f "$dir/.done" ]; then
	start=$(date +%s)
	step "building the debug kernel into $dir (linux-source $srcver; ~10 min)"
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir"
	make -s -C "$src" O="$kb" KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null
	# Kconfig drops options silently: every fragment line must have landed.
	bad=0
	while IFS= read -r l; do
		case $l in
		CONFIG_*=*) grep -qx "$l" "$kb/.config" || { echo "dbgkernel: not in .config: $l"; bad=1; } ;;
		"# CONFIG_"*" is not set")
			o=${l#\# }; o=${o%% *}
			! grep -q "^$o=" "$kb/.config" || { echo "dbgkernel: set but should not be: $o"; bad=1; } ;;
		esac
	done <"$frag"
	[ $bad = 0 ] || die "the config fragment did not apply (see above)"
	nice -n 19 make -s -C "$kb" -j"$(nproc)" bzImage modules >"$dir/build.log" 2>&1 ||
		{ tail -n 30 "$dir/build.log"; die "kernel build failed ($dir/build.log)"; }
	krel=$(make -s -C "$kb" kernelrelease)
	make -s -C "$kb" INSTALL_MOD_PATH="$dir/root" modules_install >/dev/null
	mkdir -p "$dir/root/boot"
	cp "$kb/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$krel"
	echo "$krel" >"$dir/kernelrelease"
	touch "$dir/.done"
	step "built $krel in $(($(date +%s) - start)) s"
	# older builds are dead weight
	for old in "$CACHE"/dbgkernel-*; do
		[ "$old" = "$dir" ] || rm -rf "$old"
	done
else
	step "cached: $dir ($(cat "$dir/kernelrelease"))"
fi
krel=$(cat "$dir/kernelrelease")

# hvmod.ko for this kernel, from a copy of the sources so the regular
# build's objects stay untouched.
stage=$BUILD/dbg/src
rm -rf "$stage"
mkdir -p "$stage"
cp -a "$TOP/Kbuild" "$TOP/VERSION" "$TOP/module" "$TOP/include" "$stage/"
find "$stage" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o -name '*.mod*' \) -delete
make -s -C "$kb" M="$stage" modules >"$BUILD/dbg/build.log" 2>&1 ||
	{ tail -n 30 "$BUILD/dbg/build.log"; die "hvmod.ko build against $krel failed"; }
cp "$stage/hvmod.ko" "$BUILD/dbg/hvmod.ko"

mkdir -p "$BUILD/testbox"
cat >"$BUILD/testbox/dbg.env" <<EOF
DBG_KVER=$krel
DBG_ROOT=$dir/root
DBG_KBUILD=$kb
EOF
step "hvmod.ko for $krel: $BUILD/dbg/hvmod.ko"

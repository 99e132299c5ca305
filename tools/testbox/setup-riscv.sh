#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Set up the riscv64 test box (called by setup.sh; idempotent, fast when
# done).  Debian 12 has no riscv64 architecture, so the box's kernel and
# busybox are built here:
#   - host packages: the riscv64 cross compiler and libc, qemu-system-misc
#     (qemu-system-riscv64 with its bundled OpenSBI), linux-source-6.1 and
#     the kernel build tools;
#   - the kernel: Debian's linux-source-6.1 cross-built from allnoconfig +
#     tools/testbox/riscv.config (Image + the tree out-of-tree modules are
#     built against), in $CACHE/riscv-<hash>/ where <hash> covers the
#     source package version, the fragment and the cross compiler;
#   - a static busybox from Debian's busybox source (fetched with apt-get
#     source through a private deb-src list; the host's apt configuration
#     is not changed), in $CACHE/riscv-busybox-<hash>/.
# Both builds run under "nice -n 19" (~7 min for the kernel on 2 cores,
# ~2 min for busybox) and only when their cache directory is missing.
#
# Result (links into the cache): $RROOT/Image, $RROOT/kbuild (KDIR for
# ARCH=riscv), $RROOT/busybox.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CACHE=${HVMOD_CACHE:-/var/cache/hvmod-testbox}
RROOT=${RROOT:-$BUILD/testbox/riscv}
CROSS=riscv64-linux-gnu-
FRAG=$here/riscv.config
JOBS=${JOBS:-$(nproc)}

step() { echo "setup-riscv: $*"; }
die() { echo "setup-riscv: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get)"

. "$here/apt.sh"

apt_need gcc-riscv64-linux-gnu libc6-dev-riscv64-cross qemu-system-misc \
	linux-source-6.1 flex bison bc libssl-dev libelf-dev dpkg-dev xz-utils

ksrc_tar=/usr/src/linux-source-6.1.tar.xz
[ -f "$ksrc_tar" ] || die "$ksrc_tar missing (linux-source-6.1)"
kpver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
ccver=$("${CROSS}gcc" --version | head -n 1)
mkdir -p "$CACHE" "$RROOT"

# ---- kernel ----
khash=$({ echo "linux-source-6.1 $kpver"; echo "$ccver"; cat "$FRAG"; } |
	sha256sum | cut -c1-16)
kdir=$CACHE/riscv-$khash
if [ ! -f "$kdir/Image" ]; then
	# Built in place (the build tree records its source path); Image,
	# copied last, marks a complete build.
	tmp=$kdir
	rm -rf "$tmp"
	mkdir -p "$tmp"
	step "building the riscv64 kernel (linux-source-6.1 $kpver) in $tmp"
	t0=$(date +%s)
	tar -xJf "$ksrc_tar" -C "$tmp" || die "unpacking $ksrc_tar failed"
	src=$tmp/linux-source-6.1
	cp "$FRAG" "$tmp/fragment.config"
	km=(make -s -C "$src" O="$tmp/build" ARCH=riscv CROSS_COMPILE="$CROSS")
	"${km[@]}" KCONFIG_ALLCONFIG="$tmp/fragment.config" allnoconfig \
		>"$tmp/config.log" 2>&1 || { cat "$tmp/config.log"; die "allnoconfig failed"; }
	# Kconfig drops an option whose dependencies are missing: check them.
	bad=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$FRAG" | while read -r l; do
		grep -qx "$l" "$tmp/build/.config" || echo "$l"; done)
	[ -z "$bad" ] || die "fragment options not in .config: $bad"
	nice -n 19 "${km[@]}" -j"$JOBS" Image modules >"$tmp/build.log" 2>&1 ||
		{ tail -n 40 "$tmp/build.log"; die "kernel build failed ($tmp/build.log)"; }
	# What out-of-tree modules need stays; objects of the kernel go.
	find "$tmp/build" -path "$tmp/build/scripts" -prune -o \
		\( -name '*.o' -o -name '*.a' \) -type f -print0 | xargs -0 -r rm -f
	rm -f "$tmp/build/vmlinux" "$tmp/build/vmlinux.o"
	echo "$(($(date +%s) - t0)) s" >"$tmp/build-time"
	cp "$tmp/build/arch/riscv/boot/Image" "$tmp/Image"
	step "kernel built in $(cat "$kdir/build-time")"
else
	step "riscv64 kernel cached: $kdir"
fi
ln -sfn "$kdir/Image" "$RROOT/Image"
ln -sfn "$kdir/build" "$RROOT/kbuild"

# ---- busybox ----
bbcache=$CACHE/riscv-busybox-src
if ! ls "$bbcache"/busybox_*.dsc >/dev/null 2>&1; then
	step "fetching Debian's busybox source into $bbcache"
	mkdir -p "$bbcache/apt/lists/partial" "$bbcache/apt/cache/archives/partial" \
		"$bbcache/apt/sources.list.d"
	sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
		head -n 1 >"$bbcache/apt/mirror"
	mirror=$(cat "$bbcache/apt/mirror")
	mirror=${mirror:-http://deb.debian.org/debian}
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main" \
		>"$bbcache/apt/sources.list"
	aopt=(-o Dir::Etc::SourceList="$bbcache/apt/sources.list"
	      -o Dir::Etc::SourceParts="$bbcache/apt/sources.list.d"
	      -o Dir::State::Lists="$bbcache/apt/lists"
	      -o Dir::Cache="$bbcache/apt/cache"
	      -o APT::Sandbox::User=root)
	apt-get "${aopt[@]}" update -q >/dev/null || die "apt-get update (deb-src) failed"
	(cd "$bbcache" && apt-get "${aopt[@]}" source --download-only -q busybox) ||
		die "apt-get source busybox failed"
fi
dsc=$(ls "$bbcache"/busybox_*.dsc | tail -n 1)
# the busybox configuration below (change BBCONF when changing it)
BBCONF="defconfig static no-tc"
bhash=$({ basename "$dsc"; echo "$ccver"; echo "$BBCONF"; } | sha256sum | cut -c1-16)
bdir=$CACHE/riscv-busybox-$bhash
if [ ! -x "$bdir/busybox" ]; then
	tmp=$bdir.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	step "building a static riscv64 busybox from $(basename "$dsc")"
	t0=$(date +%s)
	dpkg-source -x "$dsc" "$tmp/src" >/dev/null || die "dpkg-source -x failed"
	bm=(make -C "$tmp/src" CROSS_COMPILE="$CROSS" ARCH=riscv)
	"${bm[@]}" defconfig >"$tmp/build.log" 2>&1 || die "busybox defconfig failed"
	# static; tc does not build against 6.x uapi headers (CBQ removed)
	sed -i -e 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/' \
	       -e 's/^CONFIG_TC=y/# CONFIG_TC is not set/' \
	       -e 's/^CONFIG_FEATURE_TC_INGRESS=y/# CONFIG_FEATURE_TC_INGRESS is not set/' \
		"$tmp/src/.config"
	yes '' | "${bm[@]}" oldconfig >>"$tmp/build.log" 2>&1 || true
	nice -n 19 "${bm[@]}" -j"$JOBS" busybox >>"$tmp/build.log" 2>&1 ||
		{ tail -n 30 "$tmp/build.log"; die "busybox build failed ($tmp/build.log)"; }
	cp "$tmp/src/busybox" "$tmp/busybox"
	rm -rf "$tmp/src"
	echo "$(($(date +%s) - t0)) s" >"$tmp/build-time"
	rm -rf "$bdir"
	mv "$tmp" "$bdir"
	step "busybox built in $(cat "$bdir/build-time")"
else
	step "riscv64 busybox cached: $bdir"
fi
ln -sfn "$bdir/busybox" "$RROOT/busybox"

file -L "$RROOT/busybox" | grep -q 'statically linked' ||
	die "$RROOT/busybox is not a static binary"
[ -f "$RROOT/kbuild/Module.symvers" ] || die "$RROOT/kbuild/Module.symvers missing"
step "ok (riscv64 kernel $kdir)"

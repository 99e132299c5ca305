#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the hvmod test boxes need on a Debian 12 machine and
# unpack the pinned box kernel into $BUILD/testbox/kernel.  Idempotent:
# when everything is present it only checks (dpkg-query) and returns.
#
# The box kernel image is never installed into the host: its .deb is
# fetched with "apt-get download" into $CACHE and unpacked with dpkg -x.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KVER=${KVER:-$("$here/kver.sh")}
BUILD=${BUILD:-$TOP/build}
CACHE=${HVMOD_CACHE:-/var/cache/hvmod-testbox}
KROOT=$BUILD/testbox/kernel

pkgs="gcc make libc6-dev kmod pkg-config libkmod-dev dkms
      linux-headers-$KVER cpio busybox-static qemu-system-x86
      bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools
      util-linux coreutils gzip linux-source-6.1 xz-utils e2fsprogs"

step() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, dkms)"

. "$here/apt.sh"
# shellcheck disable=SC2086
apt_need $pkgs

# The box kernel image, matching linux-headers-$KVER exactly.
mkdir -p "$CACHE"
deb=$(ls "$CACHE"/linux-image-"$KVER"_*_amd64.deb 2>/dev/null | tail -n 1 || true)
if [ -z "$deb" ]; then
	step "downloading linux-image-$KVER into $CACHE"
	(cd "$CACHE" &&
	 apt-get download -q -o APT::Sandbox::User=root "linux-image-$KVER" ||
	 { apt_update &&
	   apt-get download -q -o APT::Sandbox::User=root "linux-image-$KVER"; }) ||
		die "cannot download linux-image-$KVER"
	deb=$(ls "$CACHE"/linux-image-"$KVER"_*_amd64.deb | tail -n 1)
else
	step "box kernel package cached: $(basename "$deb")"
fi

stamp=$KROOT/.unpacked
if [ "$(cat "$stamp" 2>/dev/null)" != "$(basename "$deb")" ] ||
   [ ! -f "$KROOT/boot/vmlinuz-$KVER" ]; then
	step "unpacking $(basename "$deb") into $KROOT"
	rm -rf "$KROOT"
	mkdir -p "$KROOT"
	dpkg -x "$deb" "$KROOT" || die "dpkg -x $deb failed"
	basename "$deb" >"$stamp"
else
	step "box kernel unpacked: $KROOT/boot/vmlinuz-$KVER"
fi

[ -d "/usr/src/linux-headers-$KVER" ] ||
	die "/usr/src/linux-headers-$KVER missing"

# The arm64 box (EL2 with VHE under qemu-system-aarch64): Debian's arm64
# kernel of the same version, its headers (for the cross build of
# hvmod.ko) and a static arm64 busybox, fetched as .debs and unpacked
# into $AROOT with dpkg -x (never installed into the host).  It runs
# when BOXES names arm64, as check.sh's default does; HVMOD_ARM64=0
# skips it, HVMOD_ARM64=1 forces it.
case " ${BOXES:-svm vmx arm64 riscv dbg} " in *" arm64 "*) : "${HVMOD_ARM64:=1}" ;; esac
if [ "${HVMOD_ARM64:-0}" != 0 ]; then
	"$here/setup-arm64.sh" || die "arm64 box setup failed"
fi
# The riscv64 box (HS-mode under qemu-system-riscv64 -cpu rv64,h=true):
# Debian's linux-source-6.1 and busybox source cross-built once and cached
# (~10 min of both cores the first time).  It runs when BOXES names riscv,
# as check.sh's default does (HVMOD_RISCV=1 forces it, HVMOD_RISCV=0
# skips it).
case " ${BOXES:-svm vmx arm64 riscv dbg} " in *" riscv "*) : "${HVMOD_RISCV:=1}" ;; esac
if [ "${HVMOD_RISCV:-0}" != 0 ]; then
	"$here/setup-riscv.sh" || die "riscv box setup failed"
fi
step "ok (kernel $KVER)"

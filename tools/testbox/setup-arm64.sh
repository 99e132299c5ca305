#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Set up the arm64 test box (called by setup.sh; idempotent, fast when
# done):
#   - host packages: the aarch64 cross compiler and libc, qemu-system-arm,
#     linux-kbuild-6.1 of the same version as the x86 box headers;
#   - Debian's arm64 kernel image and headers of the x86 box's version
#     (6.1.0-N-amd64 -> 6.1.0-N-arm64), the -common headers and a static
#     arm64 busybox, fetched with "apt-get download" into $CACHE/arm64 and
#     unpacked with dpkg -x into $AROOT (never installed into the host;
#     of the kernel's modules only tun.ko is kept);
#   - the two fixes a cross build against those headers needs: their
#     scripts/tools links point at the host's linux-kbuild-6.1 (x86 tools
#     that run here), and the arch Makefile includes the -common Makefile
#     by absolute path, rewritten to the unpacked copy.
#
# Result: $AROOT/boot/vmlinuz-$AVER, $AROOT/usr/src/linux-headers-$AVER
# (KDIR for ARCH=arm64), $AROOT/bin/busybox (static, aarch64).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KVER=${KVER:-$("$here/kver.sh")}
BUILD=${BUILD:-$TOP/build}
CACHE=${HVMOD_CACHE:-/var/cache/hvmod-testbox}
AVER=${KVER%-amd64}-arm64
KBASE=${KVER%-amd64}
AROOT=${AROOT:-$BUILD/testbox/arm64}
ACACHE=$CACHE/arm64

step() { echo "setup-arm64: $*"; }
die() { echo "setup-arm64: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get)"
case $KVER in *-amd64) ;; *) die "unexpected box kernel version $KVER" ;; esac

# The Debian package version of the x86 box headers: every arm64 package
# must be exactly that version.
pver=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null) ||
	die "linux-headers-$KVER not installed (run setup.sh)"

. "$here/apt.sh"

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	step "dpkg --add-architecture arm64"
	dpkg --add-architecture arm64
	apt_update
fi

# Host packages (linux-kbuild-6.1 pinned to the headers' version).
apt_need gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm \
	"linux-kbuild-6.1=$pver"

# The box's packages, as .debs in the cache.
debs="linux-image-$AVER:arm64=$pver linux-headers-$AVER:arm64=$pver
      linux-headers-$KBASE-common=$pver busybox-static:arm64"
mkdir -p "$ACACHE"
files=
for d in $debs; do
	name=${d%%[:=]*}
	f=$(ls "$ACACHE/${name}_"*.deb 2>/dev/null | tail -n 1 || true)
	if [ -z "$f" ]; then
		step "downloading $d into $ACACHE"
		(cd "$ACACHE" &&
		 { apt-get download -q -o APT::Sandbox::User=root "$d" 2>/dev/null ||
		   { apt_update &&
		     apt-get download -q -o APT::Sandbox::User=root "$d"; }; }) ||
			die "cannot download $d"
		f=$(ls "$ACACHE/${name}_"*.deb | tail -n 1)
	fi
	files="$files $f"
done

stamp=$AROOT/.unpacked
# (the last line: what the unpacked tree keeps, so that an older tree
# is unpacked again)
want_stamp=$(for f in $files; do basename "$f"; done; echo "modules: tun")
kdir=$AROOT/usr/src/linux-headers-$AVER
if [ "$(cat "$stamp" 2>/dev/null)" != "$want_stamp" ] ||
   [ ! -f "$AROOT/boot/vmlinuz-$AVER" ] || [ ! -d "$kdir" ]; then
	step "unpacking the arm64 box packages into $AROOT"
	rm -rf "$AROOT"
	mkdir -p "$AROOT"
	for f in $files; do
		dpkg -x "$f" "$AROOT" || die "dpkg -x $f failed"
	done
	# The box loads one distro module, tun (hvmod_hvt.sh's net cases):
	# keep it and the metadata only.
	find "$AROOT/lib/modules/$AVER/kernel" -type f ! -name 'tun.ko*' -delete
	find "$AROOT/lib/modules/$AVER/kernel" -depth -type d -empty -delete
	# scripts/ and tools/ are links to ../../lib/linux-kbuild-6.1/...:
	# the host's copy (same version, x86 binaries) serves the cross build.
	mkdir -p "$AROOT/usr/lib"
	ln -sfn /usr/lib/linux-kbuild-6.1 "$AROOT/usr/lib/linux-kbuild-6.1"
	# The arch Makefile includes the -common one by absolute path.
	sed -i "s|/usr/src/linux-headers-$KBASE-common|$AROOT/usr/src/linux-headers-$KBASE-common|g" \
		"$kdir/Makefile"
	echo "$want_stamp" >"$stamp"
else
	step "arm64 box unpacked: $AROOT/boot/vmlinuz-$AVER"
fi

[ -f "$AROOT/boot/vmlinuz-$AVER" ] || die "$AROOT/boot/vmlinuz-$AVER missing"
[ -x "$AROOT/bin/busybox" ] || die "$AROOT/bin/busybox missing"
grep -q "$AROOT/usr/src/linux-headers-$KBASE-common" "$kdir/Makefile" ||
	die "$kdir/Makefile does not include the unpacked -common Makefile"
[ -x "$kdir/scripts/basic/fixdep" ] ||
	die "$kdir/scripts/basic/fixdep missing (linux-kbuild-6.1 link)"
step "ok (arm64 kernel $AVER)"

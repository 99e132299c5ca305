#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build and install hvmod through DKMS for the box kernel ($KVER), the
# way a distribution user would, and keep the installed module as
# $BUILD/dkms/hvmod.ko (the boxes load it as /lib/hvmod/hvmod-dkms.ko).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KVER=${KVER:-$("$here/kver.sh")}
BUILD=${BUILD:-$TOP/build}
HVMOD_VERSION=${HVMOD_VERSION:-$(cat "$TOP/VERSION")}

mod=hvmod/$HVMOD_VERSION
stage=$BUILD/dkms-src/hvmod-$HVMOD_VERSION
out=$BUILD/dkms/hvmod.ko

step() { echo "dkms: $*"; }
die() { echo "dkms: error: $*" >&2; exit 1; }

command -v dkms >/dev/null || die "dkms not installed: run 'make setup'"
[ "$(id -u)" = 0 ] || die "must run as root"
[ -d "/lib/modules/$KVER/build" ] ||
	die "no headers for $KVER (/lib/modules/$KVER/build): run 'make setup'"
for f in Kbuild dkms.conf VERSION module include; do
	[ -e "$TOP/$f" ] || die "$TOP/$f missing"
done

# DKMS state (/usr/src, /var/lib/dkms, /lib/modules) is machine-wide.
exec 8>/tmp/hvmod-dkms.lock
flock -n 8 || { step "waiting for another dkms.sh run"; flock 8; }

rm -f "$out"	# never leave a stale module for the boxes
step "staging sources in $stage"
rm -rf "$stage"
mkdir -p "$stage"
cp -a "$TOP/Kbuild" "$TOP/dkms.conf" "$TOP/VERSION" "$TOP/module" \
      "$TOP/include" "$stage/"
# A clean copy: no build products from an in-tree build.
find "$stage" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o \
	-name '*.mod.c' -o -name '.*.cmd' -o -name '*.a' -o \
	-name 'modules.order' -o -name 'Module.symvers' \) -delete
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$HVMOD_VERSION\"/" \
	"$stage/dkms.conf"

if dkms status -m hvmod -v "$HVMOD_VERSION" 2>/dev/null | grep -q .; then
	step "removing previous $mod"
	dkms remove "$mod" --all >/dev/null 2>&1 || true
fi

step "add $stage"
dkms add --force "$stage" || die "dkms add failed"
step "build -k $KVER $mod"
dkms build -k "$KVER" "$mod" ||
	{ tail -n 30 "/var/lib/dkms/$mod/build/make.log" >&2 2>/dev/null
	  die "dkms build failed (log: /var/lib/dkms/$mod/build/make.log)"; }
step "install -k $KVER $mod"
dkms install -k "$KVER" "$mod" --force || die "dkms install failed"

ko=$(find "/lib/modules/$KVER/updates/dkms" -name 'hvmod.ko*' -print -quit 2>/dev/null)
[ -n "$ko" ] || die "hvmod.ko not found under /lib/modules/$KVER/updates/dkms"
mkdir -p "$(dirname "$out")"
case $ko in
*.ko) cp "$ko" "$out" ;;
*.ko.xz) xz -dc "$ko" >"$out" ;;
*.ko.gz) gzip -dc "$ko" >"$out" ;;
*.ko.zst) zstd -qdc "$ko" >"$out" ;;
*) die "unknown module format: $ko" ;;
esac
modinfo -F vermagic "$out" | grep -q "^$KVER " ||
	die "$out is not built for $KVER"
step "ok: $ko -> $out"

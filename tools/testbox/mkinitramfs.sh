#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs of an hvmod test box:
#
#   mkinitramfs.sh --box svm|vmx --job check|demo|shell --out FILE
#
# Contents: static busybox (+ applet links), bash and its libraries,
# /init, hvmod.ko (and the DKMS-built copy if present), the box kernel's
# KVM reference modules with their dependencies, hvctl and the selftests
# with their shared libraries, and /etc/hvbox.conf.
#
# Inputs can be overridden from the environment (defaults in brackets):
#   HVMOD_KO       [$TOP/hvmod.ko]
#   HVMOD_DKMS_KO  [$BUILD/dkms/hvmod.ko]   (optional)
#   HVCTL          [$TOP/tools/hvctl/hvctl]
#   SELFTESTS_DIR  [$TOP/selftests]
#   KROOT          [$BUILD/testbox/kernel]  (unpacked box kernel, setup.sh)

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KVER=${KVER:-$("$here/kver.sh")}
BUILD=${BUILD:-$TOP/build}
KROOT=${KROOT:-$BUILD/testbox/kernel}
HVMOD_KO=${HVMOD_KO:-$TOP/hvmod.ko}
HVMOD_DKMS_KO=${HVMOD_DKMS_KO:-$BUILD/dkms/hvmod.ko}
HVCTL=${HVCTL:-$TOP/tools/hvctl/hvctl}
SELFTESTS_DIR=${SELFTESTS_DIR:-$TOP/selftests}

# Reference modules; their dependencies are added recursively.
KVM_MODS="kvm kvm-amd kvm-intel irqbypass ccp"

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }
usage() { die "usage: $0 --box svm|vmx --job check|demo|shell --out FILE"; }

box= job= out=
while [ $# -gt 0 ]; do
	case $1 in
	--box) box=${2:-}; shift 2 || usage ;;
	--job) job=${2:-}; shift 2 || usage ;;
	--out) out=${2:-}; shift 2 || usage ;;
	*) usage ;;
	esac
done
case $box in svm|vmx) ;; *) usage ;; esac
case $job in check|demo|shell) ;; *) usage ;; esac
[ -n "$out" ] || usage

moddir=$KROOT/lib/modules/$KVER
[ -d "$moddir/kernel" ] || die "$moddir missing: run 'make setup'"
[ -f "$HVMOD_KO" ] || die "$HVMOD_KO missing: build the module first (make)"
[ -x "$HVCTL" ] || die "$HVCTL missing: build hvctl first (make hvctl)"
[ -d "$SELFTESTS_DIR" ] || die "$SELFTESTS_DIR missing"
case $job in
check) need=run_tests.sh ;;
demo) need=demo.sh ;;
*) need= ;;
esac
[ -z "$need" ] || [ -f "$SELFTESTS_DIR/$need" ] ||
	die "$SELFTESTS_DIR/$need missing (needed by job '$job')"

# A selftest source with a main() but no built program: not built.
for c in "$SELFTESTS_DIR"/*.c; do
	[ -f "$c" ] || continue
	grep -qE '^(int|void)[[:space:]]+main[[:space:]]*\(' "$c" || continue
	[ -x "${c%.c}" ] ||
		die "selftest ${c%.c} not built (run 'make selftests')"
done

mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/.initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# Copy FILE to the same path under the stage, plus its shared libraries
# and ELF interpreter (ldd fails for static programs and scripts: fine).
copy_libs()
{
	local lib

	for lib in $(ldd "$1" 2>/dev/null |
		     awk '/=> \//{ print $3; next } /^[[:space:]]*\//{ print $1 }'); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

install_bin()	# SRC DEST
{
	mkdir -p "$stage$(dirname "$2")"
	cp -L "$1" "$stage$2"
	chmod 755 "$stage$2"
	copy_libs "$1"
}

# Base layout, busybox and its applet links.
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root}
mkdir -p "$stage/lib/hvmod" "$stage/selftests"
mknod -m 600 "$stage/dev/console" c 5 1
mknod -m 666 "$stage/dev/null" c 1 3
bb=$(command -v busybox) || die "busybox missing: run 'make setup'"
ldd "$bb" >/dev/null 2>&1 && die "$bb is not static (install busybox-static)"
cp "$bb" "$stage/bin/busybox"
for app in $("$bb" --list-full); do
	[ -e "$stage/$app" ] || ln -s /bin/busybox "$stage/$app"
done
# bash, for test scripts that ask for it.
if [ -x /bin/bash ]; then
	rm -f "$stage/bin/bash"
	install_bin /bin/bash /bin/bash
fi

install -m 755 "$here/init" "$stage/init"
cat >"$stage/etc/hvbox.conf" <<CONF
BOX=$box
JOB=$job
KVER=$KVER
CONF

# hvmod itself.
cp "$HVMOD_KO" "$stage/lib/hvmod/hvmod.ko"
[ ! -f "$HVMOD_DKMS_KO" ] || cp "$HVMOD_DKMS_KO" "$stage/lib/hvmod/hvmod-dkms.ko"

# KVM reference modules at their usual paths, then depmod for modprobe.
find_mod()
{
	find "$moddir/kernel" -name "$1.ko*" -print -quit
}

todo=$KVM_MODS
done_mods=
while [ -n "$todo" ]; do
	set -- $todo
	m=$1; shift; todo="$*"
	case " $done_mods " in *" $m "*) continue ;; esac
	done_mods="$done_mods $m"
	f=$(find_mod "$m")
	[ -z "$f" ] && f=$(find_mod "$(echo "$m" | tr _ -)")
	[ -n "$f" ] || die "module $m not found under $moddir"
	rel=${f#"$KROOT"}
	mkdir -p "$stage$(dirname "$rel")"
	cp "$f" "$stage$rel"
	deps=$(modinfo -F depends "$f" | tr , ' ')
	todo="$todo $deps"
done
cp "$moddir"/modules.builtin "$moddir"/modules.builtin.modinfo \
   "$moddir"/modules.order "$stage/lib/modules/$KVER/"
depmod -b "$stage" "$KVER" || die "depmod failed"

# hvctl and the selftests.
install_bin "$HVCTL" /usr/bin/hvctl
(cd "$SELFTESTS_DIR" && find . -type f \( -perm -u+x -o -name '*.sh' \) \
	! -path './data/*' ! -name '*.o' ! -name '*.ko' ! -name '*.cmd') |
while read -r f; do
	install_bin "$SELFTESTS_DIR/$f" "/selftests/${f#./}"
done
[ ! -d "$SELFTESTS_DIR/data" ] || cp -a "$SELFTESTS_DIR/data" "$stage/selftests/"

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -6 >"$out.tmp" || die "cpio failed"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB, box=$box job=$job)"

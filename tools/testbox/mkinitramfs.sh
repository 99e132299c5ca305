#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs of an hvmod test box:
#
#   mkinitramfs.sh --box svm|vmx|arm64|riscv --job check|demo|bench|shell --out FILE
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
#   KST_DIR        [$BUILD/kvm-selftests]   (optional: the kernel's KVM
#                  selftests, tools/testbox/kvm-selftests.sh; x86 boxes)
#
# The arm64 box takes the cross-built copies (tools/testbox/build-arm64.sh)
# instead: $BUILD/arm64/hvmod.ko, $BUILD/arm64/selftests/selftests, the
# static arm64 busybox unpacked by setup-arm64.sh, hvctl only if a cross
# build exists ($BUILD/arm64/hvctl); no bash, of the modules only tun (the arm64
# kernel has KVM built in).  The riscv box likewise (build-riscv.sh):
# $BUILD/riscv/hvmod.ko, $BUILD/riscv/selftests/selftests, the static
# riscv64 busybox built by setup-riscv.sh, no bash, no KVM modules.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KVER=${KVER:-$("$here/kver.sh")}
BUILD=${BUILD:-$TOP/build}
KROOT=${KROOT:-$BUILD/testbox/kernel}
HVMOD_KO=${HVMOD_KO:-$TOP/hvmod.ko}
HVMOD_DKMS_KO=${HVMOD_DKMS_KO:-$BUILD/dkms/hvmod.ko}
HVMOD_VERSION=${HVMOD_VERSION:-$(cat "$TOP/VERSION" 2>/dev/null || echo unknown)}
HVCTL=${HVCTL:-$TOP/tools/hvctl/hvctl}
SELFTESTS_DIR=${SELFTESTS_DIR:-$TOP/selftests}
KST_DIR=${KST_DIR:-$BUILD/kvm-selftests}

# Reference modules (and tun for the hvt net tests); their dependencies
# are added recursively.
KVM_MODS="kvm kvm-amd kvm-intel irqbypass ccp tun"

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }
usage() { die "usage: $0 --box svm|vmx|arm64|riscv|dbg --job check|demo|bench|shell --out FILE"; }

box='' job='' out=''
while [ $# -gt 0 ]; do
	case $1 in
	--box) box=${2:-}; shift 2 || usage ;;
	--job) job=${2:-}; shift 2 || usage ;;
	--out) out=${2:-}; shift 2 || usage ;;
	*) usage ;;
	esac
done
case $box in svm|vmx|arm64|riscv|dbg) ;; *) usage ;; esac
case $job in check|demo|bench|shell) ;; *) usage ;; esac
[ -n "$out" ] || usage

if [ "$box" = arm64 ]; then
	AVER=${KVER%-amd64}-arm64
	AROOT=${AROOT:-$BUILD/testbox/arm64}
	HVMOD_KO=${HVMOD_ARM64_KO:-$BUILD/arm64/hvmod.ko}
	HVMOD_DKMS_KO=/nonexistent
	HVCTL=${HVCTL_ARM64:-$BUILD/arm64/hvctl}
	SELFTESTS_DIR=${SELFTESTS_ARM64_DIR:-$BUILD/arm64/selftests/selftests}
	KROOT=$AROOT
	KVER=$AVER
	KVM_MODS=tun	# no KVM here, only tun for the hvt net cases
fi
if [ "$box" = riscv ]; then
	RROOT=${RROOT:-$BUILD/testbox/riscv}
	HVMOD_KO=${HVMOD_RISCV_KO:-$BUILD/riscv/hvmod.ko}
	HVMOD_DKMS_KO=/nonexistent
	HVCTL=${HVCTL_RISCV:-$BUILD/riscv/hvctl}
	SELFTESTS_DIR=${SELFTESTS_RISCV_DIR:-$BUILD/riscv/selftests/selftests}
	KVER=$(cat "$RROOT/kbuild/include/config/kernel.release" 2>/dev/null) ||
		die "$RROOT/kbuild missing: run 'make setup BOXES=riscv'"
	KVM_MODS=
fi
# arm64 and riscv: cross-built, no distro modules, no host binaries
cross=
case $box in arm64|riscv) cross=1 ;; esac
# The guest of hvmod_virtio.sh (x86 boxes) takes its virtio drivers, and
# ext4 for its root on the virtio disk, from the box's /lib/modules (the
# same kernel).
case $box in svm|vmx)
	KVM_MODS="$KVM_MODS virtio_mmio virtio_blk virtio_console virtio_net ext4 crc32c_generic" ;;
esac
# The debug kernel (build-dbgkernel.sh) has KVM as modules, nothing else.
[ "$box" != dbg ] || KVM_MODS="kvm kvm-amd kvm-intel irqbypass"

moddir=$KROOT/lib/modules/$KVER
[ -n "$cross" ] || [ -d "$moddir/kernel" ] ||
	die "$moddir missing: run 'make setup'"
[ -f "$HVMOD_KO" ] || die "$HVMOD_KO missing: build the module first (make)"
[ -n "$cross" ] || [ -x "$HVCTL" ] ||
	die "$HVCTL missing: build hvctl first (make hvctl)"
[ -d "$SELFTESTS_DIR" ] || die "$SELFTESTS_DIR missing"
case $job in
check) need=run_tests.sh ;;
demo) need=demo.sh ;;
bench) need=bench.sh ;;
*) need= ;;
esac
[ -z "$need" ] || [ -f "$SELFTESTS_DIR/$need" ] ||
	die "$SELFTESTS_DIR/$need missing (needed by job '$job')"

# Every program the selftests Makefile builds (kselftest variables) must
# be there.  (The arm64 copy builds what its Makefiles list; run_tests.sh
# reports a missing program as "not ok".)
list_progs()
{
	[ -f "$SELFTESTS_DIR/Makefile" ] || return 0
	printf '%s\n' 'hvbox-list-progs: ; @echo $(TEST_GEN_PROGS) $(TEST_PROGS) $(TEST_GEN_FILES) $(HELPERS) $(X86_PROGS)' |
		make -s --no-print-directory -C "$SELFTESTS_DIR" \
			-f Makefile -f - hvbox-list-progs 2>/dev/null || true
}
if [ -z "$cross" ]; then
	for p in $(list_progs); do
		[ -e "$SELFTESTS_DIR/$p" ] ||
			die "selftest $SELFTESTS_DIR/$p not built (run 'make selftests')"
	done
fi

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
if [ "$box" = arm64 ]; then
	# the host's busybox (same Debian package) lists the applets
	[ -x "$AROOT/bin/busybox" ] || die "$AROOT/bin/busybox missing: run 'make setup'"
	cp "$AROOT/bin/busybox" "$stage/bin/busybox"
elif [ "$box" = riscv ]; then
	# Debian's busybox source in defconfig: the host's applets and more
	[ -x "$RROOT/busybox" ] || die "$RROOT/busybox missing: run 'make setup BOXES=riscv'"
	cp -L "$RROOT/busybox" "$stage/bin/busybox"
else
	cp "$bb" "$stage/bin/busybox"
fi
for app in $("$bb" --list-full); do
	[ -e "$stage/$app" ] || ln -s /bin/busybox "$stage/$app"
done
# bash, for test scripts that ask for it.
if [ -x /bin/bash ] && [ -z "$cross" ]; then
	rm -f "$stage/bin/bash"
	install_bin /bin/bash /bin/bash
fi

install -m 755 "$here/init" "$stage/init"
cat >"$stage/etc/hvbox.conf" <<CONF
BOX=$box
JOB=$job
KVER=$KVER
HVMOD_VERSION=$HVMOD_VERSION
CONF

# hvmod itself.
cp "$HVMOD_KO" "$stage/lib/hvmod/hvmod.ko"
[ ! -f "$HVMOD_DKMS_KO" ] || cp "$HVMOD_DKMS_KO" "$stage/lib/hvmod/hvmod-dkms.ko"

# KVM reference modules at their usual paths, then depmod for modprobe.
mkdir -p "$stage/lib/modules/$KVER"
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
	todo="$todo${deps:+ $deps}"	# stays empty after the last one
done
if [ "$box" != riscv ]; then
cp "$moddir"/modules.builtin "$moddir"/modules.builtin.modinfo \
   "$moddir"/modules.order "$stage/lib/modules/$KVER/"
depmod -b "$stage" "$KVER" || die "depmod failed"
fi

# The guest kernel of hvmod_type1.sh and hvmod_virtio.sh (`hvctl run
# --mode type1|virtio`): the box's own kernel image, ~8 MiB, in both x86
# boxes (in Bochs a guest boot takes ~2 minutes: hvmod_type1.sh boots two
# there, hvmod_virtio.sh one).
if [ "$box" = svm ] || [ "$box" = vmx ]; then
	gk=$(ls "$KROOT"/boot/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$gk" ] || die "$KROOT/boot/vmlinuz-* missing: run 'make setup'"
	cp "$gk" "$stage/lib/hvmod/guest-vmlinuz"
	vk=$SELFTESTS_DIR/vio_cmdline/vio_cmdline.ko
	[ ! -f "$vk" ] || cp "$vk" "$stage/lib/hvmod/vio_cmdline.ko"
	# hvmod_virtio.sh builds the guest's ext4 root image and checks it
	# after the guest is gone (e2fsprogs, setup.sh), in place of
	# busybox's mke2fs (no -t, no -d)
	for f in mke2fs e2fsck debugfs; do
		p=$(PATH=/usr/sbin:/sbin:$PATH command -v $f) ||
			die "$f missing: run 'make setup'"
		rm -f "$stage/sbin/$f" "$stage/usr/sbin/$f"
		install_bin "$p" "/sbin/$f"
	done
fi

# Debian's QEMU for hvmod_qemu.sh (svm box, when the host has it): the
# binary, its libraries and only the firmware it opens for a -kernel boot
# with -nodefaults (SeaBIOS, the linuxboot DMA and kvmvapic option ROMs).
if [ "$box" = svm ] && [ -x /usr/bin/qemu-system-x86_64 ]; then
	install_bin /usr/bin/qemu-system-x86_64 /usr/bin/qemu-system-x86_64
	for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin \
		 /usr/share/qemu/linuxboot_dma.bin; do
		[ -f "$f" ] || die "$f missing (QEMU's firmware: apt-get install qemu-system-x86)"
		mkdir -p "$stage$(dirname "$f")"
		cp -L "$f" "$stage$f"
	done
fi

# hvctl and the selftests.
[ ! -x "$HVCTL" ] || install_bin "$HVCTL" /usr/bin/hvctl
(cd "$SELFTESTS_DIR" && find . -type f \( -perm -u+x -o -name '*.sh' \) \
	! -path './data/*' ! -name '*.o' ! -name '*.ko' ! -name '*.cmd') |
while read -r f; do
	install_bin "$SELFTESTS_DIR/$f" "/selftests/${f#./}"
done
[ ! -d "$SELFTESTS_DIR/data" ] || cp -a "$SELFTESTS_DIR/data" "$stage/selftests/"
# The kernel's KVM selftests (selftests/hvmod_kvm_selftests.sh), if built.
if [ "$box" != arm64 ] && [ -d "$KST_DIR" ]; then
	(cd "$KST_DIR" && find . -type f -perm -u+x) |
	while read -r f; do
		install_bin "$KST_DIR/$f" "/selftests/kvm/${f#./}"
	done
	cp "$KST_DIR/VERSION" "$stage/selftests/kvm/" 2>/dev/null || true
fi

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -6 >"$out.tmp" || die "cpio failed"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB, box=$box job=$job)"

# SPDX-License-Identifier: GPL-2.0
#
# What the tests that boot a Linux guest (hvmod_type1.sh, hvmod_virtio.sh
# with hvctl, hvmod_qemu.sh with QEMU) share, sourced (POSIX sh / busybox).
# The caller sources lib/hv.sh first (TAP: ok, fail, skip, skip_all, diag)
# and sets KERNEL, HVCTL and DEV; for expect, RC and OUT (and FAIL_MARK if
# its guest reports failures by a marker); for kvm_compare, T.

# report NAME WHY OUTPUT-FILE: ok if WHY is empty, else not ok with the
# last $TAIL (default 40) lines of OUTPUT-FILE as diagnostics.
report() {
	if [ -z "$2" ]; then
		ok "$1"
	else
		fail "$1 # $2"
		# run-box.sh stops the box on these two lines: defused
		[ -f "$3" ] && tail -n "${TAIL:-40}" "$3" | sed -e 's/^/#   | /' \
			-e 's/System halted/System (halted)/' \
			-e 's/end Kernel panic/end (Kernel panic)/'
	fi
}

# kvm_compare WANT CASE...: for the same boots on the distro's KVM.  With
# WANT = 1 and this CPU's KVM module (KVM_MOD) loaded it returns 0 (the
# caller unloads KVM_MOD); otherwise every CASE is reported skipped with
# the reason, and it returns 1.
kvm_compare() {
	_want=$1
	shift
	KVM_MOD=
	grep -qw svm /proc/cpuinfo && KVM_MOD=kvm_amd
	grep -qw vmx /proc/cpuinfo && KVM_MOD=kvm_intel
	_why=
	if [ "$_want" != 1 ] || [ "$DEV" = /dev/kvm ] || [ -z "$KVM_MOD" ]; then
		_why="not asked for or no KVM here"
	elif ! modprobe "$KVM_MOD" > "$T/kvm.out" 2>&1 || ! [ -c /dev/kvm ]; then
		_why="modprobe $KVM_MOD failed: $(head -n 1 "$T/kvm.out")"
	fi
	[ -z "$_why" ] && return 0
	for _c in "$@"; do
		skip "$_why" "$_c"
	done
	return 1
}

# guest_busybox: skips the test unless a busybox with cpio -o is there; sets BB.
guest_busybox() {
	BB=/bin/busybox
	[ -x "$BB" ] || BB=$(command -v busybox) || skip_all "busybox missing"
	"$BB" cpio --help 2>&1 | grep -q -- '-o' || skip_all "busybox without cpio -o"
}

# guest_initramfs DIR: DIR/rd.cpio from DIR/rd (the caller's files, /init
# among them) plus busybox as /bin/busybox and /bin/sh, /dev/console, /proc.
guest_initramfs() {
	mkdir -p "$1/rd/bin" "$1/rd/dev" "$1/rd/proc"
	cp "$BB" "$1/rd/bin/busybox"
	ln -s busybox "$1/rd/bin/sh"
	mknod -m 600 "$1/rd/dev/console" c 5 1 ||
		skip_all "cannot mknod /dev/console for the guest"
	chmod 755 "$1/rd/init"
	(cd "$1/rd" && find . | "$BB" cpio -o -H newc 2>/dev/null) > "$1/rd.cpio" ||
		skip_all "cannot build the guest initramfs"
}

# now_cs: uptime in centiseconds; secs CS: CS as seconds with 2 decimals
now_cs() {
	read -r _up _rest < /proc/uptime
	_s=${_up%.*}
	_c=${_up#*.}
	echo $((_s * 100 + ${_c#0}))
}

secs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# guest_kernel_preflight: skips the test unless the guest kernel, hvctl, a
# busybox with cpio -o and a device that runs guests are there; sets BB.
guest_kernel_preflight() {
	[ -f "$KERNEL" ] || skip_all "no guest kernel at $KERNEL (x86 boxes only)"
	[ -x "$HVCTL" ] || skip_all "hvctl not found (HVCTL=$HVCTL)"
	guest_busybox
	[ -c "$DEV" ] || skip_all "$DEV missing"
	_info=$("$HVCTL" info --json --device "$DEV" 2>&1)
	case $_info in
	*'"backend"'*)
		case $_info in
		*'"run"'*) ;;
		*) skip_all "$DEV cannot run guests (no \"run\" feature)" ;;
		esac ;;
	*'api_version'*) ;;
	*) skip_all "$DEV not usable: $(printf '%s' "$_info" | head -n 1)" ;;
	esac
}

# expect RC PATTERN...: WHY (empty when hvctl exited with RC, OUT has every
# PATTERN and, with FAIL_MARK set, no line holding FAIL_MARK)
expect() {
	WHY=
	[ "$RC" = "$1" ] || { WHY="exit $RC, expected $1"; return; }
	shift
	for _p in "$@"; do
		grep -q -- "$_p" "$OUT" || { WHY="output lacks '$_p'"; return; }
	done
	[ -n "$FAIL_MARK" ] && grep -q -- "$FAIL_MARK" "$OUT" &&
		WHY="guest: $(grep -m 1 -- "$FAIL_MARK" "$OUT")"
	return 0
}

# guest_rd DIR: the base of a busybox initramfs tree in DIR (bin/busybox,
# bin/sh, dev/console, proc, sys, mod); needs BB (preflight).
guest_rd() {
	mkdir -p "$1/bin" "$1/dev" "$1/proc" "$1/sys" "$1/mod"
	cp "$BB" "$1/bin/busybox" && ln -s busybox "$1/bin/sh" ||
		skip_all "cannot copy busybox into $1"
	mknod -m 600 "$1/dev/console" c 5 1 ||
		skip_all "cannot mknod /dev/console for the guest"
}

# guest_rd_mods DIR MODULE...: the box kernel's MODULE.ko files (the guest
# runs the same kernel) into DIR/mod.
guest_rd_mods() {
	_dir=$1
	shift
	for _m in "$@"; do
		_f=$(find "/lib/modules/$(uname -r)/kernel" -name "$_m.ko" | head -n 1)
		[ -n "$_f" ] || skip_all "module $_m.ko not under /lib/modules/$(uname -r)"
		cp "$_f" "$_dir/mod/"
	done
}

# guest_rd_pack DIR FILE: DIR as a newc cpio archive in FILE.
guest_rd_pack() {
	(cd "$1" && find . | "$BB" cpio -o -H newc 2>/dev/null) > "$2" ||
		skip_all "cannot build the guest initramfs"
}

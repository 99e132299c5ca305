#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Loading hvmod: backend=<the other vendor's backend> and backend=bogus are
# refused (ENODEV, EINVAL) with a "hvmod: " kernel log line; backend=<this
# box's> and the default (auto) load; the device node and the sysfs files
# appear; the DKMS-built module (if $HVMOD_DKMS_KO exists) loads and runs.
# Starts with hvmod unloaded (unloads it if needed), ends with $HVMOD_KO
# loaded.  Env: HVMOD_KO, HVMOD_DKMS_KO, HVMOD_BOX (svm|vmx), HVMOD_VERSION.

DIR=$(cd "$(dirname "$0")" && pwd)
HELPER=$DIR/hvmod_helper
KO=${HVMOD_KO:-/lib/hvmod/hvmod.ko}
SYS=/sys/module/hvmod
OUT=${TMPDIR:-/tmp}/hvmod_load.$$
NR_TESTS=18

. "$DIR/lib/hv.sh"

# load FILE [PARAM...] / unload: result in $OUT, shown as diagnostics.
load() {
	diag "insmod $*"
	"$HELPER" insmod "$@" > "$OUT" 2>&1
	_rc=$?
	show "$OUT"
	return $_rc
}

unload() {
	"$HELPER" rmmod > "$OUT" 2>&1
	_rc=$?
	show "$OUT"
	return $_rc
}

loaded()     { [ -d "$SYS" ]; }
not_loaded() { [ ! -d "$SYS" ]; }
# logged PATTERN: the module logged "hvmod: PATTERN" (the kernel's own
# "hvmod: ... taint..." lines about out-of-tree modules do not count).
logged() {
	while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in
		*taint*) ;;
		"log: hvmod: "$1) return 0 ;;
		esac
	done < "$OUT"
	return 1
}
info_backend_is() {
	"$HELPER" info > "$OUT" 2>&1
	has_line "$OUT" "backend=$1" || { show "$OUT"; return 1; }
}

# refused ERRNO PARAM...: loading $KO with PARAM fails with ERRNO.
refused() {
	_want=$1
	shift
	if load "$KO" "$@"; then
		diag "expected $_want, but the module loaded: unloading it"
		unload
		return 1
	fi
	has_line "$OUT" "insmod: $_want *"
}

[ -x "$HELPER" ] || skip_all "$HELPER missing: run make -C selftests"
[ -f "$KO" ] || skip_all "$KO: not found (set HVMOD_KO)"
BOX=$HVMOD_BOX
if [ -z "$BOX" ]; then
	has_line /proc/cpuinfo "flags*svm*" && BOX=svm
	has_line /proc/cpuinfo "flags*vmx*" && BOX=vmx
fi
case $BOX in
svm) OTHER=vmx ;;
vmx) OTHER=svm ;;
arm64) BOX=arm64-vhe OTHER= ;;	# one backend on arm64: no "other"
riscv) BOX=riscv-h OTHER= ;;	# one backend on riscv64
*) skip_all "unknown box '$BOX': set HVMOD_BOX=svm|vmx|arm64|riscv" ;;
esac

# riscv64 harts without the H extension (BOX_RISCV_CPU=rv64,h=false):
# loading must fail with ENODEV and say why.
riscv_no_h() {
	while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in
		isa*:*) _isa=${_l#*: }; _isa=${_isa%%_*}; _isa=${_isa#rv64} ;;
		*) continue ;;
		esac
		case $_isa in *h*) return 1 ;; esac
		return 0
	done < /proc/cpuinfo
	return 1
}
if [ "$BOX" = riscv-h ] && riscv_no_h; then
	echo "TAP version 13"
	echo "1..3"
	diag "box riscv without the H extension, module $KO"
	loaded && unload
	refused ENODEV
	check "insmod fails with ENODEV on harts without H" has_line "$OUT" "insmod: ENODEV *"
	check "the refusal logs \"hvmod: riscv: no H extension\"" logged "riscv: no H extension*"
	check "hvmod not loaded" not_loaded
	rm -f "$OUT"
	[ $failed = 0 ] || exit 1
	exit 0
fi

echo "TAP version 13"
echo "1..$NR_TESTS"
diag "box $BOX, module $KO"
if loaded; then
	diag "hvmod is loaded already: unloading it"
	unload || { echo "Bail out! cannot unload hvmod"; exit 1; }
fi

if [ -z "$OTHER" ]; then
	skip "no second backend on $BOX" "insmod backend=<other> fails with ENODEV"
	skip "no second backend on $BOX" "backend=<other> logs \"hvmod: \""
	skip "no second backend on $BOX" "hvmod not loaded after the refused load"
else
refused ENODEV backend=$OTHER
check "insmod backend=$OTHER fails with ENODEV" has_line "$OUT" "insmod: ENODEV *"
if has_line "$OUT" "# cannot read the kernel log"; then
	skip "cannot read the kernel log" "backend=$OTHER logs \"hvmod: \" naming $OTHER"
else
	check "backend=$OTHER logs \"hvmod: \" naming $OTHER" logged "*$OTHER*"
fi
check "hvmod not loaded after the refused load" not_loaded
fi

refused EINVAL backend=bogus
check "insmod backend=bogus fails with EINVAL" has_line "$OUT" "insmod: EINVAL *"
if has_line "$OUT" "# cannot read the kernel log"; then
	skip "cannot read the kernel log" "backend=bogus logs a \"hvmod: \" line"
else
	check "backend=bogus logs a \"hvmod: \" line" logged "*"
fi

check "insmod backend=$BOX loads" load "$KO" backend=$BOX
check "backend=$BOX: HVMOD_GET_INFO reports backend $BOX" info_backend_is $BOX
check "rmmod succeeds" unload
check "$SYS gone after rmmod" not_loaded

check "insmod (default backend=auto) loads" load "$KO"
check "auto picked $BOX (HVMOD_GET_INFO)" info_backend_is $BOX
dev=$(cat /sys/class/misc/hvmod/dev 2>/dev/null)
diag "/sys/class/misc/hvmod/dev: $dev"
check "/dev/hvmod is a char device with major 10" \
	eval '[ -c /dev/hvmod ] && case "$dev" in 10:*) true ;; *) false ;; esac'
check "$SYS/parameters/backend exists" [ -e "$SYS/parameters/backend" ]
verbose=$(cat "$SYS/parameters/verbose" 2>/dev/null)
check "$SYS/parameters/verbose reads 1 (got '$verbose')" [ "$verbose" = 1 ]
version=$(cat "$SYS/version" 2>/dev/null)
check "$SYS/version is not empty ('$version')" [ -n "$version" ]
if [ -n "$HVMOD_VERSION" ]; then
	check "$SYS/version = \$HVMOD_VERSION ($HVMOD_VERSION)" [ "$version" = "$HVMOD_VERSION" ]
else
	skip "HVMOD_VERSION unset" "$SYS/version = \$HVMOD_VERSION"
fi

dkms_cycle() {
	unload || return 1
	load "$HVMOD_DKMS_KO" || return 1
	"$HELPER" once > "$OUT" 2>&1
	_rc=$?
	show "$OUT"
	unload && [ $_rc = 0 ]
}

if [ -z "$HVMOD_DKMS_KO" ]; then
	skip "HVMOD_DKMS_KO unset" "DKMS-built module loads and runs"
elif [ ! -f "$HVMOD_DKMS_KO" ]; then
	skip "$HVMOD_DKMS_KO absent" "DKMS-built module loads and runs"
else
	check "DKMS-built module loads and runs ($HVMOD_DKMS_KO)" dkms_cycle
fi
loaded || load "$KO"
check "hvmod ($KO) loaded at the end" loaded

rm -f "$OUT"
[ $nr = $NR_TESTS ] || { diag "planned $NR_TESTS tests but ran $nr"; exit 1; }
[ $failed = 0 ] || exit 1
exit 0

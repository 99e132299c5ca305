#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Coexistence with the distro's KVM (kvm_amd in the svm box, kvm_intel in
# the vmx box), loaded with insmod in dependency order from
# /lib/modules/$(uname -r)/kernel:
#   - both loaded, each runs a guest while the other is idle;
#   - hvmod VM alive (guest spinning) -> KVM_CREATE_VM on /dev/kvm: EBUSY;
#   - KVM VM alive (guest spinning) -> KVM_CREATE_VM on /dev/hvmod: EBUSY,
#     with hvmod's one-line reason in the kernel log;
#   - a CPU going offline and coming online again while either VM is alive:
#     hvmod enables (or leaves alone) that CPU, and the other hypervisor is
#     still refused (needs a second CPU that can go offline, else skipped);
#   - KVM loaded while an hvmod VM is alive, and hvmod reloaded while KVM
#     is loaded (both load orders);
#   - no kernel warning in any of these orders.
# Unloads KVM again and leaves hvmod loaded and idle.  Skipped as a whole
# where KVM's vendor module cannot load in this box (other than the svm
# box, where it must).  Env: HVMOD_KO.

DIR=$(cd "$(dirname "$0")" && pwd)
HELPER=$DIR/hvmod_helper
VMM=$DIR/hvmod_vmm
KO=${HVMOD_KO:-/lib/hvmod/hvmod.ko}
MODDIR=/lib/modules/$(uname -r)/kernel
OUT=${TMPDIR:-/tmp}/hvmod_coexist.$$
NR_TESTS=30
PAT='BUG:|WARNING:|Oops|general protection|Call Trace'

. "$DIR/lib/hv.sh"

case ${HVMOD_BOX:-} in
vmx) VENDOR=kvm-intel ;;
svm) VENDOR=kvm-amd ;;
*)
	if grep -qw svm /proc/cpuinfo; then VENDOR=kvm-amd
	elif grep -qw vmx /proc/cpuinfo; then VENDOR=kvm-intel
	else VENDOR=
	fi ;;
esac
if [ "$VENDOR" = kvm-amd ]; then
	MODS="virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp arch/x86/kvm/kvm-amd"
else
	MODS="virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel"
fi

# Kernel log lines matching PAT since the last mark.
mark() { dmesg > "$OUT.mark"; }
new_problems() {
	dmesg | grep -E "$PAT" > "$OUT.now"
	grep -E "$PAT" "$OUT.mark" > "$OUT.was"
	[ "$(wc -l < "$OUT.now")" = "$(wc -l < "$OUT.was")" ] && return 1
	diag "new kernel problems:"
	dmesg | tail -n 60 | while IFS= read -r _l; do diag "  $_l"; done
	return 0
}
no_warnings() { ! new_problems; }

mod_name() { basename "$1" | tr - _; }

kvm_load() {
	for _m in $MODS; do
		_n=$(mod_name "$_m")
		[ -d "/sys/module/$_n" ] && continue
		_f=$(ls "$MODDIR/$_m".ko* 2>/dev/null | head -n 1)
		# ccp is only a dependency where the kernel has CONFIG_CRYPTO_DEV_CCP
		[ -z "$_f" ] && [ "$_n" = ccp ] && continue
		if [ -z "$_f" ]; then
			diag "$MODDIR/$_m.ko missing"
			return 1
		fi
		if ! insmod "$_f" > "$OUT" 2>&1; then
			diag "insmod $_f failed:"
			show "$OUT"
			dmesg | tail -n 5 | while IFS= read -r _l; do diag "  $_l"; done
			return 1
		fi
	done
	_i=0
	while [ ! -c /dev/kvm ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ -c /dev/kvm ]
}

kvm_unload() {
	_r=
	for _m in $MODS; do _r="$(mod_name "$_m") $_r"; done
	for _n in $_r; do
		[ -d "/sys/module/$_n" ] || continue
		rmmod "$_n" > "$OUT" 2>&1 || { show "$OUT"; return 1; }
	done
	return 0
}

hvmod_loaded() { [ -d /sys/module/hvmod ]; }
# hvmod_cpus N: hvmod has virtualization on in N CPUs
hvmod_cpus() {
	run "$HELPER" info && has_line "$OUT" "cpus_enabled=$1" ||
		{ show "$OUT"; return 1; }
}
hvmod_load() { hvmod_loaded || run "$HELPER" insmod "$KO"; }
hvmod_idle() {
	run "$HELPER" info && has_line "$OUT" vms=0 && has_line "$OUT" vcpus=0 &&
		has_line "$OUT" ctl_pages=0 && has_line "$OUT" cpus_enabled=0 ||
		{ show "$OUT"; return 1; }
}

# bg_start DEV: a VM spinning a guest on DEV in the background ($bg).
bg_start() {
	# the background job truncates its output only once it runs: the last
	# one's "ready" must not be read before that
	rm -f "$OUT.bg"
	"$VMM" spin "$1" > "$OUT.bg" 2>&1 &
	bg=$!
	_i=0
	while [ $_i -lt 300 ]; do
		has_line "$OUT.bg" "ready*" && return 0
		kill -0 $bg 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	diag "background VMM on $1 not ready:"
	show "$OUT.bg"
	return 1
}

bg_stop() {
	kill -9 $bg 2>/dev/null
	wait $bg 2>/dev/null
	bg=
}

# CPU 1 offline (cpu_set 0) or online (cpu_set 1), the background VM alive.
CPU1=/sys/devices/system/cpu/cpu1/online
cpu_set() {
	echo "$1" > "$CPU1" 2> "$OUT" || { diag "echo $1 > $CPU1 failed:"; show "$OUT"; return 1; }
	[ "$(cat "$CPU1")" = "$1" ] || { diag "$CPU1 reads $(cat "$CPU1"), not $1"; return 1; }
	kill -0 "$bg" 2>/dev/null || { diag "background VMM died:"; show "$OUT.bg"; return 1; }
}
can_hotplug=
[ -w "$CPU1" ] && [ "$(cat "$CPU1")" = 1 ] && can_hotplug=1

# runs DEV: a guest runs on DEV (exit 4 = cannot run guests: skipped).
runs() { run "$VMM" run "$1"; }
check_run() {
	_d=$1
	shift
	"$VMM" run "$@" > "$OUT" 2>&1
	case $? in
	0) ok "$_d" ;;
	4) skip "$(cat "$OUT")" "$_d" ;;
	*) show "$OUT"; fail "$_d" ;;
	esac
}

# create_busy DEV: KVM_CREATE_VM on DEV fails with EBUSY.
create_busy() {
	"$VMM" create "$1" > "$OUT" 2>&1
	has_line "$OUT" "create: EBUSY*" && return 0
	diag "expected KVM_CREATE_VM on $1 to fail with EBUSY:"
	show "$OUT"
	return 1
}

hvmod_reason_logged() {
	dmesg | tail -n 40 | grep -q "hvmod.*another hypervisor" && return 0
	diag "no hvmod line naming another hypervisor in the kernel log:"
	dmesg | tail -n 10 | while IFS= read -r _l; do diag "  $_l"; done
	return 1
}

[ -x "$HELPER" ] || skip_all "$HELPER missing: run make -C selftests"
[ -x "$VMM" ] || skip_all "$VMM missing: run make -C selftests"
[ -f "$KO" ] || skip_all "$KO: not found (set HVMOD_KO)"
[ -n "$VENDOR" ] || skip_all "neither SVM nor VMX in /proc/cpuinfo"
[ -d "$MODDIR" ] || skip_all "$MODDIR missing (no KVM modules in this box)"

echo "TAP version 13"
echo "1..$NR_TESTS"
bg=
mark
check "hvmod loaded and idle" eval 'hvmod_load && hvmod_idle'

# Order 1: hvmod loaded first, then KVM.
if ! kvm_load; then
	kvm_unload > /dev/null 2>&1
	if [ "${HVMOD_BOX:-}" != svm ]; then
		ok "$VENDOR cannot load in this box: nothing to coexist with # SKIP $VENDOR does not load here"
		while [ $nr -lt $NR_TESTS ]; do
			skip "$VENDOR does not load here" "coexistence case $((nr + 1))"
		done
		exit 0
	fi
	fail "$VENDOR and its dependencies load next to hvmod"
	echo "Bail out! $VENDOR cannot be loaded: no coexistence test can run"
	exit 1
fi
ok "$VENDOR and its dependencies load next to hvmod (/dev/kvm present)"
check "insmod of KVM next to hvmod: no kernel warning" no_warnings
mark
check_run "KVM runs a guest while hvmod is idle" /dev/kvm
check_run "hvmod runs a guest while KVM is idle" /dev/hvmod
check "each ran while the other was idle: no kernel warning" no_warnings

# hvmod VM alive, then KVM
mark
if bg_start /dev/hvmod; then
	check "hvmod VM spinning a guest: KVM_CREATE_VM on /dev/kvm fails with EBUSY" \
		create_busy /dev/kvm
	if [ -n "$can_hotplug" ]; then
		check "hvmod VM alive, CPU 1 offline: hvmod has 1 CPU enabled" \
			eval 'cpu_set 0 && hvmod_cpus 1'
		check "hvmod VM alive, CPU 1 online again: hvmod enabled it (2 CPUs)" \
			eval 'cpu_set 1 && hvmod_cpus 2'
		check "hvmod VM alive, after CPU 1 came online: KVM_CREATE_VM on /dev/kvm still EBUSY" \
			create_busy /dev/kvm
	else
		for _d in "CPU 1 offline: hvmod has 1 CPU enabled" \
			  "CPU 1 online again: hvmod enabled it (2 CPUs)" \
			  "after CPU 1 came online: KVM_CREATE_VM on /dev/kvm still EBUSY"; do
			skip "no CPU 1 to take offline" "hvmod VM alive, $_d"
		done
	fi
	bg_stop
else
	fail "hvmod VM spinning a guest: KVM_CREATE_VM on /dev/kvm fails with EBUSY"
	for _d in 1 2 3; do fail "hvmod VM alive, CPU 1 hotplug case $_d (no VM)"; done
fi
check "hvmod VM gone: hvmod idle" hvmod_idle
check_run "hvmod VM gone: KVM runs a guest again" /dev/kvm
check "hvmod first, KVM refused: no kernel warning" no_warnings

# KVM VM alive, then hvmod
mark
if bg_start /dev/kvm; then
	check "KVM VM spinning a guest: KVM_CREATE_VM on /dev/hvmod fails with EBUSY" \
		create_busy /dev/hvmod
	check "KVM VM alive: hvmod logged which hypervisor owns the CPU" \
		hvmod_reason_logged
	check "hvmod refused: no VM, vCPU, page or CPU left behind" hvmod_idle
	if [ -n "$can_hotplug" ]; then
		check "KVM VM alive, CPU 1 offline: KVM_CREATE_VM on /dev/hvmod still EBUSY" \
			eval 'cpu_set 0 && create_busy /dev/hvmod'
		check "KVM VM alive, CPU 1 online again: KVM_CREATE_VM on /dev/hvmod still EBUSY" \
			eval 'cpu_set 1 && create_busy /dev/hvmod'
		check "KVM VM alive, CPU 1 went off and on: hvmod owns no CPU" hvmod_idle
	else
		for _d in "CPU 1 offline: KVM_CREATE_VM on /dev/hvmod still EBUSY" \
			  "CPU 1 online again: KVM_CREATE_VM on /dev/hvmod still EBUSY" \
			  "CPU 1 went off and on: hvmod owns no CPU"; do
			skip "no CPU 1 to take offline" "KVM VM alive, $_d"
		done
	fi
	bg_stop
else
	fail "KVM VM spinning a guest: KVM_CREATE_VM on /dev/hvmod fails with EBUSY"
	fail "KVM VM alive: hvmod logged which hypervisor owns the CPU"
	fail "hvmod refused: no VM, vCPU, page or CPU left behind"
	for _d in 1 2 3; do fail "KVM VM alive, CPU 1 hotplug case $_d (no VM)"; done
fi
check_run "KVM VM gone: hvmod runs a guest again" /dev/hvmod
check "KVM first, hvmod refused: no kernel warning" no_warnings

# KVM loaded while an hvmod VM is alive (hvmod may own the
# emergency-disable callback then), then KVM used after it is gone
mark
check "KVM unloaded" kvm_unload
if bg_start /dev/hvmod; then
	check "KVM loaded while an hvmod VM spins a guest" kvm_load
	bg_stop
else
	fail "KVM loaded while an hvmod VM spins a guest"
fi
check_run "then, hvmod VM gone: KVM runs a guest" /dev/kvm
check "KVM loaded under a live hvmod VM: no kernel warning" no_warnings

# Order 2: KVM loaded first, hvmod reloaded next to it
mark
check "hvmod unloaded and loaded again while KVM is loaded" \
	eval 'run "$HELPER" rmmod && run "$HELPER" insmod "$KO"'
check_run "hvmod (loaded after KVM) runs a guest" /dev/hvmod
check "KVM unloaded again, hvmod idle" eval 'kvm_unload && hvmod_idle'
check "KVM first, hvmod second, KVM unloaded: no kernel warning" no_warnings
check "hvmod runs a guest alone at the end" eval 'hvmod_load && runs /dev/hvmod || [ $? = 4 ]'

[ -z "$bg" ] || bg_stop
[ -z "$can_hotplug" ] || echo 1 > "$CPU1" 2>/dev/null
kvm_unload > /dev/null 2>&1
rm -f "$OUT" "$OUT.bg" "$OUT.mark" "$OUT.now" "$OUT.was"
[ $nr = $NR_TESTS ] || { diag "planned $NR_TESTS tests but ran $nr"; exit 1; }
[ $failed = 0 ] || exit 1
exit 0

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module reload under load: rmmod refused while a guest spins in KVM_RUN;
# $CYCLES cycles of rmmod, insmod and VMs that run guests (two VMs at once)
# with the counts checked after each; rmmod racing with open of /dev/hvmod
# in a loop (rmmod fails with EAGAIN/EBUSY or succeeds; open fails with
# ENOENT/ENXIO/ENODEV or succeeds and then the fd keeps answering).
# Leaves $HVMOD_KO loaded.  Env: HVMOD_KO, RELOAD_CYCLES (default 100).

DIR=$(cd "$(dirname "$0")" && pwd)
HELPER=$DIR/hvmod_helper
VMM=$DIR/hvmod_vmm
KO=${HVMOD_KO:-/lib/hvmod/hvmod.ko}
SYS=/sys/module/hvmod
OUT=${TMPDIR:-/tmp}/hvmod_reload.$$
CYCLES=${RELOAD_CYCLES:-100}
RACE_SECS=20
NR_TESTS=12
PAT='BUG:|WARNING:|Oops|general protection|Call Trace'

. "$DIR/lib/hv.sh"

loaded() { [ -d "$SYS" ]; }
ensure_loaded() { loaded || run "$HELPER" insmod "$KO"; }

idle() {
	run "$HELPER" info && has_line "$OUT" vms=0 && has_line "$OUT" vcpus=0 &&
		has_line "$OUT" ctl_pages=0 && has_line "$OUT" cpus_enabled=0 ||
		{ show "$OUT"; return 1; }
}

kernel_problems() { dmesg | grep -cE "$PAT"; }

# wait_ready FILE PID: until FILE has a "ready" line (30 s at most).
wait_ready() {
	_i=0
	while [ $_i -lt 300 ]; do
		has_line "$1" "ready*" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	diag "background VMM not ready:"
	show "$1"
	return 1
}

# rmmod refused while a guest spins, then allowed once it is killed.
spin_refused() {
	rm -f "$OUT.spin"	# no earlier "ready" read before the job runs
	"$VMM" spin /dev/hvmod > "$OUT.spin" 2>&1 &
	_spin=$!
	if ! wait_ready "$OUT.spin" $_spin; then
		kill -9 $_spin 2>/dev/null
		wait $_spin 2>/dev/null
		return 1
	fi
	"$HELPER" rmmod > "$OUT" 2>&1
	_rc=$?
	kill -9 $_spin 2>/dev/null
	wait $_spin 2>/dev/null
	if [ $_rc = 0 ] || ! loaded; then
		diag "rmmod succeeded while a guest was running"
		return 1
	fi
	if ! has_line "$OUT" "rmmod: EAGAIN*" && ! has_line "$OUT" "rmmod: EBUSY*"; then
		diag "rmmod failed, but not with EAGAIN or EBUSY:"
		show "$OUT"
		return 1
	fi
	diag "$(head -n 1 "$OUT")"
}

unload() { run "$HELPER" rmmod && ! loaded && [ ! -e /dev/hvmod ]; }

# One cycle: rmmod, insmod, two VMs running guests at once, counts 0.
cycle() {
	run "$HELPER" rmmod && ! loaded || return 1
	run "$HELPER" insmod "$KO" && [ -c /dev/hvmod ] || return 1
	"$VMM" run /dev/hvmod 2 > "$OUT.bg" 2>&1 &
	_bg=$!
	run "$VMM" run /dev/hvmod 1
	_rc=$?
	wait $_bg
	_rc2=$?
	if [ $_rc2 != 0 ]; then
		diag "background hvmod_vmm run: exit $_rc2"
		show "$OUT.bg"
	fi
	[ $_rc = 0 ] && [ $_rc2 = 0 ] && idle
}

cycles() {
	_c=1
	while [ $_c -le $CYCLES ]; do
		if ! cycle; then
			diag "cycle $_c of $CYCLES failed"
			return 1
		fi
		_c=$((_c + 1))
	done
}

# rmmod/insmod in a loop while hvmod_vmm opens /dev/hvmod in a loop.
race() {
	"$VMM" openloop $RACE_SECS > "$OUT.open" 2>&1 &
	_open=$!
	_gone=0 _busy=0 _bad=0 _n=0
	while kill -0 $_open 2>/dev/null; do
		_n=$((_n + 1))
		"$HELPER" rmmod > "$OUT" 2>&1
		if [ $? = 0 ]; then
			_gone=$((_gone + 1))
		elif has_line "$OUT" "rmmod: EAGAIN*" || has_line "$OUT" "rmmod: EBUSY*"; then
			_busy=$((_busy + 1))
		else
			_bad=$((_bad + 1))
			show "$OUT"
		fi
		loaded || "$HELPER" insmod "$KO" > "$OUT" 2>&1 || { _bad=$((_bad + 1)); show "$OUT"; }
	done
	wait $_open
	_orc=$?
	diag "rmmod: $_n tries, $_gone unloaded, $_busy refused (EAGAIN/EBUSY), $_bad other"
	diag "$(cat "$OUT.open")"
	echo "$_gone $_busy $_bad $_orc" > "$OUT.race"
}

race_rmmod_ok() {
	read _gone _busy _bad _orc < "$OUT.race"
	[ "$_bad" = 0 ] && [ "$_gone" -gt 0 ]
}

race_open_ok() {
	read _gone _busy _bad _orc < "$OUT.race"
	[ "$_orc" = 0 ] && has_line "$OUT.open" "openloop: opened [1-9]*"
}

[ -x "$HELPER" ] || skip_all "$HELPER missing: run make -C selftests"
[ -x "$VMM" ] || skip_all "$VMM missing: run make -C selftests"
[ -f "$KO" ] || skip_all "$KO: not found (set HVMOD_KO)"

echo "TAP version 13"
echo "1..$NR_TESTS"
problems=$(kernel_problems)
check "hvmod loaded" ensure_loaded
"$VMM" run /dev/hvmod > "$OUT" 2>&1
if [ $? = 4 ]; then
	diag "$(cat "$OUT")"
	can_run=
else
	can_run=1
fi

if [ -n "$can_run" ]; then
	check "rmmod refused (EAGAIN/EBUSY) while a guest spins in KVM_RUN" spin_refused
else
	ok "rmmod refused while a guest spins in KVM_RUN # SKIP cannot run guests"
fi
check "guest killed: all counts 0" idle
check "guest killed: rmmod succeeds, /dev/hvmod gone" unload

if [ -n "$can_run" ]; then
	check "$CYCLES cycles of rmmod, insmod, 2 VMs running guests at once, counts 0" cycles
else
	ok "$CYCLES cycles of rmmod, insmod, 2 VMs running guests # SKIP cannot run guests"
fi
check "hvmod loaded after the cycles" ensure_loaded

race
check "rmmod racing with open: every rmmod succeeded or failed with EAGAIN/EBUSY, some unloaded" race_rmmod_ok
check "open racing with rmmod: ENOENT/ENXIO/ENODEV or an fd that keeps answering" race_open_ok

check "hvmod ($KO) loaded at the end" ensure_loaded
check "hvmod idle at the end (all counts 0)" idle
check "/dev/hvmod works at the end (KVM_CREATE_VM)" run "$VMM" create /dev/hvmod
now=$(kernel_problems)
if [ "$now" = "$problems" ]; then
	ok "kernel log: no BUG/WARNING/Oops/Call Trace/general protection"
else
	fail "kernel log: no BUG/WARNING/Oops/Call Trace/general protection"
	dmesg | grep -E "$PAT" | tail -n 20 | while IFS= read -r l; do diag "  $l"; done
fi

rm -f "$OUT" "$OUT.spin" "$OUT.bg" "$OUT.open" "$OUT.race"
[ $nr = $NR_TESTS ] || { diag "planned $NR_TESTS tests but ran $nr"; exit 1; }
[ $failed = 0 ] || exit 1
exit 0

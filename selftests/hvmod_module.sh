#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module refcount and reload: rmmod is refused while another process holds
# a system, VM or vCPU fd and succeeds once it is gone; then 20 cycles of
# insmod, VM + vCPU with counts checked, rmmod.  Leaves $HVMOD_KO loaded.
# Env: HVMOD_KO.

DIR=$(cd "$(dirname "$0")" && pwd)
HELPER=$DIR/hvmod_helper
KO=${HVMOD_KO:-/lib/hvmod/hvmod.ko}
SYS=/sys/module/hvmod
OUT=${TMPDIR:-/tmp}/hvmod_module.$$
CYCLES=20
NR_TESTS=10

. "$DIR/lib/hv.sh"

# helper ARGS...: runs hvmod_helper; output shown only on failure (or if $VERBOSE).
helper() {
	"$HELPER" "$@" > "$OUT" 2>&1
	_rc=$?
	if [ $_rc != 0 ] || [ -n "$VERBOSE" ]; then
		diag "hvmod_helper $*: exit $_rc"
		show "$OUT"
	fi
	return $_rc
}

loaded()     { [ -d "$SYS" ]; }
not_loaded() { [ ! -d "$SYS" ]; }
ensure_loaded() { loaded || helper insmod "$KO"; }

# hold WHAT: starts a background holder of a WHAT fd; waits for "ready".
hold() {
	# remove the last holder's output here: the background job truncates
	# it only once it runs, and its "ready" must not be read before that
	rm -f "$OUT.hold"
	"$HELPER" hold "$1" > "$OUT.hold" 2>&1 &
	holder=$!
	_i=0
	while [ $_i -lt 30 ]; do
		has_line "$OUT.hold" ready && return 0
		kill -0 $holder 2>/dev/null || break
		sleep 1
		_i=$((_i + 1))
	done
	diag "holder of a $1 fd not ready:"
	show "$OUT.hold"
	return 1
}

release() {
	kill $holder 2>/dev/null
	wait $holder 2>/dev/null
}

refused() {
	if VERBOSE=1 helper rmmod; then
		diag "expected rmmod to fail while the fd is held"
		return 1
	fi
	loaded
}

unloaded() { VERBOSE=1 helper rmmod && not_loaded && [ ! -e /dev/hvmod ]; }

cycles() {
	_c=1
	while [ $_c -le $CYCLES ]; do
		if ! helper insmod "$KO" || [ ! -c /dev/hvmod ] ||
		   ! helper once || ! helper rmmod || loaded; then
			diag "cycle $_c of $CYCLES failed"
			return 1
		fi
		_c=$((_c + 1))
	done
}

[ -x "$HELPER" ] || skip_all "$HELPER missing: run make -C selftests"
[ -f "$KO" ] || skip_all "$KO: not found (set HVMOD_KO)"

echo "TAP version 13"
echo "1..$NR_TESTS"
loaded || diag "hvmod not loaded at start: loading $KO"
check "hvmod loaded" ensure_loaded

for what in sys vm vcpu; do
	ensure_loaded
	if hold $what; then
		diag "refcnt with a $what fd held: $(cat $SYS/refcnt 2>/dev/null)"
		check "$what fd held by another process: rmmod refused" refused
	else
		fail "$what fd held by another process: rmmod refused"
	fi
	release
	check "$what fd holder killed: rmmod succeeds, /dev/hvmod gone" unloaded
done

check "$CYCLES cycles of insmod, VM + vCPU with counts checked, rmmod" cycles

check "hvmod ($KO) loaded at the end" ensure_loaded
check "hvmod idle at the end (all counts 0)" \
	eval 'helper info && has_line "$OUT" vms=0 && has_line "$OUT" vcpus=0 &&
	      has_line "$OUT" ctl_pages=0 && has_line "$OUT" cpus_enabled=0'

rm -f "$OUT" "$OUT.hold"
[ $nr = $NR_TESTS ] || { diag "planned $NR_TESTS tests but ran $nr"; exit 1; }
[ $failed = 0 ] || exit 1
exit 0

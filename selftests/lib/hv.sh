# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the shell selftests (sourced, POSIX sh / busybox):
# TAP 13 results numbered in $nr, failures counted in $failed.
# The caller sets $OUT (a scratch file) before using run.

nr=0
failed=0
ok()   { nr=$((nr + 1)); echo "ok $nr $*"; }
fail() { nr=$((nr + 1)); failed=$((failed + 1)); echo "not ok $nr $*"; }
# skip WHY WHAT: a test that could not run here, counted as skipped
skip() { nr=$((nr + 1)); echo "ok $nr $2 # SKIP $1"; }
diag() { echo "# $*"; }
# check WHAT CMD...: ok if CMD succeeds, else not ok
check() { _d=$1; shift; if "$@"; then ok "$_d"; else fail "$_d"; fi; }
skip_all() { echo "TAP version 13"; diag "$*"; echo "1..0 # SKIP $*"; exit 4; }

# show FILE: FILE as diagnostics.
show() {
	while IFS= read -r _l || [ -n "$_l" ]; do diag "  $_l"; done < "$1"
}

# has_line FILE PATTERN: FILE has a line matching the shell pattern.
has_line() {
	[ -r "$1" ] || return 1
	while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in $2) return 0 ;; esac
	done < "$1"
	return 1
}

# run PROG ARGS...: output in $OUT, shown only on failure.
run() {
	"$@" > "$OUT" 2>&1
	_rc=$?
	if [ $_rc != 0 ]; then
		diag "$*: exit $_rc"
		show "$OUT"
	fi
	return $_rc
}

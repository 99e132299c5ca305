#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Summarize the TAP in test-box serial logs:  tap-summary.sh LOG [LOG...]
#
# The box runner prints kselftest-style TAP 13: a top-level plan and one
# "ok/not ok i selftests: hvmod: <prog>" per program, each preceded by
# the program's own TAP with a "# " prefix.  Leaf results are counted:
# the nested ones where a program printed them, else the top-level one.
# A "# SKIP" is counted as skipped, never as passed.
#
# Exit status 1 on any "not ok", a missing or wrong plan, a missing
# HVMOD-BOX-END marker or a non-zero "HVMOD-BOX-END rc=".  The last line
# is "N passed, N failed" (", N skipped" when N > 0).

set -eu

[ $# -gt 0 ] || { echo "usage: $0 LOG [LOG...]" >&2; exit 2; }

summarize()	# LOG
{
	tr -d '\r' <"$1" | awk -v logname="$(basename "$1" .log)" '
	function directive(s) {		# "skip", "todo" or ""
		if (s ~ /[ \t]#[ \t]*[Ss][Kk][Ii][Pp]/)
			return "skip"
		return ""
	}
	function describe(s) {		# text after "ok N ", no directive
		sub(/^(not )?ok[ \t]*[0-9]*[ \t]*(-[ \t]*)?/, "", s)
		sub(/[ \t]+#.*$/, "", s)
		return s
	}
	function reason(s) {
		if (!sub(/^.*[ \t]#[ \t]*[Ss][Kk][Ii][Pp][^ \t]*[ \t]*/, "", s))
			return ""
		return s == "" ? "" : " (" s ")"
	}
	function problem(msg) {
		failed++
		fails = fails "  FAIL: " msg "\n"
	}
	function reset_nested() {
		n_res = 0; n_plan = -1; n_fail = 0
		n_lines = ""
	}
	BEGIN {
		box = logname; began = 0; ended = 0; rc = ""
		plan = -1; results = 0; passed = failed = skipped = 0
		reset_nested()
	}
	{
		sub(/^\[[ \t]*[0-9]+\.[0-9]+\][ \t]?/, "")	# printk time
	}
	/HVMOD-BOX-BEGIN/ {
		began = 1
		if (match($0, /box=[^ \t]+/))
			box = substr($0, RSTART + 4, RLENGTH - 4)
		next
	}
	/HVMOD-BOX-END rc=/ {
		ended = 1
		rc = $0
		sub(/^.*HVMOD-BOX-END rc=/, "", rc)
		sub(/[^0-9].*$/, "", rc)
		next
	}
	ended { next }
	/HVMOD-BOX-DMESG-PROBLEM/ {
		problem("kernel BUG/WARNING/Oops in dmesg during the tests")
		next
	}
	/^Bail out!/ { problem("bail out: " $0); next }
	/^1\.\.[0-9]+/ {
		plan = substr($1, 4) + 0
		next
	}
	/^# 1\.\.[0-9]+/ {
		n_plan = substr($2, 4) + 0
		next
	}
	/^# TAP version/ { reset_nested(); next }
	/^# (not )?ok( |$)/ {
		line = substr($0, 3)
		n_res++
		d = directive(line)
		if (line ~ /^not ok/) {
			n_fail++
			n_lines = n_lines "F" describe(line) "\n"
		} else if (d == "skip") {
			n_lines = n_lines "S" describe(line) reason(line) "\n"
		} else {
			n_lines = n_lines "P\n"
		}
		next
	}
	/^(not )?ok( |$)/ {
		results++
		prog = describe($0)
		sub(/^selftests: hvmod: /, "", prog)
		d = directive($0)
		if (n_res > 0) {
			k = split(n_lines, nl, "\n")
			for (i = 1; i < k; i++) {
				t = substr(nl[i], 1, 1)
				if (t == "P") {
					passed++
				} else if (t == "F") {
					failed++
					fails = fails "  FAIL: " prog ": " substr(nl[i], 2) "\n"
				} else {
					skipped++
					skips = skips "  SKIP: " prog ": " substr(nl[i], 2) "\n"
				}
			}
			if ($0 ~ /^not ok/ && n_fail == 0)
				problem(prog " (program failed)")
		} else if ($0 ~ /^not ok/) {
			problem(prog)
		} else if (d == "skip") {
			skipped++
			skips = skips "  SKIP: " prog reason($0) "\n"
		} else {
			passed++
		}
		if (n_plan >= 0 && n_plan != n_res && $0 !~ /^not ok/)
			problem(prog ": nested plan 1.." n_plan " but " n_res " results")
		reset_nested()
		next
	}
	END {
		if (!began)
			problem("no HVMOD-BOX-BEGIN marker (box did not boot?)")
		if (plan < 0 && began)
			problem("no top-level TAP plan")
		else if (plan >= 0 && plan != results)
			problem("plan 1.." plan " but " results " results")
		if (!ended)
			problem("no HVMOD-BOX-END marker (timeout or crash)")
		else if (rc != "0" && failed == 0)
			problem("box ended with rc=" rc)
		printf "%s: %d passed, %d failed, %d skipped\n", box, passed, failed, skipped
		printf "%s%s", fails, skips
		printf "=%d %d %d\n", passed, failed, skipped
	}'
}

tp=0 tf=0 ts=0
for log; do
	if [ ! -f "$log" ]; then
		echo "$(basename "$log" .log): log missing"
		echo "  FAIL: $log not found"
		tf=$((tf + 1))
		continue
	fi
	out=$(summarize "$log")
	printf '%s\n' "$out" | sed '/^=/d'
	read -r p f s <<<"$(printf '%s\n' "$out" | sed -n 's/^=//p')"
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
done

line="$tp passed, $tf failed"
[ "$ts" -eq 0 ] || line="$line, $ts skipped"
echo "$line"
[ "$tf" -eq 0 ]

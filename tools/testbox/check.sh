#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The body of "make check" (the module, hvctl and selftests are built
# already): DKMS build/install, then the check job in every box, then
# the TAP summary over all box logs.  BOXES selects boxes (default
# "svm vmx arm64 riscv dbg"; setup.sh prepares the arm64 and riscv boxes
# for the same default; dbg builds its debug kernel on first use, then it
# is cached).
# A failing step does not stop the next box; the exit status is non-zero
# if any step failed.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KVER=${KVER:-$("$here/kver.sh")}
BUILD=${BUILD:-$TOP/build}
export TOP KVER BUILD

BOXES=${BOXES:-svm vmx arm64 riscv dbg}
status=0
times=

if ! "$here/dkms.sh"; then
	echo "check: dkms FAILED"
	status=1
fi

logs=()
for box in $BOXES; do
	log=$BUILD/testbox/$box-check.log
	logs+=("$log")
	rm -f "$log"
	echo "check: booting the $box box"
	start=$(date +%s)
	rc=0
	"$here/run-box.sh" --box "$box" --job check --log "$log" || rc=$?
	secs=$(($(date +%s) - start))
	times="$times  $box: ${secs}s (rc=$rc)\n"
	[ $rc -eq 0 ] || status=1
done

echo "check: wall time per box (including any wait for the box lock):"
printf %b "$times"
echo "check: TAP summary:"
"$here/tap-summary.sh" "${logs[@]}" || status=1
exit $status

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (issue 4 item 6): boot-to-halt wall time of the hello unikernel
# (selftests/hvt/hello.hvt) with `hvctl run --mode hvt`, on /dev/hvmod and
# then on /dev/kvm (the box kernel's own kvm_amd / kvm_intel), in one box
# run.  Prints the median (and min/max) of REPS runs each and the ratio
# hvmod/kvm (lower is better; the goal is <= 0.5).
#
#   bench-hvt.sh [--box svm|vmx] [--reps N] [--mem MB]
#
# Uses a private build/selftests directory, so it needs no change to the
# regular check job; needs `make all` (hvmod.ko, hvctl, selftests/hvt).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KROOT=${KROOT:-$TOP/build/testbox/kernel}
box=svm reps=15 mem=32

while [ $# -gt 0 ]; do
	case $1 in
	--box) box=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	*) echo "usage: $0 [--box svm|vmx] [--reps N] [--mem MB]" >&2; exit 1 ;;
	esac
done
case $reps$mem in *[!0-9]*) echo "bench-hvt: --reps/--mem take numbers" >&2; exit 1 ;; esac

hello=$TOP/selftests/hvt/hello.hvt
[ -f "$hello" ] || { echo "bench-hvt: $hello missing: run 'make all'" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-hvt.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/st/hvt"
cp "$hello" "$work/st/hvt/hello.hvt"

# The in-box part: bash for $EPOCHREALTIME (microseconds).
cat >"$work/st/run_tests.sh" <<EOF
#!/bin/bash
REPS=$reps
MEM=$mem
EOF
cat >>"$work/st/run_tests.sh" <<'EOF'
cd /selftests
us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }

# series DEVICE: REPS boot-to-halt times of hello (us), after one warm-up
series() {
	local i t0 t1 out
	hvctl run --mode hvt --device "$1" --mem="$MEM" hvt/hello.hvt >/dev/null 2>&1 ||
		{ echo "bench: hello fails on $1:" >&2
		  hvctl run --mode hvt --device "$1" --mem="$MEM" hvt/hello.hvt >&2; return 1; }
	for ((i = 0; i < REPS; i++)); do
		t0=$(us)
		out=$(hvctl run --mode hvt --device "$1" --mem="$MEM" hvt/hello.hvt 2>&1) ||
			{ echo "bench: run $i failed on $1: $out" >&2; return 1; }
		t1=$(us)
		echo $((t1 - t0))
	done
}

stats() {	# stats FILE: "median min max" in ms
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}

insmod "${HVMOD_KO:-/lib/hvmod/hvmod.ko}" || exit 1
series /dev/hvmod > /tmp/hvmod.us || exit 1
rmmod hvmod || exit 1
case ${HVMOD_BOX:-svm} in
svm) mods="irqbypass kvm ccp kvm_amd" ;;
*) mods="irqbypass kvm kvm_intel" ;;
esac
for m in $mods; do
	modprobe "$m" || { echo "bench: cannot load $m"; exit 1; }
done
series /dev/kvm > /tmp/kvm.us || exit 1

set -- $(stats /tmp/hvmod.us) $(stats /tmp/kvm.us)	# (no /dev/fd in the box)
hm=$1 hmin=$2 hmax=$3 km=$4 kmin=$5 kmax=$6
echo "bench-hvt: hello.hvt boot-to-halt (hvctl run --mode hvt --mem=$MEM), $REPS runs each, ms"
printf "bench-hvt: %-12s median %9s  min %9s  max %9s\n" /dev/hvmod "$hm" "$hmin" "$hmax"
printf "bench-hvt: %-12s median %9s  min %9s  max %9s\n" /dev/kvm "$km" "$kmin" "$kmax"
awk -v h="$hm" -v k="$km" 'BEGIN { printf "bench-hvt: ratio hvmod/kvm (median) %.2f (goal <= 0.50)\n", h / k }'
EOF
chmod +x "$work/st/run_tests.sh"

BUILD=$work/build KROOT=$KROOT SELFTESTS_DIR=$work/st \
	"$here/run-box.sh" --box "$box" --job check --log "$work/box.log"

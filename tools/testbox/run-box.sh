#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot an hvmod test box and run one job in it:
#
#   run-box.sh --box svm|vmx --job check|demo|shell [--timeout SECONDS]
#              [--log FILE]
#
# BOX_TIMEOUT=SECONDS in the environment replaces the default timeout.
#
# svm: QEMU TCG -cpu EPYC (AMD SVM + NPT).  vmx: Bochs (Intel VMX + EPT).
# The serial console is streamed to stdout and saved in the log
# ($BUILD/testbox/<box>-<job>.log by default).  Exit status: N from the
# box's "HVMOD-BOX-END rc=N", 124 on timeout, 125 if the box ended without
# that marker (panic, crash).  One emulator runs at a time (flock).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
KVER=${KVER:-$("$here/kver.sh")}
BUILD=${BUILD:-$TOP/build}
KROOT=${KROOT:-$BUILD/testbox/kernel}
export TOP KVER BUILD KROOT

LOCK=/tmp/hvmod-box.lock
BOCHS_MEGS=${BOCHS_MEGS:-1024}
BOCHS_IPS=${BOCHS_IPS:-400000000}

die() { echo "run-box: error: $*" >&2; exit 1; }
usage() { die "usage: $0 --box svm|vmx --job check|demo|shell [--timeout S] [--log FILE]"; }

box= job= tmo=${BOX_TIMEOUT:-} log=
while [ $# -gt 0 ]; do
	case $1 in
	--box) box=${2:-}; shift 2 || usage ;;
	--job) job=${2:-}; shift 2 || usage ;;
	--timeout) tmo=${2:-}; shift 2 || usage ;;
	--log) log=${2:-}; shift 2 || usage ;;
	*) usage ;;
	esac
done
case $box in svm) : "${tmo:=600}" ;; vmx) : "${tmo:=1800}" ;; *) usage ;; esac
case $job in check|demo|shell) ;; *) usage ;; esac
case $tmo in ''|*[!0-9]*) usage ;; esac

vmlinuz=$KROOT/boot/vmlinuz-$KVER
[ -f "$vmlinuz" ] || die "$vmlinuz missing: run 'make setup'"
work=$BUILD/testbox/$box-$job
log=${log:-$BUILD/testbox/$box-$job.log}
initrd=$BUILD/testbox/$box-$job.cpio.gz
mkdir -p "$work" "$(dirname "$log")"

"$here/mkinitramfs.sh" --box "$box" --job "$job" --out "$initrd"

exec 9>"$LOCK"
if ! flock -n 9; then
	echo "run-box: waiting for another box run ($LOCK)"
	flock 9
fi

# QEMU stops on a panic (-no-reboot); Bochs cannot, so there the kernel
# waits (panic=0) and the panic's end line kills Bochs (see below).
# tsc_early_khz/tsc=reliable: a busy host must not make the box's TSC
# calibration fail (TCG and Bochs clocks are not real hardware).
cmdline="console=ttyS0,115200 quiet oops=panic hvbox=$job"
tsc_khz=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
[ -z "$tsc_khz" ] || [ "$box" != svm ] ||
	cmdline="$cmdline tsc_early_khz=$tsc_khz tsc=reliable"

case $box in
svm)
	cmdline="$cmdline panic=-1"
	emu=(qemu-system-x86_64 -accel tcg -cpu EPYC -m 1G -smp 2,sockets=2
	     -no-reboot -kernel "$vmlinuz" -initrd "$initrd"
	     -append "$cmdline")
	;;
vmx)
	cmdline="$cmdline panic=0"
	emu=(bochs -q -f "$work/bochsrc" -rc "$work/cont.rc")
	iso=$work/iso
	rm -rf "$iso"
	mkdir -p "$iso/boot/grub"
	cp "$vmlinuz" "$iso/boot/vmlinuz"
	cp "$initrd" "$iso/boot/initrd.gz"
	cat >"$iso/boot/grub/grub.cfg" <<-CFG
	serial --unit=0 --speed=115200
	terminal_input serial
	terminal_output serial
	set timeout=0
	menuentry hvbox {
	  linux /boot/vmlinuz $cmdline
	  initrd /boot/initrd.gz
	}
	CFG
	grub-mkrescue -o "$work/box.iso" "$iso" >"$work/grub-mkrescue.log" 2>&1 ||
		{ cat "$work/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }
	if [ "$job" = shell ]; then
		tty=$(tty) || die "box-shell BOX=vmx needs a terminal"
		com1="mode=term, dev=$tty"
	else
		com1="mode=file, dev=$log"
	fi
	sed -e "s|@MEGS@|$BOCHS_MEGS|" -e "s|@IPS@|$BOCHS_IPS|" \
	    -e "s|@ISO@|$work/box.iso|" -e "s|@LOG@|$work/bochs.log|" \
	    -e "s|@COM1@|$com1|" "$here/bochsrc.in" >"$work/bochsrc"
	echo c >"$work/cont.rc"
	;;
esac

if [ "$job" = shell ]; then
	if [ "$box" = svm ]; then
		echo "run-box: QEMU serial console here; quit with Ctrl-a x"
		exec "${emu[@]}" -nographic
	fi
	echo "run-box: Bochs serial console on $tty (boot ~1 min);" \
	     "'exit' in the box powers it off"
	cd "$work"
	exec "${emu[@]}"
fi

# Batch jobs: the emulator writes the serial console into $log, which
# is streamed to stdout while it runs.
[ "$box" = vmx ] || emu+=(-display none -monitor none -serial "file:$log")
: >"$log"
start=$(date +%s)
(cd "$work" && exec timeout --kill-after=10 "$tmo" "${emu[@]}") \
	</dev/null >"$work/emulator.out" 2>&1 &
emupid=$!
trap 'kill $emupid 2>/dev/null || true' EXIT

tail -n +1 -F -s 0.5 --pid=$emupid "$log" 2>/dev/null |
while IFS= read -r line; do
	printf '%s\n' "$line"
	case $line in
	*"---[ end Kernel panic"*) kill $emupid 2>/dev/null || true ;;
	esac
done
st=0
wait $emupid || st=$?
trap - EXIT
secs=$(($(date +%s) - start))

if [ $st -eq 124 ] || [ $st -eq 137 ]; then
	echo "run-box: $box $job: TIMEOUT after ${tmo}s; last serial lines:"
	tail -n 40 "$log" | tr -d '\r' | sed 's/^/  | /'
	exit 124
fi
rc=$(tr -d '\r' <"$log" | sed -n 's/.*HVMOD-BOX-END rc=\([0-9][0-9]*\).*/\1/p' | tail -n 1)
if [ -z "$rc" ]; then
	echo "run-box: $box $job: no HVMOD-BOX-END marker (emulator exit $st, ${secs}s); last serial lines:"
	tail -n 40 "$log" | tr -d '\r' | sed 's/^/  | /'
	echo "run-box: emulator output ($work/emulator.out):"
	tail -n 10 "$work/emulator.out" | sed 's/^/  | /'
	exit 125
fi
echo "run-box: $box $job: rc=$rc in ${secs}s (log: $log)"
exit "$rc"

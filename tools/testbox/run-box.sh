#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot an hvmod test box and run one job in it:
#
#   run-box.sh --box svm|vmx|arm64|riscv|dbg --job check|demo|bench|shell [--timeout SECONDS]
#              [--log FILE]
#
# Environment: BOX_TIMEOUT=SECONDS replaces the default timeout;
# BOX_MONITOR=PATH puts QEMU's monitor on a unix socket;
# BOX_APPEND="..." adds kernel parameters; BOX_TSC_KHZ=N sets the svm
# box's TSC rate (default: the host's; 0: let the box calibrate).
#
# svm: QEMU TCG -cpu EPYC (AMD SVM + NPT).  vmx: Bochs (Intel VMX + EPT).
# arm64: qemu-system-aarch64 -M virt,virtualization=on -cpu max, Debian's
# arm64 kernel at EL2 with VHE (kvm-arm.mode=none), the cross-built module
# and selftests (build-arm64.sh; BOX_SMP=N sets its CPUs, default 2).
# riscv: qemu-system-riscv64 -M virt -cpu rv64,h=true with OpenSBI, the
# kernel built by setup-riscv.sh in HS-mode, the cross-built module and
# selftests (build-riscv.sh; BOX_SMP as for arm64; BOX_RISCV_CPU replaces
# the -cpu model, e.g. rv64,h=false for the no-H-extension path).
# dbg: the svm box with a KASAN/kmemleak/lockdep/UBSAN kernel built from
# Debian's linux-source (build-dbgkernel.sh, cached) and hvmod built for it.
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
usage() { die "usage: $0 --box svm|vmx|arm64|riscv|dbg --job check|demo|bench|shell [--timeout S] [--log FILE]"; }

# The host TSC rate in kHz (the TCG guest TSC runs at it), or nothing:
# from the host kernel log, else "cpu MHz" unless that is a moving
# APERF/MPERF reading.
host_tsc_khz()
{
	local mhz

	mhz=$(dmesg 2>/dev/null | sed -n \
		-e 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' \
		-e 's/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' | tail -n 1)
	if [ -z "$mhz" ] && ! grep -qw aperfmperf /proc/cpuinfo; then
		mhz=$(awk -F: '/^cpu MHz/ { print $2 + 0; exit }' /proc/cpuinfo)
	fi
	[ -z "$mhz" ] || awk -v m="$mhz" 'BEGIN { printf "%d\n", m * 1000 }'
}

box='' job='' tmo=${BOX_TIMEOUT:-} log=''
while [ $# -gt 0 ]; do
	case $1 in
	--box) box=${2:-}; shift 2 || usage ;;
	--job) job=${2:-}; shift 2 || usage ;;
	--timeout) tmo=${2:-}; shift 2 || usage ;;
	--log) log=${2:-}; shift 2 || usage ;;
	*) usage ;;
	esac
done
case $box in
svm|arm64|riscv) : "${tmo:=600}" ;;
dbg) : "${tmo:=1800}" ;;
vmx) : "${tmo:=2700}" ;;
*) usage ;;
esac
case $job in check|demo|bench|shell) ;; *) usage ;; esac
case $tmo in ''|*[!0-9]*) usage ;; esac

if [ "$box" = dbg ]; then
	"$here/build-dbgkernel.sh" || die "debug kernel build failed"
	# shellcheck disable=SC1091
	. "$BUILD/testbox/dbg.env"
	KROOT=$DBG_ROOT KVER=$DBG_KVER
	export KROOT KVER HVMOD_KO=$BUILD/dbg/hvmod.ko HVMOD_DKMS_KO=/nonexistent
fi
vmlinuz=$KROOT/boot/vmlinuz-$KVER
[ "$box" != arm64 ] ||
	vmlinuz=${AROOT:-$BUILD/testbox/arm64}/boot/vmlinuz-${KVER%-amd64}-arm64
[ "$box" != riscv ] || vmlinuz=${RROOT:-$BUILD/testbox/riscv}/Image
[ -f "$vmlinuz" ] || die "$vmlinuz missing: run 'make setup'"
work=$BUILD/testbox/$box-$job
log=${log:-$BUILD/testbox/$box-$job.log}
# Absolute: Bochs runs in $work and opens its serial log file itself.
case $log in /*) ;; *) log=$PWD/$log ;; esac
initrd=$BUILD/testbox/$box-$job.cpio.gz
mkdir -p "$work" "$(dirname "$log")"

if [ "$box" = arm64 ]; then
	"$here/build-arm64.sh" || die "arm64 cross build failed"
fi
if [ "$box" = riscv ]; then
	"$here/build-riscv.sh" || die "riscv cross build failed"
fi
exec 9>"$LOCK"
if ! flock -n 9; then
	echo "run-box: waiting for another box run ($LOCK)"
	flock 9
fi
# Under the lock: runs from the same tree share $initrd and $work.
"$here/mkinitramfs.sh" --box "$box" --job "$job" --out "$initrd"

# QEMU stops on a panic (-no-reboot); Bochs cannot, so there the kernel
# waits (panic=0) and the panic's end line kills Bochs (see below).
# tsc_early_khz/tsc=reliable: a busy host must not make the box's TSC
# calibration fail (TCG and Bochs clocks are not real hardware).
cmdline="console=ttyS0,115200 quiet oops=panic hvbox=$job"
[ "$box" != arm64 ] ||
	cmdline="console=ttyAMA0 kvm-arm.mode=none quiet oops=panic hvbox=$job"
[ "$box" != riscv ] ||
	cmdline="console=ttyS0 quiet oops=panic hvbox=$job"
tsc_khz=${BOX_TSC_KHZ:-$(host_tsc_khz)}
[ "${tsc_khz:-0}" = 0 ] || { [ "$box" != svm ] && [ "$box" != dbg ]; } ||
	cmdline="$cmdline tsc_early_khz=$tsc_khz tsc=reliable"
cmdline="$cmdline ${BOX_APPEND:-}"

case $box in
svm|dbg)
	cmdline="$cmdline panic=-1"
	emu=(qemu-system-x86_64 -accel tcg -cpu EPYC -m 1G -smp 2,sockets=2
	     -no-reboot -kernel "$vmlinuz" -initrd "$initrd"
	     -append "$cmdline")
	;;
arm64)
	# EL2 with VHE for the kernel; KVM (built in) stays out of the way
	cmdline="$cmdline panic=-1"
	emu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
	     -cpu max -m 1G -smp "${BOX_SMP:-2}" -no-reboot
	     -kernel "$vmlinuz" -initrd "$initrd" -append "$cmdline")
	;;
riscv)
	# HS-mode under OpenSBI (QEMU's bundled firmware)
	cmdline="$cmdline panic=-1"
	emu=(qemu-system-riscv64 -M virt -cpu "${BOX_RISCV_CPU:-rv64,h=true}"
	     -m 1G -smp "${BOX_SMP:-2}" -no-reboot -bios default
	     -kernel "$vmlinuz" -initrd "$initrd" -append "$cmdline")
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
	if [ "$box" != vmx ]; then
		echo "run-box: QEMU serial console here; quit with Ctrl-a x"
		"${emu[@]}" -nographic 2> >(grep -v "TCG doesn't support requested feature" >&2)
		exit
	fi
	echo "run-box: Bochs serial console on $tty (boot ~1 min);" \
	     "'exit' in the box powers it off"
	cd "$work"
	exec "${emu[@]}"
fi

# Batch jobs: the emulator writes the serial console into $log, which
# is streamed to stdout while it runs.
# BOX_MONITOR=PATH: QEMU's monitor on that unix socket, to look into a
# box that hangs (e.g. "info registers -a" through socat).
mon=none
[ -z "${BOX_MONITOR:-}" ] || mon="unix:$BOX_MONITOR,server,nowait"
[ "$box" = vmx ] || emu+=(-display none -monitor "$mon" -serial "file:$log")
: >"$log"
start=$(date +%s)
(cd "$work" && exec timeout --kill-after=10 "$tmo" "${emu[@]}") \
	</dev/null >"$work/emulator.out" 2>&1 &
emupid=$!
trap 'kill $emupid 2>/dev/null || true' EXIT

rm -f "$work/booted"
tail -n +1 -F -s 0.5 --pid=$emupid "$log" 2>/dev/null |
while IFS= read -r line; do
	printf '%s\n' "$line"
	case $line in
	*HVMOD-BOX-BEGIN*) date +%s >"$work/booted" ;;
	*"---[ end Kernel panic"*) kill $emupid 2>/dev/null || true ;;
	# without ACPI (the debug kernel) poweroff only halts the CPUs
	*"reboot: System halted"*) kill $emupid 2>/dev/null || true ;;
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
boot=$(($(cat "$work/booted" 2>/dev/null || echo "$start") - start))
echo "run-box: $box $job: rc=$rc in ${secs}s (/init after ${boot}s; log: $log)"
exit "$rc"

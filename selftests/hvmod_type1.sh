#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hvmod_type1.sh: `hvctl run --mode type1` boots a real Linux guest (the
# box's own Debian kernel, /lib/hvmod/guest-vmlinuz in the svm box) with a
# tiny busybox initramfs built here, on the emulated PC devices: the
# guest's init prints a marker and powers off (exit 0), reboots (i8042
# reset, exit 0), echoes a line typed on hvctl's stdin (UART receive
# interrupts), shows its interrupts on the XT-PIC (no local APIC), or
# exits so the kernel panics (exit 2, clear message); with --cpus 2 (the
# userspace xAPICs, an MP table) both CPUs come online, take local timer
# interrupts, run a task and take sysrq-l's NMI IPI (KVM_NMI).  Then the
# same boots on /dev/kvm (the distro's kvm-amd/kvm-intel, loaded here if
# possible); `make bench` (bench_boot.sh) compares the times.  TAP 13.
#
# Exit 0 if all cases pass, 1 if any fails, 4 (skip) if guests cannot
# run (no guest kernel, no hvctl, the device cannot run guests).
#
# Environment:
#   HVCTL          hvctl to test (default: hvctl in PATH, else ../tools/hvctl)
#   TYPE1_DEVICE   KVM-ABI device (default /dev/hvmod)
#   TYPE1_KERNEL   guest bzImage (default /lib/hvmod/guest-vmlinuz)
#   TYPE1_TIMEOUT  seconds per guest boot (default 300: the svm box is TCG)
#   TYPE1_KVM=0    skip the /dev/kvm comparison
#   TYPE1_BOOTS    guest boots to run (default all; vmx box: poweroff panic)
#   TYPE1_VERBOSE=1  boot without "quiet", show every console line

here=$(cd "$(dirname "$0")" && pwd)
HVCTL=${HVCTL:-$(command -v hvctl || echo "$here/../tools/hvctl/hvctl")}
DEV=${TYPE1_DEVICE:-/dev/hvmod}
KERNEL=${TYPE1_KERNEL:-/lib/hvmod/guest-vmlinuz}
TMO=${TYPE1_TIMEOUT:-300}
QUIET=quiet
[ -n "$TYPE1_VERBOSE" ] && QUIET="earlyprintk=serial,ttyS0"
MARK=HVMOD-TYPE1-MARKER
CR=$(printf '\r')

. "$here/lib/hv.sh"
TAIL=25

. "$here/lib/guest_kernel.sh"
guest_kernel_preflight
echo "TAP version 13"

T=$(mktemp -d "${TMPDIR:-/tmp}/hvmod_type1.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# ------------------------------------------------------- the guest initramfs
mkdir -p "$T/rd/sys"
cat > "$T/rd/init" <<'INIT'
#!/bin/busybox sh
# hvmod_type1 guest: t1=poweroff|reboot|panic|echo|irqs|smp on the command line
B=/bin/busybox
$B mount -t proc proc /proc
act=poweroff
for a in $($B cat /proc/cmdline); do
	case $a in t1=*) act=${a#t1=} ;; esac
done
echo "HVMOD-TYPE1-MARKER up $($B uname -r) act=$act"
case $act in
irqs)
	$B grep -E ' (timer|ttyS0)$' /proc/interrupts | $B sed 's/^/IRQLINE /'
	$B sleep 1
	$B grep -E ' timer$' /proc/interrupts | $B sed 's/^/IRQLINE2 /'
	$B poweroff -f ;;
smp)
	$B mount -t sysfs sysfs /sys
	echo "SMPONLINE $($B cat /sys/devices/system/cpu/online)"
	$B sleep 1
	$B grep -E '^ *LOC:' /proc/interrupts | $B sed 's/^/SMPLOC /'
	# field 39 of /proc/PID/stat: the CPU the task last ran on
	$B taskset -c 1 $B awk '{ print "SMPCPU1 " $39 }' /proc/self/stat
	# backtraces of all CPUs: CPU 1's comes from an NMI IPI (its lines
	# are KERN_WARNING, below "quiet": read back from the kernel log)
	echo l > /proc/sysrq-trigger
	$B dmesg | $B grep 'NMI backtrace for cpu' | $B sed 's/^/SMPNMI /'
	$B poweroff -f ;;
echo)
	read -r line
	echo "HVMOD-TYPE1-GOT:$line"
	$B poweroff -f ;;
reboot)
	$B reboot -f ;;
panic)
	echo "HVMOD-TYPE1-EXIT"
	exit 1 ;;
*)
	$B poweroff -f ;;
esac
$B sleep 100000
INIT
guest_initramfs "$T"
diag "guest: $KERNEL ($(($(wc -c < "$KERNEL") / 1024)) KiB), initramfs $(($(wc -c < "$T/rd.cpio") / 1024)) KiB"

# boot NAME DEVICE ACT [STDIN]: RC, OUT (file), MARK_CS, TOTAL_CS;
# with CPUS set, hvctl gets --cpus $CPUS
boot() {
	OUT=$T/$1.out
	_in=${4:-/dev/null}
	_t0=$(now_cs)
	{
		timeout -k 10 "$TMO" "$HVCTL" run --mode type1 --device "$2" \
			--kernel "$KERNEL" --initrd "$T/rd.cpio" --mem=256 \
			--cpus "${CPUS:-1}" \
			--append "console=ttyS0 $QUIET panic=0 t1=$3" < "$_in" 2>&1
		echo "$?" > "$T/rc"
	} | while IFS= read -r _l; do
		case $_l in
		*"$MARK"*) now_cs > "$T/mark" ;;
		esac
		printf '%s\n' "${_l%"$CR"}"	# the console ends lines with CRLF
		[ -n "$TYPE1_VERBOSE" ] && printf '#  %s\n' "$_l" >&2
	done > "$OUT"
	TOTAL_CS=$(($(now_cs) - _t0))
	RC=$(cat "$T/rc")
	MARK_CS=
	[ -f "$T/mark" ] && MARK_CS=$(($(cat "$T/mark") - _t0))
	rm -f "$T/mark" "$T/rc"
}


# --------------------------------------------------------------------- cases
# The guest boots to run (TYPE1_BOOTS, a list): all of them, but in the vmx
# box only poweroff and panic (Bochs: ~2 minutes of wall time per boot;
# its 1 CPU would also run --cpus 2 on one host CPU).  The other cases are
# not run there, not counted as passes.
BOOTS=${TYPE1_BOOTS:-"poweroff irqs echo smp reboot panic kvm"}
[ "${HVMOD_BOX:-}" = vmx ] && BOOTS=${TYPE1_BOOTS:-"poweroff panic"}
[ "$BOOTS" = "poweroff irqs echo smp reboot panic kvm" ] ||
	diag "guest boots run here: $BOOTS (TYPE1_BOOTS)"
want() { case " $BOOTS " in *" $1 "*) return 0 ;; esac; return 1; }

boot poweroff "$DEV" poweroff
expect 0 "$MARK up" "guest powered off"
report "boots to the initramfs marker; poweroff -f exits 0" "$WHY" "$OUT"
[ -n "$MARK_CS" ] && diag "hvmod: marker after $(secs "$MARK_CS") s, poweroff after $(secs "$TOTAL_CS") s"

if want irqs; then
	boot irqs "$DEV" irqs
	expect 0 "$MARK up"
	if [ -z "$WHY" ]; then
		t0=$(awk '/^IRQLINE .* timer$/ { print $3 }' "$OUT")
		t1=$(awk '/^IRQLINE2 .* timer$/ { print $3 }' "$OUT")
		grep -q '^IRQLINE *0: .*XT-PIC.*timer$' "$OUT" ||
			WHY="IRQ 0 timer not on the XT-PIC"
		[ -z "$WHY" ] && ! grep -q '^IRQLINE *4: .*XT-PIC.*ttyS0$' "$OUT" &&
			WHY="IRQ 4 ttyS0 not on the XT-PIC"
		# 1 s of sleep: HZ ticks, or (tickless) at least the one that ends it
		[ -z "$WHY" ] && { [ -z "$t0" ] || [ -z "$t1" ] || [ $((t1 - t0)) -lt 1 ]; } &&
			WHY="the PIT did not tick across sleep 1 ($t0 -> $t1)"
	fi
	report "PIC + PIT: timer and serial on the XT-PIC, the timer ticks" "$WHY" "$OUT"
fi

if want echo; then
	printf 'hello-type1\n' > "$T/in"
	boot echo "$DEV" echo "$T/in"
	expect 0 "HVMOD-TYPE1-GOT:hello-type1"
	report "UART receive: a line on hvctl's stdin reaches the guest" "$WHY" "$OUT"
fi

# smp_check N: WHY for the OUT of a --cpus N boot (CPUs 0..N-1 online,
# each with local timer interrupts, a task pinned to CPU 1 ran there,
# CPU 1 took sysrq-l's NMI and printed its backtrace, poweroff exit 0)
smp_check() {
	expect 0 "$MARK up" "SMPONLINE 0-$(($1 - 1))$" "guest powered off"
	[ -n "$WHY" ] && return
	_loc=$(awk -v n="$1" '/^SMPLOC/ { for (i = 3; i < 3 + n; i++) printf "%s ", $i }' "$OUT")
	for _c in $_loc; do
		[ "$_c" -gt 0 ] 2> /dev/null ||
			WHY="LOC (local timer) interrupts not on every CPU: $_loc"
	done
	[ "$(echo $_loc | wc -w)" = "$1" ] ||
		WHY="LOC (local timer) line lacks CPUs: $_loc"
	[ -z "$WHY" ] && ! grep -q '^SMPCPU1 1$' "$OUT" &&
		WHY="taskset -c 1: the task did not run on CPU 1"
	# CPU 1 prints it in its NMI handler ("... skipped: idling at" if idle)
	[ -z "$WHY" ] && ! grep -Eq '^SMPNMI .*NMI backtrace for cpu 1( |$)' "$OUT" &&
		WHY="sysrq-l: no 'NMI backtrace for cpu 1' (NMI IPI not delivered)"
}
smp_diag() {
	diag "$1: $(grep -E '^SMP(ONLINE|LOC|CPU1|NMI)' "$OUT" | tr -s ' \n' '  ')"
	[ -n "$MARK_CS" ] && diag "$1: marker after $(secs "$MARK_CS") s, poweroff after $(secs "$TOTAL_CS") s"
	grep -q "NMI IPIs to CPU" "$OUT" &&
		diag "$1: $(grep "NMI IPIs to CPU" "$OUT" | tr '\n' ' ')"
	return 0
}

if want smp; then
	CPUS=2
	boot smp "$DEV" smp
	CPUS=
	smp_check 2
	report "--cpus 2: both CPUs online, local timers tick on both, a task runs on CPU 1, NMI IPI" "$WHY" "$OUT"
	smp_diag "hvmod --cpus 2"
fi

if want reboot; then
	boot reboot "$DEV" reboot
	expect 0 "$MARK up" "guest reset"
	report "reboot -f: i8042 reset ends hvctl with exit 0" "$WHY" "$OUT"
fi

boot panic "$DEV" panic
expect 2 "HVMOD-TYPE1-EXIT" "Kernel panic - not syncing" "guest kernel panic"
report "init exits: kernel panic ends hvctl with exit 2 and a message" "$WHY" "$OUT"

# not a bzImage: refused before any VM runs
printf 'not a kernel\n' > "$T/bad"
OUT=$T/bad.out
timeout 30 "$HVCTL" run --mode type1 --device "$DEV" --kernel "$T/bad" > "$OUT" 2>&1
RC=$?
expect 1 "not a Linux bzImage"
report "a file that is not a bzImage: exit 1 with a message" "$WHY" "$OUT"

# refused before the device is opened
novm() {
	_name=$1 _pat=$2
	shift 2
	OUT=$T/novm.out
	timeout 30 "$HVCTL" run --mode type1 --device "$T/no-such-device" "$@" > "$OUT" 2>&1
	RC=$?
	expect 1 "$_pat"
	report "$_name" "$WHY" "$OUT"
}
novm "RAM below the kernel's init_size: exit 1, asks for more" "raise --mem" \
	--kernel "$KERNEL" --mem=40
novm "--cpus 0: exit 1 with a message" "cpus 0: between 1 and 8" \
	--kernel "$KERNEL" --cpus 0
novm "--cpus 9: exit 1 with a message" "cpus 9: between 1 and 8" \
	--kernel "$KERNEL" --cpus 9
novm "missing --kernel: exit 1 with usage" "missing --kernel"

# ------------------------------------------------ the same guest on /dev/kvm
want kvm && [ "${TYPE1_KVM:-1}" = 1 ] && _want=1 || _want=0
if kvm_compare "$_want" "boots on /dev/kvm too" "--cpus 2 on /dev/kvm"; then
	boot kvm /dev/kvm poweroff
	expect 0 "$MARK up" "guest powered off"
	report "boots on /dev/kvm too (same hvctl, same guest)" "$WHY" "$OUT"
	[ -n "$MARK_CS" ] && diag "kvm: marker after $(secs "$MARK_CS") s, poweroff after $(secs "$TOTAL_CS") s"
	CPUS=2
	boot kvm-smp /dev/kvm smp
	CPUS=
	smp_check 2
	report "--cpus 2 on /dev/kvm (the same userspace xAPICs, NMI IPI)" "$WHY" "$OUT"
	smp_diag "kvm --cpus 2"
	modprobe -r "$KVM_MOD" > /dev/null 2>&1
fi

echo "1..$nr"
[ "$failed" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench_boot.sh: the guest-boot part of the `make bench` job (bench.sh),
# svm box: the time from starting `hvctl run` to the guest's marker line,
# with the box's own Debian kernel as the guest (issue 9 item 5):
#   type1   `--mode type1`, a busybox init prints the marker on ttyS0;
#   virtio  `--mode virtio`, the init loads the virtio drivers and
#           vio_cmdline.ko and prints the marker on hvc0 only.
# One line per mode: "<mode>_marker <median> ms <min> <max>" over REPS
# boots.  Not a test: exit 1 if a boot fails, 4 where no guest can run.
#
#   bench_boot.sh --device DEV [--reps N]
#
# Environment: HVCTL (default: hvctl in PATH), BENCH_BOOT_KERNEL (default
# /lib/hvmod/guest-vmlinuz), BENCH_BOOT_TIMEOUT (seconds a boot, 120).

here=$(cd "$(dirname "$0")" && pwd)
HVCTL=${HVCTL:-$(command -v hvctl || echo "$here/../tools/hvctl/hvctl")}
KERNEL=${BENCH_BOOT_KERNEL:-/lib/hvmod/guest-vmlinuz}
VIO_KO=/lib/hvmod/vio_cmdline.ko
TMO=${BENCH_BOOT_TIMEOUT:-120}
MARK=HVMOD-BENCH-MARKER
DEV= REPS=3

skip_all() { echo "bench_boot: skipped: $*" >&2; exit 4; }
die() { echo "bench_boot: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--device) DEV=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	*) die "usage: $0 --device DEV [--reps N]" ;;
	esac
done
[ -n "$DEV" ] || die "usage: $0 --device DEV [--reps N]"
case $REPS in '' | *[!0-9]* | 0) die "--reps takes a positive number" ;; esac

. "$here/lib/guest_kernel.sh"
guest_kernel_preflight
[ -f "$VIO_KO" ] || skip_all "no $VIO_KO (svm box only)"

T=$(mktemp -d "${TMPDIR:-/tmp}/bench_boot.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# type1: the marker on the console, nothing else
guest_rd "$T/t1"
cat > "$T/t1/init" <<INIT
#!/bin/busybox sh
echo "$MARK"
/bin/busybox poweroff -f
INIT
chmod 755 "$T/t1/init"
guest_rd_pack "$T/t1" "$T/t1.cpio"

# virtio: the drivers, the devices hvctl declares, the marker on hvc0
guest_rd "$T/vio"
guest_rd_mods "$T/vio" virtio_ring virtio virtio_mmio virtio_console
cp "$VIO_KO" "$T/vio/mod/"
cat > "$T/vio/init" <<'INIT'
#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
devs=
for a in $($B cat /proc/cmdline); do
	case $a in
	virtio_mmio.device=*) devs="$devs${devs:+,}${a#virtio_mmio.device=}" ;;
	esac
done
for m in virtio_ring virtio virtio_mmio; do $B insmod /mod/$m.ko; done
$B insmod /mod/vio_cmdline.ko device="$devs"
$B insmod /mod/virtio_console.ko
# hvc0 only once the port is connected (the race in hvmod_virtio.sh)
$B mount -t debugfs debugfs /sys/kernel/debug
i=0
until $B grep -qs "guest_connected: 1" /sys/kernel/debug/virtio-ports/*; do
	i=$((i + 1))
	[ $i -gt 500 ] && break
	$B usleep 10000
done
i=0
until exec 3<> /dev/hvc0; do
	i=$((i + 1))
	[ $i -gt 500 ] && break
	$B usleep 10000
done 2>/dev/null
echo "@MARK@" >&3
$B poweroff -f
INIT
sed -i "s/@MARK@/$MARK/" "$T/vio/init"
chmod 755 "$T/vio/init"
guest_rd_pack "$T/vio" "$T/vio.cpio"

# boot MODE INITRD: milliseconds from the start of hvctl to the marker in MS
# (the box has no /dev/fd: a pipe into a subshell, results in files)
boot() {
	local t0 rc
	rm -f "$T/ms" "$T/rc"
	t0=${EPOCHREALTIME/./}
	{
		timeout -k 5 "$TMO" "$HVCTL" run --mode "$1" --device "$DEV" \
			--kernel "$KERNEL" --initrd "$2" --mem=256 \
			--append "console=ttyS0 quiet panic=0" < /dev/null 2>&1
		echo $? > "$T/rc"
	} | while IFS= read -r line; do
		[ ! -f "$T/ms" ] && [[ $line == *"$MARK"* ]] &&
			echo $(((${EPOCHREALTIME/./} - t0) / 1000)) > "$T/ms"
	done
	rc=$(cat "$T/rc")
	MS=$(cat "$T/ms" 2> /dev/null)
	[ "$rc" = 0 ] && [ -n "$MS" ] ||
		die "$1 boot on $DEV: exit $rc, marker ${MS:-not seen}"
}

for mode in type1 virtio; do
	ms=
	rd=$T/t1.cpio
	[ $mode = virtio ] && rd=$T/vio.cpio
	for ((i = 0; i < REPS; i++)); do
		boot $mode "$rd"
		ms="$ms $MS"
	done
	# shellcheck disable=SC2086
	sorted=$(printf '%s\n' $ms | sort -n | tr '\n' ' ')
	read -r -a v <<< "$sorted"
	echo "${mode}_marker ${v[$((REPS / 2))]} ms ${v[0]} ${v[$((REPS - 1))]}"
done

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hvmod_virtio.sh: `hvctl run --mode virtio` boots the box's own Debian
# kernel (/lib/hvmod/guest-vmlinuz, x86 boxes) on the type1 PC devices plus
# virtio-mmio console, block and net devices.  The guest's busybox
# initramfs, built here, loads the virtio drivers from the box's
# /lib/modules (the same kernel) and vio_cmdline.ko (the kernel lacks
# CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES: the module registers the devices
# hvctl declares as virtio_mmio.device=), then: prints a marker on hvc0
# only, reads a disk image (checksum compared on the host), writes a
# token back, syncs and powers off (the host finds the token in the
# image); a read-only disk refuses the write; register abuse through
# /dev/mem gets one line from hvctl and a device that works again after
# the driver's reset; a line on hvctl's stdin
# reaches the guest through hvc0; the guest's root on an ext4 image on
# the virtio disk (switch_root; its init writes a file, syncs and powers
# off; e2fsck and debugfs find the file in the image); an exiting init panics (exit 2); bad
# --disk / --net values end hvctl with exit 1 and a message; with a tap,
# the guest answers pings.  TAP 13.
#
# Exit 0 if all cases pass, 1 if any fails, 4 (skip) if guests cannot
# run (no guest kernel, no virtio modules, no hvctl, no usable device).
#
# Environment:
#   HVCTL           hvctl to test (default: hvctl in PATH, else ../tools/hvctl)
#   VIRTIO_DEVICE   KVM-ABI device (default /dev/hvmod)
#   VIRTIO_KERNEL   guest bzImage (default /lib/hvmod/guest-vmlinuz)
#   VIRTIO_TIMEOUT  seconds per guest boot (default 60; ~10 s in the svm box,
#                   ~16 s in the vmx box: Bochs's clock is virtual (clock:
#                   sync=none), its seconds are instructions, not wall time)
#   VIRTIO_BOOTS    guest boots to run (default all; vmx box: rw)
#   VIRTIO_VERBOSE=1  show every console line
#   E2FSPROGS       where mke2fs, e2fsck and debugfs are (default /sbin)

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/hv.sh"
HVCTL=${HVCTL:-$(command -v hvctl || echo "$here/../tools/hvctl/hvctl")}
DEV=${VIRTIO_DEVICE:-/dev/hvmod}
KERNEL=${VIRTIO_KERNEL:-/lib/hvmod/guest-vmlinuz}
VIO_KO=${VIO_CMDLINE_KO:-/lib/hvmod/vio_cmdline.ko}
TMO=${VIRTIO_TIMEOUT:-60}
MARK=HVMOD-VIRTIO-HVC
CR=$(printf '\r')
MODS="virtio_ring virtio virtio_mmio virtio_blk virtio_console failover net_failover virtio_net
      crc16 mbcache jbd2 crc32c_generic ext4"

TAIL=60

FAIL_MARK=HVMOD-VIRTIO-FAIL
. "$here/lib/guest_kernel.sh"
guest_kernel_preflight
[ -f "$VIO_KO" ] || skip_all "no $VIO_KO (x86 boxes only)"

T=$(mktemp -d "${TMPDIR:-/tmp}/hvmod_virtio.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
echo "TAP version 13"

# ------------------------------------------------------- the guest initramfs
guest_rd "$T/rd"
# shellcheck disable=SC2086
guest_rd_mods "$T/rd" $MODS
cp "$VIO_KO" "$T/rd/mod/vio_cmdline.ko"
# e2fsprogs by path: busybox sh runs its own mke2fs applet (no -t, -d)
E2=${E2FSPROGS:-/sbin}
for f in mke2fs e2fsck debugfs; do
	[ -x "$E2/$f" ] || skip_all "$E2/$f missing (e2fsprogs)"
done
cat > "$T/rd/init" <<'INIT'
#!/bin/busybox sh
# hvmod_virtio guest: vt=rw|ro|echo|bad|panic|net|root, vtok=TOKEN on the command line
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
act=rw tok= devs=
for a in $($B cat /proc/cmdline); do
	case $a in
	vt=*) act=${a#vt=} ;;
	vtok=*) tok=${a#vtok=} ;;
	virtio_mmio.device=*) devs="$devs${devs:+,}${a#virtio_mmio.device=}" ;;
	esac
done
[ "$act" = panic ] && { echo "HVMOD-VIRTIO-EXIT"; exit 1; }
mods() {
	for m in "$@"; do
		$B insmod /mod/$m.ko || echo "HVMOD-VIRTIO-FAIL insmod $m"
	done
}
devices() {
	$B insmod /mod/vio_cmdline.ko device="$devs" ||
		echo "HVMOD-VIRTIO-FAIL vio_cmdline"
}
mods virtio_ring virtio
if [ "$act" = bad ]; then
	# a driver that breaks the rules, through /dev/mem before
	# virtio_mmio claims the device: notify an absent queue, then a
	# 1-byte register write; virtio_mmio's probe then resets it
	devices
	echo "HVMOD-VIRTIO-MAGIC $($B devmem 0xd0000000 32)"
	$B devmem 0xd0000050 32 7
	$B devmem 0xd0000070 8 1
	mods virtio_mmio
else
	mods virtio_mmio
	devices
fi
mods virtio_blk virtio_console failover net_failover virtio_net
# hvc0 exists once virtio_console has probed the port.  It stays open
# on fd 3: input that reaches a tty nobody holds open is dropped.
# Linux 6.1 makes hvc0 openable (hvc_alloc()) before the port is on its
# console list: an open hvc0 polled in that window gets -EPIPE from the
# port lookup and is hung up for good (what is written is lost, reads
# see EOF).  So open it once the port says guest_connected (debugfs).
$B mount -t debugfs debugfs /sys/kernel/debug
i=0
until $B grep -qs "guest_connected: 1" /sys/kernel/debug/virtio-ports/*; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "HVMOD-VIRTIO-FAIL port not connected"; break; }
	$B sleep 0.1
done
i=0
until exec 3<> /dev/hvc0; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "HVMOD-VIRTIO-FAIL no hvc0"; break; }
	$B sleep 0.1
done 2>/dev/null
echo "HVMOD-VIRTIO-DIAG hvc0 after $i tries, fd 3: $($B readlink /proc/$$/fd/3)"
hvc() { echo "$*" >&3; }
hvc "HVMOD-VIRTIO-HVC up $($B uname -r) act=$act"
case $act in
bad)
	sum=$($B dd if=/dev/vda bs=4096 count=1 2>/dev/null | $B md5sum)
	hvc "HVMOD-VIRTIO-READ ${sum%% *} ro=$($B cat /sys/block/vda/ro)" ;;
rw)
	sum=$($B dd if=/dev/vda bs=4096 count=1 2>/dev/null | $B md5sum)
	hvc "HVMOD-VIRTIO-READ ${sum%% *} ro=$($B cat /sys/block/vda/ro)"
	echo "HVMOD-VIRTIO-WRITTEN-$tok" |
		$B dd of=/dev/vda bs=512 seek=16 conv=sync 2>/dev/null ||
		hvc "HVMOD-VIRTIO-FAIL write"
	$B sync
	hvc "HVMOD-VIRTIO-SYNCED" ;;
ro)
	hvc "HVMOD-VIRTIO-RO ro=$($B cat /sys/block/vda/ro)"
	if echo "HVMOD-VIRTIO-WRITTEN-$tok" |
	   $B dd of=/dev/vda bs=512 seek=16 conv=sync 2>/dev/null; then
		$B sync
		hvc "HVMOD-VIRTIO-ROWRITE-DONE"
	else
		hvc "HVMOD-VIRTIO-ROWRITE-REFUSED"
	fi ;;
echo)
	read -r line <&3
	hvc "HVMOD-VIRTIO-GOT:$line" ;;
net)
	$B ip link set lo up
	$B ip link set eth0 up && $B ip addr add 10.0.1.2/24 dev eth0 &&
		hvc "HVMOD-VIRTIO-NET-UP" || hvc "HVMOD-VIRTIO-FAIL eth0"
	$B ping -c 3 -W 5 10.0.1.1 > /dev/null && hvc "HVMOD-VIRTIO-PING-OK" ;;
root)
	# the disk is an ext4 root with its own init (below)
	mods crc16 mbcache jbd2 crc32c_generic ext4
	$B mkdir -p /newroot
	if $B mount -t ext4 /dev/vda /newroot; then
		exec 3>&-
		for d in dev proc sys; do $B mount --move /$d /newroot/$d; done
		exec $B switch_root /newroot /sbin/init
	fi
	hvc "HVMOD-VIRTIO-FAIL mount /dev/vda" ;;
esac
$B poweroff -f
$B sleep 100000
INIT
chmod 755 "$T/rd/init"
guest_rd_pack "$T/rd" "$T/rd.cpio"
diag "guest: $KERNEL, initramfs $(($(wc -c < "$T/rd.cpio") / 1024)) KiB"

# ------------------------------------------- the root file system image
mkdir -p "$T/root/bin" "$T/root/sbin" "$T/root/dev" "$T/root/proc" \
	"$T/root/sys"
cp "$BB" "$T/root/bin/busybox"
ln -s busybox "$T/root/bin/sh"
cat > "$T/root/sbin/init" <<'INIT'
#!/bin/busybox sh
# hvmod_virtio guest, on the virtio disk's ext4 root after switch_root
B=/bin/busybox
tok=
for a in $($B cat /proc/cmdline); do
	case $a in vtok=*) tok=${a#vtok=} ;; esac
done
exec 3<> /dev/hvc0
echo "HVMOD-VIRTIO-ROOT $($B grep ' / ' /proc/mounts | $B cut -d' ' -f1-3)" >&3
echo "HVMOD-VIRTIO-ROOTFILE-$tok" > /written ||
	echo "HVMOD-VIRTIO-FAIL write /written" >&3
$B sync
echo "HVMOD-VIRTIO-ROOT-SYNCED" >&3
$B poweroff -f
$B sleep 100000
INIT
chmod 755 "$T/root/sbin/init"
"$E2/mke2fs" -q -F -t ext4 -L hvroot -d "$T/root" "$T/root.img" 16M \
	> "$T/mkfs.out" 2>&1 || skip_all "mke2fs -d failed: $(head -n 1 "$T/mkfs.out")"

# boot NAME ACT [STDIN] [HVCTL OPTIONS...]: RC, OUT (file)
boot() {
	_name=$1
	OUT=$T/$1.out
	_act=$2
	_in=${3:-/dev/null}
	shift 3
	_t0=$(date +%s)
	{
		timeout -k 10 "$TMO" "$HVCTL" run --mode virtio --device "$DEV" \
			--kernel "$KERNEL" --initrd "$T/rd.cpio" --mem=256 "$@" \
			--append "console=ttyS0 quiet panic=0 vt=$_act vtok=$TOK" \
			< "$_in" 2>&1
		echo "$?" > "$T/rc"
	} | while IFS= read -r _l; do
		printf '%s\n' "${_l%"$CR"}"	# the consoles end lines with CRLF
		[ -n "$VIRTIO_VERBOSE" ] && printf '#  %s\n' "$_l" >&2
	done > "$OUT"
	RC=$(cat "$T/rc")
	rm -f "$T/rc"
	diag "boot $_name: exit $RC after $(($(date +%s) - _t0)) s"
}


# the disk: 64 KiB of random data; its first 4 KiB checksummed
TOK=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
dd if=/dev/urandom of="$T/disk" bs=4096 count=16 2>/dev/null
SUM=$(dd if="$T/disk" bs=4096 count=1 2>/dev/null | md5sum | cut -d' ' -f1)
# written: the guest's token at sector 16
written() {
	dd if="$1" bs=512 skip=16 count=1 2>/dev/null | head -n 1 | tr -d '\0'
}

# --------------------------------------------------------------------- cases
# The guest boots to run (VIRTIO_BOOTS, a list): all of them, but in the
# vmx box only rw (Bochs: ~2 minutes of wall time per boot).  The other
# cases are not run there, not counted as passes.
BOOTS=${VIRTIO_BOOTS:-"rw ro echo bad root panic net"}
[ "${HVMOD_BOX:-}" = vmx ] && BOOTS=${VIRTIO_BOOTS:-rw}
[ "$BOOTS" = "rw ro echo bad root panic net" ] ||
	diag "guest boots run here: $BOOTS (VIRTIO_BOOTS)"
want() { case " $BOOTS " in *" $1 "*) return 0 ;; esac; return 1; }

boot rw rw /dev/null --disk "$T/disk"
expect 0 "$MARK up" "HVMOD-VIRTIO-READ $SUM ro=0" "HVMOD-VIRTIO-SYNCED" \
	"guest powered off"
report "boots, marker on hvc0, reads the disk (checksum), poweroff exits 0" "$WHY" "$OUT"
w=$(written "$T/disk")
[ -z "$WHY" ] && [ "$w" != "HVMOD-VIRTIO-WRITTEN-$TOK" ] &&
	WHY="sector 16 holds '$w'"
report "guest write + sync reaches the image (flush)" "$WHY" "$OUT"
[ "$(wc -c < "$T/disk")" = 65536 ] && WHY= || WHY="image size changed"
report "image size unchanged" "$WHY" "$OUT"

TOK=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
cp "$T/disk" "$T/disk.before"
if want ro; then
	boot ro ro /dev/null --disk "$T/disk,ro"
	expect 0 "$MARK up" "HVMOD-VIRTIO-RO ro=1" "HVMOD-VIRTIO-ROWRITE-REFUSED" \
		"guest powered off"
	[ -z "$WHY" ] && ! cmp -s "$T/disk" "$T/disk.before" && WHY="image changed"
	report "--disk PATH,ro: read-only in the guest, write refused, image unchanged" "$WHY" "$OUT"
fi

printf 'hello-virtio\n' > "$T/in"
if want echo; then
	boot echo echo "$T/in" --disk "$T/disk"
	expect 0 "HVMOD-VIRTIO-GOT:hello-virtio"
	report "console receive: a line on hvctl's stdin reaches hvc0" "$WHY" "$OUT"
fi

if want bad; then
	boot bad bad /dev/null --disk "$T/disk"
	expect 0 "HVMOD-VIRTIO-MAGIC 0x74726976" "HVMOD-VIRTIO-READ $SUM" \
		"virtio block at 0xd0000000: notify for absent queue 7; device needs reset" \
		"guest powered off"
	[ -z "$WHY" ] && [ "$(grep -c "device needs reset" "$OUT")" != 1 ] &&
		WHY="not one line for the breakage"
	report "bad driver: one line, NEEDS_RESET, hvctl goes on; after a reset the disk works" "$WHY" "$OUT"
fi

TOK=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
if want root; then
	boot root root /dev/null --disk "$T/root.img"
	expect 0 "HVMOD-VIRTIO-ROOT /dev/vda / ext4" "HVMOD-VIRTIO-ROOT-SYNCED" \
		"guest powered off"
	if [ -z "$WHY" ]; then
		# the first pass replays the journal the guest left (exit 1:
		# "modified"), the second must find nothing to fix
		"$E2/e2fsck" -fy "$T/root.img" > "$T/fsck.out" 2>&1
		"$E2/e2fsck" -fn "$T/root.img" >> "$T/fsck.out" 2>&1
		r=$?
		w=$("$E2/debugfs" -R "cat /written" "$T/root.img" 2>/dev/null)
		if [ $r != 0 ]; then
			WHY="e2fsck -fn exit $r after the replay: $(tail -n 1 "$T/fsck.out")"
		elif [ "$w" != "HVMOD-VIRTIO-ROOTFILE-$TOK" ]; then
			WHY="/written in the image holds '$w'"
		fi
	fi
	report "root on the virtio disk: switch_root to ext4, the file written reaches the image" "$WHY" "$OUT"
fi

if want panic; then
	boot panic panic /dev/null --disk "$T/disk"
	expect 2 "HVMOD-VIRTIO-EXIT" "Kernel panic - not syncing" "guest kernel panic"
	report "init exits: kernel panic ends hvctl with exit 2 and a message" "$WHY" "$OUT"
fi

# refused before the device is opened
novm() {
	_name=$1 _pat=$2
	shift 2
	OUT=$T/novm.out
	timeout 30 "$HVCTL" run --mode virtio --device "$T/no-such-device" \
		--kernel "$KERNEL" "$@" > "$OUT" 2>&1
	RC=$?
	expect 1 "$_pat"
	report "$_name" "$WHY" "$OUT"
}
novm "--disk on a missing file: exit 1 with a message" \
	"virtio: --disk $T/nofile: No such file" --disk "$T/nofile"
novm "--disk PATH,rw (unknown flag): exit 1 with a message" \
	"unknown flag 'rw'" --disk "$T/disk,rw"
novm "--net on a missing interface: exit 1 with a message" \
	"virtio: --net vionosuch0: cannot attach the tap" --net vionosuch0
OUT=$T/novm.out
timeout 30 "$HVCTL" run --mode type1 --device "$T/no-such-device" \
	--kernel "$KERNEL" --disk "$T/disk" > "$OUT" 2>&1
RC=$?
expect 1 "unknown argument '--disk'"
report "--disk in type1 mode: refused" "$WHY" "$OUT"

# ------------------------------------------ network: a tap in a namespace
net_skip=
if [ ! -c /dev/net/tun ]; then
	modprobe tun 2>/dev/null
	[ -c /dev/net/tun ] || mknod /dev/net/tun c 10 200 2>/dev/null
fi
grep -qw tun /proc/misc 2>/dev/null || net_skip="no tun driver in this kernel"
for cmd in unshare tunctl ip; do
	[ -n "$net_skip" ] || command -v $cmd >/dev/null 2>&1 || net_skip="$cmd missing"
done
[ -n "$net_skip" ] || unshare -n true 2>/dev/null ||
	net_skip="cannot create a network namespace"
want net || net_skip="not run here (VIRTIO_BOOTS)"
if [ -n "$net_skip" ]; then
	skip "$net_skip" "net: the guest pings the host over the tap"
else
	cat > "$T/net.sh" <<-'EOF'
	set -e
	ip link set lo up
	tunctl -t viotap0 > /dev/null
	ip addr add 10.0.1.1/24 dev viotap0
	ip link set viotap0 up
	set +e
	exec timeout -k 10 "$TMO" "$HVCTL" run --mode virtio --device "$DEV" \
		--kernel "$KERNEL" --initrd "$RD" --mem=256 --net viotap0 \
		--append "console=ttyS0 quiet panic=0 vt=net" < /dev/null
	EOF
	OUT=$T/net.out
	{
		TMO=$TMO HVCTL=$HVCTL DEV=$DEV KERNEL=$KERNEL RD=$T/rd.cpio \
			unshare -n sh "$T/net.sh" 2>&1
		echo "$?" > "$T/rc"
	} | tr -d '\r' > "$OUT"
	RC=$(cat "$T/rc")
	expect 0 "HVMOD-VIRTIO-NET-UP" "HVMOD-VIRTIO-PING-OK"
	report "net: the guest pings the host over the tap" "$WHY" "$OUT"
fi

echo "1..$nr"
[ "$failed" = 0 ]

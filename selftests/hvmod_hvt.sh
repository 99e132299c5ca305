#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hvmod_hvt.sh: `hvctl run --mode hvt` with hvmod's own Solo5 hvt
# unikernels (selftests/hvt/): options and messages, ELF/manifest
# validation (malformed variants made by hvt/elfmut), guest runs (hello,
# quiet, globals, fpu, tls, time, exit codes, exceptions caught by the
# guest's IDT / vectors, a write to host-read-only memory, block devices,
# a 63-device manifest, hostile hypercalls, a tap network device).  TAP 13.
#
# x86_64, aarch64 and riscv64 (the unikernels are built for the machine
# the script runs on): the cases that differ (FPU, TLS, exceptions, bad
# hypercall accesses) use each architecture's own; a case one of them has
# no equivalent for is reported as a SKIP with the reason.
#
# Exit 0 if all cases pass, 1 if any fails, 4 (skip) if the device's
# backend cannot run guests (hvctl info: no "run" feature).
#
# Environment:
#   HVCTL        hvctl to test (default: hvctl in PATH, else ../tools/hvctl)
#   HVT_DEVICE   KVM-ABI device (default /dev/hvmod; /dev/kvm works too)
#   HVT_NOVM=1   only the cases that must fail before any VM exists
#                (usable on a host without hvmod or KVM)
#   HVT_TIMEOUT  seconds per hvctl run (default 60)

here=$(cd "$(dirname "$0")" && pwd)
UK=$here/hvt
HVCTL=${HVCTL:-$(command -v hvctl || echo "$here/../tools/hvctl/hvctl")}
DEV=${HVT_DEVICE:-/dev/hvmod}
TMO=${HVT_TIMEOUT:-60}
NOVM=${HVT_NOVM:-}
ARCH=$(uname -m)

T=$(mktemp -d "${TMPDIR:-/tmp}/hvmod_hvt.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
NODEV=$T/no-such-device

n=0
fails=0
skips=0
echo "TAP version 13"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

# report NAME WHY OUTPUT: ok if WHY is empty.
report() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n $1"
	else
		fails=$((fails + 1))
		echo "not ok $n $1 # $2"
		printf '%s\n' "$3" | tail -n 12 | sed 's/^/#   | /'
	fi
}

skip() {
	n=$((n + 1))
	skips=$((skips + 1))
	echo "ok $n $1 # SKIP $2"
}

# check RC OUT WANT_RC PATTERN ANTIPATTERN: sets WHY.
check() {
	WHY=
	[ "$1" = "$3" ] || WHY="exit $1, expected $3"
	if [ -z "$WHY" ] && [ -n "$4" ]; then
		case $2 in *"$4"*) ;; *) WHY="output lacks '$4'" ;; esac
	fi
	if [ -z "$WHY" ] && [ -n "$5" ]; then
		case $2 in *"$5"*) WHY="output has '$5'" ;; esac
	fi
}

# hvt NAME WANT_RC PATTERN ANTIPATTERN ARGS...: hvctl run --mode hvt ARGS
hvt() {
	_name=$1 _rc=$2 _pat=$3 _anti=$4
	shift 4
	OUT=$(timeout "$TMO" "$HVCTL" run --mode hvt --device "$DEV" "$@" 2>&1)
	RC=$?
	check "$RC" "$OUT" "$_rc" "$_pat" "$_anti"
	report "$_name" "$WHY" "$OUT"
}

# novm NAME PATTERN ARGS...: must exit 1 with PATTERN before opening a
# device (the device given does not exist).
novm() {
	_name=$1 _pat=$2
	shift 2
	OUT=$(timeout "$TMO" "$HVCTL" run --mode hvt --device "$NODEV" "$@" 2>&1)
	RC=$?
	check "$RC" "$OUT" 1 "$_pat" "$NODEV"
	report "$_name" "$WHY" "$OUT"
}

# raw NAME WANT_RC PATTERN ARGS...: hvctl ARGS
raw() {
	_name=$1 _rc=$2 _pat=$3
	shift 3
	OUT=$(timeout "$TMO" "$HVCTL" "$@" 2>&1)
	RC=$?
	check "$RC" "$OUT" "$_rc" "$_pat" ""
	report "$_name" "$WHY" "$OUT"
}

img() {	# img FILE BYTES: a zero-filled image
	dd if=/dev/zero of="$1" bs=1 count=0 seek="$2" 2>/dev/null
}

# ------------------------------------------------------------ prerequisites

[ -x "$HVCTL" ] || skip_all "hvctl not found (HVCTL=$HVCTL)"
case $ARCH in
x86_64|aarch64|riscv64) ;;
*) skip_all "no hvt unikernels for $ARCH (x86_64, aarch64 and riscv64 only)" ;;
esac
# aarch64 and riscv64: hypercalls are MMIO stores below guest RAM's limit
MMIO_HC=
[ "$ARCH" = x86_64 ] || MMIO_HC=1
for u in hello quiet globals fpu tls time abort exitcode exception zeropage \
	 xnow blk net mft63 hostile; do
	[ -f "$UK/$u.hvt" ] || skip_all "$UK/$u.hvt missing (make -C selftests)"
done
[ -x "$UK/elfmut" ] || skip_all "$UK/elfmut missing (make -C selftests)"

if [ -z "$NOVM" ]; then
	info=$("$HVCTL" info --json --device "$DEV" 2>&1)
	case $info in
	*'"backend"'*)
		backend=$(printf '%s\n' "$info" | sed -n 's/.*"backend": "\([^"]*\)".*/\1/p')
		case $info in
		*'"run"'*) ;;
		*) skip_all "backend '$backend' of $DEV cannot run guests yet (no \"run\" feature)" ;;
		esac ;;
	*'api_version'*) ;;	# a plain KVM device (/dev/kvm): no hvmod info
	*) skip_all "$DEV not usable: $(printf '%s' "$info" | head -n 1)" ;;
	esac
fi

# --------------------------------------------- options, before any VM exists

raw "run without --mode" 1 "missing --mode" run "$UK/hello.hvt"
raw "run --mode bogus" 1 "unknown mode 'bogus'" run --mode bogus "$UK/hello.hvt"
raw "run --help" 0 "usage:" run --help
raw "run --mode hvt --help" 0 "--block:NAME=PATH" run --mode hvt --help
raw "run --mode hvt --version" 0 "ABI version 2" run --mode hvt --version
novm "missing KERNEL" "Missing KERNEL operand"
novm "invalid option" "Invalid option: \`--frob'" --frob "$UK/hello.hvt"
novm "--mem=abc" "Malformed argument to --mem" --mem=abc "$UK/hello.hvt"
novm "--mem=0" "Malformed argument to --mem" --mem=0 "$UK/hello.hvt"
novm "--mem=-2" "Malformed argument to --mem" --mem=-2 "$UK/hello.hvt"
novm "--mem=8192" "exceeds the max size 4294967296 bytes" --mem=8192 "$UK/hello.hvt"
novm "missing unikernel file" "Could not open" "$T/nothing.hvt"
novm "command line too long" "Guest command line too long (max=8191 characters)" \
	"$UK/hello.hvt" "$(printf '%08192d' 0)"
novm "device not in the manifest" "Resource not declared in manifest: 'storage'" \
	--block:storage=/dev/null "$UK/hello.hvt"
novm "block declared, not attached" \
	"Device 'storage' of type BLOCK_BASIC declared but not attached." "$UK/blk.hvt"
novm "net declared, not attached" \
	"Device 'service0' of type NET_BASIC declared but not attached." "$UK/net.hvt"
img "$T/odd.img" 1049000
novm "block image not a multiple of 512" \
	"storage: Backing storage size must be block aligned (512 bytes)" \
	--block:storage="$T/odd.img" "$UK/blk.hvt"
img "$T/4k-odd.img" 1049088
novm "block image not a multiple of 4096" \
	"storage: Backing storage size must be block aligned (4096 bytes)" \
	--block-sector-size:storage=4096 --block:storage="$T/4k-odd.img" "$UK/blk.hvt"
img "$T/empty.img" 0
novm "empty block image" "Backing storage must be at least 1 block" \
	--block:storage="$T/empty.img" "$UK/blk.hvt"
img "$T/disk.img" 1048576
novm "sector size 1000" "Block size must be a multiple of 2 greater than or equal 512" \
	--block-sector-size:storage=1000 --block:storage="$T/disk.img" "$UK/blk.hvt"
novm "sector size 256" "Invalid option: \`--block-sector-size:storage=256'" \
	--block-sector-size:storage=256 --block:storage="$T/disk.img" "$UK/blk.hvt"
novm "missing block image" "Could not open block device: $T/none.img" \
	--block:storage="$T/none.img" "$UK/blk.hvt"
novm "missing tap" "Could not attach interface: hvtnosuch0" \
	--net:service0=hvtnosuch0 "$UK/net.hvt"
novm "malformed --net-mac" "Invalid option: \`--net-mac:service0=02:00:zz:00:00:01'" \
	--net-mac:service0=02:00:zz:00:00:01 "$UK/net.hvt"
# The one case that must reach the device: it shows the others did not.
OUT=$(timeout "$TMO" "$HVCTL" run --mode hvt --device "$NODEV" "$UK/hello.hvt" 2>&1)
check $? "$OUT" 1 "Could not open: $NODEV" ""
report "good unikernel, missing device" "$WHY" "$OUT"

# malformed ELFs, derived from hello: each must fail before any VM exists
elf_want() {
	case $1 in
	trunc-header) echo "file too short for an ELF header" ;;
	trunc-phdrs|phoff-huge) echo "program headers" ;;
	truncated) echo "lies outside the file (" ;;
	bad-magic) echo "not an ELF file" ;;
	bad-class|bad-endian|bad-version) echo "not a little-endian ELF64" ;;
	bad-type) echo "is not ET_EXEC" ;;
	bad-machine) echo "is not $ARCH" ;;
	bad-phentsize) echo "unexpected ELF header sizes" ;;
	no-phdrs) echo "no program headers" ;;
	entry-low|entry-high) echo "e_entry" ;;
	overlap) echo "overlaps the previous segment" ;;
	descending) echo "not in ascending order" ;;
	unaligned) echo "not aligned to the 4 KiB page size" ;;
	bad-align) echo "is not a power of two" ;;
	seg-low) echo "is below 0x100000" ;;
	seg-high) echo "beyond guest memory" ;;
	seg-wrap) echo "overflows" ;;
	memsz-small) echo "p_memsz" ;;
	wx) echo "requests WRITE and EXEC permissions" ;;
	note-outside) echo "extends beyond its segment" ;;
	note-offset) echo "lies outside the file" ;;
	note-descsz) echo "note size 17 not in 1..16" ;;
	note-tiny) echo "smaller than a note header" ;;
	abi-target) echo "Executable is not for the solo5-hvt target" ;;
	abi-version1) echo "Executable requests unsupported ABI version 1" ;;
	abi-version3) echo "Executable requests unsupported ABI version 3" ;;
	no-abi) echo "No Solo5 ABI information found in executable" ;;
	no-mft) echo "No Solo5 manifest found in executable" ;;
	mft-*) echo "Solo5 manifest is invalid" ;;
	*) echo "(unknown variant)" ;;
	esac
}
for v in $("$UK/elfmut" --list); do
	if "$UK/elfmut" "$UK/hello.hvt" "$v" "$T/$v.hvt"; then
		novm "malformed ELF: $v" "$(elf_want "$v")" "$T/$v.hvt"
	else
		report "malformed ELF: $v" "elfmut failed" ""
	fi
done

if [ -n "$NOVM" ]; then
	echo "1..$n"
	[ "$fails" = 0 ]
	exit
fi

# ------------------------------------------------------------- guest runs

hvt "hello" 0 "Command line is: 'Hello_Solo5 two words'" "" \
	"$UK/hello.hvt" Hello_Solo5 two words
hvt "hello, -- before KERNEL" 0 "Command line is: '-x --y'" "" \
	-- "$UK/hello.hvt" -x --y
hvt "hello --mem=2" 0 "mem_size=0x200000 " "" --mem=2 "$UK/hello.hvt"
hvt "hello --mem=3 (rounded down)" 0 "adjusting memory to 2097152 bytes" "" \
	--mem=3 "$UK/hello.hvt"
hvt "hello --mem=4096" 0 "mem_size=0x100000000 " "" --mem=4096 "$UK/hello.hvt"
hvt "hello, default 512 MB" 0 "mem_size=0x20000000 " "" "$UK/hello.hvt"
hvt "quiet (--solo5:quiet after KERNEL)" 0 "SUCCESS" "Solo5:" \
	-- "$UK/quiet.hvt" --solo5:quiet
hvt "quiet (--solo5:quiet before KERNEL)" 0 "SUCCESS" "Solo5:" \
	--solo5:quiet "$UK/quiet.hvt"
hvt "quiet without --solo5:quiet" 1 "FAILURE" "" "$UK/quiet.hvt"
hvt "globals" 0 "SUCCESS" "" "$UK/globals.hvt"
if [ "$ARCH" = aarch64 ]; then
	hvt "fpu (FP/SIMD v0-v31, FPCR, FPSR)" 0 "SUCCESS" "" "$UK/fpu.hvt"
	hvt "tls (TPIDR_EL0)" 0 "SUCCESS" "" "$UK/tls.hvt"
elif [ "$ARCH" = riscv64 ]; then
	hvt "fpu (F/D f0-f31, fcsr)" 0 "SUCCESS" "" "$UK/fpu.hvt"
	hvt "tls (tp)" 0 "SUCCESS" "" "$UK/tls.hvt"
else
	hvt "fpu" 0 "SUCCESS" "" "$UK/fpu.hvt"
	hvt "tls" 0 "SUCCESS" "" "$UK/tls.hvt"
fi
hvt "time" 0 "SUCCESS" "" "$UK/time.hvt"
hvt "abort: exit 255" 255 "ABORT" "" "$UK/abort.hvt"
for s in 0 1 7 42 254 255; do
	hvt "halt status $s" "$s" "solo5_exit($s)" "" "$UK/exitcode.hvt" "$s"
done
hvt "halt status 256 -> 0" 0 "solo5_exit(256)" "" "$UK/exitcode.hvt" 256
if [ "$ARCH" = aarch64 ]; then
	# x86's #GP (non-canonical address) -> a VA outside both translation
	# ranges; int \$40 -> SVC; no equivalent of #DE
	for e in "ud (UNKNOWN)" "bp (BRK64)" "va far=0x1000000000000 elr=" \
		 "svc (SVC64)" "ro far=0x10000 elr="; do
		set -- $e
		hvt "exception $1: guest vectors, exit 255" 255 "$2 $3" "" \
			"$UK/exception.hvt" "$1"
	done
	skip "exception de: guest IDT, exit 255" \
		"aarch64 has no divide-by-zero exception (UDIV/SDIV return 0)"
	hvt "zeropage read: data abort, exit 255" 255 "far=0x0 elr=" "" \
		"$UK/zeropage.hvt"
	hvt "zeropage write: data abort, exit 255" 255 "far=0x0 elr=" "" \
		"$UK/zeropage.hvt" write
elif [ "$ARCH" = riscv64 ]; then
	# x86's #GP (non-canonical address) -> a VA beyond Sv39 (a load page
	# fault); no equivalent of #DE or of int $40 (ecall is an SBI call)
	for e in "ud (illegal-instruction)" "bp (breakpoint)" \
		 "va (load-page-fault) stval=0x1000000000000 sepc=" \
		 "ro (store-page-fault) stval=0x10000 sepc="; do
		hvt "exception ${e%% *}: guest stvec, exit 255" 255 "${e#* }" "" \
			"$UK/exception.hvt" "${e%% *}"
	done
	skip "exception de: guest IDT, exit 255" \
		"riscv64 has no divide-by-zero exception (DIV returns all ones)"
	skip "exception svc: guest vectors, exit 255" \
		"riscv64: ecall from the guest kernel is an SBI call to the hypervisor, no guest exception"
	hvt "zeropage read: load page fault, exit 255" 255 \
		"(load-page-fault) stval=0x0 sepc=" "" "$UK/zeropage.hvt"
	hvt "zeropage write: store page fault, exit 255" 255 \
		"(store-page-fault) stval=0x0 sepc=" "" "$UK/zeropage.hvt" write
else
	for e in "ud #UD" "de #DE" "bp #BP" "gp #GP" "int vector=40" "ro #PF"; do
		set -- $e
		hvt "exception $1: guest IDT, exit 255" 255 "$2" "" "$UK/exception.hvt" "$1"
	done
	hvt "zeropage read: #PF, exit 255" 255 "cr2=0x0" "" "$UK/zeropage.hvt"
	hvt "zeropage write: #PF, exit 255" 255 "cr2=0x0" "" "$UK/zeropage.hvt" write
fi
hvt "write to host read-only text" 1 "host/guest translation fault" "FAILURE" \
	"$UK/xnow.hvt"
hvt "write to host read-only rodata" 1 "host/guest translation fault" "FAILURE" \
	"$UK/xnow.hvt" rodata

# hostile hypercalls: each must end in a clear message and exit 1
hvt "hostile: baseline" 0 "SUCCESS" "" "$UK/hostile.hvt" ok
hostile_cases="puts-oob Invalid guest access: gpa=
puts-end Invalid guest access: gpa=
puts-wrap Invalid guest access: gpa=0xfffffffffffff000, sz=8192
puts-huge Invalid guest access: gpa=0x100000, sz=4611686018427387904
arg-oob Invalid guest access: gpa=0x1fff
arg-high Invalid guest access: gpa=0xfffffff0
poll-oob Invalid guest access: gpa=0x1fff
halt-oob Invalid guest access: gpa=0x20000000
cookie Invalid guest access: gpa=0x1fffff00, sz=512
hc-zero Invalid guest hypercall: num=0
hc-block Invalid guest hypercall: num=4
hc-net Invalid guest hypercall: num=7"
if [ -n "$MMIO_HC" ]; then
	# hypercalls are 32-bit stores to 0x100000000 + (nr << 3)
	hostile_cases="$hostile_cases
mmio-byte Invalid guest mmio access: mmio=0x100000010, len=1, write
mmio-half Invalid guest mmio access: mmio=0x100000010, len=2, write
mmio-dword Invalid guest mmio access: mmio=0x100000010, len=8, write
mmio-read Invalid guest mmio access: mmio=0x100000010, len=4, read
mmio-high Invalid guest mmio access: mmio=0x100000048, len=4, write
ring-kick Invalid guest mmio access: mmio=0x100000100, len=4, write"
fi
if [ "$ARCH" = aarch64 ]; then
	hostile_cases="$hostile_cases
mmio-pair KVM: ioctl (RUN) failed
psci-off KVM: unhandled exit: exit_reason=0x18"
elif [ "$ARCH" = riscv64 ]; then
	hostile_cases="$hostile_cases
mmio-amo KVM: internal error exit: suberror=0x1
hlt KVM: unhandled exit: exit_reason=0x5
sbi-off KVM: unhandled exit: exit_reason=0x18"
else
	hostile_cases="$hostile_cases
port-byte Invalid guest port access: port=0x501
port-word Invalid guest port access: port=0x501
port-in Invalid guest port access: port=0x501
port-low Invalid guest port access: port=0x4ff
port-high Invalid guest port access: port=0x509
ring-kick Invalid guest port access: port=0x600
hlt KVM: unhandled exit: exit_reason=0x5
triple KVM: unhandled exit: exit_reason=0x8"
fi
while read -r hc want; do
	hvt "hostile: $hc" 1 "$want" "FAILURE" "$UK/hostile.hvt" "$hc" </dev/null
done <<EOF_CASES
$hostile_cases
EOF_CASES
if [ "$ARCH" = aarch64 ]; then
	skip "hostile: port-low" \
		"aarch64: the MMIO block begins at the first hypercall address (below it: RAM)"
	skip "hostile: hlt" "aarch64: WFI completes in the kernel (as KVM), it is no exit"
	skip "hostile: triple" \
		"aarch64 has no triple fault: a guest without vectors loops in its own exceptions"
elif [ "$ARCH" = riscv64 ]; then
	skip "hostile: port-low" \
		"riscv64: the MMIO gigapage begins at the first hypercall address (below it: RAM)"
	skip "hostile: triple" \
		"riscv64 has no triple fault: a guest without stvec loops in its own exceptions"
fi

# block devices
img "$T/disk.img" 1048576
hvt "blk, 512-byte sectors" 0 "SUCCESS" "" --block:storage="$T/disk.img" \
	-- "$UK/blk.hvt"
if dd if="$T/disk.img" bs=512 skip=1 count=1 2>/dev/null |
   grep -q "hvt-blk-sector-1"; then
	report "blk: data reached the image" "" ""
else
	report "blk: data reached the image" "sector 1 lacks the guest's data" ""
fi
img "$T/disk4k.img" 1048576
hvt "blk, 4096-byte sectors" 0 "block_size 4096" "FAILURE" \
	--block-sector-size:storage=4096 --block:storage="$T/disk4k.img" \
	"$UK/blk.hvt"
hvt "blk: read into memory outside the guest" 1 "Invalid guest access" \
	"FAILURE" --block:storage="$T/disk.img" "$UK/blk.hvt" oobdata

# 63 block devices
devs=
i=0
while [ $i -lt 63 ]; do
	img "$T/s$i.img" 4096
	devs="$devs --block:storage$i=$T/s$i.img"
	i=$((i + 1))
done
# shellcheck disable=SC2086
hvt "manifest with 63 block devices" 0 "SUCCESS" "" $devs "$UK/mft63.hvt"
if dd if="$T/s62.img" bs=512 count=1 2>/dev/null | grep -q "device storage62"; then
	report "mft63: each device reached its own image" "" ""
else
	report "mft63: each device reached its own image" "storage62's image lacks its data" ""
fi

# network: a tap in a network namespace of our own, pinged by the host
net_skip=
if [ ! -c /dev/net/tun ]; then
	modprobe tun 2>/dev/null ||
		{ [ -f "$here/data/tun.ko" ] && insmod "$here/data/tun.ko" 2>/dev/null; }
	[ -c /dev/net/tun ] || mknod /dev/net/tun c 10 200 2>/dev/null
fi
grep -qw tun /proc/misc 2>/dev/null ||
	net_skip="no tun driver in this kernel (CONFIG_TUN off, or =m and tun.ko not in the box)"
for cmd in unshare tunctl ip ping; do
	[ -n "$net_skip" ] || command -v $cmd >/dev/null 2>&1 || net_skip="$cmd missing"
done
if [ -z "$net_skip" ] && ! unshare -n true 2>/dev/null; then
	net_skip="cannot create a network namespace"
fi
if [ -n "$net_skip" ]; then
	skip "net: echo replies across a tap" "$net_skip"
	skip "net: --net-mac reaches the guest" "$net_skip"
	[ -z "$MMIO_HC" ] ||
		skip "net: --mem=4096 + ring area over the MMIO block" "$net_skip"
else
	cat >"$T/net.sh" <<-'EOF'
	set -e
	ip link set lo up
	tunctl -t hvt0 >/dev/null
	ip addr add 10.0.0.1/24 dev hvt0
	ip link set hvt0 up
	set +e
	ping -c 30 -W 1 10.0.0.2 >/dev/null 2>&1 &
	pinger=$!
	# the tap loses its neighbours when hvctl closes it: look meanwhile
	(while sleep 1; do cat /proc/net/arp; done) >"$ARPLOG" 2>&1 &
	arpwatch=$!
	timeout "$TMO" "$HVCTL" run --mode hvt --device "$DEV" \
		--net:service0=hvt0 --net-mac:service0=02:00:00:00:00:42 \
		-- "$UK/net.hvt" limit=5
	rc=$?
	kill $pinger $arpwatch 2>/dev/null
	exit $rc
	EOF
	OUT=$(TMO=$TMO HVCTL=$HVCTL DEV=$DEV UK=$UK ARPLOG=$T/arp.log \
	      unshare -n sh "$T/net.sh" 2>&1)
	RC=$?
	check "$RC" "$OUT" 0 "SUCCESS" "FAILURE"
	report "net: echo replies across a tap" "$WHY" "$OUT"
	check "$RC" "$OUT" 0 "mac=02:00:00:00:00:42" ""
	[ -n "$WHY" ] || grep -q "10\.0\.0\.2 .*02:00:00:00:00:42" "$T/arp.log" ||
		WHY="the host's ARP table never had 10.0.0.2 at 02:00:00:00:00:42"
	report "net: --net-mac reaches the guest" "$WHY" "$OUT"
	if [ -n "$MMIO_HC" ]; then
		# 4 GiB of RAM + the 2 MiB ring area would cover the hypercall
		# MMIO block at 4 GiB: refused before any VM exists
		OUT=$(unshare -n sh -c 'tunctl -t hvt1 >/dev/null &&
			ip link set hvt1 up &&
			exec timeout "$1" "$2" run --mode hvt --device "$3" \
			--mem=4096 --net:service0=hvt1 "$4"' sh "$TMO" "$HVCTL" \
			"$NODEV" "$UK/net.hvt" 2>&1)
		check $? "$OUT" 1 "overlaps the hypercall MMIO at 0x100000000" "$NODEV"
		report "net: --mem=4096 + ring area over the MMIO block" "$WHY" "$OUT"
	fi
fi

echo "1..$n"
echo "# hvmod_hvt: $((n - fails - skips)) of $n passed, $skips skipped (device $DEV, $ARCH)"
[ "$fails" = 0 ]

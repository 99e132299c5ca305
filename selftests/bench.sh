#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make bench` job, inside a box: the same KVM-ABI client (hvbench)
# against hvmod and then against the distro's KVM, in one boot, printed
# side by side with the ratio hvmod/KVM (time: lower is better); then, in
# the svm box, the time from `hvctl run` to a Linux guest's marker in
# type1 and virtio mode (bench_boot.sh), on both devices alike.
cd "$(dirname "$0")" || exit 1
KO=${HVMOD_KO:-/lib/hvmod/hvmod.ko}
REPS=${HVBENCH_REPS:-7}
BOOT_REPS=${BENCH_BOOT_REPS:-3}
kmod=/lib/modules/$(uname -r)/kernel

# loaded already when run after the selftests (hvtests=...,bench.sh)
[ -d /sys/module/hvmod ] || insmod "$KO" || exit 1
./hvbench --reps "$REPS" > /tmp/hvmod.txt || exit 1
# guest boots: exit 4 (no guest kernel, other boxes) leaves the table out
./bench_boot.sh --device /dev/hvmod --reps "$BOOT_REPS" > /tmp/hvmod-boot.txt
boot=$?
[ $boot = 0 ] || [ $boot = 4 ] || exit 1
rmmod hvmod || exit 1

case ${HVMOD_BOX:-svm} in
svm) vendor="$kmod/drivers/crypto/ccp/ccp.ko $kmod/arch/x86/kvm/kvm-amd.ko" ;;
*)   vendor="$kmod/arch/x86/kvm/kvm-intel.ko" ;;
esac
for m in "$kmod/virt/lib/irqbypass.ko" "$kmod/arch/x86/kvm/kvm.ko" $vendor; do
	insmod "$m" || { echo "bench: cannot load $m"; exit 1; }
done
./hvbench --device /dev/kvm --reps "$REPS" > /tmp/kvm.txt || exit 1
if [ $boot = 0 ]; then
	./bench_boot.sh --device /dev/kvm --reps "$BOOT_REPS" > /tmp/kvm-boot.txt ||
		exit 1
fi

echo "hvbench in the ${HVMOD_BOX:-svm} box, median of $REPS batches (microseconds)"
printf "%-14s %12s %12s %10s\n" figure hvmod kvm hvmod/kvm
# (busybox awk: keep each printf on one line)
awk 'NR == FNR { if ($3 == "us") h[$1] = $2; next }
     $3 == "us" { r = ($2 > 0) ? h[$1] / $2 : 0; printf "%-14s %12.2f %12.2f %10.2f\n", $1, h[$1], $2, r }' \
	/tmp/hvmod.txt /tmp/kvm.txt
[ $boot = 0 ] || exit 0

echo
echo "hvctl run to the guest's marker (Linux $(uname -r)), median of $BOOT_REPS boots (ms)"
printf "%-14s %12s %12s %10s\n" figure hvmod kvm hvmod/kvm
awk 'NR == FNR { if ($3 == "ms") h[$1] = $2; next }
     $3 == "ms" { r = ($2 > 0) ? h[$1] / $2 : 0; printf "%-14s %12d %12d %10.2f\n", $1, h[$1], $2, r }' \
	/tmp/hvmod-boot.txt /tmp/kvm-boot.txt

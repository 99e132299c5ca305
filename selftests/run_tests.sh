#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-box runner for the hvmod selftests (kselftest style).  Runs each test
# program in order with a timeout, prefixes its output with "# " and prints
# one "ok/not ok N selftests: hvmod: <prog>" line per program.  Exit 1 if
# any program failed.
#
#   run_tests.sh [PROG...]      default: all, in the order below
#
# The box starts with hvmod unloaded: hvmod_load.sh loads it, the device
# tests need it loaded, hvmod_module.sh unloads and reloads it and leaves it
# loaded.  Env: HVMOD_KO, HVMOD_DKMS_KO, HVMOD_BOX, HVMOD_VERSION (passed on),
# HVMOD_TEST_TIMEOUT (seconds per program, default 300; 120 in the vmx box).

cd "$(dirname "$0")" || exit 1
TIMEOUT=${HVMOD_TEST_TIMEOUT:-300}
# Bochs's clock is virtual (clock: sync=none): a box second is about five
# of wall time there.  Its longest program (hvmod_type1.sh) takes 34 box
# seconds, so 120 lets a hung program fail alone within the box's limit.
[ "$HVMOD_BOX" = vmx ] && TIMEOUT=${HVMOD_TEST_TIMEOUT:-120}
TESTS="hvmod_load.sh hvmod_dev hvmod_vm hvmod_memslot hvmod_mmap hvmod_lifetime
       hvmod_x86_modes hvmod_x86_exits hvmod_x86_msr hvmod_x86_mem hvmod_x86_smp hvmod_x86_fpu
       hvmod_x86_xsave hvmod_x86_cpuid hvmod_x86_irq hvmod_x86_nmi hvmod_x86_signal hvmod_x86_mmu
       hvmod_x86_hostile hvmod_x86_irqchip hvmod_x86_pic hvmod_hvt.sh hvmod_type1.sh hvmod_virtio.sh hvmod_qemu.sh hvmod_lifetime2 hvmod_fuzz
       hvmod_coexist.sh hvmod_kvm_selftests.sh
       hvmod_module.sh"
# hvmod_fuzz is the short pass (10000 calls or 40 s); "make fuzz ITER=N"
# runs a long one.  QEMU 7.2's TCG has a bug a guest can reach: a #VMEXIT
# from a guest with EFER.LME=1, CR0.PG=0 and CR4.PAE=0 (legal) restores the
# host's CR0 while the guest's CR4/EFER are still loaded, so the host CPU
# runs on with paging off.  Real CPUs do not; the fuzzer's gen_sregs()
# stays off that state, and no test guest enters it.
# the arm64 box: the generic tests, the arm64 register ABI and guests,
# then the aarch64 hvt unikernels
[ "$HVMOD_BOX" = arm64 ] &&
	TESTS="hvmod_load.sh hvmod_dev hvmod_vm hvmod_memslot hvmod_mmap hvmod_lifetime arm64/hvmod_arm64_abi arm64/hvmod_arm64_guest hvmod_hvt.sh hvmod_module.sh"
# the riscv64 box: the generic tests, the riscv register ABI and guests,
# then the riscv64 hvt unikernels
[ "$HVMOD_BOX" = riscv ] &&
	TESTS="hvmod_load.sh hvmod_dev hvmod_vm hvmod_memslot hvmod_mmap hvmod_lifetime riscv/hvmod_riscv_guest riscv/hvmod_riscv_exits riscv/hvmod_riscv_smp hvmod_hvt.sh hvmod_module.sh"
[ $# -gt 0 ] && TESTS="$*"

prefix() {
	while IFS= read -r _l || [ -n "$_l" ]; do echo "# $_l"; done
}

# run PROG: runs ./PROG with the timeout, output prefixed; returns its exit code.
run() {
	_t=
	command -v timeout > /dev/null 2>&1 && _t="timeout $TIMEOUT"
	exec 4>&1
	_rc=$({ { $_t "./$1" 2>&1; echo $? >&3; } | prefix >&4; } 3>&1)
	exec 4>&-
	return "$_rc"
}

# Device tests need hvmod loaded; reload it if an earlier test left it out.
ensure_loaded() {
	_ko=${HVMOD_KO:-/lib/hvmod/hvmod.ko}
	[ -d /sys/module/hvmod ] || [ ! -f "$_ko" ] && return
	echo "# hvmod not loaded before $1: loading $_ko"
	./hvmod_helper insmod "$_ko" | prefix
}

n=0
for t in $TESTS; do n=$((n + 1)); done
echo "TAP version 13"
echo "1..$n"

i=0
pass=0
skip=0
fail=0
for t in $TESTS; do
	i=$((i + 1))
	echo "# selftests: hvmod: $t"
	if [ ! -x "./$t" ]; then
		echo "not ok $i selftests: hvmod: $t # missing (not built?)"
		fail=$((fail + 1))
		continue
	fi
	case $t in
	hvmod_load.sh | hvmod_module.sh) ;;
	*) ensure_loaded "$t" ;;
	esac
	_t0=$(date +%s)
	run "$t"
	rc=$?
	echo "# $t: $(($(date +%s) - _t0)) s (box clock)"
	case $rc in
	0)
		echo "ok $i selftests: hvmod: $t"
		pass=$((pass + 1)) ;;
	4)
		echo "ok $i selftests: hvmod: $t # SKIP"
		skip=$((skip + 1)) ;;
	124 | 143)
		echo "not ok $i selftests: hvmod: $t # TIMEOUT $TIMEOUT seconds (exit=$rc)"
		fail=$((fail + 1)) ;;
	*)
		echo "not ok $i selftests: hvmod: $t # exit=$rc"
		fail=$((fail + 1)) ;;
	esac
done
echo "# hvmod selftests: pass:$pass skip:$skip fail:$fail"
[ $fail = 0 ]

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The main job (`make demo`), run inside the default box: load hvmod and
# show what it offers, then boot the bundled hello unikernel (Solo5 hvt).
set -e
echo "== insmod hvmod.ko"
insmod "${HVMOD_KO:-/lib/hvmod/hvmod.ko}"
dmesg | grep 'hvmod:' | tail -n 3
echo "== hvctl info"
hvctl info
# A Solo5 unikernel, when the backend runs guests (hvctl info: "run").
if hvctl info --json | grep -q '"run"'; then
	echo "== hvctl run --mode hvt /selftests/hvt/hello.hvt Hello_from_hvmod"
	hvctl run --mode hvt --mem=32 /selftests/hvt/hello.hvt Hello_from_hvmod
else
	echo "== hvctl run --mode hvt: skipped, this backend cannot run guests yet"
fi

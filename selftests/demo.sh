#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The main job (`make demo`), run inside the default box: load hvmod and
# show what it offers.  Guest runs join here as hvctl's run modes land.
set -e
echo "== insmod hvmod.ko"
insmod "${HVMOD_KO:-/lib/hvmod/hvmod.ko}"
dmesg | grep 'hvmod:' | tail -n 3
echo "== hvctl info"
hvctl info

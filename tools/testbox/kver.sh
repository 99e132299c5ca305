#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the kernel version the test boxes use (and KDIR defaults to).
# The pin lives in kernel.version; if that exact version has left the
# Debian archive (and is not installed), fall back to the version that
# linux-headers-amd64 depends on today, and say so on stderr.
dir=$(dirname "$0")
pin=$(cat "$dir/kernel.version")
if [ -d "/usr/src/linux-headers-$pin" ] ||
   apt-cache show "linux-headers-$pin" >/dev/null 2>&1; then
	echo "$pin"
	exit 0
fi
cur=$(apt-cache depends linux-headers-amd64 2>/dev/null |
      sed -n 's/.*Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n 1)
if [ -n "$cur" ]; then
	echo "kver.sh: pinned kernel $pin is no longer in the archive; using $cur (update tools/testbox/kernel.version)" >&2
	echo "$cur"
	exit 0
fi
echo "$pin"

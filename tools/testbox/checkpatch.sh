#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make checkpatch`: the kernel's checkpatch.pl --strict over the module
# and the uapi header.  checkpatch.pl comes from Debian's linux-source-6.1
# (installed if missing), extracted once into a cache.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$here/../.." && pwd)}
cache=/var/cache/hvmod-testbox/checkpatch
cp=$cache/linux-source-6.1/scripts/checkpatch.pl

if [ ! -x "$cp" ]; then
	tarball=/usr/src/linux-source-6.1.tar.xz
	if [ ! -f "$tarball" ]; then
		echo "checkpatch: installing linux-source-6.1"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends linux-source-6.1 >/dev/null
	fi
	mkdir -p "$cache"
	tar -xJf "$tarball" -C "$cache" --wildcards \
		'linux-source-6.1/scripts/checkpatch.pl' \
		'linux-source-6.1/scripts/spelling.txt' \
		'linux-source-6.1/scripts/const_structs.checkpatch'
fi

cd "$TOP"
rc=0
for f in $(git ls-files 'module/*.c' 'module/*.h' 'module/*.S' include/uapi/linux/hvmod.h); do
	"$cp" --no-tree --strict --terse --show-types -f "$f" | grep -v '^total:' || true
done | tee /tmp/hvmod-checkpatch.$$ 
grep -q 'ERROR' /tmp/hvmod-checkpatch.$$ && rc=1
rm -f /tmp/hvmod-checkpatch.$$
exit $rc

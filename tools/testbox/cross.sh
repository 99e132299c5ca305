# SPDX-License-Identifier: GPL-2.0
#
# What build-arm64.sh and build-riscv.sh share, sourced after they set
# ME (their name), TOP, OUT, CROSS and die().

# copy_tree DEST PATH...: the sources under PATH (relative to $TOP): C,
# assembler, headers, scripts, Makefiles, linker scripts, never build
# products (an x86 program must not look up to date to make).  A file is
# copied when its content differs, and then gets the current time, so
# make rebuilds what depends on it whatever the source's timestamp.
copy_tree()
{
	local dest=$1 f

	shift
	mkdir -p "$dest"
	(cd "$TOP" && find "$@" -type f \( -name '*.[chS]' -o -name '*.sh' -o \
		-name Makefile -o -name Kbuild -o -name VERSION -o \
		-name '*.ld' -o -name '*.lds' \) -print) |
	while IFS= read -r f; do
		cmp -s "$TOP/$f" "$dest/$f" && continue
		mkdir -p "$dest/$(dirname "$f")"
		cp "$TOP/$f" "$dest/$f"
		[ ! -x "$TOP/$f" ] || chmod +x "$dest/$f"
	done
}

# hvctl, static, without libkmod (hvctl info then reports the module
# state as unavailable); its Makefile adds the tender of the
# architecture CC builds for.
build_hvctl()
{
	copy_tree "$OUT/src" VERSION include tools/hvctl
	make -s -C "$OUT/src/tools/hvctl" TOP="$OUT/src" CC="${CROSS}gcc" \
		NO_KMOD=1 LDFLAGS=-static || die "hvctl build failed"
	cp -p "$OUT/src/tools/hvctl/hvctl" "$OUT/hvctl"
	echo "$ME: $OUT/hvctl"
}

# The build-*.sh command line: WHAT is module, selftests, hvctl or all.
cross_main()
{
	case $1 in
	module) build_module ;;
	selftests) build_selftests ;;
	hvctl) build_hvctl ;;
	all) build_module; build_selftests; build_hvctl ;;
	*) die "usage: $0 [module|selftests|hvctl|all]" ;;
	esac
}

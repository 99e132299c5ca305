# SPDX-License-Identifier: GPL-2.0
#
# apt-get helpers, sourced by the setup scripts (bash), which define
# step() and die() first.

apt_updated=

# apt-get update, at most once per run.
apt_update()
{
	[ -n "$apt_updated" ] && return 0
	step "apt-get update"
	apt-get update -q >/dev/null || die "apt-get update failed"
	apt_updated=1
}

# apt_need PKG[=VERSION]...: install the packages that are not installed
# (at exactly VERSION where one is given).  apt-get update runs only when
# an install fails without it, so a machine that has everything is only
# queried.
apt_need()
{
	local p st missing=

	for p in "$@"; do
		st=$(dpkg-query -W -f='${db:Status-Status} ${Version}' \
			"${p%%=*}" 2>/dev/null || true)
		case $p in
		*=*) [ "$st" = "installed ${p#*=}" ] || missing="$missing $p" ;;
		*) case $st in installed\ *) ;; *) missing="$missing $p" ;; esac ;;
		esac
	done
	if [ -z "$missing" ]; then
		step "host packages present"
		return 0
	fi
	step "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
		{ apt_update
		  apt-get install -y -q --no-install-recommends $missing; } ||
		die "apt-get install failed:$missing"
}

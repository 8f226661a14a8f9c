#!/usr/bin/env bash
# Install every Debian package that VXE's build, tests, demo and benchmarks
# need. Idempotent: when everything is installed already it only checks and
# returns (about a tenth of a second); otherwise apt-get update + install.
# Run as root on Debian 12. It never leaves Debian's own lighttpd, popa3d or
# exim4 service running: the demo and the tests start their own instances on
# 127.0.0.1 (tests/e2e/*.t).
set -euo pipefail

PACKAGES=(
	# build
	build-essential gcc make pkg-config libseccomp-dev
	# ASan/UBSan and fuzz builds, formatting, symbolised sanitizer reports
	clang libclang-rt-14-dev llvm clang-format
	# test runners and the scripts around them
	perl python3 curl iproute2 procps psmisc util-linux
	# the daemons the end-to-end tests and the demo confine: HTTP, POP3, SMTP
	lighttpd popa3d exim4-daemon-light
	# tracing (the VXED of examples/ was written from strace) and benchmarks
	strace wrk hyperfine firejail bubblewrap
)

if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps.sh: must run as root (try: sudo $0)" >&2
	exit 1
fi

# One dpkg-query for all: names it does not know are simply not printed.
declare -A have=()
while read -r name status; do
	[[ $status == installed ]] && have[${name%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for p in "${PACKAGES[@]}"; do
	[[ -n ${have[$p]:-} ]] || missing+=("$p")
done

# Debian starts a freshly installed lighttpd on port 80 (exim4 on 25, a
# standalone popa3d on 110). A policy-rc.d that
# answers 101 ("action forbidden") keeps invoke-rc.d from starting any service
# during this install; ours is removed again afterwards, an existing one kept.
policy=/usr/sbin/policy-rc.d
our_policy=
restore_policy() {
	if [[ -n $our_policy ]]; then
		rm -f "$policy"
	fi
}
trap restore_policy EXIT

if ((${#missing[@]})); then
	echo "install-deps: installing ${missing[*]}"
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\n# temporary, from VXE scripts/install-deps.sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		our_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Whatever happened before us (an older install, a reboot with the service
# enabled): Debian's lighttpd must not hold port 80. Only the instance that
# Debian's init script manages is touched (its pid file), never the demo's.
if [[ -x /usr/sbin/lighttpd ]]; then
	if [[ -d /run/systemd/system ]]; then # booted with systemd
		systemctl disable --now lighttpd.service >/dev/null 2>&1 || true
	elif command -v update-rc.d >/dev/null && [[ -e /etc/init.d/lighttpd ]]; then
		update-rc.d lighttpd disable >/dev/null 2>&1 || true
	fi
	if [[ -s /run/lighttpd.pid ]]; then
		pid=$(cat /run/lighttpd.pid)
		if [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat /proc/"$pid"/comm 2>/dev/null) == lighttpd ]]; then
			echo "install-deps: stopping Debian's lighttpd service (pid $pid)"
			service lighttpd stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
		fi
	fi
fi

# Debian's popa3d and exim4 services, likewise: never enabled, never left
# running. Only the daemons their init scripts manage (pid files) are stopped.
for svc in popa3d exim4; do
	[[ -e /etc/init.d/$svc ]] || continue
	if [[ -d /run/systemd/system ]]; then
		systemctl disable --now "$svc.service" >/dev/null 2>&1 || true
	elif command -v update-rc.d >/dev/null; then
		update-rc.d "$svc" disable >/dev/null 2>&1 || true
	fi
done
for pidfile in /run/exim4/exim.pid:exim4 /run/popa3d.pid:popa3d; do
	file=${pidfile%%:*} comm=${pidfile##*:}
	[[ -s $file ]] || continue
	pid=$(cat "$file")
	if [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat /proc/"$pid"/comm 2>/dev/null) == "$comm" ]]; then
		echo "install-deps: stopping Debian's $comm service (pid $pid)"
		service "$comm" stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
	fi
done

# libseccomp must be usable through pkg-config (the Makefile links -lseccomp).
pkg-config --exists libseccomp || {
	echo "install-deps: libseccomp-dev is installed but pkg-config cannot find it" >&2
	exit 1
}
((${#missing[@]})) && echo "install-deps: done" || echo "install-deps: all ${#PACKAGES[@]} packages present"

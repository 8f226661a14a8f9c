#!/usr/bin/env bash
# Trace mode against strace -f on real workloads (SPEC §7: >= 3x faster).
# Not a test: it prints numbers and never fails because the target is missed.
#  1. make + gcc: generates a small C project in a temporary directory and
#     times `make clean all` (make, sh, gcc, cc1, as, ld: many processes and
#     execs) unconfined, under `vxe trace`, and under `strace -f -o
#     /dev/null`; prints the medians and the ratio strace / vxe trace.
#  2. lighttpd under load: lighttpd serving a static page (the demo site's
#     index.html, the demo configuration without CGI, as bench/bench.sh runs
#     it) on 127.0.0.1:18088, loaded with `wrk -t2 -c16 -d5s` unconfined,
#     under `vxe trace -o FILE -- lighttpd -D -f CONF` and under `strace -f
#     -o /dev/null lighttpd -D -f CONF`; prints requests/s, the ratio vxe
#     trace / strace and the time each adds per request. Skipped (with a
#     message) if lighttpd, wrk or curl is missing or the port is in use.
# About 1.5 minutes with the defaults.
#   bench/trace-bench.sh [VXE] [RUNS]     (default build/vxe, 5 runs)
# environment: HTTPD_REPS (default 3) repetitions of the three lighttpd runs,
#   HTTPD_PORT (default 18088; never the demo's 8088).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VXE=${1:-$ROOT/build/vxe}
RUNS=${2:-5}
command -v strace >/dev/null || { echo "strace not installed" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc not installed" >&2; exit 1; }
[[ -x $VXE ]] || { echo "$VXE not built (make)" >&2; exit 1; }
HTTPD_REPS=${HTTPD_REPS:-3}
HTTPD_PORT=${HTTPD_PORT:-18088}
WRK_SECS=5
W=$(mktemp -d /tmp/vxe-trace-bench.XXXXXX)
SRV= # the wrapper (or lighttpd) of the running server, killed on exit
cleanup() {
	set +e
	if [[ -n $SRV ]]; then
		[[ -r $W/httpd/run/lighttpd.pid ]] && kill -KILL "$(cat "$W/httpd/run/lighttpd.pid")" 2>/dev/null
		kill -KILL "$SRV" 2>/dev/null
		wait "$SRV" 2>/dev/null || true
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for i in $(seq 1 24); do
	cat >"$W/m$i.c" <<C
#include <stdio.h>
#include <string.h>
#include "common.h"
int f$i(int x) { char b[64]; snprintf(b, sizeof b, "%d", x * $i); return (int)strlen(b) + COMMON; }
C
done
echo '#define COMMON 1' >"$W/common.h"
{
	echo '#include <stdio.h>'
	for i in $(seq 1 24); do echo "int f$i(int);"; done
	echo 'int main(void) { int s = 0;'
	for i in $(seq 1 24); do echo "s += f$i($i);"; done
	echo 'printf("%d\n", s); return 0; }'
} >"$W/main.c"
{
	printf 'OBJ = main.o'
	for i in $(seq 1 24); do printf ' m%d.o' "$i"; done
	printf '\nprog: $(OBJ)\n\tgcc -o $@ $(OBJ)\n%%.o: %%.c common.h\n\tgcc -O1 -c -o $@ $<\n'
	printf 'clean:\n\trm -f prog *.o\n'
} >"$W/Makefile"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() { # time_runs CMD...: median wall time of RUNS builds
	local t0 t1
	for _ in $(seq 1 "$RUNS"); do
		make -s -C "$W" clean >/dev/null
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		echo "$t1 - $t0" | bc -l
	done | median
}
plain=$(time_runs make -s -C "$W" prog)
traced=$(time_runs "$VXE" trace -- make -s -C "$W" prog)
stra=$(time_runs strace -f -o /dev/null make -s -C "$W" prog)
calls=$(make -s -C "$W" clean >/dev/null; "$VXE" trace -- make -s -C "$W" prog 2>/dev/null | sed -n 's/^;; \([0-9]*\) system calls.*/\1/p')
printf 'workload: make of 25 C files (%s system calls), median of %s runs\n' "$calls" "$RUNS"
printf '  unconfined      %.3f s\n' "$plain"
printf '  vxe trace       %.3f s  (%.2fx unconfined)\n' "$traced" "$(echo "$traced / $plain" | bc -l)"
printf '  strace -f       %.3f s  (%.2fx unconfined)\n' "$stra" "$(echo "$stra / $plain" | bc -l)"
printf 'trace speed-up over strace -f: %.2fx in wall time (target >= 3x)\n' "$(echo "$stra / $traced" | bc -l)"
# The compiler's own CPU time is the same under both; what tracing costs is
# the time added to the unconfined run.
if (($(echo "$traced > $plain" | bc -l))); then
	printf 'tracing overhead: strace -f adds %.3f s, vxe trace %.3f s: %.2fx less\n' \
		"$(echo "$stra - $plain" | bc -l)" "$(echo "$traced - $plain" | bc -l)" \
		"$(echo "($stra - $plain) / ($traced - $plain)" | bc -l)"
else
	printf 'tracing overhead: strace -f adds %.3f s, vxe trace none measurable\n' "$(echo "$stra - $plain" | bc -l)"
fi

# --- lighttpd under wrk -------------------------------------------------------
echo
have() { command -v "$1" >/dev/null 2>&1; }
if ! have lighttpd || ! have wrk || ! have curl; then
	echo "lighttpd workload skipped: lighttpd, wrk or curl not installed"
	exit 0
fi
[[ $HTTPD_PORT != 8088 ]] || { echo "HTTPD_PORT 8088 is the demo's: use another" >&2; exit 1; }
URL=http://127.0.0.1:$HTTPD_PORT/index.html
if curl -s -m 2 -o /dev/null "http://127.0.0.1:$HTTPD_PORT/"; then
	echo "lighttpd workload skipped: port $HTTPD_PORT is in use"
	exit 0
fi
# The site as bench/bench.sh sets it up in /run/vxe-bench-httpd, but in this
# run's own directory (a concurrent bench.sh keeps its files).
H=$W/httpd
mkdir -p "$H/htdocs" "$H/run/upload" "$H/log"
if [[ -r /srv/vxe-demo/htdocs/index.html ]]; then
	cp /srv/vxe-demo/htdocs/index.html "$H/htdocs/"
else
	cp "$ROOT/examples/demo/htdocs/index.html" "$H/htdocs/"
fi
sed -e "s|^server.port *=.*|server.port           = $HTTPD_PORT|" \
	-e "s|/srv/vxe-demo/htdocs|$H/htdocs|" \
	-e "s|/run/vxe-demo/lighttpd.pid|$H/run/lighttpd.pid|" \
	-e "s|/var/log/vxe-demo/|$H/log/|g" \
	-e "s|/run/vxe-demo/upload|$H/run/upload|" \
	-e '/mod_cgi/s/, "mod_cgi"//' -e '/^alias.url/d' -e '/^\$HTTP\["url"\]/,/^}/d' \
	"$ROOT/examples/demo/lighttpd.conf" >"$H/lighttpd.conf"
LIGHTTPD=$(command -v lighttpd)
lighttpd -tt -f "$H/lighttpd.conf" >/dev/null || { echo "lighttpd rejects $H/lighttpd.conf" >&2; exit 1; }

alive() { # PID: running (not gone, not a zombie)
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z ]]
}
REQS='' RPS=''
httpd_run() { # CONFIG: one server, one wrk run -> RPS, REQS
	local cfg=$1 out i errs
	rm -f "$H/run/lighttpd.pid"
	case $cfg in
	unconfined) "$LIGHTTPD" -D -f "$H/lighttpd.conf" 2>>"$W/httpd.err" & ;;
	trace) "$VXE" trace --force -o "$W/lighttpd.vxed" -- "$LIGHTTPD" -D -f "$H/lighttpd.conf" 2>>"$W/httpd.err" & ;;
	strace) strace -f -o /dev/null "$LIGHTTPD" -D -f "$H/lighttpd.conf" 2>>"$W/httpd.err" & ;;
	esac
	SRV=$!
	for i in $(seq 200); do # up to 10 s
		curl -s -m 1 -o /dev/null "$URL" && break
		alive "$SRV" || break
		sleep 0.05
	done
	curl -s -m 1 -f -o /dev/null "$URL" || {
		echo "lighttpd under $cfg did not come up:" >&2
		tail -5 "$W/httpd.err" >&2
		exit 1
	}
	out=$(timeout $((WRK_SECS + 20)) wrk -t2 -c16 -d"${WRK_SECS}s" "$URL") ||
		{ echo "wrk failed under $cfg" >&2; exit 1; }
	errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
	[[ -z $errs ]] || echo "  ($cfg: wrk reports $(tr -s ' \n' ' ' <<<"$errs" | sed 's/^ //; s/ $//'))"
	RPS=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	REQS=$(awk '/ requests in / {print $1}' <<<"$out")
	# Stop lighttpd itself (vxe trace then writes the VXED); bounded.
	if [[ -r $H/run/lighttpd.pid ]]; then
		kill -TERM "$(cat "$H/run/lighttpd.pid")" 2>/dev/null || true
	else
		kill -TERM "$SRV" 2>/dev/null || true
	fi
	for i in $(seq 100); do # up to 10 s
		alive "$SRV" || break
		sleep 0.1
	done
	if alive "$SRV"; then
		echo "  ($cfg: server did not stop in 10 s, killed)"
		if [[ -r $H/run/lighttpd.pid ]]; then kill -KILL "$(cat "$H/run/lighttpd.pid")" 2>/dev/null || true; fi
		kill -KILL "$SRV" 2>/dev/null || true
	fi
	wait "$SRV" 2>/dev/null || true
	SRV=
}
us_per() { echo "1000000 / $1" | bc -l; } # requests/s -> us per request

declare -A R # config -> requests/s samples
ratios='' oratios='' spr=''
for r in $(seq 1 "$HTTPD_REPS"); do
	# The three back to back in each repetition, so drift hits them alike;
	# ratios are the medians of the per-repetition ratios.
	httpd_run unconfined
	p=$RPS
	httpd_run trace
	t=$RPS
	calls=$(sed -n 's/^;; \([0-9]*\) system calls.*/\1/p' "$W/lighttpd.vxed" 2>/dev/null)
	[[ -n $calls ]] || { echo "vxe trace wrote no VXED for lighttpd" >&2; tail -5 "$W/httpd.err" >&2; exit 1; }
	spr+="$(echo "$calls / $REQS" | bc -l) "
	httpd_run strace
	s=$RPS
	R[unconfined]+="$p " R[trace]+="$t " R[strace]+="$s "
	ratios+="$(echo "$t / $s" | bc -l) "
	oratios+="$(echo "($(us_per "$s") - $(us_per "$p")) / ($(us_per "$t") - $(us_per "$p"))" | bc -l) "
	printf '  repetition %d: unconfined %.0f, vxe trace %.0f, strace -f %.0f requests/s\n' "$r" "$p" "$t" "$s"
done
med() { tr ' ' '\n' | grep -v '^$' | median; }
p=$(med <<<"${R[unconfined]}") t=$(med <<<"${R[trace]}") s=$(med <<<"${R[strace]}")
up=$(us_per "$p") ut=$(us_per "$t") us=$(us_per "$s")
printf 'workload: lighttpd, static %s (%s bytes) on 127.0.0.1:%s, wrk -t2 -c16 -d%ss, median of %s\n' \
	index.html "$(stat -c %s "$H/htdocs/index.html")" "$HTTPD_PORT" "$WRK_SECS" "$HTTPD_REPS"
printf '  unconfined      %8.0f requests/s  %6.1f us/request\n' "$p" "$up"
printf '  vxe trace       %8.0f requests/s  %6.1f us/request (+%.1f us, %.2fx unconfined throughput)\n' \
	"$t" "$ut" "$(echo "$ut - $up" | bc -l)" "$(echo "$t / $p" | bc -l)"
printf '  strace -f       %8.0f requests/s  %6.1f us/request (+%.1f us, %.2fx unconfined throughput)\n' \
	"$s" "$us" "$(echo "$us - $up" | bc -l)" "$(echo "$s / $p" | bc -l)"
printf '  system calls per request (counted by vxe trace): %.1f\n' "$(med <<<"$spr")"
printf 'trace speed-up over strace -f: %.2fx in requests/s (target >= 3x)\n' "$(med <<<"$ratios")"
printf 'tracing overhead per request: strace -f adds %.1f us, vxe trace %.1f us: %.2fx less\n' \
	"$(echo "$us - $up" | bc -l)" "$(echo "$ut - $up" | bc -l)" "$(med <<<"$oratios")"

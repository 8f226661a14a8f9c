#!/usr/bin/env bash
# Trace mode against strace -f on a real workload (SPEC §7: >= 3x faster).
# Not a test. Generates a small C project in a temporary directory and times
# `make clean all` (make, sh, gcc, cc1, as, ld: many processes and execs):
# unconfined, under `vxe trace`, and under `strace -f -o /dev/null`; prints
# the medians and the ratio strace / vxe trace.
#   bench/trace-bench.sh [VXE] [RUNS]     (default build/vxe, 5 runs)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VXE=${1:-$ROOT/build/vxe}
RUNS=${2:-5}
command -v strace >/dev/null || { echo "strace not installed" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc not installed" >&2; exit 1; }
[[ -x $VXE ]] || { echo "$VXE not built (make)" >&2; exit 1; }
W=$(mktemp -d /tmp/vxe-trace-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
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

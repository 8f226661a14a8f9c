#!/usr/bin/env bash
# vxe log (issue 3): the table (columns, alignment, escaping, suppressed
# counts), each filter, --json passing lines through byte for byte, -n,
# rotated logs read oldest first (gzip included), garbage lines reported and
# skipped with status 0, and --follow picking up appended lines and a
# rotation within a bounded time. No root needed: the logs are written by
# the real writer (test_logread --write) or crafted here.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -x $VXE ]] || skip_all "$VXE not built (make)"
WRITER=${WRITER:-$(dirname "$VXE")/tests/test_logread}
export TZ=UTC

rec() { # rec TIME VXED ACTION PID EXE SYSCALL ARGS [EXTRA]
	printf '{"v":1,"time":"%s","vxed":"%s","mode":"production","action":"%s","pid":%s,"exe":"%s","syscall":"%s","arch":"x86_64","args":{%s},"rule":"files"%s}\n' \
		"$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-}"
}
L=$T/vxe.log
{
	rec 2026-12-03T16:54:42.937Z lighttpd blocked 4242 /srv/cgi-bin/hostile.cgi openat \
		'"dirfd":"AT_FDCWD","path":"/etc/shadow","flags":"O_RDONLY","mode":"0"' ',"errno":"EACCES"'
	rec 2026-12-03T17:10:00.000Z lighttpd logged 4243 /usr/sbin/lighttpd connect \
		'"fd":3,"addr":"inet:10.0.0.1:25","addrlen":16'
	echo '{"v":1,"time":"2026-12-03T17:20:00.000Z","vxed":"lighttpd","action":"suppressed","count":1234,"syscalls":{"openat":1200,"getppid":34}}'
	rec 2026-12-04T09:00:00.000Z exim blocked 77 /usr/sbin/exim4 unlinkat \
		'"dirfd":"AT_FDCWD","path":"/var/spool/exim4/x","flags":0' ',"errno":"EPERM"'
	rec 2026-12-05T12:00:00.000Z exim logged 78 /opt/exim4 openat \
		'"dirfd":"AT_FDCWD","path":"/etc/aliases","flags":"O_RDONLY|O_CLOEXEC"'
} >"$L"

# --- the table ---------------------------------------------------------------------
"$VXE" log --file "$L" >"$T/out" 2>"$T/err"
check "table: status 0, nothing on stderr" test $? -eq 0 -a ! -s "$T/err"
check "table: header with the seven columns" \
	test "$(head -1 "$T/out" | tr -s ' ')" = "TIME VXED PID PROGRAM SYSCALL ARGUMENTS ACTION"
check "table: one line per record, and the header" test "$(wc -l <"$T/out")" -eq 6
row=$(sed -n 2p "$T/out" | tr -s ' ')
check "table: time (local), vxed, pid, program basename, syscall, path first + flags, action" \
	test "$row" = "2026-12-03 16:54:42 lighttpd 4242 hostile.cgi openat /etc/shadow O_RDONLY blocked EACCES"
[[ $row == "2026-12-03 16:54:42 lighttpd"* ]] || diag "row: $row"
check "table: socket address first, other arguments by name" \
	grep -q "inet:10.0.0.1:25 fd=3 addrlen=16 *logged$" "$T/out"
check "table: a suppressed record says how many events" \
	grep -q "lighttpd .*1234 events not logged (rate limit): openat 1200, getppid 34 *suppressed$" "$T/out"
aligned() { # in every record's line, column $1 starts where its header does
	awk -v h="$1" 'NR==1 { col = index($0, h); next }
		/suppressed$/ { next }
		{ if (substr($0, col - 2, 2) != "  " || substr($0, col, 1) == " ") bad = 1 }
		END { exit bad }' "$T/out"
}
check "table: columns aligned (SYSCALL)" aligned SYSCALL
check "table: columns aligned (ACTION)" aligned ACTION
"$VXE" log --file "$L" --utc | sed -n 2p | grep -q "^2026-12-03 16:54:42Z "
check "--utc: times in UTC, marked Z" test $? -eq 0
TZ=Asia/Tokyo "$VXE" log --file "$L" | sed -n 2p | grep -q "^2026-12-04 01:54:42 "
check "times follow TZ (Asia/Tokyo)" test $? -eq 0

# --- filters --------------------------------------------------------------------------
pids() { "$VXE" log --file "$L" --json "$@" 2>/dev/null | sed 's/.*"pid":\([0-9]*\).*/\1/; s/.*"count":\([0-9]*\).*/c\1/' | tr '\n' ' '; }
filt() { # filt WANT ARGS...
	local want=$1 got
	shift
	got=$(pids "$@")
	[[ $got == "$want" ]] || diag "$*: got '$got', want '$want'"
	[[ $got == "$want" ]]
}
check "--vxed" filt "77 78 " --vxed exim
check "--vxed keeps its suppressed counts" filt "4242 4243 c1234 " --vxed lighttpd
check "--vxed list" filt "4242 4243 c1234 77 78 " --vxed exim,lighttpd
check "--syscall" filt "4242 c1234 78 " --syscall openat
check "--syscall: suppressed counts of other syscalls left out" filt "4243 " --syscall connect
check "--action" filt "4242 c1234 77 " --action blocked
check "--action suppressed" filt "c1234 " --action suppressed
check "--program basename (suppressed counts kept)" filt "c1234 77 78 " --program exim4
check "--program path" filt "c1234 78 " --program /opt/exim4
check "--program basename matches any directory" filt "77 78 " --program exim4 --vxed exim --action blocked,logged
check "--since RFC 3339" filt "c1234 77 78 " --since 2026-12-03T17:10:00.001Z
check "--until is exclusive" filt "4242 " --until 2026-12-03T17:10:00Z
check "--since/--until dates (local midnight)" filt "77 " --since 2026-12-04 --until 2026-12-05
check "--since with an offset" filt "77 78 " --since 2026-12-04T09:00:00+00:00
check "filters combine" filt "78 " --vxed exim --syscall openat
check "-n: the last N matches" filt "77 78 " -n 2
check "-n 0" filt "" -n 0

# Relative times need records of now: the real writer's, and old ones.
W=$T/nasty.log
if [[ -x $WRITER ]] && "$WRITER" --write "$W"; then
	sed 's/"time":"2026-/"time":"2020-/' "$L" >>"$W"
	n_recent=$("$VXE" log --file "$W" --json --since 1h | wc -l)
	n_all=$("$VXE" log --file "$W" --json | wc -l)
	check "--since 1h: only the records written now ($n_recent of $n_all)" \
		test "$n_recent" -eq 13 -a "$n_all" -eq 18
	check "--until 10m: only the old ones" test "$("$VXE" log --file "$W" --json --until 10m | wc -l)" -eq 5

	# --json: byte for byte, the writer's hostile strings included.
	"$VXE" log --file "$W" --json >"$T/json" 2>"$T/err"
	check "--json: the lines exactly as in the file" cmp -s "$T/json" "$W"
	"$VXE" log --file "$W" --vxed nasty --action logged --json >"$T/json"
	grep '"vxed":"nasty"' "$W" | grep '"action":"logged"' >"$T/want"
	check "--json with filters: exactly the matching lines" cmp -s "$T/json" "$T/want"
	# The table never passes a raw control character to the terminal.
	"$VXE" log --file "$W" >"$T/out"
	check "table: hostile names escaped (no raw control characters)" \
		$PY -c "import sys; b=open('$T/out','rb').read(); sys.exit(1 if any(c<0x20 and c!=0x0a or c==0x7f for c in b) else 0)"
	check "table: newline, CR, ESC, DEL shown escaped" \
		grep -q 'a\\nb\\x0dc\\td\\x1b\[31mred\\x7f' "$T/out"
	check "table: invalid UTF-8 shown as \\xNN" grep -q '\\xff\\xfe invalid \\x80\\xbf' "$T/out"
	check "table: bidi override shown as \\u202e" grep -q 'bidi \\u202ecba' "$T/out"
	check "table: a NUL in a path shown as \\x00" grep -q 'nul\\x00in\\x00middle' "$T/out"
else
	skip "no $WRITER (make $WRITER): relative times, --json of the real writer's lines"
fi

# --- malformed lines ----------------------------------------------------------------------
G=$T/garbage.log
{
	echo 'not json'
	head -1 "$L"
	echo '{"v":1,"time":"2026-12-03T16:54:42.937Z","vxed":"x"'
	echo '{"v":2,"time":"2026-12-03T16:54:42.937Z","action":"blocked","syscall":"open"}'
	printf '{"v":1,"time":"\xff"}\n'
	echo ''
	echo '[]'
	echo '{"v":1}{"v":1}'
	tail -1 "$L"
	printf '{"v":1,"time":"2026-12-03T16:5' # cut short, no newline
} >"$G"
"$VXE" log --file "$G" --json >"$T/out" 2>"$T/err"
check "garbage: status 0" test $? -eq 0
check "garbage: the good records still shown" test "$(wc -l <"$T/out")" -eq 2
check "garbage: reported as LOG:LINE: skipped: reason" \
	grep -q "^$G:1: skipped: not a JSON object at column 1$" "$T/err"
check "garbage: the version named" grep -q "^$G:4: skipped: format version 2" "$T/err"
check "garbage: the first 5 one by one, then a count" \
	test "$(grep -c ': skipped: ' "$T/err")" -eq 5 -a \
	"$(grep -c '8 malformed lines skipped in all (the first 5 shown)' "$T/err")" -eq 1
[[ -s $T/err ]] && diag "$(cat "$T/err")"

# --- rotated logs ---------------------------------------------------------------------------
R=$T/rot
mkdir "$R"
for i in 1 2 3 4 5; do rec "2026-12-0${i}T00:00:00Z" r blocked "$i" /bin/x open '' >"$R/tmp.$i"; done
mv "$R/tmp.1" "$R/vxe.log.4"
mv "$R/tmp.2" "$R/vxe.log.3"
mv "$R/tmp.3" "$R/vxe.log.2"
mv "$R/tmp.4" "$R/vxe.log.1"
mv "$R/tmp.5" "$R/vxe.log"
echo 'junk' >"$R/vxe.log.old"
if command -v gzip >/dev/null; then
	gzip "$R/vxe.log.4" "$R/vxe.log.3"
	diag "vxe.log.4.gz and vxe.log.3.gz through gzip -dc"
fi
got=$("$VXE" log --file "$R/vxe.log" --json 2>"$T/err" | sed 's/.*"pid":\([0-9]*\).*/\1/' | tr '\n' ' ')
check "rotated: oldest first (.4.gz .3.gz .2 .1 live)" test "$got" = "1 2 3 4 5 "
check "rotated: other names ignored, nothing reported" test ! -s "$T/err"
got=$(VXE_LOG=$R/vxe.log "$VXE" log --json --no-rotated | sed 's/.*"pid":\([0-9]*\).*/\1/')
check "--no-rotated, and \$VXE_LOG as the default" test "$got" = 5
check "-n reaches into the rotations" test "$("$VXE" log --file "$R/vxe.log" -n 3 --json | wc -l)" -eq 3

# --- usage ----------------------------------------------------------------------------------------
"$VXE" log --help >"$T/out"
check "--help: status 0, the options" grep -q -- "--follow" "$T/out"
"$VXE" log --file "$L" --since yesterday-ish >/dev/null 2>"$T/err"
check "a bad TIME: status 125 and why" test $? -eq 125 -a -s "$T/err"
"$VXE" log --file "$T/none.log" >/dev/null 2>"$T/err"
check "a missing log: status 125, named" bash -c "test $? -eq 125 && grep -q none.log '$T/err'"

# --- terminal width ---------------------------------------------------------------------------------
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "stty cols 80; '$VXE' log --file '$L'" /dev/null </dev/null >"$T/tty" 2>&1
	check "a terminal: long fields cut with an ellipsis to its width" \
		$PY - "$T/tty" <<'PYEOF'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().replace("\r", "").splitlines()
rows = [l for l in lines if re.match(r"^(2026-)?12-0\d \d\d:", l)]
sys.exit(0 if len(rows) == 5 and all(len(l) <= 80 for l in lines) and any("\u2026" in l for l in rows) else 1)
PYEOF
else
	skip "script(1) cannot give a terminal here"
fi

# --- follow -------------------------------------------------------------------------------------------
F=$T/follow/vxe.log
mkdir "$T/follow"
head -1 "$L" >"$F"
wait_for() { # wait_for PATTERN: in the follow output (bounded: 30 s)
	local i
	for ((i = 0; i < 300; i++)); do
		grep -q "$1" "$T/fout" && return 0
		sleep 0.1
	done
	return 1
}
timeout -k 5 60 "$VXE" log --file "$F" --follow --json >"$T/fout" 2>"$T/ferr" &
fpid=$!
check "follow: the existing record first" wait_for '"pid":4242'
rec 2026-12-06T00:00:00Z f blocked 5001 /bin/f open '' >>"$F"
check "follow: an appended record" wait_for '"pid":5001'
printf '{"v":1,"time":"2026-12-06T00:00:01Z","vxed":"f","action":"blocked",' >>"$F"
sleep 1.2
printf '"pid":5002,"syscall":"open"}\n' >>"$F"
check "follow: a record written in two pieces read whole" wait_for '"pid":5002'
mv "$F" "$F.1"
rec 2026-12-06T00:00:02Z f blocked 5003 /bin/f open '' >>"$F.1" # late write to the old file
rec 2026-12-06T00:00:03Z f blocked 5004 /bin/f open '' >"$F"
check "follow: across rotation, the new file" wait_for '"pid":5004'
check "follow: the old file's last record not lost" grep -q '"pid":5003' "$T/fout"
: >"$F"
rec 2026-12-06T00:00:04Z f blocked 5005 /bin/f open '' >>"$F"
rec 2026-12-06T00:00:05Z f blocked 5006 /bin/f open '' >>"$F"
check "follow: after truncation, read from the start" wait_for '"pid":5006'
kill -INT "$fpid"
wait "$fpid"
frc=$?
check "follow: SIGINT stops it cleanly (status 0)" test "$frc" -eq 0
got=$(sed 's/.*"pid":\([0-9]*\).*/\1/' "$T/fout" | tr '\n' ' ')
check "follow: each record once, in order" test "$got" = "4242 5001 5002 5003 5004 5005 5006 "
[[ $got == "4242 5001 5002 5003 5004 5005 5006 " ]] || diag "got: $got"
check "follow: nothing on stderr" test ! -s "$T/ferr"
[[ -s $T/ferr ]] && diag "$(cat "$T/ferr")"

# Following a log that does not exist yet.
timeout -k 5 30 "$VXE" log --file "$T/later/vxe.log" --follow --json >"$T/fout" 2>"$T/ferr" &
fpid=$!
sleep 0.5
mkdir "$T/later"
rec 2026-12-07T00:00:00Z f blocked 6001 /bin/f open '' >"$T/later/vxe.log"
check "follow: a log created later is picked up" wait_for '"pid":6001'
kill -TERM "$fpid"
wait "$fpid"
check "follow: SIGTERM stops it cleanly too" test $? -eq 0

finish

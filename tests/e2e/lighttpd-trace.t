#!/usr/bin/env bash
# End-to-end, from trace to production: Debian's lighttpd with a Perl CGI,
# run as root the usual way (lighttpd -D -f CONF, in the foreground), with a
# site and a configuration of its own in a temporary directory, bound to
# 127.0.0.1 on a free port. Nothing of examples/lighttpd.vxed is used: the
# VXED is the one `vxe trace` writes.
#
#   trace       `vxe trace -o GEN -- lighttpd -D -f CONF` while curl fetches
#               the static pages (text, UTF-8, binary, > 1 MB, /, a 404) and
#               the Perl CGI (GET and POST, five times); SIGINT ends it and
#               writes the VXED, which `vxe check` accepts. It must not name
#               a shell, permit any connect, or let lighttpd write the site.
#   production  the same traffic under GEN: every reply byte for byte, no
#               violation. Then a new CGI that GEN never saw is refused, and
#               the refusal is logged.
#   new         the new CGI (it lists a directory and reads a file no traced
#               request read) in soft mode: it answers, and the log has its
#               records; `vxe upgrade --accept-all` from that log; production
#               serves the old pages and the new CGI with no violation.
#   hostile     the core issue's hostile actions (build/helpers/hostile):
#               under the VXED as traced, run directly (daemons-lib.sh
#               hostile_checks), and as an exploited CGI of this lighttpd
#               under the upgraded VXED: the VXED itself refuses to execute
#               the unknown CGI (checked first), then a copy that adds only
#               its execute rule; each attack is stopped and logged
#               "blocked", nothing it tried remains, lighttpd keeps serving.
#
# Traffic that a trace of a few seconds would otherwise see only by chance is
# made deterministic: every server run lasts at least MIN_UP seconds
# (lighttpd's first timer tick), and one CGI request works on after its
# reply (lighttpd's kill of the CGI). Calls lighttpd's C library makes on
# timers (malloc_trim's madvise every 64 s) are granted by `vxe trace`
# whether seen or not.
#
# TAP on stdout. Root only; everything on 127.0.0.1.
# VXE_E2E_KEEP=1 keeps the temporary directories (VXEDs, logs, site in /tmp;
# lighttpd's pid file and logs in /run).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VXE=${VXE:-$ROOT/build/vxe}
LOGPY=$ROOT/tests/e2e/vxelog.py
LIGHTTPD=/usr/sbin/lighttpd
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
# shellcheck source=tests/e2e/daemons-lib.sh
. "$ROOT/tests/e2e/daemons-lib.sh"

[[ $(id -u) -eq 0 ]] || skip_all "needs root (runs lighttpd as root under vxe)"
[[ -x $LIGHTTPD ]] || skip_all "lighttpd not installed (scripts/install-deps.sh)"
for t in curl perl "$PY" cmp; do
	command -v "$t" >/dev/null || skip_all "$t not installed (scripts/install-deps.sh)"
done
[[ -x $VXE ]] || skip_all "$VXE not built (make)"

TMP=$(mktemp -d /tmp/vxe-e2e-lighttpd-trace.XXXXXX)
chmod 755 "$TMP"
SITE=$TMP/site
CONF=$SITE/lighttpd.conf
# What lighttpd writes (pid file, its logs, uploads) lives outside /tmp, as
# /run and /var/log would on a real host: trace grants write on all of /tmp
# for files under it ("temporary files", doc/trace.md), which would let the
# daemon write over its own CGIs.
STATE=$(mktemp -d /run/vxe-e2e-lighttpd-trace.XXXXXX)
chmod 755 "$STATE"
PIDFILE=$STATE/run/lighttpd.pid
server_pid=
cleanup() {
	stop_pid "$server_pid"
	# A lighttpd that outlived its vxe must not outlive the test.
	local lp
	lp=$(cat "$PIDFILE" 2>/dev/null)
	[[ $lp =~ ^[0-9]+$ && $(cat /proc/"$lp"/comm 2>/dev/null) == lighttpd ]] && kill -KILL "$lp"
	stop_pid "$listener_pid"
	mountpoint -q "$TMP/mnt" 2>/dev/null && umount -l "$TMP/mnt"
	rm -f /etc/vxe-hostile-test
	if [[ -n ${VXE_E2E_KEEP:-} ]]; then
		echo "# kept $TMP and $STATE"
	else
		rm -rf "$TMP" "$STATE"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the site --------------------------------------------------------------
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; }

make_site() {
	umask 022
	mkdir -p "$SITE"/{htdocs,cgi-bin,data,catalog} "$STATE"/{run,log,upload} || return 1
	cp "$ROOT"/examples/demo/htdocs/*.html "$SITE/htdocs/" || return 1
	printf 'Grüße, Καλημέρα, こんにちは — UTF-8 text\n' >"$SITE/htdocs/notes.txt"
	"$PY" - "$SITE/htdocs" <<'EOF' || return 1
import random, sys
d = sys.argv[1]
rnd = random.Random(20261203)
with open(d + "/random.bin", "wb") as f:  # every byte value, NULs and CRLFs
    f.write(bytes(rnd.getrandbits(8) for _ in range(128 * 1024)))
rows = "".join("<tr><td>%d</td><td>%d</td></tr>\n" % (i, i * i) for i in range(40000))
with open(d + "/big.html", "w") as f:  # > 1 MB: sent in several chunks
    f.write("<!DOCTYPE html>\n<html><body><table>\n%s</table></body></html>\n" % rows)
EOF
	echo "hello from the data file" >"$SITE/data/greeting.txt"
	# The traced CGI: reads its data file, its query and (POST) its body.
	cat >"$SITE/cgi-bin/hello.cgi" <<EOF
#!/usr/bin/perl
use strict;
use warnings;
my \$query = \$ENV{QUERY_STRING} // '';
my %param = map { my (\$k, \$v) = split /=/, \$_, 2; (\$k, \$v // '') } grep { length } split /&/, \$query;
my \$name = \$param{name} // 'world';
\$name =~ s/[^A-Za-z0-9 _.-]//g;
open(my \$fh, '<', '$SITE/data/greeting.txt') or die "greeting.txt: \$!";
my \$greeting = <\$fh>;
chomp \$greeting;
my \$method = \$ENV{REQUEST_METHOD} // '?';
my \$body = '';
read(STDIN, \$body, \$ENV{CONTENT_LENGTH}) if \$method eq 'POST';
print "Content-Type: text/plain; charset=utf-8\r\n\r\n";
print "\$greeting, \$name\n";
print "query: \$query\n";
print "method: \$method\n";
print "body: \$body\n" if \$method eq 'POST';
print "port: ", (\$ENV{SERVER_PORT} // '?'), "\n";
print "uid: \$<\n";
print "sum 1..100: ", eval { my \$s = 0; \$s += \$_ for 1 .. 100; \$s }, "\n";
# linger=1: work on after the reply (lighttpd then sends the CGI a SIGTERM);
# computing only, so that no system call depends on when the signal lands.
if (\$param{linger}) { close STDOUT; my \$x = 0; \$x += \$_ for 1 .. 10_000_000; }
EOF
	# The new CGI (installed later): lists a directory, reads a file there.
	cat >"$TMP/list.cgi" <<EOF
#!/usr/bin/perl
use strict;
use warnings;
my \$dir = '$SITE/catalog';
opendir(my \$dh, \$dir) or die "\$dir: \$!";
my @names = sort grep { !/^\\./ } readdir \$dh;
closedir \$dh;
print "Content-Type: text/plain; charset=utf-8\r\n\r\n";
print "catalog: ", scalar(@names), " entries\n";
print "\$_ ", -s "\$dir/\$_", "\n" for @names;
open(my \$fh, '<', "\$dir/README") or die "README: \$!";
print "--\n", <\$fh>;
EOF
	chmod 755 "$SITE/cgi-bin/hello.cgi" "$TMP/list.cgi"
	printf 'The catalog of the VXE trace test.\nTwo fruits.\n' >"$SITE/catalog/README"
	echo "green, sour" >"$SITE/catalog/apples.txt"
	echo "yellow, sweet, soft" >"$SITE/catalog/pears.txt"
	cat >"$CONF" <<EOF
# lighttpd for tests/e2e/lighttpd-trace.t: root, no server.username, 127.0.0.1 only.
server.modules        = ( "mod_access", "mod_alias", "mod_accesslog", "mod_cgi" )
server.bind           = "127.0.0.1"
server.port           = $PORT
server.document-root  = "$SITE/htdocs"
server.pid-file       = "$PIDFILE"
server.errorlog       = "$STATE/log/error.log"
accesslog.filename    = "$STATE/log/access.log"
server.upload-dirs    = ( "$STATE/upload" )
server.max-worker     = 0
index-file.names      = ( "index.html" )
mimetype.assign = (
  ".html" => "text/html; charset=utf-8",
  ".txt"  => "text/plain; charset=utf-8",
  ".bin"  => "application/octet-stream",
  ""      => "application/octet-stream",
)
alias.url = ( "/cgi-bin/" => "$SITE/cgi-bin/" )
\$HTTP["url"] =~ "^/cgi-bin/" {
  cgi.assign = ( ".cgi" => "" )
}
EOF
	"$LIGHTTPD" -tt -f "$CONF" >/dev/null
}

# --- the server ------------------------------------------------------------
start_server() { # start_server LABEL CMD...: sets server_pid
	local label=$1
	shift
	rm -f "$PIDFILE"
	server_start=$(date +%s%N)
	"$@" >"$TMP/server-$label.out" 2>&1 &
	server_pid=$!
	if wait_for 100 port_open; then
		pass "$label: lighttpd listens on 127.0.0.1:$PORT"
		return 0
	fi
	fail "$label: lighttpd listens on 127.0.0.1:$PORT"
	diag "$(head -c 2000 "$TMP/server-$label.out")"
	diag "$(tail -c 1000 "$STATE/log/error.log" 2>/dev/null)"
	stop_pid "$server_pid"
	server_pid=
	return 1
}

stop_server() { # stop_server LABEL SIG: bounded wait; vxe exits with lighttpd's status
	local label=$1 sig=$2 status=timeout
	kill -"$sig" "$server_pid" 2>/dev/null
	if wait_for 150 bash -c "! kill -0 $server_pid 2>/dev/null"; then
		wait "$server_pid"
		status=$?
	else
		stop_pid "$server_pid"
	fi
	server_pid=
	check "$label: SIG$sig stops it, exit status 0 (got $status)" test "$status" = 0
	wait_for 50 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null"
}

# lighttpd's own housekeeping runs about 1 s after it starts, then every
# 30 s or so (on Debian's 1.4.69 that includes a sysinfo call). A trace (or a
# production run) shorter than that never sees it; so each lasts at least
# MIN_UP seconds, as a real trace of a daemon would.
MIN_UP=3
server_start=
up_for_min() { # up_for_min: wait until the server has run MIN_UP s
	local ms=$((($(date +%s%N) - server_start) / 1000000))
	((ms < MIN_UP * 1000)) && sleep "$(printf '%d.%03d' $(((MIN_UP * 1000 - ms) / 1000)) $(((MIN_UP * 1000 - ms) % 1000)))"
	return 0
}

confined_check() { # confined_check LABEL: lighttpd itself runs under a seccomp filter
	local lpid sc
	wait_for 50 test -s "$PIDFILE"
	lpid=$(cat "$PIDFILE" 2>/dev/null)
	sc=$(awk '/^Seccomp:/ {print $2}' /proc/"${lpid:-0}"/status 2>/dev/null)
	check "$1: lighttpd (pid ${lpid:-?}) runs under a seccomp filter" test "$sc" = 2
}

# --- the client ------------------------------------------------------------
fetch() { # fetch PATH OUT [CURL ARGS...]: prints the HTTP status
	local p=$1 out=$2
	shift 2
	rm -f "$out"
	curl -s --max-time 20 -o "$out" -w '%{http_code}' "$@" "$BASE$p" 2>/dev/null || true
}

reply_is() { # reply_is DESC CODE GOT WANT: status 200 and the body byte for byte
	if [[ $2 == 200 ]] && cmp -s "$3" "$4"; then
		pass "$1 ($(stat -c %s "$3") bytes)"
	else
		fail "$1"
		diag "status $2, $(stat -c %s "$3" 2>/dev/null || echo 0) bytes of $(stat -c %s "$4")"
		[[ -s $3 ]] && diag "got: $(head -c 400 "$3")"
	fi
}

hello_want() { # hello_want NAME QUERY METHOD [BODY]: the CGI's exact reply
	printf 'hello from the data file, %s\nquery: %s\nmethod: %s\n' "$1" "$2" "$3"
	[[ $3 == POST ]] && printf 'body: %s\n' "$4"
	printf 'port: %s\nuid: 0\nsum 1..100: 5050\n' "$PORT"
}

list_want() {
	printf 'catalog: 3 entries\nREADME %s\napples.txt %s\npears.txt %s\n--\n' \
		"$(stat -c %s "$SITE/catalog/README")" "$(stat -c %s "$SITE/catalog/apples.txt")" \
		"$(stat -c %s "$SITE/catalog/pears.txt")"
	cat "$SITE/catalog/README"
}

# traffic LABEL: the static pages byte for byte, /, a 404, the CGI 4 times
# by GET and once by POST. One GET has the CGI work on after its reply:
# lighttpd then kill()s it with SIGTERM. For a CGI that exits at once that is
# a race (lighttpd kills it when the reply ends before it has reaped it: about
# half of the requests), which a trace of a few requests may never see.
traffic() {
	local label=$1 f code name
	for f in "$SITE"/htdocs/*; do
		f=${f##*/}
		code=$(fetch "/$f" "$TMP/got")
		reply_is "$label: /$f byte for byte" "$code" "$TMP/got" "$SITE/htdocs/$f"
	done
	code=$(fetch / "$TMP/got")
	reply_is "$label: / gives index.html" "$code" "$TMP/got" "$SITE/htdocs/index.html"
	code=$(fetch /no-such-page.html "$TMP/got")
	check "$label: a missing page is 404 (got $code)" test "$code" = 404
	for name in alice bob carol; do
		hello_want "$name" "name=$name&n=1" GET >"$TMP/want"
		code=$(fetch "/cgi-bin/hello.cgi?name=$name&n=1" "$TMP/got")
		reply_is "$label: the Perl CGI, GET name=$name" "$code" "$TMP/got" "$TMP/want"
	done
	hello_want erin "name=erin&linger=1" GET >"$TMP/want"
	code=$(fetch "/cgi-bin/hello.cgi?name=erin&linger=1" "$TMP/got")
	reply_is "$label: the Perl CGI, GET name=erin, working on after its reply" "$code" "$TMP/got" "$TMP/want"
	hello_want dave "name=dave" POST "posted=yes&x=42" >"$TMP/want"
	code=$(fetch "/cgi-bin/hello.cgi?name=dave" "$TMP/got" --data-binary "posted=yes&x=42")
	reply_is "$label: the Perl CGI, POST" "$code" "$TMP/got" "$TMP/want"
}

new_traffic() { # new_traffic LABEL: the new CGI, twice
	local label=$1 code i
	list_want >"$TMP/want"
	for i in 1 2; do
		code=$(fetch "/cgi-bin/list.cgi?i=$i" "$TMP/got")
		reply_is "$label: the new CGI list.cgi ($i)" "$code" "$TMP/got" "$TMP/want"
	done
}

run_server() { # run_server LABEL MODE VXED: lighttpd under VXED, its log $TMP/LABEL.log
	: >"$TMP/$1.log"
	start_server "$1" "$VXE" run --mode "$2" --log "$TMP/$1.log" "$3" "$LIGHTTPD" -D -f "$CONF"
}

# no_write_on_site LABEL VXED: no write rule covers the site or a part of it
# (its CGIs, pages, data).
no_write_on_site() {
	local out bad
	if ! out=$("$VXE" trace --print "$2" 2>&1); then
		fail "$1: vxe trace --print loads it"
		diag "$out"
		return
	fi
	bad=$("$PY" -c '
import re, sys
site, text = sys.argv[1], sys.stdin.read()
for block in re.findall(r"\(write((?:\s+\"[^\"]*\")+)\s*\)", text):
    for p in re.findall(r"\"([^\"]*)\"", block):
        q = p.rstrip("/")
        if site == q or site.startswith(q + "/") or q.startswith(site + "/"):
            print(p)
' "$SITE" <<<"$out")
	check "$1: no write rule covers the site or a part of it${bad:+ (has: $bad)}" test -z "$bad"
}

log_lines() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }

# --- the hostile CGI, through lighttpd ---------------------------------------
# What root gets without VXE, too: a bogus module image, a kexec without a
# file and TIOCSTI without a terminal fail ("failed"); stopped all the same.
CGI_ATTACKS=("${HOSTILE_ATTACKS[@]}" int80open tiocsti)
cgi_attack() { # cgi_attack LABEL LOG NAME EXTRA_QUERY
	local label=$1 log=$2 a=$3 extra=$4 reply since verdict err pids
	since=$(log_lines "$log")
	if ! attack_reply "$BASE/cgi-bin/hostile.cgi?attack=$a$extra" "$a"; then
		fail "$label: attack $a answers"
		diag "reply: ${reply:-(empty)}"
		return
	fi
	if [[ $verdict == SUCCEEDED ]]; then
		fail "$label: attack $a is stopped"
		diag "reply: $reply"
	else
		pass "$label: attack $a is stopped ($verdict, $err)"
	fi
	local errno_opt=(--errno "$err") out ok=1
	[[ $verdict == failed ]] && errno_opt=()
	for _ in $(seq 20); do # the record may land just after the reply
		if out=$("$PY" "$LOGPY" expect "$log" "$a" --action blocked --mode production \
			--pids "$pids" --since "$since" "${errno_opt[@]}"); then
			ok=0
			break
		fi
		sleep 0.1
	done
	if ((ok == 0)); then
		pass "$label: attack $a is in the log (blocked)"
	else
		fail "$label: attack $a is in the log (blocked)"
		diag "reply: $reply"
		echo "$out"
	fi
}

cgi_hostile() { # cgi_hostile LABEL VXED
	local label=$1 vxed=$2 helper=$ROOT/build/helpers/hostile
	local copy=$TMP/$label.vxed log=$TMP/$label.log code out
	if [[ ! -x $helper ]]; then
		skip "$label: hostile CGI ($helper not built: make)"
		return
	fi
	install -m 755 "$helper" "$SITE/cgi-bin/hostile.cgi"
	# 1. The VXED as it is: lighttpd cannot even execute the unknown CGI.
	if run_server "$label-refused" production "$vxed"; then
		code=$(fetch "/cgi-bin/hostile.cgi?attack=shadow" "$TMP/got")
		if [[ $code != 200 ]] && ! grep -q '^attack' "$TMP/got" 2>/dev/null; then
			pass "$label: the VXED itself refuses to execute a CGI it never saw (HTTP $code)"
		else
			fail "$label: the VXED itself refuses to execute a CGI it never saw (HTTP $code)"
			diag "got: $(head -c 400 "$TMP/got")"
		fi
		local c
		wait_for 20 bash -c "grep -q 'hostile.cgi' '$TMP/$label-refused.log'"
		c=$(log_count "$TMP/$label-refused.log" 'r["action"] == "blocked" and r["syscall"] in ("execve", "execveat") and "/cgi-bin/hostile.cgi" in json.dumps(r["args"])')
		check "$label: the refused execve of hostile.cgi is logged blocked ($c)" test "$c" -ge 1
		[[ $c -ge 1 ]] || log_table "$TMP/$label-refused.log"
		code=$(fetch "/cgi-bin/hello.cgi?name=alice&n=1" "$TMP/got")
		hello_want alice "name=alice&n=1" GET >"$TMP/want"
		reply_is "$label: lighttpd still serves the Perl CGI" "$code" "$TMP/got" "$TMP/want"
		stop_server "$label-refused" TERM
	fi
	# 2. A copy that adds only the CGI's execute rule.
	with_exec_rule "$vxed" "$SITE/cgi-bin/hostile.cgi" "$copy" || return
	run_server "$label" production "$copy" || return
	confined_check "$label"
	local lpid
	lpid=$(cat "$PIDFILE" 2>/dev/null)
	mkdir -p "$TMP/mnt"
	start_listener
	local a extra
	for a in "${CGI_ATTACKS[@]}"; do
		extra=
		[[ $a == connect ]] && extra="&port=$lport"
		[[ $a == mount ]] && extra="&dir=$TMP/mnt"
		# The daemon itself is the target (the default, getppid(), is a call
		# the VXED need not permit: the attack would aim at pid -1).
		[[ $a == ptrace || $a == procmem ]] && extra="&pid=$lpid"
		cgi_attack "$label" "$log" "$a" "$extra"
	done
	check "$label: the listener got no connection" test ! -s "$TMP/listener.got"
	check "$label: /etc/vxe-hostile-test does not remain" test ! -e /etc/vxe-hostile-test
	check "$label: nothing stays mounted on $TMP/mnt" bash -c "! mountpoint -q '$TMP/mnt'"
	stop_pid "$listener_pid"
	listener_pid=
	code=$(fetch /index.html "$TMP/got")
	reply_is "$label: lighttpd still serves after the attacks" "$code" "$TMP/got" "$SITE/htdocs/index.html"
	list_want >"$TMP/want"
	code=$(fetch /cgi-bin/list.cgi "$TMP/got")
	reply_is "$label: and the new CGI" "$code" "$TMP/got" "$TMP/want"
	check "$label: it is the same lighttpd process (${lpid:-?})" test "$(cat "$PIDFILE" 2>/dev/null)" = "$lpid"
	if out=$("$PY" "$LOGPY" validate "$log"); then
		pass "$label: every log line is a v1 JSON record ($(log_lines "$log") lines)"
	else
		fail "$label: every log line is a v1 JSON record"
		diag "$out"
	fi
	stop_server "$label" TERM
	rm -f "$SITE/cgi-bin/hostile.cgi"
}

# --- main ------------------------------------------------------------------
if port_open; then
	fail "port $PORT is free"
	echo "1..$n"
	exit 1
fi
if ! out=$(make_site 2>&1); then
	fail "site set up in $SITE"
	diag "$out"
	echo "1..$n"
	exit 1
fi
pass "site set up in $SITE, port $PORT"
GEN=$TMP/lighttpd.vxed

# 1. Trace.
echo "# ---- trace ----"
if start_server trace "$VXE" trace -o "$GEN" -- "$LIGHTTPD" -D -f "$CONF"; then
	traffic trace
	up_for_min
	stop_server trace INT
fi
if [[ -s $GEN ]] && out=$("$VXE" check "$GEN" 2>&1); then
	pass "trace: the VXED is written and vxe check accepts it ($(grep -c . "$GEN") lines)"
else
	fail "trace: the VXED is written and vxe check accepts it"
	diag "${out:-}"
	diag "$(head -c 2000 "$TMP/server-trace.out")"
	echo "1..$n"
	exit 1
fi
check "trace: it is named lighttpd and activates on $LIGHTTPD" \
	grep -q "^(vxed \"lighttpd\" .*" "$GEN"
check "trace: lighttpd may bind port $PORT" grep -q "(bind tcp $PORT)" "$GEN"
check "trace: the traced CGI may be executed" grep -qF "\"$SITE/cgi-bin/hello.cgi\"" "$GEN"
check "trace: the new CGI is not in it yet" bash -c "! grep -q 'list.cgi\|/catalog' '$GEN'"
vxed_static_checks trace "$GEN"
no_write_on_site trace "$GEN"
if [[ -s $TMP/server-trace.out ]]; then
	diag "trace: output of vxe trace: $(head -c 1500 "$TMP/server-trace.out")"
fi
TRACED=$TMP/lighttpd.traced.vxed
cp "$GEN" "$TRACED"

# 2. Production under the VXED as traced, the same traffic.
echo "# ---- production ----"
if run_server production production "$GEN"; then
	confined_check production
	traffic production
	up_for_min
	no_violations production "$TMP/production.log"
	# Something it never saw: the new CGI is refused, and that is logged.
	install -m 755 "$TMP/list.cgi" "$SITE/cgi-bin/list.cgi"
	since=$(log_lines "$TMP/production.log")
	code=$(fetch /cgi-bin/list.cgi "$TMP/got")
	if [[ $code != 200 ]] && ! grep -q '^catalog' "$TMP/got" 2>/dev/null; then
		pass "production: the new CGI is refused before the upgrade (HTTP $code)"
	else
		fail "production: the new CGI is refused before the upgrade (HTTP $code)"
		diag "got: $(head -c 400 "$TMP/got")"
	fi
	wait_for 20 bash -c "grep -q 'list.cgi' '$TMP/production.log'"
	c=$(log_count "$TMP/production.log" 'r["action"] == "blocked" and "/cgi-bin/list.cgi" in json.dumps(r["args"])')
	check "production: its refusal is logged blocked ($c records)" test "$c" -ge 1
	[[ $c -ge 1 ]] || log_table "$TMP/production.log"
	stop_server production TERM
fi

# 3. The new CGI in soft mode; upgrade from that log; production again.
echo "# ---- soft: a new CGI ----"
install -m 755 "$TMP/list.cgi" "$SITE/cgi-bin/list.cgi"
if run_server soft soft "$GEN"; then
	new_traffic soft
	stop_server soft TERM
fi
c=$(log_count "$TMP/soft.log" 'r["action"] == "logged" and r["syscall"] in ("execve", "execveat") and "/cgi-bin/list.cgi" in json.dumps(r["args"])')
check "soft: executing list.cgi is logged ($c records)" test "$c" -ge 1
c=$(log_count "$TMP/soft.log" "r[\"action\"] == \"logged\" and \"$SITE/catalog\" in json.dumps(r[\"args\"])")
check "soft: reading $SITE/catalog is logged ($c records)" test "$c" -ge 1
c=$(log_count "$TMP/soft.log" 'r["action"] != "logged" or r["mode"] != "soft"')
check "soft: every record is \"logged\" in mode soft ($c others)" test "$c" = 0
log_table "$TMP/soft.log" 12
upgrade_all "$GEN" "$TMP/soft.log"
check "upgrade: the previous version is kept" bash -c "ls '$GEN'.[0-9]* >/dev/null 2>&1"
check "upgrade: the new VXED loads" bash -c "'$VXE' check '$GEN' >/dev/null 2>&1"
check "upgrade: it grants executing list.cgi" grep -qF "\"$SITE/cgi-bin/list.cgi\"" "$GEN"

echo "# ---- production after the upgrade ----"
if run_server upgraded production "$GEN"; then
	confined_check upgraded
	traffic upgraded
	new_traffic upgraded
	up_for_min
	no_violations "production after the upgrade" "$TMP/upgraded.log"
	stop_server upgraded TERM
fi
vxed_static_checks upgraded "$GEN"
no_write_on_site upgraded "$GEN"

# 4. Hostile actions.
echo "# ---- hostile, under the VXED as traced ----"
hostile_checks traced "$TRACED"
echo "# ---- hostile CGI, under the upgraded VXED ----"
cgi_hostile hostile-cgi "$GEN"
[[ -n ${VXE_E2E_SAVE:-} ]] && cp "$GEN" "$VXE_E2E_SAVE"

echo "1..$n"
((failures == 0))

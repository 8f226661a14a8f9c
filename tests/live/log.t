#!/usr/bin/env bash
# The violation log (SPEC 5.8, §6): every line valid JSON with no raw control
# characters whatever the program names (newline, escape, invalid UTF-8 in a
# path), the original bytes recoverable; a flood is rate-limited with an
# exact count: records written + suppressed counts = violations, and vxe
# neither hangs nor loses the program's exit status.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_live

policy "$T/strict.vxed" strict

# --- hostile names ----------------------------------------------------------------
evil=$'\n{"v":1,"action":"allowed"}\x1b[31m\xff\xfe\x01\x7f'
mkdir -p "$T/d"
evilpath="$T/d/x${evil}y"
printf 'x' >"$evilpath"
for mode in production soft; do
	run $mode "$T/strict.vxed" open "$evilpath" r
	case $mode in
	production) check "$mode: opening the hostile name refused" res_is open errno=EACCES ;;
	soft) check "$mode: opening the hostile name performed" res_is open ok ;;
	esac
	check "$mode: exactly one record" test "$(wc -l <"$T/log")" -eq 1
	check "$mode: no raw control characters in the log" \
		$PY -c "import sys; b=open('$T/log','rb').read(); sys.exit(1 if any(c<0x20 and c!=0x0a or c==0x7f for c in b) else 0)"
	check "$mode: the log is valid UTF-8" $PY -c "open('$T/log','rb').read().decode('utf-8')"
	check "$mode: the path decodes (surrogateescape) to the original bytes" \
		$PY - "$T/log" "$evilpath" <<'PYEOF'
import json, os, sys
rec = json.loads(open(sys.argv[1], "rb").readline())
want = os.fsencode(sys.argv[2])
got = rec["args"]["path"].encode("utf-8", "surrogateescape")
sys.exit(0 if got == want else 1)
PYEOF
	check "$mode: the forged action inside the name is not a record" lognone action=allowed
done

# A hostile argument that is not a path: the exe name in the record.
cp "$PROBE" "$T/w/pro"$'\x1b'"be"
sed "s|$PROBE|$T/w|" "$T/strict.vxed" >"$T/evilexe.vxed"
: >"$T/log"
timeout 30 "$VXE" run --log "$T/log" -q "$T/evilexe.vxed" "$T/w/pro"$'\x1b'"be" unshare_user >"$T/out" 2>&1
check "hostile exe name: refused" res_is unshare_user errno=EPERM
check "hostile exe name: no raw control characters" \
	$PY -c "import sys; b=open('$T/log','rb').read(); sys.exit(1 if not b or any(c<0x20 and c!=0x0a for c in b) else 0)"
check "hostile exe name: exe recorded" logq exe="$T/w/pro"$'\x1b'"be"

# --- flood ----------------------------------------------------------------------------
N=100000
start=$(date +%s)
: >"$T/log"
timeout -k 5 300 "$VXE" run --mode soft --log "$T/log" -q "$T/strict.vxed" "$PROBE" getppid $N >"$T/out" 2>"$T/err" </dev/null
rc=$?
secs=$(($(date +%s) - start))
diag "flood: $N notified calls in ${secs}s, status $rc, $(wc -l <"$T/log") log lines"
check "flood: vxe finished, status 0 (no hang)" test "$rc" -eq 0
check "flood: every call performed" res_is getppid ok
check "flood: none failed" bash -c "[[ '$(result getppid)' == *' fails=0' ]]"
check "flood: the log is rate-limited (far fewer than $N lines)" test "$(wc -l <"$T/log")" -lt $((N / 10))
check "flood: written + suppressed = $N exactly" $PY - "$T/log" $N <<'PYEOF'
import json, sys
written = suppressed = 0
for line in open(sys.argv[1], "rb"):
    r = json.loads(line)
    if r.get("action") == "suppressed":
        suppressed += int(r["count"])
    elif r.get("syscall") == "getppid":
        written += 1
want = int(sys.argv[2])
print(f"# written {written} + suppressed {suppressed} = {written + suppressed} (want {want})")
sys.exit(0 if written + suppressed == want else 1)
PYEOF

# Production flood: every call refused, every one counted.
: >"$T/log"
timeout -k 5 300 "$VXE" run --mode production --log "$T/log" -q "$T/strict.vxed" "$PROBE" getppid 20000 >"$T/out" 2>"$T/err" </dev/null
rc=$?
check "production flood: status 0" test "$rc" -eq 0
check "production flood: every call failed" bash -c "[[ '$(result getppid)' == *' fails=20000' ]]"
check "production flood: written + suppressed = 20000" $PY - "$T/log" 20000 <<'PYEOF'
import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    r = json.loads(line)
    n += int(r["count"]) if r.get("action") == "suppressed" else (r.get("syscall") == "getppid")
print(f"# counted {n}")
sys.exit(0 if n == int(sys.argv[2]) else 1)
PYEOF

finish

#!/usr/bin/env bash
# Set up the VXE demo site that scripts/demo.sh and tests/e2e/lighttpd.t serve
# with a confined lighttpd:
#
#   /srv/vxe-demo/lighttpd.conf   from examples/demo/lighttpd.conf
#   /srv/vxe-demo/htdocs/         static pages, a PNG, 256 KiB of binary data,
#                                 a page of more than 1 MB
#   /srv/vxe-demo/cgi-bin/        hello.cgi (Perl) and hostile.cgi
#                                 (build/helpers/hostile: an "exploited" CGI)
#   /run/vxe-demo/                pid file, upload dir
#   /var/log/vxe-demo/            lighttpd's own logs
#
# usage: scripts/demo-site.sh [--verify] [PORT]    (as root; PORT default 8088)
#   --verify  afterwards start lighttpd *unconfined* for a moment and fetch a
#             page and the Perl CGI: checks the site, not VXE.
# examples/lighttpd.vxed allows binding 8088 only: another port needs a VXED
# with a matching (network (bind tcp PORT)).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SITE=/srv/vxe-demo
verify=
port=8088
for arg in "$@"; do
	case $arg in
	--verify) verify=1 ;;
	[0-9]*) port=$arg ;;
	*)
		echo "usage: $0 [--verify] [PORT]" >&2
		exit 2
		;;
	esac
done

die() {
	echo "demo-site.sh: $*" >&2
	exit 1
}
[[ $(id -u) -eq 0 ]] || die "must run as root (it writes /srv, /run and /var/log)"
hostile=${HOSTILE:-$ROOT/build/helpers/hostile}
if [[ ! -x $hostile ]]; then
	make -s -C "$ROOT" build/helpers/hostile >&2 || die "cannot build $hostile (hint: run make)"
fi

umask 022
mkdir -p "$SITE/htdocs" "$SITE/cgi-bin" /run/vxe-demo/upload /var/log/vxe-demo
rm -rf "${SITE:?}/htdocs/"* "${SITE:?}/cgi-bin/"*
cp "$ROOT"/examples/demo/htdocs/* "$SITE/htdocs/"

# The generated files are the same on every run, so a failed comparison in
# the test always means the server changed bytes.
python3 - "$SITE/htdocs" <<'EOF'
import random, struct, sys, zlib
d = sys.argv[1]

# big.html: > 1 MB, forces lighttpd to send in several chunks (sendfile/mmap).
rows = "".join(f"<tr><td>{i}</td><td>{i * i}</td><td>{hex(i * 2654435761 & 0xffffffff)}</td></tr>\n"
               for i in range(24000))
with open(f"{d}/big.html", "w") as f:
    f.write(f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>big</title></head>"
            f"<body><table>\n{rows}</table></body></html>\n")

# random.bin: 256 KiB of every byte value, NULs and CRLFs included.
rnd = random.Random(20261203)
with open(f"{d}/random.bin", "wb") as f:
    f.write(bytes(rnd.getrandbits(8) for _ in range(256 * 1024)))

# logo.png: a real 64x64 RGB PNG (a gradient), built with zlib alone.
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
w = h = 64
raw = b"".join(b"\0" + bytes(v for x in range(w) for v in (x * 4, y * 4, 160)) for y in range(h))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
with open(f"{d}/logo.png", "wb") as f:
    f.write(png)
EOF

install -m 0755 "$ROOT/examples/demo/hello.cgi" "$SITE/cgi-bin/hello.cgi"
install -m 0755 "$hostile" "$SITE/cgi-bin/hostile.cgi"
sed -e "s/^server.port *= *[0-9]*/server.port           = $port/" \
	"$ROOT/examples/demo/lighttpd.conf" >"$SITE/lighttpd.conf"
lighttpd -tt -f "$SITE/lighttpd.conf" >/dev/null || die "lighttpd rejects $SITE/lighttpd.conf"
echo "demo site ready: $SITE (lighttpd -D -f $SITE/lighttpd.conf, http://127.0.0.1:$port/)"

[[ -n $verify ]] || exit 0

# --verify: unconfined, bounded, cleaned up.
lighttpd -D -f "$SITE/lighttpd.conf" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/index.html" | cmp -s - "$SITE/htdocs/index.html" ||
	die "verify: index.html differs"
curl -fsS "http://127.0.0.1:$port/cgi-bin/hello.cgi?name=verify" | grep -q '^hello, verify$' ||
	die "verify: hello.cgi did not answer"
echo "verify: unconfined lighttpd serves the site on 127.0.0.1:$port"

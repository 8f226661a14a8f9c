#!/usr/bin/env python3
"""logcheck.py LOG [--none|--count N] [KEY=VALUE...]

Reads a VXE log (JSON Lines). Every line must parse. Succeeds when at least
one record has all the given fields (KEY may be dotted: args.path; VALUE is
compared as a string, numbers too); --none: when no record matches (with no
KEY, when the log is empty); --count N: exactly N records match. On failure
prints the log's records as TAP diagnostics.
"""
import json
import sys


def get(rec, key):
    for part in key.split("."):
        if not isinstance(rec, dict) or part not in rec:
            return None
        rec = rec[part]
    return rec


def main():
    path = sys.argv[1]
    want, none, count = [], False, None
    args = sys.argv[2:]
    i = 0
    while i < len(args):
        if args[i] == "--none":
            none = True
        elif args[i] == "--count":
            count = int(args[i + 1])
            i += 1
        else:
            k, _, v = args[i].partition("=")
            want.append((k, v))
        i += 1
    recs = []
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            try:
                recs.append(json.loads(line))
            except ValueError as e:
                print(f"# {path}:{n}: not JSON ({e}): {line[:200]!r}")
                return 1
    match = [r for r in recs if all(str(get(r, k)) == v for k, v in want)]
    ok = (len(match) == 0) if none else (len(match) == count) if count is not None else bool(match)
    if not ok:
        print(f"# {len(match)} of {len(recs)} records match {want}" + (" (want none)" if none else ""))
        for r in recs[:8]:
            print("#   " + json.dumps(r)[:400])
    return 0 if ok else 1


sys.exit(main())

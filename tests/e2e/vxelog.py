#!/usr/bin/env python3
"""Read VXE's violation log (JSON Lines, SPEC section 6) for the end-to-end
test and the demo. Standard library only.

  vxelog.py validate LOG            every line is a JSON object of format v1
  vxelog.py count LOG               number of records
  vxelog.py table LOG [--since N]   a readable table (records from line N on)
  vxelog.py expect LOG ATTACK --action blocked|logged --mode M --pids P[,P]
            [--errno E] [--since N]
      exit 0 when the log has the record(s) that hostile.cgi's ATTACK must
      cause, from one of the pids given; otherwise exit 1 and explain, as TAP
      diagnostics ("# ..."), what was expected and which records are there.
"""
import json
import sys

REQUIRED = ("v", "time", "vxed", "mode", "action", "pid", "syscall", "arch", "args", "rule")


def has_value(args, want):
    """want appears as the value of some argument (key names may differ)."""
    return isinstance(args, dict) and any(v == want for v in args.values())


def path_is(want):
    return lambda r: r["args"].get("path") == want or has_value(r["args"], want)


def syscall_in(*names):
    return lambda r: r["syscall"] in names


def both(*preds):
    return lambda r: all(p(r) for p in preds)


def proc_mem(r):
    return any(isinstance(v, str) and v.startswith("/proc/") and v.endswith("/mem")
               for v in r["args"].values())


# attack -> list of (description, predicate): each must match some record.
EXPECT = {
    "shadow": [("openat of /etc/shadow", both(syscall_in("openat", "open"), path_is("/etc/shadow")))],
    "etcwrite": [("openat of /etc/vxe-hostile-test",
                  both(syscall_in("openat", "open", "creat"), path_is("/etc/vxe-hostile-test")))],
    "shell": [("execve of /bin/sh", both(syscall_in("execve", "execveat"), path_is("/bin/sh")))],
    "exec": [("execve of /usr/bin/id", both(syscall_in("execve", "execveat"), path_is("/usr/bin/id")))],
    "connect": [("connect", syscall_in("connect"))],
    "ptrace": [("ptrace", syscall_in("ptrace"))],
    "mount": [("mount", syscall_in("mount"))],
    "module": [("init_module", syscall_in("init_module")),
               ("finit_module", syscall_in("finit_module"))],
    "kexec": [("kexec_file_load", syscall_in("kexec_file_load"))],
    "io_uring": [("io_uring_setup", syscall_in("io_uring_setup"))],
    "handle": [("open_by_handle_at", syscall_in("open_by_handle_at"))],
    "int80": [("a call with arch i386", lambda r: r["arch"] == "i386")],
    "int80open": [("a call with arch i386", lambda r: r["arch"] == "i386")],
    "userfaultfd": [("userfaultfd", syscall_in("userfaultfd"))],
    "bpf": [("bpf", syscall_in("bpf"))],
    "userns": [("unshare", syscall_in("unshare"))],
    "keyctl": [("keyctl", syscall_in("keyctl"))],
    "tiocsti": [("ioctl (TIOCSTI)", syscall_in("ioctl"))],
    "procmem": [("openat of /proc/PID/mem", both(syscall_in("openat", "open"), proc_mem))],
    "vmwrite": [("process_vm_writev", syscall_in("process_vm_writev"))],
    "perf": [("perf_event_open", syscall_in("perf_event_open"))],
    "chroot": [("chroot", syscall_in("chroot"))],
}


def load(path, since=0):
    """(records, errors); since skips the first N lines."""
    recs, errs = [], []
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return [], ["log %s does not exist" % path]
    for n, line in enumerate(lines[since:], since + 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except ValueError as e:
            errs.append("line %d is not JSON (%s): %.200s" % (n, e, line))
            continue
        if not isinstance(r, dict):
            errs.append("line %d is not an object" % n)
            continue
        if r.get("action") == "suppressed":
            recs.append(r)
            continue
        missing = [k for k in REQUIRED if k not in r]
        if missing or r.get("v") != 1 or not isinstance(r.get("args"), dict):
            errs.append("line %d lacks %s or is not v1: %.200s" % (n, ",".join(missing) or "args", line))
            continue
        recs.append(r)
    return recs, errs


def short(r):
    return json.dumps(r, sort_keys=False)[:400]


def cmd_expect(path, attack, action, mode, pids, errno, since):
    recs, errs = load(path, since)
    if attack not in EXPECT:
        print("# vxelog.py: no expectation for attack %r" % attack)
        return 1
    mine = [r for r in recs if r.get("pid") in pids]
    bad = 0
    for desc, pred in EXPECT[attack]:
        hits = [r for r in mine if pred(r)]
        good = [r for r in hits if r.get("action") == action and r.get("mode") == mode
                and r.get("vxed") == "lighttpd"]
        if errno and good and action == "blocked":
            same = [r for r in good if r.get("errno") == errno]
            if not same:
                print("# %s: logged with errno %s, but the program saw %s"
                      % (desc, ",".join(sorted({str(r.get("errno")) for r in good})), errno))
                bad += 1
                continue
        if not good:
            bad += 1
            print("# expected a record: %s, action %s, mode %s, vxed lighttpd, pid in %s"
                  % (desc, action, mode, sorted(pids)))
            for r in hits:
                print("#   near miss: " + short(r))
    if bad:
        print("# %d record(s) of pid %s in %s (%d in all%s):"
              % (len(mine), sorted(pids), path, len(recs), ", %d malformed" % len(errs) if errs else ""))
        for r in mine[:12]:
            print("#   " + short(r))
        if not mine:
            for r in recs[-5:]:
                print("#   (other pid) " + short(r))
    return 1 if bad else 0


def cmd_table(path, since):
    recs, errs = load(path, since)
    for e in errs:
        print("malformed: " + e)
    if not recs:
        print("(no records)")
        return 0
    print("%-12s %-10s %-7s %-8s %-6s %-18s %-7s %-9s %s"
          % ("time", "mode", "action", "pid", "arch", "syscall", "errno", "rule", "arguments"))
    for r in recs:
        if r.get("action") == "suppressed":
            print("%-12s %d further records suppressed" % (str(r.get("time", ""))[11:23], r.get("count", 0)))
            continue
        args = " ".join("%s=%s" % (k, v) for k, v in r["args"].items())
        print("%-12s %-10s %-7s %-8s %-6s %-18s %-7s %-9s %s"
              % (str(r["time"])[11:23], r["mode"], r["action"], r["pid"], r["arch"],
                 r["syscall"], r.get("errno") or "-", r["rule"], args[:70]))
    return 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, path, rest = argv[1], argv[2], argv[3:]
    opts = {"--since": "0", "--action": None, "--mode": None, "--pids": "", "--errno": None}
    pos = []
    i = 0
    while i < len(rest):
        if rest[i] in opts and i + 1 < len(rest):
            opts[rest[i]] = rest[i + 1]
            i += 2
        else:
            pos.append(rest[i])
            i += 1
    since = int(opts["--since"])
    if cmd == "validate":
        recs, errs = load(path, since)
        for e in errs:
            print("# " + e)
        return 1 if errs else 0
    if cmd == "count":
        recs, _ = load(path, since)
        print(len(recs))
        return 0
    if cmd == "table":
        return cmd_table(path, since)
    if cmd == "expect" and pos:
        pids = {int(p) for p in opts["--pids"].split(",") if p.strip().isdigit()}
        return cmd_expect(path, pos[0], opts["--action"], opts["--mode"], pids, opts["--errno"], since)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""A tiny inetd for the end-to-end tests (tests/e2e/popa3d.t).

  inetd.py PORTFILE ERRLOG [--max-seconds N] -- COMMAND [ARGS...]

Listens on 127.0.0.1 (a free port, written to PORTFILE once listening) and,
for every connection, forks and execs COMMAND with the connection as its
standard input and output, as inetd's "nowait" services are run (popa3d's
default mode, see popa3d(8)). Standard error goes to ERRLOG (appended), never
to the client. Connections are served one after another (the next accept
waits for the previous command to end), so that commands which rewrite a
file per connection (`vxe trace --merge`) never race. Ends on SIGTERM/SIGINT,
or after --max-seconds (default 300) as a bound for a test that went wrong.
Standard library only.
"""
import os
import signal
import socket
import sys
import time


def main(argv):
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    sep = argv.index("--")
    opts, cmd = argv[1:sep], argv[sep + 1:]
    max_seconds = 300.0
    if "--max-seconds" in opts:
        i = opts.index("--max-seconds")
        max_seconds = float(opts[i + 1])
        del opts[i:i + 2]
    if len(opts) != 2 or not cmd:
        print(__doc__, file=sys.stderr)
        return 2
    portfile, errlog = opts

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.settimeout(0.2)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)

    end = time.time() + max_seconds
    child = None
    while not stop and time.time() < end:
        try:
            conn, _ = s.accept()
        except (socket.timeout, InterruptedError):
            continue
        except OSError:
            if stop:
                break
            raise
        conn.setblocking(True)
        err = os.open(errlog, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        child = os.fork()
        if child == 0:
            try:
                s.close()
                os.dup2(conn.fileno(), 0)
                os.dup2(conn.fileno(), 1)
                os.dup2(err, 2)
                conn.close()
                os.close(err)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.execvp(cmd[0], cmd)
            finally:
                os._exit(127)
        conn.close()
        os.close(err)
        # One at a time, bounded: the command ends when its client does.
        while not stop and time.time() < end:
            pid, _ = os.waitpid(child, os.WNOHANG)
            if pid:
                child = None
                break
            time.sleep(0.02)
    if child:
        try:
            os.kill(child, signal.SIGTERM)
            for _ in range(100):
                if os.waitpid(child, os.WNOHANG)[0]:
                    break
                time.sleep(0.05)
            else:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
        except ChildProcessError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

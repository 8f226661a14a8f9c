#!/usr/bin/env python3
"""Mail clients for the end-to-end tests (tests/e2e/popa3d.t, exim4.t).
Standard library only; every network wait is bounded (20 s).

  mailclient.py pop PORT USER PASSWORD [--delete]
      log in with USER/PASS on 127.0.0.1:PORT, STAT, LIST, RETR every
      message (and DELE it with --delete), QUIT. Prints one line
      "message N: SUBJECT" per message after "count N", or "error: ..." and
      exits 1.
  mailclient.py smtp PORT FROM TO SUBJECT
      deliver one message to TO through 127.0.0.1:PORT (EHLO, MAIL, RCPT,
      DATA, QUIT); prints "sent" or "error: ..." and exits 1.
  mailclient.py mbox FILE
      the subjects of the messages in an mbox file, one a line, after
      "count N".
"""
import email
import mailbox
import poplib
import smtplib
import sys

TIMEOUT = 20


def pop(port, user, password, delete):
    try:
        p = poplib.POP3("127.0.0.1", int(port), timeout=TIMEOUT)
        p.user(user)
        p.pass_(password)
        count, _size = p.stat()
        _resp, listing, _octets = p.list()
        if len(listing) != count:
            print("error: STAT says %d, LIST has %d" % (count, len(listing)))
            return 1
        print("count %d" % count)
        for i in range(1, count + 1):
            _resp, lines, _octets = p.retr(i)
            msg = email.message_from_bytes(b"\r\n".join(lines))
            print("message %d: %s" % (i, msg.get("Subject", "")))
            if delete:
                p.dele(i)
        p.quit()
    except (OSError, poplib.error_proto, EOFError) as e:
        print("error: %s" % e)
        return 1
    return 0


def smtp(port, sender, rcpt, subject):
    body = ("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nA test message from VXE's "
            "end-to-end test.\r\n" % (sender, rcpt, subject))
    try:
        s = smtplib.SMTP("127.0.0.1", int(port), local_hostname="localhost", timeout=TIMEOUT)
        s.ehlo("localhost")
        refused = s.sendmail(sender, [rcpt], body)
        s.quit()
    except (OSError, smtplib.SMTPException) as e:
        print("error: %s" % e)
        return 1
    if refused:
        print("error: refused %s" % refused)
        return 1
    print("sent")
    return 0


def mbox(path):
    try:
        box = mailbox.mbox(path, create=False)
        subjects = [m.get("Subject", "") for m in box]
    except (OSError, mailbox.Error) as e:
        print("error: %s" % e)
        return 1
    print("count %d" % len(subjects))
    for s in subjects:
        print(s)
    return 0


def main(argv):
    if len(argv) >= 6 and argv[1] == "pop":
        return pop(argv[2], argv[3], argv[4], "--delete" in argv[5:])
    if len(argv) == 5 and argv[1] == "pop":
        return pop(argv[2], argv[3], argv[4], False)
    if len(argv) == 6 and argv[1] == "smtp":
        return smtp(*argv[2:6])
    if len(argv) == 3 and argv[1] == "mbox":
        return mbox(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

/* vxe upgrade: read the violations a VXED logged, propose rules for those
 * it does not cover yet, review them (one key each on a terminal, or
 * --accept-all / --dry-run), and write the next version of the VXED,
 * keeping the previous one as a dated backup (--undo restores it). The
 * model lives in src/trace/upgrade.c; see doc/upgrade.md. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/termsafe.h"
#include "vxe/landlock.h"
#include "vxe/log.h"
#include "vxe/logread.h"
#include "vxe/upgrade.h"

#define EXIT_VXE     125
#define EXIT_INVALID 2 /* the VXED (old or new) does not load */

/* Text from the log or the file system, shown on the terminal: escaped
 * (util/termsafe.h). Four buffers in turn, so one message can hold several. */
static const char *esc(const char *s)
{
	static char buf[4][PATH_MAX + 256];
	static unsigned next;
	char *b = buf[next++ % 4];
	return vxe_termsafe(b, sizeof buf[0], s ? s : "", VXE_TS_BACKSLASH);
}

static const char upgrade_usage[] =
    "usage: vxe upgrade [--dry-run | --accept-all [--accept-risky]] [--no-rotated] POLICY.vxed "
    "[LOG...]\n"
    "       vxe upgrade --undo POLICY.vxed\n"
    "\n"
    "Reads POLICY's violations from LOG (default $VXE_LOG or " VXE_LOG_DEFAULT ", with\n"
    "its rotations), drops those POLICY already permits, and proposes rules for the\n"
    "rest. On a terminal each proposal is reviewed with one key:\n"
    "  a accept   r reject   b broaden (next step of the ladder)   s skip   q quit\n"
    "The new version is POLICY with a marked section added; the previous one is kept\n"
    "as POLICY.YYYYMMDD-HHMMSS.\n"
    "\n"
    "  -n, --dry-run     print the change as a unified diff; write nothing\n"
    "  -y, --accept-all  accept every proposal at its narrowest step, except\n"
    "                    escape-set calls (a terminal and a confirmation only) and\n"
    "                    risky grants (writes under system directories, reads of\n"
    "                    secrets, shells and interpreters, packet/netlink/raw\n"
    "                    sockets...): shown, not taken (fail closed). Escape-set\n"
    "                    argument values (TIOCSTI...) are never proposed at all\n"
    "  --accept-risky    with --accept-all (or --dry-run): take the risky ones too\n"
    "  --no-rotated      read each LOG alone, not LOG.1, LOG.2.gz ...\n"
    "  --undo            put back the newest backup (the current file becomes a backup);\n"
    "                    only a regular file named as upgrade names them, owned by the\n"
    "                    VXED's owner or root, not writable by others, that loads\n"
    "\n"
    "Exit status: 0 done (also when nothing was proposed), 2 POLICY or the new version\n"
    "does not load (nothing written), 125 bad usage or I/O error.\n"
    "See doc/upgrade.md.\n";

/* ---- files ------------------------------------------------------------------ */

static int write_all(int fd, const char *text, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -(errno ? errno : EIO);
		off += (size_t)w;
	}
	return 0;
}

/* path becomes text, whole or not at all: a temporary file beside it and a
 * rename. */
static int write_atomic(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp)
		return -ENAMETOOLONG;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	int rc = write_all(fd, text, strlen(text));
	if (rc == 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* Writes text to a new backup POLICY.YYYYMMDD-HHMMSS[-N]; never over an
 * existing file, never writable by group or others. The name goes to out. */
static int write_backup(const char *policy, const char *text, mode_t mode, char *out, size_t size)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	for (int i = 0; i < 1000; i++) {
		int n = i ? snprintf(out, size, "%s.%s-%d", policy, stamp, i)
			  : snprintf(out, size, "%s.%s", policy, stamp);
		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
		/* Never writable by group or others: --undo restores no such file. */
		int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      mode & ~(mode_t)(S_IWGRP | S_IWOTH));
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return -errno;
		int rc = write_all(fd, text, strlen(text));
		if (rc == 0 && fsync(fd) < 0)
			rc = -errno;
		if (close(fd) < 0 && rc == 0)
			rc = -errno;
		if (rc < 0)
			unlink(out);
		return rc;
	}
	return -EEXIST;
}

/* Is name exactly POLICYBASE.YYYYMMDD-HHMMSS or POLICYBASE.YYYYMMDD-HHMMSS-N
 * (N 1..999), as write_backup names them? Its order key in *stamp, *seq. */
static bool backup_name(const char *name, const char *base, char stamp[16], long *seq)
{
	size_t bl = strlen(base);
	if (strncmp(name, base, bl) != 0 || name[bl] != '.')
		return false;
	const char *s = name + bl + 1;
	for (int i = 0; i < 15; i++)
		if (i == 8 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	memcpy(stamp, s, 15);
	stamp[15] = 0;
	*seq = 0;
	if (s[15] == 0)
		return true;
	if (s[15] != '-' || s[16] < '1' || s[16] > '9')
		return false;
	char *end;
	*seq = strtol(s + 16, &end, 10);
	return *end == 0 && *seq < 1000;
}

/* Why the time in a backup's name is not one write_backup could have
 * written (a date that does not exist, or later than now), or NULL. */
static const char *bad_stamp(const char *stamp)
{
	struct tm tm = {0};
	int v[6];
	if (sscanf(stamp, "%4d%2d%2d-%2d%2d%2d", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return "the time in its name cannot be read";
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return "the time in its name is not a date";
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1 || tm.tm_mday != v[2])
		return "the time in its name is not a date";
	if (t > time(NULL) + 300)
		return "it is dated in the future: vxe upgrade did not write it";
	return NULL;
}

/* The text of backup name in directory dfd, if it passes every check;
 * else exits with the file and the reason. */
static char *read_backup(int dfd, const char *from, const char *name, const char *stamp,
			 const struct stat *pst, bool have_policy, size_t *len)
{
	const char *why = bad_stamp(stamp);
	if (why)
		vxe_die("move it away if you did not make it; then --undo again",
			"upgrade: --undo: refusing %s: %s", esc(from), why);
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		vxe_die(errno == ELOOP ? "vxe upgrade writes backups as regular files" : NULL,
			"upgrade: --undo: refusing %s: %s", esc(from),
			errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	struct stat st;
	uid_t owner = have_policy ? pst->st_uid : geteuid();
	char reason[160] = "";
	if (fstat(fd, &st) < 0)
		snprintf(reason, sizeof reason, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(reason, sizeof reason, "it is not a regular file");
	else if (st.st_uid != owner && st.st_uid != 0)
		snprintf(reason, sizeof reason,
			 "it is owned by uid %u, not by the VXED's owner (uid %u) or root",
			 (unsigned)st.st_uid, (unsigned)owner);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		snprintf(reason, sizeof reason,
			 "it is writable by its group or by others (mode %04o): anyone could have "
			 "changed it",
			 (unsigned)(st.st_mode & 07777));
	else if (st.st_nlink != 1)
		snprintf(reason, sizeof reason, "it has %lu hard links",
			 (unsigned long)st.st_nlink);
	else if (st.st_size > VXE_POLICY_MAX_BYTES)
		snprintf(reason, sizeof reason, "it is larger than a VXED may be (%u bytes)",
			 VXE_POLICY_MAX_BYTES);
	if (reason[0]) {
		close(fd);
		vxe_die("vxe upgrade did not write it: move it away if you did not make it",
			"upgrade: --undo: refusing %s: %s", esc(from), reason);
	}
	char *text = malloc((size_t)st.st_size + 1);
	size_t n = 0;
	while (text && n < (size_t)st.st_size) {
		ssize_t r = read(fd, text + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!text || n != (size_t)st.st_size)
		vxe_die(NULL, "upgrade: --undo: cannot read %s: %s", esc(from),
			text ? "it changed while being read" : "out of memory");
	text[n] = 0;
	*len = n;
	return text;
}

static int cmd_undo(const char *policy)
{
	char dir[PATH_MAX], base[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", policy);
	char *slash = strrchr(dir, '/');
	if (slash) {
		snprintf(base, sizeof base, "%s", slash + 1);
		if (slash == dir)
			dir[1] = 0;
		else
			*slash = 0;
	} else {
		snprintf(base, sizeof base, "%s", policy);
		snprintf(dir, sizeof dir, ".");
	}
	DIR *d = opendir(dir);
	if (!d)
		vxe_die(NULL, "upgrade: %s: %s", esc(dir), strerror(errno));
	struct stat dst, pst;
	if (fstat(dirfd(d), &dst) == 0 && (dst.st_mode & (S_IWGRP | S_IWOTH)))
		fprintf(
		    stderr,
		    "vxe: upgrade: warning: %s is writable by %s (mode %04o): a backup could be "
		    "planted there; only one that passes every check is restored\n",
		    esc(dir), (dst.st_mode & S_IWOTH) ? "anyone" : "its group",
		    (unsigned)(dst.st_mode & 07777));
	bool have_policy = stat(policy, &pst) == 0;
	char best[NAME_MAX + 1] = "", best_stamp[16] = "";
	long best_seq = -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		char stamp[16];
		long seq;
		if (!backup_name(e->d_name, base, stamp, &seq))
			continue;
		int c = strcmp(stamp, best_stamp);
		if (!best[0] || c > 0 || (c == 0 && seq > best_seq)) {
			snprintf(best, sizeof best, "%s", e->d_name);
			memcpy(best_stamp, stamp, sizeof stamp);
			best_seq = seq;
		}
	}
	if (!best[0])
		vxe_die("backups are named POLICY.YYYYMMDD-HHMMSS, beside it",
			"upgrade: no backup of %s to restore", esc(policy));
	char from[PATH_MAX * 2];
	snprintf(from, sizeof from, "%s/%s", dir, best);
	size_t len, clen;
	char *text = read_backup(dirfd(d), from, best, best_stamp, &pst, have_policy, &len);
	closedir(d);
	/* It must be a VXED, and a version of this one. */
	char err[512];
	struct vxe_policy *bp = NULL, *cp = NULL;
	if (memchr(text, 0, len) ||
	    vxe_policy_load_string(from, text, len, &bp, err, sizeof err) < 0)
		vxe_die("vxe upgrade only keeps versions that loaded",
			"upgrade: --undo: refusing %s: it does not load: %s", esc(from),
			memchr(text, 0, len) ? "a NUL byte in the file" : esc(err));
	mode_t mode = 0644;
	char *cur = vxe_read_file(policy, &clen);
	if (cur && !memchr(cur, 0, clen) &&
	    vxe_policy_load_string(policy, cur, clen, &cp, err, sizeof err) == 0 &&
	    strcmp(cp->name, bp->name) != 0)
		vxe_die("a backup of a VXED declares the same (vxed \"NAME\")",
			"upgrade: --undo: refusing %s: it is VXED \"%s\", %s is \"%s\"", esc(from),
			esc(bp->name), esc(policy), esc(cp->name));
	vxe_policy_free(cp);
	printf("vxe: upgrade: restoring %s from %s (VXED \"%s\", %zu bytes)\n", esc(policy),
	       esc(from), esc(bp->name), len);
	vxe_policy_free(bp);
	char saved[PATH_MAX] = "";
	if (cur) {
		if (have_policy)
			mode = pst.st_mode & 07777;
		int rc = write_backup(policy, cur, mode, saved, sizeof saved);
		if (rc < 0)
			vxe_die(NULL, "upgrade: cannot keep the current %s: %s; nothing changed",
				esc(policy), strerror(-rc));
	} else if (errno != ENOENT) {
		vxe_die(NULL, "upgrade: %s: %s", esc(policy), strerror(errno));
	}
	int rc = write_atomic(policy, text, mode);
	if (rc < 0)
		vxe_die(NULL, "upgrade: cannot write %s: %s; it is unchanged", esc(policy),
			strerror(-rc));
	printf("vxe: upgrade: %s restored from %s", esc(policy), esc(from));
	if (saved[0])
		printf("; the version replaced is kept as %s", esc(saved));
	printf("\n");
	free(text);
	free(cur);
	return 0;
}

/* ---- the terminal ------------------------------------------------------------- */

static struct termios saved_tio;
static volatile sig_atomic_t tio_saved;

static void tty_restore(void)
{
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		tio_saved = 0;
	}
}

static void on_signal(int sig)
{
	tty_restore();
	static const char msg[] = "\nvxe: upgrade: interrupted; nothing was written\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool tty_raw(void)
{
	struct termios t;
	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return false;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	tio_saved = 1;
	atexit(tty_restore);
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
}

static int read_key(void)
{
	unsigned char c;
	for (;;) {
		ssize_t n = read(STDIN_FILENO, &c, 1);
		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR)
			continue;
		return -1; /* end of input: as q */
	}
}

/* ---- showing proposals --------------------------------------------------------- */

static const char *kind_name(const struct vxe_up_prop *p)
{
	switch (p->kind) {
	case VXE_UP_SYSCALL:
		return p->escape		  ? "escape-set call"
		       : !vxe_upgrade_writable(p) ? "escape set, by hand"
						  : "syscall";
	case VXE_UP_PATH:
		return "files";
	case VXE_UP_NET:
		return "network";
	case VXE_UP_MANUAL:
		return "by hand";
	default:
		return "refused";
	}
}

/* Everything shown of a proposal that came from the log (names, paths,
 * values, programs) goes through esc(). */
static void show(FILE *f, const struct vxe_upgrade *u, const struct vxe_up_prop *p, size_t i,
		 size_t n, bool ladder)
{
	fprintf(f, "[%zu/%zu] %s: ", i + 1, n, kind_name(p));
	char *form = vxe_upgrade_form(p);
	if (form)
		vxe_termsafe_fputs(form, 0, f); /* Lisp text: its strings are escaped already */
	else
		fprintf(f, "%s (rule %s)", esc(p->syscall), esc(p->rule ? p->rule : "?"));
	free(form);
	fprintf(f, "   %llu event%s", (unsigned long long)p->count, p->count == 1 ? "" : "s");
	if (p->programs)
		fprintf(f, " by %s", esc(p->programs));
	fprintf(f, "\n");
	if (p->kind == VXE_UP_SYSCALL && p->values)
		fprintf(f, "      observed %s: %s\n", esc(p->param), esc(p->values));
	if (p->kind == VXE_UP_SYSCALL && p->escvals)
		fprintf(f,
			"      !!! WARNING: escape set: decide by hand: %s %s observed; never "
			"proposed (a predicate naming it opens it; (permit %s) alone keeps it "
			"closed)\n",
			esc(p->escarg ? p->escarg : "?"), esc(p->escvals), esc(p->syscall));
	if (p->kind == VXE_UP_NET && p->example)
		fprintf(f, "      e.g. %s (the log does not say the protocol: %s assumed)\n",
			esc(p->example), p->proto == IPPROTO_UDP ? "udp" : "tcp");
	if (p->kind == VXE_UP_MANUAL) {
		fprintf(f,
			"      the rule exists and said no (%s); change it by hand if this is "
			"right\n",
			esc(p->rule));
		if (p->example)
			fprintf(f, "      observed: %s\n", esc(p->example));
	}
	if (p->kind == VXE_UP_HARD && p->example)
		fprintf(f, "      observed: %s\n", esc(p->example));
	if (p->kind == VXE_UP_PATH && p->note)
		fprintf(f, "      note: %s\n", p->note);
	if (ladder && p->nsteps > 1) {
		fprintf(f, "      ladder:");
		for (unsigned k = 0; k < p->nsteps; k++) {
			const char *step = p->kind == VXE_UP_PATH ? esc(p->ladder[k])
					   : k == 0		  ? "with the check"
								  : "any arguments";
			fprintf(f, k == p->step ? " [%s]" : " %s", step);
		}
		fprintf(f, "\n");
	}
	const char *risk = vxe_upgrade_risk(u, p);
	if (risk)
		fprintf(f, "      %s %s\n",
			p->escape || p->kind == VXE_UP_HARD ? "!!! WARNING:" : "risky:", risk);
}

static bool writable(const struct vxe_up_prop *p)
{
	return vxe_upgrade_writable(p);
}

/* Returns false on q (write nothing). */
static bool review(struct vxe_upgrade *u)
{
	size_t n = u->nprops;
	bool again = true;
	for (int pass = 0; again; pass++) {
		again = false;
		bool decided = false;
		size_t undecided = 0;
		for (size_t i = 0; i < n; i++)
			undecided +=
			    writable(&u->props[i]) && u->props[i].decision == VXE_UP_UNDECIDED;
		if (pass > 0) {
			if (!undecided)
				break;
			printf("\n-- %zu skipped, once more (s leaves them out) --\n", undecided);
		}
		for (size_t i = 0; i < n; i++) {
			struct vxe_up_prop *p = &u->props[i];
			if (!writable(p) || p->decision != VXE_UP_UNDECIDED)
				continue;
			for (;;) {
				printf("\n");
				show(stdout, u, p, i, n, true);
				printf("  a accept  r reject%s  s skip  q quit > ",
				       p->step + 1 < p->nsteps ? "  b broaden" : "");
				fflush(stdout);
				int k = read_key();
				printf("%c\n", k > 0x20 && k < 0x7f ? k : ' ');
				if (k == 'q' || k < 0 || k == 4)
					return false;
				if (k == 'a') {
					if (p->escape) {
						printf("  This opens a way out of the environment. "
						       "Type y to grant it anyway: ");
						fflush(stdout);
						int y = read_key();
						printf("%c\n", y > 0x20 && y < 0x7f ? y : ' ');
						if (y != 'y') {
							printf("  not granted\n");
							continue;
						}
					}
					p->decision = VXE_UP_ACCEPT;
					decided = true;
					break;
				}
				if (k == 'r') {
					p->decision = VXE_UP_REJECT;
					decided = true;
					break;
				}
				if (k == 'b') {
					if (p->step + 1 < p->nsteps)
						p->step++;
					else
						printf("  already the broadest step\n");
					continue;
				}
				if (k == 's') {
					again = true;
					break;
				}
				printf("  keys: a r b s q\n");
			}
		}
		if (!decided)
			break;
	}
	return true;
}

static int run_diff(const char *policy, const char *old_text, const char *new_text)
{
	char a[] = "/tmp/vxe-upgrade-old.XXXXXX", b[] = "/tmp/vxe-upgrade-new.XXXXXX";
	int fa = mkstemp(a);
	int fb = fa >= 0 ? mkstemp(b) : -1;
	int rc = (fa < 0 || fb < 0) ? -errno : 0;
	if (rc == 0)
		rc = write_all(fa, old_text, strlen(old_text));
	if (rc == 0)
		rc = write_all(fb, new_text, strlen(new_text));
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	if (rc == 0) {
		fflush(stdout);
		char la[PATH_MAX + 16], lb[PATH_MAX + 16];
		snprintf(la, sizeof la, "%s", policy);
		snprintf(lb, sizeof lb, "%s (upgraded)", policy);
		/* On a terminal the diff's lines are escaped: the old text may
		 * hold comments a traced program named (util/termsafe.h).
		 * Piped, it stays a patch. */
		bool tty = isatty(STDOUT_FILENO);
		int pfd[2] = {-1, -1};
		if (tty && pipe2(pfd, O_CLOEXEC) < 0)
			return -errno;
		pid_t pid = fork();
		if (pid == 0) {
			if (tty && dup2(pfd[1], STDOUT_FILENO) < 0)
				_exit(127);
			execlp("diff", "diff", "-u", "--label", la, "--label", lb, a, b,
			       (char *)NULL);
			_exit(127);
		}
		if (tty) {
			close(pfd[1]);
			FILE *in = pid > 0 ? fdopen(pfd[0], "r") : NULL;
			char *line = NULL;
			size_t cap = 0;
			ssize_t n;
			while (in && (n = getline(&line, &cap, in)) > 0) {
				if (line[n - 1] == '\n')
					line[n - 1] = 0;
				vxe_termsafe_fputs(line, 0, stdout);
				fputc('\n', stdout);
			}
			free(line);
			if (in)
				fclose(in);
			else
				close(pfd[0]);
		}
		int st = 0;
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			rc = -errno;
		else if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
			rc = -ENOEXEC;
	}
	if (fa >= 0)
		unlink(a);
	if (fb >= 0)
		unlink(b);
	return rc;
}

/* Long runs (a big or forged log) say how far they are on stderr, as vxe
 * trace does: on a terminal one line rewritten at most every second, else a
 * line every 10 seconds. Nothing for runs shorter than that. */
struct progress {
	unsigned long long n;
	time_t last;
	bool tty, shown;
};

static void progress(struct progress *pg, const struct vxe_upgrade *u, bool done)
{
	time_t now = time(NULL);
	if (done) {
		if (pg->shown && pg->tty)
			fputs("\r\033[K", stderr);
		return;
	}
	if (now - pg->last < (pg->tty ? 1 : 10))
		return;
	pg->last = now;
	pg->shown = true;
	fprintf(stderr, "%svxe: upgrade: %llu records read, %zu proposals%s", pg->tty ? "\r" : "",
		pg->n, u->nprops, pg->tty ? "\033[K" : "\n");
}

int vxe_cmd_upgrade(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'},
	    {"accept-all", no_argument, NULL, 'y'},
	    {"undo", no_argument, NULL, 'u'},
	    {"no-rotated", no_argument, NULL, 'R'},
	    {"accept-risky", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool dry = false, all = false, undo = false, rotated = true, risky_ok = false;
	int c;
	while ((c = getopt_long(argc, argv, "nyh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry = true;
			break;
		case 'y':
			all = true;
			break;
		case 'u':
			undo = true;
			break;
		case 'R':
			rotated = false;
			break;
		case 'r':
			risky_ok = true;
			break;
		case 'h':
			fputs(upgrade_usage, stdout);
			return 0;
		default:
			fputs(upgrade_usage, stderr);
			return EXIT_VXE;
		}
	}
	if (optind >= argc)
		vxe_die("vxe upgrade POLICY.vxed [LOG...]", "upgrade: a VXED is needed");
	const char *policy = argv[optind];
	if (undo) {
		if (argc - optind != 1 || dry || all || risky_ok)
			vxe_die("vxe upgrade --undo POLICY.vxed",
				"upgrade: --undo takes a VXED alone");
		return cmd_undo(policy);
	}
	if (dry && all)
		vxe_die(NULL, "upgrade: --dry-run or --accept-all, not both");
	if (risky_ok && !dry && !all)
		vxe_die(
		    "vxe upgrade --accept-all --accept-risky POLICY.vxed [LOG...]",
		    "upgrade: --accept-risky goes with --accept-all (or --dry-run); on a terminal "
		    "each proposal is decided by its key");
	bool interactive = !dry && !all;
	if (interactive && !(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)))
		vxe_die("give --dry-run to see the change, or --accept-all to make it",
			"upgrade: the review needs a terminal");

	size_t len;
	char *old_text = vxe_read_file(policy, &len);
	if (!old_text)
		vxe_die(NULL, "upgrade: %s: %s", esc(policy), strerror(errno));
	struct stat st;
	mode_t mode = stat(policy, &st) == 0 ? (st.st_mode & 07777) : 0644;
	char err[512];
	struct vxe_policy *p;
	if (memchr(old_text, 0, len) ||
	    vxe_policy_load_string(policy, old_text, len, &p, err, sizeof err) < 0) {
		fprintf(stderr, "vxe: upgrade: cannot parse the VXED: %s\n",
			memchr(old_text, 0, len) ? "a NUL byte in the file" : esc(err));
		fprintf(stderr, "hint: fix it first (vxe check %s); it was not changed\n",
			esc(policy));
		free(old_text);
		return EXIT_INVALID;
	}

	/* The logs. */
	const char *deflog = getenv("VXE_LOG");
	if (!deflog || !*deflog)
		deflog = VXE_LOG_DEFAULT;
	const char *const *logs = (const char *const *)argv + optind + 1;
	int nlogs = argc - optind - 1;
	const char *one[1] = {deflog};
	if (nlogs == 0) {
		logs = one;
		nlogs = 1;
	}
	struct vxe_upgrade u;
	vxe_upgrade_init(&u, p);
	struct vxe_logrec rec = {0};
	int read_ok = 0;
	unsigned long skipped = 0;
	char loglist[1024] = "";
	struct progress pg = {.tty = isatty(STDERR_FILENO), .last = time(NULL)};
	for (int i = 0; i < nlogs; i++) {
		struct vxe_logreader_opts lo = {
		    .path = logs[i], .rotated = rotated, .diag = stderr};
		struct vxe_logreader *r = vxe_logreader_open(&lo);
		if (!r) {
			fprintf(stderr, "vxe: upgrade: cannot read the log %s: %s\n", esc(logs[i]),
				strerror(errno));
			continue;
		}
		read_ok++;
		size_t ll = strlen(loglist);
		snprintf(loglist + ll, sizeof loglist - ll, "%s%s", ll ? " " : "", logs[i]);
		int rc;
		while ((rc = vxe_logreader_next(r, &rec, NULL, NULL)) > 0) {
			if (vxe_upgrade_add(&u, &rec) == VXE_UP_OOM)
				vxe_die(NULL, "upgrade: out of memory");
			if ((++pg.n & 4095) == 0)
				progress(&pg, &u, false);
		}
		if (rc < 0)
			fprintf(stderr, "vxe: upgrade: reading %s: %s; the rest is not used\n",
				esc(logs[i]), strerror(-rc));
		vxe_logreader_summary(r);
		skipped += vxe_logreader_skipped(r);
		vxe_logreader_close(r);
	}
	progress(&pg, &u, true);
	vxe_logrec_free(&rec);
	if (!read_ok)
		vxe_die("give the log: vxe upgrade POLICY.vxed LOG",
			"upgrade: no log could be read");

	FILE *info = dry ? stderr : stdout;
	fprintf(info, "vxe: upgrade: %llu record%s of \"%s\" in %s: %llu already covered",
		(unsigned long long)u.records, u.records == 1 ? "" : "s", esc(p->name),
		esc(loglist), (unsigned long long)u.covered);
	if (u.nothing)
		fprintf(info, ", %llu with nothing to grant (emulated or unknown calls)",
			(unsigned long long)u.nothing);
	fprintf(info, "\n");
	if (skipped)
		fprintf(info, "vxe: upgrade: %lu malformed log line%s skipped\n", skipped,
			skipped == 1 ? "" : "s");
	if (u.relative)
		fprintf(info,
			"vxe: upgrade: warning: %llu record%s with relative paths skipped: the "
			"supervisor could not make the path absolute (longer than PATH_MAX); "
			"resolving it here would name what the program never touched\n",
			(unsigned long long)u.relative, u.relative == 1 ? "" : "s");
	if (u.truncated)
		fprintf(info,
			"vxe: upgrade: warning: %llu record%s with paths cut short (\"truncated\") "
			"skipped\n",
			(unsigned long long)u.truncated, u.truncated == 1 ? "" : "s");
	if (u.suppressed || u.suppressed_any)
		fprintf(info,
			"vxe: upgrade: warning: the log is incomplete: %llu event%s of \"%s\" not "
			"logged (rate limit)%s; run again after this upgrade\n",
			(unsigned long long)(u.suppressed + u.suppressed_any),
			u.suppressed + u.suppressed_any == 1 ? "" : "s", esc(p->name),
			u.suppressed_any ? ", some counted for several VXEDs" : "");

	/* Notes first: what no key can grant. */
	size_t nwrit = 0;
	for (size_t i = 0; i < u.nprops; i++) {
		if (!writable(&u.props[i]))
			show(info, &u, &u.props[i], i, u.nprops, false);
		else
			nwrit++;
	}
	int exit_code = 0;
	bool write = true;
	size_t nrisky = 0;
	if (interactive) {
		if (nwrit) {
			if (!tty_raw())
				vxe_die(NULL, "upgrade: cannot set up the terminal: %s",
					strerror(errno));
			write = review(&u);
			tty_restore();
		}
		if (!write)
			printf("vxe: upgrade: quit; nothing was written\n");
	} else {
		for (size_t i = 0; i < u.nprops; i++) {
			struct vxe_up_prop *q = &u.props[i];
			if (!writable(q))
				continue;
			show(info, &u, q, i, u.nprops, true);
			if (q->escape) {
				fprintf(info,
					"      not taken by --accept-all: review it on a "
					"terminal (vxe upgrade %s)\n",
					esc(policy));
			} else if (!risky_ok && vxe_upgrade_risk(&u, q)) {
				fprintf(info,
					"      not taken by --accept-all (risky): review it on a "
					"terminal, or give --accept-risky\n");
				nrisky++;
			} else {
				q->decision = VXE_UP_ACCEPT;
			}
		}
		if (nrisky)
			fprintf(
			    info,
			    "vxe: upgrade: %zu risky proposal%s not taken: review %s on a terminal "
			    "(vxe upgrade %s), or give --accept-risky\n",
			    nrisky, nrisky == 1 ? "" : "s", nrisky == 1 ? "it" : "them",
			    esc(policy));
	}

	if (write) {
		char date[64];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
		size_t nacc = 0;
		char *text = vxe_upgrade_text(&u, old_text, date, loglist, &nacc);
		if (!text)
			vxe_die(NULL, "upgrade: out of memory");
		struct vxe_policy *check;
		size_t tlen = strlen(text);
		if (tlen > VXE_POLICY_MAX_BYTES) {
			/* vxe run would refuse to load it (and a flood of distinct
			 * records, forged perhaps, is no reason to grow a VXED so). */
			fprintf(
			    stderr,
			    "vxe: upgrade: the new version would be %zu bytes; a VXED may have at "
			    "most %u\nvxe: upgrade: nothing was written; %s is unchanged (%zu "
			    "proposals accepted: review the log, or accept fewer)\n",
			    tlen, VXE_POLICY_MAX_BYTES, esc(policy), nacc);
			exit_code = EXIT_INVALID;
		} else if (vxe_policy_load_string(policy, text, tlen, &check, err, sizeof err) <
			   0) {
			fprintf(stderr,
				"vxe: upgrade: the new version does not load: %s\nvxe: upgrade: "
				"nothing was written; %s is unchanged\n",
				esc(err), esc(policy));
			exit_code = EXIT_INVALID;
		} else {
			vxe_policy_free(check);
			if (dry) {
				if (!nacc)
					fprintf(stderr, "vxe: upgrade: nothing to add\n");
				else if (run_diff(policy, old_text, text) < 0)
					vxe_die(NULL, "upgrade: cannot run diff -u");
			} else if (!nacc) {
				printf("vxe: upgrade: nothing accepted; %s is unchanged\n",
				       esc(policy));
			} else {
				char backup[PATH_MAX];
				int rc =
				    write_backup(policy, old_text, mode, backup, sizeof backup);
				if (rc < 0)
					vxe_die(NULL,
						"upgrade: cannot keep the previous version beside "
						"%s: %s; nothing was written",
						esc(policy), strerror(-rc));
				rc = write_atomic(policy, text, mode);
				if (rc < 0) {
					unlink(backup);
					vxe_die(NULL,
						"upgrade: cannot write %s: %s; it is unchanged",
						esc(policy), strerror(-rc));
				}
				printf("vxe: upgrade: %zu rule%s added to %s; the previous version "
				       "is %s (undo: vxe upgrade --undo %s)\n",
				       nacc, nacc == 1 ? "" : "s", esc(policy), esc(backup),
				       esc(policy));
			}
		}
		free(text);
	}
	vxe_upgrade_free(&u);
	vxe_policy_free(p);
	free(old_text);
	if (fflush(stdout) != 0)
		return EXIT_VXE;
	return exit_code;
}

/* escape — the red team's escapes, one per action, for tests/live/redteam.t,
 * which runs it inside a VXE with `vxe run` and asserts each one fails and is
 * logged (and that the permitted counterpart still works).
 *
 *   escape ACTION [ARGS...]
 *
 * prints, like tests/helpers/probe.c, one line per attempt:
 *
 *   RESULT NAME ok [DETAILS]
 *   RESULT NAME errno=ENAME [DETAILS]
 *
 * and exits 0. Every action is harmless when it succeeds: the targets are
 * files in the test's temp dir, device nodes are made there (and removed by
 * the test), listeners are the test's own on 127.0.0.1 or unix sockets in
 * its temp dir.
 *
 * Actions:
 *   symlink TARGET LINK      plant LINK -> TARGET
 *   chmod PATH MODE          chmod (MODE octal)
 *   chown PATH UID           chown to UID:UID
 *   setxattr PATH            setxattr user.vxe-escape
 *   utimes PATH              utimes to 1000000000 (2001)
 *   fchmodat2 PATH MODE      raw syscall 452, AT_FDCWD
 *   futimesat PATH           raw futimesat, AT_FDCWD, 1000000000
 *   mknod PATH c|b|p         a char (1,3) / block (7,0) device node, or a FIFO
 *   unix PATH|@NAME          connect a stream unix socket, send 'x', read a byte
 *   unix_race DIR TARGET N   N tries: connect to DIR/raceI (not there yet)
 *                            while a thread plants DIR/raceI -> TARGET;
 *                            reports how many connects succeeded (reached=)
 *   mptcp PORT               socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) +
 *                            connect 127.0.0.1:PORT, send 'M'
 *   udp_connect PORT         connect a UDP socket to 127.0.0.1:PORT, send 'C'
 *   udp_sendto PORT          sendto 127.0.0.1:PORT, 5 bytes "hello"
 *   udp_sendmsg PORT         sendmsg with msg_name 127.0.0.1:PORT, 6 bytes
 *   race_connect GOOD BAD N [tcp|mptcp|udp|tfo [family]]
 *                            a thread flips the sockaddr's port between GOOD
 *                            and BAD while N connects run (tfo: sendto with
 *                            MSG_FASTOPEN); reports how many reached BAD
 *                            (bad=) and GOOD (good=); with "family" the port
 *                            is BAD and the family flips AF_UNSPEC <-> AF_INET
 *   procmem                  open /proc/PPID/mem read-write
 *   procfd FROM TO           open /proc/PPID/fd/N for append, N in FROM..TO,
 *                            and write a forged record to any that opens
 *   kill SIG                 kill(getppid(), SIG)
 *   sigio SIG                F_SETOWN getppid + F_SETSIG SIG + O_ASYNC on a
 *                            pipe, then make it readable
 *   unmount_log PATH         umount2(PATH) (the log's read-only bind mount),
 *                            then open it O_WRONLY|O_TRUNC and write a forgery
 *   fifo PATH OTHER          child 1 opens the FIFO PATH read-only; 300 ms
 *                            later child 2 opens OTHER read-only; each
 *                            reports its result and how long it took (ms=)
 *   read PATH...             open each read-only; data=HEX of its first bytes
 *
 * With ESCAPE_CHDIR=DIR in the environment, the action runs in DIR.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static const char *action;

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static void result_as(const char *name, long rc, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void result_as(const char *name, long rc, int err, const char *fmt, ...)
{
	char extra[512] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		extra[0] = ' ';
		vsnprintf(extra + 1, sizeof extra - 1, fmt, ap);
		va_end(ap);
	}
	if (rc < 0)
		printf("RESULT %s errno=%s%s\n", name, ename(err), extra);
	else
		printf("RESULT %s ok%s\n", name, extra);
	fflush(stdout);
}

/* The outcome of expr, errno read after it. */
#define RES(expr, ...)                                                                             \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(expr);                                                            \
		int e_ = errno;                                                                    \
		result_as(action, r_, e_, __VA_ARGS__);                                            \
	} while (0)

static void need(int argc, int n)
{
	if (argc < n) {
		fprintf(stderr, "escape %s: %d argument(s) expected\n", action, n - 1);
		exit(2);
	}
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* --- metadata through paths ------------------------------------------------------ */

static int act_symlink(int argc, char **argv)
{
	need(argc, 3);
	RES(symlink(argv[1], argv[2]), NULL);
	return 0;
}

static int act_chmod(int argc, char **argv)
{
	need(argc, 3);
	RES(chmod(argv[1], (mode_t)strtol(argv[2], NULL, 8)), NULL);
	return 0;
}

static int act_chown(int argc, char **argv)
{
	need(argc, 3);
	uid_t u = (uid_t)atoi(argv[2]);
	RES(chown(argv[1], u, u), NULL);
	return 0;
}

static int act_setxattr(int argc, char **argv)
{
	need(argc, 2);
	RES(setxattr(argv[1], "user.vxe-escape", "1", 1, 0), NULL);
	return 0;
}

static const struct timeval old_times[2] = {{1000000000, 0}, {1000000000, 0}};

static int act_utimes(int argc, char **argv)
{
	need(argc, 2);
	RES(utimes(argv[1], old_times), NULL);
	return 0;
}

static int act_fchmodat2(int argc, char **argv)
{
	need(argc, 3);
	RES(syscall(SYS_fchmodat2, AT_FDCWD, argv[1], (mode_t)strtol(argv[2], NULL, 8), 0), NULL);
	return 0;
}

static int act_futimesat(int argc, char **argv)
{
	need(argc, 2);
	RES(syscall(SYS_futimesat, AT_FDCWD, argv[1], old_times), NULL);
	return 0;
}

static int act_mknod(int argc, char **argv)
{
	need(argc, 3);
	mode_t type = argv[2][0] == 'c' ? S_IFCHR : argv[2][0] == 'b' ? S_IFBLK : S_IFIFO;
	dev_t dev = type == S_IFCHR ? makedev(1, 3) : type == S_IFBLK ? makedev(7, 0) : 0;
	RES(mknod(argv[1], type | 0600, dev), "type=%s", argv[2]);
	return 0;
}

/* --- sockets ----------------------------------------------------------------------- */

static int act_unix(int argc, char **argv)
{
	need(argc, 2);
	const char *name = argv[1];
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t len;
	size_t n = strlen(name);
	if (n >= sizeof a.sun_path) {
		fprintf(stderr, "escape unix: name too long\n");
		return 2;
	}
	if (name[0] == '@') { /* abstract */
		memcpy(a.sun_path + 1, name + 1, n - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		memcpy(a.sun_path, name, n);
		len = sizeof a;
	}
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		RES(-1, "step=socket");
		return 0;
	}
	errno = 0;
	int rc = connect(s, (struct sockaddr *)&a, len);
	int e = errno;
	char reply = '?';
	if (rc == 0) {
		struct timeval tv = {5, 0};
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (write(s, "x", 1) != 1 || read(s, &reply, 1) != 1)
			reply = '-';
	}
	result_as(action, rc, e, "reply=%c", reply);
	close(s);
	return 0;
}

/* The supervisor checks a unix socket path that does not exist yet (its
 * directory is writable), then connects: a symlink planted in between must
 * not lead it outside. Each try uses a fresh name, since a symlink pointing
 * outside cannot be removed from inside. */
static char link_name[sizeof((struct sockaddr_un *)0)->sun_path];
static const char *link_target;
static atomic_long link_round, link_done;
static atomic_int link_stop;

/* One symlink per round, after a delay that varies over the window. */
static void *link_planter(void *unused)
{
	for (long seen = 0; !atomic_load(&link_stop);) {
		long r = atomic_load(&link_round);
		if (r == seen)
			continue;
		seen = r;
		for (volatile long spin = 0; spin < (r * 37) % 20000; spin++)
			;
		(void)!symlink(link_target, link_name);
		atomic_store(&link_done, r);
	}
	return NULL;
}

static int act_unix_race(int argc, char **argv)
{
	need(argc, 4);
	link_target = argv[2];
	long n = atol(argv[3]), reached = 0, refused = 0, other = 0;
	pthread_t t;
	if (pthread_create(&t, NULL, link_planter, NULL) != 0) {
		RES(-1, "step=pthread_create");
		return 0;
	}
	for (long i = 1; i <= n; i++) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(link_name, sizeof link_name, "%s/race%ld", argv[1], i);
		memcpy(a.sun_path, link_name, sizeof a.sun_path);
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0) {
			other++;
			continue;
		}
		atomic_store(&link_round, i);
		int rc = connect(s, (struct sockaddr *)&a, sizeof a);
		int e = errno;
		while (atomic_load(&link_done) != i)
			;
		if (rc == 0) {
			reached++;
			(void)!write(s, "R", 1);
		} else if (e == EACCES || e == EPERM) {
			refused++;
		} else {
			other++;
		}
		close(s);
	}
	atomic_store(&link_stop, 1);
	pthread_join(t, NULL);
	result_as(action, 0, 0, "n=%ld reached=%ld refused=%ld other=%ld", n, reached, refused,
		  other);
	return 0;
}

static int act_mptcp(int argc, char **argv)
{
	need(argc, 2);
	errno = 0;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (s < 0) {
		RES(-1, "step=socket");
		return 0;
	}
	struct sockaddr_in a = loopback(atoi(argv[1]));
	errno = 0;
	int rc = connect(s, (struct sockaddr *)&a, sizeof a);
	int e = errno;
	long sent = rc == 0 ? (long)send(s, "M", 1, MSG_NOSIGNAL) : -1;
	result_as(action, rc, e, "step=connect sent=%ld", sent);
	close(s);
	return 0;
}

static int udp_socket(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		RES(-1, "step=socket");
	return s;
}

static int act_udp_connect(int argc, char **argv)
{
	need(argc, 2);
	int s = udp_socket();
	if (s < 0)
		return 0;
	struct sockaddr_in a = loopback(atoi(argv[1]));
	errno = 0;
	int rc = connect(s, (struct sockaddr *)&a, sizeof a);
	int e = errno;
	long sent = rc == 0 ? (long)send(s, "C", 1, 0) : -1;
	result_as(action, rc, e, "sent=%ld", sent);
	close(s);
	return 0;
}

static int act_udp_sendto(int argc, char **argv)
{
	need(argc, 2);
	int s = udp_socket();
	if (s < 0)
		return 0;
	struct sockaddr_in a = loopback(atoi(argv[1]));
	errno = 0;
	long n = (long)sendto(s, "hello", 5, 0, (struct sockaddr *)&a, sizeof a);
	int e = errno;
	result_as(action, n, e, "n=%ld", n);
	close(s);
	return 0;
}

static int act_udp_sendmsg(int argc, char **argv)
{
	need(argc, 2);
	int s = udp_socket();
	if (s < 0)
		return 0;
	struct sockaddr_in a = loopback(atoi(argv[1]));
	struct iovec iov = {.iov_base = "hello!", .iov_len = 6};
	struct msghdr m = {
	    .msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &iov, .msg_iovlen = 1};
	errno = 0;
	long n = (long)sendmsg(s, &m, 0);
	int e = errno;
	result_as(action, n, e, "n=%ld", n);
	close(s);
	return 0;
}

/* TOCTOU on connect's sockaddr: the port flips between GOOD and BAD. */
static struct sockaddr_in race_addr __attribute__((aligned(64)));
static uint16_t race_ports[2];
static atomic_int race_stop, race_family;

static void *race_flipper(void *unused)
{
	for (unsigned i = 0; !atomic_load_explicit(&race_stop, memory_order_relaxed); i++)
		if (race_family) /* AF_UNSPEC <-> AF_INET, the port BAD */
			*(volatile sa_family_t *)&race_addr.sin_family =
			    (i & 1) ? AF_INET : AF_UNSPEC;
		else
			*(volatile uint16_t *)&race_addr.sin_port = race_ports[i & 1];
	return NULL;
}

static int act_race_connect(int argc, char **argv)
{
	need(argc, 4);
	int good = atoi(argv[1]), bad = atoi(argv[2]);
	long n = atol(argv[3]);
	const char *kind = argc > 4 ? argv[4] : "tcp";
	int type = strcmp(kind, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
	int proto = strcmp(kind, "mptcp") == 0 ? IPPROTO_MPTCP : 0;
	int tfo = strcmp(kind, "tfo") == 0;
	race_family = argc > 5 && strcmp(argv[5], "family") == 0;
	race_addr = loopback(race_family ? bad : good);
	race_ports[0] = htons((uint16_t)good);
	race_ports[1] = htons((uint16_t)bad);
	int probe = socket(AF_INET, type, proto);
	if (probe < 0) {
		RES(-1, "step=socket kind=%s", kind);
		return 0;
	}
	close(probe);
	pthread_t t;
	if (pthread_create(&t, NULL, race_flipper, NULL) != 0) {
		RES(-1, "step=pthread_create");
		return 0;
	}
	long to_good = 0, to_bad = 0, refused = 0, other = 0;
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, type | SOCK_CLOEXEC, proto);
		if (s < 0) {
			other++;
			continue;
		}
		int rc = tfo ? (int)sendto(s, "RACE-TFO", 8, MSG_FASTOPEN | MSG_NOSIGNAL,
					   (struct sockaddr *)&race_addr, sizeof race_addr)
			     : connect(s, (struct sockaddr *)&race_addr, sizeof race_addr);
		if (tfo && rc > 0)
			rc = 0;
		if (rc == 0) {
			struct sockaddr_in peer;
			socklen_t l = sizeof peer;
			if (getpeername(s, (struct sockaddr *)&peer, &l) < 0) /* AF_UNSPEC: none */
				other++;
			else if (peer.sin_port == race_ports[1]) {
				to_bad++;
				(void)!send(s, "RACE-WON", 8, MSG_NOSIGNAL);
			} else {
				to_good++;
			}
		} else if (errno == EACCES || errno == EPERM) {
			refused++;
		} else {
			other++;
		}
		close(s);
	}
	atomic_store(&race_stop, 1);
	pthread_join(t, NULL);
	result_as(action, 0, 0, "kind=%s n=%ld good=%ld bad=%ld refused=%ld other=%ld", kind, n,
		  to_good, to_bad, refused, other);
	return 0;
}

/* --- the supervisor, from inside (soft mode) --------------------------------------- */

static const char forged[] = "{\"v\":1,\"vxed\":\"forged\",\"action\":\"FORGED-BY-CONFINED\"}\n";

static int act_procmem(int argc, char **argv)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/mem", (int)getppid());
	errno = 0;
	int fd = open(p, O_RDWR | O_CLOEXEC);
	int e = errno;
	if (fd >= 0)
		close(fd);
	result_as(action, fd, e, "path=%s", p);
	return 0;
}

static int act_procfd(int argc, char **argv)
{
	need(argc, 3);
	int from = atoi(argv[1]), to = atoi(argv[2]);
	pid_t pp = getppid();
	for (int n = from; n <= to; n++) {
		char p[64], name[32];
		snprintf(p, sizeof p, "/proc/%d/fd/%d", (int)pp, n);
		snprintf(name, sizeof name, "procfd_%d", n);
		errno = 0;
		int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
		int e = errno;
		long w = -1;
		if (fd >= 0) {
			w = (long)write(fd, forged, sizeof forged - 1);
			close(fd);
		}
		result_as(name, fd, e, "path=%s written=%ld", p, w);
	}
	return 0;
}

static int act_kill(int argc, char **argv)
{
	need(argc, 2);
	pid_t pp = getppid();
	if (pp <= 1) { /* never init */
		RES(-1, "step=getppid");
		return 0;
	}
	RES(kill(pp, atoi(argv[1])), "ppid=%d", (int)pp);
	return 0;
}

static int act_sigio(int argc, char **argv)
{
	need(argc, 2);
	pid_t pp = getppid();
	int p[2];
	if (pp <= 1 || pipe(p) < 0) {
		RES(-1, "step=pipe");
		return 0;
	}
	int a = fcntl(p[0], F_SETOWN, pp), ae = errno;
	int b = fcntl(p[0], F_SETSIG, atoi(argv[1])), be = errno;
	int c = fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK), ce = errno;
	(void)!write(p[1], "x", 1);
	usleep(300000);
	(void)ae, (void)be, (void)ce;
	result_as(action, a < 0 || b < 0 || c < 0 ? -1 : 0,
		  a < 0	  ? ae
		  : b < 0 ? be
			  : ce,
		  "setown=%d setsig=%d async=%d ppid_now=%d", a, b, c, (int)getppid());
	return 0;
}

static int act_unmount_log(int argc, char **argv)
{
	need(argc, 2);
	errno = 0;
	int u = umount2(argv[1], MNT_DETACH);
	result_as("unmount_log_umount", u, errno, NULL);
	errno = 0;
	int fd = open(argv[1], O_WRONLY | O_TRUNC | O_CLOEXEC);
	int e = errno;
	long w = -1;
	if (fd >= 0) {
		w = (long)write(fd, forged, sizeof forged - 1);
		close(fd);
	}
	result_as("unmount_log_open", fd, e, "written=%ld", w);
	return 0;
}

/* --- the supervisor's own opens ----------------------------------------------------- */

static pid_t open_in_child(const char *name, const char *path)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	alarm(20); /* never outlive the test */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int e = errno;
	result_as(name, fd, e, "ms=%ld", ms_since(&t0));
	_exit(0);
}

static int act_fifo(int argc, char **argv)
{
	need(argc, 3);
	pid_t a = open_in_child("fifo_open", argv[1]);
	usleep(300000);
	pid_t b = open_in_child("other_open", argv[2]);
	waitpid(b, NULL, 0);
	waitpid(a, NULL, 0);
	return 0;
}

static int act_read(int argc, char **argv)
{
	need(argc, 2);
	for (int i = 1; i < argc; i++) {
		char name[32];
		snprintf(name, sizeof name, "read_%d", i);
		errno = 0;
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		int e = errno;
		if (fd < 0) {
			result_as(name, -1, e, "path=%s", argv[i]);
			continue;
		}
		unsigned char buf[32];
		char hex[sizeof buf * 2 + 1] = "";
		ssize_t n = read(fd, buf, sizeof buf);
		for (ssize_t k = 0; k < n; k++)
			sprintf(hex + 2 * k, "%02x", buf[k]);
		close(fd);
		result_as(name, 0, 0, "path=%s data=%s", argv[i], hex);
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} actions[] = {
    {"symlink", act_symlink},
    {"chmod", act_chmod},
    {"chown", act_chown},
    {"setxattr", act_setxattr},
    {"utimes", act_utimes},
    {"fchmodat2", act_fchmodat2},
    {"futimesat", act_futimesat},
    {"mknod", act_mknod},
    {"unix", act_unix},
    {"unix_race", act_unix_race},
    {"mptcp", act_mptcp},
    {"udp_connect", act_udp_connect},
    {"udp_sendto", act_udp_sendto},
    {"udp_sendmsg", act_udp_sendmsg},
    {"race_connect", act_race_connect},
    {"procmem", act_procmem},
    {"procfd", act_procfd},
    {"kill", act_kill},
    {"sigio", act_sigio},
    {"unmount_log", act_unmount_log},
    {"fifo", act_fifo},
    {"read", act_read},
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: escape ACTION [ARGS...]\n");
		return 2;
	}
	action = argv[1];
	const char *cd = getenv("ESCAPE_CHDIR");
	if (cd && chdir(cd) < 0) {
		perror("escape: chdir");
		return 2;
	}
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].name, action) == 0)
			return actions[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "escape: unknown action '%s'\n", action);
	return 2;
}

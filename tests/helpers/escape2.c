/* escape2 — the second red-team round's escapes (R2-1..R2-10 of "Second
 * red-team round: performed calls act as the program, never as the
 * supervisor"), one per action, for tests/live/redteam2.t, which runs it
 * inside a VXE with `vxe run` and asserts each one fails (and is logged
 * where VXE logs it), and that the permitted counterpart still works.
 *
 *   escape2 ACTION [ARGS...]
 *
 * prints, like tests/helpers/escape.c, one line per attempt:
 *
 *   RESULT NAME ok [DETAILS]
 *   RESULT NAME errno=ENAME [DETAILS]
 *
 * and exits 0. Every action is harmless when it succeeds: targets are files
 * in the test's temp dir, listeners are the test's own unix sockets there,
 * and /proc entries are only read (a /proc/PID/mem that opens is closed at
 * once, never read or written).
 *
 * Actions:
 *   open MODE PATH...        open each (MODE r: O_RDONLY, rw: O_RDWR, wt:
 *                            O_WRONLY|O_TRUNC, then a forged log record is
 *                            written); results open_1, open_2...; a word
 *                            PPID in PATH is replaced by getppid(); with r,
 *                            a "Pid:" line read from the file is reported as
 *                            pid=, next to self= (getpid())
 *   unix PATH [stream|dgram] connect a unix stream socket to PATH, send 'x'
 *                            and report the first word of the reply
 *                            (reply=), or sendto a datagram "hello";
 *                            uid= is getuid()
 *   udp PORT                 sendto 127.0.0.1:PORT the datagram "hello"
 *   unix_len LEN PATH [THEN] connect with addrlen LEN: PATH, its NUL, then
 *                            'A' up to 256 bytes; then (THEN given) an
 *                            ordinary connect to THEN (result unix_after)
 *   unix_flip PATH N         a thread flips sun_path[0] between '\0' and
 *                            '/' while N connects to PATH run; reports how
 *                            many connected (connected=)
 *   chmod_race NAME VICTIM N a thread plants NAME -> VICTIM and removes it
 *                            again, while chmod(NAME, 0777) runs N times;
 *                            reports the outcomes, and changed=1 if VICTIM
 *                            was seen with mode 0777
 *   mknodat PATH c|b|p       raw mknodat(AT_FDCWD): char (1,3), block
 *                            (7,0), or a FIFO
 *   stall PATH OPEN...       listen on PATH with a backlog of 0, never
 *                            accept; a forked sibling opens each OPEN
 *                            read-only 500 ms later (sibling_I, ms=), while
 *                            two blocking connects run (connect_1,
 *                            connect_2, ms=); everything bounded by alarm
 *   bind_mount DIR MNT NAME  mount(DIR, MNT, MS_BIND); if that worked, open
 *                            MNT/NAME O_RDWR|O_TRUNC and write a forgery
 *                            (result bind_open), then umount2(MNT)
 *   handle PATH DIR          name_to_handle_at(PATH) (result handle_name),
 *                            open_by_handle_at(DIR's fd, O_RDWR), and a
 *                            forgery written if it opened
 *
 * With ESCAPE2_THREAD=1 in the environment, the action runs in a second
 * thread (the supervisor then sees a thread id, not the process id).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
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
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static void need(int argc, int n)
{
	if (argc < n) {
		fprintf(stderr, "escape2 %s: %d argument(s) expected\n", action, n - 1);
		exit(2);
	}
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static const char forged[] = "{\"v\":1,\"vxed\":\"forged\",\"action\":\"FORGED-BY-CONFINED\"}\n";

/* --- opens performed by the supervisor ---------------------------------------------- */

static int act_open(int argc, char **argv)
{
	need(argc, 3);
	const char *mode = argv[1];
	int flags = strcmp(mode, "rw") == 0   ? O_RDWR
		    : strcmp(mode, "wt") == 0 ? O_WRONLY | O_TRUNC
					      : O_RDONLY;
	for (int i = 2; i < argc; i++) {
		char path[256], name[32];
		const char *pp = strstr(argv[i], "PPID");
		if (pp)
			snprintf(path, sizeof path, "%.*s%d%s", (int)(pp - argv[i]), argv[i],
				 (int)getppid(), pp + 4);
		else
			snprintf(path, sizeof path, "%s", argv[i]);
		snprintf(name, sizeof name, "open_%d", i - 1);
		errno = 0;
		int fd = open(path, flags | O_CLOEXEC);
		int e = errno;
		if (fd < 0) {
			result_as(name, -1, e, "path=%s", path);
			continue;
		}
		long pid = -1, written = -1;
		if (flags == O_RDONLY) {
			char buf[4096];
			ssize_t n = read(fd, buf, sizeof buf - 1);
			buf[n > 0 ? n : 0] = 0;
			const char *p = strstr(buf, "\nPid:");
			if (p)
				pid = strtol(p + 5, NULL, 10);
		} else if (flags & O_TRUNC) {
			written = (long)write(fd, forged, sizeof forged - 1);
		}
		close(fd);
		result_as(name, 0, 0, "path=%s pid=%ld self=%d written=%ld", path, pid,
			  (int)getpid(), written);
	}
	return 0;
}

/* --- unix sockets, made by the supervisor's child --------------------------------- */

static int act_unix(int argc, char **argv)
{
	need(argc, 2);
	bool dgram = argc > 2 && strcmp(argv[2], "dgram") == 0;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(argv[1]) >= sizeof a.sun_path) {
		fprintf(stderr, "escape2 unix: name too long\n");
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	int s = socket(AF_UNIX, (dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (s < 0) {
		result_as(action, -1, errno, "step=socket");
		return 0;
	}
	errno = 0;
	if (dgram) {
		long n = (long)sendto(s, "hello", 5, 0, (struct sockaddr *)&a, sizeof a);
		result_as(action, n, errno, "n=%ld uid=%d", n, (int)getuid());
		close(s);
		return 0;
	}
	int rc = connect(s, (struct sockaddr *)&a, sizeof a);
	int e = errno;
	char reply[64] = "-";
	if (rc == 0) {
		struct timeval tv = {5, 0};
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		ssize_t n = write(s, "x", 1) == 1 ? read(s, reply, sizeof reply - 1) : -1;
		reply[n > 0 ? n : 0] = 0;
		reply[strcspn(reply, " \n")] = 0;
		if (!reply[0])
			strcpy(reply, "-");
	}
	result_as(action, rc, e, "reply=%s uid=%d", reply, (int)getuid());
	close(s);
	return 0;
}

static int act_udp(int argc, char **argv)
{
	need(argc, 2);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	errno = 0;
	long n = (long)sendto(s, "hello", 5, 0, (struct sockaddr *)&a, sizeof a);
	result_as(action, n, errno, "n=%ld", n);
	close(s);
	return 0;
}

static int act_unix_len(int argc, char **argv)
{
	need(argc, 3);
	unsigned char buf[256];
	memset(buf, 'A', sizeof buf);
	struct sockaddr_un *a = (struct sockaddr_un *)buf;
	a->sun_family = AF_UNIX;
	size_t n = strlen(argv[2]);
	if (n >= sizeof a->sun_path) {
		fprintf(stderr, "escape2 unix_len: name too long\n");
		return 2;
	}
	memcpy(a->sun_path, argv[2], n + 1);
	int len = atoi(argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	errno = 0;
	int rc = connect(s, (struct sockaddr *)buf, (socklen_t)len);
	result_as(action, rc, errno, "len=%d", len);
	close(s);
	if (argc > 3) {
		struct sockaddr_un b = {.sun_family = AF_UNIX};
		snprintf(b.sun_path, sizeof b.sun_path, "%s", argv[3]);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		errno = 0;
		rc = connect(s, (struct sockaddr *)&b, sizeof b);
		result_as("unix_after", rc, errno, "path=%s", argv[3]);
		close(s);
	}
	return 0;
}

/* sun_path[0] flips between '\0' (an abstract name, not a path) and '/'. */
static struct sockaddr_un flip_addr;
static atomic_int flip_stop;

static void *flipper(void *unused)
{
	unsigned r = 1;
	while (!atomic_load_explicit(&flip_stop, memory_order_relaxed)) {
		((volatile char *)flip_addr.sun_path)[0] = 0;
		r = r * 1103515245 + 12345;
		for (volatile unsigned k = 0; k < (r >> 16) % 3000; k++)
			;
		((volatile char *)flip_addr.sun_path)[0] = '/';
		for (volatile unsigned k = 0; k < 750; k++)
			;
	}
	return NULL;
}

static int act_unix_flip(int argc, char **argv)
{
	need(argc, 3);
	flip_addr.sun_family = AF_UNIX;
	if (argv[1][0] != '/' || strlen(argv[1]) >= sizeof flip_addr.sun_path) {
		fprintf(stderr, "escape2 unix_flip: an absolute path that fits expected\n");
		return 2;
	}
	strcpy(flip_addr.sun_path, argv[1]);
	long n = atol(argv[2]), connected = 0, refused = 0, other = 0;
	pthread_t t;
	if (pthread_create(&t, NULL, flipper, NULL) != 0) {
		result_as(action, -1, errno, "step=pthread_create");
		return 0;
	}
	for (long i = 0; i < n; i++) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0) {
			other++;
			continue;
		}
		if (connect(s, (struct sockaddr *)&flip_addr, sizeof flip_addr) == 0) {
			connected++;
			(void)!write(s, "F", 1);
		} else if (errno == EACCES || errno == EPERM) {
			refused++;
		} else {
			other++;
		}
		close(s);
	}
	atomic_store(&flip_stop, 1);
	pthread_join(t, NULL);
	result_as(action, 0, 0, "n=%ld connected=%ld refused=%ld other=%ld", n, connected, refused,
		  other);
	return 0;
}

/* --- metadata through a name that is missing at the check -------------------------- */

static const char *race_name, *race_victim;
static atomic_int race_stop;

static void *planter(void *unused)
{
	while (!atomic_load_explicit(&race_stop, memory_order_relaxed)) {
		(void)!symlink(race_victim, race_name);
		for (volatile int k = 0; k < 3000; k++)
			;
		(void)!unlink(race_name);
		for (volatile int k = 0; k < 3000; k++)
			;
	}
	return NULL;
}

static int act_chmod_race(int argc, char **argv)
{
	need(argc, 4);
	race_name = argv[1];
	race_victim = argv[2];
	long n = atol(argv[3]), ok = 0, enoent = 0, eacces = 0, other = 0;
	int changed = 0;
	pthread_t t;
	if (pthread_create(&t, NULL, planter, NULL) != 0) {
		result_as(action, -1, errno, "step=pthread_create");
		return 0;
	}
	for (long i = 0; i < n && !changed; i++) {
		if (chmod(race_name, 0777) == 0)
			ok++;
		else if (errno == ENOENT)
			enoent++;
		else if (errno == EACCES)
			eacces++;
		else
			other++;
		struct stat st;
		if (stat(race_victim, &st) == 0 && (st.st_mode & 0777) == 0777)
			changed = 1;
	}
	atomic_store(&race_stop, 1);
	pthread_join(t, NULL);
	result_as(action, 0, 0, "n=%ld ok=%ld enoent=%ld eacces=%ld other=%ld changed=%d", n, ok,
		  enoent, eacces, other, changed);
	return 0;
}

static int act_mknodat(int argc, char **argv)
{
	need(argc, 3);
	mode_t type = argv[2][0] == 'c' ? S_IFCHR : argv[2][0] == 'b' ? S_IFBLK : S_IFIFO;
	dev_t dev = type == S_IFCHR ? makedev(1, 3) : type == S_IFBLK ? makedev(7, 0) : 0;
	errno = 0;
	long rc = syscall(SYS_mknodat, AT_FDCWD, argv[1], type | 0600, dev);
	result_as(action, rc, errno, "type=%s", argv[2]);
	return 0;
}

/* --- a full backlog ---------------------------------------------------------------- */

static int act_stall(int argc, char **argv)
{
	need(argc, 2);
	alarm(25); /* never outlive the test */
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
	unlink(argv[1]);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 0) < 0) {
		result_as(action, -1, errno, "step=listen");
		return 0;
	}
	pid_t sib = fork();
	if (sib == 0) { /* a sibling in the same VXE doing ordinary checked calls */
		alarm(20);
		usleep(500000);
		for (int i = 2; i < argc; i++) {
			char name[32];
			snprintf(name, sizeof name, "sibling_%d", i - 1);
			struct timespec t0;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			errno = 0;
			int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
			int e = errno;
			result_as(name, fd, e, "ms=%ld", ms_since(&t0));
			if (fd >= 0)
				close(fd);
		}
		_exit(0);
	}
	int keep[2] = {-1, -1};
	for (int i = 0; i < 2; i++) {
		char name[32];
		snprintf(name, sizeof name, "connect_%d", i + 1);
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		errno = 0;
		int rc = connect(s, (struct sockaddr *)&a, sizeof a);
		result_as(name, rc, errno, "ms=%ld", ms_since(&t0));
		keep[i] = s; /* the first one holds the backlog */
	}
	if (sib > 0)
		waitpid(sib, NULL, 0);
	close(keep[0]);
	close(keep[1]);
	close(l);
	unlink(argv[1]);
	return 0;
}

/* --- the log, from inside (soft mode) --------------------------------------------- */

static void forge(const char *name, int fd, int err)
{
	long w = -1;
	if (fd >= 0) {
		w = (long)write(fd, forged, sizeof forged - 1);
		close(fd);
	}
	result_as(name, fd, err, "written=%ld", w);
}

static int act_bind_mount(int argc, char **argv)
{
	need(argc, 4);
	errno = 0;
	int rc = mount(argv[1], argv[2], NULL, MS_BIND, NULL);
	result_as(action, rc, errno, "src=%s", argv[1]);
	if (rc == 0) {
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", argv[2], argv[3]);
		errno = 0;
		int fd = open(p, O_RDWR | O_TRUNC | O_CLOEXEC);
		forge("bind_open", fd, errno);
		umount2(argv[2], MNT_DETACH);
	}
	return 0;
}

static int act_handle(int argc, char **argv)
{
	need(argc, 3);
	struct {
		struct file_handle h;
		unsigned char b[128];
	} fh = {.h = {.handle_bytes = 128}};
	int mnt;
	errno = 0;
	int rc = name_to_handle_at(AT_FDCWD, argv[1], &fh.h, &mnt, 0);
	result_as("handle_name", rc, errno, "bytes=%u", fh.h.handle_bytes);
	if (rc < 0)
		return 0;
	int dfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	errno = 0;
	int fd = open_by_handle_at(dfd, &fh.h, O_RDWR | O_CLOEXEC);
	forge(action, fd, errno);
	if (dfd >= 0)
		close(dfd);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} actions[] = {
    {"open", act_open},		{"unix", act_unix},	      {"udp", act_udp},
    {"unix_len", act_unix_len}, {"unix_flip", act_unix_flip}, {"chmod_race", act_chmod_race},
    {"mknodat", act_mknodat},	{"stall", act_stall},	      {"bind_mount", act_bind_mount},
    {"handle", act_handle},
};

struct job {
	int (*fn)(int, char **);
	int argc;
	char **argv;
	int rc;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	j->rc = j->fn(j->argc, j->argv);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: escape2 ACTION [ARGS...]\n");
		return 2;
	}
	action = argv[1];
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].name, action) == 0) {
			struct job j = {actions[i].fn, argc - 1, argv + 1, 0};
			const char *th = getenv("ESCAPE2_THREAD");
			pthread_t t;
			if (!th || strcmp(th, "1") != 0 ||
			    pthread_create(&t, NULL, run_job, &j) != 0)
				return j.fn(j.argc, j.argv);
			pthread_join(t, NULL);
			return j.rc;
		}
	fprintf(stderr, "escape2: unknown action '%s'\n", action);
	return 2;
}

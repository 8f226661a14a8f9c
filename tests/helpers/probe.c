/* probe — performs one named action and says how it went, for the live tests
 * (the tests/live scripts), which run it inside a VXE with `vxe run`.
 *
 *   probe ACTION [ARGS...]
 *
 * prints one line per attempt on standard output:
 *
 *   RESULT ACTION ok [DETAILS]
 *   RESULT ACTION errno=ENAME [DETAILS]
 *
 * and exits 0 (the result is the line, not the status), except `exit N` and
 * `signal N`. Each action is harmless when it succeeds (as root, in soft
 * mode): mounts are undone, a ptrace attach is detached, module and kexec
 * arguments are garbage the kernel rejects after its permission check.
 *
 * Actions (see the table at the end):
 *   getpid N                 N getpid calls
 *   getppid N                N getppid calls (the flood: unlisted in the tests' policies)
 *   open PATH r|w|c|rw       open; r/rw print data=HEX of the first 64 bytes
 *   exec PATH [ARGS]         execve
 *   socket DOMAIN TYPE       inet|inet6|unix|packet|netlink|N, stream|dgram|raw|N
 *   connect PORT / bind PORT tcp on 127.0.0.1
 *   ptrace PID               PTRACE_ATTACH (then detach)
 *   vmwrite [PID]            process_vm_writev (default: itself)
 *   mount DIR                tmpfs on DIR (then unmounted)
 *   unshare_user             unshare(CLONE_NEWUSER)
 *   clone_newuser            raw clone(CLONE_NEWUSER|SIGCHLD)
 *   clone3                   raw clone3 (a VXE answers ENOSYS)
 *   io_uring bpf perf init_module finit_module kexec_load open_by_handle_at
 *   keyctl userfaultfd       one call each, with arguments the kernel rejects
 *   tiocsti / tiocsti_high   ioctl TIOCSTI on a pty, request 0x5412 / 0x100005412
 *   tiocgwinsz               an ordinary ioctl on a pty
 *   int80                    i386 getpid through int 0x80
 *   x32                      getpid with the x32 bit (nr | 0x40000000)
 *   nnp_off                  prctl(PR_SET_NO_NEW_PRIVS, 0)
 *   drop_filter              stack an allow-all filter, then unshare(CLONE_NEWUSER)
 *   setuid0                  setuid(0), then unshare(CLONE_NEWUSER)
 *   procmem PID              open /proc/PID/mem read-write
 *   killsup [wait]           SIGKILL the parent (the supervisor), or wait until
 *                            someone does, then getuid and unshare(CLONE_NEWUSER)
 *   fork50                   50 children each try unshare(CLONE_NEWUSER)
 *   race GOOD BAD N          a thread flips a path buffer between GOOD and BAD
 *                            (same length) while N opens run; counts how often
 *                            BAD's content was read (leaked=)
 *   longpath                 open a 5000-byte path
 *   badptr                   open an unmapped path pointer
 *   crosspage                open a path running into an unmapped page
 *   raw NR [ARGS...]         syscall(NR, ARGS...), numbers in C syntax
 *   exit N / signal N        exit with N / die of signal N
 *   cat                      copy standard input to standard output
 *   sleep SECONDS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *action;

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static void result(long rc, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void result(long rc, int err, const char *fmt, ...)
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
		printf("RESULT %s errno=%s%s\n", action, ename(err), extra);
	else
		printf("RESULT %s ok%s\n", action, extra);
	fflush(stdout);
}

/* The outcome of expr, with errno read after it (not as an argument next to
 * it, whose order of evaluation C leaves open). */
#define RES(expr, ...)                                                                             \
	do {                                                                                       \
		long r_ = (expr);                                                                  \
		int e_ = errno;                                                                    \
		result(r_, e_, __VA_ARGS__);                                                       \
	} while (0)

/* A raw syscall's outcome as rc/errno (glibc's syscall() sets errno). */
#define RAW(...)                                                                                   \
	({                                                                                         \
		errno = 0;                                                                         \
		long r_ = syscall(__VA_ARGS__);                                                    \
		r_;                                                                                \
	})

static int need(int argc, int n)
{
	if (argc < n) {
		fprintf(stderr, "probe %s: %d argument(s) expected\n", action, n - 1);
		exit(2);
	}
	return 0;
}

static int act_getpid(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	result(0, 0, "n=%ld", n);
	return 0;
}

static int act_getppid(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1, fails = 0;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_getppid) < 0)
			fails++;
	result(0, 0, "n=%ld fails=%ld", n, fails);
	return 0;
}

static int open_flags(const char *m)
{
	if (strcmp(m, "r") == 0)
		return O_RDONLY;
	if (strcmp(m, "w") == 0)
		return O_WRONLY;
	if (strcmp(m, "rw") == 0)
		return O_RDWR;
	if (strcmp(m, "c") == 0)
		return O_WRONLY | O_CREAT | O_TRUNC;
	return atoi(m);
}

static int act_open(int argc, char **argv)
{
	need(argc, 2);
	int flags = argc > 2 ? open_flags(argv[2]) : O_RDONLY;
	int fd = open(argv[1], flags | O_CLOEXEC, 0600);
	if (fd < 0) {
		RES(-1, NULL);
		return 0;
	}
	if ((flags & O_ACCMODE) != O_WRONLY) {
		unsigned char buf[64];
		char hex[sizeof buf * 2 + 1] = "";
		ssize_t n = read(fd, buf, sizeof buf);
		for (ssize_t i = 0; i < n; i++)
			sprintf(hex + 2 * i, "%02x", buf[i]);
		result(0, 0, "fd=%d data=%s", fd, hex);
	} else {
		result(0, 0, "fd=%d", fd);
	}
	close(fd);
	return 0;
}

static int act_exec(int argc, char **argv)
{
	need(argc, 2);
	extern char **environ;
	execve(argv[1], argv + 1, environ);
	RES(-1, NULL);
	return 0;
}

static int act_socket(int argc, char **argv)
{
	need(argc, 3);
	static const struct {
		const char *n;
		int v;
	} names[] = {{"inet", AF_INET},	    {"inet6", AF_INET6},     {"unix", AF_UNIX},
		     {"packet", AF_PACKET}, {"netlink", AF_NETLINK}, {"stream", SOCK_STREAM},
		     {"dgram", SOCK_DGRAM}, {"raw", SOCK_RAW}};
	int v[2];
	for (int i = 0; i < 2; i++) {
		v[i] = atoi(argv[1 + i]);
		for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
			if (strcmp(names[k].n, argv[1 + i]) == 0)
				v[i] = names[k].v;
	}
	int fd = socket(v[0], v[1], 0);
	RES(fd, NULL);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int act_net(int argc, char **argv)
{
	need(argc, 2);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		RES(-1, "step=socket");
		return 0;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int rc = strcmp(action, "bind") == 0 ? bind(fd, (struct sockaddr *)&sa, sizeof sa)
					     : connect(fd, (struct sockaddr *)&sa, sizeof sa);
	RES(rc, NULL);
	close(fd);
	return 0;
}

static int act_ptrace(int argc, char **argv)
{
	need(argc, 2);
	pid_t pid = atoi(argv[1]);
	long rc = ptrace(PTRACE_ATTACH, pid, 0, 0);
	int e = errno;
	if (rc == 0) {
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	result(rc, e, NULL);
	return 0;
}

static int act_vmwrite(int argc, char **argv)
{
	pid_t pid = argc > 1 ? atoi(argv[1]) : getpid();
	static char target[16] = "before", src[16] = "after";
	struct iovec l = {src, sizeof src}, r = {target, sizeof target};
	long rc = process_vm_writev(pid, &l, 1, &r, 1, 0);
	RES(rc, NULL);
	return 0;
}

static int act_mount(int argc, char **argv)
{
	need(argc, 2);
	int rc = mount("vxe-probe", argv[1], "tmpfs", MS_NOSUID | MS_NODEV, "size=64k");
	int e = errno;
	if (rc == 0)
		umount2(argv[1], MNT_DETACH);
	result(rc, e, NULL);
	return 0;
}

static int act_unshare_user(int argc, char **argv)
{
	RES(unshare(CLONE_NEWUSER), NULL);
	return 0;
}

static int act_clone_newuser(int argc, char **argv)
{
	long rc = RAW(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0UL, 0UL, 0UL, 0UL);
	if (rc == 0)
		syscall(SYS_exit, 0);
	int e = errno;
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	result(rc, e, NULL);
	return 0;
}

static int act_clone3(int argc, char **argv)
{
	struct clone_args ca = {.exit_signal = SIGCHLD};
	long rc = RAW(SYS_clone3, &ca, sizeof ca);
	if (rc == 0)
		syscall(SYS_exit, 0);
	int e = errno;
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	result(rc, e, NULL);
	return 0;
}

static int act_io_uring(int argc, char **argv)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	long rc = RAW(SYS_io_uring_setup, 4, &p);
	int e = errno;
	if (rc >= 0)
		close((int)rc);
	result(rc, e, NULL);
	return 0;
}

static int act_bpf(int argc, char **argv)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	long rc = RAW(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
	int e = errno;
	if (rc >= 0)
		close((int)rc);
	result(rc, e, NULL);
	return 0;
}

static int act_perf(int argc, char **argv)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.disabled = 1;
	long rc = RAW(SYS_perf_event_open, &a, 0, -1, -1, 0);
	int e = errno;
	if (rc >= 0)
		close((int)rc);
	result(rc, e, NULL);
	return 0;
}

static int act_init_module(int argc, char **argv)
{
	static const char junk[64] = "not an ELF module";
	RES(RAW(SYS_init_module, junk, sizeof junk, ""), NULL);
	return 0;
}

static int act_finit_module(int argc, char **argv)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	RES(RAW(SYS_finit_module, fd, "", 0), NULL);
	return 0;
}

static int act_kexec_load(int argc, char **argv)
{
	/* Unknown flags: EINVAL after the CAP_SYS_BOOT check, never a load. */
	RES(RAW(SYS_kexec_load, 0UL, 0UL, NULL, 0xdead0000UL), NULL);
	return 0;
}

static int act_open_by_handle_at(int argc, char **argv)
{
	struct {
		struct file_handle h;
		unsigned char b[8];
	} fh = {.h = {.handle_bytes = 8, .handle_type = 1}};
	long rc = RAW(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY);
	int e = errno;
	if (rc >= 0)
		close((int)rc);
	result(rc, e, NULL);
	return 0;
}

static int act_keyctl(int argc, char **argv)
{
	RES(RAW(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0), NULL);
	return 0;
}

static int act_userfaultfd(int argc, char **argv)
{
	long rc = RAW(SYS_userfaultfd, O_CLOEXEC);
	int e = errno;
	if (rc >= 0)
		close((int)rc);
	result(rc, e, NULL);
	return 0;
}

static int open_pty(void)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0 && (grantpt(fd) < 0 || unlockpt(fd) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int act_ioctl(int argc, char **argv)
{
	int fd = open_pty();
	if (fd < 0) {
		RES(-1, "step=posix_openpt");
		return 0;
	}
	unsigned long req = strcmp(action, "tiocsti") == 0	  ? (unsigned long)TIOCSTI
			    : strcmp(action, "tiocsti_high") == 0 ? 0x100000000UL | TIOCSTI
								  : (unsigned long)TIOCGWINSZ;
	struct winsize ws;
	char c = ' ';
	void *arg = req == TIOCGWINSZ ? (void *)&ws : (void *)&c;
	RES(RAW(SYS_ioctl, fd, req, arg), "request=0x%lx", req);
	close(fd);
	return 0;
}

static int act_int80(int argc, char **argv)
{
	long ret;
	/* i386 getpid is 20. */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
	if (ret < 0 && ret > -4096)
		result(-1, (int)-ret, NULL);
	else
		result(0, 0, "pid=%ld", ret);
	return 0;
}

static int act_x32(int argc, char **argv)
{
	RES(RAW(0x40000000 | SYS_getpid), NULL);
	return 0;
}

static int act_nnp_off(int argc, char **argv)
{
	RES(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), "nnp=%d",
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	return 0;
}

/* Filters stack and the strictest answer wins: an allow-all filter added
 * on top must change nothing. */
static int act_drop_filter(int argc, char **argv)
{
	struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {.len = 1, .filter = allow};
	long rc = RAW(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	RES(rc, "step=seccomp");
	action = "drop_filter_then_unshare";
	RES(unshare(CLONE_NEWUSER), NULL);
	return 0;
}

static int act_setuid0(int argc, char **argv)
{
	RES(setuid(0), "step=setuid uid=%d", (int)getuid());
	action = "setuid0_then_unshare";
	RES(unshare(CLONE_NEWUSER), NULL);
	return 0;
}

static int act_procmem(int argc, char **argv)
{
	need(argc, 2);
	char p[64];
	snprintf(p, sizeof p, "/proc/%s/mem", argv[1]);
	int fd = open(p, O_RDWR | O_CLOEXEC);
	int e = errno;
	if (fd >= 0)
		close(fd);
	result(fd, e, NULL);
	return 0;
}

static int act_killsup(int argc, char **argv)
{
	pid_t sup = (pid_t)syscall(SYS_getppid);
	if (sup <= 1) { /* never kill(-1) or init */
		RES(-1, "step=getppid sup=%d", (int)sup);
		return 0;
	}
	int killed = 1;
	if (argc > 1 && strcmp(argv[1], "wait") == 0) {
		/* Someone outside kills it (Landlock's signal scope keeps a
		 * production VXE from doing so itself). */
		result(0, 0, "step=wait sup=%d", (int)sup);
	} else {
		int rc = kill(sup, SIGKILL);
		int e = errno;
		killed = rc == 0;
		result(rc, e, "step=kill sup=%d", (int)sup);
	}
	/* Until the supervisor is really gone, a notification would still be
	 * answered; wait for the reparenting. */
	for (int i = 0; killed && i < 3000 && (pid_t)syscall(SYS_getppid) == sup; i++)
		usleep(10000);
	action = "killsup_getuid";
	RES(RAW(SYS_getuid), NULL);
	action = "killsup_unshare";
	RES(unshare(CLONE_NEWUSER), NULL);
	return 0;
}

static int act_fork50(int argc, char **argv)
{
	int denied = 0, allowed = 0, lost = 0;
	for (int i = 0; i < 50; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
		if (pid < 0) {
			lost++;
			continue;
		}
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			lost++;
		else if (WEXITSTATUS(st) == 0)
			allowed++;
		else
			denied++;
	}
	result(0, 0, "denied=%d allowed=%d lost=%d", denied, allowed, lost);
	return 0;
}

/* TOCTOU: the path the supervisor checks and the one the kernel opens must
 * be the same, however the buffer changes in between. */
static char race_buf[4096] __attribute__((aligned(64)));
static const char *race_paths[2];
static atomic_int race_stop;

static void *race_flipper(void *unused)
{
	size_t len = strlen(race_paths[0]) + 1;
	for (unsigned i = 0; !atomic_load_explicit(&race_stop, memory_order_relaxed); i++)
		memcpy(race_buf, race_paths[i & 1], len);
	return NULL;
}

static int act_race(int argc, char **argv)
{
	need(argc, 4);
	race_paths[0] = argv[1];
	race_paths[1] = argv[2];
	if (strlen(argv[1]) != strlen(argv[2]) || strlen(argv[1]) >= sizeof race_buf) {
		fprintf(stderr, "probe race: GOOD and BAD must have the same length\n");
		return 2;
	}
	/* The first bytes of BAD's content tell a leak. */
	char bad[16] = "", good[16] = "";
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	int bad_readable = fd >= 0;
	if (fd >= 0) {
		(void)!read(fd, bad, sizeof bad - 1);
		close(fd);
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!read(fd, good, sizeof good - 1);
		close(fd);
	}
	memcpy(race_buf, argv[1], strlen(argv[1]) + 1);
	pthread_t t;
	if (pthread_create(&t, NULL, race_flipper, NULL) != 0) {
		RES(-1, "step=pthread_create");
		return 0;
	}
	long n = atol(argv[3]), opened = 0, leaked = 0, failed = 0;
	for (long i = 0; i < n; i++) {
		fd = open(race_buf, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			failed++;
			continue;
		}
		opened++;
		char got[16] = "";
		(void)!read(fd, got, sizeof got - 1);
		close(fd);
		if (strcmp(got, good) != 0)
			leaked++;
	}
	atomic_store(&race_stop, 1);
	pthread_join(t, NULL);
	result(0, 0, "opened=%ld failed=%ld leaked=%ld bad_readable_directly=%d", opened, failed,
	       leaked, bad_readable);
	return 0;
}

static int act_longpath(int argc, char **argv)
{
	static char p[5001];
	p[0] = '/';
	memset(p + 1, 'a', sizeof p - 2);
	for (size_t i = 200; i < sizeof p - 1; i += 200)
		p[i] = '/';
	RES(open(p, O_RDONLY | O_CLOEXEC), "len=%zu", strlen(p));
	return 0;
}

static int act_badptr(int argc, char **argv)
{
	RES(RAW(SYS_openat, AT_FDCWD, (char *)8, O_RDONLY), NULL);
	return 0;
}

static int act_crosspage(int argc, char **argv)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m =
	    mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		RES(-1, "step=mmap");
		return 0;
	}
	munmap(m + pg, (size_t)pg);
	char *p = m + pg - 8;
	memcpy(p, "/etc/hos", 8); /* no NUL before the unmapped page */
	RES(RAW(SYS_openat, AT_FDCWD, p, O_RDONLY), NULL);
	return 0;
}

/* raw NR [ARG...]: one syscall with numeric arguments (0x... accepted), for
 * tables of (syscall, args) -> outcome. A child of clone/fork exits at once. */
static int act_raw(int argc, char **argv)
{
	need(argc, 2);
	unsigned long a[6] = {0};
	long nr = strtol(argv[1], NULL, 0);
	for (int i = 0; i < 6 && i + 2 < argc; i++)
		a[i] = strtoull(argv[i + 2], NULL, 0);
	long rc = RAW(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	int e = errno;
	if (rc == 0 && (nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone3))
		syscall(SYS_exit, 0);
	if (rc > 0 && (nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone3))
		waitpid((pid_t)rc, NULL, __WALL);
	result(rc, e, "nr=%ld", nr);
	return 0;
}

static int act_exit(int argc, char **argv)
{
	exit(argc > 1 ? atoi(argv[1]) : 0);
}

static int act_signal(int argc, char **argv)
{
	int sig = argc > 1 ? atoi(argv[1]) : SIGTERM;
	signal(sig, SIG_DFL);
	raise(sig);
	pause();
	return 0;
}

static int act_cat(int argc, char **argv)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(1, buf, (size_t)n) != n)
			return 1;
	return 0;
}

static int act_sleep(int argc, char **argv)
{
	sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 1);
	result(0, 0, NULL);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} actions[] = {
    {"getpid", act_getpid},
    {"getppid", act_getppid},
    {"open", act_open},
    {"exec", act_exec},
    {"socket", act_socket},
    {"connect", act_net},
    {"bind", act_net},
    {"ptrace", act_ptrace},
    {"vmwrite", act_vmwrite},
    {"mount", act_mount},
    {"unshare_user", act_unshare_user},
    {"clone_newuser", act_clone_newuser},
    {"clone3", act_clone3},
    {"io_uring", act_io_uring},
    {"bpf", act_bpf},
    {"perf", act_perf},
    {"init_module", act_init_module},
    {"finit_module", act_finit_module},
    {"kexec_load", act_kexec_load},
    {"open_by_handle_at", act_open_by_handle_at},
    {"keyctl", act_keyctl},
    {"userfaultfd", act_userfaultfd},
    {"tiocsti", act_ioctl},
    {"tiocsti_high", act_ioctl},
    {"tiocgwinsz", act_ioctl},
    {"int80", act_int80},
    {"x32", act_x32},
    {"nnp_off", act_nnp_off},
    {"drop_filter", act_drop_filter},
    {"setuid0", act_setuid0},
    {"procmem", act_procmem},
    {"killsup", act_killsup},
    {"fork50", act_fork50},
    {"race", act_race},
    {"longpath", act_longpath},
    {"badptr", act_badptr},
    {"crosspage", act_crosspage},
    {"raw", act_raw},
    {"exit", act_exit},
    {"signal", act_signal},
    {"cat", act_cat},
    {"sleep", act_sleep},
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: probe ACTION [ARGS...]\n");
		return 2;
	}
	action = argv[1];
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(actions[i].name, action) == 0)
			return actions[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "probe: unknown action '%s'\n", action);
	return 2;
}

/* hostile — a CGI program that behaves like an exploited root daemon.
 *
 * The end-to-end test (tests/e2e/lighttpd.t) and the demo (scripts/demo.sh)
 * install it as /srv/vxe-demo/cgi-bin/hostile.cgi and call it through a
 * lighttpd confined by examples/lighttpd.vxed. Each request runs one attack,
 * chosen by QUERY_STRING ("attack=NAME&port=N&pid=N&dir=PATH"; a bare "NAME"
 * works too, and so does `hostile NAME` on the command line), and answers with
 * one line:
 *
 *   attack NAME: blocked (ERRNO) DETAILS pid=N        the call failed
 *   attack NAME: failed (ERRNO) DETAILS pid=N         it failed, but in the way it
 *                                                     also fails without VXE (a
 *                                                     bogus module image, no tty)
 *   attack NAME: SUCCEEDED (DETAILS) pid=N            the attack worked
 *
 * pid= is this process, and child= the forked child for the exec attacks, so
 * that the test can find the log records of exactly this attack.
 *
 * Every attack is harmless to the host even when it succeeds (soft mode):
 * files it creates are removed, the tmpfs is mounted on a directory the caller
 * made and unmounted at once, module images are garbage, a ptrace attach is
 * detached, the secrets it reads are not printed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *query_attack, *query_port, *query_pid, *query_dir;
static const char *attack_name = "?";

/* Names rather than strerror() text: the test compares them with the log's
 * "errno" field. */
static const char *errno_name(int e)
{
	switch (e) {
#define E(x)                                                                                       \
	case x:                                                                                    \
		return #x
		E(EPERM);
		E(ENOENT);
		E(ESRCH);
		E(EINTR);
		E(EIO);
		E(ENXIO);
		E(E2BIG);
		E(ENOEXEC);
		E(EBADF);
		E(ECHILD);
		E(EAGAIN);
		E(ENOMEM);
		E(EACCES);
		E(EFAULT);
		E(EBUSY);
		E(EEXIST);
		E(ENODEV);
		E(ENOTDIR);
		E(EISDIR);
		E(EINVAL);
		E(ENFILE);
		E(EMFILE);
		E(ENOTTY);
		E(EROFS);
		E(ENOSYS);
		E(ENOTSUP);
		E(EAFNOSUPPORT);
		E(EPROTONOSUPPORT);
		E(ECONNREFUSED);
		E(ENETUNREACH);
		E(EHOSTUNREACH);
		E(ETIMEDOUT);
		E(ESTALE);
		E(EBADMSG);
		E(ENOKEY);
		E(EKEYREJECTED);
		E(EOVERFLOW);
#undef E
	default: {
		static char buf[32];
		snprintf(buf, sizeof buf, "errno%d", e);
		return buf;
	}
	}
}

static void report(const char *verdict, const char *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One line, then exit: one request, one attack, one verdict. */
static void report(const char *verdict, const char *err, const char *fmt, ...)
{
	char details[512] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(details, sizeof details, fmt, ap);
	va_end(ap);
	if (err)
		printf("attack %s: %s (%s) %s pid=%d\n", attack_name, verdict, err, details,
		       (int)getpid());
	else
		printf("attack %s: %s (%s) pid=%d\n", attack_name, verdict, details, (int)getpid());
	fflush(stdout);
	exit(0);
}

#define BLOCKED(call)  report("blocked", errno_name(errno), "%s", call)
#define SUCCEEDED(...) report("SUCCEEDED", NULL, __VA_ARGS__)

static pid_t target_pid(void)
{
	return query_pid ? (pid_t)atoi(query_pid) : getppid();
}

/* --- files ---------------------------------------------------------------- */

static void attack_shadow(void)
{
	int fd = open("/etc/shadow", O_RDONLY);
	if (fd < 0)
		BLOCKED("open(\"/etc/shadow\", O_RDONLY)");
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n < 0)
		BLOCKED("read(/etc/shadow)");
	buf[n] = 0;
	/* Never echo the hashes: the first user name is proof enough. */
	char *colon = strchr(buf, ':');
	if (colon)
		*colon = 0;
	SUCCEEDED("read %zd bytes of /etc/shadow, first user '%.32s'", n, buf);
}

static void attack_etcwrite(void)
{
	const char *path = "/etc/vxe-hostile-test";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		BLOCKED("open(\"/etc/vxe-hostile-test\", O_WRONLY|O_CREAT|O_TRUNC)");
	ssize_t n = write(fd, "owned\n", 6);
	int werr = errno;
	close(fd);
	int rm = unlink(path);
	int rmerr = errno;
	if (n != 6)
		report("blocked", errno_name(werr), "write(/etc/vxe-hostile-test), unlink=%s",
		       rm == 0 ? "ok" : errno_name(rmerr));
	SUCCEEDED("created and wrote %s, then unlink=%s", path, rm == 0 ? "ok" : errno_name(rmerr));
}

static void attack_procmem(void)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", (int)target_pid());
	int fd = open(path, O_RDWR);
	if (fd < 0)
		report("blocked", errno_name(errno), "open(\"%s\", O_RDWR)", path);
	close(fd); /* nothing is written */
	SUCCEEDED("opened %s for writing", path);
}

static void attack_handle(void)
{
	/* The handle names a file by inode, so the kernel never walks a path
	 * that Landlock or a path rule could look at. */
	const char *file = query_dir ? query_dir : "/etc/hostname";
	struct {
		struct file_handle fh;
		unsigned char bytes[MAX_HANDLE_SZ];
	} h;
	int mount_id;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	const char *how = "name_to_handle_at";
	if (name_to_handle_at(AT_FDCWD, file, &h.fh, &mount_id, 0) < 0) {
		/* Refused too: forge an ext4 handle (inode, generation 0) so that
		 * open_by_handle_at itself is still tried and logged. */
		struct stat st;
		uint32_t ino = stat(file, &st) == 0 ? (uint32_t)st.st_ino : 2;
		h.fh.handle_type = 1; /* FILEID_INO32_GEN */
		h.fh.handle_bytes = 8;
		memcpy(h.fh.f_handle, &ino, 4);
		memset(h.fh.f_handle + 4, 0, 4);
		how = "forged handle";
	}
	int fd = open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY);
	if (fd < 0)
		report("blocked", errno_name(errno), "open_by_handle_at(%s, %s)", file, how);
	char buf[128];
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	SUCCEEDED("opened %s by handle (%s), read %zd bytes", file, how, n);
}

/* --- exec ----------------------------------------------------------------- */

/* fork + execve with the child's stdout captured and its execve errno sent
 * back through a close-on-exec pipe, so the answer is one line either way. */
static void spawn(const char *path, char *const argv[])
{
	int out[2], err[2];
	if (pipe2(out, 0) < 0 || pipe2(err, O_CLOEXEC) < 0)
		BLOCKED("pipe");
	fflush(stdout);
	pid_t child = fork();
	if (child < 0)
		BLOCKED("fork");
	if (child == 0) {
		dup2(out[1], 1);
		dup2(out[1], 2);
		char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
		execve(path, argv, envp);
		int e = errno;
		(void)!write(err[1], &e, sizeof e);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	int e = 0;
	ssize_t got = read(err[0], &e, sizeof e);
	char buf[256];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof buf - 1 && (n = read(out[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	while (len && buf[len - 1] == ' ')
		buf[--len] = 0;
	int status = 0;
	waitpid(child, &status, 0);
	if (got == sizeof e)
		report("blocked", errno_name(e), "execve(\"%s\") child=%d", path, (int)child);
	SUCCEEDED("%s ran and said '%s' child=%d", path, buf, (int)child);
}

static void attack_shell(void)
{
	char *const argv[] = {"sh", "-c", "echo pwned as uid $(id -u 2>/dev/null || echo ?)", NULL};
	spawn("/bin/sh", argv);
}

static void attack_exec(void)
{
	char *const argv[] = {"id", NULL};
	spawn("/usr/bin/id", argv);
}

/* --- network -------------------------------------------------------------- */

static void attack_connect(void)
{
	int port = query_port ? atoi(query_port) : 9;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		BLOCKED("socket(AF_INET, SOCK_STREAM)");
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&sin, sizeof sin) < 0)
		report("blocked", errno_name(errno), "connect(127.0.0.1:%d)", port);
	(void)!write(s, "exfiltrated\n", 12);
	close(s);
	SUCCEEDED("connected to 127.0.0.1:%d and sent a line", port);
}

/* --- the escape set (SPEC 5.5) -------------------------------------------- */

static void attack_ptrace(void)
{
	pid_t pid = target_pid();
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0)
		report("blocked", errno_name(errno), "ptrace(PTRACE_SEIZE, %d)", (int)pid);
	/* A seized tracee must be stopped before PTRACE_DETACH; bounded wait,
	 * and if it never stops our exit detaches it anyway. */
	bool detached = false;
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0) {
		for (int i = 0; i < 200; i++) {
			int st;
			pid_t w = waitpid(pid, &st, __WALL | WNOHANG);
			if (w == pid) {
				detached = ptrace(PTRACE_DETACH, pid, 0, 0) == 0;
				break;
			}
			if (w < 0)
				break;
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	SUCCEEDED("seized pid %d, detached=%s", (int)pid, detached ? "yes" : "at exit");
}

static void attack_vmwrite(void)
{
	/* Writes into our own memory: the call is what matters, not the target. */
	static volatile int victim = 1;
	int value = 42;
	struct iovec local = {&value, sizeof value};
	struct iovec remote = {(void *)&victim, sizeof victim};
	if (syscall(SYS_process_vm_writev, getpid(), &local, 1, &remote, 1, 0) < 0)
		BLOCKED("process_vm_writev(self)");
	SUCCEEDED("process_vm_writev wrote %d", victim);
}

static void attack_mount(void)
{
	char tmpl[] = "/tmp/vxe-hostile-XXXXXX";
	const char *dir = query_dir;
	bool made = false;
	if (!dir) {
		if (!mkdtemp(tmpl))
			BLOCKED("mkdtemp(/tmp/vxe-hostile-XXXXXX)");
		dir = tmpl;
		made = true;
	}
	int r = mount("vxe-hostile", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k");
	int e = errno;
	if (r == 0)
		umount2(dir, MNT_DETACH);
	if (made)
		rmdir(dir);
	if (r < 0)
		report("blocked", errno_name(e), "mount(tmpfs, \"%s\")", dir);
	SUCCEEDED("mounted a tmpfs on %s (unmounted again)", dir);
}

static void attack_chroot(void)
{
	/* The process exits right after, so a chroot that works harms nothing. */
	if (chroot(".") < 0)
		BLOCKED("chroot(\".\")");
	SUCCEEDED("chroot(\".\") worked");
}

static void attack_module(void)
{
	/* Two bogus images: never a real module. Without VXE root gets ENOEXEC
	 * or EINVAL here (ENOSYS on a kernel without modules); VXE says EPERM. */
	static const char image[64] = "\177ELF-this-is-not-a-module";
	long r1 = syscall(SYS_init_module, image, sizeof image, "");
	int e1 = r1 < 0 ? errno : 0;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	long r2 = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", 0);
	int e2 = r2 < 0 ? errno : 0;
	if (fd < 0)
		e2 = errno;
	if (r1 == 0 || r2 == 0)
		SUCCEEDED("a bogus module image was accepted (init=%ld finit=%ld)", r1, r2);
	char d[128];
	snprintf(d, sizeof d, "init_module=%s finit_module=%s", errno_name(e1), errno_name(e2));
	report(e1 == EPERM && e2 == EPERM ? "blocked" : "failed", errno_name(e1), "%s", d);
}

static void attack_kexec(void)
{
	/* fd -1 and no flags: the kernel would answer EBADF; never an unload. */
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0UL) < 0)
		report(errno == EPERM ? "blocked" : "failed", errno_name(errno),
		       "kexec_file_load(-1)");
	SUCCEEDED("kexec_file_load returned 0");
}

static void attack_io_uring(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	long fd = syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0)
		BLOCKED("io_uring_setup(4)");
	close((int)fd);
	SUCCEEDED("io_uring_setup gave fd %ld", fd);
}

static void attack_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd < 0)
		BLOCKED("userfaultfd");
	close((int)fd);
	SUCCEEDED("userfaultfd gave fd %ld", fd);
}

static void attack_bpf(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
	if (fd < 0)
		BLOCKED("bpf(BPF_MAP_CREATE)");
	close((int)fd);
	SUCCEEDED("bpf map fd %ld", fd);
}

static void attack_perf(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof a;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.disabled = 1;
	long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		BLOCKED("perf_event_open");
	close((int)fd);
	SUCCEEDED("perf_event_open gave fd %ld", fd);
}

static void attack_userns(void)
{
	/* Only this short-lived process moves into the new namespace. */
	if (unshare(CLONE_NEWUSER) < 0)
		BLOCKED("unshare(CLONE_NEWUSER)");
	SUCCEEDED("in a new user namespace");
}

static void attack_keyctl(void)
{
	/* Creates (if needed) this process's own keyring, gone when it exits. */
	long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1);
	if (id < 0)
		BLOCKED("keyctl(KEYCTL_GET_KEYRING_ID)");
	SUCCEEDED("process keyring %ld", id);
}

static void attack_tiocsti(void)
{
	/* A CGI has no terminal, so without VXE this fails with ENOTTY (or EIO
	 * where dev.tty.legacy_tiocsti=0); VXE refuses the request itself. */
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int use = fd >= 0 ? fd : 0;
	char c = '#';
	if (ioctl(use, TIOCSTI, &c) < 0)
		report(errno == EPERM ? "blocked" : "failed", errno_name(errno),
		       "ioctl(%s, TIOCSTI)", fd >= 0 ? "/dev/tty" : "stdin");
	SUCCEEDED("pushed a byte into %s", fd >= 0 ? "/dev/tty" : "stdin");
}

/* --- non-native ABI (SPEC 5.4) -------------------------------------------- */

static long int80(long nr, long a, long b, long c)
{
	long ret;
	/* i386 entry from a 64-bit process: only the low 32 bits of each
	 * register are seen, and r8-r11 are not preserved on older kernels. */
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return (int)ret;
}

static void attack_int80(void)
{
	long r = int80(20, 0, 0, 0); /* i386 getpid */
	if (r < 0) {
		errno = (int)-r;
		BLOCKED("int $0x80 getpid");
	}
	if (r != getpid())
		report("blocked", "EFAULT", "int $0x80 getpid returned %ld", r);
	SUCCEEDED("i386 getpid returned %ld", r);
}

static void attack_int80open(void)
{
	/* i386 open(2) of /etc/shadow: the path must sit below 4 GiB. */
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		BLOCKED("mmap(MAP_32BIT)");
	strcpy(low, "/etc/shadow");
	long fd = int80(5, (long)(uintptr_t)low, O_RDONLY, 0); /* i386 open */
	if (fd < 0) {
		errno = (int)-fd;
		BLOCKED("int $0x80 open(\"/etc/shadow\")");
	}
	char buf[64];
	ssize_t n = read((int)fd, buf, sizeof buf);
	close((int)fd);
	SUCCEEDED("i386 open of /etc/shadow gave fd %ld, read %zd bytes", fd, n);
}

/* --- dispatch ------------------------------------------------------------- */

static const struct {
	const char *name;
	void (*run)(void);
} attacks[] = {
    {"shadow", attack_shadow},
    {"etcwrite", attack_etcwrite},
    {"shell", attack_shell},
    {"exec", attack_exec},
    {"connect", attack_connect},
    {"ptrace", attack_ptrace},
    {"mount", attack_mount},
    {"module", attack_module},
    {"io_uring", attack_io_uring},
    {"handle", attack_handle},
    {"int80", attack_int80},
    {"int80open", attack_int80open},
    {"userfaultfd", attack_userfaultfd},
    {"bpf", attack_bpf},
    {"userns", attack_userns},
    {"keyctl", attack_keyctl},
    {"tiocsti", attack_tiocsti},
    {"procmem", attack_procmem},
    {"vmwrite", attack_vmwrite},
    {"perf", attack_perf},
    {"chroot", attack_chroot},
    {"kexec", attack_kexec},
};

/* In-place split of "a=b&c=d"; values are used as they are (no %-decoding:
 * the callers send plain names, numbers and paths). */
static void parse_query(char *q)
{
	for (char *tok = strtok(q, "&"); tok; tok = strtok(NULL, "&")) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			query_attack = tok;
			continue;
		}
		*eq++ = 0;
		if (!strcmp(tok, "attack"))
			query_attack = eq;
		else if (!strcmp(tok, "port"))
			query_port = eq;
		else if (!strcmp(tok, "pid"))
			query_pid = eq;
		else if (!strcmp(tok, "dir") || !strcmp(tok, "file"))
			query_dir = eq;
	}
}

int main(int argc, char **argv)
{
	const char *qs = getenv("QUERY_STRING");
	bool cgi = getenv("GATEWAY_INTERFACE") != NULL || qs != NULL;
	char *q = strdup(argc > 1 ? argv[1] : qs ? qs : "");
	if (!q)
		return 1;
	parse_query(q);
	if (cgi)
		printf("Content-Type: text/plain\r\n\r\n");
	if (!query_attack || !*query_attack) {
		printf("usage: ?attack=NAME[&port=N][&pid=N][&dir=PATH]; attacks:");
		for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
			printf(" %s", attacks[i].name);
		printf("\n");
		return cgi ? 0 : 2;
	}
	attack_name = query_attack;
	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
		if (!strcmp(attacks[i].name, query_attack)) {
			fflush(stdout);
			attacks[i].run();
			return 0; /* not reached: every attack reports and exits */
		}
	printf("attack %s: unknown\n", query_attack);
	return cgi ? 0 : 2;
}

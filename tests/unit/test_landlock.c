/* Live tests of the Landlock back end (src/compile/landlock.c). A Landlock
 * domain cannot be removed, so each case runs in a forked child that sets
 * no_new_privs, applies a spec and checks from inside; it reports one line
 * per check through a pipe ("1 name", "0 name", "s reason") and the parent
 * turns those into TAP. Works as root and unprivileged; skips with a reason
 * where the kernel lacks a feature. */
#include "tap.h"
#include "vxe/landlock.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int abi;
static int report_fd = -1; /* in a child: where results go */
static char base[] = "/tmp/vxe-test-landlock.XXXXXX";

/* Paths in the temp tree. */
static char d_ro[256], d_rw[256], d_ex[256], d_deny[256], d_missing[256];
static char f_ro[300], f_rw[300], f_rw_sub[300], f_deny[300], f_wonly[300];
static char x_ex[300], x_deny[300];

/* Ports for the network case. */
static uint16_t port_bind_ok, port_bind_no, port_conn_ok, port_conn_no;

__attribute__((format(printf, 2, 3))) static void report(int ok, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	line[0] = ok ? '1' : '0';
	line[1] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(line + 2, sizeof(line) - 3, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n = n > (int)sizeof(line) - 4 ? (int)sizeof(line) - 4 : n;
	/* One line per report: newlines inside would split it. */
	for (int i = 2; i < n + 2; i++)
		if (line[i] == '\n')
			line[i] = '|';
	line[n + 2] = '\n';
	(void)!write(report_fd, line, (size_t)n + 3);
}

__attribute__((format(printf, 1, 2))) static void report_skip(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	line[0] = 's';
	line[1] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(line + 2, sizeof(line) - 3, fmt, ap);
	va_end(ap);
	n = n < 0 ? 0 : n > (int)sizeof(line) - 4 ? (int)sizeof(line) - 4 : n;
	line[n + 2] = '\n';
	(void)!write(report_fd, line, (size_t)n + 3);
}

/* Checks that a call failed with the expected errno. */
#define DENIED(call, err, name)                                                                    \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		int e_ = errno;                                                                    \
		report(r_ < 0 && e_ == (err), "%s: denied with %s (got %ld, %s)", name, #err, r_,  \
		       strerror(e_));                                                              \
	} while (0)
#define ALLOWED(call, name)                                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		int e_ = errno;                                                                    \
		report(r_ >= 0, "%s: allowed (%s)", name, r_ >= 0 ? "ok" : strerror(e_));          \
	} while (0)

/* Runs fn in a child and turns its reports into TAP lines. */
static void run_case(const char *label, void (*fn)(void))
{
	int p[2];
	pid_t pid;
	char buf[16384];
	size_t len = 0;
	ssize_t n;
	int st;

	tap_diag("case: %s", label);
	if (pipe2(p, O_CLOEXEC) < 0) {
		tap_ok(0, "%s: pipe", label);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		report_fd = p[1];
		fn();
		_exit(0);
	}
	close(p[1]);
	while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(p[0]);
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == 's')
			tap_skip("%s: %s", label, line + 2);
		else
			tap_ok(line[0] == '1', "%s: %s", label, line + 2);
	}
	st = 0;
	if (waitpid(pid, &st, 0) != pid)
		st = -1;
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: child exited cleanly (status %#x)",
	       label, st);
}

static int set_nnp(void)
{
	int r = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	report(r == 0, "no_new_privs set");
	return r;
}

/* Runs path in a grandchild: 0 if it ran and exited 0, else the errno of
 * execve (126 + EACCES is folded back into EACCES). */
static int try_exec(const char *path)
{
	char *const argv[] = {(char *)path, NULL};
	char *const envp[] = {NULL};
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execve(path, argv, envp);
		_exit(errno == EACCES ? 126 : 127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	if (WEXITSTATUS(st) == 0)
		return 0;
	return WEXITSTATUS(st) == 126 ? EACCES : -1;
}

static int open_ok(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	return fd;
}

static void case_fs(void)
{
	const struct vxe_ll_path paths[] = {
	    /* What a dynamically linked /bin/true needs to start. */
	    {"/usr", VXE_FS_READ | VXE_FS_EXECUTE},
	    {"/lib", VXE_FS_READ | VXE_FS_EXECUTE},
	    {"/lib64", VXE_FS_READ | VXE_FS_EXECUTE},
	    {"/etc/ld.so.cache", VXE_FS_READ}, /* a file rule too */
	    {d_ro, VXE_FS_READ},
	    {d_rw, VXE_FS_READ | VXE_FS_WRITE},
	    {d_ex, VXE_FS_EXECUTE},
	    {f_wonly, VXE_FS_WRITE}, /* a single file, write only */
	    {d_missing, VXE_FS_READ},
	};
	struct vxe_ll_spec spec = {
	    .handle_fs = 1, .paths = paths, .npaths = sizeof(paths) / sizeof(paths[0])};
	char warn[1024], p[400];
	int r;

	if (set_nnp() < 0)
		return;
	r = vxe_landlock_apply(&spec, warn, sizeof(warn));
	report(r == 0, "apply returns 0 (%d, %s)", r, r < 0 ? strerror(-r) : "ok");
	if (r < 0)
		return;
	report(strstr(warn, d_missing) && strstr(warn, "does not exist"),
	       "missing path: warning names it (%s)", warn);
	if (abi < 3)
		report(strstr(warn, "truncation") != NULL, "ABI < 3: truncation warning");

	/* Reading. */
	ALLOWED(open_ok(f_ro, O_RDONLY), "read in read dir");
	DENIED(open_ok(f_deny, O_RDONLY), EACCES, "read outside rules");
	ALLOWED(open_ok(d_ro, O_RDONLY | O_DIRECTORY), "list read dir");
	DENIED(open_ok(d_deny, O_RDONLY | O_DIRECTORY), EACCES, "list outside rules");
	DENIED(open_ok(d_ex, O_RDONLY | O_DIRECTORY), EACCES, "list execute-only dir");
	ALLOWED(open_ok(x_ex, O_RDONLY), "read an executable in execute dir");

	/* Writing, creating, removing. */
	DENIED(open_ok(f_ro, O_WRONLY), EACCES, "write in read dir");
	ALLOWED(open_ok(f_rw, O_WRONLY), "write in write dir");
	snprintf(p, sizeof(p), "%s/created", d_rw);
	ALLOWED(open_ok(p, O_WRONLY | O_CREAT), "create in write dir");
	ALLOWED(unlink(p), "unlink in write dir");
	snprintf(p, sizeof(p), "%s/created", d_ro);
	DENIED(open_ok(p, O_WRONLY | O_CREAT), EACCES, "create in read dir");
	DENIED(unlink(f_ro), EACCES, "unlink in read dir");
	snprintf(p, sizeof(p), "%s/newdir", d_rw);
	ALLOWED(mkdir(p, 0700), "mkdir in write dir");
	ALLOWED(rmdir(p), "rmdir in write dir");
	snprintf(p, sizeof(p), "%s/newdir", d_deny);
	DENIED(mkdir(p, 0700), EACCES, "mkdir outside rules");
	snprintf(p, sizeof(p), "%s/link", d_rw);
	ALLOWED(symlink("/etc/passwd", p), "symlink in write dir");

	/* Renames: within the write tree (across directories needs REFER,
	 * ABI 2), and out of it. */
	if (abi >= 2) {
		ALLOWED(rename(f_rw, f_rw_sub), "rename across dirs in write tree");
		ALLOWED(rename(f_rw_sub, f_rw), "rename back");
	} else {
		DENIED(rename(f_rw, f_rw_sub), EXDEV, "ABI 1: rename across dirs");
	}
	snprintf(p, sizeof(p), "%s/moved", d_deny);
	errno = 0;
	r = rename(f_rw, p);
	report(r < 0 && (errno == EACCES || errno == EXDEV),
	       "rename into a denied dir: denied (%s)", strerror(errno));
	snprintf(p, sizeof(p), "%s/moved", d_rw);
	errno = 0;
	r = rename(f_ro, p);
	report(r < 0 && (errno == EACCES || errno == EXDEV),
	       "rename out of a read dir: denied (%s)", strerror(errno));

	/* Truncation: restricted from ABI 3. */
	if (abi >= 3) {
		DENIED(truncate(f_ro, 0), EACCES, "truncate in read dir");
		DENIED(truncate(f_deny, 0), EACCES, "truncate outside rules");
		ALLOWED(truncate(f_rw, 0), "truncate in write dir");
	} else {
		report_skip("truncate not restricted before ABI 3 (kernel has %d)", abi);
	}

	/* The single-file rule: WRITE on a file works, and grants nothing more. */
	ALLOWED(open_ok(f_wonly, O_WRONLY), "file rule: write");
	DENIED(open_ok(f_wonly, O_RDONLY), EACCES, "file rule: no read");
	if (abi >= 3)
		ALLOWED(truncate(f_wonly, 0), "file rule: truncate");

	/* Execution. */
	r = try_exec(x_ex);
	report(r == 0, "exec in execute dir: allowed (%d)", r);
	r = try_exec(x_deny);
	report(r == EACCES, "exec outside rules: denied with EACCES (%d)", r);
}

static int tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static int tcp_bind(uint16_t port)
{
	struct sockaddr_in sa = loopback(port);
	int fd = tcp_socket(), r, e;

	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in sa = loopback(port);
	int fd = tcp_socket(), r, e;

	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static void case_net(void)
{
	const uint16_t bind_ok[] = {port_bind_ok}, conn_ok[] = {port_conn_ok};
	struct vxe_ll_spec spec = {.handle_net = 1,
				   .bind_tcp = bind_ok,
				   .nbind = 1,
				   .connect_tcp = conn_ok,
				   .nconnect = 1};
	char warn[1024];
	int r;

	if (set_nnp() < 0)
		return;
	r = vxe_landlock_apply(&spec, warn, sizeof(warn));
	report(r == 0, "apply returns 0 (%d)", r);
	if (abi < 4) {
		report(strstr(warn, "< 4: TCP bind/connect") != NULL, "ABI < 4 warning (%s)", warn);
		report_skip("TCP rules need ABI 4 (kernel has %d)", abi);
		return;
	}
	report(warn[0] == '\0', "no warning (%s)", warn);
	ALLOWED(tcp_bind(port_bind_ok), "bind to permitted port");
	DENIED(tcp_bind(port_bind_no), EACCES, "bind to another port");
	ALLOWED(tcp_connect(port_conn_ok), "connect to permitted port");
	DENIED(tcp_connect(port_conn_no), EACCES, "connect to another (listening) port");
	/* Files are not handled by this spec: still reachable. */
	ALLOWED(open_ok(f_deny, O_RDONLY), "fs not handled: read anywhere");
}

static void case_signal(void)
{
	struct vxe_ll_spec spec = {.scope_signal = 1};
	char warn[1024];
	pid_t child;
	int r, st;

	if (set_nnp() < 0)
		return;
	r = vxe_landlock_apply(&spec, warn, sizeof(warn));
	report(r == 0, "apply returns 0 (%d)", r);
	if (abi < 6) {
		report(strstr(warn, "< 6: signal scoping") != NULL, "ABI < 6 warning (%s)", warn);
		report_skip("signal scoping needs ABI 6 (kernel has %d)", abi);
		return;
	}
	/* Signal 0 checks permission without delivering anything. */
	DENIED(kill(getppid(), 0), EPERM, "signal to the parent (outside the domain)");
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	ALLOWED(kill(child, SIGTERM), "signal to own child (same domain)");
	r = waitpid(child, &st, 0) == child && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
	report(r, "child was killed by the signal");
	/* Files are not handled: everything still readable. */
	ALLOWED(open_ok(f_deny, O_RDONLY), "fs not handled: read anywhere");
}

static void case_small_warn(void)
{
	const struct vxe_ll_path paths[] = {{d_missing, VXE_FS_READ}, {d_missing, VXE_FS_WRITE}};
	struct vxe_ll_spec spec = {.handle_fs = 1, .paths = paths, .npaths = 2};
	char warn[24];

	memset(warn, 'Z', sizeof(warn));
	if (set_nnp() < 0)
		return;
	int r = vxe_landlock_apply(&spec, warn, 16);
	report(r == 0, "apply returns 0 (%d)", r);
	report(strlen(warn) == 15 && warn[14] == '\n' && warn[16] == 'Z',
	       "warnings cut to the buffer, newline-terminated, no overflow");
	/* Nothing granted: everything denied. */
	DENIED(open_ok(f_ro, O_RDONLY), EACCES, "empty rule set: read denied");
	r = vxe_landlock_apply(&spec, NULL, 0);
	report(r == 0, "a second, stacked domain; NULL warn buffer accepted (%d)", r);
}

static void case_errors(void)
{
	const struct vxe_ll_path rel[] = {{"relative/path", VXE_FS_READ}};
	const struct vxe_ll_path bad[] = {{d_ro, 1u << 7}};
	struct vxe_ll_spec spec = {.handle_fs = 1, .paths = rel, .npaths = 1};
	struct vxe_ll_spec none = {0};
	int r;

	r = vxe_landlock_apply(&spec, NULL, 0);
	report(r == -EINVAL, "relative path: -EINVAL (%d)", r);
	spec.paths = bad;
	r = vxe_landlock_apply(&spec, NULL, 0);
	report(r == -EINVAL, "unknown access bit: -EINVAL (%d)", r);
	r = vxe_landlock_apply(NULL, NULL, 0);
	report(r == -EINVAL, "NULL spec: -EINVAL (%d)", r);
	r = vxe_landlock_apply(&none, NULL, 0);
	report(r == 0, "nothing to handle: 0 (%d)", r);
	ALLOWED(open_ok(f_deny, O_RDONLY), "after the errors nothing is restricted");

	/* Without no_new_privs and without CAP_SYS_ADMIN the kernel refuses,
	 * and the caller hears -EPERM. As root, become nobody first. */
	if (getuid() == 0 && setuid(65534) < 0) {
		report(0, "setuid(nobody): %s", strerror(errno));
		return;
	}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) {
		report_skip("no_new_privs already set by the environment: no -EPERM to see");
		return;
	}
	spec.paths = (const struct vxe_ll_path[]){{"/usr", VXE_FS_READ}};
	r = vxe_landlock_apply(&spec, NULL, 0);
	report(r == -EPERM, "no no_new_privs: -EPERM (%d)", r);
}

/* ---- setup ----------------------------------------------------------------- */

static int write_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, data, strlen(data)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return close(fd);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out, ok = 1;
	ssize_t n;

	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		ok = 0;
	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok ? 0 : -1;
}

static uint16_t free_port(int listening, int *keep)
{
	struct sockaddr_in sa = loopback(0);
	socklen_t len = sizeof(sa);
	int fd = tcp_socket();

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0 || (listening && listen(fd, 8) < 0))
		return 0;
	if (keep)
		*keep = fd;
	else
		close(fd);
	return ntohs(sa.sin_port);
}

static int setup(void)
{
	int ok = 1;

	if (!mkdtemp(base))
		return -1;
	snprintf(d_ro, sizeof(d_ro), "%s/ro", base);
	snprintf(d_rw, sizeof(d_rw), "%s/rw", base);
	snprintf(d_ex, sizeof(d_ex), "%s/ex", base);
	snprintf(d_deny, sizeof(d_deny), "%s/deny", base);
	snprintf(d_missing, sizeof(d_missing), "%s/missing", base);
	snprintf(f_ro, sizeof(f_ro), "%s/file", d_ro);
	snprintf(f_rw, sizeof(f_rw), "%s/file", d_rw);
	snprintf(f_rw_sub, sizeof(f_rw_sub), "%s/sub/file", d_rw);
	snprintf(f_deny, sizeof(f_deny), "%s/file", d_deny);
	snprintf(f_wonly, sizeof(f_wonly), "%s/wonly", d_deny);
	snprintf(x_ex, sizeof(x_ex), "%s/true", d_ex);
	snprintf(x_deny, sizeof(x_deny), "%s/true", d_deny);
	char sub[300];
	snprintf(sub, sizeof(sub), "%s/sub", d_rw);
	ok &= mkdir(d_ro, 0755) == 0 && mkdir(d_rw, 0755) == 0 && mkdir(sub, 0755) == 0;
	ok &= mkdir(d_ex, 0755) == 0 && mkdir(d_deny, 0755) == 0;
	ok &= write_file(f_ro, "read me\n", 0644) == 0 && write_file(f_rw, "write me\n", 0644) == 0;
	ok &= write_file(f_deny, "secret\n", 0644) == 0 && write_file(f_wonly, "w\n", 0644) == 0;
	ok &= copy_file("/bin/true", x_ex) == 0 && copy_file("/bin/true", x_deny) == 0;
	return ok ? 0 : -1;
}

int main(void)
{
	int listen_ok = -1, listen_no = -1;

	abi = vxe_landlock_abi();
	if (abi == 0) {
		char warn[256];
		struct vxe_ll_spec spec = {.handle_fs = 1};
		/* Safe in this process: without Landlock nothing is applied. */
		int r = vxe_landlock_apply(&spec, warn, sizeof(warn));
		tap_ok(r == -EOPNOTSUPP && strstr(warn, "landlock: unavailable"),
		       "no Landlock: -EOPNOTSUPP and a warning");
		tap_skip("Landlock unavailable in this kernel (ABI 0): live tests not run");
		return tap_done();
	}
	tap_diag("Landlock ABI %d, uid %d", abi, (int)getuid());
	if (setup() < 0) {
		tap_ok(0, "setup of %s: %s", base, strerror(errno));
		return tap_done();
	}

	run_case("files", case_fs);

	port_bind_ok = free_port(0, NULL);
	port_bind_no = free_port(0, NULL);
	port_conn_ok = free_port(1, &listen_ok);
	port_conn_no = free_port(1, &listen_no);
	tap_ok(port_bind_ok && port_bind_no && port_conn_ok && port_conn_no &&
		   port_bind_ok != port_bind_no,
	       "test ports %u %u %u %u", port_bind_ok, port_bind_no, port_conn_ok, port_conn_no);
	/* Unconfined, the connect the child must be denied succeeds: so a
	 * denial inside is Landlock's doing, not a closed port. */
	tap_ok(tcp_connect(port_conn_no) == 0, "unconfined connect to the other port succeeds");
	run_case("network", case_net);
	close(listen_ok);
	close(listen_no);

	run_case("signals", case_signal);
	run_case("small warning buffer", case_small_warn);
	run_case("errors", case_errors);

	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", base);
	return tap_done();
}

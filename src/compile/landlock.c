/* Landlock back end: a VXED's files and network rules as a Landlock domain.
 *
 * Landlock is an allow list that the kernel enforces on every path lookup,
 * which is what SPEC §5.3 asks of a pointer argument: the kernel decides,
 * on the object it actually resolved, with no window between a check in the
 * supervisor and the use of the path. The domain is inherited by every
 * descendant and cannot be removed from inside, not even by uid 0 (§5.1).
 *
 * Kernels differ in what Landlock can restrict. We probe the ABI version and
 * handle every access right the kernel knows (except IOCTL_DEV, see
 * fs_handled()), then say in one warning line per feature what it could not
 * enforce, instead of failing: a partial domain still confines more than none,
 * and the caller decides from the warnings whether that is acceptable.
 *
 * Note: landlock_restrict_self() confines the calling thread only. VXE calls
 * this in the single-threaded child just before exec, so that is the whole
 * process.
 */
#include "vxe/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/termsafe.h"

/* The system headers may predate the kernel we run on: define what an older
 * <linux/landlock.h> lacks. Values are kernel ABI and never change. */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
/* An enumerator in new headers, absent in old ones: our own name. */
#define VXE_LL_RULE_PATH_BENEATH 1
#define VXE_LL_RULE_NET_PORT	 2

/* Our own copies of the attribute structures, complete up to ABI 6: older
 * headers have a one-field landlock_ruleset_attr. The kernel accepts a larger
 * structure than it knows as long as the extra fields are zero. */
struct vxe_ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct vxe_ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct vxe_ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
} __attribute__((packed));

/* ABI 1 rights. */
#define LL_FS_V1                                                                                   \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                              \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |                              \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |                          \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |                              \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |                              \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |                            \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)

/* The only rights a rule on a non-directory may carry; anything else makes
 * landlock_add_rule() fail with EINVAL. */
#define LL_FS_FILE                                                                                 \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                              \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                              \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define LL_FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* VXE_FS_WRITE is "write, truncate, create, remove, rename, link" (REFER
 * and TRUNCATE are masked out by fs_handled() where the ABI lacks them).
 * Device nodes are not files a write rule should let a root program make:
 * a character node for /dev/kmem or a block node for the root disk is the
 * whole host. MAKE_CHAR and MAKE_BLOCK stay handled and are never granted. */
#define LL_FS_WRITE                                                                                \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                           \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |                            \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |                              \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER |   \
	 LANDLOCK_ACCESS_FS_TRUNCATE)
/* Executing needs reading too: the kernel reads a script's "#!" line and an
 * ELF's program headers itself, but the interpreter and the dynamic loader
 * then open(2) the file (a script, a library mapped with mmap) as the
 * confined program, which Landlock checks against READ_FILE. */
#define LL_FS_EXECUTE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE)

#define LL_NET (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)

static inline void close_fdp(int *fdp)
{
	if (*fdp >= 0) {
		int saved = errno;
		close(*fdp);
		errno = saved;
	}
}
#define cleanup_fd __attribute__((cleanup(close_fdp)))

static inline int ll_create_ruleset(const struct vxe_ll_ruleset_attr *attr, size_t size,
				    uint32_t flags)
{
	return (int)syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static inline int ll_add_rule(int ruleset_fd, int type, const void *attr)
{
	return (int)syscall(__NR_landlock_add_rule, ruleset_fd, type, attr, 0U);
}

static inline int ll_restrict_self(int ruleset_fd)
{
	return (int)syscall(__NR_landlock_restrict_self, ruleset_fd, 0U);
}

/* Returns the ABI version, or 0 with *err the reason Landlock is missing. */
static int probe_abi(int *err)
{
	int abi = ll_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi < 0) {
		*err = errno;
		return 0;
	}
	*err = 0;
	return abi;
}

int vxe_landlock_abi(void)
{
	int err;

	return probe_abi(&err);
}

/* Filesystem rights handled at this ABI, i.e. denied unless a rule grants
 * them. Everything the kernel knows, level by level:
 *   1: (Linux 5.13) reading, writing, executing, creating, removing.
 *   2: (5.19) REFER: rename and link between directories. Under ABI 1 these
 *      are always denied (the kernel handles REFER implicitly, without a way
 *      to grant it), which can break programs but not confinement.
 *   3: (6.2) TRUNCATE: truncate(2), ftruncate(2), open(O_TRUNC). Before it,
 *      open(O_WRONLY|O_TRUNC) still needs WRITE_FILE, but truncate(2) on a
 *      path is not checked at all: any file the user may write (in DAC
 *      terms) can be emptied even where the VXED grants only reading.
 *   5: (6.10) IOCTL_DEV: deliberately NOT handled. Handling it would deny
 *      ioctls on device files, terminals and /dev/null included (isatty(),
 *      TCGETS, ...), unless every VXED listed /dev: programs would break in
 *      ways policies cannot yet express. The dangerous terminal ioctls
 *      (TIOCSTI, TIOCLINUX) are refused by the seccomp filter (SPEC §5.5).
 */
static uint64_t fs_handled(int abi)
{
	uint64_t mask = LL_FS_V1;

	if (abi >= 2)
		mask |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		mask |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return mask;
}

static uint64_t fs_rights(unsigned access)
{
	uint64_t r = 0;

	if (access & VXE_FS_READ)
		r |= LL_FS_READ;
	if (access & VXE_FS_WRITE)
		r |= LL_FS_WRITE;
	if (access & VXE_FS_EXECUTE)
		r |= LL_FS_EXECUTE;
	return r;
}

/* Warning lines, "\n"-terminated, in a caller's buffer that may be small or
 * absent: never overflows, always NUL-terminated when size > 0. */
struct warnbuf {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void warnf(struct warnbuf *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!w->buf || w->len + 1 >= w->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->size - w->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	w->len += (size_t)n;
	if (w->len + 1 >= w->size) {
		/* Cut: still end with a newline, as a whole line would. */
		w->len = w->size - 1;
		w->buf[w->len - 1] = '\n';
		w->buf[w->len] = '\0';
		return;
	}
	w->buf[w->len++] = '\n';
	w->buf[w->len] = '\0';
}

/* Adds the rule for one path. Returns 0 (also when the path is missing:
 * the rule grants access, so skipping it denies, which is fail closed) or
 * -errno. */
static int add_path_rule(int ruleset_fd, const struct vxe_ll_path *p, uint64_t handled,
			 struct warnbuf *missing, unsigned *nmissing)
{
	struct vxe_ll_path_beneath_attr attr = {0};
	cleanup_fd int fd = -1;
	struct stat st;

	if (!p->path || p->path[0] != '/' ||
	    (p->access & ~(unsigned)(VXE_FS_READ | VXE_FS_WRITE | VXE_FS_EXECUTE)))
		return -EINVAL;
	/* O_PATH: we need an anchor for the hierarchy, not the right to read
	 * it, so this works on directories we could not list ourselves. */
	fd = open(p->path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			/* The path may come from a generated VXED: escaped. One
			 * line for all of them (a daemon run per connection
			 * would print a screenful each time). */
			char shown[1024];
			vxe_termsafe(shown, sizeof shown, p->path, VXE_TS_BACKSLASH);
			if (missing->len && missing->buf[missing->len - 1] == '\n')
				missing->len--;
			warnf(missing, "%s%s", (*nmissing)++ ? ", " : "", shown);
			return 0;
		}
		return -errno;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	attr.allowed_access = fs_rights(p->access) & handled;
	/* A rule on a file (or device, socket...) grants only what applies to
	 * a file: directory rights on it are meaningless to the kernel. */
	if (!S_ISDIR(st.st_mode))
		attr.allowed_access &= LL_FS_FILE;
	if (!attr.allowed_access)
		return 0;
	attr.parent_fd = fd;
	if (ll_add_rule(ruleset_fd, VXE_LL_RULE_PATH_BENEATH, &attr) < 0)
		return -errno;
	return 0;
}

static int add_port_rules(int ruleset_fd, const uint16_t *ports, size_t n, uint64_t right)
{
	for (size_t i = 0; i < n; i++) {
		struct vxe_ll_net_port_attr attr = {.allowed_access = right, .port = ports[i]};

		if (ll_add_rule(ruleset_fd, VXE_LL_RULE_NET_PORT, &attr) < 0)
			return -errno;
	}
	return 0;
}

/* Errors (nothing is applied on any of them):
 *   -EINVAL      spec is NULL or inconsistent, a path is not absolute, an
 *                access has bits other than VXE_FS_*; or the kernel refused a
 *                rule;
 *   -EOPNOTSUPP  the kernel has no Landlock (ENOSYS or disabled at boot);
 *   -EPERM       neither no_new_privs nor CAP_SYS_ADMIN;
 *   -E2BIG       the thread already has the maximum of 16 stacked domains;
 *   -ENOMEM, -EMFILE, -EACCES, -ELOOP, -ENAMETOOLONG... opening a path or
 *                creating the ruleset failed (ENOENT/ENOTDIR only warn). */
int vxe_landlock_apply(const struct vxe_ll_spec *spec, char *warn, size_t warnsz)
{
	struct warnbuf w = {.buf = warn, .size = warnsz};
	struct vxe_ll_ruleset_attr attr = {0};
	cleanup_fd int ruleset_fd = -1;
	int abi, err, r;

	if (warn && warnsz)
		warn[0] = '\0';
	if (!spec || (spec->npaths && !spec->paths) || (spec->nbind && !spec->bind_tcp) ||
	    (spec->nconnect && !spec->connect_tcp))
		return -EINVAL;
	if (!spec->handle_fs && !spec->handle_net && !spec->scope_signal &&
	    !spec->scope_abstract_unix)
		return 0;

	abi = probe_abi(&err);
	if (abi == 0) {
		/* As samples/landlock/sandboxer.c tells apart: ENOSYS, the
		 * kernel was built without it; EOPNOTSUPP, built in but not
		 * enabled at boot. */
		warnf(&w,
		      "landlock: unavailable: files and network rules not enforced by the kernel "
		      "(hint: %s)",
		      err == ENOSYS	  ? "kernel built without CONFIG_SECURITY_LANDLOCK"
		      : err == EOPNOTSUPP ? "add landlock to the lsm= boot parameter"
					  : strerror(err));
		return -EOPNOTSUPP;
	}

	if (spec->handle_fs) {
		attr.handled_access_fs = fs_handled(abi);
		if (abi < 2)
			warnf(&w,
			      "landlock: ABI %d < 2: renaming or linking files between "
			      "directories always denied (REFER)",
			      abi);
		if (abi < 3)
			warnf(&w,
			      "landlock: ABI %d < 3: file truncation not restricted by the kernel",
			      abi);
	}
	if (spec->handle_net) {
		/* ABI 4 (6.7): TCP bind(2) and connect(2) by port. Other
		 * protocols (UDP, raw) are left to the seccomp filter. */
		if (abi >= 4) {
			attr.handled_access_net = LL_NET;
			if (spec->net_unhandled & VXE_LL_BIND)
				attr.handled_access_net &= ~(uint64_t)LANDLOCK_ACCESS_NET_BIND_TCP;
			if (spec->net_unhandled & VXE_LL_CONNECT)
				attr.handled_access_net &=
				    ~(uint64_t)LANDLOCK_ACCESS_NET_CONNECT_TCP;
		} else
			warnf(&w,
			      "landlock: ABI %d < 4: TCP bind/connect rules not enforced by the "
			      "kernel",
			      abi);
	}
	if (spec->scope_signal) {
		/* ABI 6 (6.12): signals only to processes in the same domain
		 * or below, so a confined program cannot kill its supervisor
		 * or anything else outside. */
		if (abi >= 6)
			attr.scoped |= LANDLOCK_SCOPE_SIGNAL;
		else
			warnf(&w, "landlock: ABI %d < 6: signal scoping not enforced by the kernel",
			      abi);
	}
	if (spec->scope_abstract_unix) {
		/* ABI 6 too: no connecting to abstract unix sockets of processes
		 * outside the domain (a D-Bus or init socket would run commands
		 * for us as unconfined root). */
		if (abi >= 6)
			attr.scoped |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
		else
			warnf(&w,
			      "landlock: ABI %d < 6: abstract unix sockets outside not refused by "
			      "the "
			      "kernel",
			      abi);
	}
	if (!attr.handled_access_fs && !attr.handled_access_net && !attr.scoped)
		return 0; /* nothing this kernel can enforce; the warnings say so */

	ruleset_fd = ll_create_ruleset(&attr, sizeof(attr), 0);
	if (ruleset_fd < 0)
		return -errno;

	if (spec->handle_fs) {
		char list[2048] = "";
		struct warnbuf missing = {.buf = list, .size = sizeof list};
		unsigned nmissing = 0;
		for (size_t i = 0; i < spec->npaths; i++) {
			r = add_path_rule(ruleset_fd, &spec->paths[i], attr.handled_access_fs,
					  &missing, &nmissing);
			if (r < 0)
				return r;
		}
		if (nmissing) {
			if (missing.len && list[missing.len - 1] == '\n')
				list[--missing.len] = 0;
			warnf(
			    &w,
			    "landlock: %u path%s of the VXED do%s not exist, rule%s skipped (what "
			    "appears there later stays refused): %s",
			    nmissing, nmissing == 1 ? "" : "s", nmissing == 1 ? "es" : "",
			    nmissing == 1 ? "" : "s", list);
		}
	}
	if (attr.handled_access_net) {
		r = add_port_rules(ruleset_fd, spec->bind_tcp, spec->nbind,
				   LANDLOCK_ACCESS_NET_BIND_TCP);
		if (r < 0)
			return r;
		r = add_port_rules(ruleset_fd, spec->connect_tcp, spec->nconnect,
				   LANDLOCK_ACCESS_NET_CONNECT_TCP);
		if (r < 0)
			return r;
	}
	/* EPERM here means neither no_new_privs nor CAP_SYS_ADMIN: setting
	 * no_new_privs is the caller's decision (it also affects setuid
	 * binaries), so we report rather than set it. Flags stay 0: from ABI 7
	 * that keeps the kernel's default audit logging of denials. */
	if (ll_restrict_self(ruleset_fd) < 0)
		return -errno;
	return 0;
}

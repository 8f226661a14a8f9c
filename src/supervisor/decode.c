/* Reading what a notified process asked for.
 *
 * Everything here treats the target's memory as hostile: every read is
 * bounded, nothing is followed twice, and a value read here is only ever
 * used for a decision the kernel backs up (Landlock, or the supervisor
 * performing the call itself) or for the log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "policy/policy_internal.h"
#include "supervisor/supervisor_internal.h"

int vxe_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

ssize_t vxe_mem_read_str(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;
	if (size == 0)
		return -ENAMETOOLONG;
	while (got < size - 1) {
		/* Never cross a page boundary in one read: the next page may be
		 * unmapped although the string ends before it. */
		uint64_t at = addr + got;
		size_t chunk = 4096 - (size_t)(at & 4095);
		if (chunk > size - 1 - got)
			chunk = size - 1 - got;
		struct iovec local = {buf + got, chunk};
		struct iovec remote = {(void *)(uintptr_t)at, chunk};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0) {
			buf[got] = 0;
			return -EFAULT;
		}
		char *nul = memchr(buf + got, 0, (size_t)n);
		if (nul)
			return nul - buf;
		got += (size_t)n;
	}
	buf[size - 1] = 0;
	return -ENAMETOOLONG;
}

static int proc_link(pid_t pid, const char *what, char *out, size_t size)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/%s", (int)pid, what);
	ssize_t n = readlink(p, out, size - 1);
	if (n < 0)
		return -errno;
	out[n] = 0;
	return 0;
}

/* The absolute path the kernel will reach through joined, as far as ".."
 * is concerned: the kernel takes ".." from where the components before it
 * led, through symlinks (W/link/../x is in the link's target's parent),
 * so a textual collapse would check one file and let another be opened.
 * Each ".." therefore goes up from the real path of what precedes it (as
 * the target sees it: /proc/self is the target); only a prefix that does
 * not exist is collapsed as text (the kernel fails there anyway). Paths
 * without ".." are only tidied ("//", "/./"). */
static int dotdot_physical(pid_t pid, const char *joined, char *out, size_t size)
{
	char cur[PATH_MAX * 2 + 2] = "", comp[NAME_MAX + 1];
	size_t len = 0;
	for (const char *c = joined; *c;) {
		while (*c == '/')
			c++;
		size_t n = strcspn(c, "/");
		if (n == 0)
			break;
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, c, n);
		comp[n] = 0;
		c += n;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char probe[sizeof cur + 32], real[PATH_MAX];
			const char *q = len ? cur : "/";
			if (strncmp(q, "/proc/self", 10) == 0 && (q[10] == 0 || q[10] == '/'))
				snprintf(probe, sizeof probe, "/proc/%d%s", (int)pid, q + 10);
			else if (strncmp(q, "/proc/thread-self", 17) == 0 &&
				 (q[17] == 0 || q[17] == '/'))
				snprintf(probe, sizeof probe, "/proc/%d%s", (int)pid, q + 17);
			else
				snprintf(probe, sizeof probe, "%s", q);
			if (realpath(probe, real)) {
				len = strlen(real);
				if (len >= sizeof cur)
					return -ENAMETOOLONG;
				memcpy(cur, real, len + 1);
				if (strcmp(cur, "/") == 0)
					len = 0, cur[0] = 0;
			}
			while (len > 0 && cur[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the slash */
			cur[len] = 0;
			continue;
		}
		if (len + 1 + n >= sizeof cur)
			return -ENAMETOOLONG;
		cur[len++] = '/';
		memcpy(cur + len, comp, n + 1);
		len += n;
	}
	if (!vxe_path_normalize(len ? cur : "/", out, size))
		return -ENAMETOOLONG;
	return 0;
}

int vxe_resolve_path(pid_t pid, int dirfd, const char *path, bool check_root, char *out,
		     size_t size)
{
	char joined[PATH_MAX * 2 + 2];
	char base[PATH_MAX];
	char root[PATH_MAX];
	int rc;
	/* A truncated path would be a different path: refuse instead. */
	if (path[0] == '/') {
		if ((size_t)snprintf(joined, sizeof joined, "%s", path) >= sizeof joined)
			return -ENAMETOOLONG;
	} else {
		if (dirfd == AT_FDCWD) {
			rc = proc_link(pid, "cwd", base, sizeof base);
		} else {
			char what[32];
			snprintf(what, sizeof what, "fd/%d", dirfd);
			rc = proc_link(pid, what, base, sizeof base);
		}
		/* A dirfd that is not open now may be open when the kernel
		 * resolves the path: the caller must not decide on a guess. */
		if (rc < 0)
			return dirfd == AT_FDCWD ? rc : -EBADF;
		if (base[0] != '/')
			return -ENOTDIR; /* a pipe or socket as dirfd */
		if ((size_t)snprintf(joined, sizeof joined, "%s/%s", base, path) >= sizeof joined)
			return -ENAMETOOLONG;
	}
	/* A chrooted process names paths below its root. */
	if (check_root && proc_link(pid, "root", root, sizeof root) == 0 &&
	    strcmp(root, "/") != 0 && path[0] == '/') {
		char tmp[sizeof joined + sizeof root];
		if ((size_t)snprintf(tmp, sizeof tmp, "%s/%s", root, joined) >= sizeof joined)
			return -ENAMETOOLONG;
		memcpy(joined, tmp, sizeof joined);
	}
	return dotdot_physical(pid, joined, out, size);
}

void vxe_sockaddr_text(const struct sockaddr_storage *ss, size_t len, char *buf, size_t size,
		       int *family, unsigned *port)
{
	char ip[INET6_ADDRSTRLEN];
	*family = ss->ss_family;
	*port = 0;
	switch (ss->ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
		*port = ntohs(in->sin_port);
		snprintf(buf, size, "inet:%s:%u", ip, *port);
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
		*port = ntohs(in6->sin6_port);
		snprintf(buf, size, "inet6:[%s]:%u", ip, *port);
		break;
	}
	case AF_UNIX: {
		const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t n = len > off ? len - off : 0;
		if (n == 0)
			snprintf(buf, size, "unix:");
		else if (un->sun_path[0] == 0)
			snprintf(buf, size, "unix:@%.*s", (int)(n - 1), un->sun_path + 1);
		else
			snprintf(buf, size, "unix:%.*s", (int)strnlen(un->sun_path, n),
				 un->sun_path);
		break;
	}
	default:
		snprintf(buf, size, "family:%d", ss->ss_family);
	}
}

int vxe_decode_sockaddr(pid_t pid, uint64_t addr, uint64_t len, char *buf, size_t size, int *family,
			unsigned *port)
{
	struct sockaddr_storage ss;
	*family = -1;
	*port = 0;
	if (len > sizeof ss)
		len = sizeof ss;
	if (len < sizeof(sa_family_t)) {
		snprintf(buf, size, "short:%" PRIu64, len);
		return -EINVAL;
	}
	memset(&ss, 0, sizeof ss);
	if (vxe_mem_read(pid, addr, &ss, (size_t)len) < 0) {
		snprintf(buf, size, "unreadable");
		return -EFAULT;
	}
	vxe_sockaddr_text(&ss, (size_t)len, buf, size, family, port);
	return 0;
}

/* Integer arguments the log shows by name: which constants name them, and
 * whether the value is one constant or a set of flag bits. */
static const struct named_arg {
	const char *syscall, *arg;
	const char *prefix[3];
	bool flags;
} named_args[] = {
    {"socket", "domain", {"AF_"}, false},
    {"socketpair", "domain", {"AF_"}, false},
    {"fcntl", "cmd", {"F_"}, false},
    {"ioctl", "request", {"TIOC", "TC", "FIO"}, false},
    {"kill", "sig", {"SIG"}, false},
    {"tgkill", "sig", {"SIG"}, false},
    {"prctl", "option", {"PR_"}, false},
    {"clone", "flags", {"CLONE_"}, true},
    {"unshare", "flags", {"CLONE_"}, true},
    {"mmap", "prot", {"PROT_"}, true},
    {"mprotect", "prot", {"PROT_"}, true},
    {"ptrace", "request", {"PTRACE_"}, false},
    {"mount", "mountflags", {"MS_"}, true},
    {"wait4", "options", {"WNO", "WUN", "WCO"}, true},
    {"waitid", "options", {"WEX", "WST", "WNO"}, true},
};

static bool has_prefix(const char *name, const char *const *prefix)
{
	for (unsigned i = 0; i < 3 && prefix[i]; i++)
		if (strncmp(name, prefix[i], strlen(prefix[i])) == 0)
			return true;
	return false;
}

/* Writes the name(s) of v into out, or leaves out empty if none fits. For
 * flags, unnamed bits are shown in hex, so nothing is hidden. */
static void name_value(const struct named_arg *na, int64_t v, char *out, size_t size)
{
	out[0] = 0;
	const struct vxe_const *c;
	if (!na->flags) {
		/* Aliases lose to the names people write. */
		static const char *const alias[] = {"AF_LOCAL", "AF_FILE", "AF_ROUTE", "SIGIOT",
						    "SIGPOLL",	"SIGCLD",  NULL};
		for (unsigned i = 0; (c = vxe_const_at(i)); i++) {
			bool skip = false;
			for (unsigned k = 0; alias[k]; k++)
				skip |= strcmp(c->name, alias[k]) == 0;
			if (skip)
				continue;
			if (c->value == v && has_prefix(c->name, na->prefix)) {
				snprintf(out, size, "%s", c->name);
				return;
			}
		}
		return;
	}
	uint64_t rest = (uint64_t)v;
	size_t off = 0;
	for (unsigned i = 0; (c = vxe_const_at(i)) && rest; i++) {
		uint64_t bit = (uint64_t)c->value;
		if (!bit || (bit & (bit - 1)) || !(rest & bit) || !has_prefix(c->name, na->prefix))
			continue;
		off += (size_t)snprintf(out + off, off < size ? size - off : 0, "%s%s",
					off ? "|" : "", c->name);
		rest &= ~bit;
	}
	if (rest)
		snprintf(out + off, off < size ? size - off : 0, "%s0x%llx", off ? "|" : "",
			 (unsigned long long)rest);
	if (off >= size)
		out[0] = 0; /* too long to show whole: the number instead */
}

void vxe_decode_args(pid_t pid, const struct vxe_syscall_info *info, const uint64_t args[6],
		     struct vxe_decoded *d)
{
	d->n = 0;
	d->npath = 0;
	d->path_err = 0;
	if (!info)
		return;
	int dirfd = AT_FDCWD;
	for (unsigned i = 0; i < info->nargs && i < VXE_MAX_ARGS; i++) {
		struct vxe_log_arg *a = &d->arg[d->n];
		char *text = d->text[d->n];
		const struct vxe_sysarg *sa = &info->args[i];
		uint64_t v = args[i];
		a->name = sa->name;
		a->kind = VXE_LOGARG_INT;
		a->i = (int64_t)v;
		if (d->bare && sa->type != VXE_ARG_PATH && sa->type != VXE_ARG_STR &&
		    sa->type != VXE_ARG_SOCKADDR) {
			if (sa->type == VXE_ARG_DIRFD)
				dirfd = (int32_t)v;
			d->n++;
			continue;
		}
		switch (sa->type) {
		case VXE_ARG_INT32:
		case VXE_ARG_FD:
		case VXE_ARG_INT64:
			a->i = sa->type == VXE_ARG_INT64 ? (int64_t)v : (int32_t)v;
			for (size_t k = 0; k < sizeof named_args / sizeof named_args[0]; k++)
				if (strcmp(named_args[k].syscall, info->name) == 0 &&
				    strcmp(named_args[k].arg, sa->name) == 0) {
					name_value(&named_args[k], a->i, text, sizeof d->text[0]);
					if (text[0]) {
						a->kind = VXE_LOGARG_NAME;
						a->s = text;
						a->len = strlen(text);
					}
				}
			break;
		case VXE_ARG_DIRFD:
			dirfd = (int32_t)v;
			if (dirfd == AT_FDCWD) {
				a->kind = VXE_LOGARG_NAME;
				a->s = "AT_FDCWD";
				a->len = 8;
			} else {
				a->i = dirfd;
			}
			break;
		case VXE_ARG_OPENFLAGS:
			vxe_open_flags_str((int32_t)v, text, sizeof d->text[0]);
			a->kind = VXE_LOGARG_NAME;
			a->s = text;
			a->len = strlen(text);
			break;
		case VXE_ARG_MODE:
			snprintf(text, sizeof d->text[0], "%#o", (unsigned)(v & 07777));
			a->kind = VXE_LOGARG_NAME;
			a->s = text;
			a->len = strlen(text);
			break;
		case VXE_ARG_PATH:
		case VXE_ARG_STR: {
			char raw[PATH_MAX];
			ssize_t n = vxe_mem_read_str(pid, v, raw, sizeof raw);
			a->kind = VXE_LOGARG_STR;
			if (n < 0) {
				d->path_err = (int)n;
				snprintf(text, sizeof d->text[0], "<%s at 0x%" PRIx64 ">",
					 n == -EFAULT ? "unreadable" : "too long", v);
				a->kind = VXE_LOGARG_NAME;
				a->s = text;
				a->len = strlen(text);
				break;
			}
			if (sa->type == VXE_ARG_PATH && d->npath < 2) {
				char *out = d->path[d->npath];
				int rc = n == 0 ? -ENOENT
						: vxe_resolve_path(pid, dirfd, raw, d->check_root,
								   out, PATH_MAX);
				if (rc < 0) {
					/* Keep what was asked for, unresolved. */
					snprintf(out, PATH_MAX, "%s", raw);
					if (!d->path_err)
						d->path_err = rc;
				}
				a->s = out;
				a->len = strlen(out);
				d->npath++;
			} else {
				/* Other strings are shown, truncated to the text buffer. */
				size_t m = (size_t)n < sizeof d->text[0] - 1
					       ? (size_t)n
					       : sizeof d->text[0] - 1;
				memcpy(text, raw, m);
				text[m] = 0;
				a->s = text;
				a->len = m;
			}
			break;
		}
		case VXE_ARG_SOCKADDR: {
			int family;
			unsigned port;
			uint64_t len = i + 1 < VXE_MAX_ARGS ? args[i + 1] : 0;
			vxe_decode_sockaddr(pid, v, len, text, sizeof d->text[0], &family, &port);
			a->kind = VXE_LOGARG_STR;
			a->s = text;
			a->len = strlen(text);
			break;
		}
		case VXE_ARG_PTR:
		case VXE_ARG_NONE:
		default:
			snprintf(text, sizeof d->text[0], "0x%" PRIx64, v);
			a->kind = VXE_LOGARG_NAME;
			a->s = text;
			a->len = strlen(text);
			break;
		}
		d->n++;
	}
}

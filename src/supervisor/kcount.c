/* Trace mode's kernel counter: the calls that need no argument read (the
 * harmless ones, and those the trace filter lets through unseen) are
 * recorded by the kernel's raw_syscalls:sys_enter tracepoint instead of a
 * seccomp notification each. A notification costs a round trip through the
 * supervisor (two context switches: ~9 us on a small VM); a tracepoint
 * sample is written into a ring buffer without stopping the caller (<1 us).
 * The supervisor drains the buffers between notifications.
 *
 * One perf event per CPU for a cgroup (v2) of its own, into which the traced
 * program is moved before its first instruction; every thread and child it
 * makes is born there. Not task events inherited down the tree: the kernel
 * drops a task's events when it executes a setuid or setgid program
 * (begin_new_exec: a non-dumpable exec must not be watched), so the calls
 * of exim's setuid re-exec, say, would go unseen. A cgroup event belongs to
 * the CPU and watches whoever runs there in the cgroup.
 *
 * A traced root program can move processes out of the cgroup (their
 * harmless calls go unrecorded) or others into it (theirs are recorded as
 * its own): harmless calls only, and less than it could do to the VXED
 * file itself (doc/trace.md, Limits).
 *
 * Nothing here decides anything: trace mode confines nothing. A sample the
 * kernel had to drop (buffer full) is counted, and the VXED says so.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/supervisor_internal.h"
#include "vxe/supervisor.h"

#define KC_PAGES 256 /* data pages per CPU (1 MiB with 4 KiB pages); a power of 2 */

struct kc_ring {
	int fd;
	struct perf_event_mmap_page *meta; /* owned mapping: 1 + KC_PAGES pages */
	unsigned char *data;
	size_t size;
};

struct vxe_kcount {
	unsigned n;
	struct kc_ring *ring;	   /* owned */
	unsigned off_id, off_args; /* in the tracepoint's record */
	int ep;			   /* epoll set of the rings' fds */
	int cgfd;		   /* the cgroup's directory */
	char cg[PATH_MAX];	   /* its path, removed at the end if empty */
	uint64_t lost;
};

/* Where raw_syscalls:sys_enter is described: its id (the perf config) and
 * the offsets of `long id` and `unsigned long args[6]` in its record. */
struct tp_desc {
	int id;
	unsigned off_id, off_args;
};

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return 0;
}

static bool field_offset(const char *format, const char *decl, unsigned *off)
{
	const char *p = strstr(format, decl);
	p = p ? strstr(p, "offset:") : NULL;
	if (!p)
		return false;
	*off = (unsigned)strtoul(p + 7, NULL, 10);
	return true;
}

static int tp_read(const char *dir, struct tp_desc *d)
{
	char path[128], buf[4096];
	snprintf(path, sizeof path, "%s/events/raw_syscalls/sys_enter/id", dir);
	int rc = read_small(path, buf, sizeof buf);
	if (rc < 0)
		return rc;
	d->id = atoi(buf);
	snprintf(path, sizeof path, "%s/events/raw_syscalls/sys_enter/format", dir);
	rc = read_small(path, buf, sizeof buf);
	if (rc < 0)
		return rc;
	if (d->id <= 0 || !field_offset(buf, "long id;", &d->off_id) ||
	    !field_offset(buf, "long args[6];", &d->off_args))
		return -EPROTO;
	return 0;
}

/* The host's tracefs if it is mounted; otherwise a tracefs mounted in a
 * private mount namespace of a short-lived child, so that the host's mount
 * table is never changed. The id is global. */
static int tp_find(struct tp_desc *d, char *why, size_t whysz)
{
	if (tp_read("/sys/kernel/tracing", d) == 0 || tp_read("/sys/kernel/debug/tracing", d) == 0)
		return 0;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid == 0) {
		struct tp_desc c = {0};
		int rc = -EPERM;
		if (unshare(CLONE_NEWNS) == 0 &&
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
		    mount("tracefs", "/sys/kernel/tracing", "tracefs",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
			rc = tp_read("/sys/kernel/tracing", &c);
		else
			rc = -errno;
		if (rc < 0)
			c.id = rc;
		ssize_t w = write(p[1], &c, sizeof c);
		_exit(w == (ssize_t)sizeof c ? 0 : 1);
	}
	close(p[1]);
	ssize_t n;
	while ((n = read(p[0], d, sizeof *d)) < 0 && errno == EINTR)
		;
	close(p[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof *d)
		d->id = -EIO;
	if (d->id < 0) {
		snprintf(why, whysz, "the raw_syscalls tracepoint cannot be read (tracefs: %s)",
			 strerror(-d->id));
		return d->id;
	}
	return 0;
}

/* Where a cgroup of our own can go: the cgroup2 mount point joined with
 * the calling process's own cgroup (a child of it inherits no controllers,
 * so cgroup v2's rule against processes in inner nodes is kept). */
static int cg_parent(char *out, size_t size)
{
	char line[PATH_MAX * 2], mnt[PATH_MAX] = "", self[PATH_MAX] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");
	while (f && !mnt[0] && fgets(line, sizeof line, f)) {
		const char *sep = strstr(line, " - cgroup2 ");
		char point[PATH_MAX];
		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1)
			snprintf(mnt, sizeof mnt, "%s", point);
	}
	if (f)
		fclose(f);
	f = fopen("/proc/self/cgroup", "re");
	while (f && !self[0] && fgets(line, sizeof line, f))
		if (strncmp(line, "0::", 3) == 0)
			snprintf(self, sizeof self, "%.*s", (int)strcspn(line + 3, "\n"), line + 3);
	if (f)
		fclose(f);
	if (!mnt[0])
		return -ENOENT;
	struct stat st;
	int n = snprintf(out, size, "%s%s", mnt, strcmp(self, "/") ? self : "");
	if (n < 0 || (size_t)n >= size || stat(out, &st) < 0 || !S_ISDIR(st.st_mode))
		snprintf(out, size, "%s", mnt); /* a cgroup namespace: its root */
	return 0;
}

static int cg_move(const char *cg, pid_t pid)
{
	char procs[PATH_MAX + 16], num[32];
	snprintf(procs, sizeof procs, "%s/cgroup.procs", cg);
	snprintf(num, sizeof num, "%d", (int)pid);
	int fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = write(fd, num, strlen(num)) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* The cgroups of traces whose vxe was killed (SIGKILL leaves no time to
 * remove them): rmdir refuses one that still holds a process, and one made
 * in the last ten seconds may be another trace's that is not populated yet
 * (it is within milliseconds). */
static void cg_sweep(const char *parent)
{
	DIR *d = opendir(parent);
	time_t now = time(NULL);
	for (struct dirent *e; d && (e = readdir(d));) {
		int pid;
		char rest, path[PATH_MAX + 300];
		struct stat st;
		if (sscanf(e->d_name, "vxe-trace-%d%c", &pid, &rest) != 1 || pid <= 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
		if (stat(path, &st) == 0 && st.st_mtime < now - 10)
			rmdir(path);
	}
	if (d)
		closedir(d);
}

static int kc_open(int cgfd, int cpu, const struct tp_desc *d)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof a;
	a.config = (uint64_t)d->id;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_RAW;
	/* The kernel writes a LOST record only into a buffer with room for
	 * it; the count read from the event (Linux 6.0+) also holds what was
	 * dropped while the buffer stayed full until the end. */
	a.read_format = PERF_FORMAT_LOST;
	/* Wake the supervisor when a quarter of the buffer is used: early
	 * enough that a burst does not fill it while the drain is pending. */
	a.watermark = 1;
	a.wakeup_watermark = KC_PAGES * (unsigned)sysconf(_SC_PAGESIZE) / 4;
	unsigned long fl = PERF_FLAG_FD_CLOEXEC | (cgfd >= 0 ? PERF_FLAG_PID_CGROUP : 0);
	int fd = (int)syscall(SYS_perf_event_open, &a, cgfd, cpu, -1, fl);
	if (fd < 0 && errno == EINVAL) { /* before Linux 6.0: LOST records only */
		a.read_format = 0;
		fd = (int)syscall(SYS_perf_event_open, &a, cgfd, cpu, -1, fl);
	}
	return fd;
}

bool vxe_kcount_available(char *why, size_t whysz)
{
	struct tp_desc d;
	if (tp_find(&d, why, whysz) < 0)
		return false;
	char parent[PATH_MAX];
	if (cg_parent(parent, sizeof parent) < 0) {
		snprintf(why, whysz, "no cgroup v2 hierarchy is mounted");
		return false;
	}
	int cgfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The permission and the tracepoint, for our own cgroup on CPU 0. */
	int fd = cgfd >= 0 ? kc_open(cgfd, 0, &d) : -1;
	if (cgfd >= 0)
		close(cgfd);
	if (fd < 0) {
		snprintf(why, whysz, "perf_event_open of raw_syscalls:sys_enter: %s%s",
			 strerror(errno),
			 errno == EACCES || errno == EPERM ? " (needs root or CAP_PERFMON)" : "");
		return false;
	}
	close(fd);
	return true;
}

void vxe_kcount_free(struct vxe_kcount *k)
{
	if (!k)
		return;
	long page = sysconf(_SC_PAGESIZE);
	for (unsigned i = 0; i < k->n; i++) {
		if (k->ring[i].meta)
			munmap(k->ring[i].meta, (size_t)page * (KC_PAGES + 1));
		if (k->ring[i].fd >= 0)
			close(k->ring[i].fd);
	}
	if (k->ep >= 0)
		close(k->ep);
	if (k->cgfd >= 0)
		close(k->cgfd);
	/* Fails while a process is still in it (a daemon that detached); the
	 * last ones reaped may take a moment to leave. */
	int busy = 0;
	for (int i = 0; k->cg[0] && i < 50 && (busy = rmdir(k->cg) < 0 && errno == EBUSY); i++)
		usleep(2000);
	if (busy && fork() == 0) {
		/* An orphan left behind (a killed shell's job) is in it until
		 * it ends and init reaps it: a small process of our own waits
		 * for that, up to ten minutes, so that no cgroup is left. */
		setsid();
		for (int fd = 0; fd < 1024; fd++)
			close(fd);
		for (int i = 0; i < 6000 && rmdir(k->cg) < 0 && errno == EBUSY; i++)
			usleep(100000);
		_exit(0);
	}
	free(k->ring);
	free(k);
}

int vxe_kcount_fd(const struct vxe_kcount *k)
{
	return k ? k->ep : -1;
}

/* The tracepoint's filter: "(id>=A&&id<=B)||id==C...", the numbers for
 * which want[nr] is set, as ranges. Samples of other calls (the notified
 * ones, already recorded) are never written: writing one costs more than
 * the filter. */
static bool filter_text(const bool *want, unsigned n, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = 0;
	for (unsigned a = 0; a < n; a++) {
		if (!want[a])
			continue;
		unsigned b = a;
		while (b + 1 < n && want[b + 1])
			b++;
		int w = a == b ? snprintf(buf + len, size - len, "%sid==%u", len ? "||" : "", a)
			       : snprintf(buf + len, size - len, "%s(id>=%u&&id<=%u)",
					  len ? "||" : "", a, b);
		if (w < 0 || (size_t)w >= size - len)
			return false;
		len += (size_t)w;
		a = b;
	}
	return len > 0;
}

struct vxe_kcount *vxe_kcount_open(pid_t pid, const bool *want, unsigned nwant, char *why,
				   size_t whysz)
{
	char filter[4096]; /* the kernel takes at most a page */
	if (!filter_text(want, nwant, filter, sizeof filter)) {
		snprintf(why, whysz, "no calls to count, or too many ranges for a filter");
		return NULL;
	}
	struct tp_desc d;
	if (tp_find(&d, why, whysz) < 0)
		return NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF), page = sysconf(_SC_PAGESIZE);
	struct vxe_kcount *k = calloc(1, sizeof *k);
	if (!k || ncpu < 1 || !(k->ring = calloc((size_t)ncpu, sizeof *k->ring))) {
		snprintf(why, whysz, "out of memory");
		free(k);
		return NULL;
	}
	k->ep = -1;
	k->cgfd = -1;
	char parent[PATH_MAX] = "";
	bool have_parent = cg_parent(parent, sizeof parent) == 0;
	if (have_parent)
		cg_sweep(parent);
	if (!have_parent ||
	    snprintf(k->cg, sizeof k->cg, "%s/vxe-trace-%d", parent, (int)pid) >=
		(int)sizeof k->cg ||
	    mkdir(k->cg, 0700) < 0) {
		snprintf(why, whysz, "cannot make a cgroup for the trace in %s: %s", parent,
			 strerror(errno));
		k->cg[0] = 0;
		vxe_kcount_free(k);
		return NULL;
	}
	int rc = cg_move(k->cg, pid);
	if (rc == 0 && (k->cgfd = open(k->cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(why, whysz, "cannot move the program into %s: %s", k->cg, strerror(-rc));
		vxe_kcount_free(k);
		return NULL;
	}
	k->off_id = d.off_id;
	k->off_args = d.off_args;
	k->ep = epoll_create1(EPOLL_CLOEXEC);
	if (k->ep < 0) {
		snprintf(why, whysz, "epoll_create1: %s", strerror(errno));
		vxe_kcount_free(k);
		return NULL;
	}
	for (long cpu = 0; cpu < ncpu; cpu++) {
		int fd = kc_open(k->cgfd, (int)cpu, &d);
		if (fd < 0 && errno == ENODEV)
			continue; /* an offline CPU: nothing runs there */
		if (fd < 0) {
			snprintf(why, whysz, "perf_event_open on CPU %ld: %s", cpu,
				 strerror(errno));
			vxe_kcount_free(k);
			return NULL;
		}
		struct kc_ring *r = &k->ring[k->n++];
		r->fd = fd;
		/* One epoll set stands for all CPUs' events in the
		 * supervisor's poll: one fd more per notification instead of one
		 * per CPU (a perf fd's poll is not cheap). Not SIGIO: with
		 * O_ASYNC the kernel signals every sample, not the watermark. */
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = k->n - 1};
		if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter) < 0 ||
		    epoll_ctl(k->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			snprintf(why, whysz, "perf event set-up (filter, epoll): %s",
				 strerror(errno));
			vxe_kcount_free(k);
			return NULL;
		}
		void *m = mmap(NULL, (size_t)page * (KC_PAGES + 1), PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			snprintf(why, whysz, "mmap of the perf buffer: %s", strerror(errno));
			vxe_kcount_free(k);
			return NULL;
		}
		r->meta = m;
		r->data = (unsigned char *)m + page;
		r->size = (size_t)page * KC_PAGES;
	}
	if (!k->n) {
		snprintf(why, whysz, "no CPU is online");
		vxe_kcount_free(k);
		return NULL;
	}
	return k;
}

uint64_t vxe_kcount_lost(const struct vxe_kcount *k)
{
	if (!k)
		return 0;
	uint64_t read_lost = 0;
	bool have = k->n > 0;
	for (unsigned i = 0; i < k->n; i++) {
		struct {
			uint64_t value, lost;
		} v;
		if (read(k->ring[i].fd, &v, sizeof v) == (ssize_t)sizeof v)
			read_lost += v.lost;
		else
			have = false;
	}
	return have && read_lost > k->lost ? read_lost : k->lost;
}

void vxe_kcount_forget(struct vxe_kcount *k)
{
	/* The kernel does not copy a perf buffer's mapping into a child
	 * (VM_DONTCOPY): in a forked copy of the supervisor the rings are
	 * gone, and only the cgroup is left to remove at its end. */
	for (unsigned i = 0; k && i < k->n; i++) {
		k->ring[i].meta = NULL;
		close(k->ring[i].fd);
		k->ring[i].fd = -1;
	}
	if (k) {
		k->n = 0;
		if (k->ep >= 0)
			close(k->ep);
		k->ep = -1;
	}
}

/* Copies len bytes at offset pos of the ring, which may wrap. */
static void ring_copy(const struct kc_ring *r, uint64_t pos, void *dst, size_t len)
{
	size_t at = (size_t)(pos & (r->size - 1)), first = r->size - at;
	if (first >= len) {
		memcpy(dst, r->data + at, len);
	} else {
		memcpy(dst, r->data + at, first);
		memcpy((unsigned char *)dst + first, r->data, len - first);
	}
}

void vxe_kcount_drain(struct vxe_kcount *k, vxe_kcount_fn fn, void *userdata)
{
	if (!k)
		return;
	/* An event whose traced tasks are all gone says POLLHUP for good:
	 * out of the set, or the supervisor's poll would never sleep. */
	struct epoll_event evs[16];
	int n = epoll_wait(k->ep, evs, 16, 0);
	for (int i = 0; i < n; i++)
		if ((evs[i].events & (EPOLLHUP | EPOLLERR)) && evs[i].data.u32 < k->n)
			epoll_ctl(k->ep, EPOLL_CTL_DEL, k->ring[evs[i].data.u32].fd, NULL);
	for (unsigned i = 0; i < k->n; i++) {
		struct kc_ring *r = &k->ring[i];
		uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
		uint64_t tail = r->meta->data_tail;
		while (tail < head) {
			struct perf_event_header h;
			ring_copy(r, tail, &h, sizeof h);
			if (h.size < sizeof h || h.size > head - tail)
				break; /* cannot be: the kernel writes whole records */
			unsigned char rec[512];
			size_t len = h.size < sizeof rec ? h.size : sizeof rec;
			ring_copy(r, tail, rec, len);
			if (h.type == PERF_RECORD_SAMPLE) {
				/* u32 pid, tid; u32 size; raw record */
				uint32_t tid, rawsz;
				memcpy(&tid, rec + sizeof h + 4, 4);
				memcpy(&rawsz, rec + sizeof h + 8, 4);
				const unsigned char *raw = rec + sizeof h + 12;
				int64_t id;
				uint64_t args[6];
				if (sizeof h + 12 + (size_t)rawsz <= len &&
				    k->off_args + sizeof args <= rawsz &&
				    k->off_id + sizeof id <= rawsz) {
					memcpy(&id, raw + k->off_id, sizeof id);
					memcpy(args, raw + k->off_args, sizeof args);
					fn(userdata, (pid_t)tid, id, args);
				}
			} else if (h.type == PERF_RECORD_LOST && len >= sizeof h + 16) {
				uint64_t lost;
				memcpy(&lost, rec + sizeof h + 8, sizeof lost);
				k->lost += lost;
			}
			tail += h.size;
		}
		__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
	}
}

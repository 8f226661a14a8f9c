/* bench/notify: the floor of a seccomp user-notification round trip on this
 * machine, with no policy work at all: a child calls getppid() N times under
 * a filter that sends getppid to a listener; the parent answers each with
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE. Measures what any supervisor must pay,
 * so that VXE's figure can be read against it.
 *
 * usage: notify N [sync] [poll]
 *        notify N pipe
 *   sync  set SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6+)
 *   poll  wait in poll(2) before each RECV, as an event-loop supervisor does
 *   pipe  no seccomp: a one-byte ping-pong over two pipes between two
 *         processes, the bare cost of handing the CPU over and back
 * prints "notify N ns_per_call flags"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Sends fd over a socket: the child installs the filter (it must be the one
 * filtered), the parent answers. */
static void send_fd(int sock, int fd)
{
	char c = 0;
	struct iovec iov = {&c, 1};
	char buf[CMSG_SPACE(sizeof(int))];
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	sendmsg(sock, &m, 0);
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = {&c, 1};
	char buf[CMSG_SPACE(sizeof(int))];
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
	if (recvmsg(sock, &m, 0) <= 0)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
	return fd;
}

static int pipe_pingpong(long n)
{
	int a[2], b[2];
	char c = 0;
	if (pipe(a) < 0 || pipe(b) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1)
			if (write(b[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			return 1;
	double t = (now_ns() - t0) / (double)n;
	close(a[1]);
	waitpid(pid, NULL, 0);
	printf("notify %ld %.1f pipe\n", n, t);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int sync = 0, use_poll = 0;
	for (int i = 2; i < argc; i++) {
		sync |= strcmp(argv[i], "sync") == 0;
		use_poll |= strcmp(argv[i], "poll") == 0;
	}
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "pipe") == 0)
			return pipe_pingpong(n);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	double *result =
	    mmap(NULL, sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct sock_filter f[] = {
		    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = {sizeof f / sizeof f[0], f};
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				      SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		if (fd < 0) {
			perror("seccomp");
			_exit(1);
		}
		send_fd(sv[0], fd);
		close(fd);
		char c;
		if (read(sv[0], &c, 1) != 1) /* parent ready */
			_exit(1);
		double t0 = now_ns();
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		*result = (now_ns() - t0) / (double)n;
		_exit(0);
	}
	int fd = recv_fd(sv[1]);
	if (fd < 0)
		return 1;
	if (sync) {
		unsigned long long fl = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, fl) < 0)
			perror("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP");
	}
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	if (write(sv[1], "g", 1) != 1)
		return 1;
	for (long i = 0; i < n; i++) {
		if (use_poll) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			if (poll(&p, 1, -1) < 0)
				break;
		}
		memset(&req, 0, sizeof req);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT) {
				i--;
				continue;
			}
			break;
		}
		memset(&resp, 0, sizeof resp);
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("notify %ld %.1f %s%s\n", n, *result, sync ? "sync" : "nosync",
	       use_poll ? "+poll" : "");
	return 0;
}

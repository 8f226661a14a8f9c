/* Trace-mode helper for tests/live/trace-kcount.t: makes harmless calls that
 * no C library start-up makes, each in a different kind of task, so that a
 * VXED written by `vxe trace` lists them only if the trace saw that task.
 *   main process        getcpu
 *   a forked child      getitimer
 *   a thread of it      timerfd_create (and close)
 *   a vfork child       getresgid, then _exit
 *   the main process    times() N times (argv[1]): a burst for the buffers
 * Exit status 0 when every call worked. Other modes (i386, daemon, flood)
 * are described where they are. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thread_main(void *arg)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	if (fd >= 0)
		close(fd);
	*(int *)arg = fd >= 0;
	return NULL;
}

/* i386 N: N 32-bit (int 0x80) getpid calls, whose number (20) is writev's
 * on x86_64, and N of number 56 (none on i386; clone on x86_64). */
static int i386_calls(long n)
{
	for (long i = 0; i < n; i++) {
		long r;
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(56L), "b"(0L) : "memory");
	}
	puts("i386 done");
	return 0;
}

/* daemon FILE: the parent exits at once; a child in a session of its own
 * opens /etc/hostname a second later and writes "open ok" (or the error)
 * to FILE. The supervisor goes on serving it detached. */
static int daemon_mode(const char *file)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid < 0;
	setsid();
	sleep(1);
	int fd = open("/etc/hostname", O_RDONLY);
	FILE *f = fopen(file, "w");
	if (f) {
		fprintf(f, fd >= 0 ? "open ok\n" : "open failed\n");
		fclose(f);
	}
	_exit(0);
}

/* flood N: stops the supervisor (the parent), makes N harmless calls and
 * one getcpu, and exits (exit_group is not notified): the buffers overflow
 * while nothing drains them. The test sends the supervisor SIGCONT. */
static int flood(long n)
{
	kill(getppid(), SIGSTOP);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	unsigned cpu;
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	syscall(SYS_exit_group, 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "i386") == 0)
		return i386_calls(atol(argv[2]));
	if (argc > 2 && strcmp(argv[1], "daemon") == 0)
		return daemon_mode(argv[2]);
	if (argc > 2 && strcmp(argv[1], "flood") == 0)
		return flood(atol(argv[2]));
	long loops = argc > 1 ? atol(argv[1]) : 0;
	unsigned cpu, node;
	if (syscall(SYS_getcpu, &cpu, &node, NULL) < 0)
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		struct itimerval it;
		if (getitimer(ITIMER_REAL, &it) < 0)
			_exit(2);
		pthread_t th;
		int ok = 0;
		if (pthread_create(&th, NULL, thread_main, &ok) != 0 || pthread_join(th, NULL) != 0)
			_exit(3);
		_exit(ok ? 0 : 4);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 5;
	pid = vfork();
	if (pid == 0) {
		syscall(SYS_getresgid, NULL, NULL, NULL); /* EFAULT is fine: it was made */
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 6;
	struct tms t;
	for (long i = 0; i < loops; i++)
		times(&t);
	puts("kcount done");
	return 0;
}

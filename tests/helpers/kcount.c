/* Trace-mode helper for tests/live/trace-kcount.t: makes harmless calls that
 * no C library start-up makes, each in a different kind of task, so that a
 * VXED written by `vxe trace` lists them only if the trace saw that task.
 *   main process        getcpu
 *   a forked child      getitimer
 *   a thread of it      timerfd_create (and close)
 *   a vfork child       getresgid, then _exit
 *   the main process    times() N times (argv[1]): a burst for the buffers
 * Exit status 0 when every call worked. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
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

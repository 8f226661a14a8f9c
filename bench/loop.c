/* bench/loop: a system call in a tight loop, timed from inside the process so
 * that start-up (exec, loader, VXE's own set-up) is not part of the figure.
 *
 * usage: loop KIND N [FILE]
 *   getppid  getppid() N times              (no arguments: a bare syscall)
 *   fcntl    fcntl(0, F_GETFD) N times      (an integer argument to check)
 *   lseek    lseek(fd, 0, SEEK_SET) N times on FILE (or /dev/null)
 *   open     open(FILE, O_RDONLY) + close N times
 *   openat   openat(AT_FDCWD, FILE, O_RDONLY) + close N times
 * prints one line: "KIND N ns_per_iteration"
 * Exit status 1 if any call failed: a benchmark of refused calls would
 * measure the wrong path.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: loop getppid|fcntl|lseek|open|openat N [FILE]\n");
		return 2;
	}
	const char *kind = argv[1];
	long n = atol(argv[2]);
	const char *file = argc > 3 ? argv[3] : "/dev/null";
	long bad = 0;
	int fd = -1;
	if (strcmp(kind, "lseek") == 0 && (fd = open(file, O_RDONLY)) < 0) {
		perror(file);
		return 1;
	}
	double t0 = now_ns();
	if (strcmp(kind, "getppid") == 0) {
		/* syscall(2), not getppid(3): no libc may cache it. */
		for (long i = 0; i < n; i++)
			bad += syscall(SYS_getppid) < 0;
	} else if (strcmp(kind, "fcntl") == 0) {
		for (long i = 0; i < n; i++)
			bad += fcntl(0, F_GETFD) < 0;
	} else if (strcmp(kind, "lseek") == 0) {
		for (long i = 0; i < n; i++)
			bad += lseek(fd, 0, SEEK_SET) != 0;
	} else if (strcmp(kind, "open") == 0 || strcmp(kind, "openat") == 0) {
		for (long i = 0; i < n; i++) {
			int f = openat(AT_FDCWD, file, O_RDONLY | O_CLOEXEC);
			bad += f < 0;
			if (f >= 0)
				close(f);
		}
	} else {
		fprintf(stderr, "loop: unknown kind %s\n", kind);
		return 2;
	}
	double t1 = now_ns();
	printf("%s %ld %.1f\n", kind, n, n > 0 ? (t1 - t0) / (double)n : 0.0);
	if (bad) {
		fprintf(stderr, "loop: %ld of %ld calls failed\n", bad, n);
		return 1;
	}
	return 0;
}

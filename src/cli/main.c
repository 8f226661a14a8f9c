/* vxe: the command-line front end. The only place that prints errors for a
 * person and exits; everything below returns errors. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vxe/supervisor.h"

#define EXIT_VXE 125 /* vxe itself failed (like env(1), timeout(1)) */

__attribute__((noreturn, format(printf, 2, 3))) void vxe_die(const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vxe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (hint)
		fprintf(stderr, "hint: %s\n", hint);
	exit(EXIT_VXE);
}

static const char usage_text[] =
    "usage: vxe POLICY.vxed PROGRAM [ARGS...]\n"
    "       vxe run [--mode soft|production] [--log FILE] [-q] POLICY.vxed PROGRAM [ARGS...]\n"
    "       vxe check [--mode soft|production] [--bpf FILE] POLICY.vxed\n"
    "       vxe trace [--type strict|filesystem] [-o OUT.vxed] [--merge OLD.vxed] -- PROGRAM "
    "[ARGS...]\n"
    "       vxe log [--file LOG] [--vxed NAME] [--since T] [--until T] [--syscall S]\n"
    "               [--action A] [--program P] [--json] [--follow]\n"
    "       vxe upgrade [--dry-run | --accept-all] POLICY.vxed [LOG...] | --undo POLICY.vxed\n"
    "       vxe --help | --version\n"
    "\n"
    "Runs PROGRAM and every process it starts inside the virtual executing\n"
    "environment that POLICY.vxed describes: only the system calls and\n"
    "parameters it permits, even for uid 0.\n"
    "\n"
    "  run      explicit activation; exit status is PROGRAM's (125: vxe failed)\n"
    "  check    validate a VXED and show how each rule is enforced (exit 2 if invalid)\n"
    "  trace    run PROGRAM unrestricted and write a VXED that permits what it did\n"
    "  log      read the violation log (see vxe log --help)\n"
    "  upgrade  propose rules for logged violations, review them, keep the old version\n"
    "           (see vxe upgrade --help)\n"
    "\n"
    "Options of run:\n"
    "  --mode soft|production  override the VXED's mode (soft: log and allow;\n"
    "                          production: log and refuse)\n"
    "  --log FILE              violation log (default $VXE_LOG or " VXE_LOG_DEFAULT ";\n"
    "                          '-' for standard error)\n"
    "  -q, --quiet             no warnings from vxe itself\n"
    "\n"
    "See vxe(1) and doc/vxed.md for the VXED language.\n";

static __attribute__((noreturn)) void usage(FILE *f, int code)
{
	fputs(usage_text, f);
	exit(code);
}

static int parse_mode(const char *s, enum vxe_mode *m)
{
	if (strcmp(s, "soft") == 0)
		*m = VXE_MODE_SOFT;
	else if (strcmp(s, "production") == 0)
		*m = VXE_MODE_PRODUCTION;
	else
		return -1;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"log", required_argument, NULL, 'l'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *log_path = getenv("VXE_LOG");
	const char *mode_arg = NULL;
	bool quiet = false;
	int c;
	/* '+': options end at the policy; the program's own options follow. */
	while ((c = getopt_long(argc, argv, "+m:l:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mode_arg = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, EXIT_VXE);
		}
	}
	if (argc - optind < 2)
		vxe_die("vxe run POLICY.vxed PROGRAM [ARGS...]",
			"run: a policy and a program are needed");
	const char *policy_path = argv[optind];
	char **prog_argv = argv + optind + 1;

	char err[512];
	struct vxe_policy *p;
	if (vxe_policy_load(policy_path, &p, err, sizeof err) < 0) {
		/* A located error (FILE:LINE:COL) is the VXED's; others are I/O. */
		size_t n = strlen(policy_path);
		bool located = strncmp(err, policy_path, n) == 0 && err[n] == ':' &&
			       err[n + 1] >= '0' && err[n + 1] <= '9';
		vxe_die(located ? "vxe check POLICY.vxed explains each rule" : NULL, "%s", err);
	}
	enum vxe_mode mode = p->mode;
	if (mode_arg && parse_mode(mode_arg, &mode) < 0)
		vxe_die(NULL, "--mode: soft or production, not '%s'", mode_arg);
	if (mode == VXE_MODE_TRACE)
		vxe_die("use --mode soft or production; tracing is `vxe trace`",
			"%s: trace mode cannot confine", policy_path);
	char *path = vxe_find_program(prog_argv[0]);
	if (!path) {
		/* As a shell would: 127 for a program that cannot be found. */
		fprintf(stderr, "vxe: %s: %s\n", prog_argv[0], strerror(errno ? errno : ENOENT));
		exit(127);
	}
	struct vxe_plan *plan = vxe_plan_new(p, mode, err, sizeof err);
	if (!plan)
		vxe_die(NULL, "%s", errno == ENOMEM ? "out of memory" : err);
	struct vxe_log_opts lo = {.path = log_path};
	struct vxe_log *log = vxe_log_open(&lo);
	if (!log)
		vxe_die("run as root, or give --log FILE", "cannot open the log %s: %s",
			log_path ? log_path : VXE_LOG_DEFAULT, strerror(errno));
	extern char **environ;
	struct vxe_launch l = {
	    .plan = plan,
	    .log = log,
	    .path = path,
	    .argv = prog_argv,
	    .envp = environ,
	    .quiet = quiet,
	    .log_path = log_path ? log_path : VXE_LOG_DEFAULT,
	};
	int status = 0;
	int rc = vxe_sup_run(&l, &status);
	vxe_log_close(log);
	/* The process ends here: the plan, the policy and its interpreter go
	 * with it. Freeing them one object at a time would only delay the
	 * program's exit status (it is most of what vxe does after the
	 * program ends); the ASan build frees them to keep leak checks exact. */
#ifdef VXE_FREE_AT_EXIT
	vxe_plan_free(plan);
	vxe_policy_free(p);
	free(path);
#endif
	if (rc < 0)
		return EXIT_VXE;
	return vxe_exit_like(status);
}

int vxe_exit_like(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		/* Die of the same signal, as the shell would show it, without a
		 * core file of vxe's own. */
		int sig = WTERMSIG(status);
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		signal(sig, SIG_DFL);
		sigset_t m;
		sigemptyset(&m);
		sigaddset(&m, sig);
		sigprocmask(SIG_UNBLOCK, &m, NULL);
		raise(sig);
		return 128 + sig;
	}
	return EXIT_VXE;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage(stderr, EXIT_VXE);
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0)
		usage(stdout, 0);
	if (strcmp(cmd, "--version") == 0) {
		printf("vxe %s\n", VXE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return vxe_cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "trace") == 0)
		return vxe_cmd_trace(argc - 1, argv + 1);
	if (strcmp(cmd, "log") == 0)
		return vxe_cmd_log(argc - 1, argv + 1);
	if (strcmp(cmd, "upgrade") == 0)
		return vxe_cmd_upgrade(argc - 1, argv + 1);
	if (cmd[0] == '-')
		usage(stderr, EXIT_VXE);
	/* vxe POLICY PROGRAM ARGS... A word that is neither a command nor an
	 * existing file is more likely a mistyped command than a VXED. */
	if (!strchr(cmd, '/') && !strstr(cmd, ".vxed") && access(cmd, F_OK) != 0)
		vxe_die("vxe --help lists the commands", "unknown command '%s'", cmd);
	if (argc < 3)
		vxe_die("vxe POLICY.vxed PROGRAM [ARGS...]", "a program to run is needed");
	return cmd_run(argc, argv);
}

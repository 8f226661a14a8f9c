/* vxe trace: run a program unrestricted, record every system call of it and
 * its descendants, and write a VXED that permits what it did (SPEC §1: the
 * first step of the development flow). Also `vxe trace --print`, the
 * canonical printer. The recording and writing live in src/trace/. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trace/trace_internal.h"
#include "vxe/supervisor.h"
#include "vxe/trace.h"

#define EXIT_VXE    125
#define EXIT_NOEXEC 127

static const char trace_usage[] =
    "usage: vxe trace [--type strict|filesystem] [-o OUT.vxed [--force]] [--merge OLD.vxed]\n"
    "                 [--generalize none|normal|wide] [--max-files N] [--name NAME]\n"
    "                 [--no-kernel-count] [--] PROGRAM [ARGS...]\n"
    "       vxe trace --print POLICY.vxed\n"
    "\n"
    "Runs PROGRAM and every process it starts unrestricted, records each system\n"
    "call with its decoded arguments, and writes a VXED that permits what they did\n"
    "(standard output, or OUT.vxed). The exit status is PROGRAM's.\n"
    "\n"
    "  --type T          strict (default: every syscall listed) or filesystem (paths only)\n"
    "  -o, --output F    write F (atomically); refuses to replace F without --force or --merge\n"
    "  --merge OLD       keep OLD as it is and add what this run needed beyond it\n"
    "  --generalize L    none: exact paths; normal (default): temporary files, versioned\n"
    "                    libraries, directories of more than --max-files files; wide: the\n"
    "                    same from 3 files\n"
    "  --max-files N     more than N files in one directory with one access: the directory\n"
    "  --max-paths N     distinct paths kept in memory (default 100000)\n"
    "  --name NAME       the VXED's name (default: the program's)\n"
    "  --print POLICY    print POLICY in canonical form and exit\n"
    "  --no-kernel-count stop the program for every call, harmless ones too (slower; the\n"
    "                    default counts those with the kernel's syscall tracepoint when\n"
    "                    run as root)\n"
    "\n"
    "See doc/trace.md.\n";

/* Writes text to path through a temporary file in the same directory and a
 * rename, so that path is either the old file or the whole new one. */
static int write_atomic(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp)
		return -ENAMETOOLONG;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno ? errno : EIO;
			close(fd);
			unlink(tmp);
			return -e;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return -e;
	}
	return 0;
}

static int print_policy(const char *path)
{
	char err[512];
	struct vxe_policy *p;
	if (vxe_policy_load(path, &p, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	char *text = vxe_policy_print(p);
	vxe_policy_free(p);
	if (!text)
		vxe_die(NULL, "trace: out of memory");
	fputs(text, stdout);
	free(text);
	return fflush(stdout) == 0 ? 0 : EXIT_VXE;
}

static char *join_args(char **argv)
{
	size_t n = 1;
	for (char **a = argv; *a; a++)
		n += strlen(*a) + 1;
	char *s = malloc(n), *o = s;
	if (!s)
		return NULL;
	for (char **a = argv; *a; a++)
		o += sprintf(o, "%s%s", a == argv ? "" : " ", *a);
	*o = 0;
	return s;
}

int vxe_cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"type", required_argument, NULL, 't'},
	    {"output", required_argument, NULL, 'o'},
	    {"merge", required_argument, NULL, 'm'},
	    {"force", no_argument, NULL, 'f'},
	    {"generalize", required_argument, NULL, 'g'},
	    {"max-files", required_argument, NULL, 'n'},
	    {"max-paths", required_argument, NULL, 'P'},
	    {"name", required_argument, NULL, 'N'},
	    {"print", required_argument, NULL, 'p'},
	    {"no-kernel-count", no_argument, NULL, 'K'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct vxe_trace_opts to = {.type = VXE_TYPE_STRICT, .level = VXE_GEN_NORMAL};
	const char *out_path = NULL, *merge_path = NULL;
	bool force = false, kernel_count = true;
	int c;
	while ((c = getopt_long(argc, argv, "+t:o:m:fh", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 't':
			if (strcmp(optarg, "strict") == 0)
				to.type = VXE_TYPE_STRICT;
			else if (strcmp(optarg, "filesystem") == 0)
				to.type = VXE_TYPE_FILESYSTEM;
			else
				vxe_die(NULL, "trace: --type strict or filesystem, not '%s'",
					optarg);
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'm':
			merge_path = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'g':
			if (strcmp(optarg, "none") == 0)
				to.level = VXE_GEN_NONE;
			else if (strcmp(optarg, "normal") == 0)
				to.level = VXE_GEN_NORMAL;
			else if (strcmp(optarg, "wide") == 0)
				to.level = VXE_GEN_WIDE;
			else
				vxe_die(NULL, "trace: --generalize none, normal or wide, not '%s'",
					optarg);
			break;
		case 'n':
			to.max_files = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg || to.max_files == 0 || to.max_files > 1000000)
				vxe_die(NULL, "trace: --max-files: a number from 1, not '%s'",
					optarg);
			break;
		case 'P':
			to.max_paths = strtoul(optarg, &end, 10);
			if (*end || !*optarg || to.max_paths < 16 || to.max_paths > 10000000)
				vxe_die(NULL, "trace: --max-paths: 16 to 10000000, not '%s'",
					optarg);
			break;
		case 'N':
			to.name = optarg;
			break;
		case 'p':
			return print_policy(optarg);
		case 'K':
			kernel_count = false;
			break;
		case 'h':
			fputs(trace_usage, stdout);
			return 0;
		default:
			fputs(trace_usage, stderr);
			return EXIT_VXE;
		}
	}
	if (optind >= argc)
		vxe_die("vxe trace [-o OUT.vxed] -- PROGRAM [ARGS...]",
			"trace: a program is needed");
	char **prog_argv = argv + optind;

	/* Everything that can refuse is checked before the program runs:
	 * a trace is not always repeatable. */
	struct stat st;
	bool same_file = false;
	if (out_path && merge_path) {
		struct stat ms;
		same_file = stat(out_path, &st) == 0 && stat(merge_path, &ms) == 0 &&
			    st.st_dev == ms.st_dev && st.st_ino == ms.st_ino;
	}
	if (out_path && !force && !same_file && stat(out_path, &st) == 0)
		vxe_die("give --force to replace it, or --merge it to add to it",
			"trace: %s exists", out_path);
	struct vxe_policy *old = NULL;
	char *old_text = NULL;
	char err[512];
	if (merge_path) {
		size_t len;
		old_text = vxe_read_file(merge_path, &len);
		if (!old_text)
			vxe_die(NULL, "trace: %s: %s", merge_path, strerror(errno));
		if (vxe_policy_load_string(merge_path, old_text, len, &old, err, sizeof err) < 0)
			vxe_die("--merge needs a VXED that loads; vxe check explains", "%s", err);
		if (old->type != to.type)
			vxe_trace_warnf(stderr,
					"vxe: trace: %s is a %s VXED; merging as %s (--type %s "
					"ignored)",
					merge_path, vxe_type_name(old->type),
					vxe_type_name(old->type), vxe_type_name(to.type));
	}
	char *path = vxe_find_program(prog_argv[0]);
	if (!path) {
		vxe_trace_warnf(stderr, "vxe: trace: %s: %s", prog_argv[0],
				strerror(errno ? errno : ENOENT));
		fprintf(stderr, "hint: give a path, or a program on $PATH; nothing was written\n");
		return EXIT_NOEXEC;
	}
	static const char trace_src[] = "(vxed \"trace\" :type strict :mode trace)";
	struct vxe_policy *tp;
	if (vxe_policy_load_string("trace", trace_src, sizeof trace_src - 1, &tp, err, sizeof err) <
	    0)
		vxe_die(NULL, "%s", err);
	struct vxe_plan *plan = vxe_plan_new(tp, VXE_MODE_TRACE, err, sizeof err);
	if (!plan)
		vxe_die(NULL, "%s", errno == ENOMEM ? "out of memory" : err);
	/* Harmless calls counted in the kernel where it can: the program is
	 * not stopped for them. Otherwise every call is a notification. */
	char why[256];
	if (kernel_count && vxe_kcount_available(why, sizeof why))
		vxe_plan_trace_counted(plan);
	else if (kernel_count && isatty(STDERR_FILENO))
		fprintf(stderr,
			"vxe: trace: note: every call stops for the supervisor (slower): %s\n",
			why);
	char *command = join_args(prog_argv);
	/* Named as the administrator called it: /usr/bin/redis-server is a
	 * symlink to redis-check-rdb, whose name would say nothing. */
	if (!to.name) {
		const char *slash = strrchr(prog_argv[0], '/');
		to.name = slash && slash[1] ? slash + 1 : prog_argv[0];
	}
	to.program = path;
	to.command = command;
	to.progress = isatty(STDERR_FILENO);
	struct vxe_trace *t = vxe_trace_new(&to);
	if (!t)
		vxe_die(NULL, "trace: out of memory");
	extern char **environ;
	uint64_t lost = 0;
	sigset_t before;
	sigprocmask(SIG_SETMASK, NULL, &before);
	struct vxe_launch l = {
	    .plan = plan,
	    .log = NULL,
	    .path = path,
	    .argv = prog_argv,
	    .envp = environ,
	    .on_trace = vxe_trace_record,
	    .trace_userdata = t,
	    .counted_lost = &lost,
	    .hold_signals = &before,
	};
	int status = 0;
	int rc = vxe_sup_run(&l, &status);
	vxe_trace_set_lost(t, lost);
	if (lost)
		fprintf(stderr,
			"vxe: trace: warning: the kernel counter dropped %llu calls (its buffer "
			"was full); a harmless call may be missing from the VXED\n"
			"hint: vxe trace --no-kernel-count stops the program for every call "
			"instead: slower, and nothing is dropped\n",
			(unsigned long long)lost);
	if (rc < 0) {
		/* vxe_sup_run said why on stderr. */
		vxe_trace_warnf(stderr, "vxe: trace: %s could not be started; nothing was written",
				path);
		return EXIT_VXE;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		vxe_trace_warnf(stderr,
				"vxe: trace: %s exited with status %d; the VXED covers what it did "
				"until then",
				prog_argv[0], WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		vxe_trace_warnf(
		    stderr,
		    "vxe: trace: %s was killed by signal %d; the VXED covers what it did "
		    "until then",
		    prog_argv[0], WTERMSIG(status));

	size_t added = 0;
	char *text = vxe_trace_vxed(t, old, old_text, &added, stderr);
	if (!text)
		vxe_die(NULL, "trace: out of memory writing the VXED");
	/* The VXED must load; if it does not, that is VXE's bug, and the
	 * text is kept (beside OUT, never over it) for the report. */
	struct vxe_policy *check;
	const char *dest = out_path ? out_path : "(standard output)";
	int exit_code = 0;
	if (vxe_policy_load_string(dest, text, strlen(text), &check, err, sizeof err) < 0) {
		fprintf(stderr, "vxe: trace: the written VXED does not load: %s\n", err);
		fprintf(stderr,
			"hint: this is a bug in vxe trace; please report it with the file\n");
		if (out_path) {
			char bad[PATH_MAX];
			snprintf(bad, sizeof bad, "%s.rejected", out_path);
			out_path = bad[0] ? strdup(bad) : NULL;
		}
		exit_code = EXIT_VXE;
	} else {
		vxe_policy_free(check);
	}
	if (merge_path)
		fprintf(stderr, "vxe: trace: %zu new rule%s added to %s\n", added,
			added == 1 ? "" : "s", merge_path);
	if (out_path) {
		int w = write_atomic(out_path, text);
		if (w < 0) {
			fprintf(stderr, "vxe: trace: cannot write %s: %s; the VXED follows\n",
				out_path, strerror(-w));
			fputs(text, stdout);
			exit_code = EXIT_VXE;
		} else if (!merge_path && exit_code == 0) {
			vxe_trace_warnf(
			    stderr,
			    "vxe: trace: wrote %s (%llu system calls); next: vxe run --mode "
			    "soft %s %s ...",
			    out_path, (unsigned long long)vxe_trace_calls(t), out_path,
			    prog_argv[0]);
		}
	} else {
		fputs(text, stdout);
		if (fflush(stdout) != 0)
			exit_code = EXIT_VXE;
	}
	free(text);
	sigprocmask(SIG_SETMASK, &before, NULL);
	vxe_trace_free(t);
	vxe_policy_free(old);
	free(old_text);
	vxe_plan_free(plan);
	vxe_policy_free(tp);
	free(command);
	free(path);
	if (exit_code)
		return exit_code;
	return vxe_exit_like(status);
}

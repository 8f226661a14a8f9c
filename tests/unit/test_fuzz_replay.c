/* Replays the fuzz corpus through the fuzz target's entry point without
 * libFuzzer, so every crasher once found stays a regression test. The
 * corpus is argv[1], else $VXE_FUZZ_CORPUS, else fuzz/corpus (run from the
 * top of the repository). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fuzz/fuzz_lisp.c"
#include "tap.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("VXE_FUZZ_CORPUS");
	char *names[4096], path[4096];
	size_t n = 0;
	if (!dir)
		dir = "fuzz/corpus";
	DIR *d = opendir(dir);
	if (!d) {
		tap_skip("corpus %s not found (run from the repository top)", dir);
		return tap_done();
	}
	for (struct dirent *e; (e = readdir(d)) && n < 4096;)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		FILE *f = fopen(path, "rb");
		free(names[i]);
		if (!f) {
			tap_ok(0, "open %s", path);
			continue;
		}
		fseek(f, 0, SEEK_END);
		long len = ftell(f);
		fseek(f, 0, SEEK_SET);
		uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
		size_t got = len > 0 ? fread(buf, 1, (size_t)len, f) : 0;
		fclose(f);
		LLVMFuzzerTestOneInput(buf, got);
		tap_ok(1, "replay %s (%zu bytes)", path, got);
		free(buf);
	}
	tap_ok(n > 0, "corpus %s has %zu inputs", dir, n);
	return tap_done();
}

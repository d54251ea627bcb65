/* A main() for the fuzz harnesses without libFuzzer: feeds every file of
 * each directory (or each file) named on the command line, in name order,
 * to LLVMFuzzerTestOneInput().  `make fuzz-replay` (part of `make check`)
 * builds it with $(CC), so the committed corpus and regressions run with
 * gcc, with or without SANITIZE=1.  An invariant violation aborts. */
#include "fuzz_common.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* A hang is a failure too: each input gets FUZZ_REPLAY_TIMEOUT seconds
 * (10 unless set), as libFuzzer's -timeout in make fuzz. */
static const char *current = "";

static void
on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "replay: timeout (a hang) on ";
	if (write(2, msg, sizeof(msg) - 1) < 0 ||
	    write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0) {
		/* nothing more to say */
	}
	abort();
}

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	uint8_t *data = NULL;
	size_t   size = 0, room = 0;
	for (;;) {
		if (size == room) {
			room         = room ? 2 * room : 4096;
			uint8_t *big = (uint8_t *)realloc(data, room);
			if (!big) {
				free(data);
				fclose(f);
				return -1;
			}
			data = big;
		}
		const size_t got = fread(data + size, 1, room - size, f);
		if (got == 0) {
			break;
		}
		size += got;
	}
	fclose(f);
	/* An exact copy, so that ASan sees a read past the input. */
	uint8_t *exact = (uint8_t *)malloc(size ? size : 1);
	if (!exact) {
		free(data);
		return -1;
	}
	memcpy(exact, data, size);
	free(data);
	current           = path;
	const char *limit = getenv("FUZZ_REPLAY_TIMEOUT");
	alarm(limit && *limit ? (unsigned)atoi(limit) : 10u);
	LLVMFuzzerTestOneInput(exact, size);
	alarm(0);
	free(exact);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	signal(SIGALRM, on_alarm);
	for (int a = 1; a < argc; ++a) {
		struct stat st;
		if (stat(argv[a], &st) != 0) {
			fprintf(stderr,
				"replay: no such file or directory: %s\n",
				argv[a]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (replay_file(argv[a]) != 0) {
				return 1;
			}
			++count;
			continue;
		}
		struct dirent **names = NULL;
		const int       n = scandir(argv[a], &names, NULL, alphasort);
		if (n < 0) {
			fprintf(stderr, "replay: cannot read %s\n", argv[a]);
			return 1;
		}
		int failed = 0;
		for (int i = 0; i < n; ++i) {
			char path[4096];
			if (!failed && names[i]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[a],
					 names[i]->d_name);
				if (stat(path, &st) == 0 &&
				    S_ISREG(st.st_mode)) {
					failed = replay_file(path) != 0;
					++count;
				}
			}
			free(names[i]);
		}
		free(names);
		if (failed) {
			return 1;
		}
	}
	printf("replay: %u inputs, no invariant violated\n", count);
	return 0;
}

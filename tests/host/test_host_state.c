/* The loop saved and restored through the test host's own store and
 * retrieve (lv2host.h, eth_state_*), with retrieves that behave like the
 * hosts out there: Carla's, which frees each value at the next call and
 * hands paths back without their NUL, and broken ones (a key missing, of
 * the wrong type, of the wrong size).  Every restore either brings the
 * loop back in phase, or leaves an empty loop with one clear log line.
 *
 * "In phase" is checked against the original instance's own playback:
 * both instances are placed at the same transport positions and whole
 * repetitions of their outputs must be the same, whatever the seam's
 * declick does. */
#include "lv2host.h"
#include "session.h"

#include <lv2/atom/atom.h>
#include <lv2/state/state.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define RATE         48000.0
#define BPM          240.0 /* a bar is 48000 frames */
#define BAR          48000
#define TEN_MS       480
#define STATE_KEY(k) "urn:eighttrack:state#" k

static const char *const keys[] = {
	STATE_KEY("version"),    STATE_KEY("loop"),
	STATE_KEY("length"),     STATE_KEY("exactLength"),
	STATE_KEY("anchored"),   STATE_KEY("startFrame"),
	STATE_KEY("startExact"),
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* ------------------------------------------------------------ a session */

/* The host session (session.h): rolling at BPM from frame 0, positions
 * on change, the ramp as input, monitor off. */
static void
start_session(Session *s)
{
	session_init(s, RATE, BPM, false);
}

/* The input at a wall frame (session.h's ramp). */
static float
ramp(int64_t wall)
{
	return ramp_at(wall);
}

/* ------------------------------------------------------------- the story */

/* The original instance, playing the one-bar loop it recorded with the
 * transport rolling, and its state saved through the test host's store. */
typedef struct {
	Session   a;
	EthState *saved;
	char     *dir;
	int64_t   loop_start; /* transport frame of the loop's sample 0 */
	int64_t   loop_len;
} Story;

static char *
temp_dir(void)
{
	return eth_temp_dir("state");
}

static int
story_setup(void **state)
{
	Story *st = (Story *)calloc(1, sizeof(Story));
	start_session(&st->a);
	eth_set(st->a.host, "loop_bars", 1);
	play_until(&st->a, 30000, 1000); /* mid-bar 0 */
	eth_set(st->a.host, "loop_arm", 1);
	play(&st->a, 1000);
	assert_int_equal(eth_get(st->a.host, "loop_state"), 1); /* armed */
	play_until(&st->a, 2 * BAR + 20000, 1000); /* records bar 1 */
	assert_int_equal(eth_get(st->a.host, "loop_state"), 3);
	assert_float_equal(eth_get(st->a.host, "loop_length"), 1.0, 1e-6);
	st->loop_start = BAR;
	st->loop_len   = BAR;

	st->dir   = temp_dir();
	st->saved = eth_state_save(st->a.host, st->dir);
	assert_non_null(st->saved);
	assert_int_equal(eth_log_lines(st->a.host), 0);
	*state = st;
	return 0;
}

static int
story_teardown(void **state)
{
	Story *st = (Story *)*state;
	eth_state_free(st->saved);
	eth_remove_dir(st->dir);
	session_free(&st->a);
	free(st);
	return 0;
}

/* ------------------------------------------------------------ outcomes */

typedef enum {
	BACK,         /* the loop in phase, no log line */
	BACK_WARNED,  /* the loop in phase, one log line */
	EMPTY_SILENT, /* an empty loop, no log line (a state saved without one)
		       */
	EMPTY_LOGGED, /* an empty loop, one log line */
} Outcome;

static const char *
outcome_name(Outcome o)
{
	switch (o) {
	case BACK: return "the loop in phase";
	case BACK_WARNED: return "the loop in phase and one log line";
	case EMPTY_SILENT: return "an empty loop, no log line";
	case EMPTY_LOGGED: return "an empty loop and one log line";
	}
	return "?";
}

/* What a case is, for the messages. */
static void
describe(char *buf, size_t size, const EthRetrieve *how)
{
	static const struct {
		unsigned    option;
		const char *name;
	} names[] = {
		{ ETH_RETRIEVE_INVALIDATE, "invalidate" },
		{ ETH_RETRIEVE_NO_NUL, "no-NUL" },
		{ ETH_RETRIEVE_MISSING, "missing" },
		{ ETH_RETRIEVE_WRONG_TYPE, "wrong type" },
		{ ETH_RETRIEVE_SHORTER, "shorter" },
		{ ETH_RETRIEVE_LONGER, "longer" },
	};
	size_t n     = (size_t)snprintf(buf, size, "retrieve [");
	bool   first = true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
		if (how->options & names[i].option && n < size) {
			n +=
			    (size_t)snprintf(buf + n, size - n, "%s%s",
					     first ? "" : ", ", names[i].name);
			first = false;
		}
	}
	if (n < size) {
		snprintf(buf + n, size - n, "%s]%s%s", first ? "plain" : "",
			 how->key ? " on " : "",
			 how->key ? how->key + strlen(STATE_KEY("")) : "");
	}
}

static bool
log_is_one_line(const EthHost *b, const char *phrase, const char *what)
{
	const char *text = eth_log_text(b);
	const char *nl   = strchr(text, '\n');
	if (eth_log_lines(b) != 1 || !nl || nl[1] != '\0' ||
	    strncmp(text, "eighttrack: ", 12) != 0 ||
	    (phrase && !strstr(text, phrase))) {
		print_message(
		    "%s: want one log line with \"%s\", got %u: %s\n", what,
		    phrase ? phrase : "", eth_log_lines(b), text);
		return false;
	}
	return true;
}

/* Plays a and b side by side from the transport frame `at` and compares
 * two whole repetitions of the loop, from the first repetition that
 * starts at least 10 ms after `at` (past b's fade-in and a's locate). */
static bool
same_playback_from(Story *st, Session *b, int64_t at, const char *what)
{
	Session      *a = &st->a;
	const int64_t L = st->loop_len;
	const int64_t from =
	    st->loop_start + (at + TEN_MS - st->loop_start + L - 1) / L * L;
	const int64_t end = from + 2 * L;
	locate(a, at);
	locate(b, at);
	b->wall    = a->wall;
	float peak = 0.0f;
	bool  ok   = true;
	while (a->transport < end && ok) {
		const uint32_t n =
		    (uint32_t)(end - a->transport < 512 ? end - a->transport
							: 512);
		const int64_t t = a->transport;
		play(a, n);
		play(b, n);
		static const char *const outs[] = { "out_l", "out_r" };
		for (int c = 0; c < 2 && ok; ++c) {
			const float *x = eth_audio(a->host, outs[c]);
			const float *y = eth_audio(b->host, outs[c]);
			for (uint32_t i = 0; i < n; ++i) {
				if (t + i < from) {
					continue;
				}
				const float tol =
				    1e-6f * fmaxf(1.0f, fabsf(x[i]));
				peak = fmaxf(peak, fabsf(x[i]));
				if (!(fabsf(x[i] - y[i]) <= tol)) {
					print_message(
					    "%s: %s at transport frame %lld (loop "
					    "sample %lld): restored %f, original %f\n",
					    what, outs[c], (long long)(t + i),
					    (long long)((t + i -
							 st->loop_start) %
							L),
					    (double)y[i], (double)x[i]);
					ok = false;
					break;
				}
			}
		}
	}
	if (ok && peak < ramp(TEN_MS)) {
		print_message("%s: the original is silent at %lld\n", what,
			      (long long)at);
		ok = false;
	}
	return ok;
}

static bool
loop_is_back(Story *st, Session *b, const char *what)
{
	play(b, 64);
	if (eth_get(b->host, "loop_state") != 3.0f ||
	    eth_get(b->host, "loop_length") !=
		eth_get(st->a.host, "loop_length")) {
		print_message(
		    "%s: loop_state %g, loop_length %g (want 3, %g); log: %s\n",
		    what, (double)eth_get(b->host, "loop_state"),
		    (double)eth_get(b->host, "loop_length"),
		    (double)eth_get(st->a.host, "loop_length"),
		    eth_log_text(b->host));
		return false;
	}
	/* Where the original is now, then far on, then just before a seam. */
	return same_playback_from(st, b, st->a.transport, what) &&
	       same_playback_from(st, b, 37 * BAR + 12345, what) &&
	       same_playback_from(st, b, 5 * BAR - 100, what);
}

static bool
loop_is_empty(Story *st, Session *b, const char *what)
{
	(void)st;
	locate(b, 7 * BAR + 1000);
	play(b, 1000);
	const float *out = eth_audio(b->host, "out_l");
	for (uint32_t i = 0; i < 1000; ++i) {
		if (out[i] != 0.0f) {
			print_message("%s: output %f at %u, want silence\n",
				      what, (double)out[i], i);
			return false;
		}
	}
	if (eth_get(b->host, "loop_state") != 0.0f ||
	    eth_get(b->host, "loop_length") != 0.0f) {
		print_message(
		    "%s: loop_state %g, loop_length %g (want 0, 0)\n", what,
		    (double)eth_get(b->host, "loop_state"),
		    (double)eth_get(b->host, "loop_length"));
		return false;
	}
	/* The plugin keeps working: it records. */
	eth_set(b->host, "loop_quantize", 0);
	eth_set(b->host, "loop_arm", 1);
	play(b, 1000);
	if (eth_get(b->host, "loop_state") != 2.0f) {
		print_message(
		    "%s: arming an emptied loop gives state %g, want 2\n",
		    what, (double)eth_get(b->host, "loop_state"));
		return false;
	}
	return true;
}

/* Restores `state` as `how` says into a fresh instance and checks the
 * outcome; true if it is `want`. */
static bool
restore_case(Story *st, const EthState *state, const EthRetrieve *how,
	     Outcome want, const char *phrase)
{
	char what[256];
	describe(what, sizeof(what), how);
	Session b;
	start_session(&b);
	bool      ok     = true;
	const int status = eth_state_restore(b.host, state, how);
	if (status != 0) {
		print_message("%s: restore() returned %d\n", what, status);
		ok = false;
	}
	if (ok) {
		switch (want) {
		case BACK:
			ok = loop_is_back(st, &b, what);
			if (ok && eth_log_lines(b.host) != 0) {
				print_message(
				    "%s: the loop is back but the log says: %s\n",
				    what, eth_log_text(b.host));
				ok = false;
			}
			break;
		case BACK_WARNED:
			ok = loop_is_back(st, &b, what) &&
			     log_is_one_line(b.host, phrase, what);
			break;
		case EMPTY_SILENT:
			ok = loop_is_empty(st, &b, what);
			if (ok && eth_log_lines(b.host) != 0) {
				print_message(
				    "%s: want no log line, got: %s\n", what,
				    eth_log_text(b.host));
				ok = false;
			}
			break;
		case EMPTY_LOGGED:
			ok = loop_is_empty(st, &b, what) &&
			     log_is_one_line(b.host, phrase, what);
			break;
		}
	}
	if (!ok) {
		print_message("FAILED: %s: want %s\n", what,
			      outcome_name(want));
	}
	session_free(&b);
	return ok;
}

/* ------------------------------------------------------------- stories */

/* What save() stored through the host's own store: every key, the loop as
 * a path to a file in the state's folder, stored as POD only (with
 * IS_PORTABLE, Ardour copies the file on every save: host facts). */
static void
the_saved_state_holds_the_loop_and_what_places_it(void **state)
{
	Story *st = (Story *)*state;
	assert_int_equal(eth_state_count(st->saved), N_KEYS);
	for (size_t k = 0; k < N_KEYS; ++k) {
		assert_non_null(
		    eth_state_get(st->saved, keys[k], NULL, NULL, NULL));
	}
	uint32_t    size = 0, flags = 0;
	const char *type = NULL;
	const char *path = (const char *)eth_state_get(
	    st->saved, STATE_KEY("loop"), &size, &type, &flags);
	assert_string_equal(type, LV2_ATOM__Path);
	assert_int_equal(flags, LV2_STATE_IS_POD);
	assert_int_equal(size, strlen(path) + 1);
	assert_true(path[0] !=
		    '/'); /* mapped: relative to the state's folder */
	char file[4096];
	snprintf(file, sizeof(file), "%s/%s", st->dir, path);
	struct stat info;
	assert_int_equal(stat(file, &info), 0);
	assert_true(info.st_size > (off_t)(st->loop_len * 2 * sizeof(float)));
}

/* The baseline: a retrieve that keeps to the spec. */
static void
a_plain_retrieve_restores_the_loop_in_phase(void **state)
{
	Story            *st  = (Story *)*state;
	const EthRetrieve how = { 0, NULL };
	assert_true(restore_case(st, st->saved, &how, BACK, NULL));
}

/* Issue 13, part 1: Carla frees each value at the next call of retrieve,
 * and hands the path back without its NUL. */
static void
a_carla_retrieve_that_frees_each_value_restores_the_loop_in_phase(void **state)
{
	Story            *st   = (Story *)*state;
	const EthRetrieve how1 = { ETH_RETRIEVE_INVALIDATE, NULL };
	const EthRetrieve how2 = {
		ETH_RETRIEVE_INVALIDATE | ETH_RETRIEVE_NO_NUL, NULL
	};
	const bool ok1 = restore_case(st, st->saved, &how1, BACK, NULL);
	const bool ok2 = restore_case(st, st->saved, &how2, BACK, NULL);
	assert_true(ok1 && ok2);
}

static void
paths_without_their_nul_restore_the_loop_in_phase(void **state)
{
	Story            *st  = (Story *)*state;
	const EthRetrieve how = { ETH_RETRIEVE_NO_NUL, NULL };
	assert_true(restore_case(st, st->saved, &how, BACK, NULL));
}

/* The retrieves every per-key case is run with: plain, and Carla's. */
static const unsigned bases[] = {
	0,
	ETH_RETRIEVE_INVALIDATE | ETH_RETRIEVE_NO_NUL,
};
#define N_BASES (sizeof(bases) / sizeof(bases[0]))

/* Each names the loop's track: a fault empties that loop only. */
static const char *const invalid =
    "is incomplete or invalid; that loop is empty";
static const char *const unreadable =
    "eighttrack: restoring the loop of track 1 from";
static const char *const no_path = "no usable path for the loop of track 1";

/* Runs one fault on each key in turn, with each base retrieve; `want`
 * gives the outcome (and log phrase) for a key. */
static void
each_key(Story *st, unsigned fault,
	 Outcome (*want)(const char *key, unsigned options,
			 const char **phrase))
{
	unsigned failures = 0;
	for (size_t b = 0; b < N_BASES; ++b) {
		for (size_t k = 0; k < N_KEYS; ++k) {
			const EthRetrieve how = { bases[b] | fault, keys[k] };
			const char       *phrase = NULL;
			const Outcome o = want(keys[k], how.options, &phrase);
			if (!restore_case(st, st->saved, &how, o, phrase)) {
				++failures;
			}
		}
	}
	assert_int_equal(failures, 0);
}

static bool
is_key(const char *key, const char *name)
{
	return !strcmp(key + strlen(STATE_KEY("")),
		       name); /* keys[] all are ours */
}

/* version: a loop without a usable version is read as this version's.
 * loop: a state without one is legitimately empty.  Any other: the loop
 * cannot be placed, so it is empty and the log says so. */
static Outcome
when_missing(const char *key, unsigned options, const char **phrase)
{
	(void)options;
	if (is_key(key, "version")) {
		return BACK;
	}
	if (is_key(key, "loop")) {
		return EMPTY_SILENT;
	}
	*phrase = invalid;
	return EMPTY_LOGGED;
}

static void
each_key_missing_one_at_a_time(void **state)
{
	each_key((Story *)*state, ETH_RETRIEVE_MISSING, when_missing);
}

/* A value of another type (of the same size: Bool for Int, Double for
 * Long, String for Path ...) is not used.  A loop whose path is not an
 * atom:Path is lost, and the log says so (not read as a state saved
 * without a loop). */
static Outcome
when_wrong_type(const char *key, unsigned options, const char **phrase)
{
	(void)options;
	if (is_key(key, "version")) {
		return BACK;
	}
	*phrase = is_key(key, "loop") ? no_path : invalid;
	return EMPTY_LOGGED;
}

static void
each_key_with_a_wrong_type(void **state)
{
	each_key((Story *)*state, ETH_RETRIEVE_WRONG_TYPE, when_wrong_type);
}

/* A number one byte short is not used; a path one character short names
 * no file. */
static Outcome
when_shorter(const char *key, unsigned options, const char **phrase)
{
	(void)options;
	if (is_key(key, "version")) {
		return BACK;
	}
	*phrase = is_key(key, "loop") ? unreadable : invalid;
	return EMPTY_LOGGED;
}

static void
each_key_one_byte_shorter(void **state)
{
	each_key((Story *)*state, ETH_RETRIEVE_SHORTER, when_shorter);
}

/* A number with bytes after it is not used.  A path ends at its NUL: what
 * follows the NUL is not read (hosts may pad strings); a path without a
 * NUL and bytes after it names no file. */
static Outcome
when_longer(const char *key, unsigned options, const char **phrase)
{
	if (is_key(key, "version")) {
		return BACK;
	}
	if (is_key(key, "loop")) {
		if (!(options & ETH_RETRIEVE_NO_NUL)) {
			return BACK;
		}
		*phrase = unreadable;
		return EMPTY_LOGGED;
	}
	*phrase = invalid;
	return EMPTY_LOGGED;
}

static void
each_key_with_bytes_after_its_value(void **state)
{
	each_key((Story *)*state, ETH_RETRIEVE_LONGER, when_longer);
}

/* A copy of the saved state with one value replaced. */
static EthState *
saved_with(const Story *st, const char *key, const char *type,
	   const void *value, uint32_t size)
{
	EthState *copy = eth_state_new(st->dir);
	for (size_t k = 0; k < N_KEYS; ++k) {
		uint32_t    n = 0, flags = 0;
		const char *t = NULL;
		const void *v =
		    eth_state_get(st->saved, keys[k], &n, &t, &flags);
		if (!strcmp(keys[k], key)) {
			eth_state_set(copy, key, type, flags, value, size);
		} else {
			eth_state_set(copy, keys[k], t, flags, v, n);
		}
	}
	return copy;
}

/* The check itself: a loop placed one frame late is not "in phase". */
static void
the_phase_check_sees_a_loop_one_frame_late(void **state)
{
	Story        *st    = (Story *)*state;
	const int64_t frame = st->loop_start + 1;
	const double  exact = (double)frame;
	EthState     *late  = saved_with(st, STATE_KEY("startFrame"),
					 LV2_ATOM__Long, &frame, sizeof(frame));
	eth_state_set(late, STATE_KEY("startExact"), LV2_ATOM__Double,
		      LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, &exact,
		      sizeof(exact));
	Session b;
	start_session(&b);
	assert_int_equal(eth_state_restore(b.host, late, NULL), 0);
	print_message("(a mismatch is expected here)\n");
	assert_false(loop_is_back(st, &b, "a loop one frame late"));
	session_free(&b);
	eth_state_free(late);
}

/* A state that is not ours (none of our keys: a host's default state,
 * another plugin's) leaves the loop that plays as it is. */
static void
a_state_that_is_not_ours_keeps_the_current_loop(void **state)
{
	Story      *st    = (Story *)*state;
	EthState   *empty = eth_state_new(st->dir);
	EthState   *other = eth_state_new(st->dir);
	const float gain  = 0.5f;
	eth_state_set(other, "urn:someone-else:plugin#gain", LV2_ATOM__Float,
		      LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, &gain,
		      sizeof(gain));
	const EthState *const states[] = { empty, other };
	for (unsigned i = 0; i < 2; ++i) {
		for (size_t b = 0; b < N_BASES; ++b) {
			Session b2;
			start_session(&b2);
			const EthRetrieve how = { bases[b], NULL };
			assert_int_equal(
			    eth_state_restore(b2.host, st->saved, &how), 0);
			play(&b2, 64);
			assert_int_equal(eth_get(b2.host, "loop_state"), 3);
			assert_int_equal(
			    eth_state_restore(b2.host, states[i], &how), 0);
			assert_true(loop_is_back(st, &b2,
						 i ? "another plugin's state"
						   : "an empty state"));
			assert_int_equal(eth_log_lines(b2.host), 0);
			session_free(&b2);
		}
	}
	eth_state_free(empty);
	eth_state_free(other);
}

/* A loop key whose path is empty (no bytes, or a NUL first) names no
 * file: the loop is lost, and the log says so. */
static void
an_empty_loop_path_leaves_an_empty_loop_and_one_log_line(void **state)
{
	Story                *st       = (Story *)*state;
	unsigned              failures = 0;
	static const uint32_t sizes[]  = { 0, 1, 4 };
	for (unsigned i = 0; i < 3; ++i) {
		EthState *empty =
		    saved_with(st, STATE_KEY("loop"), LV2_ATOM__Path,
			       "\0\0\0\0", sizes[i]);
		for (size_t b = 0; b < N_BASES; ++b) {
			const EthRetrieve how = { bases[b], NULL };
			failures += !restore_case(st, empty, &how,
						  EMPTY_LOGGED, no_path);
		}
		eth_state_free(empty);
	}
	assert_int_equal(failures, 0);
}

/* A session saved by a newer build: what this version knows is read, and
 * the log says so once. */
static void
a_state_of_a_newer_version_gives_the_loop_and_one_warning(void **state)
{
	Story        *st      = (Story *)*state;
	const int32_t version = 3; /* this build writes 2 */
	EthState *newer = saved_with(st, STATE_KEY("version"), LV2_ATOM__Int,
				     &version, sizeof(version));
	unsigned  failures = 0;
	for (size_t b = 0; b < N_BASES; ++b) {
		const EthRetrieve how = { bases[b], NULL };
		failures += !restore_case(st, newer, &how, BACK_WARNED,
					  "newer Eighttrack");
	}
	eth_state_free(newer);
	assert_int_equal(failures, 0);
}

/* A track's measured round trip (issue 17) travels with the session: a
 * fresh instance restored from it compensates that track by it (the
 * latency port says so) and saves it again; one that is not a Float of 0
 * to 500 ms is ignored, with one log line naming the track. */
static float
restored_latency(const Story *st, EthState *with, unsigned track,
		 unsigned *log_lines, EthState **saved_again)
{
	Session b;
	start_session(&b);
	assert_int_equal(eth_state_restore(b.host, with, NULL), 0);
	eth_set(b.host, "active_track", (float)track);
	play(&b, 64);
	const float ms = eth_get(b.host, "latency");
	*log_lines     = eth_log_lines(b.host);
	if (saved_again)
		*saved_again = eth_state_save(b.host, st->dir);
	session_free(&b);
	return ms;
}

static void
a_measured_latency_travels_with_the_session(void **state)
{
	Story      *st  = (Story *)*state;
	const float ms  = 12.5f;
	EthState   *one = saved_with(st, "", "", NULL, 0);
	eth_state_set(one, STATE_KEY("measuredLatency2"), LV2_ATOM__Float,
		      LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, &ms,
		      sizeof(ms));
	unsigned  lines = 0;
	EthState *again = NULL;
	assert_true(restored_latency(st, one, 2, &lines, &again) == ms);
	assert_int_equal(lines, 0);
	assert_true(restored_latency(st, one, 1, &lines, NULL) == 0.0f);
	assert_non_null(again);
	uint32_t    size = 0, flags = 0;
	const char *type = NULL;
	const void *v    = eth_state_get(again, STATE_KEY("measuredLatency2"),
					 &size, &type, &flags);
	assert_non_null(v);
	assert_int_equal(size, sizeof(float));
	assert_string_equal(type, LV2_ATOM__Float);
	float back;
	memcpy(&back, v, sizeof back);
	assert_true(back == ms);
	assert_null(eth_state_get(again, STATE_KEY("measuredLatency"), &size,
				  &type, &flags));
	eth_state_free(again);
	eth_state_free(one);

	/* Not a number of ms from 0 to 500: ignored, logged. */
	const float  bad[]   = { -1.0f, 501.0f, NAN, INFINITY };
	const double as_dbl  = 12.5;
	unsigned     failing = 0;
	for (unsigned i = 0; i < 5; ++i) {
		EthState *b = saved_with(st, "", "", NULL, 0);
		if (i < 4)
			eth_state_set(b, STATE_KEY("measuredLatency2"),
				      LV2_ATOM__Float, LV2_STATE_IS_POD,
				      &bad[i], sizeof(float));
		else
			eth_state_set(b, STATE_KEY("measuredLatency2"),
				      LV2_ATOM__Double, LV2_STATE_IS_POD,
				      &as_dbl, sizeof(double));
		const float got = restored_latency(st, b, 2, &lines, NULL);
		failing += got != 0.0f || lines != 1;
		eth_state_free(b);
	}
	assert_int_equal(failing, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    the_saved_state_holds_the_loop_and_what_places_it),
		cmocka_unit_test(a_plain_retrieve_restores_the_loop_in_phase),
		cmocka_unit_test(
		    a_carla_retrieve_that_frees_each_value_restores_the_loop_in_phase),
		cmocka_unit_test(
		    paths_without_their_nul_restore_the_loop_in_phase),
		cmocka_unit_test(each_key_missing_one_at_a_time),
		cmocka_unit_test(each_key_with_a_wrong_type),
		cmocka_unit_test(each_key_one_byte_shorter),
		cmocka_unit_test(each_key_with_bytes_after_its_value),
		cmocka_unit_test(
		    an_empty_loop_path_leaves_an_empty_loop_and_one_log_line),
		cmocka_unit_test(the_phase_check_sees_a_loop_one_frame_late),
		cmocka_unit_test(
		    a_state_that_is_not_ours_keeps_the_current_loop),
		cmocka_unit_test(a_measured_latency_travels_with_the_session),
		cmocka_unit_test(
		    a_state_of_a_newer_version_gives_the_loop_and_one_warning),
	};
	return cmocka_run_group_tests(tests, story_setup, story_teardown);
}

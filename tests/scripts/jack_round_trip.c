/* jack_round_trip: the world around the plugin for
 * tests/scripts/test_round_trip.sh, as one JACK client:
 *   - the transport: timebase master at 120 BPM in 4/4 (so jalv hands the
 *     plugin time:Position with bar, beat and tempo), rolled from frame 0
 *     when "go" comes on standard input;
 *   - a keyboard (kbd_out): note-on 60, 50 ms long, on every beat of the
 *     first KBD_BARS bars;
 *   - a hardware synth with a round trip (synth_in -> synth_out_l/_r): each
 *     note-on that arrives at JACK frame F is answered by a click (a 330 Hz
 *     cosine, 0.5 at its first sample, decaying by e every 20 ms) that
 *     starts at F + L;
 *   - a recorder (rec_in) that keeps the plugin's out_l by transport frame
 *     and, after BARS bars, finds the onset near each beat of the bars that
 *     only the loop plays, prints one line per beat and exits 0 when every
 *     onset lies within 1 ms of the expected offset on at least 8 beats.
 *
 * The graph is a cycle (this client -> jalv -> this client).  JACK runs it
 * in the order of the connections made first: the script connects
 * kbd_out and synth_out_* to jalv before jalv's outputs to synth_in and
 * rec_in, so this client runs first in each cycle and reads on its inputs
 * what jalv wrote in the previous cycle: those events and samples are
 * dated by the previous cycle's frames.  That is checked with the plugin's
 * own MIDI clock (the script turns clock_out on): its ticks, sent on the
 * plugin's grid, must arrive here on the grid too (every 1000 frames); in
 * the other order they would arrive one period (256 frames) early.  (The
 * keyboard's notes would not tell: they would go late into jalv by the
 * same period as they came back early, and still look on the beat.)
 *
 * The process callback allocates nothing, prints nothing, takes no lock:
 * the recording and the click are allocated (and written) before
 * activation, and what it reports goes through a jack_ringbuffer. */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>
#include <jack/transport.h>

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BPM           120.0
#define BEATS_PER_BAR 4
#define NOTE          60
#define MAX_VOICES    32
#define MAX_LOG       4096
#define MAX_SUSPECTS  64
#define THRESHOLD     0.05f

/* A note-on that reached the synth, for the main thread. */
typedef struct {
	int64_t frame;  /* JACK frame it arrived at */
	int64_t tframe; /* transport frame, -1 when the transport stood */
	uint8_t status, note, velocity;
} NoteSeen;

typedef struct {
	jack_client_t *client;
	jack_port_t   *kbd_out, *synth_in, *synth_out[2], *rec_in;

	/* configuration */
	int64_t     latency; /* the synth's round trip, frames */
	int64_t     fpb;     /* frames per beat */
	int64_t     note_len;
	int         kbd_bars;
	int         bars;
	double      sr;
	int64_t     period;
	long        expected; /* the onset offset to find, frames */
	const char *csv, *label;

	float  *click;
	int64_t click_len;

	int64_t voice_start[MAX_VOICES]; /* -1: free */

	/* the previous cycle, whose data this one reads on its inputs */
	int      started;
	uint32_t prev_raw;
	int64_t  prev_frame;
	int      prev_rolling;
	int64_t  prev_tframe;

	float   *rec; /* out_l by transport frame */
	uint8_t *have;
	int64_t  rec_len;

	jack_ringbuffer_t *log;
	atomic_int         done, late, no_voice, log_full, rolling_seen;
	/* The plugin's MIDI clock (clock_out on), in this client's frames:
	 * on the grid only if they are the plugin's frames too. */
	atomic_int ticks_on_grid, ticks_off_grid;
	int64_t    first_tick_off_grid;
	/* Suspect cycles, not recorded and not judged: one JACK skipped
	 * (the graph was late; the cycle before it is dropped too, as jalv
	 * may have run it late, on the next cycle's position), or one whose
	 * clock tick came off the grid (jalv's output was not from the
	 * cycle before). */
	atomic_int xruns, suspects;
	int64_t    suspect_from[MAX_SUSPECTS], suspect_to[MAX_SUSPECTS];
	char       suspect_why[MAX_SUSPECTS];
} Rt;

static void
timebase(jack_transport_state_t state, jack_nframes_t nframes,
	 jack_position_t *pos, int new_pos, void *arg)
{
	(void)state;
	(void)nframes;
	(void)new_pos;
	const Rt     *rt   = arg;
	const int64_t f    = pos->frame;
	const int64_t beat = f / rt->fpb;
	pos->valid         = JackPositionBBT;
	pos->beats_per_bar = BEATS_PER_BAR;
	pos->beat_type     = 4;
	/* One tick per frame: jalv passes barBeat as beat + tick / ticks per
	 * beat, and an integer tick then loses nothing. */
	pos->ticks_per_beat   = (double)rt->fpb;
	pos->beats_per_minute = BPM;
	pos->bar              = (int32_t)(beat / BEATS_PER_BAR) + 1;
	pos->beat             = (int32_t)(beat % BEATS_PER_BAR) + 1;
	pos->tick             = (int32_t)(f - beat * rt->fpb);
	pos->bar_start_tick =
	    (double)(pos->bar - 1) * BEATS_PER_BAR * (double)rt->fpb;
}

/* The synth hears what the plugin sent on midi_out in the previous cycle;
 * returns the number of clock ticks among it that are off the grid. */
static int
hear_notes(Rt *rt, int64_t now, jack_nframes_t nframes)
{
	void          *buf = jack_port_get_buffer(rt->synth_in, nframes);
	const uint32_t n   = jack_midi_get_event_count(buf);
	int            off = 0;
	for (uint32_t i = 0; i < n; ++i) {
		jack_midi_event_t ev;
		if (jack_midi_event_get(&ev, buf, i) != 0) {
			continue;
		}
		if (ev.size == 1 && ev.buffer[0] == 0xf8 && rt->prev_rolling) {
			/* the plugin's clock, 24 to the beat on its grid */
			const int64_t t = rt->prev_tframe + ev.time;
			if (t % (rt->fpb / 24) == 0) {
				atomic_fetch_add(&rt->ticks_on_grid, 1);
			} else {
				if (atomic_fetch_add(&rt->ticks_off_grid, 1) ==
				    0) {
					rt->first_tick_off_grid = t;
				}
				++off;
			}
			continue;
		}
		if (ev.size < 3 || (ev.buffer[0] & 0xf0) != 0x90 ||
		    ev.buffer[2] == 0) {
			continue;
		}
		const int64_t f    = rt->prev_frame + ev.time;
		NoteSeen      seen = { f,
                                  rt->prev_rolling ? rt->prev_tframe + ev.time
							: -1,
				       ev.buffer[0], ev.buffer[1], ev.buffer[2] };
		if (jack_ringbuffer_write_space(rt->log) >= sizeof seen) {
			jack_ringbuffer_write(rt->log, (const char *)&seen,
					      sizeof seen);
		} else {
			atomic_fetch_add(&rt->log_full, 1);
		}
		int v = 0;
		while (v < MAX_VOICES && rt->voice_start[v] >= 0) {
			++v;
		}
		if (v == MAX_VOICES) {
			atomic_fetch_add(&rt->no_voice, 1);
			continue;
		}
		rt->voice_start[v] = f + rt->latency;
		if (f + rt->latency < now) {
			/* its first samples were due in a cycle gone by */
			atomic_fetch_add(&rt->late, 1);
		}
	}
	return off;
}

static void
play_synth(Rt *rt, int64_t now, jack_nframes_t n)
{
	float *l = jack_port_get_buffer(rt->synth_out[0], n);
	float *r = jack_port_get_buffer(rt->synth_out[1], n);
	memset(l, 0, n * sizeof *l);
	for (int v = 0; v < MAX_VOICES; ++v) {
		const int64_t start = rt->voice_start[v];
		if (start < 0 || start >= now + n) {
			continue;
		}
		for (jack_nframes_t i = 0; i < n; ++i) {
			const int64_t t = now + i - start;
			if (t >= 0 && t < rt->click_len) {
				l[i] += rt->click[t];
			}
		}
		if (now + n - start >= rt->click_len) {
			rt->voice_start[v] = -1;
		}
	}
	memcpy(r, l, n * sizeof *l);
}

static void
play_keyboard(Rt *rt, const jack_position_t *pos, int rolling,
	      jack_nframes_t n)
{
	void *buf = jack_port_get_buffer(rt->kbd_out, n);
	jack_midi_clear_buffer(buf);
	if (!rolling) {
		return;
	}
	const int64_t t0    = pos->frame;
	const int64_t beats = (int64_t)rt->kbd_bars * BEATS_PER_BAR;
	/* note-offs of earlier beats and note-ons, in frame order */
	for (int64_t k = (t0 - rt->note_len) / rt->fpb - 1;
	     k * rt->fpb < t0 + (int64_t)n; ++k) {
		if (k < 0 || k >= beats) {
			continue;
		}
		const int64_t on  = k * rt->fpb;
		const int64_t off = on + rt->note_len;
		if (on >= t0 && on < t0 + (int64_t)n) {
			const uint8_t msg[3] = { 0x90, NOTE, 100 };
			jack_midi_event_write(buf, (jack_nframes_t)(on - t0),
					      msg, 3);
		}
		if (off >= t0 && off < t0 + (int64_t)n) {
			const uint8_t msg[3] = { 0x80, NOTE, 0 };
			jack_midi_event_write(buf, (jack_nframes_t)(off - t0),
					      msg, 3);
		}
	}
}

static void
record(Rt *rt, jack_nframes_t n)
{
	const float *in = jack_port_get_buffer(rt->rec_in, n);
	for (jack_nframes_t i = 0; i < n; ++i) {
		const int64_t t = rt->prev_tframe + i;
		if (t >= 0 && t < rt->rec_len) {
			rt->rec[t]  = in[i];
			rt->have[t] = 1;
		}
	}
	if (rt->prev_tframe + n >= rt->rec_len) {
		atomic_store(&rt->done, 1);
	}
}

static int
process(jack_nframes_t n, void *arg)
{
	Rt             *rt = arg;
	jack_position_t pos;
	const int       rolling =
	    jack_transport_query(rt->client, &pos) == JackTransportRolling;
	const uint32_t raw = jack_last_frame_time(rt->client);
	const int64_t  now =
            rt->started ? rt->prev_frame + (uint32_t)(raw - rt->prev_raw)
			 : raw;

	const int jumped =
	    rolling && rt->prev_rolling && pos.frame != rt->prev_tframe + n;
	int misdated = 0;
	if (rt->started) { /* what jalv wrote in the previous cycle */
		misdated = hear_notes(rt, now, n) > 0;
	}
	if (jumped || misdated) {
		const int j = atomic_load(&rt->suspects);
		if (j < MAX_SUSPECTS) {
			rt->suspect_from[j] = rt->prev_tframe;
			rt->suspect_to[j] =
			    jumped ? pos.frame : rt->prev_tframe + n;
			rt->suspect_why[j] = jumped ? 's' : 'm';
			atomic_store(&rt->suspects, j + 1);
		}
	}
	if (rt->started && rt->prev_rolling && !jumped && !misdated) {
		record(rt, n);
	}
	play_synth(rt, now, n);
	play_keyboard(rt, &pos, rolling, n);
	if (rolling) {
		atomic_store(&rt->rolling_seen, 1);
	}

	rt->started      = 1;
	rt->prev_raw     = raw;
	rt->prev_frame   = now;
	rt->prev_rolling = rolling;
	rt->prev_tframe  = pos.frame;
	return 0;
}

static int
xrun(void *arg)
{
	Rt *rt = arg;
	atomic_fetch_add(&rt->xruns, 1);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: jack_round_trip [-n NAME] -L FRAMES -e FRAMES [-k "
		"KBD_BARS] [-m BARS] [-c CSV -l LABEL]\n"
		"  -L  the synth's round trip, in frames (at least one "
		"period)\n"
		"  -e  the onset offset the loop should show, in frames\n"
		"  -k  bars the keyboard plays (default 3)\n"
		"  -m  bars recorded from the plugin's out_l (default 6)\n"
		"  -c  append bar,beat,offset lines to this CSV, as case "
		"LABEL\n"
		"Standard input: \"go\" rolls the transport from frame 0.\n");
	exit(2);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* The first frame at or after from, before to, where |x| reaches the
 * threshold after at least quiet frames below it; -1 if none, -2 if a
 * frame it needed was not recorded. */
static int64_t
find_onset(const Rt *rt, int64_t from, int64_t to, int64_t quiet)
{
	int64_t below = 0;
	for (int64_t i = from - quiet; i < to; ++i) {
		if (i < 0 || i >= rt->rec_len || !rt->have[i]) {
			return -2;
		}
		if (fabsf(rt->rec[i]) >= THRESHOLD) {
			if (i >= from && below >= quiet) {
				return i;
			}
			below = 0;
		} else {
			++below;
		}
	}
	return -1;
}

/* The verdict, once the transport has passed the last bar: 0 every beat
 * the loop plays alone has its onset at the expected offset, 1 not, 3
 * nothing to judge by (JACK skipped cycles where it mattered). */
static int
judge(const Rt *rt, const NoteSeen *seen, size_t nseen)
{
	const double  sr       = rt->sr;
	const int64_t period   = rt->period;
	const long    expected = rt->expected;
	const int     kbd_bars = rt->kbd_bars, bars = rt->bars;
	const char   *csv = rt->csv, *label = rt->label;
	int           ok       = 1;
	const int     suspects = atomic_load(&rt->suspects);
	printf("jack: %d xruns, %d suspect cycles while rolling\n",
	       atomic_load(&rt->xruns), suspects);
	for (int j = 0; j < suspects && j < 5; ++j) {
		printf("jack: %s at transport frame %lld: frames %lld-%lld "
		       "not judged\n",
		       rt->suspect_why[j] == 's'
			   ? "a cycle skipped after the one"
			   : "a clock tick off the grid "
			     "in the cycle",
		       (long long)rt->suspect_from[j],
		       (long long)rt->suspect_from[j],
		       (long long)rt->suspect_to[j] - 1);
	}
	if (suspects > 5) {
		printf("jack: and %d more suspect cycles\n", suspects - 5);
	}
	/* The loop: the bar it first sounds in, then the bars that only it
	 * plays. */
	const int64_t bar_len = BEATS_PER_BAR * rt->fpb;
	int64_t       first   = -1;
	for (int64_t i = 0; i < rt->rec_len; ++i) {
		if (rt->have[i] && fabsf(rt->rec[i]) >= THRESHOLD) {
			first = i;
			break;
		}
	}
	if (first < 0) {
		printf("FAIL: out_l stayed below %.2f for %d bars: no loop "
		       "played (was the arm too late?)\n",
		       (double)THRESHOLD, bars);
		return 1;
	}
	const int loop_bar = (int)((first + bar_len / 2) / bar_len);
	/* The take ran from the bar before loop_bar, and went on for L
	 * frames after it; the keyboard played before it.  A suspect cycle
	 * there may leave a hole in what was recorded (or a note unplayed
	 * or misdated): nothing to judge the plugin by. */
	const int64_t take_end = loop_bar * bar_len + rt->latency + period;
	for (int j = 0; j < suspects; ++j) {
		if (rt->suspect_from[j] < take_end) {
			printf("INCONCLUSIVE: a suspect cycle at transport "
			       "frame %lld, before the take's end (%lld): run "
			       "again\n",
			       (long long)rt->suspect_from[j],
			       (long long)take_end);
			return 3;
		}
	}
	/* The plugin's clock ticks on the grid: this client dates what it
	 * hears by the frames the plugin ran at (the graph order above). */
	const int on_grid  = atomic_load(&rt->ticks_on_grid);
	const int off_grid = atomic_load(&rt->ticks_off_grid);
	printf("clock: %d of the plugin's MIDI clock ticks on the grid (every "
	       "%lld frames), %d off it",
	       on_grid, (long long)(rt->fpb / 24), off_grid);
	if (off_grid) {
		printf(" (the first at transport frame %lld)",
		       (long long)rt->first_tick_off_grid);
	}
	printf("\n");
	if (on_grid < 24) {
		/* Wired the other way round, every tick is off the grid; a
		 * cycle misdated now and then is a suspect (judged above). */
		printf("FAIL: the plugin's clock is not where this client "
		       "dates it: connect jalv's inputs before its "
		       "outputs\n");
		ok = 0;
	}
	/* The keyboard through the plugin: each note on its beat frame. */
	const int64_t kbd_end = (int64_t)kbd_bars * BEATS_PER_BAR * rt->fpb;
	int           on_beat = 0, off_beat = 0;
	for (size_t i = 0; i < nseen; ++i) {
		if (seen[i].tframe < 0 ||
		    seen[i].tframe >= kbd_end + rt->fpb) {
			continue;
		}
		if (seen[i].tframe % rt->fpb == 0 && seen[i].note == NOTE) {
			++on_beat;
		} else {
			++off_beat;
			printf(
			    "thru: note %d at transport frame %lld, not on a "
			    "beat\n",
			    seen[i].note, (long long)seen[i].tframe);
		}
	}
	printf("thru: %d of the keyboard's %d notes came back on midi_out on "
	       "their beat frame, %d elsewhere\n",
	       on_beat, kbd_bars * BEATS_PER_BAR, off_beat);
	if (on_beat != kbd_bars * BEATS_PER_BAR || off_beat != 0) {
		printf("FAIL: the keyboard's notes did not all come back on "
		       "their beats\n");
		ok = 0;
	}
	if (atomic_load(&rt->late) || atomic_load(&rt->no_voice) ||
	    atomic_load(&rt->log_full)) {
		printf("FAIL: the synth missed answers (late %d, no voice %d, "
		       "log full %d)\n",
		       atomic_load(&rt->late), atomic_load(&rt->no_voice),
		       atomic_load(&rt->log_full));
		ok = 0;
	}

	const int     from_bar = loop_bar > kbd_bars ? loop_bar : kbd_bars;
	const int64_t quiet    = (int64_t)llround(sr * 0.010);
	const int64_t tol      = (int64_t)llround(sr * 0.001);
	printf("the loop sounds from bar %d (frame %lld); the keyboard "
	       "played bars 1-%d; checking bars %d-%d against offset %ld "
	       "+-%lld frames\n",
	       loop_bar + 1, (long long)first, kbd_bars, from_bar + 1, bars,
	       expected, (long long)tol);
	FILE *out = csv ? fopen(csv, "a") : NULL;
	if (csv && !out) {
		perror(csv);
		ok = 0;
	}
	int     checked = 0, good = 0, unjudged = 0;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (int bar = from_bar; bar < bars; ++bar) {
		for (int b = 0; b < BEATS_PER_BAR; ++b) {
			const int64_t beat  = bar * bar_len + b * rt->fpb;
			const int64_t onset = find_onset(
			    rt, beat - rt->fpb / 4, beat + rt->fpb / 2, quiet);
			if (onset == -2) {
				printf("bar %d beat %d: not judged (a cycle "
				       "skipped)\n",
				       bar + 1, b + 1);
				++unjudged;
				continue;
			}
			++checked;
			if (onset == -1) {
				printf("bar %d beat %d: no onset  <- FAIL\n",
				       bar + 1, b + 1);
				continue;
			}
			const int64_t off = onset - beat;
			const int     in  = llabs(off - expected) <= tol;
			good += in;
			lo = off < lo ? off : lo;
			hi = off > hi ? off : hi;
			printf(
			    "bar %d beat %d: onset at transport frame %lld, "
			    "offset %+lld frames (%+.3f ms)%s\n",
			    bar + 1, b + 1, (long long)onset, (long long)off,
			    off * 1000.0 / sr,
			    in ? "" : "  <- outside tolerance");
			if (out) {
				fprintf(out, "%s,%d,%d,%lld,%.3f\n", label,
					bar + 1, b + 1, (long long)off,
					off * 1000.0 / sr);
			}
		}
	}
	if (out) {
		fclose(out);
	}
	if (good == checked && checked < 8 && unjudged > 0) {
		printf("INCONCLUSIVE: %d beats judged, %d not (skipped "
		       "cycles): run again\n",
		       checked, unjudged);
		return 3;
	}
	if (checked < 8 || good != checked) {
		printf("FAIL: %d of %d beats within %lld frames of %ld "
		       "(at least 8 needed)\n",
		       good, checked, (long long)tol, expected);
		ok = 0;
	}
	printf("RESULT %s: %d beats, offsets %lld..%lld frames, expected "
	       "%ld: %s\n",
	       label, checked, (long long)(checked ? lo : 0),
	       (long long)(checked ? hi : 0), expected, ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *name = "round_trip", *csv = NULL, *label = "";
	long        latency = -1, expected = LONG_MIN;
	int         kbd_bars = 3, bars = 6, c;
	while ((c = getopt(argc, argv, "n:L:e:k:m:c:l:")) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'L': latency = strtol(optarg, NULL, 10); break;
		case 'e': expected = strtol(optarg, NULL, 10); break;
		case 'k': kbd_bars = atoi(optarg); break;
		case 'm': bars = atoi(optarg); break;
		case 'c': csv = optarg; break;
		case 'l': label = optarg; break;
		default: usage();
		}
	}
	if (latency < 0 || expected == LONG_MIN || kbd_bars < 1 ||
	    bars <= kbd_bars || optind != argc) {
		usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	static Rt     rt_storage;
	Rt           *rt = &rt_storage;
	jack_status_t status;
	rt->client = jack_client_open(name, JackNoStartServer, &status);
	if (!rt->client) {
		fprintf(stderr,
			"jack_round_trip: no JACK server (status 0x%x)\n",
			(unsigned)status);
		return 2;
	}
	const double   sr     = jack_get_sample_rate(rt->client);
	const uint32_t period = jack_get_buffer_size(rt->client);
	rt->fpb               = (int64_t)llround(sr * 60.0 / BPM);
	if (fabs((double)rt->fpb - sr * 60.0 / BPM) > 1e-9 ||
	    rt->fpb % 24 != 0) {
		fprintf(stderr,
			"jack_round_trip: %.0f Hz is not a whole number "
			"of frames per beat at %.0f BPM\n",
			sr, BPM);
		return 2;
	}
	if (latency < (long)period) {
		/* an answer must start after the cycle that hears the note */
		fprintf(stderr,
			"jack_round_trip: -L %ld is shorter than the "
			"period (%u frames)\n",
			latency, period);
		return 2;
	}
	rt->sr        = sr;
	rt->period    = period;
	rt->expected  = expected;
	rt->csv       = csv;
	rt->label     = label;
	rt->latency   = latency;
	rt->note_len  = (int64_t)llround(sr * 0.050);
	rt->kbd_bars  = kbd_bars;
	rt->bars      = bars;
	rt->click_len = (int64_t)llround(sr * 0.300);
	rt->rec_len   = ((int64_t)bars * BEATS_PER_BAR + 1) * rt->fpb;
	rt->click     = malloc((size_t)rt->click_len * sizeof *rt->click);
	rt->rec       = malloc((size_t)rt->rec_len * sizeof *rt->rec);
	rt->have      = malloc((size_t)rt->rec_len);
	rt->log       = jack_ringbuffer_create(MAX_LOG * sizeof(NoteSeen));
	if (!rt->click || !rt->rec || !rt->have || !rt->log) {
		fprintf(stderr, "jack_round_trip: out of memory\n");
		return 2;
	}
	/* written here, so that the callback takes no page fault */
	memset(rt->rec, 0, (size_t)rt->rec_len * sizeof *rt->rec);
	memset(rt->have, 0, (size_t)rt->rec_len);
	for (int64_t t = 0; t < rt->click_len; ++t) {
		const double s = (double)t / sr;
		rt->click[t]   = (float)(0.5 * cos(2.0 * M_PI * 330.0 * s) *
                                       exp(-s / 0.020));
	}
	for (int v = 0; v < MAX_VOICES; ++v) {
		rt->voice_start[v] = -1;
	}

	rt->kbd_out =
	    jack_port_register(rt->client, "kbd_out", JACK_DEFAULT_MIDI_TYPE,
			       JackPortIsOutput, 0);
	rt->synth_in =
	    jack_port_register(rt->client, "synth_in", JACK_DEFAULT_MIDI_TYPE,
			       JackPortIsInput, 0);
	rt->synth_out[0] =
	    jack_port_register(rt->client, "synth_out_l",
			       JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
	rt->synth_out[1] =
	    jack_port_register(rt->client, "synth_out_r",
			       JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
	rt->rec_in = jack_port_register(
	    rt->client, "rec_in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
	if (!rt->kbd_out || !rt->synth_in || !rt->synth_out[0] ||
	    !rt->synth_out[1] || !rt->rec_in) {
		fprintf(stderr, "jack_round_trip: cannot register ports\n");
		return 2;
	}
	jack_set_process_callback(rt->client, process, rt);
	jack_set_xrun_callback(rt->client, xrun, rt);
	if (jack_set_timebase_callback(rt->client, 0, timebase, rt) != 0) {
		fprintf(stderr,
			"jack_round_trip: cannot be timebase master\n");
		return 2;
	}
	jack_transport_stop(rt->client);
	jack_transport_locate(rt->client, 0);
	if (jack_activate(rt->client) != 0) {
		fprintf(stderr, "jack_round_trip: cannot activate\n");
		return 2;
	}
	printf("ready: %s at %.0f Hz, %u frames; L = %ld frames (%.3f ms), "
	       "keyboard %d bars, recording %d bars\n",
	       jack_get_client_name(rt->client), sr, period, latency,
	       latency * 1000.0 / sr, kbd_bars, bars);

	static NoteSeen seen[MAX_LOG];
	size_t          nseen = 0;
	int             go = 0, said_rolling = 0, eof = 0;
	/* a safety net only: correctness is judged in frames, below */
	const int max_ms =
	    (int)(bars * BEATS_PER_BAR * rt->fpb / sr * 1000.0) + 20000;
	int  waited_ms = 0;
	char line[64];
	while (!atomic_load(&rt->done)) {
		while (jack_ringbuffer_read_space(rt->log) >= sizeof *seen) {
			NoteSeen s;
			jack_ringbuffer_read(rt->log, (char *)&s, sizeof s);
			if (nseen < MAX_LOG) {
				seen[nseen++] = s;
			}
			if (s.tframe < 0) {
				printf(
				    "synth: note %d (status 0x%02x) at frame "
				    "%lld, transport stopped: answered at "
				    "%lld\n",
				    s.note, s.status, (long long)s.frame,
				    (long long)(s.frame + rt->latency));
			}
		}
		if (!go && !eof) {
			struct pollfd p = { 0, POLLIN, 0 };
			if (poll(&p, 1, 10) > 0) {
				if (!fgets(line, sizeof line, stdin)) {
					eof = 1;
				} else if (strncmp(line, "go", 2) == 0) {
					go = 1;
					jack_transport_locate(rt->client, 0);
					jack_transport_start(rt->client);
					waited_ms = 0;
				}
			}
			if (eof) {
				fprintf(stderr, "jack_round_trip: end of "
						"input before \"go\"\n");
				return 2;
			}
			continue;
		}
		if (!said_rolling && atomic_load(&rt->rolling_seen)) {
			said_rolling = 1;
			printf("rolling\n");
		}
		sleep_ms(10);
		waited_ms += 10;
		if (go && waited_ms > max_ms) {
			fprintf(stderr,
				"jack_round_trip: FAIL: the transport "
				"never reached bar %d\n",
				bars + 1);
			return 1;
		}
	}
	jack_transport_stop(rt->client);
	jack_deactivate(rt->client);
	while (jack_ringbuffer_read_space(rt->log) >= sizeof *seen &&
	       nseen < MAX_LOG) {
		jack_ringbuffer_read(rt->log, (char *)&seen[nseen++],
				     sizeof *seen);
	}

	const int status_code = judge(rt, seen, nseen);
	jack_client_close(rt->client);
	return status_code;
}

/* Beyond the Octatrack, through the built bundle loaded by lilv: the
 * per-track outputs, the control channel's note map, and MIDI clock out,
 * each checked at exact frames. */
#include "lv2host.h"

#include <lv2/time/time.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RATE 48000.0

static const char *const track_out[8] = { "track1_out", "track2_out",
					  "track3_out", "track4_out",
					  "track5_out", "track6_out",
					  "track7_out", "track8_out" };

typedef struct {
	uint32_t frame;
	uint8_t  b0, b1, b2;
} Expect;

static void
assert_event(const EthEvent *e, uint32_t frame, uint8_t b0, uint8_t b1,
	     uint8_t b2)
{
	assert_non_null(e);
	if (e->frame != frame || e->bytes[0] != b0 ||
	    (e->size > 1 && e->bytes[1] != b1) ||
	    (e->size > 2 && e->bytes[2] != b2)) {
		fail_msg("got %u: %02X %02X %02X, want %u: %02X %02X %02X",
			 e->frame, e->bytes[0], e->bytes[1], e->bytes[2],
			 frame, b0, b1, b2);
	}
}

/* The merged output is exactly `want`. */
static void
assert_merged(const EthHost *h, const Expect *want, size_t n)
{
	assert_int_equal(eth_out_count(h), n);
	for (size_t i = 0; i < n; ++i) {
		assert_event(eth_out(h, i), want[i].frame, want[i].b0,
			     want[i].b1, want[i].b2);
	}
}

/* Track t's own output is exactly `want`. */
static void
assert_track(const EthHost *h, unsigned t, const Expect *want, size_t n)
{
	assert_int_equal(eth_port_out_count(h, track_out[t]), n);
	for (size_t i = 0; i < n; ++i) {
		assert_event(eth_port_out(h, track_out[t], i), want[i].frame,
			     want[i].b0, want[i].b1, want[i].b2);
	}
}

/* Every track out not in the mask `busy` (bit t = track t) is empty. */
static void
assert_tracks_silent_but(const EthHost *h, unsigned busy)
{
	for (unsigned t = 0; t < 8; ++t) {
		if (!(busy & (1u << t))) {
			assert_int_equal(eth_port_out_count(h, track_out[t]),
					 0);
		}
	}
}

/* ------------------------------------------------------------ track outs */

static void
each_track_out_carries_exactly_its_tracks_events(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "track_outs", 1);
	/* Program Change 7 now (the value changed) and when it becomes active.
	 */
	eth_set(h, "track2_program", 8);
	eth_run(h, 64);
	const Expect program[] = { { 0, 0xC1, 7, 0 } };
	assert_merged(h, program, 1);
	assert_track(h, 1, program, 1);
	assert_tracks_silent_but(h, 1u << 1);

	/* Omni: channel 1 plays track 1, which sends on channel 1. */
	eth_midi3(h, 10, 0x90, 60, 100);
	eth_run(h, 64);
	const Expect on1[] = { { 10, 0x90, 60, 100 } };
	assert_merged(h, on1, 1);
	assert_track(h, 0, on1, 1);
	assert_tracks_silent_but(h, 1u << 0);

	/* Track 2 becomes active (its program goes to it alone), and plays
	 * on channel 2; track 1's note-off still goes to track 1. */
	eth_set(h, "active_track", 2);
	eth_midi3(h, 5, 0x90, 64, 90);
	eth_midi3(h, 20, 0x80, 60, 0);
	eth_run(h, 64);
	const Expect merged[] = { { 0, 0xC1, 7, 0 },
				  { 5, 0x91, 64, 90 },
				  { 20, 0x80, 60, 0 } };
	assert_merged(h, merged, 3);
	const Expect t1[] = { { 20, 0x80, 60, 0 } };
	assert_track(h, 0, t1, 1);
	const Expect t2[] = { { 0, 0xC1, 7, 0 }, { 5, 0x91, 64, 90 } };
	assert_track(h, 1, t2, 2);
	assert_tracks_silent_but(h, (1u << 0) | (1u << 1));

	/* Muting track 2 ends its note on both outputs; what passes thru goes
	 * to the merged output only. */
	eth_set(h, "track2_mute", 1);
	eth_set(h, "auto_channel", 1);
	eth_midi3(h, 30, 0x94, 40, 50); /* channel 5: no track takes it */
	eth_run(h, 64);
	const Expect off[] = { { 0, 0x81, 64, 64 }, { 30, 0x94, 40, 50 } };
	assert_merged(h, off, 2);
	assert_track(h, 1, off, 1);
	assert_tracks_silent_but(h, 1u << 1);

	assert_int_equal(eth_allocations_in_run(h), 0);
	eth_free(h);
}

/* track_outs off, its default (Carla's rack appends every MIDI output into
 * one stream): the track outputs stay valid, empty sequences and midi_out
 * carries each event once.  On: each track output carries its track's
 * events too. */
static void
track_outputs_are_empty_until_track_outs_is_on(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	assert_float_equal(eth_get(h, "track_outs"), 0.0f, 0.0f);
	eth_set(h, "track2_program", 8);
	eth_set(h, "auto_channel", 1); /* channel 5 passes thru */
	eth_run(h, 64);
	const Expect program[] = { { 0, 0xC1, 7, 0 } };
	assert_merged(h, program, 1);
	assert_tracks_silent_but(h, 0);

	eth_midi3(h, 10, 0x90, 60, 100); /* track 1, channel 1 */
	eth_midi3(h, 11, 0x94, 40, 50);  /* thru */
	eth_midi3(h, 30, 0x80, 60, 0);
	eth_run(h, 64);
	const Expect once[] = { { 10, 0x90, 60, 100 },
				{ 11, 0x94, 40, 50 },
				{ 30, 0x80, 60, 0 } };
	assert_merged(h, once, 3);
	assert_tracks_silent_but(h, 0);

	/* On: the same events reach the track outputs as well. */
	eth_set(h, "track_outs", 1);
	eth_set(h, "active_track", 2);
	eth_midi3(h, 5, 0x90, 64, 90);
	eth_midi3(h, 6, 0x94, 40, 0);
	eth_midi3(h, 20, 0x80, 64, 0);
	eth_run(h, 64);
	const Expect merged[] = { { 0, 0xC1, 7, 0 },
				  { 5, 0x91, 64, 90 },
				  { 6, 0x94, 40, 0 },
				  { 20, 0x81, 64, 0 } };
	assert_merged(h, merged, 4);
	const Expect t2[] = { { 0, 0xC1, 7, 0 },
			      { 5, 0x91, 64, 90 },
			      { 20, 0x81, 64, 0 } };
	assert_track(h, 1, t2, 3);
	assert_tracks_silent_but(h, 1u << 1);

	/* Off again: silent at once. */
	eth_set(h, "track_outs", 0);
	eth_midi3(h, 7, 0x90, 62, 80);
	eth_run(h, 64);
	const Expect t2_on[] = { { 7, 0x91, 62, 80 } };
	assert_merged(h, t2_on, 1);
	assert_tracks_silent_but(h, 0);
	eth_midi3(h, 9, 0x80, 62, 0);
	eth_run(h, 64);
	assert_tracks_silent_but(h, 0);
	assert_int_equal(eth_allocations_in_run(h), 0);
	eth_free(h);
}

/* track_outs turned off while notes and a pedal sound: each track output
 * ends its own at frame 0 of that block (a synth wired to it hangs on
 * nothing), and midi_out ends them later, with their note-offs, once. */
static void
turning_track_outs_off_ends_what_sounds_on_the_track_outputs(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "track_outs", 1);
	eth_set(h, "track3_transpose", 12);
	eth_set(h, "track3_channel", 9);
	eth_set(h, "active_track", 3);
	eth_midi3(h, 1, 0x90, 60, 100); /* track 3: channel 9, note 72 */
	eth_midi3(h, 2, 0xB0, 64, 127); /* sustain down on track 3 */
	eth_run(h, 64);
	const Expect t3[] = { { 1, 0x98, 72, 100 }, { 2, 0xB8, 64, 127 } };
	assert_track(h, 2, t3, 2);

	eth_set(h, "track_outs", 0);
	eth_run(h, 64);
	assert_int_equal(eth_out_count(h), 0);
	const Expect ended[] = { { 0, 0x88, 72, 64 }, { 0, 0xB8, 64, 0 } };
	assert_track(h, 2, ended, 2);
	assert_tracks_silent_but(h, 1u << 2);

	eth_midi3(h, 3, 0x80, 60, 0);
	eth_midi3(h, 4, 0xB0, 64, 0);
	eth_run(h, 64);
	const Expect merged[] = { { 3, 0x88, 72, 0 }, { 4, 0xB8, 64, 0 } };
	assert_merged(h, merged, 2);
	assert_tracks_silent_but(h, 0);
	eth_free(h);
}

/* A track output with no room: its events go to neither output, so no
 * output ever has a note-on without its note-off; nothing is written past
 * either buffer, and it is logged once. */
static void
a_full_track_out_holds_back_the_event_on_both_outputs(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "track_outs", 1);
	/* The plugin reads the offered size as the whole buffer: 8 + 16 of
	 * header and one 24-byte event. */
	eth_set_port_capacity(h, "track1_out", 8 + 16 + 24);
	eth_midi3(h, 1, 0x90, 60, 100);
	eth_midi3(h, 2, 0x90, 62, 100); /* no room on track1_out: dropped */
	eth_midi3(h, 3, 0x91, 64,
		  100); /* channel 2 plays the active track 1 */
	eth_run(h, 64);
	const Expect first[] = { { 1, 0x90, 60, 100 } };
	assert_merged(h, first, 1);
	assert_track(h, 0, first, 1);
	eth_midi3(h, 0, 0x80, 60, 0);
	eth_midi3(h, 1, 0x80, 62, 0); /* a stray now: dropped */
	eth_run(h, 64);
	const Expect off[] = { { 0, 0x80, 60, 0 } };
	assert_merged(h, off, 1);
	assert_track(h, 0, off, 1);
	assert_int_equal(eth_log_lines(h), 1);
	assert_non_null(strstr(eth_log_text(h), "full"));
	eth_free(h);
}

/* ------------------------------------------------------- control channel */

static void
control_notes_select_tracks_mid_note_and_nothing_hangs(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "track_outs", 1);
	eth_set(h, "control_channel", 16);
	eth_set(h, "track2_program", 5);
	eth_run(h, 64);

	eth_midi3(h, 10, 0x90, 60, 100); /* track 1 */
	eth_midi3(h, 50, 0x9F, 37, 127); /* select track 2, at frame 50 */
	eth_midi3(h, 60, 0x90, 62, 100); /* track 2 */
	eth_midi3(h, 70, 0x8F, 37, 0);   /* the pad's release: swallowed */
	eth_midi3(h, 100, 0x80, 60, 0);  /* follows its note-on to track 1 */
	eth_midi3(h, 120, 0x80, 62, 0);
	eth_run(h, 256);
	const Expect merged[] = { { 10, 0x90, 60, 100 },
				  { 50, 0xC1, 4, 0 },
				  { 60, 0x91, 62, 100 },
				  { 100, 0x80, 60, 0 },
				  { 120, 0x81, 62, 0 } };
	assert_merged(h, merged, 5);
	const Expect t1[] = { { 10, 0x90, 60, 100 }, { 100, 0x80, 60, 0 } };
	assert_track(h, 0, t1, 2);
	const Expect t2[] = { { 50, 0xC1, 4, 0 },
			      { 60, 0x91, 62, 100 },
			      { 120, 0x81, 62, 0 } };
	assert_track(h, 1, t2, 3);

	/* The selection holds until the port itself changes. */
	eth_midi3(h, 0, 0x90, 48, 1);
	eth_run(h, 64);
	const Expect still2[] = { { 0, 0x91, 48, 1 } };
	assert_merged(h, still2, 1);
	eth_set(h, "active_track", 3);
	eth_midi3(h, 0, 0x80, 48, 0);
	eth_midi3(h, 1, 0x90, 50, 2);
	eth_run(h, 64);
	const Expect now3[] = { { 0, 0x81, 48, 0 }, { 1, 0x92, 50, 2 } };
	assert_merged(h, now3, 2);

	/* Other channels still route; off (0) routes channel 16 again. */
	eth_set(h, "control_channel", 0);
	eth_midi3(h, 3, 0x9F, 37, 9);
	eth_run(h, 64);
	const Expect routed[] = { { 3, 0x92, 37, 9 } };
	assert_merged(h, routed, 1);
	eth_free(h);
}

/* Loading a session (a state restore) puts the active track back to the
 * port's value, even when a control note had picked another and no port
 * changed. */
static void
a_restore_gives_the_active_track_back_to_the_port(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "control_channel", 16);
	eth_set(h, "auto_channel", 1);
	eth_set(h, "track1_program", 10);
	eth_run(h, 64);
	eth_midi3(h, 0, 0x9F, 38, 100); /* track 3 */
	eth_run(h, 64);
	char dir[] = "/tmp/eighttrack-beyond-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_true(eth_save_state(h, dir));
	assert_true(eth_restore_state(h, dir));
	eth_midi3(h, 5, 0x90, 60, 100);
	eth_run(h, 64);
	/* Track 1 again: its program (it became active), then the note. */
	const Expect back[] = { { 0, 0xC0, 9, 0 }, { 5, 0x90, 60, 100 } };
	assert_merged(h, back, 2);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	eth_free(h);
}

/* A note held on channel 10 must still end after channel 10 becomes the
 * control channel. */
static void
a_note_held_before_the_control_channel_still_ends(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_midi3(h, 0, 0x99, 36, 100);
	eth_run(h, 64);
	eth_set(h, "control_channel", 10);
	eth_midi3(h, 7, 0x89, 36, 0);
	eth_run(h, 64);
	const Expect off[] = { { 7, 0x80, 36, 0 } };
	assert_merged(h, off, 1);
	eth_free(h);
}

/* Releases on the control channel end what began there, but are never
 * routed: not thru, and not to the track a keyboard holds. */
static void
control_channel_releases_are_not_routed(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "auto_channel", 1);
	eth_set(h, "control_channel", 10);
	eth_midi3(h, 0, 0xB9, 64, 0);
	eth_midi3(h, 1, 0xB9, 123, 0);
	eth_midi3(h, 2, 0xB9, 120, 0);
	eth_midi3(h, 3, 0x89, 40, 0);
	eth_run(h, 64);
	assert_merged(h, NULL, 0);

	/* Omni: the keyboard's pedal and note on track 1 stay put when a pad
	 * on the control channel sends its own pedal-up and all-notes-off. */
	eth_set(h, "auto_channel", 0);
	eth_midi3(h, 0, 0xB0, 64, 127);
	eth_midi3(h, 1, 0x90, 60, 100);
	eth_midi3(h, 2, 0xB9, 64, 0);
	eth_midi3(h, 3, 0xB9, 123, 0);
	eth_run(h, 64);
	const Expect kept[] = { { 0, 0xB0, 64, 127 }, { 1, 0x90, 60, 100 } };
	assert_merged(h, kept, 2);
	eth_free(h);
}

/* Sends a ramp (value = frame number) through blocks of `block` frames,
 * with control-channel notes at given absolute frames; returns out_l. */
typedef struct {
	int64_t frame;
	uint8_t note;
} ControlNote;

/* A ramp whose value names its frame, 2^-10 a frame: exact, and within
 * the +-16 a loop holds for the 4000 frames played here. */
static float
ramp_at(int64_t wall)
{
	return (float)wall / 1024.0f;
}

static float *
play_ramp(EthHost *h, int64_t frames, uint32_t block, const ControlNote *notes,
	  size_t n_notes)
{
	float *out  = (float *)calloc((size_t)frames, sizeof(float));
	size_t next = 0;
	for (int64_t wall = 0; wall < frames; wall += block) {
		const uint32_t n =
		    frames - wall < block ? (uint32_t)(frames - wall) : block;
		float *in_l = eth_audio(h, "in_l");
		float *in_r = eth_audio(h, "in_r");
		for (uint32_t i = 0; i < n; ++i) {
			in_l[i] = ramp_at(wall + i);
			in_r[i] = -ramp_at(wall + i);
		}
		while (next < n_notes && notes[next].frame < wall + n) {
			eth_midi3(h, notes[next].frame - wall, 0x9F,
				  notes[next].note, 100);
			++next;
		}
		eth_run(h, n);
		assert_int_equal(eth_out_count(h), 0); /* all consumed */
		memcpy(out + wall, eth_audio(h, "out_l"), n * sizeof(float));
	}
	return out;
}

static void
arm_note_with_quantize_off_records_from_its_own_frame(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "control_channel", 16);
	eth_set(h, "loop_quantize", 0);
	eth_set(h, "monitor", 0);
	eth_set(h, "loop_clear", 1); /* held on: the clear note still clears */
	const uint32_t ramp = (uint32_t)ceil(0.004 * RATE);

	/* Armed at frame 300, disarmed at 1300: blocks of 256 put both in
	 * the middle of a block. */
	const ControlNote notes[] = { { 300, 48 }, { 1300, 48 } };
	float            *out     = play_ramp(h, 4000, 256, notes, 2);
	assert_int_equal((int)eth_get(h, "loop_state"), 3); /* playing */
	assert_float_equal(eth_get(h, "loop_length"), 1000.0 / RATE, 1e-9);
	for (int64_t k = 0; k < 1000 - ramp;
	     ++k) { /* (the seam's last 4 ms) */
		if (out[1300 + k] != ramp_at(300 + k) ||
		    out[2300 + k] != ramp_at(300 + k)) {
			fail_msg("loop sample %lld: got %g and %g, want %g",
				 (long long)k, (double)out[1300 + k],
				 (double)out[2300 + k],
				 (double)ramp_at(300 + k));
		}
	}
	for (int64_t f = 0; f < 1300; ++f) {
		assert_true(out[f] ==
			    0.0f); /* monitor off: nothing until the loop */
	}
	free(out);

	/* Mute by note: silent within the ramp; unmute by note: back. */
	const ControlNote mute[] = { { 100, 49 }, { 2100, 49 } };
	out                      = play_ramp(h, 3000, 256, mute, 2);
	for (int64_t f = 100 + ramp; f < 2100; ++f) {
		assert_true(out[f] == 0.0f);
	}
	bool sounds = false;
	for (int64_t f = 2100 + ramp; f < 3000; ++f) {
		sounds = sounds || out[f] != 0.0f;
	}
	assert_true(sounds);
	free(out);

	/* Clear by note, with the loop_clear port still held on. */
	const ControlNote clear[] = { { 10, 50 } };
	out                       = play_ramp(h, 512, 256, clear, 0);
	assert_int_equal((int)eth_get(h, "loop_state"), 3);
	free(out);
	out = play_ramp(h, 512, 256, clear, 1);
	assert_int_equal((int)eth_get(h, "loop_state"), 0);
	free(out);
	assert_int_equal(eth_allocations_in_run(h), 0);
	eth_free(h);
}

/* ------------------------------------------------------------- clock out */

/* The host's transport as the tests drive it. */
typedef struct {
	EthHost *h;
	int64_t  transport; /* at the start of the next block */
	double   beats;     /* musical time there */
	double   bpm;
	bool     rolling;
	/* Every clock message sent so far, in absolute frames. */
	Expect  got[4096];
	int64_t got_at[4096];
	size_t  n_got;
	int64_t wall;
} Transport;

static void
send_position_at(Transport *t, uint32_t at)
{
	const double bar = floor(t->beats / 4.0);
	eth_position(t->h, at, t->transport, t->rolling ? 1.0 : 0.0, t->bpm,
		     4.0, (int64_t)bar, (float)(t->beats - bar * 4.0));
}

/* Runs n frames, with whatever events are queued, and collects the
 * system messages that came out, in absolute frames. */
static void
advance(Transport *t, uint32_t n)
{
	eth_run(t->h, n);
	for (size_t i = 0; i < eth_out_count(t->h); ++i) {
		const EthEvent *e = eth_out(t->h, i);
		if (e->bytes[0] >= 0xF0 && t->n_got < 4096) {
			t->got[t->n_got] =
			    (Expect){ e->frame, e->bytes[0], e->bytes[1],
				      e->bytes[2] };
			t->got_at[t->n_got++] = t->wall + e->frame;
		}
	}
	t->wall += n;
	if (t->rolling) {
		t->beats += (double)n * t->bpm / (60.0 * RATE);
		t->transport += n;
	}
}

/* The frame of tick n by the test's own arithmetic: the first frame at or
 * after the exact time, less than 1/100 frame late counting as on time. */
static int64_t
expected_tick(double anchor_wall, double anchor_beats, double bpm, int64_t n)
{
	const double x = anchor_wall +
			 ((double)n / 24.0 - anchor_beats) * 60.0 * RATE / bpm;
	const double whole = floor(x);
	return x - whole < 0.01 ? (int64_t)whole : (int64_t)whole + 1;
}

static void
clock_ticks_land_on_exact_frames_across_a_tempo_change(void **state)
{
	(void)state;
	Transport t;
	memset(&t, 0, sizeof(t));
	t.h       = eth_new(RATE);
	t.bpm     = 120.0;
	t.rolling = true;
	eth_set(t.h, "clock_out", 1);

	/* 120 BPM from song start: Start, then a tick every 1000 frames. */
	send_position_at(&t, 0);
	while (t.wall < 24000 + 100 - 256) {
		advance(&t, 256);
	}
	/* Mid-block, the tempo drops to 90 BPM at musical time 24100/24000. */
	const uint32_t at           = (uint32_t)(24100 - t.wall);
	const double   change_beats = 24100.0 / 24000.0;
	eth_run(t.h, 0); /* a zero-length cycle changes nothing */
	assert_int_equal(eth_out_count(t.h), 0);
	{
		/* The position carries the new tempo at its own frame. */
		const int64_t tf  = 24100;
		const double  bar = floor(change_beats / 4.0);
		eth_position(t.h, at, tf, 1.0, 90.0, 4.0, (int64_t)bar,
			     (float)(change_beats - bar * 4.0));
		advance(&t, 256);
		t.bpm   = 90.0;
		t.beats = change_beats +
			  (double)(t.wall - 24100) * 90.0 / (60.0 * RATE);
	}
	while (t.wall < 96000) {
		advance(&t, 256);
	}

	assert_int_equal(t.got[0].b0, 0xFA);
	assert_int_equal(t.got_at[0], 0);
	int64_t n = 0;
	for (size_t i = 1; i < t.n_got; ++i, ++n) {
		assert_int_equal(t.got[i].b0, 0xF8);
		/* The tick at musical time 25/24 is the first after the
		 * change. */
		const int64_t want =
		    n <= 24 ? expected_tick(0.0, 0.0, 120.0, n)
			    : expected_tick(24100.0, change_beats, 90.0, n);
		if (t.got_at[i] != want) {
			fail_msg("tick %lld at %lld, want %lld", (long long)n,
				 (long long)t.got_at[i], (long long)want);
		}
	}
	/* 1 s at 120 BPM is 48 ticks in 48000 frames; then 90 BPM. */
	const int64_t last = expected_tick(24100.0, change_beats, 90.0, n - 1);
	assert_true(last < 96000);
	assert_true(expected_tick(24100.0, change_beats, 90.0, n) >= 96000);
	assert_int_equal(eth_allocations_in_run(t.h), 0);
	eth_free(t.h);
}

static size_t
count_status(const Transport *t, size_t from, uint8_t status)
{
	size_t n = 0;
	for (size_t i = from; i < t->n_got; ++i) {
		n += t->got[i].b0 == status;
	}
	return n;
}

static void
stop_locate_and_continue_send_pointer_and_resume_on_a_sixteenth(void **state)
{
	(void)state;
	Transport t;
	memset(&t, 0, sizeof(t));
	t.h       = eth_new(RATE);
	t.bpm     = 120.0;
	t.rolling = true;
	eth_set(t.h, "clock_out", 1);
	send_position_at(&t, 0);
	advance(&t, 4050); /* Start, ticks 0..4 */
	assert_int_equal(count_status(&t, 0, 0xFA), 1);
	assert_int_equal(count_status(&t, 0, 0xF8), 5);

	/* Stop at frame 100 of the next block: Stop and a pointer, there. */
	size_t mark = t.n_got;
	eth_position(t.h, 100, t.transport + 100, 0.0, 120.0, 4.0, 0,
		     (float)((t.transport + 100) / 24000.0));
	t.rolling = false;
	t.transport += 100;
	t.beats = (double)t.transport / 24000.0;
	advance(&t, 1000);
	assert_int_equal(t.n_got - mark, 2);
	assert_int_equal(t.got[mark].b0, 0xFC);
	assert_int_equal(t.got_at[mark], 4150);
	/* 4150 frames = 0.1729 beats: the next sixteenth is 1 (0.25 beats). */
	assert_int_equal(t.got[mark + 1].b0, 0xF2);
	assert_int_equal(t.got[mark + 1].b1, 1);
	assert_int_equal(t.got[mark + 1].b2, 0);
	advance(&t, 1000); /* stopped: nothing more */
	assert_int_equal(t.n_got - mark, 2);

	/* Locate while stopped to bar 3 (beat 12 = sixteenth 48): a pointer.
	 */
	mark        = t.n_got;
	t.transport = 12 * 24000;
	t.beats     = 12.0;
	send_position_at(&t, 0);
	advance(&t, 256);
	assert_int_equal(t.n_got - mark, 1);
	assert_int_equal(t.got[mark].b0, 0xF2);
	assert_int_equal(t.got[mark].b1, 48);

	/* Roll from there: pointer, Continue, and tick 288 at once. */
	mark      = t.n_got;
	t.rolling = true;
	send_position_at(&t, 10);
	advance(&t, 1000);
	assert_true(t.n_got - mark >= 3);
	assert_int_equal(t.got[mark].b0, 0xF2);
	assert_int_equal(t.got[mark].b1, 48);
	assert_int_equal(t.got[mark + 1].b0, 0xFB);
	assert_int_equal(t.got[mark + 2].b0, 0xF8);
	assert_int_equal(t.got[mark + 1].frame, 10);
	assert_int_equal(t.got[mark + 2].frame, 10);

	/* Locate while rolling, mid-block, to beat 2.1: Stop, pointer to
	 * sixteenth 9, Continue at that frame; the next tick is at beat 2.25.
	 */
	advance(&t, 3000);
	mark               = t.n_got;
	const double beats = 2.1;
	eth_position(t.h, 77, (int64_t)(beats * 24000), 1.0, 120.0, 4.0, 0,
		     (float)beats);
	advance(&t, 8000);
	while (t.got[mark].b0 == 0xF8 && t.got[mark].frame < 77) {
		++mark; /* the old grid's tick before the locate */
	}
	assert_int_equal(t.got[mark].b0, 0xFC);
	assert_int_equal(t.got[mark].frame, 77);
	assert_int_equal(t.got[mark + 1].b0, 0xF2);
	assert_int_equal(t.got[mark + 1].b1, 9);
	assert_int_equal(t.got[mark + 2].b0, 0xFB);
	assert_int_equal(t.got[mark + 3].b0, 0xF8);
	/* beat 2.25 is 0.15 beats = 3600 frames after the locate. */
	assert_int_equal(t.got_at[mark + 3] - t.got_at[mark], 3600);
	assert_int_equal(t.got_at[mark + 4] - t.got_at[mark + 3], 1000);

	/* Switched off while running: Stop at frame 0. */
	mark = t.n_got;
	eth_set(t.h, "clock_out", 0);
	advance(&t, 5000);
	assert_int_equal(t.n_got - mark, 1);
	assert_int_equal(t.got[mark].b0, 0xFC);
	assert_int_equal(t.got[mark].frame, 0);
	eth_free(t.h);
}

/* Start and the first clock come before a note on the same frame: a
 * slaved sequencer sees the downbeat start before the note on it. */
static void
clock_messages_come_before_midi_on_the_same_frame(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "clock_out", 1);
	eth_position(h, 0, 0, 1.0, 120.0, 4.0, 0, 0.0f);
	eth_midi3(h, 0, 0x90, 60, 100);
	eth_midi3(h, 1000, 0x90, 62, 100);
	eth_run(h, 1024);
	const Expect want[] = { { 0, 0xFA, 0, 0 },
				{ 0, 0xF8, 0, 0 },
				{ 0, 0x90, 60, 100 },
				{ 1000, 0xF8, 0, 0 },
				{ 1000, 0x90, 62, 100 } };
	assert_merged(h, want, 5);
	eth_free(h);
}

/* Garbage transports (a frame or bar beyond anything real) cost no more
 * than a sane one, and send no clock. */
static void
absurd_positions_do_not_stall_run(void **state)
{
	(void)state;
	EthHost *h = eth_new(RATE);
	eth_set(h, "clock_out", 1);
	eth_set(h, "loop_arm", 1);
	eth_position(h, 0, (int64_t)4.5e18, 0.0, 120.0, 4.0, 0, 0.0f);
	eth_run(h, 512);
	assert_merged(h, NULL, 0);
	eth_position(h, 0, 0, 1.0, 120.0, 4.0, (int64_t)4e18, 0.0f);
	for (int e = 1; e < 512; ++e) {
		eth_midi3(h, e, 0xF4, 0, 0); /* undefined status: dropped */
	}
	eth_run(h, 512);
	/* The bar is clamped to 2^31: a pointer, Continue, and a tick or two
	 * of a sane 120 BPM clock; nothing for the 511 bad events. */
	assert_true(eth_out_count(h) <= 4);
	eth_position(h, 0, (int64_t)-4.5e18, 1.0, 1.0, 1000.0, (int64_t)-4e18,
		     3.9f);
	eth_run(h, 512);
	assert_true(eth_out_count(h) <= 4);
	eth_free(h);
}

/* fuzz_clock's finding (issue 14), through run(): at 8 kHz, 10000 BPM
 * with beat unit 1 and speed 1.7e308 the tick rate is infinite, and the
 * first block converted NaN to int64_t (the SANITIZE build aborted in
 * midiclock.c).  The clock starts, sends at most a clock a frame, and
 * stays well formed. */
static void
a_speed_near_dbl_max_keeps_clock_out_bounded(void **state)
{
	(void)state;
	EthHost *h = eth_new(8000.0);
	eth_set(h, "clock_out", 1);
	const char *const keys[]   = { LV2_TIME__frame, LV2_TIME__speed,
				       LV2_TIME__beatsPerMinute,
				       LV2_TIME__beatUnit };
	const double      values[] = { 0.0, 1.7e308, 10000.0, 1.0 };
	eth_position_of(h, 0, 4, keys, values);
	bool running = false;
	for (int b = 0; b < 4; ++b) {
		eth_run(h, 64);
		assert_true(eth_out_count(h) <= 64 + 2 + 3);
		for (size_t i = 0; i < eth_out_count(h); ++i) {
			const uint8_t s = eth_out(h, i)->bytes[0];
			if (b == 0 && i == 0) {
				assert_int_equal(s, 0xFA); /* Start */
			}
			if (s == 0xF8) {
				assert_true(running);
			} else if (s == 0xFA || s == 0xFB) {
				assert_false(running);
				running = true;
			} else if (s == 0xFC) {
				assert_true(running);
				running = false;
			} else {
				assert_int_equal(s, 0xF2);
				assert_false(running);
			}
		}
	}
	assert_true(running);
	eth_free(h);
}

static void
incoming_clock_is_dropped_only_while_clock_out_is_on(void **state)
{
	(void)state;
	EthHost      *h    = eth_new(RATE);
	const uint8_t tick = 0xF8, start = 0xFA, spp[3] = { 0xF2, 4, 0 };
	eth_midi(h, 3, &tick, 1);
	eth_midi(h, 4, &start, 1);
	eth_midi(h, 5, spp, 3);
	eth_run(h, 64);
	assert_int_equal(eth_out_count(h), 3); /* thru */

	eth_set(h, "clock_out", 1); /* no transport yet: ours sends nothing */
	eth_midi(h, 3, &tick, 1);
	eth_midi(h, 4, &start, 1);
	eth_midi(h, 5, spp, 3);
	eth_midi3(h, 6, 0x90, 60, 1);
	eth_run(h, 64);
	const Expect note[] = { { 6, 0x90, 60, 1 } };
	assert_merged(h, note, 1);
	eth_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    each_track_out_carries_exactly_its_tracks_events),
		cmocka_unit_test(
		    track_outputs_are_empty_until_track_outs_is_on),
		cmocka_unit_test(
		    turning_track_outs_off_ends_what_sounds_on_the_track_outputs),
		cmocka_unit_test(
		    control_notes_select_tracks_mid_note_and_nothing_hangs),
		cmocka_unit_test(
		    a_note_held_before_the_control_channel_still_ends),
		cmocka_unit_test(
		    a_restore_gives_the_active_track_back_to_the_port),
		cmocka_unit_test(
		    arm_note_with_quantize_off_records_from_its_own_frame),
		cmocka_unit_test(
		    clock_ticks_land_on_exact_frames_across_a_tempo_change),
		cmocka_unit_test(
		    stop_locate_and_continue_send_pointer_and_resume_on_a_sixteenth),
		cmocka_unit_test(
		    incoming_clock_is_dropped_only_while_clock_out_is_on),
		cmocka_unit_test(
		    a_full_track_out_holds_back_the_event_on_both_outputs),
		cmocka_unit_test(control_channel_releases_are_not_routed),
		cmocka_unit_test(
		    clock_messages_come_before_midi_on_the_same_frame),
		cmocka_unit_test(absurd_positions_do_not_stall_run),
		cmocka_unit_test(a_speed_near_dbl_max_keeps_clock_out_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

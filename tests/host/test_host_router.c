/* The router through the built bundle, loaded by lilv like a host would,
 * at 44.1, 48, 96 and 192 kHz: exact frames, channels and bytes. */
#include "lv2host.h"
#include "ports.h"

#include <lv2/atom/atom.h>
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

static double rate = 48000.0;

static int
host_setup(void **state)
{
	*state = eth_new(rate);
	return 0;
}

static int
host_teardown(void **state)
{
	EthHost *host = (EthHost *)*state;
	/* Whatever a story did, run() never touched the heap. */
	assert_int_equal(eth_allocations_in_run(host), 0);
	eth_free(host);
	return 0;
}

static void
expect_out(const EthHost *host, size_t i, uint32_t frame, uint8_t b0,
	   uint8_t b1, uint8_t b2)
{
	const EthEvent *e = eth_out(host, i);
	assert_non_null(e);
	assert_int_equal(e->frame, frame);
	assert_int_equal(e->bytes[0], b0);
	if (e->size > 1) {
		assert_int_equal(e->bytes[1], b1);
	}
	if (e->size > 2) {
		assert_int_equal(e->bytes[2], b2);
	}
}

static void
omni_plays_track_one_at_the_exact_frames(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_midi3(host, 17, 0x95, 60, 100); /* any channel: Omni */
	eth_midi3(host, 300, 0x85, 60, 40);
	eth_run(host, 512);
	assert_int_equal(eth_out_count(host), 2);
	expect_out(host, 0, 17, 0x90, 60, 100);
	expect_out(host, 1, 300, 0x80, 60, 40);
}

static void
keystep_on_10_plays_the_synth_on_11_and_the_rest_passes_thru(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_set(host, "auto_channel", 10);
	eth_set(host, "track1_channel", 11);
	eth_midi3(host, 0, 0x99, 48, 100);
	eth_midi3(host, 1, 0x93, 50, 100);
	eth_midi3(host, 2, 0xE9, 0, 70);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 3);
	expect_out(host, 0, 0, 0x9A, 48, 100);
	expect_out(host, 1, 1, 0x93, 50, 100);
	expect_out(host, 2, 2, 0xEA, 0, 70);

	eth_set(host, "thru", 0);
	eth_midi3(host, 5, 0x94, 52, 100); /* dropped */
	eth_midi3(host, 6, 0x83, 50, 0);   /* but the thru note still ends */
	eth_midi3(host, 7, 0x89, 48, 0);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 2);
	expect_out(host, 0, 6, 0x83, 50, 0);
	expect_out(host, 1, 7, 0x8A, 48, 0);
}

static void
the_active_tracks_channel_reaches_it_too(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_set(host, "auto_channel", 10);
	eth_set(host, "active_track", 3);
	eth_set(host, "track3_channel", 7);
	eth_midi3(host, 9, 0x96, 70, 1);
	eth_run(host, 32);
	assert_int_equal(eth_out_count(host), 1);
	expect_out(host, 0, 9, 0x96, 70, 1);
}

static void
switching_tracks_mid_note_leaves_one_note_off_on_the_first_channel(
    void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_midi3(host, 100, 0x90, 60, 100);
	eth_run(host, 256);
	eth_set(host, "active_track", 2);
	eth_midi3(host, 10, 0x90, 64, 100);
	eth_midi3(host, 20, 0x80, 60, 0);
	eth_midi3(host, 30, 0x80, 64, 0);
	eth_run(host, 256);
	assert_int_equal(eth_out_count(host), 3);
	expect_out(host, 0, 10, 0x91, 64, 100);
	expect_out(host, 1, 20, 0x80, 60, 0);
	expect_out(host, 2, 30, 0x81, 64, 0);
}

static void
muting_mid_note_ends_it_at_the_start_of_the_block(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_midi3(host, 3, 0x90, 60, 100);
	eth_run(host, 128);
	eth_set(host, "track1_mute", 1);
	eth_midi3(host, 50, 0x80, 60, 0);
	eth_midi3(host, 60, 0x90, 62, 100);
	eth_run(host, 128);
	assert_int_equal(eth_out_count(host), 1);
	expect_out(host, 0, 0, 0x80, 60, 64);
}

static void
transpose_and_channel_changes_mid_note(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_set(host, "track1_transpose", -12);
	eth_midi3(host, 0, 0x90, 60, 100);
	eth_run(host, 64);
	eth_set(host, "track1_transpose", 7);
	eth_set(host, "track1_channel", 16);
	eth_midi3(host, 1, 0x90, 61, 100);
	eth_midi3(host, 2, 0x80, 60, 0);
	eth_midi3(host, 3, 0x80, 61, 0);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 3);
	expect_out(host, 0, 1, 0x9F, 68, 100);
	expect_out(host, 1, 2, 0x80, 48, 0);
	expect_out(host, 2, 3, 0x8F, 68, 0);
}

static void
sustain_pressed_on_one_track_is_released_there_after_a_switch(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_midi3(host, 4, 0xB0, 64, 127);
	eth_run(host, 64);
	eth_set(host, "active_track", 5);
	eth_midi3(host, 8, 0xB0, 64, 0);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 2);
	expect_out(host, 0, 8, 0xB0, 64, 0);
	expect_out(host, 1, 8, 0xB4, 64, 0);
}

/* A sustain pedal on channel 3 passes through Thru (auto channel 1);
 * then Thru is switched off, and the pedal-up still reaches channel 3.  A
 * track's pedal pressed on channel 1, then again after the track moved to
 * channel 5, is released on both. */
static void
pedals_are_released_wherever_they_were_pressed(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_set(host, "auto_channel", 1);
	eth_midi3(host, 4, 0xB2, 64, 127);
	eth_midi3(host, 5, 0xB0, 64, 100);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 2);
	expect_out(host, 0, 4, 0xB2, 64, 127);
	expect_out(host, 1, 5, 0xB0, 64, 100);
	eth_set(host, "thru", 0);
	eth_set(host, "track1_channel", 5);
	eth_midi3(host, 6, 0xB0, 64, 127);
	eth_midi3(host, 7, 0xB2, 64, 0);
	eth_midi3(host, 8, 0xB0, 64, 0);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 4);
	expect_out(host, 0, 6, 0xB4, 64, 127);
	expect_out(host, 1, 7, 0xB2, 64, 0);
	expect_out(host, 2, 8, 0xB0, 64, 0);
	expect_out(host, 3, 8, 0xB4, 64, 0);
}

static void
programs_go_out_on_first_run_on_change_and_on_activation(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_set(host, "track1_program", 10);
	eth_set(host, "track4_program", 20);
	eth_set(host, "track4_channel", 12);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 2);
	expect_out(host, 0, 0, 0xC0, 9, 0);
	expect_out(host, 1, 0, 0xCB, 19, 0);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 0);
	eth_set(host, "active_track", 4);
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 1);
	expect_out(host, 0, 0, 0xCB, 19, 0);
	assert_int_equal(eth_out(host, 0)->size, 2);
}

/* ----------------------------------------------------------- bad input */

static void
bad_midi_is_dropped_and_logged_once_by_the_worker(void **state)
{
	EthHost      *host        = (EthHost *)*state;
	const uint8_t truncated[] = { 0x90, 60 };
	const uint8_t no_status[] = { 0x3C, 0x40 };
	const uint8_t sysex[]     = { 0xF0, 0x43, 0x10, 0xF7 };
	const uint8_t clock       = 0xF8;
	for (int i = 0; i < 3; ++i) {
		eth_midi(host, 1, truncated, 0);
		eth_midi(host, 2, truncated, sizeof(truncated));
		eth_midi(host, 3, no_status, sizeof(no_status));
		eth_midi(host, 4, sysex, sizeof(sysex));
		eth_midi(host, 5, &clock, 1);
		eth_atom(host, 6, eth_map(host, LV2_ATOM__Int), &i, sizeof(i));
		eth_run(host, 16);
		assert_int_equal(eth_out_count(host),
				 2); /* SysEx and clock, thru */
		expect_out(host, 0, 4, 0xF0, 0x43, 0x10);
		expect_out(host, 1, 5, 0xF8, 0, 0);
	}
	/* One line per kind of problem, however often it happened. */
	assert_int_equal(eth_log_lines(host), 4);
	assert_non_null(strstr(eth_log_text(host), "zero bytes"));
	assert_non_null(strstr(eth_log_text(host), "truncated"));
	assert_non_null(strstr(eth_log_text(host), "data byte"));
	assert_non_null(strstr(eth_log_text(host), "neither MIDI"));
}

/* jalv stamps what the UI sends at the end of the block: an object that is
 * not a transport position carries no time, so it is never "late". */
static void
a_ui_message_stamped_past_the_block_is_not_late(void **state)
{
	EthHost *host = (EthHost *)*state;
	const struct {
		uint32_t id, otype;
	} request = { 0, eth_map(host, "urn:eighttrack:msg#Request") };
	eth_atom(host, 64, eth_map(host, LV2_ATOM__Object), &request,
		 sizeof(request));
	eth_run(host, 64);
	assert_int_equal(eth_log_lines(host), 0);
	/* A position past the block is still late. */
	eth_position(host, 64, 0, 1.0, 120.0, 4.0, 0, 0.0f);
	eth_run(host, 64);
	assert_int_equal(eth_log_lines(host), 1);
	assert_non_null(strstr(eth_log_text(host), "out of order"));
}

static void
events_out_of_order_or_past_the_block_stay_inside_it(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_midi3(host, 40, 0x90, 60, 100);
	eth_midi3(host, 10, 0x90, 61, 100);  /* earlier than the one before */
	eth_midi3(host, 900, 0x90, 62, 100); /* past nframes */
	eth_run(host, 64);
	assert_int_equal(eth_out_count(host), 3);
	expect_out(host, 0, 40, 0x90, 60, 100);
	expect_out(host, 1, 40, 0x90, 61, 100);
	expect_out(host, 2, 63, 0x90, 62, 100);
	assert_int_equal(eth_log_lines(host), 1);
	assert_non_null(strstr(eth_log_text(host), "out of order"));
}

static void
blocks_of_zero_one_and_8192_frames(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_run(host, 0);
	assert_int_equal(eth_out_count(host), 0);
	eth_midi3(host, 0, 0x90, 60, 100);
	eth_run(host, 1);
	assert_int_equal(eth_out_count(host), 1);
	expect_out(host, 0, 0, 0x90, 60, 100);
	eth_midi3(host, 8191, 0x80, 60, 0);
	eth_run(host, 8192);
	assert_int_equal(eth_out_count(host), 1);
	expect_out(host, 0, 8191, 0x80, 60, 0);
	eth_midi3(host, 0, 0x90, 61, 100); /* nframes 0 with an event */
	eth_run(host, 0);
	assert_int_equal(eth_out_count(host), 1);
	expect_out(host, 0, 0, 0x90, 61, 100);
}

static void
hostile_control_values_are_clamped_and_nan_reads_as_default(void **state)
{
	EthHost *host = (EthHost *)*state;
	eth_set(host, "active_track", NAN);        /* default: track 1 */
	eth_set(host, "track1_channel", INFINITY); /* 16 */
	eth_set(host, "track1_transpose", -1e9f);  /* -48 */
	eth_set(host, "auto_channel", -5);         /* Omni */
	eth_set(host, "thru", NAN);                /* on */
	eth_midi3(host, 2, 0x93, 100, 90);
	eth_run(host, 32);
	assert_int_equal(eth_out_count(host), 1);
	expect_out(host, 0, 2, 0x9F, 52, 90);
	eth_set(host, "active_track", 1e9f);  /* track 8, channel 8 */
	eth_set(host, "track8_program", NAN); /* none */
	eth_midi3(host, 3, 0x93, 100, 0);     /* goes where its note-on went */
	eth_midi3(host, 4, 0x93, 70, 90);
	eth_run(host, 32);
	assert_int_equal(eth_out_count(host), 2);
	expect_out(host, 0, 3, 0x9F, 52, 0);
	expect_out(host, 1, 4, 0x97, 70, 90);
}

/* Follows note-ons and note-offs on channel 1: an off never comes
 * without its on. */
static void
count_notes(const EthHost *host, int sounding[128])
{
	for (size_t i = 0; i < eth_out_count(host); ++i) {
		const EthEvent *ev = eth_out(host, i);
		if (ev->bytes[0] == 0x90 && ev->bytes[2]) {
			++sounding[ev->bytes[1]];
		} else if (ev->bytes[0] == 0x80 || ev->bytes[0] == 0x90) {
			assert_true(sounding[ev->bytes[1]] > 0);
			--sounding[ev->bytes[1]];
		}
	}
}

static void
a_tiny_midi_out_is_never_overrun_and_overflow_is_logged_once(void **state)
{
	EthHost *host = (EthHost *)*state;
	/* A buffer with room for the atom and sequence headers and two 3-byte
	 * events (16 bytes each) in the space the host offers. */
	const uint32_t capacity =
	    (uint32_t)(2 * sizeof(LV2_Atom) + 8 + 2 * 16);
	eth_set_out_capacity(host, capacity);
	int sounding[128] = { 0 };
	for (int block = 0; block < 4; ++block) {
		for (uint8_t n = 0; n < 10; ++n) {
			eth_midi3(host, n, 0x90, (uint8_t)(40 + n), 100);
		}
		eth_run(host, 64);
		assert_true(eth_out_count(host) <= 2);
		count_notes(host, sounding);
	}
	assert_int_equal(eth_log_lines(host), 1);
	assert_non_null(strstr(eth_log_text(host),
			       "midi_out or a track's output was full"));

	/* Once room is back, every note that got out ends exactly once; the
	 * refused ones never sounded, so their note-offs are dropped. */
	eth_set_out_capacity(host, 65536);
	for (uint8_t n = 0; n < 10; ++n) {
		eth_midi3(host, 20, 0x80, (uint8_t)(40 + n), 0);
	}
	eth_run(host, 64);
	count_notes(host, sounding);
	for (int n = 0; n < 128; ++n) {
		assert_int_equal(sounding[n], 0);
	}
}

static void
a_host_without_worker_or_log_still_runs(void **state)
{
	(void)state;
	EthHost      *bare  = eth_new_with(rate, false, false);
	const uint8_t bad[] = { 0x90 };
	eth_midi(bare, 0, bad, 1);
	eth_midi3(bare, 1, 0x90, 60, 100);
	eth_run(bare, 64);
	assert_int_equal(eth_out_count(bare), 1);
	assert_int_equal(eth_allocations_in_run(bare), 0);
	eth_free(bare);
}

/* instantiate() refuses a rate that is no audio rate: what makes the
 * conversions of rate-derived frame counts to integers safe (the loop's
 * capacity, the UI's listening window, the loop file's rate). */
static void
a_sample_rate_that_is_no_audio_rate_is_refused(void **state)
{
	(void)state;
	const double bad[] = { NAN, INFINITY, -INFINITY, 1e300, -1e300,
			       0.0, -48000.0, 0.5,       1.5e6, 4.9e-324 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
		if (eth_instantiates(bad[i])) {
			fail_msg("instantiated at %g Hz", bad[i]);
		}
	}
	assert_true(eth_instantiates(1.0));
	assert_true(eth_instantiates(8000.0));
}

/* Issue 14: every control input at NaN, an infinity, 1e30 and other
 * edges, and positions whose fields are every kind of garbage double, with
 * non-finite audio, notes on every channel and clock out on or off, go
 * through run() without a conversion the SANITIZE build would stop; the
 * outputs stay in range. */
static void
every_control_and_position_at_hostile_values_run_defined(void **state)
{
	EthHost     *host        = (EthHost *)*state;
	const float  values[]    = { NAN,   INFINITY, -INFINITY, 1e30f, -1e30f,
				     -0.0f, 1e-45f,   0.49f,     0.5f,  2.5f };
	const double junk[]      = { NAN,    INFINITY, -INFINITY, 1e300,
				     -1e300, 1.7e308,  4.9e-324,  -0.0,
				     1e-300, 0.5,      -1.0,      1e4 };
	const char *const keys[] = { LV2_TIME__frame,
				     LV2_TIME__speed,
				     LV2_TIME__beatsPerMinute,
				     LV2_TIME__beatsPerBar,
				     LV2_TIME__bar,
				     LV2_TIME__barBeat,
				     LV2_TIME__beatUnit };
	const size_t      nv     = sizeof(values) / sizeof(values[0]);
	const size_t      nj     = sizeof(junk) / sizeof(junk[0]);
	for (size_t v = 0; v < 2 * nv; ++v) {
		for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
			if (et_ports[i].kind == ET_PORT_KIND_CONTROL_IN) {
				eth_set(host, et_ports[i].symbol,
					values[(v + i) % nv]);
			}
		}
		eth_set(host, "clock_out", (float)(v & 1));
		eth_set(host, "loop_arm", (float)((v >> 1) & 1));
		double fields[7];
		for (size_t k = 0; k < 7; ++k) {
			fields[k] = junk[(v * 7 + k) % nj];
		}
		eth_position_of(host, 0, 7, keys, fields);
		/* A sane tempo mid-block, so that the garbage speed rolls. */
		const double sane[] = { 0.0, junk[v % nj], 120.0, 4.0,
					0.0, 0.0,          4.0 };
		eth_position_of(host, 100, 7, keys, sane);
		for (uint8_t ch = 0; ch < 16; ++ch) {
			eth_midi3(host, 10 + ch, (uint8_t)(0x90 | ch),
				  (uint8_t)(36 + ch), 100);
			eth_midi3(host, 200 + ch, (uint8_t)(0x80 | ch),
				  (uint8_t)(36 + ch), 0);
		}
		float *in_l = eth_audio(host, "in_l"),
		      *in_r = eth_audio(host, "in_r");
		for (uint32_t f = 0; f < 256; ++f) {
			in_l[f] = values[(v + f) % nv];
			in_r[f] = -values[(v + f) % nv];
		}
		eth_run(host, 256);
		for (size_t i = 0; i < eth_out_count(host); ++i) {
			assert_true(eth_out(host, i)->frame < 256);
		}
		const float state_now = eth_get(host, "loop_state");
		const float length    = eth_get(host, "loop_length");
		const float position  = eth_get(host, "loop_position");
		assert_true(state_now >= 0.0f && state_now <= 4.0f);
		assert_true(length >= 0.0f && length < 1e6f);
		assert_true(position >= 0.0f && position <= 1.0f);
	}
}

/* Random notes and control changes through the plugin; after every track
 * is muted and every key let go, every note-on had one note-off. */
static void
random_play_through_the_plugin_leaves_nothing_hanging(void **state)
{
	EthHost                 *host     = (EthHost *)*state;
	static const char *const fields[] = { "_mute", "_transpose",
					      "_channel" };
	int                      sounding[16][128];
	memset(sounding, 0, sizeof(sounding));
	srand(99);
	for (int block = 0; block < 300; ++block) {
		const uint32_t nframes = 1 + (uint32_t)(rand() % 700);
		for (int e = rand() % 12; e > 0; --e) {
			const uint8_t ch = (uint8_t)(rand() % 3 + 9);
			eth_midi3(host, rand() % (int)nframes,
				  (uint8_t)((rand() % 2 ? 0x90 : 0x80) | ch),
				  (uint8_t)(60 + rand() % 6), 100);
		}
		if (rand() % 3 == 0) {
			char      symbol[32];
			const int t = 1 + rand() % 8;
			const int f = rand() % 4;
			if (f == 3) {
				eth_set(host, "active_track", (float)t);
			} else {
				snprintf(symbol, sizeof(symbol), "track%d%s",
					 t, fields[f]);
				eth_set(
				    host, symbol,
				    (float)(rand() % 17 - (f == 1 ? 8 : 0)));
			}
			eth_set(host, "auto_channel",
				(float)(rand() % 3 ? 0 : 10));
		}
		/* The host queues events in frame order; sort them. */
		eth_run(host, nframes);
		uint32_t last = 0;
		for (size_t i = 0; i < eth_out_count(host); ++i) {
			const EthEvent *ev = eth_out(host, i);
			assert_true(ev->frame < nframes);
			assert_true(ev->frame >= last);
			last           = ev->frame;
			const int type = ev->bytes[0] & 0xF0,
				  ch   = ev->bytes[0] & 0x0F;
			if (type == 0x90 && ev->bytes[2]) {
				++sounding[ch][ev->bytes[1]];
			} else if (type == 0x80 || type == 0x90) {
				assert_true(sounding[ch][ev->bytes[1]] > 0);
				--sounding[ch][ev->bytes[1]];
			}
		}
	}
	char symbol[32];
	for (int t = 1; t <= 8; ++t) {
		snprintf(symbol, sizeof(symbol), "track%d_mute", t);
		eth_set(host, symbol, 1);
	}
	for (int ch = 0; ch < 16; ++ch) {
		for (int n = 0; n < 128; ++n) {
			eth_midi3(host, 0, (uint8_t)(0x80 | ch), (uint8_t)n,
				  0);
		}
	}
	eth_run(host, 64);
	for (size_t i = 0; i < eth_out_count(host); ++i) {
		const EthEvent *ev = eth_out(host, i);
		assert_int_equal(ev->bytes[0] & 0xF0, 0x80);
		assert_true(sounding[ev->bytes[0] & 0x0F][ev->bytes[1]] > 0);
		--sounding[ev->bytes[0] & 0x0F][ev->bytes[1]];
	}
	for (int ch = 0; ch < 16; ++ch) {
		for (int n = 0; n < 128; ++n) {
			assert_int_equal(sounding[ch][n], 0);
		}
	}
}

#define STORY(f) cmocka_unit_test_setup_teardown(f, host_setup, host_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		STORY(omni_plays_track_one_at_the_exact_frames),
		STORY(
		    keystep_on_10_plays_the_synth_on_11_and_the_rest_passes_thru),
		STORY(the_active_tracks_channel_reaches_it_too),
		STORY(
		    switching_tracks_mid_note_leaves_one_note_off_on_the_first_channel),
		STORY(muting_mid_note_ends_it_at_the_start_of_the_block),
		STORY(transpose_and_channel_changes_mid_note),
		STORY(
		    sustain_pressed_on_one_track_is_released_there_after_a_switch),
		STORY(pedals_are_released_wherever_they_were_pressed),
		STORY(
		    programs_go_out_on_first_run_on_change_and_on_activation),
		STORY(bad_midi_is_dropped_and_logged_once_by_the_worker),
		STORY(a_ui_message_stamped_past_the_block_is_not_late),
		STORY(events_out_of_order_or_past_the_block_stay_inside_it),
		STORY(blocks_of_zero_one_and_8192_frames),
		STORY(
		    hostile_control_values_are_clamped_and_nan_reads_as_default),
		STORY(
		    a_tiny_midi_out_is_never_overrun_and_overflow_is_logged_once),
		STORY(a_host_without_worker_or_log_still_runs),
		STORY(a_sample_rate_that_is_no_audio_rate_is_refused),
		STORY(
		    every_control_and_position_at_hostile_values_run_defined),
		STORY(random_play_through_the_plugin_leaves_nothing_hanging),
	};
	static const double rates[] = { 44100.0, 48000.0, 96000.0, 192000.0 };
	int                 failed  = 0;
	for (unsigned r = 0; r < 4; ++r) {
		char name[64];
		rate = rates[r];
		snprintf(name, sizeof(name), "router at %.0f Hz", rate);
		failed += _cmocka_run_group_tests(
		    name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
	}
	return failed;
}

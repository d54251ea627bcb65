/* Unit tests of the router core: a musician's actions, exact output. */
#include "capture_sink.h"
#include "router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef EtCaptured Out;

typedef struct {
	EtRouter         router;
	EtRouterControls controls;
	EtCapture        out;
	EtSink           sink;
} Rig;

static int
rig_setup(void **state)
{
	Rig *rig = (Rig *)calloc(1, sizeof(Rig));
	et_router_init(&rig->router);
	et_router_default_controls(&rig->controls);
	et_capture_init(&rig->out, 4096);
	rig->sink = et_capture_sink(&rig->out);
	*state    = rig;
	return 0;
}

static int
rig_teardown(void **state)
{
	et_capture_free(&((Rig *)*state)->out);
	free(*state);
	return 0;
}

static void
apply(Rig *rig, uint32_t frame)
{
	et_router_set_controls(&rig->router, &rig->controls, frame,
			       &rig->sink);
}

static EtRouterStatus
play(Rig *rig, uint32_t frame, uint8_t b0, uint8_t b1, uint8_t b2)
{
	const uint8_t msg[3] = { b0, b1, b2 };
	const uint8_t type   = b0 & 0xF0;
	return et_router_process(&rig->router, frame, msg,
				 (type == 0xC0 || type == 0xD0) ? 2 : 3,
				 &rig->sink);
}

static void
clear(Rig *rig)
{
	rig->out.n = 0;
}

static void
expect_event(const Rig *rig, unsigned i, uint32_t frame, uint8_t b0,
	     uint8_t b1, uint8_t b2)
{
	assert_true(i < rig->out.n);
	const Out *o = &rig->out.ev[i];
	assert_int_equal(o->frame, frame);
	assert_int_equal(o->b[0], b0);
	assert_int_equal(o->b[1], b1);
	if (o->size > 2) {
		assert_int_equal(o->b[2], b2);
	}
}

/* ------------------------------------------------------------- routing */

static void
omni_plays_the_active_track_from_any_channel(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	for (uint8_t ch = 0; ch < 16; ++ch) {
		clear(rig);
		play(rig, 10 + ch, (uint8_t)(0x90 | ch), 60, 100);
		play(rig, 20 + ch, (uint8_t)(0x80 | ch), 60, 0);
		assert_int_equal(rig->out.n, 2);
		expect_event(rig, 0, 10 + ch, 0x90, 60,
			     100); /* track 1: channel 1 */
		expect_event(rig, 1, 20 + ch, 0x80, 60, 0);
		assert_int_equal(rig->out.ev[0].track, 0);
	}
}

static void
auto_channel_10_takes_only_channel_10_and_thru_passes_the_rest(void **state)
{
	Rig *rig                       = (Rig *)*state;
	rig->controls.auto_channel     = 10;
	rig->controls.track[0].channel = 11;
	apply(rig, 0);

	play(rig, 5, 0x99, 36, 90); /* channel 10: the auto channel */
	play(rig, 6, 0x92, 40, 70); /* channel 3: nobody's */
	play(rig, 7, 0xB2, 7, 100); /* a CC on channel 3 */
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 5, 0x9A, 36, 90); /* re-channelized to 11 */
	expect_event(rig, 1, 6, 0x92, 40, 70); /* unchanged */
	expect_event(rig, 2, 7, 0xB2, 7, 100);
	assert_int_equal(rig->out.ev[1].track, ET_ROUTER_THRU);

	rig->controls.thru = false;
	apply(rig, 0);
	clear(rig);
	play(rig, 8, 0x93, 41, 70);
	const uint8_t clock = 0xF8;
	et_router_process(&rig->router, 9, &clock, 1, &rig->sink);
	assert_int_equal(rig->out.n, 0);
	/* The note-off of the thru note still follows it: nothing hangs. */
	play(rig, 10, 0x82, 40, 0);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 10, 0x82, 40, 0);
}

static void
the_active_tracks_own_channel_also_plays_it(void **state)
{
	Rig *rig                   = (Rig *)*state;
	rig->controls.auto_channel = 10;
	rig->controls.active_track = 1; /* track 2, channel 2 */
	apply(rig, 0);
	play(rig, 3, 0x91, 64, 80);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 3, 0x91, 64, 80);
	assert_int_equal(rig->out.ev[0].track, 1);
}

static void
switching_the_active_track_mid_note_sends_its_off_where_it_went(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 0, 0x90, 60, 100);
	rig->controls.active_track = 3; /* track 4, channel 4 */
	apply(rig, 0);
	play(rig, 5, 0x90, 62, 100);
	play(rig, 9, 0x80, 60, 30);
	play(rig, 12, 0x80, 62, 30);
	assert_int_equal(rig->out.n, 4);
	expect_event(rig, 0, 0, 0x90, 60, 100);
	expect_event(rig, 1, 5, 0x93, 62, 100);
	expect_event(rig, 2, 9, 0x80, 60, 30); /* exactly one, on channel 1 */
	expect_event(rig, 3, 12, 0x83, 62, 30);
}

static void
muting_mid_note_ends_it_at_once_and_drops_the_later_off(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 2, 0x90, 60, 100);
	play(rig, 3, 0x90, 67, 100);
	clear(rig);
	rig->controls.track[0].mute = true;
	apply(rig, 40);
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 0, 40, 0x80, 60, 64);
	expect_event(rig, 1, 40, 0x80, 67, 64);
	clear(rig);
	play(rig, 50, 0x80, 60, 0);
	play(rig, 51, 0x90, 61, 100); /* muted: sends nothing new */
	play(rig, 52, 0xE0, 0, 80);
	assert_int_equal(rig->out.n, 0);
	assert_int_equal(et_router_sounding(&rig->router, 0), 0);
}

static void
transpose_and_channel_changes_mid_note_keep_the_note_off_exact(void **state)
{
	Rig *rig                         = (Rig *)*state;
	rig->controls.track[0].transpose = 12;
	apply(rig, 0);
	play(rig, 1, 0x90, 60, 100);
	rig->controls.track[0].transpose = -5;
	rig->controls.track[0].channel   = 9;
	apply(rig, 0);
	play(rig, 2, 0x90, 60 + 1, 100);
	play(rig, 3, 0x80, 60, 0);
	play(rig, 4, 0x80, 61, 0);
	assert_int_equal(rig->out.n, 4);
	expect_event(rig, 0, 1, 0x90, 72, 100);
	expect_event(rig, 1, 2, 0x98, 56, 100);
	expect_event(rig, 2, 3, 0x80, 72,
		     0); /* the channel and note it went with */
	expect_event(rig, 3, 4, 0x88, 56, 0);
}

static void
transposed_out_of_range_notes_are_not_sent_and_their_offs_dropped(void **state)
{
	Rig *rig                         = (Rig *)*state;
	rig->controls.track[0].transpose = 48;
	apply(rig, 0);
	play(rig, 1, 0x90, 100, 100);
	play(rig, 2, 0x80, 100, 0);
	assert_int_equal(rig->out.n, 0);
}

static void
note_on_velocity_zero_is_a_note_off(void **state)
{
	Rig *rig                       = (Rig *)*state;
	rig->controls.track[0].channel = 3;
	apply(rig, 0);
	play(rig, 1, 0x90, 60, 100);
	play(rig, 2, 0x90, 60, 0);
	play(rig, 3, 0x90, 60,
	     0); /* a repeated off (Ardour on stop): a stray */
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 1, 2, 0x92, 60, 0);
}

static void
a_second_note_on_for_a_held_key_ends_the_first(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 1, 0x90, 60, 100);
	rig->controls.active_track = 1;
	apply(rig, 0);
	play(rig, 2, 0x90, 60, 90);
	play(rig, 3, 0x80, 60, 0);
	assert_int_equal(rig->out.n, 4);
	expect_event(rig, 0, 1, 0x90, 60, 100);
	expect_event(rig, 1, 2, 0x80, 60, 64);
	expect_event(rig, 2, 2, 0x91, 60, 90);
	expect_event(rig, 3, 3, 0x81, 60, 0);
}

static void
sustain_held_across_a_switch_is_released_where_it_was_pressed(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 127);
	rig->controls.active_track = 2; /* track 3 */
	apply(rig, 0);
	play(rig, 5, 0xB0, 64, 0);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 1, 0xB0, 64, 127);
	expect_event(rig, 1, 5, 0xB0, 64, 0); /* track 1's synth lets go */
	expect_event(rig, 2, 5, 0xB2, 64, 0); /* and the routed copy */
	assert_int_equal(rig->out.ev[1].track, 0);
	assert_int_equal(rig->out.ev[2].track, 2);
}

static void
muting_releases_a_held_sustain_pedal(void **state)
{
	Rig *rig                       = (Rig *)*state;
	rig->controls.track[0].channel = 5;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 100);
	rig->controls.track[0].channel = 6; /* the pedal went to channel 5 */
	rig->controls.track[0].mute    = true;
	clear(rig);
	apply(rig, 7);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 7, 0xB4, 64, 0);
}

static void
program_changes_on_value_change_and_on_activation(void **state)
{
	Rig *rig                       = (Rig *)*state;
	rig->controls.track[0].program = 5;
	rig->controls.track[2].program = 12;
	rig->controls.track[1].program = 3;
	rig->controls.track[1].mute    = true;
	apply(rig, 0); /* first run: every non-default program is a change */
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 0, 0, 0xC0, 4, 0);
	expect_event(rig, 1, 0, 0xC2, 11, 0); /* track 2 is muted: nothing */

	clear(rig);
	apply(rig, 0); /* nothing changed: nothing sent */
	assert_int_equal(rig->out.n, 0);

	rig->controls.active_track = 2;
	apply(rig, 0);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 0, 0xC2, 11, 0);

	clear(rig);
	rig->controls.track[2].program = 0; /* none: nothing to send */
	apply(rig, 0);
	rig->controls.track[2].program = 128;
	apply(rig, 0);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 0, 0xC2, 127, 0);
}

static void
incoming_program_change_and_bend_are_rechannelized(void **state)
{
	Rig *rig                       = (Rig *)*state;
	rig->controls.track[0].channel = 7;
	apply(rig, 0);
	play(rig, 1, 0xC3, 9, 0);
	play(rig, 2, 0xE3, 0, 64);
	play(rig, 3, 0xD3, 50, 0);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 1, 0xC6, 9, 0);
	assert_int_equal(rig->out.ev[0].size, 2);
	expect_event(rig, 1, 2, 0xE6, 0, 64);
	expect_event(rig, 2, 3, 0xD6, 50, 0);
}

static void
all_notes_off_ends_every_note_from_that_channel_once(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 1, 0x90, 60, 100); /* track 1 */
	rig->controls.active_track = 4;
	apply(rig, 0);
	play(rig, 2, 0x90, 64, 100); /* track 5 */
	clear(rig);
	play(rig, 3, 0xB0, 123, 0);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 3, 0x80, 60, 64);
	expect_event(rig, 1, 3, 0x84, 64, 64);
	expect_event(rig, 2, 3, 0xB4, 123, 0);
	clear(rig);
	play(rig, 4, 0xB0, 123, 0); /* again: no note left to end */
	play(rig, 5, 0x80, 60, 0);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 4, 0xB4, 123, 0);
}

static void
poly_pressure_follows_the_held_note(void **state)
{
	Rig *rig                         = (Rig *)*state;
	rig->controls.track[0].transpose = 2;
	apply(rig, 0);
	play(rig, 1, 0x90, 60, 100);
	rig->controls.active_track = 1;
	apply(rig, 0);
	play(rig, 2, 0xA0, 60, 33);
	expect_event(rig, 1, 2, 0xA0, 62, 33);
}

/* ----------------------------------------------------------- bad input */

static void
malformed_messages_are_dropped_and_counted(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	static const struct {
		uint8_t        bytes[6];
		uint32_t       size;
		EtRouterStatus status;
	} cases[] = {
		{ { 0 }, 0, ET_ROUTER_EMPTY },
		{ { 0x40, 0x40 }, 2, ET_ROUTER_NO_STATUS },
		{ { 0x90, 60 }, 2, ET_ROUTER_BAD_LENGTH },
		{ { 0x90, 60, 100, 1 }, 4, ET_ROUTER_BAD_LENGTH },
		{ { 0xC0 }, 1, ET_ROUTER_BAD_LENGTH },
		{ { 0x90, 0x90, 100 }, 3, ET_ROUTER_BAD_DATA },
		{ { 0xF0, 1, 2 },
		  3,
		  ET_ROUTER_BAD_LENGTH }, /* SysEx without F7 */
		{ { 0xF0, 1, 0x80, 0xF7 }, 4, ET_ROUTER_BAD_DATA },
		{ { 0xF4 }, 1, ET_ROUTER_UNDEFINED },
		{ { 0xF7 }, 1, ET_ROUTER_UNDEFINED },
		{ { 0xF8, 0 }, 2, ET_ROUTER_BAD_LENGTH },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
		assert_int_equal(et_router_process(&rig->router, 0,
						   cases[i].bytes,
						   cases[i].size, &rig->sink),
				 cases[i].status);
	}
	assert_int_equal(rig->out.n, 0);
	assert_int_equal(rig->router.status_count[ET_ROUTER_BAD_LENGTH], 5);
	assert_int_equal(rig->router.status_count[ET_ROUTER_BAD_DATA], 2);
	assert_int_equal(rig->router.status_count[ET_ROUTER_UNDEFINED], 2);
	for (int s = 0; s < ET_ROUTER_STATUS_COUNT; ++s) {
		assert_non_null(et_router_strerror((EtRouterStatus)s));
	}
}

static void
sysex_and_realtime_pass_thru_unchanged(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	const uint8_t sysex[] = { 0xF0, 0x7E, 0x7F, 0x06, 0x01, 0xF7 };
	const uint8_t start   = 0xFA;
	const uint8_t spp[]   = { 0xF2, 0x10, 0x00 };
	et_router_process(&rig->router, 3, sysex, sizeof(sysex), &rig->sink);
	et_router_process(&rig->router, 4, &start, 1, &rig->sink);
	et_router_process(&rig->router, 5, spp, 3, &rig->sink);
	assert_int_equal(rig->out.n, 3);
	assert_int_equal(rig->out.ev[0].size, sizeof(sysex));
	assert_memory_equal(rig->out.ev[0].b, sysex, sizeof(sysex));
	assert_int_equal(rig->out.ev[1].b[0], 0xFA);
	assert_memory_equal(rig->out.ev[2].b, spp, 3);
}

static void
a_full_output_keeps_the_note_off_and_sends_it_next_block(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 1, 0x90, 60, 100);
	rig->out.room = 0; /* full from now on */
	play(rig, 2, 0x80, 60, 0);
	play(rig, 3, 0x90, 62, 100); /* dropped, so never sounding */
	assert_int_equal(rig->out.n, 1);
	assert_true(rig->router.status_count[ET_ROUTER_OUTPUT_FULL] >= 2);

	rig->out.room = SIZE_MAX; /* the next block has room */
	et_router_flush(&rig->router, 0, &rig->sink);
	play(rig, 4, 0x80, 62, 0);
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 1, 0, 0x80, 60, 64);
	assert_int_equal(et_router_sounding(&rig->router, 0), 0);
}

/* ------------------------------------------------------ calibration's notes
 */

/* A test note goes to the track's own channel as it is: not transposed,
 * even while the track is muted, and only to that track; its note-off
 * goes where it went when the channel changes in between. */
static void
a_test_note_goes_to_its_track_alone_and_ends_where_it_went(void **state)
{
	Rig *rig                         = (Rig *)*state;
	rig->controls.track[2].channel   = 5;
	rig->controls.track[2].transpose = 12;
	rig->controls.track[2].mute      = true;
	apply(rig, 0);
	clear(rig);
	assert_true(
	    et_router_test_note_on(&rig->router, 2, 10, 60, 100, &rig->sink));
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 10, 0x94, 60, 100);
	assert_int_equal(rig->out.ev[0].track, 2);
	assert_int_equal(et_router_sounding(&rig->router, 2), 1);
	rig->controls.track[2].channel = 9;
	apply(rig, 20);
	clear(rig);
	et_router_test_note_off(&rig->router, 30, &rig->sink);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 30, 0x84, 60, 64);
	assert_int_equal(et_router_sounding(&rig->router, 2), 0);
	et_router_test_note_off(&rig->router, 40, &rig->sink); /* no twice */
	assert_int_equal(rig->out.n, 1);
}

/* A full output keeps the test note's note-off for the next block; a
 * panic ends a test note; a new one ends the one before. */
static void
a_test_note_never_hangs(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	clear(rig);
	assert_true(
	    et_router_test_note_on(&rig->router, 0, 1, 60, 100, &rig->sink));
	rig->out.room = 0;
	et_router_test_note_off(&rig->router, 2, &rig->sink);
	assert_false(
	    et_router_test_note_on(&rig->router, 0, 3, 60, 100, &rig->sink));
	rig->out.room = SIZE_MAX;
	et_router_flush(&rig->router, 0, &rig->sink);
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 1, 0, 0x80, 60, 64);
	assert_int_equal(et_router_sounding(&rig->router, 0), 0);

	assert_true(
	    et_router_test_note_on(&rig->router, 0, 5, 60, 100, &rig->sink));
	assert_true(
	    et_router_test_note_on(&rig->router, 1, 6, 61, 100, &rig->sink));
	expect_event(rig, 3, 6, 0x80, 60, 64);
	expect_event(rig, 4, 6, 0x91, 61, 100);
	assert_int_equal(et_router_all_off(&rig->router, 7, &rig->sink), 1);
	expect_event(rig, 5, 7, 0x81, 61, 64);
	assert_int_equal(et_router_sounding(&rig->router, 1), 0);
}

/* --------------------------------------------------------- random walk */

/* Random notes, pedals, panics and control changes; then every track is
 * muted and every key released.  On the output every note-on must have
 * exactly one note-off, in order, and no note-off may come unmatched. */
static void
random_play_never_leaves_a_note_hanging(void **state)
{
	Rig *rig = (Rig *)*state;
	srand(1234);
	for (unsigned round = 0; round < 200; ++round) {
		et_router_init(&rig->router);
		et_router_default_controls(&rig->controls);
		rig->controls.thru = (round & 1) != 0;
		int sounding[16][128];
		memset(sounding, 0, sizeof(sounding));
		for (unsigned step = 0; step < 400; ++step) {
			clear(rig);
			const int what = rand() % 10;
			if (what < 6) {
				const uint8_t ch = (uint8_t)(rand() % 4);
				const uint8_t note =
				    (uint8_t)(58 + rand() % 8);
				const bool on = rand() % 2;
				play(rig, step,
				     (uint8_t)((on ? 0x90 : 0x80) | ch), note,
				     on ? 100 : 0);
			} else if (what == 6) {
				play(rig, step, (uint8_t)(0xB0 | (rand() % 4)),
				     (rand() % 8) ? 64 : 123,
				     (uint8_t)(rand() % 128));
			} else {
				EtRouterControls *c = &rig->controls;
				const unsigned    t =
				    (unsigned)rand() % ET_TRACK_COUNT;
				switch (rand() % 5) {
				case 0: c->active_track = (uint8_t)t; break;
				case 1:
					c->track[t].mute = !c->track[t].mute;
					break;
				case 2:
					c->track[t].transpose =
					    (int8_t)(rand() % 25 - 12);
					break;
				case 3:
					c->track[t].channel =
					    (uint8_t)(1 + rand() % 16);
					break;
				default:
					c->auto_channel =
					    (uint8_t)(rand() % 5);
					break;
				}
				apply(rig, step);
			}
			for (unsigned i = 0; i < rig->out.n; ++i) {
				const Out *o    = &rig->out.ev[i];
				const int  type = o->b[0] & 0xF0;
				const int  ch   = o->b[0] & 0x0F;
				if (type == 0x90 && o->b[2] > 0) {
					++sounding[ch][o->b[1]];
				} else if (type == 0x80 || type == 0x90) {
					assert_true(sounding[ch][o->b[1]] > 0);
					--sounding[ch][o->b[1]];
				}
			}
		}
		clear(rig);
		for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
			rig->controls.track[t].mute = true;
		}
		apply(rig, 500);
		for (uint8_t ch = 0; ch < 16; ++ch) {
			for (uint8_t n = 0; n < 128; ++n) {
				play(rig, 501, (uint8_t)(0x80 | ch), n, 0);
			}
		}
		for (unsigned i = 0; i < rig->out.n; ++i) {
			const Out *o = &rig->out.ev[i];
			if ((o->b[0] & 0xF0) == 0x80) {
				assert_true(sounding[o->b[0] & 0x0F][o->b[1]] >
					    0);
				--sounding[o->b[0] & 0x0F][o->b[1]];
			}
		}
		for (int ch = 0; ch < 16; ++ch) {
			for (int n = 0; n < 128; ++n) {
				assert_int_equal(sounding[ch][n], 0);
			}
		}
		for (unsigned s = 0; s <= ET_TRACK_COUNT; ++s) {
			assert_int_equal(et_router_sounding(&rig->router, s),
					 0);
		}
	}
}

/* The track outputs are switched off while track 2 holds a transposed
 * note and its sustain pedal, and thru holds another note: the router
 * tells exactly one note-off (where the note-on went) and one pedal
 * release, both for track 2, nothing for thru, and forgets nothing: the
 * key's own release still ends the note once. */
static void
telling_the_releases_names_what_each_track_holds_and_keeps_it(void **state)
{
	Rig *rig                         = (Rig *)*state;
	rig->controls.active_track       = 1;
	rig->controls.track[1].channel   = 5;
	rig->controls.track[1].transpose = 12;
	rig->controls.auto_channel       = 1;
	apply(rig, 0);
	play(rig, 1, 0x90, 60, 100); /* track 2: note 72 on channel 5 */
	play(rig, 2, 0xB0, 64, 127); /* its pedal */
	play(rig, 3, 0x92, 50, 90);  /* channel 3: thru */
	clear(rig);

	et_router_tell_releases(&rig->router, 7, &rig->sink);
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 0, 7, 0x84, 72, 64);
	expect_event(rig, 1, 7, 0xB4, 64, 0);
	assert_int_equal(rig->out.ev[0].track, 1);
	assert_int_equal(rig->out.ev[1].track, 1);
	assert_int_equal(et_router_sounding(&rig->router, 1), 1);

	clear(rig);
	play(rig, 9, 0x80, 60, 0);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 9, 0x84, 72, 0);
	assert_int_equal(et_router_sounding(&rig->router, 1), 0);
}

/* ------------------------------------------------------ held controllers */

/* The four controllers a synth latches: sustain, sostenuto, soft, hold. */
static const uint8_t held_controllers[4] = { 64, 66, 67, 69 };

static void
expect_track(const Rig *rig, unsigned i, int track)
{
	assert_true(i < rig->out.n);
	assert_int_equal(rig->out.ev[i].track, track);
}

/* A pedal that no track takes goes through Thru; Thru is switched off
 * while it is down: its release still reaches the synth on channel 3. */
static void
a_pedal_through_thru_is_released_after_thru_is_switched_off(void **state)
{
	Rig *rig = (Rig *)*state;
	for (unsigned k = 0; k < 4; ++k) {
		const uint8_t cc = held_controllers[k];
		et_router_init(&rig->router);
		et_router_default_controls(&rig->controls);
		rig->controls.auto_channel = 1;
		apply(rig, 0);
		clear(rig);
		play(rig, 1, 0xB2, cc, 127); /* channel 3: nobody's */
		rig->controls.thru = false;
		apply(rig, 2);
		play(rig, 3, 0xB2, cc, 0);
		play(rig, 4, 0xB2, cc,
		     0); /* a second up: nothing held, thru off */
		assert_int_equal(rig->out.n, 2);
		expect_event(rig, 0, 1, 0xB2, cc, 127);
		expect_event(rig, 1, 3, 0xB2, cc, 0);
		expect_track(rig, 1, ET_ROUTER_THRU);
	}
}

/* The same pedal, but the auto channel moves onto channel 3 while it is
 * down: the thru press is released on channel 3, and the up is also
 * routed, as any CC, to the active track (channel 1).  When the active
 * track plays channel 3 too, channel 3 gets its release once. */
static void
a_pedal_through_thru_is_released_after_the_auto_channel_moves_onto_it(
    void **state)
{
	Rig *rig                   = (Rig *)*state;
	rig->controls.auto_channel = 1;
	apply(rig, 0);
	play(rig, 1, 0xB2, 64, 127);
	rig->controls.auto_channel = 3;
	apply(rig, 2);
	play(rig, 3, 0xB2, 64, 0);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 1, 0xB2, 64, 127);
	expect_event(rig, 1, 3, 0xB2, 64, 0);
	expect_track(rig, 1, ET_ROUTER_THRU);
	expect_event(rig, 2, 3, 0xB0, 64, 0);
	expect_track(rig, 2, 0);

	et_router_init(&rig->router);
	rig->controls.auto_channel     = 1;
	rig->controls.track[0].channel = 3;
	apply(rig, 0);
	play(rig, 5, 0xB2, 64, 0);   /* before: channel 3 is the track's own */
	play(rig, 6, 0xB5, 64, 127); /* channel 6: thru */
	rig->controls.auto_channel = 6;
	apply(rig, 7);
	clear(rig);
	play(rig, 8, 0xB5, 64, 0);
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 0, 8, 0xB5, 64, 0);
	expect_track(rig, 0, ET_ROUTER_THRU);
	expect_event(rig, 1, 8, 0xB2, 64, 0); /* the routed copy, channel 3 */

	/* Pressed through Thru on channel 6, released with the active track
	 * playing channel 6: one release on channel 6, not two. */
	et_router_init(&rig->router);
	rig->controls.auto_channel     = 1;
	rig->controls.track[0].channel = 1;
	apply(rig, 0);
	play(rig, 9, 0xB5, 67, 100);
	rig->controls.track[0].channel = 6;
	rig->controls.auto_channel     = 6;
	apply(rig, 10);
	clear(rig);
	play(rig, 11, 0xB5, 67, 0);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 11, 0xB5, 67, 0);
	expect_track(rig, 0, ET_ROUTER_THRU);
}

/* Pedal down on track 1 (channel 1), the track moves to channel 5, pedal
 * down again: the release reaches channel 1 and channel 5, once each. */
static void
a_tracks_pedal_pressed_on_two_channels_is_released_on_both(void **state)
{
	Rig *rig = (Rig *)*state;
	for (unsigned k = 0; k < 4; ++k) {
		const uint8_t cc = held_controllers[k];
		et_router_init(&rig->router);
		et_router_default_controls(&rig->controls);
		apply(rig, 0);
		clear(rig);
		play(rig, 1, 0xB0, cc, 127);
		rig->controls.track[0].channel = 5;
		apply(rig, 2);
		play(rig, 3, 0xB0, cc, 127);
		play(rig, 4, 0xB0, cc, 0);
		play(rig, 5, 0xB0, cc, 0); /* again: only the routed copy */
		assert_int_equal(rig->out.n, 5);
		expect_event(rig, 0, 1, 0xB0, cc, 127);
		expect_event(rig, 1, 3, 0xB4, cc, 127);
		expect_event(rig, 2, 4, 0xB0, cc, 0);
		expect_event(rig, 3, 4, 0xB4, cc, 0);
		expect_event(rig, 4, 5, 0xB4, cc, 0);
		for (unsigned i = 0; i < rig->out.n; ++i) {
			expect_track(rig, i, 0);
		}
	}
}

/* A continuous pedal pressed half-way: 80 on channel 1, the track moves
 * to channel 5, then 96 and 112 there, then 0.  The later values go where
 * the track plays now (channel 1 keeps 80 until the release); a value
 * still >= 64 adds no second hold; the release (the player's own 0)
 * reaches both channels once. */
static void
a_half_pedal_across_a_channel_change_is_released_on_both(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 80);
	rig->controls.track[0].channel = 5;
	apply(rig, 2);
	play(rig, 3, 0xB0, 64, 96);
	play(rig, 4, 0xB0, 64, 112);
	play(rig, 5, 0xB0, 64, 40); /* < 64: the release */
	play(rig, 6, 0xB0, 64, 0);  /* routed as any CC, to channel 5 */
	assert_int_equal(rig->out.n, 6);
	expect_event(rig, 0, 1, 0xB0, 64, 80);
	expect_event(rig, 1, 3, 0xB4, 64, 96);
	expect_event(rig, 2, 4, 0xB4, 64, 112);
	expect_event(rig, 3, 5, 0xB0, 64, 40);
	expect_event(rig, 4, 5, 0xB4, 64, 40);
	expect_event(rig, 5, 6, 0xB4, 64, 0);
}

/* Muting track 1 releases every held controller it holds, on every
 * channel each press reached, once, with 0; Thru's pedal stays down until
 * its own release. */
static void
muting_releases_every_held_controller_of_the_track_once(void **state)
{
	Rig *rig                   = (Rig *)*state;
	rig->controls.auto_channel = 1;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 127);
	rig->controls.track[0].channel = 5;
	apply(rig, 2);
	play(rig, 3, 0xB0, 66, 127);
	play(rig, 4, 0xB0, 64, 100);
	play(rig, 5, 0xB2, 69, 127); /* channel 3: thru */
	clear(rig);
	rig->controls.track[0].mute = true;
	apply(rig, 7);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 7, 0xB0, 64, 0);
	expect_event(rig, 1, 7, 0xB4, 64, 0);
	expect_event(rig, 2, 7, 0xB4, 66, 0);
	clear(rig);
	play(rig, 8, 0xB0, 64, 0); /* muted, and nothing held: nothing */
	play(rig, 9, 0xB0, 66, 0);
	rig->controls.track[0].mute = false;
	apply(rig, 10);
	play(rig, 11, 0xB2, 69, 0);
	assert_int_equal(rig->out.n, 1);
	expect_event(rig, 0, 11, 0xB2, 69, 0);
	expect_track(rig, 0, ET_ROUTER_THRU);
}

/* Sostenuto pressed on track 1, the active track switches to track 3 and
 * it is pressed again there: the release reaches both tracks, once. */
static void
a_controller_pressed_on_two_active_tracks_is_released_on_both(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 1, 0xB0, 66, 127);
	rig->controls.active_track = 2;
	apply(rig, 2);
	play(rig, 3, 0xB0, 66, 127);
	play(rig, 4, 0xB0, 66, 0);
	assert_int_equal(rig->out.n, 4);
	expect_event(rig, 2, 4, 0xB0, 66, 0);
	expect_track(rig, 2, 0);
	expect_event(rig, 3, 4, 0xB2, 66, 0);
	expect_track(rig, 3, 2);
}

/* CC 123 ends the notes and releases the held controllers that came in on
 * its channel, wherever they went; CC 120 through Thru does the same for
 * Thru's.  Each is released once: the player's later ups find nothing
 * held and only pass on as any CC would. */
static void
all_notes_off_and_all_sound_off_release_the_held_controllers(void **state)
{
	Rig *rig                   = (Rig *)*state;
	rig->controls.auto_channel = 1;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 127);
	rig->controls.track[0].channel = 5;
	apply(rig, 2);
	play(rig, 3, 0xB0, 64, 127);
	play(rig, 4, 0xB0, 69, 127);
	play(rig, 5, 0xB2, 66, 127); /* thru */
	clear(rig);
	play(rig, 6, 0xB0, 123, 0);
	assert_int_equal(rig->out.n, 4);
	expect_event(rig, 0, 6, 0xB0, 64, 0);
	expect_event(rig, 1, 6, 0xB4, 64, 0);
	expect_event(rig, 2, 6, 0xB4, 69, 0);
	expect_event(rig, 3, 6, 0xB4, 123, 0);
	clear(rig);
	play(rig, 7, 0xB2, 120, 0);
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 0, 7, 0xB2, 66, 0);
	expect_track(rig, 0, ET_ROUTER_THRU);
	expect_event(rig, 1, 7, 0xB2, 120, 0);
	clear(rig);
	play(rig, 8, 0xB0, 64, 0);
	play(rig, 9, 0xB0, 69, 0);
	play(rig, 10, 0xB2, 66, 0);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 8, 0xB4, 64, 0);
	expect_event(rig, 1, 9, 0xB4, 69, 0);
	expect_event(rig, 2, 10, 0xB2, 66, 0);
}

/* A panic releases every held controller of every track and of Thru. */
static void
all_off_releases_every_held_controller_once(void **state)
{
	Rig *rig                   = (Rig *)*state;
	rig->controls.auto_channel = 1;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 127);
	rig->controls.track[0].channel = 5;
	apply(rig, 2);
	play(rig, 3, 0xB0, 64, 127);
	play(rig, 4, 0xB3, 67, 127); /* thru, channel 4 */
	clear(rig);
	assert_int_equal(et_router_all_off(&rig->router, 9, &rig->sink), 0);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 9, 0xB0, 64, 0);
	expect_event(rig, 1, 9, 0xB4, 64, 0);
	expect_event(rig, 2, 9, 0xB3, 67, 0);
	expect_track(rig, 2, ET_ROUTER_THRU);
	clear(rig);
	assert_int_equal(et_router_all_off(&rig->router, 10, &rig->sink), 0);
	assert_int_equal(rig->out.n, 0);
}

/* A pedal-up on the control channel (et_router_release) releases what the
 * pedal pressed from that channel, everywhere, and routes nothing. */
static void
a_release_on_the_control_channel_reaches_every_channel_pressed(void **state)
{
	Rig *rig                   = (Rig *)*state;
	rig->controls.auto_channel = 1;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 127);
	rig->controls.track[0].channel = 5;
	apply(rig, 2);
	play(rig, 3, 0xB0, 64, 127);
	play(rig, 4, 0xB2, 64, 127); /* thru */
	rig->controls.thru = false;
	apply(rig, 5);
	clear(rig);
	const uint8_t up0[3] = { 0xB0, 64, 0 };
	const uint8_t up2[3] = { 0xB2, 64, 0 };
	et_router_release(&rig->router, 6, up0, 3, &rig->sink);
	et_router_release(&rig->router, 7, up2, 3, &rig->sink);
	et_router_release(&rig->router, 8, up0, 3, &rig->sink);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 6, 0xB0, 64, 0);
	expect_event(rig, 1, 6, 0xB4, 64, 0);
	expect_event(rig, 2, 7, 0xB2, 64, 0);
	expect_track(rig, 2, ET_ROUTER_THRU);
}

/* The output is full when the pedal comes up: its release waits, like a
 * note-off, and goes out with the next block's flush. */
static void
a_full_output_keeps_the_pedal_release_and_sends_it_next_block(void **state)
{
	Rig *rig = (Rig *)*state;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 127);
	rig->controls.active_track = 1;
	apply(rig, 2);
	rig->out.room = 0; /* full from now on */
	play(rig, 3, 0xB0, 64, 0);
	assert_int_equal(rig->out.n, 1);
	rig->out.room = SIZE_MAX;
	et_router_flush(&rig->router, 0, &rig->sink);
	et_router_flush(&rig->router, 1, &rig->sink);
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 1, 0, 0xB0, 64, 0);
	expect_track(rig, 1, 0);
}

/* The track outputs are switched off while track 2 holds its pedal on two
 * channels and sostenuto on one: it is told each release once, and keeps
 * them; the player's release still reaches both channels. */
static void
telling_the_releases_names_every_channel_a_controller_reached(void **state)
{
	Rig *rig                   = (Rig *)*state;
	rig->controls.active_track = 1;
	apply(rig, 0);
	play(rig, 1, 0xB0, 64, 127); /* channel 2 */
	play(rig, 2, 0xB3, 64, 127); /* Omni: also track 2, channel 2 */
	rig->controls.track[1].channel = 6;
	apply(rig, 3);
	play(rig, 4, 0xB0, 64, 127); /* channel 6 */
	play(rig, 5, 0xB0, 66, 127);
	clear(rig);
	et_router_tell_releases(&rig->router, 7, &rig->sink);
	assert_int_equal(rig->out.n, 3);
	expect_event(rig, 0, 7, 0xB1, 64, 0);
	expect_event(rig, 1, 7, 0xB5, 64, 0);
	expect_event(rig, 2, 7, 0xB5, 66, 0);
	for (unsigned i = 0; i < 3; ++i) {
		expect_track(rig, i, 1);
	}
	/* Kept: channel 2's pedal from two input channels, channel 6's pedal,
	 * channel 6's sostenuto. */
	assert_int_equal(et_router_held_controls(&rig->router, 1), 4);
	clear(rig);
	play(rig, 8, 0xB0, 64, 0);
	assert_int_equal(rig->out.n, 2);
	expect_event(rig, 0, 8, 0xB1, 64, 0);
	expect_event(rig, 1, 8, 0xB5, 64, 0);
	/* Input channel 4's press on channel 2, and the sostenuto, remain. */
	assert_int_equal(et_router_held_controls(&rig->router, 1), 2);
}

/* Random notes, held controllers (switch and half-pedal values), CC 120
 * and 123, releases on a control channel, and every control change, Thru
 * included.  Then the player lets
 * go of every key and pedal (or, every other round, a panic ends it all):
 * no output channel may be left with a held controller down. */
static void
random_play_never_leaves_a_controller_down(void **state)
{
	Rig *rig = (Rig *)*state;
	srand(4321);
	for (unsigned round = 0; round < 300; ++round) {
		et_router_init(&rig->router);
		et_router_default_controls(&rig->controls);
		/* The last value each output channel got, per held controller.
		 */
		uint8_t value[16][4];
		memset(value, 0, sizeof(value));
		unsigned steps = 300;
		for (unsigned step = 0; step <= steps + 1; ++step) {
			clear(rig);
			const int what = rand() % 13;
			if (step == steps) {
				/* The end: every key and pedal lets go. */
				if (round & 1) {
					et_router_all_off(&rig->router, step,
							  &rig->sink);
				} else {
					for (uint8_t ch = 0; ch < 16; ++ch) {
						for (unsigned k = 0; k < 4;
						     ++k) {
							play(rig, step,
							     (uint8_t)(0xB0 |
								       ch),
							     held_controllers
								 [k],
							     0);
						}
						for (uint8_t n = 0; n < 128;
						     ++n) {
							play(rig, step,
							     (uint8_t)(0x80 |
								       ch),
							     n, 0);
						}
					}
				}
			} else if (step == steps + 1) {
				et_router_all_off(&rig->router, step,
						  &rig->sink);
			} else if (what < 4) {
				const uint8_t ch = (uint8_t)(rand() % 4);
				const bool    on = rand() % 2;
				play(rig, step,
				     (uint8_t)((on ? 0x90 : 0x80) | ch),
				     (uint8_t)(58 + rand() % 8), on ? 100 : 0);
			} else if (what < 7) {
				static const uint8_t values[] = {
					0, 0, 127, 127, 80, 96, 112, 40, 63, 64
				};
				play(rig, step, (uint8_t)(0xB0 | (rand() % 4)),
				     held_controllers[rand() % 4],
				     values[rand() % (int)sizeof(values)]);
			} else if (what == 7) {
				play(rig, step, (uint8_t)(0xB0 | (rand() % 4)),
				     (rand() % 2) ? 120 : 123, 0);
			} else if (what == 8) {
				/* A release on a control channel: consumed,
				 * yet it ends what began on that channel. */
				const uint8_t cc[3] = {
					(uint8_t)(0xB0 | (rand() % 4)),
					(rand() % 5)
					    ? held_controllers[rand() % 4]
					    : 123,
					(uint8_t)(rand() % 64)
				};
				et_router_release(&rig->router, step, cc, 3,
						  &rig->sink);
			} else {
				EtRouterControls *c = &rig->controls;
				const unsigned    t =
				    (unsigned)rand() % ET_TRACK_COUNT;
				switch (rand() % 6) {
				case 0:
					c->active_track =
					    (uint8_t)(rand() % 3);
					break;
				case 1:
					c->track[t % 3].mute =
					    !c->track[t % 3].mute;
					break;
				case 2:
					c->track[t].transpose =
					    (int8_t)(rand() % 25 - 12);
					break;
				case 3:
					c->track[t % 3].channel =
					    (uint8_t)(1 + rand() % 6);
					break;
				case 4: c->thru = !c->thru; break;
				default:
					c->auto_channel =
					    (uint8_t)(rand() % 5);
					break;
				}
				apply(rig, step);
			}
			for (unsigned i = 0; i < rig->out.n; ++i) {
				const Out *o = &rig->out.ev[i];
				assert_int_equal(o->frame, step);
				if ((o->b[0] & 0xF0) != 0xB0) {
					continue;
				}
				for (unsigned k = 0; k < 4; ++k) {
					if (o->b[1] == held_controllers[k]) {
						value[o->b[0] & 0x0F][k] =
						    o->b[2];
					}
				}
			}
			if (step == steps && !(round & 1)) {
				for (unsigned s = 0; s <= ET_TRACK_COUNT;
				     ++s) {
					assert_int_equal(et_router_sounding(
							     &rig->router, s),
							 0);
				}
			}
			if (step >= steps) {
				for (unsigned slot = 0; slot < ET_ROUTER_SLOTS;
				     ++slot) {
					assert_int_equal(
					    et_router_held_controls(
						&rig->router, slot),
					    0);
				}
				for (unsigned ch = 0; ch < 16; ++ch) {
					for (unsigned k = 0; k < 4; ++k) {
						if (value[ch][k] >= 64) {
							print_error(
							    "round %u: channel %u CC %u is "
							    "left at %u\n",
							    round, ch + 1,
							    held_controllers
								[k],
							    value[ch][k]);
						}
						assert_true(value[ch][k] < 64);
					}
				}
			}
		}
	}
}

#define STORY(f) cmocka_unit_test_setup_teardown(f, rig_setup, rig_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		STORY(omni_plays_the_active_track_from_any_channel),
		STORY(
		    auto_channel_10_takes_only_channel_10_and_thru_passes_the_rest),
		STORY(the_active_tracks_own_channel_also_plays_it),
		STORY(
		    switching_the_active_track_mid_note_sends_its_off_where_it_went),
		STORY(muting_mid_note_ends_it_at_once_and_drops_the_later_off),
		STORY(
		    transpose_and_channel_changes_mid_note_keep_the_note_off_exact),
		STORY(
		    transposed_out_of_range_notes_are_not_sent_and_their_offs_dropped),
		STORY(note_on_velocity_zero_is_a_note_off),
		STORY(a_second_note_on_for_a_held_key_ends_the_first),
		STORY(
		    sustain_held_across_a_switch_is_released_where_it_was_pressed),
		STORY(muting_releases_a_held_sustain_pedal),
		STORY(program_changes_on_value_change_and_on_activation),
		STORY(incoming_program_change_and_bend_are_rechannelized),
		STORY(all_notes_off_ends_every_note_from_that_channel_once),
		STORY(poly_pressure_follows_the_held_note),
		STORY(malformed_messages_are_dropped_and_counted),
		STORY(sysex_and_realtime_pass_thru_unchanged),
		STORY(
		    a_full_output_keeps_the_note_off_and_sends_it_next_block),
		STORY(random_play_never_leaves_a_note_hanging),
		STORY(
		    telling_the_releases_names_what_each_track_holds_and_keeps_it),
		STORY(
		    a_pedal_through_thru_is_released_after_thru_is_switched_off),
		STORY(
		    a_pedal_through_thru_is_released_after_the_auto_channel_moves_onto_it),
		STORY(
		    a_tracks_pedal_pressed_on_two_channels_is_released_on_both),
		STORY(
		    a_half_pedal_across_a_channel_change_is_released_on_both),
		STORY(muting_releases_every_held_controller_of_the_track_once),
		STORY(
		    a_controller_pressed_on_two_active_tracks_is_released_on_both),
		STORY(
		    all_notes_off_and_all_sound_off_release_the_held_controllers),
		STORY(all_off_releases_every_held_controller_once),
		STORY(
		    a_release_on_the_control_channel_reaches_every_channel_pressed),
		STORY(
		    a_full_output_keeps_the_pedal_release_and_sends_it_next_block),
		STORY(
		    telling_the_releases_names_every_channel_a_controller_reached),
		STORY(random_play_never_leaves_a_controller_down),
		STORY(
		    a_test_note_goes_to_its_track_alone_and_ends_where_it_went),
		STORY(a_test_note_never_hangs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The engine without LV2: the control channel and the port latches, told
 * as a player's stories, block by block, with the exact frames the glue
 * would hand over. */
#include "capture_sink.h"
#include "control_map.h"
#include "engine.h"
#include "test_transport.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RATE       48000.0
#define BLOCK      256
#define CONTROL_CH 16

typedef struct {
	EtEngine     engine;
	float        value[ET_PORT_COUNT]; /* the control ports */
	const float *port[ET_PORT_COUNT];
	float        in_l[BLOCK], in_r[BLOCK], out_l[BLOCK], out_r[BLOCK];
	EtCapture    out, track_only;
	int64_t      frame; /* of the next block's first frame */
} Rig;

static int
rig_setup(void **state)
{
	Rig *rig = (Rig *)calloc(1, sizeof(Rig));
	assert_non_null(rig);
	assert_true(et_engine_init(&rig->engine, RATE));
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		rig->value[i] = et_ports[i].fallback;
		rig->port[i]  = &rig->value[i];
	}
	rig->value[ET_PORT_CONTROL_CHANNEL] = CONTROL_CH;
	rig->value[ET_PORT_LOOP_QUANTIZE]   = 0.0f; /* at the note's frame */
	rig->value[ET_PORT_MONITOR]         = 0.0f; /* hear only the loop */
	et_capture_init(&rig->out, 1024);
	et_capture_init(&rig->track_only, 1024);
	*state = rig;
	return 0;
}

static int
rig_teardown(void **state)
{
	Rig *rig = (Rig *)*state;
	et_engine_free(&rig->engine);
	et_capture_free(&rig->out);
	et_capture_free(&rig->track_only);
	free(rig);
	return 0;
}

/* The input: every sample says the frame it was played at. */
static void
begin(Rig *rig)
{
	for (uint32_t i = 0; i < BLOCK; ++i) {
		rig->in_l[i] = rig->in_r[i] =
		    (float)(rig->frame + i + 1) / 65536.0f;
	}
	et_capture_clear(&rig->out);
	et_capture_clear(&rig->track_only);
	const EtEngineAudio audio = { rig->in_l, rig->in_r, rig->out_l,
				      rig->out_r };
	const EtSink        sink  = et_capture_sink(&rig->out);
	const EtSink        track = et_capture_sink(&rig->track_only);
	et_engine_begin(&rig->engine, rig->port, BLOCK, &audio, &sink, &track);
}

static void
end(Rig *rig)
{
	et_engine_end(&rig->engine);
	rig->frame += BLOCK;
}

/* A block with no event in it. */
static void
empty_block(Rig *rig)
{
	begin(rig);
	end(rig);
}

static void
note(Rig *rig, uint32_t at, uint8_t channel, uint8_t key)
{
	const uint8_t on[3] = { (uint8_t)(0x90 | (channel - 1)), key, 100 };
	et_engine_midi(&rig->engine, at, on, 3);
}

static void
block_with_note(Rig *rig, uint32_t at, uint8_t channel, uint8_t key)
{
	begin(rig);
	note(rig, at, channel, key);
	end(rig);
}

/* A note on track 2's key, then a played note: it goes out on track 2's
 * channel, at its own frame; the port moving later takes over again. */
static void
test_a_track_note_selects_at_its_frame_until_the_port_moves(void **state)
{
	Rig *rig = (Rig *)*state;
	begin(rig);
	note(rig, 100, CONTROL_CH, ET_CONTROL_NOTE_TRACK_FIRST + 1);
	note(rig, 100, 1, 60); /* same frame, after it */
	end(rig);
	assert_int_equal(rig->out.n, 1);
	assert_int_equal(rig->out.ev[0].frame, 100);
	assert_int_equal(rig->out.ev[0].b[0], 0x90 | 1); /* channel 2 */
	assert_int_equal(rig->out.ev[0].track, 1);

	/* The port did not move: the note's choice stays, also when another
	 * port changes and the router's controls are read again. */
	block_with_note(rig, 10, 1, 62);
	assert_int_equal(rig->out.ev[rig->out.n - 1].track, 1);
	rig->value[et_track_port(0, ET_TRACK_FIELD_TRANSPOSE)] = 12.0f;
	block_with_note(rig, 10, 1, 63);
	assert_int_equal(rig->out.ev[rig->out.n - 1].track, 1);

	/* It moves (to track 3): that wins. */
	rig->value[ET_PORT_ACTIVE_TRACK] = 3.0f;
	block_with_note(rig, 10, 1, 64);
	assert_int_equal(rig->out.ev[rig->out.n - 1].track, 2);
	assert_int_equal(rig->out.ev[rig->out.n - 1].b[0], 0x90 | 2);
	/* The control channel's notes are never routed. */
	for (size_t i = 0; i < rig->out.n; ++i) {
		assert_int_not_equal(rig->out.ev[i].b[0] & 0x0f,
				     CONTROL_CH - 1);
	}
}

/* Arm and disarm by note, quantize off: the take starts and ends at the
 * notes' own frames, mid-block, and holds the input from there. */
static void
test_arm_notes_record_from_frame_to_frame(void **state)
{
	Rig *rig = (Rig *)*state;
	block_with_note(rig, 200, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_RECORDING);
	empty_block(rig);
	block_with_note(rig, 56, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_PLAYING);
	/* From frame 200 of block 0 to frame 56 of block 2. */
	const uint32_t length = 2 * BLOCK + 56 - 200;
	assert_float_equal(et_engine_loop_length(&rig->engine),
			   (double)length / RATE, 1e-9);
	EtLoopView   v;
	const float *l, *r;
	assert_true(et_looper_view(et_engine_active_loop(&rig->engine), &v));
	assert_true(et_loop_view_read(&v, 0, &l, &r) > 0);
	assert_true(l[0] == (float)(200 + 1) / 65536.0f);
	/* The arm port never moved: the note's arm stays off in the next
	 * block too. */
	empty_block(rig);
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_PLAYING);
}

/* The clear note clears even while loop_clear's port is held on (the
 * port's own edge came blocks earlier). */
static void
test_a_clear_note_clears_with_the_port_held_on(void **state)
{
	Rig *rig                       = (Rig *)*state;
	rig->value[ET_PORT_LOOP_CLEAR] = 1.0f;
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	block_with_note(rig, 100, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_PLAYING);
	block_with_note(rig, 30, CONTROL_CH, ET_CONTROL_NOTE_LOOP_CLEAR);
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_EMPTY);
}

/* A mute note silences the loop at its frame; the mute port moving later
 * takes over. */
static void
test_the_mute_note_and_the_port_take_turns(void **state)
{
	Rig *rig = (Rig *)*state;
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	empty_block(rig);
	assert_true(rig->out_l[BLOCK - 1] != 0.0f); /* it plays */
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_MUTE);
	assert_true(rig->out_l[BLOCK - 1] == 0.0f); /* ramped to silence */
	assert_true(rig->engine.latch.mute);
	rig->value[ET_PORT_LOOP_MUTE] = 1.0f; /* the port moves: muted */
	empty_block(rig);
	rig->value[ET_PORT_LOOP_MUTE] = 0.0f; /* and back: it plays */
	empty_block(rig);
	assert_false(rig->engine.latch.mute);
	assert_true(rig->out_l[BLOCK - 1] != 0.0f);
}

/* A looper handed over by a restore takes the ports as its baseline: the
 * arm port held on does not start a take. */
static void
test_a_restored_looper_takes_the_ports_as_baseline(void **state)
{
	Rig *rig                     = (Rig *)*state;
	rig->value[ET_PORT_LOOP_ARM] = 1.0f;
	empty_block(rig);
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_RECORDING);
	EtRecorders *fresh = et_engine_new_recorders(RATE);
	assert_non_null(fresh);
	et_recorders_free(et_engine_swap_recorders(&rig->engine, fresh));
	empty_block(rig);
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_EMPTY);
	/* The port's next edge acts. */
	rig->value[ET_PORT_LOOP_ARM] = 0.0f;
	empty_block(rig);
	rig->value[ET_PORT_LOOP_ARM] = 1.0f;
	empty_block(rig);
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_RECORDING);
}

/* Frames out of order or past the block are moved to the nearest valid
 * frame, and counted; a UI message out of order is moved, not counted. */
static void
test_late_events_are_moved_and_counted(void **state)
{
	Rig *rig = (Rig *)*state;
	begin(rig);
	note(rig, 50, 1, 60);
	note(rig, 10, 1, 62);
	et_engine_other(&rig->engine, 5, false);
	note(rig, 100000, 1, 64);
	note(rig, -3, 1, 65);
	end(rig);
	assert_int_equal(rig->out.n, 4);
	assert_int_equal(rig->out.ev[0].frame, 50);
	assert_int_equal(rig->out.ev[1].frame, 50);
	assert_int_equal(rig->out.ev[2].frame, BLOCK - 1);
	assert_int_equal(rig->out.ev[3].frame, BLOCK - 1);
	assert_int_equal(rig->engine.late_events, 3);
	assert_int_equal(rig->out.backwards, 0);
}

/* With clock out on, the clock ticks due at a note's frame go out before
 * the note; incoming clock is dropped, never doubled. */
static void
test_clock_goes_out_before_a_note_on_its_frame(void **state)
{
	Rig *rig                      = (Rig *)*state;
	rig->value[ET_PORT_CLOCK_OUT] = 1.0f;
	/* 120 BPM rolling from frame 0: a tick every 1000 frames. */
	EtPosition pos = et_test_position(0, 1.0, 120.0, 4.0, 0, 0.0);
	for (int b = 0; b < 8; ++b) {
		begin(rig);
		if (b == 0) {
			et_engine_position(&rig->engine, 0, &pos);
		}
		if (b == 3) { /* frame 1000 = 3 * 256 + 232 */
			note(rig, 232, 1, 60);
			const uint8_t tick = 0xF8;
			et_engine_midi(&rig->engine, 240, &tick, 1);
		}
		end(rig);
		if (b == 3) {
			assert_int_equal(rig->out.n, 2);
			assert_int_equal(rig->out.ev[0].b[0], 0xF8);
			assert_int_equal(rig->out.ev[0].frame, 232);
			assert_int_equal(rig->out.ev[1].b[0], 0x90);
			assert_int_equal(rig->out.ev[1].frame, 232);
		}
	}
}

/* A held controller pressed on a channel that then becomes the control
 * channel is still released there: sostenuto, soft and hold as sustain
 * (each was swallowed by the control channel and held forever). */
static void
test_a_pedal_released_on_the_new_control_channel_is_released(void **state)
{
	Rig                 *rig    = (Rig *)*state;
	static const uint8_t held[] = { 64, 66, 67, 69 };
	rig->value[ET_PORT_CONTROL_CHANNEL] =
	    0.0f; /* off while it is pressed */
	begin(rig);
	for (unsigned i = 0; i < sizeof(held); ++i) {
		const uint8_t down[3] = { 0xB2, held[i], 127 }; /* channel 3 */
		et_engine_midi(&rig->engine, 10, down, 3);
	}
	end(rig);
	assert_int_equal(rig->out.n, 4); /* routed to the active track */
	const uint8_t out_status = rig->out.ev[0].b[0];

	rig->value[ET_PORT_CONTROL_CHANNEL] = 3.0f;
	begin(rig);
	for (unsigned i = 0; i < sizeof(held); ++i) {
		const uint8_t up[3] = { 0xB2, held[i], 0 };
		et_engine_midi(&rig->engine, 20, up, 3);
	}
	end(rig);
	assert_int_equal(rig->out.n, 4);
	for (unsigned i = 0; i < sizeof(held); ++i) {
		const EtCaptured *e = &rig->out.ev[i];
		assert_int_equal(e->b[0], out_status);
		assert_int_equal(e->b[1], held[i]);
		assert_int_equal(e->b[2], 0);
	}
}

/* ---- the eight recorders ----------------------------------------------*/

/* Sample k of track t's loop as it plays (left channel). */
static float
loop_sample(Rig *rig, unsigned t, uint32_t k)
{
	EtLoopView   v;
	const float *l, *r;
	assert_true(
	    et_looper_view(et_recorders_loop(rig->engine.recorders, t), &v));
	assert_true(et_loop_view_read(&v, k % v.length, &l, &r) > 0);
	return l[0];
}

/* A take at the note's frame, `blocks` blocks long, on the active track. */
static void
take(Rig *rig, unsigned blocks)
{
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	for (unsigned b = 1; b < blocks; ++b) {
		empty_block(rig);
	}
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
}

static float
track_state(Rig *rig, unsigned t)
{
	return et_engine_track_loop_state(&rig->engine, t);
}

/* Two blocks past the ramps, the last one's output is track 1's loop alone
 * (it started at start1 and is len1 long). */
static void
assert_loop_1_alone(Rig *rig, int64_t start1, uint32_t len1)
{
	empty_block(rig);
	empty_block(rig);
	for (uint32_t i = 0; i < BLOCK; ++i) {
		const int64_t t = rig->frame - BLOCK + i;
		assert_true(
		    rig->out_l[i] ==
		    loop_sample(rig, 0, (uint32_t)((t - start1) % len1)));
	}
}

/* Two loops of their own lengths on two tracks, free running (no
 * transport), play together: the output is the sum of both, sample for
 * sample, each from its own first sample; the second's level applies to
 * it alone, its mute silences it alone, and clearing it leaves the first
 * playing. */
static void
test_two_tracks_loop_on_their_own_and_sum(void **state)
{
	Rig          *rig    = (Rig *)*state;
	const int64_t start1 = rig->frame;
	take(rig, 4); /* track 1: 4 blocks */
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_TRACK_FIRST + 1);
	const int64_t start2 = rig->frame;
	take(rig, 3); /* track 2: 3 blocks */
	assert_true(track_state(rig, 0) == ET_LOOP_PLAYING);
	assert_true(track_state(rig, 1) == ET_LOOP_PLAYING);
	for (unsigned t = 2; t < ET_TRACK_COUNT; ++t)
		assert_true(track_state(rig, t) == ET_LOOP_EMPTY);
	/* loop_length says the active track's: track 2's 3 blocks. */
	assert_float_equal(et_engine_loop_length(&rig->engine),
			   3.0 * BLOCK / RATE, 1e-9);
	const uint32_t len1 = 4 * BLOCK, len2 = 3 * BLOCK;
	/* Each loop holds the input of its own take. */
	assert_true(loop_sample(rig, 0, 1) ==
		    (float)(start1 + 1 + 1) / 65536.0f);
	assert_true(loop_sample(rig, 1, 1) ==
		    (float)(start2 + 1 + 1) / 65536.0f);

	/* Steady: past every ramp. */
	for (int b = 0; b < 4; ++b) {
		empty_block(rig);
	}
	empty_block(rig);
	for (uint32_t i = 0; i < BLOCK; ++i) {
		const int64_t t = rig->frame - BLOCK + i;
		const float   want =
		    loop_sample(rig, 0, (uint32_t)((t - start1) % len1)) +
		    loop_sample(rig, 1, (uint32_t)((t - start2) % len2));
		if (rig->out_l[i] != want)
			fail_msg("frame %u: %g, want the sum %g", i,
				 (double)rig->out_l[i], (double)want);
	}

	/* Track 2's loop at -6 dB. */
	rig->value[et_track_loop_port(1, ET_TRACK_LOOP_LEVEL)] = -6.0f;
	for (int b = 0; b < 2; ++b) {
		empty_block(rig);
	}
	const float g = powf(10.0f, -6.0f / 20.0f);
	for (uint32_t i = 0; i < BLOCK; ++i) {
		const int64_t t = rig->frame - BLOCK + i;
		const float   want =
		    loop_sample(rig, 0, (uint32_t)((t - start1) % len1)) +
		    g * loop_sample(rig, 1, (uint32_t)((t - start2) % len2));
		if (rig->out_l[i] != want)
			fail_msg("frame %u at -6 dB: %g, want %g", i,
				 (double)rig->out_l[i], (double)want);
	}

	/* Track 2's loop muted: track 1's alone. */
	rig->value[et_track_loop_port(1, ET_TRACK_LOOP_MUTE)] = 1.0f;
	assert_loop_1_alone(rig, start1, len1);
	assert_true(track_state(rig, 1) == ET_LOOP_PLAYING); /* muted, kept */

	/* Cleared (the active track is 2): track 1 plays on. */
	rig->value[et_track_loop_port(1, ET_TRACK_LOOP_MUTE)] = 0.0f;
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_CLEAR);
	assert_true(track_state(rig, 1) == ET_LOOP_EMPTY);
	assert_true(track_state(rig, 0) == ET_LOOP_PLAYING);
	assert_loop_1_alone(rig, start1, len1);
}

/* One pass at a time: a take stays with its track when another becomes
 * active; the next arm is its disarm, and the one after starts a take on
 * the track then active. */
static void
test_an_arm_while_another_track_records_is_its_disarm(void **state)
{
	Rig *rig = (Rig *)*state;
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_TRACK_FIRST + 2);
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	assert_true(track_state(rig, 2) == ET_LOOP_RECORDING);
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_TRACK_FIRST + 3);
	empty_block(rig);
	assert_true(track_state(rig, 2) == ET_LOOP_RECORDING); /* stays */
	assert_true(track_state(rig, 3) == ET_LOOP_EMPTY);
	/* loop_state reports the active track's loop. */
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_EMPTY);
	block_with_note(rig, 100, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	assert_true(track_state(rig, 2) == ET_LOOP_PLAYING);
	assert_true(track_state(rig, 3) == ET_LOOP_EMPTY);
	assert_float_equal(
	    et_looper_length(et_recorders_loop(rig->engine.recorders, 2)),
	    3 * BLOCK + 100, 0);
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	assert_true(track_state(rig, 3) == ET_LOOP_RECORDING);
	assert_true(track_state(rig, 2) == ET_LOOP_PLAYING);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		if (t != 2 && t != 3)
			assert_true(track_state(rig, t) == ET_LOOP_EMPTY);
	}
}

/* A take on a track that has just become active still cross-fades its end
 * into the input that came before its first sample (the seam), though
 * that input was heard while another track was active. */
static void
test_a_take_right_after_a_track_change_has_its_pre_roll(void **state)
{
	Rig *rig = (Rig *)*state;
	for (int b = 0; b < 2; ++b) {
		empty_block(rig);
	}
	const int64_t start = rig->frame + 20;
	begin(rig);
	note(rig, 10, CONTROL_CH, ET_CONTROL_NOTE_TRACK_FIRST + 4);
	note(rig, 20, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	end(rig);
	for (int b = 0; b < 3; ++b) {
		empty_block(rig);
	}
	block_with_note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	assert_true(track_state(rig, 4) == ET_LOOP_PLAYING);
	const uint32_t length = (uint32_t)(rig->frame - BLOCK - start);
	const uint32_t r      = et_looper_ramp_frames(RATE);
	for (uint32_t i = 0; i < r; ++i) {
		const float w = et_looper_seam_weight(i, r);
		const float take =
		    (float)(start + length - r + i + 1) / 65536.0f;
		const float pre  = (float)(start - r + i + 1) / 65536.0f;
		const float want = take * (1.0f - w) + pre * w;
		const float got  = loop_sample(rig, 4, length - r + i);
		if (got != want)
			fail_msg("seam frame %u: %g, want %g (pre-roll %g)", i,
				 (double)got, (double)want, (double)pre);
	}
}

/* Loop 1 overdubbed, the overdub undone by note 51 (the loop is again bit
 * for bit what it was), redone by note 52, and undone again by the
 * loop_undo port's edge. */
static void
test_undo_and_redo_notes_and_port(void **state)
{
	Rig *rig = (Rig *)*state;
	take(rig, 4);
	const uint32_t length = 4 * BLOCK;
	float          before[4 * BLOCK], after[4 * BLOCK];
	for (uint32_t k = 0; k < length; ++k)
		before[k] = loop_sample(rig, 0, k);
	take(rig, 2); /* loop_overdub is on: a pass over the loop */
	for (uint32_t k = 0; k < length; ++k)
		after[k] = loop_sample(rig, 0, k);
	assert_memory_not_equal(before, after, sizeof before);

	block_with_note(rig, 5, CONTROL_CH, ET_CONTROL_NOTE_LOOP_UNDO);
	for (uint32_t k = 0; k < length; ++k)
		assert_true(loop_sample(rig, 0, k) == before[k]);
	block_with_note(rig, 5, CONTROL_CH, ET_CONTROL_NOTE_LOOP_REDO);
	for (uint32_t k = 0; k < length; ++k)
		assert_true(loop_sample(rig, 0, k) == after[k]);
	rig->value[ET_PORT_LOOP_UNDO] = 1.0f;
	empty_block(rig);
	begin(rig); /* held on: no second undo */
	end(rig);
	rig->value[ET_PORT_LOOP_UNDO] = 0.0f;
	for (uint32_t k = 0; k < length; ++k)
		assert_true(loop_sample(rig, 0, k) == before[k]);
	assert_int_equal(
	    et_looper_undo_steps(et_recorders_loop(rig->engine.recorders, 0)),
	    1);
}

/* ---- a small engine (et_engine_init_capacity) --------------------------*/

/* The rig's engine rebuilt with loops of at most `capacity` frames on a
 * pool of as many, as the plugin's is. */
static void
small_engine(Rig *rig, uint32_t capacity)
{
	et_engine_free(&rig->engine);
	assert_true(
	    et_engine_init_capacity(&rig->engine, RATE, capacity, capacity));
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t)
		assert_int_equal(et_looper_capacity(et_recorders_loop(
				     rig->engine.recorders, t)),
				 capacity);
}

/* A free take longer than a small capacity ends there, full, and holds
 * the first frames played; a capacity of 0 or a bad rate is refused. */
static void
test_a_take_longer_than_the_capacity_ends_at_the_capacity(void **state)
{
	Rig           *rig      = (Rig *)*state;
	const uint32_t capacity = 1000; /* under four blocks */
	EtEngine       spare;
	assert_false(et_engine_init_capacity(&spare, RATE, 0, capacity));
	assert_false(et_engine_init_capacity(&spare, 0.5, capacity, capacity));
	assert_false(
	    et_engine_init_capacity(&spare, RATE, capacity, capacity - 1));
	assert_null(et_engine_new_recorders_capacity(RATE, 0, capacity));
	small_engine(rig, capacity);

	rig->value[ET_PORT_LOOP_ARM] = 1.0f;
	for (int b = 0; b < 8; ++b) { /* 2048 frames of input */
		empty_block(rig);
	}
	assert_true(et_engine_loop_state(&rig->engine) == ET_LOOP_PLAYING);
	assert_int_equal(et_looper_length(et_engine_active_loop(&rig->engine)),
			 capacity);
	assert_float_equal(et_engine_loop_length(&rig->engine),
			   (double)capacity / RATE, 1e-9);
	assert_true(loop_sample(rig, 0, 0) == 1.0f / 65536.0f);
}

/* A small engine's pool starts with a quarter of the capacity (one
 * chunk here) and grows, to the capacity, as the plugin's does: asked
 * for after a block (et_store_request), made and adopted before the next.
 * A take on track 2 that needs four chunks gets them all; without the
 * segments the same take ends where the first chunk does. */
static void
test_a_small_engines_pool_grows_to_its_capacity(void **state)
{
	Rig           *rig      = (Rig *)*state;
	const uint32_t capacity = 4 * ET_STORE_CHUNK_FRAMES;
	for (int worker = 1; worker >= 0; --worker) {
		small_engine(rig, capacity);
		EtLoopStore *store = et_recorders_store(rig->engine.recorders);
		assert_int_equal(et_store_chunk_count(store), 1);
		block_with_note(rig, 0, CONTROL_CH,
				ET_CONTROL_NOTE_TRACK_FIRST + 1);
		rig->value[ET_PORT_LOOP_ARM] = 1.0f;
		uint32_t asked               = 0;
		for (uint32_t b = 0; b < 2 * capacity / BLOCK; ++b) {
			empty_block(rig);
			const uint32_t chunks = et_store_request(store);
			asked += chunks;
			if (worker && chunks > 0) {
				assert_null(et_store_adopt(
				    store, et_store_segment_new(chunks)));
			}
		}
		rig->value[ET_PORT_LOOP_ARM] = 0.0f;
		empty_block(rig);
		assert_true(track_state(rig, 1) == ET_LOOP_PLAYING);
		const EtLooper *two =
		    et_recorders_loop(rig->engine.recorders, 1);
		if (worker) {
			assert_int_equal(et_looper_length(two), capacity);
			assert_int_equal(et_store_chunk_count(store), 4);
			assert_int_equal(asked, 3); /* a chunk at a time */
			assert_int_equal(
			    et_recorders_pool_full(rig->engine.recorders), 0);
		} else {
			assert_int_equal(et_looper_length(two),
					 ET_STORE_CHUNK_FRAMES);
			assert_int_equal(et_store_chunk_count(store), 1);
			assert_int_equal(asked, 1); /* never answered */
			assert_int_equal(
			    et_recorders_pool_full(rig->engine.recorders), 1);
		}
		assert_true(et_store_free_chunks(store) <=
			    et_store_chunk_count(store));
	}
}

/* One pass at a time (the one stereo input): a take on track 5, on the
 * beat of a rolling transport, is disarmed mid-beat and ends on the next
 * beat; an arm on track 1, whose loop is free (recorded with the transport
 * stopped), comes before that beat.  Its overdub would start at once, and
 * both loops would record the same input until the beat (fuzz_looper:
 * regressions/looper/free-overdub-while-a-take-waits-for-its-stop); it
 * waits, ARMED, and starts on the frame where the take ends. */
static void
test_a_free_overdub_waits_for_the_take_that_ends_on_the_beat(void **state)
{
	Rig *rig = (Rig *)*state;
	take(rig, 4); /* track 1: a free loop of 4 blocks */
	const int64_t  start1 = rig->frame - 4 * BLOCK - BLOCK;
	const uint32_t len1   = 4 * BLOCK;
	float          before[4 * BLOCK];
	for (uint32_t k = 0; k < len1; ++k)
		before[k] = loop_sample(rig, 0, k);

	/* 240 BPM from here: a beat every 12000 frames. */
	rig->value[ET_PORT_LOOP_QUANTIZE] = (float)ET_QUANTIZE_BEAT;
	const int64_t f0                  = rig->frame;
	EtPosition    pos = et_test_position(0, 1.0, 240.0, 4.0, 0, 0.0);
	begin(rig);
	et_engine_position(&rig->engine, 0, &pos);
	note(rig, 10, CONTROL_CH, ET_CONTROL_NOTE_TRACK_FIRST + 4);
	note(rig, 20, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM);
	end(rig);
	/* Track 5 records from frame 12000; disarmed at about 15000. */
	while (rig->frame - f0 < 15000) {
		empty_block(rig);
	}
	assert_true(track_state(rig, 4) == ET_LOOP_RECORDING);
	begin(rig);
	note(rig, 0, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM); /* disarm */
	note(rig, 10, CONTROL_CH, ET_CONTROL_NOTE_TRACK_FIRST);
	note(rig, 20, CONTROL_CH, ET_CONTROL_NOTE_LOOP_ARM); /* track 1 */
	end(rig);
	const int64_t beat = f0 + 24000; /* where the take ends */
	while (rig->frame <= beat) {
		/* Never both. */
		if (track_state(rig, 4) == ET_LOOP_RECORDING &&
		    track_state(rig, 0) == ET_LOOP_OVERDUBBING)
			fail_msg("frame %lld: loop 1 overdubs while loop 5 "
				 "still records",
				 (long long)(rig->frame - f0));
		if (track_state(rig, 4) == ET_LOOP_RECORDING)
			assert_true(track_state(rig, 0) == ET_LOOP_ARMED);
		empty_block(rig);
	}
	assert_true(track_state(rig, 4) == ET_LOOP_PLAYING);
	assert_int_equal(
	    et_looper_length(et_recorders_loop(rig->engine.recorders, 4)),
	    12000);
	assert_true(track_state(rig, 0) == ET_LOOP_OVERDUBBING);
	/* The pass ends 300 frames later: it wrote from the beat on. */
	const int64_t stop = beat + 300;
	begin(rig);
	note(rig, (uint32_t)(stop - rig->frame), CONTROL_CH,
	     ET_CONTROL_NOTE_LOOP_ARM);
	end(rig);
	assert_true(track_state(rig, 0) == ET_LOOP_PLAYING);
	for (int64_t f = beat - 10; f < stop + 10; ++f) {
		const uint32_t k       = (uint32_t)((f - start1) % len1);
		const bool     written = f >= beat && f < stop;
		if ((loop_sample(rig, 0, k) != before[k]) != written)
			fail_msg("frame %lld (loop 1 sample %u): %s",
				 (long long)(f - beat), k,
				 written ? "not overdubbed" : "overdubbed");
	}
}

/* Every control input's change is obeyed from the block it happens in,
 * wherever the host keeps the values: side by side in one array (the
 * scan compares runs of them whole), spread out (one by one), or both
 * (every third port elsewhere), whatever the port's place in the scan. */
static void
test_every_control_change_is_seen(void **state)
{
	Rig     *rig    = (Rig *)*state;
	float   *spread = calloc(ET_PORT_COUNT * 3u, sizeof(float));
	unsigned seen   = 0;
	assert_non_null(spread);
	for (int layout = 0; layout < 3; ++layout) {
		for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
			const bool apart =
			    layout == 1 || (layout == 2 && i % 3 == 0);
			spread[3 * i] = rig->value[i];
			rig->port[i] = apart ? &spread[3 * i] : &rig->value[i];
		}
		for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
			if (et_ports[i].kind != ET_PORT_KIND_CONTROL_IN)
				continue;
			float      *v   = (float *)rig->port[i];
			const float was = *v;
			const float to  = was != et_ports[i].maximum
					      ? et_ports[i].maximum
					      : et_ports[i].minimum;
			*v              = to;
			empty_block(rig);
			assert_true(et_engine_control(&rig->engine, i) ==
				    et_port_sanitize(i, to));
			*v = was;
			empty_block(rig);
			assert_true(et_engine_control(&rig->engine, i) ==
				    et_port_sanitize(i, was));
			++seen;
		}
	}
	assert_int_equal(seen, 3u * rig->engine.control_in_count);
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i)
		rig->port[i] = &rig->value[i];
	free(spread);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, rig_setup, rig_teardown)
	const struct CMUnitTest tests[] = {
		T(test_a_track_note_selects_at_its_frame_until_the_port_moves),
		T(test_arm_notes_record_from_frame_to_frame),
		T(test_a_clear_note_clears_with_the_port_held_on),
		T(test_the_mute_note_and_the_port_take_turns),
		T(test_a_restored_looper_takes_the_ports_as_baseline),
		T(test_late_events_are_moved_and_counted),
		T(test_clock_goes_out_before_a_note_on_its_frame),
		T(test_a_pedal_released_on_the_new_control_channel_is_released),
		T(test_two_tracks_loop_on_their_own_and_sum),
		T(test_an_arm_while_another_track_records_is_its_disarm),
		T(test_a_take_right_after_a_track_change_has_its_pre_roll),
		T(test_undo_and_redo_notes_and_port),
		T(test_a_take_longer_than_the_capacity_ends_at_the_capacity),
		T(test_a_small_engines_pool_grows_to_its_capacity),
		T(test_a_free_overdub_waits_for_the_take_that_ends_on_the_beat),
		T(test_every_control_change_is_seen),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* What the plugin tells its UI on notify, through the built bundle loaded
 * by lilv: the UI's request is answered with the whole waveform overview
 * of every loop, each naming its track, whose bins are exactly the peaks
 * of what was recorded, all eight in one block of the declared buffer
 * size; the playheads follow the loops, the meter the input; the note
 * lights follow the notes; a calibration is told when it starts and when
 * it ends (measured against a simulated synth, or refused); everything
 * fits the port, however small, and run() allocates nothing. */
#include "fake_synth.h"
#include "looper.h"
#include "lv2host.h"
#include "messages.h"
#include "overview.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>
#include <lv2/urid/urid.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RATE       48000.0
#define BLOCK      256u
#define TRACKS     8
#define MAX_CHUNKS 160
/* A whole overview of each loop per run() at most (notify.h). */
#define CHUNKS_PER_RUN (TRACKS * ET_OVERVIEW_BINS / ET_MSG_OVERVIEW_CHUNK)

typedef struct {
	uint32_t track; /* 1..8, as sent */
	uint32_t serial, length, bins, first, n;
	float    peaks[ET_MSG_OVERVIEW_CHUNK];
} Chunk;

/* A msg:Calibration, as sent. */
typedef struct {
	uint32_t track; /* 1..8 */
	uint32_t state, reason, answered;
	float    latency, spread; /* ms */
} Calibration;

/* What one run() sent on notify. */
typedef struct {
	unsigned    activities;
	uint32_t    sounding;
	unsigned    n_chunks;
	Chunk       chunk[MAX_CHUNKS];
	unsigned    playheads, meters; /* messages of each */
	float       position[TRACKS];  /* of the last Playheads */
	float       input[2];          /* of the last Meter */
	unsigned    calibrations;
	Calibration calibration;   /* the last */
	uint32_t    largest_event; /* bytes of the largest event body */
	uint32_t    bytes;         /* the sequence's, header included */
} Sent;

typedef struct {
	EthHost *host;
	LV2_URID object, atom_int, atom_long, atom_float, atom_vector, request,
	    activity, overview, sounding, serial, length, bin_count, first,
	    peaks, track, playheads, positions, meter, input;
	LV2_URID calibration, state, reason, latency, spread, answered;
	float   *fed; /* every input sample, left channel (right = -0.5 x) */
	uint64_t wall;
	uint64_t fed_cap;
	/* An open UI sends msg:Alive every second; the fixture, twice as
	 * often.  A test turns it off to play a host without the UI. */
	LV2_URID alive;
	bool     ui_open;
	uint64_t next_alive;
	float    gain; /* of synth() in what play_block() feeds */
} Fixture;

static void
fixture_init(Fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->host        = eth_new(RATE);
	f->object      = eth_map(f->host, LV2_ATOM__Object);
	f->atom_int    = eth_map(f->host, LV2_ATOM__Int);
	f->atom_long   = eth_map(f->host, LV2_ATOM__Long);
	f->atom_float  = eth_map(f->host, LV2_ATOM__Float);
	f->atom_vector = eth_map(f->host, LV2_ATOM__Vector);
	f->request     = eth_map(f->host, ET_MSG__Request);
	f->alive       = eth_map(f->host, ET_MSG__Alive);
	f->ui_open     = true;
	f->gain        = 1.0f;
	f->activity    = eth_map(f->host, ET_MSG__Activity);
	f->overview    = eth_map(f->host, ET_MSG__Overview);
	f->sounding    = eth_map(f->host, ET_MSG__sounding);
	f->serial      = eth_map(f->host, ET_MSG__serial);
	f->length      = eth_map(f->host, ET_MSG__length);
	f->bin_count   = eth_map(f->host, ET_MSG__binCount);
	f->first       = eth_map(f->host, ET_MSG__first);
	f->peaks       = eth_map(f->host, ET_MSG__peaks);
	f->track       = eth_map(f->host, ET_MSG__track);
	f->playheads   = eth_map(f->host, ET_MSG__Playheads);
	f->positions   = eth_map(f->host, ET_MSG__positions);
	f->meter       = eth_map(f->host, ET_MSG__Meter);
	f->input       = eth_map(f->host, ET_MSG__input);
	f->calibration = eth_map(f->host, ET_MSG__Calibration);
	f->state       = eth_map(f->host, ET_MSG__state);
	f->reason      = eth_map(f->host, ET_MSG__reason);
	f->latency     = eth_map(f->host, ET_MSG__latency);
	f->spread      = eth_map(f->host, ET_MSG__spread);
	f->answered    = eth_map(f->host, ET_MSG__answered);
	f->fed_cap     = 10 * (uint64_t)RATE;
	f->fed         = (float *)calloc(f->fed_cap, sizeof(float));
}

static void
fixture_free(Fixture *f)
{
	assert_int_equal(eth_allocations_in_run(f->host), 0);
	eth_free(f->host);
	free(f->fed);
}

static uint32_t
get_uint(const Fixture *f, const LV2_Atom *a)
{
	assert_non_null(a);
	if (a->type == f->atom_int) {
		int32_t v;
		memcpy(&v, a + 1, sizeof(v));
		return (uint32_t)v;
	}
	assert_int_equal(a->type, f->atom_long);
	int64_t v;
	memcpy(&v, a + 1, sizeof(v));
	return (uint32_t)v;
}

static float
get_float(const Fixture *f, const LV2_Atom *a)
{
	assert_non_null(a);
	assert_int_equal(a->type, f->atom_float);
	assert_int_equal(a->size, sizeof(float));
	float v;
	memcpy(&v, a + 1, sizeof(v));
	return v;
}

static void
decode_calibration(const Fixture *f, const LV2_Atom_Object *obj,
		   Calibration *c)
{
	const LV2_Atom *track = NULL, *st = NULL, *reason = NULL,
		       *latency = NULL, *spread = NULL, *answered = NULL;
	lv2_atom_object_get(obj, f->track, &track, f->state, &st, f->reason,
			    &reason, f->latency, &latency, f->spread, &spread,
			    f->answered, &answered, 0);
	c->track    = get_uint(f, track);
	c->state    = get_uint(f, st);
	c->reason   = get_uint(f, reason);
	c->latency  = get_float(f, latency);
	c->spread   = get_float(f, spread);
	c->answered = get_uint(f, answered);
	assert_true(c->track >= 1 && c->track <= TRACKS);
	assert_true(c->state <= ET_MSG_CALIBRATION_REFUSED);
}

/* The floats of a Vector<Float> property: exactly n of them. */
static void
get_floats(const Fixture *f, const LV2_Atom *a, float *out, uint32_t n)
{
	assert_non_null(a);
	assert_int_equal(a->type, f->atom_vector);
	const LV2_Atom_Vector *vec = (const LV2_Atom_Vector *)a;
	assert_int_equal(vec->body.child_type, f->atom_float);
	assert_int_equal(vec->body.child_size, sizeof(float));
	assert_int_equal(vec->atom.size - sizeof(vec->body),
			 n * sizeof(float));
	memcpy(out, vec + 1, n * sizeof(float));
}

static void
decode(const Fixture *f, Sent *sent)
{
	memset(sent, 0, sizeof(*sent));
	const LV2_Atom_Sequence *seq =
	    (const LV2_Atom_Sequence *)eth_audio(f->host, "notify");
	sent->bytes = (uint32_t)sizeof(LV2_Atom) + seq->atom.size;
	LV2_ATOM_SEQUENCE_FOREACH(seq, ev)
	{
		assert_int_equal(ev->body.type, f->object);
		if (ev->body.size > sent->largest_event) {
			sent->largest_event = ev->body.size;
		}
		const LV2_Atom_Object *obj =
		    (const LV2_Atom_Object *)&ev->body;
		if (obj->body.otype == f->activity) {
			const LV2_Atom *s = NULL;
			lv2_atom_object_get(obj, f->sounding, &s, 0);
			++sent->activities;
			sent->sounding = get_uint(f, s);
			continue;
		}
		if (obj->body.otype == f->playheads) {
			const LV2_Atom *p = NULL;
			lv2_atom_object_get(obj, f->positions, &p, 0);
			get_floats(f, p, sent->position, TRACKS);
			++sent->playheads;
			continue;
		}
		if (obj->body.otype == f->meter) {
			const LV2_Atom *in = NULL;
			lv2_atom_object_get(obj, f->input, &in, 0);
			get_floats(f, in, sent->input, 2);
			++sent->meters;
			continue;
		}
		if (obj->body.otype == f->calibration) {
			decode_calibration(f, obj, &sent->calibration);
			++sent->calibrations;
			continue;
		}
		assert_int_equal(obj->body.otype, f->overview);
		assert_true(sent->n_chunks < MAX_CHUNKS);
		const LV2_Atom *serial = NULL, *length = NULL, *bins = NULL,
			       *first = NULL, *peaks = NULL, *track = NULL;
		lv2_atom_object_get(obj, f->serial, &serial, f->length,
				    &length, f->bin_count, &bins, f->first,
				    &first, f->peaks, &peaks, f->track, &track,
				    0);
		Chunk *c = &sent->chunk[sent->n_chunks++];
		c->track = get_uint(f, track);
		assert_true(c->track >= 1 && c->track <= TRACKS);
		c->serial = get_uint(f, serial);
		c->length = get_uint(f, length);
		c->bins   = get_uint(f, bins);
		c->first  = get_uint(f, first);
		assert_non_null(peaks);
		assert_int_equal(peaks->type, f->atom_vector);
		const LV2_Atom_Vector *vec = (const LV2_Atom_Vector *)peaks;
		assert_int_equal(vec->body.child_type, f->atom_float);
		assert_int_equal(vec->body.child_size, sizeof(float));
		c->n = (vec->atom.size - (uint32_t)sizeof(vec->body)) /
		       sizeof(float);
		assert_true(c->n <= ET_MSG_OVERVIEW_CHUNK);
		memcpy(c->peaks, vec + 1, c->n * sizeof(float));
	}
}

/* A 440 Hz sine that swells from 0.1 to 0.9 over each second. */
static float
synth(uint64_t frame)
{
	const double t   = (double)frame / RATE;
	const double env = 0.1 + 0.8 * fmod(t, 1.0);
	return (float)(env * sin(2.0 * M_PI * 440.0 * t));
}

/* What an open UI's idle() sends: msg:Alive, every half second here. */
static void
ui_alive(Fixture *f)
{
	if (f->ui_open && f->wall >= f->next_alive) {
		const LV2_Atom_Object_Body body = { 0, f->alive };
		eth_atom(f->host, 0, f->object, &body, sizeof(body));
		f->next_alive = f->wall + (uint64_t)(RATE / 2);
	}
}

/* A block of `frames` frames of synth(), or of `dc` if it is >= 0. */
static void
play_block(Fixture *f, uint32_t frames, float dc, Sent *sent)
{
	float *l = eth_audio(f->host, "in_l");
	float *r = eth_audio(f->host, "in_r");
	for (uint32_t i = 0; i < frames; ++i) {
		const float v = dc >= 0.0f ? dc : f->gain * synth(f->wall + i);
		l[i]          = v;
		r[i]          = -0.5f * v;
		if (f->wall + i < f->fed_cap) {
			f->fed[f->wall + i] = v;
		}
	}
	ui_alive(f);
	eth_run(f->host, frames);
	f->wall += frames;
	decode(f, sent);
}

static void
play(Fixture *f, Sent *sent)
{
	play_block(f, BLOCK, -1.0f, sent);
}

static void
send_request(Fixture *f)
{
	const LV2_Atom_Object_Body body = { 0, f->request };
	eth_atom(f->host, 0, f->object, &body, sizeof(body));
}

/* Records `blocks` blocks with quantize off (no transport): the loop is
 * exactly the input from the arm block to the disarm block.  Returns the
 * wall frame of its first sample. */
static uint64_t
record(Fixture *f, unsigned blocks)
{
	Sent sent;
	eth_set(f->host, "loop_quantize", 0);
	eth_set(f->host, "loop_arm", 1);
	const uint64_t start = f->wall;
	for (unsigned b = 0; b < blocks; ++b) {
		play(f, &sent);
		assert_int_equal(eth_get(f->host, "loop_state"), 2);
	}
	eth_set(f->host, "loop_arm", 0);
	play(f, &sent);
	assert_int_equal(eth_get(f->host, "loop_state"), 3);
	return start;
}

/* The loop the plugin holds after a take of the left input fed from wall
 * frame `start`: the input, its end cross-faded into the frames fed just
 * before `start` (the seam, looper.h). */
static void
take_of(const Fixture *f, uint64_t start, uint32_t length, float *loop)
{
	memcpy(loop, f->fed + start, length * sizeof(float));
	const uint32_t ramp = et_looper_ramp_frames(RATE);
	const uint32_t r    = ramp < length / 4 ? ramp : length / 4;
	for (uint32_t i = 0; i < r; ++i) {
		const int64_t before =
		    (int64_t)start - (int64_t)r + (int64_t)i;
		const float pre = before >= 0 ? f->fed[before] : 0.0f;
		const float w   = et_looper_seam_weight(i, r);
		float      *a   = &loop[length - r + i];
		*a              = *a * (1.0f - w) + pre * w;
	}
}

/* The peak of bin b of `loop` (left channel; right is half of it). */
static float
peak_of(const float *loop, uint32_t length, uint32_t b)
{
	const uint32_t from =
	    (uint32_t)((uint64_t)b * length / ET_OVERVIEW_BINS);
	const uint32_t to =
	    (uint32_t)((uint64_t)(b + 1) * length / ET_OVERVIEW_BINS);
	float peak = 0.0f;
	for (uint32_t i = from; i < to; ++i) {
		peak = fmaxf(peak, fabsf(loop[i]));
	}
	return peak;
}

/* The peak of bin b of the loop that starts at `start`, the slow way. */
static float
reference_peak(const Fixture *f, uint64_t start, uint32_t length, uint32_t b)
{
	float *loop = (float *)malloc(length * sizeof(float));
	assert_non_null(loop);
	take_of(f, start, length, loop);
	const float peak = peak_of(loop, length, b);
	free(loop);
	return peak;
}

/* Runs blocks until one whole overview of track 1's loop, `length` frames,
 * arrived from its bin 0, in order; returns the number of blocks it took. */
static unsigned
collect_overview(Fixture *f, uint32_t length, float *bins, unsigned max_blocks,
		 uint32_t *largest)
{
	uint32_t next = 0, serial = 0;
	bool     started = false;
	for (unsigned block = 1; block <= max_blocks; ++block) {
		Sent sent;
		play(f, &sent);
		assert_true(sent.n_chunks <= CHUNKS_PER_RUN);
		if (sent.largest_event > *largest) {
			*largest = sent.largest_event;
		}
		for (unsigned c = 0; c < sent.n_chunks; ++c) {
			const Chunk *ch = &sent.chunk[c];
			if (ch->track != 1 || ch->length != length) {
				continue;
			}
			if (ch->first == 0) {
				started = true;
				serial  = ch->serial;
				next    = 0;
			}
			if (!started || ch->serial != serial) {
				continue;
			}
			assert_int_equal(ch->bins, ET_OVERVIEW_BINS);
			assert_int_equal(ch->first, next);
			memcpy(bins + next, ch->peaks, ch->n * sizeof(float));
			next += ch->n;
			if (next == ET_OVERVIEW_BINS) {
				return block;
			}
		}
	}
	fail_msg("no whole overview of %u frames within %u blocks", length,
		 max_blocks);
	return 0;
}

/* A musician records two seconds of a swelling sine; the UI opens and
 * asks: the overview it gets holds, bin for bin, the loop's peaks. */
static void
request_gets_the_recorded_peaks(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	Sent           sent;
	const unsigned blocks = 375; /* 96000 frames: 2 s */
	const uint64_t start  = record(&f, blocks);
	const uint32_t length = blocks * BLOCK;
	assert_int_equal(lrintf(eth_get(f.host, "loop_length") * (float)RATE),
			 length);

	/* The overview goes out on its own once the take ends ... */
	float          bins[ET_OVERVIEW_BINS];
	uint32_t       largest = 0;
	const unsigned first_blocks =
	    collect_overview(&f, length, bins, 60, &largest);
	/* 96000 frames at 16 x 256 a block, then the 512 bins at once (the
	 * port holds 64 KB). */
	assert_true(first_blocks <= 24 + 1);
	for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
		assert_true(bins[b] == reference_peak(&f, start, length, b));
	}

	/* ... and again, whole, after a request (a UI opened later). */
	for (int i = 0; i < 20; ++i) {
		play(&f, &sent);
		assert_int_equal(sent.n_chunks, 0); /* nothing new to say */
	}
	send_request(&f);
	memset(bins, 0, sizeof(bins));
	assert_true(collect_overview(&f, length, bins, 1, &largest) == 1);
	for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
		assert_true(bins[b] == reference_peak(&f, start, length, b));
	}
	assert_true(bins[ET_OVERVIEW_BINS - 1] > 0.85f); /* the swell's top */
	assert_true(bins[0] < 0.15f);
	assert_true(largest <= 512); /* a chunk is a few hundred bytes */
	fixture_free(&f);
}

/* A host without the UI open (no Request, no Alive) gets no overview and
 * the plugin scans nothing; once a UI opens and asks, it gets a fresh
 * overview of the loop as it is then (here: two takes later). */
static void
no_ui_no_overview_then_a_fresh_one(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	f.ui_open = false;
	Sent           sent;
	const unsigned blocks = 375; /* 2 s */
	record(&f, blocks);          /* a first take ... */
	eth_set(f.host, "loop_clear", 1);
	play(&f, &sent);
	eth_set(f.host, "loop_clear", 0);
	const uint64_t start =
	    record(&f, blocks); /* ... replaced by a second */
	const uint32_t length = blocks * BLOCK;
	for (int i = 0; i < 400; ++i) {
		play(&f, &sent);
		assert_int_equal(sent.n_chunks, 0);
		assert_int_equal(sent.playheads + sent.meters, 0);
	}

	/* The UI opens. */
	f.ui_open = true;
	send_request(&f);
	float    bins[ET_OVERVIEW_BINS];
	uint32_t largest = 0;
	/* 96000 frames at 16 x 256 a block: the scan, then all 512 bins. */
	assert_true(collect_overview(&f, length, bins, 30, &largest) <= 25);
	for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
		assert_true(bins[b] == reference_peak(&f, start, length, b));
	}

	/* It closes: after ET_MSG_LISTEN_SECONDS nothing more goes out, even
	 * while an overdub changes the loop. */
	f.ui_open = false;
	eth_set(f.host, "loop_arm", 1);
	unsigned late_chunks = 0;
	for (unsigned i = 0; i < 3 * blocks; ++i) {
		play(&f, &sent);
		if (f.wall >
		    f.next_alive + (uint64_t)(ET_MSG_LISTEN_SECONDS * RATE)) {
			late_chunks += sent.n_chunks;
		}
	}
	assert_int_equal(eth_get(f.host, "loop_state"), 4);
	assert_int_equal(late_chunks, 0);
	fixture_free(&f);
}

/* With a notify buffer of 200 bytes, the overview still arrives, in
 * smaller chunks, and nothing is written past the buffer (lv2host checks
 * a sentinel). */
static void
small_notify_buffer(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	eth_set_port_capacity(f.host, "notify", 200);
	const uint64_t start  = record(&f, 100);
	const uint32_t length = 100 * BLOCK;
	float          bins[ET_OVERVIEW_BINS];
	uint32_t       largest = 0;
	collect_overview(&f, length, bins, 600, &largest);
	assert_true(largest <=
		    200 - sizeof(LV2_Atom_Sequence) - sizeof(LV2_Atom_Event));
	for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
		assert_true(bins[b] == reference_peak(&f, start, length, b));
	}
	fixture_free(&f);
}

/* An overdub layers the sine onto part of the loop: once it ends, an
 * overview with the layered peaks follows within a few blocks, and then
 * nothing more is sent. */
static void
overdub_shows_its_layer(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	Sent           sent;
	const uint32_t length = 100 * BLOCK;
	const uint64_t start  = record(&f, 100);
	for (int i = 0; i < 20; ++i) {
		play(&f, &sent);
	}

	/* Overdub (on by default) for 60 blocks: free loop, quantize off, so
	 * wall frame w lands on loop frame (w - start) mod length. */
	float *loop = (float *)malloc(length * sizeof(float));
	take_of(&f, start, length, loop);
	eth_set(f.host, "loop_arm", 1);
	const uint64_t from = f.wall;
	for (int i = 0; i < 60; ++i) {
		play(&f, &sent);
		assert_int_equal(eth_get(f.host, "loop_state"), 4);
	}
	eth_set(f.host, "loop_arm", 0);
	const uint64_t to = f.wall;
	for (uint64_t w = from; w < to; ++w) {
		const uint32_t k = (uint32_t)((w - start) % length);
		loop[k]          = loop[k] + f.fed[w];
	}

	bool     seen = false;
	uint32_t next = 0, serial = 0;
	float    bins[ET_OVERVIEW_BINS];
	unsigned block;
	for (block = 1; block <= 60 && !seen; ++block) {
		play(&f, &sent);
		for (unsigned c = 0; c < sent.n_chunks; ++c) {
			const Chunk *ch = &sent.chunk[c];
			if (ch->track != 1) {
				continue;
			}
			if (ch->first == 0) {
				serial = ch->serial;
				next   = 0;
			}
			if (ch->serial != serial || ch->first != next) {
				continue;
			}
			memcpy(bins + next, ch->peaks, ch->n * sizeof(float));
			next += ch->n;
			if (next < ET_OVERVIEW_BINS) {
				continue;
			}
			seen = true;
			for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
				seen = seen &&
				       bins[b] == peak_of(loop, length, b);
			}
		}
	}
	if (!seen) {
		fail_msg(
		    "no overview with the overdub's layer within 60 blocks");
	}
	/* Two passes of 25600 frames at 4096 a block at most, then the 8
	 * chunks at once. */
	assert_true(block <= 2 * 7 + 1 + 1);
	for (int i = 0; i < 20; ++i) {
		play(&f, &sent);
		assert_int_equal(sent.n_chunks, 0);
	}
	free(loop);
	fixture_free(&f);
}

/* An overdub at large blocks: the scan goes round a 2 s loop in 6 (4096)
 * or 3 (8192) blocks, faster than 8 blocks of one chunk each could send
 * an overview.  Whole overviews still reach the UI, a couple a second, and
 * each holds the peaks the loop had while it was scanned.  The overdub
 * adds a DC of 0.01 to the swelling sine of the take, so that each bin's
 * peak only grows: an overview scanned between blocks j0 and j1 has, bin
 * for bin, a peak between those after block j0 and after block j1. */
static void
overdub_at_large_blocks(uint32_t block, uint32_t capacity, unsigned least)
{
	Fixture f;
	fixture_init(&f);
	Sent sent;
	if (capacity) {
		eth_set_port_capacity(f.host, "notify", capacity);
	}
	const unsigned take   = (unsigned)(2.0 * RATE / block);
	const uint32_t length = take * block;
	eth_set(f.host, "loop_quantize", 0);
	eth_set(f.host, "loop_arm", 1);
	const uint64_t start = f.wall;
	for (unsigned b = 0; b < take; ++b) {
		play_block(&f, block, -1.0f, &sent);
	}
	eth_set(f.host, "loop_arm", 0);
	play_block(&f, block, -1.0f, &sent);
	assert_int_equal(eth_get(f.host, "loop_state"), 3);
	for (int i = 0; i < 40; ++i) {
		play_block(&f, block, -1.0f, &sent);
	}

	/* The loop as the plugin holds it, and each bin's peak after each
	 * block of the overdub (peak[0]: before it). */
	const unsigned blocks = (unsigned)(20.0 * RATE / block);
	float         *loop   = (float *)malloc(length * sizeof(float));
	float *peak = (float *)malloc((size_t)(blocks + 1) * ET_OVERVIEW_BINS *
				      sizeof(float));
	take_of(&f, start, length, loop);
	for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
		peak[b] = peak_of(loop, length, b);
	}
	/* Blocks of the overdub a scan pass spans at most, plus one for a
	 * bin cut between two blocks.  With a small port, the overview that
	 * goes out when the last is sent may be a pass old, and then takes
	 * some 64 blocks to send (8 bins a block). */
	const unsigned scan = (length + 4 * block - 1) / (4 * block) + 1;
	const unsigned pass = capacity ? 2 * scan + 70 : scan;

	eth_set(f.host, "loop_arm", 1);
	uint32_t next = 0, serial = 0;
	float    got[ET_OVERVIEW_BINS];
	unsigned wholes = 0, fresh = 0;
	bool     started = false;
	for (unsigned j = 1; j <= blocks; ++j) {
		const uint64_t from = f.wall;
		play_block(&f, block, 0.01f, &sent);
		assert_int_equal(eth_get(f.host, "loop_state"), 4);
		for (uint64_t w = from; w < f.wall; ++w) {
			const uint32_t k = (uint32_t)((w - start) % length);
			loop[k]          = loop[k] + 0.01f;
		}
		float *now = peak + (size_t)j * ET_OVERVIEW_BINS;
		for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
			now[b] = peak_of(loop, length, b);
		}
		/* The chunks, put together as the UI does. */
		for (unsigned c = 0; c < sent.n_chunks; ++c) {
			const Chunk *ch = &sent.chunk[c];
			if (ch->track != 1) {
				continue;
			}
			if (ch->first == 0) {
				started = true;
				serial  = ch->serial;
				next    = 0;
			}
			if (!started || ch->serial != serial ||
			    ch->first != next) {
				continue;
			}
			assert_int_equal(ch->length, length);
			memcpy(got + next, ch->peaks, ch->n * sizeof(float));
			next += ch->n;
			if (next < ET_OVERVIEW_BINS) {
				continue;
			}
			++wholes;
			started = false;
			/* Each bin as the loop was at some block of the last
			 * pass: between the least and the most it was then (a
			 * peak at a negative sample shrinks as the 0.01 layers
			 * on). */
			const unsigned since = j > pass ? j - pass : 0;
			unsigned       grown = 0;
			for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
				float lo = now[b], hi = now[b];
				for (unsigned i = since; i < j; ++i) {
					lo = fminf(
					    lo,
					    peak[(size_t)i * ET_OVERVIEW_BINS +
						 b]);
					hi = fmaxf(
					    hi,
					    peak[(size_t)i * ET_OVERVIEW_BINS +
						 b]);
				}
				if (!(got[b] >= lo && got[b] <= hi)) {
					fail_msg(
					    "block %u: overview %u, bin %u: %g, not between "
					    "%g and %g (blocks %u to %u)",
					    block, serial, b, (double)got[b],
					    (double)lo, (double)hi, since, j);
				}
				grown += got[b] > peak[b];
			}
			fresh += grown > 0;
		}
	}
	eth_set(f.host, "loop_arm", 0);
	/* 20 s at a pass each quarter of the loop: about 40 overviews. */
	if (wholes < least || fresh < least) {
		fail_msg(
		    "block %u: %u whole overviews during 20 s of overdub, %u "
		    "showing layers",
		    block, wholes, fresh);
	}
	free(peak);
	free(loop);
	fixture_free(&f);
}

static void
overdub_at_4096_frame_blocks(void **state)
{
	(void)state;
	overdub_at_large_blocks(4096, 0, 20);
}

static void
overdub_at_8192_frame_blocks(void **state)
{
	(void)state;
	overdub_at_large_blocks(8192, 0, 20);
}

/* With a notify port of 320 bytes, where the playheads (due every block
 * at 4096 frames) and the meter leave no room for a chunk, chunks and
 * those take turns: an overview takes some 30 blocks to send (34 bins
 * every other block), 4 passes of the scan: it is still sent whole, then
 * the newest. */
static void
overdub_at_4096_frame_blocks_small_port(void **state)
{
	(void)state;
	overdub_at_large_blocks(4096, 320, 5);
}

/* Takes of 40, 50, ... 110 blocks on tracks 1 to 8, each louder than the
 * last (so no two loops look alike); the wall frame of each first sample
 * into start[], the lengths into length[]. */
static void
record_eight(Fixture *f, uint64_t *start, uint32_t *length, unsigned base)
{
	for (unsigned t = 0; t < TRACKS; ++t) {
		eth_set(f->host, "active_track", (float)(t + 1));
		f->gain               = 0.1f * (float)(t + 1);
		const unsigned blocks = base + 10 * t;
		start[t]              = record(f, blocks);
		length[t]             = blocks * BLOCK;
		char symbol[32];
		snprintf(symbol, sizeof(symbol), "track%u_loop_state", t + 1);
		assert_int_equal(eth_get(f->host, symbol), 3);
	}
	f->gain = 1.0f;
}

/* What the UI puts together from the chunks of one loop. */
typedef struct {
	float    bins[ET_OVERVIEW_BINS];
	uint32_t serial, next, length;
	bool     started;
	unsigned wholes; /* overviews completed */
} Collect;

static void
collect_chunk(Collect *c, const Chunk *ch)
{
	if (ch->first == 0) {
		c->started = true;
		c->serial  = ch->serial;
		c->next    = 0;
		c->length  = ch->length;
	}
	if (!c->started || ch->serial != c->serial || ch->first != c->next) {
		return;
	}
	assert_int_equal(ch->length, c->length);
	memcpy(c->bins + c->next, ch->peaks, ch->n * sizeof(float));
	c->next += ch->n;
	if (ch->bins == 0 || c->next == ET_OVERVIEW_BINS) {
		++c->wholes;
		c->started = false;
	}
}

/* A musician has a loop on every track; the UI opens (asks) and gets the
 * eight whole overviews, each under its own track, in the one block that
 * follows, in a notify buffer of the declared size (messages.h), with the
 * note lights and the playheads of all eight. */
static void
a_full_round_of_eight_overviews_fits_the_declared_size(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	eth_set_port_capacity(f.host, "notify", ET_MSG_NOTIFY_MIN_SIZE);
	uint64_t start[TRACKS];
	uint32_t length[TRACKS];
	record_eight(&f, start, length, 40);
	Sent sent;
	for (int i = 0; i < 200; ++i) {
		play(&f, &sent); /* every scan done and sent */
	}
	play(&f, &sent);
	assert_int_equal(sent.n_chunks, 0);

	send_request(&f);
	play(&f, &sent);
	Collect got[TRACKS];
	memset(got, 0, sizeof(got));
	for (unsigned c = 0; c < sent.n_chunks; ++c) {
		collect_chunk(&got[sent.chunk[c].track - 1], &sent.chunk[c]);
	}
	for (unsigned t = 0; t < TRACKS; ++t) {
		if (got[t].wholes != 1) {
			fail_msg(
			    "track %u: %u whole overviews in the block after "
			    "the request, want 1",
			    t + 1, got[t].wholes);
		}
		assert_int_equal(got[t].length, length[t]);
		for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
			assert_true(
			    got[t].bins[b] ==
			    reference_peak(&f, start[t], length[t], b));
		}
	}
	assert_int_equal(sent.n_chunks, CHUNKS_PER_RUN);
	assert_int_equal(sent.activities, 1);
	assert_int_equal(sent.playheads, 1);
	for (unsigned t = 0; t < TRACKS; ++t) {
		assert_true(sent.position[t] >= 0.0f &&
			    sent.position[t] < 1.0f);
	}
	/* The round as sent, and with the Meter if this block had none: the
	 * sequence's header, 64 chunks of 424 bytes, the Activity (48), the
	 * Playheads (80), the Meter (56) and the Calibration (168). */
	assert_int_equal(sent.calibrations, 1);
	const uint32_t round = sent.bytes + (sent.meters ? 0u : 56u);
	assert_int_equal(round, 16 + 64 * 424 + 48 + 80 + 56 + 168);
	assert_true(round <= ET_MSG_NOTIFY_MIN_SIZE);
	print_message("a full round: %u bytes of the declared %u\n", round,
		      ET_MSG_NOTIFY_MIN_SIZE);
	fixture_free(&f);
}

/* The same eight loops with a notify buffer of 200 bytes: a chunk of 4
 * bins at most, one message a block.  Nothing is written past it (lv2host
 * checks a sentinel), and every loop's overview arrives whole and right;
 * meanwhile the playheads and the meter still go out. */
static void
eight_overviews_through_a_small_buffer(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	eth_set_port_capacity(f.host, "notify", 200);
	uint64_t start[TRACKS];
	uint32_t length[TRACKS];
	record_eight(&f, start, length, 20);
	Sent sent;
	send_request(&f);
	Collect got[TRACKS];
	memset(got, 0, sizeof(got));
	unsigned playheads = 0, meters = 0, block, done = 0;
	for (block = 1; block <= 4000 && done < TRACKS; ++block) {
		play(&f, &sent);
		assert_true(sent.bytes <= 200);
		assert_true(sent.n_chunks <= 1);
		playheads += sent.playheads;
		meters += sent.meters;
		if (sent.n_chunks == 1) {
			const Chunk *ch = &sent.chunk[0];
			assert_true(ch->n <= 4);
			Collect *c = &got[ch->track - 1];
			if (c->wholes == 0 ||
			    ch->length == length[ch->track - 1]) {
				collect_chunk(c, ch);
			}
		}
		done = 0;
		for (unsigned t = 0; t < TRACKS; ++t) {
			done +=
			    got[t].wholes > 0 && got[t].length == length[t];
		}
	}
	if (done < TRACKS) {
		fail_msg("%u of 8 whole overviews after %u blocks", done,
			 block);
	}
	for (unsigned t = 0; t < TRACKS; ++t) {
		for (uint32_t b = 0; b < ET_OVERVIEW_BINS; ++b) {
			assert_true(
			    got[t].bins[b] ==
			    reference_peak(&f, start[t], length[t], b));
		}
	}
	/* 0.04 s and 0.1 s apart at least, and not starved. */
	const double seconds = block * (double)BLOCK / RATE;
	assert_true(playheads >= seconds / ET_MSG_PLAYHEAD_SECONDS / 3);
	assert_true(meters >= seconds / ET_MSG_METER_SECONDS / 3);
	print_message("eight overviews through 200 bytes: %u blocks, %u "
		      "playheads, %u meters\n",
		      block, playheads, meters);
	fixture_free(&f);
}

/* Runs one block of `frames` with the left input at `left` everywhere but
 * at frame `at`, where it is `spike`; the right input is -left/2. */
static void
play_with(Fixture *f, float left, uint32_t at, float spike, Sent *sent)
{
	float *l = eth_audio(f->host, "in_l");
	float *r = eth_audio(f->host, "in_r");
	for (uint32_t i = 0; i < BLOCK; ++i) {
		l[i] = i == at ? spike : left;
		r[i] = -0.5f * left;
	}
	ui_alive(f);
	eth_run(f->host, BLOCK);
	f->wall += BLOCK;
	decode(f, sent);
}

/* The input meter: while the UI is open, every 0.1 s, the peak of each
 * input since the last Meter, so a one-sample spike is never missed; a
 * NaN is skipped, an infinity reads as 16 (+24 dBFS); without the UI,
 * nothing. */
static void
the_meter_shows_the_input_peaks(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	Sent           sent;
	const uint64_t period = (uint64_t)(ET_MSG_METER_SECONDS * RATE);
	uint64_t       last   = 0;
	unsigned       meters = 0;
	for (int i = 0; i < 400; ++i) {
		play_with(&f, 0.25f, BLOCK, 0.0f, &sent);
		if (sent.meters) {
			assert_int_equal(sent.meters, 1);
			if (meters > 0) {
				/* Every 0.1 s, to the block. */
				assert_true(f.wall - last >= period);
				assert_true(f.wall - last < period + BLOCK);
			}
			last = f.wall;
			++meters;
			if (meters > 1) {
				assert_true(sent.input[0] == 0.25f);
				assert_true(sent.input[1] == 0.125f);
			}
		}
	}
	assert_true(meters >= 20 && meters <= 22); /* 2.1 s */

	/* A spike in a block between two Meters, then NaN, then +Inf. */
	const float spikes[3] = { -0.9f, NAN, INFINITY };
	const float shown[3]  = { 0.9f, 0.25f, 16.0f };
	for (unsigned k = 0; k < 3; ++k) {
		do {
			play_with(&f, 0.25f, BLOCK, 0.0f, &sent);
		} while (!sent.meters);
		play_with(&f, 0.25f, 17, spikes[k], &sent);
		assert_int_equal(sent.meters, 0);
		do {
			play_with(&f, 0.25f, BLOCK, 0.0f, &sent);
		} while (!sent.meters);
		assert_true(sent.input[0] == shown[k]);
		assert_true(sent.input[1] == 0.125f);
		do {
			play_with(&f, 0.25f, BLOCK, 0.0f, &sent);
		} while (!sent.meters);
		assert_true(sent.input[0] == 0.25f);
	}

	/* The UI closes: no Meter after the listening window. */
	f.ui_open             = false;
	const uint64_t closed = f.next_alive;
	for (int i = 0; i < 1000; ++i) {
		play_with(&f, 0.25f, BLOCK, 0.0f, &sent);
		if (f.wall >
		    closed + (uint64_t)(ET_MSG_LISTEN_SECONDS * RATE)) {
			assert_int_equal(sent.meters + sent.playheads, 0);
		}
	}
	fixture_free(&f);
}

/* Loops on tracks 1 and 3, playing free: the playheads go out at most
 * every 0.04 s while they move, the two loops' phases advancing by what
 * was played, the six others -1; the active track's equals loop_position;
 * a clear makes its loop's -1; when nothing moves, nothing is sent. */
static void
playheads_follow_the_loops(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	Sent sent;
	eth_set(f.host, "active_track", 3);
	record(&f, 60);
	eth_set(f.host, "active_track", 1);
	record(&f, 100);
	const uint32_t len1 = 100 * BLOCK, len3 = 60 * BLOCK;
	const uint64_t period = (uint64_t)(ET_MSG_PLAYHEAD_SECONDS * RATE);
	uint64_t       last   = 0;
	float          p1 = -1.0f, p3 = -1.0f;
	unsigned       count = 0;
	for (int i = 0; i < 400; ++i) {
		play(&f, &sent);
		if (!sent.playheads) {
			continue;
		}
		assert_int_equal(sent.playheads, 1);
		for (unsigned t = 0; t < TRACKS; ++t) {
			if (t != 0 && t != 2) {
				assert_true(sent.position[t] == -1.0f);
			}
		}
		assert_true(sent.position[0] ==
			    eth_get(f.host, "loop_position"));
		if (count > 0) {
			const uint64_t frames = f.wall - last;
			assert_true(frames >= period &&
				    frames < period + BLOCK);
			/* Each phase moved on by the frames played. */
			const double d1 =
			    fmod(sent.position[0] - p1 + 1.0, 1.0);
			const double d3 =
			    fmod(sent.position[2] - p3 + 1.0, 1.0);
			assert_true(fabs(d1 * len1 - (double)frames) < 2.0);
			assert_true(fabs(d3 * len3 - (double)frames) < 2.0);
		}
		p1   = sent.position[0];
		p3   = sent.position[2];
		last = f.wall;
		++count;
	}
	assert_true(count >= 40);

	/* Clear track 3's loop: its playhead goes. */
	eth_set(f.host, "active_track", 3);
	eth_set(f.host, "loop_clear", 1);
	bool gone = false;
	for (int i = 0; i < 20 && !gone; ++i) {
		play(&f, &sent);
		gone = sent.playheads && sent.position[2] == -1.0f &&
		       sent.position[0] >= 0.0f;
	}
	assert_true(gone);
	eth_set(f.host, "loop_clear", 0);
	play(&f, &sent);

	/* Track 1's cleared too: nothing moves, nothing more is sent. */
	eth_set(f.host, "active_track", 1);
	eth_set(f.host, "loop_clear", 1);
	play(&f, &sent);
	eth_set(f.host, "loop_clear", 0);
	unsigned after = 0;
	for (int i = 0; i < 100; ++i) {
		play(&f, &sent);
		if (sent.playheads) {
			for (unsigned t = 0; t < TRACKS; ++t) {
				assert_true(sent.position[t] == -1.0f);
			}
			++after;
		}
	}
	assert_true(after <= 1);
	fixture_free(&f);
}

/* Clear: the UI hears at once that there is no loop. */
static void
clear_sends_an_empty_overview(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	record(&f, 50);
	Sent sent;
	for (int i = 0; i < 20; ++i) {
		play(&f, &sent);
	}
	eth_set(f.host, "loop_clear", 1);
	play(&f, &sent);
	assert_int_equal(sent.n_chunks, 1);
	assert_int_equal(sent.chunk[0].track, 1);
	assert_int_equal(sent.chunk[0].length, 0);
	assert_int_equal(sent.chunk[0].bins, 0);
	assert_int_equal(sent.chunk[0].n, 0);
	eth_set(f.host, "loop_clear", 0);
	play(&f, &sent);
	assert_int_equal(sent.n_chunks, 0);
	fixture_free(&f);
}

/* Notes light their track: once when they start, once when they end,
 * on the track that plays them. */
static void
note_lights_follow_the_notes(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	Sent sent;
	play(&f, &sent); /* the first run() says what sounds: nothing */
	assert_int_equal(sent.activities, 1);
	assert_int_equal(sent.sounding, 0);
	play(&f, &sent);
	assert_int_equal(sent.activities, 0);

	eth_midi3(f.host, 10, 0x90, 60, 100); /* track 1 */
	play(&f, &sent);
	assert_int_equal(sent.activities, 1);
	assert_int_equal(sent.sounding, 0x01);
	play(&f, &sent);
	assert_int_equal(sent.activities, 0); /* unchanged: quiet */

	eth_set(f.host, "active_track", 3);
	eth_midi3(f.host, 0, 0x90, 64,
		  100); /* track 3; track 1's note rings */
	play(&f, &sent);
	assert_int_equal(sent.activities, 1);
	assert_int_equal(sent.sounding, 0x05);

	eth_midi3(f.host, 5, 0x80, 60, 0); /* ends on track 1 */
	play(&f, &sent);
	assert_int_equal(sent.sounding, 0x04);

	eth_set(f.host, "track3_mute", 1); /* muting ends track 3's note */
	play(&f, &sent);
	assert_int_equal(sent.activities, 1);
	assert_int_equal(sent.sounding, 0x00);

	/* A request repeats the lights even when nothing changed. */
	send_request(&f);
	play(&f, &sent);
	assert_int_equal(sent.activities, 1);
	assert_int_equal(sent.sounding, 0x00);
	fixture_free(&f);
}

/* ---- calibration ---------------------------------------------------------*/

/* A block with a simulated hardware synth on the input (fake_synth.h)
 * instead of synth(). */
static void
play_synth_block(Fixture *f, FakeSynth *synth, Sent *sent)
{
	fake_synth_play(synth, f->host, BLOCK);
	ui_alive(f);
	eth_run(f->host, BLOCK);
	fake_synth_listen(synth, f->host, BLOCK);
	f->wall += BLOCK;
	decode(f, sent);
}

/* Calibrate pressed on track 3 (its synth answers 590 frames later, a
 * click): the UI hears at once that track 3 is being measured, then
 * nothing until the end, then what was found, the same as the latency
 * port and the log; a request repeats it. */
static void
calibration_is_told_when_it_starts_and_ends(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	FakeSynth synth;
	fake_synth_init(&synth, RATE, FAKE_CLICK, 590);
	synth.channel = 2; /* track 3 plays channel 3 */
	eth_set(f.host, "active_track", 3);
	Sent sent;
	play_synth_block(&f, &synth, &sent);
	send_request(&f);
	play_synth_block(&f, &synth, &sent);
	assert_int_equal(sent.calibrations, 1); /* none yet */
	assert_int_equal(sent.calibration.state, ET_MSG_CALIBRATION_NONE);

	eth_set(f.host, "calibrate", 1);
	play_synth_block(&f, &synth, &sent);
	eth_set(f.host, "calibrate", 0);
	assert_int_equal(sent.calibrations, 1);
	assert_int_equal(sent.calibration.track, 3);
	assert_int_equal(sent.calibration.state, ET_MSG_CALIBRATION_RUNNING);

	unsigned blocks = 0;
	do {
		play_synth_block(&f, &synth, &sent);
		assert_true(++blocks < 6 * RATE / BLOCK);
	} while (sent.calibrations == 0);
	assert_int_equal(sent.calibrations, 1);
	const Calibration done = sent.calibration;
	print_message("calibrated in %u blocks: %.3f ms, spread %.3f ms, %u "
		      "answered\n",
		      blocks, (double)done.latency, (double)done.spread,
		      done.answered);
	assert_int_equal(done.track, 3);
	assert_int_equal(done.state, ET_MSG_CALIBRATION_DONE);
	assert_int_equal(done.reason, 0);
	assert_float_equal(done.latency, 590 * 1000.0 / RATE, 0.05);
	assert_true(done.spread >= 0.0f && done.spread < 0.05f);
	assert_int_equal(done.answered, 5);
	assert_float_equal(eth_get(f.host, "latency"), done.latency, 1e-3);

	play_synth_block(&f, &synth, &sent);
	assert_int_equal(sent.calibrations, 0);
	send_request(&f);
	play_synth_block(&f, &synth, &sent);
	assert_int_equal(sent.calibrations, 1);
	assert_memory_equal(&sent.calibration, &done, sizeof(done));
	fixture_free(&f);
}

/* Calibrate while a take records is refused: the UI hears so in the same
 * block (track 1, refused), once.  With no UI listening nothing is sent;
 * a UI that asks later hears of the latest one. */
static void
refused_calibration_is_told_while_a_ui_listens(void **state)
{
	(void)state;
	Fixture f;
	fixture_init(&f);
	Sent sent;
	eth_set(f.host, "loop_quantize", 0);
	eth_set(f.host, "loop_arm", 1);
	play(&f, &sent);
	assert_int_equal(eth_get(f.host, "loop_state"), 2);
	eth_set(f.host, "calibrate", 1);
	play(&f, &sent);
	eth_set(f.host, "calibrate", 0);
	assert_int_equal(sent.calibrations, 1);
	assert_int_equal(sent.calibration.track, 1);
	assert_int_equal(sent.calibration.state, ET_MSG_CALIBRATION_REFUSED);
	assert_int_equal(sent.calibration.answered, 0);
	for (int i = 0; i < 20; ++i) {
		play(&f, &sent);
		assert_int_equal(sent.calibrations, 0);
	}

	/* The UI closes; on track 2 calibrate is refused again, unheard. */
	f.ui_open = false;
	for (uint64_t end = f.wall + (uint64_t)(4 * RATE); f.wall < end;) {
		play(&f, &sent);
	}
	eth_set(f.host, "active_track", 2);
	eth_set(f.host, "loop_arm", 1);
	play(&f, &sent);
	eth_set(f.host, "calibrate", 1);
	for (int i = 0; i < 20; ++i) {
		play(&f, &sent);
		assert_int_equal(sent.calibrations, 0);
	}
	eth_set(f.host, "calibrate", 0);
	send_request(&f);
	play(&f, &sent);
	assert_int_equal(sent.calibrations, 1);
	assert_int_equal(sent.calibration.track, 2);
	assert_int_equal(sent.calibration.state, ET_MSG_CALIBRATION_REFUSED);

	/* It fits a port of 200 bytes too (messages.h), a block later than
	 * the Activity a request also brings. */
	eth_set_port_capacity(f.host, "notify", 200);
	send_request(&f);
	unsigned heard = 0;
	for (int i = 0; i < 4; ++i) {
		play(&f, &sent);
		heard += sent.calibrations;
	}
	assert_int_equal(heard, 1);
	fixture_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_gets_the_recorded_peaks),
		cmocka_unit_test(no_ui_no_overview_then_a_fresh_one),
		cmocka_unit_test(small_notify_buffer),
		cmocka_unit_test(overdub_shows_its_layer),
		cmocka_unit_test(overdub_at_4096_frame_blocks),
		cmocka_unit_test(overdub_at_8192_frame_blocks),
		cmocka_unit_test(overdub_at_4096_frame_blocks_small_port),
		cmocka_unit_test(clear_sends_an_empty_overview),
		cmocka_unit_test(
		    a_full_round_of_eight_overviews_fits_the_declared_size),
		cmocka_unit_test(eight_overviews_through_a_small_buffer),
		cmocka_unit_test(the_meter_shows_the_input_peaks),
		cmocka_unit_test(playheads_follow_the_loops),
		cmocka_unit_test(note_lights_follow_the_notes),
		cmocka_unit_test(calibration_is_told_when_it_starts_and_ends),
		cmocka_unit_test(
		    refused_calibration_is_told_while_a_ui_listens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

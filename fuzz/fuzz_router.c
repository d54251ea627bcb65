/* libFuzzer harness of the router (plugin/core/router.c), driven as the glue
 * drives it: per block, et_router_flush() and et_router_set_controls() at
 * frame 0, then MIDI events in frame order; control values pass through
 * et_port_sanitize() and are read as the glue reads them.  The input is a
 * stream of operations (see fuzz_common.h): MIDI events of arbitrary bytes
 * and sizes at arbitrary frames, control changes (also mid-block, as a
 * control_channel would make them), new blocks of 0..8192 frames with a
 * small output capacity, flushes and panics.
 *
 * The sink emulates the glue's forge: an event costs a 16-byte header plus
 * its padded body, and one that does not fit is refused (false).
 *
 * Invariants (abort() on violation):
 * - every emit is at a frame inside its block (<= nframes - 1, or 0 in an
 *   empty block) and frames never go backwards within a block;
 * - the bytes accepted never exceed the capacity (the sink refuses), and
 *   every refusal is counted in status_count[ET_ROUTER_OUTPUT_FULL];
 * - every emitted message is one whole, well-formed channel or system
 *   message from a valid track (0..7 or ET_ROUTER_THRU);
 * - every note-off matches an earlier note-on of the same track (or thru)
 *   on the same output channel and note; et_router_sounding() equals the
 *   notes we saw start and not end, per track and thru;
 * - et_router_all_off() returns the number of note-offs it emitted;
 * - a held controller (CC 64, 66, 67, 69) that the sink last saw at >= 64
 *   on a track's (or thru's) output channel is one the router still
 *   holds there, from some input channel, so a release will follow;
 * - at the end, after muting all eight tracks (with the fuzzer's capacity)
 *   and flushing over two more blocks, no track note is left sounding and
 *   no track's held controller is left down; a panic then ends the thru
 *   notes and releases thru's held controllers too. */
#include "fuzz_common.h"

#include "engine.h"
#include "ports.h"
#include "router.h"

#include <math.h>

#define BIG_CAPACITY (1u << 20)           /* the flush blocks at the end */
#define SLOTS        (ET_TRACK_COUNT + 1) /* tracks, then thru */

typedef struct {
	uint32_t nframes;
	uint32_t capacity; /* bytes of this block's output */
	uint32_t used;
	bool     any_emit;
	uint32_t last_frame; /* of the last emit in this block */
	uint64_t refused;
	uint64_t note_offs;
	uint32_t sounding[SLOTS];
	uint16_t balance[SLOTS][16][128]; /* note-ons minus note-offs */
	/* The last value of each held controller, per output channel. */
	uint8_t held_value[SLOTS][16][ET_ROUTER_HELD_CONTROLS];
	bool    held_sent; /* a held controller was accepted since the check */
} Sink;

typedef struct {
	EtRouter router;
	Sink     sink;
	EtSink   et_sink;
	float    port[ET_PORT_COUNT]; /* raw values, as a host writes them */
	uint32_t at;                  /* current frame in the block */
} Rig;

/* The index of a held controller (as in router.h), or -1. */
static int
held_index(uint8_t cc)
{
	switch (cc) {
	case 64: return 0;
	case 66: return 1;
	case 67: return 2;
	case 69: return 3;
	default: return -1;
	}
}

static uint32_t
event_cost(uint32_t size)
{
	return 16u + ((size + 7u) & ~7u); /* LV2_Atom_Event + padded body */
}

static uint32_t
block_last_frame(const Sink *s)
{
	return s->nframes ? s->nframes - 1 : 0;
}

static void
check_message(const uint8_t *msg, uint32_t size)
{
	FUZZ_CHECK(msg != NULL && size >= 1);
	FUZZ_CHECK(msg[0] & 0x80);
	uint32_t expected = 0;
	if (msg[0] < 0xF0) {
		const uint8_t type = msg[0] & 0xF0;
		expected           = (type == 0xC0 || type == 0xD0) ? 2 : 3;
	} else if (msg[0] == 0xF0) {
		FUZZ_CHECK(size >= 2 && msg[size - 1] == 0xF7);
	} else {
		FUZZ_CHECK(msg[0] != 0xF4 && msg[0] != 0xF5 && msg[0] != 0xF7);
		expected = (msg[0] == 0xF1 || msg[0] == 0xF3) ? 2
			   : msg[0] == 0xF2                   ? 3
							      : 1;
	}
	if (expected) {
		FUZZ_CHECK(size == expected);
	}
	const uint32_t data_end = msg[0] == 0xF0 ? size - 1 : size;
	for (uint32_t i = 1; i < data_end; ++i) {
		FUZZ_CHECK(!(msg[i] & 0x80));
	}
}

static bool
emit(void *ctx, uint32_t frame, int track, const uint8_t *msg, uint32_t size)
{
	Sink *s = (Sink *)ctx;
	FUZZ_CHECK(frame <= block_last_frame(s));
	FUZZ_CHECK(!s->any_emit || frame >= s->last_frame);
	FUZZ_CHECK(track == ET_ROUTER_THRU ||
		   (track >= 0 && track < ET_TRACK_COUNT));
	check_message(msg, size);
	s->any_emit   = true;
	s->last_frame = frame;

	const uint32_t need = event_cost(size);
	if (s->used + need > s->capacity) {
		++s->refused;
		return false;
	}
	s->used += need;
	FUZZ_CHECK(s->used <= s->capacity);

	const unsigned slot = track < 0 ? ET_TRACK_COUNT : (unsigned)track;
	const uint8_t  type = msg[0] & 0xF0;
	if (type == 0x90 && msg[2] > 0) {
		uint16_t *b = &s->balance[slot][msg[0] & 0x0F][msg[1]];
		FUZZ_CHECK(*b < UINT16_MAX);
		++*b;
		++s->sounding[slot];
	} else if (type == 0x80 || type == 0x90) {
		uint16_t *b = &s->balance[slot][msg[0] & 0x0F][msg[1]];
		FUZZ_CHECK(*b > 0); /* a note-off with no note-on before it */
		--*b;
		--s->sounding[slot];
		++s->note_offs;
	} else if (type == 0xB0 && held_index(msg[1]) >= 0) {
		s->held_value[slot][msg[0] & 0x0F][held_index(msg[1])] =
		    msg[2];
		s->held_sent = true;
	}
	return true;
}

/* The router's controls as the engine reads them from the ports
 * (et_engine_router_controls), after each port is sanitized as run()
 * sanitizes it. */
static void
read_controls(const Rig *rig, EtRouterControls *c)
{
	float values[ET_PORT_COUNT];
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		values[i] = et_port_sanitize(i, rig->port[i]);
	}
	et_engine_router_controls(values, c);
	FUZZ_CHECK(c->auto_channel <= 16 && c->active_track < ET_TRACK_COUNT);
}

static void
apply_controls(Rig *rig)
{
	EtRouterControls c;
	read_controls(rig, &c);
	et_router_set_controls(&rig->router, &c, rig->at, &rig->et_sink);
}

/* Every held controller down on an output is one the router holds there.
 * (A full walk: only after ops that sent one, and at every new block.) */
static void
check_held(Rig *rig)
{
	rig->sink.held_sent = false;
	for (unsigned k = 0; k < ET_ROUTER_HELD_CONTROLS; ++k) {
		for (unsigned s = 0; s < SLOTS; ++s) {
			uint16_t held = 0;
			for (unsigned in = 0; in < 16; ++in) {
				held |= rig->router.held_cc[in][k].reached[s];
			}
			for (unsigned c = 0; c < 16; ++c) {
				FUZZ_CHECK(rig->sink.held_value[s][c][k] <
					       64 ||
					   (held & (1u << c)));
			}
		}
	}
}

/* The router's own bookkeeping agrees with what we saw it emit. */
static void
check_router(Rig *rig)
{
	for (unsigned s = 0; s < SLOTS; ++s) {
		FUZZ_CHECK(et_router_sounding(&rig->router, s) ==
			   rig->sink.sounding[s]);
	}
	FUZZ_CHECK(rig->router.status_count[ET_ROUTER_OUTPUT_FULL] ==
		   rig->sink.refused);
	if (rig->sink.held_sent) {
		check_held(rig);
	}
}

/* No held controller is left down on a slot's output, and the router
 * holds none there. */
static void
check_nothing_held(const Rig *rig, unsigned slot)
{
	FUZZ_CHECK(et_router_held_controls(&rig->router, slot) == 0);
	for (unsigned c = 0; c < 16; ++c) {
		for (unsigned k = 0; k < ET_ROUTER_HELD_CONTROLS; ++k) {
			FUZZ_CHECK(rig->sink.held_value[slot][c][k] < 64);
		}
	}
}

/* A new run(): what the glue does before it walks midi_in. */
static void
new_block(Rig *rig, uint32_t nframes, uint32_t capacity)
{
	rig->sink.nframes  = nframes;
	rig->sink.capacity = capacity;
	rig->sink.used     = 0;
	rig->sink.any_emit = false;
	rig->at            = 0;
	et_router_flush(&rig->router, 0, &rig->et_sink);
	apply_controls(rig);
	check_held(rig);
}

static void
op_midi(Rig *rig, FuzzInput *in)
{
	/* Frames as the glue makes them: never before the last, never past
	 * the block. */
	uint32_t t = rig->at + fuzz_u8(in);
	if (t > block_last_frame(&rig->sink)) {
		t = block_last_frame(&rig->sink);
	}
	rig->at = t;

	uint32_t             size;
	uint8_t             *msg  = fuzz_midi_message(in, &size);
	uint8_t             *body = size ? msg : msg + 1;
	const EtRouterStatus st   = et_router_process(
	      &rig->router, rig->at, size ? msg : body, size, &rig->et_sink);
	FUZZ_CHECK((unsigned)st < ET_ROUTER_STATUS_COUNT &&
		   st != ET_ROUTER_OUTPUT_FULL);
	free(msg);
}

static void
op_control(Rig *rig, FuzzInput *in)
{
	const unsigned sel   = fuzz_u8(in) % (3u + 4u * ET_TRACK_COUNT);
	const uint8_t  mode  = fuzz_u8(in);
	const uint32_t index = sel == 0   ? ET_PORT_AUTO_CHANNEL
			       : sel == 1 ? ET_PORT_ACTIVE_TRACK
			       : sel == 2 ? ET_PORT_THRU
					  : ET_PORT_TRACK_FIRST + (sel - 3);
	rig->port[index] =
	    (mode & 1) ? fuzz_f32(in) : (float)(int8_t)fuzz_u8(in);
	if (mode & 2) {
		apply_controls(rig);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static Rig rig; /* 50 KB: not on the stack */
	memset(&rig, 0, sizeof(rig));
	et_router_init(&rig.router);
	rig.et_sink = (EtSink){ emit, &rig.sink };
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		rig.port[i] = et_ports[i].fallback;
	}

	FuzzInput in = { data, size };
	new_block(&rig, 512, fuzz_u8(&in) * 8u);
	check_router(&rig);
	unsigned ops = 0;
	while (!fuzz_done(&in) && ops++ < 20000) {
		switch (fuzz_u8(&in) % ROUTER_OP_COUNT) {
		case ROUTER_OP_MIDI: op_midi(&rig, &in); break;
		case ROUTER_OP_CONTROL: op_control(&rig, &in); break;
		case ROUTER_OP_BLOCK: {
			const uint32_t n = fuzz_u16(&in) % 8193u;
			new_block(&rig, n, fuzz_u8(&in) * 8u);
			break;
		}
		case ROUTER_OP_FLUSH:
			et_router_flush(&rig.router, rig.at, &rig.et_sink);
			break;
		case ROUTER_OP_ALL_OFF: {
			const uint64_t before = rig.sink.note_offs;
			const unsigned n      = et_router_all_off(
				 &rig.router, rig.at, &rig.et_sink);
			FUZZ_CHECK(n == rig.sink.note_offs - before);
			break;
		}
		}
		check_router(&rig);
	}

	/* Mute every track, with the output as small as it was ... */
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		rig.port[et_track_port(t, ET_TRACK_FIELD_MUTE)] = 1.0f;
	}
	new_block(&rig, rig.sink.nframes, rig.sink.capacity);
	check_router(&rig);
	/* ... then let two roomy blocks flush what did not fit. */
	for (int b = 0; b < 2; ++b) {
		new_block(&rig, 64, BIG_CAPACITY);
		check_router(&rig);
	}
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		FUZZ_CHECK(rig.sink.sounding[t] == 0);
		FUZZ_CHECK(et_router_sounding(&rig.router, t) == 0);
		check_nothing_held(&rig, t);
	}
	/* A panic ends what thru still holds. */
	const uint64_t before = rig.sink.note_offs;
	const unsigned n = et_router_all_off(&rig.router, 0, &rig.et_sink);
	FUZZ_CHECK(n == rig.sink.note_offs - before);
	check_router(&rig);
	FUZZ_CHECK(rig.sink.sounding[ET_TRACK_COUNT] == 0);
	check_nothing_held(&rig, ET_TRACK_COUNT);
	for (unsigned s = 0; s < SLOTS; ++s) {
		for (unsigned ch = 0; ch < 16; ++ch) {
			for (unsigned note = 0; note < 128; ++note) {
				FUZZ_CHECK(rig.sink.balance[s][ch][note] == 0);
			}
		}
	}
	return 0;
}

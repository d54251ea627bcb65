/* fuzz_clock: the transport clock and MIDI clock out (midiclock.c),
 * driven as run() drives them, plus the control channel's note map.
 *
 * Positions carry any subset of their fields, musical or raw (any finite
 * double, as the glue passes), at any frame of blocks of 0..8192 frames,
 * with clock_out switched at block starts.  Invariants:
 * - every message lies inside its block, frames never go backwards;
 * - each message is a whole real-time or Song Position Pointer message
 *   with 7-bit data;
 * - the stream is well formed: clocks only between Start/Continue and
 *   Stop, a Song Position Pointer only while stopped, no Stop while
 *   stopped, nothing at all while clock_out is off (but the Stop that
 *   switching it off sends);
 * - bounded work: at most one clock a frame per span, plus the handful of
 *   messages a start or locate sends;
 * - et_control_map() gives a known action, and claims only channel-voice
 *   messages on the control channel. */
#include "fuzz_common.h"

#include "clock.h"
#include "control_map.h"
#include "midiclock.h"

#include <math.h>

static const double rates[]  = { 48000.0, 44100.0, 96000.0, 192000.0,
				 22050.0, 8000.0,  1.0,     1e6 };
static const double speeds[] = { 1.0, 0.0, 1.5, -1.0, 0.5, 2.0, 1e-9, 1e9 };

typedef struct {
	uint32_t frame; /* of the last message, this block */
	uint32_t n;     /* messages this block */
	uint32_t nframes;
	bool     running; /* a Start or Continue seen, no Stop since */
	bool     enabled;
} Stream;

static bool
check_message(void *ctx, uint32_t frame, int track, const uint8_t *msg,
	      uint32_t size)
{
	Stream *s = (Stream *)ctx;
	FUZZ_CHECK(track == ET_SINK_THRU);
	FUZZ_CHECK(frame < s->nframes);
	FUZZ_CHECK(s->n == 0 || frame >= s->frame);
	s->frame = frame;
	++s->n;
	switch (msg[0]) {
	case ET_MIDI_TIMING_CLOCK:
		FUZZ_CHECK(size == 1 && s->running && s->enabled);
		break;
	case ET_MIDI_START:
	case ET_MIDI_CONTINUE:
		FUZZ_CHECK(size == 1 && !s->running && s->enabled);
		s->running = true;
		break;
	case ET_MIDI_STOP:
		FUZZ_CHECK(size == 1 && s->running);
		s->running = false;
		break;
	case ET_MIDI_SONG_POSITION:
		FUZZ_CHECK(size == 3 && !s->running && s->enabled);
		FUZZ_CHECK(msg[1] < 0x80 && msg[2] < 0x80);
		break;
	default: FUZZ_CHECK(!"a message clock out never sends");
	}
	return true;
}

/* A position as the glue decodes it: only finite numbers get through, and
 * frames and bars are clamped (see eighttrack.c). */
static EtPosition
read_position(FuzzInput *in)
{
	EtPosition    p;
	const uint8_t flags = fuzz_u8(in);
	const bool    raw   = flags & 0x80;
	memset(&p, 0, sizeof(p));
	p.has_frame         = flags & 0x01;
	p.has_speed         = flags & 0x02;
	p.has_bpm           = flags & 0x04;
	p.has_beats_per_bar = flags & 0x08;
	p.has_bar           = flags & 0x10;
	p.has_bar_beat      = flags & 0x20;
	p.has_beat_unit     = flags & 0x40;
	double frame, bar;
	if (raw) { /* any finite double, as a hostile host may send */
		frame           = fuzz_f64(in);
		p.speed         = fuzz_f64(in);
		p.bpm           = fuzz_f64(in);
		p.beats_per_bar = fuzz_f64(in);
		bar             = fuzz_f64(in);
		p.bar_beat      = fuzz_f64(in);
		p.beat_unit     = fuzz_f64(in);
	} else { /* musical values */
		frame           = (double)fuzz_u32(in);
		p.speed         = speeds[fuzz_u8(in) % 8];
		p.bpm           = 40.0 + fuzz_u8(in);
		p.beats_per_bar = 1.0 + fuzz_u8(in) % 12;
		bar             = (double)(fuzz_u16(in) % 1000);
		p.bar_beat      = (double)(fuzz_u16(in) % 12000) / 1000.0;
		p.beat_unit     = (double)(1u << (fuzz_u8(in) % 5));
	}
	const double limit_frame = 4503599627370496.0,
		     limit_bar   = 2147483647.0;
	p.has_frame              = p.has_frame && isfinite(frame);
	p.frame                  = p.has_frame
				       ? (int64_t)fmax(-limit_frame, fmin(limit_frame, frame))
				       : 0;
	p.has_bar                = p.has_bar && isfinite(bar);
	p.bar =
	    p.has_bar ? (int64_t)fmax(-limit_bar, fmin(limit_bar, bar)) : 0;
	p.has_speed         = p.has_speed && isfinite(p.speed);
	p.has_bpm           = p.has_bpm && isfinite(p.bpm);
	p.has_beats_per_bar = p.has_beats_per_bar && isfinite(p.beats_per_bar);
	p.has_bar_beat      = p.has_bar_beat && isfinite(p.bar_beat);
	p.has_beat_unit     = p.has_beat_unit && isfinite(p.beat_unit);
	return p;
}

static void
check_control_map(FuzzInput *in)
{
	const uint8_t  channel  = fuzz_u8(in) % 18;
	uint8_t        msg[3]   = { fuzz_u8(in), fuzz_u8(in), fuzz_u8(in) };
	const uint32_t size     = 1u + fuzz_u8(in) % 3;
	const EtControlAction a = et_control_map(channel, msg, size);
	FUZZ_CHECK(a.kind <= ET_CONTROL_LOOP_CLEAR);
	if (a.kind != ET_CONTROL_NOT_MINE) {
		FUZZ_CHECK(channel >= 1 && channel <= 16);
		FUZZ_CHECK(msg[0] >= 0x80 && msg[0] < 0xF0);
		FUZZ_CHECK((msg[0] & 0x0F) == channel - 1);
	}
	if (a.kind == ET_CONTROL_SELECT_TRACK) {
		FUZZ_CHECK(a.track < 8);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzInput    in = { data, size };
	EtClock      clock;
	EtMidiClock  mc;
	Stream       stream = { 0, 0, 0, false, false };
	const EtSink sink   = { check_message, &stream };
	et_clock_init(&clock, rates[fuzz_u8(&in) % 8]);
	et_midiclock_init(&mc);

	bool       locate_due = false;
	EtPosition locate;
	memset(&locate, 0, sizeof(locate));
	for (unsigned op = 0; op < 4096 && !fuzz_done(&in); ++op) {
		if (fuzz_u8(&in) % CLOCK_OP_COUNT == CLOCK_OP_LOCATE) {
			locate_due       = true;
			locate.has_frame = locate.has_speed = true;
			locate.frame =
			    (int64_t)fuzz_u64(&in) >> 12; /* within +-2^51 */
			locate.speed = speeds[fuzz_u8(&in) % 8];
			continue;
		}

		const uint32_t n  = fuzz_u16(&in) % 8193;
		const bool     on = fuzz_u8(&in) & 1;
		stream.nframes    = n;
		stream.n          = 0;
		et_clock_begin_block(&clock, n);
		et_midiclock_begin_block(&mc);
		if (n > 0) {
			et_midiclock_set_enabled(&mc, on, &sink);
			stream.enabled = on;
		}
		uint32_t at = 0, spans = 1;
		if (locate_due && n > 0) {
			et_clock_apply(&clock, 0, &locate);
			locate_due = false;
		}
		const unsigned positions = fuzz_u8(&in) % 5;
		for (unsigned i = 0; i < positions; ++i) {
			const uint32_t delta = fuzz_u16(&in);
			at = n ? (at + delta < n ? at + delta : n - 1) : 0;
			const EtPosition p = read_position(&in);
			et_midiclock_advance(&mc, &clock, at, &sink);
			if (n > 0) {
				et_clock_apply(&clock, at, &p);
			}
			++spans;
		}
		et_midiclock_advance(&mc, &clock, n, &sink);
		/* One clock a frame per span at most, and per span a Stop, a
		 * pointer and a Start or Continue; the Stop of switching off.
		 */
		FUZZ_CHECK(stream.n <= n + spans * 5 + 1);

		const unsigned midi = fuzz_u8(&in) % 8;
		for (unsigned i = 0; i < midi; ++i) {
			check_control_map(&in);
		}
	}
	return 0;
}

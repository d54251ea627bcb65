/* clock: the host's transport, as seen from inside a block.
 *
 * The LV2 glue decodes each time:Position into an EtPosition and applies it
 * at the block frame where it arrived; between positions the clock
 * extrapolates.  The looper asks it two kinds of question: where is the
 * transport (frames, for anchoring the loop) and where is the next beat or
 * bar (musical time, only for quantize points and loop_bars).
 *
 * Musical time at transport frame f, from the latest position:
 *   beats(f) = anchor_beats + (f - anchor_frame) * bpm / (60 * rate)
 * in double precision.  A beat boundary is where beats is an integer, a bar
 * boundary where it is a multiple of beats_per_bar.
 *
 * No LV2 header, no allocation: everything here is real-time safe.
 */
#ifndef ET_CLOCK_H
#define ET_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* A boundary less than this far (in frames) after a whole frame falls on
 * that frame: time:barBeat is a 32-bit float, so a boundary that is exact
 * in the host arrives a little late or early here. */
#define ET_CLOCK_SNAP_FRAMES 0.01

/* No real transport frame comes near this (2^52 frames: 23 000 years at
 * 6 MHz), and doubles still hold every whole frame below it: the glue
 * clamps host positions to it, and what lies beyond is garbage. */
#define ET_CLOCK_MAX_FRAME 4503599627370496.0

/* A position that only continues the rolling transport (same frame as
 * extrapolated, same tempo, meter and speed) and whose musical time is
 * within this many beats of the extrapolated one keeps the exact mapping:
 * two ticks of Ardour's 1920 per beat, far above float barBeat error. */
#define ET_CLOCK_CONTINUITY_BEATS (1.0 / 960.0)

/* One decoded time:Position; the has_* flags say which fields it carried. */
typedef struct {
	bool has_frame, has_speed, has_bpm, has_beats_per_bar, has_bar,
	    has_bar_beat, has_beat_unit;
	int64_t frame;         /* time:frame */
	double  speed;         /* time:speed, 0 = stopped */
	double  bpm;           /* time:beatsPerMinute */
	double  beats_per_bar; /* time:beatsPerBar */
	int64_t bar;           /* time:bar, 0-based */
	double  bar_beat;      /* time:barBeat (a float32 on the wire) */
	double  beat_unit; /* time:beatUnit: 4 = a beat is a quarter note */
} EtPosition;

/* Values match the loop_quantize port. */
typedef enum {
	ET_QUANTIZE_OFF  = 0,
	ET_QUANTIZE_BEAT = 1,
	ET_QUANTIZE_BAR  = 2
} EtQuantize;

/* Public so that it can be embedded; read it through the functions. */
typedef struct EtClock {
	double sample_rate;
	double bpm;           /* > 0 */
	double beats_per_bar; /* > 0 */
	double beat_unit;     /* note value of a beat: 4 quarter, 8 eighth */
	double speed;         /* != 0 means rolling */
	bool   has_transport; /* a position with a frame has been seen */
	/* The anchor: at block frame anchor_offset (relative to the start of
	 * the current block, negative once later blocks have begun) the
	 * transport was at anchor_frame, and musical time was anchor_beats. */
	int64_t  anchor_frame;
	int64_t  anchor_offset;
	double   anchor_beats;
	uint32_t block_frames; /* length of the current block */
} EtClock;

/* 120 BPM, 4/4 (beat unit 4), stopped, transport frame 0, no transport seen.
 */
void et_clock_init(EtClock *c, double sample_rate);

/* Called at the start of every run(), before any et_clock_apply(). */
void et_clock_begin_block(EtClock *c, uint32_t nframes);

/* Position p takes effect at block_frame of the current block.  A field it
 * lacks keeps its value: a missing frame is the extrapolated one, missing
 * bar and barBeat keep the frame-to-beats mapping of the previous position
 * (a missing bar alone is the bar that mapping gives).  A tempo outside
 * 1..10000 BPM, a meter outside (0, 1000] beats per bar or a beat unit
 * outside [1, 64] is ignored.  A position that only continues the transport
 * keeps the mapping (see ET_CLOCK_CONTINUITY_BEATS). */
void et_clock_apply(EtClock *c, uint32_t block_frame, const EtPosition *p);

/* speed != 0.  Says nothing about has_transport. */
bool et_clock_rolling(const EtClock *c);

/* A position carrying a frame has ever been applied. */
bool et_clock_has_transport(const EtClock *c);

/* The host's transport frame at block_frame: while rolling it advances one
 * frame per sample from the last position (hosts re-anchor on varispeed
 * with new positions); while stopped it stays where it stopped. */
int64_t et_clock_transport_frame(const EtClock *c, uint32_t block_frame);

double et_clock_frames_per_beat(const EtClock *c);
double et_clock_frames_per_bar(const EtClock *c);

/* Musical time (beats) at a fractional transport frame, and back. */
double et_clock_beats_at(const EtClock *c, double frame);
double et_clock_frame_at_beats(const EtClock *c, double beats);

/* The exact (fractional) transport frame of the first beat or bar boundary
 * whose quantize point (et_clock_quantize_frame) is at or after frame f, at
 * the current tempo.  So a boundary exactly at f, within 1/100 frame after
 * f, or less than a frame before f counts: its quantize point is f.
 * ET_QUANTIZE_OFF returns f itself. */
double et_clock_boundary_at_or_after(const EtClock *c, EtQuantize q,
				     int64_t f);

/* The quantize point of an exact boundary x: the first whole frame at or
 * after x, except that x less than ET_CLOCK_SNAP_FRAMES after a whole frame
 * falls on that frame. */
int64_t et_clock_quantize_frame(double x);

#endif

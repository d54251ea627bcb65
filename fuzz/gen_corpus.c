/* Writes the seed corpus of the fuzz harnesses: `make fuzz-seeds` runs it
 * as gen_corpus fuzz/corpus.  Each seed is a small, hand-made scenario in
 * the harness's operation encoding (fuzz_common.h), so the fuzzer starts
 * from inputs that reach deep states: held notes across control changes, a
 * full output, a quantized loop with overdub and mute, a restored loop,
 * valid and broken loop files. */
#include "fuzz_common.h"
#include "ports.h"

#include <math.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	uint8_t b[65536];
	size_t  n;
} Buf;

static void
put(Buf *b, unsigned v)
{
	if (b->n < sizeof(b->b)) {
		b->b[b->n++] = (uint8_t)v;
	}
}

static void
put16(Buf *b, unsigned v)
{
	put(b, v & 0xFF);
	put(b, (v >> 8) & 0xFF);
}

static void
put32(Buf *b, uint32_t v)
{
	put16(b, v & 0xFFFF);
	put16(b, v >> 16);
}

static void
put64(Buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void
putf64(Buf *b, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	put64(b, bits);
}

static void
save(const char *dir, const char *harness, const char *name, const Buf *b)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, harness);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, harness, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b->b, 1, b->n, f) != b->n || fclose(f) != 0) {
		fprintf(stderr, "gen_corpus: cannot write %s\n", path);
		exit(1);
	}
}

/* ---------------------------------------------------------------- router */

static void
r_midi(Buf *b, unsigned delta, unsigned s, unsigned d1, unsigned d2)
{
	put(b, ROUTER_OP_MIDI);
	put(b, delta);
	put(b, s);
	put(b, 0); /* its own size */
	put(b, d1);
	put(b, d2);
}

static void
r_raw(Buf *b, unsigned delta, const uint8_t *msg, unsigned size)
{
	put(b, ROUTER_OP_MIDI);
	put(b, delta);
	put(b, size ? msg[0] : 0);
	put(b, 0xC0 | size);
	for (unsigned i = 1; i < size; ++i) {
		put(b, msg[i]);
	}
}

/* sel: 0 auto, 1 active, 2 thru, 3 + 4 * track + field */
static void
r_control(Buf *b, unsigned sel, int value, bool now)
{
	put(b, ROUTER_OP_CONTROL);
	put(b, sel);
	put(b, now ? 2 : 0);
	put(b, (uint8_t)(int8_t)value);
}

static void
r_block(Buf *b, unsigned nframes, unsigned capacity_units)
{
	put(b, ROUTER_OP_BLOCK);
	put16(b, nframes);
	put(b, capacity_units);
}

static void
gen_router(const char *dir)
{
	Buf b = { { 0 }, 0 };

	/* Notes on the active track, across a transpose, a channel change and
	 * a track change, then their note-offs. */
	put(&b, 255);
	r_midi(&b, 0, 0x90, 60, 100);
	r_midi(&b, 10, 0x90, 64, 90);
	r_control(&b, 3 + 2, 7, false); /* track 1 transpose +7 */
	r_block(&b, 256, 255);
	r_midi(&b, 5, 0x90, 67, 80);
	r_control(&b, 3 + 0, 5, true); /* track 1 channel 5, mid-block */
	r_midi(&b, 5, 0x80, 60, 0);
	r_control(&b, 1, 2, false); /* active track 2 */
	r_block(&b, 128, 255);
	r_midi(&b, 0, 0x90, 64, 0); /* note-on velocity 0 */
	r_midi(&b, 1, 0x80, 67, 10);
	r_midi(&b, 1, 0x80, 67, 10); /* a stray repeat */
	save(dir, "router", "notes-across-changes", &b);

	/* A small output: many notes, then a mute that cannot all fit. */
	b.n = 0;
	put(&b, 4); /* 32 bytes: one event per block */
	for (unsigned n = 0; n < 12; ++n) {
		r_block(&b, 64, 40);
		r_midi(&b, 1, 0x90, 40 + n, 100);
		r_midi(&b, 1, 0x91, 40 + n, 100);
	}
	r_control(&b, 3 + 1, 1, false); /* mute track 1 */
	r_block(&b, 64, 4);
	r_block(&b, 64, 3);
	r_block(&b, 0, 9);
	put(&b, ROUTER_OP_FLUSH);
	save(dir, "router", "full-output-mute", &b);

	/* Auto channel 1: other channels pass thru; sustain, panic CCs,
	 * programs, pressure, bend, system messages. */
	b.n = 0;
	put(&b, 255);
	r_control(&b, 0, 1, false);
	r_control(&b, 3 + 3, 9, false);      /* track 1 program 9 */
	r_control(&b, 3 + 4 + 3, 20, false); /* track 2 program 20 */
	r_block(&b, 1024, 255);
	r_midi(&b, 0, 0x90, 60, 100);
	r_midi(&b, 1, 0x93, 61, 100); /* channel 4: thru */
	r_midi(&b, 1, 0xB0, 64, 127);
	r_midi(&b, 1, 0xA0, 60, 50);
	r_midi(&b, 1, 0xE0, 0, 64);
	r_midi(&b, 1, 0xD0, 30, 0);
	r_midi(&b, 1, 0xF8, 0, 0);
	r_control(&b, 1, 2, true);
	r_midi(&b, 1, 0xB0, 64, 0);
	r_midi(&b, 1, 0xB3, 123, 0);
	r_midi(&b, 1, 0xB0, 120, 0);
	r_control(&b, 2, 0, true); /* thru off */
	r_midi(&b, 1, 0x93, 62, 100);
	put(&b, ROUTER_OP_ALL_OFF);
	save(dir, "router", "thru-sustain-panic", &b);

	/* Held controllers (64, 66, 67, 69) across every change: through Thru
	 * then Thru off, the auto channel moved onto them, a track's channel
	 * changed between two presses, a half-pedal, the active track, a mute,
	 * CC 123, and a small output that refuses some releases. */
	b.n = 0;
	put(&b, 255);
	r_control(&b, 0, 1, false); /* auto channel 1 */
	r_block(&b, 512, 255);
	r_midi(&b, 0, 0xB2, 64, 127); /* channel 3: thru */
	r_midi(&b, 1, 0xB2, 66, 100);
	r_control(&b, 2, 0, true); /* thru off */
	r_midi(&b, 1, 0xB2, 66, 0);
	r_control(&b, 0, 3, true); /* auto channel 3 */
	r_midi(&b, 1, 0xB2, 64, 0);
	r_midi(&b, 1, 0xB0, 64, 80);   /* track 1, channel 1 */
	r_control(&b, 3 + 0, 5, true); /* track 1 channel 5 */
	r_midi(&b, 1, 0xB0, 64, 96);
	r_midi(&b, 1, 0xB0, 64, 112);
	r_midi(&b, 1, 0xB0, 67, 127);
	r_control(&b, 1, 3, true); /* active track 3 */
	r_midi(&b, 1, 0xB0, 69, 127);
	r_midi(&b, 1, 0xB0, 64, 0);
	r_block(&b, 64, 4);                /* one event per block */
	r_control(&b, 3 + 8 + 1, 1, true); /* mute track 3 */
	r_midi(&b, 1, 0xB0, 67, 127);
	r_midi(&b, 1, 0xB0, 123, 0);
	r_block(&b, 64, 255);
	put(&b, ROUTER_OP_ALL_OFF);
	save(dir, "router", "held-controllers", &b);

	/* Malformed and out-of-range input. */
	b.n = 0;
	put(&b, 100);
	{
		const uint8_t empty[1]    = { 0 };
		const uint8_t nostatus[3] = { 0x40, 0x40, 0x40 };
		const uint8_t longnote[5] = { 0x90, 60, 100, 1, 2 };
		const uint8_t short1[1]   = { 0x90 };
		const uint8_t baddata[3]  = { 0x90, 0x90, 100 };
		const uint8_t sysex[6]    = { 0xF0, 1, 2, 3, 4, 0xF7 };
		const uint8_t badsysex[4] = { 0xF0, 1, 0x80, 0xF7 };
		const uint8_t undef[1]    = { 0xF4 };
		r_raw(&b, 0, empty, 0);
		r_raw(&b, 1, nostatus, 3);
		r_raw(&b, 1, longnote, 5);
		r_raw(&b, 1, short1, 1);
		r_raw(&b, 1, baddata, 3);
		r_raw(&b, 1, sysex, 6);
		r_raw(&b, 1, badsysex, 4);
		r_raw(&b, 1, undef, 1);
	}
	put(&b, ROUTER_OP_CONTROL); /* NaN transpose */
	put(&b, 3 + 2);
	put(&b, 1);
	put32(&b, 0x7FC00000u);
	put(&b, ROUTER_OP_CONTROL); /* +inf active track */
	put(&b, 1);
	put(&b, 3);
	put32(&b, 0x7F800000u);
	r_control(&b, 3 + 2, -100, true); /* transpose clamps to -48 */
	r_midi(&b, 200, 0x90, 10, 1);     /* below note 0: dropped */
	r_midi(&b, 200, 0x90, 100, 1);
	r_block(&b, 1, 255);
	r_midi(&b, 7, 0x80, 100, 1);
	save(dir, "router", "malformed-and-clamped", &b);
}

/* ---------------------------------------------------------------- looper */

static void
l_control(Buf *b, unsigned sel, int value)
{
	put(b, LOOPER_OP_CONTROL);
	put(b, sel); /* 0 arm, 1 mute, 2 overdub, 3 quantize, 4 bars, 5 clear,
		      * 6 level, 7 monitor */
	put(b, 0);
	put(b, (uint8_t)(int8_t)value);
}

/* A block with a ramp of audio and, if pos, one position at frame 0 that
 * carries frame (continuing), speed, bpm and meter. */
static void
l_block(Buf *b, unsigned nframes, int pos, unsigned speed_sel,
	unsigned bpm_sel)
{
	put(b, LOOPER_OP_BLOCK);
	put16(b, nframes);
	put(b, 2); /* ramp audio */
	put(b, pos ? 1 : 0);
	if (pos) {
		put16(b, 0);
		put(b, 0x80 | 0x0F | 0x30); /* frame continues, speed, bpm,
					       meter, bar, barBeat */
		put(b, speed_sel);
		put(b, bpm_sel);
		put(b, 0); /* 4/4 */
		put(b, 0); /* bar */
		put(b, 0); /* barBeat */
	}
}

/* A port by its index (ports.h): an int8 value. */
static void
l_port(Buf *b, unsigned index, int value)
{
	put(b, LOOPER_OP_PORT);
	put(b, index);
	put(b, 0);
	put(b, (uint8_t)(int8_t)value);
}

/* A note on the control channel, step frames after the latest event;
 * velocity 0x80 | v is a note-off. */
static void
l_note(Buf *b, int step, unsigned key, unsigned velocity)
{
	put(b, LOOPER_OP_NOTE);
	put16(b, (uint16_t)(int16_t)step);
	put(b, key);
	put(b, velocity);
}

/* A three-byte MIDI message of its natural size. */
static void
l_midi(Buf *b, int step, unsigned status, unsigned d1, unsigned d2)
{
	put(b, LOOPER_OP_MIDI);
	put16(b, (uint16_t)(int16_t)step);
	put(b, status);
	put(b, 0);
	put(b, d1);
	put(b, d2);
}

/* LOOPER_OP_LOOPS ops. */
static void
l_loop_port(Buf *b, unsigned sel, int value)
{
	put(b, LOOPER_OP_LOOPS);
	put(b, LOOPS_OP_PORT);
	put(b, sel); /* 0 active_track, 1 undo, 2 redo, 3 loop_mute, 4 + t
		      * track t's loop mute, 12 + t its loop level */
	put(b, 0);
	put(b, (uint8_t)(int8_t)value);
}

/* mode: bit0 by ports, bit1 on the active track alone. */
static void
l_flood(Buf *b, unsigned count, unsigned step, unsigned mode, uint16_t seed)
{
	put(b, LOOPER_OP_LOOPS);
	put(b, LOOPS_OP_FLOOD);
	put(b, count - 1);
	put(b, step);
	put(b, mode);
	put16(b, seed);
}

/* A load's operands: a free loop of `length` frames (any length up to the
 * capacity + 1), exact, starting at 0; fresh as restore() makes them. */
static void
l_load_operands(Buf *b, uint32_t length, bool fresh)
{
	put(b, 2 | (fresh ? 64 : 0));
	put32(b, length);
	put(b, 0);   /* exact = length */
	put16(b, 0); /* start frame */
	put(b, 0);
}

static void
l_worker(Buf *b, unsigned kind, unsigned delay)
{
	put(b, LOOPER_OP_WORKER);
	put(b, (kind << 6) | (delay & 0x3F));
}

static void
gen_looper(const char *dir)
{
	Buf b = { { 0 }, 0 };

	/* 8 kHz, room for 60000 frames: a quantized take of one bar (16000
	 * frames at 120 BPM), then overdub, mute with monitor off. */
	put(&b, 3);
	put16(&b, 59999);
	l_block(&b, 1000, 1, 0, 0); /* rolling at 120 BPM */
	l_control(&b, 0, 1);        /* arm */
	for (int i = 0; i < 4; ++i) {
		l_block(&b, 4096, 0, 0, 0);
	}
	l_control(&b, 0, 0);
	for (int i = 0; i < 6; ++i) {
		l_block(&b, 4096, 0, 0, 0);
	}
	l_control(&b, 0, 1); /* overdub */
	for (int i = 0; i < 5; ++i) {
		l_block(&b, 4096, 0, 0, 0);
	}
	l_control(&b, 0, 0);
	l_control(&b, 1, 1); /* mute */
	l_control(&b, 7, 0); /* monitor off */
	for (int i = 0; i < 5; ++i) {
		l_block(&b, 4096, 0, 0, 0);
	}
	save(dir, "looper", "quantized-take-overdub-mute", &b);

	/* No transport: a free take, loop_bars 1 ends a second one, clear,
	 * level and a full buffer. */
	b.n = 0;
	put(&b, 3);
	put16(&b, 9999);
	l_control(&b, 3, 0); /* quantize off */
	l_control(&b, 0, 1);
	l_block(&b, 3000, 0, 0, 0);
	l_control(&b, 0, 0);
	l_block(&b, 3000, 0, 0, 0);
	l_control(&b, 6, -20);
	l_control(&b, 5, 1); /* clear */
	l_block(&b, 512, 0, 0, 0);
	l_control(&b, 5, 0);
	l_control(&b, 2, 0); /* overdub off */
	l_control(&b, 4, 1); /* one bar: longer than the capacity */
	l_control(&b, 0, 1);
	for (int i = 0; i < 4; ++i) {
		l_block(&b, 4096, 0, 0, 0);
	}
	save(dir, "looper", "free-take-bars-full", &b);

	/* A quantized take interrupted by a stop and a locate, at 127 BPM. */
	b.n = 0;
	put(&b, 0);
	put16(&b, 65535);
	l_block(&b, 512, 1, 0, 2);
	l_control(&b, 3, 1); /* beat */
	l_control(&b, 0, 1);
	for (int i = 0; i < 8; ++i) {
		l_block(&b, 4096, 0, 0, 0);
	}
	l_block(&b, 256, 1, 1, 2); /* stop */
	l_block(&b, 256, 1, 0, 2); /* start */
	put(&b, LOOPER_OP_BLOCK);  /* a locate back */
	put16(&b, 2048);
	put(&b, 0);
	put(&b, 1);
	put16(&b, 100);
	put(&b, 0x01 | 0x02);
	put16(&b, (uint16_t)-300);
	put(&b, 0);
	for (int i = 0; i < 4; ++i) {
		l_block(&b, 4096, 0, 0, 0);
	}
	save(dir, "looper", "stop-locate-127bpm", &b);

	/* The restore path: a loop loaded while armed, anchored and free. */
	b.n = 0;
	put(&b, 3);
	put16(&b, 19999);
	l_control(&b, 0, 1);
	put(&b, LOOPER_OP_LOAD);
	put(&b, 2 | 8); /* any length, anchored */
	put32(&b, 7000);
	put(&b, 3);     /* exact = length + 3/64 */
	put16(&b, 500); /* start frame */
	put(&b, 0);
	l_block(&b, 1000, 1, 0, 0);
	for (int i = 0; i < 4; ++i) {
		l_block(&b, 4096, 0, 0, 0);
	}
	put(&b, LOOPER_OP_LOAD);
	put(&b, 1 | 64); /* about the capacity, fresh looper, free */
	put(&b, 2);
	put(&b, 0);
	put16(&b, 0);
	put(&b, 0);
	l_block(&b, 4096, 0, 0, 0);
	save(dir, "looper", "restore", &b);

	/* The control channel (16) plays the looper: 8 kHz, monitor off,
	 * quantize off.  Arm and disarm notes mid-block make a free take, a
	 * mute note silences it and a second brings it back; a track note and
	 * played notes around them, and a note back to track 1; with the
	 * transport rolling and MIDI clock and the track outputs on, an
	 * overdub by notes, then a clear note; a block without the stereo pair
	 * takes an arm note, the next block records, a disarm ends it; with
	 * the control channel disconnected (off) the same notes are routed. */
	b.n = 0;
	put(&b, 3);
	put16(&b, 19999);
	l_port(&b, ET_PORT_CONTROL_CHANNEL, 16);
	l_control(&b, 3, 0); /* quantize off */
	l_control(&b, 7, 0); /* monitor off */
	l_block(&b, 4096, 0, 0, 0);
	l_note(&b, 100, LOOPER_KEY_ARM, 100);
	l_midi(&b, 10, 0x90, 60, 100); /* played, channel 1 */
	l_block(&b, 4096, 0, 0, 0);
	l_note(&b, 2000, LOOPER_KEY_ARM, 100); /* a take of 5996 frames */
	l_note(&b, 0, LOOPER_KEY_ARM, 0x80);   /* its note-off: nothing */
	l_midi(&b, 5, 0x80, 60, 0);
	l_block(&b, 4096, 0, 0, 0);
	l_note(&b, 1000, LOOPER_KEY_MUTE, 100);
	l_block(&b, 4096, 0, 0, 0); /* silent */
	l_note(&b, 3000, LOOPER_KEY_MUTE, 100);
	l_note(&b, 0, LOOPER_KEY_TRACK2, 100);
	l_midi(&b, 1, 0x90, 62, 90);            /* to track 2 */
	l_note(&b, 10, LOOPER_KEY_TRACK1, 100); /* back to track 1's loop */
	l_port(&b, ET_PORT_TRACK_OUTS, 1);
	l_port(&b, ET_PORT_CLOCK_OUT, 1);
	l_block(&b, 4096, 1, 0, 0);           /* rolling at 120 BPM */
	l_note(&b, 100, LOOPER_KEY_ARM, 100); /* overdub */
	l_block(&b, 4096, 0, 0, 0);
	l_note(&b, 500, LOOPER_KEY_ARM, 100);
	l_midi(&b, 10, 0x80, 62, 0);
	l_block(&b, 4096, 0, 0, 0);
	l_note(&b, 200, LOOPER_KEY_CLEAR, 100);
	put(&b, LOOPER_OP_OTHER);
	put16(&b, 300);
	put(&b, 1);
	l_midi(&b, -50, 0x90, 64, 100); /* late: moved to frame 500 */
	l_port(&b, ET_PORT_TRACK_OUTS, 0);
	put(&b, LOOPER_OP_DRY_BLOCK);
	put16(&b, 1024);
	put(&b, 2); /* out_l missing */
	l_note(&b, 10, LOOPER_KEY_ARM, 100);
	l_block(&b, 4096, 0, 0, 0); /* records */
	l_note(&b, 1000, LOOPER_KEY_ARM, 100);
	l_block(&b, 2048, 0, 0, 0);
	put(&b, LOOPER_OP_PORT);
	put(&b, ET_PORT_CONTROL_CHANNEL);
	put(&b, 2); /* disconnected: off */
	l_block(&b, 512, 0, 0, 0);
	l_note(&b, 10, LOOPER_KEY_MUTE, 100); /* channel 16, routed */
	l_midi(&b, 0, 0x8F, 49, 0);
	save(dir, "looper", "control-channel-notes", &b);

	/* The eight loops, undo and the pool (issue 16): 8 kHz, loops of at
	 * most 16384 frames (four chunks) on a pool of as much, as the
	 * plugin's is to its capacity: it starts with one chunk and grows a
	 * chunk at a time; the worker answers a block late.  Control channel
	 * 16, quantize and monitor off, blocks of 2048 frames.  Track 1 takes
	 * 5900 frames, track 3 takes 2048 and overdubs a pass over them; the
	 * pass is undone by note, redone by note and undone by the loop_undo
	 * port.  With the worker's answers stopped, a take on track 2 finds
	 * the pool full: the oldest undo step goes (the store's reclaim), then
	 * the take ends (pool full).  Track 1 muted and track 3 at -6 dB by
	 * their ports; loop_mute silences all.  A flood of 24 notes (tracks,
	 * arm, undo, redo, clear, mute) and one of 12 port changes each with
	 * a block of 64 frames.  A restore of tracks 1, 3 and 8 (the last
	 * finds the pool at its limit), a failed answer, a load in place into
	 * track 6. */
	b.n = 0;
	put(&b, 3);
	put16(&b, 16383);
	put(&b, LOOPER_OP_LOOPS);
	put(&b, LOOPS_OP_POOL);
	put16(&b, 0); /* the pool is the capacity */
	l_worker(&b, 0, 1);
	l_port(&b, ET_PORT_CONTROL_CHANNEL, 16);
	l_control(&b, 3, 0); /* quantize off */
	l_control(&b, 7, 0); /* monitor off */
	l_block(&b, 2048, 0, 0, 0);
	l_note(&b, 100, LOOPER_KEY_ARM, 100);
	for (int i = 0; i < 2; ++i) {
		l_block(&b, 2048, 0, 0, 0);
	}
	l_note(&b, 0, LOOPER_KEY_ARM, 100); /* 5900 frames on track 1 */
	l_note(&b, 10, LOOPER_KEY_TRACK3, 100);
	l_note(&b, 10, LOOPER_KEY_ARM, 100);
	l_block(&b, 2048, 0, 0, 0);
	l_note(&b, 20, LOOPER_KEY_ARM, 100); /* 2048 frames on track 3 */
	l_block(&b, 2048, 0, 0, 0);
	l_note(&b, 20, LOOPER_KEY_ARM, 100); /* a pass over it */
	l_block(&b, 2048, 0, 0, 0);
	l_note(&b, 20, LOOPER_KEY_ARM, 100);
	l_block(&b, 2048, 0, 0, 0);
	l_note(&b, 100, LOOPER_KEY_UNDO, 100);
	l_note(&b, 100, LOOPER_KEY_REDO, 100);
	l_loop_port(&b, 1, 1); /* loop_undo's edge */
	l_block(&b, 2048, 0, 0, 0);
	l_loop_port(&b, 1, 0);
	l_note(&b, 100, LOOPER_KEY_REDO, 100); /* two undo steps again */
	l_worker(&b, 3, 0);                    /* no answers any more */
	l_block(&b, 2048, 0, 0, 0);
	l_note(&b, 10, LOOPER_KEY_TRACK2, 100);
	l_note(&b, 10, LOOPER_KEY_ARM, 100);
	for (int i = 0; i < 6; ++i) { /* the pool fills */
		l_block(&b, 2048, 0, 0, 0);
	}
	l_loop_port(&b, 4 + 0, 1);   /* track 1's loop muted */
	l_loop_port(&b, 12 + 2, -6); /* track 3's at -6 dB */
	l_block(&b, 2048, 0, 0, 0);
	l_control(&b, 1, 1); /* loop_mute: silence */
	for (int i = 0; i < 2; ++i) {
		l_block(&b, 2048, 0, 0, 0);
	}
	l_control(&b, 1, 0);
	l_loop_port(&b, 4 + 0, 0);
	l_worker(&b, 0, 0);
	l_block(&b, 2048, 0, 0, 0);
	l_flood(&b, 24, 80, 0, 0x1234);
	l_block(&b, 2048, 0, 0, 0);
	l_flood(&b, 12, 64, 1, 0xBEEF);
	l_block(&b, 2048, 0, 0, 0);
	put(&b, LOOPER_OP_LOOPS);
	put(&b, LOOPS_OP_RESTORE);
	put(&b, 0x85); /* tracks 1, 3 and 8 */
	l_load_operands(&b, 3000, false);
	l_load_operands(&b, 6000, false);
	l_load_operands(&b, 9000, false); /* no room left */
	l_block(&b, 2048, 0, 0, 0);
	l_worker(&b, 2, 0); /* the next request fails */
	l_block(&b, 2048, 0, 0, 0);
	l_worker(&b, 0, 0);
	put(&b, LOOPER_OP_LOOPS);
	put(&b, LOOPS_OP_LOAD);
	put(&b, 5); /* track 6, in place */
	l_load_operands(&b, 1000, false);
	l_note(&b, 0, LOOPER_KEY_TRACK6, 100);
	for (int i = 0; i < 2; ++i) {
		l_block(&b, 2048, 0, 0, 0);
	}
	save(dir, "looper", "eight-loops-undo-pool", &b);

	/* A loop's undo steps fill: 8 kHz, loops of at most 65536 frames on
	 * the default pool (room for two); control channel 16, quantize and
	 * monitor off.  A take of 1000 frames on track 4, then ten overdub
	 * passes of 100 frames (the stack keeps the eight newest steps), nine
	 * undo notes (the ninth finds none) and nine redo notes, a clear and
	 * its undo, and a flood of 32 loop notes on the one track. */
	b.n = 0;
	put(&b, 3);
	put16(&b, 65535);
	l_port(&b, ET_PORT_CONTROL_CHANNEL, 16);
	l_control(&b, 3, 0); /* quantize off */
	l_control(&b, 7, 0); /* monitor off */
	l_block(&b, 2048, 0, 0, 0);
	l_note(&b, 0, LOOPER_KEY_TRACK4, 100);
	l_note(&b, 0, LOOPER_KEY_ARM, 100);
	l_note(&b, 1000, LOOPER_KEY_ARM, 100);
	for (int i = 0; i < 10; ++i) {
		l_block(&b, 2048, 0, 0, 0);
		l_note(&b, 100, LOOPER_KEY_ARM, 100);
		l_note(&b, 100, LOOPER_KEY_ARM, 100);
	}
	l_block(&b, 2048, 0, 0, 0);
	for (int i = 0; i < 9; ++i) {
		l_note(&b, 100, LOOPER_KEY_UNDO, 100);
	}
	l_block(&b, 2048, 0, 0, 0);
	for (int i = 0; i < 9; ++i) {
		l_note(&b, 100, LOOPER_KEY_REDO, 100);
	}
	l_block(&b, 2048, 0, 0, 0);
	l_note(&b, 100, LOOPER_KEY_CLEAR, 100);
	l_note(&b, 100, LOOPER_KEY_UNDO, 100);
	l_block(&b, 2048, 0, 0, 0);
	l_flood(&b, 32, 40, 2, 0x0808);
	l_block(&b, 2048, 0, 0, 0);
	save(dir, "looper", "undo-steps-full", &b);
}

/* ----------------------------------------------------------------- state */

/* A sound file made by libsndfile, read back as bytes. */
static size_t
sound_file(uint8_t *out, size_t room, int format, int channels, int rate,
	   unsigned frames)
{
	char path[] = "/tmp/eighttrack-seed-XXXXXX";
	int  fd     = mkstemp(path);
	if (fd < 0) {
		exit(1);
	}
	close(fd);
	SF_INFO info    = { 0 };
	info.format     = format;
	info.channels   = channels;
	info.samplerate = rate;
	SNDFILE *f      = sf_open(path, SFM_WRITE, &info);
	if (!f) {
		fprintf(stderr, "gen_corpus: %s\n", sf_strerror(NULL));
		exit(1);
	}
	/* No PEAK chunk: it holds a time stamp, and seeds should not change.
	 */
	sf_command(f, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
	float frame[4] = { 0 };
	for (unsigned i = 0; i < frames; ++i) {
		for (int c = 0; c < channels; ++c) {
			frame[c] =
			    (float)((i * 7 + (unsigned)c * 3) % 50) / 50.0f -
			    0.5f;
		}
		sf_writef_float(f, frame, 1);
	}
	sf_close(f);
	FILE  *r = fopen(path, "rb");
	size_t n = r ? fread(out, 1, room, r) : 0;
	if (r) {
		fclose(r);
	}
	unlink(path);
	return n;
}

static void
state_prefix(Buf *b, unsigned rate_sel, unsigned capacity, uint32_t expected,
	     unsigned flags)
{
	b->n = 0;
	put(b, rate_sel);
	put16(b, capacity - 1);
	put32(b, expected);
	put(b, flags);
	putf64(b, (double)expected + 0.25);
	put64(b, 1000);
	putf64(b, 999.5);
}

static void
state_seed(const char *dir, const char *name, unsigned rate_sel,
	   unsigned capacity, uint32_t expected, unsigned flags, int format,
	   int channels, int rate, unsigned frames, size_t cut)
{
	Buf b;
	state_prefix(&b, rate_sel, capacity, expected, flags);
	size_t n = sound_file(b.b + b.n, sizeof(b.b) - b.n, format, channels,
			      rate, frames);
	if (cut && cut < n) {
		n = cut;
	}
	b.n += n;
	save(dir, "state", name, &b);
}

static void
gen_state(const char *dir)
{
	const int fl = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	state_seed(dir, "float-stereo", 0, 1000, 100, 0, fl, 2, 48000, 100, 0);
	state_seed(dir, "float-stereo-anchored-raw", 0, 1000, 100,
		   STATE_FLAG_ANCHORED | STATE_FLAG_RAW_PLACE, fl, 2, 48000,
		   100, 0);
	state_seed(dir, "unknown-length", 1, 500, 0, STATE_FLAG_UNKNOWN_LENGTH,
		   fl, 2, 44100, 300, 0);
	state_seed(dir, "pcm16", 0, 1000, 64, 0,
		   SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 48000, 64, 0);
	state_seed(dir, "mono", 0, 1000, 50, 0, fl, 1, 48000, 50, 0);
	state_seed(dir, "other-rate", 0, 1000, 50, 0, fl, 2, 44100, 50, 0);
	state_seed(dir, "too-long", 0, 20, 0, STATE_FLAG_UNKNOWN_LENGTH, fl, 2,
		   48000, 50, 0);
	state_seed(dir, "truncated", 0, 1000, 100, 0, fl, 2, 48000, 100, 200);
	state_seed(dir, "aiff", 0, 1000, 40, 0,
		   SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 2, 48000, 40, 0);

	/* A WAV whose data chunk claims far more frames than it holds. */
	Buf b;
	state_prefix(&b, 0, 65536, 0, STATE_FLAG_UNKNOWN_LENGTH);
	const size_t at = b.n;
	b.n += sound_file(b.b + b.n, sizeof(b.b) - b.n, fl, 2, 48000, 10);
	for (size_t i = at; i + 8 <= b.n; ++i) {
		if (!memcmp(b.b + i, "data", 4)) {
			b.b[i + 4] = b.b[i + 5] = b.b[i + 6] = 0xFF;
			b.b[i + 7]                           = 0x7F;
		}
	}
	save(dir, "state", "huge-claim", &b);

	/* Samples no loop may hold: NaN, infinities, 1e30, a denormal, -16.5
	 * (issue 14); read as they are, cleaned, and saved again over each
	 * thing a loop.wav may be.  And a FIFO where the file should be. */
	static const uint32_t bad[] = {
		0x7FC00000u, 0x7F800000u, 0xFF800000u,
		0x7149F2CAu, 0x00000001u, 0xC1840000u
	};
	static const struct {
		const char *name;
		unsigned    flags;
	} bad_seeds[] = {
		{ "non-finite", 0 },
		{ "save-new", STATE_FLAG_SAVE },
		{ "save-over-older",
		  STATE_FLAG_SAVE | STATE_SAVE_OVER_OLDER
					<< STATE_SAVE_OVER_SHIFT },
		{ "save-over-fifo",
		  STATE_FLAG_SAVE | STATE_SAVE_OVER_FIFO
					<< STATE_SAVE_OVER_SHIFT },
		{ "save-over-folder",
		  STATE_FLAG_SAVE | STATE_SAVE_OVER_FOLDER
					<< STATE_SAVE_OVER_SHIFT },
		{ "fifo", STATE_FLAG_FIFO },
	};
	for (size_t k = 0; k < sizeof(bad_seeds) / sizeof(bad_seeds[0]); ++k) {
		state_prefix(&b, 0, 1000, 100, bad_seeds[k].flags);
		const size_t start = b.n;
		b.n += sound_file(b.b + b.n, sizeof(b.b) - b.n, fl, 2, 48000,
				  100);
		for (size_t i = start; i + 8 <= b.n; ++i) {
			if (!memcmp(b.b + i, "data", 4)) {
				for (size_t j = 0;
				     j < sizeof(bad) / sizeof(bad[0]); ++j) {
					/* every 7th sample from frame 10 on,
					 * both channels */
					const size_t pos =
					    i + 8 + 4 * (20 + 7 * j);
					for (int byte = 0;
					     byte < 4 && pos + 4 <= b.n;
					     ++byte) {
						b.b[pos + (size_t)byte] =
						    (uint8_t)(bad[j] >>
							      (8 * byte));
					}
				}
				break;
			}
		}
		save(dir, "state", bad_seeds[k].name, &b);
	}

	state_prefix(&b, 0, 1000, 0, 0);
	save(dir, "state", "empty-file", &b);
	state_prefix(&b, 0, 1000, 0, 0);
	memcpy(b.b + b.n, "RIFF\x24\0\0\0WAVEfmt ", 16);
	b.n += 16;
	save(dir, "state", "riff-garbage", &b);
}

/* ----------------------------------------------------------------- clock */

/* A musical position with every field, at `delta` frames after the last. */
static void
c_position(Buf *b, unsigned delta, uint32_t frame, unsigned speed_sel,
	   unsigned bpm, unsigned meter, unsigned bar, double bar_beat,
	   unsigned log2_unit)
{
	put16(b, delta);
	put(b, 0x7F);
	put32(b, frame);
	put(b, speed_sel);
	put(b, bpm - 40);
	put(b, meter - 1);
	put16(b, bar);
	put16(b, (unsigned)(bar_beat * 1000.0 + 0.5));
	put(b, log2_unit);
}

static void
c_block(Buf *b, unsigned nframes, bool on, unsigned positions)
{
	put(b, CLOCK_OP_BLOCK);
	put16(b, nframes);
	put(b, on);
	put(b, positions);
}

static void
c_no_midi(Buf *b)
{
	put(b, 0);
}

static void
gen_clock(const char *dir)
{
	Buf b = { { 0 }, 0 };

	/* 120 BPM from the start, a position only at the start (Ardour when
	 * nothing changes), then a stop mid-block and a start elsewhere. */
	put(&b, 0);
	c_block(&b, 1024, true, 1);
	c_position(&b, 0, 0, 0, 120, 4, 0, 0.0, 2);
	c_no_midi(&b);
	for (int i = 0; i < 30; ++i) {
		c_block(&b, 1024, true, 0);
		c_no_midi(&b);
	}
	c_block(&b, 1024, true, 1);
	c_position(&b, 300, 31 * 1024 + 300, 1, 120, 4, 0, 1.3, 2);
	c_no_midi(&b);
	c_block(&b, 1024, true, 1);
	c_position(&b, 10, 96000, 0, 120, 4, 1, 0.0, 2);
	c_no_midi(&b);
	for (int i = 0; i < 10; ++i) {
		c_block(&b, 1024, true, 0);
		c_no_midi(&b);
	}
	save(dir, "clock", "start-stop-start", &b);

	/* Carla: a position at frame 0 of every block; a tempo change, a meter
	 * change to 6/8, then clock out switched off and on. */
	b.n = 0;
	put(&b, 1);
	for (unsigned i = 0; i < 40; ++i) {
		const uint32_t frame = i * 512;
		const double   beats = frame / 22050.0;
		c_block(&b, 512, i < 30 || i > 33, 1);
		c_position(&b, 0, frame, 0, i < 20 ? 120 : 90, i < 25 ? 4 : 6,
			   (unsigned)(beats / 4.0), fmod(beats, 4.0),
			   i < 25 ? 2 : 3);
		c_no_midi(&b);
	}
	save(dir, "clock", "every-block-tempo-meter", &b);

	/* A locate while rolling, varispeed and backwards; control notes. */
	b.n = 0;
	put(&b, 0);
	c_block(&b, 256, true, 1);
	c_position(&b, 0, 0, 0, 120, 4, 0, 0.0, 2);
	c_no_midi(&b);
	put(&b, CLOCK_OP_LOCATE);
	put64(&b, (uint64_t)(500000u) << 12);
	put(&b, 2);
	c_block(&b, 256, true, 0);
	put(&b, 3);
	const uint8_t notes[3][4] = { { 16, 0x9F, 37, 100 },
				      { 16, 0x8F, 37, 0 },
				      { 10, 0xB9, 123, 0 } };
	for (int i = 0; i < 3; ++i) {
		for (int j = 0; j < 4; ++j) {
			put(&b, notes[i][j]);
		}
		put(&b, 2);
	}
	put(&b, CLOCK_OP_LOCATE);
	put64(&b, (uint64_t)(900000u) << 12);
	put(&b, 3);
	for (int i = 0; i < 8; ++i) {
		c_block(&b, 256, true, 0);
		c_no_midi(&b);
	}
	save(dir, "clock", "locate-varispeed-backwards", &b);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "fuzz/corpus";
	mkdir(dir, 0777);
	gen_router(dir);
	gen_looper(dir);
	gen_state(dir);
	gen_clock(dir);
	return 0;
}

/* Shared by the fuzz harnesses, fuzz/replay_main.c and fuzz/gen_corpus.c:
 * a reader that turns the fuzzer's bytes into values (running dry yields
 * zeros, never an error), a check that aborts, and the opcodes each
 * harness decodes, so that the seed generator writes what they read. */
#ifndef ET_FUZZ_COMMON_H
#define ET_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant violation: a message, then abort() so that libFuzzer (and
 * the replay main) record the input as a crash. */
#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: invariant violated: %s\n",    \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

typedef struct {
	const uint8_t *p;
	size_t         n;
} FuzzInput;

static inline bool
fuzz_done(const FuzzInput *in)
{
	return in->n == 0;
}

static inline uint8_t
fuzz_u8(FuzzInput *in)
{
	if (!in->n) {
		return 0;
	}
	--in->n;
	return *in->p++;
}

static inline uint16_t
fuzz_u16(FuzzInput *in)
{
	const uint16_t lo = fuzz_u8(in);
	return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

static inline uint32_t
fuzz_u32(FuzzInput *in)
{
	const uint32_t lo = fuzz_u16(in);
	return lo | (uint32_t)fuzz_u16(in) << 16;
}

static inline uint64_t
fuzz_u64(FuzzInput *in)
{
	const uint64_t lo = fuzz_u32(in);
	return lo | (uint64_t)fuzz_u32(in) << 32;
}

static inline float
fuzz_f32(FuzzInput *in)
{
	const uint32_t bits = fuzz_u32(in);
	float          v;
	memcpy(&v, &bits, sizeof(v));
	return v;
}

static inline double
fuzz_f64(FuzzInput *in)
{
	const uint64_t bits = fuzz_u64(in);
	double         v;
	memcpy(&v, &bits, sizeof(v));
	return v;
}

/* ---- fuzz_router: opcode byte % ROUTER_OP_COUNT, then its operands.
 * ROUTER_OP_MIDI    frame delta u8, status u8, size code u8 (< 0xC0: the
 *                   status's own size, data bytes masked to 7 bits; else
 *                   size = code & 0x3F with raw bytes), then the bytes
 * ROUTER_OP_CONTROL port selector u8 (% 35: auto, active, thru, then the
 *                   32 track ports), mode u8 (bit0 raw float32 follows,
 *                   else an int8 follows; bit1 apply now, mid-block)
 * ROUTER_OP_BLOCK   nframes u16 (% 8193), output capacity u8 (* 8 bytes)
 * ROUTER_OP_FLUSH   et_router_flush at the current frame
 * ROUTER_OP_ALL_OFF et_router_all_off at the current frame */
enum {
	ROUTER_OP_MIDI = 0,
	ROUTER_OP_CONTROL,
	ROUTER_OP_BLOCK,
	ROUTER_OP_FLUSH,
	ROUTER_OP_ALL_OFF,
	ROUTER_OP_COUNT
};

/* ---- fuzz_looper: header rate selector u8, capacity u16 (+1), then
 * opcodes (looper_op(byte)):
 * LOOPER_OP_CONTROL port selector u8 (% 8: arm, mute, overdub, quantize,
 *                   bars, clear, level, monitor), mode u8 (bit0 raw
 *                   float32, else int8), value; read at the next block
 * LOOPER_OP_BLOCK   begins a block: nframes u16 (% 8193), audio mode u8,
 *                   audio operands, position count u8 (% 4), each: frame
 *                   delta u16, flags u8, fields (see read_position in
 *                   fuzz_looper.c).  The block stays open for the event
 *                   ops below; the next BLOCK, DRY_BLOCK or LOAD, or the
 *                   input's end, ends it
 * LOOPER_OP_LOAD    the restore path, into track 1's loop: see op_load in
 *                   fuzz_looper.c
 * LOOPER_OP_MIDI    frame step i16 (from the latest event's frame;
 *                   backwards is a late event), status u8, size code u8
 *                   (< 0xC0: the status's own size, data bytes masked to 7
 *                   bits; else size = code & 0x3F with raw bytes), the
 *                   bytes
 * LOOPER_OP_NOTE    a note on the control channel (16 while it is off):
 *                   frame step i16, key selector u8 (< 0xF0: a
 *                   LOOPER_KEY_*, % LOOPER_KEY_COUNT; else the key
 *                   (sel & 15) * 8 + 7), velocity u8 (bit 7: a note-off)
 * LOOPER_OP_POSITION frame step i16, then as a BLOCK's position
 * LOOPER_OP_PORT    any port: index u8 (% ET_PORT_COUNT; only control
 *                   inputs are read), mode u8 (bit1 disconnected; else
 *                   bit0 raw float32, or int8, value follows); read at the
 *                   next block
 * LOOPER_OP_OTHER   frame step i16, timed u8 (bit0): et_engine_other
 * LOOPER_OP_DRY_BLOCK begins a block without the whole stereo pair:
 *                   nframes u16 (% 8193), missing buffer u8 (% 4: in l, in
 *                   r, out l, out r)
 * LOOPER_OP_LOOPS   the eight loops: sub-op u8 (% LOOPS_OP_COUNT), then
 *   LOOPS_OP_PORT     selector u8 (% 20: active_track, loop_undo,
 *                     loop_redo, loop_mute, track1..8_loop_mute,
 *                     track1..8_loop_level), mode u8 (bit0 raw float32,
 *                     else int8), value; read at the next block
 *   LOOPS_OP_FLOOD    count u8 (% 32, + 1), step u8, mode u8 (bit0: by
 *                     ports, each change followed by a block of step
 *                     frames; else notes on the control channel step
 *                     frames apart; bit1: arms in place of track changes),
 *                     seed u16 (picks track, arm, undo, redo, clear or
 *                     mute for each)
 *   LOOPS_OP_LOAD     track u8 (% 8), then as LOOPER_OP_LOAD
 *   LOOPS_OP_RESTORE  track mask u8, then for each track in it a load's
 *                     operands (its "fresh" bit unread): fresh recorders
 *                     with those loops, handed to the engine
 *   LOOPS_OP_POOL     u16: the pool's limit from the capacity (0) to two
 *                     loops' worth (65535), the default; only before the
 *                     first block or load
 * LOOPER_OP_WORKER  mode u8: the worker answers the next requests of the
 *                   pool after bits 0-5 blocks (0: before the next block)
 *                   with a segment (bits 6-7: 0 or 1), a failure (2), or
 *                   never (3); at first: a segment before the next block
 * MIDI, NOTE, POSITION and OTHER with no block open are read and dropped.
 *
 * The first three were the whole encoding when the regressions were
 * found: any byte below LOOPER_OP_MIDI still selects one of them (byte %
 * 3), so that those inputs replay as they were found; the bytes from
 * LOOPER_OP_MIDI up select the engine's event ops and the eight loops'. */
enum {
	LOOPER_OP_CONTROL = 0,
	LOOPER_OP_BLOCK,
	LOOPER_OP_LOAD,
	LOOPER_OP_FIRST_COUNT, /* the modulus of the bytes below 0xF8 */
	LOOPER_OP_MIDI = 0xF8,
	LOOPER_OP_NOTE,
	LOOPER_OP_POSITION,
	LOOPER_OP_PORT,
	LOOPER_OP_OTHER,
	LOOPER_OP_DRY_BLOCK,
	LOOPER_OP_LOOPS,
	LOOPER_OP_WORKER,
	LOOPER_OP_END
};

enum {
	LOOPS_OP_PORT = 0,
	LOOPS_OP_FLOOD,
	LOOPS_OP_LOAD,
	LOOPS_OP_RESTORE,
	LOOPS_OP_POOL,
	LOOPS_OP_COUNT
};

/* The keys of LOOPER_OP_NOTE (the first six were its first). */
enum {
	LOOPER_KEY_ARM = 0,
	LOOPER_KEY_MUTE,
	LOOPER_KEY_CLEAR,
	LOOPER_KEY_TRACK1,
	LOOPER_KEY_TRACK2,
	LOOPER_KEY_TRACK8,
	LOOPER_KEY_UNDO,
	LOOPER_KEY_REDO,
	LOOPER_KEY_TRACK3,
	LOOPER_KEY_TRACK4,
	LOOPER_KEY_TRACK5,
	LOOPER_KEY_TRACK6,
	LOOPER_KEY_TRACK7,
	LOOPER_KEY_COUNT
};

static inline unsigned
looper_op(uint8_t byte)
{
	if (byte < LOOPER_OP_MIDI) {
		return byte % LOOPER_OP_FIRST_COUNT;
	}
	return LOOPER_OP_MIDI + (unsigned)(byte - LOOPER_OP_MIDI) %
				    (LOOPER_OP_END - LOOPER_OP_MIDI);
}

/* ---- fuzz_clock: header rate selector u8, then opcodes (byte %
 * CLOCK_OP_COUNT):
 * CLOCK_OP_BLOCK    nframes u16 (% 8193), clock_out u8 (bit0), then a
 *                   position count u8 (% 5), each: frame delta u16, flags
 *                   u8 (bits 0..6: frame, speed, bpm, meter, bar, barBeat,
 *                   beatUnit present; bit7: raw f64 values), the fields
 *                   (musical: frame u32, speed selector u8, bpm - 40 u8,
 *                   meter - 1 u8, bar u16, barBeat * 1000 u16, log2 beat
 *                   unit u8; raw: seven f64), then a MIDI count u8 (% 8),
 *                   each: control channel u8, 3 bytes, size code u8
 * CLOCK_OP_LOCATE   a position at frame 0 of the next block only: frame
 *                   i64, speed selector u8 */
enum { CLOCK_OP_BLOCK = 0, CLOCK_OP_LOCATE, CLOCK_OP_COUNT };

/* ---- fuzz_state: a STATE_PREFIX-byte header, then the file's bytes.
 * [0] rate selector, [1..2] capacity - 1, [3..6] expected length,
 * [7] flags (STATE_FLAG_*), [8..15] exact length (f64),
 * [16..23] start frame (i64), [24..31] start exact (f64) */
#define STATE_PREFIX 32
enum {
	STATE_FLAG_UNKNOWN_LENGTH = 1u << 0, /* expected length 0 */
	STATE_FLAG_ANCHORED       = 1u << 1,
	STATE_FLAG_RAW_PLACE      = 1u << 2, /* else exact = length, start 0 */
	/* A loop that reads is saved again (et_loopfile_write_why) to a
	 * loop.wav over what bits 4-5 put there first (STATE_SAVE_OVER_*),
	 * and read back. */
	STATE_FLAG_SAVE = 1u << 3,
	STATE_FLAG_FIFO = 1u << 6 /* the path read is a FIFO */
};
#define STATE_SAVE_OVER_SHIFT 4
enum {
	STATE_SAVE_OVER_NOTHING = 0,
	STATE_SAVE_OVER_OLDER   = 1, /* an older loop file */
	STATE_SAVE_OVER_FIFO    = 2,
	STATE_SAVE_OVER_FOLDER  = 3 /* the save must fail, the folder stay */
};

/* The size a message with this status has when it is well formed. */
static inline uint32_t
fuzz_midi_size(uint8_t status, uint8_t code)
{
	if (status < 0x80) {
		return 3;
	}
	switch (status & 0xF0) {
	case 0xC0:
	case 0xD0: return 2;
	case 0xF0: break;
	default: return 3;
	}
	switch (status) {
	case 0xF0: return 2u + code % 8u; /* SysEx, with its 0xF7 */
	case 0xF1:
	case 0xF3: return 2;
	case 0xF2: return 3;
	default: return 1;
	}
}

/* A MIDI message from the input, well formed or not: a status byte and a
 * code that says its size (>= 0xC0: any 0..63 bytes, raw; else the size a
 * well-formed message with that status has, data bytes below 0x80, a
 * SysEx ended by 0xF7).  Malloc'd with exactly *size bytes (at least one),
 * so that ASan sees any read past the message; the caller frees it. */
static inline uint8_t *
fuzz_midi_message(FuzzInput *in, uint32_t *size)
{
	const uint8_t status = fuzz_u8(in);
	const uint8_t code   = fuzz_u8(in);
	const bool    raw    = code >= 0xC0;
	*size = raw ? (uint32_t)(code & 0x3F) : fuzz_midi_size(status, code);
	uint8_t *msg = (uint8_t *)malloc(*size ? *size : 1);
	FUZZ_CHECK(msg != NULL);
	if (*size) {
		msg[0] = status;
		for (uint32_t i = 1; i < *size; ++i) {
			const uint8_t b = fuzz_u8(in);
			msg[i]          = raw ? b : (uint8_t)(b & 0x7F);
		}
		if (!raw && status == 0xF0)
			msg[*size - 1] = 0xF7;
	}
	return msg;
}

#endif

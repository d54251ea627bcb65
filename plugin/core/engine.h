/* engine: one block of Eighttrack, as the core sees it.
 *
 * The engine owns the musical modules (router, transport clock, MIDI clock,
 * looper) and the order in which they act within a block; the LV2 glue only
 * reads ports and atoms, calls these functions and writes what comes out.
 * A block is:
 *
 *   et_engine_begin()     the control inputs (what changed is found here)
 *   et_engine_midi()      each event in frame order: MIDI,
 *   et_engine_position()  a transport position,
 *   et_engine_other()     or anything else that holds a place in the order
 *   et_engine_end()       the rest of the audio; the output controls
 *                         (or et_engine_settle(), then
 *                         et_engine_write_audio())
 *
 * Within it the engine keeps what the glue used to: audio is rendered span
 * by span up to each position and control-channel note, MIDI clock goes
 * out before what an event causes, a frame out of order or past the block
 * is moved to the nearest valid one (and counted), and the ports that
 * notes on the control channel can also move (active track, loop arm,
 * loop mute) follow the latest of the two.
 *
 * Real-time safe: nothing here allocates, locks or makes a system call,
 * except et_engine_init() and et_engine_free().  No LV2: MIDI goes out
 * through EtSink, control values come in as floats by port index
 * (ports.h). */
#ifndef ET_ENGINE_H
#define ET_ENGINE_H

#include "calibrate.h"
#include "clock.h"
#include "looper.h"
#include "midiclock.h"
#include "ports.h"
#include "recorders.h"
#include "router.h"

#include <stdbool.h>
#include <stdint.h>

/* The loop recorder's pool grows to this much stereo audio (8 minutes),
 * all of which one loop may use; it starts with ET_POOL_FIRST_SECONDS
 * (about 6 MB at 48 kHz) and grows in the worker, that much at a time,
 * ahead of need. */
#define ET_LOOP_CAPACITY_SECONDS 480.0
#define ET_POOL_FIRST_SECONDS    16.0

/* Frames of loop for a sample rate in 1 .. 1e6 (what et_engine_init()
 * accepts). */
uint32_t et_loop_capacity_frames(double rate);

/* The eight loops with the pool above: the engine's own, and the ones a
 * restore loads into (et_engine_swap_recorders).  NULL when out of
 * memory.  Not real-time. */
EtRecorders *et_engine_new_recorders(double rate);

/* Eight loops of at most capacity_frames each (at least 1), sharing a
 * pool limited to pool_frames (at least capacity_frames, as the plugin's
 * is to its capacity: one loop may use all of it) that starts with a
 * quarter of it (at least one chunk) and grows as the plugin's does, a
 * quarter at a time: for tests and fuzzers, which fill a loop, the pool
 * and its growth in a few blocks.  NULL for sizes out of range or out of
 * memory.  Not real-time. */
EtRecorders *et_engine_new_recorders_capacity(double   rate,
					      uint32_t capacity_frames,
					      uint32_t pool_frames);

/* The audio ports of a block; all four or none (out_l NULL): without a
 * whole stereo pair the looper is left alone. */
typedef struct {
	const float *in_l, *in_r;
	float       *out_l, *out_r;
} EtEngineAudio;

/* How the latest calibration ended (serial counts them; 0: none yet),
 * for the log and the UI. */
typedef struct {
	uint32_t            serial;
	uint8_t             track;   /* 0..7 */
	bool                refused; /* a take or pass ran, or no audio */
	EtCalibrationResult result;
} EtCalibrationReport;

typedef struct {
	double rate;

	/* What each control input sanitizes to (et_port_sanitize), by port
	 * index. */
	float control_value[ET_PORT_COUNT];
	/* The control inputs, densely, c = 0 .. control_in_count - 1: port
	 * index, where the value is read (the connected port, or the port's
	 * default while unconnected: et_engine_connect_control) and its last
	 * raw value (its bits).  Most blocks change nothing, so a block's
	 * read is a load and a compare per port.  control_slot: port index
	 * to c (uint8_t: see the assertion in engine.c). */
	uint8_t      control_in[ET_PORT_COUNT];
	uint8_t      control_slot[ET_PORT_COUNT];
	uint32_t     control_in_count;
	const float *control_src[ET_PORT_COUNT];
	uint32_t     control_seen[ET_PORT_COUNT];
	/* How the scan for a change reads them (plan_scan in engine.c),
	 * planned again after a port is connected elsewhere: runs of slots
	 * whose values lie side by side (first slot, length), and the slots
	 * in none. */
	bool     scan_stale;
	uint32_t scan_runs, scan_lone;
	uint8_t  scan_run_first[ET_PORT_COUNT], scan_run_len[ET_PORT_COUNT];
	uint8_t  scan_lone_slot[ET_PORT_COUNT];

	EtRouter         router;
	EtRouterControls router_controls; /* what the router was last given */
	EtClock          clock;
	EtMidiClock      midiclock;
	EtRecorders     *recorders;
	bool             restored; /* recorders swapped in: baseline */
	bool controls_read;        /* the first block has read the controls */

	/* The active track, loop arm and loop mute can be moved both by their
	 * ports and by notes on control_channel.  What the plugin obeys is the
	 * latest of the two: a port's new value wins when it changes, a note
	 * wins until the port changes again, or a restore resets all three to
	 * the ports. */
	struct {
		float   port_active, port_arm, port_mute; /* as last read */
		uint8_t active_track;                     /* 0..7 */
		bool    arm, mute;
	} latch;

	/* track_outs: the track outputs carry events (the glue's sink looks).
	 */
	bool track_outs;

	/* The block under way. */
	uint32_t           nframes;
	EtEngineAudio      audio;
	EtSink             sink;       /* midi_out, and a track's output */
	EtSink             track_sink; /* a track's output alone */
	EtRecorderControls looper_controls; /* read when a port changes */
	uint32_t rendered;   /* looper audio is done up to this frame */
	uint32_t at;         /* the latest event's frame */
	uint32_t last_frame; /* of the block: where later events go */
	uint8_t  control_channel;
	bool     clock_out;

	/* Events moved because they were out of order or past the block. */
	uint32_t late_events;

	/* Round-trip calibration (calibrate.h): the track it measures, this
	 * block's test notes (sent as the block reaches their frames), and
	 * how the latest one ended. */
	EtCalibrator        calibrator;
	bool                calibrate_port; /* the trigger's last value */
	uint8_t             calibrating;    /* the track measured */
	EtCalibratorNotes   test_notes;
	uint32_t            test_notes_sent;
	EtCalibrationReport calibration;
} EtEngine;

/* Sets up a new engine at `rate` (1 .. 1e6; false otherwise, or when the
 * loop memory cannot be allocated), its controls at the ports' defaults. */
bool et_engine_init(EtEngine *e, double rate);
/* The same with et_engine_new_recorders_capacity()'s loops (false for
 * sizes it refuses). */
bool et_engine_init_capacity(EtEngine *e, double rate,
			     uint32_t capacity_frames, uint32_t pool_frames);
void et_engine_free(EtEngine *e);

/* Hands the engine loops built elsewhere (a state restore) and returns
 * the ones it had, which the caller frees when run() can no longer read
 * them.  The next et_engine_begin() takes the control values as the new
 * loops' baseline: a session saved while armed does not start recording
 * when it is loaded. */
EtRecorders *et_engine_swap_recorders(EtEngine *e, EtRecorders *recorders);

/* Where control input `index` is read from now on (NULL: unconnected,
 * read as its default); other ports are ignored.  Cheap, any time between
 * blocks: what the glue's connect_port() calls. */
void et_engine_connect_control(EtEngine *e, uint32_t index,
			       const float *value);

/* Starts a block of nframes.  controls, if not NULL, is a table by port
 * index that is connected first, as et_engine_connect_control() would for
 * each control input (other ports' entries are not read); NULL reads the
 * ports connected before.  sink takes every MIDI event (the merged output, and
 * the event's track output while e->track_outs); track_sink is used only to
 * end, on the track outputs alone, what they hold when track_outs goes
 * off. */
void et_engine_begin(EtEngine *e, const float *const controls[ET_PORT_COUNT],
		     uint32_t nframes, const EtEngineAudio *audio,
		     const EtSink *sink, const EtSink *track_sink);

/* A MIDI message at `frame` of the block: routed, or acted on if it is a
 * control-channel note, or dropped if MIDI clock out replaces it. */
void et_engine_midi(EtEngine *e, int64_t frame, const uint8_t *msg,
		    uint32_t size);

/* A transport position at `frame`: audio up to it plays by the old one. */
void et_engine_position(EtEngine *e, int64_t frame, const EtPosition *pos);

/* Any other event at `frame`, which holds its place in the order;
 * `timed` says whether a frame out of order counts as a late event
 * (messages from a UI carry no time of their own). */
void et_engine_other(EtEngine *e, int64_t frame, bool timed);

/* Ends the block: the rest of the audio, the MIDI clock to its end. */
void et_engine_end(EtEngine *e);
/* et_engine_end() in two steps: everything but the block's last pass over
 * the audio output (every loop's state, the MIDI, the output controls are
 * final after it), then that pass.  run() does its other work between the
 * two, so that nothing waits behind the output's stores (a load whose
 * address shares its low 12 bits with a store still in flight waits for
 * it); the audio input and output must not change in between. */
void et_engine_settle(EtEngine *e);
void et_engine_write_audio(EtEngine *e);

/* The output controls after et_engine_end(): the active track's loop, and
 * track t's loop state. */
float et_engine_loop_state(const EtEngine *e);
float et_engine_loop_length(const EtEngine *e); /* seconds */
float et_engine_loop_position(const EtEngine *e);
float et_engine_track_loop_state(const EtEngine *e, unsigned track);
/* Round-trip compensation: the active track's latency in effect, in ms
 * (the latency port); a track's measured value (NaN: none), which its
 * next take or pass is compensated by, with latency_offset added. */
float et_engine_latency_ms(const EtEngine *e);
/* calibrate's 0 -> 1 edge measures the active track's round trip: test
 * notes through the router (et_router_test_note_on), the answer timed at
 * the audio input, the median kept as the track's measured value (a
 * failure keeps the old one).  Refused while a take or pass runs.  How
 * the latest one ended: */
const EtCalibrationReport *et_engine_calibration(const EtEngine *e);
void et_engine_set_measured_latency(EtEngine *e, unsigned track, float ms);
/* Every track's loop state at once. */
void et_engine_track_loop_states(const EtEngine *e,
				 float           state[ET_TRACK_COUNT]);
/* Every output control at once, as the getters above give them: what
 * run() writes each block (a loop asleep is not looked at). */
typedef struct {
	float loop_state, loop_length, loop_position, latency_ms;
	float track_state[ET_TRACK_COUNT];
} EtEngineOutputs;
void et_engine_outputs(const EtEngine *e, EtEngineOutputs *out);
/* The active track's loop (the UI's waveform). */
const EtLooper *et_engine_active_loop(const EtEngine *e);

/* A control input's value as the engine obeys it: never NaN, clamped to
 * the port's range and rounded on integer ports. */
float et_engine_control(const EtEngine *e, uint32_t index);

/* The router's and the looper's controls read from sanitized port values
 * (values[i] as et_port_sanitize() gives them), as a block reads them,
 * for the fuzzers and tests that drive a module alone. */
void et_engine_router_controls(const float       values[ET_PORT_COUNT],
			       EtRouterControls *out);
void et_engine_looper_controls(const float       values[ET_PORT_COUNT],
			       EtLooperControls *out);
void et_engine_recorder_controls(const float         values[ET_PORT_COUNT],
				 EtRecorderControls *out);

#endif

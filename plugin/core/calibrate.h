/* calibrate: measures a hardware synth's round trip (interface.md,
 * "Round-trip compensation").
 *
 * A state machine fed block by block.  It sends a few short test notes and
 * finds, in the stereo input, where each one's sound begins; the median of
 * the answered notes' latencies is the result.  It only says which note to
 * send and at which frame of the block: the engine routes them to the
 * active track's channel.  No LV2, no allocation, no lock, no pointer
 * inside: the struct is plain data (a copy is a snapshot).
 *
 * One test note, in order:
 *   1. floor: a quiet window (ET_CALIBRATOR_FLOOR_SECONDS) measures the
 *      input's offset (DC) and its noise peak, per channel.  A window that
 *      is not quiet yet (the previous answer still decaying) is measured
 *      again, up to ET_CALIBRATOR_MAX_WAIT_SECONDS.
 *   2. the note-on, at the frame after the window; its note-off
 *      ET_CALIBRATOR_NOTE_SECONDS later.
 *   3. listening, from the note-on's frame, for up to
 *      ET_CALIBRATOR_LISTEN_SECONDS: the answer is the first frame that
 *      rises ET_CALIBRATOR_ANSWER_OVER_NOISE times above the noise peak;
 *      its onset is the start of the excursion above
 *      ET_CALIBRATOR_ONSET_OVER_NOISE times the noise peak that led to it
 *      (one with no quiet gap of ET_CALIBRATOR_GAP_SECONDS inside).
 *
 * Decisions beyond interface.md:
 * - ET_CALIBRATOR_NOTES (5) notes: the median of five ignores two bad
 *   ones (a missed note, a noise burst), and five answers at the longest
 *   latency still take under five seconds.
 * - Note 60, velocity 100, 40 ms: middle C is inside every keyboard's range
 *   and the range every patch is voiced for; 100 is a firm playing
 *   velocity, loud above the floor without the special layer some
 *   instruments keep for 127; 40 ms opens any envelope (a gate shorter than
 *   a slow synth's key scan may be missed) and releases soon, so the sound
 *   is over before the next note.
 * - The onset is found per frame on the larger of the two channels'
 *   distances from their offset: a mono synth may come in on either side,
 *   and DC drops out.  A clipped answer is just a loud one.
 * - Two notes in a row with no answer end the calibration: the synth does
 *   not answer (failure if none did before), and the time stays bounded.
 * - Every answer within the listening second counts for the median and
 *   the spread; a median beyond ET_CALIBRATOR_MAX_LATENCY_SECONDS is
 *   ET_CALIBRATION_TOO_LATE (the latency is reported, and is not used).
 * - Cancel while a test note sounds hands its note-off back to the caller.
 * - Not guarded against: an answer more than a second late lands in a
 *   later note's window and is taken for that note's (1.2 s after a note
 *   sent 1.05 s before the next reads as 150 ms).  Such a setup is far
 *   beyond the 500 ms that can be compensated; guarding would cost a
 *   second of waiting after every silent note.
 *
 * Time: at most (floor + max wait + listen) per note, and the listening
 * ends at the answer: five answers at 499 ms with a 150 ms decay take
 * about 3.5 s; a synth that never answers fails after about 2.1 s.
 */
#ifndef ET_CALIBRATE_H
#define ET_CALIBRATE_H

#include <stdbool.h>
#include <stdint.h>

#define ET_CALIBRATOR_NOTES    5
#define ET_CALIBRATOR_NOTE     60
#define ET_CALIBRATOR_VELOCITY 100

#define ET_CALIBRATOR_NOTE_SECONDS        0.040
#define ET_CALIBRATOR_FLOOR_SECONDS       0.050
#define ET_CALIBRATOR_LISTEN_SECONDS      1.0
#define ET_CALIBRATOR_MAX_WAIT_SECONDS    0.5
#define ET_CALIBRATOR_MAX_LATENCY_SECONDS 0.5
/* Inside a soft attack the waveform crosses zero; shorter dips below the
 * onset threshold than this keep the excursion going. */
#define ET_CALIBRATOR_GAP_SECONDS 0.001

/* Thresholds, as multiples of the noise peak measured before each note. */
#define ET_CALIBRATOR_ONSET_OVER_NOISE  1.5
#define ET_CALIBRATOR_ANSWER_OVER_NOISE 4.0
/* Thresholds never go below these, whatever the floor (an interface with
 * digital silence): -70 dBFS for the onset, -50 dBFS for an answer. */
#define ET_CALIBRATOR_ONSET_MIN  0.000316
#define ET_CALIBRATOR_ANSWER_MIN 0.00316
/* A floor whose peak is above -20 dBFS leaves no room for an answer. */
#define ET_CALIBRATOR_MAX_FLOOR 0.1
/* A window is quiet again when its peak is within twice the first
 * note's floor (plus -80 dBFS, for digital silence). */
#define ET_CALIBRATOR_QUIET_OVER_FLOOR 2.0
#define ET_CALIBRATOR_QUIET_MARGIN     0.0001

typedef enum {
	ET_CALIBRATION_IDLE = 0,
	ET_CALIBRATION_RUNNING,
	ET_CALIBRATION_DONE,
	ET_CALIBRATION_FAILED
} EtCalibrationState;

typedef enum {
	ET_CALIBRATION_OK = 0,
	ET_CALIBRATION_NO_ANSWER, /* nothing came back within a second */
	ET_CALIBRATION_TOO_LATE,  /* answered beyond the 500 ms maximum */
	ET_CALIBRATION_INPUT_NOT_QUIET, /* no quiet floor to measure against */
	ET_CALIBRATION_CANCELLED,
	ET_CALIBRATION_REASON_COUNT
} EtCalibrationReason;

/* A test note to send at `frame` of the block being processed. */
typedef struct {
	uint32_t frame;
	bool     on; /* note-on, else note-off */
	uint8_t  note;
	uint8_t  velocity; /* 0 for a note-off */
} EtCalibratorNote;

/* Every note of a calibration fits in one block, whatever its size. */
#define ET_CALIBRATOR_EVENTS_MAX (2 * ET_CALIBRATOR_NOTES)

typedef struct {
	uint32_t         count;
	EtCalibratorNote note[ET_CALIBRATOR_EVENTS_MAX];
} EtCalibratorNotes;

typedef struct {
	EtCalibrationState  state;
	EtCalibrationReason reason;         /* why FAILED; else OK */
	uint32_t            latency_frames; /* the median (DONE, TOO_LATE) */
	uint32_t            spread_frames;  /* max - min of the answers */
	uint32_t            notes_sent;
	uint32_t            notes_answered;
} EtCalibrationResult;

/* Public so that it can be embedded; read it through the functions. */
typedef struct {
	/* Lengths in frames, from the rate at init. */
	uint64_t note_frames, floor_frames, listen_frames, max_wait_frames,
	    max_latency_frames, gap_frames;

	EtCalibrationState  state;
	EtCalibrationReason reason;
	int                 phase; /* what the frames now go to */
	uint64_t            frame; /* frames since start */
	uint32_t            sent;  /* notes sent so far */
	uint32_t            silent_in_a_row;
	bool                sounding; /* a note-on whose note-off is due */
	uint64_t            note_on_frame, note_off_frame;

	/* The floor window being measured, and since when we wait. */
	uint64_t window_count, wait_start_frame;
	float    window_min[2], window_max[2];
	bool     has_reference;
	float    reference_peak; /* the first note's noise peak */

	/* What the listening compares against: from this note's floor. */
	float    offset[2];
	float    onset_threshold, answer_threshold;
	bool     in_excursion;
	uint64_t excursion_start_frame, last_loud_frame;

	uint32_t answered;
	uint32_t latency[ET_CALIBRATOR_NOTES]; /* frames, in answer order */
} EtCalibrator;

/* Idle, with lengths for this sample rate. */
void et_calibrator_init(EtCalibrator *c, double sample_rate);

/* Starts a calibration at the next processed frame; false (and nothing
 * changes) while one runs. */
bool et_calibrator_start(EtCalibrator *c);

/* Stops a running calibration (FAILED, CANCELLED).  Returns true when a
 * test note is sounding: send *note_off now (its frame is 0; the caller
 * knows the frame it cancels at).  False otherwise, and for one not
 * running. */
bool et_calibrator_cancel(EtCalibrator *c, EtCalibratorNote *note_off);

/* One block of the stereo input (in_r may be NULL for a mono input), any
 * size.  The input is read before it returns, so call it before anything
 * writes the buffers of a host that runs in place.  out gets the test
 * notes to send in this block, in frame order.  Real-time safe. */
EtCalibrationState et_calibrator_process(EtCalibrator *c, const float *in_l,
					 const float *in_r, uint32_t nframes,
					 EtCalibratorNotes *out);

EtCalibrationResult et_calibrator_result(const EtCalibrator *c);

/* Whether one runs: what the engine asks every block, without a copy of
 * the result. */
static inline bool
et_calibrator_running(const EtCalibrator *c)
{
	return c->state == ET_CALIBRATION_RUNNING;
}

/* What a reason means, for the log. */
const char *et_calibrator_strerror(EtCalibrationReason reason);

#endif

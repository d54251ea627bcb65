/* calibrate: the round-trip measurement, frame by frame (calibrate.h). */
#include "calibrate.h"

#include <math.h>
#include <stddef.h>

/* Two notes in a row with no answer end it (calibrate.h). */
#define SILENT_NOTES_TO_GIVE_UP 2

enum {
	PHASE_FLOOR,       /* measuring the quiet window before a note */
	PHASE_NOTE_ON_DUE, /* a quiet window: the note-on is this frame */
	PHASE_LISTEN,      /* looking for the answer's onset */
	PHASE_FINISHING    /* no more notes: waiting for the last note-off */
};

static uint64_t
frames_for(double seconds, double sample_rate)
{
	const double frames = round(seconds * sample_rate);
	/* NaN and absurd rates still give a working (if useless) machine. */
	return frames >= 1.0 ? (uint64_t)frames : 1;
}

void
et_calibrator_init(EtCalibrator *c, double sample_rate)
{
	*c              = (EtCalibrator){ 0 };
	c->note_frames  = frames_for(ET_CALIBRATOR_NOTE_SECONDS, sample_rate);
	c->floor_frames = frames_for(ET_CALIBRATOR_FLOOR_SECONDS, sample_rate);
	c->listen_frames =
	    frames_for(ET_CALIBRATOR_LISTEN_SECONDS, sample_rate);
	c->max_wait_frames =
	    frames_for(ET_CALIBRATOR_MAX_WAIT_SECONDS, sample_rate);
	c->max_latency_frames =
	    frames_for(ET_CALIBRATOR_MAX_LATENCY_SECONDS, sample_rate);
	c->gap_frames = frames_for(ET_CALIBRATOR_GAP_SECONDS, sample_rate);
	c->state      = ET_CALIBRATION_IDLE;
	c->reason     = ET_CALIBRATION_OK;
}

/* A new floor window begins at the next frame; the wait for quiet counts
 * from there. */
static void
begin_floor(EtCalibrator *c, uint64_t first_frame)
{
	c->phase            = PHASE_FLOOR;
	c->window_count     = 0;
	c->wait_start_frame = first_frame;
}

bool
et_calibrator_start(EtCalibrator *c)
{
	if (c->state == ET_CALIBRATION_RUNNING) {
		return false;
	}
	c->state           = ET_CALIBRATION_RUNNING;
	c->reason          = ET_CALIBRATION_OK;
	c->frame           = 0;
	c->sent            = 0;
	c->answered        = 0;
	c->silent_in_a_row = 0;
	c->sounding        = false;
	c->has_reference   = false;
	begin_floor(c, 0);
	return true;
}

static EtCalibratorNote
note_off_at(uint32_t frame)
{
	return (EtCalibratorNote){ .frame    = frame,
				   .on       = false,
				   .note     = ET_CALIBRATOR_NOTE,
				   .velocity = 0 };
}

bool
et_calibrator_cancel(EtCalibrator *c, EtCalibratorNote *note_off)
{
	if (c->state != ET_CALIBRATION_RUNNING) {
		return false;
	}
	c->state  = ET_CALIBRATION_FAILED;
	c->reason = ET_CALIBRATION_CANCELLED;
	if (!c->sounding) {
		return false;
	}
	c->sounding = false;
	*note_off   = note_off_at(0);
	return true;
}

static void
emit(EtCalibratorNotes *out, EtCalibratorNote note)
{
	/* Cannot fill: a calibration has at most this many events. */
	if (out->count < ET_CALIBRATOR_EVENTS_MAX) {
		out->note[out->count++] = note;
	}
}

static void
fail(EtCalibrator *c, EtCalibrationReason reason)
{
	c->state  = ET_CALIBRATION_FAILED;
	c->reason = reason;
}

/* ---------------------------------------------------------------- floor */

static float
window_peak(const EtCalibrator *c)
{
	const float left  = 0.5f * (c->window_max[0] - c->window_min[0]);
	const float right = 0.5f * (c->window_max[1] - c->window_min[1]);
	return left > right ? left : right;
}

/* The highest peak a window may have to count as quiet: before the first
 * note anything a note can rise above; after it, back near that floor. */
static float
quiet_limit(const EtCalibrator *c)
{
	if (!c->has_reference) {
		return (float)ET_CALIBRATOR_MAX_FLOOR;
	}
	const double near_floor =
	    ET_CALIBRATOR_QUIET_OVER_FLOOR * c->reference_peak +
	    ET_CALIBRATOR_QUIET_MARGIN;
	return (float)fmin(near_floor, ET_CALIBRATOR_MAX_FLOOR);
}

/* The window becomes this note's floor: the offset is the middle of each
 * channel's range (DC drops out), the noise peak half the larger range. */
static void
accept_floor(EtCalibrator *c, float noise_peak)
{
	for (int ch = 0; ch < 2; ++ch) {
		c->offset[ch] = 0.5f * (c->window_max[ch] + c->window_min[ch]);
	}
	c->onset_threshold =
	    (float)fmax(ET_CALIBRATOR_ONSET_OVER_NOISE * noise_peak,
			ET_CALIBRATOR_ONSET_MIN);
	c->answer_threshold =
	    (float)fmax(ET_CALIBRATOR_ANSWER_OVER_NOISE * noise_peak,
			ET_CALIBRATOR_ANSWER_MIN);
	if (!c->has_reference) {
		c->has_reference  = true;
		c->reference_peak = noise_peak;
	}
	c->in_excursion = false;
	c->phase        = PHASE_NOTE_ON_DUE;
}

static void
judge_window(EtCalibrator *c)
{
	const float peak = window_peak(c);
	const bool  waited_enough =
	    c->frame + 1 - c->wait_start_frame >= c->max_wait_frames;
	if (peak <= quiet_limit(c)) {
		accept_floor(c, peak);
	} else if (!waited_enough) {
		c->window_count = 0; /* still decaying: measure again */
	} else if (peak <= (float)ET_CALIBRATOR_MAX_FLOOR) {
		accept_floor(c, peak); /* a long tail: rise above it */
	} else {
		fail(c, ET_CALIBRATION_INPUT_NOT_QUIET);
	}
}

static void
measure_floor(EtCalibrator *c, const float sample[2])
{
	for (int ch = 0; ch < 2; ++ch) {
		if (c->window_count == 0 || sample[ch] < c->window_min[ch]) {
			c->window_min[ch] = sample[ch];
		}
		if (c->window_count == 0 || sample[ch] > c->window_max[ch]) {
			c->window_max[ch] = sample[ch];
		}
	}
	if (++c->window_count >= c->floor_frames) {
		judge_window(c);
	}
}

/* ------------------------------------------------------------ listening */

static void
note_done(EtCalibrator *c)
{
	const bool give_up = c->silent_in_a_row >= SILENT_NOTES_TO_GIVE_UP;
	if (give_up || c->sent >= ET_CALIBRATOR_NOTES) {
		c->phase = PHASE_FINISHING;
	} else {
		begin_floor(c, c->frame + 1);
	}
}

static void
note_answered(EtCalibrator *c, uint64_t latency_frames)
{
	c->latency[c->answered++] = (uint32_t)latency_frames;
	c->silent_in_a_row        = 0;
	note_done(c);
}

static float
distance_from_offset(const EtCalibrator *c, const float sample[2])
{
	const float left  = fabsf(sample[0] - c->offset[0]);
	const float right = fabsf(sample[1] - c->offset[1]);
	return left > right ? left : right;
}

/* An excursion starts at a frame above the onset threshold that follows
 * a quiet gap; the first frame above the answer threshold confirms it,
 * and its start is the onset.  So a soft attack is found where it left
 * the noise, not where it became loud. */
static void
listen(EtCalibrator *c, const float sample[2])
{
	const float distance = distance_from_offset(c, sample);
	if (distance >= c->onset_threshold) {
		if (!c->in_excursion ||
		    c->frame - c->last_loud_frame > c->gap_frames) {
			c->excursion_start_frame = c->frame;
		}
		c->in_excursion    = true;
		c->last_loud_frame = c->frame;
	}
	if (distance >= c->answer_threshold) {
		note_answered(c, c->excursion_start_frame - c->note_on_frame);
	} else if (c->frame + 1 - c->note_on_frame >= c->listen_frames) {
		++c->silent_in_a_row;
		note_done(c);
	}
}

/* ---------------------------------------------------------- the result */

static void
sort_latencies(uint32_t *latency, uint32_t count)
{
	for (uint32_t i = 1; i < count; ++i) {
		const uint32_t value = latency[i];
		uint32_t       j     = i;
		for (; j > 0 && latency[j - 1] > value; --j) {
			latency[j] = latency[j - 1];
		}
		latency[j] = value;
	}
}

/* The median (of an even count, the mean of the middle two, rounded
 * down) and the spread of the answered notes' latencies. */
static void
median_and_spread(const EtCalibrator *c, uint32_t *median, uint32_t *spread)
{
	uint32_t sorted[ET_CALIBRATOR_NOTES];
	for (uint32_t i = 0; i < c->answered; ++i) {
		sorted[i] = c->latency[i];
	}
	sort_latencies(sorted, c->answered);
	const uint32_t n = c->answered;
	if (n == 0) {
		*median = 0;
		*spread = 0;
		return;
	}
	if (n % 2) {
		*median = sorted[n / 2];
	} else {
		const uint64_t middle_two =
		    (uint64_t)sorted[n / 2 - 1] + sorted[n / 2];
		*median = (uint32_t)(middle_two / 2);
	}
	*spread = sorted[n - 1] - sorted[0];
}

static void
finish(EtCalibrator *c)
{
	uint32_t median, spread;
	median_and_spread(c, &median, &spread);
	if (c->answered == 0) {
		fail(c, ET_CALIBRATION_NO_ANSWER);
	} else if (median > c->max_latency_frames) {
		fail(c, ET_CALIBRATION_TOO_LATE);
	} else {
		c->state = ET_CALIBRATION_DONE;
	}
}

EtCalibrationResult
et_calibrator_result(const EtCalibrator *c)
{
	EtCalibrationResult r = { .state          = c->state,
				  .reason         = c->reason,
				  .notes_sent     = c->sent,
				  .notes_answered = c->answered };
	median_and_spread(c, &r.latency_frames, &r.spread_frames);
	return r;
}

const char *
et_calibrator_strerror(EtCalibrationReason reason)
{
	switch (reason) {
	case ET_CALIBRATION_OK: return "calibrated";
	case ET_CALIBRATION_NO_ANSWER:
		return "no sound came back within a second of the test notes";
	case ET_CALIBRATION_TOO_LATE:
		return "the sound came back later than 500 ms, beyond what can be compensated";
	case ET_CALIBRATION_INPUT_NOT_QUIET:
		return "the input was not quiet enough to hear the test notes";
	case ET_CALIBRATION_CANCELLED: return "calibration cancelled";
	case ET_CALIBRATION_REASON_COUNT: break;
	}
	return "unknown calibration status";
}

/* -------------------------------------------------------------- a block */

/* One frame, at `index` in the block: a due note-off first (so a note
 * always ends before the next begins), then whatever the phase does. */
static void
step(EtCalibrator *c, const float sample[2], uint32_t index,
     EtCalibratorNotes *out)
{
	if (c->sounding && c->frame == c->note_off_frame) {
		emit(out, note_off_at(index));
		c->sounding = false;
	}
	switch (c->phase) {
	case PHASE_FLOOR:
		/* The window waits for the note-off: the next note must not
		 * begin while this one is held. */
		if (!c->sounding) {
			measure_floor(c, sample);
		}
		break;
	case PHASE_NOTE_ON_DUE:
		emit(out,
		     (EtCalibratorNote){ .frame    = index,
					 .on       = true,
					 .note     = ET_CALIBRATOR_NOTE,
					 .velocity = ET_CALIBRATOR_VELOCITY });
		++c->sent;
		c->sounding       = true;
		c->note_on_frame  = c->frame;
		c->note_off_frame = c->frame + c->note_frames;
		c->phase          = PHASE_LISTEN;
		listen(c, sample); /* the answer may begin at once (L = 0) */
		break;
	case PHASE_LISTEN: listen(c, sample); break;
	case PHASE_FINISHING:
		if (!c->sounding) {
			finish(c);
		}
		break;
	}
	++c->frame;
}

EtCalibrationState
et_calibrator_process(EtCalibrator *c, const float *in_l, const float *in_r,
		      uint32_t nframes, EtCalibratorNotes *out)
{
	out->count = 0;
	for (uint32_t i = 0; i < nframes && c->state == ET_CALIBRATION_RUNNING;
	     ++i) {
		const float sample[2] = { in_l[i], in_r ? in_r[i] : in_l[i] };
		step(c, sample, i, out);
	}
	return c->state;
}

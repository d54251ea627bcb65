/* The round-trip calibration, against a fake hardware synth: the notes the
 * calibrator sends come back as sound L frames later in its input, with
 * the noise, offset and clipping of a real interface. */
#include "calibrate.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ------------------------------------------------------- the fake synth */

typedef enum {
	SOUND_CLICK,       /* full level at its first sample, then decays */
	SOUND_LINEAR_RISE, /* rises in a straight line over rise_ms */
	SOUND_EXP_RISE,    /* exponential in level (straight in dB): slow,
			      then fast */
	SOUND_RC_RISE      /* an analog envelope's charging curve: fast, then
			      slow */
} SoundShape;

#define MAX_VOICES 16

typedef struct {
	double rate;
	double latency_frames[ET_CALIBRATOR_NOTES]; /* per note, in order */
	bool   silent[ET_CALIBRATOR_NOTES];         /* notes it ignores */
	SoundShape shape;
	double     amplitude; /* the sound's peak, 1 = full scale */
	double     hz;        /* its pitch */
	double     rise_ms;
	double     noise_rms;
	double     dc[2];
	bool       left_only; /* a mono synth on the left input */
	double     drone;     /* a sine the user left playing, peak */
} Synth;

static double
db(double dbfs)
{
	return pow(10.0, dbfs / 20.0);
}

/* A synth at 48 kHz answering every note with a click after 12.3 ms, at
 * -6 dBFS, over the noise floor of a good interface (-96 dBFS rms). */
static Synth
synth_default(double rate, double latency_ms)
{
	Synth s = { .rate      = rate,
		    .shape     = SOUND_CLICK,
		    .amplitude = db(-6.0),
		    .hz        = 261.63,
		    .rise_ms   = 5.0,
		    .noise_rms = db(-96.0) };
	for (int k = 0; k < ET_CALIBRATOR_NOTES; ++k) {
		s.latency_frames[k] = latency_ms * rate / 1000.0;
	}
	return s;
}

/* Every sound decays with a 15 ms time constant. */
#define SOUND_DECAY_MS 15.0
#define SOUND_LENGTH_S 0.3

static double
envelope(const Synth *s, double t_ms)
{
	const double decay =
	    exp(-fmax(t_ms - s->rise_ms, 0.0) / SOUND_DECAY_MS);
	switch (s->shape) {
	case SOUND_CLICK: return exp(-t_ms / SOUND_DECAY_MS);
	case SOUND_LINEAR_RISE: return fmin(t_ms / s->rise_ms, 1.0) * decay;
	case SOUND_EXP_RISE: {
		/* e^(t/k) - 1, scaled to reach 1 at the end of the rise: at a
		 * fifth of the rise it is still 1% of the peak. */
		const double k = s->rise_ms / 5.0;
		if (t_ms >= s->rise_ms) {
			return decay;
		}
		return expm1(t_ms / k) / expm1(5.0);
	}
	case SOUND_RC_RISE: {
		const double k = s->rise_ms / 5.0;
		if (t_ms >= s->rise_ms) {
			return decay;
		}
		return (1.0 - exp(-t_ms / k)) / (1.0 - exp(-5.0));
	}
	}
	return 0.0;
}

/* The sound of a note that began t frames ago (t may be fractional: the
 * latency need not be a whole number of frames). */
static double
sound(const Synth *s, double t)
{
	if (t < 0.0 || t > SOUND_LENGTH_S * s->rate) {
		return 0.0;
	}
	const double t_ms  = t * 1000.0 / s->rate;
	const double phase = 2.0 * M_PI * s->hz * t / s->rate;
	/* A click starts at its crest, a rising sound at a zero crossing. */
	const double wave = s->shape == SOUND_CLICK ? cos(phase) : sin(phase);
	return s->amplitude * envelope(s, t_ms) * wave;
}

static uint64_t
mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* White noise as a function of the frame, so a block rendered twice is
 * the same block. */
static double
noise(const Synth *s, uint64_t frame, int channel)
{
	const uint64_t bits = mix64(frame * 2 + (uint64_t)channel);
	const double   u1 = ((double)(bits >> 11) + 1.0) / 9007199254740993.0;
	const double   u2 = (double)(mix64(bits) >> 11) / 9007199254740992.0;
	return s->noise_rms * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---------------------------------------------------------------- a rig */

typedef struct {
	EtCalibrator cal;
	Synth        synth;
	uint64_t     frame; /* frames processed since the start */
	uint64_t     note_on_frame[MAX_VOICES];
	uint32_t     notes_on, notes_off;
	bool         held;
	float        left[8192], right[8192];
} Rig;

static Rig *
rig_new(const Synth *synth)
{
	Rig *rig   = (Rig *)calloc(1, sizeof(Rig));
	rig->synth = *synth;
	et_calibrator_init(&rig->cal, synth->rate);
	return rig;
}

static void
render(Rig *rig, uint32_t nframes)
{
	const Synth *s = &rig->synth;
	for (uint32_t i = 0; i < nframes; ++i) {
		const uint64_t frame  = rig->frame + i;
		double         answer = s->drone * sin(2.0 * M_PI * 110.0 *
						       (double)frame / s->rate);
		for (uint32_t k = 0; k < rig->notes_on; ++k) {
			if (k < ET_CALIBRATOR_NOTES && !s->silent[k]) {
				const double start =
				    (double)rig->note_on_frame[k] +
				    s->latency_frames[k];
				answer += sound(s, (double)frame - start);
			}
		}
		for (int ch = 0; ch < 2; ++ch) {
			const double heard =
			    ch == 1 && s->left_only ? 0.0 : answer;
			const double v =
			    heard + s->dc[ch] + noise(s, frame, ch);
			/* The interface clips at full scale. */
			const float clipped = (float)fmax(-1.0, fmin(1.0, v));
			(ch == 0 ? rig->left : rig->right)[i] = clipped;
		}
	}
}

static uint32_t
count_note_ons(const EtCalibratorNotes *notes)
{
	uint32_t ons = 0;
	for (uint32_t e = 0; e < notes->count; ++e) {
		ons += notes->note[e].on;
	}
	return ons;
}

/* The synth hears a note-on before the block's input is written: a copy
 * of the calibrator runs ahead over the block to say which notes it sends
 * (they depend only on frames before them), so an answer can fall in the
 * same block, as L = 0 needs. */
static void
render_with_answers(Rig *rig, uint32_t nframes, EtCalibratorNotes *ahead_out)
{
	const uint32_t known = rig->notes_on;
	for (int round = 0; round < 2 * ET_CALIBRATOR_NOTES + 2; ++round) {
		render(rig, nframes);
		EtCalibrator ahead = rig->cal;
		et_calibrator_process(&ahead, rig->left, rig->right, nframes,
				      ahead_out);
		if (count_note_ons(ahead_out) == rig->notes_on - known) {
			return;
		}
		rig->notes_on = known;
		for (uint32_t e = 0; e < ahead_out->count; ++e) {
			const EtCalibratorNote *n = &ahead_out->note[e];
			if (n->on) {
				assert_true(rig->notes_on < MAX_VOICES);
				rig->note_on_frame[rig->notes_on++] =
				    rig->frame + n->frame;
			}
		}
	}
	fail_msg("the notes of a block never settled");
}

/* Every note-on gets its note-off, never two at once, in frame order. */
static void
check_and_play(Rig *rig, const EtCalibratorNotes *out, uint32_t nframes)
{
	uint32_t previous_frame = 0;
	for (uint32_t e = 0; e < out->count; ++e) {
		const EtCalibratorNote *n = &out->note[e];
		assert_true(n->frame < nframes);
		assert_true(n->frame >= previous_frame);
		assert_int_equal(n->note, ET_CALIBRATOR_NOTE);
		previous_frame = n->frame;
		if (n->on) {
			assert_false(rig->held);
			assert_int_equal(n->velocity, ET_CALIBRATOR_VELOCITY);
			rig->held = true;
		} else {
			assert_true(rig->held);
			rig->held = false;
			++rig->notes_off;
		}
	}
}

static EtCalibrationState
run_block(Rig *rig, uint32_t nframes)
{
	EtCalibratorNotes ahead, out;
	render_with_answers(rig, nframes, &ahead);
	const EtCalibrationState state = et_calibrator_process(
	    &rig->cal, rig->left, rig->right, nframes, &out);
	/* What the synth was told is what the calibrator said. */
	assert_int_equal(out.count, ahead.count);
	for (uint32_t e = 0; e < out.count; ++e) {
		assert_int_equal(out.note[e].frame, ahead.note[e].frame);
		assert_int_equal(out.note[e].on, ahead.note[e].on);
	}
	/* A host running in place writes the output over the input. */
	memset(rig->left, 0x7f, nframes * sizeof(float));
	memset(rig->right, 0x7f, nframes * sizeof(float));
	check_and_play(rig, &out, nframes);
	rig->frame += nframes;
	return state;
}

/* Calibrates to the end (10 s at most); every note ends paired. */
static EtCalibrationResult
calibrate(Rig *rig, uint32_t block)
{
	assert_true(et_calibrator_start(&rig->cal));
	const uint64_t limit = (uint64_t)(10.0 * rig->synth.rate);
	while (run_block(rig, block) == ET_CALIBRATION_RUNNING) {
		assert_true(rig->frame < limit);
	}
	assert_false(rig->held);
	assert_int_equal(rig->notes_off, rig->notes_on);
	const EtCalibrationResult r = et_calibrator_result(&rig->cal);
	assert_int_equal(r.notes_sent, rig->notes_on);
	return r;
}

static const uint32_t block_sizes[] = { 1, 7, 64, 256, 1000, 4096, 8192 };
static const double   rates[]       = { 44100.0, 48000.0, 96000.0 };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The worst error (found - true, frames) and spread over many runs. */
typedef struct {
	double   worst_error_frames, worst_error_ms, true_frames, worst_rate;
	uint32_t worst_spread;
	double   worst_seconds;
} Tally;

static void
tally(Tally *t, const Rig *rig, const EtCalibrationResult *r, double truth)
{
	const double error    = (double)r->latency_frames - truth;
	const double error_ms = error * 1000.0 / rig->synth.rate;
	if (fabs(error_ms) >= fabs(t->worst_error_ms)) {
		t->worst_error_frames = error;
		t->worst_error_ms     = error_ms;
		t->true_frames        = truth;
		t->worst_rate         = rig->synth.rate;
	}
	if (r->spread_frames > t->worst_spread) {
		t->worst_spread = r->spread_frames;
	}
	const double seconds = (double)rig->frame / rig->synth.rate;
	t->worst_seconds     = fmax(t->worst_seconds, seconds);
}

static void
report(const char *what, const Tally *t)
{
	print_message("   %s: worst error %+.3f ms (%+.1f frames from true L "
		      "%.1f at %.0f Hz), worst spread %u frames, longest "
		      "%.2f s\n",
		      what, t->worst_error_ms, t->worst_error_frames,
		      t->true_frames, t->worst_rate, t->worst_spread,
		      t->worst_seconds);
}

/* Calibrates the synth at every rate and block size: found within
 * tolerance_ms of the true L (or a frame, if that is more), the five notes
 * answered, spread within the same tolerance, in under 5 s. */
static void
calibrate_everywhere(const char *what, Synth synth, double latency_ms,
		     double tolerance_ms)
{
	Tally t = { 0 };
	for (size_t ri = 0; ri < COUNT(rates); ++ri) {
		for (size_t bi = 0; bi < COUNT(block_sizes); ++bi) {
			Synth s = synth;
			s.rate  = rates[ri];
			for (int k = 0; k < ET_CALIBRATOR_NOTES; ++k) {
				s.latency_frames[k] =
				    latency_ms * s.rate / 1000.0;
			}
			Rig                      *rig = rig_new(&s);
			const EtCalibrationResult r =
			    calibrate(rig, block_sizes[bi]);
			const double truth = s.latency_frames[0];
			const double tolerance =
			    fmax(1.0, tolerance_ms * s.rate / 1000.0);
			if (r.state != ET_CALIBRATION_DONE ||
			    fabs((double)r.latency_frames - truth) >
				tolerance ||
			    r.spread_frames > tolerance) {
				fail_msg(
				    "%s at %.0f Hz, block %u: state %d "
				    "(%s), L %u frames, true %.1f, spread "
				    "%u",
				    what, s.rate, block_sizes[bi], r.state,
				    et_calibrator_strerror(r.reason),
				    r.latency_frames, truth, r.spread_frames);
			}
			assert_int_equal(r.notes_answered,
					 ET_CALIBRATOR_NOTES);
			assert_true(rig->frame < (uint64_t)(5.0 * s.rate));
			tally(&t, rig, &r, truth);
			free(rig);
		}
	}
	report(what, &t);
}

/* ------------------------------------------------------------ the tests */

/* A percussive answer is found to the frame (the first frame at or after
 * the true, fractional onset), from no latency to just under the maximum,
 * at every block size and rate. */
static void
test_click_found_to_the_frame(void **state)
{
	(void)state;
	const Synth s = synth_default(48000.0, 0.0);
	calibrate_everywhere("click, L = 0", s, 0.0, 0.0);
	calibrate_everywhere("click, L = 12.3 ms", s, 12.3, 0.0);
	calibrate_everywhere("click, L = 499 ms", s, 499.0, 0.0);
}

/* L = 1 frame, whatever the rate. */
static void
test_click_one_frame_late(void **state)
{
	(void)state;
	Tally t = { 0 };
	for (size_t ri = 0; ri < COUNT(rates); ++ri) {
		for (size_t bi = 0; bi < COUNT(block_sizes); ++bi) {
			Synth s = synth_default(rates[ri], 0.0);
			for (int k = 0; k < ET_CALIBRATOR_NOTES; ++k) {
				s.latency_frames[k] = 1.0;
			}
			Rig                      *rig = rig_new(&s);
			const EtCalibrationResult r =
			    calibrate(rig, block_sizes[bi]);
			assert_int_equal(r.state, ET_CALIBRATION_DONE);
			assert_int_equal(r.latency_frames, 1);
			assert_int_equal(r.spread_frames, 0);
			tally(&t, rig, &r, 1.0);
			free(rig);
		}
	}
	report("click, L = 1 frame", &t);
}

/* A pad's 5 ms attack, linear or exponential, is found where it leaves
 * the floor, within a millisecond; also a bass's (55 Hz: its first
 * half-wave lasts 9 ms). */
static void
test_soft_attack_within_a_millisecond(void **state)
{
	(void)state;
	static const SoundShape  shapes[] = { SOUND_LINEAR_RISE, SOUND_RC_RISE,
					      SOUND_EXP_RISE };
	static const char *const names[]  = { "linear", "RC exponential",
					      "dB-linear exponential" };
	char                     what[100];
	for (size_t i = 0; i < COUNT(shapes); ++i) {
		Synth s = synth_default(48000.0, 0.0);
		s.shape = shapes[i];
		snprintf(what, sizeof what, "%s 5 ms rise", names[i]);
		calibrate_everywhere(what, s, 12.3, 1.0);
		s.hz = 55.0;
		snprintf(what, sizeof what, "%s 5 ms rise, 55 Hz", names[i]);
		calibrate_everywhere(what, s, 12.3, 1.0);
	}
	Synth s     = synth_default(48000.0, 0.0);
	s.noise_rms = db(-60.0);
	s.shape     = SOUND_LINEAR_RISE;
	calibrate_everywhere("linear 5 ms rise, noise -60 dBFS", s, 12.3, 1.0);
	s.shape = SOUND_RC_RISE;
	calibrate_everywhere("RC exponential 5 ms rise, noise -60 dBFS", s,
			     12.3, 1.0);
}

/* A rise straight in dB spends its first millisecond below 1.2% of its
 * peak: under -60 dBFS noise (peaks near -48 dBFS) that part cannot be
 * told from the noise by its level, and the onset is found where it
 * comes out, about a millisecond late.  Asserted as measured. */
static void
test_db_linear_rise_in_noise_is_found_where_it_leaves_the_noise(void **state)
{
	(void)state;
	Synth s     = synth_default(48000.0, 0.0);
	s.noise_rms = db(-60.0);
	s.shape     = SOUND_EXP_RISE;
	calibrate_everywhere("dB-linear exponential 5 ms rise, noise -60 dBFS",
			     s, 12.3, 1.5);
}

/* White noise at -60 dBFS under a -12 dBFS answer, and at -40 dBFS under
 * a -6 dBFS one: a click is still found to the frame. */
static void
test_noisy_input(void **state)
{
	(void)state;
	Synth s     = synth_default(48000.0, 0.0);
	s.noise_rms = db(-60.0);
	s.amplitude = db(-12.0);
	calibrate_everywhere("click -12 dBFS, noise -60 dBFS", s, 12.3, 0.0);
	s.noise_rms = db(-40.0);
	s.amplitude = db(-6.0);
	calibrate_everywhere("click -6 dBFS, noise -40 dBFS", s, 12.3, 0.0);
	s.shape = SOUND_LINEAR_RISE;
	calibrate_everywhere("linear rise -6 dBFS, noise -40 dBFS", s, 12.3,
			     1.0);
}

/* An interface with a DC offset (different on each side), one that clips
 * a hot synth, and a mono synth on the left input only. */
static void
test_offset_clipping_and_one_side(void **state)
{
	(void)state;
	Synth s     = synth_default(48000.0, 0.0);
	s.dc[0]     = 0.25;
	s.dc[1]     = -0.1;
	s.noise_rms = db(-80.0);
	calibrate_everywhere("click over DC 0.25 / -0.1", s, 12.3, 0.0);
	s.amplitude = 4.0; /* +12 dBFS: clipped flat */
	calibrate_everywhere("click clipped, over DC", s, 12.3, 0.0);
	s           = synth_default(48000.0, 0.0);
	s.left_only = true;
	calibrate_everywhere("click on the left only", s, 12.3, 0.0);
}

/* An interface that gives digital silence until the synth answers: the
 * thresholds' own minimums hold. */
static void
test_digital_silence(void **state)
{
	(void)state;
	Synth s     = synth_default(48000.0, 0.0);
	s.noise_rms = 0.0;
	calibrate_everywhere("click over digital silence", s, 12.3, 0.0);
	s.shape = SOUND_LINEAR_RISE;
	calibrate_everywhere("linear rise over digital silence", s, 12.3, 1.0);
}

/* A synth whose latency wanders by a few ms: the median note, and a
 * spread of max - min. */
static void
test_jittery_synth_median_and_spread(void **state)
{
	(void)state;
	static const double jitter_ms[ET_CALIBRATOR_NOTES] = { 0.0, 3.0, -2.0,
							       1.0, 4.0 };
	for (size_t bi = 0; bi < COUNT(block_sizes); ++bi) {
		Synth s = synth_default(48000.0, 0.0);
		for (int k = 0; k < ET_CALIBRATOR_NOTES; ++k) {
			s.latency_frames[k] = (12.3 + jitter_ms[k]) * 48.0;
		}
		Rig                      *rig = rig_new(&s);
		const EtCalibrationResult r = calibrate(rig, block_sizes[bi]);
		assert_int_equal(r.state, ET_CALIBRATION_DONE);
		/* 13.3 ms = 638.4 frames, found at 639; 6 ms = 288 frames. */
		assert_int_equal(r.latency_frames, 639);
		assert_int_equal(r.spread_frames, 288);
		if (bi == 0) {
			print_message("   jittery click (12.3 ms -2..+4 ms): "
				      "L %u frames (true median 638.4), "
				      "spread %u (true 288)\n",
				      r.latency_frames, r.spread_frames);
		}
		free(rig);
	}
}

/* A synth that answers only notes 1, 3 and 5: their median. One that
 * answers only the first note and then falls silent: two silent notes
 * end it, and the one answer stands. */
static void
test_some_notes_unanswered(void **state)
{
	(void)state;
	for (size_t bi = 0; bi < COUNT(block_sizes); ++bi) {
		Synth s     = synth_default(48000.0, 12.3);
		s.silent[1] = s.silent[3] = true;
		Rig                *rig   = rig_new(&s);
		EtCalibrationResult r     = calibrate(rig, block_sizes[bi]);
		assert_int_equal(r.state, ET_CALIBRATION_DONE);
		assert_int_equal(r.notes_sent, 5);
		assert_int_equal(r.notes_answered, 3);
		assert_int_equal(r.latency_frames, 591); /* 590.4 */
		assert_int_equal(r.spread_frames, 0);
		free(rig);

		s.silent[1] = s.silent[2] = s.silent[3] = s.silent[4] = true;
		rig = rig_new(&s);
		r   = calibrate(rig, block_sizes[bi]);
		assert_int_equal(r.state, ET_CALIBRATION_DONE);
		assert_int_equal(r.notes_sent, 3);
		assert_int_equal(r.notes_answered, 1);
		assert_int_equal(r.latency_frames, 591);
		free(rig);
	}
}

/* A synth that never answers (not connected, wrong channel): failure,
 * no answer, after two notes and about two seconds. */
static void
test_no_answer_fails(void **state)
{
	(void)state;
	for (size_t ri = 0; ri < COUNT(rates); ++ri) {
		for (size_t bi = 0; bi < COUNT(block_sizes); ++bi) {
			Synth s = synth_default(rates[ri], 12.3);
			for (int k = 0; k < ET_CALIBRATOR_NOTES; ++k) {
				s.silent[k] = true;
			}
			Rig                      *rig = rig_new(&s);
			const EtCalibrationResult r =
			    calibrate(rig, block_sizes[bi]);
			assert_int_equal(r.state, ET_CALIBRATION_FAILED);
			assert_int_equal(r.reason, ET_CALIBRATION_NO_ANSWER);
			assert_int_equal(r.notes_sent, 2);
			assert_int_equal(r.notes_answered, 0);
			assert_true(rig->frame < (uint64_t)(2.5 * s.rate));
			free(rig);
		}
	}
}

/* A round trip of 600 ms is heard, measured and refused: too late, not
 * "no answer". */
static void
test_beyond_the_maximum_is_too_late(void **state)
{
	(void)state;
	for (size_t ri = 0; ri < COUNT(rates); ++ri) {
		for (size_t bi = 0; bi < COUNT(block_sizes); ++bi) {
			const Synth s   = synth_default(rates[ri], 600.0);
			Rig        *rig = rig_new(&s);
			const EtCalibrationResult r =
			    calibrate(rig, block_sizes[bi]);
			assert_int_equal(r.state, ET_CALIBRATION_FAILED);
			assert_int_equal(r.reason, ET_CALIBRATION_TOO_LATE);
			assert_int_equal(r.notes_answered, 5);
			assert_int_equal(r.latency_frames,
					 (uint32_t)(0.6 * s.rate));
			assert_true(rig->frame < (uint64_t)(5.0 * s.rate));
			free(rig);
		}
	}
}

/* The user left a drone playing at -6 dBFS: no floor to hear a note
 * over, so no note is sent, and it says why within a second. */
static void
test_loud_input_fails_before_any_note(void **state)
{
	(void)state;
	for (size_t bi = 0; bi < COUNT(block_sizes); ++bi) {
		Synth s                       = synth_default(48000.0, 12.3);
		s.drone                       = db(-6.0);
		Rig                      *rig = rig_new(&s);
		const EtCalibrationResult r = calibrate(rig, block_sizes[bi]);
		assert_int_equal(r.state, ET_CALIBRATION_FAILED);
		assert_int_equal(r.reason, ET_CALIBRATION_INPUT_NOT_QUIET);
		assert_int_equal(r.notes_sent, 0);
		assert_true(rig->frame < 48000);
		free(rig);
	}
}

/* Cancel while a test note sounds: the caller gets its note-off; nothing
 * more is sent; the result says cancelled; a new calibration works.  (At
 * every block size that can end while a 40 ms note is held: 8192 frames
 * hold the whole of the first one.) */
static void
test_cancel_mid_note_hands_back_the_note_off(void **state)
{
	(void)state;
	for (size_t bi = 0; block_sizes[bi] <= 4096; ++bi) {
		const uint32_t block = block_sizes[bi];
		const Synth    s     = synth_default(48000.0, 12.3);
		Rig           *rig   = rig_new(&s);
		assert_true(et_calibrator_start(&rig->cal));
		assert_false(et_calibrator_start(&rig->cal)); /* running */
		while (!rig->held) {
			assert_int_equal(run_block(rig, block),
					 ET_CALIBRATION_RUNNING);
		}
		EtCalibratorNote off;
		assert_true(et_calibrator_cancel(&rig->cal, &off));
		assert_false(off.on);
		assert_int_equal(off.note, ET_CALIBRATOR_NOTE);
		rig->held = false;
		++rig->notes_off;

		EtCalibrationResult r = et_calibrator_result(&rig->cal);
		assert_int_equal(r.state, ET_CALIBRATION_FAILED);
		assert_int_equal(r.reason, ET_CALIBRATION_CANCELLED);
		assert_false(et_calibrator_cancel(&rig->cal, &off));
		EtCalibratorNotes out;
		render(rig, block);
		assert_int_equal(et_calibrator_process(&rig->cal, rig->left,
						       rig->right, block,
						       &out),
				 ET_CALIBRATION_FAILED);
		assert_int_equal(out.count, 0);

		/* Again, from the start: its notes come back as before. */
		Rig *again = rig_new(&s);
		r          = calibrate(again, block);
		assert_int_equal(r.state, ET_CALIBRATION_DONE);
		assert_int_equal(r.latency_frames, 591);
		free(again);
		free(rig);
	}
}

/* Cancel between notes: nothing to send. */
static void
test_cancel_between_notes_sends_nothing(void **state)
{
	(void)state;
	const Synth s   = synth_default(48000.0, 12.3);
	Rig        *rig = rig_new(&s);
	assert_true(et_calibrator_start(&rig->cal));
	run_block(rig, 256); /* still measuring the first floor */
	assert_false(rig->held);
	EtCalibratorNote off;
	assert_false(et_calibrator_cancel(&rig->cal, &off));
	assert_int_equal(et_calibrator_result(&rig->cal).reason,
			 ET_CALIBRATION_CANCELLED);
	free(rig);
}

/* Before any start: idle, and a block sends nothing. */
static void
test_idle_sends_nothing(void **state)
{
	(void)state;
	const Synth       s   = synth_default(48000.0, 12.3);
	Rig              *rig = rig_new(&s);
	EtCalibratorNotes out;
	render(rig, 4096);
	assert_int_equal(et_calibrator_process(&rig->cal, rig->left,
					       rig->right, 4096, &out),
			 ET_CALIBRATION_IDLE);
	assert_int_equal(out.count, 0);
	const EtCalibrationResult r = et_calibrator_result(&rig->cal);
	assert_int_equal(r.state, ET_CALIBRATION_IDLE);
	assert_int_equal(r.notes_sent, 0);
	free(rig);
}

/* A mono input (no right channel) works as a stereo one. */
static void
test_mono_input(void **state)
{
	(void)state;
	const Synth s   = synth_default(48000.0, 12.3);
	Rig        *rig = rig_new(&s);
	assert_true(et_calibrator_start(&rig->cal));
	EtCalibratorNotes out;
	while (et_calibrator_result(&rig->cal).state ==
	       ET_CALIBRATION_RUNNING) {
		render(rig, 64);
		/* (the notes are known one block late here: L is long) */
		et_calibrator_process(&rig->cal, rig->left, NULL, 64, &out);
		for (uint32_t e = 0; e < out.count; ++e) {
			if (out.note[e].on) {
				rig->note_on_frame[rig->notes_on++] =
				    rig->frame + out.note[e].frame;
			}
		}
		rig->frame += 64;
	}
	const EtCalibrationResult r = et_calibrator_result(&rig->cal);
	assert_int_equal(r.state, ET_CALIBRATION_DONE);
	assert_int_equal(r.latency_frames, 591);
	free(rig);
}

static void
test_every_reason_has_a_message(void **state)
{
	(void)state;
	for (int reason = 0; reason < ET_CALIBRATION_REASON_COUNT; ++reason) {
		const char *message =
		    et_calibrator_strerror((EtCalibrationReason)reason);
		assert_non_null(message);
		assert_true(strlen(message) > 8);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_click_found_to_the_frame),
		cmocka_unit_test(test_click_one_frame_late),
		cmocka_unit_test(test_soft_attack_within_a_millisecond),
		cmocka_unit_test(
		    test_db_linear_rise_in_noise_is_found_where_it_leaves_the_noise),
		cmocka_unit_test(test_noisy_input),
		cmocka_unit_test(test_offset_clipping_and_one_side),
		cmocka_unit_test(test_digital_silence),
		cmocka_unit_test(test_jittery_synth_median_and_spread),
		cmocka_unit_test(test_some_notes_unanswered),
		cmocka_unit_test(test_no_answer_fails),
		cmocka_unit_test(test_beyond_the_maximum_is_too_late),
		cmocka_unit_test(test_loud_input_fails_before_any_note),
		cmocka_unit_test(test_cancel_mid_note_hands_back_the_note_off),
		cmocka_unit_test(test_cancel_between_notes_sends_nothing),
		cmocka_unit_test(test_idle_sends_nothing),
		cmocka_unit_test(test_mono_input),
		cmocka_unit_test(test_every_reason_has_a_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

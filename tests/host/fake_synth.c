/* The round trip of a hardware synth, simulated (fake_synth.h). */
#include "fake_synth.h"

#include <math.h>
#include <string.h>

void
fake_synth_init(FakeSynth *s, double rate, FakeSound sound, uint32_t latency)
{
	memset(s, 0, sizeof *s);
	s->rate    = rate;
	s->sound   = sound;
	s->latency = latency;
	s->rng     = 2463534242u;
}

static float
white(FakeSynth *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return (float)s->rng / 2147483648.0f - 1.0f;
}

/* One answer, t frames after it began: a 330 Hz cosine (full level on its
 * first sample) decaying with a 20 ms time constant, or the same rising
 * linearly over 5 ms. */
float
fake_answer(const FakeSynth *s, int64_t t)
{
	const double sec = (double)t / s->rate;
	if (sec > 0.2)
		return 0.0f;
	double a = 0.5 * exp(-sec / 0.02) * cos(2.0 * M_PI * 330.0 * sec);
	if (s->sound == FAKE_SOFT_ATTACK && sec < 0.005)
		a *= sec / 0.005;
	return (float)a;
}

void
fake_synth_play(FakeSynth *s, EthHost *host, uint32_t n)
{
	float *l = eth_audio(host, "in_l"), *r = eth_audio(host, "in_r");
	for (uint32_t i = 0; i < n; ++i) {
		const int64_t f = s->now + (int64_t)i;
		float         x = s->dc + s->noise * white(s);
		for (int v = 0; v < s->voices; ++v)
			if (f >= s->onset[v])
				x += fake_answer(s, f - s->onset[v]);
		l[i] = x;
		r[i] = x;
	}
}

void
fake_synth_listen(FakeSynth *s, const EthHost *host, uint32_t n)
{
	for (size_t i = 0; i < eth_out_count(host); ++i) {
		const EthEvent *e = eth_out(host, i);
		if (e->size != 3 || (e->bytes[0] & 0xf0) != 0x90 ||
		    e->bytes[2] == 0 || (e->bytes[0] & 0x0f) != s->channel)
			continue;
		const int64_t at = s->now + (int64_t)e->frame;
		if (s->heard_count < FAKE_MAX_VOICES)
			s->heard[s->heard_count++] = at;
		if (s->sound == FAKE_SILENT)
			continue;
		uint32_t late = 0;
		if (s->jitter > 0) {
			s->rng ^= s->rng << 13;
			s->rng ^= s->rng >> 17;
			s->rng ^= s->rng << 5;
			late = s->rng % (s->jitter + 1);
		}
		/* The oldest voice makes room: it has long died away. */
		if (s->voices == FAKE_MAX_VOICES) {
			memmove(s->onset, s->onset + 1,
				sizeof(s->onset[0]) * (FAKE_MAX_VOICES - 1));
			s->voices--;
		}
		s->onset[s->voices++] = at + (int64_t)s->latency + late;
	}
	s->now += n;
}

int64_t
fake_onset(const float *x, int64_t from, int64_t to, float threshold)
{
	for (int64_t i = from; i < to; ++i)
		if (fabsf(x[i]) >= threshold)
			return i;
	return -1;
}

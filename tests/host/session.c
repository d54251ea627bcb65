/* The host session of the tests through lilv (session.h). */
#include "session.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void
session_init(Session *s, double rate, double bpm, bool every_block)
{
	memset(s, 0, sizeof(*s));
	s->host                 = eth_new(rate);
	s->rate                 = rate;
	s->bpm                  = bpm;
	s->beats_per_bar        = 4.0;
	s->rolling              = true;
	s->position_due         = true;
	s->position_every_block = every_block;
	eth_set(s->host, "monitor", 0); /* hear only the loop */
}

void
session_free(Session *s)
{
	assert_int_equal(eth_allocations_in_run(s->host), 0);
	eth_free(s->host);
	free(s->out);
}

double
frames_per_bar(const Session *s)
{
	return s->rate * 60.0 / s->bpm * s->beats_per_bar;
}

void
send_position(Session *s, uint32_t at)
{
	const double beats = (double)s->transport * s->bpm / (60.0 * s->rate);
	const double bar   = floor(beats / s->beats_per_bar);
	eth_position(s->host, at, s->transport, s->rolling ? 1.0 : 0.0, s->bpm,
		     s->beats_per_bar, (int64_t)bar,
		     (float)(beats - bar * s->beats_per_bar));
}

void
play(Session *s, uint32_t n)
{
	float *in_l = eth_audio(s->host, "in_l");
	float *in_r = eth_audio(s->host, "in_r");
	for (uint32_t i = 0; i < n; ++i) {
		in_l[i] =
		    s->input ? s->input(s->wall + i) : ramp_at(s->wall + i);
		in_r[i] = -in_l[i];
	}
	if (s->position_due || s->position_every_block) {
		send_position(s, 0);
		s->position_due = false;
	}
	eth_run(s->host, n);
	if (s->out) {
		if (s->out_len + n > s->out_cap) {
			fail_msg("session output buffer too small");
		}
		memcpy(s->out + s->out_len, eth_audio(s->host, "out_l"),
		       n * sizeof(float));
		s->out_len += n;
	}
	s->wall += n;
	if (s->rolling) {
		s->transport += n;
	}
}

void
play_until(Session *s, int64_t until, uint32_t block)
{
	while (s->wall < until) {
		const int64_t left = until - s->wall;
		play(s, left < block ? (uint32_t)left : block);
	}
}

void
record_output(Session *s, size_t frames)
{
	s->out     = (float *)calloc(frames, sizeof(float));
	s->out_cap = frames;
}

void
locate(Session *s, int64_t transport)
{
	s->transport    = transport;
	s->position_due = true;
}

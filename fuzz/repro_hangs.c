/* Reproducers of the hangs that fuzz_looper found (see docs/fuzzing.md,
 * "Fuzzing"), kept as regression tests: each case exits 0 if run()
 * returns, 1 if it is still stuck after 5 s.  `make fuzz-hangs` runs them
 * all, in `make check`.  Fixed by capping the settle loops of
 * find_repetition() and et_clock_boundary_at_or_after(), clamping frames
 * and bars in the glue, and refusing restored starts beyond 2^52.
 *
 *   repro_hangs transport FRAME LENGTH
 *     A LENGTH-frame anchored loop at transport frame 0; the transport
 *     rolls from FRAME.  find_repetition() (plugin/core/looper.c) never
 * returns for FRAME > 4e18 (et_clock_quantize_frame() saturates at 4e18, while
 *     the glue's to_int64() passes frames up to 4.6e18), nor beyond 2^53
 *     for loops shorter than the spacing of doubles there.
 *
 *   repro_hangs start START LENGTH
 *     The same from the restore path: a LENGTH-frame anchored loop loaded
 *     with start frame START (state.c passes any int64 a session holds),
 *     transport rolling from 0: hangs for START = 1e17 and LENGTH = 1.
 *
 *   repro_hangs meter BEATS_PER_BAR
 *   repro_hangs beat BAR_BEAT
 *     Armed with quantize on bar, transport rolling at 120 BPM, with a
 *     position whose beatsPerBar (or barBeat) is the value given.
 *     et_clock_boundary_at_or_after() (plugin/core/clock.c) steps a boundary
 *     index n by 1.0, which does nothing once n passes 2^53: it never
 *     returns when beats / beats_per_bar is that large, as with a tiny
 *     meter (1e-300: clock.c takes any in (0, 1000]), a huge barBeat
 *     (6.4e19: any finite float is taken) or bar. */
#include "clock.h"
#include "looper.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "repro_hangs: hang in run()\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		_exit(1);
	}
	_exit(1);
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(
		    stderr,
		    "usage: repro_hangs transport FRAME LENGTH | start START LENGTH | "
		    "meter BEATS_PER_BAR | beat BAR_BEAT\n");
		return 2;
	}
	const bool start     = !strcmp(argv[1], "start");
	const bool transport = start || !strcmp(argv[1], "transport");
	signal(SIGALRM, on_alarm);
	alarm(5);

	EtLooper    *l   = et_looper_new(48000.0, 48000);
	float       *buf = calloc(48000, sizeof(float));
	static float out_l[64], out_r[64];
	EtClock      clock;
	EtPosition   p = {
		  .has_frame = true, .has_speed = true, .frame = 0, .speed = 1.0
	};
	if (!l || !buf) {
		return 2;
	}
	et_clock_init(&clock, 48000.0);
	et_clock_begin_block(&clock, 64);
	if (transport) {
		const uint32_t length = (uint32_t)atol(argv[3 < argc ? 3 : 2]);
		if (length == 0 || length > 48000) {
			return 2;
		}
		const int64_t far = (int64_t)strtod(argv[2], NULL);
		et_looper_load(l, buf, buf, length, (double)length, true,
			       start ? far : 0, start ? (double)far : 0.0);
		p.frame = start ? 0 : far;
	} else {
		EtLooperControls c = et_looper_default_controls();
		c.arm              = true;
		et_looper_set_controls(l, &c);
		if (!strcmp(argv[1], "beat")) {
			p.has_bar_beat = true;
			p.bar_beat     = strtod(argv[2], NULL);
		} else {
			p.has_beats_per_bar = true;
			p.beats_per_bar     = strtod(argv[2], NULL);
		}
	}
	et_clock_apply(&clock, 0, &p);
	et_looper_process(l, &clock, out_l, out_r, out_l, out_r, 0, 64);
	printf("repro_hangs %s %s: no hang\n", argv[1], argv[2]);
	et_looper_free(l);
	free(buf);
	return 0;
}

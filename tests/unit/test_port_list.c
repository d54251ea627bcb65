/* The port list (plugin/core/port_list.h) against what is published and
 * what the core starts from.
 *
 * Port symbols and indices are part of users' sessions and presets
 * (interface.md): the list below restates them, on purpose the one place
 * besides port_list.h, so that a row moved, dropped or inserted fails here
 * with the port's name.  And a new instance must behave as its ports say:
 * the router and the looper start from the ports' defaults. */
#include "looper.h"
#include "ports.h"
#include "router.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Published: never edit a line of this list; new ports are appended at
 * its end, as they are to the table. */
static const struct {
	uint32_t    index;
	const char *symbol;
} published[] = {
	{ 0, "midi_in" },
	{ 1, "midi_out" },
	{ 2, "auto_channel" },
	{ 3, "active_track" },
	{ 4, "thru" },
	{ 5, "track1_channel" },
	{ 6, "track1_mute" },
	{ 7, "track1_transpose" },
	{ 8, "track1_program" },
	{ 9, "track2_channel" },
	{ 10, "track2_mute" },
	{ 11, "track2_transpose" },
	{ 12, "track2_program" },
	{ 13, "track3_channel" },
	{ 14, "track3_mute" },
	{ 15, "track3_transpose" },
	{ 16, "track3_program" },
	{ 17, "track4_channel" },
	{ 18, "track4_mute" },
	{ 19, "track4_transpose" },
	{ 20, "track4_program" },
	{ 21, "track5_channel" },
	{ 22, "track5_mute" },
	{ 23, "track5_transpose" },
	{ 24, "track5_program" },
	{ 25, "track6_channel" },
	{ 26, "track6_mute" },
	{ 27, "track6_transpose" },
	{ 28, "track6_program" },
	{ 29, "track7_channel" },
	{ 30, "track7_mute" },
	{ 31, "track7_transpose" },
	{ 32, "track7_program" },
	{ 33, "track8_channel" },
	{ 34, "track8_mute" },
	{ 35, "track8_transpose" },
	{ 36, "track8_program" },
	{ 37, "in_l" },
	{ 38, "in_r" },
	{ 39, "out_l" },
	{ 40, "out_r" },
	{ 41, "loop_arm" },
	{ 42, "loop_mute" },
	{ 43, "loop_overdub" },
	{ 44, "loop_quantize" },
	{ 45, "loop_bars" },
	{ 46, "loop_clear" },
	{ 47, "loop_level" },
	{ 48, "monitor" },
	{ 49, "loop_state" },
	{ 50, "loop_length" },
	{ 51, "loop_position" },
	{ 52, "notify" },
	{ 53, "clock_out" },
	{ 54, "control_channel" },
	{ 55, "track1_out" },
	{ 56, "track2_out" },
	{ 57, "track3_out" },
	{ 58, "track4_out" },
	{ 59, "track5_out" },
	{ 60, "track6_out" },
	{ 61, "track7_out" },
	{ 62, "track8_out" },
	{ 63, "track_outs" },
	/* Issue 16, the eight recorders. */
	{ 64, "track1_loop_mute" },
	{ 65, "track2_loop_mute" },
	{ 66, "track3_loop_mute" },
	{ 67, "track4_loop_mute" },
	{ 68, "track5_loop_mute" },
	{ 69, "track6_loop_mute" },
	{ 70, "track7_loop_mute" },
	{ 71, "track8_loop_mute" },
	{ 72, "track1_loop_level" },
	{ 73, "track2_loop_level" },
	{ 74, "track3_loop_level" },
	{ 75, "track4_loop_level" },
	{ 76, "track5_loop_level" },
	{ 77, "track6_loop_level" },
	{ 78, "track7_loop_level" },
	{ 79, "track8_loop_level" },
	{ 80, "track1_loop_state" },
	{ 81, "track2_loop_state" },
	{ 82, "track3_loop_state" },
	{ 83, "track4_loop_state" },
	{ 84, "track5_loop_state" },
	{ 85, "track6_loop_state" },
	{ 86, "track7_loop_state" },
	{ 87, "track8_loop_state" },
	{ 88, "loop_undo" },
	{ 89, "loop_redo" },
	{ 90, "calibrate" },
	{ 91, "latency_offset" },
	{ 92, "latency" },
};

#define PUBLISHED_COUNT (sizeof(published) / sizeof(published[0]))

static void
every_published_port_keeps_its_symbol_and_index(void **state)
{
	(void)state;
	for (size_t i = 0; i < PUBLISHED_COUNT; ++i) {
		const uint32_t index  = published[i].index;
		const char    *symbol = published[i].symbol;
		if (index >= ET_PORT_COUNT) {
			fail_msg(
			    "%s: published at index %u, but the table ends at %u",
			    symbol, index, (unsigned)ET_PORT_COUNT - 1);
		}
		if (strcmp(et_ports[index].symbol, symbol) != 0) {
			fail_msg(
			    "%s: published at index %u, but the table has %s there",
			    symbol, index, et_ports[index].symbol);
		}
	}
	/* Every published port is in the table: any more are new. */
	for (size_t i = PUBLISHED_COUNT; i < ET_PORT_COUNT; ++i) {
		fail_msg(
		    "%s: at index %u in the table, but not published (append "
		    "it to the list above when it is)",
		    et_ports[i].symbol, (unsigned)i);
	}
}

/* The C names come from the same rows as the symbols: ET_PORT_LOOP_MUTE is
 * the index of loop_mute because its row says so, for every row. */
static void
every_port_is_named_after_its_symbol(void **state)
{
	(void)state;
#define NAMED_(k, id, symbol, ...) { ET_PORT_##id, #id },
	static const struct {
		uint32_t    index;
		const char *id;
	} named[] = { ET_PORT_LIST(NAMED_, ~) };
#undef NAMED_
	assert_int_equal(sizeof(named) / sizeof(named[0]), ET_PORT_COUNT);
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		const char *symbol = et_ports[named[i].index].symbol;
		char        upper[64];
		size_t      n = 0;
		for (; symbol[n] && n + 1 < sizeof(upper); ++n) {
			upper[n] = (char)toupper((unsigned char)symbol[n]);
		}
		upper[n] = '\0';
		if (named[i].index != i || strcmp(upper, named[i].id) != 0) {
			fail_msg("ET_PORT_%s is %u, the index of %s",
				 named[i].id, named[i].index, symbol);
		}
	}
}

/* et_track_port() and et_track_out_port() find each track's own ports. */
static void
the_track_helpers_find_each_tracks_ports(void **state)
{
	(void)state;
	static const char *const field[ET_TRACK_FIELD_COUNT] = {
		[ET_TRACK_FIELD_CHANNEL]   = "channel",
		[ET_TRACK_FIELD_MUTE]      = "mute",
		[ET_TRACK_FIELD_TRANSPOSE] = "transpose",
		[ET_TRACK_FIELD_PROGRAM]   = "program",
	};
	char want[32];
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		for (unsigned f = 0; f < ET_TRACK_FIELD_COUNT; ++f) {
			snprintf(want, sizeof(want), "track%u_%s", t + 1,
				 field[f]);
			const uint32_t port =
			    et_track_port(t, (EtTrackField)f);
			assert_in_range(port, ET_PORT_TRACK_FIRST,
					ET_PORT_TRACK_LAST);
			assert_string_equal(et_ports[port].symbol, want);
		}
		snprintf(want, sizeof(want), "track%u_out", t + 1);
		const uint32_t out = et_track_out_port(t);
		assert_in_range(out, ET_PORT_TRACK_OUT_FIRST,
				ET_PORT_TRACK_OUT_LAST);
		assert_string_equal(et_ports[out].symbol, want);
	}
}

/* A port whose default the core keeps a copy of, as the glue reads it. */
static void
expect_default(uint32_t port, float core_value)
{
	if (core_value != et_ports[port].fallback) {
		fail_msg(
		    "%s: the core starts from %g, the port's default is %g",
		    et_ports[port].symbol, (double)core_value,
		    (double)et_ports[port].fallback);
	}
}

static float
on(bool value)
{
	return value ? 1.0f : 0.0f;
}

static void
the_router_starts_from_the_ports_defaults(void **state)
{
	(void)state;
	EtRouterControls c;
	memset(&c, 0xa5, sizeof(c)); /* nothing left as it was */
	et_router_default_controls(&c);
	expect_default(ET_PORT_AUTO_CHANNEL, c.auto_channel);
	/* The router counts tracks from 0, the port from 1. */
	expect_default(ET_PORT_ACTIVE_TRACK, c.active_track + 1.0f);
	expect_default(ET_PORT_THRU, on(c.thru));
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const EtTrackControls *tc = &c.track[t];
		expect_default(et_track_port(t, ET_TRACK_FIELD_CHANNEL),
			       tc->channel);
		expect_default(et_track_port(t, ET_TRACK_FIELD_MUTE),
			       on(tc->mute));
		expect_default(et_track_port(t, ET_TRACK_FIELD_TRANSPOSE),
			       tc->transpose);
		expect_default(et_track_port(t, ET_TRACK_FIELD_PROGRAM),
			       tc->program);
	}
}

static void
the_looper_starts_from_the_ports_defaults(void **state)
{
	(void)state;
	const EtLooperControls c = et_looper_default_controls();
	expect_default(ET_PORT_LOOP_ARM, on(c.arm));
	expect_default(ET_PORT_LOOP_MUTE, on(c.mute));
	expect_default(ET_PORT_LOOP_OVERDUB, on(c.overdub));
	expect_default(ET_PORT_LOOP_QUANTIZE, (float)c.quantize);
	expect_default(ET_PORT_LOOP_BARS, (float)c.bars);
	expect_default(ET_PORT_LOOP_CLEAR, on(c.clear));
	expect_default(ET_PORT_LOOP_LEVEL, c.level_db);
	expect_default(ET_PORT_MONITOR, on(c.monitor));
}

/* The constant lookups initialize statics, and agree with the table. */
static const float loop_level[3] = { ET_PORT_MINIMUM(LOOP_LEVEL),
				     ET_PORT_DEFAULT(LOOP_LEVEL),
				     ET_PORT_MAXIMUM(LOOP_LEVEL) };

static void
the_lookups_are_the_tables_numbers(void **state)
{
	(void)state;
	assert_true(loop_level[0] == -60.0f && loop_level[1] == 0.0f &&
		    loop_level[2] == 6.0f);
	assert_true(ET_PORT_DEFAULT(LOOP_OVERDUB) == 1.0f);
	assert_true(ET_PORT_DEFAULT(TRACK3_CHANNEL) == 3.0f);
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		const EtPortInfo *p = &et_ports[i];
		if (ET_PORT_MINIMUM_AT(i) != p->minimum ||
		    ET_PORT_DEFAULT_AT(i) != p->fallback ||
		    ET_PORT_MAXIMUM_AT(i) != p->maximum) {
			fail_msg(
			    "%s: the lookups say %g, %g, %g; the table %g, %g, %g",
			    p->symbol, (double)ET_PORT_MINIMUM_AT(i),
			    (double)ET_PORT_DEFAULT_AT(i),
			    (double)ET_PORT_MAXIMUM_AT(i), (double)p->minimum,
			    (double)p->fallback, (double)p->maximum);
		}
	}
}

/* Hosts and the UI call the values by the names the core's enums mean. */
static void
scale_names_follow_the_cores_values(void **state)
{
	(void)state;
	const EtScale q = ET_SCALE_QUANTIZE, ls = ET_SCALE_LOOP_STATE;
	assert_string_equal(et_scale_name(q, ET_QUANTIZE_OFF), "Off");
	assert_string_equal(et_scale_name(q, ET_QUANTIZE_BEAT), "Beat");
	assert_string_equal(et_scale_name(q, ET_QUANTIZE_BAR), "Bar");
	assert_null(et_scale_name(q, ET_QUANTIZE_BAR + 1));
	assert_string_equal(et_scale_name(ls, ET_LOOP_EMPTY), "Empty");
	assert_string_equal(et_scale_name(ls, ET_LOOP_ARMED), "Armed");
	assert_string_equal(et_scale_name(ls, ET_LOOP_RECORDING), "Recording");
	assert_string_equal(et_scale_name(ls, ET_LOOP_PLAYING), "Playing");
	assert_string_equal(et_scale_name(ls, ET_LOOP_OVERDUBBING),
			    "Overdubbing");
	assert_null(et_scale_name(ls, ET_LOOP_OVERDUBBING + 1));
	/* 0 is Omni on the auto channel, off on the control channel (router,
	 * control_map); channels and tracks go by their numbers. */
	assert_string_equal(et_scale_name(ET_SCALE_AUTO_CHANNEL, 0), "Omni");
	assert_string_equal(et_scale_name(ET_SCALE_CONTROL_CHANNEL, 0), "Off");
	assert_null(et_scale_name(ET_SCALE_AUTO_CHANNEL, 1));
	assert_null(et_scale_name(ET_SCALE_TRACKS, 1));
	/* Each named scale names every value of its ports' ranges. */
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		const EtPortInfo *p = &et_ports[i];
		if (p->scale != ET_SCALE_QUANTIZE &&
		    p->scale != ET_SCALE_LOOP_STATE) {
			continue;
		}
		for (int v = (int)p->minimum; v <= (int)p->maximum; ++v) {
			if (!et_scale_name(p->scale, v)) {
				fail_msg("%s: value %d has no name", p->symbol,
					 v);
			}
		}
	}
}

/* What the glue hands the core before any port is connected: each default
 * is a value the port may hold, so sanitizing it changes nothing. */
static void
every_default_is_a_value_of_its_port(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		const EtPortInfo *p = &et_ports[i];
		if (et_port_sanitize(i, p->fallback) != p->fallback) {
			fail_msg(
			    "%s: its default %g is outside %g..%g or not whole",
			    p->symbol, (double)p->fallback, (double)p->minimum,
			    (double)p->maximum);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    every_published_port_keeps_its_symbol_and_index),
		cmocka_unit_test(every_port_is_named_after_its_symbol),
		cmocka_unit_test(the_track_helpers_find_each_tracks_ports),
		cmocka_unit_test(the_router_starts_from_the_ports_defaults),
		cmocka_unit_test(the_looper_starts_from_the_ports_defaults),
		cmocka_unit_test(every_default_is_a_value_of_its_port),
		cmocka_unit_test(the_lookups_are_the_tables_numbers),
		cmocka_unit_test(scale_names_follow_the_cores_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The factory presets (one file each in ttl/presets/) through lilv, as a host
 * loads them: the plugin lists exactly three; each one, applied to a fresh
 * instance, sets exactly the control values it promises (every router
 * port, loop_arm 0, and nothing else), and the plugin then behaves the way
 * its name says. */
#include "lv2host.h"

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/presets/presets.h>
#include <lv2/urid/urid.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PRESET_PREFIX "urn:eighttrack:preset:"
#define MAX_VALUES    128
#define MAX_URIS      64

/* ------------------------------------------------------- a lilv world */

typedef struct {
	char    *uris[MAX_URIS];
	uint32_t n;
} UriTable;

static LV2_URID
map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
	UriTable *t = (UriTable *)handle;
	for (uint32_t i = 0; i < t->n; ++i) {
		if (!strcmp(t->uris[i], uri)) {
			return i + 1;
		}
	}
	if (t->n == MAX_URIS) {
		return 0;
	}
	t->uris[t->n] = strdup(uri);
	return ++t->n;
}

typedef struct {
	LilvWorld        *world;
	const LilvPlugin *plugin;
	UriTable          uris;
	LV2_URID_Map      map;
} World;

static World *
world_new(void)
{
	World *w      = (World *)calloc(1, sizeof(World));
	w->map.handle = &w->uris;
	w->map.map    = map_uri;
	w->world      = lilv_world_new();
	w->plugin     = eth_load_plugin(w->world);
	assert_non_null(w->plugin);
	return w;
}

static void
world_free(World *w)
{
	lilv_world_free(w->world);
	for (uint32_t i = 0; i < w->uris.n; ++i) {
		free(w->uris.uris[i]);
	}
	free(w);
}

/* -------------------------------------------- applying a preset's values */

typedef struct {
	char  symbol[64];
	float value;
} Value;

typedef struct {
	EthHost *host;
	LV2_URID atom_float;
	Value    got[MAX_VALUES];
	unsigned n_got;
	unsigned bad_type;
} Apply;

static void
set_value(const char *symbol, void *user_data, const void *value,
	  uint32_t size, uint32_t type)
{
	Apply *a = (Apply *)user_data;
	if (type != a->atom_float || size != sizeof(float)) {
		++a->bad_type;
		return;
	}
	assert_true(a->n_got < MAX_VALUES);
	snprintf(a->got[a->n_got].symbol, sizeof(a->got[0].symbol), "%s",
		 symbol);
	a->got[a->n_got].value = *(const float *)value;
	++a->n_got;
	eth_set(a->host, symbol, *(const float *)value);
}

/* Loads the preset by URI the way Ardour and jalv do (load_resource, then
 * new_from_world) and applies its port values to host.  Returns what the
 * preset set, in *a. */
static void
apply_preset(World *w, EthHost *host, const char *name, Apply *a)
{
	char uri[256];
	snprintf(uri, sizeof(uri), PRESET_PREFIX "%s", name);
	LilvNode *preset = lilv_new_uri(w->world, uri);
	/* 1 the first time, 0 once the file is loaded; -1 on error. */
	assert_true(lilv_world_load_resource(w->world, preset) >= 0);

	LilvState *state =
	    lilv_state_new_from_world(w->world, &w->map, preset);
	assert_non_null(state);
	assert_string_equal(lilv_node_as_uri(lilv_state_get_uri(state)), uri);
	assert_true(lilv_node_equals(lilv_state_get_plugin_uri(state),
				     lilv_plugin_get_uri(w->plugin)));

	memset(a, 0, sizeof(*a));
	a->host       = host;
	a->atom_float = map_uri(&w->uris, LV2_ATOM__Float);
	lilv_state_restore(state, NULL, set_value, a, 0, NULL);
	assert_int_equal(a->bad_type, 0);

	lilv_state_free(state);
	lilv_node_free(preset);
}

/* ------------------------------------------------ what each preset means */

typedef struct {
	const char *symbol;
	float       value;
} Expect;

/* Every router port, at its default unless a preset says otherwise. */
static unsigned
router_defaults(Expect *e, float auto_channel)
{
	static char names[32][32];
	unsigned    n = 0;
	e[n++]        = (Expect){ "auto_channel", auto_channel };
	e[n++]        = (Expect){ "active_track", 1.0f };
	e[n++]        = (Expect){ "thru", 1.0f };
	for (int t = 1; t <= 8; ++t) {
		char *s = names[(t - 1) * 4];
		snprintf(s, 32, "track%d_channel", t);
		e[n++] = (Expect){ s, (float)t };
		s      = names[(t - 1) * 4 + 1];
		snprintf(s, 32, "track%d_mute", t);
		e[n++] = (Expect){ s, 0.0f };
		s      = names[(t - 1) * 4 + 2];
		snprintf(s, 32, "track%d_transpose", t);
		e[n++] = (Expect){ s, 0.0f };
		s      = names[(t - 1) * 4 + 3];
		snprintf(s, 32, "track%d_program", t);
		e[n++] = (Expect){ s, 0.0f };
	}
	e[n++] = (Expect){ "loop_arm", 0.0f };
	return n;
}

static void
set_expect(Expect *e, unsigned n, const char *symbol, float value)
{
	for (unsigned i = 0; i < n; ++i) {
		if (!strcmp(e[i].symbol, symbol)) {
			e[i].value = value;
			return;
		}
	}
	fail_msg("no such expected port %s", symbol);
}

static unsigned
expected_values(const char *name, Expect *e)
{
	if (!strcmp(name, "keystep_to_one_synth")) {
		const unsigned n = router_defaults(e, 10.0f);
		set_expect(e, n, "track1_channel", 11.0f);
		return n;
	}
	if (!strcmp(name, "omni_live_looper")) {
		unsigned n = router_defaults(e, 0.0f);
		e[n++]     = (Expect){ "loop_quantize", 2.0f };
		e[n++]     = (Expect){ "loop_bars", 0.0f };
		e[n++]     = (Expect){ "loop_overdub", 1.0f };
		e[n++]     = (Expect){ "monitor", 1.0f };
		return n;
	}
	if (!strcmp(name, "eight_synths")) {
		return router_defaults(e, 0.0f);
	}
	if (!strcmp(name, "layers_on_one_synth")) {
		unsigned n = router_defaults(e, 0.0f);
		for (int t = 1; t <= 3; ++t) {
			char channel[32], program[32];
			snprintf(channel, sizeof channel, "track%d_channel",
				 t);
			snprintf(program, sizeof program, "track%d_program",
				 t);
			set_expect(e, n, channel, 11.0f);
			set_expect(e, n, program, (float)(4 * t - 3));
		}
		e[n++] = (Expect){ "loop_quantize", 2.0f };
		e[n++] = (Expect){ "loop_bars", 0.0f };
		e[n++] = (Expect){ "loop_overdub", 1.0f };
		e[n++] = (Expect){ "monitor", 1.0f };
		e[n++] = (Expect){ "control_channel", 16.0f };
		return n;
	}
	fail_msg("unknown preset %s", name);
	return 0;
}

/* The preset set exactly the expected ports, each once, to the exact value;
 * every control input of the instance now holds the preset's value where
 * it sets one and the port's default elsewhere. */
static void
check_values(World *w, EthHost *host, const char *name, const Apply *a)
{
	Expect         e[MAX_VALUES];
	const unsigned n = expected_values(name, e);

	assert_int_equal(a->n_got, n);
	for (unsigned i = 0; i < n; ++i) {
		unsigned seen = 0;
		for (unsigned j = 0; j < a->n_got; ++j) {
			if (!strcmp(a->got[j].symbol, e[i].symbol)) {
				++seen;
				if (a->got[j].value != e[i].value) {
					fail_msg("%s: %s = %g, expected %g",
						 name, e[i].symbol,
						 (double)a->got[j].value,
						 (double)e[i].value);
				}
			}
		}
		if (seen != 1) {
			fail_msg("%s: %s set %u times", name, e[i].symbol,
				 seen);
		}
	}

	LilvNode *control    = lilv_new_uri(w->world, LV2_CORE__ControlPort);
	LilvNode *input      = lilv_new_uri(w->world, LV2_CORE__InputPort);
	unsigned  n_controls = 0;
	for (uint32_t i = 0; i < lilv_plugin_get_num_ports(w->plugin); ++i) {
		const LilvPort *port =
		    lilv_plugin_get_port_by_index(w->plugin, i);
		if (!lilv_port_is_a(w->plugin, port, control) ||
		    !lilv_port_is_a(w->plugin, port, input)) {
			continue;
		}
		++n_controls;
		const char *symbol =
		    lilv_node_as_string(lilv_port_get_symbol(w->plugin, port));
		LilvNode *def = NULL;
		lilv_port_get_range(w->plugin, port, &def, NULL, NULL);
		float want = def ? lilv_node_as_float(def) : 0.0f;
		lilv_node_free(def);
		for (unsigned k = 0; k < n; ++k) {
			if (!strcmp(e[k].symbol, symbol)) {
				want = e[k].value;
			}
		}
		if (eth_get(host, symbol) != want) {
			fail_msg(
			    "%s: control %s = %g after loading, expected %g",
			    name, symbol, (double)eth_get(host, symbol),
			    (double)want);
		}
	}
	/* Every port the preset names is a control input of the plugin. */
	for (unsigned k = 0; k < n; ++k) {
		LilvNode       *sym = lilv_new_string(w->world, e[k].symbol);
		const LilvPort *port =
		    lilv_plugin_get_port_by_symbol(w->plugin, sym);
		lilv_node_free(sym);
		assert_non_null(port);
		assert_true(lilv_port_is_a(w->plugin, port, control));
		assert_true(lilv_port_is_a(w->plugin, port, input));
	}
	assert_true(n_controls > n);
	lilv_node_free(control);
	lilv_node_free(input);
}

static void
expect_out(const EthHost *host, size_t i, uint32_t frame, uint8_t b0,
	   uint8_t b1, uint8_t b2)
{
	const EthEvent *ev = eth_out(host, i);
	assert_non_null(ev);
	if (ev->size != 3 || ev->frame != frame || ev->bytes[0] != b0 ||
	    ev->bytes[1] != b1 || ev->bytes[2] != b2) {
		fail_msg(
		    "event %zu: frame %u size %u %02X %02X %02X, expected "
		    "frame %u %02X %02X %02X",
		    i, ev->frame, ev->size, ev->bytes[0],
		    ev->size > 1 ? ev->bytes[1] : 0,
		    ev->size > 2 ? ev->bytes[2] : 0, frame, b0, b1, b2);
	}
}

/* A fresh instance with the named preset loaded before its first run(),
 * as a host that instantiates and then applies a preset. */
static EthHost *
loaded(World *w, const char *name)
{
	EthHost *host = eth_new(48000.0);
	assert_non_null(host);
	Apply a;
	apply_preset(w, host, name, &a);
	check_values(w, host, name, &a);
	return host;
}

static void
done(EthHost *host)
{
	assert_int_equal(eth_allocations_in_run(host), 0);
	eth_free(host);
}

/* ------------------------------------------------------------- stories */

static void
test_lists_exactly_four_presets(void **state)
{
	(void)state;
	World *w = world_new(); /* fresh: no preset file loaded yet */
	static const char *const want[][2] = {
		{ "keystep_to_one_synth", "Keystep to one synth" },
		{ "omni_live_looper", "Omni live looper" },
		{ "eight_synths", "Eight synths on channels 1-8" },
		{ "layers_on_one_synth", "Layers on one synth" },
	};

	LilvNode  *pset    = lilv_new_uri(w->world, LV2_PRESETS__Preset);
	LilvNode  *label   = lilv_new_uri(w->world, LILV_NS_RDFS "label");
	LilvNodes *presets = lilv_plugin_get_related(w->plugin, pset);
	assert_non_null(presets);
	assert_int_equal(lilv_nodes_size(presets), 4);

	for (size_t i = 0; i < 4; ++i) {
		char uri[256];
		snprintf(uri, sizeof(uri), PRESET_PREFIX "%s", want[i][0]);
		LilvNode *node = lilv_new_uri(w->world, uri);
		assert_true(lilv_nodes_contains(presets, node));

		/* Its own file (rdfs:seeAlso) exists and loads, and has the
		 * label. */
		assert_int_equal(lilv_world_load_resource(w->world, node), 1);
		LilvNode *l = lilv_world_get(w->world, node, label, NULL);
		assert_non_null(l);
		assert_string_equal(lilv_node_as_string(l), want[i][1]);
		lilv_node_free(l);
		lilv_node_free(node);
	}
	lilv_nodes_free(presets);
	lilv_node_free(label);
	lilv_node_free(pset);
	world_free(w);
}

static void
test_keystep_to_one_synth(void **state)
{
	World   *w    = (World *)*state;
	EthHost *host = loaded(w, "keystep_to_one_synth");

	/* Channel 10 plays track 1's synth on channel 11, at the same frame;
	 * the drum machine on channel 3 passes thru unchanged. */
	eth_midi3(host, 17, 0x99, 60, 100);
	eth_midi3(host, 40, 0x92, 36, 90);
	eth_midi3(host, 100, 0x89, 60, 0);
	eth_midi3(host, 101, 0x82, 36, 0);
	eth_run(host, 256);
	assert_int_equal(eth_out_count(host), 4);
	expect_out(host, 0, 17, 0x9A, 60, 100);
	expect_out(host, 1, 40, 0x92, 36, 90);
	expect_out(host, 2, 100, 0x8A, 60, 0);
	expect_out(host, 3, 101, 0x82, 36, 0);

	/* Loading never armed the looper. */
	eth_run(host, 256);
	assert_int_equal(eth_out_count(host), 0);
	assert_int_equal(eth_get(host, "loop_state"), 0);
	done(host);
}

static void
test_omni_live_looper(void **state)
{
	World   *w    = (World *)*state;
	EthHost *host = loaded(w, "omni_live_looper");

	/* Omni: any channel plays track 1 (channel 1). */
	eth_midi3(host, 5, 0x94, 64, 80);
	eth_midi3(host, 200, 0x84, 64, 0);
	float *in_l = eth_audio(host, "in_l");
	float *in_r = eth_audio(host, "in_r");
	for (int i = 0; i < 256; ++i) {
		in_l[i] = (float)(i % 50) / 100.0f;
		in_r[i] = -(float)(i % 30) / 100.0f;
	}
	eth_run(host, 256);
	assert_int_equal(eth_out_count(host), 2);
	expect_out(host, 0, 5, 0x90, 64, 80);
	expect_out(host, 1, 200, 0x80, 64, 0);

	/* Monitor on: the input is heard; nothing armed, no loop. */
	const float *out_l = eth_audio(host, "out_l");
	const float *out_r = eth_audio(host, "out_r");
	for (int i = 0; i < 256; ++i) {
		if (out_l[i] != in_l[i] || out_r[i] != in_r[i]) {
			fail_msg("frame %d: out %g %g, in %g %g", i,
				 (double)out_l[i], (double)out_r[i],
				 (double)in_l[i], (double)in_r[i]);
		}
	}
	assert_int_equal(eth_get(host, "loop_state"), 0);

	/* Quantize on the bar: arming mid-bar with the transport rolling waits
	 * (armed) for the next bar instead of recording at once. */
	eth_position(host, 0, 48000, 1.0, 120.0, 4.0, 0, 1.0f);
	eth_run(host, 256);
	eth_set(host, "loop_arm", 1.0f);
	eth_position(host, 0, 48256, 1.0, 120.0, 4.0, 0,
		     1.0f + 256.0f / 24000.0f);
	eth_run(host, 256);
	assert_int_equal(eth_get(host, "loop_state"), 1);
	done(host);
}

/* The README's main example: one synth on channel 11 behind tracks 1-3
 * with their own patches, pads on channel 16.  Pad 37 makes track 2
 * active at its frame: program 5 (Program Change 4) goes to the synth
 * there, and the keys play it on channel 11; pad 48 arms track 2's loop. */
static void
test_layers_on_one_synth(void **state)
{
	World   *w    = (World *)*state;
	EthHost *host = loaded(w, "layers_on_one_synth");
	eth_run(host, 256); /* track 1's program goes out when it starts */
	eth_midi3(host, 10, 0x9F, 37, 100); /* pad: track 2 */
	eth_midi3(host, 20, 0x90, 60, 90);
	eth_midi3(host, 30, 0x80, 60, 0);
	eth_midi3(host, 40, 0x9F, 48, 100); /* pad: arm */
	eth_run(host, 256);
	assert_int_equal(eth_out_count(host), 3);
	const EthEvent *pc = eth_out(host, 0);
	assert_int_equal(pc->frame, 10);
	assert_int_equal(pc->size, 2);
	assert_int_equal(pc->bytes[0], 0xCA);
	assert_int_equal(pc->bytes[1], 4);
	expect_out(host, 1, 20, 0x9A, 60, 90);
	expect_out(host, 2, 30, 0x8A, 60, 0);
	/* No transport: a free take starts on track 2's loop at once. */
	assert_int_equal(eth_get(host, "track2_loop_state"), 2);
	assert_int_equal(eth_get(host, "track1_loop_state"), 0);
	done(host);
}

static void
test_eight_synths(void **state)
{
	World   *w    = (World *)*state;
	EthHost *host = loaded(w, "eight_synths");

	/* Omni: whatever the controller's channel, track N plays on channel N,
	 * untransposed, with no program change, for every N. */
	for (int n = 1; n <= 8; ++n) {
		eth_set(host, "active_track", (float)n);
		eth_midi3(host, 3 * n, 0x9F, 48 + n, 100);
		eth_midi3(host, 3 * n + 1, 0x8F, 48 + n, 0);
		eth_run(host, 128);
		assert_int_equal(eth_out_count(host), 2);
		expect_out(host, 0, (uint32_t)(3 * n),
			   (uint8_t)(0x90 | (n - 1)), (uint8_t)(48 + n), 100);
		expect_out(host, 1, (uint32_t)(3 * n + 1),
			   (uint8_t)(0x80 | (n - 1)), (uint8_t)(48 + n), 0);
	}
	assert_int_equal(eth_get(host, "loop_state"), 0);
	done(host);
}

/* Loading a preset over an instance that was changed sets every router
 * port back (no leftovers from before) and disarms nothing that it should
 * not: loop_arm goes to 0. */
static void
test_preset_overrides_everything(void **state)
{
	World   *w    = (World *)*state;
	EthHost *host = eth_new(48000.0);
	eth_set(host, "auto_channel", 5.0f);
	eth_set(host, "active_track", 7.0f);
	eth_set(host, "thru", 0.0f);
	eth_set(host, "track3_mute", 1.0f);
	eth_set(host, "track4_transpose", 12.0f);
	eth_set(host, "track5_program", 9.0f);
	eth_set(host, "track1_channel", 16.0f);
	eth_set(host, "loop_arm", 1.0f);
	eth_run(host, 256);

	Apply a;
	apply_preset(w, host, "eight_synths", &a);
	check_values(w, host, "eight_synths", &a);
	done(host);
}

static int
group_setup(void **state)
{
	*state = world_new();
	return 0;
}

static int
group_teardown(void **state)
{
	world_free((World *)*state);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_exactly_four_presets),
		cmocka_unit_test(test_keystep_to_one_synth),
		cmocka_unit_test(test_omni_live_looper),
		cmocka_unit_test(test_eight_synths),
		cmocka_unit_test(test_layers_on_one_synth),
		cmocka_unit_test(test_preset_overrides_everything),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

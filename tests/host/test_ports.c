/* The built bundle's ports, read through lilv, must be exactly the C port
 * table: same index, symbol, class, range, properties, unit and group. */
#include "lv2host.h"
#include "messages.h"
#include "ports.h"

#include <lilv/lilv.h>
#include <lv2/core/lv2.h>
#include <lv2/port-groups/port-groups.h>
#include <lv2/port-props/port-props.h>
#include <lv2/resize-port/resize-port.h>
#include <lv2/units/units.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

static LilvWorld        *world;
static const LilvPlugin *plugin;

static int
load(void **state)
{
	(void)state;
	world  = lilv_world_new();
	plugin = eth_load_plugin(world);
	return plugin ? 0 : -1;
}

static int
unload(void **state)
{
	(void)state;
	lilv_world_free(world);
	return 0;
}

static const char *
class_uri(EtPortKind kind, bool direction)
{
	switch (kind) {
	case ET_PORT_KIND_ATOM_IN:
		return direction ? LV2_CORE__InputPort
				 : "http://lv2plug.in/ns/ext/atom#AtomPort";
	case ET_PORT_KIND_ATOM_OUT:
	case ET_PORT_KIND_NOTIFY_OUT:
		return direction ? LV2_CORE__OutputPort
				 : "http://lv2plug.in/ns/ext/atom#AtomPort";
	case ET_PORT_KIND_AUDIO_IN:
		return direction ? LV2_CORE__InputPort : LV2_CORE__AudioPort;
	case ET_PORT_KIND_AUDIO_OUT:
		return direction ? LV2_CORE__OutputPort : LV2_CORE__AudioPort;
	case ET_PORT_KIND_CONTROL_IN:
		return direction ? LV2_CORE__InputPort : LV2_CORE__ControlPort;
	case ET_PORT_KIND_CONTROL_OUT:
		return direction ? LV2_CORE__OutputPort
				 : LV2_CORE__ControlPort;
	}
	return "";
}

static bool
has_property(const LilvPort *port, const char *uri)
{
	LilvNode  *node = lilv_new_uri(world, uri);
	const bool has  = lilv_port_has_property(plugin, port, node);
	lilv_node_free(node);
	return has;
}

static void
the_ttl_ports_are_the_c_port_table(void **state)
{
	(void)state;
	assert_int_equal(lilv_plugin_get_num_ports(plugin), ET_PORT_COUNT);
	LilvNode *unit_pred  = lilv_new_uri(world, LV2_UNITS__unit);
	LilvNode *group_pred = lilv_new_uri(world, LV2_PORT_GROUPS__group);
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		const EtPortInfo *info = &et_ports[i];
		const LilvPort   *port =
		    lilv_plugin_get_port_by_index(plugin, i);
		assert_non_null(port);
		assert_string_equal(
		    lilv_node_as_string(lilv_port_get_symbol(plugin, port)),
		    info->symbol);
		for (int d = 0; d < 2; ++d) {
			LilvNode *cls =
			    lilv_new_uri(world, class_uri(info->kind, d));
			assert_true(lilv_port_is_a(plugin, port, cls));
			lilv_node_free(cls);
		}

		LilvNode *name = lilv_port_get_name(plugin, port);
		assert_string_equal(lilv_node_as_string(name), info->name);
		lilv_node_free(name);

		if (info->kind == ET_PORT_KIND_CONTROL_IN ||
		    info->kind == ET_PORT_KIND_CONTROL_OUT) {
			LilvNode *def, *min, *max;
			lilv_port_get_range(plugin, port, &def, &min, &max);
			assert_non_null(def);
			assert_non_null(min);
			assert_non_null(max);
			assert_true(lilv_node_as_float(def) == info->fallback);
			assert_true(lilv_node_as_float(min) == info->minimum);
			assert_true(lilv_node_as_float(max) == info->maximum);
			lilv_node_free(def);
			lilv_node_free(min);
			lilv_node_free(max);
		}

		assert_int_equal(has_property(port, LV2_CORE__integer),
				 !!(info->properties & ET_PROP_INTEGER));
		assert_int_equal(has_property(port, LV2_CORE__toggled),
				 !!(info->properties & ET_PROP_TOGGLED));
		assert_int_equal(has_property(port, LV2_CORE__enumeration),
				 !!(info->properties & ET_PROP_ENUMERATION));
		assert_int_equal(has_property(port, LV2_PORT_PROPS__trigger),
				 !!(info->properties & ET_PROP_TRIGGER));

		LilvNodes *units =
		    lilv_port_get_value(plugin, port, unit_pred);
		assert_int_equal(lilv_nodes_size(units),
				 info->unit != ET_UNIT_NONE ? 1 : 0);
		lilv_nodes_free(units);

		LilvNodes *groups =
		    lilv_port_get_value(plugin, port, group_pred);
		assert_int_equal(lilv_nodes_size(groups), 1);
		const char *group =
		    lilv_node_as_uri(lilv_nodes_get_first(groups));
		const char *hash = strrchr(group, '#');
		assert_non_null(hash);
		assert_string_equal(hash + 1,
				    et_port_groups[info->group].symbol);
		lilv_nodes_free(groups);
	}
	lilv_node_free(unit_pred);
	lilv_node_free(group_pred);
}

/* Ardour ignores lv2:enumeration without scale points: every value of an
 * enumeration needs one. */
static void
every_enumeration_value_has_a_scale_point(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		const EtPortInfo *info = &et_ports[i];
		if (!(info->properties & ET_PROP_ENUMERATION)) {
			continue;
		}
		const LilvPort *port =
		    lilv_plugin_get_port_by_index(plugin, i);
		LilvScalePoints *points =
		    lilv_port_get_scale_points(plugin, port);
		const unsigned want =
		    (unsigned)(info->maximum - info->minimum) + 1;
		assert_int_equal(lilv_scale_points_size(points), want);
		for (int v = (int)info->minimum; v <= (int)info->maximum;
		     ++v) {
			bool found = false;
			LILV_FOREACH(scale_points, it, points)
			{
				const LilvScalePoint *sp =
				    lilv_scale_points_get(points, it);
				if (lilv_node_as_float(
					lilv_scale_point_get_value(sp)) ==
				    (float)v) {
					found = true;
				}
			}
			assert_true(found);
		}
		lilv_scale_points_free(points);
	}
}

/* Port indices are part of saved sessions: the ports added later come
 * after the older ones, in the contract's order (track_outs after
 * track8_out), and a port added later is off by default. */
static void
later_ports_are_appended_in_order(void **state)
{
	(void)state;
	assert_string_equal(et_ports[ET_PORT_TRACK_OUT_LAST].symbol,
			    "track8_out");
	assert_int_equal(ET_PORT_TRACK_OUTS, ET_PORT_TRACK_OUT_LAST + 1);
	const EtPortInfo *outs = &et_ports[ET_PORT_TRACK_OUTS];
	assert_string_equal(outs->symbol, "track_outs");
	assert_int_equal(outs->kind, ET_PORT_KIND_CONTROL_IN);
	assert_int_equal(outs->properties, ET_PROP_TOGGLED);
	assert_true(outs->fallback == 0.0f);
	const LilvPort *port =
	    lilv_plugin_get_port_by_index(plugin, ET_PORT_TRACK_OUTS);
	assert_string_equal(
	    lilv_node_as_string(lilv_port_get_symbol(plugin, port)),
	    "track_outs");
}

/* notify asks hosts for room for a whole round of the UI's messages
 * (messages.h; test_host_notify sends one through that size). */
static void
notify_declares_its_minimum_size(void **state)
{
	(void)state;
	const LilvPort *port =
	    lilv_plugin_get_port_by_index(plugin, ET_PORT_NOTIFY);
	LilvNode  *pred = lilv_new_uri(world, LV2_RESIZE_PORT__minimumSize);
	LilvNodes *size = lilv_port_get_value(plugin, port, pred);
	lilv_node_free(pred);
	assert_int_equal(lilv_nodes_size(size), 1);
	const LilvNode *value = lilv_nodes_get_first(size);
	assert_true(lilv_node_is_int(value));
	assert_int_equal(lilv_node_as_int(value), ET_MSG_NOTIFY_MIN_SIZE);
	lilv_nodes_free(size);
	/* No other port asks for a size. */
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		if (i == ET_PORT_NOTIFY) {
			continue;
		}
		pred = lilv_new_uri(world, LV2_RESIZE_PORT__minimumSize);
		LilvNodes *none = lilv_port_get_value(
		    plugin, lilv_plugin_get_port_by_index(plugin, i), pred);
		lilv_node_free(pred);
		assert_int_equal(lilv_nodes_size(none), 0);
		lilv_nodes_free(none);
	}
}

static void
sanitize_clamps_rounds_and_reads_nan_as_default(void **state)
{
	(void)state;
	const uint32_t ch = et_track_port(2, ET_TRACK_FIELD_CHANNEL);
	assert_true(et_port_sanitize(ch, (float)NAN) == 3.0f);
	assert_true(et_port_sanitize(ch, (float)INFINITY) == 16.0f);
	assert_true(et_port_sanitize(ch, -(float)INFINITY) == 1.0f);
	assert_true(et_port_sanitize(ch, 4.6f) == 5.0f);
	assert_true(et_port_sanitize(ET_PORT_THRU, 0.2f) == 1.0f);
	assert_true(et_port_sanitize(ET_PORT_THRU, -3.0f) == 0.0f);
	assert_true(et_port_sanitize(ET_PORT_THRU, (float)NAN) == 1.0f);
	assert_true(et_port_sanitize(ET_PORT_ACTIVE_TRACK, 1e30f) == 8.0f);
	assert_true(
	    et_port_sanitize(et_track_port(0, ET_TRACK_FIELD_TRANSPOSE),
			     -100.0f) == -48.0f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_ttl_ports_are_the_c_port_table),
		cmocka_unit_test(every_enumeration_value_has_a_scale_point),
		cmocka_unit_test(later_ports_are_appended_in_order),
		cmocka_unit_test(notify_declares_its_minimum_size),
		cmocka_unit_test(
		    sanitize_clamps_rounds_and_reads_nan_as_default),
	};
	return cmocka_run_group_tests(tests, load, unload);
}

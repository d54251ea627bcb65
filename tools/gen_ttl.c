/* Writes the lv2:port and pg:Group part of eighttrack.ttl from the port
 * table in plugin/core/ports.c (generated from the list in port_list.h), so
 * the Turtle and the C code share one source.
 * The Makefile appends its output to ttl/eighttrack.ttl.in. */
#include "messages.h"
#include "ports.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void
print_number(const char *predicate, float value)
{
	if (value == floorf(value)) {
		printf("\t\t%s %d ;\n", predicate, (int)value);
	} else {
		printf("\t\t%s %.6g ;\n", predicate, (double)value);
	}
}

/* A decimal literal (xsd:decimal), which lilv reads as a float. */
static void
print_float(const char *predicate, float value)
{
	printf("\t\t%s %.1f ;\n", predicate, (double)value);
}

/* One lv2:scalePoint for each value of the port's range, by its name
 * (et_scale_name) or its number. */
static void
print_scale_points(const EtPortInfo *p)
{
	if (p->scale == ET_SCALE_NONE) {
		return;
	}
	/* The tracks' points have always had one space more before them: kept,
	 * so that the Turtle stays as published, byte for byte. */
	const char *next =
	    p->scale == ET_SCALE_TRACKS ? " ,\n\t\t\t " : " ,\n\t\t\t";
	printf("\t\tlv2:scalePoint ");
	for (int v = (int)p->minimum; v <= (int)p->maximum; ++v) {
		const char *name = et_scale_name(p->scale, v);
		char        numbered[32];
		if (!name) {
			snprintf(numbered, sizeof(numbered), "%s %d",
				 p->scale == ET_SCALE_TRACKS ? "Track"
							     : "Channel",
				 v);
			name = numbered;
		}
		printf("%s[ rdfs:label \"%s\" ; rdf:value %d ]",
		       v > (int)p->minimum ? next : "", name, v);
	}
	printf(" ;\n");
}

/* Standard units where LV2 has one, else the plugin's own (etu:, defined
 * in ttl/eighttrack.ttl.in); NULL for none. */
static const char *
unit_curie(EtUnit unit)
{
	switch (unit) {
	case ET_UNIT_NONE: return NULL;
	case ET_UNIT_SWITCH: return "etu:switch";
	case ET_UNIT_CHANNEL: return "etu:channel";
	case ET_UNIT_TRACK: return "etu:track";
	case ET_UNIT_PROGRAM: return "etu:program";
	case ET_UNIT_MODE: return "etu:mode";
	case ET_UNIT_SEMITONE: return "units:semitone12TET";
	case ET_UNIT_BAR: return "units:bar";
	case ET_UNIT_DB: return "units:db";
	case ET_UNIT_SECOND: return "units:s";
	case ET_UNIT_COEF: return "units:coef";
	case ET_UNIT_MS: return "units:ms";
	}
	return NULL;
}

static const char *
group_classes(EtGroupKind kind)
{
	switch (kind) {
	case ET_GROUP_PLAIN: return "pg:Group";
	case ET_GROUP_STEREO_IN: return "pg:InputGroup , pg:StereoGroup";
	case ET_GROUP_STEREO_OUT: return "pg:OutputGroup , pg:StereoGroup";
	}
	return "pg:Group";
}

static const char *
port_classes(EtPortKind kind)
{
	switch (kind) {
	case ET_PORT_KIND_ATOM_IN: return "lv2:InputPort , atom:AtomPort";
	case ET_PORT_KIND_ATOM_OUT:
	case ET_PORT_KIND_NOTIFY_OUT: return "lv2:OutputPort , atom:AtomPort";
	case ET_PORT_KIND_AUDIO_IN: return "lv2:InputPort , lv2:AudioPort";
	case ET_PORT_KIND_AUDIO_OUT: return "lv2:OutputPort , lv2:AudioPort";
	case ET_PORT_KIND_CONTROL_IN: return "lv2:InputPort , lv2:ControlPort";
	case ET_PORT_KIND_CONTROL_OUT:
		return "lv2:OutputPort , lv2:ControlPort";
	}
	return "";
}

static void
print_port(uint32_t index)
{
	const EtPortInfo *p = &et_ports[index];
	printf("\t[\n\t\ta %s ;\n", port_classes(p->kind));
	printf("\t\tlv2:index %u ;\n", index);
	printf("\t\tlv2:symbol \"%s\" ;\n", p->symbol);
	printf("\t\tlv2:name \"%s\" ;\n", p->name);
	printf("\t\trdfs:comment \"%s\" ;\n", p->comment);

	if (p->kind == ET_PORT_KIND_ATOM_IN) {
		printf("\t\tatom:bufferType atom:Sequence ;\n"
		       "\t\tatom:supports midi:MidiEvent , time:Position ;\n"
		       "\t\tlv2:designation lv2:control ;\n");
	} else if (p->kind == ET_PORT_KIND_ATOM_OUT) {
		printf("\t\tatom:bufferType atom:Sequence ;\n"
		       "\t\tatom:supports midi:MidiEvent ;\n");
	} else if (p->kind == ET_PORT_KIND_NOTIFY_OUT) {
		/* Room for a whole round of the UI's messages (messages.h). */
		printf("\t\tatom:bufferType atom:Sequence ;\n"
		       "\t\tatom:supports atom:Object ;\n"
		       "\t\trsz:minimumSize %d ;\n",
		       ET_MSG_NOTIFY_MIN_SIZE);
	} else if (p->kind == ET_PORT_KIND_CONTROL_IN ||
		   p->kind == ET_PORT_KIND_CONTROL_OUT) {
		if (p->properties & (ET_PROP_INTEGER | ET_PROP_TOGGLED)) {
			print_number("lv2:default", p->fallback);
		} else {
			print_float("lv2:default", p->fallback);
		}
		if (p->properties & (ET_PROP_INTEGER | ET_PROP_TOGGLED)) {
			print_number("lv2:minimum", p->minimum);
			print_number("lv2:maximum", p->maximum);
		} else {
			print_float("lv2:minimum", p->minimum);
			print_float("lv2:maximum", p->maximum);
		}
	}

	const char *sep = "\t\tlv2:portProperty ";
	if (p->properties & ET_PROP_INTEGER) {
		printf("%slv2:integer", sep);
		sep = " , ";
	}
	if (p->properties & ET_PROP_TOGGLED) {
		printf("%slv2:toggled", sep);
		sep = " , ";
	}
	if (p->properties & ET_PROP_ENUMERATION) {
		printf("%slv2:enumeration", sep);
		sep = " , ";
	}
	if (p->properties & ET_PROP_TRIGGER) {
		printf("%spprops:trigger", sep);
		sep = " , ";
	}
	if (p->properties) {
		printf(" ;\n");
	}

	const char *unit = unit_curie(p->unit);
	if (unit) {
		printf("\t\tunits:unit %s ;\n", unit);
	}
	print_scale_points(p);
	if (p->kind == ET_PORT_KIND_AUDIO_IN ||
	    p->kind == ET_PORT_KIND_AUDIO_OUT) {
		/* Stereo pairs are named *_l and *_r. */
		const size_t len = strlen(p->symbol);
		printf("\t\tlv2:designation %s ;\n",
		       p->symbol[len - 1] == 'l' ? "pg:left" : "pg:right");
	}
	printf("\t\tpg:group etg:%s\n\t]", et_port_groups[p->group].symbol);
}

/* The UI's ui:portNotification list (`gen_ttl ui`): every control port it
 * shows, as floats, and notify as atom events. */
static int
print_ui_notifications(void)
{
	printf(
	    "# Generated by tools/gen_ttl.c from plugin/core/ports.c: do not edit.\n"
	    "<urn:eighttrack:ui>\n\tui:portNotification\n");
	const char *sep = "";
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		const EtPortInfo *p = &et_ports[i];
		const bool control  = p->kind == ET_PORT_KIND_CONTROL_IN ||
				     p->kind == ET_PORT_KIND_CONTROL_OUT;
		if (!control && p->kind != ET_PORT_KIND_NOTIFY_OUT) {
			continue;
		}
		printf(
		    "%s\t\t[ ui:plugin <urn:eighttrack:plugin> ; lv2:symbol \"%s\" ;"
		    " ui:protocol %s ]",
		    sep, p->symbol,
		    control ? "ui:floatProtocol" : "atom:eventTransfer");
		sep = " ,\n";
	}
	printf(" .\n");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "ui")) {
		return print_ui_notifications();
	}
	printf(
	    "# Generated by tools/gen_ttl.c from plugin/core/ports.c: do not edit.\n\n");
	for (unsigned g = 0; g < ET_PORT_GROUP_COUNT; ++g) {
		const EtPortGroup *group = &et_port_groups[g];
		printf(
		    "etg:%s\n\ta %s ;\n\tlv2:symbol \"%s\" ;\n\trdfs:label \"%s\" .\n\n",
		    group->symbol, group_classes(group->kind), group->symbol,
		    group->label);
	}

	printf("<urn:eighttrack:plugin>\n\tlv2:port\n");
	for (uint32_t i = 0; i < ET_PORT_COUNT; ++i) {
		print_port(i);
		printf(i + 1 < ET_PORT_COUNT ? " ,\n" : " .\n");
	}
	return 0;
}

/* Eighttrack's LV2 glue: maps ports and atoms onto the core modules.
 *
 * Nothing musical happens here.  run() reads and sanitizes the controls,
 * walks midi_in in frame order and hands each event to the router, and
 * writes what the router emits into midi_out with a forge that never
 * writes past the capacity the host gave.  Problems seen in run() are
 * counted there and logged by the worker, never from the audio thread. */
#include "ports.h"
#include "router.h"
#include "uris.h"

#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/log/logger.h>
#include <lv2/worker/worker.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What run() can notice and the worker reports, once each. */
typedef enum {
	ET_REPORT_ROUTER_FIRST = 0, /* + EtRouterStatus */
	ET_REPORT_LATE_EVENT = ET_ROUTER_STATUS_COUNT,
	ET_REPORT_NON_MIDI,
	ET_REPORT_COUNT
} EtReport;

typedef struct {
	uint32_t report;
	uint32_t count;
	uint32_t detail;
} EtReportMessage;

typedef struct {
	LV2_URID_Map         *map;
	LV2_Log_Logger        logger;
	LV2_Worker_Schedule  *schedule;
	EtUris                uris;
	LV2_Atom_Forge        forge;
	LV2_Atom_Forge_Frame  out_frame; /* midi_out's sequence, for this run() */

	void *port[ET_PORT_COUNT];

	EtRouter router;

	uint32_t late_events;
	uint32_t non_midi_events;
	uint32_t out_capacity; /* of midi_out, in the current run() */
	bool     reported[ET_REPORT_COUNT];
} Eighttrack;

static float
control(const Eighttrack *self, uint32_t index)
{
	const float *port = (const float *)self->port[index];
	return et_port_sanitize(index, port ? *port : et_ports[index].fallback);
}

static void
read_router_controls(const Eighttrack *self, EtRouterControls *controls)
{
	controls->auto_channel = (uint8_t)control(self, ET_PORT_AUTO_CHANNEL);
	controls->active_track =
	    (uint8_t)(control(self, ET_PORT_ACTIVE_TRACK) - 1.0f);
	controls->thru = control(self, ET_PORT_THRU) > 0.0f;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		EtTrackControls *tc = &controls->track[t];
		tc->channel =
		    (uint8_t)control(self, et_track_port(t, ET_TRACK_FIELD_CHANNEL));
		tc->mute =
		    control(self, et_track_port(t, ET_TRACK_FIELD_MUTE)) > 0.0f;
		tc->transpose =
		    (int8_t)control(self, et_track_port(t, ET_TRACK_FIELD_TRANSPOSE));
		tc->program =
		    (uint8_t)control(self, et_track_port(t, ET_TRACK_FIELD_PROGRAM));
	}
}

/* The router's output: one MIDI event into midi_out, or false when it
 * would not fit whole (a half-written event would corrupt the sequence). */
static bool
emit_midi(void *ctx, uint32_t frame, int track, const uint8_t *msg,
          uint32_t size)
{
	(void)track;
	Eighttrack     *self  = (Eighttrack *)ctx;
	LV2_Atom_Forge *forge = &self->forge;
	const uint32_t  need =
	    (uint32_t)sizeof(LV2_Atom_Event) + lv2_atom_pad_size(size);
	if (!forge->buf || forge->offset + need > forge->size) {
		return false;
	}
	lv2_atom_forge_frame_time(forge, frame);
	lv2_atom_forge_atom(forge, size, self->uris.midi_MidiEvent);
	lv2_atom_forge_write(forge, msg, size);
	return true;
}

static LV2_Handle
instantiate(const LV2_Descriptor *descriptor, double rate,
            const char *bundle_path, const LV2_Feature *const *features)
{
	(void)descriptor;
	(void)rate;
	(void)bundle_path;

	Eighttrack *self = (Eighttrack *)calloc(1, sizeof(Eighttrack));
	if (!self) {
		return NULL;
	}

	LV2_Log_Log *log = NULL;
	for (unsigned i = 0; features && features[i]; ++i) {
		if (!strcmp(features[i]->URI, LV2_URID__map)) {
			self->map = (LV2_URID_Map *)features[i]->data;
		} else if (!strcmp(features[i]->URI, LV2_LOG__log)) {
			log = (LV2_Log_Log *)features[i]->data;
		} else if (!strcmp(features[i]->URI, LV2_WORKER__schedule)) {
			self->schedule = (LV2_Worker_Schedule *)features[i]->data;
		}
	}
	lv2_log_logger_init(&self->logger, self->map, log);
	if (!self->map) {
		lv2_log_error(&self->logger,
		              "eighttrack: the host does not provide urid:map; "
		              "cannot run\n");
		free(self);
		return NULL;
	}

	et_uris_map(&self->uris, self->map);
	lv2_atom_forge_init(&self->forge, self->map);
	et_router_init(&self->router);
	return (LV2_Handle)self;
}

static void
connect_port(LV2_Handle instance, uint32_t port, void *data)
{
	Eighttrack *self = (Eighttrack *)instance;
	if (port < ET_PORT_COUNT) {
		self->port[port] = data;
	}
}

static void
activate(LV2_Handle instance)
{
	(void)instance;
}

/* Asks the worker to log a problem the first time it happens. */
static void
report(Eighttrack *self, EtReport what, uint32_t count, uint32_t detail)
{
	if (count == 0 || self->reported[what] || !self->schedule) {
		return;
	}
	const EtReportMessage message = {(uint32_t)what, count, detail};
	if (self->schedule->schedule_work(self->schedule->handle, sizeof(message),
	                                  &message) == LV2_WORKER_SUCCESS) {
		self->reported[what] = true;
	}
}

static void
report_problems(Eighttrack *self)
{
	for (unsigned s = 1; s < ET_ROUTER_STATUS_COUNT; ++s) {
		report(self, (EtReport)(ET_REPORT_ROUTER_FIRST + s),
		       self->router.status_count[s],
		       s == ET_ROUTER_OUTPUT_FULL ? self->out_capacity : 0);
	}
	report(self, ET_REPORT_LATE_EVENT, self->late_events, 0);
	report(self, ET_REPORT_NON_MIDI, self->non_midi_events, 0);
}

static void
run(LV2_Handle instance, uint32_t nframes)
{
	Eighttrack          *self = (Eighttrack *)instance;
	const LV2_Atom_Sequence *in  = (const LV2_Atom_Sequence *)self->port[ET_PORT_MIDI_IN];
	LV2_Atom_Sequence       *out = (LV2_Atom_Sequence *)self->port[ET_PORT_MIDI_OUT];
	const EtSink sink = {emit_midi, self};

	/* The host puts the space it offers in midi_out's atom size.  Hosts
	 * differ on whether that counts the 8-byte header; reading it as the
	 * whole buffer is safe with all of them. */
	if (out) {
		self->out_capacity = out->atom.size;
		lv2_atom_forge_set_buffer(&self->forge, (uint8_t *)out,
		                          out->atom.size);
		if (!lv2_atom_forge_sequence_head(&self->forge, &self->out_frame, 0)) {
			self->forge.buf = NULL; /* not even room for the header */
		}
	} else {
		self->forge.buf = NULL;
	}

	EtRouterControls controls;
	read_router_controls(self, &controls);
	et_router_flush(&self->router, 0, &sink);
	et_router_set_controls(&self->router, &controls, 0, &sink);

	/* Output frames must lie inside the block and never go backwards,
	 * whatever the input claims. */
	const uint32_t last_frame = nframes ? nframes - 1 : 0;
	uint32_t       at         = 0;
	if (in) {
		LV2_ATOM_SEQUENCE_FOREACH (in, ev) {
			int64_t t = ev->time.frames;
			if (t < (int64_t)at || t > (int64_t)last_frame) {
				++self->late_events;
				t = t < (int64_t)at ? at : last_frame;
			}
			at = (uint32_t)t;

			if (ev->body.type == self->uris.midi_MidiEvent) {
				et_router_process(&self->router, at,
				                  (const uint8_t *)LV2_ATOM_BODY_CONST(&ev->body),
				                  ev->body.size, &sink);
			} else if (ev->body.type != self->uris.atom_Object &&
			           ev->body.type != self->uris.atom_Blank) {
				++self->non_midi_events;
			}
		}
	}

	report_problems(self);
}

static void
deactivate(LV2_Handle instance)
{
	(void)instance;
}

static void
cleanup(LV2_Handle instance)
{
	free(instance);
}

/* ---------------------------------------------------------------- worker */

static const char *
report_text(uint32_t report)
{
	if (report < ET_ROUTER_STATUS_COUNT) {
		return et_router_strerror((EtRouterStatus)report);
	}
	switch ((EtReport)report) {
	case ET_REPORT_LATE_EVENT:
		return "midi_in had events out of order or past the end of the "
		       "block; they were moved to the nearest valid frame";
	case ET_REPORT_NON_MIDI:
		return "midi_in had events that are neither MIDI nor a "
		       "time:Position; they were ignored";
	default: return "unknown problem";
	}
}

static LV2_Worker_Status
work(LV2_Handle instance, LV2_Worker_Respond_Function respond,
     LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
	(void)respond;
	(void)handle;
	Eighttrack *self = (Eighttrack *)instance;
	if (size != sizeof(EtReportMessage)) {
		return LV2_WORKER_ERR_UNKNOWN;
	}
	EtReportMessage message;
	memcpy(&message, data, sizeof(message));
	if (message.report == ET_REPORT_ROUTER_FIRST + ET_ROUTER_OUTPUT_FULL) {
		lv2_log_warning(&self->logger,
		                "eighttrack: %s (capacity %u bytes); reported once\n",
		                report_text(message.report), message.detail);
	} else {
		lv2_log_warning(&self->logger, "eighttrack: %s (%u so far); "
		                "reported once\n",
		                report_text(message.report), message.count);
	}
	return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status
work_response(LV2_Handle instance, uint32_t size, const void *data)
{
	(void)instance;
	(void)size;
	(void)data;
	return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status
end_run(LV2_Handle instance)
{
	(void)instance;
	return LV2_WORKER_SUCCESS;
}

static const void *
extension_data(const char *uri)
{
	static const LV2_Worker_Interface worker = {work, work_response, end_run};
	if (!strcmp(uri, LV2_WORKER__interface)) {
		return &worker;
	}
	return NULL;
}

static const LV2_Descriptor descriptor = {
	ET_URI,  instantiate, connect_port, activate,
	run,     deactivate,  cleanup,      extension_data,
};

LV2_SYMBOL_EXPORT const LV2_Descriptor *
lv2_descriptor(uint32_t index)
{
	return index == 0 ? &descriptor : NULL;
}

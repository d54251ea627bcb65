/* The test host (see lv2host.h). */
#include "lv2host.h"

#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/log/log.h>
#include <lv2/state/state.h>
#include <lv2/midi/midi.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BLOCK 8192
#define IN_CAPACITY 65536
#define MAX_PORTS 128
#define MAX_URIS 256
#define MAX_WORK 64
#define LOG_CAPACITY 16384

typedef struct {
	uint32_t size;
	uint8_t  data[256];
} WorkItem;

struct EthHost {
	LilvWorld      *world;
	const LilvPlugin *plugin;
	LilvInstance   *instance;
	uint32_t        n_ports;
	float           controls[MAX_PORTS];
	float          *audio[MAX_PORTS];
	char           *uris[MAX_URIS];
	uint32_t        n_uris;

	LV2_URID_Map        map;
	LV2_URID_Unmap      unmap;
	LV2_Log_Log         log;
	LV2_Worker_Schedule schedule;
	LV2_Feature         f_map, f_unmap, f_log, f_schedule;
	const LV2_Feature  *features[8];
	const LV2_Worker_Interface *worker;

	LV2_Atom_Forge  forge;
	uint8_t        *in_buf;
	uint8_t        *out_buf;
	uint32_t        out_capacity;
	uint32_t        midi_in, midi_out;
	LV2_URID        midi_event, atom_float, atom_long, atom_double,
	    atom_object, time_position, time_frame, time_speed, time_bpm,
	    time_beats_per_bar, time_bar, time_bar_beat;

	WorkItem        work[MAX_WORK];
	unsigned        n_work;

	EthEvent       *out;
	size_t          n_out, out_alloc;
	/* The other atom outputs (track outs, notify), by port index. */
	bool            atom_out[MAX_PORTS];
	uint32_t        atom_out_capacity[MAX_PORTS]; /* 0: IN_CAPACITY */
	EthEvent       *port_out[MAX_PORTS];
	size_t          port_n_out[MAX_PORTS], port_out_alloc[MAX_PORTS];
	size_t          allocations;
	uint64_t        last_run_ns;
	char            log_text[LOG_CAPACITY];
	size_t          log_len;
	unsigned        log_lines;
};

const char *
eth_bundle_dir(void)
{
	const char *dir = getenv("ET_BUNDLE_DIR");
	return dir && *dir ? dir : "bundle/eighttrack.lv2";
}

static LV2_URID
map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
	EthHost *host = (EthHost *)handle;
	for (uint32_t i = 0; i < host->n_uris; ++i) {
		if (!strcmp(host->uris[i], uri)) {
			return i + 1;
		}
	}
	if (host->n_uris == MAX_URIS) {
		return 0;
	}
	host->uris[host->n_uris] = strdup(uri);
	return ++host->n_uris;
}

static const char *
unmap_uri(LV2_URID_Unmap_Handle handle, LV2_URID urid)
{
	EthHost *host = (EthHost *)handle;
	return urid >= 1 && urid <= host->n_uris ? host->uris[urid - 1] : NULL;
}

uint32_t
eth_map(EthHost *host, const char *uri)
{
	return map_uri(host, uri);
}

static int
log_vprintf(LV2_Log_Handle handle, LV2_URID type, const char *fmt,
            va_list ap)
{
	(void)type;
	EthHost *host = (EthHost *)handle;
	const size_t room = LOG_CAPACITY - host->log_len;
	const int n = vsnprintf(host->log_text + host->log_len, room, fmt, ap);
	if (n > 0) {
		host->log_len += (size_t)n < room ? (size_t)n : room - 1;
		++host->log_lines;
	}
	return n;
}

static int
log_printf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const int n = log_vprintf(handle, type, fmt, ap);
	va_end(ap);
	return n;
}

static LV2_Worker_Status
schedule_work(LV2_Worker_Schedule_Handle handle, uint32_t size,
              const void *data)
{
	EthHost *host = (EthHost *)handle;
	if (host->n_work == MAX_WORK || size > sizeof(host->work[0].data)) {
		return LV2_WORKER_ERR_NO_SPACE;
	}
	host->work[host->n_work].size = size;
	memcpy(host->work[host->n_work].data, data, size);
	++host->n_work;
	return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status
respond(LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
	EthHost *host = (EthHost *)handle;
	if (host->worker && host->worker->work_response) {
		return host->worker->work_response(
		    lilv_instance_get_handle(host->instance), size, data);
	}
	return LV2_WORKER_SUCCESS;
}

static void reset_input(EthHost *host);

EthHost *
eth_new(double rate)
{
	return eth_new_with(rate, true, true);
}

EthHost *
eth_new_with(double rate, bool with_worker, bool with_log)
{
	EthHost *host = (EthHost *)calloc(1, sizeof(EthHost));
	host->world   = lilv_world_new();

	char *path = realpath(eth_bundle_dir(), NULL);
	if (!path) {
		fprintf(stderr, "lv2host: no bundle at %s (run make)\n",
		        eth_bundle_dir());
		abort();
	}
	char uri_path[4096];
	snprintf(uri_path, sizeof(uri_path), "%s/", path);
	free(path);
	LilvNode *bundle = lilv_new_file_uri(host->world, NULL, uri_path);
	lilv_world_load_specifications(host->world);
	lilv_world_load_plugin_classes(host->world);
	lilv_world_load_bundle(host->world, bundle);
	lilv_node_free(bundle);

	LilvNode *uri = lilv_new_uri(host->world, "urn:eighttrack:plugin");
	host->plugin  = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(host->world), uri);
	lilv_node_free(uri);
	if (!host->plugin) {
		fprintf(stderr, "lv2host: urn:eighttrack:plugin not in %s\n",
		        eth_bundle_dir());
		abort();
	}

	host->map   = (LV2_URID_Map){host, map_uri};
	host->unmap = (LV2_URID_Unmap){host, unmap_uri};
	host->log   = (LV2_Log_Log){host, log_printf, log_vprintf};
	host->schedule = (LV2_Worker_Schedule){host, schedule_work};
	host->f_map      = (LV2_Feature){LV2_URID__map, &host->map};
	host->f_unmap    = (LV2_Feature){LV2_URID__unmap, &host->unmap};
	host->f_log      = (LV2_Feature){LV2_LOG__log, &host->log};
	host->f_schedule = (LV2_Feature){LV2_WORKER__schedule, &host->schedule};
	unsigned n = 0;
	host->features[n++] = &host->f_map;
	host->features[n++] = &host->f_unmap;
	if (with_log) {
		host->features[n++] = &host->f_log;
	}
	if (with_worker) {
		host->features[n++] = &host->f_schedule;
	}
	host->features[n] = NULL;

	host->midi_event  = map_uri(host, LV2_MIDI__MidiEvent);
	host->atom_float  = map_uri(host, LV2_ATOM__Float);
	host->atom_long   = map_uri(host, LV2_ATOM__Long);
	host->atom_double = map_uri(host, LV2_ATOM__Double);
	host->atom_object = map_uri(host, LV2_ATOM__Object);
	host->time_position = map_uri(host, LV2_TIME__Position);
	host->time_frame    = map_uri(host, LV2_TIME__frame);
	host->time_speed    = map_uri(host, LV2_TIME__speed);
	host->time_bpm      = map_uri(host, LV2_TIME__beatsPerMinute);
	host->time_beats_per_bar = map_uri(host, LV2_TIME__beatsPerBar);
	host->time_bar      = map_uri(host, LV2_TIME__bar);
	host->time_bar_beat = map_uri(host, LV2_TIME__barBeat);
	lv2_atom_forge_init(&host->forge, &host->map);

	host->instance = lilv_plugin_instantiate(host->plugin, rate, host->features);
	if (!host->instance) {
		fprintf(stderr, "lv2host: instantiation failed\n");
		abort();
	}
	host->worker = (const LV2_Worker_Interface *)lilv_instance_get_extension_data(
	    host->instance, LV2_WORKER__interface);

	host->n_ports = lilv_plugin_get_num_ports(host->plugin);
	host->in_buf  = (uint8_t *)calloc(1, IN_CAPACITY);
	host->out_buf = (uint8_t *)calloc(1, IN_CAPACITY);
	host->out_capacity = IN_CAPACITY - 64;

	LilvNode *audio   = lilv_new_uri(host->world, LV2_CORE__AudioPort);
	LilvNode *control = lilv_new_uri(host->world, LV2_CORE__ControlPort);
	LilvNode *input   = lilv_new_uri(host->world, LV2_CORE__InputPort);
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		const LilvPort *port = lilv_plugin_get_port_by_index(host->plugin, i);
		const char *symbol = lilv_node_as_string(lilv_port_get_symbol(host->plugin, port));
		void *data = NULL;
		if (lilv_port_is_a(host->plugin, port, audio)) {
			host->audio[i] = (float *)calloc(MAX_BLOCK, sizeof(float));
			data           = host->audio[i];
		} else if (lilv_port_is_a(host->plugin, port, control)) {
			LilvNode *def = NULL;
			lilv_port_get_range(host->plugin, port, &def, NULL, NULL);
			host->controls[i] = def ? lilv_node_as_float(def) : 0.0f;
			lilv_node_free(def);
			data = &host->controls[i];
		} else if (!strcmp(symbol, "midi_in")) {
			host->midi_in = i;
			data          = host->in_buf;
		} else if (!strcmp(symbol, "midi_out")) {
			host->midi_out = i;
			data           = host->out_buf;
		} else if (lilv_port_is_a(host->plugin, port, input)) {
			data = calloc(1, IN_CAPACITY); /* other atom inputs: empty */
			host->audio[i] = (float *)data;
			((LV2_Atom_Sequence *)data)->atom.size = sizeof(LV2_Atom_Sequence_Body);
		} else {
			data = calloc(1, IN_CAPACITY); /* other atom outputs */
			host->audio[i]   = (float *)data;
			host->atom_out[i] = true;
		}
		lilv_instance_connect_port(host->instance, i, data);
	}
	lilv_node_free(audio);
	lilv_node_free(control);
	lilv_node_free(input);

	lilv_instance_activate(host->instance);

	reset_input(host);
	return host;
}

void
eth_free(EthHost *host)
{
	lilv_instance_deactivate(host->instance);
	lilv_instance_free(host->instance);
	for (uint32_t i = 0; i < MAX_PORTS; ++i) {
		free(host->audio[i]);
		free(host->port_out[i]);
	}
	for (uint32_t i = 0; i < host->n_uris; ++i) {
		free(host->uris[i]);
	}
	free(host->in_buf);
	free(host->out_buf);
	free(host->out);
	lilv_world_free(host->world);
	free(host);
}

uint32_t
eth_port_index(const EthHost *host, const char *symbol)
{
	LilvNode *sym = lilv_new_string(host->world, symbol);
	const LilvPort *port = lilv_plugin_get_port_by_symbol(host->plugin, sym);
	lilv_node_free(sym);
	if (!port) {
		fprintf(stderr, "lv2host: no port %s\n", symbol);
		abort();
	}
	return lilv_port_get_index(host->plugin, port);
}

void
eth_set(EthHost *host, const char *symbol, float value)
{
	host->controls[eth_port_index(host, symbol)] = value;
}

float
eth_get(const EthHost *host, const char *symbol)
{
	return host->controls[eth_port_index(host, symbol)];
}

float *
eth_audio(EthHost *host, const char *symbol)
{
	return host->audio[eth_port_index(host, symbol)];
}

void
eth_set_port_capacity(EthHost *host, const char *symbol, uint32_t bytes)
{
	const uint32_t i = eth_port_index(host, symbol);
	if (i < host->n_ports && host->atom_out[i]) {
		const uint32_t floor = (uint32_t)sizeof(LV2_Atom_Sequence);
		host->atom_out_capacity[i] =
		    bytes < floor ? floor : bytes > IN_CAPACITY ? IN_CAPACITY : bytes;
	}
}

void
eth_set_out_capacity(EthHost *host, uint32_t bytes)
{
	host->out_capacity = bytes < IN_CAPACITY - 64 ? bytes : IN_CAPACITY - 64;
}

/* The input sequence is built as events are queued; eth_run() closes it. */
static LV2_Atom_Sequence *
in_seq(EthHost *host)
{
	return (LV2_Atom_Sequence *)host->in_buf;
}

static void
append_event(EthHost *host, int64_t frame, uint32_t type, const void *body,
             uint32_t size)
{
	LV2_Atom_Sequence *seq = in_seq(host);
	const uint32_t     need = sizeof(LV2_Atom_Event) + lv2_atom_pad_size(size);
	if (sizeof(LV2_Atom) + seq->atom.size + need > IN_CAPACITY) {
		fprintf(stderr, "lv2host: input sequence full\n");
		abort();
	}
	LV2_Atom_Event *ev =
	    (LV2_Atom_Event *)((uint8_t *)LV2_ATOM_CONTENTS(LV2_Atom_Sequence, seq) +
	                       seq->atom.size - sizeof(LV2_Atom_Sequence_Body));
	ev->time.frames = frame;
	ev->body.type   = type;
	ev->body.size   = size;
	memcpy(ev + 1, body, size);
	seq->atom.size += need;
}

void
eth_atom(EthHost *host, int64_t frame, uint32_t type, const void *body,
         uint32_t size)
{
	append_event(host, frame, type, body, size);
}

void
eth_midi(EthHost *host, int64_t frame, const uint8_t *msg, uint32_t size)
{
	append_event(host, frame, host->midi_event, msg, size);
}

void
eth_midi3(EthHost *host, int64_t frame, uint8_t b0, uint8_t b1, uint8_t b2)
{
	const uint8_t msg[3] = {b0, b1, b2};
	const uint8_t type   = b0 & 0xF0;
	eth_midi(host, frame, msg, (type == 0xC0 || type == 0xD0) ? 2 : 3);
}

void
eth_position(EthHost *host, int64_t frame, int64_t transport_frame,
             double speed, double bpm, double beats_per_bar, int64_t bar,
             float bar_beat)
{
	uint8_t        buf[512];
	LV2_Atom_Forge forge = host->forge;
	lv2_atom_forge_set_buffer(&forge, buf, sizeof(buf));
	LV2_Atom_Forge_Frame obj;
	lv2_atom_forge_object(&forge, &obj, 0, host->time_position);
	lv2_atom_forge_key(&forge, host->time_frame);
	lv2_atom_forge_long(&forge, transport_frame);
	lv2_atom_forge_key(&forge, host->time_speed);
	lv2_atom_forge_float(&forge, (float)speed);
	lv2_atom_forge_key(&forge, host->time_bpm);
	lv2_atom_forge_float(&forge, (float)bpm);
	lv2_atom_forge_key(&forge, host->time_beats_per_bar);
	lv2_atom_forge_float(&forge, (float)beats_per_bar);
	lv2_atom_forge_key(&forge, host->time_bar);
	lv2_atom_forge_long(&forge, bar);
	lv2_atom_forge_key(&forge, host->time_bar_beat);
	lv2_atom_forge_float(&forge, bar_beat);
	lv2_atom_forge_pop(&forge, &obj);
	const LV2_Atom *atom = (const LV2_Atom *)buf;
	append_event(host, frame, atom->type, atom + 1, atom->size);
}

static void
reset_input(EthHost *host)
{
	LV2_Atom_Sequence *seq = in_seq(host);
	seq->atom.type = map_uri(host, LV2_ATOM__Sequence);
	seq->atom.size = sizeof(LV2_Atom_Sequence_Body);
	seq->body.unit = 0;
	seq->body.pad  = 0;
}

/* Copies the MIDI events of an output sequence into *events. */
static void
collect_midi(const EthHost *host, const LV2_Atom_Sequence *seq,
             EthEvent **events, size_t *n, size_t *alloc)
{
	*n = 0;
	if (seq->atom.size < sizeof(LV2_Atom_Sequence_Body)) {
		return;
	}
	LV2_ATOM_SEQUENCE_FOREACH (seq, ev) {
		if (ev->body.type != host->midi_event) {
			continue;
		}
		if (*n == *alloc) {
			*alloc  = *alloc ? *alloc * 2 : 256;
			*events = (EthEvent *)realloc(*events, *alloc * sizeof(EthEvent));
		}
		EthEvent *e = &(*events)[(*n)++];
		e->frame    = (uint32_t)ev->time.frames;
		e->size     = ev->body.size;
		memset(e->bytes, 0, sizeof(e->bytes));
		memcpy(e->bytes, LV2_ATOM_BODY(&ev->body),
		       ev->body.size < ETH_MAX_EVENT ? ev->body.size : ETH_MAX_EVENT);
	}
}

void
eth_run(EthHost *host, uint32_t nframes)
{
	if (!in_seq(host)->atom.type) {
		reset_input(host);
	}
	LV2_Atom_Sequence *out = (LV2_Atom_Sequence *)host->out_buf;
	out->atom.type = 0;
	out->atom.size = host->out_capacity - (uint32_t)sizeof(LV2_Atom);
	/* A sentinel past the capacity: the plugin must never touch it. */
	const uint32_t guard = IN_CAPACITY - host->out_capacity;
	memset(host->out_buf + host->out_capacity, 0xA5, guard);
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		if (host->atom_out[i]) {
			LV2_Atom_Sequence *seq = (LV2_Atom_Sequence *)host->audio[i];
			const uint32_t cap = host->atom_out_capacity[i]
			                         ? host->atom_out_capacity[i]
			                         : IN_CAPACITY;
			memset((uint8_t *)seq + cap, 0xA5, IN_CAPACITY - cap);
			seq->atom.type = 0;
			seq->atom.size = cap - (uint32_t)sizeof(LV2_Atom);
		}
	}

	struct timespec t0, t1;
	eth_count_allocations(true);
	const size_t before = eth_allocation_count();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	lilv_instance_run(host->instance, nframes);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	host->allocations += eth_allocation_count() - before;
	eth_count_allocations(false);
	host->last_run_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
	                    (uint64_t)(t1.tv_nsec - t0.tv_nsec);

	/* What a host's worker thread does between cycles. */
	for (unsigned i = 0; i < host->n_work; ++i) {
		if (host->worker) {
			host->worker->work(lilv_instance_get_handle(host->instance),
			                   respond, host, host->work[i].size,
			                   host->work[i].data);
		}
	}
	host->n_work = 0;
	if (host->worker && host->worker->end_run) {
		host->worker->end_run(lilv_instance_get_handle(host->instance));
	}

	for (uint32_t i = 0; i < guard; ++i) {
		if (host->out_buf[host->out_capacity + i] != 0xA5) {
			fprintf(stderr, "lv2host: midi_out written past its capacity\n");
			abort();
		}
	}

	for (uint32_t i = 0; i < host->n_ports; ++i) {
		const uint32_t cap = host->atom_out_capacity[i];
		for (uint32_t b = cap; host->atom_out[i] && cap && b < IN_CAPACITY; ++b) {
			if (((const uint8_t *)host->audio[i])[b] != 0xA5) {
				fprintf(stderr, "lv2host: port %u written past its capacity\n", i);
				abort();
			}
		}
	}

	collect_midi(host, out, &host->out, &host->n_out, &host->out_alloc);
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		if (host->atom_out[i]) {
			collect_midi(host, (const LV2_Atom_Sequence *)host->audio[i],
			             &host->port_out[i], &host->port_n_out[i],
			             &host->port_out_alloc[i]);
		}
	}
	reset_input(host);
}

static const void *
port_value(const char *symbol, void *user_data, uint32_t *size, uint32_t *type)
{
	EthHost *host = (EthHost *)user_data;
	LilvNode *sym = lilv_new_string(host->world, symbol);
	const LilvPort *port = lilv_plugin_get_port_by_symbol(host->plugin, sym);
	lilv_node_free(sym);
	LilvNode *control = lilv_new_uri(host->world, LV2_CORE__ControlPort);
	LilvNode *input   = lilv_new_uri(host->world, LV2_CORE__InputPort);
	const bool ok = port && lilv_port_is_a(host->plugin, port, control) &&
	                lilv_port_is_a(host->plugin, port, input);
	lilv_node_free(control);
	lilv_node_free(input);
	if (!ok) {
		*size = *type = 0;
		return NULL;
	}
	*size = sizeof(float);
	*type = host->atom_float;
	return &host->controls[lilv_port_get_index(host->plugin, port)];
}

static void
set_port_value(const char *symbol, void *user_data, const void *value,
               uint32_t size, uint32_t type)
{
	EthHost *host = (EthHost *)user_data;
	if (type == host->atom_float && size == sizeof(float)) {
		eth_set(host, symbol, *(const float *)value);
	}
}

bool
eth_save_state(EthHost *host, const char *dir)
{
	LilvState *state = lilv_state_new_from_instance(
	    host->plugin, host->instance, &host->map, NULL, NULL, NULL, dir,
	    port_value, host, LV2_STATE_IS_POD, host->features);
	if (!state) {
		return false;
	}
	const int rc = lilv_state_save(host->world, &host->map, &host->unmap, state,
	                               NULL, dir, "state.ttl");
	lilv_state_free(state);
	return rc == 0;
}

bool
eth_restore_state(EthHost *host, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/state.ttl", dir);
	LilvState *state =
	    lilv_state_new_from_file(host->world, &host->map, NULL, path);
	if (!state) {
		return false;
	}
	lilv_state_restore(state, host->instance, set_port_value, host, 0,
	                   host->features);
	lilv_state_free(state);
	return true;
}

size_t
eth_out_count(const EthHost *host)
{
	return host->n_out;
}

const EthEvent *
eth_out(const EthHost *host, size_t i)
{
	return i < host->n_out ? &host->out[i] : NULL;
}

size_t
eth_port_out_count(const EthHost *host, const char *symbol)
{
	return host->port_n_out[eth_port_index(host, symbol)];
}

const EthEvent *
eth_port_out(const EthHost *host, const char *symbol, size_t i)
{
	const uint32_t port = eth_port_index(host, symbol);
	return i < host->port_n_out[port] ? &host->port_out[port][i] : NULL;
}

uint64_t
eth_last_run_ns(const EthHost *host)
{
	return host->last_run_ns;
}

size_t
eth_allocations_in_run(const EthHost *host)
{
	return host->allocations;
}

const char *
eth_log_text(const EthHost *host)
{
	return host->log_text;
}

unsigned
eth_log_lines(const EthHost *host)
{
	return host->log_lines;
}

/* The test host (see lv2host.h). */
#define _GNU_SOURCE /* RUSAGE_THREAD */
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

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_BLOCK    8192
#define IN_CAPACITY  65536
#define MAX_PORTS    128
#define MAX_URIS     256
#define MAX_WORK     64
#define LOG_CAPACITY 16384

typedef struct {
	uint32_t size;
	uint8_t  data[256];
} WorkItem;

struct EthHost {
	LilvWorld        *world;
	const LilvPlugin *plugin;
	LilvInstance     *instance;
	uint32_t          n_ports;
	float             controls[MAX_PORTS];
	float            *audio[MAX_PORTS];
	char             *uris[MAX_URIS];
	uint32_t          n_uris;

	LV2_URID_Map                map;
	LV2_URID_Unmap              unmap;
	LV2_Log_Log                 log;
	LV2_Worker_Schedule         schedule;
	LV2_Feature                 f_map, f_unmap, f_log, f_schedule;
	const LV2_Feature          *features[8];
	const LV2_Worker_Interface *worker;

	LV2_Atom_Forge forge;
	uint8_t       *in_buf;
	uint8_t       *out_buf;
	uint32_t       out_capacity;
	uint32_t       midi_in, midi_out;
	LV2_URID midi_event, atom_float, atom_long, atom_double, atom_object,
	    time_position, time_frame, time_speed, time_bpm,
	    time_beats_per_bar, time_bar, time_bar_beat;

	WorkItem work[MAX_WORK];
	unsigned n_work;

	EthEvent *out;
	size_t    n_out, out_alloc;
	/* The other atom outputs (track outs, notify), by port index. */
	bool     atom_out[MAX_PORTS];
	uint32_t port_capacity[MAX_PORTS]; /* bytes offered, as for midi_out */
	EthEvent *port_out[MAX_PORTS];
	size_t    port_n_out[MAX_PORTS], port_out_alloc[MAX_PORTS];
	size_t    allocations;
	uint64_t  last_run_ns;
	long      last_run_faults; /* minor page faults inside run() */
	unsigned  retrieve_calls;  /* in the last eth_state_restore() */
	char      log_text[LOG_CAPACITY];
	size_t    log_len;
	unsigned  log_lines;
	/* A save may run in another thread while run() does (LV2 allows it;
	 * test_host_torn does it): both may map and unmap URIs and log. */
	pthread_mutex_t uri_lock;
	pthread_mutex_t log_lock;
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
	LV2_URID urid = 0;
	pthread_mutex_lock(&host->uri_lock);
	for (uint32_t i = 0; i < host->n_uris; ++i) {
		if (!strcmp(host->uris[i], uri)) {
			urid = i + 1;
			break;
		}
	}
	if (!urid && host->n_uris < MAX_URIS) {
		host->uris[host->n_uris] = strdup(uri);
		urid                     = ++host->n_uris;
	}
	pthread_mutex_unlock(&host->uri_lock);
	return urid;
}

static const char *
unmap_uri(LV2_URID_Unmap_Handle handle, LV2_URID urid)
{
	EthHost *host = (EthHost *)handle;
	/* The string itself lives until eth_free(). */
	pthread_mutex_lock(&host->uri_lock);
	const char *uri =
	    urid >= 1 && urid <= host->n_uris ? host->uris[urid - 1] : NULL;
	pthread_mutex_unlock(&host->uri_lock);
	return uri;
}

uint32_t
eth_map(EthHost *host, const char *uri)
{
	return map_uri(host, uri);
}

static int
log_vprintf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, va_list ap)
{
	(void)type;
	EthHost *host = (EthHost *)handle;
	pthread_mutex_lock(&host->log_lock);
	const size_t room = LOG_CAPACITY - host->log_len;
	const int n = vsnprintf(host->log_text + host->log_len, room, fmt, ap);
	if (n > 0) {
		host->log_len += (size_t)n < room ? (size_t)n : room - 1;
		++host->log_lines;
	}
	pthread_mutex_unlock(&host->log_lock);
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

const LilvPlugin *
eth_load_plugin(LilvWorld *world)
{
	char *path = realpath(eth_bundle_dir(), NULL);
	if (!path) {
		fprintf(stderr, "lv2host: no bundle at %s (run make)\n",
			eth_bundle_dir());
		abort();
	}
	char uri_path[4096];
	snprintf(uri_path, sizeof(uri_path), "%s/", path);
	free(path);
	LilvNode *bundle = lilv_new_file_uri(world, NULL, uri_path);
	lilv_world_load_specifications(world);
	lilv_world_load_plugin_classes(world);
	lilv_world_load_bundle(world, bundle);
	lilv_node_free(bundle);
	LilvNode         *uri = lilv_new_uri(world, "urn:eighttrack:plugin");
	const LilvPlugin *plugin =
	    lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
	lilv_node_free(uri);
	return plugin;
}

EthHost *
eth_new_with(double rate, bool with_worker, bool with_log)
{
	EthHost *host = (EthHost *)calloc(1, sizeof(EthHost));
	pthread_mutex_init(&host->uri_lock, NULL);
	pthread_mutex_init(&host->log_lock, NULL);
	host->world  = lilv_world_new();
	host->plugin = eth_load_plugin(host->world);
	if (!host->plugin) {
		fprintf(stderr, "lv2host: urn:eighttrack:plugin not in %s\n",
			eth_bundle_dir());
		abort();
	}

	host->map      = (LV2_URID_Map){ host, map_uri };
	host->unmap    = (LV2_URID_Unmap){ host, unmap_uri };
	host->log      = (LV2_Log_Log){ host, log_printf, log_vprintf };
	host->schedule = (LV2_Worker_Schedule){ host, schedule_work };
	host->f_map    = (LV2_Feature){ LV2_URID__map, &host->map };
	host->f_unmap  = (LV2_Feature){ LV2_URID__unmap, &host->unmap };
	host->f_log    = (LV2_Feature){ LV2_LOG__log, &host->log };
	host->f_schedule =
	    (LV2_Feature){ LV2_WORKER__schedule, &host->schedule };
	unsigned n          = 0;
	host->features[n++] = &host->f_map;
	host->features[n++] = &host->f_unmap;
	if (with_log) {
		host->features[n++] = &host->f_log;
	}
	if (with_worker) {
		host->features[n++] = &host->f_schedule;
	}
	host->features[n] = NULL;

	const struct {
		LV2_URID   *urid;
		const char *uri;
	} uris[] = { { &host->midi_event, LV2_MIDI__MidiEvent },
		     { &host->atom_float, LV2_ATOM__Float },
		     { &host->atom_long, LV2_ATOM__Long },
		     { &host->atom_double, LV2_ATOM__Double },
		     { &host->atom_object, LV2_ATOM__Object },
		     { &host->time_position, LV2_TIME__Position },
		     { &host->time_frame, LV2_TIME__frame },
		     { &host->time_speed, LV2_TIME__speed },
		     { &host->time_bpm, LV2_TIME__beatsPerMinute },
		     { &host->time_beats_per_bar, LV2_TIME__beatsPerBar },
		     { &host->time_bar, LV2_TIME__bar },
		     { &host->time_bar_beat, LV2_TIME__barBeat } };
	for (size_t i = 0; i < sizeof uris / sizeof uris[0]; ++i) {
		*uris[i].urid = map_uri(host, uris[i].uri);
	}
	lv2_atom_forge_init(&host->forge, &host->map);

	host->instance =
	    lilv_plugin_instantiate(host->plugin, rate, host->features);
	if (!host->instance) {
		fprintf(stderr, "lv2host: instantiation failed\n");
		abort();
	}
	host->worker =
	    (const LV2_Worker_Interface *)lilv_instance_get_extension_data(
		host->instance, LV2_WORKER__interface);

	host->n_ports      = lilv_plugin_get_num_ports(host->plugin);
	host->in_buf       = (uint8_t *)calloc(1, IN_CAPACITY);
	host->out_buf      = (uint8_t *)calloc(1, IN_CAPACITY);
	host->out_capacity = IN_CAPACITY - 64;

	LilvNode *audio   = lilv_new_uri(host->world, LV2_CORE__AudioPort);
	LilvNode *control = lilv_new_uri(host->world, LV2_CORE__ControlPort);
	LilvNode *input   = lilv_new_uri(host->world, LV2_CORE__InputPort);
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		const LilvPort *port =
		    lilv_plugin_get_port_by_index(host->plugin, i);
		const char *symbol = lilv_node_as_string(
		    lilv_port_get_symbol(host->plugin, port));
		void *data = NULL;
		if (lilv_port_is_a(host->plugin, port, audio)) {
			host->audio[i] =
			    (float *)calloc(MAX_BLOCK, sizeof(float));
			data = host->audio[i];
		} else if (lilv_port_is_a(host->plugin, port, control)) {
			LilvNode *def = NULL;
			lilv_port_get_range(host->plugin, port, &def, NULL,
					    NULL);
			host->controls[i] =
			    def ? lilv_node_as_float(def) : 0.0f;
			lilv_node_free(def);
			data = &host->controls[i];
		} else if (!strcmp(symbol, "midi_in")) {
			host->midi_in = i;
			data          = host->in_buf;
		} else if (!strcmp(symbol, "midi_out")) {
			host->midi_out = i;
			data           = host->out_buf;
		} else if (lilv_port_is_a(host->plugin, port, input)) {
			data = calloc(
			    1, IN_CAPACITY); /* other atom inputs: empty */
			host->audio[i] = (float *)data;
			((LV2_Atom_Sequence *)data)->atom.size =
			    sizeof(LV2_Atom_Sequence_Body);
		} else {
			data = calloc(1, IN_CAPACITY); /* other atom outputs */
			host->audio[i]         = (float *)data;
			host->atom_out[i]      = true;
			host->port_capacity[i] = IN_CAPACITY - 64;
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
	pthread_mutex_destroy(&host->uri_lock);
	pthread_mutex_destroy(&host->log_lock);
	free(host);
}

uint32_t
eth_port_index(const EthHost *host, const char *symbol)
{
	LilvNode       *sym = lilv_new_string(host->world, symbol);
	const LilvPort *port =
	    lilv_plugin_get_port_by_symbol(host->plugin, sym);
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
eth_set_out_capacity(EthHost *host, uint32_t bytes)
{
	host->out_capacity =
	    bytes < IN_CAPACITY - 64 ? bytes : IN_CAPACITY - 64;
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
	const uint32_t need = sizeof(LV2_Atom_Event) + lv2_atom_pad_size(size);
	if (sizeof(LV2_Atom) + seq->atom.size + need > IN_CAPACITY) {
		fprintf(stderr, "lv2host: input sequence full\n");
		abort();
	}
	LV2_Atom_Event *ev =
	    (LV2_Atom_Event *)((uint8_t *)LV2_ATOM_CONTENTS(LV2_Atom_Sequence,
							    seq) +
			       seq->atom.size -
			       sizeof(LV2_Atom_Sequence_Body));
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
	const uint8_t msg[3] = { b0, b1, b2 };
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

void
eth_position_of(EthHost *host, int64_t frame, size_t n,
		const char *const *keys, const double *values)
{
	uint8_t        buf[1024];
	LV2_Atom_Forge forge = host->forge;
	lv2_atom_forge_set_buffer(&forge, buf, sizeof(buf));
	LV2_Atom_Forge_Frame obj;
	lv2_atom_forge_object(&forge, &obj, 0, host->time_position);
	for (size_t i = 0; i < n; ++i) {
		lv2_atom_forge_key(&forge, map_uri(host, keys[i]));
		lv2_atom_forge_double(&forge, values[i]);
	}
	lv2_atom_forge_pop(&forge, &obj);
	const LV2_Atom *atom = (const LV2_Atom *)buf;
	append_event(host, frame, atom->type, atom + 1, atom->size);
}

bool
eth_instantiates(double rate)
{
	EthHost      *host = eth_new(8000.0); /* the world, the features */
	LilvInstance *other =
	    lilv_plugin_instantiate(host->plugin, rate, host->features);
	const bool ok = other != NULL;
	if (other) {
		lilv_instance_free(other);
	}
	eth_free(host);
	return ok;
}

static void
reset_input(EthHost *host)
{
	LV2_Atom_Sequence *seq = in_seq(host);
	seq->atom.type         = map_uri(host, LV2_ATOM__Sequence);
	seq->atom.size         = sizeof(LV2_Atom_Sequence_Body);
	seq->body.unit         = 0;
	seq->body.pad          = 0;
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
	LV2_ATOM_SEQUENCE_FOREACH(seq, ev)
	{
		if (ev->body.type != host->midi_event) {
			continue;
		}
		if (*n == *alloc) {
			*alloc  = *alloc ? *alloc * 2 : 256;
			*events = (EthEvent *)realloc(
			    *events, *alloc * sizeof(EthEvent));
		}
		EthEvent *e = &(*events)[(*n)++];
		e->frame    = (uint32_t)ev->time.frames;
		e->size     = ev->body.size;
		memset(e->bytes, 0, sizeof(e->bytes));
		memcpy(e->bytes, LV2_ATOM_BODY(&ev->body),
		       ev->body.size < ETH_MAX_EVENT ? ev->body.size
						     : ETH_MAX_EVENT);
	}
}

void
eth_run(EthHost *host, uint32_t nframes)
{
	if (!in_seq(host)->atom.type) {
		reset_input(host);
	}
	LV2_Atom_Sequence *out = (LV2_Atom_Sequence *)host->out_buf;
	out->atom.type         = 0;
	out->atom.size = host->out_capacity - (uint32_t)sizeof(LV2_Atom);
	/* A sentinel past the capacity: the plugin must never touch it. */
	const uint32_t guard = IN_CAPACITY - host->out_capacity;
	memset(host->out_buf + host->out_capacity, 0xA5, guard);
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		if (host->atom_out[i]) {
			uint8_t           *buf = (uint8_t *)host->audio[i];
			LV2_Atom_Sequence *seq = (LV2_Atom_Sequence *)buf;
			seq->atom.type         = 0;
			seq->atom.size         = host->port_capacity[i] -
					 (uint32_t)sizeof(LV2_Atom);
			memset(buf + host->port_capacity[i], 0xA5,
			       IN_CAPACITY - host->port_capacity[i]);
		}
	}

	struct timespec t0, t1;
	struct rusage   u0, u1;
	eth_count_allocations(true);
	const size_t before = eth_allocation_count();
	getrusage(RUSAGE_THREAD, &u0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	lilv_instance_run(host->instance, nframes);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_THREAD, &u1);
	host->last_run_faults = u1.ru_minflt - u0.ru_minflt;
	host->allocations += eth_allocation_count() - before;
	eth_count_allocations(false);
	host->last_run_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
			    (uint64_t)(t1.tv_nsec - t0.tv_nsec);

	/* What a host's worker thread does between cycles. */
	for (unsigned i = 0; i < host->n_work; ++i) {
		if (host->worker) {
			host->worker->work(
			    lilv_instance_get_handle(host->instance), respond,
			    host, host->work[i].size, host->work[i].data);
		}
	}
	host->n_work = 0;
	if (host->worker && host->worker->end_run) {
		host->worker->end_run(
		    lilv_instance_get_handle(host->instance));
	}

	for (uint32_t i = 0; i < guard; ++i) {
		if (host->out_buf[host->out_capacity + i] != 0xA5) {
			fprintf(
			    stderr,
			    "lv2host: midi_out written past its capacity\n");
			abort();
		}
	}

	for (uint32_t i = 0; i < host->n_ports; ++i) {
		const uint8_t *buf = (const uint8_t *)host->audio[i];
		for (uint32_t b = host->atom_out[i] ? host->port_capacity[i]
						    : IN_CAPACITY;
		     b < IN_CAPACITY; ++b) {
			if (buf[b] != 0xA5) {
				fprintf(
				    stderr,
				    "lv2host: output port %u written past its "
				    "capacity\n",
				    i);
				abort();
			}
		}
	}
	collect_midi(host, out, &host->out, &host->n_out, &host->out_alloc);
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		if (host->atom_out[i]) {
			collect_midi(host,
				     (const LV2_Atom_Sequence *)host->audio[i],
				     &host->port_out[i], &host->port_n_out[i],
				     &host->port_out_alloc[i]);
		}
	}
	reset_input(host);
}

static const void *
port_value(const char *symbol, void *user_data, uint32_t *size, uint32_t *type)
{
	EthHost        *host = (EthHost *)user_data;
	LilvNode       *sym  = lilv_new_string(host->world, symbol);
	const LilvPort *port =
	    lilv_plugin_get_port_by_symbol(host->plugin, sym);
	lilv_node_free(sym);
	LilvNode  *control = lilv_new_uri(host->world, LV2_CORE__ControlPort);
	LilvNode  *input   = lilv_new_uri(host->world, LV2_CORE__InputPort);
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
	const int rc = lilv_state_save(host->world, &host->map, &host->unmap,
				       state, NULL, dir, "state.ttl");
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

void
eth_set_port_capacity(EthHost *host, const char *symbol, uint32_t bytes)
{
	const uint32_t port = eth_port_index(host, symbol);
	host->port_capacity[port] =
	    bytes < IN_CAPACITY - 64 ? bytes : IN_CAPACITY - 64;
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

long
eth_last_run_faults(const EthHost *host)
{
	return host->last_run_faults;
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

/* ------------------------------------- state through this host's own store */

typedef struct {
	char    *key;  /* URI */
	char    *type; /* URI */
	uint32_t flags;
	uint32_t size;
	uint8_t *value;
} StateEntry;

struct EthState {
	char       *dir;
	StateEntry *entries;
	size_t      n, alloc;
};

EthState *
eth_state_new(const char *dir)
{
	EthState *state = (EthState *)calloc(1, sizeof(EthState));
	state->dir      = dir ? strdup(dir) : NULL;
	return state;
}

void
eth_state_free(EthState *state)
{
	if (!state) {
		return;
	}
	for (size_t i = 0; i < state->n; ++i) {
		free(state->entries[i].key);
		free(state->entries[i].type);
		free(state->entries[i].value);
	}
	free(state->entries);
	free(state->dir);
	free(state);
}

static StateEntry *
state_find(const EthState *state, const char *key)
{
	for (size_t i = 0; i < state->n; ++i) {
		if (!strcmp(state->entries[i].key, key)) {
			return &state->entries[i];
		}
	}
	return NULL;
}

void
eth_state_set(EthState *state, const char *key, const char *type,
	      uint32_t flags, const void *value, uint32_t size)
{
	StateEntry *e = state_find(state, key);
	if (e) {
		free(e->type);
		free(e->value);
	} else {
		if (state->n == state->alloc) {
			state->alloc   = state->alloc ? state->alloc * 2 : 16;
			state->entries = (StateEntry *)realloc(
			    state->entries, state->alloc * sizeof(StateEntry));
		}
		e      = &state->entries[state->n++];
		e->key = strdup(key);
	}
	e->type  = strdup(type);
	e->flags = flags;
	e->size  = size;
	e->value = (uint8_t *)malloc(size ? size : 1);
	memcpy(e->value, value, size);
}

size_t
eth_state_count(const EthState *state)
{
	return state->n;
}

const void *
eth_state_get(const EthState *state, const char *key, uint32_t *size,
	      const char **type, uint32_t *flags)
{
	const StateEntry *e = state_find(state, key);
	if (size) {
		*size = e ? e->size : 0;
	}
	if (type) {
		*type = e ? e->type : NULL;
	}
	if (flags) {
		*flags = e ? e->flags : 0;
	}
	return e ? e->value : NULL;
}

/* state:makePath, mapPath and freePath, relative to the state's dir;
 * one per save or restore call, so that saves in several threads at once
 * share nothing here. */
typedef struct {
	const char *dir;
	void (*at_make_path)(void *data); /* or NULL */
	void *data;
} PathContext;

static void
make_dirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; ++p) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

static char *
join_path(const char *dir, const char *name)
{
	const size_t n    = strlen(dir) + strlen(name) + 2;
	char        *path = (char *)malloc(n);
	snprintf(path, n, "%s/%s", dir, name);
	return path;
}

static char *
make_path(LV2_State_Make_Path_Handle handle, const char *name)
{
	const PathContext *c = (const PathContext *)handle;
	if (c->at_make_path) {
		c->at_make_path(c->data);
	}
	char *path  = join_path(c->dir, name);
	char *slash = strrchr(path, '/');
	*slash      = '\0';
	make_dirs(path);
	*slash = '/';
	return path;
}

static char *
abstract_path(LV2_State_Map_Path_Handle handle, const char *absolute)
{
	const PathContext *c = (const PathContext *)handle;
	const size_t       n = c->dir ? strlen(c->dir) : 0;
	if (n && !strncmp(absolute, c->dir, n) && absolute[n] == '/') {
		return strdup(absolute + n + 1);
	}
	return strdup(absolute);
}

static char *
absolute_path(LV2_State_Map_Path_Handle handle, const char *abstract)
{
	const PathContext *c = (const PathContext *)handle;
	if (abstract[0] == '/' || !c->dir) {
		return strdup(abstract);
	}
	return join_path(c->dir, abstract);
}

static void
free_path(LV2_State_Free_Path_Handle handle, char *path)
{
	(void)handle;
	free(path);
}

/* The features of one save or restore: the host's, plus the three path
 * features over `paths`. */
typedef struct {
	LV2_State_Make_Path mk;
	LV2_State_Map_Path  mp;
	LV2_State_Free_Path fp;
	LV2_Feature         f[3];
	const LV2_Feature  *list[16]; /* NULL-terminated */
} StateFeatures;

static void
state_features(EthHost *host, PathContext *paths, StateFeatures *sf)
{
	sf->mk   = (LV2_State_Make_Path){ paths, make_path };
	sf->mp   = (LV2_State_Map_Path){ paths, abstract_path, absolute_path };
	sf->fp   = (LV2_State_Free_Path){ paths, free_path };
	sf->f[0] = (LV2_Feature){ LV2_STATE__makePath, &sf->mk };
	sf->f[1] = (LV2_Feature){ LV2_STATE__mapPath, &sf->mp };
	sf->f[2] = (LV2_Feature){ LV2_STATE__freePath, &sf->fp };
	unsigned n = 0;
	for (unsigned i = 0; host->features[i]; ++i) {
		sf->list[n++] = host->features[i];
	}
	for (unsigned i = 0; i < 3; ++i) {
		sf->list[n++] = &sf->f[i];
	}
	sf->list[n] = NULL;
}

static const LV2_State_Interface *
state_interface(const EthHost *host)
{
	return (const LV2_State_Interface *)lilv_instance_get_extension_data(
	    host->instance, LV2_STATE__interface);
}

typedef struct {
	EthHost  *host;
	EthState *state;
} StoreContext;

static LV2_State_Status
store_value(LV2_State_Handle handle, uint32_t key, const void *value,
	    size_t size, uint32_t type, uint32_t flags)
{
	StoreContext *c        = (StoreContext *)handle;
	const char   *key_uri  = unmap_uri(c->host, key);
	const char   *type_uri = unmap_uri(c->host, type);
	if (!key_uri || !type_uri || !value || size > UINT32_MAX) {
		return LV2_STATE_ERR_UNKNOWN;
	}
	eth_state_set(c->state, key_uri, type_uri, flags, value,
		      (uint32_t)size);
	return LV2_STATE_SUCCESS;
}

EthState *
eth_state_save(EthHost *host, const char *dir)
{
	return eth_state_save_with(host, dir, NULL, NULL);
}

EthState *
eth_state_save_with(EthHost *host, const char              *dir,
		    void (*at_make_path)(void *data), void *data)
{
	const LV2_State_Interface *iface = state_interface(host);
	if (!iface || !iface->save) {
		return NULL;
	}
	make_dirs(dir);
	EthState     *state = eth_state_new(dir);
	PathContext   paths = { state->dir, at_make_path, data };
	StateFeatures sf;
	state_features(host, &paths, &sf);
	StoreContext           c = { host, state };
	const LV2_State_Status st =
	    iface->save(lilv_instance_get_handle(host->instance), store_value,
			&c, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, sf.list);
	if (st != LV2_STATE_SUCCESS) {
		eth_state_free(state);
		return NULL;
	}
	return state;
}

typedef struct {
	EthHost        *host;
	const EthState *state;
	EthRetrieve     how;
	/* Values handed out and not freed yet. */
	void  **live;
	size_t *live_size;
	size_t  n_live, live_alloc;
} RetrieveContext;

static void
poison_and_free(void *value, size_t size)
{
	memset(value, 0xA5, size);
	free(value);
}

/* A type of the same size that is not `type`. */
static const char *
wrong_type(const char *type)
{
	static const char *const swaps[][2] = {
		{ LV2_ATOM__Int, LV2_ATOM__Bool },
		{ LV2_ATOM__Bool, LV2_ATOM__Int },
		{ LV2_ATOM__Long, LV2_ATOM__Double },
		{ LV2_ATOM__Double, LV2_ATOM__Long },
		{ LV2_ATOM__Float, LV2_ATOM__Int },
		{ LV2_ATOM__Path, LV2_ATOM__String },
		{ LV2_ATOM__String, LV2_ATOM__Path },
	};
	for (size_t i = 0; i < sizeof(swaps) / sizeof(swaps[0]); ++i) {
		if (!strcmp(type, swaps[i][0])) {
			return swaps[i][1];
		}
	}
	return LV2_ATOM__Chunk;
}

static const void *
retrieve_value(LV2_State_Handle handle, uint32_t key, size_t *size,
	       uint32_t *type, uint32_t *flags)
{
	RetrieveContext   *c   = (RetrieveContext *)handle;
	const EthRetrieve *how = &c->how;
	++c->host->retrieve_calls;
	*size  = 0;
	*type  = 0;
	*flags = 0;
	if ((how->options & ETH_RETRIEVE_INVALIDATE) && c->n_live) {
		/* Carla: what the previous call returned is gone. */
		poison_and_free(c->live[0], c->live_size[0]);
		c->n_live = 0;
	}
	const char       *key_uri = unmap_uri(c->host, key);
	const StateEntry *e = key_uri ? state_find(c->state, key_uri) : NULL;
	const bool this_key = e && how->key && !strcmp(e->key, how->key);
	if (!e || (this_key && (how->options & ETH_RETRIEVE_MISSING))) {
		return NULL;
	}

	const bool is_string = !strcmp(e->type, LV2_ATOM__Path) ||
			       !strcmp(e->type, LV2_ATOM__String);
	size_t text = is_string ? strnlen((const char *)e->value, e->size) : 0;
	const bool nul = is_string && text < e->size;
	size_t     n   = e->size;
	if (this_key && (how->options & ETH_RETRIEVE_SHORTER)) {
		if (is_string) {
			text = text ? text - 1 : 0;
			n    = text + (nul ? 1 : 0);
		} else {
			n = n ? n - 1 : 0;
		}
	}
	const bool no_nul = is_string && (how->options & ETH_RETRIEVE_NO_NUL);
	if (no_nul) {
		n = text;
	}
	const size_t extra =
	    this_key && (how->options & ETH_RETRIEVE_LONGER) ? 4 : 0;
	/* Without a NUL, poison bytes follow the text: a plugin that looks for
	 * the NUL reads garbage (and past the block, which ASan reports). */
	const size_t pad   = no_nul ? 8 : 0;
	uint8_t     *value = (uint8_t *)malloc(n + extra + pad + 1);
	memcpy(value, e->value, n);
	if (is_string && !no_nul && n > text) {
		value[text] = '\0'; /* a shortened string keeps its NUL */
	}
	memset(value + n, 0xA5, extra + pad);
	n += extra;

	if (c->n_live == c->live_alloc) {
		c->live_alloc = c->live_alloc ? c->live_alloc * 2 : 16;
		c->live =
		    (void **)realloc(c->live, c->live_alloc * sizeof(void *));
		c->live_size = (size_t *)realloc(
		    c->live_size, c->live_alloc * sizeof(size_t));
	}
	c->live[c->n_live]      = value;
	c->live_size[c->n_live] = n + pad;
	++c->n_live;

	const char *type_uri =
	    this_key && (how->options & ETH_RETRIEVE_WRONG_TYPE)
		? wrong_type(e->type)
		: e->type;
	*size  = n;
	*type  = map_uri(c->host, type_uri);
	*flags = e->flags;
	return value;
}

int
eth_state_restore(EthHost *host, const EthState *state, const EthRetrieve *how)
{
	const LV2_State_Interface *iface = state_interface(host);
	if (!iface || !iface->restore) {
		return LV2_STATE_ERR_NO_FEATURE;
	}
	PathContext   paths = { state->dir, NULL, NULL };
	StateFeatures sf;
	state_features(host, &paths, &sf);
	RetrieveContext c;
	memset(&c, 0, sizeof(c));
	c.host  = host;
	c.state = state;
	if (how) {
		c.how = *how;
	}
	host->retrieve_calls      = 0;
	const LV2_State_Status st = iface->restore(
	    lilv_instance_get_handle(host->instance), retrieve_value, &c,
	    LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, sf.list);
	/* Values need not outlive restore(). */
	for (size_t i = 0; i < c.n_live; ++i) {
		poison_and_free(c.live[i], c.live_size[i]);
	}
	free(c.live);
	free(c.live_size);
	return st;
}

unsigned
eth_state_retrieve_calls(const EthHost *host)
{
	return host->retrieve_calls;
}

char *
eth_temp_dir(const char *tag)
{
	char tmpl[256];
	snprintf(tmpl, sizeof(tmpl), "/tmp/eighttrack-%s-XXXXXX", tag);
	if (!mkdtemp(tmpl)) {
		perror("lv2host: mkdtemp");
		abort();
	}
	char *dir = strdup(tmpl);
	if (!dir) {
		abort();
	}
	return dir;
}

void
eth_remove_dir(char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "lv2host: could not remove %s\n", dir);
		abort();
	}
	free(dir);
}

/* A small LV2 host for the tests: loads the built bundle through lilv,
 * feeds MIDI and transport positions, runs blocks, runs the worker the way
 * a host's worker thread would (after run()), and collects the output
 * events, the log and the number of allocations made inside run().
 *
 * Threads: one thread drives a host, except that eth_state_save() may run
 * in other threads while the first calls eth_run() (LV2 lets a host save
 * beside run(); test_host_torn does), in one or in several at once, each
 * into a folder of its own.  The URID map and the log are locked for
 * that, and each save has its own state and path features;
 * eth_log_text() and eth_log_lines() are for when no other thread can
 * log, and eth_allocations_in_run() counts only the calls made in
 * eth_run()'s thread. */
#ifndef ET_LV2HOST_H
#define ET_LV2HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_MAX_EVENT 64

typedef struct {
	uint32_t frame;
	uint32_t size;
	uint8_t  bytes[ETH_MAX_EVENT];
} EthEvent;

typedef struct EthHost EthHost;

/* Where the built bundle is: $ET_BUNDLE_DIR, else bundle/eighttrack.lv2. */
const char *eth_bundle_dir(void);

/* Loads the built bundle (eth_bundle_dir) into a lilv world and returns
 * the plugin, NULL if the bundle lacks it (aborts if there is none). */
struct LilvWorldImpl;  /* LilvWorld (lilv.h) */
struct LilvPluginImpl; /* LilvPlugin */
const struct LilvPluginImpl *eth_load_plugin(struct LilvWorldImpl *world);

EthHost *eth_new(double rate);
EthHost *eth_new_with(double rate, bool with_worker, bool with_log);
void     eth_free(EthHost *host);

uint32_t eth_port_index(const EthHost *host, const char *symbol);
void     eth_set(EthHost *host, const char *symbol, float value);
float    eth_get(const EthHost *host, const char *symbol);

/* Queues an input event for the next eth_run(). */
void eth_midi(EthHost *host, int64_t frame, const uint8_t *msg, uint32_t size);
void eth_midi3(EthHost *host, int64_t frame, uint8_t b0, uint8_t b1,
	       uint8_t b2);
/* A raw atom of any type (for bad-input tests). */
void eth_atom(EthHost *host, int64_t frame, uint32_t type, const void *body,
	      uint32_t size);
/* A time:Position object; speed 0 = stopped. */
void eth_position(EthHost *host, int64_t frame, int64_t transport_frame,
		  double speed, double bpm, double beats_per_bar, int64_t bar,
		  float bar_beat);
/* A time:Position of n fields, each an atom:Double (keys are time: URIs),
 * as a host may send them: NaN, infinities and 1e300 arrive whole. */
void     eth_position_of(EthHost *host, int64_t frame, size_t n,
			 const char *const *keys, const double *values);
uint32_t eth_map(EthHost *host, const char *uri);

/* Whether the plugin instantiates at this sample rate (with urid:map, log
 * and worker), without keeping it. */
bool eth_instantiates(double rate);

/* Capacity of midi_out in bytes (atom size the host offers). */
void eth_set_out_capacity(EthHost *host, uint32_t bytes);

/* Runs one block; audio inputs come from the buffers set by
 * eth_audio_in() (silence if none).  Returns the output events. */
void eth_run(EthHost *host, uint32_t nframes);

/* Nanoseconds the last eth_run() spent inside the plugin's run(). */
uint64_t eth_last_run_ns(const EthHost *host);
/* Minor page faults the thread took inside the last run() alone (the
 * worker, which the host runs after it in the same thread, not counted). */
long eth_last_run_faults(const EthHost *host);

size_t          eth_out_count(const EthHost *host);
const EthEvent *eth_out(const EthHost *host, size_t i);
/* Capacity in bytes (atom header included) of another atom output
 * (notify, track1_out ...), as for midi_out; a sentinel past it must stay
 * untouched. */
void eth_set_port_capacity(EthHost *host, const char *symbol, uint32_t bytes);
/* The MIDI events of another atom output (track1_out ...), last eth_run(). */
size_t          eth_port_out_count(const EthHost *host, const char *symbol);
const EthEvent *eth_port_out(const EthHost *host, const char *symbol,
			     size_t i);

float      *eth_audio(EthHost *host, const char *symbol); /* block buffer */
size_t      eth_allocations_in_run(const EthHost *host);
const char *eth_log_text(const EthHost *host);
unsigned    eth_log_lines(const EthHost *host);

/* Saves the plugin's state (and its loop file) into dir/state.ttl the way
 * a host saves a session; false on failure. */
bool eth_save_state(EthHost *host, const char *dir);
/* Restores dir/state.ttl into this instance, as a host loading a session
 * does (controls included); false if lilv cannot read it. */
bool eth_restore_state(EthHost *host, const char *dir);

/* ---- State through the test host's own store and retrieve ------------
 * eth_state_save() calls the plugin's LV2_State_Interface save() directly
 * with this host's store function and state:makePath, mapPath and freePath
 * features that write into `dir`; the stored values (key, type, flags,
 * bytes) stay in memory, keys and types as URIs, so that another instance
 * (another host, with its own URID map) can restore them.
 * eth_state_restore() calls restore() with this host's retrieve, which can
 * behave like the hosts out there; the options combine. */
typedef struct EthState EthState;

enum {
	/* Like Carla: every value handed out is a fresh malloc'd copy, and
	 * each call poisons (0xA5) and frees the value that the previous call
	 * returned; the last one is poisoned and freed when restore() returns.
	 * Without it, values stay valid until restore() returns (the spec),
	 * and are poisoned and freed then. */
	ETH_RETRIEVE_INVALIDATE = 1u << 0,
	/* Like Carla: atom:Path and atom:String values come back without their
	 * NUL (size = strlen), followed by poison bytes, never a NUL. */
	ETH_RETRIEVE_NO_NUL = 1u << 1,
	/* The rest act on one key, EthRetrieve.key:
	 * it is missing; */
	ETH_RETRIEVE_MISSING = 1u << 2,
	/* its value has another type of the same size (Int<->Bool,
	 * Long<->Double, Float->Int, Path<->String, anything else ->
	 * atom:Chunk); */
	ETH_RETRIEVE_WRONG_TYPE = 1u << 3,
	/* its value is one byte shorter (a string: its text one character
	 * shorter, its NUL kept); */
	ETH_RETRIEVE_SHORTER = 1u << 4,
	/* its value is followed by 4 extra bytes of 0xA5 (after a string's NUL
	 * if it has one). */
	ETH_RETRIEVE_LONGER = 1u << 5,
};

typedef struct {
	unsigned    options; /* ETH_RETRIEVE_... */
	const char *key;     /* full URI: the key the per-key options act on */
} EthRetrieve;

/* An empty state, whose paths are relative to dir (may be NULL). */
EthState *eth_state_new(const char *dir);
/* Saves this instance's state; files go into dir (created if need be).
 * NULL if save() fails.  Saves in several threads at once need a dir
 * each. */
EthState *eth_state_save(EthHost *host, const char *dir);
/* The same, and each time the plugin asks for a path (state:makePath),
 * at_make_path(data) is called first, in save()'s thread: a host whose
 * makePath takes its time (test_host_torn holds a save there). */
EthState *eth_state_save_with(EthHost *host, const char              *dir,
			      void (*at_make_path)(void *data), void *data);
void      eth_state_free(EthState *state);
/* Adds or replaces a value, as the store function does. */
void   eth_state_set(EthState *state, const char *key, const char *type,
		     uint32_t flags, const void *value, uint32_t size);
size_t eth_state_count(const EthState *state);
/* The stored value of key (NULL if none), its size, type URI and flags. */
const void *eth_state_get(const EthState *state, const char *key,
			  uint32_t *size, const char **type, uint32_t *flags);
/* Restores the state into this instance through the plugin's restore(),
 * with a retrieve that behaves as `how` says (NULL: plainly).  Returns
 * restore()'s status (0 = LV2_STATE_SUCCESS).  Control ports are not part
 * of this state. */
int eth_state_restore(EthHost *host, const EthState *state,
		      const EthRetrieve *how);
/* How many times the last eth_state_restore() called retrieve. */
unsigned eth_state_retrieve_calls(const EthHost *host);

/* A new empty folder /tmp/eighttrack-TAG-XXXXXX (malloc'd; aborts if it
 * cannot be made), and its removal with everything in it (frees dir). */
char *eth_temp_dir(const char *tag);
void  eth_remove_dir(char *dir);

/* The allocation hook (alloc_hook.c) counts while this is on. */
void   eth_count_allocations(bool on);
size_t eth_allocation_count(void);

#endif

/* A small LV2 host for the tests: loads the built bundle through lilv,
 * feeds MIDI and transport positions, runs blocks, runs the worker the way
 * a host's worker thread would (after run()), and collects the output
 * events, the log and the number of allocations made inside run(). */
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

EthHost *eth_new(double rate);
EthHost *eth_new_with(double rate, bool with_worker, bool with_log);
void     eth_free(EthHost *host);

uint32_t eth_port_index(const EthHost *host, const char *symbol);
void     eth_set(EthHost *host, const char *symbol, float value);
float    eth_get(const EthHost *host, const char *symbol);

/* Queues an input event for the next eth_run(). */
void eth_midi(EthHost *host, int64_t frame, const uint8_t *msg, uint32_t size);
void eth_midi3(EthHost *host, int64_t frame, uint8_t b0, uint8_t b1, uint8_t b2);
/* A raw atom of any type (for bad-input tests). */
void eth_atom(EthHost *host, int64_t frame, uint32_t type, const void *body,
              uint32_t size);
/* A time:Position object; speed 0 = stopped. */
void eth_position(EthHost *host, int64_t frame, int64_t transport_frame,
                  double speed, double bpm, double beats_per_bar, int64_t bar,
                  float bar_beat);
uint32_t eth_map(EthHost *host, const char *uri);

/* Capacity of midi_out in bytes (atom size the host offers). */
void eth_set_out_capacity(EthHost *host, uint32_t bytes);

/* Runs one block; audio inputs come from the buffers set by
 * eth_audio_in() (silence if none).  Returns the output events. */
void eth_run(EthHost *host, uint32_t nframes);

/* Nanoseconds the last eth_run() spent inside the plugin's run(). */
uint64_t        eth_last_run_ns(const EthHost *host);

size_t          eth_out_count(const EthHost *host);
const EthEvent *eth_out(const EthHost *host, size_t i);
/* Capacity in bytes (atom header included) of another atom output
 * (notify, track1_out ...), as for midi_out; a sentinel past it must stay
 * untouched. */
void eth_set_port_capacity(EthHost *host, const char *symbol, uint32_t bytes);
/* The MIDI events of another atom output (track1_out ...), last eth_run(). */
size_t          eth_port_out_count(const EthHost *host, const char *symbol);
const EthEvent *eth_port_out(const EthHost *host, const char *symbol, size_t i);

float       *eth_audio(EthHost *host, const char *symbol); /* block buffer */
size_t       eth_allocations_in_run(const EthHost *host);
const char  *eth_log_text(const EthHost *host);
unsigned     eth_log_lines(const EthHost *host);

/* Saves the plugin's state (and its loop file) into dir/state.ttl the way
 * a host saves a session; false on failure. */
bool eth_save_state(EthHost *host, const char *dir);
/* Restores dir/state.ttl into this instance, as a host loading a session
 * does (controls included); false if lilv cannot read it. */
bool eth_restore_state(EthHost *host, const char *dir);

/* The allocation hook (alloc_hook.c) counts while this is on. */
void eth_count_allocations(bool on);
size_t eth_allocation_count(void);

#endif

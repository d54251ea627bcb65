/* LV2 State: the recorded loops are saved with the host's session.
 *
 * save() writes each track's loop that exists as a float WAV into a file
 * from state:makePath (loop.wav for track 1, loopN.wav for track N) and
 * stores its mapped path (LV2_STATE_IS_POD only: with IS_PORTABLE, Ardour
 * copies the file into a new folder on every save), with what is needed to
 * play it back in phase.  restore() runs outside the audio thread and may
 * run while run() does (Ardour loads presets and state in a live session):
 * it builds a whole new set of loops (recorders.h) and hands it to run()
 * through an atomic pointer, never touching the one run() plays.  A loop
 * whose file is missing or corrupt is empty, with a log line naming its
 * track; the other loops come back. */
#include "instance.h"
#include "loopfile.h"

#include <lv2/core/lv2_util.h>
#include <lv2/state/state.h>

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* 1: the first release.  2: the loop's end is cross-faded into its
 * pre-roll (looper.h), so a loop saved by version 1 gets its last ramp
 * faded out when it is loaded.  The keys are the same; the eight recorders
 * added keys for tracks 2 to 8 (uris.h), which older builds ignore. */
#define ET_STATE_VERSION 2

typedef struct {
	LV2_State_Map_Path  *map_path;
	LV2_State_Make_Path *make_path;
	LV2_State_Free_Path *free_path;
	LV2_Log_Logger       logger;
} StateFeatures;

static void
get_features(const Eighttrack *self, const LV2_Feature *const *features,
	     StateFeatures *out)
{
	memset(out, 0, sizeof(*out));
	out->logger      = self->logger; /* from instantiate(), if given one */
	LV2_Log_Log *log = NULL;
	lv2_features_query(features, LV2_STATE__mapPath, &out->map_path, false,
			   LV2_STATE__makePath, &out->make_path, false,
			   LV2_STATE__freePath, &out->free_path, false,
			   LV2_LOG__log, &log, false, NULL);
	if (log) {
		lv2_log_logger_init(&out->logger, self->map, log);
	}
}

static void
free_host_path(const StateFeatures *f, char *path)
{
	if (!path) {
		return;
	}
	if (f->free_path) {
		f->free_path->free_path(f->free_path->handle, path);
	} else {
		free(path);
	}
}

static LV2_State_Status
store_pod(LV2_State_Store_Function store, LV2_State_Handle handle,
	  LV2_URID key, const void *value, uint32_t size, LV2_URID type)
{
	return store(handle, key, value, size, type,
		     LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
}

static uint32_t
read_view(const void *ctx, uint32_t k, const float **left, const float **right)
{
	return et_loop_view_read((const EtLoopView *)ctx, k, left, right);
}

/* Writes the loop file and stores its path and place in time. */
static LV2_State_Status
save_loop(Eighttrack *self, LV2_State_Store_Function store,
	  LV2_State_Handle handle, StateFeatures *sf, unsigned track,
	  const EtLoopView *loop)
{
	const EtUris     *u    = &self->uris;
	const EtLoopKeys *keys = &u->state_loops[track];
	StateFeatures     f    = *sf;
	const EtLoopView  view = *loop;
	if (!f.make_path || !f.map_path) {
		lv2_log_error(
		    &f.logger,
		    "eighttrack: the host offers no "
		    "state:makePath/mapPath; the loop was not saved\n");
		return LV2_STATE_ERR_NO_FEATURE;
	}

	char name[16];
	if (track == 0)
		snprintf(name, sizeof name, "loop.wav");
	else
		snprintf(name, sizeof name, "loop%u.wav", track + 1);
	char *path = f.make_path->path(f.make_path->handle, name);
	if (!path) {
		lv2_log_error(&f.logger,
			      "eighttrack: the host gave no path for the "
			      "loop file; the loop was not saved\n");
		return LV2_STATE_ERR_UNKNOWN;
	}
	/* Written beside the path and renamed over it when complete: a failed
	 * save leaves the file that was there (Carla and jalv save into the
	 * same folder again) and nothing else. */
	EtLoopfileWriteError   why;
	const EtLoopfileSource source = { read_view, &view };
	const EtLoopfileStatus st     = et_loopfile_write_from(
		path, &source, view.length, (uint32_t)self->rate, &why);
	if (st != ET_LOOPFILE_OK) {
		if (why.step) {
			lv2_log_error(
			    &f.logger,
			    "eighttrack: saving the loop to %s "
			    "failed while %s (%s); the loop was not saved, "
			    "and what was at that path is left as it was\n",
			    path, why.step, why.reason);
		} else {
			lv2_log_error(&f.logger,
				      "eighttrack: saving the loop to %s: "
				      "%s\n",
				      path, et_loopfile_strerror(st));
		}
		free_host_path(&f, path);
		return LV2_STATE_ERR_UNKNOWN;
	}

	char *abstract = f.map_path->abstract_path(f.map_path->handle, path);
	free_host_path(&f, path);
	if (!abstract) {
		return LV2_STATE_ERR_UNKNOWN;
	}
	store(handle, keys->loop, abstract, (uint32_t)strlen(abstract) + 1,
	      u->atom_Path, LV2_STATE_IS_POD);
	free_host_path(&f, abstract);

	const int64_t length   = view.length;
	const int32_t anchored = view.anchored;
	store_pod(store, handle, keys->length, &length, sizeof(length),
		  u->atom_Long);
	store_pod(store, handle, keys->exact_length, &view.exact_length,
		  sizeof(double), u->atom_Double);
	store_pod(store, handle, keys->anchored, &anchored, sizeof(anchored),
		  u->atom_Bool);
	store_pod(store, handle, keys->start_frame, &view.start_frame,
		  sizeof(int64_t), u->atom_Long);
	store_pod(store, handle, keys->start_exact, &view.start_exact,
		  sizeof(double), u->atom_Double);
	return LV2_STATE_SUCCESS;
}

static LV2_State_Status
save_state(Eighttrack *self, StateFeatures *f, LV2_State_Store_Function store,
	   LV2_State_Handle handle)
{
	const EtUris *u = &self->uris;

	const int32_t version = ET_STATE_VERSION;
	store_pod(store, handle, u->state_version, &version, sizeof(version),
		  u->atom_Int);
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		const float ms = et_recorders_measured(self->saved, t);
		if (!isnan(ms)) {
			store_pod(store, handle, u->state_latency[t], &ms,
				  sizeof(ms), u->atom_Float);
		}
	}

	/* Each loop's last complete version, pinned while it is written:
	 * run() goes on recording into versions of its own (looper.h), so
	 * each file holds one whole loop, never part of a take.  A loop that
	 * fails to save does not keep the others from saving. */
	LV2_State_Status st = LV2_STATE_SUCCESS;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		EtLooper  *looper = et_recorders_loop(self->saved, t);
		EtLoopView view;
		if (!et_looper_pin(looper, &view)) {
			continue; /* no loop (or a first take under way) */
		}
		const LV2_State_Status one =
		    save_loop(self, store, handle, f, t, &view);
		et_looper_unpin(looper);
		if (one != LV2_STATE_SUCCESS) {
			st = one;
		}
	}
	return st;
}

/* Copies the stored value of `key` into `out` (exactly `size` bytes of the
 * given type); false if it is missing, of another type or of another size.
 * The value is copied before anything else is retrieved: Carla frees what
 * one call of retrieve returned at the next call (host facts). */
static bool
get_pod(LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle,
	LV2_URID key, LV2_URID type, void *out, size_t size)
{
	size_t      got      = 0;
	uint32_t    got_type = 0;
	uint32_t    flags    = 0;
	const void *value    = retrieve(handle, key, &got, &got_type, &flags);
	if (!value || got_type != type || got != size) {
		return false;
	}
	memcpy(out, value, size);
	return true;
}

/* True if the state holds a value for `key`, of any type. */
static bool
has_value(LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle,
	  LV2_URID key)
{
	size_t   size  = 0;
	uint32_t type  = 0;
	uint32_t flags = 0;
	return retrieve(handle, key, &size, &type, &flags) != NULL;
}

/* A NUL-terminated copy of a stored string of the given type (malloc'd), or
 * NULL.  Carla hands strings back without their NUL, jalv with it; the copy
 * ends at the first NUL or at the value's size, whichever comes first. */
static char *
get_string(LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle,
	   LV2_URID key, LV2_URID type)
{
	size_t      got      = 0;
	uint32_t    got_type = 0;
	uint32_t    flags    = 0;
	const char *value =
	    (const char *)retrieve(handle, key, &got, &got_type, &flags);
	if (!value || got_type != type || got == 0) {
		return NULL;
	}
	const char  *nul = (const char *)memchr(value, '\0', got);
	const size_t len = nul ? (size_t)(nul - value) : got;
	if (len == 0) {
		return NULL;
	}
	char *copy = (char *)malloc(len + 1);
	if (copy) {
		memcpy(copy, value, len);
		copy[len] = '\0';
	}
	return copy;
}

/* Hands freshly built loops to run(); frees what run() has let go. */
static void
publish(Eighttrack *self, EtRecorders *loops)
{
	self->saved = loops;
	et_recorders_free(atomic_exchange(&self->retired, NULL));
	et_recorders_free(atomic_exchange(&self->incoming, loops));
}

/* What save() stored for the loop, copied out of the host's hands. */
typedef struct {
	int64_t length;
	double  exact_length;
	int32_t anchored;
	int64_t start_frame;
	double  start_exact;
} SavedLoop;

/* Reads the saved loop into `looper`; false (and a log line) if it cannot.
 * Each value is copied as it is retrieved (get_pod, get_string). */
static bool
load_loop(Eighttrack *self, StateFeatures *f,
	  LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle,
	  int32_t version, unsigned track, EtLooper *looper)
{
	const EtUris     *u    = &self->uris;
	const EtLoopKeys *keys = &u->state_loops[track];
	const unsigned    n    = track + 1;
	char             *abstract =
	    get_string(retrieve, handle, keys->loop, u->atom_Path);
	if (!abstract) {
		/* Saved without a loop, or with one whose path cannot be read
		 * (another type, empty): that one is lost, and the log says
		 * so. */
		if (has_value(retrieve, handle, keys->loop)) {
			lv2_log_error(
			    &f->logger,
			    "eighttrack: the saved state holds no "
			    "usable path for the loop of track %u (an "
			    "atom:Path is expected); that loop is empty\n",
			    n);
		}
		return false;
	}
	SavedLoop  saved;
	const bool complete =
	    get_pod(retrieve, handle, keys->length, u->atom_Long,
		    &saved.length, sizeof(saved.length)) &&
	    get_pod(retrieve, handle, keys->exact_length, u->atom_Double,
		    &saved.exact_length, sizeof(saved.exact_length)) &&
	    get_pod(retrieve, handle, keys->anchored, u->atom_Bool,
		    &saved.anchored, sizeof(saved.anchored)) &&
	    get_pod(retrieve, handle, keys->start_frame, u->atom_Long,
		    &saved.start_frame, sizeof(saved.start_frame)) &&
	    get_pod(retrieve, handle, keys->start_exact, u->atom_Double,
		    &saved.start_exact, sizeof(saved.start_exact));

	char *path =
	    f->map_path
		? f->map_path->absolute_path(f->map_path->handle, abstract)
		: NULL;
	const char *file = path ? path : abstract;

	/* A start beyond ET_CLOCK_MAX_FRAME is no session's: doubles could not
	 * place the loop's repetitions there. */
	const double far = ET_CLOCK_MAX_FRAME;
	if (!complete || saved.length <= 0 ||
	    saved.length > (int64_t)et_looper_capacity(looper) ||
	    !(fabs((double)saved.start_frame) < far) ||
	    !(fabs(saved.start_exact) < far)) {
		lv2_log_error(
		    &f->logger,
		    "eighttrack: the saved state of the loop of track %u "
		    "in %s is incomplete or invalid; that loop is empty\n",
		    n, file);
		free_host_path(f, path);
		free(abstract);
		return false;
	}

	float                 *left = NULL, *right = NULL;
	uint32_t               frames = 0;
	const EtLoopfileStatus st     = et_loopfile_read(
		file, (uint32_t)self->rate, (uint32_t)saved.length,
		et_looper_capacity(looper), &left, &right, &frames);
	if (st == ET_LOOPFILE_OK) {
		/* A file is anyone's to edit: what it holds is made as finite
		 * and bounded as a recorded loop before anything plays it. */
		EtLoopfileCleaned cleaned;
		et_loopfile_clean(left, right, frames, &cleaned);
		if (cleaned.replaced) {
			lv2_log_warning(
			    &f->logger,
			    "eighttrack: the loop file %s (track %u) held "
			    "%u samples that cannot be played (%u NaN or "
			    "infinite, %u beyond +-16, %u denormal), the "
			    "first at frame %u (%.3f s); they play as "
			    "silence\n",
			    file, n, cleaned.replaced, cleaned.not_finite,
			    cleaned.too_loud, cleaned.denormal,
			    cleaned.first_frame,
			    (double)cleaned.first_frame / self->rate);
		}
	}
	if (st == ET_LOOPFILE_OK && version < 2) {
		et_looper_fade_out_end(left, right, frames, self->rate);
	}
	bool ok = false;
	if (st != ET_LOOPFILE_OK) {
		lv2_log_error(&f->logger,
			      "eighttrack: restoring the loop of track %u "
			      "from %s: %s; that loop is empty\n",
			      n, file, et_loopfile_strerror(st));
	} else if (!et_looper_load(looper, left, right, frames,
				   saved.exact_length, saved.anchored != 0,
				   saved.start_frame, saved.start_exact)) {
		lv2_log_error(
		    &f->logger,
		    "eighttrack: the loop of track %u in %s does not "
		    "fit; that loop is empty\n",
		    n, file);
	} else {
		ok = true;
	}
	free(left);
	free(right);
	free_host_path(f, path);
	free(abstract);
	return ok;
}

/* A track's measured round trip: a finite Float within the looper's
 * 0 .. 500 ms, else it stays unmeasured and the log says why. */
static void
load_latency(Eighttrack *self, StateFeatures *f,
	     LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle,
	     unsigned track, EtRecorders *loops)
{
	const EtUris  *u   = &self->uris;
	const LV2_URID key = u->state_latency[track];
	float          ms  = 0.0f;
	if (!has_value(retrieve, handle, key)) {
		return; /* never measured */
	}
	const float max = (float)(ET_LOOPER_MAX_LAG_SECONDS * 1000.0);
	if (!get_pod(retrieve, handle, key, u->atom_Float, &ms, sizeof(ms)) ||
	    !(ms >= 0.0f && ms <= max)) {
		lv2_log_error(&f->logger,
			      "eighttrack: the saved round-trip latency of "
			      "track %u is not a number of milliseconds "
			      "from 0 to %.0f; track %u is not compensated "
			      "until it is calibrated again\n",
			      track + 1, (double)max, track + 1);
		return;
	}
	et_recorders_set_measured(loops, track, ms);
}

static LV2_State_Status
restore_state(Eighttrack *self, StateFeatures *f,
	      LV2_State_Retrieve_Function retrieve, LV2_State_Handle handle)
{
	const EtUris *u = &self->uris;

	/* A state with neither our version nor a loop (a preset, a host's
	 * default state) is not ours: the loop stays as it is.  One with a
	 * loop but no usable version is read as this version's. */
	int32_t version  = ET_STATE_VERSION;
	bool    any_loop = false;
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		any_loop = any_loop ||
			   has_value(retrieve, handle, u->state_loops[t].loop);
	}
	if (!get_pod(retrieve, handle, u->state_version, u->atom_Int, &version,
		     sizeof(version)) &&
	    !any_loop) {
		return LV2_STATE_SUCCESS;
	}
	if (version > ET_STATE_VERSION) {
		lv2_log_warning(
		    &f->logger,
		    "eighttrack: this session was saved by a "
		    "newer Eighttrack (state version %d); reading what "
		    "version %d knows\n",
		    (int)version, ET_STATE_VERSION);
	}

	EtRecorders *loops = et_engine_new_recorders(self->rate);
	if (!loops) {
		lv2_log_error(&f->logger,
			      "eighttrack: out of memory restoring the "
			      "loops; the current loops are kept\n");
		return LV2_STATE_ERR_UNKNOWN;
	}
	for (unsigned t = 0; t < ET_TRACK_COUNT; ++t) {
		load_loop(self, f, retrieve, handle, version, t,
			  et_recorders_loop(loops, t));
		load_latency(self, f, retrieve, handle, t, loops);
	}
	publish(self, loops);
	return LV2_STATE_SUCCESS;
}

/* save() and restore() take turns: LV2 lets a host call them from any
 * thread beside run(), and says nothing against two at once; the loop
 * store pins one version per loop at a time, and a restore frees loops a
 * save may be reading.  Neither is real-time. */
/* Takes the state lock and reads the features of this call. */
static Eighttrack *
begin(LV2_Handle instance, const LV2_Feature *const *features,
      StateFeatures *f)
{
	Eighttrack *self = (Eighttrack *)instance;
	pthread_mutex_lock(&self->state_lock);
	get_features(self, features, f);
	return self;
}

/* Lets the lock go and passes on what the locked call returned. */
static LV2_State_Status
end(Eighttrack *self, LV2_State_Status st)
{
	pthread_mutex_unlock(&self->state_lock);
	return st;
}

static LV2_State_Status
save(LV2_Handle instance, LV2_State_Store_Function store,
     LV2_State_Handle handle, uint32_t flags,
     const LV2_Feature *const *features)
{
	(void)flags;
	StateFeatures f;
	Eighttrack   *self = begin(instance, features, &f);
	return end(self, save_state(self, &f, store, handle));
}

static LV2_State_Status
restore(LV2_Handle instance, LV2_State_Retrieve_Function retrieve,
	LV2_State_Handle handle, uint32_t flags,
	const LV2_Feature *const *features)
{
	(void)flags;
	StateFeatures f;
	Eighttrack   *self = begin(instance, features, &f);
	return end(self, restore_state(self, &f, retrieve, handle));
}

const void *
et_state_interface(void)
{
	static const LV2_State_Interface state = { save, restore };
	return &state;
}

# The tests: included by the Makefile, after the core's and the glue's
# objects are named.  tests/unit/ link the core alone; tests/host/ load
# the built bundle through lilv (tests/host/lv2host.c); tests/ui/ test the
# UI; tests/scripts/ drive real hosts (jalv, Ardour, Carla).

UNIT_TESTS := $(BUILD)/test_engine $(BUILD)/test_router $(BUILD)/test_clock $(BUILD)/test_looper \
              $(BUILD)/test_loopstore $(BUILD)/test_undo $(BUILD)/test_mix \
              $(BUILD)/test_loopfile \
              $(BUILD)/test_midiclock $(BUILD)/test_looper_ref $(BUILD)/test_overview \
              $(BUILD)/test_view $(BUILD)/test_port_list $(BUILD)/test_calibrate
HOST_TESTS := $(BUILD)/test_ports $(BUILD)/test_host_router $(BUILD)/test_host_looper \
              $(BUILD)/test_host_beyond $(BUILD)/test_host_notify $(BUILD)/test_host_faults \
              $(BUILD)/test_host_state $(BUILD)/test_host_save $(BUILD)/test_host_torn \
              $(BUILD)/test_host_recorders $(BUILD)/test_host_latency
HOST_TESTS += $(BUILD)/test_presets
HOST_OBJ   := $(BUILD)/lv2host.o $(BUILD)/alloc_hook.o $(BUILD)/session.o
# The test host locks its URID map and log (a save may run in a thread of
# its own beside run(): test_host_torn).
HOST_LIBS  := -pthread

$(BUILD)/test_%.o: tests/unit/test_%.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests/unit -c $< -o $@

$(BUILD)/test_%.o: tests/host/test_%.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests/host -c $< -o $@

$(BUILD)/lv2host.o: tests/host/lv2host.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(LILV_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/session.o: tests/host/session.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(LILV_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/alloc_hook.o: tests/host/alloc_hook.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) -fno-builtin -c $< -o $@

$(BUILD)/test_clock $(BUILD)/test_looper \
$(BUILD)/test_overview $(BUILD)/test_loopstore $(BUILD)/test_undo $(BUILD)/test_mix $(BUILD)/test_port_list \
$(BUILD)/test_calibrate: $(BUILD)/%: $(BUILD)/%.o $(CORE_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm

# What the core emits, kept for the tests to read back.
$(BUILD)/capture_sink.o: tests/unit/capture_sink.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests/unit -c $< -o $@

$(BUILD)/test_engine $(BUILD)/test_router $(BUILD)/test_midiclock: $(BUILD)/%: $(BUILD)/%.o $(BUILD)/capture_sink.o $(CORE_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm

# The looper beside its own per-frame build (ET_LOOPER_PER_FRAME, renamed
# to ref_looper_* by tests/unit/looper_per_frame.h).
$(BUILD)/looper_per_frame.o $(BUILD)/looper_render_per_frame.o: $(BUILD)/%_per_frame.o: \
    plugin/core/%.c tests/unit/looper_per_frame.h $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) -DET_LOOPER_PER_FRAME -include tests/unit/looper_per_frame.h -c $< -o $@

$(BUILD)/test_looper_ref: $(BUILD)/test_looper_ref.o $(BUILD)/looper_per_frame.o \
                          $(BUILD)/looper_render_per_frame.o $(CORE_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm

$(BUILD)/test_loopfile: $(BUILD)/test_loopfile.o $(BUILD)/loopfile.o
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SNDFILE_LIBS) $(CMOCKA_LIBS) -lm

$(BUILD)/test_ports $(BUILD)/test_host_router: $(BUILD)/%: $(BUILD)/%.o $(HOST_OBJ) $(CORE_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

$(BUILD)/test_presets $(BUILD)/test_host_beyond $(BUILD)/test_host_faults \
$(BUILD)/test_host_state: $(BUILD)/%: $(BUILD)/%.o $(HOST_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

# A full disk for the save tests: preloaded by test_host_save into itself.
$(BUILD)/enospc_shim.so: tests/host/enospc_shim.c $(BUILD)/flags | $(BUILD)
	$(CC) $(OPT) -Wall -Wextra $(WERROR) -fPIC -shared $(CPPFLAGS) $(CFLAGS) -o $@ $< -ldl

$(BUILD)/test_host_save: $(BUILD)/test_host_save.o $(HOST_OBJ) | $(BUILD)/enospc_shim.so
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(SNDFILE_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -ldl -lm

# Saves in a thread of their own beside run(); the seam's curve from
# looper.o, for the loop's last frames.
$(BUILD)/test_host_torn: $(BUILD)/test_host_torn.o $(HOST_OBJ) $(LOOPER_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(SNDFILE_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

# (The seam's curve, from looper.o, for the loop the test expects; the
# simulated synth, for a calibration.)
$(BUILD)/test_host_notify: $(BUILD)/test_host_notify.o $(BUILD)/fake_synth.o \
                           $(HOST_OBJ) $(LOOPER_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

$(BUILD)/test_host_recorders: $(BUILD)/test_host_recorders.o $(HOST_OBJ) $(BUILD)/loopfile.o
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(SNDFILE_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

# A hardware synth's round trip, simulated (tests/host/fake_synth.c).
$(BUILD)/fake_synth.o: tests/host/fake_synth.c tests/host/fake_synth.h $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests/host -c $< -o $@

$(BUILD)/test_host_latency: $(BUILD)/test_host_latency.o $(BUILD)/fake_synth.o $(HOST_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

$(BUILD)/test_host_looper: $(BUILD)/test_host_looper.o $(HOST_OBJ) $(BUILD)/loopfile.o \
                           $(LOOPER_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(SNDFILE_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

$(BUILD)/bench: $(BUILD)/bench.o $(filter-out $(BUILD)/session.o,$(HOST_OBJ))
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(HOST_LIBS) -lm

$(BUILD)/bench.o: tests/host/bench.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(LILV_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests/host -c $< -o $@

# The README's round-trip figure (docs/round_trip.svg), from the onsets
# test_host_latency measures.
figures: all $(BUILD)/test_host_latency
	rm -f $(BUILD)/onsets.csv
	ET_ONSETS_CSV=$(BUILD)/onsets.csv ET_BUNDLE_DIR=$(BUNDLE) $(BUILD)/test_host_latency >/dev/null
	python3 tools/plot_onsets.py $(BUILD)/onsets.csv docs/round_trip.svg

# The JACK client of tests/scripts/test_round_trip.sh: transport, keyboard,
# a synth with a round trip, and a recorder.  Built only where libjack's
# headers are (deps-check installs them for make check); without it the
# script skips (fails under CI=true).
JACK_CFLAGS = $(shell $(PKG_CONFIG) --cflags jack)
JACK_LIBS   = $(shell $(PKG_CONFIG) --libs jack)
ROUND_TRIP_CLIENT := $(if $(shell $(PKG_CONFIG) --exists jack && echo yes),$(BUILD)/jack_round_trip)

$(BUILD)/jack_round_trip: tests/scripts/jack_round_trip.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(JACK_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS) \
		-o $@ $< $(JACK_LIBS) -lm

bench: deps-check
	$(MAKE) all $(BUILD)/bench
	ET_BUNDLE_DIR=$(BUNDLE) $(BUILD)/bench


# ----------------------------------------------------------------- the UI

$(BUILD)/test_ui_leaks: tests/ui/test_ui_leaks.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(UI_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS) \
		-o $@ $< $(UI_LIBS) $(shell $(PKG_CONFIG) --libs fontconfig) $(CMOCKA_LIBS) -ldl

$(BUILD)/test_view: tests/ui/test_view.c $(BUILD)/ui_view.o $(BUILD)/ports.o ui/view.h $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) -Iui $(UI_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS) \
		-o $@ $< $(BUILD)/ui_view.o $(BUILD)/ports.o $(UI_LIBS) \
		$(shell $(PKG_CONFIG) --libs fontconfig) $(CMOCKA_LIBS) -lm

# ------------------------------------------------------------- run them

unit-tests: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do echo "== $$t"; $$t || exit 1; done

# The bench is built (not run) with the host tests, so that make bench
# keeps working.
host-tests: all $(HOST_TESTS) $(BUILD)/bench
	@for t in $(HOST_TESTS); do echo "== $$t"; ET_BUNDLE_DIR=$(BUNDLE) $$t || exit 1; done

validate: all
	tools/validate.sh $(BUNDLE)

host-scripts: all $(ROUND_TRIP_CLIENT)
	tests/scripts/test_install.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/scripts/test_jalv.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/scripts/test_round_trip.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/scripts/test_run.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/scripts/test_ardour.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/scripts/test_carla.sh

ui-tests: all $(BUILD)/test_ui_leaks
	ET_PRELOAD="$(ET_PRELOAD)" ET_LEAK_CHECK="$(ET_LEAK_CHECK)" tests/ui/test_ui.sh


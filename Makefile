# Eighttrack: builds bundle/eighttrack.lv2 and its tests.
#   make            build the bundle
#   make check      build and run every test
#   make bench      measure the cost of run() beside plain references
#   make run        install to ~/.lv2 and start the plugin in jalv
#   make install    install to $(DESTDIR)$(LV2DIR); make uninstall removes it
#   make fuzz       run the libFuzzer harnesses (FUZZ_SECONDS each)
#   make lint       lv2lint --strict on the bundle (LV2LINT=...)
#   make clean      remove build/ and bundle/
#   make help       this list

PREFIX   ?= /usr/local
LV2DIR   ?= $(PREFIX)/lib/lv2
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
PKG_CONFIG ?= pkg-config

BUNDLE   := bundle/eighttrack.lv2
BUILD    := build
LIB_EXT  := .so

# Warnings are errors here; a distribution whose newer compiler warns about
# something new can build with WERROR= .
WERROR ?= -Werror

# Flags the build needs whatever CFLAGS says.  -MMD -MP: each object lists
# the headers it was built from in a .d file beside it (included below).
ET_CFLAGS := -std=c11 -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
             -fPIC -fvisibility=hidden -D_DEFAULT_SOURCE \
             -Iplugin/core -Iplugin/lv2 -MMD -MP
ifeq ($(SANITIZE),1)
# GCC's -fsanitize=undefined leaves out float-cast-overflow (a double
# outside an integer type's range, NaN or infinity converted to it): named
# here.  (clang's undefined includes it; the fuzz build below uses clang.)
# float-divide-by-zero stays out: IEEE defines x / 0, and midiclock.c
# relies on it where a tiny speed underflows its tick rate to 0.
ET_SANITIZERS := address,undefined,float-cast-overflow
ET_CFLAGS += -fsanitize=$(ET_SANITIZERS) -fno-omit-frame-pointer \
             -fno-sanitize-recover=all -DET_NO_ALLOC_HOOK
ET_LDFLAGS += -fsanitize=$(ET_SANITIZERS)
# For hosts that are not built with the sanitizers (jalv).
ET_PRELOAD := $(shell $(CC) -print-file-name=libasan.so) $(shell $(CC) -print-file-name=libubsan.so)
# valgrind cannot run ASan binaries; LeakSanitizer checks the UI instead.
ET_LEAK_CHECK := lsan
endif

LV2_CFLAGS  = $(shell $(PKG_CONFIG) --cflags lv2)
LILV_CFLAGS = $(shell $(PKG_CONFIG) --cflags lilv-0)
LILV_LIBS   = $(shell $(PKG_CONFIG) --libs lilv-0)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)
SNDFILE_CFLAGS = $(shell $(PKG_CONFIG) --cflags sndfile)
SNDFILE_LIBS   = $(shell $(PKG_CONFIG) --libs sndfile)
UI_CFLAGS   = $(shell $(PKG_CONFIG) --cflags cairo x11)
UI_LIBS     = $(shell $(PKG_CONFIG) --libs cairo x11)

# plugin/core: the musical modules, which know nothing of LV2 (make layers
# checks); plugin/lv2: the glue that maps ports, atoms and state onto them.
CORE_SRC := $(addprefix plugin/core/,ports.c router.c clock.c looper.c looper_render.c loopstore.c engine.c \
            midiclock.c control_map.c overview.c)
CORE_OBJ := $(CORE_SRC:plugin/core/%.c=$(BUILD)/%.o)
# The looper alone (with the clock it follows), for the tests and tools
# that need only it.
LOOPER_OBJ := $(addprefix $(BUILD)/,looper.o looper_render.o loopstore.o clock.o)
GLUE_OBJ := $(BUILD)/eighttrack.o $(BUILD)/state.o $(BUILD)/loopfile.o $(BUILD)/seq_out.o \
            $(BUILD)/notify.o

UNIT_TESTS := $(BUILD)/test_engine $(BUILD)/test_router $(BUILD)/test_clock $(BUILD)/test_looper \
              $(BUILD)/test_loopstore \
              $(BUILD)/test_loopfile \
              $(BUILD)/test_midiclock $(BUILD)/test_looper_ref $(BUILD)/test_overview \
              $(BUILD)/test_view $(BUILD)/test_port_list
HOST_TESTS := $(BUILD)/test_ports $(BUILD)/test_host_router $(BUILD)/test_host_looper \
              $(BUILD)/test_host_beyond $(BUILD)/test_host_notify $(BUILD)/test_host_faults \
              $(BUILD)/test_host_state $(BUILD)/test_host_save $(BUILD)/test_host_torn
HOST_OBJ   := $(BUILD)/lv2host.o $(BUILD)/alloc_hook.o
# The test host locks its URID map and log (a save may run in a thread of
# its own beside run(): test_host_torn).
HOST_LIBS  := -pthread
PRESETS    := $(notdir $(wildcard ttl/presets/*.ttl))
HOST_TESTS += $(BUILD)/test_presets

.PHONY: all check bench run install uninstall clean deps-build deps-check deps-run deps-fuzz \
        validate unit-tests host-tests host-scripts ui-tests symbols layers lint help

all: $(BUNDLE)/eighttrack$(LIB_EXT) $(BUNDLE)/manifest.ttl $(BUNDLE)/eighttrack.ttl \
     $(BUNDLE)/eighttrack_ui$(LIB_EXT) $(BUNDLE)/eighttrack_ui.ttl \
     $(PRESETS:%=$(BUNDLE)/presets/%)

$(BUNDLE)/presets/%.ttl: ttl/presets/%.ttl
	mkdir -p $(BUNDLE)/presets
	cp $< $@

$(BUILD):
	mkdir -p $@

# Every object depends on the flags it was built with: switching between
# SANITIZE=1 and a plain build (or changing CFLAGS) rebuilds, instead of
# linking objects of the other kind.
ET_FLAGS_NOW := $(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS)
$(BUILD)/flags: FORCE | $(BUILD)
	@echo '$(ET_FLAGS_NOW)' | cmp -s - $@ || echo '$(ET_FLAGS_NOW)' > $@
.PHONY: FORCE

$(BUILD)/%.o: plugin/core/%.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: plugin/lv2/%.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUNDLE)/eighttrack$(LIB_EXT): $(CORE_OBJ) $(GLUE_OBJ)
	mkdir -p $(BUNDLE)
	$(CC) -shared $(ET_LDFLAGS) $(LDFLAGS) -Wl,--no-undefined -Wl,-z,defs \
		-o $@ $^ $(SNDFILE_LIBS) -pthread -lm

$(BUNDLE)/manifest.ttl: ttl/manifest.ttl.in
	mkdir -p $(BUNDLE)
	sed 's/@LIB_EXT@/$(LIB_EXT)/g' $< > $@

$(BUILD)/gen_ttl: tools/gen_ttl.c plugin/core/ports.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) -o $@ tools/gen_ttl.c plugin/core/ports.c -lm

$(BUNDLE)/eighttrack.ttl: ttl/eighttrack.ttl.in $(BUILD)/gen_ttl
	mkdir -p $(BUNDLE)
	cat ttl/eighttrack.ttl.in > $@.tmp
	$(BUILD)/gen_ttl >> $@.tmp
	mv $@.tmp $@

# --------------------------------------------------------------------- UI

UI_OBJ := $(BUILD)/ui_eighttrack_ui.o $(BUILD)/ui_view.o $(BUILD)/ports.o

$(BUILD)/ui_%.o: ui/%.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) -Iui $(LV2_CFLAGS) $(UI_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUNDLE)/eighttrack_ui$(LIB_EXT): $(UI_OBJ) ui/eighttrack_ui.map
	mkdir -p $(BUNDLE)
	$(CC) -shared $(ET_LDFLAGS) $(LDFLAGS) -Wl,--no-undefined -Wl,-z,defs \
		-Wl,--version-script=ui/eighttrack_ui.map \
		-o $@ $(UI_OBJ) $(UI_LIBS) -lm

$(BUILD)/test_ui_leaks: tests/test_ui_leaks.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(UI_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS) \
		-o $@ $< $(UI_LIBS) $(shell $(PKG_CONFIG) --libs fontconfig) -ldl

$(BUILD)/test_view: tests/test_view.c $(BUILD)/ui_view.o $(BUILD)/ports.o ui/view.h $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) -Iui $(UI_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS) \
		-o $@ $< $(BUILD)/ui_view.o $(BUILD)/ports.o $(UI_LIBS) \
		$(shell $(PKG_CONFIG) --libs fontconfig) $(CMOCKA_LIBS) -lm

$(BUNDLE)/eighttrack_ui.ttl: ttl/eighttrack_ui.ttl.in $(BUILD)/gen_ttl
	mkdir -p $(BUNDLE)
	cat ttl/eighttrack_ui.ttl.in > $@.tmp
	$(BUILD)/gen_ttl ui >> $@.tmp
	mv $@.tmp $@

# ------------------------------------------------------------------ tests

$(BUILD)/test_%.o: tests/test_%.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests -c $< -o $@

$(BUILD)/lv2host.o: tests/lv2host.c tests/lv2host.h $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(LILV_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/alloc_hook.o: tests/alloc_hook.c tests/lv2host.h $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) -fno-builtin -c $< -o $@

$(BUILD)/test_clock $(BUILD)/test_looper \
$(BUILD)/test_overview $(BUILD)/test_loopstore $(BUILD)/test_port_list: $(BUILD)/%: $(BUILD)/%.o $(CORE_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm

# What the core emits, kept for the tests to read back.
$(BUILD)/capture_sink.o: tests/capture_sink.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests -c $< -o $@

$(BUILD)/test_engine $(BUILD)/test_router $(BUILD)/test_midiclock: $(BUILD)/%: $(BUILD)/%.o $(BUILD)/capture_sink.o $(CORE_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm

# The looper beside its own per-frame build (ET_LOOPER_PER_FRAME, renamed
# to ref_looper_* by tests/looper_per_frame.h).
$(BUILD)/looper_per_frame.o $(BUILD)/looper_render_per_frame.o: $(BUILD)/%_per_frame.o: \
    plugin/core/%.c tests/looper_per_frame.h $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) -DET_LOOPER_PER_FRAME -include tests/looper_per_frame.h -c $< -o $@

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
$(BUILD)/enospc_shim.so: tests/enospc_shim.c $(BUILD)/flags | $(BUILD)
	$(CC) -Wall -Wextra $(WERROR) -fPIC -shared $(CPPFLAGS) $(CFLAGS) -o $@ $< -ldl

$(BUILD)/test_host_save: $(BUILD)/test_host_save.o $(HOST_OBJ) | $(BUILD)/enospc_shim.so
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(SNDFILE_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -ldl -lm

# Saves in a thread of their own beside run(); the seam's curve from
# looper.o, for the loop's last frames.
$(BUILD)/test_host_torn: $(BUILD)/test_host_torn.o $(HOST_OBJ) $(LOOPER_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(SNDFILE_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

# (The seam's curve, from looper.o, for the loop the test expects.)
$(BUILD)/test_host_notify: $(BUILD)/test_host_notify.o $(HOST_OBJ) $(LOOPER_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

$(BUILD)/test_host_looper: $(BUILD)/test_host_looper.o $(HOST_OBJ) $(BUILD)/loopfile.o \
                           $(LOOPER_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(SNDFILE_LIBS) $(CMOCKA_LIBS) $(HOST_LIBS) -lm

$(BUILD)/bench: $(BUILD)/bench.o $(HOST_OBJ)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LILV_LIBS) $(HOST_LIBS) -lm

$(BUILD)/bench.o: tests/bench.c tests/lv2host.h $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(LV2_CFLAGS) $(LILV_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Itests -c $< -o $@

bench: deps-check
	$(MAKE) all $(BUILD)/bench
	ET_BUNDLE_DIR=$(BUNDLE) $(BUILD)/bench

deps-build:
	@tools/deps.sh build
deps-check:
	@tools/deps.sh check
deps-run:
	@tools/deps.sh run
deps-fuzz:
	@tools/deps.sh fuzz

unit-tests: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do echo "== $$t"; $$t || exit 1; done

host-tests: all $(HOST_TESTS)
	@for t in $(HOST_TESTS); do echo "== $$t"; ET_BUNDLE_DIR=$(BUNDLE) $$t || exit 1; done

validate: all
	tools/validate.sh $(BUNDLE)

host-scripts: all
	tests/test_install.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/test_jalv.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/test_run.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/test_ardour.sh
	ET_PRELOAD="$(ET_PRELOAD)" tests/test_carla.sh

ui-tests: all $(BUILD)/test_ui_leaks
	ET_PRELOAD="$(ET_PRELOAD)" ET_LEAK_CHECK="$(ET_LEAK_CHECK)" tests/test_ui.sh

layers:
	tools/check_layers.sh plugin

symbols: all
	tools/check_symbols.sh $(BUNDLE)/eighttrack$(LIB_EXT) lv2_descriptor
	tools/check_symbols.sh $(BUNDLE)/eighttrack_ui$(LIB_EXT) lv2ui_descriptor

check: deps-check
	$(MAKE) all
	$(MAKE) layers
	$(MAKE) unit-tests
	$(MAKE) fuzz-replay
	$(MAKE) fuzz-hangs
	$(MAKE) host-tests
	$(MAKE) validate
	$(MAKE) symbols
	$(MAKE) host-scripts
	$(MAKE) ui-tests
	@echo "make check: all tests passed"

# lv2lint is not packaged in Debian: build it from its source
# (https://git.open-music-kontrollers.ch/~hp/lv2lint, meson) and put it on
# PATH, or name it with LV2LINT=/path/to/lv2lint.
LV2LINT ?= lv2lint
# lv2lint's own arguments: every WARN and NOTE shown and counted as an
# error; or those of the development script named below.
LV2LINT_ARGS ?= $(if $(filter %/run.sh,$(LV2LINT)),--strict $(BUNDLE),-E all -I $(BUNDLE)/ urn:eighttrack:plugin)
lint: all
	@command -v $(LV2LINT) >/dev/null 2>&1 || { \
		echo "make lint: no '$(LV2LINT)' found. lv2lint is not packaged in Debian:"; \
		echo "  build it from https://git.open-music-kontrollers.ch/~hp/lv2lint (meson),"; \
		echo "  then put it on PATH or run: make lint LV2LINT=/path/to/lv2lint"; \
		echo "  (on Eighttrack's development machines a script beside this checkout builds"; \
		echo "  and runs it: make lint LV2LINT=../shared/tools/lv2lint/run.sh)"; \
		exit 1; } >&2
	$(LV2LINT) $(LV2LINT_ARGS)

# ---- fuzzing (issue #6) ------------------------------------------------
#   make fuzz          build each harness with clang and libFuzzer (ASan,
#                      UBSan) and run it FUZZ_SECONDS (60) on fuzz/corpus/<h>/
#                      and fuzz/regressions/<h>/; new inputs go to
#                      build/fuzz/corpus/<h>/, crashes to build/fuzz/artifacts/
#                      (one harness: make fuzz FUZZ_HARNESSES=looper;
#                      FUZZ_DEFS=-DFUZZ_NARROW_RANGE: see fuzz/fuzz_looper.c)
#   make fuzz-replay   every committed input through each harness with $(CC)
#                      and fuzz/replay_main.c instead of libFuzzer (in check)
#   make fuzz-seeds    rewrite fuzz/corpus/ with fuzz/gen_corpus.c
#   make fuzz-hangs    the hangs fuzzing found, as regression tests (in check)
FUZZ_HARNESSES := router looper state clock
FUZZ_SECONDS   ?= 60
FUZZ_CC        ?= clang
FUZZ_NICE      ?= nice -n 19
FUZZ_ARGS      ?=
FUZZ_DEFS      ?=
FUZZ_BUILD     := $(BUILD)/fuzz
# clang's undefined group includes float-cast-overflow (unlike GCC's); it
# is named anyway, so that the list says what is checked.
FUZZ_CFLAGS    := -std=c11 -g -O1 -D_DEFAULT_SOURCE -Iplugin/core -Ifuzz \
                  -fsanitize=fuzzer,address,undefined,float-cast-overflow \
                  -fno-sanitize-recover=all -fno-omit-frame-pointer
# The engine and what it drives (the router and looper harnesses read
# controls through it).
FUZZ_ENGINE_SRC := $(addprefix plugin/core/,ports.c router.c clock.c looper.c looper_render.c loopstore.c \
                   midiclock.c control_map.c engine.c)
FUZZ_SRC_router := $(FUZZ_ENGINE_SRC)
FUZZ_SRC_looper := $(FUZZ_ENGINE_SRC)
FUZZ_SRC_state  := $(addprefix plugin/core/,clock.c looper.c looper_render.c loopstore.c loopfile.c)
FUZZ_SRC_clock  := $(addprefix plugin/core/,clock.c midiclock.c control_map.c)

.PHONY: fuzz fuzz-build fuzz-replay fuzz-seeds fuzz-hangs

$(FUZZ_BUILD):
	mkdir -p $@

$(FUZZ_BUILD)/%.o: fuzz/%.c $(BUILD)/flags | $(FUZZ_BUILD)
	$(CC) $(ET_CFLAGS) -Ifuzz $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/replay_router $(FUZZ_BUILD)/replay_looper: $(FUZZ_BUILD)/replay_%: \
    $(FUZZ_BUILD)/fuzz_%.o $(FUZZ_BUILD)/replay_main.o $(FUZZ_ENGINE_SRC:plugin/core/%.c=$(BUILD)/%.o)
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ -lm
$(FUZZ_BUILD)/replay_state: $(FUZZ_BUILD)/fuzz_state.o $(FUZZ_BUILD)/replay_main.o \
                            $(LOOPER_OBJ) $(BUILD)/loopfile.o
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ $(SNDFILE_LIBS) -lm
$(FUZZ_BUILD)/replay_clock: $(FUZZ_BUILD)/fuzz_clock.o $(FUZZ_BUILD)/replay_main.o \
                            $(BUILD)/clock.o $(BUILD)/midiclock.o $(BUILD)/control_map.o
	$(CC) $(ET_LDFLAGS) $(LDFLAGS) -o $@ $^ -lm

fuzz-replay: $(FUZZ_HARNESSES:%=$(FUZZ_BUILD)/replay_%)
	@for h in $(FUZZ_HARNESSES); do \
		dirs=fuzz/corpus/$$h; \
		if [ -d fuzz/regressions/$$h ]; then dirs="$$dirs fuzz/regressions/$$h"; fi; \
		echo "== fuzz-replay $$h: $$dirs"; \
		$(FUZZ_BUILD)/replay_$$h $$dirs || exit 1; \
	done

# As $(BUILD)/flags, for the libFuzzer builds (FUZZ_DEFS changes them).
FUZZ_FLAGS_NOW := $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_DEFS)
$(FUZZ_BUILD)/flags: FORCE | $(FUZZ_BUILD)
	@echo '$(FUZZ_FLAGS_NOW)' | cmp -s - $@ || echo '$(FUZZ_FLAGS_NOW)' > $@

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(wildcard plugin/core/*.[ch]) $(FUZZ_BUILD)/flags | $(FUZZ_BUILD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_DEFS) -o $@ $< $(FUZZ_SRC_$*) $(if $(filter state,$*),$(SNDFILE_CFLAGS) $(SNDFILE_LIBS)) -lm

fuzz-build: $(FUZZ_HARNESSES:%=$(FUZZ_BUILD)/fuzz_%)

fuzz: deps-fuzz
	$(MAKE) fuzz-build
	@for h in $(FUZZ_HARNESSES); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$h $(FUZZ_BUILD)/artifacts; \
		regs=; if [ -d fuzz/regressions/$$h ]; then regs=fuzz/regressions/$$h; fi; \
		echo "== fuzz $$h for $(FUZZ_SECONDS) s"; \
		$(FUZZ_NICE) $(FUZZ_BUILD)/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) \
			-timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$h- $(FUZZ_ARGS) \
			$(FUZZ_BUILD)/corpus/$$h fuzz/corpus/$$h $$regs || exit 1; \
	done

$(FUZZ_BUILD)/gen_corpus: fuzz/gen_corpus.c fuzz/fuzz_common.h $(BUILD)/flags | $(FUZZ_BUILD)
	$(CC) $(ET_CFLAGS) -Ifuzz $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) -o $@ $< $(SNDFILE_LIBS) -lm

fuzz-seeds: $(FUZZ_BUILD)/gen_corpus
	$(FUZZ_BUILD)/gen_corpus fuzz/corpus

# Hangs that fuzzing found, fixed since: regression tests (in check).
$(FUZZ_BUILD)/repro_hangs: fuzz/repro_hangs.c $(LOOPER_OBJ) $(BUILD)/flags | $(FUZZ_BUILD)
	$(CC) $(ET_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) -o $@ $(filter-out $(BUILD)/flags,$^) -lm

fuzz-hangs: $(FUZZ_BUILD)/repro_hangs
	@st=0; for c in "transport 4.1e18 7000" "transport 1e16 1" "start 1e17 1" "meter 1e-300" "beat 6.4e19"; do \
		$(FUZZ_BUILD)/repro_hangs $$c || { echo "hang is back: $$c"; st=1; }; \
	done; exit $$st
# ---- end of fuzzing

# ---------------------------------------------------------------- install

install: all
	install -d $(DESTDIR)$(LV2DIR)/eighttrack.lv2
	install -m 644 $(BUNDLE)/*.ttl $(DESTDIR)$(LV2DIR)/eighttrack.lv2/
	install -m 755 $(BUNDLE)/eighttrack$(LIB_EXT) $(BUNDLE)/eighttrack_ui$(LIB_EXT) \
		$(DESTDIR)$(LV2DIR)/eighttrack.lv2/
	install -d $(DESTDIR)$(LV2DIR)/eighttrack.lv2/presets
	install -m 644 $(PRESETS:%=$(BUNDLE)/presets/%) $(DESTDIR)$(LV2DIR)/eighttrack.lv2/presets/

uninstall:
	rm -f $(PRESETS:%=$(DESTDIR)$(LV2DIR)/eighttrack.lv2/presets/%)
	-rmdir $(DESTDIR)$(LV2DIR)/eighttrack.lv2/presets
	rm -f $(DESTDIR)$(LV2DIR)/eighttrack.lv2/*.ttl \
	      $(DESTDIR)$(LV2DIR)/eighttrack.lv2/eighttrack$(LIB_EXT) \
	      $(DESTDIR)$(LV2DIR)/eighttrack.lv2/eighttrack_ui$(LIB_EXT)
	-rmdir $(DESTDIR)$(LV2DIR)/eighttrack.lv2

run: deps-run
	$(MAKE) all
	$(MAKE) install LV2DIR=$(HOME)/.lv2 DESTDIR=
	tools/run_jalv.sh

clean:
	rm -rf $(BUILD) bundle

# The headers each object was built from (-MMD -MP).
-include $(wildcard $(BUILD)/*.d $(FUZZ_BUILD)/*.d)

# The list at the top of this file.
help:
	@sed -n '2,/^$$/{/^$$/q;s/^# \{0,1\}//;p}' $(firstword $(MAKEFILE_LIST))

# Eighttrack: builds bundle/eighttrack.lv2 and its tests.
#   make            build the bundle
#   make check      build and run every test
#   make bench      measure the cost of run() beside plain references
#   make figures    draw docs/round_trip.svg from test_host_latency
#   make run        install to ~/.lv2 and start the plugin in jalv
#   make install    install to $(DESTDIR)$(LV2DIR); make uninstall removes it
#   make fuzz       run the libFuzzer harnesses (FUZZ_SECONDS each)
#   make lint       lv2lint --strict on the bundle (LV2LINT=...)
#   make format     clang-format every C file with the repository's .clang-format
#   make clean      remove build/ and bundle/
#   make help       this list

PREFIX   ?= /usr/local
LV2DIR   ?= $(PREFIX)/lib/lv2
DESTDIR  ?=
CC       ?= cc
# -flto: the engine's modules call one another's small functions every
# block (a loop's state, the clock's frame); across files only link-time
# optimization inlines them (7-12% fewer instructions a block, docs/bench.md).
CFLAGS   ?= -g -flto=auto
# The optimization level: OPT for the tests, tools and UI, PLUGIN_OPT for
# the plugin's own code (plugin/core, plugin/lv2), where -O3 takes 6% fewer
# instructions and some 10% less time a block than -O2 (docs/bench.md).
# They come before CFLAGS on every line, so a -O in CFLAGS decides for all.
OPT        ?= -O2
PLUGIN_OPT ?= -O3
PKG_CONFIG ?= pkg-config

BUNDLE   := bundle/eighttrack.lv2
BUILD    := build
LIB_EXT  := .so

# Warnings are errors here; a distribution whose newer compiler warns about
# something new can build with WERROR= .
WERROR ?= -Werror

# Flags the build needs whatever CFLAGS says.  -MMD -MP: each object lists
# the headers it was built from in a .d file beside it (included below).
# -ffp-contract=off: a * b + c rounds twice everywhere (clang would fuse
# it on targets with FMA), so the looper's kernels, its per-frame build and
# the one-pass mix give the same samples to the bit on every machine.
ET_CFLAGS := -std=c11 $(OPT) -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
             -fPIC -fvisibility=hidden -D_DEFAULT_SOURCE -ffp-contract=off \
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
CORE_SRC := $(addprefix plugin/core/,ports.c router.c clock.c looper.c looper_render.c loopstore.c recorders.c \
            engine.c calibrate.c \
            midiclock.c control_map.c overview.c)
CORE_OBJ := $(CORE_SRC:plugin/core/%.c=$(BUILD)/%.o)
# The looper alone (with the clock it follows), for the tests and tools
# that need only it.
LOOPER_OBJ := $(addprefix $(BUILD)/,looper.o looper_render.o loopstore.o clock.o)
# The LV2 glue, and the loop file it saves through (core, but libsndfile:
# kept out of the unit tests' link).
GLUE_OBJ := $(BUILD)/eighttrack.o $(BUILD)/state.o $(BUILD)/loopfile.o $(BUILD)/seq_out.o \
            $(BUILD)/notify.o

PRESETS    := $(notdir $(wildcard ttl/presets/*.ttl))

.PHONY: all check bench figures run install uninstall clean deps-build deps-check deps-run deps-fuzz \
        validate unit-tests host-tests host-scripts ui-tests symbols layers lint format help

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
ET_FLAGS_NOW := $(CC) $(ET_CFLAGS) $(PLUGIN_OPT) $(CPPFLAGS) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS)
$(BUILD)/flags: FORCE | $(BUILD)
	@echo '$(ET_FLAGS_NOW)' | cmp -s - $@ || echo '$(ET_FLAGS_NOW)' > $@
.PHONY: FORCE

$(BUILD)/%.o: plugin/core/%.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(PLUGIN_OPT) $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: plugin/lv2/%.c $(BUILD)/flags | $(BUILD)
	$(CC) $(ET_CFLAGS) $(PLUGIN_OPT) $(LV2_CFLAGS) $(SNDFILE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# (With -flto the code is generated here, at the level given here.)
$(BUNDLE)/eighttrack$(LIB_EXT): $(CORE_OBJ) $(GLUE_OBJ)
	mkdir -p $(BUNDLE)
	$(CC) -shared $(PLUGIN_OPT) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS) -Wl,--no-undefined -Wl,-z,defs \
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
	$(CC) -shared $(OPT) $(CFLAGS) $(ET_LDFLAGS) $(LDFLAGS) -Wl,--no-undefined -Wl,-z,defs \
		-Wl,--version-script=ui/eighttrack_ui.map \
		-o $@ $(UI_OBJ) $(UI_LIBS) -lm

$(BUNDLE)/eighttrack_ui.ttl: ttl/eighttrack_ui.ttl.in $(BUILD)/gen_ttl
	mkdir -p $(BUNDLE)
	cat ttl/eighttrack_ui.ttl.in > $@.tmp
	$(BUILD)/gen_ttl ui >> $@.tmp
	mv $@.tmp $@

include mk/tests.mk

deps-build:
	@tools/deps.sh build
deps-check:
	@tools/deps.sh check
deps-run:
	@tools/deps.sh run
deps-fuzz:
	@tools/deps.sh fuzz

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

include mk/fuzz.mk

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

CLANG_FORMAT ?= clang-format
format:
	git ls-files '*.c' '*.h' | xargs $(CLANG_FORMAT) -i

# The headers each object was built from (-MMD -MP).
-include $(wildcard $(BUILD)/*.d $(FUZZ_BUILD)/*.d)

# The list at the top of this file.
help:
	@sed -n '2,/^$$/{/^$$/q;s/^# \{0,1\}//;p}' $(firstword $(MAKEFILE_LIST))

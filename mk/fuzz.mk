# Fuzzing: included by the Makefile, after the core's objects are named.
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
# The engine and what it drives (the looper harness drives the engine; the
# router harness reads controls through it).
FUZZ_ENGINE_SRC := $(addprefix plugin/core/,ports.c router.c clock.c calibrate.c looper.c looper_render.c loopstore.c \
                   recorders.c midiclock.c control_map.c engine.c)
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

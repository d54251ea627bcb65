#!/bin/sh
# The built bundle in Carla's engine, headless: a private JACK dummy server
# (48 kHz, ET_CARLA_BLOCK frames, 1024 unless set) and Carla's host library
# (libcarla_standalone2.so) driven through Carla's own Python bindings by
# tests/scripts/carla_test.py, in rack mode, with LV2_PATH pointing at bundle/ only.
#   1. record (one process): every parameter as Carla sees it matches the
#      TTL (lv2info); notes into the rack come out byte- and frame-exact,
#      each once (track_outs at its default); at 240 BPM, with the transport
#      rolling and quantize Bar, track 1 records two bars and then track 2
#      one bar (active_track set between the takes, loop_bars ending each),
#      each loop exactly its bars long and holding the input of its bars;
#      the output is, sample for sample, loop 1 + loop 2 each from its own
#      start; track1_loop_mute silences loop 1 alone; the project saved,
#      with loop.wav and loop2.wav holding what the loops played and each
#      loop's start keys on the grid.
#   2. reload (a fresh process): the project loads, both loops are back
#      (track1/2_loop_state 3, same lengths, tracks 3-8 empty) and play in
#      phase with the transport: for 2.25 bars (more than the longest loop)
#      the output is, sample for sample, what it was at the same place
#      before the save; notes held across a state restore end once when
#      Carla sends its CC 123/120 burst, and their key releases add no
#      stray note-offs.
#   3. ports (a fresh process, Carla's single-client mode: every plugin port
#      a JACK port, wired apart): track_outs off leaves the track outputs
#      empty; on, Track 3 out carries track 3's notes beside MIDI out; off
#      again mid-note, Track 3 out ends the note at once.
# Where Carla is: CARLA_LIB (libcarla_standalone2.so, or its folder) with
# CARLA_PY (the folder of carla_backend.py), or CARLA_SRC (a source tree
# built by ../shared/tools/carla/build.sh: bin/ and source/frontend/), or
# an installed Carla (/usr/lib/carla with /usr/share/carla, or /usr/local).
# With none it prints "test_carla: SKIP: <why>" and exits 0, unless CI=true:
# then it fails.  Run `make` first.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/host_script.sh" # elapsed, stop_pid, start_jackd, wait_for, jcmd

skip() {
	if [ "${CI:-}" = true ]; then
		echo "test_carla: FAIL: $* (CI=true: Carla must be tested)" >&2
		exit 1
	fi
	echo "test_carla: SKIP: $*"
	exit 0
}

# ------------------------------------------------------------ find Carla
lib=
py=
if [ -n "${CARLA_LIB:-}" ]; then
	lib=$CARLA_LIB
	[ -d "$lib" ] && lib=$lib/libcarla_standalone2.so
	[ -f "$lib" ] || skip "CARLA_LIB=$CARLA_LIB holds no libcarla_standalone2.so"
	py=${CARLA_PY:-}
elif [ -n "${CARLA_SRC:-}" ]; then
	lib=$CARLA_SRC/bin/libcarla_standalone2.so
	[ -f "$lib" ] || skip "CARLA_SRC=$CARLA_SRC has no bin/libcarla_standalone2.so (build it: ../shared/tools/carla/build.sh)"
	py=${CARLA_PY:-$CARLA_SRC/source/frontend}
else
	for prefix in /usr /usr/local; do
		for d in $prefix/lib/carla $prefix/lib/x86_64-linux-gnu/carla $prefix/lib64/carla; do
			if [ -f "$d/libcarla_standalone2.so" ]; then
				lib=$d/libcarla_standalone2.so
				py=${CARLA_PY:-$prefix/share/carla}
				break 2
			fi
		done
	done
	[ -n "$lib" ] || skip "no Carla found: set CARLA_SRC (a tree built by ../shared/tools/carla/build.sh) or CARLA_LIB and CARLA_PY, or install Carla"
fi
[ -n "$py" ] && [ -f "$py/carla_backend.py" ] ||
	skip "Carla's Python bindings (carla_backend.py) not found${py:+ in $py}: set CARLA_PY"
for tool in python3 jackd jack_lsp lv2info; do
	command -v $tool >/dev/null 2>&1 ||
		skip "$tool is not installed (apt-get install python3 jackd2 lilv-utils)"
done

# Carla is a C++ host not built with the sanitizers: the plugin's ASan
# build needs the runtimes preloaded into python3, and LeakSanitizer would
# report Carla's and Python's own leaks, so leak checking is off.
if [ -n "${ET_PRELOAD:-}" ]; then
	export LD_PRELOAD="$ET_PRELOAD"
	export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
fi

fail() {
	echo "test_carla: FAIL: $*" >&2
	show_tails "$tmp"/*.log
	echo "test_carla: failed after $(elapsed) s" >&2
	exit 1
}

[ -f "${ET_BUNDLE_PARENT:-$here/bundle}/eighttrack.lv2/eighttrack.so" ] ||
	fail "no built bundle in ${ET_BUNDLE_PARENT:-$here/bundle}/eighttrack.lv2 (run make first)"

unset DISPLAY WAYLAND_DISPLAY
JACK_DEFAULT_SERVER=$(checkout_server_name eighttrack-carla)
export JACK_DEFAULT_SERVER
export JACK_NO_AUDIO_RESERVATION=1
export JACK_NO_START_SERVER=1 # never let a client start another server
export CARLA_LIB_FILE="$lib" CARLA_PY_DIR="$py"
export ET_BUNDLE_PARENT="${ET_BUNDLE_PARENT:-$here/bundle}"
export ET_CLIENT=et-carla-$$ # Carla's JACK client, the same in both phases
export LV2_PATH="$ET_BUNDLE_PARENT"
block=${ET_CARLA_BLOCK:-1024}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-carla.XXXXXX") || exit 1
jackd_pid=
cleanup() {
	stop_pid "$jackd_pid"
	if [ -n "${ET_CARLA_KEEP:-}" ]; then
		echo "test_carla: kept $tmp (ET_CARLA_KEEP)"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ------------------------------------------------------------ JACK
start_jackd "$block"
echo "== jackd up ($JACK_DEFAULT_SERVER, dummy 48000 Hz / $block) after $(elapsed) s; Carla: $lib"

# phase NAME: runs carla_test.py NAME and shows its ok/info/FAIL lines
# (Carla's own output stays in the log).  jackd here runs without real-time
# scheduling, on a machine that may be busy: when a phase fails and jackd
# logged an xrun meanwhile (a cycle lost makes frames incomparable), the
# phase runs again, up to 5 times in all (a busy CI machine has needed 3).
esc=$(printf '\033')
xruns() { grep -c 'XRun' "$tmp/jackd.log" 2>/dev/null || true; }
phase() {
	try=1
	while :; do
		before=$(xruns)
		# (in $tmp: whatever Carla writes lands there)
		(cd "$tmp" && exec timeout 60 python3 "$here/tests/scripts/carla_test.py" "$1" "$tmp") \
			>"$tmp/$1.log" 2>&1
		rc=$?
		if [ $rc -ne 0 ] && [ "$(xruns)" -gt "$before" ] && [ $try -lt 5 ]; then
			echo "== $1: failed after a JACK xrun (attempt $try); once more"
			grep -E '^FAIL: ' "$tmp/$1.log" | sed 's/^/==   (/; s/$/)/'
			try=$((try + 1))
			continue
		fi
		break
	done
	# (Carla colours the plugin's log lines and ends them without a newline.)
	sed "s/$esc\[[0-9;]*m/\n/g" "$tmp/$1.log" | grep -E '^(ok|info|FAIL): ' | sed 's/^/== /'
	[ $rc -eq 0 ] || fail "phase $1 exited with status $rc"
	grep -Eiq 'AddressSanitizer|runtime error:|Segmentation' "$tmp/$1.log" &&
		fail "phase $1: a crash or sanitizer report"
	return 0
}
phase record
phase reload
phase ports

stop_pid "$jackd_pid"
jackd_pid=
echo "test_carla: all passed in $(elapsed) s"

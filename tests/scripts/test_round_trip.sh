#!/bin/sh
# Round-trip compensation with real processes: a private JACK dummy server
# (48 kHz, 256 frames), the built plugin in console jalv, and
# build/jack_round_trip (tests/scripts/jack_round_trip.c), one JACK client
# that is the transport (timebase master, 120 BPM 4/4), a keyboard (note 60
# on every beat of bars 1-3), a hardware synth that answers each note-on
# L = 590 frames (12.29 ms, not a multiple of the period) later with a
# click, and a recorder of the plugin's out_l.  Wired
#   keyboard -> jalv midi_in, jalv midi_out -> synth -> jalv in_l/in_r,
#   jalv out_l -> recorder
# with monitor 0, loop_quantize 2 (bar) and loop_bars 1, a take is armed
# while the keyboard plays; the loop then plays alone in bars 4-6, and the
# client finds the click's onset near each of their beats, in transport
# frames:
#   A  latency_offset = L in ms: every onset on its beat (0 +-48 frames);
#   B  latency_offset 0: every onset L late (590 +-48): the "before", and
#      proof that the check can fail;
#   C  calibrate: latency_offset 0, the plugin measures the round trip
#      (within 1 ms of L), and every onset on its beat.
# Each case runs a fresh client and a fresh jalv.  Prints a table of the
# offsets and writes them to build/round_trip_onsets.csv
# (case,bar,beat,offset_frames,offset_ms).  Skips when a tool is missing,
# but fails then under CI=true.  Every process it started is killed on any
# exit.  Run `make all build/jack_round_trip` first.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
bundle_parent=$here/bundle
rt_client=$here/build/jack_round_trip
csv=$here/build/round_trip_onsets.csv
. "$(dirname "$0")/host_script.sh" # elapsed, stop_pid, start_jackd, wait_for, jcmd

L=590        # the synth's round trip, frames at 48 kHz
KBD_BARS=3   # the keyboard plays bars 1-3
BARS=6       # the recorder listens to bars 1-6; bars 4-6 are the loop's

unset DISPLAY WAYLAND_DISPLAY
JACK_DEFAULT_SERVER=$(checkout_server_name eighttrack-rt)
export JACK_DEFAULT_SERVER
export JACK_NO_AUDIO_RESERVATION=1
export JACK_NO_START_SERVER=1
export LV2_PATH="$bundle_parent:/usr/lib/lv2"
jalv_name=et-jalv-$$
rt_name=et-rt-$$

skip() {
	if [ "${CI:-}" = true ]; then
		echo "test_round_trip: FAIL: $* (CI=true: the round trip must be tested)" >&2
		exit 1
	fi
	echo "test_round_trip: SKIP: $*"
	exit 0
}

for tool in jackd jack_lsp jack_connect jalv stdbuf; do
	command -v $tool >/dev/null 2>&1 || skip "$tool is not installed (apt-get install jackd2 jalv)"
done
[ -x "$rt_client" ] ||
	skip "no $rt_client (install libjack-jackd2-dev, then make build/jack_round_trip)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-rt.XXXXXX") || exit 1
out=
jackd_pid=
jalv_pid=
rt_pid=
case_name=

# jackd given time to leave its row in JACK's table of servers (above).
stop_jackd() {
	[ -n "$jackd_pid" ] || return 0
	kill -TERM "$jackd_pid" 2>/dev/null
	n=0
	while kill -0 "$jackd_pid" 2>/dev/null && [ $n -lt 200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	stop_pid "$jackd_pid"
	jackd_pid=
}

cleanup() {
	exec 3>&- 4>&- 2>/dev/null
	stop_pid "$jalv_pid"
	stop_pid "$rt_pid"
	stop_jackd
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

fail() {
	echo "test_round_trip: FAIL${case_name:+ (case $case_name)}: $*" >&2
	show_tails "$tmp/client.out" "$tmp/jalv.out" "$tmp/jackd.log"
	echo "test_round_trip: failed after $(elapsed) s" >&2
	exit 1
}

[ -f "$bundle_parent/eighttrack.lv2/eighttrack.so" ] ||
	fail "no built bundle in $bundle_parent/eighttrack.lv2 (run make first)"

# The last value jalv printed for an output control (after `monitors').
monitor_value() {
	tail -n "+$mark" "$tmp/jalv.out" |
		sed -n "s/^\(> \)\{0,1\}$1 = \([-0-9.]*\)\$/\2/p" | tail -n 1
}
monitors() {
	sleep 0.1 # jalv updates its output controls at 30 Hz
	jcmd 'monitors' '(^|> )latency = [-0-9]'
}
# wait_client REGEX SECONDS: REGEX in the client's output.
wait_client() {
	out=$tmp/client.out
	watch_pid=$rt_pid
	wait_for 1 "$1" "$2"
	r=$?
	out=$tmp/jalv.out
	watch_pid=$jalv_pid
	return $r
}

# start_case NAME: a fresh client (expecting onsets at offset $expect) and
# a fresh jalv running the plugin, wired up.
start_case() {
	case_name=$1
	stop_pid "$jalv_pid"
	stop_pid "$rt_pid"
	jalv_pid=
	rt_pid=
	exec 3>&- 4>&- 2>/dev/null
	rm -f "$tmp/jalv.in" "$tmp/client.in" "$tmp/jalv.out" "$tmp/client.out"
	mkfifo "$tmp/jalv.in" "$tmp/client.in" || fail "mkfifo failed"

	rm -f "$tmp/case.csv"
	env -u LD_PRELOAD "$rt_client" -n "$rt_name" -L "$L" -e "$expect" \
		-k "$KBD_BARS" -m "$BARS" -c "$tmp/case.csv" -l "$case_name" \
		<"$tmp/client.in" >"$tmp/client.out" 2>&1 &
	rt_pid=$!
	exec 4>"$tmp/client.in"
	wait_client '^ready' 10 || fail "jack_round_trip did not start"

	# ET_PRELOAD: the sanitizer runtimes (make check SANITIZE=1).
	env ${ET_PRELOAD:+LD_PRELOAD="$ET_PRELOAD" ASAN_OPTIONS=detect_leaks=0} \
		stdbuf -oL -eL jalv -n "$jalv_name" -x urn:eighttrack:plugin \
		<"$tmp/jalv.in" >"$tmp/jalv.out" 2>&1 &
	jalv_pid=$!
	watch_pid=$jalv_pid
	out=$tmp/jalv.out
	exec 3>"$tmp/jalv.in"
	wait_for 1 '^monitor = 1\.0+$' 10 || fail "jalv did not load urn:eighttrack:plugin"
	grep -q '^Sample rate: *48000 Hz$' "$out" || fail "jalv is not at 48000 Hz"
	grep -q '^Block length: *256 frames$' "$out" || fail "jalv block length is not 256"
	i=0
	until jack_lsp 2>/dev/null | grep -qx "$jalv_name:out_l"; do
		[ $i -lt 100 ] || fail "jalv's JACK ports did not appear"
		sleep 0.05
		i=$((i + 1))
	done
	# The client's outputs into jalv first: JACK then runs the client
	# before jalv in each cycle, and the connections back (made second)
	# close the cycle with one period's delay, which the client dates
	# (see jack_round_trip.c; the plugin's MIDI clock, clock_out 1, must
	# reach it on the grid).
	for c in "$rt_name:kbd_out $jalv_name:midi_in" \
	         "$rt_name:synth_out_l $jalv_name:in_l" \
	         "$rt_name:synth_out_r $jalv_name:in_r" \
	         "$jalv_name:midi_out $rt_name:synth_in" \
	         "$jalv_name:out_l $rt_name:rec_in"; do
		# shellcheck disable=SC2086
		jack_connect $c || fail "jack_connect $c failed"
	done
	jcmd 'monitor = 0' '(^|> )monitor = 0\.0+$'
	jcmd 'loop_quantize = 2' '(^|> )loop_quantize = 2\.0+$'
	jcmd 'loop_bars = 1' '(^|> )loop_bars = 1\.0+$'
	jcmd 'clock_out = 1' '(^|> )clock_out = 1\.0+$'
}

# set_offset MS: latency_offset, echoed.
set_offset() {
	jcmd "latency_offset = $1" '(^|> )latency_offset = [-0-9.]+$'
}

# take_and_check: rolls the transport, arms while the keyboard plays, and
# waits for the client's verdict on the loop's onsets; returns 3 when JACK
# skipped or misdated a cycle where it mattered (the client says
# INCONCLUSIVE: run the case again), fails the script when the onsets are
# wrong.
take_and_check() {
	echo go >&4 || fail "could not tell the client to roll"
	wait_client '^rolling' 10 || fail "the transport did not roll"
	# The take starts at the next bar after the arm reaches the plugin
	# (bar 2 here, unless jalv is slow); the client checks only bars the
	# loop plays alone, whichever bar that was.
	jcmd 'loop_arm = 1' '(^|> )loop_arm = 1\.0+$'
	# The take: recording, then one bar long and playing.
	polls=0
	while :; do
		monitors
		state=$(monitor_value loop_state)
		[ "${state%%.*}" = 3 ] && break
		[ $polls -lt 60 ] || fail "loop_state is $state, not 3 (playing), 60 polls after the arm"
		sleep 0.1
		polls=$((polls + 1))
	done
	len=$(monitor_value loop_length)
	awk -v l="$len" 'BEGIN { exit !(l > 1.9999 && l < 2.0001) }' ||
		fail "loop_length is $len s, not one bar (2 s)"
	latency=$(monitor_value latency)
	echo "== case $case_name: the take is one bar (loop_length $len s), latency $latency ms"
	# The client ends itself after bar $BARS (a safety net only: it
	# judges in transport frames).
	i=0
	while kill -0 "$rt_pid" 2>/dev/null; do
		[ $i -lt 400 ] || fail "the client did not finish within 20 s of the take"
		sleep 0.05
		i=$((i + 1))
	done
	wait "$rt_pid"
	rc=$?
	rt_pid=
	grep -E '^(jack|clock|thru|the loop|bar|RESULT|FAIL|INCONCLUSIVE)' "$tmp/client.out" |
		sed "s/^/   $case_name: /"
	if [ $rc -eq 3 ]; then
		exec 3>&-
		stop_pid "$jalv_pid"
		jalv_pid=
		return 3
	fi
	[ $rc -eq 0 ] || fail "the loop's onsets are not at offset $expect frames (client exit $rc)"
	cat "$tmp/case.csv" >>"$csv"
	grep -Ein 'error|fail|assert|sanitizer' "$tmp/jalv.out" >"$tmp/bad" &&
		{ cat "$tmp/bad" >&2; fail "jalv printed error lines"; }
	exec 3>&-
	stop_pid "$jalv_pid"
	jalv_pid=
}

# -S (synchronous): each cycle waits for the whole graph, so a busy
# machine makes the dummy driver late instead of skipping cycles (which
# the client detects and, around the take, answers with "run again").
start_jackd 256 -S
echo "== jackd up ($JACK_DEFAULT_SERVER, dummy 48000 Hz / 256, synchronous) after $(elapsed) s"
mkdir -p "$(dirname "$csv")"
echo 'case,bar,beat,offset_frames,offset_ms' >"$csv.tmp"
mv "$csv.tmp" "$csv"
L_ms=$(awk -v l=$L 'BEGIN { printf "%.7f", l * 1000 / 48000 }')

# run_case NAME OFFSET_MS EXPECTED: a take with latency_offset OFFSET_MS,
# onsets expected EXPECTED frames after their beats; up to 3 runs when
# JACK skips cycles around the take.
run_case() {
	expect=$3
	attempt=1
	while :; do
		start_case "$1"
		set_offset "$2"
		monitors
		latency=$(monitor_value latency)
		awk -v v="$latency" -v w="$2" 'BEGIN { d = v - w; exit !(d < 0.001 && d > -0.001) }' ||
			fail "latency reads $latency ms with latency_offset $2, not $2"
		take_and_check && return 0
		[ $attempt -lt 3 ] || fail "JACK glitched (skipped or misdated cycles) around the take in 3 runs: the machine is too busy"
		attempt=$((attempt + 1))
		echo "== case $1: run $attempt (JACK glitched around the take)"
	done
}

# ------------------------------------------------------------ A: compensated
run_case A "$L_ms" 0
echo "== case A passed: latency_offset $L_ms ms, every onset on its beat after $(elapsed) s"

# ------------------------------------------------------------ B: uncompensated
run_case B 0 "$L"
echo "== case B passed: latency_offset 0, every onset $L frames late after $(elapsed) s"

# ------------------------------------------------------------ C: calibrate
# The transport stands while the plugin's test notes go out and the synth
# answers them.
calibrate_case() {
	attempt=1
	while :; do
		start_case C
		set_offset 0
		jcmd 'controls' '(^|> )monitor = 0\.0+$'
		sleep 0.2
		tail -n "+$mark" "$out" | grep -Eq '(^|> )calibrate = ' ||
			fail "case C: the plugin has no calibrate port"
		jcmd 'calibrate = 1' '(^|> )calibrate = 1\.0+$'
		sleep 0.1
		jcmd 'calibrate = 0' '(^|> )calibrate = 0\.0+$'
		# Waiting for the measurement: a timeout, not a check of timing.
		calibrated=
		t_trigger=$(elapsed)
		polls=0
		while :; do
			monitors
			latency=$(monitor_value latency)
			awk -v v="$latency" 'BEGIN { exit !(v > 0.5) }' && { calibrated=$latency; break; }
			[ $polls -lt 20 ] || break
			sleep 0.2
			polls=$((polls + 1))
		done
		if [ -z "$calibrated" ]; then
			waited=$(awk -v a="$t_trigger" -v b="$(elapsed)" 'BEGIN { printf "%.1f", b - a }')
			fail "case C: calibrate measured nothing (latency $latency ms $waited s after the trigger)"
		fi
		awk -v v="$calibrated" -v l="$L_ms" 'BEGIN { d = v - l; exit !(d <= 1 && d >= -1) }' ||
			fail "case C: calibrate measured $calibrated ms, the synth's round trip is $L_ms ms (more than 1 ms apart)"
		echo "== case C: calibrate measured $calibrated ms (the synth's round trip: $L_ms ms)"
		grep '^synth:' "$tmp/client.out" | sed 's/^/   C: /'
		take_and_check && break
		[ $attempt -lt 3 ] || fail "JACK glitched (skipped or misdated cycles) around the take in 3 runs: the machine is too busy"
		attempt=$((attempt + 1))
		echo "== case C: run $attempt (JACK glitched around the take)"
	done
	echo "== case C passed: calibrated to $calibrated ms, every onset on its beat after $(elapsed) s"
}
expect=0
calibrate_case
exec 3>&-
stop_pid "$jalv_pid"
jalv_pid=
stop_pid "$rt_pid"
rt_pid=

# ------------------------------------------------------------ the table
echo "== the loop's onset after each beat it plays alone, frames at 48 kHz (ms); the synth's round trip L = $L frames"
awk -F, 'NR > 1 { k = $2 "." $3; if (!(k in seen)) { seen[k] = 1; keys[n++] = k }
                  v[$1, k] = sprintf("%+d (%+.3f)", $4, $5); cases[$1] = 1 }
	END {
		printf "   %-9s %-20s %-20s%s\n", "bar.beat", "latency_offset 0", "latency_offset L",
		       ("C" in cases) ? " calibrated" : ""
		for (i = 0; i < n; i++) {
			k = keys[i]
			printf "   %-9s %-20s %-20s%s\n", k, v["B", k], v["A", k],
			       ("C" in cases) ? " " v["C", k] : ""
		}
	}' "$csv"
echo "   (written to ${csv#"$here"/})"

stop_jackd
echo "test_round_trip: all passed in $(elapsed) s"

#!/bin/sh
# The built bundle in a real host, headless: a private JACK dummy server
# (48 kHz, 256 frames) and console jalv (Debian jalv 1.6.6) running
# urn:eighttrack:plugin from bundle/ (plus /usr/lib/lv2 for the specs).
# Controls are set through jalv's console commands (both `set SYMBOL VALUE`
# and `SYMBOL = VALUE` work in 1.6.6; there is no `quit`: EOF on stdin
# quits), checked in jalv's echo and in its `controls` listing; the three
# presets must be listed; the recorders' ports (every track's loop mute,
# level and state, undo, redo) are listed and set, and a free take goes
# into the active track's loop, undone and redone (jalv has no session to
# reopen: the recorders across a reload are tested in Carla and Ardour);
# the plugin runs ~3 s; jalv must quit cleanly on
# EOF, with exit status 0 and no line saying error/fail.  Every process it
# started is killed on any exit.  Run `make` first.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
bundle_parent=$here/bundle
. "$(dirname "$0")/host_script.sh" # elapsed, stop_pid, start_jackd, wait_for, jcmd

unset DISPLAY WAYLAND_DISPLAY
JACK_DEFAULT_SERVER=$(checkout_server_name eighttrack-test)
export JACK_DEFAULT_SERVER
export JACK_NO_AUDIO_RESERVATION=1
export JACK_NO_START_SERVER=1 # never let jack_lsp or jalv start another server
export LV2_PATH="$bundle_parent:/usr/lib/lv2"
client=et-jalv-$$ # must differ from the server name, or JACK clobbers its socket

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-jalv.XXXXXX") || exit 1
out=$tmp/jalv.out
jackd_pid=
jalv_pid=

cleanup() {
	exec 3>&- 2>/dev/null
	stop_pid "$jalv_pid"
	stop_pid "$jackd_pid"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

fail() {
	echo "test_jalv: FAIL: $*" >&2
	if [ -s "$out" ]; then
		echo "---- jalv output (last 40 lines):" >&2
		tail -n 40 "$out" >&2
	fi
	if [ -s "$tmp/jackd.log" ]; then
		echo "---- jackd log (last 10 lines):" >&2
		tail -n 10 "$tmp/jackd.log" >&2
	fi
	echo "test_jalv: failed after $(elapsed) s" >&2
	exit 1
}


for tool in jackd jack_lsp jalv stdbuf; do
	command -v $tool >/dev/null 2>&1 || fail "$tool is not installed (apt-get install jackd2 jalv)"
done
[ -f "$bundle_parent/eighttrack.lv2/eighttrack.so" ] ||
	fail "no built bundle in $bundle_parent/eighttrack.lv2 (run make first)"

# ------------------------------------------------------------ JACK
start_jackd 256
echo "== jackd up ($JACK_DEFAULT_SERVER, dummy 48000 Hz / 256) after $(elapsed) s"

# ------------------------------------------------------------ jalv
mkfifo "$tmp/in" || fail "mkfifo failed"
# stdbuf: jalv writes its stdout with stdio, block-buffered into a file.
# ET_PRELOAD: the sanitizer runtimes, which must come first in a host that
# was not built with them (make check SANITIZE=1 sets it).
env ${ET_PRELOAD:+LD_PRELOAD="$ET_PRELOAD" ASAN_OPTIONS=detect_leaks=0} \
	stdbuf -oL -eL jalv -n "$client" -x urn:eighttrack:plugin <"$tmp/in" >"$out" 2>&1 &
jalv_pid=$!
watch_pid=$jalv_pid
exec 3>"$tmp/in"
t_jalv=$(date +%s.%N)

wait_for 1 '^monitor = 1\.0+$' 10 || fail "jalv did not load urn:eighttrack:plugin"
grep -q '^Plugin: *urn:eighttrack:plugin$' "$out" || fail "jalv runs another plugin"
grep -q '^Sample rate: *48000 Hz$' "$out" || fail "jalv is not at 48000 Hz"
grep -q '^Block length: *256 frames$' "$out" || fail "jalv block length is not 256"
grep -Eq '^active_track = 1\.0+$' "$out" || fail "active_track does not start at 1"

# jalv registers its JACK ports around the time it prints the controls.
i=0
while :; do
	ports=$(jack_lsp 2>/dev/null | grep "^$client:")
	missing=
	for p in midi_in midi_out in_l in_r out_l out_r track1_out track8_out; do
		echo "$ports" | grep -qx "$client:$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && break
	kill -0 "$jackd_pid" 2>/dev/null || fail "jackd died"
	[ $i -lt 100 ] || fail "JACK ports missing:$missing (jack_lsp: $(jack_lsp 2>&1 | tr "\n" " "))"
	sleep 0.05
	i=$((i + 1))
done
echo "== jalv running the plugin, JACK ports present"

# Both console syntaxes of jalv 1.6.6, echoed back with the new value.
jcmd 'set active_track 3' '(^|> )active_track = 3\.0+$'
jcmd 'track1_channel = 11' '(^|> )track1_channel = 11\.0+$'
jcmd 'set auto_channel 10' '(^|> )auto_channel = 10\.0+$'
jcmd 'thru = 0' '(^|> )thru = 0\.0+$'
# The full listing now holds every new value (and untouched defaults).
jcmd 'controls' '(^|> )monitor = 1\.0+$'
listing=$(tail -n "+$mark" "$out")
for kv in 'auto_channel = 10' 'active_track = 3' 'thru = 0' 'track1_channel = 11' \
          'track2_channel = 2' 'loop_arm = 0' 'loop_quantize = 2' 'track_outs = 0'; do
	echo "$listing" | grep -Eq "(^|> )${kv}\.0+\$" || fail "\`controls' does not show $kv"
done
# The track outputs are JACK ports of their own here: a user who wires
# them turns track_outs on.
jcmd 'set track_outs 1' '(^|> )track_outs = 1\.0+$'
echo "== controls set and shown: auto_channel 10, active_track 3, track1_channel 11, thru 0, track_outs 1"

jcmd 'presets' 'Eight synths on channels 1-8'
sleep 0.2
listing=$(tail -n "+$mark" "$out")
for p in 'keystep_to_one_synth (Keystep to one synth)' \
         'omni_live_looper (Omni live looper)' \
         'eight_synths (Eight synths on channels 1-8)' \
         'layers_on_one_synth (Layers on one synth)'; do
	echo "$listing" | grep -Fq "urn:eighttrack:preset:$p" || fail "\`presets' does not list $p"
done
[ "$(echo "$listing" | grep -c 'urn:eighttrack:preset:')" -eq 4 ] || fail "\`presets' lists other than 4 presets"
echo "== 4 presets listed"

jcmd 'monitors' '(^|> )loop_state = 0\.0+$'

# ------------------------------------------------------------ the recorders
# jalv has no session to save and reopen, and here no transport (the JACK
# transport stands, with no timebase master): the recorders' story in
# phase and across a reload is Carla's and Ardour's.  Here: their ports are
# listed and answer, and a free take (quantize Off) goes into the active
# track's loop, which undo empties and redo brings back.
# (`controls' ends with loop_redo, `monitors' with the loop states.)
jcmd 'controls' '(^|> )loop_redo = 0\.0+$'
sleep 0.2
listing=$(tail -n "+$mark" "$out")
for t in 1 2 3 4 5 6 7 8; do
	for kv in "track${t}_loop_mute = 0" "track${t}_loop_level = 0"; do
		echo "$listing" | grep -Eq "(^|> )${kv}\.0+\$" || fail "\`controls' does not show $kv"
	done
done
echo "$listing" | grep -Eq '(^|> )loop_undo = 0\.0+$' || fail "\`controls' does not show loop_undo = 0"
monitors() { # the output controls, the loop states last (jalv updates them at 30 Hz)
	sleep 0.1
	jcmd 'monitors' '(^|> )track8_loop_state = [0-9]'
	sleep 0.1
	listing=$(tail -n "+$mark" "$out")
}
# states: the loop states of tracks 1-8 in the last listing, e.g. "0 3 0 0 0 0 0 0 "
states() {
	for t in 1 2 3 4 5 6 7 8; do
		echo "$listing" | sed -n "s/^\(> \)\{0,1\}track${t}_loop_state = \([0-9]\)\.0*\$/\2/p" | tail -n 1 | tr '\n' ' '
	done
}
monitors
[ "$(states)" = "0 0 0 0 0 0 0 0 " ] || fail "\`monitors' shows the loop states $(states), not eight 0"
jcmd 'set track2_loop_level -6' '(^|> )track2_loop_level = -6\.0+$'
jcmd 'track5_loop_mute = 1' '(^|> )track5_loop_mute = 1\.0+$'
jcmd 'set track5_loop_mute 0' '(^|> )track5_loop_mute = 0\.0+$'
echo "== the recorders' ports listed: track1-8_loop_mute and _loop_level, loop_undo, loop_redo; track1-8_loop_state all 0; track2_loop_level -6 and track5_loop_mute 1 set and shown"

jcmd 'set active_track 2' '(^|> )active_track = 2\.0+$'
jcmd 'set loop_quantize 0' '(^|> )loop_quantize = 0\.0+$'
jcmd 'set loop_arm 1' '(^|> )loop_arm = 1\.0+$'
sleep 0.5
jcmd 'set loop_arm 0' '(^|> )loop_arm = 0\.0+$'
sleep 0.2
monitors
len=$(echo "$listing" | sed -n 's/^\(> \)\{0,1\}loop_length = \([0-9.]*\)$/\2/p' | tail -n 1)
[ "$(states)" = "0 3 0 0 0 0 0 0 " ] || fail "after a take on active track 2 the loop states are $(states), not only track 2's 3"
awk -v l="$len" 'BEGIN { exit !(l > 0.3 && l < 5) }' || fail "after a take of 0.5 s loop_length is '$len'"
jcmd 'set loop_undo 1' '(^|> )loop_undo = 1\.0+$'
sleep 0.1
jcmd 'set loop_undo 0' '(^|> )loop_undo = 0\.0+$'
monitors
[ "$(states)" = "0 0 0 0 0 0 0 0 " ] || fail "after loop_undo the loop states are $(states): the first take undone should leave none"
jcmd 'set loop_redo 1' '(^|> )loop_redo = 1\.0+$'
sleep 0.1
jcmd 'set loop_redo 0' '(^|> )loop_redo = 0\.0+$'
monitors
[ "$(states)" = "0 3 0 0 0 0 0 0 " ] || fail "after loop_redo the loop states are $(states), not only track 2's 3"
echo "== a free take with active_track 2: track2_loop_state 3 (the others 0), loop_length $len s; loop_undo empties it, loop_redo brings it back"

# Keep it running ~3 s in all, then quit the way 1.6.6 quits: EOF.
left=$(awk -v a="$t_jalv" -v b="$(date +%s.%N)" 'BEGIN { d = 3 - (b - a); print (d > 0 ? d : 0) }')
sleep "$left"
kill -0 "$jalv_pid" 2>/dev/null || fail "jalv died while running"
exec 3>&-
i=0
while kill -0 "$jalv_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 "$jalv_pid" 2>/dev/null && fail "jalv did not quit within 5 s of EOF on stdin"
wait "$jalv_pid"
rc=$?
jalv_pid=
[ $rc -lt 128 ] || fail "jalv crashed (signal $((rc - 128)))"
[ $rc -eq 0 ] || fail "jalv exited with status $rc"

if grep -Ein 'error|fail' "$out" >"$tmp/bad"; then
	cat "$tmp/bad" >&2
	fail "jalv printed error/fail lines"
fi
grep -Eiq 'assert|sanitizer|segmentation' "$out" && fail "jalv output shows a crash report"

stop_pid "$jackd_pid"
jackd_pid=
echo "test_jalv: all passed in $(elapsed) s"

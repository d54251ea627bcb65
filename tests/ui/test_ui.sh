#!/bin/sh
# The plugin's own UI, on a private Xvfb display:
#  1. build/test_ui_leaks (cmocka) checks a few stories of the UI, then
#     creates and destroys it 100 times in a parent window, under valgrind
#     (or, in the SANITIZE=1 build, LeakSanitizer): every check passes and
#     nothing the UI allocates may leak.
#  2. jalv.gtk3 (Debian jalv 1.6.6, which embeds our X11 UI through suil's
#     x11-in-gtk3 wrapper) runs the bundle on a private JACK dummy server,
#     with jack_midiseq playing a held C4 into midi_in, jack_midi_dump
#     reading midi_out and jack_metro's clicks going into in_l/in_r.  JACK's
#     own example clients feed and read the plugin, so what the test sees is
#     what the plugin did with the UI's port writes, not what the UI drew:
#     - the screenshot's track and looper regions are drawn (not uniform),
#       track 1's note light is lit while the note sounds, and the input
#       meter shows jack_metro's clicks;
#     - a click on track 1's MUTE stops its note-ons on midi_out; a second
#       click brings them back; two scroll-wheel notches on track 1's TRANS
#       make them two semitones higher (D4), a double-click resets it (C4);
#     - clicking ARM, then ARM again a second later records a loop on
#       track 1 (loop_state and track1_loop_state 3, printed by jalv
#       --print-controls), and lane 1's waveform and playhead are drawn;
#     - a click on lane 2's name makes track 2 active (loop_state 0), ARM,
#       half a second, ARM records its loop (track2_loop_state 3), drawn in
#       lane 2 beside lane 1's;
#     - with MONITOR off, out_l (recorded by jack_rec) carries the loops;
#       clicks on lanes 1 and 2's MUTE silence it (track1_loop_mute and
#       track2_loop_mute reached the plugin), lane 2's MUTE clicked off
#       brings sound back;
#     - UNDO empties track 2's loop (its first take undone:
#       track2_loop_state 0, lane 2 blank, lane 1 kept), REDO brings it
#       back;
#     - a quick click on CLEAR empties track 2's loop (loop_state 0) and
#       lane 2, and track 1's plays on;
#     - jalv.gtk3, sent SIGTERM, closes the UI and exits 0 without an error
#       line (Xlib's "X Error", for one).
#     The last screenshot of the UI is kept as build/ui.png (copy it to
#     docs/ui.png to update the README's picture).
# In the SANITIZE=1 build only part 1 runs (see there why).
# SKIPs (exit 0) only when Xvfb is not installed.  Every process it started
# is killed on exit.  Run `make` first.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
bundle_parent=$here/bundle
build=$here/build
. "$(dirname "$0")/../scripts/host_script.sh" # elapsed, stop_pid, start_jackd, wait_for, jcmd

if ! command -v Xvfb >/dev/null 2>&1; then
	echo "test_ui: SKIP: Xvfb is not installed (apt-get install xvfb); the UI was not tested"
	exit 0
fi

unset WAYLAND_DISPLAY
JACK_DEFAULT_SERVER=$(checkout_server_name eighttrack-ui-test)
export JACK_DEFAULT_SERVER
export JACK_NO_AUDIO_RESERVATION=1
export JACK_NO_START_SERVER=1
export LV2_PATH="$bundle_parent:/usr/lib/lv2"
export NO_AT_BRIDGE=1 # GTK: no accessibility bus on a bare display
client=et-ui-$$

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-ui.XXXXXX") || exit 1
out=$tmp/jalv.out
dump=$tmp/midi.out
pids=

cleanup() {
	# Last started, first stopped: clients, then jalv, jackd, Xvfb.
	for p in $pids; do
		stop_pid "$p"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

started() { pids="$1 $pids"; }

fail() {
	echo "test_ui: FAIL: $*" >&2
	for f in "$out" "$dump" "$tmp/leaks.log" "$tmp/xvfb.log"; do
		if [ -s "$f" ]; then
			echo "---- $(basename "$f") (last 25 lines):" >&2
			tail -n 25 "$f" >&2
		fi
	done
	[ -f "$tmp/shot.png" ] && cp "$tmp/shot.png" "$build/ui-failed.png" &&
		echo "---- last screenshot: $build/ui-failed.png" >&2
	echo "test_ui: failed after $(elapsed) s" >&2
	exit 1
}

# wait_for FILE FROM_LINE REGEX SECONDS
wait_for() {
	n=$(awk -v s="$4" 'BEGIN { print int(s * 20) }')
	i=0
	while [ $i -lt "$n" ]; do
		tail -n "+$2" "$1" 2>/dev/null | grep -Eq -- "$3" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

lines() { wc -l <"$1" | tr -d ' '; }

for tool in xdotool import convert jackd jack_lsp jack_connect jack_metro \
            jack_midiseq jack_midi_dump jalv.gtk3 stdbuf; do
	command -v $tool >/dev/null 2>&1 ||
		fail "$tool is not installed (apt-get install xdotool imagemagick jackd2 jalv)"
done
ls /usr/lib/*/suil-0/libsuil_x11_in_gtk3.so >/dev/null 2>&1 ||
	fail "suil's x11-in-gtk3 wrapper is missing (apt-get install libsuil-0-0)"
[ -f "$bundle_parent/eighttrack.lv2/eighttrack_ui.so" ] ||
	fail "no built UI in $bundle_parent/eighttrack.lv2 (run make first)"
[ -x "$build/test_ui_leaks" ] || fail "no $build/test_ui_leaks (make build/test_ui_leaks)"

# ------------------------------------------------------------ X
# -displayfd: Xvfb picks a free display and tells which.
Xvfb -displayfd 5 -screen 0 1024x768x24 -nolisten tcp 5>"$tmp/display" \
	>"$tmp/xvfb.log" 2>&1 &
started $!
i=0
until [ -s "$tmp/display" ]; do
	[ $i -lt 200 ] || fail "Xvfb did not start within 10 s"
	sleep 0.05
	i=$((i + 1))
done
export DISPLAY=":$(head -n 1 "$tmp/display")"
echo "== Xvfb on $DISPLAY after $(elapsed) s"

# ------------------------------------------------------------ 1. leaks
# test_ui_leaks exits non-zero when one of its cmocka tests fails (it goes
# on with the others, the failed one's UI closed); valgrind or
# LeakSanitizer make it exit non-zero on a leak or a memory error.
leaks_failed() {
	# cmocka's lines for each failed check: its message (ERROR: ...), the
	# line, the test's name.
	if grep -Eq '^ERROR: |^\[  (ERROR|FAILED) +\]' "$tmp/leaks.log"; then
		echo "---- test_ui_leaks' failed checks:" >&2
		grep -E '^ERROR: |^\[  (ERROR|FAILED) +\]' "$tmp/leaks.log" >&2
	fi
	fail "test_ui_leaks failed: a check, or the UI leaks, misuses memory or crashes ($1)"
}
if [ "${ET_LEAK_CHECK:-valgrind}" = lsan ]; then
	# The SANITIZE=1 build: test and UI carry ASan, whose LeakSanitizer
	# reports at exit.
	ASAN_OPTIONS=detect_leaks=1 "$build/test_ui_leaks" \
		"$bundle_parent/eighttrack.lv2/eighttrack_ui.so" >"$tmp/leaks.log" 2>&1 ||
		leaks_failed LeakSanitizer
else
	command -v valgrind >/dev/null 2>&1 || fail "valgrind is not installed"
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
		"$build/test_ui_leaks" "$bundle_parent/eighttrack.lv2/eighttrack_ui.so" \
		>"$tmp/leaks.log" 2>&1 ||
		leaks_failed valgrind
fi
grep -q '^test_ui_leaks: 100 rounds' "$tmp/leaks.log" || fail "test_ui_leaks did not finish"
passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\.$/\1/p' "$tmp/leaks.log")
[ -n "$passed" ] || fail "test_ui_leaks did not end with cmocka's [  PASSED  ] line"
grep '^test_ui_leaks:' "$tmp/leaks.log" | grep -v '100 rounds' | sed 's/^/== /'
echo "== $(grep '^test_ui_leaks: 100 rounds' "$tmp/leaks.log") ($passed cmocka tests passed; ${ET_LEAK_CHECK:-valgrind}, no leak) after $(elapsed) s"

# ------------------------------------------------------------ 2. jalv.gtk3
if [ -n "${ET_PRELOAD:-}" ]; then
	# The SANITIZE=1 build: our .so files need the ASan runtime preloaded
	# into jalv.gtk3, and there jalv.gtk3 (even `jalv.gtk3 --help`) hangs
	# for good in gtk_init: ASan's textdomain interceptor and glibc's
	# bindtextdomain wait on the same lock (google/sanitizers #1270,
	# llvm-project #49223).  The UI's code ran under ASan and UBSan above.
	echo "test_ui: jalv.gtk3 part skipped in the SANITIZE=1 build (gtk_init deadlocks with libasan preloaded); it runs in the plain build"
	echo "test_ui: all passed in $(elapsed) s"
	exit 0
fi
start_jackd 256
started "$jackd_pid"

stdbuf -oL -eL jalv.gtk3 --no-menu --print-controls --jack-name="$client" \
	--exact-jack-name urn:eighttrack:plugin >"$out" 2>&1 </dev/null &
jalv_pid=$!
started $jalv_pid

# Our window, found by its class name, and its place on the screen.
i=0
while :; do
	wid=$(xdotool search --classname '^eighttrack-ui$' 2>/dev/null | head -n 1)
	[ -n "$wid" ] && break
	[ $i -lt 300 ] || fail "no eighttrack-ui window within 15 s"
	sleep 0.05
	i=$((i + 1))
done
grep -q '^UI: *urn:eighttrack:ui$' "$out" || fail "jalv did not load urn:eighttrack:ui"
for p in midi_in midi_out in_l in_r; do
	i=0
	until jack_lsp 2>/dev/null | grep -qx "$client:$p"; do
		[ $i -lt 100 ] || fail "JACK port $client:$p missing"
		sleep 0.05
		i=$((i + 1))
	done
done
eval "$(xdotool getwindowgeometry --shell "$wid")" # X Y WIDTH HEIGHT
echo "== jalv.gtk3 shows urn:eighttrack:ui: window $wid, ${WIDTH}x$HEIGHT at $X,$Y, after $(elapsed) s"

# Design units (the UI's 760 x 680 layout, scaled to fit) to the screen.
DW=760
DH=680
at() {
	awk -v x="$1" -v y="$2" -v X="$X" -v Y="$Y" -v W="$WIDTH" -v H="$HEIGHT" -v DW=$DW -v DH=$DH 'BEGIN {
		s = W / DW; if (H / DH < s) s = H / DH
		ox = int((W - DW * s) / 2); oy = int((H - DH * s) / 2)
		printf "%d %d\n", X + ox + x * s, Y + oy + y * s }'
}
region() { # design X Y W H -> an ImageMagick crop geometry
	awk -v x="$1" -v y="$2" -v w="$3" -v h="$4" -v X="$X" -v Y="$Y" -v W="$WIDTH" -v H="$HEIGHT" -v DW=$DW -v DH=$DH 'BEGIN {
		s = W / DW; if (H / DH < s) s = H / DH
		ox = int((W - DW * s) / 2); oy = int((H - DH * s) / 2)
		printf "%dx%d+%d+%d\n", w * s, h * s, X + ox + x * s, Y + oy + y * s }'
}
# Where things are (ui/view.c), in design units: the looper's controls'
# row, the head row (UNDO, REDO, the input meter), and the lanes: lane N
# (1..8) has its middle at lane_y N, its waveform from x 107, 454 wide, 32
# high, its name at x 58, its MUTE at x 610.
CONTROLS=612
HEAD=262
lane_y() { echo $((302 + 38 * ($1 - 1))); }
wave_stat() { # FX_EXPRESSION LANE: inside lane N's waveform box
	stat_of "$1" 112 $(($(lane_y "$2") - 13)) 444 26
}
click() { # design X Y [BUTTON]
	# shellcheck disable=SC2046
	xdotool mousemove $(at "$1" "$2") click "${3:-1}"
}
shot() { import -window root "$tmp/shot.png" || fail "import could not take a screenshot"; }
stat_of() { # FX_EXPRESSION REGION
	convert "$tmp/shot.png" -crop "$(region $2 $3 $4 $5)" +repage -colorspace Gray \
		-format "%[fx:$1]" info:
}
pixel() { # CHANNEL design X Y
	set -- "$1" $(at "$2" "$3")
	convert "$tmp/shot.png" -format "%[fx:p{$2,$3}.$1]" info:
}
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# ------------------------------------------------------------ drive it
stdbuf -oL jack_midi_dump "$client-dump" >"$dump" 2>&1 &
started $!
# C4 held for 47000 of every 48000 frames: one second per note.
jack_midiseq "$client-seq" 48000 0 60 47000 >/dev/null 2>&1 &
started $!
jack_metro -n "$client-metro" -b 240 -f 440 -D 60 -a 0.7 >/dev/null 2>&1 &
started $!
i=0
until jack_lsp 2>/dev/null | grep -q "^$client-metro:" &&
      jack_lsp 2>/dev/null | grep -q "^$client-seq:out" &&
      jack_lsp 2>/dev/null | grep -q "^$client-dump:input"; do
	[ $i -lt 100 ] || fail "jack_metro, jack_midiseq or jack_midi_dump did not start"
	sleep 0.05
	i=$((i + 1))
done
metro_port=$(jack_lsp | grep "^$client-metro:" | head -n 1)
jack_connect "$client-seq:out" "$client:midi_in" || fail "jack_connect midi_in"
jack_connect "$client:midi_out" "$client-dump:input" || fail "jack_connect midi_out"
jack_connect "$metro_port" "$client:in_l" || fail "jack_connect in_l"
jack_connect "$metro_port" "$client:in_r" || fail "jack_connect in_r"

wait_for "$dump" 1 ': 90 3c [0-9a-f]+ note on' 3 ||
	fail "no note-on C4 on channel 1 from midi_out"
echo "== notes pass: C4 note-ons on channel 1 from midi_out"

# Drawn, and the note light of track 1 lit (retry: the note rests 2% of
# the time).
lit=
for try in 1 2 3 4 5; do
	sleep 0.1
	shot
	if gt "$(pixel g 85 74)" 0.6 && ! gt "$(pixel r 85 74)" 0.5; then
		lit=yes
		break
	fi
done
tracks_sd=$(stat_of standard_deviation 15 54 730 184)
looper_sd=$(stat_of standard_deviation 15 248 730 382)
gt "$tracks_sd" 0.05 || fail "the track region looks blank (standard deviation $tracks_sd)"
gt "$looper_sd" 0.05 || fail "the looper region looks blank (standard deviation $looper_sd)"
[ -n "$lit" ] || fail "track 1's note light is not lit while C4 sounds"
# An empty lane: the active one (its hint) and another (nothing).
empty1=$(wave_stat mean 1)
empty2=$(wave_stat mean 2)
want_mean=$(awk -v a="$empty1" -v b="$empty2" 'BEGIN { print (a > b ? a : b) + 0.03 }')
echo "== drawn (std dev: tracks $tracks_sd, looper $looper_sd); track 1 light on; empty lanes' mean $empty1 (active), $empty2"

# The input meter: jack_metro's clicks light its left bar at -30 dBFS
# (the meter shows the peak of each 0.1 s, and the clicks sound 60 ms of
# every 250: retry).
meter=
for try in 1 2 3 4 5 6 7 8 9 10; do
	shot
	if gt "$(pixel g 598 258)" 0.6 && ! gt "$(pixel r 598 258)" 0.5; then
		meter=yes
		break
	fi
	sleep 0.1
done
[ -n "$meter" ] || fail "the input meter stays dark while jack_metro clicks into in_l"
echo "== the input meter shows jack_metro's clicks"

# Mute track 1 with a click: its note-ons stop.
click 58 214
sleep 0.3
mark=$(($(lines "$dump") + 1))
sleep 1.3
if tail -n "+$mark" "$dump" | grep -q 'note on'; then
	fail "track 1 still sends note-ons after a click on its MUTE"
fi
grep -q ': 80 3c' "$dump" || fail "no note-off for C4"
shot
gt "$(pixel g 85 74)" 0.6 && fail "track 1's light stays on while it is muted"
echo "== click on MUTE: track 1 muted, no note-on for 1.3 s"

# Unmute, then two wheel notches up on its TRANS: D4 (0x3e).
click 58 214
click 58 143 4
click 58 143 4
mark=$(($(lines "$dump") + 1))
wait_for "$dump" "$mark" ': 90 3e [0-9a-f]+ note on' 2.5 ||
	fail "no D4 after unmuting and two scroll notches on TRANS"
echo "== click again: unmuted; two wheel notches on TRANS: notes come out as D4"

# A double-click on TRANS puts it back to 0: C4 again.
# shellcheck disable=SC2046
xdotool mousemove $(at 58 143) click --repeat 2 --delay 60 1
mark=$(($(lines "$dump") + 1))
wait_for "$dump" "$mark" ': 90 3c [0-9a-f]+ note on' 2.5 ||
	fail "no C4 after a double-click on TRANS"
echo "== double-click on TRANS: back to its default, notes are C4 again"

# wave_drawn LANE: waits until lane N's waveform is drawn (its mean above
# the empty lanes', its pixels varied); wave_gone LANE: until it is not.
wave_drawn() {
	for try in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.25
		shot
		wave_mean=$(wave_stat mean "$1")
		wave_sd=$(wave_stat standard_deviation "$1")
		gt "$wave_mean" "$want_mean" && gt "$wave_sd" 0.1 && return 0
	done
	return 1
}
wave_gone() {
	for try in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.2
		shot
		wave_mean=$(wave_stat mean "$1")
		gt "$wave_mean" "$want_mean" || return 0
	done
	return 1
}
# last_value SYMBOL: the value jalv printed last for an output control.
last_value() { grep "^$1 = " "$out" | tail -n 1 | sed 's/.*= //'; }

# Record a loop on track 1: ARM, a second of clicks, ARM.  The transport
# is stopped, so the take starts and ends at once.
mark=$(($(lines "$out") + 1))
click 58 $CONTROLS
wait_for "$out" "$mark" '^loop_state = 2\.0+$' 3 || fail "ARM did not start recording"
sleep 1.0
click 58 $CONTROLS
wait_for "$out" "$mark" '^loop_state = 3\.0+$' 3 || fail "the loop does not play after ARM off"
wait_for "$out" "$mark" '^track1_loop_state = 3\.0+$' 3 || fail "track1_loop_state is not 3 after the take"
# The overview: a few blocks to scan, eight to send, then a redraw.
wave_drawn 1 ||
	fail "lane 1's waveform is still empty after recording (mean $wave_mean, empty below $want_mean; std dev $wave_sd)"
gt "$(wave_stat maxima 1)" 0.85 || fail "no playhead on lane 1's waveform"
length=$(last_value loop_length)
echo "== ARM, 1 s, ARM: loop_state 3, track1_loop_state 3, loop_length $length s; lane 1's waveform and playhead drawn (mean $wave_mean, std dev $wave_sd)"

# Lane 2's name makes track 2 active (loop_state: its empty loop), and a
# half-second take goes into its loop, beside track 1's.
mark=$(($(lines "$out") + 1))
click 58 "$(lane_y 2)"
wait_for "$out" "$mark" '^loop_state = 0\.0+$' 3 || fail "a click on lane 2's name did not make track 2 (empty) active"
click 58 $CONTROLS
wait_for "$out" "$mark" '^loop_state = 2\.0+$' 3 || fail "ARM on track 2 did not start recording"
sleep 0.5
click 58 $CONTROLS
wait_for "$out" "$mark" '^loop_state = 3\.0+$' 3 || fail "track 2's loop does not play after ARM off"
wait_for "$out" "$mark" '^track2_loop_state = 3\.0+$' 3 || fail "track2_loop_state is not 3 after the take"
[ "$(last_value track1_loop_state | cut -c1)" = 3 ] || fail "track 1's loop stopped playing"
wave_drawn 2 || fail "lane 2's waveform is still empty after its take (mean $wave_mean)"
gt "$(wave_stat mean 1)" "$want_mean" || fail "lane 1's waveform went when track 2 recorded"
echo "== lane 2's name, ARM, 0.5 s, ARM: track 2 active, its loop playing (loop_length $(last_value loop_length) s); lanes 1 and 2 drawn"

sleep 0.3
shot
convert "$tmp/shot.png" -crop "${WIDTH}x$HEIGHT+$X+$Y" +repage "$build/ui.png" ||
	fail "could not crop the screenshot"
echo "== screenshot of the UI: $build/ui.png"

# The lanes' mutes reach the plugin: with MONITOR off, out_l carries the
# two loops alone; both lanes muted, silence; lane 2 unmuted, sound again.
# peak PORT: the largest sample of a JACK port over a second (jack_rec).
peak() {
	rm -f "$tmp/rec.wav"
	jack_rec -f "$tmp/rec.wav" -d 1 -b 16 "$1" >/dev/null 2>&1 ||
		fail "jack_rec could not record $1"
	python3 - "$tmp/rec.wav" <<'PY' || fail "could not read jack_rec's $tmp/rec.wav"
import struct, sys, wave
w = wave.open(sys.argv[1])
frames = w.readframes(w.getnframes())
samples = struct.unpack("<%dh" % (len(frames) // 2), frames)
print("%.5f" % (max(abs(x) for x in samples) / 32768.0 if samples else 0.0))
PY
}
click 426 $CONTROLS # MONITOR off
sleep 0.2
loud=$(peak "$client:out_l")
gt "$loud" 0.1 || fail "out_l is quiet with both loops playing and MONITOR off (peak $loud)"
click 610 "$(lane_y 1)"
click 610 "$(lane_y 2)"
sleep 0.2
muted=$(peak "$client:out_l")
gt "$muted" 0.001 && fail "out_l still sounds with lanes 1 and 2 muted (peak $muted, was $loud)"
click 610 "$(lane_y 2)"
sleep 0.2
back=$(peak "$client:out_l")
gt "$back" 0.1 || fail "out_l stays quiet after lane 2's MUTE is clicked off (peak $back)"
echo "== MONITOR off: out_l peak $loud; lanes 1 and 2 muted: $muted; lane 2 unmuted: $back"

# UNDO on the active track 2: its first take undone, its loop is empty
# again (loop_state 0, lane 2's waveform gone, lane 1's kept); REDO brings
# it back.
mark=$(($(lines "$out") + 1))
click 334 $HEAD
wait_for "$out" "$mark" '^track2_loop_state = 0\.0+$' 3 ||
	fail "a click on UNDO did not undo track 2's take (track2_loop_state stays $(last_value track2_loop_state))"
wait_for "$out" "$mark" '^loop_state = 0\.0+$' 1 || fail "loop_state is not 0 after UNDO"
wave_gone 2 || fail "lane 2's waveform is still drawn after UNDO (mean $wave_mean)"
gt "$(wave_stat mean 1)" "$want_mean" || fail "lane 1's waveform went with UNDO on track 2"
mark=$(($(lines "$out") + 1))
click 426 $HEAD
wait_for "$out" "$mark" '^track2_loop_state = 3\.0+$' 3 ||
	fail "a click on REDO did not bring track 2's take back (track2_loop_state $(last_value track2_loop_state))"
wave_drawn 2 || fail "lane 2's waveform did not come back after REDO (mean $wave_mean)"
echo "== UNDO: track 2's loop empty, lane 2 blank, lane 1 kept; REDO: back (loop_state 3)"

# A quick click on CLEAR (press and release within one of the UI's idle
# calls, as xdotool clicks): track 2's loop is gone, and so is its
# waveform; track 1's plays on.
mark=$(($(lines "$out") + 1))
click 334 $CONTROLS
wait_for "$out" "$mark" '^loop_state = 0\.0+$' 3 ||
	fail "a quick click on CLEAR did not clear the loop (loop_state stays $(last_value loop_state))"
wave_gone 2 || fail "lane 2's waveform is still drawn after CLEAR (mean $wave_mean)"
[ "$(last_value track1_loop_state | cut -c1)" = 3 ] || fail "CLEAR on track 2 stopped track 1's loop"
echo "== a quick click on CLEAR: track 2's loop_state 0, lane 2 empty again (mean $wave_mean); track 1 plays on"

kill -0 "$jalv_pid" 2>/dev/null || fail "jalv.gtk3 died"
# Close jalv as a window manager or a user would (SIGTERM: jalv closes its
# window, then the UI): it must exit 0, and the UI must not have made Xlib
# or anything else complain.
kill -TERM "$jalv_pid"
i=0
while kill -0 "$jalv_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 "$jalv_pid" 2>/dev/null && fail "jalv.gtk3 did not exit within 5 s of SIGTERM"
wait "$jalv_pid"
jalv_status=$?
if grep -Ein 'error|fail|critical|assert|sanitizer|segmentation|X Error|BadWindow|BadDrawable' "$out" >"$tmp/bad"; then
	cat "$tmp/bad" >&2
	fail "jalv printed error lines"
fi
[ "$jalv_status" -eq 0 ] || fail "jalv.gtk3 exited with status $jalv_status after SIGTERM"
echo "== jalv.gtk3 closed on SIGTERM: exit status 0, no error lines"
echo "test_ui: all passed in $(elapsed) s"

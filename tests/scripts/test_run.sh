#!/bin/sh
# What `make run' does for a newcomer: tools/run_jalv.sh, headless, with
# the built bundle installed in a temporary HOME's .lv2 (as make run
# installs it), on a private JACK server name (JACK_DEFAULT_SERVER).
#  1. No server running, no DISPLAY, no LV2_PATH: it starts a dummy jackd
#     and says so; console jalv runs the plugin as the JACK client
#     `eighttrack' (the README's jack_connect names); after two `set'
#     commands, `preset URI' sets exactly the preset's values (jalv 1.6.6's
#     own console command would leave them: see run_jalv.sh); SIGHUP to
#     the script (a closed terminal) stops jalv and the jackd it started.
#  2. A server already running, DISPLAY unreachable, LV2_PATH without
#     ~/.lv2: it says each, falls back to console jalv, adds ~/.lv2, runs
#     the plugin; EOF on its input ends it with status 0, and the server it
#     did not start still runs.
#  3. (Not in the SANITIZE=1 build; needs Xvfb.) On a private Xvfb display:
#     jalv.gtk3 as the JACK client `eighttrack'; SIGTERM ends it and leaves
#     the server.
# Every process it started is killed on any exit. Run `make' first.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/host_script.sh" # elapsed, stop_pid, start_jackd, wait_for, jcmd

unset DISPLAY WAYLAND_DISPLAY LV2_PATH
export JACK_DEFAULT_SERVER=eighttrack-run-$$
export JACK_NO_AUDIO_RESERVATION=1
export JACK_NO_START_SERVER=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-run-test.XXXXXX") || exit 1
out=
run_pid=
jackd_pid=
jalv_pid=
xvfb_pid=

cleanup() {
	exec 3>&- 2>/dev/null
	stop_pid "$run_pid"
	stop_pid "$jalv_pid"
	stop_pid "$jackd_pid"
	stop_pid "$xvfb_pid"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

fail() {
	echo "test_run: FAIL: $*" >&2
	if [ -s "$out" ]; then
		echo "---- run_jalv.sh output (last 30 lines):" >&2
		tail -n 30 "$out" >&2
	fi
	echo "test_run: failed after $(elapsed) s" >&2
	exit 1
}


# gone PID SECONDS: PID has ended within SECONDS.
gone() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		[ $i -lt $(($2 * 20)) ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
}

# start_run OUT [VAR=VALUE...]: tools/run_jalv.sh in the background, its
# input on fd 3, its output (jalv's included) in $out=OUT; waits for the
# plugin.
start_run() {
	out=$1
	shift
	rm -f "$tmp/in" "$tmp/jalv.pid"
	mkfifo "$tmp/in" || fail "mkfifo failed"
	env "$@" "$here/tools/run_jalv.sh" <"$tmp/in" >"$out" 2>&1 &
	run_pid=$!
	watch_pid=$run_pid
	exec 3>"$tmp/in"
	wait_for 1 '^monitor = 1\.0+$' 15 || fail "jalv did not load urn:eighttrack:plugin"
	jalv_pid=$(cat "$tmp/jalv.pid")
}

# check_ports CLIENT: waits until CLIENT has the plugin's ports.
check_ports() {
	i=0
	while :; do
		ports=$(jack_lsp 2>/dev/null)
		missing=
		for p in midi_in midi_out in_l in_r out_l out_r track1_out; do
			echo "$ports" | grep -qx "$1:$p" || missing="$missing $p"
		done
		[ -z "$missing" ] && break
		[ $i -lt 100 ] || fail "JACK ports $1:{$missing } missing (jack_lsp: $(echo "$ports" | tr '\n' ' '))"
		sleep 0.05
		i=$((i + 1))
	done
}

for tool in jackd jack_lsp jalv stdbuf mkfifo; do
	command -v $tool >/dev/null 2>&1 || fail "$tool is not installed (apt-get install jackd2 jalv)"
done
[ -f "$here/bundle/eighttrack.lv2/eighttrack.so" ] ||
	fail "no built bundle in $here/bundle/eighttrack.lv2 (run make first)"

# A HOME with the bundle where make run installs it.
export HOME="$tmp/home"
mkdir -p "$HOME/.lv2" && cp -R "$here/bundle/eighttrack.lv2" "$HOME/.lv2/" ||
	fail "could not install the bundle into $HOME/.lv2"

# jalv writes its stdout block-buffered into a file: the `jalv' (and
# `jalv.gtk3') that run_jalv.sh finds first line-buffers it, and records its PID (exec keeps
# it). ET_PRELOAD: the sanitizer runtimes (make check SANITIZE=1).
mkdir "$tmp/bin"
preload=
[ -z "${ET_PRELOAD:-}" ] || preload="LD_PRELOAD='$ET_PRELOAD' ASAN_OPTIONS=detect_leaks=0"
for prog in jalv jalv.gtk3; do
	command -v $prog >/dev/null 2>&1 || continue
	cat >"$tmp/bin/$prog" <<EOF
#!/bin/sh
echo \$\$ >"$tmp/jalv.pid"
exec env $preload \\
	stdbuf -oL -eL "$(command -v $prog)" "\$@"
EOF
	chmod +x "$tmp/bin/$prog"
done
export PATH="$tmp/bin:$PATH"

jack_lsp >/dev/null 2>&1 && fail "a JACK server named $JACK_DEFAULT_SERVER already runs"

# ------------------------------------------------------------ 1.
start_run "$tmp/run1.out"
grep -q '^JACK Name: *eighttrack$' "$out" || fail "jalv's JACK client is not named eighttrack"
jackd_pid=$(sed -n 's/.*started a dummy one (pid \([0-9]*\).*/\1/p' "$out")
[ -n "$jackd_pid" ] || fail "run_jalv.sh did not say that it started a dummy jackd"
kill -0 "$jackd_pid" 2>/dev/null || fail "the jackd it named (pid $jackd_pid) does not run"
grep -q 'console jalv' "$out" || fail "no word of console jalv"
check_ports eighttrack
echo "== console jalv as JACK client eighttrack on the dummy jackd it started, after $(elapsed) s"

jcmd 'set active_track 5' '(^|> )active_track = 5\.0+$'
jcmd 'track1_channel = 9' '(^|> )track1_channel = 9\.0+$'
jcmd 'preset urn:eighttrack:preset:keystep_to_one_synth' '(^|> )loop_arm = 0\.0+$'
nv=$(grep -c 'lv2:symbol' "$here/ttl/presets/keystep_to_one_synth.ttl")
grep -q "setting the $nv values of urn:eighttrack:preset:keystep_to_one_synth" "$out" ||
	fail "no word of the preset's $nv values"
jcmd 'controls' '(^|> )control_channel = 0\.0+$'
listing=$(tail -n "+$mark" "$out")
for kv in 'auto_channel = 10' 'active_track = 1' 'thru = 1' 'track1_channel = 11' \
          'track2_channel = 2' 'track8_channel = 8' 'loop_arm = 0' \
          'loop_quantize = 2' 'monitor = 1'; do
	echo "$listing" | grep -Eq "(^|> )${kv}\.0+\$" || fail "after the preset, \`controls' does not show $kv"
done
echo "== preset keystep_to_one_synth in the console: auto_channel 10, active_track 5 -> 1, track1_channel 9 -> 11"

kill -HUP "$run_pid"
gone "$run_pid" 5 || fail "run_jalv.sh still runs 5 s after SIGHUP"
wait "$run_pid"
st=$?
[ "$st" = 129 ] || fail "run_jalv.sh exited $st after SIGHUP, not 129"
gone "$jalv_pid" 3 || fail "jalv (pid $jalv_pid) still runs after SIGHUP to run_jalv.sh"
gone "$jackd_pid" 3 || fail "the dummy jackd (pid $jackd_pid) still runs after SIGHUP to run_jalv.sh"
grep -q 'stopped the dummy JACK server it started' "$out" || fail "no word of stopping jackd"
jack_lsp >/dev/null 2>&1 && fail "a JACK server still answers after SIGHUP"
run_pid=
jackd_pid=
echo "== SIGHUP: run_jalv.sh exits 129, jalv and its jackd are gone, after $(elapsed) s"

# ------------------------------------------------------------ 2.
start_jackd 1024
dpy=$((50000 + $$ % 10000))
while [ -e "/tmp/.X11-unix/X$dpy" ]; do dpy=$((dpy + 1)); done
start_run "$tmp/run2.out" DISPLAY=":$dpy" LV2_PATH=/usr/lib/lv2
grep -q 'using the JACK server already running' "$out" || fail "no word of the JACK server already running"
grep -q 'started a dummy' "$out" && fail "it started a dummy jackd beside the running one"
grep -q "cannot open the display DISPLAY=:$dpy; using console jalv" "$out" ||
	fail "no word of the unreachable display"
grep -q "lacks ~/.lv2.*using $HOME/.lv2:/usr/lib/lv2" "$out" || fail "no word of ~/.lv2 added to LV2_PATH"
check_ports eighttrack
echo "== DISPLAY=:$dpy and LV2_PATH=/usr/lib/lv2 on a running server: said so, console jalv runs the plugin"

exec 3>&-
gone "$run_pid" 5 || fail "run_jalv.sh still runs 5 s after EOF on its input"
wait "$run_pid"
st=$?
[ "$st" = 0 ] || fail "run_jalv.sh exited $st after EOF, not 0"
run_pid=
gone "$jalv_pid" 3 || fail "jalv still runs after run_jalv.sh ended"
kill -0 "$jackd_pid" 2>/dev/null || fail "run_jalv.sh stopped a JACK server it did not start"
grep -Eiq 'segmentation|error|fail' "$out" && fail "an error line in the output"
echo "== EOF: run_jalv.sh exits 0 and leaves the running server alone"

# ------------------------------------------------------------ 3.
if [ -n "${ET_PRELOAD:-}" ]; then
	echo "== window part skipped in the SANITIZE=1 build (jalv.gtk3 hangs in gtk_init with libasan preloaded)"
elif ! command -v Xvfb >/dev/null 2>&1 || ! command -v jalv.gtk3 >/dev/null 2>&1; then
	echo "== window part skipped: no Xvfb or no jalv.gtk3"
else
	Xvfb -displayfd 5 -screen 0 1024x768x24 -nolisten tcp 5>"$tmp/display" \
		>"$tmp/xvfb.log" 2>&1 &
	xvfb_pid=$!
	i=0
	until [ -s "$tmp/display" ]; do
		[ $i -lt 200 ] || fail "Xvfb did not start within 10 s"
		sleep 0.05
		i=$((i + 1))
	done
	start_run "$tmp/run3.out" DISPLAY=":$(head -n 1 "$tmp/display")"
	grep -q 'console jalv' "$out" && fail "console jalv although the display answers"
	grep -q '^JACK Name: *eighttrack$' "$out" || fail "jalv.gtk3's JACK client is not named eighttrack"
	check_ports eighttrack
	echo "== with a display: jalv.gtk3 as JACK client eighttrack, after $(elapsed) s"
	kill -TERM "$run_pid"
	gone "$run_pid" 8 || fail "run_jalv.sh still runs 8 s after SIGTERM"
	wait "$run_pid"
	st=$?
	[ "$st" = 143 ] || fail "run_jalv.sh exited $st after SIGTERM, not 143"
	run_pid=
	gone "$jalv_pid" 3 || fail "jalv.gtk3 still runs after run_jalv.sh ended"
	kill -0 "$jackd_pid" 2>/dev/null || fail "run_jalv.sh stopped a JACK server it did not start"
	echo "== SIGTERM: run_jalv.sh exits 143, jalv.gtk3 is gone, the server still runs"
fi
echo "test_run: passed in $(elapsed) s"

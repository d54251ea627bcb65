#!/bin/sh
# Starts the installed Eighttrack in jalv: the GTK window (with the
# plugin's UI) when there is a display, otherwise console jalv; on the JACK
# server that runs, or on a dummy one started here and stopped on exit.
#   tools/run_jalv.sh [seconds]   (a limit is for tests; default: until Ctrl-C)
set -eu
uri="urn:eighttrack:plugin"
# Never let libjack start a server of its own (jackd on the sound card,
# which fights PipeWire or fails without one): use the one running, or the
# dummy server started below.
export JACK_NO_START_SERVER=1
limit="${1:-}"
run() {
	if [ -n "$limit" ]; then timeout --signal=INT "$limit" "$@" || [ $? = 124 ]; else "$@"; fi
}

jackd_pid=""
if ! jack_lsp >/dev/null 2>&1; then
	log=$(mktemp "${TMPDIR:-/tmp}/eighttrack-jackd.XXXXXX")
	echo "run_jalv.sh: no JACK server running; starting a dummy one (no sound:"
	echo "run_jalv.sh: start JACK or PipeWire's JACK first to hear the synth)"
	jackd --no-realtime --port-max 128 -d dummy -r 48000 -p 1024 >"$log" 2>&1 &
	jackd_pid=$!
	trap 'kill "$jackd_pid" 2>/dev/null || true' EXIT INT TERM
	i=0
	until jack_lsp >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 50 ] || { echo "run_jalv.sh: jackd did not start; see $log" >&2; exit 1; }
		sleep 0.1
	done
fi

if [ -n "${DISPLAY:-}" ] && command -v jalv.gtk3 >/dev/null 2>&1; then
	run jalv.gtk3 "$uri"
	exit $?
fi
echo "run_jalv.sh: console jalv; type 'help' for its commands, Ctrl-C to quit"
run jalv "$uri"

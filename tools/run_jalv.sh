#!/bin/sh
# Starts the installed Eighttrack in jalv: the GTK window when there is a
# display, otherwise console jalv on a JACK dummy server (started here if
# no JACK server is running, and stopped again on exit).
#   tools/run_jalv.sh [seconds]   (a limit is for tests; default: until Ctrl-C)
set -eu
uri="urn:eighttrack:plugin"
limit="${1:-}"
run() {
	if [ -n "$limit" ]; then timeout --signal=INT "$limit" "$@" || [ $? = 124 ]; else "$@"; fi
}

if [ -n "${DISPLAY:-}" ] && command -v jalv.gtk3 >/dev/null 2>&1; then
	run jalv.gtk3 "$uri"
	exit $?
fi

jackd_pid=""
if ! jack_lsp >/dev/null 2>&1; then
	echo "run_jalv.sh: no display; starting a JACK dummy server for console jalv"
	jackd --no-realtime --port-max 128 -d dummy -r 48000 -p 1024 >/tmp/eighttrack-jackd.log 2>&1 &
	jackd_pid=$!
	trap 'kill "$jackd_pid" 2>/dev/null || true' EXIT INT TERM
	i=0
	until jack_lsp >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 50 ] || { echo "run_jalv.sh: jackd did not start; see /tmp/eighttrack-jackd.log" >&2; exit 1; }
		sleep 0.1
	done
fi
echo "run_jalv.sh: console jalv; type 'help' for its commands, Ctrl-C to quit"
run jalv "$uri"

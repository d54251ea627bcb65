# Shared by the host-level test scripts (sourced): a clock for the time
# each test takes, a way to stop the processes a test started, and a way
# to talk to a console host (jalv) and wait for what it prints.
# Every script stops only processes it started itself, by their PID: other
# runs on the same machine start jackd and Xvfb with the same command line.

t_start=$(date +%s.%N)

# Seconds since the script started, one decimal.
elapsed() {
	awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

# A JACK server name for this checkout and test, the same every run: JACK
# keeps a machine-wide table of 8 server names, and a server killed
# before it cleaned up keeps its row until a server of the same name
# starts again (a name per run fills the table on a machine that runs
# the tests often).
checkout_server_name() {
	printf '%s-%s' "$1" "$(cd "$(dirname "$0")/../.." && pwd | cksum | cut -d' ' -f1)"
}

# For a failure: the last 30 lines of each file named that is not empty.
show_tails() {
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "---- $(basename "$f") (last 30 lines):" >&2
		tail -n 30 "$f" >&2
	done
}

# stop_pid PID: TERM, then KILL after 2 s; reaps it.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# wait_for FROM_LINE REGEX SECONDS: REGEX appears in the file $out at or
# after line FROM_LINE within SECONDS; fails at once if the process
# $watch_pid (when set) has ended.
wait_for() {
	n=$(awk -v s="$3" 'BEGIN { print int(s * 20) }')
	i=0
	while [ $i -lt "$n" ]; do
		tail -n "+$1" "$out" 2>/dev/null | grep -Eq -- "$2" && return 0
		[ -n "${watch_pid:-}" ] && ! kill -0 "$watch_pid" 2>/dev/null && return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# jcmd CMD REGEX: types CMD on file descriptor 3 (the host's standard
# input) and waits 5 s for REGEX in what the host prints next; else the
# script's own fail().
jcmd() {
	mark=$(($(wc -l <"$out") + 1))
	printf '%s\n' "$1" >&3 || fail "could not type \`$1'"
	wait_for "$mark" "$2" 5 || fail "after \`$1', never saw /$2/"
}

# start_jackd PERIOD [SERVER_OPTION...]: a JACK dummy server (48 kHz,
# PERIOD frames, no real-time scheduling, 128 ports to fit a container's
# /dev/shm, and the server options given, e.g. -S) named
# $JACK_DEFAULT_SERVER, logging to $tmp/jackd.log; sets jackd_pid and
# returns once jack_lsp reaches it, else the script's own fail().  Runs
# without LD_PRELOAD: the sanitizer runtimes are for the plugin's hosts.
start_jackd() {
	jackd_period=$1
	shift
	env -u LD_PRELOAD jackd --no-realtime --port-max 128 "$@" -d dummy -r 48000 \
		-p "$jackd_period" >"$tmp/jackd.log" 2>&1 &
	jackd_pid=$!
	i=0
	until env -u LD_PRELOAD jack_lsp >/dev/null 2>&1; do
		kill -0 "$jackd_pid" 2>/dev/null || fail "jackd exited at startup"
		[ $i -lt 200 ] || fail "jackd server $JACK_DEFAULT_SERVER not up after 10 s"
		sleep 0.05
		i=$((i + 1))
	done
}

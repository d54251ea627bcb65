# Shared by the host-level test scripts (sourced): a clock for the time
# each test takes, and a way to stop the processes a test started.
# Every script stops only processes it started itself, by their PID: other
# runs on the same machine start jackd and Xvfb with the same command line.

t_start=$(date +%s.%N)

# Seconds since the script started, one decimal.
elapsed() {
	awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
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

#!/bin/sh
# Starts the installed Eighttrack in jalv as the JACK client `eighttrack'
# (ports eighttrack:midi_in, eighttrack:in_l, ...): the GTK window (with the
# plugin's UI) when the display answers, otherwise console jalv; on the JACK
# server that runs, or on a dummy one started here and stopped on any exit
# (Ctrl-C, Ctrl-D, closing the terminal).
#   tools/run_jalv.sh [seconds]   (a limit is for tests; default: until you quit)
# In console jalv, `preset URI' is carried out here (jalv 1.6.6's console
# does not apply a preset's values to this plugin; see below).
set -eu
uri="urn:eighttrack:plugin"
name="eighttrack" # the JACK client name the README's jack_connect lines use
limit="${1:-}"
say() { echo "run_jalv.sh: $*" >&2; }

# Never let libjack start a server of its own (jackd on the sound card,
# which fights PipeWire or fails without one): use the one running, or the
# dummy server started below.
export JACK_NO_START_SERVER=1

jackd_pid=""
jalv_pid=""
filter_pid=""
tmp=""
# alive PID: PID runs (and is not a zombie waiting to be reaped).
alive() {
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}
# stop PID GRACE: waits for PID to end, sending it TERM after GRACE tenths
# of a second, and KILL 3 s later. (No `wait': in a trap, bash can wait for
# ever on a child that a signal already ended.)
stop() {
	n=0
	while alive "$1"; do
		[ "$n" != "$2" ] || kill -TERM "$1" 2>/dev/null
		[ "$n" != $(($2 + 30)) ] || kill -KILL "$1" 2>/dev/null
		[ "$n" -lt $(($2 + 40)) ] || break
		sleep 0.1
		n=$((n + 1))
	done
}
cleanup() {
	set +e
	trap - EXIT HUP INT TERM
	[ -z "$filter_pid" ] || stop "$filter_pid" 0
	# Console jalv quits on the end of input that stopping the filter gives
	# it; a signal that reaches jalv while it closes its JACK client (Ctrl-C
	# may have sent one already) can hang it: TERM only after 1 s.
	[ -z "$jalv_pid" ] || stop "$jalv_pid" 10
	if [ -n "$jackd_pid" ]; then
		# Stopped at once after a client died (jalv killed by SIGHUP),
		# jackd waits 6 s for it; 0.3 s later it stops at once.
		stop "$jackd_pid" 3
		say "stopped the dummy JACK server it started (pid $jackd_pid)"
	fi
	[ -z "$tmp" ] || rm -rf "$tmp"
}
# A closed terminal (HUP), Ctrl-C (INT) or kill (TERM) runs the EXIT trap
# too: the dummy jackd never outlives this script.
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- LV2_PATH: `make run' installs into ~/.lv2. Without LV2_PATH, lilv
# looks there first; a LV2_PATH that lacks it would hide the plugin (and
# jalv 1.6.6 then crashes), so ~/.lv2 goes in front.
if [ -n "${LV2_PATH:-}" ]; then
	case ":$LV2_PATH:" in
	*":$HOME/.lv2:"* | *":$HOME/.lv2/:"* | *":~/.lv2:"* | *":~/.lv2/:"*) ;;
	*)
		say "your LV2_PATH ($LV2_PATH) lacks ~/.lv2, where make run installs; using $HOME/.lv2:$LV2_PATH"
		export LV2_PATH="$HOME/.lv2:$LV2_PATH"
		;;
	esac
fi
if [ ! -f "$HOME/.lv2/eighttrack.lv2/manifest.ttl" ]; then
	say "Eighttrack is not installed in $HOME/.lv2: run make run (or make install LV2DIR=\$HOME/.lv2)"
	exit 1
fi

# ---- JACK
if jack_lsp >/dev/null 2>&1; then
	say "using the JACK server already running (${JACK_DEFAULT_SERVER:-default}); it stays running after jalv"
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-run.XXXXXX")
	jackd --no-realtime --port-max 128 -d dummy -r 48000 -p 1024 >"$tmp/jackd.log" 2>&1 &
	jackd_pid=$!
	say "no JACK server running; started a dummy one (pid $jackd_pid, no sound:"
	say "start JACK or PipeWire's JACK first to hear the synth)"
	i=0
	until jack_lsp >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -ge 100 ] || ! kill -0 "$jackd_pid" 2>/dev/null; then
			say "jackd did not start:"
			cat "$tmp/jackd.log" >&2
			exit 1
		fi
		sleep 0.1
	done
fi

# ---- the window, or the console
# display_ok: the X display in DISPLAY answers (jalv.gtk3 crashes when it
# does not).
display_ok() {
	[ -n "${DISPLAY:-}" ] || return 1
	if command -v xdpyinfo >/dev/null 2>&1; then
		timeout 5 xdpyinfo >/dev/null 2>&1
	elif command -v xset >/dev/null 2>&1; then
		timeout 5 xset q >/dev/null 2>&1
	else
		# A local display (":N" or ":N.S") has a socket; trust other forms.
		case "$DISPLAY" in
		:*) n=${DISPLAY#:}; [ -S "/tmp/.X11-unix/X${n%%.*}" ] ;;
		*) return 0 ;;
		esac
	fi
}

# preset_values URI: "symbol = value" lines of an Eighttrack preset found in
# LV2_PATH (or lilv's default path); fails when there is none.
preset_values() {
	want="<$1>"
	IFS=:
	# shellcheck disable=SC2086
	set -- ${LV2_PATH:-$HOME/.lv2:/usr/local/lib/lv2:/usr/lib/lv2}
	unset IFS
	for dir; do
		dir=$(echo "$dir" | sed "s|^~|$HOME|")
		for f in "$dir"/eighttrack.lv2/presets/*.ttl; do
			[ -f "$f" ] && grep -Fqx "$want" "$f" || continue
			awk '/lv2:symbol/ { match($0, /"[^"]*"/); sym = substr($0, RSTART + 1, RLENGTH - 2) }
			     /pset:value/ { v = $2; sub(/;$/, "", v); if (sym != "") print sym " = " v; sym = "" }' "$f"
			return 0
		done
	done
	return 1
}

# console_filter: passes the typed lines to jalv, but turns `preset URI'
# into one `symbol = value' line per port of the preset. jalv 1.6.6 sends a
# preset's values to a running plugin through its UI ring, which only a UI
# reads; Eighttrack declares state:threadSafeRestore, so jalv does not pause
# to set them directly, and console jalv (no UI) drops them: its own
# `preset URI' changes nothing here.
console_filter() {
	while IFS= read -r line; do
		case "$line" in
		"preset "*)
			p=$(echo "${line#preset }" | sed 's/^ *//; s/ *$//')
			if values=$(preset_values "$p"); then
				say "setting the $(echo "$values" | wc -l) values of $p"
				printf '%s\n' "$values"
			else
				say "no Eighttrack preset $p (\`presets' lists them)"
			fi
			;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}

exec 3<&0 # the terminal, for the programs started in the background below
display=""
display_ok && display=1
if [ -n "$display" ] && command -v jalv.gtk3 >/dev/null 2>&1; then
	set -- jalv.gtk3 --jack-name="$name" "$uri"
	console=""
else
	if [ -n "${DISPLAY:-}" ] && [ -z "$display" ]; then
		say "cannot open the display DISPLAY=$DISPLAY; using console jalv instead (no window)"
	elif [ -n "${DISPLAY:-}" ]; then
		say "jalv.gtk3 is not installed; using console jalv instead (no window)"
	fi
	say "console jalv; type 'help' for its commands, Ctrl-D or Ctrl-C to quit"
	set -- jalv -n "$name" "$uri"
	console=1
fi
[ -z "$limit" ] || set -- timeout --signal=INT "$limit" "$@"

# jalv runs in the background and the script waits for it, so that a signal
# reaches the traps above at once (a foreground jalv would delay them).
if [ -n "$console" ]; then
	[ -n "$tmp" ] || tmp=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-run.XXXXXX")
	mkfifo "$tmp/console"
	console_filter <&3 >"$tmp/console" &
	filter_pid=$!
	"$@" <"$tmp/console" &
else
	"$@" <&3 &
fi
jalv_pid=$!
st=0
wait "$jalv_pid" || st=$?
jalv_pid=""
[ -z "$limit" ] || [ "$st" != 124 ] || st=0
exit "$st"

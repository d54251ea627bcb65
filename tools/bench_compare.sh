#!/bin/bash
# Compares the looper's speed in two or more builds of the bundle, on a
# noisy machine (docs/bench.md, "Comparing two builds").
#
#   tools/bench_compare.sh [-r ROUNDS] [-c COPIES] [-b BLOCK] MODE BUNDLE...
#
# MODE is a looper case of build/bench (idle, record, play, overdub,
# eight).  Each bundle is copied COPIES times (default 4): where the kernel
# puts a file's pages in physical memory moves the plugin's time by up to
# 7% between two copies of the same file, and that stays with the copy.
# Each round runs every copy once (`build/bench looper MODE BLOCK 9`, a
# process each), in an order that turns by one each round.  Printed per
# bundle: the median over the rounds of its copies' mean time over the
# first bundle's, the quartiles, its ratio to the stereo gain, and each
# copy's median time (ns a frame).
set -eu

rounds=40
copies=4
block=256
while getopts r:c:b: opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	c) copies=$OPTARG ;;
	b) block=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 2 ] || [ "$rounds" -lt 1 ] || [ "$copies" -lt 1 ]; then
	echo "usage: $0 [-r ROUNDS] [-c COPIES] [-b BLOCK] MODE BUNDLE..." >&2
	exit 2
fi
mode=$1
shift
bench=$(dirname "$0")/../build/bench
[ -x "$bench" ] || {
	echo "$0: build/bench is missing: make build/bench" >&2
	exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dirs=()
b=0
for bundle in "$@"; do
	for c in $(seq 1 "$copies"); do
		cp -r "$bundle" "$work/$b-$c"
		dirs+=("$work/$b-$c")
	done
	b=$((b + 1))
done

n=${#dirs[@]}
for r in $(seq 0 $((rounds - 1))); do
	line=()
	for i in $(seq 0 $((n - 1))); do
		k=$(((i + r) % n))
		out=$(ET_BUNDLE_DIR=${dirs[$k]} "$bench" looper "$mode" "$block" 9) || {
			echo "$0: build/bench failed on ${dirs[$k]}: $out" >&2
			exit 1
		}
		# "MODE BLOCK: X ns/frame, gain Y", and nothing else (a line
		# starting "!!" says something went wrong in the bench)
		if ! [[ $out =~ ^[a-z]+\ [0-9]+:\ ([0-9.]+)\ ns/frame,\ gain\ ([0-9.]+)$ ]]; then
			echo "$0: unexpected output from build/bench: $out" >&2
			exit 1
		fi
		line[k]="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
	done
	echo "${line[*]}"
done >"$work/rounds"

python3 - "$work/rounds" "$copies" "$@" <<'EOF'
import statistics as st
import sys

rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
copies = int(sys.argv[2])
names = sys.argv[3:]


def t(row, b, c):
    return row[2 * (b * copies + c)]


def g(row, b, c):
    return row[2 * (b * copies + c) + 1]


def mean_time(row, b):
    return st.mean(t(row, b, c) for c in range(copies))


for b, name in enumerate(names):
    rel = sorted(mean_time(r, b) / mean_time(r, 0) for r in rows)
    q1, q3 = rel[len(rel) // 4], rel[3 * len(rel) // 4]
    ratio = st.median(
        st.mean(t(r, b, c) / g(r, b, c) for c in range(copies)) for r in rows)
    each = " ".join(
        f"{st.median(t(r, b, c) for r in rows):.3f}" for c in range(copies))
    print(f"{name}: {st.median(rel):.3f} of the first (quartiles "
          f"{q1:.3f}-{q3:.3f}), {ratio:.2f}x the gain; copies: {each} "
          f"ns/frame; {len(rows)} rounds")
EOF

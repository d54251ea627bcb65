#!/bin/sh
# Makes sure the Debian packages a target needs are installed.
#   tools/deps.sh build|check|run|fuzz
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails.
set -eu

build="build-essential pkg-config lv2-dev liblilv-dev libsndfile1-dev libcairo2-dev libx11-dev"
check="$build libcmocka-dev lilv-utils sordi serdi valgrind jalv jackd2 libjack-jackd2-dev ardour libsuil-0-0 xvfb xdotool imagemagick python3"
run="$build jalv jackd2"
fuzz="$build clang libclang-rt-14-dev"

case "${1:-build}" in
build) want="$build" ;;
check) want="$check" ;;
run) want="$run" ;;
fuzz) want="$fuzz" ;;
*) echo "deps.sh: unknown set '$1' (build, check, run or fuzz)" >&2; exit 2 ;;
esac

missing=""
for pkg in $want; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
else
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run: sudo apt-get install$missing" >&2
	exit 1
fi

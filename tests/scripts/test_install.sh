#!/bin/sh
# make install / make uninstall, as a distribution package and as a user:
#   1. make install DESTDIR=$tmp PREFIX=/usr   -> $tmp/usr/lib/lv2/eighttrack.lv2/
#   2. make install LV2DIR=$tmp/custom         -> $tmp/custom/eighttrack.lv2/
# Each time: the bundle's files (manifest.ttl, eighttrack.ttl, eighttrack.so,
# the UI's eighttrack_ui.ttl and eighttrack_ui.so, presets/*.ttl) are
# there, lv2info finds the plugin and its UI from there alone (with
# its four presets, read from the installed preset files), and
# make uninstall with the same variables removes every file it installed.
# Run from anywhere; exits non-zero with a message on the first failure.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
MAKE=${MAKE:-make}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-install.XXXXXX") || exit 1
log=$(mktemp -d "${TMPDIR:-/tmp}/eighttrack-install-log.XXXXXX") || exit 1
trap 'rm -rf "$tmp" "$log"' EXIT
trap 'exit 130' INT TERM HUP

fail() {
	echo "test_install: FAIL: $*" >&2
	exit 1
}

PRESETS="keystep_to_one_synth omni_live_looper eight_synths layers_on_one_synth"
LABELS="Keystep to one synth|Omni live looper|Eight synths on channels 1-8|Layers on one synth"

# check_installed DIR: DIR is the lv2 directory that should hold the bundle.
check_installed() {
	dir=$1
	b=$dir/eighttrack.lv2
	[ -d "$b" ] || fail "no bundle directory $b"
	for f in manifest.ttl eighttrack.ttl eighttrack.so eighttrack_ui.ttl eighttrack_ui.so; do
		[ -f "$b/$f" ] || fail "$b/$f was not installed"
		[ -s "$b/$f" ] || fail "$b/$f is empty"
	done
	[ -d "$b/presets" ] || fail "$b/presets/ was not installed"
	for p in $PRESETS; do
		[ -f "$b/presets/$p.ttl" ] || fail "$b/presets/$p.ttl was not installed"
		cmp -s "$here/ttl/presets/$p.ttl" "$b/presets/$p.ttl" ||
			fail "$b/presets/$p.ttl differs from ttl/presets/$p.ttl"
	done
	grep -q '@LIB_EXT@' "$b/manifest.ttl" && fail "$b/manifest.ttl still has @LIB_EXT@"
	# Nothing of the build tree leaked into the install.
	case $(cat "$b/manifest.ttl" "$b/eighttrack.ttl") in
	*"$here"*) fail "installed .ttl files mention the build directory $here" ;;
	esac

	# The plugin, from this directory alone.
	LV2_PATH=$dir lv2info urn:eighttrack:plugin >"$log/info.out" 2>"$log/info.err" ||
		{ cat "$log/info.err" >&2; fail "lv2info with LV2_PATH=$dir did not find urn:eighttrack:plugin"; }
	if grep -Eiq 'error|warning|fail' "$log/info.err"; then
		cat "$log/info.err" >&2
		fail "lv2info with LV2_PATH=$dir printed errors"
	fi
	grep -q "Name: *Eighttrack\$" "$log/info.out" || fail "lv2info: name is not Eighttrack"
	grep -q "Bundle: *file://$b/\$" "$log/info.out" ||
		fail "lv2info: plugin not loaded from $b ($(grep Bundle: "$log/info.out"))"
	grep -q "Binary: *file://$b/eighttrack.so\$" "$log/info.out" ||
		fail "lv2info: binary is not $b/eighttrack.so"
	grep -q "urn:eighttrack:ui" "$log/info.out" ||
		fail "lv2info: the plugin's UI urn:eighttrack:ui is not listed from $b"
	grep -q "file://$b/eighttrack_ui.so" "$log/info.out" ||
		fail "lv2info: the UI binary is not $b/eighttrack_ui.so"
	# lv2info loads each preset's own file for its label, and prints the URI
	# instead when that file is missing.
	n=$(sed -n '/^[[:space:]]*Presets:/,/^[[:space:]]*$/p' "$log/info.out" |
		grep -Ec "^[[:space:]]+($LABELS)\$")
	[ "$n" -eq 4 ] || { sed -n '/Presets:/,/^\s*$/p' "$log/info.out" >&2; fail "lv2info lists $n of the 4 presets by label"; }
	m=$(sed -n '/^[[:space:]]*Presets:/,/^[[:space:]]*$/p' "$log/info.out" | grep -c '^[[:space:]]\{3,\}[^[:space:]]')
	[ "$m" -eq 4 ] || fail "lv2info lists $m presets, expected exactly 4"
}

# check_removed ROOT DIR: no file is left anywhere under ROOT, and DIR's
# bundle directory is gone.
check_removed() {
	root=$1 dir=$2
	[ -e "$dir/eighttrack.lv2" ] && {
		find "$dir/eighttrack.lv2" >&2
		fail "make uninstall left $dir/eighttrack.lv2"
	}
	left=$(find "$root" ! -type d)
	[ -z "$left" ] || { echo "$left" >&2; fail "make uninstall left files under $root"; }
	return 0
}

cd "$here" || exit 1
echo "== make (build)"
$MAKE -s all >"$log/build.log" 2>&1 || { cat "$log/build.log" >&2; fail "make all failed"; }

echo "== make install DESTDIR=\$tmp PREFIX=/usr"
$MAKE -s install DESTDIR="$tmp" PREFIX=/usr >"$log/make.log" 2>&1 ||
	{ cat "$log/make.log" >&2; fail "make install DESTDIR=... PREFIX=/usr failed"; }
check_installed "$tmp/usr/lib/lv2"
[ -x "$tmp/usr/lib/lv2/eighttrack.lv2/eighttrack.so" ] || fail "eighttrack.so is not executable (mode 755)"
echo "   installed and loadable from \$tmp/usr/lib/lv2, 4 presets"

echo "== make uninstall DESTDIR=\$tmp PREFIX=/usr"
$MAKE -s uninstall DESTDIR="$tmp" PREFIX=/usr >"$log/make.log" 2>&1 ||
	{ cat "$log/make.log" >&2; fail "make uninstall DESTDIR=... PREFIX=/usr failed"; }
check_removed "$tmp" "$tmp/usr/lib/lv2"
echo "   nothing left"

echo "== make install LV2DIR=\$tmp/custom"
$MAKE -s install LV2DIR="$tmp/custom" >"$log/make.log" 2>&1 ||
	{ cat "$log/make.log" >&2; fail "make install LV2DIR=... failed"; }
check_installed "$tmp/custom"
echo "   installed and loadable from \$tmp/custom, 4 presets"

echo "== make uninstall LV2DIR=\$tmp/custom"
$MAKE -s uninstall LV2DIR="$tmp/custom" >"$log/make.log" 2>&1 ||
	{ cat "$log/make.log" >&2; fail "make uninstall LV2DIR=... failed"; }
check_removed "$tmp/custom" "$tmp/custom"
echo "   nothing left"

echo "test_install: all passed"

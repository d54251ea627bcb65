#!/bin/sh
# Fails unless a shared object exports exactly the given symbols.
set -eu
so="$1"; shift
want=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
have=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDBRVWiu]/ {print $3}' | sort -u | tr '\n' ' ')
if [ "$have" != "$want" ]; then
	echo "check_symbols.sh: $so exports '$have', expected '$want'" >&2
	exit 1
fi
echo "check_symbols.sh: $so exports only: $have"

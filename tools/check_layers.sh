#!/bin/sh
# The core knows nothing of LV2: no file in plugin/core/ includes an LV2
# header (<lv2/...>, "lv2/...", or any of the glue's own headers in
# plugin/lv2/), so the musical modules build and are tested without it.
# Usage: tools/check_layers.sh [plugin-folder]
dir=${1:-plugin}
glue=$(cd "$dir/lv2" && ls *.h | sed 's/[.]/[.]/g' | paste -sd'|')
bad=$(grep -En "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"](lv2/|lv2[.]h|($glue)\")" \
	"$dir"/core/*.c "$dir"/core/*.h)
if [ -n "$bad" ]; then
	echo "check_layers: plugin/core must not include LV2 or the LV2 glue:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "check_layers: plugin/core includes no LV2 header ($(ls "$dir"/core/*.[ch] | wc -l) files)"

#!/bin/sh
# Validates a bundle's Turtle against the installed LV2 specification.
set -eu
bundle="$1"
out=$(lv2_validate "$bundle"/*.ttl $(ls "$bundle"/presets/*.ttl 2>/dev/null) 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep -v '^Skipping' || true
echo "$out" | grep -q 'Found 0 errors' || { echo "validate.sh: lv2_validate reported errors"; exit 1; }
echo "$out" | grep -qi 'warning' && { echo "validate.sh: lv2_validate reported warnings"; exit 1; }
echo "validate.sh: $bundle is valid"

#!/usr/bin/env python3
"""Draws the README's round-trip figure from the onsets test_host_latency
measured (ET_ONSETS_CSV: lines "case,beat,offset_ms"): for each case, where
each beat's onset lands in the loop, against the beat (0 ms), as an SVG.

    ET_ONSETS_CSV=build/onsets.csv build/test_host_latency
    tools/plot_onsets.py build/onsets.csv docs/round_trip.svg

Plain SVG written by hand: no plotting library needed."""
import sys

W, H = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 50
COLOURS = {"uncompensated": "#c0392b", "latency_offset": "#2980b9",
           "calibrated": "#27ae60"}
LABELS = {"uncompensated": "no compensation",
          "latency_offset": "latency_offset = 12.29 ms",
          "calibrated": "after Calibrate"}


def main():
    rows = [line.strip().split(",") for line in open(sys.argv[1])
            if line.strip()]
    cases = {}
    for case, beat, ms in rows:
        cases.setdefault(case, []).append((int(beat), float(ms)))
    beats = sorted({b for pts in cases.values() for b, _ in pts})
    b0, b1 = beats[0], beats[-1]
    y_max = max(14.0, max(ms for pts in cases.values() for _, ms in pts))
    b0 -= 0.5
    b1 += 0.5
    y_min = -2.0

    def x(beat):
        return LEFT + (beat - b0) / max(1, b1 - b0) * (W - LEFT - RIGHT)

    def y(ms):
        return TOP + (y_max - ms) / (y_max - y_min) * (H - TOP - BOTTOM)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" '
           f'height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="20" text-anchor="middle" '
           f'font-size="14">Where the loop puts each beat\'s onset '
           f'(synth round trip 12.29 ms)</text>']
    # The +-1 ms band around the beat, and the grid.
    out.append(f'<rect x="{LEFT}" y="{y(1)}" width="{W - LEFT - RIGHT}" '
               f'height="{y(-1) - y(1)}" fill="#eafaf1"/>')
    out.append(f'<text x="{W - RIGHT - 4}" y="{y(1) - 4}" '
               f'text-anchor="end" fill="#27ae60">\u00b11 ms</text>')
    for ms in range(0, int(y_max) + 1, 2):
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(ms)}" '
                   f'y2="{y(ms)}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(ms) + 4}" '
                   f'text-anchor="end">{ms}</text>')
    out.append(f'<text x="16" y="{(TOP + H - BOTTOM) / 2}" '
               f'transform="rotate(-90 16 {(TOP + H - BOTTOM) / 2})" '
               f'text-anchor="middle">onset after the beat (ms)</text>')
    for beat in beats:
        out.append(f'<text x="{x(beat)}" y="{H - BOTTOM + 16}" '
                   f'text-anchor="middle">{beat}</text>')
    out.append(f'<text x="{(LEFT + W - RIGHT) / 2}" y="{H - 12}" '
               f'text-anchor="middle">beat (loop playing alone, '
               f'every repetition)</text>')
    # The legend sits between the late and the on-time points; each
    # series is drawn a little to the side so that equal ones all show.
    legend_y = y(8.5)
    shown = ["uncompensated", "latency_offset", "calibrated"]
    for i, case in enumerate(shown):
        if case not in cases:
            continue
        c = COLOURS[case]
        dx = (i - 1) * 0.18
        for beat, ms in cases[case]:
            out.append(f'<circle cx="{x(beat + dx)}" cy="{y(ms)}" r="4" '
                       f'fill="{c}"/>')
        out.append(f'<circle cx="{W - 210}" cy="{legend_y}" r="4" '
                   f'fill="{c}"/>')
        out.append(f'<text x="{W - 200}" y="{legend_y + 4}">'
                   f'{LABELS[case]}</text>')
        legend_y += 16
    out.append('</svg>')
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()

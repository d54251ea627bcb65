#!/usr/bin/env python3
"""Eighttrack inside Carla's engine (the helper of tests/scripts/test_carla.sh).

Runs Carla's own host library (libcarla_standalone2.so, through Carla's
Python bindings, carla_backend.py) on a JACK server that test_carla.sh
started (`jackd -d dummy`; JACK_DEFAULT_SERVER names it), in rack mode, with
two JACK clients of our own beside it:

  et-src-<id>  plays a known signal into Carla's audio-in1/2 (a seeded noise
               table indexed by the JACK frame, so every sample says where
               it came from) and MIDI events at chosen JACK frames into
               events-in;
  et-cap-<id>  records audio-out1/2 and events-out with their JACK frames.

Source and capture are separate clients, so the graph is src -> Carla -> cap
and all three run in the same JACK cycle: an output frame is comparable with
an input frame as it is.  Carla's internal transport is mapped onto JACK
frames by the plugin's MIDI Start (clock_out), sent at transport frame 0.

  carla_test.py record DIR   params vs the TTL; notes in -> out byte- and
                             frame-exact, once each in rack mode; a one-bar
                             loop recorded on the bar; the project saved
                             into DIR with what it played (record.json)
  carla_test.py reload DIR   a fresh process loads DIR's project: the loop
                             plays again in phase; notes held across a
                             restore end once when Carla sends CC 123/120
  carla_test.py ports DIR    single-client mode (each plugin port a JACK
                             port): the track outputs carry events only
                             while track_outs is on

Needs CARLA_LIB_FILE (libcarla_standalone2.so), CARLA_PY_DIR (the folder of
carla_backend.py), ET_BUNDLE_PARENT (the folder holding eighttrack.lv2),
ET_CLIENT (Carla's JACK client name, the same in every phase: Carla keeps
the plugin's state files under it).  Prints "ok:" lines; exits 1 on a
failure with "FAIL:" lines.
"""

import array
import ctypes
import json
import os
import random
import re
import subprocess
import sys
import time
from ctypes import (CDLL, CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_int,
                    c_size_t, c_uint8, c_uint32, c_ulong, c_void_p)

URI = "urn:eighttrack:plugin"
RATE = 48000
BPM = 120.0
BAR = int(RATE * 60 / BPM * 4)      # 96000 frames: a whole number of frames
# The loop's last 4 ms cross-fade into what came before its first sample
# (the seam); its first sample, the downbeat, is the input as it came.
XFADE = int(0.004 * RATE)
DECLICK = int(0.010 * RATE)         # left out after a transport start
TABLE = 1 << 17                     # the noise table: longer than a bar

failures = []


def ok(msg):
    print("ok: " + msg, flush=True)


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def finish():
    if failures:
        sys.exit(1)
    sys.exit(0)


def noise_table(seed):
    """Two copies of one table back to back, so any TABLE-long slice is
    contiguous."""
    rng = random.Random(seed)
    t = array.array("f", (rng.uniform(-0.5, 0.5) for _ in range(TABLE)))
    return t + t


SIGNAL = {"L": noise_table(1), "R": noise_table(2)}


def signal(side, jack_frame):
    return SIGNAL[side][jack_frame % TABLE]


# ----------------------------------------------------------------- JACK

class _MidiEvent(Structure):
    _fields_ = [("time", c_uint32), ("size", c_size_t), ("buffer", POINTER(c_uint8))]


_jack = None


def jack():
    global _jack
    if _jack is None:
        J = CDLL("libjack.so.0")
        sigs = {
            "jack_client_open": ([c_char_p, c_int, POINTER(c_int)], c_void_p),
            "jack_client_close": ([c_void_p], c_int),
            "jack_activate": ([c_void_p], c_int),
            "jack_deactivate": ([c_void_p], c_int),
            "jack_port_register": ([c_void_p, c_char_p, c_char_p, c_ulong, c_ulong], c_void_p),
            "jack_port_get_buffer": ([c_void_p, c_uint32], c_void_p),
            "jack_port_name": ([c_void_p], c_char_p),
            "jack_connect": ([c_void_p, c_char_p, c_char_p], c_int),
            "jack_set_process_callback": ([c_void_p, c_void_p, c_void_p], c_int),
            "jack_last_frame_time": ([c_void_p], c_uint32),
            "jack_midi_get_event_count": ([c_void_p], c_uint32),
            "jack_midi_event_get": ([POINTER(_MidiEvent), c_void_p, c_uint32], c_int),
            "jack_midi_clear_buffer": ([c_void_p], None),
            "jack_midi_event_write": ([c_void_p, c_uint32, POINTER(c_uint8), c_size_t], c_int),
            "jack_get_ports": ([c_void_p, c_char_p, c_char_p, c_ulong], POINTER(c_char_p)),
        }
        for name, (args, res) in sigs.items():
            fn = getattr(J, name)
            fn.argtypes = args
            fn.restype = res
        _jack = J
    return _jack


PROCESS = CFUNCTYPE(c_int, c_uint32, c_void_p)
AUDIO = b"32 bit float mono audio"
MIDI = b"8 bit raw midi"
PORT_IN, PORT_OUT = 0x1, 0x2


class Client:
    def __init__(self, name):
        J = jack()
        status = c_int(0)
        self.name = name
        self.c = J.jack_client_open(name.encode(), 0x01, byref(status))  # JackNoStartServer
        if not self.c:
            raise RuntimeError("jack_client_open(%s) failed, status 0x%x" % (name, status.value))
        self.cb = PROCESS(self.process)
        J.jack_set_process_callback(self.c, ctypes.cast(self.cb, c_void_p), None)

    def port(self, name, kind, flags):
        p = jack().jack_port_register(self.c, name.encode(), kind, flags, 0)
        if not p:
            raise RuntimeError("cannot register %s:%s" % (self.name, name))
        return p

    def start(self):
        if jack().jack_activate(self.c) != 0:
            raise RuntimeError("jack_activate(%s) failed" % self.name)

    def connect(self, src, dst):
        if jack().jack_connect(self.c, src.encode(), dst.encode()) != 0:
            raise RuntimeError("jack_connect %s -> %s failed" % (src, dst))

    def close(self):
        if self.c:
            jack().jack_deactivate(self.c)
            jack().jack_client_close(self.c)
            self.c = None

    def process(self, nframes, arg):
        return 0


class Source(Client):
    """The noise signal on two audio outputs, and MIDI events at the JACK
    frames they are scheduled for."""

    def __init__(self, name):
        super().__init__(name)
        self.out = {s: self.port("out_" + s.lower(), AUDIO, PORT_OUT) for s in "LR"}
        self.midi = self.port("midi_out", MIDI, PORT_OUT)
        self.addr = {s: SIGNAL[s].buffer_info()[0] for s in "LR"}
        self.queue = []   # (jack frame, bytes), in frame order
        self.late = 0

    def send(self, events):
        """events: (jack frame, [bytes]) in frame order, all in the future."""
        self.queue.extend((f, (c_uint8 * len(b))(*b)) for f, b in events)

    def process(self, nframes, arg):
        J = jack()
        j = J.jack_last_frame_time(self.c)
        at = (j % TABLE) * 4
        for s in "LR":
            ctypes.memmove(J.jack_port_get_buffer(self.out[s], nframes), self.addr[s] + at,
                           nframes * 4)
        buf = J.jack_port_get_buffer(self.midi, nframes)
        J.jack_midi_clear_buffer(buf)
        q = self.queue
        while q and q[0][0] - j < nframes:
            f, data = q.pop(0)
            d = f - j
            if d < 0:
                self.late += 1
                continue
            J.jack_midi_event_write(buf, d, data, len(data))
        return 0


class Capture(Client):
    """Records audio (while `audio_on`) and every MIDI event, with JACK
    frames."""

    def __init__(self, name, more_midi=()):
        super().__init__(name)
        self.inp = {s: self.port("in_" + s.lower(), AUDIO, PORT_IN) for s in "LR"}
        self.midi = self.port("midi_in", MIDI, PORT_IN)
        self.audio_on = False
        self.blocks = []  # (jack frame, bytes L, bytes R)
        self.events = []  # (jack frame, bytes) of midi_in
        # More MIDI inputs, each with its own list of events.
        self.more = [(n, self.port(n, MIDI, PORT_IN), []) for n in more_midi]
        self.ev = _MidiEvent()
        self.last = 0     # the end of the last cycle seen: JACK's clock here

    def events_of(self, name):
        return next(ev for n, p, ev in self.more if n == name)

    def read_midi(self, port, nframes, j, into):
        J = jack()
        buf = J.jack_port_get_buffer(port, nframes)
        for i in range(J.jack_midi_get_event_count(buf)):
            if J.jack_midi_event_get(byref(self.ev), buf, i) == 0:
                into.append((j + self.ev.time,
                             bytes(self.ev.buffer[k] for k in range(self.ev.size))))

    def process(self, nframes, arg):
        J = jack()
        j = J.jack_last_frame_time(self.c)
        if self.audio_on:
            self.blocks.append((j,) + tuple(
                ctypes.string_at(J.jack_port_get_buffer(self.inp[s], nframes), nframes * 4)
                for s in "LR"))
        self.read_midi(self.midi, nframes, j, self.events)
        for n, port, into in self.more:
            self.read_midi(port, nframes, j, into)
        self.last = j + nframes
        return 0

    def audio(self):
        """{side: (first jack frame, array of samples)}; fails on a gap."""
        if not self.blocks:
            return None
        first = self.blocks[0][0]
        out = {s: array.array("f") for s in "LR"}
        expect = first
        for j, l, r in self.blocks:
            if j != expect:
                raise RuntimeError("the capture has a gap at JACK frame %d (%d frames): an xrun"
                                   % (expect, j - expect))
            out["L"].frombytes(l)
            out["R"].frombytes(r)
            expect = j + len(l) // 4
        return first, out


# ---------------------------------------------------------------- Carla

class Carla:
    def __init__(self, client_name, bundle_parent, mode="rack"):
        sys.path.insert(0, os.environ["CARLA_PY_DIR"])
        import carla_backend as cb  # Carla's own ctypes bindings
        self.cb = cb
        self.version = getattr(cb, "CARLA_VERSION_STRING", "?")
        self.h = cb.CarlaHostDLL(os.environ["CARLA_LIB_FILE"], False)
        h = self.h
        h.set_engine_option(cb.ENGINE_OPTION_PROCESS_MODE,
                            {"rack": cb.ENGINE_PROCESS_MODE_CONTINUOUS_RACK,
                             "single": cb.ENGINE_PROCESS_MODE_SINGLE_CLIENT}[mode], "")
        h.set_engine_option(cb.ENGINE_OPTION_TRANSPORT_MODE, cb.ENGINE_TRANSPORT_MODE_INTERNAL, "")
        h.set_engine_option(cb.ENGINE_OPTION_PREFER_PLUGIN_BRIDGES, 0, "")
        h.set_engine_option(cb.ENGINE_OPTION_PREFER_UI_BRIDGES, 0, "")
        h.set_engine_option(cb.ENGINE_OPTION_OSC_ENABLED, 0, "")
        h.set_engine_option(cb.ENGINE_OPTION_PLUGIN_PATH, cb.PLUGIN_LV2, bundle_parent)
        os.environ["LV2_PATH"] = bundle_parent
        if not h.engine_init("JACK", client_name):
            raise RuntimeError("Carla's JACK engine did not start: %s" % h.get_last_error())
        self.name = client_name
        self.pid = None

    def idle(self, seconds):
        end = time.time() + seconds
        while True:
            self.h.engine_idle()
            left = end - time.time()
            if left <= 0:
                return
            time.sleep(min(0.01, left))

    def add(self):
        cb = self.cb
        if not self.h.add_plugin(cb.BINARY_NATIVE, cb.PLUGIN_LV2, "", "", URI, 0, None,
                                 cb.PLUGIN_OPTIONS_NULL):
            raise RuntimeError("Carla could not load %s: %s" % (URI, self.h.get_last_error()))
        self.pid = self.h.get_current_plugin_count() - 1
        self.idle(0.05)

    def params(self):
        h, cb, out = self.h, self.cb, []
        for i in range(h.get_parameter_count(self.pid)):
            info = h.get_parameter_info(self.pid, i)
            data = h.get_parameter_data(self.pid, i)
            rng = h.get_parameter_ranges(self.pid, i)
            out.append({"index": i, "port": data["rindex"], "symbol": info["symbol"],
                        "output": data["type"] == cb.PARAMETER_OUTPUT,
                        "min": rng["min"], "max": rng["max"], "default": rng["def"],
                        "value": h.get_current_parameter_value(self.pid, i)})
        return out

    def index(self, symbol):
        for i in range(self.h.get_parameter_count(self.pid)):
            if self.h.get_parameter_info(self.pid, i)["symbol"] == symbol:
                return i
        raise RuntimeError("Carla shows no parameter %s" % symbol)

    def set(self, symbol, value):
        self.h.set_parameter_value(self.pid, self.index(symbol), float(value))

    def get(self, symbol):
        return self.h.get_current_parameter_value(self.pid, self.index(symbol))

    def wait_for(self, symbol, value, seconds):
        end = time.time() + seconds
        while time.time() < end:
            if self.get(symbol) == value:
                return True
            self.idle(0.01)
        return False

    def close(self):
        self.h.set_engine_about_to_close()
        self.h.engine_close()


def jack_port_named(client, pattern):
    """The one JACK port whose full name matches the regex `pattern`."""
    J = jack()
    names = J.jack_get_ports(client.c, pattern.encode(), None, 0)
    found = []
    i = 0
    while names and names[i]:
        found.append(names[i].decode())
        i += 1
    if len(found) != 1:
        raise RuntimeError("JACK ports matching %s: %s" % (pattern, found or "none"))
    return found[0]


class Rig:
    """Carla plus our two clients, wired as src -> Carla (rack) -> cap."""

    def __init__(self, tag):
        self.carla = Carla(os.environ["ET_CLIENT"], os.environ["ET_BUNDLE_PARENT"])
        self.src = Source("et-src-" + tag)
        self.cap = Capture("et-cap-" + tag)
        self.src.start()
        self.cap.start()
        c, n = self.src, self.carla.name
        c.connect(c.name + ":out_l", n + ":audio-in1")
        c.connect(c.name + ":out_r", n + ":audio-in2")
        c.connect(c.name + ":midi_out", n + ":events-in")
        k = self.cap
        k.connect(n + ":audio-out1", k.name + ":in_l")
        k.connect(n + ":audio-out2", k.name + ":in_r")
        k.connect(n + ":events-out", k.name + ":midi_in")


    def close(self):
        self.src.close()
        self.cap.close()
        self.carla.close()

    def frame(self):
        """Where the JACK cycles are (jack_frame_time can lag behind the
        cycles of the dummy driver)."""
        return self.cap.last

    def soon(self, seconds=0.1):
        """A JACK frame safely in the future."""
        return self.frame() + int(seconds * RATE)

    def play_from_zero(self):
        """Relocates to 0 and rolls; returns the JACK frame of transport
        frame 0, from the plugin's MIDI Start."""
        h = self.carla.h
        h.transport_pause()
        h.transport_bpm(BPM)
        h.transport_relocate(0)
        self.carla.idle(0.1)
        mark = len(self.cap.events)
        h.transport_play()
        end = time.time() + 2.0
        while time.time() < end:
            self.carla.idle(0.01)
            for f, b in self.cap.events[mark:]:
                if b == b"\xfa":
                    return f
        raise RuntimeError("no MIDI Start from the plugin within 2 s of transport_play "
                           "(clock_out is on)")


class PortsRig(Rig):
    """Carla in single-client mode, where each port of the plugin is a JACK
    port of its own (wired apart, as in Ardour or Carla's patchbay):
    src -> the plugin's MIDI in; its MIDI out, Track 1 out and Track 3 out
    -> cap."""

    def __init__(self, tag):
        self.carla = Carla(os.environ["ET_CLIENT"], os.environ["ET_BUNDLE_PARENT"],
                           mode="single")
        self.carla.add()
        self.carla.idle(0.2)
        self.src = Source("et-src-" + tag)
        self.cap = Capture("et-cap-" + tag, ("track1", "track3"))
        self.src.start()
        self.cap.start()
        base = "^" + re.escape(self.carla.name) + ":.*"
        c, k = self.src, self.cap
        c.connect(c.name + ":midi_out", jack_port_named(c, base + "events-in$"))
        k.connect(jack_port_named(k, base + "MIDI out$"), k.name + ":midi_in")
        k.connect(jack_port_named(k, base + "Track 1 out$"), k.name + ":track1")
        k.connect(jack_port_named(k, base + "Track 3 out$"), k.name + ":track3")


# ------------------------------------------------------------ the checks

def lv2info_ports(bundle_parent):
    """Control ports as lv2info reads the TTL: {index: {symbol, dir, min, max, default}}."""
    env = dict(os.environ, LV2_PATH=bundle_parent)
    text = subprocess.run(["lv2info", URI], env=env, check=True, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout
    ports, cur, key = {}, None, None
    for line in text.splitlines():
        m = re.match(r"^\tPort (\d+):$", line)
        if m:
            cur = ports.setdefault(int(m.group(1)), {"types": []})
            key = None
            continue
        if cur is None:
            continue
        m = re.match(r"^\t\t(\w[\w ]*):\s*(.*)$", line)
        if m:
            key = m.group(1)
            value = m.group(2).strip()
        elif key and re.match(r"^\t\t\s+\S", line):
            value = line.strip()           # a continuation of the last key
        else:
            continue
        if key == "Type":
            cur["types"].append(value.rsplit("#", 1)[-1])
        elif key in ("Symbol", "Minimum", "Maximum", "Default"):
            cur[key.lower()] = value
    out = {}
    for i, p in ports.items():
        if "ControlPort" in p["types"]:
            out[i] = {"symbol": p["symbol"],
                      "dir": "out" if "OutputPort" in p["types"] else "in",
                      "min": float(p.get("minimum", "nan")),
                      "max": float(p.get("maximum", "nan")),
                      "default": float(p.get("default", "nan"))}
    return out


def check_params(carla):
    ttl = lv2info_ports(os.environ["ET_BUNDLE_PARENT"])
    got = {p["port"]: p for p in carla.params()}
    bad = 0
    for i, t in sorted(ttl.items()):
        c = got.get(i)
        if c is None:
            fail("port %d (%s) is not a parameter in Carla" % (i, t["symbol"]))
            bad += 1
            continue
        problems = []
        if c["symbol"] != t["symbol"]:
            problems.append("symbol %r" % c["symbol"])
        if c["output"] != (t["dir"] == "out"):
            problems.append("direction")
        for k in ("min", "max", "default"):
            want = t[k]
            if want != want:  # the TTL gives none (an output's default)
                continue
            if abs(c[k] - want) > 1e-5 * max(1.0, abs(want)):
                problems.append("%s %g, TTL %g" % (k, c[k], want))
        if t["dir"] == "in" and abs(c["value"] - t["default"]) > 1e-6:
            problems.append("starts at %g, default %g" % (c["value"], t["default"]))
        if problems:
            fail("parameter of port %d (%s): %s" % (i, t["symbol"], "; ".join(problems)))
            bad += 1
    extra = set(got) - set(ttl)
    if extra:
        fail("Carla shows parameters that are no control port: %s" % sorted(extra))
        bad += 1
    if not bad:
        ok("parameters: all %d control ports (%d in) match lv2info: index, symbol, direction, "
           "min, max, default; inputs start at their defaults"
           % (len(ttl), sum(1 for t in ttl.values() if t["dir"] == "in")))


def collect(rig, since, until_frame):
    """Captured MIDI events from index `since` with frame < until_frame,
    once the capture has passed it."""
    end = time.time() + 3.0
    while time.time() < end:
        rig.carla.idle(0.01)
        if rig.cap.events and rig.cap.events[-1][0] >= until_frame or \
                rig.frame() > until_frame + 2048:
            break
    return [(f, b) for f, b in rig.cap.events[since:] if f < until_frame]


def fmt(events, base):
    return ", ".join("%d:%s" % (f - base, b.hex(" ")) for f, b in events)


def check_notes(rig):
    """Notes in -> notes out at the same JACK frame, re-channelized and
    transposed by track 3, each once (track_outs at its default)."""
    c = rig.carla
    c.set("auto_channel", 1)
    c.set("active_track", 3)
    c.set("track3_channel", 7)
    c.set("track3_transpose", 5)
    c.idle(0.1)
    if c.get("track_outs") != 0.0:
        fail("track_outs is not 0 by default in Carla")
    # Frames inside blocks and on their edges, whatever the block size.
    t0 = rig.soon(0.2)
    sent = [(t0 + 0, [0x90, 60, 100]), (t0 + 37, [0x90, 64, 90]),
            (t0 + 255, [0x94, 40, 50]),      # channel 5: thru, unchanged
            (t0 + 256, [0x80, 60, 0]), (t0 + 511, [0x80, 64, 10]),
            (t0 + 777, [0x84, 40, 0]), (t0 + 1023, [0x96, 48, 1]),  # channel 7: track 3
            (t0 + 1500, [0x86, 48, 0])]
    want = [(t0 + 0, b"\x96\x41\x64"), (t0 + 37, b"\x96\x45\x5a"),
            (t0 + 255, b"\x94\x28\x32"), (t0 + 256, b"\x86\x41\x00"),
            (t0 + 511, b"\x86\x45\x0a"), (t0 + 777, b"\x84\x28\x00"),
            (t0 + 1023, b"\x96\x35\x01"), (t0 + 1500, b"\x86\x35\x00")]
    mark = len(rig.cap.events)
    rig.src.send(sent)
    got = collect(rig, mark, t0 + 4096)
    if got == want:
        ok("notes: %d events in -> out in rack mode, byte- and frame-exact (same JACK frame), "
           "each once with track_outs at its default 0" % len(want))
    else:
        fail("notes out are not the notes in, once each: got [%s], want [%s]"
             % (fmt(got, t0), fmt(want, t0)))

    # What the rack does with the track outputs on: every routed event twice.
    c.set("track_outs", 1)
    c.idle(0.1)
    t1 = rig.soon(0.2)
    mark = len(rig.cap.events)
    rig.src.send([(t1, [0x90, 60, 100]), (t1 + 100, [0x80, 60, 0])])
    got = collect(rig, mark, t1 + 4096)
    # (Carla's JACK rack output keeps what jack_midi_event_write accepts:
    # the second port's events that are older than the first port's last
    # one are dropped there; a next plugin in the rack would get them all.)
    print("info: with track_outs on, Carla's rack passes on %d events for 2 routed: [%s]"
          % (len(got), fmt(got, t1)), flush=True)
    c.set("track_outs", 0)
    c.idle(0.1)


def record(workdir):
    rig = Rig("a%d" % os.getpid())
    c = rig.carla
    try:
        c.add()
        ok("Carla %s loaded %s in rack mode on JACK (%d Hz, %d frames)"
           % (c.version, URI, c.h.get_sample_rate(), c.h.get_buffer_size()))
        check_params(c)
        check_notes(rig)

        # The loop: quantize Bar, one bar, armed in bar 1 (transport frame
        # 0..96000), so it records bar 2 [96000, 192000) and plays after.
        c.set("monitor", 0)        # out = the loop alone
        c.set("clock_out", 1)      # Start marks transport frame 0
        c.set("loop_quantize", 2)
        c.set("loop_bars", 1)
        c.idle(0.1)
        rig.cap.audio_on = True
        zero = rig.play_from_zero()
        c.set("loop_arm", 1)
        if not c.wait_for("loop_state", 2.0, 3.0):
            fail("the loop never started recording (loop_state %g)" % c.get("loop_state"))
        elif rig.frame() < zero + BAR - c.h.get_buffer_size():
            fail("recording started before the block of the bar (JACK frame %d, bar at %d)"
                 % (rig.frame(), zero + BAR))
        if not c.wait_for("loop_state", 3.0, 4.0):
            raise RuntimeError("the loop never played (loop_state %g)" % c.get("loop_state"))
        c.set("loop_arm", 0)
        length = c.get("loop_length")
        if round(length * RATE) == BAR and abs(length * RATE - BAR) < 0.01:
            ok("loop recorded on the bar with the transport rolling: loop_length %.6f s = %d "
               "frames, one bar at %g BPM" % (length, BAR, BPM))
        else:
            fail("loop_length %.6f s = %.2f frames, not one bar (%d)" % (length, length * RATE, BAR))

        # Two passes of playback: transport [2 bars, 4 bars).
        while rig.frame() < zero + 4 * BAR + 4096:
            c.idle(0.01)
        rig.cap.audio_on = False
        first, audio = rig.cap.audio()
        if first > zero + 2 * BAR:
            raise RuntimeError("the capture [%d, +%d) missed part of the loop's playback "
                               "[%d, %d)" % (first, len(audio["L"]), zero + 2 * BAR,
                                             zero + 4 * BAR))
        c.h.transport_pause()
        c.idle(0.05)

        # Loop sample k, as played on pass 1 and 2, against the input at
        # transport 1 bar + k (JACK frame zero + BAR + k).
        loop = {}
        worst = 0
        for s in "LR":
            pass1 = audio[s][zero + 2 * BAR - first: zero + 3 * BAR - first]
            pass2 = audio[s][zero + 3 * BAR - first: zero + 4 * BAR - first]
            if len(pass1) != BAR or len(pass2) != BAR:
                raise RuntimeError("the capture [%d, +%d) missed part of the loop's playback "
                                   "[%d, %d)" % (first, len(audio[s]), zero + 2 * BAR,
                                                 zero + 4 * BAR))
            loop[s] = pass1
            diff2 = [k for k in range(BAR) if pass1[k] != pass2[k]]
            if diff2:
                fail("%s: pass 2 differs from pass 1 at %d samples, first k=%d"
                     % (s, len(diff2), diff2[0]))
            diff = [k for k in range(BAR - XFADE)
                    if abs(pass1[k] - signal(s, zero + BAR + k)) > 1e-6]
            worst = max(worst, len(diff))
            if diff:
                k = diff[0]
                fail("%s: loop sample %d is %g, the input at transport %d was %g "
                     "(%d samples differ)" % (s, k, pass1[k], BAR + k,
                                              signal(s, zero + BAR + k), len(diff)))
        if not worst:
            ok("loop content: sample k plays at transport 2 bars + k and 3 bars + k, seam "
               "included, and is the input at transport 1 bar + k: recorded from the bar's "
               "first frame, exactly, the downbeat at full height (but the last %d frames, "
               "the seam's cross-fade)" % XFADE)

        project = os.path.join(workdir, "eighttrack.carxp")
        if not c.h.save_project(project):
            raise RuntimeError("save_project failed: %s" % c.h.get_last_error())
        ok("project saved: %s" % project)
        with open(os.path.join(workdir, "record.json"), "w") as f:
            json.dump({"loop_length": length,
                       "loop": {s: loop[s].tolist() for s in "LR"}}, f)
    finally:
        if rig.src.late:
            fail("%d MIDI events were scheduled too late to send" % rig.src.late)
        rig.close()
    finish()


def reload(workdir):
    with open(os.path.join(workdir, "record.json")) as f:
        saved = json.load(f)
    loop = {s: array.array("f", saved["loop"][s]) for s in "LR"}
    rig = Rig("b%d" % os.getpid())
    c = rig.carla
    try:
        project = os.path.join(workdir, "eighttrack.carxp")
        if not c.h.load_project(project):
            raise RuntimeError("load_project failed: %s" % c.h.get_last_error())
        c.idle(0.3)
        if c.h.get_current_plugin_count() != 1:
            raise RuntimeError("the project holds %d plugins" % c.h.get_current_plugin_count())
        c.pid = 0
        if not c.wait_for("loop_state", 3.0, 3.0):
            fail("after the load loop_state is %g, not 3 (playing)" % c.get("loop_state"))
        length = c.get("loop_length")
        if length != saved["loop_length"]:
            fail("loop_length %.6f s after the load, %.6f s before" % (length, saved["loop_length"]))
        else:
            ok("fresh process: the project loaded, loop_state 3, loop_length %.6f s as saved"
               % length)
        print("info: CC 123 seen on the output since the project load: %d"
              % sum(1 for f, b in rig.cap.events if b[0] & 0xF0 == 0xB0 and b[1] == 123),
              flush=True)

        rig.cap.audio_on = True
        zero = rig.play_from_zero()
        while rig.frame() < zero + 2 * BAR + 4096:
            c.idle(0.01)
        rig.cap.audio_on = False
        first, audio = rig.cap.audio()
        if first > zero or first + len(audio["L"]) < zero + 2 * BAR:
            raise RuntimeError("the capture [%d, +%d) missed part of [%d, %d)"
                               % (first, len(audio["L"]), zero, zero + 2 * BAR))
        bad = 0
        for s in "LR":
            got = audio[s]
            diffs = []
            for t in range(DECLICK, 2 * BAR):   # transport frame
                k = t % BAR                      # the loop started on a bar
                if abs(got[zero + t - first] - loop[s][k]) > 1e-6:
                    diffs.append(t)
            if diffs:
                t = diffs[0]
                fail("%s: at transport %d the reloaded loop plays %g, before the save %g "
                     "(%d samples differ)" % (s, t, got[zero + t - first], loop[s][t % BAR],
                                              len(diffs)))
                bad += 1
        if not bad:
            ok("in phase: from transport %d ms to 2 bars, the reloaded loop plays, sample for "
               "sample, what it played at the same place in the bar before the save, seam "
               "included" % (DECLICK * 1000 // RATE))
        c.h.transport_pause()
        c.idle(0.05)
        check_burst(rig, workdir)
    finally:
        if rig.src.late:
            fail("%d MIDI events were scheduled too late to send" % rig.src.late)
        rig.close()
    finish()


def channel_events(events):
    """What a synth acts on: no clock, Start/Stop or song position."""
    return [(f, b) for f, b in events if b[0] < 0xF0]


def notes_of(events):
    return [(f, b) for f, b in events if b[0] & 0xE0 == 0x80]


def check_burst(rig, workdir):
    """Notes held across a state restore, then Carla's CC 123/120 burst on
    all 16 channels (Carla sends it after a blocking operation on the
    plugin: here a deactivate/activate; our restore is thread-safe, so it
    blocks nothing): each held note ends exactly once, and the key releases
    that follow add nothing."""
    c = rig.carla
    # A state to restore, with another active track: the held notes must
    # still end on the channel and note they were sent with.
    c.set("active_track", 5)
    c.idle(0.1)
    state = os.path.join(workdir, "eighttrack.carxs")
    if not c.h.save_plugin_state(c.pid, state):
        raise RuntimeError("save_plugin_state failed: %s" % c.h.get_last_error())
    c.set("active_track", 3)
    c.idle(0.1)

    t0 = rig.soon(0.1)
    mark = len(rig.cap.events)
    rig.src.send([(t0, [0x90, 60, 100]), (t0 + 1, [0x90, 64, 100]), (t0 + 2, [0x94, 62, 100])])
    held = channel_events(collect(rig, mark, t0 + 4096))
    want_held = [(t0, b"\x96\x41\x64"), (t0 + 1, b"\x96\x45\x64"), (t0 + 2, b"\x94\x3e\x64")]
    if held != want_held:
        fail("held notes: got [%s], want [%s]" % (fmt(held, t0), fmt(want_held, t0)))
        return

    mark = len(rig.cap.events)
    if not c.h.load_plugin_state(c.pid, state):
        raise RuntimeError("load_plugin_state failed: %s" % c.h.get_last_error())
    c.idle(0.3)
    if c.get("active_track") != 5.0:
        fail("after load_plugin_state active_track is %g, not 5" % c.get("active_track"))
    print("info: after Carla's load_plugin_state (.carxs): loop_state %g, %d events out"
          % (c.get("loop_state"), len(channel_events(rig.cap.events[mark:]))), flush=True)

    c.h.set_active(c.pid, False)
    c.idle(0.1)
    c.h.set_active(c.pid, True)
    c.idle(0.3)
    t1 = rig.soon(0.1)
    rig.src.send([(t1, [0x80, 60, 0]), (t1 + 1, [0x80, 64, 0]), (t1 + 2, [0x84, 62, 0])])
    after = channel_events(collect(rig, mark, t1 + 4096))
    cc123 = sum(1 for f, b in after if b[0] & 0xF0 == 0xB0 and b[1] == 123)
    cc120 = sum(1 for f, b in after if b[0] & 0xF0 == 0xB0 and b[1] == 120)
    if cc123 < 16 or cc120 < 16:
        fail("no CC 123/120 burst from Carla reached the output (%d CC 123, %d CC 120): "
             "[%s]" % (cc123, cc120, fmt(after, t1)))
        return
    notes = notes_of(after)
    ends = {}
    for f, b in notes:
        if b[0] & 0xF0 == 0x80 or b[2] == 0:
            key = (b[0] & 0x0F, b[1])
            ends[key] = ends.get(key, 0) + 1
    want = {(6, 0x41): 1, (6, 0x45): 1, (4, 0x3e): 1}
    others = [(f, b) for f, b in notes if not (b[0] & 0xF0 == 0x80 or b[2] == 0)]
    if ends == want and not others:
        ok("after the restore, Carla's burst (%d CC 123, %d CC 120 routed on) ends each of the "
           "3 held notes once, on the channel and note it was sent with; the key releases "
           "that follow add no note-off" % (cc123, cc120))
    else:
        fail("after the restore and Carla's burst the note messages are [%s]; want one "
             "note-off each for ch7 65, ch7 69, ch5 62" % fmt(notes, t1))


def ports(workdir):
    """track_outs where the track outputs are wired apart: off (the
    default), they stay empty; on, each carries its track's events, once,
    beside the merged output; turned off mid-note, the track output ends
    its note at once and the merged output when the key is released."""
    rig = PortsRig("p%d" % os.getpid())
    c = rig.carla
    try:
        ok("Carla in single-client mode: the plugin's MIDI out, Track 1 out and Track 3 out "
           "are JACK ports of their own")
        c.set("auto_channel", 1)
        c.set("active_track", 3)
        c.set("track3_channel", 7)
        c.idle(0.1)

        def play(events, span=4096):
            t = rig.soon(0.2)
            marks = (len(rig.cap.events), len(rig.cap.events_of("track1")),
                     len(rig.cap.events_of("track3")))
            rig.src.send([(t + d, b) for d, b in events])
            collect(rig, marks[0], t + span)
            return (t, rig.cap.events[marks[0]:], rig.cap.events_of("track1")[marks[1]:],
                    rig.cap.events_of("track3")[marks[2]:])

        on_off = [(0, [0x90, 60, 100]), (300, [0x80, 60, 0])]
        want = [(0, b"\x96\x3c\x64"), (300, b"\x86\x3c\x00")]
        t, merged, t1, t3 = play(on_off)
        rel = lambda evs: [(f - t, b) for f, b in evs]  # noqa: E731
        if rel(merged) == want and not t1 and not t3:
            ok("track_outs 0 (default): MIDI out carries the notes once, Track 1 and Track 3 "
               "out stay empty")
        else:
            fail("track_outs 0: MIDI out [%s], Track 1 out [%s], Track 3 out [%s]"
                 % (fmt(merged, t), fmt(t1, t), fmt(t3, t)))

        c.set("track_outs", 1)
        c.idle(0.1)
        t, merged, t1, t3 = play(on_off)
        if rel(merged) == want and rel(t3) == want and not t1:
            ok("track_outs 1: MIDI out and Track 3 out each carry track 3's notes once, at "
               "the same frames; Track 1 out stays empty")
        else:
            fail("track_outs 1: MIDI out [%s], Track 1 out [%s], Track 3 out [%s]"
                 % (fmt(merged, t), fmt(t1, t), fmt(t3, t)))

        # Turned off while a note sounds: Track 3 out ends it at once.
        t, merged, t1, t3 = play([(0, [0x90, 62, 90])])
        mark3 = len(rig.cap.events_of("track3"))
        c.set("track_outs", 0)
        c.idle(0.2)
        ended = rig.cap.events_of("track3")[mark3:]
        t, merged, t1, t3 = play([(0, [0x80, 62, 0])])
        if [b for f, b in ended] == [b"\x86\x3e\x40"] and not t3 and \
                rel(merged) == [(0, b"\x86\x3e\x00")]:
            ok("track_outs turned off mid-note: Track 3 out ends the note at once (86 3e 40), "
               "MIDI out ends it once when the key is released")
        else:
            fail("track_outs turned off mid-note: Track 3 out [%s] then [%s], MIDI out [%s]"
                 % (fmt(ended, 0), fmt(t3, t), fmt(merged, t)))
    finally:
        if rig.src.late:
            fail("%d MIDI events were scheduled too late to send" % rig.src.late)
        rig.close()
    finish()


def main(argv):
    phases = {"record": record, "reload": reload, "ports": ports}
    if len(argv) != 3 or argv[1] not in phases:
        print(__doc__, file=sys.stderr)
        return 2
    sys.setswitchinterval(0.0005)   # our JACK callbacks need the GIL quickly
    try:
        phases[argv[1]](argv[2])
    except RuntimeError as e:
        fail(str(e))
        finish()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

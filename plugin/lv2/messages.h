/* The messages between the plugin and its UI, shared by both sides.
 *
 * UI -> plugin, on midi_in (atom:eventTransfer):
 *   [ a msg:Request ]  sent when the UI opens: the plugin answers with the
 *                      note activity, the playheads and the waveform
 *                      overviews of all eight loops.
 *   [ a msg:Alive ]    sent every second while the UI is open.  The
 *                      overviews, the playheads and the input meter are
 *                      computed and sent only while a Request or an Alive
 *                      came within ET_MSG_LISTEN_SECONDS: without a UI the
 *                      plugin spends nothing on them.
 *
 * plugin -> UI, on notify (atom:Object events):
 *   [ a msg:Activity ; msg:sounding Int ]
 *       bit t set: track t+1 has notes sounding.  Sent when it changes,
 *       and after a request, while a UI listens (as everything below).
 *   [ a msg:Overview ; msg:track Int ; msg:serial Int ; msg:length Long ;
 *     msg:binCount Int ; msg:first Int ; msg:peaks Vector<Float> ]
 *       bins first .. first+n-1 of the overview numbered `serial` of the
 *       loop of track `track` (1 .. 8), `length` frames long (0: no loop,
 *       and no peaks).  Bin b covers frames [b*length/binCount,
 *       (b+1)*length/binCount) and holds the largest absolute sample of
 *       either channel there.  Each loop numbers its own overviews.  An
 *       overview goes out in chunks, in order, in one run() or over
 *       several when the port is small; it is always sent to its end
 *       before another (of any loop) starts at bin 0.  The loops whose
 *       overview changed take turns.  A UI that misses a chunk asks again
 *       (a Request), at most once a second.
 *   [ a msg:Playheads ; msg:positions Vector<Float> ]
 *       eight floats, one per track's loop: its playback phase 0 .. 1, or
 *       -1 when it has no loop playing (empty, or recording a first take).
 *       Sent at most every ET_MSG_PLAYHEAD_SECONDS, when one changed, and
 *       after a request.
 *   [ a msg:Meter ; msg:input Vector<Float> ]
 *       two floats: the peak absolute sample of in_l and of in_r since the
 *       last Meter (linear, 1 = 0 dBFS, at most 16), every
 *       ET_MSG_METER_SECONDS.
 *   [ a msg:Calibration ; msg:track Int ; msg:state Int ; msg:reason Int ;
 *     msg:latency Float ; msg:spread Float ; msg:answered Int ]
 *       the round-trip calibration of track `track` (1 .. 8): `state` is
 *       ET_MSG_CALIBRATION_* (none yet, running, done, failed, refused);
 *       when it failed, `reason` says why (ET_MSG_CALIBRATION_NO_ANSWER
 *       ...; 0 otherwise).  `latency` is the median round trip it measured
 *       and `spread` the largest minus the smallest answer, both in ms (0
 *       when nothing was measured; a failure as too late has a latency);
 *       `answered` test notes came back (of at most five).  Sent when one
 *       starts, when it ends (refused at once, or done, or failed), and
 *       after a request, while a UI listens.  168 bytes as a sequence
 *       event: it fits even a port of 200 bytes.
 */
#ifndef ET_MESSAGES_H
#define ET_MESSAGES_H

#define ET_MSG_URI "urn:eighttrack:msg#"

#define ET_MSG__Request     ET_MSG_URI "Request"
#define ET_MSG__Alive       ET_MSG_URI "Alive"
#define ET_MSG__Activity    ET_MSG_URI "Activity"
#define ET_MSG__Overview    ET_MSG_URI "Overview"
#define ET_MSG__Playheads   ET_MSG_URI "Playheads"
#define ET_MSG__Meter       ET_MSG_URI "Meter"
#define ET_MSG__Calibration ET_MSG_URI "Calibration"
#define ET_MSG__sounding    ET_MSG_URI "sounding"
#define ET_MSG__track       ET_MSG_URI "track"
#define ET_MSG__serial      ET_MSG_URI "serial"
#define ET_MSG__length      ET_MSG_URI "length"
#define ET_MSG__binCount    ET_MSG_URI "binCount"
#define ET_MSG__first       ET_MSG_URI "first"
#define ET_MSG__peaks       ET_MSG_URI "peaks"
#define ET_MSG__positions   ET_MSG_URI "positions"
#define ET_MSG__input       ET_MSG_URI "input"
#define ET_MSG__state       ET_MSG_URI "state"
#define ET_MSG__reason      ET_MSG_URI "reason"
#define ET_MSG__latency     ET_MSG_URI "latency"
#define ET_MSG__spread      ET_MSG_URI "spread"
#define ET_MSG__answered    ET_MSG_URI "answered"

/* msg:Calibration's state, and its reason when it failed (the calibrator's
 * own, plugin/core/calibrate.h, numbered alike). */
#define ET_MSG_CALIBRATION_NONE      0 /* no calibration since instantiate */
#define ET_MSG_CALIBRATION_RUNNING   1
#define ET_MSG_CALIBRATION_DONE      2
#define ET_MSG_CALIBRATION_FAILED    3
#define ET_MSG_CALIBRATION_REFUSED   4 /* a take or pass ran, or no input */
#define ET_MSG_CALIBRATION_NO_ANSWER 1
#define ET_MSG_CALIBRATION_TOO_LATE  2
#define ET_MSG_CALIBRATION_NOT_QUIET 3
#define ET_MSG_CALIBRATION_CANCELLED 4

/* How long the plugin keeps the overviews up to date after the UI's last
 * Request or Alive, and how often the UI sends Alive. */
#define ET_MSG_LISTEN_SECONDS 3.0
#define ET_MSG_ALIVE_SECONDS  1.0

/* How often the playheads (at most) and the input meter go out. */
#define ET_MSG_PLAYHEAD_SECONDS 0.04
#define ET_MSG_METER_SECONDS    0.1

/* Bins per Overview message: 64 floats, 424 bytes as a sequence event. */
#define ET_MSG_OVERVIEW_CHUNK 64

/* The notify port's rsz:minimumSize, in bytes: room for a full round in
 * one run(), the eight loops' whole overviews (64 chunks of 424 bytes)
 * with an Activity, a Playheads, a Meter and a Calibration (27 504 bytes
 * with the sequence's header; notify.c checks it), rounded up to a power
 * of two.
 * A smaller buffer still works: what does not fit waits for the next
 * block. */
#define ET_MSG_NOTIFY_MIN_SIZE 32768

#endif

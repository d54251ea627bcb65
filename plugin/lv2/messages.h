/* The messages between the plugin and its UI, shared by both sides.
 *
 * UI -> plugin, on midi_in (atom:eventTransfer):
 *   [ a msg:Request ]  sent when the UI opens: the plugin answers with the
 *                      note activity and the whole waveform overview.
 *   [ a msg:Alive ]    sent every second while the UI is open.  The
 *                      overview is computed only while a Request or an
 *                      Alive came within ET_MSG_LISTEN_SECONDS: without a
 *                      UI the plugin spends nothing on it.
 *
 * plugin -> UI, on notify (atom:Object events):
 *   [ a msg:Activity ; msg:sounding Int ]
 *       bit t set: track t+1 has notes sounding.  Sent when it changes,
 *       and after a request.
 *   [ a msg:Overview ; msg:serial Int ; msg:length Long ; msg:binCount Int ;
 *     msg:first Int ; msg:peaks Vector<Float> ]
 *       bins first .. first+n-1 of the overview numbered `serial` of a loop
 *       of `length` frames (0: no loop, and no peaks).  Bin b covers frames
 *       [b*length/binCount, (b+1)*length/binCount) and holds the largest
 *       absolute sample of either channel there.  An overview goes out in
 *       chunks, in order, in one run() or over several when the port is
 *       small; it is always sent to its end before the next (a new serial)
 *       starts at bin 0.  A UI that misses a chunk asks again (a
 *       Request), at most once a second.
 */
#ifndef ET_MESSAGES_H
#define ET_MESSAGES_H

#define ET_MSG_URI "urn:eighttrack:msg#"

#define ET_MSG__Request  ET_MSG_URI "Request"
#define ET_MSG__Alive    ET_MSG_URI "Alive"
#define ET_MSG__Activity ET_MSG_URI "Activity"
#define ET_MSG__Overview ET_MSG_URI "Overview"
#define ET_MSG__sounding ET_MSG_URI "sounding"
#define ET_MSG__serial   ET_MSG_URI "serial"
#define ET_MSG__length   ET_MSG_URI "length"
#define ET_MSG__binCount ET_MSG_URI "binCount"
#define ET_MSG__first    ET_MSG_URI "first"
#define ET_MSG__peaks    ET_MSG_URI "peaks"

/* How long the plugin keeps the overview up to date after the UI's last
 * Request or Alive, and how often the UI sends Alive. */
#define ET_MSG_LISTEN_SECONDS 3.0
#define ET_MSG_ALIVE_SECONDS  1.0

/* Bins per Overview message: 64 floats, about 400 bytes with the header. */
#define ET_MSG_OVERVIEW_CHUNK 64

#endif

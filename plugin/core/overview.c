#include "overview.h"

#include <math.h>
#include <string.h>

void
et_overview_init(EtOverview *ov)
{
	memset(ov, 0, sizeof(*ov));
}

uint32_t
et_overview_bin_start(uint32_t bin, uint32_t length)
{
	return (uint32_t)(((uint64_t)bin * length) / ET_OVERVIEW_BINS);
}

/* The bin that frame lies in: the largest b with bin_start(b) <= frame. */
static uint32_t
bin_of(uint32_t frame, uint32_t length)
{
	uint32_t b = (uint32_t)(((uint64_t)frame * ET_OVERVIEW_BINS) / length);
	/* Integer division can land one bin early or late at a boundary. */
	while (b + 1 < ET_OVERVIEW_BINS &&
	       et_overview_bin_start(b + 1, length) <= frame) {
		++b;
	}
	while (b > 0 && et_overview_bin_start(b, length) > frame) {
		--b;
	}
	return b;
}

/* NaN compares false and is skipped.  Eight lanes, so that the compiler
 * can vectorize it. */
float
et_overview_peak(const float *x, uint32_t n, float peak)
{
	float    lanes[8] = { peak, peak, peak, peak, peak, peak, peak, peak };
	uint32_t i        = 0;
	for (; i + 8 <= n; i += 8) {
		for (unsigned k = 0; k < 8; ++k) {
			const float a = fabsf(x[i + k]);
			lanes[k]      = a > lanes[k] ? a : lanes[k];
		}
	}
	for (; i < n; ++i) {
		const float a = fabsf(x[i]);
		lanes[0]      = a > lanes[0] ? a : lanes[0];
	}
	for (unsigned k = 1; k < 8; ++k) {
		lanes[0] = lanes[k] > lanes[0] ? lanes[k] : lanes[0];
	}
	return lanes[0];
}

static void
start_scan(EtOverview *ov, const EtLoopView *view)
{
	memset(ov->work, 0, sizeof(ov->work));
	ov->scan        = *view;
	ov->scan_length = view->length;
	ov->cursor      = 0;
	ov->scanning    = true;
	ov->again       = false;
}

void
et_overview_restart(EtOverview *ov)
{
	ov->scan_length = 0; /* no loop matches: the next update starts over */
	ov->scanning    = false;
	ov->forced      = true;
}

static bool
publish_empty(EtOverview *ov)
{
	ov->scanning    = false;
	ov->scan_length = 0;
	if (ov->length == 0 && ov->serial != 0 && !ov->forced) {
		return false; /* already empty, and said so */
	}
	ov->forced = false;
	memset(ov->peak, 0, sizeof(ov->peak));
	ov->length = 0;
	++ov->serial;
	return true;
}

bool
et_overview_update(EtOverview *ov, const EtLoopView *view, bool changing,
		   uint32_t budget)
{
	if (!view || view->length == 0 || !view->store) {
		return publish_empty(ov);
	}

	const bool same_loop = ov->scan_length == view->length &&
			       ov->scan.store == view->store &&
			       ov->scan.serial == view->serial;
	if (!same_loop) {
		start_scan(ov, view);
	} else if (changing) {
		ov->again = true;
	}
	if (!ov->scanning) {
		if (!ov->again) {
			return false; /* published and unchanged */
		}
		start_scan(ov, view);
	}

	const uint32_t length = ov->scan_length;
	uint32_t       frame  = ov->cursor;
	uint32_t       end = length - frame > budget ? frame + budget : length;
	while (frame < end) {
		const uint32_t bin = bin_of(frame, length);
		const uint32_t bin_next =
		    bin + 1 < ET_OVERVIEW_BINS
			? et_overview_bin_start(bin + 1, length)
			: length;
		const uint32_t stop = bin_next < end ? bin_next : end;
		/* The loop's chunks, one contiguous run at a time. */
		while (frame < stop) {
			const float *left, *right;
			uint32_t     n =
			    et_loop_view_read(view, frame, &left, &right);
			n             = n < stop - frame ? n : stop - frame;
			ov->work[bin] = et_overview_peak(
			    left, n,
			    et_overview_peak(right, n, ov->work[bin]));
			frame += n;
		}
	}
	ov->cursor = frame;
	if (frame < length) {
		return false;
	}

	memcpy(ov->peak, ov->work, sizeof(ov->peak));
	ov->length   = length;
	ov->scanning = false;
	ov->forced   = false;
	++ov->serial;
	if (ov->again) {
		/* What was layered during this pass shows in the next, which
		 * starts now and sees everything written so far. */
		start_scan(ov, view);
	}
	return true;
}

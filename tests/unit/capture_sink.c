#include "capture_sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
et_capture_init(EtCapture *c, size_t max)
{
	memset(c, 0, sizeof(*c));
	c->ev = (EtCaptured *)calloc(max ? max : 1, sizeof(EtCaptured));
	if (!c->ev) {
		abort();
	}
	c->max  = max;
	c->room = SIZE_MAX;
}

void
et_capture_free(EtCapture *c)
{
	free(c->ev);
	c->ev = NULL;
}

void
et_capture_clear(EtCapture *c)
{
	c->n          = 0;
	c->room       = SIZE_MAX;
	c->backwards  = 0;
	c->last_frame = 0;
}

static bool
capture(void *ctx, uint32_t frame, int track, const uint8_t *msg,
	uint32_t size)
{
	EtCapture *c = (EtCapture *)ctx;
	if (c->room == 0 || c->n >= c->max || size > ET_CAPTURE_MAX_SIZE) {
		return false;
	}
	if (c->room != SIZE_MAX) {
		--c->room;
	}
	if (c->n > 0 && frame < c->last_frame) {
		++c->backwards;
	}
	c->last_frame = frame;
	EtCaptured *e = &c->ev[c->n++];
	e->frame      = frame;
	e->track      = track;
	e->size       = size;
	memcpy(e->b, msg, size);
	return true;
}

EtSink
et_capture_sink(EtCapture *c)
{
	return (EtSink){ capture, c };
}

const char *
et_capture_text(const EtCapture *c)
{
	static char text[8192];
	size_t      used = 0;
	text[0]          = '\0';
	for (size_t i = 0; i < c->n && used + 64 < sizeof(text); ++i) {
		const EtCaptured *e = &c->ev[i];
		int w = snprintf(text + used, sizeof(text) - used,
				 "%u %d:", e->frame, e->track);
		used += (size_t)w;
		for (uint32_t k = 0; k < e->size && k < 3; ++k) {
			w = snprintf(text + used, sizeof(text) - used, " %02x",
				     e->b[k]);
			used += (size_t)w;
		}
		text[used++] = '\n';
		text[used]   = '\0';
	}
	return text;
}

/* How many peak bins the waveform overview has: the plugin computes them
 * (overview.h) and its UI draws them (ui/view.h), so both build against
 * this one number and nothing else of the core. */
#ifndef ET_OVERVIEW_BINS_H
#define ET_OVERVIEW_BINS_H

#define ET_OVERVIEW_BINS 512

#endif

/*
 * allocation.h - where an order's units are reserved.
 *
 * Pure: given the lines and the stock of their SKUs at every location,
 * decide which location reserves how many units of each line. The store
 * then applies the plan with conditional updates, so two racing orders can
 * never both take the last unit.
 */
#ifndef HF_ALLOCATION_H
#define HF_ALLOCATION_H

#include "core/order.h"
#include "util/arena.h"
#include "util/hf.h"

/*
 * Fills lines[i].allocations for every line's live quantity.
 *
 * stock lists the levels of the lines' SKUs, in the order of location
 * preference (the first location is preferred). The plan prefers one
 * location that can ship the whole order; failing that each line goes
 * whole to the first location that has it; failing that a line is split
 * across locations, largest availability first.
 *
 * Returns HF_OK; HF_ECONFLICT ("out_of_stock", field "lines[i].qty") when
 * the units are not there; HF_ENOMEM when the arena is full. Allocations
 * come from arena a.
 */
hf_rc hf_allocate(hf_order_line *lines, size_t n_lines,
                  const hf_stock_level *stock, size_t n_stock, hf_arena *a,
                  hf_err *err);

#endif

/*
 * Perfdata, written exactly as the plugin contract says:
 * 'label'=value[UOM];[warn];[crit];[min];[max]
 */
#ifndef VAKT_PERFDATA_H
#define VAKT_PERFDATA_H

#include <stdbool.h>

#include "buf.h"
#include "range.h"

/* The longest label written, in bytes. */
#define PERFDATA_LABEL_MAX 200

struct perf {
	const char *label;
	double value;		     /* NAN: could not be determined, not written */
	const char *uom;	     /* NULL or "" for a plain count */
	const struct threshold *thr; /* NULL when no threshold applies */
	double min;		     /* NAN when not known */
	double max;		     /* NAN when not known */
	const char *none;	     /* why value is NAN, for long output; NULL: not known */
};

/* A perf with only label, value and unit; min and max unknown. */
struct perf perf_make(const char *label, double value, const char *uom);
/* True for the units the contract allows: "", s ms us % B KB MB GB TB c. */
bool perfdata_uom_valid(const char *uom);
/*
 * Append p to b, after a space when b is not empty. Returns 0, or -1 without
 * writing when the label is empty, the unit is not one of the allowed ones,
 * or the value is not a number: Icinga 2 rejects the guidelines' U, so a
 * value that could not be determined is left out (and the caller says why
 * in long output).
 */
int perfdata_append(struct buf *b, const struct perf *p);
/*
 * Append label as perfdata has it, without the quotes a space needs: '=',
 * '\'', ';', '|', control characters (see buf_utf8_control) and invalid
 * UTF-8, which the plugin guidelines forbid or a parser would misread,
 * each become '_'. A label longer than PERFDATA_LABEL_MAX bytes is cut and
 * ends in '_' and 8 hex digits of a hash of the whole label, so it stays
 * stable and two long labels stay apart.
 */
void perfdata_label(struct buf *b, const char *label);

#endif

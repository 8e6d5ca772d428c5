/*
 * Rate-limited lines about clients (see ratelog.h).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratelog.h"
#include "xalloc.h"

struct slot {
	char key[RATELOG_KEY_MAX]; /* "" when free */
	double last;		   /* when its last line was logged */
	unsigned long skipped;	   /* events since then, not logged */
};

struct ratelog {
	pthread_mutex_t lock;
	double period;
	size_t nslots;
	struct slot *slots;
	struct slot others; /* every address that found the table full */
};

struct ratelog *ratelog_new(double period, size_t slots)
{
	struct ratelog *r = xcalloc(1, sizeof(*r));

	pthread_mutex_init(&r->lock, NULL);
	r->period = period;
	r->nslots = slots;
	r->slots = xcalloc(slots == 0 ? 1 : slots, sizeof(*r->slots));
	return r;
}

void ratelog_free(struct ratelog *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->slots);
	free(r);
}

/* The slot of key, a free or expired one taken for it, or NULL when every slot is busy. */
static struct slot *find_slot(struct ratelog *r, const char *key, double now)
{
	struct slot *spare = NULL;

	for (size_t i = 0; i < r->nslots; i++) {
		struct slot *s = &r->slots[i];

		if (strcmp(s->key, key) == 0)
			return s;
		if (spare == NULL && (s->key[0] == '\0' || now - s->last >= r->period))
			spare = s;
	}
	if (spare != NULL) {
		/* An expired entry's uncounted events are lost with it: at most period-old news. */
		memset(spare, 0, sizeof(*spare));
		snprintf(spare->key, sizeof(spare->key), "%s", key);
	}
	return spare;
}

/* Decide for slot s, whose line would be logged now unless one was within the period. */
static bool due(struct ratelog *r, struct slot *s, double now, unsigned long *skipped,
		double *since)
{
	bool first = s->last == 0;

	if (!first && now - s->last < r->period) {
		s->skipped++;
		return false;
	}
	*skipped = s->skipped;
	*since = first ? 0 : now - s->last;
	s->skipped = 0;
	s->last = now > 0 ? now : 1e-9;
	return true;
}

enum ratelog_verdict ratelog_note(struct ratelog *r, const char *key, double now,
				  unsigned long *skipped, double *since)
{
	enum ratelog_verdict v;
	struct slot *s;

	*skipped = 0;
	*since = 0;
	pthread_mutex_lock(&r->lock);
	s = find_slot(r, key, now);
	if (s != NULL)
		v = due(r, s, now, skipped, since) ? RATELOG_CLIENT : RATELOG_QUIET;
	else
		v = due(r, &r->others, now, skipped, since) ? RATELOG_OTHERS : RATELOG_QUIET;
	pthread_mutex_unlock(&r->lock);
	return v;
}

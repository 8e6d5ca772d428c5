/*
 * vaktd as an AgentX subagent of the host's snmpd ([snmp] in vaktd.conf,
 * VAKT-MIB): one thread owns every net-snmp call, since the library is not
 * thread-safe, and answers from the current snapshot, as HTTP does, without
 * ever waiting on a collector. A master that is absent, goes away or comes
 * back is retried every ping interval; HTTP never notices. Built only with
 * net-snmp (HAVE_NET_SNMP).
 */
#ifndef VAKT_SNMP_H
#define VAKT_SNMP_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "scheduler.h"

struct snmp_agent;

/*
 * Start the subagent of c->snmp in its thread, answering from s; NULL with
 * err when the thread cannot start. An absent master is no error: the
 * thread keeps trying, and logs it.
 */
struct snmp_agent *snmp_start(const struct config *c, struct scheduler *s, char *err,
			      size_t errlen);
/* Answer from another scheduler (after a reload); the old one is the caller's. */
void snmp_set_scheduler(struct snmp_agent *a, struct scheduler *s);
/* Send notifications, or stop sending them (notifications in [snmp], after a reload). */
void snmp_set_notifications(struct snmp_agent *a, bool on);
/* Stop the thread, leave the master and free a; NULL is fine. */
void snmp_stop(struct snmp_agent *a);

#endif

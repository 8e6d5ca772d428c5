/*
 * Telling systemd how vaktd is doing (Type=notify): sd_notify(3)'s
 * protocol, without libsystemd.
 */
#ifndef VAKT_NOTIFY_H
#define VAKT_NOTIFY_H

/*
 * Send state ("READY=1\nSTATUS=...", newline-separated assignments) to the
 * service manager named by $NOTIFY_SOCKET; nothing without one. 0, or -1
 * with errno set.
 */
int notify_send(const char *state);

#endif

/*
 * Dropping privileges without libcap: capget(2)/capset(2) and prctl(2) are
 * all it takes for a process that only ever gives capabilities up.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"

/* The capability sets of this thread: effective, permitted, inheritable. */
struct caps {
	uint64_t eff, prm, inh;
};

static int caps_get(struct caps *c)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) == -1)
		return -1;
	c->eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	c->prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	c->inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

static int caps_set(const struct caps *c)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	d[0].effective = (uint32_t)c->eff;
	d[1].effective = (uint32_t)(c->eff >> 32);
	d[0].permitted = (uint32_t)c->prm;
	d[1].permitted = (uint32_t)(c->prm >> 32);
	d[0].inheritable = (uint32_t)c->inh;
	d[1].inheritable = (uint32_t)(c->inh >> 32);
	return (int)syscall(SYS_capset, &hdr, d);
}

uint64_t privs_effective(void)
{
	struct caps c;

	return caps_get(&c) == 0 ? c.eff : 0;
}

/* Names for the log, of the capabilities a collector may ask for. */
static void caps_name(uint64_t caps, char *out, size_t outlen)
{
	static const struct {
		int cap;
		const char *name;
	} names[] = {{CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH"},
		     {CAP_SYS_PTRACE, "CAP_SYS_PTRACE"}};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((caps & PRIV_CAP(names[i].cap)) != 0 && len < outlen)
			len += (size_t)snprintf(out + len, outlen - len, "%s%s",
						len > 0 ? ", " : "", names[i].name);
	if (len == 0)
		snprintf(out, outlen, "none");
}

/*
 * Take every capability but keep out of the bounding set, so that nothing
 * this process becomes can have them back; needs CAP_SETPCAP, which only
 * root has. Capabilities this kernel does not know end the loop.
 */
static void bound(uint64_t keep)
{
	for (int cap = 0; cap < 64; cap++)
		if ((keep & PRIV_CAP(cap)) == 0 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno == EINVAL)
			break;
}

int privs_drop(const char *user, uint64_t need, char *who, size_t wholen, char *err, size_t errlen)
{
	struct caps c;
	struct passwd *pw = NULL;
	char names[128];
	uint64_t keep;

	if (caps_get(&c) == -1) {
		snprintf(err, errlen, "cannot read the capabilities: %s", strerror(errno));
		return -1;
	}
	keep = need & c.prm;
	if (user != NULL) {
		pw = getpwnam(user);
		if (pw == NULL) {
			snprintf(err, errlen, "no such user '%s' to run as", user);
			return -1;
		}
	}
	if (pw != NULL && (pw->pw_uid != getuid() || pw->pw_uid != geteuid())) {
		if (geteuid() == 0)
			bound(keep);
		/* KEEPCAPS: the permitted set survives setuid, to be cut to keep below. */
		if (prctl(PR_SET_KEEPCAPS, keep != 0, 0, 0, 0) == -1 ||
		    initgroups(pw->pw_name, pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
		    setuid(pw->pw_uid) == -1) {
			snprintf(err, errlen, "cannot become user '%s': %s", user, strerror(errno));
			return -1;
		}
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
		if (pw->pw_uid != 0 && setuid(0) != -1) {
			snprintf(err, errlen, "became user '%s' but could become root again", user);
			return -1;
		}
	}
	/* Root without a user keeps what root has; anyone else keeps only keep. */
	if (getuid() != 0 || geteuid() != 0) {
		struct caps want = {keep, keep, 0};

		/* Ambient capabilities (systemd's AmbientCapabilities=) go too; old kernels lack
		 * them. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
		    errno != EINVAL) {
			snprintf(err, errlen, "cannot clear the ambient capabilities: %s",
				 strerror(errno));
			return -1;
		}
		if (caps_set(&want) == -1) {
			snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
			return -1;
		}
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
			snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
			return -1;
		}
	}
	if (getuid() == 0 && geteuid() == 0) {
		snprintf(who, wholen, "root, with every capability root has");
		return 0;
	}
	caps_name(keep, names, sizeof(names));
	if (pw == NULL)
		pw = getpwuid(getuid());
	if (pw != NULL)
		snprintf(who, wholen, "user %s, capabilities: %s", pw->pw_name, names);
	else
		snprintf(who, wholen, "uid %lu, capabilities: %s", (unsigned long)getuid(), names);
	return 0;
}

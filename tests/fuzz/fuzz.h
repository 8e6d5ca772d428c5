/*
 * Helpers shared by the libFuzzer targets: the parsers take NUL-terminated
 * strings, so every target copies its input into an exactly sized heap buffer
 * (ASan then catches a read past the terminator), and the structured targets
 * take their bytes one field at a time.
 */
#ifndef VAKT_FUZZ_H
#define VAKT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What libFuzzer calls with each input; every target defines it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* What libFuzzer calls once before the first input, when a target defines it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Report a broken invariant and abort, so that libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__,     \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A NUL-terminated copy of data (embedded NULs simply end the string early). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A cursor over the fuzzer's bytes; reads past the end give zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
	uint8_t b;

	if (in->left == 0)
		return 0;
	b = *in->p++;
	in->left--;
	return b;
}

static inline double fuzz_double(struct fuzz_in *in)
{
	uint8_t raw[sizeof(double)] = {0};
	double v;

	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = fuzz_byte(in);
	memcpy(&v, raw, sizeof(v));
	return v;
}

/* The bytes up to the next NUL (consumed) or the end, as a new string. */
static inline char *fuzz_string(struct fuzz_in *in)
{
	const uint8_t *nul = memchr(in->p, 0, in->left);
	size_t n = nul == NULL ? in->left : (size_t)(nul - in->p);
	char *s = fuzz_strdup(in->p, n);

	in->p += n;
	in->left -= n;
	if (nul != NULL) {
		in->p++;
		in->left--;
	}
	return s;
}

#endif

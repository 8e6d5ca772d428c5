/* The floor of an HTTP check: one libcurl GET of the URL in argv[1], the
 * body discarded. Exits 0 when the server answered with a status below 400,
 * 1 otherwise. Built with cc -O2 ... -lcurl by bench/proxy.sh. */
#include <curl/curl.h>
#include <stdio.h>

static size_t discard(char *data, size_t size, size_t n, void *user)
{
	(void)data;
	(void)user;
	return size * n;
}

int main(int argc, char **argv)
{
	CURL *h;
	CURLcode rc;

	if (argc != 2) {
		fprintf(stderr, "usage: curl_get URL\n");
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (h = curl_easy_init()) == NULL) {
		fprintf(stderr, "curl_get: cannot initialise libcurl\n");
		return 1;
	}
	curl_easy_setopt(h, CURLOPT_URL, argv[1]);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		fprintf(stderr, "curl_get: %s: %s\n", argv[1], curl_easy_strerror(rc));
	curl_easy_cleanup(h);
	curl_global_cleanup();
	return rc == CURLE_OK ? 0 : 1;
}

/*
 * The floor of a Supervisor check: one XML-RPC round trip over
 * supervisord's unix socket, nothing parsed. Connects to SOCKET, sends an
 * HTTP/1.0 POST of supervisor.getAllProcessInfo, reads the answer until
 * supervisord closes, and exits 0 when it began "HTTP/1.0 200", else 1.
 * Built with cc -O2 by bench/supervisor.sh.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char body[] = "<?xml version=\"1.0\"?>\n<methodCall><methodName>"
			   "supervisor.getAllProcessInfo</methodName><params></params>"
			   "</methodCall>\n";

int main(int argc, char **argv)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char req[512], answer[65536];
	size_t got = 0;
	ssize_t n;
	int fd, len;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: supervisor_floor SOCKET\n");
		return 2;
	}
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	len = snprintf(req, sizeof(req),
		       "POST /RPC2 HTTP/1.0\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
		       "Content-Length: %zu\r\n\r\n%s",
		       sizeof(body) - 1, body);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    write(fd, req, (size_t)len) != len) {
		perror("supervisor_floor");
		return 1;
	}
	/* Read it all, keeping only the start: what a check would have to read. */
	while ((n = read(fd, got < 16 ? answer + got : answer + 16, sizeof(answer) - 16)) > 0)
		got += (size_t)n;
	close(fd);
	return got >= 16 && memcmp(answer, "HTTP/1.0 200", 12) == 0 ? 0 : 1;
}

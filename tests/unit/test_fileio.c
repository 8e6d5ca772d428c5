/*
 * Reading files: anything but a regular file is refused at once.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

Test(fileio, reads_a_regular_file_cut_to_size)
{
	char path[] = "/tmp/vakt-fileio-XXXXXX", out[6], err[256];
	mode_t mode = 0;
	int fd = mkstemp(path);

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, "0123456789", 10), 10);
	close(fd);
	cr_expect_eq(file_read_as(path, "the file", out, sizeof(out), &mode, err, sizeof(err)), 5);
	cr_expect_str_eq(out, "01234");
	cr_expect_eq(mode, 0600);
	unlink(path);
}

Test(fileio, refuses_a_fifo_and_devices_at_once)
{
	char dir[] = "/tmp/vakt-fileio-XXXXXX", fifo[64], out[64], err[256];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	/* A blocking open of a FIFO without a writer would never return. */
	cr_expect_eq(file_read_as(fifo, fifo, out, sizeof(out), NULL, err, sizeof(err)), -1);
	cr_expect(strstr(err, "it is a FIFO, not a regular file") != NULL, "%s", err);
	cr_expect_eq(errno, EINVAL);
	cr_expect_eq(file_check_regular(fifo, "--defaults-file", err, sizeof(err)), -1);
	cr_expect_str_eq(err, "cannot read --defaults-file: it is a FIFO, not a regular file");
	/* /dev/zero would never end. */
	cr_expect_eq(
	    file_read_as("/dev/zero", "/dev/zero", out, sizeof(out), NULL, err, sizeof(err)), -1);
	cr_expect_str_eq(err,
			 "cannot read /dev/zero: it is a character device, not a regular file");
	cr_expect_eq(file_check_regular(dir, "the CA file", err, sizeof(err)), -1);
	cr_expect_str_eq(err, "cannot read the CA file: it is a directory, not a regular file");
	cr_expect_eq(file_check_regular("/nonexistent/x", "x", err, sizeof(err)), -1);
	cr_expect_str_eq(err, "cannot read x: No such file or directory");
	unlink(fifo);
	rmdir(dir);
}

Test(fileio, proc_files_count_as_regular)
{
	char out[256], err[256];

	cr_expect_gt(
	    file_read_as("/proc/self/stat", "stat", out, sizeof(out), NULL, err, sizeof(err)), 0,
	    "%s", err);
}

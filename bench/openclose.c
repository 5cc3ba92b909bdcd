/*
 * openclose.c: the open/close loop of `make bench`: N times open and close
 * a file in the current directory (a read), then N times a write open.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000, i;
	int fd;

	if ((fd = open("bench.dat", O_WRONLY | O_CREAT | O_TRUNC, 0644)) ==
	    -1) {
		perror("bench.dat");
		return 1;
	}
	close(fd);
	for (i = 0; i < n; i++) {
		if ((fd = open("bench.dat", O_RDONLY)) == -1)
			return 1;
		close(fd);
		if ((fd = open("bench.dat", O_WRONLY | O_APPEND)) == -1)
			return 1;
		close(fd);
	}
	return 0;
}

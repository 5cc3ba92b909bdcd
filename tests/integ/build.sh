# make + cc building a small program inside the workspace works unchanged,
# and a build step that writes outside is stopped.
. "$(dirname "$0")/lib.sh"

cat > hello.c <<'CEOF'
#include <stdio.h>
int main(void) { puts("hello from a build"); return 0; }
CEOF
cat > Makefile <<'MEOF'
hello: hello.o
	$(CC) -o $@ hello.o
hello.o: hello.c
	$(CC) -O1 -c hello.c
install: hello
	cp hello $(DEST)/hello
MEOF
# the compiler's temporary files go to $TMPDIR, here inside the workspace
mkdir -p "$WS/tmp"
export TMPDIR="$WS/tmp"
status 0 "make builds" aw -a never -- make CC=cc
check "binary built" [ -x hello ]
check "binary runs" [ "$(./hello)" = "hello from a build" ]
status 2 "make install outside fails" aw -a never -- make install DEST="$OUT"
check "install target absent" absent "$OUT/hello"
finish

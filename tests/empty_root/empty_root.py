#!/usr/bin/env python3
"""empty_root.py: runs a static executable alone in an empty root directory.

    empty_root.py ROOT EXE [ARGS...]

Makes ROOT afresh holding only a copy of EXE (no /etc, /lib, /proc, /sys, /dev), then
replaces itself with EXE run there by `unshare --mount --root ROOT` (or, where unshare is
missing, `chroot ROOT`): the same process, so a test's signals and exit status are EXE's.
Used as the command prefix of tests that drive the example servers from outside
(tests/chat/chat_test.py --wrapper, examples/serve/serve_example.py --wrapper). Needs root;
without unshare or chroot it fails with a message, never runs EXE elsewhere.
"""
import os
import shutil
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root, exe, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    inside = "/" + os.path.basename(exe)
    shutil.copy2(exe, root + inside)
    if shutil.which("unshare"):
        command = ["unshare", "--mount", "--root", root, inside]
    elif shutil.which("chroot"):
        command = ["chroot", root, inside]
    else:
        sys.exit("empty_root.py: FAIL: neither unshare nor chroot is installed (util-linux, coreutils)")
    if os.geteuid() != 0:
        sys.exit("empty_root.py: FAIL: an empty root needs root (unshare --root, chroot)")
    sys.stdout.flush()
    os.execvp(command[0], command + args)


if __name__ == "__main__":
    main()

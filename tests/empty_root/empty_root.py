#!/usr/bin/env python3
"""empty_root.py: runs a static executable alone in an empty root directory.

    empty_root.py [--with FILE=PATH]... ROOT EXE [ARGS...]

Makes ROOT afresh holding only a copy of EXE (no /etc, /lib, /proc, /sys, /dev), and of
each FILE given with --with at PATH inside it (a test's /etc/hosts), then
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
    argv, extra = sys.argv[1:], []
    while len(argv) >= 2 and argv[0] == "--with":
        extra.append(argv[1].split("=", 1))
        argv = argv[2:]
    if len(argv) < 2 or any(len(e) != 2 or not e[1].startswith("/") for e in extra):
        sys.exit(__doc__)
    root, exe, args = argv[0], argv[1], argv[2:]
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    inside = "/" + os.path.basename(exe)
    shutil.copy2(exe, root + inside)
    for source, path in extra:
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        shutil.copy2(source, root + path)
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

// WASI files through lunatic-as: write, append, read back, directories, removal, errors for
// paths outside the granted directories; arguments and the environment.
// args: first second
// env: GREETING=hello
// expect-stdout: read: line one\|line two
// expect-stdout: missing: /sandbox/missing.txt: no such file or directory
// expect-stdout: outside: /etc/passwd: not inside a directory the process was granted
// expect-stdout: directory: /sandbox/sub/inner.txt holds inner
// expect-stdout: removed: true, then missing
// expect-stdout: args: .*first,second env hello
// expect-file: /sandbox/kept.txt: kept\n
// expect-no-file: /sandbox/gone.txt
import { File, OpenMode, args, createDirectory, env, println, readTextFile, removeFile, writeTextFile } from "lunatic-as";
import { check } from "./check";

export function _start(): void {
  check(writeTextFile("/sandbox/notes.txt", "line one\n").isOk, "cannot write /sandbox/notes.txt");
  const appending = File.open("/sandbox/notes.txt", OpenMode.Append).unwrap();
  appending.writeString("line two\n").unwrap();
  appending.close();
  println("read: " + readTextFile("/sandbox/notes.txt").unwrap().trim().replace("\n", "|"));
  println("missing: " + readTextFile("/sandbox/missing.txt").error);
  println("outside: " + readTextFile("/etc/passwd").error);

  check(createDirectory("/sandbox/sub").isOk, "cannot make /sandbox/sub");
  writeTextFile("/sandbox/sub/inner.txt", "inner").unwrap();
  println("directory: /sandbox/sub/inner.txt holds " + readTextFile("/sandbox/sub/inner.txt").unwrap());

  writeTextFile("/sandbox/gone.txt", "soon gone").unwrap();
  const removed = removeFile("/sandbox/gone.txt");
  println("removed: " + removed.isOk.toString() + ", then " + (readTextFile("/sandbox/gone.txt").isErr ? "missing" : "present"));
  writeTextFile("/sandbox/kept.txt", "kept\n").unwrap();

  const list = args();
  const greeting = env("GREETING");
  println("args: " + list.join(",") + " env " + (greeting !== null ? greeting : "none"));
}

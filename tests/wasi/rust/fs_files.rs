// std::fs files in a granted directory: create, write, read, seek, append, truncate,
// metadata, open options and their errors, remove. A file the host put there is read; one is
// left behind for the runner to check. (Positioned reads and writes, std::os::wasi::fs::FileExt,
// are unstable in Rust 1.63.)
// given-file: /sandbox/given.txt: written by the host
// expect-file: /sandbox/kept.txt: kept\nfor the runner\n
// expect-no-file: /sandbox/removed.txt
// expect-stdout: done
#[macro_use]
mod common;

use common::{must, refused, refused_with};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::time::{Duration, SystemTime};

fn main() {
    check_eq!(must(fs::read_to_string("/sandbox/given.txt"), "reading given.txt"), "written by the host\n",
              "given.txt");

    // Create, write, read back whole.
    let path = "/sandbox/data.txt";
    let mut f = must(File::create(path), "creating data.txt");
    must(f.write_all(b"hello, world\n"), "writing data.txt");
    must(f.sync_all(), "syncing data.txt");
    check_eq!(must(f.stream_position(), "position after writing"), 13, "position after writing");
    drop(f);
    check_eq!(must(fs::read(path), "reading data.txt"), b"hello, world\n", "data.txt");

    // Metadata.
    let meta = must(fs::metadata(path), "metadata of data.txt");
    check!(meta.is_file() && !meta.is_dir() && !meta.file_type().is_symlink(), "data.txt is not a plain file: {meta:?}");
    check_eq!(meta.len(), 13, "length of data.txt");
    let modified = must(meta.modified(), "data.txt's modification time");
    let age = SystemTime::now().duration_since(modified).unwrap_or(Duration::ZERO);
    check!(age < Duration::from_secs(60), "data.txt was modified {age:?} ago");

    // Seek and read, read and write in the middle.
    let mut f = must(OpenOptions::new().read(true).write(true).open(path), "opening data.txt to read and write");
    check_eq!(must(f.seek(SeekFrom::Start(7)), "seeking to 7"), 7, "seek from the start");
    let mut word = [0u8; 5];
    must(f.read_exact(&mut word), "reading at 7");
    check_eq!(&word, b"world", "the word at 7");
    check_eq!(must(f.seek(SeekFrom::Current(-6)), "seeking back 6"), 6, "seek from the current position");
    must(f.write_all(b"_"), "writing at 6");
    check_eq!(must(f.seek(SeekFrom::End(-1)), "seeking to the end"), 12, "seek from the end");
    check_eq!(must(f.seek(SeekFrom::End(4)), "seeking past the end"), 17, "seek past the end");
    must(f.write_all(b"!"), "writing past the end");
    check_eq!(must(f.metadata(), "metadata of the open file").len(), 18, "length after writing past the end");
    check!(f.seek(SeekFrom::Current(-100)).is_err(), "seeking before the start was allowed");

    drop(f);
    check_eq!(must(fs::read(path), "reading data.txt"), b"hello,_world\n\0\0\0\0!", "data.txt after editing");

    // Truncate and extend.
    let f = must(OpenOptions::new().write(true).open(path), "opening data.txt to write");
    must(f.set_len(5), "truncating to 5");
    must(f.set_len(7), "extending to 7");
    drop(f);
    check_eq!(must(fs::read(path), "reading data.txt"), b"hello\0\0", "data.txt after set_len");

    // Append.
    let log = "/sandbox/log.txt";
    for line in ["one\n", "two\n"] {
        let mut f = must(OpenOptions::new().append(true).create(true).open(log), "opening log.txt to append");
        must(f.write_all(line.as_bytes()), "appending");
    }
    let mut f = must(OpenOptions::new().append(true).open(log), "opening log.txt to append");
    must(f.seek(SeekFrom::Start(0)), "seeking an appending file");
    must(f.write_all(b"three\n"), "appending after a seek");
    check_eq!(must(fs::read_to_string(log), "reading log.txt"), "one\ntwo\nthree\n", "log.txt");

    // create truncates; create_new refuses an existing file.
    must(fs::write(log, "short"), "rewriting log.txt");
    check_eq!(must(fs::read_to_string(log), "reading log.txt"), "short", "log.txt after fs::write");
    refused_with(OpenOptions::new().write(true).create_new(true).open(log), ErrorKind::AlreadyExists,
                 "create_new on an existing file");

    // Errors: missing files, writing a file opened only to read, reading a directory.
    refused_with(File::open("/sandbox/missing.txt"), ErrorKind::NotFound, "opening a missing file");
    refused_with(fs::metadata("/sandbox/missing.txt"), ErrorKind::NotFound, "metadata of a missing file");
    let mut f = must(File::open(log), "opening log.txt to read");
    refused(f.write(b"x"), "writing a file opened to read");
    let mut s = String::new();
    refused(must(File::open("/sandbox"), "opening /sandbox").read_to_string(&mut s), "reading a directory");
    refused(File::create("/sandbox/missing-dir/x.txt"), "creating a file in a missing directory");

    // Remove.
    must(fs::write("/sandbox/removed.txt", "x"), "writing removed.txt");
    must(fs::remove_file("/sandbox/removed.txt"), "removing removed.txt");
    refused_with(fs::remove_file("/sandbox/removed.txt"), ErrorKind::NotFound, "removing a removed file");

    must(fs::write("/sandbox/kept.txt", "kept\nfor the runner\n"), "writing kept.txt");
    println!("done");
}

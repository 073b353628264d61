// std::fs::remove_dir_all of a directory with more entries than one fd_readdir call returns:
// it removes entries while it lists them, so the host's readdir cookies must stay valid
// across removals (POSIX: entries not removed are still listed). node:wasi fails this test:
// its cookies count entries, so each removal makes it skip one.
// expect-stdout: removed a tree of 300 files and 10 directories
// expect-no-file: /sandbox/tree
#[macro_use]
mod common;

use common::must;
use std::fs;

fn main() {
    for d in 0..10 {
        must(fs::create_dir_all(format!("/sandbox/tree/sub-{d}")), "creating a subdirectory");
    }
    for i in 0..300 {
        must(fs::write(format!("/sandbox/tree/entry-with-a-longish-name-{i:03}"), "x"), "creating a file");
    }
    must(fs::remove_dir_all("/sandbox/tree"), "remove_dir_all");
    check!(fs::metadata("/sandbox/tree").is_err(), "the tree is still there");
    println!("removed a tree of 300 files and 10 directories");
}

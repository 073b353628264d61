// std::fs symbolic links whose target climbs with ".." but stays inside the granted
// directory: a link's target is read relative to the directory that holds the link, so
// a/b/up -> ../../target.txt names /sandbox/target.txt. node:wasi fails this test: it
// refuses to create such links, reading their targets from the granted directory instead.
// expect-stdout: done
#![allow(deprecated)] // fs::soft_link
#[macro_use]
mod common;

use common::must;
use std::fs;

fn main() {
    must(fs::write("/sandbox/target.txt", "target"), "writing target.txt");
    must(fs::create_dir_all("/sandbox/a/b/c"), "creating a/b/c");
    must(fs::soft_link("../../target.txt", "/sandbox/a/b/up"), "linking a/b/up -> ../../target.txt");
    check_eq!(must(fs::read_to_string("/sandbox/a/b/up"), "reading a/b/up"), "target", "a/b/up");
    must(fs::soft_link("..", "/sandbox/a/b/parent"), "linking a/b/parent -> ..");
    check!(must(fs::metadata("/sandbox/a/b/parent/b/c"), "metadata of a/b/parent/b/c").is_dir(), "a/b/parent/b/c");
    // Through a link and then up: ".." after a link is taken from where the link leads.
    must(fs::soft_link("b/c", "/sandbox/a/to-c"), "linking a/to-c -> b/c");
    check!(must(fs::metadata("/sandbox/a/to-c/../c"), "metadata of a/to-c/../c").is_dir(), "a/to-c/../c");
    println!("done");
}

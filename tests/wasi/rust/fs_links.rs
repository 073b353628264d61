// std::fs links inside a granted directory: symbolic links (std::fs::soft_link, as
// std::os::wasi::fs::symlink_path is unstable in Rust 1.63) to files and directories, chains,
// dangling ones, loops, renaming and removing a link; hard links.
// expect-file: /sandbox/target.txt: written through links
// expect-file: /sandbox/dir/f.txt: in dir
// expect-stdout: done
#![allow(deprecated)] // fs::soft_link
#[macro_use]
mod common;

use common::{must, refused, refused_with};
use std::fs;
use std::io::ErrorKind;
use std::path::Path;

fn main() {
    must(fs::write("/sandbox/target.txt", "target"), "writing target.txt");
    must(fs::create_dir_all("/sandbox/dir"), "creating dir");
    must(fs::write("/sandbox/dir/f.txt", "in dir"), "writing dir/f.txt");

    // A link to a file.
    must(fs::soft_link("target.txt", "/sandbox/link"), "linking link -> target.txt");
    check_eq!(must(fs::read_link("/sandbox/link"), "read_link link"), Path::new("target.txt"), "link's target");
    check_eq!(must(fs::read_to_string("/sandbox/link"), "reading through link"), "target", "read through link");
    let meta = must(fs::symlink_metadata("/sandbox/link"), "symlink_metadata of link");
    check!(meta.file_type().is_symlink(), "link is not a symlink: {meta:?}");
    let meta = must(fs::metadata("/sandbox/link"), "metadata through link");
    check!(meta.is_file() && meta.len() == 6, "metadata through link: {meta:?}");
    refused_with(fs::soft_link("target.txt", "/sandbox/link"), ErrorKind::AlreadyExists, "linking over a link");

    // A link to a directory, and one in a subdirectory (links that climb with ".." are
    // fs_links_up's test).
    must(fs::soft_link("dir", "/sandbox/dirlink"), "linking dirlink -> dir");
    check_eq!(must(fs::read_to_string("/sandbox/dirlink/f.txt"), "reading dirlink/f.txt"), "in dir", "dirlink/f.txt");
    must(fs::soft_link("f.txt", "/sandbox/dir/f-link"), "linking dir/f-link -> f.txt");
    check_eq!(must(fs::read_to_string("/sandbox/dirlink/f-link"), "reading dirlink/f-link"), "in dir", "dirlink/f-link");

    // A chain, writing through it, and the listing's view of a link.
    must(fs::soft_link("link", "/sandbox/chain"), "linking chain -> link");
    must(fs::write("/sandbox/chain", "written through links"), "writing through chain");
    check_eq!(must(fs::read_to_string("/sandbox/target.txt"), "reading target.txt"), "written through links",
              "target.txt after writing through chain");
    let entry = must(fs::read_dir("/sandbox"), "read_dir /sandbox")
        .map(|e| must(e, "an entry of /sandbox"))
        .find(|e| e.file_name() == "chain");
    check!(entry.map_or(false, |e| must(e.file_type(), "chain's type").is_symlink()), "chain is not listed as a symlink");

    // Dangling links and loops.
    must(fs::soft_link("nowhere", "/sandbox/dangling"), "linking dangling -> nowhere");
    refused_with(fs::metadata("/sandbox/dangling"), ErrorKind::NotFound, "metadata through a dangling link");
    check!(fs::symlink_metadata("/sandbox/dangling").is_ok(), "symlink_metadata of a dangling link failed");
    must(fs::soft_link("loop-b", "/sandbox/loop-a"), "linking loop-a -> loop-b");
    must(fs::soft_link("loop-a", "/sandbox/loop-b"), "linking loop-b -> loop-a");
    refused(fs::read("/sandbox/loop-a"), "reading through a loop of links");

    // Renaming and removing a link leaves its target alone.
    must(fs::rename("/sandbox/dangling", "/sandbox/dangling2"), "renaming a link");
    check_eq!(must(fs::read_link("/sandbox/dangling2"), "read_link dangling2"), Path::new("nowhere"), "a renamed link");
    must(fs::remove_file("/sandbox/link"), "removing link");
    check!(fs::symlink_metadata("/sandbox/link").is_err(), "link is still there");
    check!(fs::metadata("/sandbox/target.txt").is_ok(), "removing link removed target.txt");
    must(fs::remove_file("/sandbox/dirlink"), "removing dirlink");
    check!(fs::metadata("/sandbox/dir/f.txt").is_ok(), "removing dirlink removed dir");

    // Hard links share the content.
    must(fs::hard_link("/sandbox/dir/f.txt", "/sandbox/hard.txt"), "hard-linking hard.txt to dir/f.txt");
    check_eq!(must(fs::read_to_string("/sandbox/hard.txt"), "reading hard.txt"), "in dir", "hard.txt");
    must(fs::remove_file("/sandbox/hard.txt"), "removing hard.txt");
    check!(fs::metadata("/sandbox/dir/f.txt").is_ok(), "removing a hard link removed the file");
    println!("done");
}

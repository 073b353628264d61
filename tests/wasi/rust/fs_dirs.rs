// std::fs directories: create (also nested), list (also more entries than one fd_readdir call
// returns), rename files and directories (also from one granted directory to the other),
// metadata, remove (a non-empty directory is refused), and paths with "." and "..".
// expect-file: /other/moved.txt: crossed over
// expect-no-file: /sandbox/moved.txt
// expect-stdout: 300 entries listed
// expect-stdout: done
#[macro_use]
mod common;

use common::{must, refused, refused_with};
use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;

/// The names in a directory, sorted.
fn names(dir: &str) -> BTreeSet<String> {
    must(fs::read_dir(dir), dir)
        .map(|entry| must(entry, "a directory entry").file_name().into_string().unwrap())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn main() {
    check!(names("/sandbox").is_empty(), "/sandbox is not empty at the start: {:?}", names("/sandbox"));

    must(fs::create_dir("/sandbox/d"), "create_dir d");
    refused_with(fs::create_dir("/sandbox/d"), ErrorKind::AlreadyExists, "create_dir of an existing directory");
    refused(fs::create_dir("/sandbox/missing/d"), "create_dir under a missing directory");
    must(fs::create_dir_all("/sandbox/d/e/f"), "create_dir_all d/e/f");
    must(fs::write("/sandbox/d/file.txt", "in d"), "writing d/file.txt");
    let meta = must(fs::metadata("/sandbox/d/e"), "metadata of d/e");
    check!(meta.is_dir() && !meta.is_file(), "d/e is not a directory: {meta:?}");
    check_eq!(names("/sandbox/d"), set(&["e", "file.txt"]), "entries of d");

    // Entries carry their type.
    for entry in must(fs::read_dir("/sandbox/d"), "read_dir d") {
        let entry = must(entry, "an entry of d");
        let kind = must(entry.file_type(), "an entry's type");
        let name = entry.file_name();
        check!(kind.is_dir() == (name == "e") && kind.is_file() == (name == "file.txt"),
               "{name:?} has type {kind:?}");
        check_eq!(entry.path().parent().map(|p| p.to_path_buf()), Some("/sandbox/d".into()), "an entry's path");
    }

    // "." and ".." that stay inside the directory.
    check_eq!(must(fs::read_to_string("/sandbox/d/e/../file.txt"), "reading d/e/../file.txt"), "in d", "d/e/../file.txt");
    check_eq!(must(fs::read_to_string("/sandbox/./d/./file.txt"), "reading ./d/./file.txt"), "in d", "./d/./file.txt");

    // Many entries: more than fit in one fd_readdir buffer.
    must(fs::create_dir("/sandbox/many"), "create_dir many");
    for i in 0..300 {
        must(fs::write(format!("/sandbox/many/entry-with-a-longish-name-{i:03}"), ""), "creating an entry");
    }
    let listed = names("/sandbox/many");
    println!("{} entries listed", listed.len());
    check!(listed.iter().enumerate().all(|(i, n)| *n == format!("entry-with-a-longish-name-{i:03}")),
           "the entries of many are wrong");

    // Rename a file, over another file, and a directory.
    must(fs::rename("/sandbox/d/file.txt", "/sandbox/d/e/renamed.txt"), "renaming a file into a subdirectory");
    check_eq!(names("/sandbox/d/e"), set(&["f", "renamed.txt"]), "entries of d/e after a rename");
    must(fs::write("/sandbox/other.txt", "other"), "writing other.txt");
    must(fs::rename("/sandbox/other.txt", "/sandbox/d/e/renamed.txt"), "renaming over a file");
    check_eq!(must(fs::read_to_string("/sandbox/d/e/renamed.txt"), "reading renamed.txt"), "other", "a renamed-over file");
    must(fs::rename("/sandbox/d/e", "/sandbox/e2"), "renaming a directory");
    check_eq!(names("/sandbox/e2"), set(&["f", "renamed.txt"]), "entries of a renamed directory");
    refused_with(fs::rename("/sandbox/missing", "/sandbox/x"), ErrorKind::NotFound, "renaming a missing file");

    // From one granted directory to the other.
    must(fs::write("/sandbox/moved.txt", "crossed over"), "writing moved.txt");
    must(fs::rename("/sandbox/moved.txt", "/other/moved.txt"), "renaming from /sandbox to /other");

    // Remove: a non-empty directory is refused, an empty one goes, and remove_dir_all.
    refused(fs::remove_dir("/sandbox/e2"), "remove_dir of a non-empty directory");
    refused(fs::remove_dir("/sandbox/e2/renamed.txt"), "remove_dir of a file");
    refused(fs::remove_file("/sandbox/e2"), "remove_file of a directory");
    must(fs::remove_dir("/sandbox/e2/f"), "remove_dir of an empty directory");
    // Listed first: removing while listing is fs_remove_all's test.
    for name in listed {
        must(fs::remove_file(format!("/sandbox/many/{name}")), "removing an entry of many");
    }
    must(fs::remove_dir("/sandbox/many"), "remove_dir of many once emptied");
    must(fs::remove_dir_all("/sandbox/e2"), "remove_dir_all e2");
    check_eq!(names("/sandbox"), set(&["d"]), "entries of /sandbox at the end");
    println!("done");
}

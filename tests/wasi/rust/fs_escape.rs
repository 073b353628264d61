// Escapes from the granted directories, each of which must be refused: paths outside every
// preopen, ".." above a preopen (also to reach the other preopen, and after going down),
// and symbolic links that lead out (relative, absolute, to the other preopen, dangling ones
// that would create a file outside, and a link into a subdirectory followed by ".."s). The
// runner also fails the test if anything appears beside /sandbox and /other on the host.
// given-file: /other/secret.txt: not to be reached from /sandbox
// expect-no-file: /other/through-sandbox.txt
// expect-file: /other/secret.txt: not to be reached from /sandbox\n
// expect-stdout: done
#![allow(deprecated)] // fs::soft_link
#[macro_use]
mod common;

use common::{must, refused};
use std::fs;

fn main() {
    must(fs::create_dir_all("/sandbox/d/e"), "creating d/e");
    must(fs::write("/sandbox/f.txt", "f"), "writing f.txt");

    // Outside every preopen.
    refused(fs::read_to_string("/etc/passwd"), "reading /etc/passwd");
    refused(fs::read_dir("/"), "listing /");
    refused(fs::write("/escaped.txt", "x"), "writing /escaped.txt");

    // ".." above a preopen.
    refused(fs::read_to_string("/sandbox/../../../../etc/passwd"), "reading /sandbox/../../../../etc/passwd");
    refused(fs::read_dir("/sandbox/.."), "listing /sandbox/..");
    refused(fs::metadata("/sandbox/.."), "metadata of /sandbox/..");
    refused(fs::read_dir("/sandbox/d/e/../../.."), "listing /sandbox/d/e/../../..");
    refused(fs::read_dir("/other/.."), "listing /other/..");
    refused(fs::write("/sandbox/../escaped.txt", "x"), "writing /sandbox/../escaped.txt");
    refused(fs::create_dir("/sandbox/../escaped-dir"), "creating /sandbox/../escaped-dir");
    refused(fs::read_to_string("/sandbox/../other/secret.txt"), "reading /other through /sandbox/..");
    refused(fs::write("/sandbox/../other/through-sandbox.txt", "x"), "writing into /other through /sandbox/..");
    refused(fs::rename("/sandbox/f.txt", "/sandbox/../moved-out.txt"), "renaming to /sandbox/../moved-out.txt");
    refused(fs::hard_link("/sandbox/f.txt", "/sandbox/../linked-out.txt"), "hard-linking to /sandbox/../linked-out.txt");
    refused(fs::soft_link("f.txt", "/sandbox/../symlinked-out"), "making a link at /sandbox/../symlinked-out");
    refused(fs::remove_dir("/sandbox/../other"), "removing /sandbox/../other");

    // Links that lead out. Making them may be allowed (a link's target is only text); going
    // through them must not be.
    let _ = fs::soft_link("../..", "/sandbox/up");
    refused(fs::read_dir("/sandbox/up"), "listing through up -> ../..");
    refused(fs::metadata("/sandbox/up"), "metadata through up -> ../..");
    refused(fs::read_to_string("/sandbox/up/etc/passwd"), "reading up/etc/passwd (up -> ../..)");
    let _ = fs::soft_link("/etc/passwd", "/sandbox/abs");
    refused(fs::read_to_string("/sandbox/abs"), "reading through abs -> /etc/passwd");
    let _ = fs::soft_link("/", "/sandbox/root");
    refused(fs::read_dir("/sandbox/root"), "listing through root -> /");
    let _ = fs::soft_link("/sandbox/f.txt", "/sandbox/abs-inside");
    refused(fs::read_to_string("/sandbox/abs-inside"), "reading through abs-inside -> /sandbox/f.txt (a host path)");
    let _ = fs::soft_link("../other", "/sandbox/sideways");
    refused(fs::read_to_string("/sandbox/sideways/secret.txt"), "reading through sideways -> ../other");
    refused(fs::write("/sandbox/sideways/through-sandbox.txt", "x"), "writing through sideways -> ../other");
    // (If that link is refused, writing makes a plain file: fine.)
    if fs::soft_link("../created-through-link.txt", "/sandbox/out").is_ok() {
        refused(fs::write("/sandbox/out", "x"), "creating a file through out -> ../created-through-link.txt");
    }
    let _ = fs::soft_link("../../..", "/sandbox/d/e/up3");
    refused(fs::read_dir("/sandbox/d/e/up3"), "listing through d/e/up3 -> ../../..");
    let _ = fs::soft_link("d/e", "/sandbox/deep");
    refused(fs::read_dir("/sandbox/deep/../../.."), "listing deep/../../.. (deep -> d/e)");

    // What stays inside is allowed, even through "..".
    check!(fs::read_to_string("/sandbox/d/../f.txt").is_ok(), "reading /sandbox/d/../f.txt failed");
    check!(fs::read_dir("/sandbox/d/e/../..").is_ok(), "listing /sandbox/d/e/../.. failed");
    check!(fs::read_to_string("/other/secret.txt").is_ok(), "/other/secret.txt cannot be read directly");
    println!("done");
}

// std::io: stdin from a file (this source), read whole; stdout written in one large piece.
// stdin-file: stdin_file.rs
// expect-stdout: first line of stdin: // std::io: stdin from a file \(this source\), read whole.*
// expect-stdout: stdin ends with the closing brace: true
// expect-stdout: x{65536}
// expect-stdout: done
#[macro_use]
mod common;

use common::must;
use std::io::{self, Read, Write};

fn main() {
    let mut text = String::new();
    must(io::stdin().read_to_string(&mut text), "reading stdin");
    println!("first line of stdin: {}", text.lines().next().unwrap_or(""));
    println!("stdin ends with the closing brace: {}", text.ends_with("}\n"));
    check!(text.contains("MARKER-IN-THE-MIDDLE"), "stdin lacks this file's middle");

    // More than a pipe holds at once, as one write.
    let mut line = vec![b'x'; 65536];
    line.push(b'\n');
    must(io::stdout().lock().write_all(&line), "writing 64 KiB to stdout");
    println!("done");
}

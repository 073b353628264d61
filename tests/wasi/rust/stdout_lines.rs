// std::io: many short lines on stdout, in order (the runner checks the first, a middle one and
// the last).
// expect-stdout: line 0 of 20000 .*
// expect-stdout: line 9999 of 20000 .*
// expect-stdout: line 19999 of 20000 .*
// expect-stdout: done
use std::io::{self, Write};

fn main() {
    let filler = "abcdefghijklmnopqrstuvwxyz".repeat(2);
    for i in 0..20000 {
        println!("line {i} of 20000 {filler}");
    }
    let mut out = io::stdout().lock();
    writeln!(out, "done").unwrap();
}

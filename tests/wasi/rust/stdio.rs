// std::io: stdin read line by line up to its end, stdout and stderr written in turn.
// stdin: first line
// stdin: second line, with UTF-8: ünïcødé
// stdin:
// stdin: 3 4 5
// expect-stdout: line 1: first line
// expect-stdout: line 2: second line, with UTF-8: ünïcødé
// expect-stdout: line 3:\s*
// expect-stdout: line 4: 3 4 5
// expect-stdout: 4 lines, sum 12
// expect-stderr: stderr after 4 lines
// expect-stderr: stderr again, written whole
#[macro_use]
mod common;

use common::must;
use std::io::{self, BufRead, Read, Write};

fn main() {
    let stdin = io::stdin();
    let mut count = 0;
    let mut sum = 0;
    for line in stdin.lock().lines() {
        let line = must(line, "reading a line of stdin");
        count += 1;
        println!("line {count}: {line}");
        sum += line.split(' ').filter_map(|w| w.parse::<i32>().ok()).sum::<i32>();
    }
    println!("{count} lines, sum {sum}");
    let mut rest = Vec::new();
    check_eq!(must(io::stdin().read_to_end(&mut rest), "reading stdin at its end"), 0, "bytes after the end");

    // stderr is unbuffered; stdout flushes at each line end.
    eprintln!("stderr after {count} lines");
    let mut err = io::stderr().lock();
    must(err.write_all(b"stderr again, "), "writing stderr");
    must(err.write_all(b"written whole\n"), "writing stderr");
    must(io::stdout().flush(), "flushing stdout");
}

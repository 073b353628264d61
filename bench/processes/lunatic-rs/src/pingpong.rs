//! pingpong N: two processes bounce an integer N round trips; the second replies with the
//! integer plus one. As ../lunatic/pingpong.c, through lunatic-rs (bincode-encoded i64).

use std::time::Instant;

use lunatic::{Mailbox, Process};
use lunaticc_bench_processes::{seconds_since, size_arg};

fn ponger(parent: Process<i64>, inbox: Mailbox<i64>) {
    loop {
        let value = inbox.receive();
        if value < 0 {
            return;
        }
        parent.send(value + 1);
    }
}

#[lunatic::main]
fn main(mailbox: Mailbox<i64>) {
    let n = size_arg(1_000_000);
    let other = Process::spawn(mailbox.this(), ponger);
    let start = Instant::now();
    let mut value: i64 = 0;
    for _ in 0..n {
        other.send(value);
        value = mailbox.receive();
    }
    let seconds = seconds_since(start);
    other.send(-1);
    println!(
        "RESULT pingpong {:.6} {} us_per_roundtrip={:.4}",
        seconds,
        value,
        seconds * 1e6 / n as f64
    );
}

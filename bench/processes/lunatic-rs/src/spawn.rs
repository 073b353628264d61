//! spawn N: the parent spawns N processes; each sends one empty message to the parent and
//! ends; the parent then receives the N messages. As ../lunatic/spawn.c, through
//! lunatic-rs: the parent's handle is the child's capture, sent to it as a message.

use std::time::Instant;

use lunatic::{Mailbox, Process};
use lunaticc_bench_processes::{seconds_since, size_arg};

#[lunatic::main]
fn main(mailbox: Mailbox<()>) {
    let n = size_arg(1_000_000);
    let parent = mailbox.this();
    let start = Instant::now();
    for _ in 0..n {
        Process::spawn(parent, |parent: Process<()>, _: Mailbox<()>| parent.send(()));
    }
    let mut received: i64 = 0;
    while received < n {
        mailbox.receive();
        received += 1;
    }
    println!("RESULT spawn {:.6} {}", seconds_since(start), received);
}

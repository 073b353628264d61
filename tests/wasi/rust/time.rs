// std::time and thread::sleep: the monotonic clock never goes back and measures a sleep; the
// wall clock is a plausible date and advances across the sleep.
// expect-stdout: slept 100 ms
// expect-max-seconds: 5
#[macro_use]
mod common;

use common::must;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const YEAR_2020: u64 = 1_577_836_800; // 2020-01-01T00:00:00Z in seconds since the epoch
const YEAR_2100: u64 = 4_102_444_800;

fn main() {
    let mut last = Instant::now();
    for _ in 0..10_000 {
        let now = Instant::now();
        check!(now >= last, "Instant went back: {now:?} < {last:?}");
        last = now;
    }

    let wall = must(SystemTime::now().duration_since(UNIX_EPOCH), "the wall clock is before 1970");
    check!((YEAR_2020..YEAR_2100).contains(&wall.as_secs()), "implausible wall clock: {wall:?}");

    let start = Instant::now();
    let wall_start = SystemTime::now();
    thread::sleep(Duration::from_millis(100));
    let slept = start.elapsed();
    println!("slept 100 ms");
    check!(slept >= Duration::from_millis(100), "sleep(100 ms) returned after {slept:?}");
    check!(slept < Duration::from_secs(3), "sleep(100 ms) took {slept:?}");
    // The wall clock may be adjusted while we sleep: only a rough check.
    match wall_start.elapsed() {
        Ok(d) => check!(d >= Duration::from_millis(50), "the wall clock moved {d:?} across a 100 ms sleep"),
        Err(e) => println!("FAIL the wall clock went back across a sleep: {e:?}"),
    }

    let start = Instant::now();
    thread::sleep(Duration::ZERO);
    check!(start.elapsed() < Duration::from_secs(1), "sleep(0) took {:?}", start.elapsed());
}

//! Shared by the benchmarks: the size argument and the clock, as ../lunatic/bench.h.

use std::time::Instant;

/// The first command-line argument as a size, or `default`.
pub fn size_arg(default: i64) -> i64 {
    match std::env::args().nth(1) {
        Some(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("size {text:?} is not an integer")),
        None => default,
    }
}

/// Seconds since `start`, on the monotonic clock (WASI's clock_time_get, as bench.h).
pub fn seconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

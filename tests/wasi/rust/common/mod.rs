//! What the Rust WASI tests share (`#[macro_use] mod common;`). A failed check prints a line
//! starting with "FAIL", which fails the test (tests/run_guest_test.py), and the program goes
//! on, so that one run reports every broken check; `must` ends the program when what failed
//! is needed by the checks after it.
#![allow(dead_code, unused_macros)]

use std::fmt::Debug;
use std::io;

/// Prints "FAIL line N: MESSAGE" unless `cond` holds.
macro_rules! check {
    ($cond:expr, $($message:tt)+) => {
        if !$cond {
            println!("FAIL line {}: {}", line!(), format!($($message)+));
        }
    };
}

/// Checks that `a == b`, printing both when not.
macro_rules! check_eq {
    ($a:expr, $b:expr, $($message:tt)+) => {
        match (&$a, &$b) {
            (a, b) => check!(a == b, "{}: {:?} != {:?}", format!($($message)+), a, b),
        }
    };
}

/// The value of `result`; on an error, prints FAIL and ends the program with status 1.
pub fn must<T, E: Debug>(result: Result<T, E>, what: &str) -> T {
    result.unwrap_or_else(|e| {
        println!("FAIL {what}: {e:?}");
        std::process::exit(1)
    })
}

/// Checks that `result` is an error (something that must be refused); true if it is.
pub fn refused<T: Debug>(result: io::Result<T>, what: &str) -> bool {
    match result {
        Ok(value) => {
            println!("FAIL {what} was allowed: {value:?}");
            false
        }
        Err(_) => true,
    }
}

/// Checks that `result` is an error of `kind`.
pub fn refused_with<T: Debug>(result: io::Result<T>, kind: io::ErrorKind, what: &str) {
    match result {
        Ok(value) => println!("FAIL {what} was allowed: {value:?}"),
        Err(e) if e.kind() != kind => println!("FAIL {what}: {e:?}, expected {kind:?}"),
        Err(_) => {}
    }
}

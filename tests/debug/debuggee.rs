// The Rust guest of tests/debug: compiled with rustc -g -C opt-level=1, then lunaticc -g.
// run_debug_test.py breaks on the line marked BREAK and expects the backtrace
// report <- sum_squares <- main.

#[inline(never)]
fn square(x: u64) -> u64 {
    x.wrapping_mul(x)
}

// A call stays where the source puts it, whatever LLVM does to the loop around it.
#[inline(never)]
fn report(value: u64) {
    println!("sum of squares: {}", value); // BREAK
}

#[inline(never)]
fn sum_squares(n: u64) -> u64 {
    let mut sum = 0;
    for i in 0..n {
        sum += square(i);
    }
    report(sum);
    sum
}

fn main() {
    // From the arguments, so that nothing is computed ahead of time.
    let n = std::env::args().count() as u64 + 9;
    std::process::exit(if sum_squares(n) == 285 { 0 } else { 1 });
}

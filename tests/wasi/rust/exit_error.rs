// A main that returns an error: Rust's runtime prints it on stderr and the status is 1.
// expect-exit: 1
// expect-stdout: returning an error
// expect-stderr: Error: "the reason"
fn main() -> Result<(), String> {
    println!("returning an error");
    Err("the reason".to_string())
}

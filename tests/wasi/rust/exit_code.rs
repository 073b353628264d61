// std::process::exit: the status reaches the host, after the output written before it.
// expect-exit: 42
// expect-stdout: before exit
// expect-stderr: on stderr before exit
fn main() {
    println!("before exit");
    eprintln!("on stderr before exit");
    std::process::exit(42);
}

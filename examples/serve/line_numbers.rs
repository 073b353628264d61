// line_numbers: numbers the lines of its input, like `nl -ba`, in Rust; served with
// `lunaticc --serve`, each request's body comes back numbered. The query string can say
// where to start: `curl --data-binary @notes.txt 'localhost:8080/?start=100'`.
use std::env;
use std::io::{self, BufRead, BufWriter, Write};

fn start_from_query() -> u64 {
    let query = env::var("QUERY_STRING").unwrap_or_default();
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("start="))
        .find_map(|value| value.parse().ok())
        .unwrap_or(1)
}

fn main() -> io::Result<()> {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut number = start_from_query();
    for line in stdin.lock().lines() {
        writeln!(out, "{:6}\t{}", number, line?)?;
        number += 1;
    }
    out.flush()
}

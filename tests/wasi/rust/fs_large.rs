// std::fs with large transfers: a 4 MiB file written in pieces of odd sizes and in one
// piece, read back whole, in odd pieces and from seeks, two files open at once.
// expect-stdout: wrote and read 4194304 bytes
// expect-max-seconds: 20
#[macro_use]
mod common;

use common::must;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};

const SIZE: usize = 4 << 20;

/// The byte at `offset` of the test pattern: not periodic at any power of two.
fn pattern(offset: usize) -> u8 {
    (offset % 251) as u8 ^ (offset / 4093) as u8
}

fn main() {
    let expected: Vec<u8> = (0..SIZE).map(pattern).collect();

    // In pieces of odd sizes, to two files at once; and in one piece.
    let mut a = must(File::create("/sandbox/pieces.bin"), "creating pieces.bin");
    let mut b = must(File::create("/other/pieces.bin"), "creating /other/pieces.bin");
    let mut at = 0;
    for size in [1, 7, 4095, 4097, 65537, 1 << 20].iter().cycle() {
        let end = (at + size).min(SIZE);
        must(a.write_all(&expected[at..end]), "writing a piece");
        must(b.write_all(&expected[at..end]), "writing a piece to /other");
        at = end;
        if at == SIZE {
            break;
        }
    }
    drop((a, b));
    must(fs::write("/sandbox/whole.bin", &expected), "writing whole.bin");

    for path in ["/sandbox/pieces.bin", "/other/pieces.bin", "/sandbox/whole.bin"] {
        let data = must(fs::read(path), path);
        check!(data == expected, "{path} holds {} bytes, not the pattern", data.len());
    }

    // Read in odd pieces, and after seeks.
    let mut f = must(File::open("/sandbox/whole.bin"), "opening whole.bin");
    let mut buf = vec![0u8; 100_003];
    let mut at = 0;
    loop {
        let n = must(f.read(&mut buf), "reading a piece");
        if n == 0 {
            break;
        }
        check!(buf[..n] == expected[at..at + n], "the piece at {at} differs");
        at += n;
    }
    check_eq!(at, SIZE, "bytes read in pieces");
    for offset in [SIZE - 1, 0, 3_000_001, 65_536] {
        must(f.seek(SeekFrom::Start(offset as u64)), "seeking");
        let mut byte = [0u8];
        must(f.read_exact(&mut byte), "reading after a seek");
        check_eq!(byte[0], expected[offset], "the byte at {offset}");
    }
    println!("wrote and read {SIZE} bytes");
}

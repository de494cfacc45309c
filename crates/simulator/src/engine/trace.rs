//! The run's trace: one readable line per event, folded into `trace_hash`.
//!
//! The hash is FNV-1a (64-bit) over the UTF-8 bytes of every line and a newline, so it depends
//! only on the text of the events, never on the platform's word size or hash-map seeds.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Fold `bytes` into an FNV-1a hash.
#[inline]
fn fnv(hash: &mut u64, bytes: &[u8]) {
    let mut h = *hash;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(FNV_PRIME);
    }
    *hash = h;
}

/// A formatter's sink that appends to a byte buffer.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct Trace {
    hash: u64,
    events: u64,
    /// Keep the lines (for `--trace`, the page's export). Off for fuzzing.
    keep_lines: bool,
    /// Compute the hash at all. Off for fuzzing, where nothing reads it.
    hashing: bool,
    lines: Vec<String>,
    /// The line being recorded, kept between events for its allocation.
    line: Vec<u8>,
}

impl Trace {
    pub fn new(hashing: bool, keep_lines: bool) -> Trace {
        Trace { hash: FNV_OFFSET, events: 0, keep_lines, hashing: hashing || keep_lines, lines: Vec::new(), line: Vec::new() }
    }

    /// Record one event whose text is costly to build: `text` is only called when the line is
    /// hashed or kept. The event is counted either way, so event numbers (which the history
    /// keeps for the linearizability checker) are the same whether or not lines are kept.
    pub fn record_with<D: std::fmt::Display>(&mut self, time_ms: u64, text: impl FnOnce() -> D) {
        if self.hashing {
            self.record(time_ms, text());
        } else {
            self.events += 1;
        }
    }

    /// Record one event. `text` is only formatted when the line is hashed or kept.
    pub fn record(&mut self, time_ms: u64, text: impl std::fmt::Display) {
        self.record_bytes(time_ms, |line| {
            use std::fmt::Write as _;
            let _ = write!(Bytes(line), "{text}");
        });
    }

    /// Record one event whose text `write` appends to the line as UTF-8 bytes (for the most
    /// frequent lines, written without the formatting machinery); called only when the line is
    /// hashed or kept.
    pub fn record_bytes(&mut self, time_ms: u64, write: impl FnOnce(&mut Vec<u8>)) {
        self.events += 1;
        if !self.hashing {
            return;
        }
        // One buffer for every line: `{time_ms}ms {text}\n` is built in it, then hashed in one
        // pass (this runs for every event of every hashed run).
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        raft_core::push_decimal(&mut line, time_ms);
        line.extend_from_slice(b"ms ");
        write(&mut line);
        if self.keep_lines {
            self.lines.push(String::from_utf8_lossy(&line).into_owned());
        }
        line.push(b'\n');
        fnv(&mut self.hash, &line);
        self.line = line;
    }

    pub fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash)
    }

    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Lines recorded since `from` (an earlier `lines().len()`).
    pub fn lines_since(&self, from: usize) -> &[String] {
        &self.lines[from.min(self.lines.len())..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_line_and_its_order() {
        let mut a = Trace::new(true, false);
        a.record(1, "x");
        a.record(2, "y");
        let mut b = Trace::new(true, false);
        b.record(2, "y");
        b.record(1, "x");
        assert_ne!(a.hash_hex(), b.hash_hex());
        let mut c = Trace::new(true, true);
        c.record(1, "x");
        c.record(2, "y");
        assert_eq!(a.hash_hex(), c.hash_hex());
        assert_eq!(c.lines(), ["1ms x", "2ms y"]);
        // Hashing without keeping the line folds exactly the bytes of the kept line, and a line
        // written as bytes is the same line.
        let (mut d, mut e) = (Trace::new(true, false), Trace::new(true, true));
        for t in [&mut d, &mut e] {
            t.record(12345, format_args!("S{} becomes {} term={}", 3, "leader", 7));
            t.record(12346, format_args!("héllo {:>4}", 5));
        }
        assert_eq!(d.hash_hex(), e.hash_hex());
        let mut f = Trace::new(true, true);
        f.record_bytes(12345, |b| b.extend_from_slice(b"S3 becomes leader term=7"));
        f.record_bytes(12346, |b| b.extend_from_slice("héllo    5".as_bytes()));
        assert_eq!(f.hash_hex(), d.hash_hex());
        assert_eq!(f.lines(), e.lines());
        assert_eq!(e.lines(), ["12345ms S3 becomes leader term=7", "12346ms héllo    5"]);
        assert_ne!(d.hash_hex(), c.hash_hex());
    }
}

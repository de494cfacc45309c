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
    line: String,
}

impl Trace {
    pub fn new(hashing: bool, keep_lines: bool) -> Trace {
        Trace { hash: FNV_OFFSET, events: 0, keep_lines, hashing: hashing || keep_lines, lines: Vec::new(), line: String::new() }
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
        use std::fmt::Write as _;
        if let Some(mut line) = self.begin(time_ms) {
            let _ = write!(line, "{text}");
            self.finish(line);
        }
    }

    /// Record a Raft message's line (`Message::write_text`, without the formatting machinery:
    /// most of a run's lines).
    pub fn record_message(&mut self, time_ms: u64, m: &raft_core::Message) {
        if let Some(mut line) = self.begin(time_ms) {
            m.write_text(&mut line);
            self.finish(line);
        }
    }

    /// Count an event; when its line is hashed or kept, the line buffer with `{time_ms}ms `
    /// in it, for the text to be appended and handed to `finish`. One buffer serves every line
    /// (this runs for every event of every hashed run).
    fn begin(&mut self, time_ms: u64) -> Option<String> {
        self.events += 1;
        if !self.hashing {
            return None;
        }
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        raft_core::push_decimal(&mut line, time_ms);
        line.push_str("ms ");
        Some(line)
    }

    /// Keep the line if lines are kept, and fold it and a newline into the hash in one pass.
    fn finish(&mut self, mut line: String) {
        if self.keep_lines {
            self.lines.push(line.clone());
        }
        line.push('\n');
        fnv(&mut self.hash, line.as_bytes());
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
        // Hashing without keeping the line folds exactly the bytes of the kept line.
        let (mut d, mut e) = (Trace::new(true, false), Trace::new(true, true));
        for t in [&mut d, &mut e] {
            t.record(12345, format_args!("S{} becomes {} term={}", 3, "leader", 7));
            t.record(12346, format_args!("héllo {:>4}", 5));
        }
        assert_eq!(d.hash_hex(), e.hash_hex());
        assert_eq!(e.lines(), ["12345ms S3 becomes leader term=7", "12346ms héllo    5"]);
        // A message's line written without `Display` is the same line.
        let m = raft_core::Message {
            from: 1,
            to: 3,
            term: 4,
            body: raft_core::MessageBody::PreVoteResponse { granted: true },
        };
        let (mut f, mut g) = (Trace::new(true, true), Trace::new(true, false));
        f.record(7, &m);
        g.record_message(7, &m);
        assert_eq!(f.lines(), ["7ms S1->S3 PreVoteResponse term=4 granted=true"]);
        assert_eq!(f.hash_hex(), g.hash_hex());
        assert_ne!(d.hash_hex(), c.hash_hex());
    }
}

//! The run's trace: one readable line per event, folded into `trace_hash`.
//!
//! The hash is FNV-1a (64-bit) over the UTF-8 bytes of every line and a newline, so it depends
//! only on the text of the events, never on the platform's word size or hash-map seeds.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[derive(Clone, Debug)]
pub struct Trace {
    hash: u64,
    events: u64,
    /// Keep the lines (for `--trace`, the page's export). Off for fuzzing.
    keep_lines: bool,
    /// Compute the hash at all. Off for fuzzing, where nothing reads it.
    hashing: bool,
    lines: Vec<String>,
}

impl Trace {
    pub fn new(hashing: bool, keep_lines: bool) -> Trace {
        Trace { hash: FNV_OFFSET, events: 0, keep_lines, hashing: hashing || keep_lines, lines: Vec::new() }
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
        self.events += 1;
        if !self.hashing {
            return;
        }
        let line = format!("{time_ms}ms {text}");
        for b in line.bytes().chain(std::iter::once(b'\n')) {
            self.hash ^= b as u64;
            self.hash = self.hash.wrapping_mul(FNV_PRIME);
        }
        if self.keep_lines {
            self.lines.push(line);
        }
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
    }
}

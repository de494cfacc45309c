//! Messages between servers.

use crate::types::*;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub from: NodeId,
    pub to: NodeId,
    /// The sender's current term (for `PreVote`, the term it *would* campaign in).
    pub term: Term,
    pub body: MessageBody,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageBody {
    /// Dissertation §9.6: would you vote for me in `term`? Changes no state on the receiver.
    PreVote { last_log_index: Index, last_log_term: Term },
    PreVoteResponse { granted: bool },
    /// Figure 2, RequestVote RPC. `transfer` is set for an election started by `TimeoutNow`
    /// (§3.10), which voters must not ignore under the §4.2.3 rule.
    RequestVote { last_log_index: Index, last_log_term: Term, transfer: bool },
    RequestVoteResponse { granted: bool },
    /// Figure 2, AppendEntries RPC. `read_ctx` is the leader's heartbeat-round counter that
    /// ReadIndex and the lease use to learn which round a follower acknowledged.
    AppendEntries {
        prev_index: Index,
        prev_term: Term,
        entries: Vec<Entry>,
        leader_commit: Index,
        read_ctx: u64,
    },
    /// `success`: `match_index` is the last index known to match the leader's.
    /// `read_ctx` and `read_term` name the round this answers: round numbers restart in every
    /// term, so a round is only the leader's if `read_term` is its current term (a server that
    /// answers a stale request stamps the reply with its own, newer term, which may be the
    /// term the same server leads again).
    /// On failure the follower offers a hint for fast backtracking (dissertation §5.3 / the
    /// "accelerated log backtracking" of the extended paper): `conflict_term` is the term of its
    /// entry at `prev_index` (None if its log is too short) and `conflict_index` the first index
    /// it holds of that term (or its last index + 1 when too short).
    AppendEntriesResponse {
        success: bool,
        match_index: Index,
        conflict_term: Option<Term>,
        conflict_index: Index,
        read_ctx: u64,
        read_term: Term,
    },
    /// Dissertation §5.3 / Figure 5.3, sent in one piece.
    InstallSnapshot { snapshot: Snapshot, read_ctx: u64 },
    /// `read_ctx` and `read_term` as in `AppendEntriesResponse`.
    InstallSnapshotResponse { last_index: Index, read_ctx: u64, read_term: Term },
    /// §3.10: start an election now, even if your timer has not fired.
    TimeoutNow,
}

impl MessageBody {
    pub fn kind(&self) -> &'static str {
        match self {
            MessageBody::PreVote { .. } => "PreVote",
            MessageBody::PreVoteResponse { .. } => "PreVoteResponse",
            MessageBody::RequestVote { .. } => "RequestVote",
            MessageBody::RequestVoteResponse { .. } => "RequestVoteResponse",
            MessageBody::AppendEntries { .. } => "AppendEntries",
            MessageBody::AppendEntriesResponse { .. } => "AppendEntriesResponse",
            MessageBody::InstallSnapshot { .. } => "InstallSnapshot",
            MessageBody::InstallSnapshotResponse { .. } => "InstallSnapshotResponse",
            MessageBody::TimeoutNow => "TimeoutNow",
        }
    }
    pub fn is_response(&self) -> bool {
        matches!(
            self,
            MessageBody::PreVoteResponse { .. }
                | MessageBody::RequestVoteResponse { .. }
                | MessageBody::AppendEntriesResponse { .. }
                | MessageBody::InstallSnapshotResponse { .. }
        )
    }
}

impl fmt::Display for Message {
    /// One readable line, e.g. `S1->S3 AppendEntries term=4 prev=4/7 commit=7 entries=[4/8]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::with_capacity(64);
        self.write_text(&mut text);
        f.write_str(&text)
    }
}

impl Message {
    /// Append the message's line (its `Display` text) to `out` without the formatting
    /// machinery: the simulator hashes one such line per delivered message, and
    /// this is the only rendering (`Display` goes through it).
    pub fn write_text(&self, out: &mut String) {
        let pair = |out: &mut String, term: Term, index: Index| {
            push_decimal(out, term);
            out.push('/');
            push_decimal(out, index);
        };
        out.push('S');
        push_decimal(out, self.from as u64);
        out.push_str("->S");
        push_decimal(out, self.to as u64);
        out.push(' ');
        out.push_str(self.body.kind());
        out.push_str(" term=");
        push_decimal(out, self.term);
        match &self.body {
            MessageBody::PreVote { last_log_index, last_log_term }
            | MessageBody::RequestVote { last_log_index, last_log_term, .. } => {
                out.push_str(" last=");
                pair(out, *last_log_term, *last_log_index);
                if let MessageBody::RequestVote { transfer: true, .. } = self.body {
                    out.push_str(" transfer");
                }
            }
            MessageBody::PreVoteResponse { granted } | MessageBody::RequestVoteResponse { granted } => {
                out.push_str(if *granted { " granted=true" } else { " granted=false" });
            }
            MessageBody::AppendEntries { prev_index, prev_term, entries, leader_commit, .. } => {
                out.push_str(" prev=");
                pair(out, *prev_term, *prev_index);
                out.push_str(" commit=");
                push_decimal(out, *leader_commit);
                out.push_str(" entries=[");
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    pair(out, e.term, e.index);
                }
                out.push(']');
            }
            MessageBody::AppendEntriesResponse { success, match_index, conflict_term, conflict_index, .. } => {
                if *success {
                    out.push_str(" ok match=");
                    push_decimal(out, *match_index);
                } else {
                    match conflict_term {
                        Some(t) => {
                            out.push_str(" reject conflict=");
                            pair(out, *t, *conflict_index);
                        }
                        None => {
                            out.push_str(" reject short=");
                            push_decimal(out, *conflict_index);
                        }
                    }
                }
            }
            MessageBody::InstallSnapshot { snapshot, .. } => {
                out.push_str(" last=");
                pair(out, snapshot.last_term, snapshot.last_index);
            }
            MessageBody::InstallSnapshotResponse { last_index, .. } => {
                out.push_str(" last=");
                push_decimal(out, *last_index);
            }
            MessageBody::TimeoutNow => {}
        }
    }
}

/// Append `n` in decimal, as `{}` writes it.
pub fn push_decimal(out: &mut String, mut n: u64) {
    // Most numbers in a line (server ids, terms) have one or two digits.
    let digit = |d: u64| char::from(b'0' + d as u8);
    if n < 10 {
        out.push(digit(n));
        return;
    }
    if n < 100 {
        out.push(digit(n / 10));
        out.push(digit(n % 10));
        return;
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Pushed one by one: numbers here are short, and a copy call costs more.
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: MessageBody) -> Message {
        Message { from: 2, to: 9, term: 1_234_567_890_123, body }
    }

    #[test]
    fn text_of_every_kind() {
        let entry = |index, term| Entry { index, term, data: EntryData::Noop };
        let snapshot = Snapshot {
            last_index: 40,
            last_term: 7,
            voters: vec![1, 2, 3],
            state: crate::kv::KvState::default().to_data(),
        };
        let t = "S2->S9";
        let cases = [
            (MessageBody::PreVote { last_log_index: 0, last_log_term: 0 }, "PreVote term=1234567890123 last=0/0"),
            (MessageBody::PreVoteResponse { granted: true }, "PreVoteResponse term=1234567890123 granted=true"),
            (
                MessageBody::RequestVote { last_log_index: 10, last_log_term: 3, transfer: true },
                "RequestVote term=1234567890123 last=3/10 transfer",
            ),
            (
                MessageBody::RequestVote { last_log_index: 10, last_log_term: 3, transfer: false },
                "RequestVote term=1234567890123 last=3/10",
            ),
            (MessageBody::RequestVoteResponse { granted: false }, "RequestVoteResponse term=1234567890123 granted=false"),
            (
                MessageBody::AppendEntries {
                    prev_index: 7,
                    prev_term: 4,
                    entries: vec![entry(8, 4), entry(9, 5)],
                    leader_commit: 7,
                    read_ctx: 3,
                },
                "AppendEntries term=1234567890123 prev=4/7 commit=7 entries=[4/8 5/9]",
            ),
            (
                MessageBody::AppendEntries { prev_index: 0, prev_term: 0, entries: vec![], leader_commit: 0, read_ctx: 0 },
                "AppendEntries term=1234567890123 prev=0/0 commit=0 entries=[]",
            ),
            (
                MessageBody::AppendEntriesResponse {
                    success: true,
                    match_index: u64::MAX,
                    conflict_term: None,
                    conflict_index: 0,
                    read_ctx: 1,
                    read_term: 1,
                },
                "AppendEntriesResponse term=1234567890123 ok match=18446744073709551615",
            ),
            (
                MessageBody::AppendEntriesResponse {
                    success: false,
                    match_index: 0,
                    conflict_term: Some(2),
                    conflict_index: 5,
                    read_ctx: 1,
                    read_term: 1,
                },
                "AppendEntriesResponse term=1234567890123 reject conflict=2/5",
            ),
            (
                MessageBody::AppendEntriesResponse {
                    success: false,
                    match_index: 0,
                    conflict_term: None,
                    conflict_index: 100,
                    read_ctx: 1,
                    read_term: 1,
                },
                "AppendEntriesResponse term=1234567890123 reject short=100",
            ),
            (MessageBody::InstallSnapshot { snapshot, read_ctx: 2 }, "InstallSnapshot term=1234567890123 last=7/40"),
            (
                MessageBody::InstallSnapshotResponse { last_index: 40, read_ctx: 2, read_term: 3 },
                "InstallSnapshotResponse term=1234567890123 last=40",
            ),
            (MessageBody::TimeoutNow, "TimeoutNow term=1234567890123"),
        ];
        for (body, want) in cases {
            let m = msg(body);
            assert_eq!(m.to_string(), format!("{t} {want}"));
            let mut line = String::from("x ");
            m.write_text(&mut line);
            assert_eq!(line, format!("x {t} {want}"), "appends to what is there");
        }
    }

    #[test]
    fn decimal_like_display() {
        for n in [0, 1, 9, 10, 11, 42, 99, 100, 101, 999, 1000, 12345, 1 << 32, u64::MAX - 1, u64::MAX] {
            let mut out = String::from("=");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("={n}"));
        }
    }
}

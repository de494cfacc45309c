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
        write!(f, "S{}->S{} {} term={}", self.from, self.to, self.body.kind(), self.term)?;
        match &self.body {
            MessageBody::PreVote { last_log_index, last_log_term }
            | MessageBody::RequestVote { last_log_index, last_log_term, .. } => {
                write!(f, " last={last_log_term}/{last_log_index}")?;
                if let MessageBody::RequestVote { transfer: true, .. } = self.body {
                    write!(f, " transfer")?;
                }
                Ok(())
            }
            MessageBody::PreVoteResponse { granted } | MessageBody::RequestVoteResponse { granted } => {
                write!(f, " granted={granted}")
            }
            MessageBody::AppendEntries { prev_index, prev_term, entries, leader_commit, .. } => {
                write!(f, " prev={prev_term}/{prev_index} commit={leader_commit} entries=[")?;
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        write!(f, " ")?;
                    }
                    write!(f, "{}/{}", e.term, e.index)?;
                }
                write!(f, "]")
            }
            MessageBody::AppendEntriesResponse { success, match_index, conflict_term, conflict_index, .. } => {
                if *success {
                    write!(f, " ok match={match_index}")
                } else {
                    match conflict_term {
                        Some(t) => write!(f, " reject conflict={t}/{conflict_index}"),
                        None => write!(f, " reject short={conflict_index}"),
                    }
                }
            }
            MessageBody::InstallSnapshot { snapshot, .. } => {
                write!(f, " last={}/{}", snapshot.last_term, snapshot.last_index)
            }
            MessageBody::InstallSnapshotResponse { last_index, .. } => write!(f, " last={last_index}"),
            MessageBody::TimeoutNow => Ok(()),
        }
    }
}

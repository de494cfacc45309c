//! What a step asks its caller to do.

use crate::message::Message;
use crate::role::Role;
use crate::types::*;

/// The answer to a client request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientReply {
    /// The command was applied (or, for a read, served) with this result.
    Result(ClientResult),
    /// This server is not the leader; `hint` is the leader it knows of, if any. The request
    /// certainly did not take effect through this server.
    NotLeader { hint: Option<NodeId> },
}

/// One thing the caller must do, in the order the effects were returned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub enum Effect {
    /// Deliver this message to `message.to`.
    Send(Message),
    /// `term` or `voted_for` changed. (Already written to `Durable`.)
    PersistHardState,
    /// The log was written from `from` on: entries at indexes `>= from` may have been replaced or
    /// appended, and anything beyond the new last index was truncated. Observers re-read the log
    /// from `from`. (Already written to `Durable`.)
    PersistLog { from: Index },
    /// A snapshot covering everything up to `last_index` replaced the log prefix (compaction or
    /// InstallSnapshot). (Already written to `Durable`.)
    PersistSnapshot { last_index: Index },
    /// Arm the election timer with a fresh random duration from the configured range,
    /// cancelling any earlier one.
    ResetElectionTimer,
    /// Arm the heartbeat timer one heartbeat interval from now, cancelling any earlier one.
    SetHeartbeatTimer,
    /// Stop the heartbeat timer (this node is no longer leader).
    StopHeartbeatTimer,
    RoleChanged { role: Role, term: Term },
    /// The commit index advanced to `index`.
    Committed { index: Index },
    /// The entry at `index` was applied to the state machine (in index order, each once per
    /// node lifetime unless a snapshot intervenes).
    Applied { index: Index, term: Term },
    /// Answer the client request `id`.
    ClientReply { id: RequestId, reply: ClientReply },
    /// An admin input (`TransferLeadership`, `AddServer`, `RemoveServer`) cannot proceed, for
    /// the reason given (not the leader, a change already in progress, the §4.1 rule that a
    /// leader first commits an entry of its term, ...). Also emitted by a leader's heartbeat
    /// tick when a transfer is aborted because it did not complete within an election timeout.
    /// Nothing changed; the caller may report it and retry later.
    Refused { reason: String },
}

//! The engine's one event stream: everything that happens in a run, as data.
//!
//! `Sim::emit` hands each event to the consumers inside the engine, in this order: the trace
//! (one line, hashed), the safety checker, the feed (English, only when kept), and the list a
//! viewer drains with [`Sim::take_events`](super::Sim::take_events) (only when
//! `Observe::events`). The session's message tracker and the page's captions read that list;
//! nobody diffs snapshots to find out what happened.
//!
//! Adding a kind of event: a variant here, an `emit` where it happens, and an arm in each
//! consumer that cares (`tracing.rs`, `feed.rs`, `Sim::check`, the session's tracker).

use raft_core::{Index, NodeId, Role, Term};

use super::wire::Flight;
use crate::check::safety::Violation;
use crate::model::Setting;
use crate::servers::{Admin, TimerName};

/// Why a message died instead of arriving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Lost by the network (the `loss` setting), halfway.
    Lost,
    /// A partition or cut separates its ends: as it left, while in flight, or on arrival.
    CutOff,
    /// Its receiver is crashed.
    ServerDown,
}

/// A change of the network's links, as the operator asked it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetChange {
    /// The groups, as the trace writes them (`{S1 S2} {S3}`).
    Partition(String),
    Cut { from: NodeId, to: NodeId, both: bool },
    Uncut { from: NodeId, to: NodeId, both: bool },
    Isolate(NodeId),
    Heal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message (one copy) went on the wire. Carries the message, so it is only built for a
    /// viewer that drains the list.
    Sent(Box<Flight>),
    Delivered { id: u64 },
    Dropped { id: u64, reason: DropReason },
    /// A server's timer fired at its deadline.
    TimerFired { node: NodeId, name: TimerName },
    /// The operator fired server `node`'s election timer early (`timeout X`).
    TimerForced { node: NodeId },
    RoleChanged { node: NodeId, role: Role, term: Term },
    /// Log entries of `node` from `from` on were written.
    LogWritten { node: NodeId, from: Index },
    SnapshotTaken { node: NodeId, last_index: Index },
    /// `node`'s commit index reached `index`; `leader`: it was leading then.
    Committed { node: NodeId, index: Index, leader: bool },
    Applied { node: NodeId, index: Index, term: Term },
    /// A client issued operation `op` (its index in the history) to server `to`.
    ClientInvoked { op: usize, to: NodeId },
    /// Operation `op` ended (its outcome is in the history).
    ClientAnswered { op: usize },
    Crashed { node: NodeId },
    Restarted { node: NodeId },
    NetworkChanged(NetChange),
    /// An operator's request to a server (`transfer`, `add`, `remove`).
    Admin { node: NodeId, admin: Admin },
    SettingChanged(Setting),
    /// A line of the trace a server asked for ("S1 election timeout").
    ServerNote { node: NodeId, text: std::borrow::Cow<'static, str> },
    /// A sentence a server gave the feed (what survives a crash…).
    ServerSaid { node: NodeId, text: String },
    Violation(Violation),
    /// An action that could not be carried out.
    Error { text: String },
}

//! What travels on the simulated network, and the wire that holds it while it travels.

use std::collections::VecDeque;

use raft_core::{ClientReply, ClientResult, Command, NodeId, RequestId};

use crate::model::{op_text, Operation};
use crate::servers::Payload;

/// What travels on the simulated network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Envelope {
    /// A message between servers, whatever their protocol.
    Peer(Payload),
    /// A client request for server `to`; `attempt` tells a redirect to the current try apart
    /// from an answer to an old one.
    Request { client: usize, attempt: u32, to: NodeId, id: RequestId, command: Command },
    /// `attempt` is the try it answers, or 0 for a result (a result is final whichever try).
    Reply { client: usize, attempt: u32, from: NodeId, reply: ClientReply },
}

impl Envelope {
    pub fn kind(&self) -> &'static str {
        match self {
            Envelope::Peer(m) => m.kind(),
            Envelope::Request { .. } => "ClientRequest",
            Envelope::Reply { .. } => "ClientReply",
        }
    }
    /// (from, to) of a message between servers, which partitions and cuts apply to; None for
    /// client traffic (clients stand outside the cluster).
    pub fn link(&self) -> Option<(NodeId, NodeId)> {
        match self {
            Envelope::Peer(m) => Some((m.from(), m.to())),
            Envelope::Request { .. } | Envelope::Reply { .. } => None,
        }
    }
    pub fn is_response(&self) -> bool {
        match self {
            Envelope::Peer(m) => m.is_response(),
            Envelope::Request { .. } => false,
            Envelope::Reply { .. } => true,
        }
    }
    /// `S1`…, or `C<line>` for a client.
    pub fn endpoints(&self, history: &[Operation]) -> (String, String) {
        match self {
            Envelope::Peer(m) => (format!("S{}", m.from()), format!("S{}", m.to())),
            Envelope::Request { client, to, .. } => (client_name(history, *client), format!("S{to}")),
            Envelope::Reply { client, from, .. } => (format!("S{from}"), client_name(history, *client)),
        }
    }
    pub fn summary(&self, history: &[Operation]) -> String {
        match self {
            Envelope::Peer(m) => m.to_string(),
            Envelope::Request { client, to, .. } => {
                let op = &history[*client];
                format!("{}->S{to} ClientRequest {}", client_name(history, *client), op_text(op))
            }
            Envelope::Reply { client, from, reply, .. } => {
                let what = match reply {
                    ClientReply::Result(ClientResult::Done) => "ok".to_string(),
                    ClientReply::Result(ClientResult::Value(v)) => format!("ok {}", v.as_deref().unwrap_or("-")),
                    ClientReply::Result(ClientResult::CasFailed(v)) => {
                        format!("fail (is {})", v.as_deref().unwrap_or("-"))
                    }
                    ClientReply::NotLeader { hint: Some(h) } => format!("not-leader, try S{h}"),
                    ClientReply::NotLeader { hint: None } => "not-leader".to_string(),
                };
                format!("S{from}->{} ClientReply {what}", client_name(history, *client))
            }
        }
    }
}

/// A message on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flight {
    pub id: u64,
    pub envelope: Envelope,
    pub sent_ms: u64,
    pub deliver_ms: u64,
    /// Set when the message was lost or cut off by a partition; it dies where it is then.
    pub dropped_ms: Option<u64>,
}

/// The messages on the wire, by id. Ids are handed out in increasing order and a message lands
/// within its latency, so the wire is a window of slots from the oldest message still on it to
/// the newest: insertion at the back, removal by index, iteration in id order. (A BTreeMap
/// moved its 152-byte flights around on every removal, a fifth of a fuzzing run's time.)
#[derive(Clone, Default)]
pub(super) struct Wire {
    /// Id of the message in `slots[0]`.
    first: u64,
    slots: VecDeque<Option<Flight>>,
}

impl Wire {
    /// `f.id` must be above every id inserted before.
    pub(super) fn insert(&mut self, f: Flight) {
        if self.slots.is_empty() {
            self.first = f.id;
        }
        debug_assert!(f.id >= self.first + self.slots.len() as u64, "ids go up");
        while self.first + (self.slots.len() as u64) < f.id {
            self.slots.push_back(None);
        }
        self.slots.push_back(Some(f));
    }

    pub(super) fn remove(&mut self, id: u64) -> Option<Flight> {
        let k = usize::try_from(id.checked_sub(self.first)?).ok()?;
        let f = self.slots.get_mut(k)?.take()?;
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.first += 1;
        }
        Some(f)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Flight> {
        self.slots.iter().flatten()
    }
}

/// `C<line>`: a client is named by the scenario line that issued its command.
fn client_name(history: &[Operation], client: usize) -> String {
    format!("C{}", history[client].line)
}

//! The trace: one readable line per event, folded into `trace_hash` — one consumer of the event
//! stream. The lines are those of every earlier version, byte for byte (the hashes of every
//! scenario and exercise are pinned).

use super::events::{DropReason, Event, NetChange};
use super::feed::{answer_text, arrow};
use super::{Envelope, Flight, Sim};
use crate::model::op_text;
use crate::servers::Payload;

impl Sim {
    /// `flight`: the message of a delivery or of a drop met on the way (lost) or on arrival;
    /// None for a message that died as it left or when a partition cut it off in flight, which
    /// the trace has never written.
    #[inline]
    pub(super) fn trace_event(&mut self, e: &Event, flight: Option<&Flight>) {
        let now = self.now;
        let t = &mut self.trace;
        match e {
            Event::Delivered { .. } => {
                let Some(f) = flight else { return };
                match &f.envelope {
                    // Most lines of a run: written without the formatting machinery.
                    Envelope::Peer(Payload::Raft(m)) => t.record_message(now, m),
                    Envelope::Peer(m) => t.record(now, m),
                    env => {
                        let history = &self.history;
                        t.record_with(now, || env.summary(history))
                    }
                }
            }
            Event::Dropped { reason, .. } => {
                let Some(f) = flight else { return };
                match (&f.envelope, reason) {
                    (env, DropReason::Lost) => {
                        let history = &self.history;
                        t.record_with(now, || format!("lost {}", env.summary(history)))
                    }
                    (Envelope::Peer(m), _) if m.traced_when_dropped() => t.record(now, format_args!("dropped {m}")),
                    _ => {}
                }
            }
            Event::TimerForced { node } => t.record(now, format_args!("timeout S{node}")),
            Event::RoleChanged { node, role, term } => t.record(now, format_args!("S{node} becomes {} term={term}", role.name())),
            Event::Committed { node, index, leader: true } => t.record(now, format_args!("S{node} commit {index}")),
            Event::ClientInvoked { op, .. } => {
                let op = &self.history[*op];
                t.record(now, format_args!("client {} {}", op.line, op_text(op)))
            }
            Event::ClientAnswered { op } => {
                let op = &self.history[*op];
                t.record(now, format_args!("client {} {} -> {}", op.line, op_text(op), answer_text(op)))
            }
            Event::Crashed { node } => t.record(now, format_args!("crash S{node}")),
            Event::Restarted { node } => t.record(now, format_args!("restart S{node}")),
            Event::NetworkChanged(c) => match c {
                NetChange::Partition(text) => t.record(now, format_args!("partition {text}")),
                NetChange::Cut { from, to, both } => t.record(now, format_args!("cut S{from} {} S{to}", arrow(*both))),
                NetChange::Uncut { from, to, both } => t.record(now, format_args!("uncut S{from} {} S{to}", arrow(*both))),
                NetChange::Isolate(id) => t.record(now, format_args!("isolate S{id}")),
                NetChange::Heal => t.record(now, "heal"),
            },
            Event::Admin { node, admin } => t.record(now, format_args!("admin S{node} {admin:?}")),
            Event::SettingChanged(s) => t.record(now, format_args!("set {s:?}")),
            Event::ServerNote { node, text } => t.record(now, format_args!("S{node} {text}")),
            Event::Violation(v) => t.record(now, format_args!("violation {} {}", v.property.name(), v.detail)),
            Event::Error { text } => t.record(now, format_args!("error {text}")),
            Event::Sent(_)
            | Event::TimerFired { .. }
            | Event::LogWritten { .. }
            | Event::SnapshotTaken { .. }
            | Event::Committed { leader: false, .. }
            | Event::Applied { .. }
            | Event::ServerSaid { .. } => {}
        }
    }
}

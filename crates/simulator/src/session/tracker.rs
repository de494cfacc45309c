//! What the page needs about the past that the simulator does not keep: every message's whole
//! life (sent, delivered or dropped) for the space-time diagram, and the marks of the timeline
//! (elections, crashes, partitions, client writes, commits, violations).
//!
//! The tracker reads the engine's event stream ([`crate::engine::Event`]), drained after every
//! step: a message is recorded when it is sent and closed when it is delivered or dropped; a
//! mark is added when a server becomes leader, when the highest commit in the cluster grows and
//! when a property is violated. It never changes the run.

use std::collections::VecDeque;

use raft_core::Role;
use serde::Serialize;
use crate::engine::{Event, Flight};
use crate::runner::Runner;
use crate::scenario::{Action, ItemKind};
use crate::runner::view::{self, MessageView};

/// Messages kept for the diagram. Older windows are recomputed by replay (see [`super::Session::messages_between`]).
pub const MESSAGES_MAX: usize = 20_000;
/// Marks kept for the timeline; the oldest go first.
pub const MARKS_MAX: usize = 5_000;

/// A message as the page's frame shows it, plus the end of its life. Serialized as one flat
/// object, by hand: `#[serde(flatten)]` goes through a map and made the diagram's
/// `messagesBetween` several times slower.
#[derive(Clone, Debug)]
pub struct MessageRec {
    pub wire: MessageView,
    /// When it was delivered or dropped; None while it is on the wire.
    pub end_ms: Option<u64>,
    /// Dropped (lost, cut off, or delivered to a crashed server), not delivered.
    pub dropped: bool,
}

impl Serialize for MessageRec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let w = &self.wire;
        let mut st = s.serialize_struct("MessageRec", 10)?;
        st.serialize_field("id", &w.id)?;
        st.serialize_field("from", &w.from)?;
        st.serialize_field("to", &w.to)?;
        st.serialize_field("kind", w.kind)?;
        st.serialize_field("response", &w.response)?;
        st.serialize_field("summary", &w.summary)?;
        st.serialize_field("sent_ms", &w.sent_ms)?;
        st.serialize_field("deliver_ms", &w.deliver_ms)?;
        st.serialize_field("end_ms", &self.end_ms)?;
        st.serialize_field("dropped", &self.dropped)?;
        st.end()
    }
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub time_ms: u64,
    /// `leader`, `crash`, `restart`, `partition`, `heal`, `write`, `read`, `commit`, `violation`.
    pub kind: &'static str,
    pub text: String,
}

/// Happenings kept for the page's captions (the newest; a frame reads those it has not seen).
pub const HAPPENED_MAX: usize = 64;

/// Something a figure tells its reader about ("S2 is now the leader"), from the event stream.
/// `seq` grows through the whole session (also across a seek), so a frame can tell what it has
/// not announced yet.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Happening {
    pub seq: u64,
    pub time_ms: u64,
    /// `leader` (node, term), `commit` (index: the highest committed entry in the cluster grew),
    /// `answered` (line: a client operation ended; its outcome is in the history) or
    /// `violation` (property, detail).
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Happening {
    fn new(time_ms: u64, kind: &'static str) -> Happening {
        Happening { seq: 0, time_ms, kind, node: None, term: None, index: None, line: None, property: None, detail: None }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Tracker {
    pub messages: VecDeque<MessageRec>,
    /// The highest commit index any server has reached: a `commit` mark when it grows.
    commit_top: u64,
    pub marks: VecDeque<Mark>,
    /// Whether messages were ever evicted (older windows then need a replay).
    pub evicted_before_ms: Option<u64>,
    /// The newest happenings, oldest first.
    pub happened: VecDeque<Happening>,
    next_seq: u64,
}

fn rec_of(f: &Flight, runner: &Runner) -> MessageRec {
    MessageRec { wire: view::message_view(f, runner), end_ms: f.dropped_ms, dropped: f.dropped_ms.is_some() }
}

impl Tracker {
    /// Start watching `runner` as it is now: what is on the wire is known, the past is not.
    pub fn from_runner(runner: &Runner) -> Tracker {
        let mut t = Tracker::default();
        for f in runner.sim.in_flight() {
            t.messages.push_back(rec_of(f, runner));
        }
        t.commit_top = top_commit(runner);
        t
    }

    fn push_mark(&mut self, time_ms: u64, kind: &'static str, text: String) {
        if self.marks.len() >= MARKS_MAX {
            self.marks.pop_front();
        }
        self.marks.push_back(Mark { time_ms, kind, text });
    }

    /// A mark for a scenario line applied at `time_ms`, if it is one the timeline shows.
    pub fn mark_line(&mut self, time_ms: u64, kind: &ItemKind, text: &str) {
        let k = match kind {
            ItemKind::Action(a) => match a {
                Action::Crash(_) => "crash",
                Action::Restart(_) => "restart",
                Action::Partition(_) | Action::Cut { .. } | Action::Isolate(_) => "partition",
                Action::Uncut { .. } => "heal",
                Action::Heal => "heal",
                Action::Put { .. } | Action::Cas { .. } => "write",
                Action::Get { .. } => "read",
                _ => return,
            },
            _ => return,
        };
        self.push_mark(time_ms, k, text.to_string());
    }

    fn find(&self, id: u64) -> Option<usize> {
        self.messages.binary_search_by_key(&id, |m| m.wire.id).ok()
    }

    /// Take the events of the runner's last step or action.
    pub fn observe(&mut self, runner: &mut Runner) {
        let events = runner.sim.take_events();
        for (now, e) in events {
            self.on_event(now, e, runner);
        }
    }

    fn on_event(&mut self, now: u64, e: Event, runner: &Runner) {
        match e {
            Event::Sent(f) => {
                if self.messages.len() >= MESSAGES_MAX {
                    if let Some(old) = self.messages.pop_front() {
                        self.evicted_before_ms = Some(old.wire.sent_ms.max(self.evicted_before_ms.unwrap_or(0)));
                    }
                }
                self.messages.push_back(rec_of(&f, runner));
            }
            Event::Delivered { id } => self.close(id, now, false),
            Event::Dropped { id, .. } => self.close(id, now, true),
            Event::RoleChanged { node, role: Role::Leader, term } => {
                self.push_mark(now, "leader", format!("S{node} leads term {term}"));
                self.tell(Happening { node: Some(format!("S{node}")), term: Some(term), ..Happening::new(now, "leader") });
            }
            // A new highest committed entry anywhere in the cluster (an election's no-op, a write).
            Event::Committed { node, index, .. } if index > self.commit_top => {
                self.commit_top = index;
                self.push_mark(now, "commit", format!("S{node} committed up to entry {index}"));
                self.tell(Happening { node: Some(format!("S{node}")), index: Some(index), ..Happening::new(now, "commit") });
            }
            Event::ClientAnswered { op } => {
                let line = runner.sim.history().get(op).map(|o| o.line);
                self.tell(Happening { line, ..Happening::new(now, "answered") });
            }
            Event::Violation(v) => {
                let text = format!("{}: {}", v.property.name(), v.detail);
                self.push_mark(v.at_ms, "violation", text);
                self.tell_violation(v.at_ms, v.property.name(), v.detail);
            }
            _ => {}
        }
    }

    fn tell(&mut self, mut h: Happening) {
        self.next_seq += 1;
        h.seq = self.next_seq;
        if self.happened.len() >= HAPPENED_MAX {
            self.happened.pop_front();
        }
        self.happened.push_back(h);
    }

    /// A property was found violated (the safety checker's, or the session's linearizability
    /// verdict).
    pub fn tell_violation(&mut self, time_ms: u64, property: &'static str, detail: String) {
        self.tell(Happening { property: Some(property), detail: Some(detail), ..Happening::new(time_ms, "violation") });
    }

    /// Message `id` left the wire at `end_ms`.
    fn close(&mut self, id: u64, end_ms: u64, dropped: bool) {
        let Some(i) = self.find(id) else { return };
        let m = &mut self.messages[i];
        m.end_ms = Some(end_ms);
        m.dropped = dropped;
    }

    /// The run went back to `runner` (at its instant) and goes on differently from there:
    /// forget what happened after that instant.
    pub fn truncate(&mut self, runner: &Runner) {
        let now = runner.sim.now();
        while self.messages.back().is_some_and(|m| m.wire.sent_ms > now) {
            self.messages.pop_back();
        }
        while self.marks.back().is_some_and(|m| m.time_ms > now) {
            self.marks.pop_back();
        }
        while self.happened.back().is_some_and(|h| h.time_ms > now) {
            self.happened.pop_back();
        }
        for m in self.messages.iter_mut() {
            if m.end_ms.is_some_and(|e| e > now) {
                m.end_ms = None;
                m.dropped = false;
            }
        }
        // The highest commit before this instant: the newest commit mark kept, or what the
        // servers hold now.
        self.commit_top = self
            .marks
            .iter()
            .rev()
            .find(|m| m.kind == "commit")
            .and_then(|m| m.text.rsplit(' ').next()?.parse().ok())
            .unwrap_or(0)
            .max(top_commit(runner));
    }
}

/// The highest commit index any server reports.
fn top_commit(runner: &Runner) -> u64 {
    runner.sim.servers().iter().map(|s| s.report().map_or(0, |r| r.commit_index())).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use crate::engine::Observe;

    #[test]
    fn every_message_is_seen_with_its_fate() {
        let sc = scenario::parse("nodes 3\nseed 4\nloss 20%\n").unwrap();
        let mut r = Runner::new(&sc, Observe::PAGE);
        let mut t = Tracker::from_runner(&r);
        while r.sim.step_one(3000) {
            t.observe(&mut r);
        }
        let st = &r.sim.stats();
        let delivered = t.messages.iter().filter(|m| m.end_ms.is_some() && !m.dropped).count() as u64;
        let dropped = t.messages.iter().filter(|m| m.dropped).count() as u64;
        assert_eq!(delivered, st.messages_delivered);
        assert_eq!(dropped, st.messages_dropped);
        assert!(t.marks.iter().any(|m| m.kind == "leader"));
        // The leader's no-op commits: one commit mark per new highest entry, in order.
        let commits: Vec<&Mark> = t.marks.iter().filter(|m| m.kind == "commit").collect();
        assert!(!commits.is_empty());
        assert!(commits.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
    }
}

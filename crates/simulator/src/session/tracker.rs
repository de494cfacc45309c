//! What the page needs about the past that the simulator does not keep: every message's whole
//! life (sent, delivered or dropped) for the space-time diagram, and the marks of the timeline
//! (elections, crashes, partitions, client writes, commits, violations).
//!
//! The tracker watches a [`Runner`] from outside, one event at a time: it never changes the run.
//! The simulator's counters tell it cheaply whether an event touched the network at all, so an
//! event that did not costs a comparison of three numbers.

use std::collections::{BTreeSet, VecDeque};

use raft_core::Role;
use serde::Serialize;
use crate::runner::Runner;
use crate::scenario::{Action, ItemKind};
use crate::sim::Flight;
use crate::view::{self, MessageView};

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

#[derive(Clone, Debug, Default)]
pub struct Tracker {
    pub messages: VecDeque<MessageRec>,
    /// Ids of kept messages still on the wire.
    open: BTreeSet<u64>,
    /// Highest message id seen (in flight or dropped at once).
    max_id: u64,
    /// (sent, delivered, dropped) at the last look.
    counters: (u64, u64, u64),
    /// Term in which each server (by id) was last seen leading, 0 when not leading.
    leading: [u64; 10],
    /// The highest commit index any server has reached: a `commit` mark when it grows.
    commit_top: u64,
    violations: usize,
    pub marks: VecDeque<Mark>,
    /// Whether messages were ever evicted (older windows then need a replay).
    pub evicted_before_ms: Option<u64>,
}

fn rec_of(f: &Flight, runner: &Runner) -> MessageRec {
    MessageRec { wire: view::message_view(f, runner), end_ms: f.dropped_ms, dropped: f.dropped_ms.is_some() }
}

impl Tracker {
    /// Start watching `runner` as it is now: what is on the wire is known, the past is not.
    pub fn from_runner(runner: &Runner) -> Tracker {
        let mut t = Tracker::default();
        t.resync(runner);
        for f in runner.sim.in_flight() {
            t.messages.push_back(rec_of(f, runner));
            t.open.insert(f.id);
        }
        t
    }

    /// Take the runner's counters, servers and the ids on the wire as the new baseline.
    fn resync(&mut self, runner: &Runner) {
        let sim = &runner.sim;
        let st = &sim.stats();
        self.counters = (st.messages_sent, st.messages_delivered, st.messages_dropped);
        let ids = sim.in_flight().map(|f| f.id).chain(sim.recently_dropped().map(|f| f.id));
        self.max_id = self.max_id.max(ids.max().unwrap_or(0));
        for s in sim.servers() {
            self.leading[s.id() as usize] =
                if s.running() && s.role() == Role::Leader { s.term() } else { 0 };
        }
        self.commit_top = self.commit_top.max(sim.servers().iter().map(|s| s.report().map_or(0, |r| r.commit_index())).max().unwrap_or(0));
        self.violations = sim.violations().len();
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

    /// Look at the runner after one event or action.
    pub fn observe(&mut self, runner: &Runner) {
        let sim = &runner.sim;
        let now = sim.now();
        let st = &sim.stats();
        let counters = (st.messages_sent, st.messages_delivered, st.messages_dropped);
        if counters != self.counters {
            let drops = counters.2 > self.counters.2;
            self.counters = counters;
            // New messages: on the wire, or dropped as they left (ids only grow).
            let mut fresh: Vec<MessageRec> = sim
                .in_flight()
                .filter(|f| f.id > self.max_id)
                .chain(sim.recently_dropped().filter(|f| f.id > self.max_id))
                .map(|f| rec_of(f, runner))
                .collect();
            fresh.sort_by_key(|m| m.wire.id);
            for m in fresh {
                self.max_id = self.max_id.max(m.wire.id);
                if m.end_ms.is_none() {
                    self.open.insert(m.wire.id);
                }
                if self.messages.len() >= MESSAGES_MAX {
                    if let Some(old) = self.messages.pop_front() {
                        self.open.remove(&old.wire.id);
                        self.evicted_before_ms = Some(old.wire.sent_ms.max(self.evicted_before_ms.unwrap_or(0)));
                    }
                }
                self.messages.push_back(m);
            }
            // Messages that left the wire: delivered, or dropped (then listed as dropped, or a
            // client request that found its server crashed).
            let mut gone = Vec::new();
            {
                let mut wire = sim.in_flight().map(|f| f.id).peekable();
                for &id in &self.open {
                    while wire.next_if(|&w| w < id).is_some() {}
                    if wire.peek() != Some(&id) {
                        gone.push(id);
                    }
                }
            }
            for id in gone {
                self.open.remove(&id);
                // Only scan the drop list when this event dropped something.
                let dropped_at =
                    if drops { sim.recently_dropped().find(|f| f.id == id).and_then(|f| f.dropped_ms) } else { None };
                let Some(i) = self.find(id) else { continue };
                let m = &mut self.messages[i];
                match dropped_at {
                    Some(t) => {
                        m.end_ms = Some(t);
                        m.dropped = true;
                    }
                    None => {
                        let to_down = m.wire.kind == "ClientRequest"
                            && sim.servers().iter().any(|s| format!("S{}", s.id()) == m.wire.to && !s.running());
                        m.end_ms = Some(now);
                        m.dropped = to_down;
                    }
                }
            }
        }
        for s in sim.servers() {
            let term = if s.running() && s.role() == Role::Leader { s.term() } else { 0 };
            let before = self.leading[s.id() as usize];
            self.leading[s.id() as usize] = term;
            if term != 0 && term != before {
                self.push_mark(now, "leader", format!("S{} leads term {term}", s.id()));
            }
        }
        // A new highest committed entry anywhere in the cluster (an election's no-op, a write).
        if let Some(s) = sim.servers().iter().max_by_key(|s| (s.report().map_or(0, |r| r.commit_index()), std::cmp::Reverse(s.id()))) {
            let top = s.report().map_or(0, |r| r.commit_index());
            if top > self.commit_top {
                self.commit_top = top;
                self.push_mark(now, "commit", format!("S{} committed up to entry {top}", s.id()));
            }
        }
        let v = sim.violations();
        if v.len() > self.violations {
            for x in &v[self.violations..] {
                let text = format!("{}: {}", x.property.name(), x.detail);
                self.push_mark(x.at_ms, "violation", text);
            }
            self.violations = v.len();
        }
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
        let wire: BTreeSet<u64> = runner.sim.in_flight().map(|f| f.id).collect();
        for m in self.messages.iter_mut() {
            if m.end_ms.is_some_and(|e| e > now) {
                m.end_ms = None;
                m.dropped = false;
            }
        }
        self.open = self.messages.iter().filter(|m| m.end_ms.is_none()).map(|m| m.wire.id).filter(|id| wire.contains(id)).collect();
        self.max_id = self.messages.back().map_or(0, |m| m.wire.id);
        // The highest commit before this instant: the newest commit mark kept, or what the
        // servers hold now.
        self.commit_top = self
            .marks
            .iter()
            .rev()
            .find(|m| m.kind == "commit")
            .and_then(|m| m.text.rsplit(' ').next()?.parse().ok())
            .unwrap_or(0);
        self.resync(runner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use crate::sim::Observe;

    #[test]
    fn every_message_is_seen_with_its_fate() {
        let sc = scenario::parse("nodes 3\nseed 4\nloss 20%\n").unwrap();
        let mut r = Runner::new(&sc, Observe::PAGE);
        let mut t = Tracker::from_runner(&r);
        while r.sim.step_one(3000) {
            t.observe(&r);
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

//! The five properties of the Raft paper's Figure 3, checked after every simulated event.
//!
//! The checker sits outside the servers and sees only what a step reported (its effects) plus
//! the server's public getters. It keeps its own mirror of every log as (term, prefix hash)
//! per index, so each check costs only what the event changed:
//!
//! * election safety — at most one leader per term (`on_role`);
//! * leader append-only — a leader never overwrites or deletes its entries (`on_log_written`);
//! * log matching — two logs with an entry of the same index and term agree on every entry up
//!   to it: equal (index, term) must mean equal prefix hash (`on_log_written`);
//! * leader completeness — a committed entry is in the log of every leader of a later term
//!   (`on_role` for new leaders, `on_commit` for newly committed entries);
//! * state machine safety — no two servers apply different entries at one index (`on_apply`),
//!   and a server whose state machine jumps to a snapshot (InstallSnapshot, compaction) jumps
//!   to the committed prefix (`on_snapshot`).
//!
//! Snapshots: entries below a server's snapshot are not in its log any more. Their slots in the
//! mirror are the committed prefix (a snapshot holds only committed entries), so a server that
//! replaced conflicting uncommitted entries by a leader's snapshot mirrors what it now holds,
//! not what it held before.
//!
//! Configurations (dissertation §4.1, single-server changes): a leader appends a configuration
//! that differs from the one before it by at most one server, and only once the previous one
//! is committed, so at most one configuration entry is ever uncommitted in a leader's log.
//! That is what keeps the majorities of consecutive configurations overlapping, on which
//! election safety rests; a breach is reported as `election-safety` (`check_configs`).

use raft_core::vecmap::VecMap;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use raft_core::{Entry, EntryData, Index, NodeId, Role, Term};

use crate::model::{Property, Reported, MAX_NODES};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub property: Property,
    pub at_ms: u64,
    pub detail: String,
}

/// FNV-1a as a `Hasher`: fixed, seedless. (Only compared within one run, so word size does not
/// matter here; the trace hash is computed from text instead.)
struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn entry_hash(e: &Entry) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    e.term.hash(&mut h);
    e.data.hash(&mut h);
    h.finish()
}

fn chain(prev: u64, term: Term, entry: u64) -> u64 {
    let mut h = Fnv(prev ^ 0x9e37_79b9_7f4a_7c15);
    term.hash(&mut h);
    entry.hash(&mut h);
    h.finish()
}

/// One slot of a mirrored log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    term: Term,
    /// Hash of this entry alone.
    entry: u64,
    /// Hash of every entry up to and including this one.
    prefix: u64,
}

#[derive(Clone)]
pub struct SafetyChecker {
    /// Mirror of each server's log; index 0 of the Vec is log index 1.
    mirrors: Vec<Vec<Slot>>,
    /// Leader of each term seen.
    leaders: VecMap<Term, NodeId>,
    /// (index, term) → prefix hash, over every log ever written.
    seen: HashMap<(Index, Term), u64>,
    /// The committed prefix: slot of each committed index (index 1 first).
    committed: Vec<Slot>,
    /// The term in which each committed index was first known committed: leader completeness
    /// speaks of leaders of later terms than that (an entry of term 1 first committed by the
    /// leader of term 3 need not be in the log of term 2's leader).
    committed_in: Vec<Term>,
    /// Applied entry hash per index.
    applied: Vec<Option<(u64, NodeId)>>,
    /// Current leaders and their terms, for the completeness check at commit time.
    current_leader_term: [Option<Term>; MAX_NODES + 1],
    /// The cluster's initial configuration, learned from the first server seen whose log holds
    /// no configuration (its voter set is the initial one).
    initial_voters: Option<Vec<NodeId>>,
    violations: Vec<Violation>,
    reported: usize,
}

impl Default for SafetyChecker {
    fn default() -> Self {
        Self::new()
    }
}

impl SafetyChecker {
    pub fn new() -> SafetyChecker {
        SafetyChecker {
            mirrors: vec![Vec::new(); MAX_NODES + 1],
            leaders: VecMap::new(),
            seen: HashMap::new(),
            committed: Vec::new(),
            committed_in: Vec::new(),
            applied: Vec::new(),
            current_leader_term: [None; MAX_NODES + 1],
            initial_voters: None,
            violations: Vec::new(),
            reported: 0,
        }
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    pub fn is_safe(&self) -> bool {
        self.violations.is_empty()
    }

    /// The first violation not yet handed out (for the feed and the trace).
    pub fn take_new_violation(&mut self) -> Option<Violation> {
        if self.reported < self.violations.len() {
            self.reported += 1;
            Some(self.violations[self.reported - 1].clone())
        } else {
            None
        }
    }

    /// Only the first violation of each property is recorded: after that the run is already
    /// broken and repeated reports would bury the explanation.
    fn violate(&mut self, property: Property, at_ms: u64, detail: String) {
        if self.violations.iter().any(|v| v.property == property) {
            return;
        }
        self.violations.push(Violation { property, at_ms, detail });
    }

    pub fn on_crash(&mut self, id: NodeId) {
        self.current_leader_term[id as usize] = None;
    }

    pub fn on_role(&mut self, now: u64, id: NodeId, role: Role, term: Term, node: &dyn Reported) {
        if role != Role::Leader {
            self.current_leader_term[id as usize] = None;
            return;
        }
        self.current_leader_term[id as usize] = Some(term);
        // Election safety: at most one leader per term.
        match self.leaders.get(&term) {
            Some(&other) if other != id => self.violate(
                Property::ElectionSafety,
                now,
                format!("S{other} and S{id} were both elected leader of term {term}"),
            ),
            _ => {
                self.leaders.insert(term, id);
            }
        }
        // Leader completeness: the new leader holds every committed entry of earlier terms.
        let mirror = &self.mirrors[id as usize];
        for (i, c) in self.committed.iter().enumerate() {
            if self.committed_in[i] >= term {
                continue;
            }
            let index = i as Index + 1;
            let held = mirror.get(i).is_some_and(|s| s.prefix == c.prefix);
            let compacted = node.log().snapshot().is_some_and(|s| s.last_index >= index);
            if !held && !compacted {
                self.violate(
                    Property::LeaderCompleteness,
                    now,
                    format!(
                        "S{id} became leader of term {term} without committed entry {index} (term {}) in its log",
                        c.term
                    ),
                );
                break;
            }
        }
    }

    /// Entries from `from` on were written (and anything past the new end truncated).
    pub fn on_log_written(&mut self, now: u64, id: NodeId, from: Index, node: &dyn Reported) {
        let log = node.log();
        let is_leader = node.role() == Role::Leader;
        // The mirror is rewritten in place from `from` on: the slots before it stay as they
        // are, and only the replaced tail is set aside (copying the whole mirror on every write
        // made each append cost the length of the log).
        let mut mirror = std::mem::take(&mut self.mirrors[id as usize]);
        let from = from.max(1);
        let keep = ((from - 1) as usize).min(mirror.len());
        let old_tail: Vec<Slot> = mirror.split_off(keep);
        let old_len = keep + old_tail.len();
        // Entries below the snapshot are not held as entries; their slots come from the old
        // mirror or, failing that, from the committed prefix (a snapshot holds only committed
        // entries).
        let first = log.first_index();
        while (mirror.len() as Index) + 1 < first {
            let i = mirror.len();
            match old_tail.get(i - keep).copied().or_else(|| self.committed.get(i).copied()) {
                Some(s) => mirror.push(s),
                None => break,
            }
        }
        let mut prefix = mirror.last().map_or(0, |s| s.prefix);
        let start = mirror.len() as Index + 1;
        let last = log.last_index();
        mirror.reserve(last.saturating_sub(start - 1) as usize);
        for index in start..=last {
            let Some(e) = log.entry(index) else { break };
            let eh = entry_hash(e);
            prefix = chain(prefix, e.term, eh);
            mirror.push(Slot { term: e.term, entry: eh, prefix });
        }
        // Leader append-only: a leader's existing entries stay as they were (the slots before
        // `keep` were not touched).
        if is_leader {
            let new_tail = &mirror[keep..];
            let same = old_tail.iter().zip(new_tail.iter()).all(|(a, b)| a == b);
            if mirror.len() < old_len || !same {
                let at = keep
                    + old_tail.iter().zip(new_tail.iter()).position(|(a, b)| a != b).unwrap_or(new_tail.len())
                    + 1;
                self.violate(
                    Property::LeaderAppendOnly,
                    now,
                    format!("leader S{id} (term {}) overwrote or removed its own entry {at}", node.term()),
                );
            }
        }
        if is_leader {
            self.check_configs(now, id, from, node);
        }
        // Log matching: the same index and term mean the same prefix everywhere.
        for (i, s) in mirror.iter().enumerate().skip(keep) {
            let index = i as Index + 1;
            match self.seen.get(&(index, s.term)) {
                Some(&p) if p != s.prefix => {
                    self.violate(
                        Property::LogMatching,
                        now,
                        format!(
                            "S{id}'s entry {index} has term {} like another server's, but their logs differ at or before it",
                            s.term
                        ),
                    );
                    break;
                }
                Some(_) => {}
                None => {
                    self.seen.insert((index, s.term), s.prefix);
                }
            }
        }
        self.mirrors[id as usize] = mirror;
    }

    /// A snapshot covering everything up to `last_index` replaced the log prefix: by compaction
    /// of the server's own applied entries, or by InstallSnapshot from a leader (then the server
    /// may have held different, uncommitted entries at those indexes, and its state machine
    /// jumps to the snapshot's).
    pub fn on_snapshot(&mut self, now: u64, id: NodeId, last_index: Index, node: &dyn Reported) {
        // Effects are read after the whole step: a deferred compaction at the start of the step
        // may be followed by an InstallSnapshot further on, so the node may already hold a newer
        // snapshot than this one. The term at `last_index` is then the one the node shows there,
        // if any.
        let log = node.log();
        let last_term = if log.snapshot_index() == last_index { Some(log.snapshot_term()) } else { log.term_at(last_index) };
        let n = last_index as usize;
        let old = std::mem::take(&mut self.mirrors[id as usize]);
        let base: Vec<Slot> = if self.committed.len() >= n {
            // State machine safety: the state a server jumps to is the committed prefix.
            let c = self.committed[n - 1];
            if let Some(last_term) = last_term.filter(|&t| t != c.term) {
                self.violate(
                    Property::StateMachineSafety,
                    now,
                    format!(
                        "S{id} took a snapshot up to entry {last_index} of term {last_term}, but the committed entry {last_index} is of term {}",
                        c.term
                    ),
                );
            }
            self.committed[..n].to_vec()
        } else if old.len() >= n && Some(old[n - 1].term) == last_term {
            // Not known committed (only with a deliberate bug): keep what the server held, which
            // log matching ties to the snapshot's (index, term).
            old[..n].to_vec()
        } else {
            // Unknown content: mirror the committed part only.
            self.committed.clone()
        };
        self.mirrors[id as usize] = base;
        // The entries the server still holds after the snapshot (a kept suffix).
        self.on_log_written(now, id, last_index + 1, node);
    }

    /// Single-server membership changes (dissertation §4.1, with the 2015 fix): the leader's
    /// configuration entries written from `from` on each differ from the configuration before
    /// them by one server at most, and at most one configuration entry in its log lies beyond
    /// the committed prefix. Either breach lets two disjoint majorities exist, and so two leaders
    /// of one term.
    fn check_configs(&mut self, now: u64, id: NodeId, from: Index, node: &dyn Reported) {
        let log = node.log();
        if log.config_at(log.last_index()).is_none() && self.initial_voters.is_none() {
            self.initial_voters = Some(node.voters().to_vec());
        }
        let committed = self.committed.len() as Index;
        let mut uncommitted = Vec::new();
        let start = from.min(committed + 1).max(log.first_index());
        for e in log.entries().iter().skip((start - log.first_index()) as usize) {
            let EntryData::Config { voters } = &e.data else { continue };
            if e.index > committed {
                uncommitted.push(e.index);
            }
            if e.index < from {
                continue;
            }
            let before = log.config_at(e.index - 1).or_else(|| self.initial_voters.clone());
            let Some(before) = before else { continue };
            let changed = voters.iter().filter(|v| !before.contains(v)).count()
                + before.iter().filter(|v| !voters.contains(v)).count();
            if changed > 1 {
                self.violate(
                    Property::ElectionSafety,
                    now,
                    format!(
                        "leader S{id} appended configuration {} at index {}, {changed} servers away from {}: majorities of the two need not overlap",
                        voters_text(voters),
                        e.index,
                        voters_text(&before)
                    ),
                );
            }
        }
        if uncommitted.len() > 1 {
            let list: Vec<String> = uncommitted.iter().map(|i| i.to_string()).collect();
            self.violate(
                Property::ElectionSafety,
                now,
                format!(
                    "leader S{id} holds {} uncommitted configuration entries (at indexes {}): a change began before the previous one committed",
                    uncommitted.len(),
                    list.join(", ")
                ),
            );
        }
    }

    /// `snapshot_of(v)`: None when server `v` is not running; otherwise the last index its
    /// snapshot covers, if it has one.
    pub fn on_commit(
        &mut self,
        now: u64,
        id: NodeId,
        index: Index,
        node: &dyn Reported,
        snapshot_of: &dyn Fn(NodeId) -> Option<Option<Index>>,
    ) {
        let have = self.committed.len() as Index;
        if index > have {
            for i in have..index.min(self.mirrors[id as usize].len() as Index) {
                let slot = self.mirrors[id as usize][i as usize];
                self.committed.push(slot);
                self.committed_in.push(node.term());
                // Leader completeness: every current leader of a later term must hold it.
                for v in 1..=MAX_NODES as NodeId {
                    let Some(t) = self.current_leader_term[v as usize] else { continue };
                    let Some(snapshot) = snapshot_of(v) else { continue };
                    if t > node.term() {
                        let m = &self.mirrors[v as usize];
                        let held = m.get(i as usize).is_some_and(|x| x.prefix == slot.prefix);
                        let compacted = snapshot.is_some_and(|last| last > i);
                        if !held && !compacted {
                            self.violations_push_completeness(now, v, t, i + 1, slot.term, id);
                        }
                    }
                }
            }
        }
    }

    fn violations_push_completeness(&mut self, now: u64, leader: NodeId, term: Term, index: Index, eterm: Term, by: NodeId) {
        self.violate(
            Property::LeaderCompleteness,
            now,
            format!("S{by} committed entry {index} (term {eterm}), but S{leader}, leader of later term {term}, does not have it"),
        );
    }

    pub fn on_apply(&mut self, now: u64, id: NodeId, index: Index, term: Term, entry: Option<&Entry>) {
        // The mirror already holds the hash of the entry the server holds at `index`: every
        // write to its log was reported (and mirrored) before the entry could be applied, so
        // hashing the entry again (its command's strings, for every server, on every apply and
        // again when a restarted server replays its log) would give the same number.
        let mirrored = self.mirrors[id as usize].get((index - 1) as usize).map(|s| s.entry);
        let h = match (entry, mirrored) {
            (Some(e), Some(m)) => {
                debug_assert_eq!(m, entry_hash(e), "S{id}'s mirror is out of step with its log at {index}");
                m
            }
            (Some(e), None) => entry_hash(e),
            // Applied from a snapshot's range: use the mirror's record.
            (None, Some(m)) => m,
            (None, None) => return,
        };
        let i = (index - 1) as usize;
        if self.applied.len() <= i {
            self.applied.resize(i + 1, None);
        }
        match self.applied[i] {
            Some((other, by)) if other != h => self.violate(
                Property::StateMachineSafety,
                now,
                format!("S{id} applied entry {index} of term {term}, but S{by} had applied a different entry {index}"),
            ),
            Some(_) => {}
            None => self.applied[i] = Some((h, id)),
        }
    }
}

fn voters_text(voters: &[NodeId]) -> String {
    let names: Vec<String> = voters.iter().map(|v| format!("S{v}")).collect();
    format!("{{{}}}", names.join(" "))
}

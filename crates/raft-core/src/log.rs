//! The replicated log, with an optional snapshot standing in for its compacted prefix.
//!
//! Indexes start at 1 (Figure 2). The entries held are contiguous: `entries[k]` has index
//! `first_index() + k`. Index 0 is the empty prefix, of term 0. The log knows nothing of roles
//! or messages; the node decides when to append, truncate or compact.

use crate::types::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Log {
    /// Everything up to `snapshot.last_index` (dissertation §5.1).
    snapshot: Option<Snapshot>,
    /// The entries after the snapshot, in index order.
    entries: Vec<Entry>,
    /// The indexes of the configuration entries among `entries`, ascending: `config_at` finds
    /// the one in force without scanning the log (it runs on every append and commit).
    configs: Vec<Index>,
}

impl Log {
    /// A log holding `entries` from index 1 on, with no snapshot: how a server that is not
    /// this crate's `Node` (a user-written one) reports its log. Indexes are renumbered 1, 2, …
    pub fn from_entries(entries: impl IntoIterator<Item = (Term, EntryData)>) -> Log {
        let entries: Vec<Entry> =
            entries.into_iter().zip(1..).map(|((term, data), index)| Entry { index, term, data }).collect();
        let configs = entries.iter().filter(|e| matches!(e.data, EntryData::Config { .. })).map(|e| e.index).collect();
        Log { snapshot: None, entries, configs }
    }

    /// Index of the last entry (or of the snapshot when no entries follow it); 0 when empty.
    pub fn last_index(&self) -> Index {
        self.snapshot_index() + self.entries.len() as Index
    }

    pub fn last_term(&self) -> Term {
        match self.entries.last() {
            Some(e) => e.term,
            None => self.snapshot_term(),
        }
    }

    /// Term at `index`: Some(0) for index 0, the snapshot's term at its last index,
    /// None when the index is compacted away (below the snapshot) or beyond the end.
    pub fn term_at(&self, index: Index) -> Option<Term> {
        if index == self.snapshot_index() {
            return Some(self.snapshot_term());
        }
        self.entry(index).map(|e| e.term)
    }

    /// The entry at `index`, None if compacted or beyond the end.
    pub fn entry(&self, index: Index) -> Option<&Entry> {
        if index < self.first_index() {
            return None;
        }
        let entry = self.entries.get((index - self.first_index()) as usize)?;
        debug_assert_eq!(entry.index, index);
        Some(entry)
    }

    /// The entries still held (after the snapshot), in index order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    /// First index held as an entry (snapshot last index + 1).
    pub fn first_index(&self) -> Index {
        self.snapshot_index() + 1
    }

    /// The last index covered by the snapshot, 0 without one.
    pub fn snapshot_index(&self) -> Index {
        self.snapshot.as_ref().map_or(0, |s| s.last_index)
    }

    /// The term of the snapshot's last entry, 0 without one.
    pub fn snapshot_term(&self) -> Term {
        self.snapshot.as_ref().map_or(0, |s| s.last_term)
    }

    /// The voter set in force at `index`: the latest configuration entry at or before it,
    /// else the snapshot's, else None (the caller falls back to the initial configuration).
    /// Dissertation §4.1: a server uses the latest configuration in its log, committed or not.
    pub fn config_at(&self, index: Index) -> Option<Vec<NodeId>> {
        let upto = index.min(self.last_index());
        let before = self.configs.partition_point(|&i| i <= upto);
        if let Some(&i) = before.checked_sub(1).and_then(|k| self.configs.get(k)) {
            if let Some(Entry { data: EntryData::Config { voters }, .. }) = self.entry(i) {
                return Some(voters.clone());
            }
        }
        self.snapshot.as_ref().map(|s| s.voters.clone())
    }

    /// Index of the latest configuration entry still held as an entry (not in the snapshot).
    pub fn latest_config_index(&self) -> Option<Index> {
        self.configs.last().copied()
    }

    /// The first index of the run of entries of `term` that contains `index` (used for the
    /// follower's fast-backtracking hint). Never goes below `first_index()`.
    pub fn first_index_of_term_run(&self, index: Index) -> Index {
        let term = self.term_at(index);
        assert!(term.is_some(), "no entry at {index}");
        let mut first = index;
        while first > self.first_index() && self.term_at(first - 1) == term {
            first -= 1;
        }
        first
    }

    /// The last index holding an entry of `term`, if any entry (or the snapshot point) has it.
    pub fn last_index_of_term(&self, term: Term) -> Option<Index> {
        // Terms never decrease along a log, so scan back from the end and stop early.
        for e in self.entries.iter().rev() {
            if e.term == term {
                return Some(e.index);
            }
            if e.term < term {
                return None;
            }
        }
        (self.snapshot.is_some() && self.snapshot_term() == term).then(|| self.snapshot_index())
    }

    /// Up to `max` entries starting at `from` (which must be held, or be last_index + 1).
    pub fn entries_from(&self, from: Index, max: usize) -> Vec<Entry> {
        assert!(from >= self.first_index(), "entries from {from} are compacted");
        let start = (from - self.first_index()) as usize;
        self.entries.iter().skip(start).take(max).cloned().collect()
    }

    /// Append one entry right after the last one.
    pub(crate) fn append(&mut self, entry: Entry) {
        assert_eq!(entry.index, self.last_index() + 1, "log must stay contiguous");
        assert!(entry.term >= self.last_term(), "terms never decrease along a log");
        if matches!(entry.data, EntryData::Config { .. }) {
            self.configs.push(entry.index);
        }
        self.entries.push(entry);
    }

    /// Remove every entry at `index` and after. `index` must be after the snapshot.
    pub(crate) fn truncate_from(&mut self, index: Index) {
        assert!(index > self.snapshot_index(), "cannot truncate into the snapshot");
        let keep = (index - self.first_index()) as usize;
        self.entries.truncate(keep);
        self.configs.retain(|&i| i < index);
    }

    /// Compaction (dissertation §5.1): `snapshot` covers a prefix of this log that is applied;
    /// drop the entries it covers and keep the rest.
    pub(crate) fn compact(&mut self, snapshot: Snapshot) {
        assert!(snapshot.last_index > self.snapshot_index());
        assert!(snapshot.last_index <= self.last_index());
        assert_eq!(self.term_at(snapshot.last_index), Some(snapshot.last_term));
        let drop = (snapshot.last_index - self.snapshot_index()) as usize;
        self.entries.drain(..drop);
        self.configs.retain(|&i| i > snapshot.last_index);
        self.snapshot = Some(snapshot);
    }

    /// InstallSnapshot (dissertation §5.3): if an entry matches the snapshot's last index and
    /// term, keep the entries after it; otherwise discard the whole log. Returns whether the
    /// suffix was kept.
    pub(crate) fn install_snapshot(&mut self, snapshot: Snapshot) -> bool {
        let keep_suffix = snapshot.last_index <= self.last_index()
            && snapshot.last_index >= self.snapshot_index()
            && self.term_at(snapshot.last_index) == Some(snapshot.last_term);
        if keep_suffix {
            let drop = (snapshot.last_index - self.snapshot_index()) as usize;
            self.entries.drain(..drop);
        } else {
            self.entries.clear();
        }
        self.configs.retain(|&i| i > snapshot.last_index && i <= snapshot.last_index + self.entries.len() as Index);
        self.snapshot = Some(snapshot);
        keep_suffix
    }

    /// Debug invariant check: contiguous indexes, non-decreasing terms.
    pub fn validate(&self) {
        let mut prev_term = self.snapshot_term();
        for (k, e) in self.entries.iter().enumerate() {
            assert_eq!(e.index, self.first_index() + k as Index, "log indexes not contiguous");
            assert!(e.term >= prev_term, "log terms decrease at {}", e.index);
            prev_term = e.term;
        }
        let configs: Vec<Index> =
            self.entries.iter().filter(|e| matches!(e.data, EntryData::Config { .. })).map(|e| e.index).collect();
        assert_eq!(configs, self.configs, "configuration index out of step with the log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(index: Index, term: Term) -> Entry {
        Entry { index, term, data: EntryData::Noop }
    }

    fn log_of(terms: &[Term]) -> Log {
        let mut log = Log::default();
        for (k, &t) in terms.iter().enumerate() {
            log.append(e(k as Index + 1, t));
        }
        log
    }

    fn snap(last_index: Index, last_term: Term) -> Snapshot {
        Snapshot { last_index, last_term, voters: vec![1, 2, 3], state: KvStateData::default() }
    }

    #[test]
    fn empty_log() {
        let log = Log::default();
        assert_eq!((log.last_index(), log.last_term(), log.first_index()), (0, 0, 1));
        assert_eq!(log.term_at(0), Some(0));
        assert_eq!(log.term_at(1), None);
        assert!(log.entry(0).is_none());
    }

    #[test]
    fn terms_and_runs() {
        let log = log_of(&[1, 1, 2, 2, 2, 4]);
        assert_eq!(log.last_index(), 6);
        assert_eq!(log.last_term(), 4);
        assert_eq!(log.term_at(3), Some(2));
        assert_eq!(log.first_index_of_term_run(5), 3);
        assert_eq!(log.first_index_of_term_run(2), 1);
        assert_eq!(log.last_index_of_term(2), Some(5));
        assert_eq!(log.last_index_of_term(3), None);
        assert_eq!(log.entries_from(5, 10), vec![e(5, 2), e(6, 4)]);
        assert_eq!(log.entries_from(7, 10), vec![]);
    }

    #[test]
    fn truncate_and_compact() {
        let mut log = log_of(&[1, 1, 2, 2, 3]);
        log.truncate_from(4);
        assert_eq!(log.last_index(), 3);
        log.compact(snap(2, 1));
        assert_eq!(log.first_index(), 3);
        assert_eq!(log.term_at(2), Some(1));
        assert_eq!(log.term_at(1), None);
        assert_eq!(log.last_index(), 3);
        assert_eq!(log.last_index_of_term(1), Some(2));
        assert_eq!(log.first_index_of_term_run(3), 3);
        log.validate();
    }

    #[test]
    fn install_keeps_matching_suffix_only() {
        let mut log = log_of(&[1, 1, 2, 2]);
        assert!(log.install_snapshot(snap(2, 1)));
        assert_eq!((log.first_index(), log.last_index()), (3, 4));
        let mut log = log_of(&[1, 1, 2, 2]);
        assert!(!log.install_snapshot(snap(3, 3)));
        assert_eq!((log.first_index(), log.last_index()), (4, 3));
        assert_eq!(log.last_term(), 3);
    }

    #[test]
    fn config_lookup() {
        let mut log = log_of(&[1]);
        log.append(Entry { index: 2, term: 1, data: EntryData::Config { voters: vec![1, 2] } });
        log.append(e(3, 1));
        assert_eq!(log.config_at(1), None);
        assert_eq!(log.config_at(3), Some(vec![1, 2]));
        assert_eq!(log.latest_config_index(), Some(2));
        log.compact(snap(3, 1));
        assert_eq!(log.config_at(3), Some(vec![1, 2, 3]), "falls back to the snapshot's voters");
    }
}

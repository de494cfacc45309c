//! The replicated log, with an optional snapshot standing in for its compacted prefix.
//! (SKELETON: representation and methods to be written; the getters below are fixed.)

use crate::types::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Log {
    // to be written: snapshot (Option<Snapshot>) + entries after it
}

impl Log {
    /// Index of the last entry (or of the snapshot when no entries follow it); 0 when empty.
    pub fn last_index(&self) -> Index { todo!() }
    pub fn last_term(&self) -> Term { todo!() }
    /// Term at `index`: Some(0) for index 0, the snapshot's term at its last index,
    /// None when the index is compacted away (below the snapshot) or beyond the end.
    pub fn term_at(&self, index: Index) -> Option<Term> { let _ = index; todo!() }
    /// The entry at `index`, None if compacted or beyond the end.
    pub fn entry(&self, index: Index) -> Option<&Entry> { let _ = index; todo!() }
    /// The entries still held (after the snapshot), in index order.
    pub fn entries(&self) -> &[Entry] { todo!() }
    pub fn snapshot(&self) -> Option<&Snapshot> { todo!() }
    /// First index held as an entry (snapshot last index + 1).
    pub fn first_index(&self) -> Index { todo!() }
}

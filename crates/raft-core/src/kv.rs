//! The key-value state machine with client sessions (dissertation §6.3).
//! (SKELETON: to be written.)

use crate::types::*;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KvState {
    // to be written: BTreeMap data + BTreeMap sessions
}

/// A client session: the last request applied and its result, so a retry is answered, not re-applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub seq: u64,
    pub result: ClientResult,
}

impl KvState {
    pub fn get(&self, key: &str) -> Option<&str> { let _ = key; todo!() }
    /// All key/value pairs, sorted by key.
    pub fn pairs(&self) -> Vec<(String, String)> { todo!() }
}

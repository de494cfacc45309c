//! The client history: one operation per client command, as the linearizability checker and the
//! report see it.

use crate::scenario::OpOutcome;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpKind {
    Put { value: String },
    Get,
    /// `expected` None = absent (`-`).
    Cas { expected: Option<String>, new: String },
}

/// One client operation from invocation to completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The scenario line that issued it; unique per operation.
    pub line: u32,
    pub key: String,
    pub kind: OpKind,
    pub invoked_ms: u64,
    /// None while the operation is still pending (it then counts as `unknown` for checking).
    pub completed_ms: Option<u64>,
    /// None while pending.
    pub outcome: Option<OpOutcome>,
    /// For an `ok` get: the value read (None = absent). For a failed cas: the value seen.
    pub result: Option<String>,
    /// `fail` because every server the client tried turned it away (not leader): the command
    /// certainly did not take effect, and, unlike a cas whose expected value did not match,
    /// it observed nothing.
    pub turned_away: bool,
}

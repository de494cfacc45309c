//! The client history: one operation per client command, as the linearizability checker and the
//! report see it.


/// How an operation ended, as its client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpOutcome {
    Ok,
    Fail,
    Unknown,
}

impl OpOutcome {
    pub fn name(self) -> &'static str {
        match self {
            OpOutcome::Ok => "ok",
            OpOutcome::Fail => "fail",
            OpOutcome::Unknown => "unknown",
        }
    }
}

/// The safety properties the checkers watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpKind {
    Put { value: String },
    Get,
    /// `expected` None = absent (`-`).
    Cas { expected: Option<String>, new: String },
}

/// One client operation from invocation to completion.
///
/// Real-time order comes from the simulator's event order, not from milliseconds alone: many
/// events happen in one millisecond, and an operation that completed at `t` ms precedes one
/// invoked at `t` ms if the completion came first. `invoked_seq` and `completed_seq` are the
/// numbers of the trace events that record the invocation and the completion (the run's
/// `stats.events` counts them), so they grow with time and never repeat. A history written by
/// hand may leave them out (0 and None): operations are then ordered by milliseconds only, and
/// two in the same millisecond overlap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The scenario line that issued it; unique per operation.
    pub line: u32,
    pub key: String,
    pub kind: OpKind,
    pub invoked_ms: u64,
    /// The trace event of the invocation (1-based); 0 when not recorded.
    pub invoked_seq: u64,
    /// None while the operation is still pending (it then counts as `unknown` for checking).
    pub completed_ms: Option<u64>,
    /// The trace event of the completion; None while pending or when not recorded.
    pub completed_seq: Option<u64>,
    /// None while pending.
    pub outcome: Option<OpOutcome>,
    /// For an `ok` get: the value read (None = absent). For a failed cas that reached the key:
    /// the value it found there (None = absent).
    pub result: Option<String>,
    /// `fail` because every server the client tried turned it away (not leader): the command
    /// certainly did not take effect, and, unlike a cas whose expected value did not match,
    /// it observed nothing.
    pub turned_away: bool,
}

impl Operation {
    /// What the operation saw the key hold when it took effect, as far as its client knows:
    /// None when it observed nothing (a put, an operation that is pending, `unknown`, or
    /// turned away by every server); Some(None) when it found the key absent; Some(Some(v))
    /// when it found v. An `ok` get saw what it returned, an `ok` cas the value it expected,
    /// and a failed cas the value it found instead.
    pub fn observed(&self) -> Option<Option<&str>> {
        match (&self.kind, self.outcome) {
            (OpKind::Get, Some(OpOutcome::Ok)) => Some(self.result.as_deref()),
            (OpKind::Cas { expected, .. }, Some(OpOutcome::Ok)) => Some(expected.as_deref()),
            (OpKind::Cas { .. }, Some(OpOutcome::Fail)) if !self.turned_away => Some(self.result.as_deref()),
            _ => None,
        }
    }
}

/// An operation as a scenario line writes it (`cas k - v`).
pub fn op_text(op: &Operation) -> String {
    match &op.kind {
        OpKind::Put { value } => format!("put {} {value}", op.key),
        OpKind::Get => format!("get {}", op.key),
        OpKind::Cas { expected, new } => {
            format!("cas {} {} {new}", op.key, expected.as_deref().unwrap_or("-"))
        }
    }
}

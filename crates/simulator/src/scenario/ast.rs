//! The scenario language's syntax tree (shared/SCENARIO.md). Every item keeps its 1-based line
//! number, because expectations and client operations are reported by line.

use raft_core::{NodeId, Role};

pub use crate::model::{OpOutcome, Property, Protocol, Setting};

/// A whole scenario: its lines in order. `nodes` and `seed` are hoisted out by the parser
/// (they must come before the first action).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub nodes: u8,
    pub seed: u64,
    pub items: Vec<Item>,
    /// The node's module (`protocol js`): the lines between `code` and `end`, verbatim, joined
    /// with `\n`. None without a code block.
    pub code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// 1-based line number in the source text.
    pub line: u32,
    pub kind: ItemKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Setting(Setting),
    Action(Action),
    Expect(Expect),
}

/// A server named by an action: a concrete one, or `leader` (resolved at that instant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Node(NodeId),
    Leader,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Run { ms: u64 },
    /// `run until leader [within D]`; `within_ms` defaults to 10_000.
    RunUntilLeader { within_ms: u64 },
    Crash(Target),
    Restart(Target),
    /// The groups as written (each non-empty). Servers named in no group form one more group.
    Partition(Vec<Vec<NodeId>>),
    /// `cut A B` (both = true) or `cut A -> B` (both = false).
    Cut { from: Target, to: Target, both: bool },
    /// `uncut A B` (both = true) or `uncut A -> B` (both = false): lift that cut alone, leaving
    /// the partition and every other cut as they are.
    Uncut { from: Target, to: Target, both: bool },
    Isolate(Target),
    Heal,
    Timeout(Target),
    Transfer(Target),
    Add(Target),
    Remove(Target),
    Put { key: String, value: String, via: Option<Target> },
    Get { key: String, via: Option<Target> },
    /// `old` None means `-` (absent).
    Cas { key: String, old: Option<String>, new: String, via: Option<Target> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Leader(Option<Target>),
    /// Empty = all running servers.
    NoLeader(Vec<NodeId>),
    /// `value` None means `-` (absent). `on` empty = all running servers.
    Value { key: String, value: Option<String>, on: Vec<NodeId> },
    Committed { index: u64, on: Vec<NodeId> },
    /// Extension (docs/SCENARIO-NOTES.md): `expect role X ROLE`, X is running in that role.
    Role { node: NodeId, role: Role },
    /// Extension: `expect term N|A..B|A.. [on X …]`, every listed server (default: all
    /// running) is in a term from `low` to `high` inclusive (`A..` leaves `high` at u64::MAX).
    Term { low: u64, high: u64, on: Vec<NodeId> },
    /// Extension: `expect leaders N`, exactly N running servers believe they lead (each in a
    /// term of its own, or election safety is broken).
    Leaders(u64),
    Op { line: u32, outcome: OpOutcome },
    Safe,
    Violation(Option<Property>),
    Linearizable,
    NotLinearizable,
}

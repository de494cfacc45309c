//! Plain data shared by the core, the simulator and the page.

use std::fmt;

pub use crate::log::Log;

/// A server's id: 1 for `S1` … 9 for `S9`.
pub type NodeId = u8;
pub type Term = u64;
pub type Index = u64;
/// Simulated time in milliseconds.
pub type TimeMs = u64;

/// Identifies one client operation. Every client command of a scenario gets a client of its own,
/// so `client` is unique per operation and `seq` is the attempt-independent request number
/// (dissertation §6.3: a retried request carries the same `(client, seq)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId {
    pub client: u64,
    pub seq: u64,
}

/// What a client asks of the key-value state machine.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    Put { key: String, value: String },
    Get { key: String },
    /// Set `key` to `new` only if it currently holds `old` (`None` = absent).
    Cas { key: String, old: Option<String>, new: String },
}

impl Command {
    pub fn key(&self) -> &str {
        match self {
            Command::Put { key, .. } | Command::Get { key } | Command::Cas { key, .. } => key,
        }
    }
    pub fn is_read(&self) -> bool {
        matches!(self, Command::Get { .. })
    }
}

impl fmt::Display for Command {
    /// Scenario-language form: `put bike42 alice`, `get bike42`, `cas bike42 - alice`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Put { key, value } => write!(f, "put {key} {value}"),
            Command::Get { key } => write!(f, "get {key}"),
            Command::Cas { key, old, new } => {
                write!(f, "cas {key} {} {new}", old.as_deref().unwrap_or("-"))
            }
        }
    }
}

/// The payload of one log entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EntryData {
    /// The empty entry a new leader appends in its term (dissertation §6.4).
    Noop,
    /// A client command with its session id, applied at most once per `RequestId`.
    Client { id: RequestId, command: Command },
    /// A membership change (dissertation §4.1, single-server changes): the new voter set.
    Config { voters: Vec<NodeId> },
}

impl fmt::Display for EntryData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryData::Noop => write!(f, "no-op"),
            EntryData::Client { command, .. } => write!(f, "{command}"),
            EntryData::Config { voters } => {
                write!(f, "config")?;
                for v in voters {
                    write!(f, " S{v}")?;
                }
                Ok(())
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    pub index: Index,
    pub term: Term,
    pub data: EntryData,
}

/// How `get` is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMode {
    /// A read is a log entry like a write and is answered when applied.
    Log,
    /// ReadIndex (dissertation §6.4): the leader notes its commit index, confirms it is still
    /// leader with a heartbeat round, and answers once it has applied that far.
    ReadIndex,
    /// Lease (dissertation §6.4.1): while the leader has heard from a majority within the minimum
    /// election timeout it answers from its own state.
    Lease,
}

/// The deliberate protocol bugs of SCENARIO.md. Each breaks one rule, only when switched on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bug {
    /// A voter grants its vote without the up-to-date check (§5.4.1).
    VoteAnyLog,
    /// A leader commits entries of earlier terms by counting replicas (§5.4.2, Figure 8).
    CommitOldTerms,
    /// The vote is not durable: a restarted server can vote twice in one term.
    ForgetVote,
    /// A follower appends entries without matching the previous index and term.
    SkipPrevCheck,
    /// Elections and commits count half of the cluster, rounded down, as a majority.
    SmallQuorum,
    /// A leader answers `get` from its own state without confirming it is still leader.
    StaleRead,
    /// A leader counts an answer to a heartbeat of one of its earlier terms as acknowledging a
    /// round of its current term (ReadIndex, lease and CheckQuorum; dissertation §6.4).
    ReadIndexAnyTerm,
    /// A follower that learns a higher term from a response forgets that it heard from a leader
    /// moments ago, so it votes within the old leader's lease (§4.2.3, §6.4.1).
    LeaseForgetLeader,
}

impl Bug {
    pub const ALL: [Bug; 8] = [
        Bug::VoteAnyLog,
        Bug::CommitOldTerms,
        Bug::ForgetVote,
        Bug::SkipPrevCheck,
        Bug::SmallQuorum,
        Bug::StaleRead,
        Bug::ReadIndexAnyTerm,
        Bug::LeaseForgetLeader,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Bug::VoteAnyLog => "vote-any-log",
            Bug::CommitOldTerms => "commit-old-terms",
            Bug::ForgetVote => "forget-vote",
            Bug::SkipPrevCheck => "skip-prev-check",
            Bug::SmallQuorum => "small-quorum",
            Bug::StaleRead => "stale-read",
            Bug::ReadIndexAnyTerm => "read-index-any-term",
            Bug::LeaseForgetLeader => "lease-forget-leader",
        }
    }
    pub fn from_name(name: &str) -> Option<Bug> {
        Bug::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// Protocol switches. Timer durations are not here: the caller owns timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Pre-Vote (dissertation §9.6).
    pub prevote: bool,
    /// A leader steps down when it has not heard from a majority for an election timeout (§6.2).
    pub check_quorum: bool,
    /// A new leader appends an empty entry of its term (dissertation §6.4).
    pub leader_noop: bool,
    pub reads: ReadMode,
    /// The minimum election timeout. The lease (`ReadMode::Lease`) and the
    /// "ignore vote requests while a leader is alive" rule (§4.2.3) are measured against it.
    pub election_timeout_min_ms: TimeMs,
    /// Compact the log into a snapshot after every N applied entries; 0 = never.
    pub snapshot_every: u64,
    /// At most this many entries in one AppendEntries.
    pub max_entries_per_append: usize,
    /// Deliberate bugs switched on (normally empty).
    pub bugs: Vec<Bug>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            prevote: false,
            check_quorum: false,
            leader_noop: true,
            reads: ReadMode::ReadIndex,
            election_timeout_min_ms: 150,
            snapshot_every: 0,
            max_entries_per_append: 64,
            bugs: Vec::new(),
        }
    }
}

impl Config {
    pub fn has_bug(&self, bug: Bug) -> bool {
        self.bugs.contains(&bug)
    }
}

/// A compacted prefix of the log (dissertation §5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub last_index: Index,
    pub last_term: Term,
    /// The voter set in force at `last_index`.
    pub voters: Vec<NodeId>,
    pub state: KvStateData,
}

/// The applied key-value state plus client sessions, as stored in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KvStateData {
    /// Sorted by key.
    pub data: Vec<(String, String)>,
    /// Sorted by client id: (client, last seq applied, its reply).
    pub sessions: Vec<(u64, u64, ClientResult)>,
}

/// What an applied command returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClientResult {
    /// A put, or a cas that matched.
    Done,
    /// A get: the value, `None` when absent.
    Value(Option<String>),
    /// A cas whose `old` did not match: it did not take effect. Holds the current value.
    CasFailed(Option<String>),
}

/// What survives a crash (Figure 2, "persistent state on all servers", plus the snapshot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Durable {
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub log: Log,
}

pub fn node_name(id: NodeId) -> String {
    format!("S{id}")
}

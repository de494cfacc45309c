//! Every knob of a run, with the defaults of shared/SCENARIO.md, and the change of one knob
//! (`Setting`, a `set` line of a scenario or a control of the page).

use raft_core::{Bug, Config, ReadMode};

/// Durations are whole milliseconds (`2s` = 2000).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    /// Only ever produced before the first action; kept as an item so printing round-trips.
    Nodes(u8),
    Seed(u64),
    ElectionTimeout { min_ms: u64, max_ms: u64 },
    Heartbeat { ms: u64 },
    Latency { min_ms: u64, max_ms: u64 },
    /// Parts per million (`12.5%` = 125_000), so runs never depend on floating point.
    Loss { ppm: u32 },
    Duplicate { ppm: u32 },
    Prevote(bool),
    CheckQuorum(bool),
    ClientTimeout { ms: u64 },
    LeaderNoop(bool),
    Reads(ReadMode),
    SnapshotEvery(u64),
    Protocol(Protocol),
    Bug(Bug),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Raft,
    Naive,
    /// User code: the scenario's `code` … `end` block, hosted by the embedder (see
    /// `servers::HostFactory`).
    Js,
}

impl Protocol {
    /// The name in the language (`protocol raft`).
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Raft => "raft",
            Protocol::Naive => "naive",
            Protocol::Js => "js",
        }
    }
}


#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub nodes: u8,
    pub seed: u64,
    pub election_min_ms: u64,
    pub election_max_ms: u64,
    pub heartbeat_ms: u64,
    pub latency_min_ms: u64,
    pub latency_max_ms: u64,
    pub loss_ppm: u32,
    pub duplicate_ppm: u32,
    pub client_timeout_ms: u64,
    pub protocol: Protocol,
    /// The switches handed to every server's core.
    pub core: Config,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            nodes: 5,
            seed: 1,
            election_min_ms: 150,
            election_max_ms: 300,
            heartbeat_ms: 50,
            latency_min_ms: 10,
            latency_max_ms: 30,
            loss_ppm: 0,
            duplicate_ppm: 0,
            client_timeout_ms: 1000,
            protocol: Protocol::Raft,
            core: Config::default(),
        }
    }
}

impl Settings {
    /// Apply one setting line. Returns true when the servers' core config changed.
    pub fn apply(&mut self, s: &Setting) -> bool {
        match s {
            Setting::Nodes(n) => self.nodes = *n,
            Setting::Seed(n) => self.seed = *n,
            Setting::ElectionTimeout { min_ms, max_ms } => {
                self.election_min_ms = *min_ms;
                self.election_max_ms = *max_ms;
                self.core.election_timeout_min_ms = *min_ms;
                return true;
            }
            Setting::Heartbeat { ms } => self.heartbeat_ms = *ms,
            Setting::Latency { min_ms, max_ms } => {
                self.latency_min_ms = *min_ms;
                self.latency_max_ms = *max_ms;
            }
            Setting::Loss { ppm } => self.loss_ppm = *ppm,
            Setting::Duplicate { ppm } => self.duplicate_ppm = *ppm,
            Setting::Prevote(on) => {
                self.core.prevote = *on;
                return true;
            }
            Setting::CheckQuorum(on) => {
                self.core.check_quorum = *on;
                return true;
            }
            Setting::ClientTimeout { ms } => self.client_timeout_ms = *ms,
            Setting::LeaderNoop(on) => {
                self.core.leader_noop = *on;
                return true;
            }
            Setting::Reads(mode) => {
                self.core.reads = *mode;
                return true;
            }
            Setting::SnapshotEvery(n) => {
                self.core.snapshot_every = *n;
                return true;
            }
            Setting::Protocol(p) => self.protocol = *p,
            Setting::Bug(b) => {
                if !self.core.bugs.contains(b) {
                    self.core.bugs.push(*b);
                    raft_core::sort::sort(&mut self.core.bugs);
                }
                return true;
            }
        }
        false
    }
}

//! Seeded random runs of a small cluster through the public API only: loss, duplication,
//! reordering, crashes and restarts, partitions, client traffic, transfers and membership
//! changes. Without bugs every run must keep election safety, log matching and state machine
//! safety; with a bug switched on the core must still never panic.

use std::collections::{BTreeMap, BTreeSet};

use raft_core::*;

/// xorshift64*: a tiny deterministic generator for the test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

struct Server {
    node: Option<Node>,
    durable: Durable,
    initial_voters: Vec<NodeId>,
    election_at: u64,
    heartbeat_at: Option<u64>,
}

struct Sim {
    rng: Rng,
    now: u64,
    config: Config,
    servers: BTreeMap<NodeId, Server>,
    inflight: Vec<(u64, u64, Message)>,
    seq: u64,
    /// group id per server; messages cross groups only when equal.
    group: BTreeMap<NodeId, u8>,
    leaders: BTreeMap<Term, NodeId>,
    applied: BTreeMap<Index, (Term, String)>,
    next_client: u64,
    check_safety: bool,
    replies: u64,
    /// The first safety violation seen (Figure 3 properties).
    violation: Option<String>,
}

impl Sim {
    fn new(seed: u64, config: Config, check_safety: bool) -> Sim {
        let mut sim = Sim {
            rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
            now: 0,
            config,
            servers: BTreeMap::new(),
            inflight: Vec::new(),
            seq: 0,
            group: BTreeMap::new(),
            leaders: BTreeMap::new(),
            applied: BTreeMap::new(),
            next_client: 1,
            check_safety,
            replies: 0,
            violation: None,
        };
        for id in 1..=5u8 {
            // S1..S3 form the cluster; S4 and S5 wait to be added.
            let initial_voters = if id <= 3 { vec![1, 2, 3] } else { vec![] };
            let (node, effects) = Node::new(id, initial_voters.clone(), sim.config.clone());
            let durable = node.durable();
            sim.servers.insert(
                id,
                Server { node: Some(node), durable, initial_voters, election_at: 0, heartbeat_at: None },
            );
            sim.group.insert(id, 0);
            sim.carry_out(id, effects);
        }
        sim
    }

    fn carry_out(&mut self, id: NodeId, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Send(m) => {
                    let copies = if self.rng.chance(5) { 2 } else { 1 };
                    for _ in 0..copies {
                        if self.rng.chance(5) {
                            continue; // lost
                        }
                        let at = self.now + self.rng.range(10, 30);
                        self.seq += 1;
                        self.inflight.push((at, self.seq, m.clone()));
                    }
                }
                Effect::PersistHardState | Effect::PersistLog { .. } | Effect::PersistSnapshot { .. } => {
                    let node = self.servers[&id].node.as_ref().unwrap();
                    let durable = node.durable();
                    self.servers.get_mut(&id).unwrap().durable = durable;
                }
                Effect::ResetElectionTimer => {
                    let at = self.now + self.rng.range(150, 300);
                    self.servers.get_mut(&id).unwrap().election_at = at;
                }
                Effect::SetHeartbeatTimer => self.servers.get_mut(&id).unwrap().heartbeat_at = Some(self.now + 50),
                Effect::StopHeartbeatTimer => self.servers.get_mut(&id).unwrap().heartbeat_at = None,
                Effect::RoleChanged { role: Role::Leader, term } => {
                    if let Some(other) = self.leaders.insert(term, id) {
                        if other != id {
                            self.violate(format!("election safety: S{other} and S{id} lead term {term}"));
                        }
                    }
                }
                Effect::Applied { index, term } => {
                    let node = self.servers[&id].node.as_ref().unwrap();
                    let data = node.log().entry(index).map(|e| e.data.to_string()).unwrap();
                    let prev = self.applied.insert(index, (term, data.clone()));
                    if let Some(prev) = prev.filter(|p| *p != (term, data.clone())) {
                        self.violate(format!("state machine safety at {index}: {prev:?} vs {:?}", (term, data)));
                    }
                }
                Effect::ClientReply { reply: ClientReply::Result(_), .. } => self.replies += 1,
                Effect::ClientReply { .. } => {}
                Effect::RoleChanged { .. } | Effect::Committed { .. } | Effect::Refused { .. } => {}
            }
        }
    }

    fn violate(&mut self, what: String) {
        self.violation.get_or_insert(what);
    }

    fn step(&mut self, id: NodeId, input: Input) {
        let now = self.now;
        let Some(node) = self.servers.get_mut(&id).unwrap().node.as_mut() else { return };
        let effects = node.step(now, input);
        node.validate();
        self.carry_out(id, effects);
    }

    fn leader(&self) -> Option<NodeId> {
        self.servers
            .iter()
            .filter_map(|(id, s)| s.node.as_ref().filter(|n| n.role() == Role::Leader).map(|n| (n.term(), *id)))
            .max()
            .map(|(_, id)| id)
    }

    fn random_action(&mut self) {
        let target = self.rng.range(1, 5) as NodeId;
        match self.rng.below(100) {
            0..=29 => {
                let via = self.leader().unwrap_or(target);
                let client = self.next_client;
                self.next_client += 1;
                let key = format!("k{}", self.rng.below(3));
                let command = match self.rng.below(3) {
                    0 => Command::Put { key, value: format!("v{client}") },
                    1 => Command::Get { key },
                    _ => Command::Cas { key, old: None, new: format!("v{client}") },
                };
                let id = RequestId { client, seq: 1 };
                self.step(via, Input::ClientRequest { id, command: command.clone() });
                // Sometimes a retry elsewhere.
                if self.rng.chance(30) {
                    self.step(target, Input::ClientRequest { id, command });
                }
            }
            30..=37 => {
                // Crash or restart.
                let down = self.servers.values().filter(|s| s.node.is_none()).count();
                let server = self.servers.get_mut(&target).unwrap();
                if server.node.is_some() {
                    if down >= 2 || self.rng.chance(60) {
                        return;
                    }
                    server.node = None;
                    server.heartbeat_at = None;
                } else {
                    let (node, effects) = Node::restart(
                        target,
                        server.durable.clone(),
                        server.initial_voters.clone(),
                        self.config.clone(),
                    );
                    server.node = Some(node);
                    self.carry_out(target, effects);
                }
            }
            38..=45 => {
                // New partition or heal.
                for id in 1..=5u8 {
                    let g = if self.rng.chance(50) { 0 } else { self.rng.below(2) as u8 };
                    self.group.insert(id, g);
                }
            }
            46..=60 => {
                for id in 1..=5u8 {
                    self.group.insert(id, 0);
                }
            }
            61..=63 => {
                if let Some(l) = self.leader() {
                    self.step(l, Input::TransferLeadership { to: target });
                }
            }
            64..=68 => {
                if let Some(l) = self.leader() {
                    self.step(l, Input::AddServer { id: target });
                }
            }
            69..=72 => {
                // Keep at least three voters, so that one crash does not stop the cluster.
                let leader = self.leader().filter(|l| self.servers[l].node.as_ref().unwrap().voters().len() > 3);
                if let Some(l) = leader {
                    self.step(l, Input::RemoveServer { id: target });
                }
            }
            73..=75 => self.step(target, Input::ElectionTimeout),
            _ => {}
        }
    }

    /// Run until `until_ms`, taking a random action every ~40ms.
    fn run(&mut self, until_ms: u64) {
        let mut next_action = 0;
        for _ in 0..2_000_000 {
            // The next event: a delivery, a timer, or an action.
            let mut best: (u64, u8, u64) = (next_action, 0, 0); // (time, kind, key)
            if let Some(k) = (0..self.inflight.len()).min_by_key(|&k| (self.inflight[k].0, self.inflight[k].1)) {
                let (at, seq, _) = self.inflight[k];
                if at < best.0 {
                    best = (at, 1, seq);
                }
            }
            for (id, s) in &self.servers {
                if s.node.is_none() {
                    continue;
                }
                if s.election_at < best.0 {
                    best = (s.election_at, 2, *id as u64);
                }
                if let Some(h) = s.heartbeat_at.filter(|&h| h < best.0) {
                    best = (h, 3, *id as u64);
                }
            }
            if best.0 > until_ms {
                return;
            }
            self.now = self.now.max(best.0);
            match best.1 {
                0 => {
                    self.random_action();
                    next_action = self.now + self.rng.range(1, 150);
                }
                1 => {
                    let k = self.inflight.iter().position(|x| x.1 == best.2).unwrap();
                    let (_, _, m) = self.inflight.swap_remove(k);
                    let alive = self.servers[&m.to].node.is_some();
                    if alive && self.group[&m.from] == self.group[&m.to] {
                        self.step(m.to, Input::Message(m));
                    }
                }
                2 => {
                    let id = best.2 as NodeId;
                    self.servers.get_mut(&id).unwrap().election_at = u64::MAX;
                    self.step(id, Input::ElectionTimeout);
                }
                _ => {
                    let id = best.2 as NodeId;
                    self.servers.get_mut(&id).unwrap().heartbeat_at = None;
                    self.step(id, Input::HeartbeatTimeout);
                }
            }
            if self.check_safety && self.violation.is_none() {
                self.violation = self.log_matching_violation();
            }
        }
        panic!("event loop did not reach {until_ms}ms");
    }

    /// Figure 3, Log Matching: two entries with the same index and term hold the same data,
    /// and the logs are identical before them. Checking each shared index for equal data where
    /// terms agree covers it.
    fn log_matching_violation(&self) -> Option<String> {
        let nodes: Vec<&Node> = self.servers.values().filter_map(|s| s.node.as_ref()).collect();
        for a in 0..nodes.len() {
            for b in a + 1..nodes.len() {
                let (la, lb) = (nodes[a].log(), nodes[b].log());
                let hi = la.last_index().min(lb.last_index());
                let mut agreed = false;
                for i in (1..=hi).rev() {
                    match (la.entry(i), lb.entry(i)) {
                        (Some(x), Some(y)) if x.term == y.term || agreed => {
                            if x != y {
                                return Some(format!("log matching at {i}: S{} and S{}", nodes[a].id(), nodes[b].id()));
                            }
                            agreed = true;
                        }
                        _ => {}
                    }
                }
            }
        }
        None
    }
}

fn configs() -> Vec<Config> {
    let base = Config::default();
    vec![
        base.clone(),
        Config { prevote: true, check_quorum: true, ..base.clone() },
        Config { reads: ReadMode::Lease, snapshot_every: 4, ..base.clone() },
        Config { reads: ReadMode::Log, leader_noop: false, max_entries_per_append: 2, ..base.clone() },
        Config { prevote: true, snapshot_every: 3, reads: ReadMode::ReadIndex, leader_noop: false, ..base },
    ]
}

#[test]
fn random_runs_keep_raft_safe() {
    for (k, config) in configs().into_iter().enumerate() {
        let mut answered = 0;
        for seed in 1..=100u64 {
            let mut sim = Sim::new(seed * 10 + k as u64, config.clone(), true);
            sim.run(6_000);
            assert_eq!(sim.violation, None, "seed {seed} config {k}");
            answered += sim.replies;
        }
        // Liveness, loosely: most runs make progress.
        assert!(answered > 100 * 10, "config {k}: only {answered} answers in 100 runs");
    }
}

#[test]
fn random_runs_with_bugs_never_panic() {
    for seed in 1..=25u64 {
        for bug in Bug::ALL {
            for (k, config) in configs().into_iter().enumerate() {
                let config = Config { bugs: vec![bug], ..config };
                let mut sim = Sim::new(seed * 100 + k as u64, config, false);
                sim.run(4_000);
            }
        }
    }
}

#[test]
fn runs_are_deterministic() {
    let trace = |seed| {
        let mut sim = Sim::new(seed, configs()[1].clone(), true);
        sim.run(3_000);
        let nodes: Vec<String> = sim
            .servers
            .values()
            .filter_map(|s| s.node.as_ref())
            .map(|n| format!("{} {} {:?} {:?}", n.term(), n.commit_index(), n.kv().pairs(), n.log()))
            .collect();
        (nodes, sim.replies, sim.leaders.clone(), sim.group.clone(), BTreeSet::from_iter(sim.applied.keys().copied()))
    };
    assert_eq!(trace(7), trace(7));
}

/// The checker above is not vacuous: the bugs that break Figure 3 properties get caught.
/// skip-prev-check needs a follower with a conflicting suffix and is rare here (14 of 1000).
#[test]
fn random_runs_catch_the_bugs() {
    for bug in [Bug::SmallQuorum, Bug::VoteAnyLog, Bug::SkipPrevCheck] {
        let caught = (1..=1000u64)
            .filter(|&seed| {
                let config = Config { bugs: vec![bug], ..configs()[(seed % 5) as usize].clone() };
                let mut sim = Sim::new(seed, config, true);
                sim.run(6_000);
                sim.violation.is_some()
            })
            .count();
        assert!(caught > 0, "{} never caught", bug.name());
    }
}

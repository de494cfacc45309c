//! Seeded random fault schedules, and shrinking of the ones that break a property.
//!
//! A schedule is an ordinary scenario (so whatever the fuzzer finds, `raft-sim run` and the page
//! replay). Seed `s` decides everything: the settings, the faults, the client commands, and the
//! run's own `seed`. Profiles shape the faults:
//!
//! * `mixed` — crashes (often of the leader), restarts, partitions, one-way cuts, isolation,
//!   loss, duplication, reordering, clients issuing put/get/cas;
//! * `figure8` — modelled on MIT 6.5840's TestFigure8: the leader crashes again and again, up
//!   to a minority of servers stays down, clients keep writing;
//! * `figure8-unreliable` — the same over a lossy, duplicating, slow network with partitions;
//! * `figure8-cuts` — the paper's Figure 8 told by cuts instead of timing: a fixed-latency,
//!   lossless network, slow timers, and rounds in which a chosen server campaigns (`timeout`),
//!   writes while a partition keeps its entry on a few servers, and often crashes. Nothing
//!   depends on a random delay, so a schedule it finds shrinks to the story itself;
//! * `churn` — modelled on TestReliableChurn/UnreliableChurn: servers crash and restart at a
//!   high rate while many clients write.
//!
//! * `membership` — servers join (S6.. beyond the initial cluster too) and leave, the leader
//!   removes itself, leadership is handed over (to crashed servers too), logs are compacted
//!   every few entries so that InstallSnapshot carries the catch-up, all among crashes,
//!   partitions and clients.
//!
//! * `reads` — the read path under slow links: ReadIndex or lease reads (lease with and without
//!   CheckQuorum and Pre-Vote), latency spikes of 300–1,500 ms lasting a few tens of ms,
//!   one-way cuts, leadership transfers, crash/restart, duplication, and gets and puts through
//!   chosen servers and through the leader. Lease schedules never force a timer (`timeout`):
//!   that breaks the lease's clock assumption by design (docs/SCENARIO-NOTES.md).
//!
//! A plain sweep uses `mixed` for three schedules in eight and each other profile in turn
//! otherwise, so it covers all of them. Hunting a deliberate bug leaves `membership` out,
//! hunts the two read bugs with `reads`, and commit-old-terms and skip-prev-check with
//! `figure8-cuts`.

pub mod shrink;

use raft_core::Bug;

use crate::check::linearizability;
use crate::engine::rng::Rng;
use crate::runner::Runner;
use crate::scenario::{self, Action, Item, ItemKind, Property, Scenario, Setting, Target};
use crate::fuzz::shrink::renumber;
use crate::engine::Observe;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Mixed,
    Figure8,
    Figure8Unreliable,
    Figure8Cuts,
    Churn,
    Membership,
    Reads,
}

impl Profile {
    pub const ALL: [Profile; 7] = [
        Profile::Mixed,
        Profile::Figure8,
        Profile::Figure8Unreliable,
        Profile::Figure8Cuts,
        Profile::Churn,
        Profile::Membership,
        Profile::Reads,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Profile::Mixed => "mixed",
            Profile::Figure8 => "figure8",
            Profile::Figure8Unreliable => "figure8-unreliable",
            Profile::Figure8Cuts => "figure8-cuts",
            Profile::Churn => "churn",
            Profile::Membership => "membership",
            Profile::Reads => "reads",
        }
    }
    pub fn from_name(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == s)
    }
    /// The profile a sweep uses for `seed`. Hunting a deliberate bug goes round the first four
    /// profiles in turn (the structured ones find protocol bugs sooner); a plain sweep runs
    /// `mixed` four times in eight and each other profile once (`figure8` and `figure8-cuts`
    /// share a slot, by turns).
    pub fn for_seed(seed: u64, bug: bool) -> Profile {
        if bug {
            const ROUND: [Profile; 6] = [
                Profile::Figure8,
                Profile::Mixed,
                Profile::Figure8,
                Profile::Figure8Unreliable,
                Profile::Figure8,
                Profile::Churn,
            ];
            return ROUND[(seed % 6) as usize];
        }
        match seed % 8 {
            1 if seed % 16 == 9 => Profile::Figure8Cuts,
            1 => Profile::Figure8,
            3 => Profile::Figure8Unreliable,
            5 => Profile::Churn,
            7 => Profile::Membership,
            2 => Profile::Reads,
            _ => Profile::Mixed,
        }
    }

    /// The profile a hunt for `bug` uses for `seed`: the read bugs need the read path's
    /// conditions (slow heartbeats, transfers, leases), which only `reads` makes; Figure 8
    /// (commit-old-terms) and skip-prev-check are hunted with `figure8-cuts`, whose findings
    /// shrink to short stories (the figure8 profiles find them too, but their random delays
    /// resist shrinking).
    pub fn for_bug(seed: u64, bug: Bug) -> Profile {
        match bug {
            Bug::ReadIndexAnyTerm | Bug::LeaseForgetLeader => Profile::Reads,
            Bug::CommitOldTerms | Bug::SkipPrevCheck => Profile::Figure8Cuts,
            _ => Profile::for_seed(seed, true),
        }
    }
}

#[derive(Clone, Debug)]
pub struct FuzzConfig {
    pub nodes: u8,
    pub duration_ms: u64,
    pub bug: Option<Bug>,
    /// None: the profile depends on the seed.
    pub profile: Option<Profile>,
    /// Runs spent shrinking a finding: the command line allows 2000; the page, where a student
    /// waits, fewer.
    pub shrink_runs: usize,
    /// Who found it, for the comment header of the shrunk scenario.
    pub found_by: &'static str,
}

impl Default for FuzzConfig {
    fn default() -> Self {
        FuzzConfig { nodes: 5, duration_ms: 10_000, bug: None, profile: None, shrink_runs: 2_000, found_by: "raft-sim fuzz" }
    }
}

/// What a failing schedule broke.
#[derive(Clone, Debug)]
pub struct Finding {
    pub seed: u64,
    pub property: Property,
    pub detail: String,
    pub at_ms: u64,
    /// The shrunk scenario, ready for `raft-sim run`.
    pub scenario: String,
    pub original_actions: usize,
    pub shrunk_actions: usize,
}

fn item(kind: ItemKind) -> Item {
    Item { line: 0, kind }
}

fn act(a: Action) -> Item {
    item(ItemKind::Action(a))
}

/// Build the schedule for `seed`.
pub fn schedule(seed: u64, cfg: &FuzzConfig) -> Scenario {
    generate(seed, cfg).0
}

/// The schedule, and for the profiles that play against a live simulation while they write
/// (figure8, membership) that simulation, run to the schedule's end: it is the run a replay
/// would give, so its verdict saves running the schedule a second time.
fn generate(seed: u64, cfg: &FuzzConfig) -> (Scenario, Option<Runner>) {
    let mut rng = Rng::new(seed ^ 0x5eed_f00d_cafe_d00d);
    let n = cfg.nodes;
    let profile = cfg.profile.unwrap_or_else(|| match cfg.bug {
        Some(b) => Profile::for_bug(seed, b),
        None => Profile::for_seed(seed, false),
    });
    let mut items = vec![item(ItemKind::Setting(Setting::Nodes(n))), item(ItemKind::Setting(Setting::Seed(seed)))];
    let set = |items: &mut Vec<Item>, s: Setting| items.push(item(ItemKind::Setting(s)));
    if let Some(b) = cfg.bug {
        set(&mut items, Setting::Bug(b));
    }
    if profile == Profile::Membership {
        let live = membership(&mut rng, &mut items, cfg, seed);
        return (renumber(Scenario { nodes: n, seed, items, code: None }), Some(live));
    }
    if profile == Profile::Reads {
        let live = reads(&mut rng, &mut items, cfg, seed);
        return (renumber(Scenario { nodes: n, seed, items, code: None }), Some(live));
    }
    if profile == Profile::Figure8Cuts {
        let live = figure8_cuts(&mut rng, &mut items, cfg, seed);
        return (renumber(Scenario { nodes: n, seed, items, code: None }), Some(live));
    }
    let unreliable = match profile {
        Profile::Figure8Unreliable => true,
        Profile::Figure8 | Profile::Churn => false,
        Profile::Mixed => rng.chance_ppm(500_000),
        Profile::Membership | Profile::Reads | Profile::Figure8Cuts => unreachable!("generated above"),
    };
    if unreliable {
        set(&mut items, Setting::Loss { ppm: rng.range(0, 15) as u32 * 10_000 });
        set(&mut items, Setting::Duplicate { ppm: rng.range(0, 10) as u32 * 10_000 });
        let lo = rng.range(1, 30);
        set(&mut items, Setting::Latency { min_ms: lo, max_ms: lo + rng.range(0, 60) });
    }
    if rng.chance_ppm(300_000) {
        set(&mut items, Setting::Prevote(true));
    }
    if rng.chance_ppm(300_000) {
        set(&mut items, Setting::CheckQuorum(true));
    }
    // Figure 8 is about a leader committing entries of earlier terms; a new leader's no-op
    // hides that (it commits them legitimately), so the Figure 8 profiles mostly go without it.
    let noop_off = match profile {
        Profile::Figure8 | Profile::Figure8Unreliable => 1_000_000,
        _ => 200_000,
    };
    if rng.chance_ppm(noop_off) {
        set(&mut items, Setting::LeaderNoop(false));
    }
    // A hunt for a bug of the write path (every bug the `reads` profile does not hunt) goes
    // without leases: they play no part in it, and a lease story keeps its timers implicit,
    // which leaves the shrinker a much longer story (shrink.rs, explicit_elections).
    let write_bug = cfg.bug.is_some_and(|b| !matches!(b, Bug::ReadIndexAnyTerm | Bug::LeaseForgetLeader));
    match rng.below(4) {
        0 => set(&mut items, Setting::Reads(raft_core::ReadMode::Log)),
        1 if !write_bug => set(&mut items, Setting::Reads(raft_core::ReadMode::Lease)),
        _ => {}
    }
    if rng.chance_ppm(200_000) {
        set(&mut items, Setting::ClientTimeout { ms: rng.range(200, 1500) });
    }

    let keys = ["bike42", "k1", "k2"];
    let values = ["alice", "bob", "carol", "dave", "erin"];
    let mut crashed = vec![false; n as usize + 1];
    // The figure8 profile's live simulation, and how many items it has played.
    let mut live: Option<(Runner, usize)> = None;
    let minority = (n as usize - 1) / 2;
    let mut t = 0;
    let (gap_min, gap_max) = match profile {
        Profile::Churn => (20, 150),
        _ => (10, 400),
    };
    if matches!(profile, Profile::Figure8 | Profile::Figure8Unreliable) {
        // Fast timers: many more elections fit in one schedule.
        set(&mut items, Setting::ElectionTimeout { min_ms: 50, max_ms: 100 });
        set(&mut items, Setting::Heartbeat { ms: 15 });
        if !unreliable {
            set(&mut items, Setting::Latency { min_ms: 2, max_ms: 10 });
        }
        set(&mut items, Setting::ClientTimeout { ms: 300 });
        live = Some((figure8(&mut rng, &mut items, cfg, seed, unreliable, &keys, &values), items.len()));
        t = cfg.duration_ms;
        crashed.iter_mut().for_each(|c| *c = true);
    }
    while t < cfg.duration_ms {
        let gap = rng.range(gap_min, gap_max);
        items.push(act(Action::Run { ms: gap }));
        t += gap;
        let roll = rng.below(100);
        let node = |rng: &mut Rng| rng.range(1, n as u64) as u8;
        let down = crashed.iter().filter(|c| **c).count();
        let a = match profile {
            Profile::Churn if roll < 35 => {
                if down < minority && rng.chance_ppm(500_000) {
                    let x = node(&mut rng);
                    crashed[x as usize] = true;
                    Some(Action::Crash(Target::Node(x)))
                } else {
                    restart_one(&mut rng, &mut crashed)
                }
            }
            Profile::Mixed if roll < 8 => {
                let x = node(&mut rng);
                crashed[x as usize] = true;
                Some(Action::Crash(Target::Node(x)))
            }
            Profile::Mixed if roll < 12 => Some(Action::Crash(Target::Leader)),
            Profile::Mixed if roll < 22 => restart_one(&mut rng, &mut crashed),
            // A bounce: a server crashes and is back before the election it was part of is
            // over, so what it persisted (its vote) matters.
            Profile::Mixed | Profile::Churn if roll < 26 => {
                let x = node(&mut rng);
                if !crashed[x as usize] {
                    items.push(act(Action::Crash(Target::Node(x))));
                    items.push(act(Action::Run { ms: rng.range(1, 40) }));
                    Some(Action::Restart(Target::Node(x)))
                } else {
                    None
                }
            }
            // A contest: two servers start elections at the same instant, and sometimes a voter
            // reboots in the middle of it.
            Profile::Mixed | Profile::Churn if roll < 30 => {
                let (a, b) = (node(&mut rng), node(&mut rng));
                items.push(act(Action::Timeout(Target::Node(a))));
                if a == b {
                    None
                } else if rng.chance_ppm(500_000) {
                    let v = node(&mut rng);
                    items.push(act(Action::Timeout(Target::Node(b))));
                    if v == a || v == b || crashed[v as usize] {
                        None
                    } else {
                        items.push(act(Action::Run { ms: rng.range(8, 25) }));
                        items.push(act(Action::Crash(Target::Node(v))));
                        items.push(act(Action::Run { ms: rng.range(1, 8) }));
                        Some(Action::Restart(Target::Node(v)))
                    }
                } else {
                    Some(Action::Timeout(Target::Node(b)))
                }
            }
            _ if roll < 40 => {
                let r = rng.below(100);
                if profile == Profile::Churn && r < 60 {
                    None
                } else if r < 30 {
                    let mut groups: Vec<Vec<u8>> = vec![Vec::new(); rng.range(2, 3) as usize];
                    for id in 1..=n {
                        let g = rng.below(groups.len() as u64) as usize;
                        groups[g].push(id);
                    }
                    groups.retain(|g| !g.is_empty());
                    groups.pop(); // the last group is implied
                    if groups.is_empty() { Some(Action::Heal) } else { Some(Action::Partition(groups)) }
                } else if r < 45 {
                    let (a, b) = (node(&mut rng), node(&mut rng));
                    if a == b { None } else { Some(Action::Cut { from: Target::Node(a), to: Target::Node(b), both: rng.chance_ppm(500_000) }) }
                } else if r < 55 {
                    Some(Action::Isolate(if rng.chance_ppm(500_000) { Target::Leader } else { Target::Node(node(&mut rng)) }))
                } else if r < 60 {
                    Some(Action::Timeout(Target::Node(node(&mut rng))))
                } else {
                    Some(Action::Heal)
                }
            }
            _ => {
                let key = keys[rng.below(keys.len() as u64) as usize].to_string();
                let v = |rng: &mut Rng| values[rng.below(values.len() as u64) as usize].to_string();
                let via = if rng.chance_ppm(150_000) { Some(Target::Node(node(&mut rng))) } else { None };
                Some(match rng.below(10) {
                    0..=3 => Action::Put { key, value: v(&mut rng), via },
                    4..=6 => Action::Get { key, via },
                    _ => {
                        let old = if rng.chance_ppm(400_000) { None } else { Some(v(&mut rng)) };
                        Action::Cas { key, old, new: v(&mut rng), via }
                    }
                })
            }
        };
        if let Some(a) = a {
            items.push(act(a));
        }
    }
    if live.is_none() && lease_reads(&items) {
        items.retain(|i| !matches!(i.kind, ItemKind::Action(Action::Timeout(_))));
    }
    // Let the cluster settle so that pending operations can finish.
    items.push(act(Action::Heal));
    for id in 1..=n {
        if crashed[id as usize] {
            items.push(act(Action::Restart(Target::Node(id))));
        }
    }
    items.push(act(Action::Run { ms: 3_000 }));
    let s = renumber(Scenario { nodes: n, seed, items, code: None });
    let live = live.map(|(mut r, played)| {
        for it in &s.items[played..] {
            r.apply(it);
        }
        r
    });
    (s, live)
}

/// A schedule written against a live simulation (the figure8 and membership profiles): every
/// item is applied the moment it is written, under the line number printing will give it.
struct Live {
    runner: Runner,
    line: u32,
}

impl Live {
    /// The simulation of the settings written so far.
    fn start(items: &[Item], n: u8, seed: u64) -> Live {
        let start = renumber(Scenario { nodes: n, seed, items: items.to_vec(), code: None });
        let mut runner = Runner::new(&start, Observe::FUZZ);
        for it in &start.items {
            runner.apply(it);
        }
        // Printing puts `nodes` and `seed` on lines 1 and 2, then every other item in order.
        let others = start.items.iter().filter(|i| !matches!(i.kind, ItemKind::Setting(Setting::Nodes(_) | Setting::Seed(_))));
        let line = 3 + others.count() as u32;
        Live { runner, line }
    }

    fn push(&mut self, items: &mut Vec<Item>, kind: ItemKind) {
        let it = Item { line: self.line, kind };
        self.line += 1;
        self.runner.apply(&it);
        items.push(it);
    }
}

/// MIT 6.5840's TestFigure8 loop, played against the simulation as it is generated (so it can
/// name the actual leader, as the test does): write through the leader, almost always wait only
/// a few milliseconds, crash that leader, and restart a random server whenever fewer than a
/// majority plus one are up. The schedule it writes names concrete servers, so it replays
/// exactly.
fn figure8(rng: &mut Rng, items: &mut Vec<Item>, cfg: &FuzzConfig, seed: u64, unreliable: bool, keys: &[&str], values: &[&str]) -> Runner {
    let n = cfg.nodes;
    let mut live = Live::start(items, n, seed);
    let lease = lease_reads(items);
    let want_up = (n as usize / 2 + 2).min(n as usize);
    while live.runner.sim.now() < cfg.duration_ms {
        let leader = live.runner.sim.leader();
        if let Some(l) = leader.filter(|_| rng.chance_ppm(500_000)) {
            let key = keys[rng.below(keys.len() as u64) as usize].to_string();
            let value = values[rng.below(values.len() as u64) as usize].to_string();
            live.push(items, ItemKind::Action(Action::Put { key, value, via: Some(Target::Node(l)) }));
        }
        if leader.is_none() && rng.chance_ppm(300_000) {
            // Nudge a random running server to campaign: winners are then not only the
            // servers with the shortest timers.
            let x = rng.range(1, n as u64) as u8;
            if !lease && live.runner.sim.server(x).is_some_and(|s| s.running()) {
                live.push(items, ItemKind::Action(Action::Timeout(Target::Node(x))));
            }
        }
        if leader.is_none() && rng.chance_ppm(200_000) {
            // A voter reboots in the middle of an election: what it persisted decides whether
            // it can vote again in the same term.
            let voters: Vec<u8> = live
                .runner
                .sim
                .servers()
                .iter()
                .filter(|s| s.running() && s.report().and_then(|r| r.voted_for()).is_some_and(|v| v != s.id()))
                .map(|s| s.id())
                .collect();
            if !voters.is_empty() {
                let v = voters[rng.below(voters.len() as u64) as usize];
                live.push(items, ItemKind::Action(Action::Crash(Target::Node(v))));
                live.push(items, ItemKind::Action(Action::Run { ms: rng.range(1, 5) }));
                live.push(items, ItemKind::Action(Action::Restart(Target::Node(v))));
            }
        }
        let wait = if rng.chance_ppm(500_000) { rng.range(1, 250) } else { rng.range(1, 13) };
        live.push(items, ItemKind::Action(Action::Run { ms: wait }));
        if let Some(l) = leader {
            if live.runner.sim.server(l).is_some_and(|s| s.running()) {
                // Half the time the leader is cut off first, which also kills its messages in
                // flight: its newest entries stay on it alone.
                let cut_off = rng.chance_ppm(500_000) && live.runner.sim.network().is_healed();
                if cut_off {
                    live.push(items, ItemKind::Action(Action::Isolate(Target::Node(l))));
                }
                live.push(items, ItemKind::Action(Action::Crash(Target::Node(l))));
                if cut_off {
                    live.push(items, ItemKind::Action(Action::Heal));
                }
            }
        }
        let up = live.runner.sim.servers().iter().filter(|s| s.running()).count();
        if up < want_up {
            let x = rng.range(1, n as u64) as u8;
            if !live.runner.sim.server(x).is_some_and(|s| s.running()) {
                live.push(items, ItemKind::Action(Action::Restart(Target::Node(x))));
            }
        }
        if unreliable && rng.chance_ppm(30_000) {
            let x = rng.range(1, n as u64) as u8;
            live.push(items, ItemKind::Action(Action::Isolate(Target::Node(x))));
        }
        if unreliable && rng.chance_ppm(30_000) {
            live.push(items, ItemKind::Action(Action::Heal));
        }
    }
    live.runner
}

/// The `figure8-cuts` profile: Figure 8 of the Raft paper as rounds of a story, played against
/// the live simulation. The network delivers every message after the same delay and the timers
/// are slow, so who leads is decided by the schedule's own `timeout` lines, and which servers
/// hold an entry by its partitions and crashes: removing a line does not reshuffle what the
/// rest of the run does, and the shrinker can cut a finding down to the figure. Each round:
/// heal the network now and then; bring back crashed servers while fewer than a majority plus
/// one run; a running server campaigns; if it won, a partition usually keeps it with only a
/// few others, it takes a write and replicates it as far as the cut lets it, and it crashes
/// (or steps aside for the next campaign) more often than not.
fn figure8_cuts(rng: &mut Rng, items: &mut Vec<Item>, cfg: &FuzzConfig, seed: u64) -> Runner {
    let n = cfg.nodes;
    let set = |items: &mut Vec<Item>, s: Setting| items.push(item(ItemKind::Setting(s)));
    set(items, Setting::LeaderNoop(false));
    set(items, Setting::ElectionTimeout { min_ms: 3_000, max_ms: 4_000 });
    set(items, Setting::Latency { min_ms: 5, max_ms: 5 });
    set(items, Setting::ClientTimeout { ms: 30_000 });
    let keys = ["a", "b", "c"];
    let mut live = Live::start(items, n, seed);
    let running = |live: &Live, x: u8| live.runner.sim.server(x).is_some_and(|s| s.running());
    let want_up = (n as usize / 2 + 2).min(n as usize);
    let mut value = 0u32;
    while live.runner.sim.now() < cfg.duration_ms {
        if !live.runner.sim.network().is_healed() && rng.chance_ppm(400_000) {
            live.push(items, ItemKind::Action(Action::Heal));
        }
        while (1..=n).filter(|&x| running(&live, x)).count() < want_up {
            let down: Vec<u8> = (1..=n).filter(|&x| !running(&live, x)).collect();
            let x = down[rng.below(down.len() as u64) as usize];
            live.push(items, ItemKind::Action(Action::Restart(Target::Node(x))));
        }
        let up: Vec<u8> = (1..=n).filter(|&x| running(&live, x)).collect();
        let x = up[rng.below(up.len() as u64) as usize];
        live.push(items, ItemKind::Action(Action::Timeout(Target::Node(x))));
        live.push(items, ItemKind::Action(Action::Run { ms: 100 }));
        if live.runner.sim.leader() != Some(x) {
            continue;
        }
        if rng.chance_ppm(800_000) {
            // x keeps 0..=minority others: its write reaches them and no one else.
            let mut rest: Vec<u8> = (1..=n).filter(|&y| y != x).collect();
            let mut group = vec![x];
            for _ in 0..rng.below(n as u64 / 2 + 1) {
                group.push(rest.remove(rng.below(rest.len() as u64) as usize));
            }
            group.sort_unstable();
            live.push(items, ItemKind::Action(Action::Partition(vec![group])));
        }
        value += 1;
        let key = keys[rng.below(keys.len() as u64) as usize].to_string();
        live.push(items, ItemKind::Action(Action::Put { key, value: value.to_string(), via: Some(Target::Node(x)) }));
        live.push(items, ItemKind::Action(Action::Run { ms: 100 }));
        if rng.chance_ppm(600_000) {
            live.push(items, ItemKind::Action(Action::Crash(Target::Node(x))));
        }
    }
    live.push(items, ItemKind::Action(Action::Heal));
    for x in 1..=n {
        if !running(&live, x) {
            live.push(items, ItemKind::Action(Action::Restart(Target::Node(x))));
        }
    }
    live.push(items, ItemKind::Action(Action::Run { ms: 3_000 }));
    live.runner
}

/// The `membership` profile, played against the live simulation (like `figure8`) so that it
/// adds servers that are not members, removes ones that are, and hands leadership to voters.
/// Refusals (a change already in progress, no leader) are part of the game: the run records
/// them and goes on.
fn membership(rng: &mut Rng, items: &mut Vec<Item>, cfg: &FuzzConfig, seed: u64) -> Runner {
    use crate::engine::network::MAX_NODES;
    let n = cfg.nodes;
    let set = |items: &mut Vec<Item>, s: Setting| items.push(item(ItemKind::Setting(s)));
    // Compaction every few entries, so that catching up mostly goes through InstallSnapshot.
    let every = if rng.chance_ppm(800_000) { rng.range(1, 6) } else { 0 };
    set(items, Setting::SnapshotEvery(every));
    let unreliable = rng.chance_ppm(400_000);
    if unreliable {
        set(items, Setting::Loss { ppm: rng.range(0, 10) as u32 * 10_000 });
        set(items, Setting::Duplicate { ppm: rng.range(0, 10) as u32 * 10_000 });
        let lo = rng.range(1, 30);
        set(items, Setting::Latency { min_ms: lo, max_ms: lo + rng.range(0, 60) });
    }
    if rng.chance_ppm(300_000) {
        set(items, Setting::Prevote(true));
    }
    if rng.chance_ppm(300_000) {
        set(items, Setting::CheckQuorum(true));
    }
    if rng.chance_ppm(200_000) {
        set(items, Setting::LeaderNoop(false));
    }
    match rng.below(4) {
        0 => set(items, Setting::Reads(raft_core::ReadMode::Log)),
        1 => set(items, Setting::Reads(raft_core::ReadMode::Lease)),
        _ => {}
    }
    let keys = ["bike42", "k1", "k2"];
    let values = ["alice", "bob", "carol", "dave", "erin"];

    let mut live = Live::start(items, n, seed);
    let any = |rng: &mut Rng| rng.range(1, MAX_NODES as u64) as u8;
    while live.runner.sim.now() < cfg.duration_ms {
        live.push(items, ItemKind::Action(Action::Run { ms: rng.range(10, 300) }));
        let existing: Vec<u8> = live.runner.sim.servers().iter().map(|s| s.id()).collect();
        let running: Vec<u8> = live.runner.sim.servers().iter().filter(|s| s.running()).map(|s| s.id()).collect();
        let crashed: Vec<u8> = live.runner.sim.servers().iter().filter(|s| !s.running()).map(|s| s.id()).collect();
        let leader = live.runner.sim.leader();
        let voters: Vec<u8> = match leader {
            Some(l) => live.runner.sim.server(l).and_then(|s| s.report().map(|r| r.voters().to_vec())).unwrap_or_default(),
            None => Vec::new(),
        };
        let pick = |rng: &mut Rng, from: &[u8]| from[rng.below(from.len() as u64) as usize];
        let roll = rng.below(100);
        let a = if roll < 14 {
            // Join: mostly a server that is not a voter (S6.. included), sometimes anyone.
            let outside: Vec<u8> = (1..=MAX_NODES as u8).filter(|v| !voters.contains(v)).collect();
            let x = if !outside.is_empty() && rng.chance_ppm(800_000) { pick(rng, &outside) } else { any(rng) };
            Some(Action::Add(Target::Node(x)))
        } else if roll < 26 {
            // Leave: a voter, often the leader itself; the cluster keeps at least two voters
            // most of the time so that it stays live.
            if voters.len() > 2 || (!voters.is_empty() && rng.chance_ppm(200_000)) {
                if rng.chance_ppm(250_000) {
                    Some(Action::Remove(Target::Leader))
                } else {
                    Some(Action::Remove(Target::Node(pick(rng, &voters))))
                }
            } else {
                None
            }
        } else if roll < 34 {
            // Hand over leadership: to a voter (possibly crashed or cut off), sometimes to a
            // server that is not one.
            let x = if !voters.is_empty() && rng.chance_ppm(850_000) { pick(rng, &voters) } else { any(rng) };
            Some(Action::Transfer(Target::Node(x)))
        } else if roll < 42 {
            // A crash, often of the leader, while a majority of the voters stays up.
            let up_voters = voters.iter().filter(|v| running.contains(v)).count();
            if up_voters * 2 > voters.len() + 2 || (voters.is_empty() && running.len() > existing.len() / 2 + 1) {
                let x = if leader.is_some() && rng.chance_ppm(400_000) { leader.unwrap_or(1) } else { pick(rng, &running) };
                Some(Action::Crash(Target::Node(x)))
            } else {
                None
            }
        } else if roll < 52 {
            if crashed.is_empty() { None } else { Some(Action::Restart(Target::Node(pick(rng, &crashed)))) }
        } else if roll < 56 {
            let x = pick(rng, &running);
            live.push(items, ItemKind::Action(Action::Crash(Target::Node(x))));
            live.push(items, ItemKind::Action(Action::Run { ms: rng.range(1, 40) }));
            Some(Action::Restart(Target::Node(x)))
        } else if roll < 64 {
            let r = rng.below(100);
            if r < 35 {
                let mut groups: Vec<Vec<u8>> = vec![Vec::new(); rng.range(2, 3) as usize];
                for &id in &existing {
                    let g = rng.below(groups.len() as u64) as usize;
                    groups[g].push(id);
                }
                groups.retain(|g| !g.is_empty());
                groups.pop(); // the last group is implied
                if groups.is_empty() { Some(Action::Heal) } else { Some(Action::Partition(groups)) }
            } else if r < 55 {
                Some(Action::Isolate(if rng.chance_ppm(500_000) { Target::Leader } else { Target::Node(pick(rng, &existing)) }))
            } else if r < 65 {
                let x = pick(rng, &existing);
                if lease_reads(items) { None } else { Some(Action::Timeout(Target::Node(x))) }
            } else {
                Some(Action::Heal)
            }
        } else if roll < 67 {
            live.push(items, ItemKind::Setting(Setting::SnapshotEvery(rng.range(0, 6))));
            None
        } else {
            let key = keys[rng.below(keys.len() as u64) as usize].to_string();
            let v = |rng: &mut Rng| values[rng.below(values.len() as u64) as usize].to_string();
            let via = if rng.chance_ppm(150_000) { Some(Target::Node(pick(rng, &existing))) } else { None };
            Some(match rng.below(10) {
                0..=3 => Action::Put { key, value: v(rng), via },
                4..=6 => Action::Get { key, via },
                _ => {
                    let old = if rng.chance_ppm(400_000) { None } else { Some(v(rng)) };
                    Action::Cas { key, old, new: v(rng), via }
                }
            })
        };
        // `remove leader`/`transfer` with nobody leading would only be an error line.
        let a = a.filter(|a| leader.is_some() || !matches!(a, Action::Add(_) | Action::Remove(_) | Action::Transfer(_)));
        if let Some(a) = a {
            live.push(items, ItemKind::Action(a));
        }
    }
    // Let the cluster settle so that pending operations can finish.
    live.push(items, ItemKind::Action(Action::Heal));
    let crashed: Vec<u8> = live.runner.sim.servers().iter().filter(|s| !s.running()).map(|s| s.id()).collect();
    for x in crashed {
        live.push(items, ItemKind::Action(Action::Restart(Target::Node(x))));
    }
    live.push(items, ItemKind::Action(Action::Run { ms: 3_000 }));
    live.runner
}

/// The `reads` profile, played against the live simulation (like `figure8`) so that it can
/// name the leader: the faults under which a read can go stale. A leader's heartbeats are
/// delayed by a latency spike so that they arrive terms later; leadership bounces to another
/// server and back, so one server leads again in a new term; a leader is cut off (both ways or
/// one way) while the others elect a new one and write, then read through the old one;
/// duplicated requests reach a leader and a follower. Clients read a lot, through the leader
/// and through chosen servers.
fn reads(rng: &mut Rng, items: &mut Vec<Item>, cfg: &FuzzConfig, seed: u64) -> Runner {
    use raft_core::ReadMode;
    let n = cfg.nodes;
    let set = |items: &mut Vec<Item>, s: Setting| items.push(item(ItemKind::Setting(s)));
    let lease = rng.chance_ppm(500_000);
    set(items, Setting::Reads(if lease { ReadMode::Lease } else { ReadMode::ReadIndex }));
    if rng.chance_ppm(if lease { 500_000 } else { 300_000 }) {
        set(items, Setting::CheckQuorum(true));
    }
    if rng.chance_ppm(if lease { 500_000 } else { 300_000 }) {
        set(items, Setting::Prevote(true));
    }
    let lo = rng.range(2, 15);
    let base = Setting::Latency { min_ms: lo, max_ms: lo + rng.range(0, 20) };
    set(items, base.clone());
    if rng.chance_ppm(500_000) {
        set(items, Setting::Duplicate { ppm: rng.range(1, 20) as u32 * 10_000 });
    }
    if rng.chance_ppm(150_000) {
        set(items, Setting::Loss { ppm: rng.range(1, 5) as u32 * 10_000 });
    }
    if rng.chance_ppm(300_000) {
        set(items, Setting::ClientTimeout { ms: rng.range(200, 1500) });
    }
    let (mut election_min, mut election_max) = (150, 300);
    if rng.chance_ppm(500_000) {
        // Long, narrow election timeouts: long leases, and campaigns at predictable times.
        election_min = rng.range(3, 9) * 100;
        election_max = election_min + rng.range(5, 100);
        set(items, Setting::ElectionTimeout { min_ms: election_min, max_ms: election_max });
    }
    let keys = ["x", "y"];
    let values = ["a", "b", "c", "d", "e", "f"];
    let value = |rng: &mut Rng| values[rng.below(values.len() as u64) as usize].to_string();
    let key = |rng: &mut Rng| keys[rng.below(keys.len() as u64) as usize].to_string();
    let node = |rng: &mut Rng| rng.range(1, n as u64) as u8;
    let other = |rng: &mut Rng, x: u8| (x + rng.range(1, n as u64 - 1) as u8 - 1) % n + 1;
    let minority = (n as usize - 1) / 2;

    let mut live = Live::start(items, n, seed);
    let action = |live: &mut Live, items: &mut Vec<Item>, a: Action| live.push(items, ItemKind::Action(a));
    if !lease {
        action(&mut live, items, Action::Timeout(Target::Node(node(rng))));
    }
    while live.runner.sim.now() < cfg.duration_ms {
        action(&mut live, items, Action::Run { ms: rng.range(10, 300) });
        let leader = live.runner.sim.leader();
        let running = |live: &Live, x: u8| live.runner.sim.server(x).is_some_and(|s| s.running());
        let roll = rng.below(100);
        if roll < 14 {
            // A latency spike: whatever is sent in the next few tens of ms arrives late.
            let slow = rng.range(300, 1500);
            live.push(items, ItemKind::Setting(Setting::Latency { min_ms: slow, max_ms: slow + rng.range(0, 200) }));
            action(&mut live, items, Action::Run { ms: rng.range(10, 70) });
            live.push(items, ItemKind::Setting(base.clone()));
        } else if roll < 24 {
            // Leadership bounces to another server and (often) back: the leader leads again in
            // a new term, with its round counter started afresh.
            if let Some(l) = leader {
                if rng.chance_ppm(500_000) {
                    // Its last heartbeats of this term arrive terms later.
                    let slow = rng.range(300, 1500);
                    live.push(items, ItemKind::Setting(Setting::Latency { min_ms: slow, max_ms: slow + rng.range(0, 200) }));
                    action(&mut live, items, Action::Run { ms: rng.range(10, 70) });
                    live.push(items, ItemKind::Setting(base.clone()));
                }
                action(&mut live, items, Action::Transfer(Target::Node(other(rng, l))));
                action(&mut live, items, Action::Run { ms: rng.range(30, 400) });
                if rng.chance_ppm(700_000) {
                    action(&mut live, items, Action::Transfer(Target::Node(l)));
                }
            }
        } else if roll < 34 {
            // The leader is cut off; the others elect a new one and write; read through the old.
            if let Some(l) = leader {
                if rng.chance_ppm(600_000) {
                    action(&mut live, items, Action::Isolate(Target::Node(l)));
                } else {
                    // One way: it cannot hear one follower, or one follower cannot hear it.
                    let y = other(rng, l);
                    let (from, to) = if rng.chance_ppm(500_000) { (y, l) } else { (l, y) };
                    action(&mut live, items, Action::Cut { from: Target::Node(from), to: Target::Node(to), both: false });
                    if rng.chance_ppm(500_000) {
                        // Later it is cut off altogether.
                        action(&mut live, items, Action::Run { ms: rng.range(100, 1500) });
                        action(&mut live, items, Action::Isolate(Target::Node(l)));
                    }
                }
                action(&mut live, items, Action::Run { ms: rng.range(100, 1200) });
                let (k, v) = (key(rng), value(rng));
                action(&mut live, items, Action::Put { key: k.clone(), value: v, via: Some(Target::Leader) });
                action(&mut live, items, Action::Run { ms: rng.range(10, 200) });
                action(&mut live, items, Action::Get { key: k, via: Some(Target::Node(l)) });
            }
        } else if roll < 40 + if lease { 8 } else { 0 } {
            // A lease under pressure: the leader's heartbeats are slow, it hands over to `o`,
            // which then cannot reach a minority of the others (one-way cuts: they campaign,
            // in ever higher terms); later `o` is cut off altogether, and the others write.
            // A read through `o` may be served from its lease.
            if let Some(l) = leader {
                action(&mut live, items, Action::Heal);
                let t0 = live.runner.sim.now();
                let (spike, handover) = (rng.range(10, 70), rng.range(30, 150));
                // Slow enough to arrive soon after the cut-off servers' first campaign.
                let slow = (spike + handover + election_max + rng.range(0, 250)).clamp(300, 1500);
                live.push(items, ItemKind::Setting(Setting::Latency { min_ms: slow, max_ms: slow + rng.range(0, 20) }));
                action(&mut live, items, Action::Run { ms: spike });
                live.push(items, ItemKind::Setting(base.clone()));
                let o = other(rng, l);
                action(&mut live, items, Action::Transfer(Target::Node(o)));
                action(&mut live, items, Action::Run { ms: handover });
                let mut rest: Vec<u8> = (1..=n).filter(|&x| x != l && x != o).collect();
                let mut cut = Vec::new();
                for _ in 0..minority {
                    let y = rest.remove(rng.below(rest.len() as u64) as usize);
                    action(&mut live, items, Action::Cut { from: Target::Node(o), to: Target::Node(y), both: false });
                    cut.push(y);
                }
                // Cut `o` off about when the slow heartbeats arrive.
                let at = t0 + slow + rng.range(0, 80);
                let now = live.runner.sim.now();
                if at > now {
                    action(&mut live, items, Action::Run { ms: at - now });
                }
                action(&mut live, items, Action::Isolate(Target::Node(o)));
                action(&mut live, items, Action::Run { ms: rng.range(election_min / 2, election_min * 2) });
                let (k, v) = (key(rng), value(rng));
                let y = cut[rng.below(cut.len() as u64) as usize];
                action(&mut live, items, Action::Put { key: k.clone(), value: v, via: Some(Target::Node(y)) });
                action(&mut live, items, Action::Run { ms: rng.range(10, 100) });
                action(&mut live, items, Action::Get { key: k, via: Some(Target::Node(o)) });
            }
        } else if roll < 52 {
            let (a, b) = (node(rng), node(rng));
            if a != b {
                action(&mut live, items, Action::Cut { from: Target::Node(a), to: Target::Node(b), both: rng.chance_ppm(200_000) });
            }
        } else if roll < 56 {
            let down = (1..=n).filter(|&x| !running(&live, x)).count();
            let x = node(rng);
            if running(&live, x) && down < minority {
                action(&mut live, items, Action::Crash(Target::Node(x)));
            } else if !running(&live, x) {
                action(&mut live, items, Action::Restart(Target::Node(x)));
            }
        } else if roll < 62 {
            action(&mut live, items, Action::Heal);
        } else if roll < 65 && !lease {
            action(&mut live, items, Action::Timeout(Target::Node(node(rng))));
        } else {
            let via = match rng.below(10) {
                0..=3 => None,
                4..=6 => Some(Target::Leader),
                _ => Some(Target::Node(node(rng))),
            };
            let k = key(rng);
            let a = match rng.below(10) {
                0..=4 => Action::Get { key: k, via },
                5..=8 => Action::Put { key: k, value: value(rng), via },
                _ => {
                    let old = if rng.chance_ppm(300_000) { None } else { Some(value(rng)) };
                    Action::Cas { key: k, old, new: value(rng), via }
                }
            };
            action(&mut live, items, a);
        }
    }
    action(&mut live, items, Action::Heal);
    for x in 1..=n {
        if !live.runner.sim.server(x).is_some_and(|s| s.running()) {
            action(&mut live, items, Action::Restart(Target::Node(x)));
        }
    }
    action(&mut live, items, Action::Run { ms: 3_000 });
    live.runner
}

/// Whether the settings written so far choose lease reads. A lease trusts the servers' clocks,
/// and a forced timer (`timeout X`) breaks that by design (docs/SCENARIO-NOTES.md): lease
/// schedules never force one, so a violation they find is Raft's (or the bug's).
fn lease_reads(items: &[Item]) -> bool {
    items.iter().rev().find_map(|i| match i.kind {
        ItemKind::Setting(Setting::Reads(mode)) => Some(mode == raft_core::ReadMode::Lease),
        _ => None,
    }) == Some(true)
}

fn restart_one(rng: &mut Rng, crashed: &mut [bool]) -> Option<Action> {
    let down: Vec<usize> = (1..crashed.len()).filter(|&i| crashed[i]).collect();
    if down.is_empty() {
        return None;
    }
    let x = down[rng.below(down.len() as u64) as usize];
    crashed[x] = false;
    Some(Action::Restart(Target::Node(x as u8)))
}

/// Run a schedule; the first property it breaks, if any: (property, detail, at_ms).
pub fn verdict(s: &Scenario) -> Option<(Property, String, u64)> {
    verdict_of(&Runner::run(s, Observe::FUZZ))
}

/// The first property a finished run broke, if any.
fn verdict_of(r: &Runner) -> Option<(Property, String, u64)> {
    if let Some(v) = r.sim.violations().first() {
        return Some((v.property, v.detail.clone(), v.at_ms));
    }
    let lin = linearizability::check(&r.sim.history());
    lin.violation.map(|v| (Property::Linearizability, v.explanation, r.sim.now()))
}

/// Shrink a schedule that breaks `property` into a short story (see [`crate::fuzz::shrink`]), spending
/// at most `budget` runs.
pub fn shrink(s: &Scenario, property: Property, budget: usize) -> Scenario {
    crate::fuzz::shrink::shrink(s, property, budget)
}

/// Run seed's schedule, without shrinking: the property it breaks first, if any. A sweep calls
/// this for every seed and [`fuzz_seed`] only for the one it reports.
pub fn probe(seed: u64, cfg: &FuzzConfig) -> Option<Property> {
    let (s, live) = generate(seed, cfg);
    match &live {
        Some(r) => verdict_of(r),
        None => verdict(&s),
    }
    .map(|(p, _, _)| p)
}

/// Fuzz one seed: None when nothing broke.
pub fn fuzz_seed(seed: u64, cfg: &FuzzConfig) -> Option<Finding> {
    let (s, live) = generate(seed, cfg);
    let (property, _, _) = match &live {
        Some(r) => verdict_of(r),
        None => verdict(&s),
    }?;
    let small = shrink(&s, property, cfg.shrink_runs);
    let (p2, detail, at_ms) = verdict(&small).expect("shrinking keeps the violation");
    debug_assert_eq!(p2, property);
    let count = |sc: &Scenario| sc.items.iter().filter(|i| matches!(i.kind, ItemKind::Action(_))).count();
    let header = format!(
        "# Found by {} ({}seed {seed}, profile {}): {} at {at_ms}ms\n# {}\n",
        cfg.found_by,
        cfg.bug.map(|b| format!("bug {}, ", b.name())).unwrap_or_default(),
        cfg.profile
            .unwrap_or_else(|| match cfg.bug {
                Some(b) => Profile::for_bug(seed, b),
                None => Profile::for_seed(seed, false),
            })
            .name(),
        property.name(),
        detail.replace('\n', "\n# "),
    );
    Some(Finding {
        seed,
        property,
        detail,
        at_ms,
        scenario: format!("{header}{}", scenario::print_scenario(&small)),
        original_actions: count(&s),
        shrunk_actions: count(&small),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A forced timer breaks a lease by design: no lease schedule of any profile has one, and
    /// the other schedules still do.
    #[test]
    fn lease_schedules_never_force_a_timer() {
        let (mut lease, mut forced) = (0, 0);
        for profile in Profile::ALL {
            let cfg = FuzzConfig { profile: Some(profile), duration_ms: 3_000, ..FuzzConfig::default() };
            for seed in 1..=40 {
                let s = schedule(seed, &cfg);
                let timeouts = s.items.iter().filter(|i| matches!(i.kind, ItemKind::Action(Action::Timeout(_)))).count();
                if lease_reads(&s.items) {
                    lease += 1;
                    assert_eq!(timeouts, 0, "{profile:?} seed {seed}");
                } else {
                    forced += timeouts;
                }
            }
        }
        assert!(lease > 20 && forced > 20, "{lease} lease schedules, {forced} forced timers elsewhere");
    }

    /// The live simulation a profile plays against is the run a replay gives: same trace, same
    /// verdict. (fuzz_seed trusts it instead of running the schedule again.)
    #[test]
    fn a_live_schedule_ends_where_its_replay_ends() {
        let mut live_runs = 0;
        for profile in [Profile::Figure8, Profile::Figure8Unreliable, Profile::Figure8Cuts, Profile::Membership, Profile::Reads] {
            let third = if profile == Profile::Reads { Bug::LeaseForgetLeader } else { Bug::SkipPrevCheck };
            for bug in [None, Some(Bug::CommitOldTerms), Some(third)] {
                let cfg = FuzzConfig { bug, profile: Some(profile), duration_ms: 3_000, ..FuzzConfig::default() };
                for seed in 1..=12 {
                    let (s, live) = generate(seed, &cfg);
                    let live = live.expect("these profiles play against a live simulation");
                    let replay = Runner::run(&s, Observe::FUZZ);
                    assert_eq!(live.sim.now(), replay.sim.now(), "{profile:?} {bug:?} seed {seed}");
                    assert_eq!(live.sim.stats(), replay.sim.stats(), "{profile:?} {bug:?} seed {seed}");
                    assert_eq!(verdict_of(&live), verdict_of(&replay), "{profile:?} {bug:?} seed {seed}");
                    live_runs += 1;
                }
            }
        }
        assert_eq!(live_runs, 5 * 3 * 12);
        assert!(generate(1, &FuzzConfig { profile: Some(Profile::Mixed), ..FuzzConfig::default() }).1.is_none());
    }
}

//! The engine: virtual time, the event queue, the network, timers and clients, hosting servers
//! of any protocol behind [`crate::servers::Host`] and telling what happens as one stream of
//! [`Event`]s.
//!
//! * this file — [`Sim`]: the queue, the servers' slots and timers, actions, `emit`;
//! * `wire` — what travels (`Envelope`, `Flight`) and the wire that holds it;
//! * `network` — links, partitions and cuts; `clients` — clients outside the cluster;
//! * `events` — the event stream; `tracing` and `feed` — two of its consumers (the trace
//!   lines, the sentences for people); `trace` — the hashed trace; `rng` — the one generator.
//!
//! Every source of nondeterminism is explicit: one [`Rng`] draws latencies, losses, duplicates
//! and election timeouts; the queue is ordered by (time, sequence number), so events at the same
//! millisecond run in the order they were scheduled; nothing iterates a hash map.
//!
//! `run_until(t)` processes every event whose time is `<= t`, then sets the clock to `t`, so
//! `run 100ms` then `run 50ms` is the same run as `run 150ms`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use raft_core::{ClientReply, Entry, Node, NodeId, Role};

mod clients;
pub mod events;
mod feed;
pub mod network;
pub mod rng;
pub mod trace;
mod tracing;
mod wire;

pub use crate::model::op_text;
pub use clients::CLIENT_TRIES;
pub use events::{DropReason, Event, NetChange};
pub use wire::{Envelope, Flight};

use crate::check::safety::SafetyChecker;
use crate::model::{Operation, Property, Protocol, Reported, Setting, Settings};
use crate::servers::{self, Admin, Ctx, Delay, Host, HostFactory, Output, TimerName};
use clients::Client;
use network::{Network, MAX_NODES};
use rng::Rng;
use trace::Trace;
use wire::Wire;

/// Feed and drop lists kept for the page are bounded.
pub(crate) const FEED_MAX: usize = 200;
const DROPPED_KEEP_MS: u64 = 600;

fn find(servers: &[Server], id: NodeId) -> &Server {
    servers.iter().find(|s| s.id == id).expect("server exists")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Due {
    Deliver(u64),
    /// A lost message dies halfway.
    Lose(u64),
    /// Timer `slot` of server `node` (see `Server::timers`), if it was not re-armed since.
    Timer { node: NodeId, slot: u16, gen: u64 },
    ClientTimeout { client: usize, attempt: u32 },
    ClientRetry { client: usize },
}

/// An event in the queue. The queue pops the smallest (time, sequence number) first; the
/// sequence number is unique, so the event itself never takes part in the order.
#[derive(Clone, Copy, Debug)]
struct Queued {
    at: u64,
    seq: u64,
    event: Due,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// One armed-or-not timer of a server.
#[derive(Clone, Debug)]
struct TimerSlot {
    name: TimerName,
    /// Bumped whenever the timer is set or cleared: a queued firing of an older generation
    /// is stale.
    gen: u64,
    /// (started, deadline) while armed, for a viewer to draw it draining.
    shown: Option<(u64, u64)>,
}

/// One server slot: the hosted server (see `servers`), whether it runs, and its timers. For a
/// crashed server, `host` holds what survives the crash, so what the page shows is that.
#[derive(Clone)]
pub struct Server {
    id: NodeId,
    host: Box<dyn Host>,
    running: bool,
    /// One slot per timer name the server ever set, in the order first set.
    timers: Vec<TimerSlot>,
    /// The role and term the feed last told about, so that it can say why a role changed
    /// ("stepped down") and stay quiet when a follower merely moves to a newer term.
    told: (Role, u64),
}

impl Server {
    pub fn id(&self) -> NodeId {
        self.id
    }
    pub fn running(&self) -> bool {
        self.running
    }
    pub fn host(&self) -> &dyn Host {
        self.host.as_ref()
    }
    /// The state the server reports (role, term, log…), if its protocol reports one.
    pub fn report(&self) -> Option<&dyn Reported> {
        self.host.report()
    }
    /// The Raft node, when the server runs Raft.
    pub fn raft(&self) -> Option<&Node> {
        self.host.as_any().downcast_ref::<servers::raft::RaftServer>().map(|r| r.node())
    }
    /// The reported role; a server that reports none is a follower.
    pub fn role(&self) -> Role {
        self.report().map_or(Role::Follower, |r| r.role())
    }
    /// The reported term; 0 for a server that reports none.
    pub fn term(&self) -> u64 {
        self.report().map_or(0, |r| r.term())
    }
    /// (started, deadline) of timer `name` while it is armed.
    pub fn timer(&self, name: &str) -> Option<(u64, u64)> {
        self.timers.iter().find(|t| t.name == name).and_then(|t| t.shown)
    }
    /// The value of `key` this server has applied.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.host.value(key)
    }
    /// How far the server's state machine has come (Raft: its commit index).
    pub fn commit_index(&self) -> u64 {
        self.host.commit_index()
    }

    fn told_now(&self) -> (Role, u64) {
        (self.role(), self.term())
    }

    /// The slot of timer `name`, made on first use (a name the server gave as a `'static`
    /// string stays borrowed, so firing it allocates nothing).
    fn slot(&mut self, name: &TimerName) -> usize {
        match self.timers.iter().position(|t| t.name == *name) {
            Some(k) => k,
            None => {
                assert!(self.timers.len() < u16::MAX as usize, "at most 65535 timer names per server");
                self.timers.push(TimerSlot { name: name.clone(), gen: 0, shown: None });
                self.timers.len() - 1
            }
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEvent {
    pub time_ms: u64,
    pub text: String,
}

/// A problem a run meets that is not a safety violation: an action that cannot be carried out
/// at that instant (`crash leader` with no leader, `transfer` refused…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    pub time_ms: u64,
    pub text: String,
}

#[derive(Clone)]
pub struct Sim {
    settings: Settings,
    now: u64,
    seq: u64,
    rng: Rng,
    servers: Vec<Server>,
    /// Voters of the initial configuration (S1..S<nodes>).
    initial_voters: Vec<NodeId>,
    network: Network,
    queue: BinaryHeap<Reverse<Queued>>,
    in_flight: Wire,
    next_msg: u64,
    dropped: VecDeque<Flight>,
    clients: Vec<Client>,
    leader_guess: NodeId,
    history: Vec<Operation>,
    checker: SafetyChecker,
    trace: Trace,
    stats: Stats,
    /// Plain-language feed for people; only kept when `keep_feed`.
    keep_feed: bool,
    feed: VecDeque<FeedEvent>,
    errors: Vec<RunError>,
    /// The outputs of the server step being carried out, kept to reuse its allocation.
    outbox: Vec<Output>,
    /// Events not yet drained by a viewer (only kept when `Observe::events`).
    keep_events: bool,
    /// (instant, event), oldest first.
    events: Vec<(u64, Event)>,
    /// Builds the servers of `protocol js` (the embedder's; None elsewhere).
    hosts: Option<HostFactory>,
    /// A server could not go on (`Output::Fail`) or could not be built: nothing more happens.
    halted: bool,
}

/// How much a run keeps for viewers. Fuzzing keeps nothing it does not check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observe {
    pub trace_hash: bool,
    pub trace_lines: bool,
    pub feed: bool,
    /// Keep the event stream for a viewer to drain (`Sim::take_events`).
    pub events: bool,
}

impl Observe {
    pub const REPORT: Observe = Observe { trace_hash: true, trace_lines: false, feed: false, events: false };
    pub const PAGE: Observe = Observe { trace_hash: true, trace_lines: false, feed: true, events: true };
    pub const FUZZ: Observe = Observe { trace_hash: false, trace_lines: false, feed: false, events: false };
    /// The trace's lines kept as well (`--trace`, the page's export).
    pub const LINES: Observe = Observe { trace_hash: true, trace_lines: true, feed: false, events: false };
}

impl Sim {
    pub fn new(settings: Settings, observe: Observe) -> Sim {
        Sim::with_hosts(settings, observe, None)
    }

    /// A run whose `protocol js` servers are built by `hosts` (see `servers::HostFactory`).
    /// Without it such a run builds nothing: it stops at once with an error saying why.
    pub fn with_hosts(settings: Settings, observe: Observe, hosts: Option<HostFactory>) -> Sim {
        let n = settings.nodes;
        assert!((1..=MAX_NODES as u8).contains(&n), "nodes must be 1..=9");
        let voters: Vec<NodeId> = (1..=n).collect();
        let mut sim = Sim {
            rng: Rng::new(settings.seed),
            settings,
            now: 0,
            seq: 0,
            servers: Vec::new(),
            initial_voters: voters.clone(),
            network: Network::default(),
            queue: BinaryHeap::new(),
            in_flight: Wire::default(),
            next_msg: 1,
            dropped: VecDeque::new(),
            clients: Vec::new(),
            leader_guess: 1,
            history: Vec::new(),
            checker: SafetyChecker::new(),
            trace: Trace::new(observe.trace_hash, observe.trace_lines),
            stats: Stats::default(),
            keep_feed: observe.feed,
            feed: VecDeque::new(),
            errors: Vec::new(),
            outbox: Vec::new(),
            keep_events: observe.events,
            events: Vec::new(),
            hosts,
            halted: false,
        };
        for id in voters {
            sim.start_server(id, false);
        }
        sim
    }

    /// The run stopped for good: a server failed (a user node's handler threw) or could not
    /// be built. The reason is the last of `errors()`.
    pub fn halted(&self) -> bool {
        self.halted
    }

    // ---- getters ------------------------------------------------------------------------

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    pub fn network(&self) -> &Network {
        &self.network
    }
    /// Every client operation so far, in the order issued.
    pub fn history(&self) -> &[Operation] {
        &self.history
    }
    pub fn checker(&self) -> &SafetyChecker {
        &self.checker
    }
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
    /// The plain-language feed (empty unless the run keeps it), oldest first.
    pub fn feed(&self) -> &VecDeque<FeedEvent> {
        &self.feed
    }
    /// The events since the last call, oldest first, each with its instant (empty unless
    /// `Observe::events`).
    #[must_use]
    pub fn take_events(&mut self) -> Vec<(u64, Event)> {
        std::mem::take(&mut self.events)
    }

    /// Start or stop keeping events for a viewer (a replay nobody watches keeps none).
    pub fn keep_events(&mut self, on: bool) {
        self.keep_events = on;
        if !on {
            self.events.clear();
        }
    }

    /// Actions that could not be carried out, in order.
    pub fn errors(&self) -> &[RunError] {
        &self.errors
    }

    pub fn now(&self) -> u64 {
        self.now
    }
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }
    pub fn server(&self, id: NodeId) -> Option<&Server> {
        self.servers.iter().find(|s| s.id == id)
    }
    /// Ids of the servers that exist, ascending.
    pub fn server_ids(&self) -> Vec<NodeId> {
        self.servers.iter().map(|s| s.id).collect()
    }
    /// Highest server id that exists (initial servers plus added ones).
    pub fn max_node(&self) -> u8 {
        self.servers.iter().map(|s| s.id).max().unwrap_or(0)
    }
    pub fn in_flight(&self) -> impl Iterator<Item = &Flight> {
        self.in_flight.iter()
    }
    pub fn recently_dropped(&self) -> impl Iterator<Item = &Flight> {
        self.dropped.iter()
    }

    /// The running server that is leader in the highest term, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.servers
            .iter()
            .filter(|s| s.running && s.role() == Role::Leader)
            .max_by_key(|s| (s.term(), std::cmp::Reverse(s.id)))
            .map(|s| s.id)
    }

    /// All running leaders of the highest term any running leader has.
    pub fn leaders_of_highest_term(&self) -> (Option<u64>, Vec<NodeId>) {
        let top = self.servers.iter().filter(|s| s.running && s.role() == Role::Leader).map(|s| s.term()).max();
        let ids = match top {
            Some(t) => self
                .servers
                .iter()
                .filter(|s| s.running && s.role() == Role::Leader && s.term() == t)
                .map(|s| s.id)
                .collect(),
            None => Vec::new(),
        };
        (top, ids)
    }

    /// Servers (voters of `id`'s configuration, `id` included) that are running and can exchange
    /// messages with `id` both ways.
    pub fn reachable_voters(&self, id: NodeId) -> (usize, usize) {
        let Some(voters) = self.server(id).and_then(Server::report).map(|r| r.voters()) else { return (0, 0) };
        let reach = voters
            .iter()
            .filter(|&&v| v == id || (self.server(v).is_some_and(|o| o.running) && self.network.can_exchange(id, v)))
            .count();
        (reach, voters.len())
    }

    // ---- time ---------------------------------------------------------------------------

    /// Process every event up to and including `t`, then set the clock to `t`.
    pub fn run_until(&mut self, t: u64) {
        while self.step_one(t) {}
        if self.halted {
            // The run stopped at the failure's instant.
            return;
        }
        self.now = self.now.max(t);
        self.prune_dropped();
    }

    /// Process the next event if its time is `<= limit`. Returns false when there is none.
    pub fn step_one(&mut self, limit: u64) -> bool {
        if self.halted {
            return false;
        }
        let Some(Reverse(first)) = self.queue.peek() else { return false };
        if first.at > limit {
            return false;
        }
        let Some(Reverse(Queued { at: time, event, .. })) = self.queue.pop() else { return false };
        debug_assert!(time >= self.now, "time went backwards");
        self.now = time;
        self.handle_event(event);
        true
    }

    /// Time of the next pending event.
    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.peek().map(|Reverse(q)| q.at)
    }

    fn schedule(&mut self, at: u64, event: Due) {
        self.seq += 1;
        self.queue.push(Reverse(Queued { at, seq: self.seq, event }));
    }

    fn handle_event(&mut self, event: Due) {
        match event {
            Due::Deliver(id) => self.deliver(id),
            Due::Lose(id) => {
                if let Some(mut f) = self.in_flight.remove(id) {
                    f.dropped_ms = Some(self.now);
                    self.stats.messages_dropped += 1;
                    self.emit_about(Event::Dropped { id, reason: DropReason::Lost }, Some(&f));
                    self.keep_dropped(f);
                }
            }
            Due::Timer { node, slot, gen } => {
                let Some(s) = self.server(node) else { return };
                let slot = slot as usize;
                if !s.running || s.timers[slot].gen != gen {
                    return;
                }
                let s = self.idx_mut(node);
                s.timers[slot].shown = None;
                let name = s.timers[slot].name.clone();
                if self.keep_events {
                    self.events.push((self.now, Event::TimerFired { node, name: name.clone() }));
                }
                self.step_server(node, 0, |host, ctx, out| host.on_timer(ctx, &name, false, out));
            }
            Due::ClientTimeout { client, attempt } => self.client_timeout(client, attempt),
            Due::ClientRetry { client } => self.client_retry(client),
        }
    }

    // ---- servers ------------------------------------------------------------------------

    fn idx_mut(&mut self, id: NodeId) -> &mut Server {
        self.servers.iter_mut().find(|s| s.id == id).expect("server exists")
    }

    /// Hand one input to server `id` and carry out what it asks. `attempt` tags the
    /// not-leader answers this step gives (see `Envelope::Reply`).
    fn step_server(&mut self, id: NodeId, attempt: u32, input: impl FnOnce(&mut dyn Host, &Ctx, &mut Vec<Output>)) {
        if self.halted {
            return;
        }
        let mut out = std::mem::take(&mut self.outbox);
        // Only servers that draw numbers themselves take a draw (the others' runs, and their
        // trace hashes, stay as they were).
        let seed = if self.settings.protocol == Protocol::Js { self.rng.next_u64() } else { 0 };
        let ctx = Ctx { now: self.now, settings: &self.settings, feed: self.keep_feed, seed };
        let k = self.servers.iter().position(|s| s.id == id).expect("server exists");
        input(self.servers[k].host.as_mut(), &ctx, &mut out);
        self.carry_out(id, &mut out, attempt);
        self.outbox = out;
    }

    /// Carry out a step's outputs in order.
    fn carry_out(&mut self, id: NodeId, out: &mut Vec<Output>, attempt: u32) {
        for o in out.drain(..) {
            match o {
                Output::Send(m) => {
                    debug_assert_eq!(m.from(), id);
                    self.send(Envelope::Peer(m));
                }
                Output::Reply { id: req, reply } => {
                    let client = (req.client - 1) as usize;
                    let tag = if matches!(reply, ClientReply::NotLeader { .. }) { attempt } else { 0 };
                    if client < self.clients.len() {
                        self.send(Envelope::Reply { client, attempt: tag, from: id, reply });
                    }
                }
                Output::SetTimer { name, after } => {
                    let d = match after {
                        Delay::Ms(d) => d,
                        Delay::Between(min, max) => self.rng.range(min, max),
                    };
                    let now = self.now;
                    let s = self.idx_mut(id);
                    let slot = s.slot(&name);
                    let t = &mut s.timers[slot];
                    t.gen += 1;
                    t.shown = Some((now, now + d));
                    let gen = t.gen;
                    self.schedule(now + d, Due::Timer { node: id, slot: slot as u16, gen });
                }
                Output::ClearTimer { name } => {
                    let s = self.idx_mut(id);
                    let slot = s.slot(&name);
                    s.timers[slot].gen += 1;
                    s.timers[slot].shown = None;
                }
                Output::LogWritten { from } => self.emit(Event::LogWritten { node: id, from }),
                Output::SnapshotTaken { last_index } => self.emit(Event::SnapshotTaken { node: id, last_index }),
                Output::RoleChanged { role, term } => self.emit(Event::RoleChanged { node: id, role, term }),
                Output::Committed { index } => {
                    let leader = find(&self.servers, id).role() == Role::Leader;
                    self.emit(Event::Committed { node: id, index, leader });
                }
                Output::Applied { index, term } => self.emit(Event::Applied { node: id, index, term }),
                Output::Refused { reason } => self.error(format!("S{id} refused: {reason}")),
                Output::Note(text) => self.emit(Event::ServerNote { node: id, text }),
                Output::Say(text) => self.emit(Event::ServerSaid { node: id, text }),
                Output::Fail(text) => {
                    self.error(text);
                    self.halted = true;
                    // Whatever else the failed step asked for is not carried out (the drain
                    // drops it).
                    break;
                }
            }
        }
        if let Some(v) = self.checker.take_new_violation() {
            self.emit(Event::Violation(v));
        }
    }

    #[inline]
    fn emit(&mut self, e: Event) {
        self.emit_about(e, None);
    }

    /// Hand `e` to every consumer: the trace, the safety checker, the feed, and the list a
    /// viewer drains. `flight`: the message a delivery or drop is about (see `trace_event`).
    #[inline]
    fn emit_about(&mut self, e: Event, flight: Option<&Flight>) {
        self.trace_event(&e, flight);
        let was = match &e {
            Event::RoleChanged { node, role, term } => std::mem::replace(&mut self.idx_mut(*node).told, (*role, *term)),
            _ => (Role::Follower, 0),
        };
        self.check(&e);
        if self.keep_feed {
            self.tell(&e, was);
        }
        if let Event::Error { text } = &e {
            self.errors.push(RunError { time_ms: self.now, text: text.clone() });
        }
        if self.keep_events {
            self.events.push((self.now, e));
        }
    }

    /// The safety checker's share of the stream: what servers report about their logs,
    /// roles, commits and crashes.
    #[inline]
    fn check(&mut self, e: &Event) {
        let (now, servers) = (self.now, &self.servers);
        let report = |id| find(servers, id).report();
        match *e {
            Event::LogWritten { node, from } => {
                if let Some(r) = report(node) {
                    self.checker.on_log_written(now, node, from, r);
                }
            }
            Event::SnapshotTaken { node, last_index } => {
                if let Some(r) = report(node) {
                    self.checker.on_snapshot(now, node, last_index, r);
                }
            }
            Event::RoleChanged { node, role, term } => {
                if let Some(r) = report(node) {
                    self.checker.on_role(now, node, role, term, r);
                }
            }
            Event::Committed { node, index, .. } => {
                let Some(r) = report(node) else { return };
                let snapshot_of = |v: NodeId| {
                    servers
                        .iter()
                        .find(|s| s.id == v && s.running)
                        .map(|s| s.report().and_then(|r| r.log().snapshot()).map(|sn| sn.last_index))
                };
                self.checker.on_commit(now, node, index, r, &snapshot_of);
            }
            Event::Applied { node, index, term } => {
                let Some(r) = report(node) else { return };
                let entry: Option<&Entry> = r.log().entry(index);
                self.checker.on_apply(now, node, index, term, entry);
            }
            Event::Crashed { node } => self.checker.on_crash(node),
            _ => {}
        }
    }

    pub fn error(&mut self, text: String) {
        self.emit(Event::Error { text });
    }

    // ---- network ------------------------------------------------------------------------

    fn latency(&mut self) -> u64 {
        self.rng.range(self.settings.latency_min_ms, self.settings.latency_max_ms)
    }

    /// Put a message on the wire: decide its fate now (loss, duplication, delay), all drawn
    /// from the run's generator in a fixed order. Returns how many copies were sent (2 when
    /// duplicated).
    fn send(&mut self, envelope: Envelope) -> u32 {
        self.stats.messages_sent += 1;
        let copies = if self.rng.chance_ppm(self.settings.duplicate_ppm) { 2 } else { 1 };
        let link = envelope.link();
        let mut envelope = Some(envelope);
        for copy in 1..=copies {
            let lost = self.rng.chance_ppm(self.settings.loss_ppm);
            let delay = self.latency();
            let id = self.next_msg;
            self.next_msg += 1;
            // The last copy takes the envelope itself.
            let envelope = if copy == copies { envelope.take() } else { envelope.clone() }.expect("one envelope per copy");
            let flight = Flight { id, envelope, sent_ms: self.now, deliver_ms: self.now + delay, dropped_ms: None };
            if self.keep_events {
                self.events.push((self.now, Event::Sent(Box::new(flight.clone()))));
            }
            if let Some((from, to)) = link {
                if !self.network.can_send(from, to) {
                    // Dies at the partition line, right where it leaves the sender.
                    self.stats.messages_dropped += 1;
                    self.emit(Event::Dropped { id, reason: DropReason::CutOff });
                    let mut f = flight;
                    f.dropped_ms = Some(self.now);
                    self.keep_dropped(f);
                    continue;
                }
            }
            if lost {
                self.schedule(self.now + delay / 2, Due::Lose(id));
            } else {
                self.schedule(self.now + delay, Due::Deliver(id));
            }
            self.in_flight.insert(flight);
        }
        copies
    }

    fn keep_dropped(&mut self, f: Flight) {
        if self.keep_feed {
            self.dropped.push_back(f);
        }
    }

    fn prune_dropped(&mut self) {
        while let Some(f) = self.dropped.front() {
            if f.dropped_ms.unwrap_or(0) + DROPPED_KEEP_MS < self.now || self.dropped.len() > 500 {
                self.dropped.pop_front();
            } else {
                break;
            }
        }
    }

    fn deliver(&mut self, msg_id: u64) {
        let Some(mut flight) = self.in_flight.remove(msg_id) else { return };
        // A message between servers dies on arrival when a partition separates its ends or its
        // receiver is down; a client request, when its server is down. Replies always land
        // (clients stand outside the cluster and never crash).
        let to_running = |sim: &Sim, to| sim.server(to).is_some_and(|s| s.running);
        let fate = match &flight.envelope {
            Envelope::Peer(m) if !self.network.can_send(m.from(), m.to()) => Some(DropReason::CutOff),
            Envelope::Peer(m) if !to_running(self, m.to()) => Some(DropReason::ServerDown),
            Envelope::Request { to, .. } if !to_running(self, *to) => Some(DropReason::ServerDown),
            _ => None,
        };
        if let Some(reason) = fate {
            self.stats.messages_dropped += 1;
            self.emit_about(Event::Dropped { id: msg_id, reason }, Some(&flight));
            if matches!(flight.envelope, Envelope::Peer(_)) {
                flight.dropped_ms = Some(self.now);
                self.keep_dropped(flight);
            }
            return;
        }
        self.stats.messages_delivered += 1;
        self.emit_about(Event::Delivered { id: msg_id }, Some(&flight));
        match flight.envelope {
            Envelope::Peer(m) => {
                let to = m.to();
                self.step_server(to, 0, |host, ctx, out| host.on_message(ctx, m, out));
            }
            Envelope::Request { attempt, to, id, command, .. } => {
                self.step_server(to, attempt, |host, ctx, out| host.on_client(ctx, id, command, out));
            }
            Envelope::Reply { client, attempt, from, reply } => self.client_reply(client, attempt, from, reply),
        }
    }

    /// Drop every message in flight that can no longer cross (a new partition or cut).
    fn kill_blocked_messages(&mut self) {
        let blocked: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|f| f.envelope.link().is_some_and(|(from, to)| !self.network.can_send(from, to)))
            .map(|f| f.id)
            .collect();
        for id in blocked {
            let mut f = self.in_flight.remove(id).expect("listed above");
            f.dropped_ms = Some(self.now);
            self.stats.messages_dropped += 1;
            self.emit(Event::Dropped { id, reason: DropReason::CutOff });
            self.keep_dropped(f);
        }
    }

    // ---- actions ------------------------------------------------------------------------

    /// The server stops: it keeps only what it persisted, its timers are disarmed, and nothing
    /// reaches it until it restarts.
    pub fn crash(&mut self, id: NodeId) {
        let s = self.idx_mut(id);
        if !s.running {
            return;
        }
        s.running = false;
        for t in &mut s.timers {
            t.gen += 1;
            t.shown = None;
        }
        self.emit(Event::Crashed { node: id });
        self.step_server(id, 0, |host, ctx, out| host.crash(ctx, out));
        let s = self.idx_mut(id);
        s.told = s.told_now();
    }

    pub fn restart(&mut self, id: NodeId) {
        let s = self.idx_mut(id);
        if s.running {
            return;
        }
        s.running = true;
        self.emit(Event::Restarted { node: id });
        self.step_server(id, 0, |host, ctx, out| host.restart(ctx, out));
    }

    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        let n = self.max_node();
        self.network.partition(groups, n);
        let text = self.network.partition_text(&self.server_ids());
        self.emit(Event::NetworkChanged(NetChange::Partition(text)));
        self.kill_blocked_messages();
    }

    pub fn cut(&mut self, from: NodeId, to: NodeId, both: bool) {
        self.network.cut(from, to);
        if both {
            self.network.cut(to, from);
        }
        self.emit(Event::NetworkChanged(NetChange::Cut { from, to, both }));
        self.kill_blocked_messages();
    }

    /// `uncut`: lift the cut from `from` to `to` (and back, if `both`), nothing else. Lifting a
    /// direction that was not cut changes nothing; the line is still traced, as `heal` is.
    pub fn uncut(&mut self, from: NodeId, to: NodeId, both: bool) {
        self.network.uncut(from, to);
        if both {
            self.network.uncut(to, from);
        }
        self.emit(Event::NetworkChanged(NetChange::Uncut { from, to, both }));
    }

    pub fn isolate(&mut self, id: NodeId) {
        self.network.isolate(id);
        self.emit(Event::NetworkChanged(NetChange::Isolate(id)));
        self.kill_blocked_messages();
    }

    pub fn heal(&mut self) {
        self.network.heal();
        self.emit(Event::NetworkChanged(NetChange::Heal));
    }

    /// `timeout X`: X's election timer fires now.
    pub fn fire_timeout(&mut self, id: NodeId) {
        let Some(s) = self.server(id).filter(|s| s.running) else {
            self.error(format!("S{id} is crashed; its timer cannot fire"));
            return;
        };
        if !s.host.has_timer("election") {
            let text = format!("protocol {} has no elections: S{id} has no election timer", s.host.protocol());
            self.error(text);
            return;
        }
        let s = self.idx_mut(id);
        let slot = s.slot(&TimerName::Borrowed("election"));
        s.timers[slot].gen += 1;
        self.emit(Event::TimerForced { node: id });
        self.step_server(id, 0, |host, ctx, out| host.on_timer(ctx, "election", true, out));
    }

    /// An operator's request to server `leader` (transfer, add, remove).
    pub fn admin(&mut self, leader: NodeId, admin: Admin) {
        self.emit(Event::Admin { node: leader, admin });
        self.step_server(leader, 0, |host, ctx, out| host.on_admin(ctx, admin, out));
    }

    /// `add X`: a server that does not exist yet starts empty, then the leader is asked to add
    /// it. It starts from the cluster's initial configuration, like every other server (and like
    /// itself after a restart): the configuration entries it receives override it, it is not in
    /// it so it never campaigns, and a snapshot it takes before its log holds a configuration
    /// records the right voters.
    pub fn add_server(&mut self, id: NodeId, leader: NodeId) {
        self.create_server(id);
        self.admin(leader, Admin::AddServer { id });
    }

    /// Start server `id` empty if it does not exist yet (see `add_server`). Every server a
    /// scenario names after `add X` then exists, even when no leader could be asked to add it.
    pub fn create_server(&mut self, id: NodeId) {
        if self.server(id).is_none() {
            self.start_server(id, true);
        }
    }

    /// Build server `id` of the run's protocol and start it. `joining`: created by `add`.
    fn start_server(&mut self, id: NodeId, joining: bool) {
        if self.halted {
            return;
        }
        let built = servers::build(self.settings.protocol, id, &self.initial_voters, joining, &self.settings, self.hosts.as_ref());
        let Some(host) = built else {
            let name = self.settings.protocol.name();
            self.error(format!("protocol {name}: no host for this protocol here (a JavaScript node runs with `npm run judge` or in the page)"));
            self.halted = true;
            return;
        };
        let mut s = Server { id, host, running: true, timers: Vec::new(), told: (Role::Follower, 0) };
        s.told = s.told_now();
        self.servers.push(s);
        raft_core::sort::insertion_sort_by(&mut self.servers, |a, b| a.id < b.id);
        self.step_server(id, 0, |host, ctx, out| host.start(ctx, out));
    }

    pub fn apply_setting(&mut self, s: &Setting) {
        if self.settings.apply(s) {
            for srv in &mut self.servers {
                srv.host.configure(&self.settings);
            }
        }
        self.emit(Event::SettingChanged(s.clone()));
    }

    /// The protocol the servers run.
    pub fn protocol(&self) -> Protocol {
        self.settings.protocol
    }

    /// Whether the servers report roles and terms (naive servers do not).
    pub fn reports_roles(&self) -> bool {
        self.servers.iter().any(|s| s.report().is_some())
    }

    /// Whether clients can find a leader (otherwise they go round robin).
    fn has_leaders(&self) -> bool {
        self.servers.first().is_some_and(|s| s.host.has_leaders())
    }

    /// Every property violated so far.
    pub fn violations(&self) -> &[crate::check::safety::Violation] {
        self.checker.violations()
    }

    pub fn is_violated(&self, p: Property) -> bool {
        self.checker.violations().iter().any(|v| v.property == p)
    }
}

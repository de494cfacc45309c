//! The simulated cluster: virtual time, the event queue, servers, network and clients.
//!
//! Every source of nondeterminism is explicit: one [`Rng`] draws latencies, losses, duplicates
//! and election timeouts; the queue is ordered by (time, sequence number), so events at the same
//! millisecond run in the order they were scheduled; nothing iterates a hash map.
//!
//! `run_until(t)` processes every event whose time is `<= t`, then sets the clock to `t`, so
//! `run 100ms` then `run 50ms` is the same run as `run 150ms`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use raft_core::{
    ClientReply, ClientResult, Command, Effect, Entry, Input, Message, Node, NodeId, RequestId,
    Role,
};

use crate::check::safety::SafetyChecker;
use crate::history::{OpKind, Operation};
use crate::naive::{NaiveMsg, NaiveServer};
use crate::network::{Network, MAX_NODES};
use crate::rng::Rng;
use crate::scenario::{OpOutcome, Property, Protocol, Setting};
use crate::settings::Settings;
use crate::trace::Trace;

/// How many tries' worth of `client-timeout` a client waits in all before it gives up.
pub const CLIENT_TRIES: u64 = 5;
/// Feed and drop lists kept for the page are bounded.
const FEED_MAX: usize = 200;
const DROPPED_KEEP_MS: u64 = 600;

/// What travels on the simulated network.
#[derive(Clone, Debug)]
pub enum Envelope {
    Raft(Message),
    /// A client request for server `to`; `attempt` tells a redirect to the current try apart
    /// from an answer to an old one.
    Request { client: usize, attempt: u32, to: NodeId, id: RequestId, command: Command },
    /// `attempt` is the try it answers, or 0 for a result (a result is final whichever try).
    Reply { client: usize, attempt: u32, from: NodeId, reply: ClientReply },
    /// `protocol naive`: a background copy between servers (see `naive.rs`).
    Naive(NaiveMsg),
}

impl Envelope {
    pub fn kind(&self) -> &'static str {
        match self {
            Envelope::Raft(m) => m.body.kind(),
            Envelope::Request { .. } => "ClientRequest",
            Envelope::Reply { .. } => "ClientReply",
            Envelope::Naive(m) => m.kind(),
        }
    }
    /// (from, to) of a message between servers, which partitions and cuts apply to; None for
    /// client traffic (clients stand outside the cluster).
    pub fn link(&self) -> Option<(NodeId, NodeId)> {
        match self {
            Envelope::Raft(m) => Some((m.from, m.to)),
            Envelope::Naive(m) => Some((m.from(), m.to())),
            Envelope::Request { .. } | Envelope::Reply { .. } => None,
        }
    }
    pub fn is_response(&self) -> bool {
        match self {
            Envelope::Raft(m) => m.body.is_response(),
            Envelope::Request { .. } => false,
            Envelope::Reply { .. } => true,
            Envelope::Naive(m) => matches!(m, NaiveMsg::Ack { .. }),
        }
    }
    /// `S1`…, or `C<line>` for a client.
    pub fn endpoints(&self, history: &[Operation]) -> (String, String) {
        match self {
            Envelope::Raft(m) => (format!("S{}", m.from), format!("S{}", m.to)),
            Envelope::Request { client, to, .. } => (client_name(history, *client), format!("S{to}")),
            Envelope::Reply { client, from, .. } => (format!("S{from}"), client_name(history, *client)),
            Envelope::Naive(m) => (format!("S{}", m.from()), format!("S{}", m.to())),
        }
    }
    pub fn summary(&self, history: &[Operation]) -> String {
        match self {
            Envelope::Raft(m) => m.to_string(),
            Envelope::Request { client, to, .. } => {
                let op = &history[*client];
                format!("{}->S{to} ClientRequest {}", client_name(history, *client), op_text(op))
            }
            Envelope::Reply { client, from, reply, .. } => {
                let what = match reply {
                    ClientReply::Result(ClientResult::Done) => "ok".to_string(),
                    ClientReply::Result(ClientResult::Value(v)) => format!("ok {}", v.as_deref().unwrap_or("-")),
                    ClientReply::Result(ClientResult::CasFailed(v)) => {
                        format!("fail (is {})", v.as_deref().unwrap_or("-"))
                    }
                    ClientReply::NotLeader { hint: Some(h) } => format!("not-leader, try S{h}"),
                    ClientReply::NotLeader { hint: None } => "not-leader".to_string(),
                };
                format!("S{from}->{} ClientReply {what}", client_name(history, *client))
            }
            Envelope::Naive(m) => m.to_string(),
        }
    }
}

fn find(servers: &[Server], id: NodeId) -> &Server {
    servers.iter().find(|s| s.id == id).expect("server exists")
}

fn client_name(history: &[Operation], client: usize) -> String {
    format!("C{}", history[client].line)
}

fn command_text(c: &Command) -> String {
    match c {
        Command::Put { key, value } => format!("put {key} {value}"),
        Command::Get { key } => format!("get {key}"),
        Command::Cas { key, old, new } => format!("cas {key} {} {new}", old.as_deref().unwrap_or("-")),
    }
}

pub fn op_text(op: &Operation) -> String {
    match &op.kind {
        OpKind::Put { value } => format!("put {} {value}", op.key),
        OpKind::Get => format!("get {}", op.key),
        OpKind::Cas { expected, new } => {
            format!("cas {} {} {new}", op.key, expected.as_deref().unwrap_or("-"))
        }
    }
}

/// A message on the wire.
#[derive(Clone, Debug)]
pub struct Flight {
    pub id: u64,
    pub envelope: Envelope,
    pub sent_ms: u64,
    pub deliver_ms: u64,
    /// Set when the message was lost or cut off by a partition; it dies where it is then.
    pub dropped_ms: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    Deliver(u64),
    /// A lost message dies halfway.
    Lose(u64),
    ElectionTimer { node: NodeId, gen: u64 },
    HeartbeatTimer { node: NodeId, gen: u64 },
    ClientTimeout { client: usize, attempt: u32 },
    ClientRetry { client: usize },
}

/// An event in the queue. The queue pops the smallest (time, sequence number) first; the
/// sequence number is unique, so the event itself never takes part in the order.
#[derive(Clone, Copy, Debug)]
struct Queued {
    at: u64,
    seq: u64,
    event: Event,
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

/// The messages on the wire, by id. Ids are handed out in increasing order and a message lands
/// within its latency, so the wire is a window of slots from the oldest message still on it to
/// the newest: insertion at the back, removal by index, iteration in id order. (A BTreeMap
/// moved its 152-byte flights around on every removal, a fifth of a fuzzing run's time.)
#[derive(Clone, Default)]
struct Wire {
    /// Id of the message in `slots[0]`.
    first: u64,
    slots: VecDeque<Option<Flight>>,
}

impl Wire {
    /// `f.id` must be above every id inserted before.
    fn insert(&mut self, f: Flight) {
        if self.slots.is_empty() {
            self.first = f.id;
        }
        debug_assert!(f.id >= self.first + self.slots.len() as u64, "ids go up");
        while self.first + (self.slots.len() as u64) < f.id {
            self.slots.push_back(None);
        }
        self.slots.push_back(Some(f));
    }

    fn remove(&mut self, id: u64) -> Option<Flight> {
        let k = usize::try_from(id.checked_sub(self.first)?).ok()?;
        let f = self.slots.get_mut(k)?.take()?;
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.first += 1;
        }
        Some(f)
    }

    fn iter(&self) -> impl Iterator<Item = &Flight> {
        self.slots.iter().flatten()
    }
}

#[derive(Clone)]
/// One server slot. `node` always holds a state machine: for a crashed server it is the one it
/// will restart as (durable state only), so what the page shows is what survives the crash.
pub struct Server {
    pub id: NodeId,
    pub node: Node,
    pub running: bool,
    election_gen: u64,
    heartbeat_gen: u64,
    /// (kind, started, deadline) of the timer a viewer should see draining.
    pub election_timer: Option<(u64, u64)>,
    pub heartbeat_timer: Option<(u64, u64)>,
    /// `protocol naive`: the server that really runs. `node` then stays a dormant Raft follower
    /// of term 0 that is never stepped (so views show no leaders and no terms), and the heartbeat
    /// timer is this server's resend timer.
    pub naive: Option<NaiveServer>,
    /// The role and term the feed last told about, so that it can say why a role changed
    /// ("stepped down") and stay quiet when a follower merely moves to a newer term.
    told: (Role, u64),
}

impl Server {
    /// A server that has just started, with no timers armed yet.
    fn started(id: NodeId, node: Node, naive: Option<NaiveServer>) -> Server {
        let told = (node.role(), node.term());
        Server { id, node, running: true, election_gen: 0, heartbeat_gen: 0, election_timer: None, heartbeat_timer: None, naive, told }
    }
}

impl Server {
    /// The value of `key` this server has applied.
    pub fn value(&self, key: &str) -> Option<&str> {
        match &self.naive {
            Some(n) => n.get(key),
            None => self.node.kv().get(key),
        }
    }
    /// Raft's commit index; for a naive server, how many writes it has applied.
    pub fn commit_index(&self) -> u64 {
        match &self.naive {
            Some(n) => n.applied_count(),
            None => self.node.commit_index(),
        }
    }
}

#[derive(Clone, Debug)]
struct Client {
    id: RequestId,
    command: Command,
    attempt: u32,
    target: NodeId,
    timeouts: u32,
    /// A try may have reached a leader that took the command: it timed out, or the network
    /// duplicated its request (one copy turned away proves nothing about the other).
    uncertain: bool,
    give_up_at: u64,
    done: bool,
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
    pub settings: Settings,
    now: u64,
    seq: u64,
    rng: Rng,
    servers: Vec<Server>,
    /// Voters of the initial configuration (S1..S<nodes>).
    initial_voters: Vec<NodeId>,
    pub network: Network,
    queue: BinaryHeap<Reverse<Queued>>,
    in_flight: Wire,
    next_msg: u64,
    dropped: VecDeque<Flight>,
    clients: Vec<Client>,
    leader_guess: NodeId,
    pub history: Vec<Operation>,
    pub checker: SafetyChecker,
    pub trace: Trace,
    pub stats: Stats,
    /// Plain-language feed for people; only kept when `keep_feed`.
    keep_feed: bool,
    pub feed: VecDeque<FeedEvent>,
    pub errors: Vec<RunError>,
}

/// How much a run keeps for viewers. Fuzzing keeps nothing it does not check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observe {
    pub trace_hash: bool,
    pub trace_lines: bool,
    pub feed: bool,
}

impl Observe {
    pub const REPORT: Observe = Observe { trace_hash: true, trace_lines: false, feed: false };
    pub const PAGE: Observe = Observe { trace_hash: true, trace_lines: false, feed: true };
    pub const FUZZ: Observe = Observe { trace_hash: false, trace_lines: false, feed: false };
}

impl Sim {
    pub fn new(settings: Settings, observe: Observe) -> Sim {
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
        };
        let naive = sim.settings.protocol == Protocol::Naive;
        for id in voters.iter().copied() {
            let (node, effects) = Node::new(id, voters.clone(), sim.settings.core.clone());
            let peers = voters.iter().copied().filter(|&v| v != id).collect();
            sim.servers.push(Server::started(id, node, naive.then(|| NaiveServer::new(id, peers))));
            if !naive {
                sim.handle_effects(id, effects, 0);
            }
        }
        sim
    }

    // ---- getters ------------------------------------------------------------------------

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
            .filter(|s| s.running && s.node.role() == Role::Leader)
            .max_by_key(|s| (s.node.term(), std::cmp::Reverse(s.id)))
            .map(|s| s.id)
    }

    /// All running leaders of the highest term any running leader has.
    pub fn leaders_of_highest_term(&self) -> (Option<u64>, Vec<NodeId>) {
        let top = self.servers.iter().filter(|s| s.running && s.node.role() == Role::Leader).map(|s| s.node.term()).max();
        let ids = match top {
            Some(t) => self
                .servers
                .iter()
                .filter(|s| s.running && s.node.role() == Role::Leader && s.node.term() == t)
                .map(|s| s.id)
                .collect(),
            None => Vec::new(),
        };
        (top, ids)
    }

    /// Servers (voters of `id`'s configuration, `id` included) that are running and can exchange
    /// messages with `id` both ways.
    pub fn reachable_voters(&self, id: NodeId) -> (usize, usize) {
        let Some(s) = self.server(id) else { return (0, 0) };
        let voters = s.node.voters();
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
        self.now = self.now.max(t);
        self.prune_dropped();
    }

    /// Process the next event if its time is `<= limit`. Returns false when there is none.
    pub fn step_one(&mut self, limit: u64) -> bool {
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

    fn schedule(&mut self, at: u64, event: Event) {
        self.seq += 1;
        self.queue.push(Reverse(Queued { at, seq: self.seq, event }));
    }

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::Deliver(id) => self.deliver(id),
            Event::Lose(id) => {
                if let Some(mut f) = self.in_flight.remove(id) {
                    f.dropped_ms = Some(self.now);
                    self.stats.messages_dropped += 1;
                    let history = &self.history;
                    self.trace.record_with(self.now, || format!("lost {}", f.envelope.summary(history)));
                    self.keep_dropped(f);
                }
            }
            Event::ElectionTimer { node, gen } => {
                let Some(s) = self.server(node) else { return };
                if !s.running || s.election_gen != gen {
                    return;
                }
                self.idx_mut(node).election_timer = None;
                self.trace.record(self.now, format_args!("S{node} election timeout"));
                self.step_node(node, Input::ElectionTimeout, 0);
            }
            Event::HeartbeatTimer { node, gen } => {
                let Some(s) = self.server(node) else { return };
                if !s.running || s.heartbeat_gen != gen {
                    return;
                }
                self.idx_mut(node).heartbeat_timer = None;
                if self.is_naive() {
                    self.naive_resend(node);
                    return;
                }
                self.trace.record(self.now, format_args!("S{node} heartbeat"));
                self.step_node(node, Input::HeartbeatTimeout, 0);
            }
            Event::ClientTimeout { client, attempt } => self.client_timeout(client, attempt),
            Event::ClientRetry { client } => self.client_retry(client),
        }
    }

    // ---- servers ------------------------------------------------------------------------

    fn idx_mut(&mut self, id: NodeId) -> &mut Server {
        self.servers.iter_mut().find(|s| s.id == id).expect("server exists")
    }

    fn step_node(&mut self, id: NodeId, input: Input, attempt: u32) {
        let now = self.now;
        let effects = self.idx_mut(id).node.step(now, input);
        self.handle_effects(id, effects, attempt);
    }

    /// Carry out a step's effects in order. `attempt` tags redirects produced by this step.
    fn handle_effects(&mut self, id: NodeId, effects: Vec<Effect>, attempt: u32) {
        for effect in effects {
            match effect {
                Effect::Send(m) => {
                    debug_assert_eq!(m.from, id);
                    self.send(Envelope::Raft(m));
                }
                Effect::PersistHardState => {}
                Effect::PersistLog { from } => {
                    let s = find(&self.servers, id);
                    self.checker.on_log_written(self.now, id, from, &s.node);
                }
                Effect::PersistSnapshot { last_index } => {
                    let s = find(&self.servers, id);
                    self.checker.on_snapshot(self.now, id, last_index, &s.node);
                }
                Effect::ResetElectionTimer => {
                    let d = self.rng.range(self.settings.election_min_ms, self.settings.election_max_ms);
                    let now = self.now;
                    let s = self.idx_mut(id);
                    s.election_gen += 1;
                    let gen = s.election_gen;
                    s.election_timer = Some((now, now + d));
                    self.schedule(now + d, Event::ElectionTimer { node: id, gen });
                }
                Effect::SetHeartbeatTimer => {
                    let now = self.now;
                    let d = self.settings.heartbeat_ms;
                    let s = self.idx_mut(id);
                    s.heartbeat_gen += 1;
                    let gen = s.heartbeat_gen;
                    s.heartbeat_timer = Some((now, now + d));
                    self.schedule(now + d, Event::HeartbeatTimer { node: id, gen });
                }
                Effect::StopHeartbeatTimer => {
                    let s = self.idx_mut(id);
                    s.heartbeat_gen += 1;
                    s.heartbeat_timer = None;
                }
                Effect::RoleChanged { role, term } => self.on_role_changed(id, role, term),
                Effect::Committed { index } => {
                    let s = find(&self.servers, id);
                    self.checker.on_commit(self.now, id, index, &s.node, &self.servers);
                    if s.node.role() == Role::Leader {
                        self.trace.record(self.now, format_args!("S{id} commit {index}"));
                        self.say(format_args!("S{id} committed up to entry {index}: a majority stores it"));
                    }
                }
                Effect::Applied { index, term } => {
                    let s = find(&self.servers, id);
                    let entry: Option<&Entry> = s.node.log().entry(index);
                    self.checker.on_apply(self.now, id, index, term, entry);
                }
                Effect::ClientReply { id: req, reply } => {
                    let client = (req.client - 1) as usize;
                    let tag = if matches!(reply, ClientReply::NotLeader { .. }) { attempt } else { 0 };
                    if client < self.clients.len() {
                        self.send(Envelope::Reply { client, attempt: tag, from: id, reply });
                    }
                }
                Effect::Refused { reason } => {
                    self.error(format!("S{id} refused: {reason}"));
                }
            }
        }
        if let Some(v) = self.checker.take_new_violation() {
            self.trace.record(self.now, format_args!("violation {} {}", v.property.name(), v.detail));
            self.say(format_args!("Safety violation ({}): {}", v.property.name(), v.detail));
        }
    }

    fn on_role_changed(&mut self, id: NodeId, role: Role, term: u64) {
        self.trace.record(self.now, format_args!("S{id} becomes {} term={term}", role.name()));
        let (was, was_term) = std::mem::replace(&mut self.idx_mut(id).told, (role, term));
        let s = find(&self.servers, id);
        self.checker.on_role(self.now, id, role, term, &s.node);
        if !self.keep_feed {
            return;
        }
        let text = match role {
            Role::Leader => {
                let votes = s.node.votes_granted();
                let names: Vec<String> = votes.iter().map(|v| format!("S{v}")).collect();
                if names.is_empty() {
                    format!("S{id} became leader for term {term}")
                } else {
                    format!("S{id} won the election for term {term} with votes from {}", names.join(", "))
                }
            }
            Role::Candidate => format!("S{id} started an election for term {term} and votes for itself"),
            Role::PreCandidate => {
                format!("S{id} timed out and asks (Pre-Vote) whether it could win term {}", term + 1)
            }
            // A follower that only moved to a newer term is no news.
            Role::Follower if was == Role::Follower => return,
            Role::Follower => {
                let hint = s.node.leader_hint();
                match (was, term > was_term, hint) {
                    (Role::Leader, true, _) => format!("S{id} stepped down as leader: it heard of term {term}"),
                    (Role::Leader, false, _) if !s.node.voters().contains(&id) => {
                        format!("S{id} stepped down as leader of term {term}: it is no longer in the configuration")
                    }
                    (Role::Leader, false, _) if self.settings.core.check_quorum => format!(
                        "S{id} stepped down as leader of term {term}: it has not heard from a majority for an election timeout (CheckQuorum)"
                    ),
                    (Role::Leader, false, _) => format!("S{id} stepped down as leader of term {term}"),
                    (_, true, _) => format!("S{id} gave up its election: it heard of term {term}"),
                    (_, false, Some(l)) => format!("S{id} gave up its election: S{l} already leads term {term}"),
                    (Role::PreCandidate, false, None) => {
                        format!("S{id}'s Pre-Vote failed: a majority would not vote for it now")
                    }
                    (_, false, None) => format!("S{id} lost the election for term {term}: a majority refused it their vote"),
                }
            }
        };
        self.say(text);
    }

    /// Tell the feed, when there is one (the text is only formatted then).
    fn say(&mut self, text: impl std::fmt::Display) {
        if self.keep_feed {
            if self.feed.len() >= FEED_MAX {
                self.feed.pop_front();
            }
            self.feed.push_back(FeedEvent { time_ms: self.now, text: text.to_string() });
        }
    }

    pub fn error(&mut self, text: String) {
        self.trace.record(self.now, format_args!("error {text}"));
        self.say(format_args!("Could not do that: {text}"));
        self.errors.push(RunError { time_ms: self.now, text });
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
            if let Some((from, to)) = link {
                if !self.network.can_send(from, to) {
                    // Dies at the partition line, right where it leaves the sender.
                    self.stats.messages_dropped += 1;
                    let mut f = flight;
                    f.dropped_ms = Some(self.now);
                    self.keep_dropped(f);
                    continue;
                }
            }
            if lost {
                self.schedule(self.now + delay / 2, Event::Lose(id));
            } else {
                self.schedule(self.now + delay, Event::Deliver(id));
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
        let Some(flight) = self.in_flight.remove(msg_id) else { return };
        match flight.envelope {
            Envelope::Raft(ref m) => {
                let to_running = self.server(m.to).is_some_and(|s| s.running);
                if !self.network.can_send(m.from, m.to) || !to_running {
                    self.stats.messages_dropped += 1;
                    self.trace.record(self.now, format_args!("dropped {m}"));
                    let mut f = flight;
                    f.dropped_ms = Some(self.now);
                    self.keep_dropped(f);
                    return;
                }
                self.stats.messages_delivered += 1;
                self.trace.record(self.now, m);
                let Envelope::Raft(m) = flight.envelope else { unreachable!("matched above") };
                let to = m.to;
                self.step_node(to, Input::Message(m), 0);
            }
            Envelope::Request { attempt, to, id, ref command, .. } => {
                if !self.server(to).is_some_and(|s| s.running) {
                    self.stats.messages_dropped += 1;
                    return;
                }
                self.stats.messages_delivered += 1;
                let history = &self.history;
                self.trace.record_with(self.now, || flight.envelope.summary(history));
                let command = command.clone();
                if self.is_naive() {
                    self.naive_request(to, id, &command);
                    return;
                }
                self.step_node(to, Input::ClientRequest { id, command }, attempt);
            }
            Envelope::Naive(ref m) => {
                let (from, to) = (m.from(), m.to());
                let to_running = self.server(to).is_some_and(|s| s.running);
                if !self.network.can_send(from, to) || !to_running {
                    self.stats.messages_dropped += 1;
                    let mut f = flight;
                    f.dropped_ms = Some(self.now);
                    self.keep_dropped(f);
                    return;
                }
                self.stats.messages_delivered += 1;
                let m = m.clone();
                self.trace.record(self.now, &m);
                let replies = self.naive_mut(to).map(|n| n.receive(&m)).unwrap_or_default();
                for r in replies {
                    self.send(Envelope::Naive(r));
                }
            }
            Envelope::Reply { client, attempt, from, ref reply } => {
                self.stats.messages_delivered += 1;
                let history = &self.history;
                self.trace.record_with(self.now, || flight.envelope.summary(history));
                let reply = reply.clone();
                self.client_reply(client, attempt, from, reply);
            }
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
            self.keep_dropped(f);
        }
    }

    // ---- actions ------------------------------------------------------------------------

    pub fn crash(&mut self, id: NodeId) {
        if self.is_naive() {
            self.naive_crash(id);
            return;
        }
        let now = self.now;
        let core = self.settings.core.clone();
        let initial = self.initial_voters.clone();
        let s = self.idx_mut(id);
        if !s.running {
            return;
        }
        // The node it will restart as: durable state only. Its start-up effects are discarded:
        // a crashed server does nothing.
        let (node, _effects) = Node::restart(id, s.node.durable(), initial, core);
        s.told = (node.role(), node.term());
        s.node = node;
        s.running = false;
        s.election_gen += 1;
        s.heartbeat_gen += 1;
        s.election_timer = None;
        s.heartbeat_timer = None;
        let _ = now;
        self.trace.record(self.now, format_args!("crash S{id}"));
        self.say(format_args!("S{id} crashed: it keeps its term, vote and log, and forgets the rest"));
        self.checker.on_crash(id);
    }

    pub fn restart(&mut self, id: NodeId) {
        if self.is_naive() {
            self.naive_restart(id);
            return;
        }
        let core = self.settings.core.clone();
        let initial = self.initial_voters.clone();
        let s = self.idx_mut(id);
        if s.running {
            return;
        }
        let (node, effects) = Node::restart(id, s.node.durable(), initial, core);
        s.node = node;
        s.running = true;
        let (term, len) = (s.node.term(), s.node.log().last_index());
        self.trace.record(self.now, format_args!("restart S{id}"));
        self.say(format_args!("S{id} restarted with term {term} and a log of {len} entries"));
        self.handle_effects(id, effects, 0);
    }

    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        let n = self.max_node();
        self.network.partition(groups, n);
        let text = self.network.partition_text(&self.server_ids());
        self.trace.record(self.now, format_args!("partition {text}"));
        self.say(format_args!("The network split: {text}"));
        self.kill_blocked_messages();
    }

    pub fn cut(&mut self, from: NodeId, to: NodeId, both: bool) {
        self.network.cut(from, to);
        if both {
            self.network.cut(to, from);
        }
        let arrow = if both { "<->" } else { "->" };
        self.trace.record(self.now, format_args!("cut S{from} {arrow} S{to}"));
        self.say(format_args!("Link cut: S{from} {arrow} S{to}"));
        self.kill_blocked_messages();
    }

    /// `uncut`: lift the cut from `from` to `to` (and back, if `both`), nothing else. Lifting a
    /// direction that was not cut changes nothing; the line is still traced, as `heal` is.
    pub fn uncut(&mut self, from: NodeId, to: NodeId, both: bool) {
        self.network.uncut(from, to);
        if both {
            self.network.uncut(to, from);
        }
        let arrow = if both { "<->" } else { "->" };
        self.trace.record(self.now, &format!("uncut S{from} {arrow} S{to}"));
        self.say(format!("Link restored: S{from} {arrow} S{to}"));
    }

    pub fn isolate(&mut self, id: NodeId) {
        self.network.isolate(id);
        self.trace.record(self.now, format_args!("isolate S{id}"));
        self.say(format_args!("S{id} is cut off from every other server"));
        self.kill_blocked_messages();
    }

    pub fn heal(&mut self) {
        self.network.heal();
        self.trace.record(self.now, "heal");
        self.say("The network healed: every server can reach every other".to_string());
    }

    /// `timeout X`: X's election timer fires now.
    pub fn fire_timeout(&mut self, id: NodeId) {
        if !self.server(id).is_some_and(|s| s.running) {
            self.error(format!("S{id} is crashed; its timer cannot fire"));
            return;
        }
        if self.is_naive() {
            self.error(format!("protocol naive has no elections: S{id} has no election timer"));
            return;
        }
        self.idx_mut(id).election_gen += 1;
        self.trace.record(self.now, format_args!("timeout S{id}"));
        self.step_node(id, Input::ElectionTimeout, 0);
    }

    pub fn admin(&mut self, leader: NodeId, input: Input) {
        self.trace.record(self.now, format_args!("admin S{leader} {input:?}"));
        self.step_node(leader, input, 0);
    }

    /// `add X`: a server that does not exist yet starts empty, then the leader is asked to add
    /// it. It starts from the cluster's initial configuration, like every other server (and like
    /// itself after a restart): the configuration entries it receives override it, it is not in
    /// it so it never campaigns, and a snapshot it takes before its log holds a configuration
    /// records the right voters.
    pub fn add_server(&mut self, id: NodeId, leader: NodeId) {
        self.create_server(id);
        self.say(format_args!("S{leader} begins adding S{id}: it catches up as a non-voter first"));
        self.admin(leader, Input::AddServer { id });
    }

    /// Start server `id` empty if it does not exist yet (see `add_server`). Every server a
    /// scenario names after `add X` then exists, even when no leader could be asked to add it.
    pub fn create_server(&mut self, id: NodeId) {
        if self.server(id).is_none() {
            let (node, effects) = Node::new(id, self.initial_voters.clone(), self.settings.core.clone());
            self.servers.push(Server::started(id, node, None));
            self.servers.sort_by_key(|s| s.id);
            self.handle_effects(id, effects, 0);
        }
    }

    pub fn apply_setting(&mut self, s: &Setting) {
        if self.settings.apply(s) {
            let core = self.settings.core.clone();
            for srv in &mut self.servers {
                srv.node.set_config(core.clone());
            }
        }
        self.trace.record(self.now, format_args!("set {s:?}"));
    }

    // ---- protocol naive (see naive.rs) --------------------------------------------------

    pub fn is_naive(&self) -> bool {
        self.settings.protocol == Protocol::Naive
    }

    /// None for a server that joined by `add` (naive servers have no membership changes: it
    /// stays an inert bystander).
    fn naive_mut(&mut self, id: NodeId) -> Option<&mut NaiveServer> {
        self.idx_mut(id).naive.as_mut()
    }

    /// A client command reaches naive server `id`: answered at once, copies go out.
    fn naive_request(&mut self, id: NodeId, req: raft_core::RequestId, command: &Command) {
        let now = self.now;
        let Some(server) = self.naive_mut(id) else { return };
        let (result, copies) = server.client_request(now, req, command);
        if !copies.is_empty() {
            self.say(format_args!("S{id} applied {} on its own and starts copying it to the others", command_text(command)));
        }
        self.naive_send(id, copies);
        let client = (req.client - 1) as usize;
        if client < self.clients.len() {
            self.send(Envelope::Reply { client, attempt: 0, from: id, reply: ClientReply::Result(result) });
        }
    }

    /// Send copies, and keep the resend timer running while some peer owes an acknowledgement.
    fn naive_send(&mut self, id: NodeId, msgs: Vec<NaiveMsg>) {
        for m in msgs {
            self.send(Envelope::Naive(m));
        }
        self.naive_arm(id);
    }

    fn naive_arm(&mut self, id: NodeId) {
        let now = self.now;
        let d = self.settings.heartbeat_ms;
        let s = self.idx_mut(id);
        let owes = s.naive.as_ref().is_some_and(NaiveServer::owes_copies);
        if !s.running || !owes || s.heartbeat_timer.is_some() {
            return;
        }
        s.heartbeat_gen += 1;
        let gen = s.heartbeat_gen;
        s.heartbeat_timer = Some((now, now + d));
        self.schedule(now + d, Event::HeartbeatTimer { node: id, gen });
    }

    fn naive_resend(&mut self, id: NodeId) {
        let msgs = self.naive_mut(id).map(|n| n.resend()).unwrap_or_default();
        if !msgs.is_empty() {
            self.trace.record(self.now, format_args!("S{id} resends {} copies", msgs.len()));
        }
        self.naive_send(id, msgs);
    }

    fn naive_crash(&mut self, id: NodeId) {
        let s = self.idx_mut(id);
        if !s.running {
            return;
        }
        s.running = false;
        s.heartbeat_gen += 1;
        s.heartbeat_timer = None;
        self.trace.record(self.now, format_args!("crash S{id}"));
        self.say(format_args!("S{id} crashed: its data is on disk, but it answers nobody until it restarts"));
    }

    fn naive_restart(&mut self, id: NodeId) {
        let s = self.idx_mut(id);
        if s.running {
            return;
        }
        s.running = true;
        self.trace.record(self.now, format_args!("restart S{id}"));
        self.say(format_args!("S{id} restarted and resumes copying what the others have not acknowledged"));
        self.naive_arm(id);
    }

    // ---- clients ------------------------------------------------------------------------

    /// A new client issues `command` (scenario line `line`) to `via` or the server it believes
    /// leads. Returns the operation's index in the history.
    pub fn client_command(&mut self, line: u32, command: Command, via: Option<NodeId>) -> usize {
        let index = self.history.len();
        let kind = match &command {
            Command::Put { value, .. } => OpKind::Put { value: value.clone() },
            Command::Get { .. } => OpKind::Get,
            Command::Cas { old, new, .. } => OpKind::Cas { expected: old.clone(), new: new.clone() },
        };
        self.history.push(Operation {
            line,
            key: command.key().to_string(),
            kind,
            invoked_ms: self.now,
            invoked_seq: 0,
            completed_ms: None,
            completed_seq: None,
            outcome: None,
            result: None,
            turned_away: false,
        });
        let target = match via {
            Some(x) => x,
            // Naive: no leader to find, so operation k (0-based, in issue order) goes to
            // S((k mod N) + 1): round robin, the same on every replay.
            None if self.is_naive() => (index % self.max_node() as usize) as NodeId + 1,
            None => self.leader_guess,
        };
        self.clients.push(Client {
            id: RequestId { client: index as u64 + 1, seq: 1 },
            command,
            attempt: 0,
            target,
            timeouts: 0,
            uncertain: false,
            give_up_at: self.now + CLIENT_TRIES * self.settings.client_timeout_ms,
            done: false,
        });
        self.trace.record(self.now, format_args!("client {line} {}", op_text(&self.history[index])));
        // The event order, for the linearizability checker: see `Operation`.
        self.history[index].invoked_seq = self.trace.events();
        self.say(format_args!("A client sends {} to S{target}", op_text(&self.history[index])));
        self.client_send(index);
        index
    }

    fn client_send(&mut self, client: usize) {
        let c = &mut self.clients[client];
        c.attempt += 1;
        let (attempt, to, id, command) = (c.attempt, c.target, c.id, c.command.clone());
        let timeout = self.settings.client_timeout_ms;
        self.schedule(self.now + timeout, Event::ClientTimeout { client, attempt });
        if self.send(Envelope::Request { client, attempt, to, id, command }) > 1 {
            // A "not leader" answer settles only the copy it answers: the other copy may
            // reach a leader that takes the command, which then commits under the next one.
            self.clients[client].uncertain = true;
        }
    }

    fn next_server_after(&self, id: NodeId) -> NodeId {
        let n = self.max_node();
        if id >= n {
            1
        } else {
            id + 1
        }
    }

    fn client_reply(&mut self, client: usize, attempt: u32, from: NodeId, reply: ClientReply) {
        if self.clients[client].done {
            return;
        }
        match reply {
            ClientReply::Result(result) => {
                self.leader_guess = from;
                let (outcome, value) = match result {
                    ClientResult::Done => (OpOutcome::Ok, None),
                    ClientResult::Value(v) => (OpOutcome::Ok, v),
                    ClientResult::CasFailed(v) => (OpOutcome::Fail, v),
                };
                self.complete(client, outcome, value);
            }
            ClientReply::NotLeader { hint } => {
                if attempt != self.clients[client].attempt {
                    return; // an answer to an older try; the current one is still out
                }
                match hint {
                    Some(h) if h != from => {
                        self.leader_guess = h;
                        self.clients[client].target = h;
                        self.client_retry(client);
                    }
                    _ => {
                        let next = self.next_server_after(from);
                        self.clients[client].target = next;
                        // Nobody knows a leader: wait a heartbeat before asking again.
                        let at = self.now + self.settings.heartbeat_ms;
                        self.clients[client].attempt += 1; // the timeout of this try no longer counts
                        self.schedule(at, Event::ClientRetry { client });
                    }
                }
            }
        }
    }

    fn client_retry(&mut self, client: usize) {
        if self.clients[client].done {
            return;
        }
        if self.now >= self.clients[client].give_up_at {
            self.give_up(client);
            return;
        }
        self.client_send(client);
    }

    fn client_timeout(&mut self, client: usize, attempt: u32) {
        let c = &mut self.clients[client];
        if c.done || c.attempt != attempt {
            return;
        }
        c.timeouts += 1;
        c.uncertain = true;
        if c.timeouts as u64 >= CLIENT_TRIES || self.now >= c.give_up_at {
            self.give_up(client);
            return;
        }
        let target = c.target;
        let next = self.next_server_after(target);
        self.clients[client].target = next;
        self.client_send(client);
    }

    /// The client stops trying. It knows the command did not take effect only if every try was
    /// turned away; otherwise it may have.
    fn give_up(&mut self, client: usize) {
        let outcome = if self.clients[client].uncertain { OpOutcome::Unknown } else { OpOutcome::Fail };
        self.history[client].turned_away = outcome == OpOutcome::Fail;
        self.complete(client, outcome, None);
    }

    fn complete(&mut self, client: usize, outcome: OpOutcome, value: Option<String>) {
        self.clients[client].done = true;
        let now = self.now;
        let op = &mut self.history[client];
        op.completed_ms = Some(now);
        op.outcome = Some(outcome);
        if matches!(op.kind, OpKind::Get) || outcome == OpOutcome::Fail {
            op.result = value;
        }
        let text = op_text(op);
        let line = op.line;
        let shown = match (&op.kind, outcome) {
            (OpKind::Get, OpOutcome::Ok) => format!("ok, {}", op.result.as_deref().unwrap_or("absent")),
            (_, o) => o.name().to_string(),
        };
        self.trace.record(now, format_args!("client {line} {} -> {shown}", text));
        self.history[client].completed_seq = Some(self.trace.events());
        self.say(format_args!("{text} (line {line}): {shown}"));
    }

    /// Every property violated so far.
    pub fn violations(&self) -> &[crate::check::safety::Violation] {
        self.checker.violations()
    }

    pub fn is_violated(&self, p: Property) -> bool {
        self.checker.violations().iter().any(|v| v.property == p)
    }
}

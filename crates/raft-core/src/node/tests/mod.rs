//! Unit tests of the protocol rules. Most assert the exact list of effects one step produced;
//! multi-step stories use the small `Cluster` harness below, which delivers messages in FIFO
//! order and can isolate servers. The helpers and the harness live here, with the tests that
//! cross phases (restart, the bugs, a longer story); each phase's tests are in the file named
//! after it, like the code they test.

use super::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use Effect::*;
use crate::effect::ClientReply as Reply;
use crate::Effect::ClientReply;

mod election;
mod replication;
mod reads;
mod membership;
mod transfer;

// ---- helpers -------------------------------------------------------------------------------

fn cfg() -> Config {
    Config::default()
}

fn msg(from: NodeId, to: NodeId, term: Term, body: MessageBody) -> Message {
    Message { from, to, term, body }
}

fn send(from: NodeId, to: NodeId, term: Term, body: MessageBody) -> Effect {
    Send(msg(from, to, term, body))
}

fn deliver(node: &mut Node, now: TimeMs, from: NodeId, term: Term, body: MessageBody) -> Vec<Effect> {
    let to = node.id();
    node.step(now, Input::Message(msg(from, to, term, body)))
}

fn rv(last_log_index: Index, last_log_term: Term) -> MessageBody {
    MessageBody::RequestVote { last_log_index, last_log_term, transfer: false }
}

fn vote(granted: bool) -> MessageBody {
    MessageBody::RequestVoteResponse { granted }
}

fn noop(index: Index, term: Term) -> Entry {
    Entry { index, term, data: EntryData::Noop }
}

fn put_entry(index: Index, term: Term, client: u64, key: &str, value: &str) -> Entry {
    Entry {
        index,
        term,
        data: EntryData::Client {
            id: RequestId { client, seq: 1 },
            command: Command::Put { key: key.into(), value: value.into() },
        },
    }
}

fn ae(prev_index: Index, prev_term: Term, entries: Vec<Entry>, leader_commit: Index, read_ctx: u64) -> MessageBody {
    MessageBody::AppendEntries { prev_index, prev_term, entries, leader_commit, read_ctx }
}

/// A successful answer to the AppendEntries of round `read_ctx` sent in `read_term`.
fn ae_ok(match_index: Index, read_ctx: u64, read_term: Term) -> MessageBody {
    MessageBody::AppendEntriesResponse {
        success: true,
        match_index,
        conflict_term: None,
        conflict_index: 0,
        read_ctx,
        read_term,
    }
}

fn ae_reject(conflict_term: Option<Term>, conflict_index: Index, read_ctx: u64, read_term: Term) -> MessageBody {
    MessageBody::AppendEntriesResponse { success: false, match_index: 0, conflict_term, conflict_index, read_ctx, read_term }
}

fn id(client: u64) -> RequestId {
    RequestId { client, seq: 1 }
}

fn put(key: &str, value: &str) -> Command {
    Command::Put { key: key.into(), value: value.into() }
}

fn get(key: &str) -> Command {
    Command::Get { key: key.into() }
}

fn value(v: Option<&str>) -> Reply {
    Reply::Result(ClientResult::Value(v.map(Into::into)))
}

/// A log of noops with the given terms, at indexes 1, 2, ...
fn log_of(terms: &[Term]) -> Log {
    let mut log = Log::default();
    for (k, &t) in terms.iter().enumerate() {
        log.append(noop(k as Index + 1, t));
    }
    log
}

/// A server restarted with this term and log, in a cluster of `n`.
fn node_with(id: NodeId, n: u8, term: Term, terms: &[Term], config: Config) -> Node {
    let durable = Durable { term, voted_for: None, log: log_of(terms) };
    let (mut node, _) = Node::restart(id, durable, (1..=n).collect(), config);
    // As if its first election timeout had passed (see restarted_server_ignores_...).
    node.quiet_after_restart = false;
    node
}

/// Make `node` leader in term + 1 by stepping votes from every other voter. Returns the
/// effects of winning.
fn make_leader(node: &mut Node, now: TimeMs) -> Vec<Effect> {
    let _ = node.step(now, Input::ElectionTimeout);
    assert_eq!(node.role(), Role::Candidate);
    let term = node.term();
    let others: Vec<NodeId> = node.voters().iter().copied().filter(|&v| v != node.id()).collect();
    let mut last = Vec::new();
    for v in others {
        if node.role() == Role::Candidate {
            last = deliver(node, now, v, term, vote(true));
        }
    }
    assert_eq!(node.role(), Role::Leader);
    last
}

fn sends(effects: &[Effect]) -> Vec<Message> {
    effects.iter().filter_map(|e| if let Send(m) = e { Some(m.clone()) } else { None }).collect()
}

fn replies(effects: &[Effect]) -> Vec<(RequestId, Reply)> {
    effects
        .iter()
        .filter_map(|e| if let ClientReply { id, reply } = e { Some((*id, reply.clone())) } else { None })
        .collect()
}

/// CheckQuorum on (it also turns on the §4.2.3 rule).
fn cq_cfg() -> Config {
    Config { check_quorum: true, ..cfg() }
}

fn pv(last_log_index: Index, last_log_term: Term) -> MessageBody {
    MessageBody::PreVote { last_log_index, last_log_term }
}

// ---- the cluster harness -------------------------------------------------------------------

struct Cluster {
    nodes: BTreeMap<NodeId, Node>,
    now: TimeMs,
    inflight: VecDeque<Message>,
    isolated: BTreeSet<NodeId>,
    replies: Vec<(RequestId, Reply)>,
    refused: Vec<String>,
}

impl Cluster {
    fn new(n: u8, config: Config) -> Cluster {
        let voters: Vec<NodeId> = (1..=n).collect();
        let nodes = voters.iter().map(|&i| (i, Node::new(i, voters.clone(), config.clone()).0)).collect();
        Cluster {
            nodes,
            now: 0,
            inflight: VecDeque::new(),
            isolated: BTreeSet::new(),
            replies: Vec::new(),
            refused: Vec::new(),
        }
    }

    fn node(&self, id: NodeId) -> &Node {
        &self.nodes[&id]
    }

    fn step(&mut self, id: NodeId, input: Input) -> Vec<Effect> {
        let effects = self.nodes.get_mut(&id).unwrap().step(self.now, input);
        for e in &effects {
            match e {
                Send(m) => self.inflight.push_back(m.clone()),
                ClientReply { id, reply } => self.replies.push((*id, reply.clone())),
                Refused { reason } => self.refused.push(reason.clone()),
                _ => {}
            }
        }
        effects
    }

    /// Deliver every message in flight (and those they cause) in FIFO order, dropping those
    /// from or to an isolated server. Bounded.
    fn deliver_all(&mut self) {
        for _ in 0..100_000 {
            let Some(m) = self.inflight.pop_front() else { return };
            if self.isolated.contains(&m.from) || self.isolated.contains(&m.to) || !self.nodes.contains_key(&m.to) {
                continue;
            }
            let to = m.to;
            let _ = self.step(to, Input::Message(m));
        }
        panic!("messages never settle");
    }

    fn elect(&mut self, id: NodeId) {
        let _ = self.step(id, Input::ElectionTimeout);
        self.deliver_all();
        assert_eq!(self.node(id).role(), Role::Leader);
    }

    fn heartbeat(&mut self, id: NodeId) {
        let _ = self.step(id, Input::HeartbeatTimeout);
        self.deliver_all();
    }

    fn request(&mut self, via: NodeId, client: u64, command: Command) -> Vec<Effect> {
        self.step(via, Input::ClientRequest { id: id(client), command })
    }

    fn reply_to(&self, client: u64) -> Option<Reply> {
        self.replies.iter().rev().find(|(i, _)| *i == id(client)).map(|(_, r)| r.clone())
    }
}

// ---- durability and restart ----------------------------------------------------------------

#[test]
fn restart_keeps_durable_state_only() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    let durable = c.node(1).durable();
    assert_eq!((durable.term, durable.voted_for, durable.log.last_index()), (1, Some(1), 2));
    let (n1, effects) = Node::restart(1, durable, vec![1, 2, 3], cfg());
    assert_eq!(effects, vec![ResetElectionTimer]);
    assert_eq!((n1.role(), n1.term(), n1.voted_for()), (Role::Follower, 1, Some(1)));
    assert_eq!((n1.commit_index(), n1.last_applied(), n1.log().last_index()), (0, 0, 2));
    assert_eq!(n1.kv().get("a"), None, "re-applied once the commit index is learned again");
}

#[test]
fn bug_forget_vote_loses_the_vote_on_restart() {
    let durable = Durable { term: 3, voted_for: Some(2), log: Log::default() };
    let bug = Config { bugs: vec![Bug::ForgetVote], ..cfg() };
    let (mut n1, effects) = Node::restart(1, durable, vec![1, 2, 3], bug);
    assert_eq!(effects, vec![PersistHardState, ResetElectionTimer]);
    assert_eq!(n1.voted_for(), None);
    // ...so it votes a second time in term 3.
    assert_eq!(deliver(&mut n1, 0, 3, 3, rv(0, 0)).last(), Some(&send(1, 3, 3, vote(true))));
}

// ---- the other bugs ------------------------------------------------------------------------

#[test]
fn bug_vote_any_log_skips_the_up_to_date_check() {
    let bug = Config { bugs: vec![Bug::VoteAnyLog], ..cfg() };
    let mut n2 = node_with(2, 3, 2, &[1, 2], bug.clone());
    assert_eq!(deliver(&mut n2, 0, 1, 3, rv(0, 0)).last(), Some(&send(2, 1, 3, vote(true))));
    // And for pre-votes.
    let mut n2 = node_with(2, 3, 2, &[1, 2], Config { prevote: true, ..bug });
    assert_eq!(deliver(&mut n2, 0, 1, 3, pv(0, 0)), vec![send(2, 1, 3, MessageBody::PreVoteResponse { granted: true })]);
}

#[test]
fn bug_skip_prev_check_appends_over_a_mismatch() {
    let body = ae(2, 2, vec![noop(3, 2)], 3, 1);
    let mut ok = node_with(2, 3, 2, &[1, 1], cfg());
    assert_eq!(sends(&deliver(&mut ok, 0, 1, 2, body.clone())), vec![msg(2, 1, 2, ae_reject(Some(1), 1, 1, 2))]);
    let mut bug = node_with(2, 3, 2, &[1, 1], Config { bugs: vec![Bug::SkipPrevCheck], ..cfg() });
    let effects = deliver(&mut bug, 0, 1, 2, body);
    assert_eq!(
        effects,
        vec![
            ResetElectionTimer,
            PersistLog { from: 3 },
            Committed { index: 3 },
            Applied { index: 1, term: 1 },
            Applied { index: 2, term: 1 },
            Applied { index: 3, term: 2 },
            send(2, 1, 2, ae_ok(3, 1, 2)),
        ]
    );
}

#[test]
fn bug_small_quorum_wins_with_half_the_cluster() {
    let mut ok = node_with(1, 4, 0, &[], cfg());
    let _ = ok.step(0, Input::ElectionTimeout);
    let _ = deliver(&mut ok, 1, 2, 1, vote(true));
    assert_eq!(ok.role(), Role::Candidate, "2 of 4 is no majority");
    let mut bug = node_with(1, 4, 0, &[], Config { bugs: vec![Bug::SmallQuorum], ..cfg() });
    let _ = bug.step(0, Input::ElectionTimeout);
    let _ = deliver(&mut bug, 1, 2, 1, vote(true));
    assert_eq!(bug.role(), Role::Leader);
    // ...and commits with half the cluster too.
    let effects = deliver(&mut bug, 2, 2, 1, ae_ok(1, 1, 1));
    assert_eq!(effects[0], Committed { index: 1 });
}

#[test]
fn a_bug_can_be_switched_on_at_run_time() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    n1.set_config(Config { bugs: vec![Bug::StaleRead], ..cfg() });
    let effects = n1.step(1, Input::ClientRequest { id: id(1), command: get("k") });
    assert_eq!(replies(&effects).len(), 1);
}

// ---- a longer deterministic story ----------------------------------------------------------

#[test]
fn leader_change_keeps_committed_entries() {
    let mut c = Cluster::new(5, Config { prevote: true, check_quorum: true, ..cfg() });
    c.elect(1);
    for k in 1..=3 {
        let _ = c.request(1, k, put("x", &k.to_string()));
        c.deliver_all();
    }
    c.isolated.insert(1);
    c.now = 1000;
    c.elect(4);
    let _ = c.request(4, 10, Command::Cas { key: "x".into(), old: Some("3".into()), new: "4".into() });
    c.deliver_all();
    assert_eq!(c.reply_to(10), Some(Reply::Result(ClientResult::Done)));
    c.isolated.clear();
    c.heartbeat(4);
    assert_eq!(c.node(1).role(), Role::Follower);
    for n in c.nodes.values() {
        assert_eq!(n.kv().get("x"), Some("4"));
        assert_eq!(n.log().entries(), c.node(4).log().entries());
    }
}

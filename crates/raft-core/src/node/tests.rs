//! Unit tests of the protocol rules. Most assert the exact list of effects one step produced;
//! multi-step stories use the small `Cluster` harness below, which delivers messages in FIFO
//! order and can isolate servers.

use super::*;
use std::collections::VecDeque;
use Effect::*;
use crate::effect::ClientReply as Reply;
use crate::Effect::ClientReply;

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

// ---- elections -----------------------------------------------------------------------------

#[test]
fn new_node_arms_its_election_timer() {
    let (node, effects) = Node::new(1, vec![1, 2, 3], cfg());
    assert_eq!(effects, vec![ResetElectionTimer]);
    assert_eq!((node.role(), node.term(), node.commit_index()), (Role::Follower, 0, 0));
}

#[test]
fn election_timeout_starts_a_campaign() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], cfg());
    let effects = n1.step(0, Input::ElectionTimeout);
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Candidate, term: 1 },
            ResetElectionTimer,
            send(1, 2, 1, rv(0, 0)),
            send(1, 3, 1, rv(0, 0)),
        ]
    );
    assert_eq!(n1.voted_for(), Some(1));
    assert_eq!(n1.votes_granted(), vec![1]);
}

#[test]
fn candidate_wins_with_a_majority_and_sends_noop() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], cfg());
    let _ = n1.step(0, Input::ElectionTimeout);
    let effects = deliver(&mut n1, 5, 2, 1, vote(true));
    let noop_ae = |to| send(1, to, 1, ae(0, 0, vec![noop(1, 1)], 0, 1));
    assert_eq!(
        effects,
        vec![
            RoleChanged { role: Role::Leader, term: 1 },
            ResetElectionTimer,
            PersistLog { from: 1 },
            noop_ae(2),
            noop_ae(3),
            SetHeartbeatTimer,
        ]
    );
    assert_eq!(n1.leader_hint(), Some(1));
    assert_eq!(n1.progress().len(), 2);
    assert_eq!(n1.progress()[0], Progress { id: 2, next_index: 1, match_index: 0, learner: false });
}

#[test]
fn candidate_loses_when_a_majority_rejects() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], cfg());
    let _ = n1.step(0, Input::ElectionTimeout);
    assert_eq!(deliver(&mut n1, 5, 2, 1, vote(false)), vec![]);
    let effects = deliver(&mut n1, 6, 3, 1, vote(false));
    assert_eq!(effects, vec![RoleChanged { role: Role::Follower, term: 1 }]);
    assert_eq!(n1.voted_for(), Some(1), "the vote of this term stays");
}

#[test]
fn single_server_elects_itself_and_commits() {
    let (mut n1, _) = Node::new(1, vec![1], cfg());
    let effects = n1.step(0, Input::ElectionTimeout);
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Candidate, term: 1 },
            ResetElectionTimer,
            RoleChanged { role: Role::Leader, term: 1 },
            ResetElectionTimer,
            PersistLog { from: 1 },
            Committed { index: 1 },
            Applied { index: 1, term: 1 },
            SetHeartbeatTimer,
        ]
    );
}

#[test]
fn votes_once_per_term() {
    let (mut n2, _) = Node::new(2, vec![1, 2, 3], cfg());
    let effects = deliver(&mut n2, 0, 1, 1, rv(0, 0));
    assert_eq!(
        effects,
        vec![
            PersistHardState, // term 1
            RoleChanged { role: Role::Follower, term: 1 },
            PersistHardState, // vote
            ResetElectionTimer,
            send(2, 1, 1, vote(true)),
        ]
    );
    assert_eq!(n2.voted_for(), Some(1));
    // Same candidate again (a duplicate): granted again, nothing to persist.
    assert_eq!(deliver(&mut n2, 1, 1, 1, rv(0, 0)), vec![ResetElectionTimer, send(2, 1, 1, vote(true))]);
    // Another candidate in the same term: rejected.
    assert_eq!(deliver(&mut n2, 2, 3, 1, rv(0, 0)), vec![send(2, 3, 1, vote(false))]);
}

#[test]
fn vote_requires_an_up_to_date_log() {
    // Reference: §5.4.1. Our log ends at term 2, index 2.
    let mut n2 = node_with(2, 3, 2, &[1, 2], cfg());
    // Lower last term, longer log: rejected (but the term is adopted).
    let effects = deliver(&mut n2, 0, 1, 3, rv(5, 1));
    assert_eq!(
        effects,
        vec![PersistHardState, RoleChanged { role: Role::Follower, term: 3 }, send(2, 1, 3, vote(false))]
    );
    // Same last term, shorter: rejected.
    assert_eq!(deliver(&mut n2, 0, 3, 3, rv(1, 2)), vec![send(2, 3, 3, vote(false))]);
    // Same last term, same length: granted.
    assert_eq!(
        deliver(&mut n2, 0, 3, 3, rv(2, 2)),
        vec![PersistHardState, ResetElectionTimer, send(2, 3, 3, vote(true))]
    );
}

#[test]
fn higher_term_turns_a_leader_into_a_follower() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    let effects = deliver(&mut n1, 10, 3, 5, ae_ok(0, 0, 5));
    assert_eq!(
        effects,
        vec![PersistHardState, StopHeartbeatTimer, RoleChanged { role: Role::Follower, term: 5 }]
    );
    assert_eq!(n1.progress(), vec![]);
}

#[test]
fn stale_requests_are_answered_with_our_term() {
    let mut n2 = node_with(2, 3, 4, &[1], cfg());
    assert_eq!(deliver(&mut n2, 0, 1, 3, rv(9, 3)), vec![send(2, 1, 4, vote(false))]);
    assert_eq!(deliver(&mut n2, 0, 1, 3, ae(1, 1, vec![], 1, 7)), vec![send(2, 1, 4, ae_reject(None, 0, 7, 3))]);
    // Stale responses are dropped.
    assert_eq!(deliver(&mut n2, 0, 1, 3, vote(true)), vec![]);
    assert_eq!(n2.term(), 4);
}

#[test]
fn non_voter_never_campaigns() {
    let (mut n4, effects) = Node::new(4, vec![], cfg());
    assert_eq!(effects, vec![ResetElectionTimer]);
    assert_eq!(n4.step(0, Input::ElectionTimeout), vec![ResetElectionTimer]);
    assert_eq!(n4.term(), 0);
}

#[test]
#[should_panic(expected = "invalid transition [follower -> leader]")]
fn become_leader_asserts_a_legal_transition() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], cfg());
    n1.become_leader(0);
}

// ---- pre-vote (dissertation §9.6) ---------------------------------------------------------

fn prevote_cfg() -> Config {
    Config { prevote: true, ..cfg() }
}

fn pv(last_log_index: Index, last_log_term: Term) -> MessageBody {
    MessageBody::PreVote { last_log_index, last_log_term }
}

#[test]
fn prevote_campaign_does_not_change_the_term() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], prevote_cfg());
    let effects = n1.step(0, Input::ElectionTimeout);
    assert_eq!(
        effects,
        vec![
            RoleChanged { role: Role::PreCandidate, term: 0 },
            ResetElectionTimer,
            send(1, 2, 1, pv(0, 0)),
            send(1, 3, 1, pv(0, 0)),
        ]
    );
    assert_eq!((n1.term(), n1.voted_for()), (0, None));
    // One grant is a majority with our own: now the real election, in term 1.
    let effects = deliver(&mut n1, 5, 2, 1, MessageBody::PreVoteResponse { granted: true });
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Candidate, term: 1 },
            ResetElectionTimer,
            send(1, 2, 1, rv(0, 0)),
            send(1, 3, 1, rv(0, 0)),
        ]
    );
}

#[test]
fn prevote_voter_grants_without_changing_state() {
    let (mut n2, _) = Node::new(2, vec![1, 2, 3], prevote_cfg());
    let effects = deliver(&mut n2, 0, 1, 1, pv(0, 0));
    assert_eq!(effects, vec![send(2, 1, 1, MessageBody::PreVoteResponse { granted: true })]);
    assert_eq!((n2.term(), n2.voted_for()), (0, None));
}

#[test]
fn prevote_rejected_for_stale_log_or_live_leader() {
    let mut n2 = node_with(2, 3, 1, &[1], prevote_cfg());
    // Log not up to date: rejected with our own term.
    assert_eq!(deliver(&mut n2, 0, 3, 2, pv(0, 0)), vec![send(2, 3, 1, MessageBody::PreVoteResponse { granted: false })]);
    // Hear from leader S1 at t=100; a pre-vote at t=200 (< 100 + 150) is rejected...
    let _ = deliver(&mut n2, 100, 1, 1, ae(1, 1, vec![], 1, 1));
    assert_eq!(deliver(&mut n2, 200, 3, 2, pv(1, 1)), vec![send(2, 3, 1, MessageBody::PreVoteResponse { granted: false })]);
    // ...and granted once the leader has been silent for the minimum election timeout.
    assert_eq!(deliver(&mut n2, 250, 3, 2, pv(1, 1)), vec![send(2, 3, 2, MessageBody::PreVoteResponse { granted: true })]);
    assert_eq!(n2.term(), 1);
}

#[test]
fn prevote_keeps_a_partitioned_server_from_raising_its_term() {
    let mut c = Cluster::new(3, prevote_cfg());
    c.elect(1);
    c.isolated.insert(3);
    for _ in 0..5 {
        let _ = c.step(3, Input::ElectionTimeout);
        c.deliver_all();
    }
    assert_eq!(c.node(3).term(), 1, "still the term it voted in before the partition");
    assert_eq!(c.node(3).role(), Role::PreCandidate);
    c.isolated.clear();
    c.heartbeat(1);
    assert_eq!(c.node(1).role(), Role::Leader);
    assert_eq!((c.node(3).role(), c.node(3).term()), (Role::Follower, 1));
}

// ---- CheckQuorum (§6.2) and the §4.2.3 rule -------------------------------------------------

fn cq_cfg() -> Config {
    Config { check_quorum: true, ..cfg() }
}

#[test]
fn check_quorum_leader_steps_down_without_a_majority() {
    let mut n1 = node_with(1, 3, 0, &[], cq_cfg());
    let _ = make_leader(&mut n1, 0);
    // Heard from S2: a majority with itself, stays leader.
    let _ = deliver(&mut n1, 10, 2, 1, ae_ok(1, 1, 1));
    assert_eq!(n1.step(150, Input::ElectionTimeout), vec![ResetElectionTimer]);
    // Heard from nobody during the next timeout: steps down.
    assert_eq!(
        n1.step(300, Input::ElectionTimeout),
        vec![StopHeartbeatTimer, RoleChanged { role: Role::Follower, term: 1 }, ResetElectionTimer]
    );
}

#[test]
fn leader_without_check_quorum_keeps_leading() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    assert_eq!(n1.step(300, Input::ElectionTimeout), vec![ResetElectionTimer]);
    assert_eq!(n1.role(), Role::Leader);
}

#[test]
fn follower_ignores_vote_requests_while_its_leader_is_alive() {
    // Dissertation §4.2.3.
    let mut n2 = node_with(2, 3, 1, &[], cq_cfg());
    let _ = deliver(&mut n2, 100, 1, 1, ae(0, 0, vec![], 0, 1));
    assert_eq!(deliver(&mut n2, 249, 3, 2, rv(0, 0)), vec![], "ignored: no term change, no answer");
    assert_eq!(n2.term(), 1);
    // A transfer election is not ignored.
    let transfer = MessageBody::RequestVote { last_log_index: 0, last_log_term: 0, transfer: true };
    let effects = deliver(&mut n2, 249, 3, 2, transfer);
    assert_eq!(n2.term(), 2);
    assert_eq!(effects.last(), Some(&send(2, 3, 2, vote(true))));
    // After the minimum election timeout the rule no longer applies.
    let mut n2 = node_with(2, 3, 1, &[], cq_cfg());
    let _ = deliver(&mut n2, 100, 1, 1, ae(0, 0, vec![], 0, 1));
    assert_eq!(deliver(&mut n2, 250, 3, 2, rv(0, 0)).last(), Some(&send(2, 3, 2, vote(true))));
}

#[test]
fn vote_requests_are_not_ignored_without_check_quorum_or_lease() {
    let mut n2 = node_with(2, 3, 1, &[], cfg());
    let _ = deliver(&mut n2, 100, 1, 1, ae(0, 0, vec![], 0, 1));
    assert_eq!(deliver(&mut n2, 110, 3, 2, rv(0, 0)).last(), Some(&send(2, 3, 2, vote(true))));
}

#[test]
fn restarted_server_ignores_vote_requests_until_its_first_timeout() {
    let lease = Config { reads: ReadMode::Lease, ..cfg() };
    let durable = Durable { term: 1, voted_for: None, log: Log::default() };
    let (mut n2, _) = Node::restart(2, durable, vec![1, 2, 3], lease);
    assert_eq!(deliver(&mut n2, 0, 3, 2, rv(0, 0)), vec![]);
    let _ = n2.step(200, Input::ElectionTimeout);
    // It campaigned itself (term 2); a term-3 request is now heard.
    assert_eq!(deliver(&mut n2, 201, 3, 3, rv(0, 0)).last(), Some(&send(2, 3, 3, vote(true))));
}

// ---- log replication -----------------------------------------------------------------------

#[test]
fn follower_appends_and_commits_up_to_the_last_new_entry() {
    let (mut n2, _) = Node::new(2, vec![1, 2, 3], cfg());
    let effects = deliver(&mut n2, 0, 1, 1, ae(0, 0, vec![noop(1, 1), put_entry(2, 1, 9, "k", "v")], 5, 3));
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Follower, term: 1 },
            ResetElectionTimer,
            PersistLog { from: 1 },
            Committed { index: 2 }, // min(leader_commit 5, last new entry 2)
            Applied { index: 1, term: 1 },
            Applied { index: 2, term: 1 },
            send(2, 1, 1, ae_ok(2, 3, 1)),
        ]
    );
    assert_eq!(n2.kv().get("k"), Some("v"));
    assert_eq!(n2.leader_hint(), Some(1));
}

#[test]
fn follower_rejects_with_a_hint() {
    let mut n2 = node_with(2, 3, 3, &[1, 2, 2], cfg());
    // Too short.
    assert_eq!(
        deliver(&mut n2, 0, 1, 3, ae(5, 3, vec![], 0, 1)),
        vec![ResetElectionTimer, send(2, 1, 3, ae_reject(None, 4, 1, 3))]
    );
    // Conflicting term at prev: our term 2 run starts at index 2.
    assert_eq!(
        deliver(&mut n2, 0, 1, 3, ae(3, 3, vec![], 0, 2)),
        vec![ResetElectionTimer, send(2, 1, 3, ae_reject(Some(2), 2, 2, 3))]
    );
}

#[test]
fn stale_append_never_truncates_matching_entries() {
    let (mut n2, _) = Node::new(2, vec![1, 2, 3], cfg());
    let _ = deliver(&mut n2, 0, 1, 1, ae(0, 0, vec![noop(1, 1), noop(2, 1), noop(3, 1)], 0, 1));
    // A delayed duplicate of an earlier, shorter message.
    let effects = deliver(&mut n2, 1, 1, 1, ae(0, 0, vec![noop(1, 1)], 0, 1));
    assert_eq!(effects, vec![ResetElectionTimer, send(2, 1, 1, ae_ok(1, 1, 1))]);
    assert_eq!(n2.log().last_index(), 3);
}

#[test]
fn conflicting_suffix_is_truncated() {
    let mut n2 = node_with(2, 3, 2, &[1, 2, 2], cfg());
    let effects = deliver(&mut n2, 0, 1, 3, ae(1, 1, vec![noop(2, 3)], 0, 1));
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Follower, term: 3 },
            ResetElectionTimer,
            PersistLog { from: 2 },
            send(2, 1, 3, ae_ok(2, 1, 3)),
        ]
    );
    assert_eq!(n2.log().last_index(), 2);
    assert_eq!(n2.log().term_at(2), Some(3));
}

/// Figure 7's leader (term 8) and follower (f): the leader skips a whole term per round trip.
#[test]
fn fast_backtracking_skips_a_term_per_round_trip() {
    let leader_terms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    let mut n1 = node_with(1, 3, 7, &leader_terms, Config { leader_noop: false, ..cfg() });
    let _ = make_leader(&mut n1, 0);
    assert_eq!(n1.term(), 8);
    let mut f = node_with(2, 3, 7, &[1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], cfg());

    // Round 1: prev = 10/6; f holds term 3 there, starting at 7.
    let r = deliver(&mut f, 1, 1, 8, ae(10, 6, vec![], 0, 1));
    assert_eq!(sends(&r), vec![msg(2, 1, 8, ae_reject(Some(3), 7, 1, 8))]);
    // The leader has no term 3: jump to 7.
    let r = deliver(&mut n1, 2, 2, 8, ae_reject(Some(3), 7, 1, 8));
    assert_eq!(r, vec![send(1, 2, 8, ae(6, 5, n1.log().entries_from(7, 64), 0, 1))]);
    // Round 2: f holds term 2 at 6, starting at 4.
    let r = deliver(&mut f, 3, 1, 8, ae(6, 5, n1.log().entries_from(7, 64), 0, 1));
    assert_eq!(sends(&r), vec![msg(2, 1, 8, ae_reject(Some(2), 4, 1, 8))]);
    let r = deliver(&mut n1, 4, 2, 8, ae_reject(Some(2), 4, 1, 8));
    let round3 = ae(3, 1, n1.log().entries_from(4, 64), 0, 1);
    assert_eq!(r, vec![send(1, 2, 8, round3.clone())]);
    // Round 3: match.
    let r = deliver(&mut f, 5, 1, 8, round3);
    assert_eq!(sends(&r), vec![msg(2, 1, 8, ae_ok(10, 1, 8))]);
    assert_eq!(f.log().entries(), n1.log().entries());
    // A duplicate of the first rejection changes nothing.
    let _ = deliver(&mut n1, 6, 2, 8, ae_ok(10, 1, 8));
    assert_eq!(deliver(&mut n1, 7, 2, 8, ae_reject(Some(3), 7, 1, 8)), vec![]);
    assert_eq!(n1.progress()[0].next_index, 11);
}

#[test]
fn leader_uses_its_last_entry_of_the_conflicting_term() {
    // Leader [1,2,2,2,4]; follower holds term 2 at prev but diverges after.
    let mut n1 = node_with(1, 3, 4, &[1, 2, 2, 2, 4], Config { leader_noop: false, ..cfg() });
    let _ = make_leader(&mut n1, 0);
    let r = deliver(&mut n1, 1, 2, 5, ae_reject(Some(2), 2, 1, 5));
    // Leader's last entry of term 2 is 4: resume at 5.
    assert_eq!(r, vec![send(1, 2, 5, ae(4, 2, n1.log().entries_from(5, 64), 0, 1))]);
}

#[test]
fn heartbeat_sends_entries_from_next_index_and_rearms() {
    let mut n1 = node_with(1, 2, 0, &[], Config { max_entries_per_append: 1, ..cfg() });
    let _ = make_leader(&mut n1, 0);
    let _ = n1.step(1, Input::ClientRequest { id: id(1), command: put("a", "1") });
    let effects = n1.step(50, Input::HeartbeatTimeout);
    assert_eq!(effects, vec![send(1, 2, 1, ae(0, 0, vec![noop(1, 1)], 0, 2)), SetHeartbeatTimer]);
}

// ---- commitment (§5.4.2) -------------------------------------------------------------------

#[test]
fn leader_never_commits_old_term_entries_by_counting() {
    // Figure 8: S1 leads term 3 with an entry of term 2 at index 2 (no no-op).
    let config = Config { leader_noop: false, ..cfg() };
    let mut n1 = node_with(1, 5, 2, &[1, 2], config);
    let _ = make_leader(&mut n1, 0);
    assert_eq!(n1.term(), 3);
    assert_eq!(deliver(&mut n1, 1, 2, 3, ae_ok(2, 1, 3)), vec![]);
    assert_eq!(deliver(&mut n1, 1, 3, 3, ae_ok(2, 1, 3)), vec![], "index 2 is on a majority, but of term 2");
    assert_eq!(n1.commit_index(), 0);
    // An entry of term 3 on a majority commits it, and index 2 with it.
    let _ = n1.step(2, Input::ClientRequest { id: id(1), command: put("x", "1") });
    let _ = deliver(&mut n1, 3, 2, 3, ae_ok(3, 1, 3));
    let effects = deliver(&mut n1, 3, 3, 3, ae_ok(3, 1, 3));
    assert_eq!(
        effects,
        vec![
            Committed { index: 3 },
            Applied { index: 1, term: 1 },
            Applied { index: 2, term: 2 },
            Applied { index: 3, term: 3 },
            ClientReply { id: id(1), reply: Reply::Result(ClientResult::Done) },
        ]
    );
}

#[test]
fn bug_commit_old_terms_commits_by_counting() {
    let config = Config { leader_noop: false, bugs: vec![Bug::CommitOldTerms], ..cfg() };
    let mut n1 = node_with(1, 5, 2, &[1, 2], config);
    let _ = make_leader(&mut n1, 0);
    let _ = deliver(&mut n1, 1, 2, 3, ae_ok(2, 1, 3));
    let effects = deliver(&mut n1, 1, 3, 3, ae_ok(2, 1, 3));
    assert_eq!(effects, vec![Committed { index: 2 }, Applied { index: 1, term: 1 }, Applied { index: 2, term: 2 }]);
}

#[test]
fn leader_noop_off_puts_the_first_command_at_index_1() {
    let mut c = Cluster::new(3, Config { leader_noop: false, ..cfg() });
    c.elect(1);
    assert_eq!(c.node(1).log().last_index(), 0);
    let effects = c.request(1, 1, put("a", "1"));
    assert_eq!(effects[0], PersistLog { from: 1 });
    c.deliver_all();
    assert_eq!(c.node(1).log().entry(1).unwrap().data.to_string(), "put a 1");
    assert_eq!(c.reply_to(1), Some(Reply::Result(ClientResult::Done)));
}

#[test]
fn replication_in_a_cluster() {
    let mut c = Cluster::new(5, cfg());
    c.elect(3);
    let _ = c.request(3, 1, put("bike42", "alice"));
    c.deliver_all();
    assert_eq!(c.reply_to(1), Some(Reply::Result(ClientResult::Done)));
    c.heartbeat(3);
    for n in c.nodes.values() {
        assert_eq!(n.commit_index(), 2);
        assert_eq!(n.kv().get("bike42"), Some("alice"));
    }
}

// ---- client requests and sessions (§6.3) ---------------------------------------------------

#[test]
fn non_leader_answers_not_leader_with_a_hint() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let effects = c.request(2, 1, put("a", "1"));
    assert_eq!(effects, vec![ClientReply { id: id(1), reply: Reply::NotLeader { hint: Some(1) } }]);
}

#[test]
fn retry_is_answered_from_the_session() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 7, Command::Cas { key: "x".into(), old: None, new: "a".into() });
    // A retry while the entry is in flight is not appended twice.
    assert_eq!(c.request(1, 7, Command::Cas { key: "x".into(), old: None, new: "a".into() }), vec![]);
    c.deliver_all();
    assert_eq!(c.node(1).log().last_index(), 2);
    // A retry after it applied gets the first result, not CasFailed.
    let effects = c.request(1, 7, Command::Cas { key: "x".into(), old: None, new: "a".into() });
    assert_eq!(effects, vec![ClientReply { id: id(7), reply: Reply::Result(ClientResult::Done) }]);
    assert_eq!(c.node(1).log().last_index(), 2);
}

#[test]
fn retry_at_a_new_leader_is_deduplicated_when_applied() {
    // The first attempt lands at S1 and is replicated, but S1 dies before answering; the retry
    // goes to S2 which appends it again. It is applied once.
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 5, put("x", "1"));
    c.deliver_all();
    c.isolated.insert(1);
    c.elect(2);
    let _ = c.request(2, 6, put("x", "2"));
    c.deliver_all();
    let effects = c.request(2, 5, put("x", "1"));
    assert_eq!(effects, vec![ClientReply { id: id(5), reply: Reply::Result(ClientResult::Done) }]);
    assert_eq!(c.node(2).kv().get("x"), Some("2"), "the retry did not apply again");
}

#[test]
fn pending_requests_are_dropped_silently_on_step_down() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    let _ = n1.step(1, Input::ClientRequest { id: id(1), command: put("a", "1") });
    let effects = deliver(&mut n1, 2, 2, 2, rv(9, 9));
    assert!(replies(&effects).is_empty());
}

// ---- reads ---------------------------------------------------------------------------------

#[test]
fn read_mode_log_goes_through_the_log() {
    let mut c = Cluster::new(3, Config { reads: ReadMode::Log, ..cfg() });
    c.elect(1);
    let effects = c.request(1, 1, get("k"));
    assert_eq!(effects[0], PersistLog { from: 2 });
    c.deliver_all();
    assert_eq!(c.reply_to(1), Some(value(None)));
}

#[test]
fn read_index_waits_for_a_heartbeat_round() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 1, put("k", "v"));
    c.deliver_all();
    c.now = 40;
    let effects = c.request(1, 2, get("k"));
    // read_index = 2; a new round (ctx 3 here) goes to everyone; no answer yet.
    let ctx = match &sends(&effects)[0].body {
        MessageBody::AppendEntries { read_ctx, .. } => *read_ctx,
        b => panic!("{b:?}"),
    };
    assert_eq!(sends(&effects).len(), 2);
    assert!(replies(&effects).is_empty());
    // One acknowledgement of that round is a majority with the leader.
    let effects = deliver(c.nodes.get_mut(&1).unwrap(), 50, 3, 1, ae_ok(2, ctx, 1));
    assert_eq!(effects, vec![ClientReply { id: id(2), reply: value(Some("v")) }]);
    // An acknowledgement of an older round would not have done.
    let _ = c.request(1, 3, get("k"));
    let effects = deliver(c.nodes.get_mut(&1).unwrap(), 60, 3, 1, ae_ok(2, ctx, 1));
    assert!(replies(&effects).is_empty());
}

#[test]
fn read_index_waits_for_the_leaders_noop_to_commit() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    assert_eq!(n1.step(1, Input::ClientRequest { id: id(1), command: get("k") }), vec![]);
    // The noop commits: the read starts its round (ctx 2).
    let effects = deliver(&mut n1, 2, 2, 1, ae_ok(1, 1, 1));
    assert_eq!(
        effects,
        vec![
            Committed { index: 1 },
            Applied { index: 1, term: 1 },
            send(1, 2, 1, ae(1, 1, vec![], 1, 2)),
            send(1, 3, 1, ae(0, 0, vec![noop(1, 1)], 1, 2)), // S3 has not answered yet

        ]
    );
    let effects = deliver(&mut n1, 3, 3, 1, ae_ok(1, 2, 1));
    assert_eq!(effects, vec![ClientReply { id: id(1), reply: value(None) }]);
}

#[test]
fn read_index_without_noop_goes_through_the_log() {
    let mut n1 = node_with(1, 3, 0, &[], Config { leader_noop: false, ..cfg() });
    let _ = make_leader(&mut n1, 0);
    let effects = n1.step(1, Input::ClientRequest { id: id(1), command: get("k") });
    assert_eq!(effects[0], PersistLog { from: 1 });
}

#[test]
fn lease_read_is_answered_at_once_while_the_lease_holds() {
    let mut c = Cluster::new(3, Config { reads: ReadMode::Lease, ..cfg() });
    c.elect(1); // round 1 sent at t=0, acknowledged by both
    assert!(c.node(1).lease_valid(149));
    c.now = 149;
    let effects = c.request(1, 1, get("k"));
    assert_eq!(effects, vec![ClientReply { id: id(1), reply: value(None) }]);
    // At 150 the round sent at 0 no longer covers us: fall back to ReadIndex.
    c.now = 150;
    let effects = c.request(1, 2, get("k"));
    assert_eq!(sends(&effects).len(), 2);
    assert!(replies(&effects).is_empty());
    c.deliver_all();
    assert_eq!(c.reply_to(2), Some(value(None)));
    assert!(c.node(1).lease_valid(299), "the ReadIndex round renewed the lease");
}

#[test]
fn lease_is_measured_from_the_send_time() {
    let lease = Config { reads: ReadMode::Lease, ..cfg() };
    let mut n1 = node_with(1, 3, 0, &[], lease);
    let _ = make_leader(&mut n1, 0); // round 1 at t=0
    // Acknowledged much later (slow network): the lease still ends at 0 + 150.
    let _ = deliver(&mut n1, 100, 2, 1, ae_ok(1, 1, 1));
    assert!(n1.lease_valid(149));
    assert!(!n1.lease_valid(150));
}

/// S1 led term 1, and leads again in term 3. A follower answers one of S1's term-1 heartbeats
/// late, stamped with term 3 and echoing that heartbeat's round number, which S1 has reused
/// in term 3. Dissertation §6.4: only a round of the current term, sent after the read
/// arrived, confirms it.
fn leader_again_in_term_3(config: Config) -> Node {
    let mut n1 = node_with(1, 3, 2, &[1, 2], config);
    let _ = make_leader(&mut n1, 0); // term 3, no-op at index 3, round 1
    let _ = deliver(&mut n1, 1, 2, 3, ae_ok(3, 1, 3)); // the no-op commits
    assert_eq!(n1.commit_index(), 3);
    n1
}

#[test]
fn an_answer_to_a_round_of_an_earlier_term_confirms_no_read() {
    let mut n1 = leader_again_in_term_3(cfg());
    let effects = n1.step(10, Input::ClientRequest { id: id(1), command: get("k") });
    assert_eq!(sends(&effects)[0].body, ae(3, 3, vec![], 3, 2)); // round 2 of term 3
    // S3 answers the term-1 heartbeat of round 2, in term 3: not an acknowledgement.
    assert_eq!(deliver(&mut n1, 11, 3, 3, ae_reject(None, 0, 2, 1)), vec![]);
    // Its own round, answered in term 3, is.
    let effects = deliver(&mut n1, 12, 3, 3, ae_ok(3, 2, 3));
    assert_eq!(replies(&effects), vec![(id(1), value(None))]);
    // Bug::ReadIndexAnyTerm: the stale answer alone confirms the read.
    let mut bug = leader_again_in_term_3(Config { bugs: vec![Bug::ReadIndexAnyTerm], ..cfg() });
    let _ = bug.step(10, Input::ClientRequest { id: id(1), command: get("k") });
    let effects = deliver(&mut bug, 11, 3, 3, ae_reject(None, 0, 2, 1));
    assert_eq!(replies(&effects), vec![(id(1), value(None))]);
}

#[test]
fn an_answer_to_an_earlier_term_extends_no_lease_and_no_check_quorum() {
    let config = Config { reads: ReadMode::Lease, check_quorum: true, ..cfg() };
    let mut n1 = leader_again_in_term_3(config.clone());
    assert!(n1.lease_valid(149) && !n1.lease_valid(150), "S2 acknowledged round 1, sent at 0");
    let _ = n1.step(100, Input::HeartbeatTimeout); // round 2, sent at 100
    let _ = n1.step(150, Input::ElectionTimeout); // CheckQuorum: S2 was heard; starts afresh
    // Only stale answers (of term-1 rounds 2 and 3) come back, from both followers.
    for from in [2, 3] {
        let _ = deliver(&mut n1, 160, from, 3, ae_reject(None, 0, 2, 1));
        let _ = deliver(&mut n1, 160, from, 3, MessageBody::InstallSnapshotResponse { last_index: 0, read_ctx: 2, read_term: 1 });
    }
    assert!(!n1.lease_valid(160), "the lease was not renewed");
    let effects = n1.step(300, Input::ElectionTimeout);
    assert_eq!(n1.role(), Role::Follower, "CheckQuorum heard from nobody: {effects:?}");
    // With the bug, the same answers renew the lease and keep the leader in place.
    let mut bug = leader_again_in_term_3(Config { bugs: vec![Bug::ReadIndexAnyTerm], ..config });
    let _ = bug.step(100, Input::HeartbeatTimeout);
    let _ = bug.step(150, Input::ElectionTimeout);
    for from in [2, 3] {
        let _ = deliver(&mut bug, 160, from, 3, ae_reject(None, 0, 2, 1));
    }
    assert!(bug.lease_valid(160));
    let _ = bug.step(300, Input::ElectionTimeout);
    assert_eq!(bug.role(), Role::Leader);
}

/// S2 follows S1 in term 1 (heard at t=100), then learns term 2 from a late answer to an old
/// request of its own. Its memory of S1 must survive, or it votes within S1's lease (§4.2.3).
fn follower_that_learnt_term_2_from_a_response(config: Config) -> Node {
    let mut n2 = node_with(2, 3, 1, &[], config);
    let _ = deliver(&mut n2, 100, 1, 1, ae(0, 0, vec![], 0, 1));
    let _ = deliver(&mut n2, 120, 3, 2, vote(false));
    assert_eq!((n2.term(), n2.role()), (2, Role::Follower));
    n2
}

#[test]
fn the_memory_of_a_live_leader_survives_a_term_learnt_from_a_response() {
    for config in [Config { reads: ReadMode::Lease, ..cfg() }, cq_cfg()] {
        let mut n2 = follower_that_learnt_term_2_from_a_response(config.clone());
        // S3 campaigns in term 2 (the term S2 is now in) and in term 3: both ignored.
        assert_eq!(deliver(&mut n2, 200, 3, 2, rv(0, 0)), vec![send(2, 3, 2, vote(false))]);
        assert_eq!(deliver(&mut n2, 200, 3, 3, rv(0, 0)), vec![]);
        assert_eq!(n2.voted_for(), None);
        // A transfer election is heard; and so is anyone once the leader's time is up.
        let transfer = MessageBody::RequestVote { last_log_index: 0, last_log_term: 0, transfer: true };
        assert_eq!(deliver(&mut n2.clone(), 200, 3, 2, transfer).last(), Some(&send(2, 3, 2, vote(true))));
        assert_eq!(deliver(&mut n2, 250, 3, 2, rv(0, 0)).last(), Some(&send(2, 3, 2, vote(true))));
        // Bug::LeaseForgetLeader: the new term wiped the memory, the vote goes at once.
        let mut bug = follower_that_learnt_term_2_from_a_response(Config { bugs: vec![Bug::LeaseForgetLeader], ..config });
        assert_eq!(deliver(&mut bug, 200, 3, 2, rv(0, 0)).last(), Some(&send(2, 3, 2, vote(true))));
    }
}

#[test]
fn bug_stale_read_answers_without_confirmation() {
    let mut n1 = node_with(1, 3, 0, &[], Config { bugs: vec![Bug::StaleRead], ..cfg() });
    let _ = make_leader(&mut n1, 0);
    // Nothing confirmed, nothing committed: answered anyway.
    let effects = n1.step(1, Input::ClientRequest { id: id(1), command: get("k") });
    assert_eq!(effects, vec![ClientReply { id: id(1), reply: value(None) }]);
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

// ---- snapshots -----------------------------------------------------------------------------

#[test]
fn compaction_after_every_n_applied_entries() {
    let (mut n1, _) = Node::new(1, vec![1], Config { snapshot_every: 2, ..cfg() });
    let _ = n1.step(0, Input::ElectionTimeout); // noop at 1
    let effects = n1.step(1, Input::ClientRequest { id: id(1), command: put("a", "1") });
    assert_eq!(
        effects,
        vec![
            PersistLog { from: 2 },
            Committed { index: 2 },
            Applied { index: 2, term: 1 },
            ClientReply { id: id(1), reply: Reply::Result(ClientResult::Done) },
        ]
    );
    // Compaction waits for the next step, so the applied entry can still be read now.
    assert_eq!(n1.log().entry(2).unwrap().data.to_string(), "put a 1");
    assert_eq!(n1.step(50, Input::HeartbeatTimeout), vec![PersistSnapshot { last_index: 2 }, SetHeartbeatTimer]);
    let snapshot = n1.log().snapshot().unwrap();
    assert_eq!((snapshot.last_index, snapshot.last_term, snapshot.voters.clone()), (2, 1, vec![1]));
    assert_eq!(snapshot.state.data, vec![("a".to_string(), "1".to_string())]);
    assert_eq!(snapshot.state.sessions, vec![(1, 1, ClientResult::Done)]);
    assert_eq!(n1.log().entries(), &[]);
    // Restart rebuilds the state machine from the snapshot.
    let (n1, _) = Node::restart(1, n1.durable(), vec![1], cfg());
    assert_eq!((n1.commit_index(), n1.last_applied()), (2, 2));
    assert_eq!(n1.kv().get("a"), Some("1"));
}

#[test]
fn lagging_follower_gets_an_install_snapshot() {
    let mut c = Cluster::new(3, Config { snapshot_every: 3, ..cfg() });
    c.elect(1);
    c.isolated.insert(3);
    for k in 1..=4 {
        let _ = c.request(1, k, put(&format!("k{k}"), "v"));
        c.deliver_all();
    }
    assert_eq!(c.node(1).log().snapshot_index(), 3);
    c.isolated.clear();
    let effects = c.step(1, Input::HeartbeatTimeout);
    let to_s3: Vec<Message> = sends(&effects).into_iter().filter(|m| m.to == 3).collect();
    assert!(matches!(to_s3[0].body, MessageBody::InstallSnapshot { .. }));
    // The follower installs it.
    let m = to_s3[0].clone();
    let MessageBody::InstallSnapshot { read_ctx, .. } = m.body else { unreachable!() };
    let effects = c.nodes.get_mut(&3).unwrap().step(c.now, Input::Message(m));
    let response = MessageBody::InstallSnapshotResponse { last_index: 3, read_ctx, read_term: 1 };
    assert_eq!(
        effects,
        vec![
            ResetElectionTimer,
            PersistSnapshot { last_index: 3 },
            PersistLog { from: 4 },
            Committed { index: 3 },
            send(3, 1, 1, response.clone()),
        ]
    );
    c.inflight.clear();
    c.inflight.push_back(msg(3, 1, 1, response));
    c.deliver_all();
    c.heartbeat(1);
    assert_eq!(c.node(3).commit_index(), 5);
    assert_eq!(c.node(3).kv().pairs(), c.node(1).kv().pairs());
}

#[test]
fn install_snapshot_keeps_a_matching_suffix() {
    let mut n2 = node_with(2, 3, 1, &[1, 1, 1, 1], cfg());
    let snapshot = Snapshot { last_index: 2, last_term: 1, voters: vec![1, 2, 3], state: KvStateData::default() };
    let effects = deliver(&mut n2, 0, 1, 1, MessageBody::InstallSnapshot { snapshot, read_ctx: 4 });
    assert_eq!(
        effects,
        vec![
            ResetElectionTimer,
            PersistSnapshot { last_index: 2 },
            Committed { index: 2 },
            send(2, 1, 1, MessageBody::InstallSnapshotResponse { last_index: 2, read_ctx: 4, read_term: 1 }),
        ]
    );
    assert_eq!((n2.log().first_index(), n2.log().last_index()), (3, 4));
}

#[test]
fn old_snapshot_is_not_installed() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    c.heartbeat(1);
    let snapshot = Snapshot { last_index: 1, last_term: 1, voters: vec![1, 2, 3], state: KvStateData::default() };
    let n2 = c.nodes.get_mut(&2).unwrap();
    let effects = deliver(n2, 0, 1, 1, MessageBody::InstallSnapshot { snapshot, read_ctx: 9 });
    assert_eq!(
        effects,
        vec![ResetElectionTimer, send(2, 1, 1, MessageBody::InstallSnapshotResponse { last_index: 1, read_ctx: 9, read_term: 1 })]
    );
    assert!(n2.log().snapshot().is_none());
}

// ---- membership (dissertation §4.1) ---------------------------------------------------------

fn add_s4(c: &mut Cluster) {
    let (n4, _) = Node::new(4, vec![], cfg());
    c.nodes.insert(4, n4);
}

#[test]
fn add_server_catches_up_as_learner_then_joins() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    add_s4(&mut c);
    let effects = c.step(1, Input::AddServer { id: 4 });
    assert_eq!(effects, vec![send(1, 4, 1, ae(2, 1, vec![], 2, 1))]);
    assert!(c.node(1).progress()[2].learner);
    assert_eq!(c.node(1).voters(), &[1, 2, 3]);
    // S4 is too short, catches up, then the leader appends the new configuration.
    c.deliver_all();
    assert_eq!(c.node(1).voters(), &[1, 2, 3, 4]);
    assert!(!c.node(1).progress()[2].learner);
    c.heartbeat(1);
    for n in c.nodes.values() {
        assert_eq!(n.voters(), &[1, 2, 3, 4]);
        assert_eq!(n.commit_index(), 3);
        assert_eq!(n.kv().get("a"), Some("1"));
    }
}

#[test]
fn membership_refusals() {
    let mut c = Cluster::new(3, cfg());
    let refused = |c: &mut Cluster, at: NodeId, input: Input| match c.step(at, input).as_slice() {
        [Refused { reason }] => reason.clone(),
        other => panic!("not refused: {other:?}"),
    };
    assert_eq!(refused(&mut c, 2, Input::AddServer { id: 4 }), "S2 is not the leader");
    c.elect(1);
    // A new leader whose no-op has not committed yet (the 2015 fix to §4.1).
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    let r = n1.step(0, Input::AddServer { id: 4 });
    assert_eq!(r, vec![Refused { reason: "S1 has not committed an entry of its term 1 yet".into() }]);
    add_s4(&mut c);
    assert_eq!(refused(&mut c, 1, Input::AddServer { id: 2 }), "S2 is already a voter");
    assert_eq!(refused(&mut c, 1, Input::RemoveServer { id: 4 }), "S4 is not a voter");
    // A learner catching up blocks other changes.
    c.isolated.insert(4);
    let _ = c.step(1, Input::AddServer { id: 4 });
    assert_eq!(refused(&mut c, 1, Input::RemoveServer { id: 3 }), "S4 is still catching up to join");
    assert_eq!(refused(&mut c, 1, Input::AddServer { id: 4 }), "S4 is still catching up to join");
    // Removing the learner cancels its addition: no entry, and changes are possible again.
    assert_eq!(c.step(1, Input::RemoveServer { id: 4 }), vec![]);
    assert_eq!(c.node(1).progress().len(), 2);
    assert_eq!(c.step(1, Input::HeartbeatTimeout).len(), 3, "no more messages to S4");
    let (mut solo, _) = Node::new(1, vec![1], cfg());
    let _ = solo.step(0, Input::ElectionTimeout);
    assert_eq!(
        solo.step(1, Input::RemoveServer { id: 1 }),
        vec![Refused { reason: "cannot remove the last voter".into() }]
    );
}

#[test]
fn only_one_uncommitted_configuration_at_a_time() {
    let mut c = Cluster::new(5, cfg());
    c.elect(1);
    c.isolated.extend([2, 3, 4, 5]);
    let _ = c.step(1, Input::RemoveServer { id: 5 });
    assert_eq!(c.node(1).voters(), &[1, 2, 3, 4], "in force as soon as it is in the log");
    let r = c.step(1, Input::RemoveServer { id: 4 });
    assert_eq!(r, vec![Refused { reason: "the configuration at index 2 is not committed yet".into() }]);
}

#[test]
fn a_removed_server_hears_of_its_removal_then_gets_no_more_messages() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let effects = c.step(1, Input::RemoveServer { id: 3 });
    assert_eq!(effects[0], PersistLog { from: 2 });
    // S3 still gets the configuration without it, so that it learns it is out.
    assert_eq!(sends(&effects).iter().map(|m| m.to).collect::<Vec<_>>(), vec![2, 3]);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
    assert_eq!(c.node(3).voters(), &[1, 2]);
    assert_eq!(c.step(3, Input::ElectionTimeout), vec![ResetElectionTimer], "a removed server never campaigns");
    let effects = c.step(1, Input::HeartbeatTimeout);
    assert_eq!(sends(&effects).iter().map(|m| m.to).collect::<Vec<_>>(), vec![2]);
}

#[test]
fn a_removed_servers_answers_do_not_count_towards_the_majority() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.step(1, Input::RemoveServer { id: 2 });
    // Only S2, which is leaving, answers: the new configuration {S1, S3} needs S3.
    c.inflight.retain(|m| m.to == 2);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 1);
    let effects = c.step(1, Input::HeartbeatTimeout);
    assert_eq!(sends(&effects).iter().map(|m| m.to).collect::<Vec<_>>(), vec![2, 3]);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
}

#[test]
fn removed_leader_leads_until_the_change_commits_then_steps_down() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let effects = c.step(1, Input::RemoveServer { id: 1 });
    assert_eq!(c.node(1).voters(), &[2, 3]);
    assert_eq!(c.node(1).role(), Role::Leader);
    let config_ae = |to| send(1, to, 1, ae(1, 1, vec![Entry { index: 2, term: 1, data: EntryData::Config { voters: vec![2, 3] } }], 1, 1));
    assert_eq!(effects, vec![PersistLog { from: 2 }, config_ae(2), config_ae(3)]);
    // S2's ack alone is not enough: the leader no longer counts itself.
    c.inflight.retain(|m| m.to == 2);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 1);
    assert_eq!(c.node(1).role(), Role::Leader);
    let _ = c.step(1, Input::HeartbeatTimeout);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
    assert_eq!(c.node(1).role(), Role::Follower);
    assert_eq!(c.step(1, Input::ElectionTimeout), vec![ResetElectionTimer], "no longer campaigns");
    c.elect(2);
    assert_eq!(c.node(2).term(), 2);
}

#[test]
fn truncating_a_configuration_entry_reverts_it() {
    let mut n2 = node_with(2, 3, 1, &[1], cfg());
    let config = Entry { index: 2, term: 1, data: EntryData::Config { voters: vec![1, 2] } };
    let _ = deliver(&mut n2, 0, 1, 1, ae(1, 1, vec![config], 0, 1));
    assert_eq!(n2.voters(), &[1, 2]);
    let _ = deliver(&mut n2, 1, 3, 2, ae(1, 1, vec![noop(2, 2)], 0, 1));
    assert_eq!(n2.voters(), &[1, 2, 3]);
}

// ---- leadership transfer (§3.10) ------------------------------------------------------------

#[test]
fn transfer_to_an_up_to_date_voter() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let effects = c.step(1, Input::TransferLeadership { to: 2 });
    assert_eq!(effects, vec![send(1, 2, 1, MessageBody::TimeoutNow)]);
    // The target starts an election at once, marked as a transfer, skipping pre-vote.
    c.inflight.clear();
    let n2 = c.nodes.get_mut(&2).unwrap();
    let mut n2_cfg = cfg();
    n2_cfg.prevote = true;
    n2.set_config(n2_cfg);
    let effects = deliver(n2, 1, 1, 1, MessageBody::TimeoutNow);
    let transfer_rv = MessageBody::RequestVote { last_log_index: 1, last_log_term: 1, transfer: true };
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Candidate, term: 2 },
            ResetElectionTimer,
            send(2, 1, 2, transfer_rv.clone()),
            send(2, 3, 2, transfer_rv),
        ]
    );
    for e in effects {
        if let Send(m) = e {
            c.inflight.push_back(m);
        }
    }
    c.deliver_all();
    assert_eq!(c.node(2).role(), Role::Leader);
    assert_eq!(c.node(1).role(), Role::Follower);
}

#[test]
fn transfer_catches_the_target_up_first_and_refuses_writes_meanwhile() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    c.isolated.insert(3);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    c.isolated.clear();
    c.now = 10;
    let effects = c.step(1, Input::TransferLeadership { to: 3 });
    assert_eq!(sends(&effects).len(), 1);
    assert!(matches!(sends(&effects)[0].body, MessageBody::AppendEntries { .. }));
    assert_eq!(c.node(1).transfer_target(), Some(3));
    let r = c.request(1, 2, put("b", "2"));
    assert_eq!(r, vec![ClientReply { id: id(2), reply: Reply::NotLeader { hint: None } }]);
    c.deliver_all();
    assert_eq!(c.node(3).role(), Role::Leader);
    assert_eq!(c.node(3).term(), 2);
}

#[test]
fn transfer_aborts_after_an_election_timeout() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    c.isolated.insert(3);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    c.now = 10;
    let _ = c.step(1, Input::TransferLeadership { to: 3 });
    c.deliver_all();
    c.now = 159;
    c.heartbeat(1);
    assert_eq!(c.node(1).transfer_target(), Some(3));
    c.now = 160;
    let effects = c.step(1, Input::HeartbeatTimeout);
    assert_eq!(effects[0], Refused { reason: "transfer to S3 did not complete within 150ms: aborted".into() });
    assert_eq!(c.node(1).transfer_target(), None);
    c.deliver_all();
    // Normal service resumes.
    let _ = c.request(1, 2, put("b", "2"));
    c.deliver_all();
    assert_eq!(c.reply_to(2), Some(Reply::Result(ClientResult::Done)));
}

#[test]
fn transfer_refusals() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let one = |c: &mut Cluster, at, to| c.step(at, Input::TransferLeadership { to });
    assert_eq!(one(&mut c, 2, 3), vec![Refused { reason: "S2 is not the leader".into() }]);
    assert_eq!(one(&mut c, 1, 1), vec![Refused { reason: "S1 is already the leader".into() }]);
    assert_eq!(one(&mut c, 1, 7), vec![Refused { reason: "S7 is not a voter".into() }]);
    c.isolated.insert(3);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    let _ = one(&mut c, 1, 3);
    assert_eq!(one(&mut c, 1, 2), vec![Refused { reason: "a transfer to S3 is in progress".into() }]);
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

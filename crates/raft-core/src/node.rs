//! The Raft state machine of one server.
//!
//! Layout (after etcd/raft and raft-rs):
//! * [`Node::step`] is the single entry point. For a message it first applies the rules common
//!   to every role (terms, Figure 2 "Rules for Servers"), then hands over to `step_follower`,
//!   `step_pre_candidate`, `step_candidate` or `step_leader`.
//! * Role changes are the `become_*` functions: they assert that the move is legal, set a few
//!   fields and emit `RoleChanged`. Protocol decisions stay in the `step_*`/`handle_*` code.
//! * Effects are pushed to `self.out` in the order the caller must carry them out, and drained
//!   at the end of `step`.
//! * Durable state (Figure 2, "persistent state"): `term`, `voted_for`, `log`. Everything else is
//!   volatile and lost by a crash (see [`Node::restart`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::effect::{ClientReply, Effect};
use crate::kv::KvState;
use crate::log::Log;
use crate::message::{Message, MessageBody};
use crate::quorum::{self};
use crate::role::Role;
use crate::types::*;

mod election;

/// Everything that can happen to a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The election timer fired (followers and candidates campaign; a leader with CheckQuorum
    /// checks that it heard from a majority since the last time).
    ElectionTimeout,
    /// The heartbeat timer fired (leaders only).
    HeartbeatTimeout,
    Message(Message),
    /// A client command arrives at this server.
    ClientRequest { id: RequestId, command: Command },
    /// Admin: hand leadership to `to` (§3.10). Only meaningful on the leader.
    TransferLeadership { to: NodeId },
    /// Admin: add a server (it first catches up as a non-voter, then becomes a voter).
    AddServer { id: NodeId },
    /// Admin: remove a server from the voter set.
    RemoveServer { id: NodeId },
}

/// The leader's view of one follower (Figure 2, "volatile state on leaders").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub id: NodeId,
    pub next_index: Index,
    pub match_index: Index,
    /// A non-voter catching up before it joins the voter set.
    pub learner: bool,
}

/// How many heartbeat rounds' send times a leader remembers for the lease. Older rounds are
/// forgotten; an acknowledgement of a forgotten round simply does not extend the lease.
const ROUND_HISTORY_MAX: usize = 256;

/// Role-specific state lives inside the role.
#[derive(Clone, Debug)]
enum RoleState {
    Follower,
    PreCandidate(Campaign),
    Candidate(Campaign),
    Leader(Box<LeaderState>),
}

/// Votes gathered by a (pre-)campaign. Only voters' answers count (see `quorum::vote_result`).
#[derive(Clone, Debug, Default)]
struct Campaign {
    granted: BTreeSet<NodeId>,
    rejected: BTreeSet<NodeId>,
}

#[derive(Clone, Debug)]
struct LeaderState {
    /// The voters that elected it (itself included): what it knew when it won, kept for viewers.
    elected_by: Vec<NodeId>,
    /// Every other voter, plus a learner being added. Sorted by id, so iteration is
    /// deterministic.
    progress: BTreeMap<NodeId, Progress>,
    /// Servers heard from (any response of this term) since the last election timeout
    /// (CheckQuorum, dissertation §6.2).
    recent_active: BTreeSet<NodeId>,
    /// The current heartbeat round. Every broadcast (heartbeat or ReadIndex) starts a new one.
    read_ctx: u64,
    /// round -> when it was sent; the lease is measured from these send times.
    round_sent_ms: BTreeMap<u64, TimeMs>,
    /// The highest round each follower acknowledged.
    acked_ctx: BTreeMap<NodeId, u64>,
    /// The latest send time of a round each follower acknowledged.
    acked_sent_ms: BTreeMap<NodeId, TimeMs>,
    /// Client entries in the log waiting to be applied: index -> request.
    pending_writes: BTreeMap<Index, RequestId>,
    /// ReadIndex reads waiting for their heartbeat round and for the state machine.
    pending_reads: Vec<PendingRead>,
    /// Reads that arrived before an entry of this term committed (§6.4): they wait for it.
    reads_awaiting_commit: Vec<(RequestId, String)>,
    transfer: Option<Transfer>,
    /// Set once TimeoutNow was sent: the target may be elected without waiting for our lease
    /// to expire (transfer votes bypass §4.2.3), so the lease is unsafe for the rest of this term.
    lease_revoked: bool,
}

#[derive(Clone, Debug)]
struct PendingRead {
    id: RequestId,
    key: String,
    read_index: Index,
    ctx: u64,
}

#[derive(Clone, Copy, Debug)]
struct Transfer {
    to: NodeId,
    started_ms: TimeMs,
}

#[derive(Clone, Debug)]
pub struct Node {
    id: NodeId,
    config: Config,

    // Durable (Figure 2, "persistent state on all servers").
    term: Term,
    voted_for: Option<NodeId>,
    log: Log,

    // Volatile.
    /// The configuration a server starts with, used until its log holds a configuration.
    initial_voters: Vec<NodeId>,
    /// The voter set in force: the latest configuration in the log (dissertation §4.1).
    voters: Vec<NodeId>,
    commit_index: Index,
    last_applied: Index,
    kv: KvState,
    /// The leader of the current term, when known.
    leader_id: Option<NodeId>,
    /// When this server last heard from a leader (of its current term or an earlier one: a
    /// term learnt from a response does not make it forget). Cleared when it campaigns.
    leader_contact_ms: Option<TimeMs>,
    /// After a restart a server does not remember when it last heard from a leader, so under the
    /// §4.2.3 rule it ignores vote requests until its first election timeout (which is at
    /// least the minimum election timeout away). Without this, a restarted follower could help
    /// elect a new leader while the old leader's lease, which counted on it, still runs.
    quiet_after_restart: bool,
    role: RoleState,

    /// Effects of the step in progress.
    out: Vec<Effect>,
}

impl Node {
    // ---- construction -----------------------------------------------------------------------

    /// A brand-new server with an empty log. `voters` is the initial configuration (empty for a
    /// server that will be added later and must not campaign until it learns it is a voter).
    /// The caller must carry out the returned effects (it arms the election timer).
    pub fn new(id: NodeId, voters: Vec<NodeId>, config: Config) -> (Node, Vec<Effect>) {
        let durable = Durable { term: 0, voted_for: None, log: Log::default() };
        let mut node = Node::build(id, durable, voters, config);
        node.out.push(Effect::ResetElectionTimer);
        node.validate();
        let effects = std::mem::take(&mut node.out);
        (node, effects)
    }

    /// A server starting again after a crash from what it had persisted. Volatile state
    /// (commit index, role, leader state) starts afresh; the state machine is rebuilt from the
    /// snapshot, and entries are re-applied as the commit index is learned again.
    /// With `Bug::ForgetVote` the vote is lost.
    pub fn restart(id: NodeId, durable: Durable, initial_voters: Vec<NodeId>, config: Config) -> (Node, Vec<Effect>) {
        let mut durable = durable;
        let mut forgot = false;
        if config.has_bug(Bug::ForgetVote) && durable.voted_for.is_some() {
            // Bug::ForgetVote: the vote was never really made durable, so the restarted server
            // may vote again in the same term (breaks election safety, Figure 3).
            durable.voted_for = None;
            forgot = true;
        }
        let mut node = Node::build(id, durable, initial_voters, config);
        node.quiet_after_restart = true;
        if forgot {
            node.out.push(Effect::PersistHardState);
        }
        node.out.push(Effect::ResetElectionTimer);
        node.validate();
        let effects = std::mem::take(&mut node.out);
        (node, effects)
    }

    fn build(id: NodeId, durable: Durable, initial_voters: Vec<NodeId>, config: Config) -> Node {
        assert!(id >= 1, "server ids start at 1");
        let snapshot_index = durable.log.snapshot_index();
        let kv = durable.log.snapshot().map(|s| KvState::from_data(&s.state)).unwrap_or_default();
        let mut node = Node {
            id,
            config,
            term: durable.term,
            voted_for: durable.voted_for,
            log: durable.log,
            initial_voters,
            voters: Vec::new(),
            commit_index: snapshot_index,
            last_applied: snapshot_index,
            kv,
            leader_id: None,
            leader_contact_ms: None,
            quiet_after_restart: false,
            role: RoleState::Follower,
            out: Vec::new(),
        };
        node.refresh_voters();
        node
    }

    // ---- the entry point --------------------------------------------------------------------

    /// The one entry point for every input. `now` is the simulated time in milliseconds.
    /// The returned effects must be carried out in order (see the crate docs).
    #[must_use = "effects must be carried out"]
    pub fn step(&mut self, now: TimeMs, input: Input) -> Vec<Effect> {
        assert!(self.out.is_empty());
        // Compaction is deferred to the start of the next step, so that every entry reported
        // `Applied` by a step can still be read from the log when that step returns.
        self.maybe_compact();
        match input {
            Input::ElectionTimeout => self.tick_election(now),
            Input::HeartbeatTimeout => self.tick_heartbeat(now),
            Input::Message(m) => self.step_message(now, m),
            Input::ClientRequest { id, command } => self.handle_client_request(now, id, command),
            Input::TransferLeadership { to } => self.handle_transfer_leadership(now, to),
            Input::AddServer { id } => self.handle_add_server(now, id),
            Input::RemoveServer { id } => self.handle_remove_server(now, id),
        }
        #[cfg(any(debug_assertions, test))]
        self.validate();
        std::mem::take(&mut self.out)
    }

    /// Change protocol switches at run time (the scenario language allows settings anywhere).
    /// Takes effect from the next step; nothing in flight is cancelled.
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
    }

    // ---- messages: rules common to every role -----------------------------------------------

    fn step_message(&mut self, now: TimeMs, m: Message) {
        assert_eq!(m.to, self.id, "message delivered to the wrong server");
        assert_ne!(m.from, self.id, "a server does not message itself");
        if m.term > self.term {
            let vote_request = match m.body {
                MessageBody::PreVote { .. } => true,
                MessageBody::RequestVote { transfer, .. } => !transfer,
                _ => false,
            };
            if vote_request && self.ignores_vote_requests(now) {
                // Dissertation §4.2.3: a server that heard from a current leader within the
                // minimum election timeout neither updates its term nor grants its vote. This
                // keeps removed or partitioned servers from disrupting, and makes leases safe.
                return;
            }
            match m.body {
                // §9.6: a pre-vote never changes the receiver's term...
                MessageBody::PreVote { .. } => {}
                // ...nor does a granted answer, which carries the term we *would* take.
                // A rejection carries the voter's real term and is an ordinary higher-term
                // message (as in etcd): we adopt it below.
                MessageBody::PreVoteResponse { granted: true } => {}
                MessageBody::AppendEntries { .. } | MessageBody::InstallSnapshot { .. } | MessageBody::TimeoutNow => {
                    self.become_follower(m.term, Some(m.from))
                }
                _ => self.become_follower(m.term, None),
            }
        } else if m.term < self.term {
            self.reply_stale(m);
            return;
        }
        match self.role() {
            Role::Follower => self.step_follower(now, m),
            Role::PreCandidate => self.step_pre_candidate(now, m),
            Role::Candidate => self.step_candidate(now, m),
            Role::Leader => self.step_leader(now, m),
        }
    }

    /// A message from an older term (Figure 2: "reply false if term < currentTerm"). Requests
    /// are answered with our term so the sender learns it is stale; responses are dropped.
    fn reply_stale(&mut self, m: Message) {
        let body = match m.body {
            MessageBody::PreVote { .. } => MessageBody::PreVoteResponse { granted: false },
            MessageBody::RequestVote { .. } => MessageBody::RequestVoteResponse { granted: false },
            // The round we echo is of the request's (older) term, not of ours: say so, or a
            // server that leads our term later would take this for an answer to its own round.
            MessageBody::AppendEntries { read_ctx, .. } => MessageBody::AppendEntriesResponse {
                success: false,
                match_index: 0,
                conflict_term: None,
                conflict_index: 0,
                read_ctx,
                read_term: m.term,
            },
            MessageBody::InstallSnapshot { read_ctx, .. } => {
                MessageBody::InstallSnapshotResponse { last_index: 0, read_ctx, read_term: m.term }
            }
            _ => return,
        };
        self.send(m.from, body);
    }

    // ---- messages: per role -----------------------------------------------------------------
    // On entry, m.term >= self.term (and == unless a PreVote or a granted PreVoteResponse).
    // The handlers live with their phase: election.rs, replication.rs, transfer.rs.

    fn step_follower(&mut self, now: TimeMs, m: Message) {
        match m.body {
            MessageBody::PreVote { .. } => self.handle_pre_vote(now, m),
            MessageBody::RequestVote { .. } => self.handle_request_vote(now, m),
            MessageBody::AppendEntries { .. } => self.handle_append_entries(now, m),
            MessageBody::InstallSnapshot { .. } => self.handle_install_snapshot(now, m),
            MessageBody::TimeoutNow => self.handle_timeout_now(now),
            // Answers to a campaign or leadership we no longer hold.
            MessageBody::PreVoteResponse { .. }
            | MessageBody::RequestVoteResponse { .. }
            | MessageBody::AppendEntriesResponse { .. }
            | MessageBody::InstallSnapshotResponse { .. } => {}
        }
    }

    fn step_pre_candidate(&mut self, now: TimeMs, m: Message) {
        match m.body {
            MessageBody::PreVote { .. } => self.handle_pre_vote(now, m),
            MessageBody::RequestVote { .. } => self.handle_request_vote(now, m),
            MessageBody::AppendEntries { .. } | MessageBody::InstallSnapshot { .. } => {
                // A leader of our term exists: stop campaigning.
                self.become_follower(m.term, Some(m.from));
                self.step_follower(now, m);
            }
            MessageBody::TimeoutNow => self.handle_timeout_now(now),
            MessageBody::PreVoteResponse { granted } => {
                // A grant carries the term we asked about (ours + 1); a rejection our term.
                let RoleState::PreCandidate(c) = &mut self.role else { unreachable!() };
                match (granted, m.term == self.term + 1, m.term == self.term) {
                    (true, true, _) => c.granted.insert(m.from),
                    (false, _, true) => c.rejected.insert(m.from),
                    _ => return, // an answer to an older pre-campaign
                };
                self.check_campaign(now);
            }
            MessageBody::RequestVoteResponse { .. }
            | MessageBody::AppendEntriesResponse { .. }
            | MessageBody::InstallSnapshotResponse { .. } => {}
        }
    }

    fn step_candidate(&mut self, now: TimeMs, m: Message) {
        match m.body {
            MessageBody::PreVote { .. } => self.handle_pre_vote(now, m),
            MessageBody::RequestVote { .. } => self.handle_request_vote(now, m),
            MessageBody::AppendEntries { .. } | MessageBody::InstallSnapshot { .. } => {
                // Figure 2: "If AppendEntries RPC received from new leader: convert to follower".
                self.become_follower(m.term, Some(m.from));
                self.step_follower(now, m);
            }
            MessageBody::RequestVoteResponse { granted } => {
                let RoleState::Candidate(c) = &mut self.role else { unreachable!() };
                if granted {
                    c.granted.insert(m.from);
                } else {
                    c.rejected.insert(m.from);
                }
                self.check_campaign(now);
            }
            MessageBody::TimeoutNow
            | MessageBody::PreVoteResponse { .. }
            | MessageBody::AppendEntriesResponse { .. }
            | MessageBody::InstallSnapshotResponse { .. } => {}
        }
    }

    fn step_leader(&mut self, now: TimeMs, m: Message) {
        match m.body {
            MessageBody::PreVote { .. } => self.handle_pre_vote(now, m),
            MessageBody::RequestVote { .. } => self.handle_request_vote(now, m),
            // An answer to a request we sent in an earlier term (stamped with the responder's
            // newer term, which we have since reached and lead): it acknowledges no round of
            // ours, proves nothing about our leadership now, and its log hint is stale.
            // Dissertation §6.4: only rounds of the current term confirm a read.
            MessageBody::AppendEntriesResponse { read_term, .. } | MessageBody::InstallSnapshotResponse { read_term, .. }
                if read_term != self.term && !self.config.has_bug(Bug::ReadIndexAnyTerm) => {}
            MessageBody::AppendEntriesResponse { success, match_index, conflict_term, conflict_index, read_ctx, .. } => {
                self.handle_append_response(now, m.from, success, match_index, conflict_term, conflict_index, read_ctx)
            }
            MessageBody::InstallSnapshotResponse { last_index, read_ctx, .. } => {
                self.handle_snapshot_response(now, m.from, last_index, read_ctx)
            }
            // Another leader in our own term: impossible in Raft (election safety), reachable
            // only with a bug such as SmallQuorum or ForgetVote. Ignore it; the checker reports
            // the violation.
            MessageBody::AppendEntries { .. } | MessageBody::InstallSnapshot { .. } => {}
            MessageBody::TimeoutNow | MessageBody::PreVoteResponse { .. } | MessageBody::RequestVoteResponse { .. } => {}
        }
    }

    // ---- role transitions -------------------------------------------------------------------

    /// Figure 2: "If RPC request or response contains term T > currentTerm: set currentTerm = T,
    /// convert to follower". Also used to step down within a term.
    fn become_follower(&mut self, term: Term, leader: Option<NodeId>) {
        assert!(term >= self.term, "invalid transition: term {} -> {term}", self.term);
        let from = self.role();
        let term_changed = term > self.term;
        if term_changed {
            self.term = term;
            self.voted_for = None;
            self.out.push(Effect::PersistHardState);
        }
        if from == Role::Leader {
            // Pending client requests are dropped silently: they may still commit under the
            // next leader, so "not leader" would be a lie. The client times out and retries,
            // and its session makes the retry safe (§6.3).
            self.out.push(Effect::StopHeartbeatTimer);
        }
        self.role = RoleState::Follower;
        self.leader_id = leader;
        // `leader_contact_ms` survives: "I heard from a leader at t" stays true whatever term we
        // learn next (a response to an old request of ours can teach us one), and the §4.2.3
        // rule that protects that leader's lease depends on it. A campaign of our own clears it.
        if term_changed && self.config.has_bug(Bug::LeaseForgetLeader) {
            // Bug::LeaseForgetLeader: a new term wipes the memory, so we vote within the lease.
            self.leader_contact_ms = None;
        }
        if from != Role::Follower || term_changed {
            self.out.push(Effect::RoleChanged { role: Role::Follower, term: self.term });
        }
    }

    /// Dissertation §9.6: a pre-candidate asks whether it could win before disturbing anyone.
    /// Its term does not change.
    fn become_pre_candidate(&mut self) {
        assert!(self.role() != Role::Leader, "invalid transition [leader -> pre-candidate]");
        assert!(self.voters.contains(&self.id), "a non-voter never campaigns");
        let mut campaign = Campaign::default();
        campaign.granted.insert(self.id);
        self.role = RoleState::PreCandidate(campaign);
        self.leader_id = None;
        self.leader_contact_ms = None;
        self.out.push(Effect::RoleChanged { role: Role::PreCandidate, term: self.term });
        self.out.push(Effect::ResetElectionTimer);
    }

    /// Figure 2, "Candidates": increment currentTerm, vote for self, reset election timer.
    fn become_candidate(&mut self) {
        assert!(self.role() != Role::Leader, "invalid transition [leader -> candidate]");
        assert!(self.voters.contains(&self.id), "a non-voter never campaigns");
        self.term += 1;
        self.voted_for = Some(self.id);
        self.out.push(Effect::PersistHardState);
        let mut campaign = Campaign::default();
        campaign.granted.insert(self.id);
        self.role = RoleState::Candidate(campaign);
        self.leader_id = None;
        self.leader_contact_ms = None;
        self.out.push(Effect::RoleChanged { role: Role::Candidate, term: self.term });
        self.out.push(Effect::ResetElectionTimer);
    }

    /// Figure 2, "Leaders": initialise nextIndex to last log index + 1 and matchIndex to 0,
    /// then send heartbeats. The election timer keeps running for CheckQuorum (§6.2).
    fn become_leader(&mut self, now: TimeMs) {
        let from = self.role();
        assert!(from == Role::Candidate, "invalid transition [{} -> leader]", from.name());
        let next_index = self.log.last_index() + 1;
        let progress = self
            .voters
            .iter()
            .filter(|&&v| v != self.id)
            .map(|&v| (v, Progress { id: v, next_index, match_index: 0, learner: false }))
            .collect();
        let elected_by = self.votes_granted();
        self.role = RoleState::Leader(Box::new(LeaderState {
            elected_by,
            progress,
            recent_active: BTreeSet::new(),
            read_ctx: 0,
            round_sent_ms: BTreeMap::new(),
            acked_ctx: BTreeMap::new(),
            acked_sent_ms: BTreeMap::new(),
            pending_writes: BTreeMap::new(),
            pending_reads: Vec::new(),
            reads_awaiting_commit: Vec::new(),
            transfer: None,
            lease_revoked: false,
        }));
        self.leader_id = Some(self.id);
        self.out.push(Effect::RoleChanged { role: Role::Leader, term: self.term });
        self.out.push(Effect::ResetElectionTimer);
        if self.config.leader_noop {
            // Dissertation §6.4: an entry of the leader's term lets it learn which entries are
            // committed (§5.4.2 forbids counting replicas of older terms).
            self.append_entry(EntryData::Noop);
        }
        // A single-server cluster commits at once.
        self.maybe_commit(now);
        if self.role() == Role::Leader {
            self.broadcast(now);
            self.out.push(Effect::SetHeartbeatTimer);
        }
    }

    // ---- getters ----------------------------------------------------------------------------

    pub fn id(&self) -> NodeId {
        self.id
    }
    pub fn role(&self) -> Role {
        match self.role {
            RoleState::Follower => Role::Follower,
            RoleState::PreCandidate(_) => Role::PreCandidate,
            RoleState::Candidate(_) => Role::Candidate,
            RoleState::Leader(_) => Role::Leader,
        }
    }
    pub fn term(&self) -> Term {
        self.term
    }
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }
    pub fn leader_hint(&self) -> Option<NodeId> {
        self.leader_id
    }
    pub fn commit_index(&self) -> Index {
        self.commit_index
    }
    pub fn last_applied(&self) -> Index {
        self.last_applied
    }
    pub fn log(&self) -> &Log {
        &self.log
    }
    pub fn kv(&self) -> &KvState {
        &self.kv
    }
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// The durable state a crash keeps.
    pub fn durable(&self) -> Durable {
        Durable { term: self.term, voted_for: self.voted_for, log: self.log.clone() }
    }
    /// The voter set in force (the latest configuration entry in the log, committed or not).
    pub fn voters(&self) -> &[NodeId] {
        &self.voters
    }
    /// The leader's per-follower progress, sorted by id; empty unless leader.
    pub fn progress(&self) -> Vec<Progress> {
        match &self.role {
            RoleState::Leader(l) => l.progress.values().cloned().collect(),
            _ => Vec::new(),
        }
    }
    /// Votes received in the current (pre-)campaign, sorted, itself included; for a leader the
    /// votes that elected it; empty for a follower.
    pub fn votes_granted(&self) -> Vec<NodeId> {
        match &self.role {
            RoleState::PreCandidate(c) | RoleState::Candidate(c) => c.granted.iter().copied().collect(),
            RoleState::Leader(l) => l.elected_by.clone(),
            RoleState::Follower => Vec::new(),
        }
    }
    /// The target of a leadership transfer in progress (leader only).
    pub fn transfer_target(&self) -> Option<NodeId> {
        match &self.role {
            RoleState::Leader(l) => l.transfer.map(|t| t.to),
            _ => None,
        }
    }
    /// Whether a leader could answer a `get` from its lease right now (leader only).
    pub fn lease_valid(&self, now: TimeMs) -> bool {
        self.lease_holds(now)
    }

    // ---- invariants -------------------------------------------------------------------------

    /// Debug invariant check, run after every step in debug builds and tests.
    pub fn validate(&self) {
        self.log.validate();
        assert!(self.commit_index <= self.log.last_index(), "commit beyond the log");
        assert!(self.last_applied <= self.commit_index, "applied beyond commit");
        assert_eq!(self.last_applied, self.commit_index, "committed entries are applied at once");
        assert!(self.log.snapshot_index() <= self.last_applied, "snapshot of unapplied entries");
        assert_eq!(self.voters, self.compute_voters(), "stale voter cache");
        match &self.role {
            RoleState::Follower => {}
            RoleState::PreCandidate(c) => assert!(c.granted.contains(&self.id)),
            RoleState::Candidate(c) => {
                assert_eq!(self.voted_for, Some(self.id), "a candidate votes for itself");
                assert!(c.granted.contains(&self.id));
            }
            RoleState::Leader(l) => {
                assert_eq!(self.leader_id, Some(self.id));
                assert!(!l.progress.contains_key(&self.id), "no progress for self");
                // A server being removed keeps its progress until the change commits.
                let leaving = self.log.latest_config_index().is_some_and(|i| i > self.commit_index);
                for (id, p) in &l.progress {
                    assert_eq!(*id, p.id);
                    assert!(p.match_index <= self.log.last_index(), "S{id} matches beyond our log");
                    assert!(p.next_index > p.match_index, "S{id}: next <= match");
                    assert!(p.next_index <= self.log.last_index() + 1, "S{id}: next beyond the log");
                    assert!(p.learner || leaving || self.voters.contains(id), "S{id}: progress for a non-member");
                }
                for v in &self.voters {
                    assert!(*v == self.id || l.progress.contains_key(v), "no progress for voter S{v}");
                }
                assert!(l.progress.values().filter(|p| p.learner).count() <= 1);
                assert!(l.round_sent_ms.len() <= ROUND_HISTORY_MAX);
                assert!(l.pending_writes.keys().all(|&i| i > self.last_applied));
            }
        }
    }

    // ---- helpers shared by every phase ------------------------------------------------------

    fn leader(&self) -> &LeaderState {
        match &self.role {
            RoleState::Leader(l) => l,
            _ => panic!("not leader"),
        }
    }

    fn leader_mut(&mut self) -> &mut LeaderState {
        match &mut self.role {
            RoleState::Leader(l) => l,
            _ => panic!("not leader"),
        }
    }

    /// Whether an entry of the current term is committed (terms only grow along the log, so
    /// it is enough to look at the commit index).
    fn current_term_committed(&self) -> bool {
        self.log.term_at(self.commit_index) == Some(self.term)
    }

    /// Why an admin input cannot proceed on this server at all, if it cannot.
    fn admin_refusal(&self) -> Option<String> {
        match &self.role {
            RoleState::Leader(l) => l.transfer.map(|t| format!("a transfer to {} is in progress", node_name(t.to))),
            _ => Some(format!("{} is not the leader", node_name(self.id))),
        }
    }

    fn refuse(&mut self, reason: String) {
        self.out.push(Effect::Refused { reason });
    }

    fn other_voters(&self) -> Vec<NodeId> {
        self.voters.iter().copied().filter(|&v| v != self.id).collect()
    }

    fn send(&mut self, to: NodeId, body: MessageBody) {
        self.send_at(to, self.term, body);
    }

    fn send_at(&mut self, to: NodeId, term: Term, body: MessageBody) {
        assert_ne!(to, self.id);
        self.out.push(Effect::Send(Message { from: self.id, to, term, body }));
    }

    fn reply(&mut self, id: RequestId, reply: ClientReply) {
        self.out.push(Effect::ClientReply { id, reply });
    }

    // ---- client requests: writes enter the log here -----------------------------------------

    fn handle_client_request(&mut self, now: TimeMs, id: RequestId, command: Command) {
        if self.role() != Role::Leader {
            let hint = self.leader_id;
            self.reply(id, ClientReply::NotLeader { hint });
            return;
        }
        // §6.3: a retry of a request already applied is answered from the session.
        if let Some(result) = self.kv.cached_result(id).cloned() {
            self.reply(id, ClientReply::Result(result));
            return;
        }
        let leader = self.leader();
        if leader.pending_writes.values().any(|w| *w == id)
            || leader.pending_reads.iter().any(|r| r.id == id)
            || leader.reads_awaiting_commit.iter().any(|(r, _)| *r == id)
        {
            return; // a retry of a request in progress: it will be answered once
        }
        let transferring = leader.transfer.is_some();
        match command {
            Command::Get { key } if self.config.has_bug(Bug::StaleRead) => {
                // Bug::StaleRead: answer from our own state without confirming that we are
                // still leader. A deposed leader that has not heard so serves stale data.
                let value = self.kv.get(&key).map(str::to_owned);
                self.reply(id, ClientReply::Result(ClientResult::Value(value)));
            }
            Command::Get { key } if self.config.reads != ReadMode::Log => {
                if self.config.reads == ReadMode::Lease && self.lease_holds(now) {
                    // Dissertation §6.4.1: within the lease no other leader can exist.
                    let value = self.kv.get(&key).map(str::to_owned);
                    self.reply(id, ClientReply::Result(ClientResult::Value(value)));
                } else {
                    self.read_index(now, id, key);
                }
            }
            _ if transferring => {
                // §3.10: no new entries while leadership is being handed over.
                self.reply(id, ClientReply::NotLeader { hint: None });
            }
            command => self.propose(now, id, command),
        }
    }

    /// Put a client command in the log; it is answered when applied.
    fn propose(&mut self, now: TimeMs, id: RequestId, command: Command) {
        let index = self.append_entry(EntryData::Client { id, command });
        self.leader_mut().pending_writes.insert(index, id);
        self.send_append_to_all();
        // The leader's own commit point may move at once (a single-server cluster).
        self.maybe_commit(now);
    }

    // ---- heartbeats -------------------------------------------------------------------------

    /// Figure 2, "Leaders": heartbeats during idle periods prevent election timeouts. Every
    /// heartbeat is a new round, which also confirms leadership for reads (§6.4).
    fn tick_heartbeat(&mut self, now: TimeMs) {
        if self.role() != Role::Leader {
            return; // a stale timer of a former leader
        }
        self.abort_overdue_transfer(now);
        self.broadcast(now);
        self.maybe_send_timeout_now();
        self.out.push(Effect::SetHeartbeatTimer);
    }

    // ---- follower side ----------------------------------------------------------------------

    /// Figure 2, AppendEntries receiver, with the fast-backtracking hint on rejection.
    fn handle_append_entries(&mut self, now: TimeMs, m: Message) {
        let MessageBody::AppendEntries { mut prev_index, mut prev_term, mut entries, leader_commit, read_ctx } = m.body
        else {
            unreachable!()
        };
        assert_eq!(m.term, self.term);
        self.leader_id = Some(m.from);
        self.leader_contact_ms = Some(now);
        self.out.push(Effect::ResetElectionTimer);

        // Entries covered by our snapshot are committed, so they match every leader's log
        // (leader completeness): skip them and check from the snapshot point instead.
        let snapshot_index = self.log.snapshot_index();
        if prev_index < snapshot_index {
            entries.retain(|e| e.index > snapshot_index);
            prev_index = snapshot_index;
            prev_term = self.log.snapshot_term();
        }

        let read_term = m.term;
        let reject = |conflict_term, conflict_index| MessageBody::AppendEntriesResponse {
            success: false,
            match_index: 0,
            conflict_term,
            conflict_index,
            read_ctx,
            read_term,
        };
        if prev_index > self.log.last_index() {
            // Too short: a hole cannot be written, not even with Bug::SkipPrevCheck.
            let body = reject(None, self.log.last_index() + 1);
            self.send(m.from, body);
            return;
        }
        let prev_matches = self.log.term_at(prev_index) == Some(prev_term);
        if !prev_matches && !self.config.has_bug(Bug::SkipPrevCheck) {
            // Offer the term of our conflicting entry and where it starts, so the leader can
            // skip the whole term in one round trip.
            let conflict_term = self.log.term_at(prev_index).expect("prev_index is held");
            let body = reject(Some(conflict_term), self.log.first_index_of_term_run(prev_index));
            self.send(m.from, body);
            return;
        }
        // With Bug::SkipPrevCheck we get here even though prev does not match: the entries are
        // written at their indexes over a log that differs before them.

        let mut first_written: Option<Index> = None;
        let mut last_new = prev_index;
        for entry in entries {
            assert_eq!(entry.index, last_new + 1, "entries of one message are contiguous");
            match self.log.term_at(entry.index) {
                // Already held: never truncate a matching entry because of a stale or
                // duplicated message (the simulator reorders and duplicates).
                Some(t) if t == entry.term => {}
                Some(_) if entry.index <= self.commit_index => {
                    // A conflict with a committed entry: impossible in Raft (leader
                    // completeness), reachable only with a bug. Committed entries are never
                    // undone here; stop and report the match so far.
                    break;
                }
                existing => {
                    if existing.is_some() {
                        // Figure 2: "If an existing entry conflicts with a new one (same index
                        // but different terms), delete the existing entry and all that follow".
                        self.log.truncate_from(entry.index);
                    }
                    if entry.term < self.log.last_term() {
                        // Only after Bug::SkipPrevCheck: the entry does not fit after our
                        // (different) prefix, terms would go backwards. Stop here.
                        break;
                    }
                    first_written.get_or_insert(entry.index);
                    self.log.append(entry);
                }
            }
            last_new += 1;
        }
        if let Some(from) = first_written {
            self.out.push(Effect::PersistLog { from });
            self.refresh_voters();
        }
        // Figure 2: "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of
        // last new entry)".
        let new_commit = leader_commit.min(last_new);
        if new_commit > self.commit_index {
            self.commit_to(now, new_commit);
        }
        self.send(
            m.from,
            MessageBody::AppendEntriesResponse {
                success: true,
                match_index: last_new,
                conflict_term: None,
                conflict_index: 0,
                read_ctx,
                read_term,
            },
        );
    }

    /// Dissertation §5.3: install a snapshot from the leader if it is newer than what we have
    /// committed, keeping any log suffix that follows it.
    fn handle_install_snapshot(&mut self, now: TimeMs, m: Message) {
        let MessageBody::InstallSnapshot { snapshot, read_ctx } = m.body else { unreachable!() };
        assert_eq!(m.term, self.term);
        self.leader_id = Some(m.from);
        self.leader_contact_ms = Some(now);
        self.out.push(Effect::ResetElectionTimer);
        let last_index = snapshot.last_index;
        if last_index <= self.commit_index {
            // Old news: our committed prefix already covers it (and matches the leader's log).
            let body = MessageBody::InstallSnapshotResponse { last_index: self.commit_index, read_ctx, read_term: m.term };
            self.send(m.from, body);
            return;
        }
        self.kv = KvState::from_data(&snapshot.state);
        let kept_suffix = self.log.install_snapshot(snapshot);
        self.out.push(Effect::PersistSnapshot { last_index });
        if !kept_suffix {
            self.out.push(Effect::PersistLog { from: last_index + 1 });
        }
        self.refresh_voters();
        // The state machine jumps to the snapshot: no Applied effects for the entries it covers.
        self.commit_index = last_index;
        self.last_applied = last_index;
        self.out.push(Effect::Committed { index: last_index });
        self.send(m.from, MessageBody::InstallSnapshotResponse { last_index, read_ctx, read_term: m.term });
    }

    // ---- leader side ------------------------------------------------------------------------

    /// Append a new entry of our term to our own log (leader only).
    fn append_entry(&mut self, data: EntryData) -> Index {
        assert_eq!(self.role(), Role::Leader);
        let index = self.log.last_index() + 1;
        let is_config = matches!(data, EntryData::Config { .. });
        self.log.append(Entry { index, term: self.term, data });
        self.out.push(Effect::PersistLog { from: index });
        if is_config {
            // §4.1: a configuration takes effect as soon as it is in the log.
            self.refresh_voters();
            self.sync_progress();
        }
        index
    }

    /// Start a new heartbeat round and send AppendEntries (or a snapshot) to every peer.
    /// Returns the round's number.
    fn broadcast(&mut self, now: TimeMs) -> u64 {
        let leader = self.leader_mut();
        leader.read_ctx += 1;
        let ctx = leader.read_ctx;
        leader.round_sent_ms.insert(ctx, now);
        while leader.round_sent_ms.len() > ROUND_HISTORY_MAX {
            leader.round_sent_ms.pop_first();
        }
        self.send_append_to_all();
        ctx
    }

    fn send_append_to_all(&mut self) {
        let peers: Vec<NodeId> = self.leader().progress.keys().copied().collect();
        for to in peers {
            self.send_append(to);
        }
    }

    /// Send `to` the entries from its next index (at most max_entries_per_append), or the
    /// snapshot when those entries are compacted away.
    fn send_append(&mut self, to: NodeId) {
        let leader = self.leader();
        let read_ctx = leader.read_ctx;
        let next_index = leader.progress[&to].next_index;
        let body = if next_index <= self.log.snapshot_index() {
            let snapshot = self.log.snapshot().expect("compacted entries imply a snapshot").clone();
            MessageBody::InstallSnapshot { snapshot, read_ctx }
        } else {
            let prev_index = next_index - 1;
            MessageBody::AppendEntries {
                prev_index,
                prev_term: self.log.term_at(prev_index).expect("prev is held or is the snapshot point"),
                entries: self.log.entries_from(next_index, self.config.max_entries_per_append),
                leader_commit: self.commit_index,
                read_ctx,
            }
        };
        self.send(to, body);
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_append_response(
        &mut self,
        now: TimeMs,
        from: NodeId,
        success: bool,
        match_index: Index,
        conflict_term: Option<Term>,
        conflict_index: Index,
        read_ctx: u64,
    ) {
        if !self.leader().progress.contains_key(&from) {
            return; // no longer a member
        }
        self.note_ack(from, read_ctx);
        let last_index = self.log.last_index();
        if success {
            // min(): only a second leader of our term (a bug) could claim more than we hold.
            let matched = match_index.min(last_index);
            let pr = self.leader_mut().progress.get_mut(&from).expect("checked above");
            let advanced = matched > pr.match_index;
            if advanced {
                pr.match_index = matched;
            }
            pr.next_index = pr.next_index.max(pr.match_index + 1);
            let behind = pr.match_index < last_index;
            self.after_progress(now, from);
            if advanced && behind && self.is_leader_with_peer(from) {
                // Keep a lagging follower streaming instead of waiting for the next heartbeat.
                self.send_append(from);
            }
        } else {
            // Fast backtracking: if we hold entries of the follower's conflicting term, resume
            // after our last one of that term; otherwise jump to where its term starts (or
            // just past its log when too short). A whole term is skipped per round trip.
            let computed = match conflict_term {
                Some(t) => self.log.last_index_of_term(t).map_or(conflict_index, |i| i + 1),
                None => conflict_index,
            };
            let pr = self.leader_mut().progress.get_mut(&from).expect("checked above");
            let new_next = computed.max(pr.match_index + 1);
            // A duplicated or reordered rejection computes nothing lower: ignore it.
            if new_next < pr.next_index {
                pr.next_index = new_next;
                self.send_append(from);
            }
            self.check_reads();
        }
    }

    fn handle_snapshot_response(&mut self, now: TimeMs, from: NodeId, last_index: Index, read_ctx: u64) {
        if !self.leader().progress.contains_key(&from) {
            return;
        }
        self.note_ack(from, read_ctx);
        let our_last = self.log.last_index();
        let pr = self.leader_mut().progress.get_mut(&from).expect("checked above");
        pr.match_index = pr.match_index.max(last_index.min(our_last));
        pr.next_index = pr.next_index.max(pr.match_index + 1);
        let behind = pr.match_index < our_last;
        self.after_progress(now, from);
        if behind && self.is_leader_with_peer(from) {
            self.send_append(from);
        }
    }

    fn is_leader_with_peer(&self, id: NodeId) -> bool {
        matches!(&self.role, RoleState::Leader(l) if l.progress.contains_key(&id))
    }

    /// After `from`'s match index may have advanced: commit, promote a caught-up learner,
    /// continue a transfer, answer reads.
    fn after_progress(&mut self, now: TimeMs, from: NodeId) {
        self.maybe_commit(now);
        if self.role() != Role::Leader {
            return;
        }
        let commit_index = self.commit_index;
        let learner_ready = self.leader().progress.get(&from).is_some_and(|p| p.learner && p.match_index >= commit_index);
        if learner_ready {
            // Dissertation §4.2.1: the new server caught up as a non-voter; now it joins.
            let mut voters = self.voters.clone();
            voters.push(from);
            voters.sort_unstable();
            self.append_entry(EntryData::Config { voters });
            self.send_append_to_all();
        }
        self.maybe_send_timeout_now();
        self.check_reads();
    }

    // ---- commitment and the state machine ---------------------------------------------------

    /// §5.3/§5.4.2: advance the commit index to the highest index stored on a majority of
    /// voters, but only by counting replicas of an entry of the current term.
    fn maybe_commit(&mut self, now: TimeMs) {
        let leader = self.leader();
        let last_index = self.log.last_index();
        let matches: Vec<Index> = self
            .voters
            .iter()
            .map(|v| if *v == self.id { last_index } else { leader.progress.get(v).map_or(0, |p| p.match_index) })
            .collect();
        let n = quorum::committed_index(&matches, self.config.has_bug(Bug::SmallQuorum));
        if n <= self.commit_index {
            return;
        }
        let current_term = self.log.term_at(n) == Some(self.term);
        // Bug::CommitOldTerms: commit an entry of an earlier term by counting its replicas,
        // which Figure 8 shows can be overwritten later.
        if current_term || self.config.has_bug(Bug::CommitOldTerms) {
            self.commit_to(now, n);
        }
    }

    fn commit_to(&mut self, now: TimeMs, index: Index) {
        assert!(index > self.commit_index && index <= self.log.last_index());
        self.commit_index = index;
        self.out.push(Effect::Committed { index });
        self.apply_committed();
        if self.role() == Role::Leader {
            self.after_leader_commit(now);
        }
    }

    /// Apply committed entries in order, answering the clients waiting on them.
    fn apply_committed(&mut self) {
        while self.last_applied < self.commit_index {
            let index = self.last_applied + 1;
            let entry = self.log.entry(index).expect("committed entries after the snapshot are held").clone();
            let result = match &entry.data {
                EntryData::Client { id, command } => self.kv.apply(*id, command).map(|r| (*id, r)),
                EntryData::Noop | EntryData::Config { .. } => None,
            };
            self.last_applied = index;
            self.out.push(Effect::Applied { index, term: entry.term });
            if let RoleState::Leader(leader) = &mut self.role {
                if let Some(waiting) = leader.pending_writes.remove(&index) {
                    // If another request's entry was applied there, ours was overwritten: drop it.
                    if let Some((id, result)) = result.filter(|(id, _)| *id == waiting) {
                        self.out.push(Effect::ClientReply { id, reply: ClientReply::Result(result) });
                    }
                }
            }
        }
    }

    fn after_leader_commit(&mut self, now: TimeMs) {
        // §4.2.2: a leader removed from the configuration steps down once that configuration
        // is committed (until then it leads without counting itself).
        let config_committed = self.log.latest_config_index().is_none_or(|i| i <= self.commit_index);
        if !self.voters.contains(&self.id) && config_committed {
            self.become_follower(self.term, None);
            return;
        }
        // A server that was leaving is now out: no more messages to it (see sync_progress).
        let leaving = |p: &Progress| !p.learner && !self.voters.contains(&p.id);
        if config_committed && self.leader().progress.values().any(leaving) {
            self.sync_progress();
        }
        // Reads that waited for an entry of this term to commit (§6.4) can start their round.
        if self.current_term_committed() && !self.leader().reads_awaiting_commit.is_empty() {
            let waiting = std::mem::take(&mut self.leader_mut().reads_awaiting_commit);
            let ctx = self.broadcast(now);
            let read_index = self.commit_index;
            let leader = self.leader_mut();
            for (id, key) in waiting {
                leader.pending_reads.push(PendingRead { id, key, read_index, ctx });
            }
        }
        self.check_reads();
    }

    /// Log compaction (dissertation §5.1) once `snapshot_every` entries were applied since the
    /// last snapshot. Run at the start of each step (see `step`).
    fn maybe_compact(&mut self) {
        let every = self.config.snapshot_every;
        if every == 0 || self.last_applied - self.log.snapshot_index() < every {
            return;
        }
        let last_index = self.last_applied;
        let snapshot = Snapshot {
            last_index,
            last_term: self.log.term_at(last_index).expect("applied entries are held"),
            voters: self.log.config_at(last_index).unwrap_or_else(|| self.initial_voters.clone()),
            state: self.kv.to_data(),
        };
        self.log.compact(snapshot);
        self.out.push(Effect::PersistSnapshot { last_index });
    }

    // ---- ReadIndex (§6.4) -------------------------------------------------------------------

    /// ReadIndex (dissertation §6.4).
    fn read_index(&mut self, now: TimeMs, id: RequestId, key: String) {
        if !self.current_term_committed() {
            if self.config.leader_noop {
                // The no-op of our term will commit soon; until then our commit index may be
                // behind the real one. Wait for it.
                self.leader_mut().reads_awaiting_commit.push((id, key));
            } else if self.leader().transfer.is_some() {
                self.reply(id, ClientReply::NotLeader { hint: None });
            } else {
                // Without a no-op nothing makes an entry of this term commit unless a client
                // writes. Serve this read through the log instead: its own entry does it.
                self.propose(now, id, Command::Get { key });
            }
            return;
        }
        let read_index = self.commit_index;
        let ctx = self.broadcast(now);
        self.leader_mut().pending_reads.push(PendingRead { id, key, read_index, ctx });
        self.check_reads();
    }

    /// A follower answered a round: it is alive (CheckQuorum) and acknowledges our leadership
    /// as of round `ctx` (ReadIndex, lease).
    fn note_ack(&mut self, from: NodeId, ctx: u64) {
        let leader = self.leader_mut();
        leader.recent_active.insert(from);
        let acked = leader.acked_ctx.entry(from).or_insert(0);
        *acked = (*acked).max(ctx);
        if let Some(&sent) = leader.round_sent_ms.get(&ctx) {
            let at = leader.acked_sent_ms.entry(from).or_insert(sent);
            *at = (*at).max(sent);
        }
    }

    /// Answer the ReadIndex reads whose round a majority acknowledged and whose read index is
    /// applied, in arrival order.
    fn check_reads(&mut self) {
        let RoleState::Leader(leader) = &mut self.role else { return };
        let small = self.config.has_bug(Bug::SmallQuorum);
        let mut answered = Vec::new();
        leader.pending_reads.retain(|read| {
            let mut acks: Vec<NodeId> =
                leader.acked_ctx.iter().filter(|(_, &c)| c >= read.ctx).map(|(&id, _)| id).collect();
            acks.push(self.id);
            let ready = quorum::is_quorum(&self.voters, &acks, small) && self.last_applied >= read.read_index;
            if ready {
                answered.push((read.id, read.key.clone()));
            }
            !ready
        });
        for (id, key) in answered {
            let value = self.kv.get(&key).map(str::to_owned);
            self.reply(id, ClientReply::Result(ClientResult::Value(value)));
        }
    }

    // ---- the lease (§6.4.1) -----------------------------------------------------------------

    /// The lease (dissertation §6.4.1): a majority acknowledged rounds sent less than the
    /// minimum election timeout ago, so (by §4.2.3) none of them has voted for anyone since.
    fn lease_holds(&self, now: TimeMs) -> bool {
        let RoleState::Leader(leader) = &self.role else { return false };
        if leader.transfer.is_some() || leader.lease_revoked || !self.current_term_committed() {
            return false;
        }
        let mut sent: Vec<TimeMs> = self
            .voters
            .iter()
            .filter_map(|v| if *v == self.id { Some(now) } else { leader.acked_sent_ms.get(v).copied() })
            .collect();
        let needed = quorum::majority(self.voters.len(), self.config.has_bug(Bug::SmallQuorum));
        if self.voters.is_empty() || sent.len() < needed {
            return false;
        }
        sent.sort_unstable_by(|a, b| b.cmp(a));
        now < sent[needed - 1] + self.config.election_timeout_min_ms
    }

    // ---- admin inputs -----------------------------------------------------------------------

    fn handle_add_server(&mut self, _now: TimeMs, id: NodeId) {
        if let Some(reason) = self.admin_refusal().or_else(|| self.config_change_refusal()) {
            return self.refuse(reason);
        }
        if self.voters.contains(&id) {
            return self.refuse(format!("{} is already a voter", node_name(id)));
        }
        // §4.2.1: the new server first catches up as a non-voter; it joins the voter set once
        // its log reaches our commit index (see after_progress).
        let next_index = self.log.last_index() + 1;
        self.leader_mut().progress.insert(id, Progress { id, next_index, match_index: 0, learner: true });
        self.send_append(id);
    }

    fn handle_remove_server(&mut self, now: TimeMs, id: NodeId) {
        if let Some(reason) = self.admin_refusal() {
            return self.refuse(reason);
        }
        if self.leader().progress.get(&id).is_some_and(|p| p.learner) {
            // Removing a server that is still catching up cancels its addition: it never
            // joined the configuration, so there is nothing to log. (Otherwise an `add` of a
            // crashed server would block every membership change for the rest of the term.)
            self.leader_mut().progress.remove(&id);
            return;
        }
        if let Some(reason) = self.config_change_refusal() {
            return self.refuse(reason);
        }
        if !self.voters.contains(&id) {
            return self.refuse(format!("{} is not a voter", node_name(id)));
        }
        if self.voters.len() == 1 {
            return self.refuse("cannot remove the last voter".to_string());
        }
        let voters: Vec<NodeId> = self.voters.iter().copied().filter(|&v| v != id).collect();
        self.append_entry(EntryData::Config { voters });
        self.send_append_to_all();
        // Removing a server can shrink the majority enough to commit at once.
        self.maybe_commit(now);
    }

    /// Single-server changes need: no configuration change in progress, and (the 2015 fix to
    /// §4.1) an entry of the leader's term committed before its first change.
    fn config_change_refusal(&self) -> Option<String> {
        let leader = self.leader();
        if let Some(p) = leader.progress.values().find(|p| p.learner) {
            return Some(format!("{} is still catching up to join", node_name(p.id)));
        }
        if let Some(i) = self.log.latest_config_index().filter(|&i| i > self.commit_index) {
            return Some(format!("the configuration at index {i} is not committed yet"));
        }
        if !self.current_term_committed() {
            return Some(format!(
                "{} has not committed an entry of its term {} yet",
                node_name(self.id),
                self.term
            ));
        }
        None
    }

    // ---- the configuration in force ---------------------------------------------------------

    /// Recompute the voter set in force from the log (§4.1: the latest configuration in the
    /// log, committed or not; truncating it reverts to the previous one).
    fn refresh_voters(&mut self) {
        self.voters = self.compute_voters();
    }

    fn compute_voters(&self) -> Vec<NodeId> {
        self.log.config_at(self.log.last_index()).unwrap_or_else(|| self.initial_voters.clone())
    }

    /// Leader: keep a progress entry for every other voter (and a learner being added) and
    /// none for anyone else. A server leaving the configuration keeps its entry until the
    /// configuration without it commits: it receives that configuration, learns that it is no
    /// longer a voter and never campaigns, instead of timing out and disrupting the cluster
    /// with ever higher terms (dissertation §4.2.3). Its answers never count towards a
    /// majority, which is counted over `voters`.
    fn sync_progress(&mut self) {
        let next_index = self.log.last_index() + 1;
        let voters = self.voters.clone();
        let leaving = match self.log.latest_config_index() {
            Some(i) if i > self.commit_index => {
                self.log.config_at(i - 1).unwrap_or_else(|| self.initial_voters.clone())
            }
            _ => Vec::new(),
        };
        let id = self.id;
        let leader = self.leader_mut();
        for &v in voters.iter().filter(|&&v| v != id) {
            let p = leader.progress.entry(v).or_insert(Progress { id: v, next_index, match_index: 0, learner: false });
            p.learner = false;
        }
        leader.progress.retain(|v, p| p.learner || voters.contains(v) || leaving.contains(v));
    }

    // ---- the leader side --------------------------------------------------------------------

    fn handle_transfer_leadership(&mut self, now: TimeMs, to: NodeId) {
        if let Some(reason) = self.admin_refusal() {
            return self.refuse(reason);
        }
        if to == self.id {
            return self.refuse(format!("{} is already the leader", node_name(to)));
        }
        if !self.voters.contains(&to) {
            return self.refuse(format!("{} is not a voter", node_name(to)));
        }
        self.leader_mut().transfer = Some(Transfer { to, started_ms: now });
        if !self.maybe_send_timeout_now() {
            self.send_append(to);
        }
    }

    /// Send TimeoutNow once the transfer target's log matches ours. Returns whether sent.
    fn maybe_send_timeout_now(&mut self) -> bool {
        let RoleState::Leader(leader) = &mut self.role else { return false };
        let Some(transfer) = leader.transfer else { return false };
        let caught_up = leader.progress.get(&transfer.to).is_some_and(|p| p.match_index == self.log.last_index());
        if caught_up {
            leader.lease_revoked = true;
            self.send(transfer.to, MessageBody::TimeoutNow);
        }
        caught_up
    }

    /// §3.10: abort a transfer that has not completed within an election timeout, and resume
    /// normal service (leader only).
    fn abort_overdue_transfer(&mut self, now: TimeMs) {
        let timeout_ms = self.config.election_timeout_min_ms;
        let Some(t) = self.leader().transfer else { return };
        if now < t.started_ms + timeout_ms {
            return;
        }
        self.leader_mut().transfer = None;
        self.refuse(format!("transfer to {} did not complete within {timeout_ms}ms: aborted", node_name(t.to)));
    }

    // ---- the target side --------------------------------------------------------------------

    /// §3.10: the leader asks us to start an election at once, skipping Pre-Vote, with
    /// `transfer` set so that voters do not ignore us under §4.2.3.
    fn handle_timeout_now(&mut self, now: TimeMs) {
        if self.voters.contains(&self.id) {
            self.campaign(now, true);
        }
    }
}

#[cfg(test)]
mod tests;

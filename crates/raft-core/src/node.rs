//! The Raft state machine of one server: its state, the entry point, and the role changes.
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
//!
//! This file holds the state, `step` with the common rules and the per-role dispatch, the
//! `become_*` transitions, the getters and `validate`. The protocol itself is one `impl Node`
//! block per phase, each in a file of its own:
//! * `election.rs`: timers, Pre-Vote and vote campaigns, the voter's side (§5.2, §5.4.1,
//!   §9.6, CheckQuorum §6.2).
//! * `replication.rs`: client writes, heartbeats, AppendEntries and snapshots on both sides,
//!   commitment and applying (§5.3, §5.4.2, §5 of the dissertation for compaction).
//! * `reads.rs`: ReadIndex and the lease (§6.4, §6.4.1).
//! * `membership.rs`: adding and removing servers, the voter set in force (§4.1–§4.2).
//! * `transfer.rs`: leadership transfer (§3.10).

use crate::vecmap::{VecMap, VecSet};

use crate::effect::{ClientReply, Effect};
use crate::kv::KvState;
use crate::log::Log;
use crate::message::{Message, MessageBody};
use crate::role::Role;
use crate::types::*;

mod election;
mod replication;
mod reads;
mod membership;
mod transfer;

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
    granted: VecSet<NodeId>,
    rejected: VecSet<NodeId>,
}

#[derive(Clone, Debug)]
struct LeaderState {
    /// The voters that elected it (itself included): what it knew when it won, kept for viewers.
    elected_by: Vec<NodeId>,
    /// Every other voter, plus a learner being added. Sorted by id, so iteration is
    /// deterministic.
    progress: VecMap<NodeId, Progress>,
    /// Servers heard from (any response of this term) since the last election timeout
    /// (CheckQuorum, dissertation §6.2).
    recent_active: VecSet<NodeId>,
    /// The current heartbeat round. Every broadcast (heartbeat or ReadIndex) starts a new one.
    read_ctx: u64,
    /// round -> when it was sent; the lease is measured from these send times.
    round_sent_ms: VecMap<u64, TimeMs>,
    /// The highest round each follower acknowledged.
    acked_ctx: VecMap<NodeId, u64>,
    /// The latest send time of a round each follower acknowledged.
    acked_sent_ms: VecMap<NodeId, TimeMs>,
    /// Client entries in the log waiting to be applied: index -> request.
    pending_writes: VecMap<Index, RequestId>,
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
        let mut effects = Vec::new();
        self.step_into(now, input, &mut effects);
        effects
    }

    /// `step`, with the effects written into `effects` (cleared first), so that a host that
    /// steps the node for every event keeps one buffer instead of allocating a vector per step.
    pub fn step_into(&mut self, now: TimeMs, input: Input, effects: &mut Vec<Effect>) {
        assert!(self.out.is_empty());
        // The node writes into the caller's buffer and keeps the caller's (empty) one.
        std::mem::swap(&mut self.out, effects);
        self.out.clear();
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
        std::mem::swap(&mut self.out, effects);
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
            recent_active: VecSet::new(),
            read_ctx: 0,
            round_sent_ms: VecMap::new(),
            acked_ctx: VecMap::new(),
            acked_sent_ms: VecMap::new(),
            pending_writes: VecMap::new(),
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
    /// The durable state, consuming the node (a crash: what survives, without copying the log).
    pub fn into_durable(self) -> Durable {
        Durable { term: self.term, voted_for: self.voted_for, log: self.log }
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
}

#[cfg(test)]
mod tests;

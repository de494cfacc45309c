//! The Raft state machine of one server. (SKELETON: the public API is fixed; bodies to be written.)

use crate::effect::Effect;
use crate::kv::KvState;
use crate::log::Log;
use crate::message::Message;
use crate::types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    /// The name used by the report and the page: `follower`, `pre-candidate`, `candidate`, `leader`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

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

pub struct Node {
    // to be written
}

impl Node {
    /// A brand-new server with an empty log. `voters` is the initial configuration (empty for a
    /// server that will be added later and must not campaign until it learns it is a voter).
    /// The caller must carry out the returned effects (it arms the election timer).
    pub fn new(id: NodeId, voters: Vec<NodeId>, config: Config) -> (Node, Vec<Effect>) {
        let _ = (id, voters, config);
        todo!()
    }

    /// A server starting again after a crash from what it had persisted. Volatile state
    /// (commit index, role, leader state) starts afresh; the state machine is rebuilt from the
    /// snapshot, and entries are re-applied as the commit index is learned again.
    /// With `Bug::ForgetVote` the vote is lost.
    pub fn restart(id: NodeId, durable: Durable, initial_voters: Vec<NodeId>, config: Config) -> (Node, Vec<Effect>) {
        let _ = (id, durable, initial_voters, config);
        todo!()
    }

    /// The one entry point for every input. `now` is the simulated time in milliseconds.
    pub fn step(&mut self, now: TimeMs, input: Input) -> Vec<Effect> {
        let _ = (now, input);
        todo!()
    }

    /// Change protocol switches at run time (the scenario language allows settings anywhere).
    pub fn set_config(&mut self, config: Config) {
        let _ = config;
        todo!()
    }

    // ---- getters -------------------------------------------------------------------------
    pub fn id(&self) -> NodeId { todo!() }
    pub fn role(&self) -> Role { todo!() }
    pub fn term(&self) -> Term { todo!() }
    pub fn voted_for(&self) -> Option<NodeId> { todo!() }
    pub fn leader_hint(&self) -> Option<NodeId> { todo!() }
    pub fn commit_index(&self) -> Index { todo!() }
    pub fn last_applied(&self) -> Index { todo!() }
    pub fn log(&self) -> &Log { todo!() }
    pub fn kv(&self) -> &KvState { todo!() }
    /// The durable state a crash keeps.
    pub fn durable(&self) -> Durable { todo!() }
    /// The voter set in force (the latest configuration entry in the log, committed or not).
    pub fn voters(&self) -> &[NodeId] { todo!() }
    /// The leader's per-follower progress, sorted by id; empty unless leader.
    pub fn progress(&self) -> Vec<Progress> { todo!() }
    /// Votes received in the current (pre-)campaign, sorted; empty unless (pre-)candidate.
    pub fn votes_granted(&self) -> Vec<NodeId> { todo!() }
}

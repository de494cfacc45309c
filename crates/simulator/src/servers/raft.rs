//! Raft as a hosted server: raft-core's sans-IO [`Node`] behind [`Host`].
//!
//! Inputs become `Node::step` inputs; the node's effects become outputs one for one, in their
//! order (`PersistHardState` needs nothing from a simulated disk). Timers: `election` (drawn
//! between the run's election-timeout bounds at each reset) and `heartbeat` (the run's
//! heartbeat interval).
//!
//! A crash keeps the node's durable state (term, vote, log, snapshot) and nothing else: the
//! crashed server is replaced at once by the node it will restart as, so what a viewer sees of
//! a crashed server is exactly what survives.

use raft_core::{Command, Config, Effect, Index, Input, Log, Node, NodeId, RequestId, Role, Term};

use super::{Admin, Ctx, Delay, Host, Output, Payload, Reported};
use crate::model::Settings;

const ELECTION: &str = "election";
const HEARTBEAT: &str = "heartbeat";

#[derive(Clone)]
pub struct RaftServer {
    id: NodeId,
    node: Node,
    /// The cluster's initial configuration, which a restarted node starts from until its log
    /// says otherwise.
    initial: Vec<NodeId>,
    /// Start-up effects of the node built at construction, carried out by `start`.
    pending: Vec<Effect>,
    /// The effects of the step being carried out; kept between steps for its allocation.
    effects: Vec<Effect>,
}

impl RaftServer {
    pub fn new(id: NodeId, initial: Vec<NodeId>, config: Config) -> RaftServer {
        let (node, pending) = Node::new(id, initial.clone(), config);
        RaftServer { id, node, initial, pending, effects: Vec::new() }
    }

    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Replace the node by the one it restarts as (durable state only), moving its log over
    /// rather than copying it; returns the new node's start-up effects.
    fn reincarnate(&mut self, config: Config) -> Vec<Effect> {
        let (blank, _) = Node::new(self.id, Vec::new(), config.clone());
        let durable = std::mem::replace(&mut self.node, blank).into_durable();
        let (node, effects) = Node::restart(self.id, durable, self.initial.clone(), config);
        self.node = node;
        effects
    }

    fn step(&mut self, ctx: &Ctx, input: Input, out: &mut Vec<Output>) {
        self.node.step_into(ctx.now, input, &mut self.effects);
        carry(ctx, &mut self.effects, out);
    }
}

/// The node's effects as outputs, in order (`effects` is left empty).
#[inline]
fn carry(ctx: &Ctx, effects: &mut Vec<Effect>, out: &mut Vec<Output>) {
    let s = ctx.settings;
    out.reserve(effects.len());
    for e in effects.drain(..) {
        out.push(match e {
            Effect::Send(m) => Output::Send(Payload::Raft(m)),
            Effect::PersistHardState => continue,
            Effect::PersistLog { from } => Output::LogWritten { from },
            Effect::PersistSnapshot { last_index } => Output::SnapshotTaken { last_index },
            Effect::ResetElectionTimer => Output::SetTimer {
                name: ELECTION.into(),
                after: Delay::Between(s.election_min_ms, s.election_max_ms),
            },
            Effect::SetHeartbeatTimer => Output::SetTimer { name: HEARTBEAT.into(), after: Delay::Ms(s.heartbeat_ms) },
            Effect::StopHeartbeatTimer => Output::ClearTimer { name: HEARTBEAT.into() },
            Effect::RoleChanged { role, term } => Output::RoleChanged { role, term },
            Effect::Committed { index } => Output::Committed { index },
            Effect::Applied { index, term } => Output::Applied { index, term },
            Effect::ClientReply { id, reply } => Output::Reply { id, reply },
            Effect::Refused { reason } => Output::Refused { reason },
        });
    }
}

impl Host for RaftServer {
    fn protocol(&self) -> &'static str {
        "raft"
    }

    fn start(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        let mut effects = std::mem::take(&mut self.pending);
        carry(ctx, &mut effects, out);
    }

    fn on_message(&mut self, ctx: &Ctx, msg: Payload, out: &mut Vec<Output>) {
        let Payload::Raft(m) = msg else { return };
        self.step(ctx, Input::Message(m), out);
    }

    fn on_timer(&mut self, ctx: &Ctx, name: &str, forced: bool, out: &mut Vec<Output>) {
        let input = match name {
            ELECTION => Input::ElectionTimeout,
            HEARTBEAT => Input::HeartbeatTimeout,
            _ => return,
        };
        if !forced {
            let what = if name == ELECTION { "election timeout" } else { "heartbeat" };
            out.push(Output::Note(what.into()));
        }
        self.step(ctx, input, out);
    }

    fn on_client(&mut self, ctx: &Ctx, id: RequestId, command: Command, out: &mut Vec<Output>) {
        self.step(ctx, Input::ClientRequest { id, command }, out);
    }

    fn on_admin(&mut self, ctx: &Ctx, admin: Admin, out: &mut Vec<Output>) {
        let input = match admin {
            Admin::TransferLeadership { to } => Input::TransferLeadership { to },
            Admin::AddServer { id } => Input::AddServer { id },
            Admin::RemoveServer { id } => Input::RemoveServer { id },
        };
        self.step(ctx, input, out);
    }

    fn crash(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        // The node it will restart as: durable state only. Its start-up effects are discarded:
        // a crashed server does nothing.
        let _effects = self.reincarnate(ctx.settings.core.clone());
        if ctx.feed {
            out.push(Output::Say(format!("S{} crashed: it keeps its term, vote and log, and forgets the rest", self.id)));
        }
    }

    fn restart(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        let mut effects = self.reincarnate(ctx.settings.core.clone());
        if ctx.feed {
            let (term, len) = (self.node.term(), self.node.log().last_index());
            out.push(Output::Say(format!("S{} restarted with term {term} and a log of {len} entries", self.id)));
        }
        carry(ctx, &mut effects, out);
    }

    fn configure(&mut self, settings: &Settings) {
        self.node.set_config(settings.core.clone());
    }

    fn has_timer(&self, name: &str) -> bool {
        name == ELECTION || name == HEARTBEAT
    }

    fn has_leaders(&self) -> bool {
        true
    }

    fn report(&self) -> Option<&dyn Reported> {
        Some(&self.node)
    }

    fn value(&self, key: &str) -> Option<&str> {
        self.node.kv().get(key)
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.node.kv().pairs()
    }

    fn commit_index(&self) -> u64 {
        self.node.commit_index()
    }

    fn last_applied(&self) -> u64 {
        self.node.last_applied()
    }

    fn applied_tail(&self) -> Vec<(u64, Term, String)> {
        Vec::new()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Reported for Node {
    #[inline]
    fn role(&self) -> Role {
        Node::role(self)
    }
    fn term(&self) -> Term {
        Node::term(self)
    }
    fn voted_for(&self) -> Option<NodeId> {
        Node::voted_for(self)
    }
    fn log(&self) -> &Log {
        Node::log(self)
    }
    fn commit_index(&self) -> Index {
        Node::commit_index(self)
    }
    fn voters(&self) -> &[NodeId] {
        Node::voters(self)
    }
    fn votes(&self) -> Vec<NodeId> {
        self.votes_granted()
    }
    fn leader_hint(&self) -> Option<NodeId> {
        Node::leader_hint(self)
    }
}

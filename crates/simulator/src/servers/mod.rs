//! The servers the engine hosts, behind one interface: [`Host`].
//!
//! The engine (`sim`) owns time, the network, timers and clients; a server only reacts. Each
//! input comes with a [`Ctx`] (the current instant, the run's settings) and an outbox; the
//! server pushes [`Output`]s, which the engine carries out in order: sends go on the wire,
//! timers are armed, replies go back to clients, and what the server reports about itself
//! (role changes, log writes, commits) feeds the trace, the event feed and the checkers.
//!
//! Implementations: [`raft`] (raft-core's `Node`) and [`naive`] (`protocol naive`: no
//! consensus). A user-written node would be a third: nothing here is specific to Raft except
//! what a server chooses to report through [`Reported`].
//!
//! Crash and restart: `crash` must keep only what the server persisted (Raft: term, vote, log,
//! snapshot; naive: everything, it writes through) and drop the rest; the engine disarms every
//! timer and stops delivering to it. `restart` starts it again from what survived.

pub mod naive;
pub mod raft;

use std::borrow::Cow;

use raft_core::{ClientReply, Command, Index, Message, MessageBody, NodeId, RequestId, Role, Term};

pub use crate::model::Reported;
use crate::model::{Protocol, Settings};

/// A timer's name: one timer per name per server; setting it again re-arms it.
pub type TimerName = Cow<'static, str>;

/// When a timer fires, counted from now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    Ms(u64),
    /// A duration drawn from the run's generator, uniformly in `[min, max]` milliseconds,
    /// when the engine carries the output out (so the draw keeps its place among the others).
    Between(u64, u64),
}

/// What a step of a server asks the engine to do or tells it, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Put a message on the wire to another server.
    Send(Payload),
    /// Answer client request `id` (ok, not leader with a hint, or a cas that failed).
    Reply { id: RequestId, reply: ClientReply },
    SetTimer { name: TimerName, after: Delay },
    ClearTimer { name: TimerName },
    /// The server's role or term changed (only servers that report a state).
    RoleChanged { role: Role, term: Term },
    /// Log entries from `from` on were written (anything past the new end is gone).
    LogWritten { from: Index },
    /// A snapshot covering everything up to `last_index` replaced the log's prefix.
    SnapshotTaken { last_index: Index },
    /// The server's commit index advanced to `index`.
    Committed { index: Index },
    /// The server applied entry `index` (of term `term`) to its state machine.
    Applied { index: Index, term: Term },
    /// The server turned down an administrative request (transfer, membership change).
    Refused { reason: String },
    /// A line of the run's trace about this server, after its name ("resends 2 copies").
    Note(Cow<'static, str>),
    /// A sentence for the event feed; only pushed when `Ctx::feed` is set.
    Say(String),
    /// The server cannot go on (a user node's handler threw): the run stops here with this
    /// text as its error.
    Fail(String),
}

/// What every input comes with.
pub struct Ctx<'a> {
    pub now: u64,
    pub settings: &'a Settings,
    /// The feed is kept: `Output::Say` is wanted (otherwise skip formatting it).
    pub feed: bool,
    /// A seed drawn from the run's generator for this input, for servers that draw random
    /// numbers themselves (`protocol js`: `ctx.random`); 0 for the others, which take no draw.
    pub seed: u64,
}

/// A membership or leadership request from the operator (scenario lines `transfer`, `add`,
/// `remove`). Printed in the trace with `{:?}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admin {
    TransferLeadership { to: NodeId },
    AddServer { id: NodeId },
    RemoveServer { id: NodeId },
}

/// A message between servers. The engine reads only its endpoints, its kind (the diagram's
/// label), whether it answers another, and its text for the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    Raft(Message),
    Naive(naive::NaiveMsg),
    /// A user node's message (`protocol js`): a JSON object, with its `type` as the label.
    Json(JsonMsg),
}

/// A message of a user-written node: its endpoints, its `type` (interned: the diagram's label)
/// and its JSON text, which the engine carries without reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonMsg {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: &'static str,
    pub text: String,
}

impl JsonMsg {
    pub fn new(from: NodeId, to: NodeId, kind: &str, text: String) -> JsonMsg {
        JsonMsg { from, to, kind: intern_label(kind), text }
    }
}

/// Distinct message labels kept; past this many, further new labels show as `message`.
const LABELS_MAX: usize = 256;
const LABEL_CHARS_MAX: usize = 40;

/// A `&'static str` for a message label, so a user node's labels travel like the built-in
/// protocols' ones. At most [`LABELS_MAX`] distinct labels are ever kept (bounded memory
/// whatever a node sends); the label never affects a run, only what a view shows.
fn intern_label(kind: &str) -> &'static str {
    use std::sync::Mutex;
    static LABELS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let kind = match kind.char_indices().nth(LABEL_CHARS_MAX) {
        Some((at, _)) => &kind[..at],
        None => kind,
    };
    let Ok(mut labels) = LABELS.lock() else { return "message" };
    if let Some(known) = labels.iter().find(|l| **l == kind) {
        return known;
    }
    if labels.len() >= LABELS_MAX {
        return "message";
    }
    let leaked: &'static str = Box::leak(kind.to_owned().into_boxed_str());
    labels.push(leaked);
    leaked
}

impl Payload {
    pub fn from(&self) -> NodeId {
        match self {
            Payload::Raft(m) => m.from,
            Payload::Naive(m) => m.from(),
            Payload::Json(m) => m.from,
        }
    }
    pub fn to(&self) -> NodeId {
        match self {
            Payload::Raft(m) => m.to,
            Payload::Naive(m) => m.to(),
            Payload::Json(m) => m.to,
        }
    }
    /// The label the diagram shows ("AppendEntries", "Copy").
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Raft(m) => m.body.kind(),
            Payload::Naive(m) => m.kind(),
            Payload::Json(m) => m.kind,
        }
    }
    pub fn is_response(&self) -> bool {
        match self {
            Payload::Raft(m) => m.body.is_response(),
            Payload::Naive(m) => matches!(m, naive::NaiveMsg::Ack { .. }),
            // A user's message answers another when its label says so (drawing only).
            Payload::Json(m) => ["Reply", "Response", "Ack"].iter().any(|end| m.kind.ends_with(end)),
        }
    }
    /// A message that only says "I am still here" (the diagram may draw it faintly).
    pub fn is_heartbeat(&self) -> bool {
        match self {
            Payload::Raft(m) => matches!(&m.body, MessageBody::AppendEntries { entries, .. } if entries.is_empty()),
            Payload::Naive(_) | Payload::Json(_) => false,
        }
    }
    /// Whether a copy that dies on arrival (partitioned off, or its server down) gets a
    /// `dropped` line in the trace. Naive copies never had one; the trace hashes keep it so.
    pub fn traced_when_dropped(&self) -> bool {
        matches!(self, Payload::Raft(_) | Payload::Json(_))
    }
}

impl std::fmt::Display for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Payload::Raft(m) => m.fmt(f),
            Payload::Naive(m) => m.fmt(f),
            Payload::Json(m) => f.write_str(&m.text),
        }
    }
}

/// One server of the cluster, as the engine drives it. Every input runs to completion and
/// pushes its outputs onto `out`; nothing happens between inputs.
pub trait Host: HostClone {
    /// The protocol's name in the language (`raft`, `naive`).
    fn protocol(&self) -> &'static str;
    /// The server was just created (not a restart).
    fn start(&mut self, ctx: &Ctx, out: &mut Vec<Output>);
    fn on_message(&mut self, ctx: &Ctx, msg: Payload, out: &mut Vec<Output>);
    /// Timer `name` fired; `forced` when the operator fired it early (`timeout X`), which the
    /// trace records as the operator's line rather than the server's.
    fn on_timer(&mut self, ctx: &Ctx, name: &str, forced: bool, out: &mut Vec<Output>);
    fn on_client(&mut self, ctx: &Ctx, id: RequestId, command: Command, out: &mut Vec<Output>);
    /// An operator's request; a server that has no such thing answers with `Output::Refused`.
    fn on_admin(&mut self, ctx: &Ctx, admin: Admin, out: &mut Vec<Output>);
    /// Lose everything not persisted. Outputs: only `Say` (what survives, for the feed).
    fn crash(&mut self, ctx: &Ctx, out: &mut Vec<Output>);
    /// Start again from what survived the crash.
    fn restart(&mut self, ctx: &Ctx, out: &mut Vec<Output>);
    /// A setting of the run changed.
    fn configure(&mut self, settings: &Settings);
    /// Timer `name` is one this server uses (the operator may fire it).
    fn has_timer(&self, name: &str) -> bool;
    /// The server can tell clients where its leader is; otherwise clients without `via` go
    /// round robin.
    fn has_leaders(&self) -> bool;
    /// The state the server reports, if it reports one.
    fn report(&self) -> Option<&dyn Reported>;
    /// The value of `key` this server has applied.
    fn value(&self, key: &str) -> Option<&str>;
    /// Every (key, value) applied, by key.
    fn pairs(&self) -> Vec<(String, String)>;
    /// How far this server's state machine has come (Raft: its commit index; naive: how many
    /// writes it applied).
    fn commit_index(&self) -> u64;
    fn last_applied(&self) -> u64;
    /// The newest applied commands, oldest first, as (index, term, text), for a server whose
    /// reported log says nothing (naive).
    fn applied_tail(&self) -> Vec<(u64, Term, String)>;
    /// For views that know an implementation (the page draws Raft's progress table).
    fn as_any(&self) -> &dyn std::any::Any;
}

/// `Clone` for boxed servers (the session clones whole simulations as checkpoints).
pub trait HostClone {
    fn clone_box(&self) -> Box<dyn Host>;
}

impl<T: Host + Clone + 'static> HostClone for T {
    fn clone_box(&self) -> Box<dyn Host> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Host> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// Builds the servers of `protocol js`, which the embedder supplies (the simulator knows no
/// JavaScript): called as `build` is, once per server created.
pub type HostFactory = std::rc::Rc<dyn Fn(NodeId, &[NodeId], bool, &Settings) -> Box<dyn Host>>;

/// A server of `protocol` with id `id`, not started yet. `initial` is the cluster's initial
/// configuration; `joining`: the server is created later by `add` (outside that
/// configuration). `protocol js` needs `factory`; without one there is no server to build.
pub fn build(
    protocol: Protocol,
    id: NodeId,
    initial: &[NodeId],
    joining: bool,
    settings: &Settings,
    factory: Option<&HostFactory>,
) -> Option<Box<dyn Host>> {
    Some(match protocol {
        Protocol::Js => return factory.map(|f| f(id, initial, joining, settings)),
        Protocol::Raft => Box::new(raft::RaftServer::new(id, initial.to_vec(), settings.core.clone())),
        Protocol::Naive => {
            let peers = if joining { Vec::new() } else { initial.iter().copied().filter(|&v| v != id).collect() };
            Box::new(naive::NaiveHost::new(id, peers, joining))
        }
    })
}

//! `protocol naive`: what a cluster does without consensus (the failure the article opens with).
//!
//! Every server accepts every client command at once and answers it from its own state: `put`
//! and a matching `cas` are applied locally and acknowledged, `get` returns the local value. The
//! server then copies the write to every other server in the background, over the same simulated
//! network as Raft's messages (so partitions, loss, duplication and crashes apply), and keeps
//! resending it every heartbeat interval until that server acknowledges it.
//!
//! Conflicts are settled by *last write wins*: every write carries a [`Version`] — the simulated
//! millisecond at which a server accepted it, then that server's id — and a server keeps, per
//! key, the write with the highest version it has seen. Once the network heals every server holds
//! the same value, deterministically; but in the meantime two clients can both have been told
//! "ok" for writes that cannot both have happened (bike #42 booked twice), which the
//! linearizability checker reports. There are no leaders and no terms: the Raft safety checker
//! never looks at a naive server.
//!
//! Clients: a command goes to the server its `via` names; without `via`, operation k of the run
//! (0-based, in the order they were issued) goes to S((k mod N) + 1), round robin, the same on
//! every replay. A client whose server does not answer retries on the next server, as under Raft.
//!
//! Sans-IO like the Raft core: inputs go in with the current time, messages to send come out.
//! A crash stops the server but loses nothing (the store and the copies still owed are on disk);
//! it resumes copying when it restarts.

use raft_core::vecmap::VecMap;
use std::collections::VecDeque;

use raft_core::{ClientReply, ClientResult, Command, NodeId, RequestId, Term};

use super::{Admin, Ctx, Delay, Host, Output, Payload, Reported};
use crate::model::Settings;

/// The resend timer: armed while some peer owes an acknowledgement, every heartbeat interval.
const RESEND: &str = "resend";

/// At most this many of the newest applied writes are kept for viewers.
const APPLIED_KEEP: usize = 60;
/// At most this many client answers are remembered, so a retried request is not applied twice.
const ANSWERS_KEEP: usize = 4096;

/// Last-write-wins order: acceptance time first, then the accepting server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub ms: u64,
    pub server: NodeId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    pub key: String,
    pub value: String,
    pub version: Version,
}

/// What naive servers send each other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NaiveMsg {
    /// "I accepted this write; store it if it is newer than yours."
    Copy { from: NodeId, to: NodeId, write: Write },
    /// "I have (at least) this version of `key`."
    Ack { from: NodeId, to: NodeId, key: String, version: Version },
}

impl NaiveMsg {
    pub fn from(&self) -> NodeId {
        match self {
            NaiveMsg::Copy { from, .. } | NaiveMsg::Ack { from, .. } => *from,
        }
    }
    pub fn to(&self) -> NodeId {
        match self {
            NaiveMsg::Copy { to, .. } | NaiveMsg::Ack { to, .. } => *to,
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            NaiveMsg::Copy { .. } => "Copy",
            NaiveMsg::Ack { .. } => "CopyAck",
        }
    }
}

impl std::fmt::Display for NaiveMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NaiveMsg::Copy { from, to, write: w } => write!(
                f,
                "S{from}->S{to} Copy {}={} v={}ms/S{}",
                w.key, w.value, w.version.ms, w.version.server
            ),
            NaiveMsg::Ack { from, to, key, version } => {
                write!(f, "S{from}->S{to} CopyAck {key} v={}ms/S{}", version.ms, version.server)
            }
        }
    }
}

/// One applied write, for viewers: its position in this server's apply order and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub index: u64,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct NaiveServer {
    pub id: NodeId,
    peers: Vec<NodeId>,
    store: VecMap<String, (String, Version)>,
    /// Per peer, per key: the newest version that peer has not acknowledged yet.
    owed: VecMap<NodeId, VecMap<String, Version>>,
    applied_count: u64,
    applied: VecDeque<Applied>,
    answers: VecMap<RequestId, ClientResult>,
}

impl NaiveServer {
    /// `peers`: every other server of the cluster.
    pub fn new(id: NodeId, peers: Vec<NodeId>) -> NaiveServer {
        debug_assert!(!peers.contains(&id));
        NaiveServer {
            id,
            peers,
            store: VecMap::new(),
            owed: VecMap::new(),
            applied_count: 0,
            applied: VecDeque::new(),
            answers: VecMap::new(),
        }
    }

    // ---- getters ------------------------------------------------------------------------

    pub fn get(&self, key: &str) -> Option<&str> {
        self.store.get(key).map(|(v, _)| v.as_str())
    }
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.store.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect()
    }
    /// How many writes this server has applied (its own and copies that were newer).
    pub fn applied_count(&self) -> u64 {
        self.applied_count
    }
    /// The newest applied writes, oldest first.
    pub fn applied(&self) -> impl Iterator<Item = &Applied> {
        self.applied.iter()
    }
    /// Some peer has not acknowledged some write yet.
    pub fn owes_copies(&self) -> bool {
        self.owed.values().any(|m| !m.is_empty())
    }

    // ---- inputs -------------------------------------------------------------------------

    /// A client command arrives: answer it from the local state at once. Returns the answer and
    /// the copies to send. A retried request gets the answer it got the first time.
    #[must_use]
    pub fn client_request(&mut self, now: u64, id: RequestId, command: &Command) -> (ClientResult, Vec<NaiveMsg>) {
        if let Some(r) = self.answers.get(&id) {
            return (r.clone(), Vec::new());
        }
        let version = Version { ms: now, server: self.id };
        let (result, write) = match command {
            Command::Get { key } => (ClientResult::Value(self.get(key).map(str::to_string)), None),
            Command::Put { key, value } => (ClientResult::Done, Some((key, value))),
            Command::Cas { key, old, new } => {
                let current = self.get(key).map(str::to_string);
                if current == *old {
                    (ClientResult::Done, Some((key, new)))
                } else {
                    (ClientResult::CasFailed(current), None)
                }
            }
        };
        let mut out = Vec::new();
        if let Some((key, value)) = write {
            let w = Write { key: key.clone(), value: value.clone(), version };
            self.store_if_newer(&w);
            for &p in &self.peers {
                self.owed.entry_or_insert(p, VecMap::new()).insert(w.key.clone(), version);
                out.push(NaiveMsg::Copy { from: self.id, to: p, write: w.clone() });
            }
        }
        if self.answers.len() >= ANSWERS_KEEP {
            self.answers.pop_first();
        }
        self.answers.insert(id, result.clone());
        (result, out)
    }

    /// A message from another server. Returns what to send back.
    #[must_use]
    pub fn receive(&mut self, msg: &NaiveMsg) -> Vec<NaiveMsg> {
        debug_assert_eq!(msg.to(), self.id);
        match msg {
            NaiveMsg::Copy { from, write, .. } => {
                self.store_if_newer(write);
                let have = self.store.get(&write.key).map_or(write.version, |(_, v)| *v);
                vec![NaiveMsg::Ack { from: self.id, to: *from, key: write.key.clone(), version: have }]
            }
            NaiveMsg::Ack { from, key, version, .. } => {
                if let Some(owed) = self.owed.get_mut(from) {
                    if owed.get(key).is_some_and(|v| v <= version) {
                        owed.remove(key);
                    }
                }
                Vec::new()
            }
        }
    }

    /// The resend timer fired: every write some peer has not acknowledged, again.
    #[must_use]
    pub fn resend(&self) -> Vec<NaiveMsg> {
        let mut out = Vec::new();
        for (&to, keys) in &self.owed {
            for (key, version) in keys {
                // Send what is stored now: it is at least as new as what is owed.
                let Some((value, v)) = self.store.get(key) else { continue };
                debug_assert!(v >= version);
                let write = Write { key: key.clone(), value: value.clone(), version: *v };
                out.push(NaiveMsg::Copy { from: self.id, to, write });
            }
        }
        out
    }

    /// Last write wins: keep `w` only if its version is newer than the stored one.
    fn store_if_newer(&mut self, w: &Write) {
        if self.store.get(&w.key).is_some_and(|(_, v)| *v >= w.version) {
            return;
        }
        self.store.insert(w.key.clone(), (w.value.clone(), w.version));
        self.applied_count += 1;
        if self.applied.len() >= APPLIED_KEEP {
            self.applied.pop_front();
        }
        self.applied.push_back(Applied { index: self.applied_count, text: format!("put {} {}", w.key, w.value) });
    }
}

/// A naive server as the engine hosts it. A server that joins by `add` stays an inert
/// bystander (naive servers have no membership changes): it answers nobody.
#[derive(Clone, Debug)]
pub struct NaiveHost {
    server: NaiveServer,
    bystander: bool,
    /// The resend timer is armed.
    armed: bool,
}

impl NaiveHost {
    pub fn new(id: NodeId, peers: Vec<NodeId>, bystander: bool) -> NaiveHost {
        NaiveHost { server: NaiveServer::new(id, peers), bystander, armed: false }
    }

    pub fn server(&self) -> &NaiveServer {
        &self.server
    }

    /// Send copies, and keep the resend timer running while some peer owes an acknowledgement.
    fn send(&mut self, ctx: &Ctx, msgs: Vec<NaiveMsg>, out: &mut Vec<Output>) {
        out.extend(msgs.into_iter().map(|m| Output::Send(Payload::Naive(m))));
        self.arm(ctx, out);
    }

    fn arm(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        if self.armed || !self.server.owes_copies() {
            return;
        }
        self.armed = true;
        out.push(Output::SetTimer { name: RESEND.into(), after: Delay::Ms(ctx.settings.heartbeat_ms) });
    }
}

fn command_text(c: &Command) -> String {
    match c {
        Command::Put { key, value } => format!("put {key} {value}"),
        Command::Get { key } => format!("get {key}"),
        Command::Cas { key, old, new } => format!("cas {key} {} {new}", old.as_deref().unwrap_or("-")),
    }
}

impl Host for NaiveHost {
    fn protocol(&self) -> &'static str {
        "naive"
    }

    fn start(&mut self, _ctx: &Ctx, _out: &mut Vec<Output>) {}

    fn on_message(&mut self, _ctx: &Ctx, msg: Payload, out: &mut Vec<Output>) {
        let Payload::Naive(m) = msg else { return };
        if self.bystander {
            return;
        }
        out.extend(self.server.receive(&m).into_iter().map(|r| Output::Send(Payload::Naive(r))));
    }

    fn on_timer(&mut self, ctx: &Ctx, name: &str, _forced: bool, out: &mut Vec<Output>) {
        if name != RESEND {
            return;
        }
        self.armed = false;
        let msgs = self.server.resend();
        if !msgs.is_empty() {
            out.push(Output::Note(format!("resends {} copies", msgs.len()).into()));
        }
        self.send(ctx, msgs, out);
    }

    /// Answered at once from the local state; copies go out.
    fn on_client(&mut self, ctx: &Ctx, id: RequestId, command: Command, out: &mut Vec<Output>) {
        if self.bystander {
            return;
        }
        let (result, copies) = self.server.client_request(ctx.now, id, &command);
        if !copies.is_empty() && ctx.feed {
            out.push(Output::Say(format!(
                "S{} applied {} on its own and starts copying it to the others",
                self.server.id,
                command_text(&command)
            )));
        }
        self.send(ctx, copies, out);
        out.push(Output::Reply { id, reply: ClientReply::Result(result) });
    }

    fn on_admin(&mut self, _ctx: &Ctx, admin: Admin, out: &mut Vec<Output>) {
        out.push(Output::Refused { reason: format!("protocol naive has no leader and no configuration: {admin:?}") });
    }

    /// Nothing is lost: the store and the copies still owed are on disk.
    fn crash(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        self.armed = false;
        if ctx.feed {
            out.push(Output::Say(format!(
                "S{} crashed: its data is on disk, but it answers nobody until it restarts",
                self.server.id
            )));
        }
    }

    fn restart(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        if ctx.feed {
            out.push(Output::Say(format!(
                "S{} restarted and resumes copying what the others have not acknowledged",
                self.server.id
            )));
        }
        self.arm(ctx, out);
    }

    fn configure(&mut self, _settings: &Settings) {}

    fn has_timer(&self, name: &str) -> bool {
        name == RESEND
    }

    fn has_leaders(&self) -> bool {
        false
    }

    /// No roles, no terms, no log in Raft's sense: only linearizability applies.
    fn report(&self) -> Option<&dyn Reported> {
        None
    }

    fn value(&self, key: &str) -> Option<&str> {
        self.server.get(key)
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.server.pairs()
    }

    fn commit_index(&self) -> u64 {
        self.server.applied_count()
    }

    fn last_applied(&self) -> u64 {
        self.server.applied_count()
    }

    fn applied_tail(&self) -> Vec<(u64, Term, String)> {
        self.server.applied().map(|a| (a.index, 0, a.text.clone())).collect()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(n: u64) -> RequestId {
        RequestId { client: n, seq: 1 }
    }
    fn cas(key: &str, old: Option<&str>, new: &str) -> Command {
        Command::Cas { key: key.into(), old: old.map(str::to_string), new: new.into() }
    }

    #[test]
    fn both_servers_accept_a_conflicting_cas_and_converge_on_the_later_one() {
        let mut a = NaiveServer::new(1, vec![3]);
        let mut c = NaiveServer::new(3, vec![1]);
        let (ra, to_c) = a.client_request(100, req(1), &cas("bike42", None, "alice"));
        let (rc, to_a) = c.client_request(101, req(2), &cas("bike42", None, "bob"));
        assert_eq!((ra, rc), (ClientResult::Done, ClientResult::Done));
        assert_eq!(to_c.len(), 1);
        let acks_a = c.receive(&to_c[0]);
        let acks_c = a.receive(&to_a[0]);
        assert_eq!(a.get("bike42"), Some("bob"));
        assert_eq!(c.get("bike42"), Some("bob"));
        // S3's ack of S1's copy says it holds a newer version: S1 owes it nothing more.
        let _ = a.receive(&acks_a[0]);
        let _ = c.receive(&acks_c[0]);
        assert!(!a.owes_copies() && !c.owes_copies());
    }

    #[test]
    fn equal_times_are_ordered_by_server_id() {
        let mut a = NaiveServer::new(1, vec![2]);
        let mut b = NaiveServer::new(2, vec![1]);
        let (_, m1) = a.client_request(5, req(1), &Command::Put { key: "k".into(), value: "x".into() });
        let (_, m2) = b.client_request(5, req(2), &Command::Put { key: "k".into(), value: "y".into() });
        let _ = b.receive(&m1[0]);
        let _ = a.receive(&m2[0]);
        assert_eq!((a.get("k"), b.get("k")), (Some("y"), Some("y")));
    }

    #[test]
    fn unacknowledged_copies_are_resent_and_a_retry_is_answered_once() {
        let mut a = NaiveServer::new(1, vec![2, 3]);
        let put = Command::Put { key: "k".into(), value: "v".into() };
        let (_, out) = a.client_request(1, req(7), &put);
        assert_eq!(out.len(), 2);
        assert_eq!(a.resend().len(), 2);
        let (_, again) = a.client_request(9, req(7), &put);
        assert!(again.is_empty());
        assert_eq!(a.applied_count(), 1);
        let _ = a.receive(&NaiveMsg::Ack { from: 2, to: 1, key: "k".into(), version: Version { ms: 1, server: 1 } });
        assert_eq!(a.resend().len(), 1);
    }
}

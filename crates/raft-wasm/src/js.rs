//! `protocol js`: a server written in JavaScript (shared NODE-API.md), hosted by the simulator
//! like the Rust ones.
//!
//! The node itself lives on the JS side, behind a *bridge* object with one synchronous method,
//! `call(server, input) -> result`, both JSON text. The bridge (web/your-node/bridge.js) makes
//! the node from the module's factory with a `ctx` whose calls (send, setTimer, clearTimer,
//! reply, report, log, storage.set) it buffers; after each handler it returns them as one list
//! of effects, which [`JsHost`] turns into the engine's [`Output`]s in order. The bridge keeps
//! each server's `ctx.storage` across crashes; a crash drops the node, a restart makes a new one.
//!
//! Determinism: every input carries the simulated time and a seed the engine drew from the
//! run's generator for this step (`ctx.random` draws from it), and nothing else reaches the node.
//!
//! A node that reports (`ctx.report`) is checked like Raft: each report is compared with the
//! previous one and the differences become `RoleChanged`, `LogWritten`, `Committed` and
//! `Applied`. Its key-value state, for `expect value`, is its committed log applied in order.
//!
//! Cloning: a clone shares the bridge, hence the live JS nodes, so a clone is not independent.
//! Nothing clones one: a whole run (`runJs`) never does, and the page's session (`withBridge`,
//! [`host_maker`]) never checkpoints a run of JS nodes: it goes back in time by replaying the
//! recording on servers from a new bridge.

use std::collections::{BTreeMap, BTreeSet};

use raft_core::{ClientReply, ClientResult, Command, EntryData, Log, NodeId, RequestId, Role, Term};
use serde::Deserialize;
use serde_json::Value;
use simulator::model::Settings;
use simulator::servers::{Admin, Ctx, Delay, Host, HostFactory, JsonMsg, Output, Payload, Reported, TimerName};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The JS side: `call(server, inputJson) -> resultJson` (web/your-node/bridge.js).
    pub type Bridge;
    #[wasm_bindgen(method, catch)]
    fn call(this: &Bridge, server: &str, input: &str) -> Result<String, JsValue>;
}

/// The longest a node may set a timer for (one day, as the scenario language's durations).
const TIMER_MS_MAX: f64 = 86_400_000.0;

/// A factory for `Sim::with_hosts` whose servers call `bridge`.
pub fn factory(bridge: Bridge) -> HostFactory {
    let bridge = std::rc::Rc::new(bridge);
    std::rc::Rc::new(move |id: NodeId, initial: &[NodeId], _joining: bool, _settings: &Settings| -> Box<dyn Host> {
        Box::new(JsHost::new(bridge.clone(), id, initial.to_vec()))
    })
}

/// A maker of independent factories for the page's session: each call asks JS for a new bridge
/// (`make_bridge()`, web/your-node/worker.js), so a replay from time zero shares nothing with the
/// run it replaces.
pub fn host_maker(make_bridge: js_sys::Function) -> simulator::session::HostMaker {
    std::rc::Rc::new(move || {
        // The worker's own function: it does not throw (a failure would show as the bridge's).
        let bridge = make_bridge.call0(&JsValue::NULL).unwrap_or(JsValue::NULL);
        factory(bridge.unchecked_into::<Bridge>())
    })
}

fn name(id: NodeId) -> String {
    format!("S{id}")
}

fn parse_name(text: &str) -> Option<NodeId> {
    let n: u8 = text.strip_prefix('S')?.parse().ok()?;
    (1..=9).contains(&n).then_some(n)
}

/// What the node last reported about itself, in Raft's terms.
#[derive(Clone, Debug)]
struct JsState {
    role: Role,
    term: Term,
    voted_for: Option<NodeId>,
    log: Log,
    commit: u64,
    voters: Vec<NodeId>,
}

impl Reported for JsState {
    fn role(&self) -> Role {
        self.role
    }
    fn term(&self) -> Term {
        self.term
    }
    fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }
    fn log(&self) -> &Log {
        &self.log
    }
    fn commit_index(&self) -> u64 {
        self.commit
    }
    fn voters(&self) -> &[NodeId] {
        &self.voters
    }
    fn votes(&self) -> Vec<NodeId> {
        Vec::new()
    }
    fn leader_hint(&self) -> Option<NodeId> {
        None
    }
}

#[derive(Clone)]
pub struct JsHost {
    bridge: std::rc::Rc<Bridge>,
    id: NodeId,
    servers: Vec<NodeId>,
    report: Option<JsState>,
    /// Client requests handed to the node and not answered yet, by the id the node sees.
    pending: BTreeMap<String, (RequestId, Command)>,
    /// Every timer name the node ever set (the operator's `timeout` fires `election`).
    timers: BTreeSet<String>,
    /// The committed prefix applied, for `expect value`.
    store: BTreeMap<String, String>,
    applied: u64,
}

impl JsHost {
    fn new(bridge: std::rc::Rc<Bridge>, id: NodeId, servers: Vec<NodeId>) -> JsHost {
        JsHost {
            bridge,
            id,
            servers,
            report: None,
            pending: BTreeMap::new(),
            timers: BTreeSet::new(),
            store: BTreeMap::new(),
            applied: 0,
        }
    }

    /// Run one handler on the JS side and carry its effects into `out`. `what` names the
    /// event for an error ("onMessage(Vote from S1)"). `fields`: the input's own members, as
    /// JSON object members (`"kind":"timer","name":"election"`); the common ones are added here.
    /// (The input is written as text directly: it is made for every handler call, and a
    /// message's text, already JSON, goes in as it is rather than as an escaped string.)
    fn run(&mut self, ctx: &Ctx, what: &str, fields: &str, out: &mut Vec<Output>) {
        let me = name(self.id);
        let mut input = String::with_capacity(fields.len() + 96);
        input.push('{');
        input.push_str(fields);
        // The seed in two 32-bit halves: a JS number holds 53 bits exactly, not 64.
        input.push_str(&format!(",\"now\":{},\"seed\":[{},{}],\"id\":\"{me}\",\"servers\":[", ctx.now, ctx.seed >> 32, ctx.seed & 0xffff_ffff));
        for (i, &v) in self.servers.iter().enumerate() {
            if i > 0 {
                input.push(',');
            }
            input.push_str(&format!("\"S{v}\""));
        }
        input.push_str("]}");
        let fail = |detail: String| Output::Fail(format!("{me} failed in {what} at {}ms: {detail}", ctx.now));
        let text = match self.bridge.call(&me, &input) {
            Ok(text) => text,
            Err(e) => {
                let detail = e.as_string().unwrap_or_else(|| format!("{e:?}"));
                out.push(fail(format!("the bridge failed: {detail}")));
                return;
            }
        };
        let result: BridgeResult = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                out.push(fail(format!("the bridge answered no JSON: {e}")));
                return;
            }
        };
        if let Some(error) = result.error {
            let message = error.message.as_deref().unwrap_or("an error");
            let at = error.at.map(|at| format!(" ({at})")).unwrap_or_default();
            out.push(fail(format!("{message}{at}")));
            return;
        }
        for effect in &result.effects {
            if let Err(detail) = self.effect(ctx, effect, out) {
                out.push(fail(detail));
                return;
            }
        }
    }

    fn effect(&mut self, ctx: &Ctx, e: &Effect, out: &mut Vec<Output>) -> Result<(), String> {
        match e.t.as_str() {
            "send" => {
                let to = parse_name(&e.to).filter(|v| *v != self.id);
                let Some(to) = to else {
                    return Err(format!("ctx.send to {:?}: not another server of the cluster (S1..S9)", e.to));
                };
                out.push(Output::Send(Payload::Json(JsonMsg::new(self.id, to, &e.kind, e.msg.clone()))));
            }
            "timer" => {
                let ms = e.ms.as_ref().and_then(Value::as_f64).unwrap_or(f64::NAN);
                if !(0.0..=TIMER_MS_MAX).contains(&ms) {
                    return Err(format!("ctx.setTimer({:?}, {}): the delay must be 0 to 86400000 ms", e.name, e.ms.as_ref().unwrap_or(&Value::Null)));
                }
                let name = e.name.clone();
                self.timers.insert(name.clone());
                out.push(Output::SetTimer { name: TimerName::Owned(name), after: Delay::Ms(ms.floor() as u64) });
            }
            "clear" => out.push(Output::ClearTimer { name: TimerName::Owned(e.name.clone()) }),
            "reply" => {
                let Some((id, command)) = self.pending.remove(&e.id) else {
                    // Answered already (each delivery of a request may be answered once), or
                    // never asked: a client would drop such an answer; the trace says so.
                    out.push(Output::Note(format!("answers request {:?} again (dropped: it is not waiting)", e.id).into()));
                    return Ok(());
                };
                let reply = client_reply(&command, e.result.as_ref().unwrap_or(&Value::Null))?;
                out.push(Output::Reply { id, reply });
            }
            "report" => self.take_report(e.state.as_ref().unwrap_or(&Value::Null), out)?,
            "log" => {
                let text = e.text.as_str();
                out.push(Output::Note(format!("logs {text}").into()));
                if ctx.feed {
                    out.push(Output::Say(text.to_owned()));
                }
            }
            other => return Err(format!("the bridge sent an unknown effect {other:?}")),
        }
        Ok(())
    }

    /// A new `ctx.report(state)`: tell the engine what changed since the last one.
    fn take_report(&mut self, state: &Value, out: &mut Vec<Output>) -> Result<(), String> {
        let role = match state.get("role").and_then(Value::as_str) {
            Some("leader") => Role::Leader,
            Some("candidate") => Role::Candidate,
            Some("follower") => Role::Follower,
            other => return Err(format!("ctx.report: role must be 'leader', 'candidate' or 'follower', not {other:?}")),
        };
        let term = state.get("term").and_then(Value::as_u64).ok_or("ctx.report: term must be a whole number")?;
        let voted_for = state.get("votedFor").and_then(Value::as_str).and_then(parse_name);
        let commit = state.get("commit").and_then(Value::as_u64).unwrap_or(0);
        let mut entries = Vec::new();
        for (i, entry) in state.get("log").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]).iter().enumerate() {
            let term = entry.get("term").and_then(Value::as_u64).ok_or(format!("ctx.report: log[{i}].term must be a whole number"))?;
            entries.push((term, entry_data(entry.get("command").unwrap_or(&Value::Null))));
        }
        let log = Log::from_entries(entries);
        let commit = commit.min(log.last_index());
        let before = self.report.take();
        let (old_role, old_term, old_commit) = before.as_ref().map_or((Role::Follower, 0, 0), |b| (b.role, b.term, b.commit));
        // The first index where the logs differ: everything from there on was (re)written.
        let written_from = match &before {
            None => (log.last_index() > 0).then_some(1),
            Some(b) => {
                let same = b.log.entries().iter().zip(log.entries()).take_while(|(x, y)| x.term == y.term && x.data == y.data).count() as u64;
                (same < b.log.last_index() || same < log.last_index()).then_some(same + 1)
            }
        };
        self.report = Some(JsState { role, term, voted_for, log, commit, voters: self.servers.clone() });
        if role != old_role || term != old_term {
            out.push(Output::RoleChanged { role, term });
        }
        if let Some(from) = written_from {
            out.push(Output::LogWritten { from });
        }
        if commit > old_commit {
            out.push(Output::Committed { index: commit });
            self.apply_committed(out);
        }
        Ok(())
    }

    /// Apply the newly committed entries to the key-value view (`expect value`), telling the
    /// engine each (the state machine safety check compares them across servers).
    fn apply_committed(&mut self, out: &mut Vec<Output>) {
        let Some(r) = &self.report else { return };
        while self.applied < r.commit {
            self.applied += 1;
            let Some(entry) = r.log.entry(self.applied) else { break };
            if let EntryData::Client { command, .. } = &entry.data {
                match command {
                    Command::Put { key, value } => {
                        self.store.insert(key.clone(), value.clone());
                    }
                    Command::Cas { key, old, new } => {
                        if self.store.get(key) == old.as_ref() {
                            self.store.insert(key.clone(), new.clone());
                        }
                    }
                    Command::Get { .. } => {}
                }
            }
            out.push(Output::Applied { index: entry.index, term: entry.term });
        }
    }

    fn input(kind: &str) -> String {
        format!("\"kind\":\"{kind}\"")
    }
}

/// What the bridge answers a handler call with: its effects in order, or the error it threw.
#[derive(Deserialize)]
struct BridgeResult {
    #[serde(default)]
    effects: Vec<Effect>,
    error: Option<BridgeError>,
}

#[derive(Deserialize)]
struct BridgeError {
    message: Option<String>,
    at: Option<String>,
}

/// One effect (web/your-node/bridge.js): `t` says which; the other members are its arguments.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Effect {
    t: String,
    to: String,
    #[serde(rename = "type")]
    kind: String,
    /// A message, as the JSON text the bridge made of it.
    msg: String,
    name: String,
    ms: Option<Value>,
    id: String,
    result: Option<Value>,
    state: Option<Value>,
    text: String,
}

/// `s` as a JSON string.
fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The id a node sees for a client request: `c1.4` (client 1, its 4th command).
fn request_name(id: RequestId) -> String {
    format!("c{}.{}", id.client, id.seq)
}

fn parse_request(text: &str) -> Option<RequestId> {
    let (client, seq) = text.strip_prefix('c')?.split_once('.')?;
    Some(RequestId { client: client.parse().ok()?, seq: seq.parse().ok()? })
}

/// A value a node hands back: a string as is, null or absent as absent, anything else as JSON.
fn value_text(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

/// A reported log entry's command: a client request (`{id, op, key, value, expected}`) as the
/// Rust servers log it, `null` as a leader's no-op, anything else as its JSON text.
fn entry_data(command: &Value) -> EntryData {
    if command.is_null() {
        return EntryData::Noop;
    }
    let s = |k: &str| command.get(k).and_then(Value::as_str).map(str::to_owned);
    let request = command.get("id").and_then(Value::as_str).and_then(parse_request);
    let parsed = match (s("op").as_deref(), s("key")) {
        (Some("put"), Some(key)) => Some(Command::Put { key, value: s("value").unwrap_or_default() }),
        (Some("get"), Some(key)) => Some(Command::Get { key }),
        (Some("cas"), Some(key)) => Some(Command::Cas { key, old: s("expected"), new: s("value").unwrap_or_default() }),
        _ => None,
    };
    match (request, parsed) {
        (Some(id), Some(command)) => EntryData::Client { id, command },
        _ => EntryData::Client { id: RequestId { client: 0, seq: 0 }, command: Command::Put { key: "json".into(), value: command.to_string() } },
    }
}

fn client_reply(command: &Command, result: &Value) -> Result<ClientReply, String> {
    let flag = |k: &str| result.get(k).and_then(Value::as_bool).unwrap_or(false);
    if flag("ok") {
        return Ok(ClientReply::Result(match command {
            Command::Get { .. } => ClientResult::Value(value_text(result.get("value"))),
            _ => ClientResult::Done,
        }));
    }
    if flag("notLeader") {
        let hint = result.get("leader").and_then(Value::as_str).and_then(parse_name);
        return Ok(ClientReply::NotLeader { hint });
    }
    if flag("casFailed") && matches!(command, Command::Cas { .. }) {
        return Ok(ClientReply::Result(ClientResult::CasFailed(value_text(result.get("value")))));
    }
    Err(format!(
        "ctx.reply: {result} is not a result (expected {{ ok: true }}, {{ ok: false, notLeader: true }} or, for a cas, {{ ok: false, casFailed: true, value }})"
    ))
}

impl Host for JsHost {
    fn protocol(&self) -> &'static str {
        "js"
    }
    fn start(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        self.run(ctx, "onStart", &JsHost::input("start"), out);
    }
    fn on_message(&mut self, ctx: &Ctx, msg: Payload, out: &mut Vec<Output>) {
        let Payload::Json(m) = msg else { return };
        let what = format!("onMessage({} from S{})", m.kind, m.from);
        // The message's text is the JSON the sender's bridge made: it goes in as it is.
        let fields = format!("\"kind\":\"message\",\"from\":\"S{}\",\"msg\":{}", m.from, m.text);
        self.run(ctx, &what, &fields, out);
    }
    fn on_timer(&mut self, ctx: &Ctx, timer: &str, _forced: bool, out: &mut Vec<Output>) {
        let what = format!("onTimer({timer})");
        self.run(ctx, &what, &format!("\"kind\":\"timer\",\"name\":{}", json_str(timer)), out);
    }
    fn on_client(&mut self, ctx: &Ctx, id: RequestId, command: Command, out: &mut Vec<Output>) {
        let rid = request_name(id);
        let mut req = format!("\"id\":\"{rid}\",\"key\":{}", json_str(command.key()));
        match &command {
            Command::Put { value, .. } => req.push_str(&format!(",\"op\":\"put\",\"value\":{}", json_str(value))),
            Command::Get { .. } => req.push_str(",\"op\":\"get\""),
            Command::Cas { old, new, .. } => {
                let old = old.as_deref().map_or_else(|| "null".to_owned(), json_str);
                req.push_str(&format!(",\"op\":\"cas\",\"value\":{},\"expected\":{old}", json_str(new)));
            }
        }
        let what = format!("onClient({command}, request {rid})");
        self.pending.insert(rid, (id, command));
        self.run(ctx, &what, &format!("\"kind\":\"client\",\"req\":{{{req}}}"), out);
    }
    fn on_admin(&mut self, _ctx: &Ctx, admin: Admin, out: &mut Vec<Output>) {
        out.push(Output::Refused { reason: format!("a JavaScript node has no {admin:?}") });
    }
    fn crash(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        // The JS node is dropped; its storage stays in the bridge. What it reported stays
        // drawn (as for a crashed Raft server), and its volatile view of the store is gone.
        self.pending.clear();
        self.store.clear();
        self.applied = 0;
        if let Some(r) = &mut self.report {
            r.commit = 0;
        }
        self.run(ctx, "crash", &JsHost::input("crash"), out);
        out.retain(|o| matches!(o, Output::Say(_) | Output::Fail(_)));
    }
    fn restart(&mut self, ctx: &Ctx, out: &mut Vec<Output>) {
        self.run(ctx, "onStart (restart)", &JsHost::input("start"), out);
    }
    fn configure(&mut self, _settings: &Settings) {}
    fn has_timer(&self, name: &str) -> bool {
        self.timers.contains(name)
    }
    fn has_leaders(&self) -> bool {
        self.report.is_some()
    }
    fn report(&self) -> Option<&dyn Reported> {
        self.report.as_ref().map(|r| r as &dyn Reported)
    }
    fn value(&self, key: &str) -> Option<&str> {
        self.store.get(key).map(String::as_str)
    }
    fn pairs(&self) -> Vec<(String, String)> {
        self.store.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
    fn commit_index(&self) -> u64 {
        self.report.as_ref().map_or(0, |r| r.commit)
    }
    fn last_applied(&self) -> u64 {
        self.applied
    }
    fn applied_tail(&self) -> Vec<(u64, Term, String)> {
        Vec::new()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

//! The JSON report of `raft-sim run --json` (shared/SCENARIO.md, "The report"), also the shape
//! of the page's per-frame snapshot, which adds what only a viewer needs.

use serde::Serialize;
use std::collections::BTreeMap;

use raft_core::vecmap::VecMap;
use raft_core::{ClientResult, EntryData};

use crate::model::OpKind;
use crate::check::linearizability;
use crate::runner::Runner;
use crate::model::Property;
use crate::engine::{Server, Sim};

#[derive(Serialize, Clone, Debug)]
pub struct Report {
    pub time_ms: u64,
    pub nodes: Vec<NodeReport>,
    pub history: Vec<OpReport>,
    pub stats: StatsReport,
    pub checks: BTreeMap<String, serde_json::Value>,
    pub expectations: Vec<ExpectationReport>,
    pub trace_hash: String,
    pub errors: Vec<String>,
    pub exit_code: i32,
    /// `raft` or `naive`; under `naive` only linearizability is checked (the other checks
    /// read "ok" because they do not apply).
    pub protocol: &'static str,
}

/// What the report and the page's view both say of a server.
#[derive(Serialize, Clone, Debug)]
pub struct NodeBase {
    pub id: String,
    pub running: bool,
    pub role: &'static str,
    pub term: u64,
    pub voted_for: Option<String>,
    pub commit_index: u64,
    pub last_applied: u64,
    /// The state machine's pairs, in key order (a JSON object).
    #[serde(serialize_with = "pairs_as_object")]
    pub state: VecMap<String, String>,
    /// The voter set this server believes in.
    pub voters: Vec<String>,
    pub snapshot: Option<SnapshotReport>,
}

#[derive(Serialize, Clone, Debug)]
pub struct NodeReport {
    #[serde(flatten)]
    pub base: NodeBase,
    pub log: Vec<EntryReport>,
}

#[derive(Serialize, Clone, Debug)]
pub struct SnapshotReport {
    pub last_index: u64,
    pub last_term: u64,
}

#[derive(Serialize, Clone, Debug)]
pub struct EntryReport {
    pub index: u64,
    pub term: u64,
    pub command: String,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct OpReport {
    pub line: u32,
    pub op: &'static str,
    pub key: String,
    pub value: Option<String>,
    pub expected: Option<String>,
    pub outcome: Option<&'static str>,
    pub result: Option<String>,
    /// What the operation saw the key hold (see `Operation::observed`): null when it observed
    /// nothing, `{"value": "alice"}`, or `{"value": null}` when it found the key absent.
    pub observed: Option<ObservedReport>,
    pub invoked_ms: u64,
    pub completed_ms: Option<u64>,
    /// The trace events of the invocation and the completion (1-based, in the order of
    /// `raft-sim run --trace`): they order operations within one millisecond.
    pub invoked_seq: u64,
    pub completed_seq: Option<u64>,
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ObservedReport {
    /// null: the key was absent.
    pub value: Option<String>,
}

#[derive(Serialize, Clone, Debug)]
pub struct StatsReport {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub events: u64,
}

#[derive(Serialize, Clone, Debug)]
pub struct ExpectationReport {
    pub line: u32,
    pub text: String,
    pub passed: bool,
    pub detail: String,
    /// Failed only because the linearizability checker could not decide.
    pub undecided: bool,
}

impl ExpectationReport {
    pub fn of(e: &crate::runner::ExpectationResult) -> ExpectationReport {
        ExpectationReport {
            line: e.line,
            text: e.text.clone(),
            passed: e.passed,
            detail: e.detail.clone(),
            undecided: e.undecided,
        }
    }
}

/// A server as both the report and the view see it. A server that reports no state (`protocol
/// naive`) is a follower in term 0 that has committed (and applied) every write it applied, and
/// trusts every server.
/// A sorted-vector map written as a JSON object, as a `BTreeMap` is (and without compiling a
/// `BTreeMap` and its sort for these types into the page's module).
fn pairs_as_object<S: serde::Serializer>(pairs: &VecMap<String, String>, out: S) -> Result<S::Ok, S::Error> {
    out.collect_map(pairs.iter())
}

pub fn node_base(s: &Server, max_node: u8) -> NodeBase {
    let id = format!("S{}", s.id());
    let host = s.host();
    let state = host.pairs().into_iter().collect();
    let Some(r) = s.report() else {
        return NodeBase {
            id,
            running: s.running(),
            role: raft_core::Role::Follower.name(),
            term: 0,
            voted_for: None,
            commit_index: host.commit_index(),
            last_applied: host.last_applied(),
            state,
            voters: (1..=max_node).map(|v| format!("S{v}")).collect(),
            snapshot: None,
        };
    };
    NodeBase {
        id,
        running: s.running(),
        role: r.role().name(),
        term: r.term(),
        voted_for: r.voted_for().map(|v| format!("S{v}")),
        commit_index: r.commit_index(),
        last_applied: host.last_applied(),
        state,
        voters: r.voters().iter().map(|v| format!("S{v}")).collect(),
        snapshot: r.log().snapshot().map(|s| SnapshotReport { last_index: s.last_index, last_term: s.last_term }),
    }
}

pub fn node_reports(sim: &Sim) -> Vec<NodeReport> {
    sim.servers()
        .iter()
        .map(|s| {
            let log = match s.report() {
                None => s
                    .host()
                    .applied_tail()
                    .into_iter()
                    .map(|(index, term, command)| EntryReport { index, term, command })
                    .collect(),
                Some(r) => r
                    .log()
                    .entries()
                    .iter()
                    .map(|e| EntryReport { index: e.index, term: e.term, command: entry_text(&e.data) })
                    .collect(),
            };
            NodeReport { base: node_base(s, sim.max_node()), log }
        })
        .collect()
}

pub fn entry_text(d: &EntryData) -> String {
    d.to_string()
}

pub fn history_reports(sim: &Sim) -> Vec<OpReport> {
    sim.history()
        .iter()
        .map(|op| {
            let (name, value, expected) = match &op.kind {
                OpKind::Put { value } => ("put", Some(value.clone()), None),
                OpKind::Get => ("get", None, None),
                OpKind::Cas { expected, new } => ("cas", Some(new.clone()), expected.clone()),
            };
            OpReport {
                line: op.line,
                op: name,
                key: op.key.clone(),
                value,
                expected,
                outcome: op.outcome.map(|o| o.name()),
                result: op.result.clone(),
                observed: op.observed().map(|seen| ObservedReport { value: seen.map(String::from) }),
                invoked_ms: op.invoked_ms,
                completed_ms: op.completed_ms,
                invoked_seq: op.invoked_seq,
                completed_seq: op.completed_seq,
            }
        })
        .collect()
}

/// `checks`: "ok" or `{at_ms, detail}` per property; linearizability may also be "undecided"
/// (the checker's search ran out of its budget: neither shown linearizable nor violated).
fn checks(runner: &Runner, verdict: &linearizability::Verdict) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    for p in Property::ALL {
        let v = if p == Property::Linearizability {
            match &verdict.violation {
                None if verdict.undecided => serde_json::Value::from("undecided"),
                None => serde_json::Value::from("ok"),
                Some(v) => serde_json::json!({
                    "at_ms": runner.sim.now(),
                    "detail": v.explanation,
                    "key": v.key,
                    "lines": v.lines,
                }),
            }
        } else {
            match runner.sim.violations().iter().find(|v| v.property == p) {
                None => serde_json::Value::from("ok"),
                Some(v) => serde_json::json!({ "at_ms": v.at_ms, "detail": v.detail }),
            }
        };
        out.insert(p.name().to_string(), v);
    }
    out
}

pub fn report(runner: &Runner) -> Report {
    let sim = &runner.sim;
    // The history is checked once, for `checks` and for `exit_code`.
    let verdict = runner.linearizability();
    Report {
        time_ms: sim.now(),
        nodes: node_reports(sim),
        history: history_reports(sim),
        stats: StatsReport {
            messages_sent: sim.stats().messages_sent,
            messages_delivered: sim.stats().messages_delivered,
            messages_dropped: sim.stats().messages_dropped,
            events: sim.trace().events(),
        },
        checks: checks(runner, &verdict),
        expectations: runner
            .expectations
            .iter()
            .map(ExpectationReport::of)
            .collect(),
        trace_hash: sim.trace().hash_hex(),
        errors: sim.errors().iter().map(|e| format!("{}ms: {}", e.time_ms, e.text)).collect(),
        exit_code: runner.exit_code_with(|| verdict.violation.is_some()),
        protocol: sim.protocol().name(),
    }
}

/// Describe a client result for people.
pub fn result_text(r: &ClientResult) -> String {
    match r {
        ClientResult::Done => "ok".into(),
        ClientResult::Value(v) => format!("ok {}", v.as_deref().unwrap_or("-")),
        ClientResult::CasFailed(v) => format!("fail (is {})", v.as_deref().unwrap_or("-")),
    }
}

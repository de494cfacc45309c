//! Plays a scenario on a [`Sim`]: settings, actions and expectations in order.
//!
//! The same `Runner` serves `raft-sim run` (whole scenarios) and the page (one line at a time),
//! so what the page recorded replays identically on the command line.

pub mod report;
pub mod view;

use raft_core::{Command, NodeId, Role};

use crate::check::linearizability;
use crate::scenario::{Action, Expect, Item, ItemKind, OpOutcome, Property, Scenario, Setting, Target};
use crate::servers::{Admin, HostFactory};
use crate::model::Settings;
use crate::engine::{Observe, Sim};

/// How one expectation (or a failed `run until leader`) came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectationResult {
    pub line: u32,
    pub text: String,
    pub passed: bool,
    pub detail: String,
    /// Failed only because the linearizability checker could not decide (its search ran out
    /// of budget): not known to hold, and not known to fail either.
    pub undecided: bool,
}

#[derive(Clone)]
pub struct Runner {
    pub sim: Sim,
    pub expectations: Vec<ExpectationResult>,
    /// Client operation of each scenario line, by history index.
    op_lines: Vec<(u32, usize)>,
    /// Violations the scenario asked for (`expect violation …`) do not fail the run.
    pub expected_violation: Vec<Option<Property>>,
    pub expected_not_linearizable: bool,
    /// Search steps the linearizability checker may take per key before it answers
    /// `undecided` (the default; tests lower it).
    pub lin_step_budget: u64,
    /// An action has been applied: from now on `protocol` cannot change.
    acted: bool,
}

/// Where [`Runner::play_until`] stopped: at item `index` of the scenario, inside a `run` that
/// began at `run_started`, or just after the item when that is None.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped {
    pub index: usize,
    pub run_started: Option<u64>,
}

impl Runner {
    pub fn new(scenario: &Scenario, observe: Observe) -> Runner {
        Runner::with_hosts(scenario, observe, None)
    }

    /// A runner whose `protocol js` servers are built by `hosts` (see `Sim::with_hosts`).
    pub fn with_hosts(scenario: &Scenario, observe: Observe, hosts: Option<HostFactory>) -> Runner {
        let mut settings = Settings { nodes: scenario.nodes, seed: scenario.seed, ..Settings::default() };
        // Settings written before the first action hold from time zero, including the core's
        // switches at server creation.
        for item in &scenario.items {
            match &item.kind {
                ItemKind::Setting(s) => {
                    settings.apply(s);
                }
                ItemKind::Action(_) => break,
                ItemKind::Expect(_) => {}
            }
        }
        Runner {
            sim: Sim::with_hosts(settings, observe, hosts),
            expectations: Vec::new(),
            op_lines: Vec::new(),
            expected_violation: Vec::new(),
            expected_not_linearizable: false,
            lin_step_budget: linearizability::DEFAULT_STEP_BUDGET,
            acted: false,
        }
    }

    /// Run a whole scenario.
    pub fn run(scenario: &Scenario, observe: Observe) -> Runner {
        Runner::run_with_hosts(scenario, observe, None)
    }

    /// Run a whole scenario whose `protocol js` servers `hosts` builds.
    pub fn run_with_hosts(scenario: &Scenario, observe: Observe, hosts: Option<HostFactory>) -> Runner {
        let mut r = Runner::with_hosts(scenario, observe, hosts);
        for item in &scenario.items {
            r.apply(item);
        }
        r
    }

    /// Play `scenario` on this fresh runner event by event, until `stop` holds after an event
    /// or an action. Returns where it held, or None if it never did (the whole scenario has
    /// then been played). Inside a `run`, the clock stands at the event that made `stop` hold.
    pub fn play_until(&mut self, scenario: &Scenario, mut stop: impl FnMut(&Runner) -> bool) -> Option<Stopped> {
        for (index, item) in scenario.items.iter().enumerate() {
            if let ItemKind::Action(Action::Run { ms }) = item.kind {
                let started = self.sim.now();
                let end = started + ms;
                while self.sim.step_one(end) {
                    if stop(self) {
                        return Some(Stopped { index, run_started: Some(started) });
                    }
                }
                self.sim.run_until(end);
            } else {
                self.apply(item);
                if stop(self) {
                    return Some(Stopped { index, run_started: None });
                }
            }
        }
        None
    }

    pub fn apply(&mut self, item: &Item) {
        if self.sim.halted() {
            // A server failed (its error is in the run's errors): the rest is not played, and
            // the run fails (see `exit_code`).
            return;
        }
        match &item.kind {
            ItemKind::Setting(Setting::Nodes(_) | Setting::Seed(_)) => {}
            ItemKind::Setting(Setting::Protocol(p)) => {
                // The servers were built for the protocol in force before the first action
                // (Runner::new); a switch later cannot turn one kind of server into the other.
                if self.acted && *p != self.sim.settings().protocol {
                    let name = p.name();
                    let text = format!("line {}: protocol {name} must be set before the first action", item.line);
                    self.sim.error(text.clone());
                    self.expectations.push(ExpectationResult {
                        line: item.line,
                        text: format!("protocol {name}"),
                        passed: false,
                        detail: text,
                        undecided: false,
                    });
                }
            }
            ItemKind::Setting(s) => self.sim.apply_setting(s),
            ItemKind::Action(a) => {
                self.acted = true;
                self.act(item.line, a)
            }
            ItemKind::Expect(e) => self.expect(item.line, e),
        }
    }

    fn resolve(&mut self, line: u32, t: Target, what: &str) -> Option<NodeId> {
        match t {
            Target::Node(id) => Some(id),
            Target::Leader => match self.sim.leader() {
                Some(id) => Some(id),
                None => {
                    let text = format!("line {line}: {what} leader: there is no leader at {}ms", self.sim.now());
                    self.sim.error(text.clone());
                    self.expectations.push(ExpectationResult {
                        line,
                        text: format!("{what} leader"),
                        passed: false,
                        detail: text,
                        undecided: false,
                    });
                    None
                }
            },
        }
    }

    fn act(&mut self, line: u32, a: &Action) {
        match a {
            Action::Run { ms } => {
                let t = self.sim.now() + ms;
                self.sim.run_until(t);
            }
            Action::RunUntilLeader { within_ms } => {
                let deadline = self.sim.now() + within_ms;
                loop {
                    if self.leader_check(None).is_ok() {
                        // Stop at this instant: the clock is where the leader appeared.
                        return;
                    }
                    if !self.sim.step_one(deadline) {
                        break;
                    }
                }
                self.sim.run_until(deadline);
                let detail = match self.leader_check(None) {
                    Ok(d) => d,
                    Err(d) => d,
                };
                self.expectations.push(ExpectationResult {
                    line,
                    text: format!("run until leader within {within_ms}ms"),
                    passed: false,
                    detail: format!("no leader within {within_ms}ms: {detail}"),
                    undecided: false,
                });
            }
            Action::Crash(t) => {
                if let Some(id) = self.resolve(line, *t, "crash") {
                    self.sim.crash(id);
                }
            }
            Action::Restart(t) => {
                if let Some(id) = self.resolve(line, *t, "restart") {
                    self.sim.restart(id);
                }
            }
            Action::Partition(groups) => self.sim.partition(groups),
            Action::Cut { from, to, both } => {
                let Some(f) = self.resolve(line, *from, "cut") else { return };
                let Some(t) = self.resolve(line, *to, "cut") else { return };
                self.sim.cut(f, t, *both);
            }
            Action::Uncut { from, to, both } => {
                let Some(f) = self.resolve(line, *from, "uncut") else { return };
                let Some(t) = self.resolve(line, *to, "uncut") else { return };
                self.sim.uncut(f, t, *both);
            }
            Action::Isolate(t) => {
                if let Some(id) = self.resolve(line, *t, "isolate") {
                    self.sim.isolate(id);
                }
            }
            Action::Heal => self.sim.heal(),
            Action::Timeout(t) => {
                if let Some(id) = self.resolve(line, *t, "timeout") {
                    self.sim.fire_timeout(id);
                }
            }
            Action::Transfer(t) => {
                let Some(to) = self.resolve(line, *t, "transfer") else { return };
                match self.sim.leader() {
                    Some(l) => self.sim.admin(l, Admin::TransferLeadership { to }),
                    None => self.sim.error(format!("line {line}: transfer S{to}: there is no leader to hand over")),
                }
            }
            Action::Add(t) => {
                let Some(id) = self.resolve(line, *t, "add") else { return };
                match self.sim.leader() {
                    Some(l) => self.sim.add_server(id, l),
                    None => {
                        // The server starts anyway (later lines may name it); nobody adds it.
                        self.sim.create_server(id);
                        self.sim.error(format!("line {line}: add S{id}: there is no leader to ask"))
                    }
                }
            }
            Action::Remove(t) => {
                let Some(id) = self.resolve(line, *t, "remove") else { return };
                match self.sim.leader() {
                    Some(l) => self.sim.admin(l, Admin::RemoveServer { id }),
                    None => self.sim.error(format!("line {line}: remove S{id}: there is no leader to ask")),
                }
            }
            Action::Put { key, value, via } => {
                self.client(line, Command::Put { key: key.clone(), value: value.clone() }, *via)
            }
            Action::Get { key, via } => self.client(line, Command::Get { key: key.clone() }, *via),
            Action::Cas { key, old, new, via } => {
                self.client(line, Command::Cas { key: key.clone(), old: old.clone(), new: new.clone() }, *via)
            }
        }
    }

    fn client(&mut self, line: u32, command: Command, via: Option<Target>) {
        let via = match via {
            Some(t) => match self.resolve(line, t, "via") {
                Some(id) => Some(id),
                None => return,
            },
            None => None,
        };
        let index = self.sim.client_command(line, command, via);
        self.op_lines.push((line, index));
    }

    /// `expect leader` without a name: Ok(description) or Err(what was seen).
    fn leader_check(&self, want: Option<NodeId>) -> Result<String, String> {
        let (term, leaders) = self.sim.leaders_of_highest_term();
        let Some(term) = term else { return Err("no running server is leader".to_string()) };
        if leaders.len() > 1 {
            let names: Vec<String> = leaders.iter().map(|l| format!("S{l}")).collect();
            return Err(format!("{} all lead term {term}", names.join(" and ")));
        }
        let l = leaders[0];
        let (reach, voters) = self.sim.reachable_voters(l);
        if reach * 2 <= voters {
            return Err(format!(
                "S{l} leads term {term} but reaches only {reach} of {voters} servers, not a majority"
            ));
        }
        if let Some(w) = want {
            if w != l {
                return Err(format!("S{l} leads term {term}, not S{w}"));
            }
        }
        Ok(format!("S{l} leads term {term}"))
    }

    /// "S2 leads term 3" for each of `ids` that is running and leader (a naive server never is).
    fn leading(&self, ids: &[NodeId]) -> Vec<String> {
        ids.iter()
            .filter_map(|&id| self.sim.server(id))
            .filter(|s| s.running() && s.role() == Role::Leader)
            .map(|s| format!("S{} leads term {}", s.id(), s.term()))
            .collect()
    }

    fn running_or(&self, on: &[NodeId]) -> Vec<NodeId> {
        if on.is_empty() {
            self.sim.servers().iter().filter(|s| s.running()).map(|s| s.id()).collect()
        } else {
            on.to_vec()
        }
    }

    fn expect(&mut self, line: u32, e: &Expect) {
        // Set where the linearizability checker could not decide.
        let mut undecided = false;
        let (passed, detail) = match e {
            Expect::Leader(t) => {
                let want = match t {
                    Some(Target::Node(id)) => Some(*id),
                    _ => None,
                };
                match self.leader_check(want) {
                    Ok(d) => (true, d),
                    Err(d) => (false, d),
                }
            }
            Expect::NoLeader(on) => {
                let leaders = self.leading(&self.running_or(on));
                if leaders.is_empty() {
                    (true, "no leader among them".to_string())
                } else {
                    (false, leaders.join(", "))
                }
            }
            Expect::Value { key, value, on } => {
                let ids = self.running_or(on);
                let mut wrong = Vec::new();
                for id in &ids {
                    let got = self.sim.server(*id).and_then(|s| s.value(key).map(str::to_string));
                    if got != *value {
                        wrong.push(format!("S{id} has {}", got.as_deref().unwrap_or("-")));
                    }
                }
                let want = value.as_deref().unwrap_or("-");
                if wrong.is_empty() {
                    (true, format!("{key} = {want} on {}", names(&ids)))
                } else {
                    (false, format!("expected {key} = {want}: {}", wrong.join(", ")))
                }
            }
            Expect::Committed { index, on } => {
                let ids = self.running_or(on);
                let mut low = Vec::new();
                for id in &ids {
                    let c = self.sim.server(*id).map_or(0, |s| s.commit_index());
                    if c < *index {
                        low.push(format!("S{id} has committed {c}"));
                    }
                }
                if low.is_empty() {
                    (true, format!("{} committed at least {index}", names(&ids)))
                } else {
                    (false, format!("expected commit index >= {index}: {}", low.join(", ")))
                }
            }
            Expect::Role { node, role } => match self.sim.server(*node) {
                _ if !self.sim.reports_roles() => (false, format!("in protocol {} there are no roles", self.sim.protocol().name())),
                None => (false, format!("S{node} is not in the cluster")),
                Some(s) if !s.running() => (false, format!("S{node} is crashed")),
                Some(s) => {
                    let (got, term) = (s.role(), s.term());
                    let seen = format!("S{node} is {} in term {term}", a_role(got));
                    (got == *role, seen)
                }
            },
            Expect::Term { .. } if !self.sim.reports_roles() => {
                (false, format!("in protocol {} there are no terms", self.sim.protocol().name()))
            }
            Expect::Term { low, high, on } => {
                let ids = self.running_or(on);
                let want = match (*low, *high) {
                    (l, h) if l == h => format!("term {l}"),
                    (l, u64::MAX) => format!("term {l} or later"),
                    (l, h) => format!("a term from {l} to {h}"),
                };
                let mut wrong = Vec::new();
                let mut terms = Vec::new();
                for id in &ids {
                    let (running, t) = self.sim.server(*id).map_or((false, 0), |s| (s.running(), s.term()));
                    terms.push(format!("S{id} {t}"));
                    if !(*low..=*high).contains(&t) {
                        wrong.push(format!("S{id} is in term {t}{}", if running { "" } else { " (crashed)" }));
                    }
                }
                if wrong.is_empty() {
                    (true, format!("in {want}: {}", terms.join(", ")))
                } else {
                    (false, format!("expected {want}: {}", wrong.join(", ")))
                }
            }
            Expect::Leaders(n) => {
                let leaders = self.leading(&self.running_or(&[]));
                let seen = if leaders.is_empty() { "no running server is leader".to_string() } else { leaders.join(", ") };
                (leaders.len() as u64 == *n, seen)
            }
            Expect::Op { line: op_line, outcome } => {
                match self.op_lines.iter().find(|(l, _)| l == op_line) {
                    None => (false, format!("no client operation was issued on line {op_line}")),
                    Some(&(_, i)) => {
                        let op = &self.sim.history()[i];
                        match op.outcome {
                            Some(o) if o == *outcome => (true, format!("line {op_line} ended {}", o.name())),
                            Some(o) => (false, format!("line {op_line} ended {}, not {}", o.name(), outcome.name())),
                            None if *outcome == OpOutcome::Unknown => {
                                (false, format!("line {op_line} is still waiting for an answer"))
                            }
                            None => (false, format!("line {op_line} is still waiting for an answer")),
                        }
                    }
                }
            }
            Expect::Safe => match self.sim.violations().first() {
                None => (true, "no safety property violated".to_string()),
                Some(v) => (false, format!("{} violated at {}ms: {}", v.property.name(), v.at_ms, v.detail)),
            },
            Expect::Violation(p) => {
                self.expected_violation.push(*p);
                let found = match p {
                    Some(Property::Linearizability) => self.linearizability().violation.map(|v| v.explanation),
                    Some(p) => self.sim.violations().iter().find(|v| v.property == *p).map(|v| v.detail.clone()),
                    None => self
                        .sim
                        .violations()
                        .first()
                        .map(|v| format!("{}: {}", v.property.name(), v.detail))
                        .or_else(|| self.linearizability().violation.map(|v| v.explanation)),
                };
                match found {
                    Some(d) => (true, d),
                    None => {
                        // Say when the linearizability check, which could have answered, did not.
                        let lin_asked = matches!(p, None | Some(Property::Linearizability));
                        let not_known = if lin_asked { self.linearizability().undecided_detail() } else { None };
                        undecided = not_known.is_some();
                        match not_known {
                            Some(u) => (false, format!("no such violation so far ({u})")),
                            None => (false, "no such violation so far".to_string()),
                        }
                    }
                }
            }
            // An undecided history passes neither: the checker does not know.
            Expect::Linearizable => {
                let v = self.linearizability();
                undecided = v.undecided && v.violation.is_none();
                match v.violation {
                    None if v.linearizable => (true, format!("{} operations have a legal order", self.sim.history().len())),
                    None => (false, v.undecided_detail().unwrap_or_default()),
                    Some(v) => (false, v.explanation),
                }
            }
            Expect::NotLinearizable => {
                self.expected_not_linearizable = true;
                let v = self.linearizability();
                undecided = v.undecided && v.violation.is_none();
                match v.violation {
                    Some(v) => (true, v.explanation),
                    None if v.undecided => (false, v.undecided_detail().unwrap_or_default()),
                    None => (false, "the history so far is linearizable".to_string()),
                }
            }
        };
        self.expectations.push(ExpectationResult { line, text: expect_text(e), passed, detail, undecided });
    }

    /// The linearizability verdict for the history so far (pending operations count as
    /// `unknown`).
    pub fn linearizability(&self) -> linearizability::Verdict {
        linearizability::check_with_budget(&self.sim.history(), self.lin_step_budget)
    }

    /// 0 when every expectation passed and nothing was violated but what was asked for;
    /// 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        self.exit_code_with(|| self.linearizability().violation.is_some())
    }

    /// `exit_code`, with the linearizability check's answer given by `lin_violated` (asked only
    /// when it decides the code): the report has checked the history already, and the check is
    /// the costliest part of a report.
    pub(crate) fn exit_code_with(&self, lin_violated: impl FnOnce() -> bool) -> i32 {
        if self.sim.halted() || self.expectations.iter().any(|e| !e.passed) {
            return 1;
        }
        let unexpected = self.sim.violations().iter().any(|v| {
            !self.expected_violation.iter().any(|p| p.is_none() || *p == Some(v.property))
        });
        if unexpected {
            return 1;
        }
        let lin_asked = self.expected_not_linearizable
            || self.expected_violation.iter().any(|p| p.is_none() || *p == Some(Property::Linearizability));
        if !lin_asked && lin_violated() {
            return 1;
        }
        0
    }
}

/// A role as a detail says it: "leader", "a follower", "a pre-candidate".
fn a_role(role: Role) -> String {
    match role {
        Role::Leader => "leader".to_string(),
        r => format!("a {}", r.name()),
    }
}

fn names(ids: &[NodeId]) -> String {
    ids.iter().map(|i| format!("S{i}")).collect::<Vec<_>>().join(", ")
}

fn expect_text(e: &Expect) -> String {
    crate::scenario::print_item(&ItemKind::Expect(e.clone()))
}

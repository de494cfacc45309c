//! The simulator behind one handle for the browser (the Rust and WebAssembly book's pattern):
//! long-lived state stays in Rust, JS calls a few verbs with plain arguments and reads one
//! snapshot per frame. Errors come back as `Result`, which wasm-bindgen turns into exceptions.
//!
//! A `Playground` is always "this scenario, at this time": every verb that changes the run is
//! recorded as a scenario line at the simulated instant it happened, so [`Playground::recorded`]
//! replays to the same state with `raft-sim run` (same `trace_hash`).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use simulator::check::linearizability;
use simulator::scenario::{self, Action, Item, ItemKind};
use simulator::sim::Observe;
use simulator::Runner;

pub mod classroom;
pub mod fuzz;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen]
pub struct Playground {
    core: Core,
}

/// Feed lines sent with each snapshot.
const FEED_LINES: usize = 30;

/// The handle's state, usable natively (tests) and from wasm.
pub struct Core {
    runner: Runner,
    /// The recorded scenario, one entry per line (without newlines).
    lines: Vec<String>,
    /// Milliseconds run since the last recorded line, not yet written as a `run` line.
    pending_run_ms: u64,
    /// (completed operations, verdict) of the last linearizability check.
    lin: (usize, bool, Option<String>),
}

impl Core {
    pub fn new(text: &str) -> Result<Core, String> {
        let parsed = scenario::parse(text).map_err(|e| e.to_string())?;
        let mut runner = Runner::new(&parsed, Observe::PAGE);
        for item in &parsed.items {
            runner.apply(item);
        }
        let mut lines: Vec<String> = text.split('\n').map(|l| l.trim_end_matches('\r').to_string()).collect();
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        Ok(Core { runner, lines, pending_run_ms: 0, lin: (0, true, None) })
    }

    pub fn time(&self) -> u64 {
        self.runner.sim.now()
    }

    pub fn advance(&mut self, ms: u64) {
        if ms == 0 {
            return;
        }
        let t = self.runner.sim.now() + ms;
        self.runner.sim.run_until(t);
        self.pending_run_ms += ms;
    }

    /// Run to the next event (at most `max_ms` ahead). Returns the milliseconds advanced.
    pub fn step(&mut self, max_ms: u64) -> u64 {
        let now = self.runner.sim.now();
        let target = match self.runner.sim.next_event_ms() {
            Some(t) if t <= now + max_ms => t.max(now),
            _ => now + max_ms,
        };
        self.advance(target - now);
        target - now
    }

    fn flush_run(&mut self) {
        if self.pending_run_ms > 0 {
            self.lines.push(format!("run {}ms", self.pending_run_ms));
            self.pending_run_ms = 0;
        }
    }

    /// Apply one scenario line at the current instant. A line that does not parse changes
    /// nothing.
    pub fn act(&mut self, text: &str) -> Result<(), String> {
        let text = text.trim();
        if text.contains('\n') {
            return Err("one scenario line at a time".to_string());
        }
        let line_no = self.lines.len() as u32 + 1 + u32::from(self.pending_run_ms > 0);
        let item = scenario::parse_line(text, line_no, self.runner.sim.max_node().max(9)).map_err(|e| e.to_string())?;
        let Some(item) = item else { return Ok(()) };
        if let ItemKind::Action(Action::Run { ms }) = item.kind {
            self.advance(ms);
            return Ok(());
        }
        self.validate(&item)?;
        self.flush_run();
        debug_assert_eq!(self.lines.len() as u32 + 1, item.line);
        self.lines.push(text.to_string());
        self.runner.apply(&item);
        Ok(())
    }

    /// Refuse what would make the recording replay differently from what happened here.
    fn validate(&self, item: &Item) -> Result<(), String> {
        let max = self.runner.sim.max_node();
        let check = |id: u8| -> Result<(), String> {
            if id > max {
                Err(format!("there is no server S{id}: this cluster has S1..S{max}"))
            } else {
                Ok(())
            }
        };
        use scenario::{Target, Action as A};
        let t = |x: &Target| match x {
            Target::Node(id) => check(*id),
            Target::Leader => Ok(()),
        };
        if let ItemKind::Action(a) = &item.kind {
            match a {
                A::Crash(x) | A::Restart(x) | A::Isolate(x) | A::Timeout(x) | A::Transfer(x) | A::Remove(x) => t(x)?,
                A::Cut { from, to, .. } => {
                    t(from)?;
                    t(to)?
                }
                A::Partition(groups) => {
                    for g in groups {
                        for id in g {
                            check(*id)?;
                        }
                    }
                }
                A::Put { via: Some(x), .. } | A::Get { via: Some(x), .. } | A::Cas { via: Some(x), .. } => t(x)?,
                _ => {}
            }
        }
        Ok(())
    }

    pub fn recorded(&self) -> String {
        let mut s = self.lines.join("\n");
        if self.pending_run_ms > 0 {
            s.push_str(&format!("\nrun {}ms", self.pending_run_ms));
        }
        s.push('\n');
        s
    }

    pub fn trace_hash(&self) -> String {
        self.runner.sim.trace.hash_hex()
    }

    /// The linearizability verdict, recomputed only when an operation completed.
    fn lin_verdict(&mut self) -> (bool, Option<String>) {
        let done = self.runner.sim.history.iter().filter(|o| o.outcome.is_some()).count();
        if done != self.lin.0 {
            let v = linearizability::check(&self.runner.sim.history);
            self.lin = (done, v.violation.is_none(), v.violation.map(|v| v.explanation));
        }
        (self.lin.1, self.lin.2.clone())
    }

    pub fn view(&mut self) -> Snapshot {
        let (lin_ok, lin_detail) = self.lin_verdict();
        let mut view = simulator::view::view(&self.runner, FEED_LINES);
        if !lin_ok {
            view.safe = false;
            view.violations.push(simulator::view::ViolationView {
                property: "linearizability",
                at_ms: self.runner.sim.now(),
                detail: lin_detail.unwrap_or_default(),
            });
        }
        Snapshot { view, recorded_lines: self.lines.len() as u32 + u32::from(self.pending_run_ms > 0) }
    }
}

#[derive(Serialize)]
pub struct Snapshot {
    #[serde(flatten)]
    pub view: simulator::view::View,
    pub recorded_lines: u32,
}

#[wasm_bindgen]
impl Playground {
    /// Start a run from scenario text (replayed to its end). Throws with a message naming line
    /// and column if the scenario is not valid.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str) -> Result<Playground, JsError> {
        Core::new(text).map(|core| Playground { core }).map_err(|e| JsError::new(&e))
    }

    /// Advance simulated time by whole milliseconds.
    pub fn advance(&mut self, ms: f64) {
        if ms.is_finite() && ms >= 1.0 {
            self.core.advance(ms as u64);
        }
    }

    /// Advance to the next event, at most `max_ms` ahead; returns the milliseconds advanced.
    pub fn step(&mut self, max_ms: f64) -> f64 {
        let max = if max_ms.is_finite() && max_ms >= 1.0 { max_ms as u64 } else { 1 };
        self.core.step(max) as f64
    }

    /// Apply one scenario line now ("crash S3", "partition S1 S2 | S3 S4 S5", "put k v").
    pub fn act(&mut self, line: &str) -> Result<(), JsError> {
        self.core.act(line).map_err(|e| JsError::new(&e))
    }

    pub fn snapshot(&mut self) -> Result<JsValue, JsError> {
        let snap = self.core.view();
        let ser = serde_wasm_bindgen::Serializer::json_compatible();
        snap.serialize(&ser).map_err(|e| JsError::new(&e.to_string()))
    }

    pub fn recorded(&self) -> String {
        self.core.recorded()
    }

    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        self.core.trace_hash()
    }

    pub fn time(&self) -> f64 {
        self.core.time() as f64
    }
}

/// Run a whole scenario and return the JSON report (what `raft-sim run --json` prints), for
/// the Node test that compares native and WebAssembly runs.
#[wasm_bindgen(js_name = runScenario)]
pub fn run_scenario(text: &str) -> Result<String, JsError> {
    let parsed = scenario::parse(text).map_err(|e| JsError::new(&e.to_string()))?;
    let runner = Runner::run(&parsed, Observe::REPORT);
    let rep = simulator::report::report(&runner);
    serde_json::to_string(&rep).map_err(|e| JsError::new(&e.to_string()))
}

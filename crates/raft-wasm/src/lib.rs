//! The simulator behind one handle for the browser (the Rust and WebAssembly book's pattern):
//! long-lived state stays in Rust, JS calls a few verbs with plain arguments and reads one
//! snapshot per frame. Errors come back as `Result`, which wasm-bindgen turns into exceptions.
//!
//! A `Playground` is a [`Session`] (the simulator's time travel: recording, checkpoints, seek,
//! fork); this crate only converts arguments and results between JS and Rust.

#[cfg(any(feature = "page", feature = "search"))]
use serde::Serialize;
use wasm_bindgen::prelude::*;

use simulator::session::Session;
#[cfg(feature = "report")]
use simulator::sim::Observe;

pub mod classroom;
pub mod frame;
pub mod fuzz;
#[cfg(feature = "js")]
pub mod js;
#[cfg(feature = "report")]
use simulator::{scenario, Runner};

/// The name `fuzz.rs`'s tests use for the session.
#[cfg(test)]
pub(crate) use simulator::session::Session as Core;

/// Panics print Rust's message to the console. Not in the modules built to stop on a panic with
/// no message at all (the first-load ones, scripts/build-wasm.sh): there the hook would never run.
#[cfg(not(panic = "immediate-abort"))]
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen]
pub struct Playground {
    session: Session,
    /// What the page holds from the last `frame` (see frame.rs).
    sent: frame::Sent,
}

/// A value as plain JS data (objects and arrays, numbers as numbers): JSON text parsed by the
/// browser, for every export but the per-frame snapshot (frame.rs writes that one by hand).
/// serde_json (which the trace and the report use too) means one compiled copy of every type's
/// `Serialize`, and one `JSON.parse` is cheaper than building the object field by field across
/// the boundary. (serde_json fails only on a map whose keys are
/// not strings or numbers, or an I/O error, and none can happen here: the error's own message,
/// its `Display` and `io::Error`'s, would be 3 KB of module that never runs.)
#[cfg(any(feature = "page", feature = "search"))]
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|_| JsError::new("the value could not be written as JSON"))?;
    parse_json(&text)
}

fn parse_json(text: &str) -> Result<JsValue, JsError> {
    json_parse(text).map_err(|_| JsError::new("the snapshot is not valid JSON"))
}

// `JSON.parse`, bound here rather than through js-sys: the figure's and the playground's
// modules then link no js-sys, whose closure adapters (wasm-bindgen keeps one per closure type
// it describes, in the function table) would cost 2 KB there.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;
}

/// Whole milliseconds from a JS number: NaN, infinities and negatives are 0.
fn whole_ms(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        x as u64
    } else {
        0
    }
}

#[wasm_bindgen]
impl Playground {
    /// Start a run from scenario text (replayed to its end). Throws with a message naming line
    /// and column if the scenario is not valid.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str) -> Result<Playground, JsError> {
        Session::new(text).map(|session| Playground { session, sent: frame::Sent::default() }).map_err(|e| JsError::new(&e))
    }

    /// A run of `protocol js` in the page (web/your-node/worker.js): `makeBridge()` returns a new,
    /// independent bridge (web/your-node/bridge.js) each time it is called. The session never
    /// clones such a run: going back in time replays it on fresh servers from a new bridge.
    #[cfg(feature = "js")]
    #[wasm_bindgen(js_name = withBridge)]
    pub fn with_bridge(text: &str, make_bridge: js_sys::Function) -> Result<Playground, JsError> {
        Session::with_hosts(text, Some(js::host_maker(make_bridge))).map(|session| Playground { session, sent: frame::Sent::default() }).map_err(|e| JsError::new(&e))
    }

    /// Advance simulated time by whole milliseconds.
    pub fn advance(&mut self, ms: f64) {
        self.session.advance(whole_ms(ms));
    }

    /// Advance to the next event, at most `max_ms` ahead; returns the milliseconds advanced.
    pub fn step(&mut self, max_ms: f64) -> f64 {
        let max = if max_ms.is_finite() && max_ms >= 1.0 { max_ms as u64 } else { 1 };
        self.session.step(max) as f64
    }

    /// Apply one scenario line now ("crash S3", "partition S1 S2 | S3 S4 S5", "put k v").
    pub fn act(&mut self, line: &str) -> Result<(), JsError> {
        self.session.act(line).map_err(|e| JsError::new(&e))
    }

    /// This instant as plain data (web/model.js reads it; PAGE.md lists its fields).
    pub fn snapshot(&mut self) -> Result<JsValue, JsError> {
        parse_json(&frame::full(&self.session.view_without_logs(), self.session.runner()))
    }

    /// The same snapshot for the next animation frame, numbered (`frame`), its lists written
    /// as changes to those of frame `have` when that is the last one this handle returned (say
    /// -1 for none): web/model.js rebuilds the whole snapshot from it (frame.rs).
    pub fn frame(&mut self, have: f64) -> Result<JsValue, JsError> {
        // (The servers' log tails are written from the runner: only new entries are formatted.)
        let view = self.session.view_without_logs();
        parse_json(&self.sent.frame(view, self.session.runner(), have))
    }

    pub fn recorded(&self) -> String {
        self.session.recorded()
    }

    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        self.session.trace_hash()
    }

    pub fn time(&self) -> f64 {
        self.session.time() as f64
    }

}

/// The playground's verbs beyond a figure's: time travel's timeline and message lives, the
/// undecided budget, the whole recording and the trace. Feature `page`: figures are built
/// without it (the figure module, lighter).
#[cfg(feature = "page")]
#[wasm_bindgen]
impl Playground {
    /// Show instant `ms` of the recording (clamped to its end). Acting there forks the
    /// recording; advancing replays it.
    pub fn seek(&mut self, ms: f64) {
        self.session.seek(whole_ms(ms));
    }

    /// Back to the end of the recording.
    pub fn live(&mut self) {
        let end = self.session.end_ms();
        self.session.seek(end);
    }

    #[wasm_bindgen(js_name = isLive)]
    pub fn is_live(&self) -> bool {
        self.session.is_live()
    }

    #[wasm_bindgen(js_name = endMs)]
    pub fn end_ms(&self) -> f64 {
        self.session.end_ms() as f64
    }

    /// `{time_ms, end_ms, live, checkpoints, checkpoint_interval_ms, marks: [{time_ms, kind, text}]}`.
    pub fn timeline(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.timeline())
    }

    /// Messages on the wire at some time in `from_ms..=to_ms`, up to this instant:
    /// `[{id, from, to, kind, response, summary, sent_ms, deliver_ms, end_ms, dropped}]`
    /// (`end_ms` null while on the wire).
    #[wasm_bindgen(js_name = messagesBetween)]
    pub fn messages_between(&self, from_ms: f64, to_ms: f64) -> Result<JsValue, JsError> {
        to_js(&self.session.messages_between(whole_ms(from_ms), whole_ms(to_ms)))
    }

    /// Search steps the linearizability checker may take per key before it answers
    /// `undecided` (default 5,000,000). For tests and demonstrations of an undecided verdict.
    #[wasm_bindgen(js_name = setLinearizabilityBudget)]
    pub fn set_lin_step_budget(&mut self, steps: f64) {
        if steps.is_finite() && steps >= 0.0 {
            self.session.set_lin_step_budget(steps as u64);
        }
    }

    /// The whole recording, including what lies after this instant.
    #[wasm_bindgen(js_name = recordedAll)]
    pub fn recorded_all(&self) -> String {
        self.session.recorded_all()
    }

    /// The trace up to this instant as JSON Lines, `{"time_ms":…,"text":…}` per event.
    #[wasm_bindgen(js_name = traceJsonl)]
    pub fn trace_jsonl(&self) -> Result<String, JsError> {
        self.session.trace_jsonl().map_err(|e| JsError::new(&e))
    }
}

/// Run a whole scenario and return the JSON report (what `raft-sim run --json` prints), for
/// the Node test that compares native and WebAssembly runs (the full module only).
#[cfg(feature = "report")]
#[wasm_bindgen(js_name = runScenario)]
pub fn run_scenario(text: &str) -> Result<String, JsError> {
    let parsed = scenario::parse(text).map_err(|e| JsError::new(&e.to_string()))?;
    let runner = Runner::run(&parsed, Observe::REPORT);
    let rep = simulator::report::report(&runner);
    serde_json::to_string(&rep).map_err(|e| JsError::new(&e.to_string()))
}

/// Run a whole scenario of any protocol, `protocol js` included: its servers call `bridge`
/// (web/your-node/bridge.js). Returns `{"report": …, "trace": [lines]}` as JSON text: the report
/// of `raft-sim run --json`, and the trace's lines when `trace_lines` (`--trace`). A scenario
/// that does not parse is an error (`line L, column C: …`).
#[cfg(feature = "js")]
#[wasm_bindgen(js_name = runJs)]
pub fn run_js(text: &str, bridge: js::Bridge, trace_lines: bool) -> Result<String, JsError> {
    let parsed = scenario::parse(text).map_err(|e| JsError::new(&e.to_string()))?;
    let observe = if trace_lines { Observe::LINES } else { Observe::REPORT };
    let runner = Runner::run_with_hosts(&parsed, observe, Some(js::factory(bridge)));
    let rep = simulator::report::report(&runner);
    let trace: Vec<&str> = if trace_lines { runner.sim.trace().lines().iter().map(String::as_str).collect() } else { Vec::new() };
    serde_json::to_string(&serde_json::json!({ "report": rep, "trace": trace })).map_err(|e| JsError::new(&e.to_string()))
}

/// The code block of a scenario (`protocol js`), or undefined when it has none; an error when
/// the scenario does not parse. The judge loads the module before running the scenario.
#[cfg(feature = "js")]
#[wasm_bindgen(js_name = scenarioCode)]
pub fn scenario_code(text: &str) -> Result<Option<String>, JsError> {
    scenario::parse(text).map(|s| s.code).map_err(|e| JsError::new(&e.to_string()))
}

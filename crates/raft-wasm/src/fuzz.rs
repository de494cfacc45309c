//! Counterexample search for the page: the simulator's fuzzer, one seed per call, so a Web
//! Worker can report progress between seeds and be stopped (terminated) at any time; and the
//! replay of a finding up to the instant of its violation. Their JS verbs are in the full module
//! only (feature `search`): the page's worker loads it when the search is opened.

use serde::Serialize;
#[cfg(any(feature = "page", feature = "search"))]
use wasm_bindgen::prelude::*;

use raft_core::Bug;
use simulator::check::linearizability;
use simulator::fuzz::{self, FuzzConfig};
use simulator::scenario::{self, Property};
use simulator::sim::Observe;
use simulator::Runner;

/// Schedules the page searches are this long: shorter than the command line's 10 s, so more of
/// them run per second; every deliberate bug still shows up within a few hundred seeds.
pub const PAGE_SCHEDULE_MS: u64 = 5_000;

#[derive(Serialize, Clone, Debug)]
pub struct FindingView {
    pub seed: u64,
    pub bug: &'static str,
    pub property: &'static str,
    pub detail: String,
    pub at_ms: u64,
    pub scenario: String,
    pub original_actions: usize,
    pub shrunk_actions: usize,
}

/// The names of the deliberate bugs, in the language's order.
pub fn bug_names() -> Vec<&'static str> {
    Bug::ALL.iter().map(|b| b.name()).collect()
}

/// Runs the page spends shrinking a finding: the command line allows 2000, but on the page
/// the student is waiting. A run of a shrinking candidate stops at the violation and costs
/// well under a millisecond natively; 600 reach the command line's story for every bug but
/// commit-old-terms (BENCHMARKS.md).
pub const PAGE_SHRINK_RUNS: usize = 600;

/// Fuzz one seed with `bug` switched on; the shrunk finding, or None when nothing broke.
pub fn fuzz_one(seed: u64, bug: &str) -> Result<Option<FindingView>, String> {
    fuzz_with(seed, bug, PAGE_SHRINK_RUNS)
}

pub fn fuzz_with(seed: u64, bug: &str, shrink_runs: usize) -> Result<Option<FindingView>, String> {
    let b = Bug::from_name(bug).ok_or_else(|| format!("unknown bug {bug}; the bugs are {}", bug_names().join(", ")))?;
    let cfg = FuzzConfig {
        bug: Some(b),
        duration_ms: PAGE_SCHEDULE_MS,
        shrink_runs,
        found_by: "the page's counterexample search",
        ..FuzzConfig::default()
    };
    Ok(fuzz::fuzz_seed(seed, &cfg).map(|f| FindingView {
        seed,
        bug: b.name(),
        property: f.property.name(),
        detail: f.detail,
        at_ms: f.at_ms,
        scenario: f.scenario,
        original_actions: f.original_actions,
        shrunk_actions: f.shrunk_actions,
    }))
}

/// Where a scenario first breaks a safety property.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// The scenario cut at that instant: its lines up to there, ending with a partial `run`.
    /// Replayed, it gives exactly the run up to the violation (same trace hash).
    pub scenario: String,
    pub at_ms: u64,
    pub property: Option<&'static str>,
    pub detail: Option<String>,
}

/// Replay `text` event by event and cut it at the first violation (the end of the millisecond
/// in which it happened). With no violation, the whole scenario comes back.
pub fn until_violation(text: &str) -> Result<Stop, String> {
    let parsed = scenario::parse(text).map_err(|e| e.to_string())?;
    let lines: Vec<&str> = text.lines().collect();
    let mut r = Runner::new(&parsed, Observe::FUZZ);
    let mut completed = 0;
    // Violated yet? Linearizability only needs a look when an operation has completed.
    let broken = |r: &Runner, completed: &mut usize| -> Option<(Property, String)> {
        if let Some(v) = r.sim.violations().first() {
            return Some((v.property, v.detail.clone()));
        }
        let done = r.sim.history().iter().filter(|o| o.outcome.is_some()).count();
        if done != *completed {
            *completed = done;
            if let Some(v) = linearizability::check(&r.sim.history()).violation {
                return Some((Property::Linearizability, v.explanation));
            }
        }
        None
    };
    let mut found = None;
    let stopped = r.play_until(&parsed, |r| {
        found = broken(r, &mut completed);
        found.is_some()
    });
    if let (Some(at), Some((p, d))) = (stopped, found) {
        let line = parsed.items[at.index].line as usize;
        let (cut, t) = match at.run_started {
            // Inside a run: finish the millisecond, as a replayed `run` would, and cut the run
            // there.
            Some(start) => {
                let t = r.sim.now();
                r.sim.run_until(t);
                let mut cut: Vec<String> = lines[..line - 1].iter().map(|l| l.to_string()).collect();
                if t > start {
                    cut.push(format!("run {}ms", t - start));
                }
                (cut.join("\n") + "\n", t)
            }
            None => (lines[..line].join("\n") + "\n", r.sim.now()),
        };
        return Ok(Stop { scenario: cut, at_ms: t, property: Some(p.name()), detail: Some(d) });
    }
    Ok(Stop { scenario: text.to_string(), at_ms: r.sim.now(), property: None, detail: None })
}

#[cfg(feature = "search")]
use crate::to_js;

/// `fuzzSeed(seed, bug)`: null, or `{seed, bug, property, detail, at_ms, scenario, …}` with the
/// shrunk scenario.
#[cfg(feature = "search")]
#[wasm_bindgen(js_name = fuzzSeed)]
pub fn fuzz_seed_js(seed: f64, bug: &str) -> Result<JsValue, JsError> {
    if !(seed.is_finite() && seed >= 0.0) {
        return Err(JsError::new("the seed must be a whole number"));
    }
    match fuzz_one(seed as u64, bug).map_err(|e| JsError::new(&e))? {
        Some(f) => to_js(&f),
        None => Ok(JsValue::NULL),
    }
}

/// `bugNames()`: the deliberate bugs.
#[cfg(feature = "page")]
#[wasm_bindgen(js_name = bugNames)]
pub fn bug_names_js() -> Vec<String> {
    bug_names().into_iter().map(String::from).collect()
}

/// `untilViolation(text)`: `{scenario, at_ms, property, detail}`, the scenario cut at its first
/// violation (see [`until_violation`]).
#[cfg(feature = "search")]
#[wasm_bindgen(js_name = untilViolation)]
pub fn until_violation_js(text: &str) -> Result<JsValue, JsError> {
    to_js(&until_violation(text).map_err(|e| JsError::new(&e))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Core;

    #[test]
    fn every_bug_is_found_within_a_few_hundred_page_seeds_and_cut_at_its_violation() {
        for bug in bug_names() {
            let found = (1..=1000u64).find_map(|s| fuzz_one(s, bug).unwrap());
            let f = found.unwrap_or_else(|| panic!("{bug}: nothing within 1000 seeds"));
            // A story a student can step through in a minute, Figure 8 included.
            assert!(f.shrunk_actions <= 25, "{bug}: {} actions with the page's budget\n{}", f.shrunk_actions, f.scenario);
            let stop = until_violation(&f.scenario).unwrap();
            assert!(stop.property.is_some(), "{bug}: the shrunk scenario does not break anything");
            // The cut scenario replays on the page to the same state: violated, at that instant.
            let mut core = Core::new(&stop.scenario).unwrap();
            assert_eq!(core.time(), stop.at_ms, "{bug}");
            let snap = core.view();
            assert!(!snap.view.safe, "{bug}: the cut scenario is not violated on the page\n{}", stop.scenario);
        }
    }

    #[test]
    fn until_violation_stops_at_the_first_violation() {
        let text = "nodes 5\nbug small-quorum\nelection-timeout 3s..4s\npartition S1 S2 | S3 S4 S5\ntimeout S1\ntimeout S3\nrun 100ms\nrun 900ms\n";
        let stop = until_violation(text).unwrap();
        assert_eq!(stop.property, Some("election-safety"));
        assert!(stop.at_ms > 0 && stop.at_ms < 100, "{stop:?}");
        assert!(stop.scenario.ends_with(&format!("timeout S3\nrun {}ms\n", stop.at_ms)), "{}", stop.scenario);
        let clean = "nodes 3\nrun 1s\n";
        let stop = until_violation(clean).unwrap();
        assert_eq!(stop.property, None);
        assert_eq!(stop.at_ms, 1000);
    }

    /// Shrinking budget against time and size: `cargo test --release -p raft-wasm shrink_budgets -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn shrink_budgets() {
        for (bug, seed) in [("commit-old-terms", 531), ("stale-read", 205), ("skip-prev-check", 8)] {
            for budget in [100, 200, 400, 800, 2000] {
                let t = std::time::Instant::now();
                let f = fuzz_with(seed, bug, budget).unwrap().unwrap();
                eprintln!("{bug} {budget}: {} -> {} actions, {:?}", f.original_actions, f.shrunk_actions, t.elapsed());
            }
        }
    }

    #[test]
    fn unknown_bug_is_refused() {
        assert!(fuzz_one(1, "no-such-bug").unwrap_err().contains("vote-any-log"));
    }
}

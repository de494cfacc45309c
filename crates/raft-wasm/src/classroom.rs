//! Classroom verbs: evaluate an exercise's goal against the run as it is now, without recording
//! anything, so the page can tell a student the moment the goal holds.
//!
//! The goal is ordinary expectation lines (`expect leader`, `expect violation`, …). They are
//! applied to the live runner and their results taken back out again: expectations only read
//! the simulation, and the bookkeeping they touch (results, asked-for violations) is restored,
//! so checking changes neither the run, its recording nor its trace hash.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use simulator::scenario::{self, ItemKind};

use crate::{Core, Playground};

/// One goal line, as it holds at this instant.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct GoalResult {
    /// Line number within the goal text (1-based).
    pub line: u32,
    pub text: String,
    pub passed: bool,
    pub detail: String,
    /// It failed only because the linearizability checker could not decide (its search ran out
    /// of budget): the page shows it as undecided, not as simply unmet.
    pub undecided: bool,
}

impl Core {
    /// Evaluate expectation lines (one per line; blank and comment lines are skipped) at the
    /// current instant. Anything but an expectation is refused, naming the line.
    pub fn check(&mut self, goal: &str) -> Result<Vec<GoalResult>, String> {
        let max = self.runner.sim.max_node().max(9);
        let mut items = Vec::new();
        for (i, raw) in goal.lines().enumerate() {
            let line = i as u32 + 1;
            let Some(item) = scenario::parse_line(raw, line, max).map_err(|e| format!("goal {e}"))? else { continue };
            if !matches!(item.kind, ItemKind::Expect(_)) {
                return Err(format!("goal line {line}: only expectations belong in a goal, found \"{}\"", raw.trim()));
            }
            items.push(item);
        }
        let r = &mut self.runner;
        let (n_results, n_violation, not_lin) = (r.expectations.len(), r.expected_violation.len(), r.expected_not_linearizable);
        for item in &items {
            r.apply(item);
        }
        let results = r
            .expectations
            .drain(n_results..)
            .map(|e| GoalResult { line: e.line, text: e.text, passed: e.passed, detail: e.detail, undecided: e.undecided })
            .collect();
        r.expected_violation.truncate(n_violation);
        r.expected_not_linearizable = not_lin;
        Ok(results)
    }
}

#[wasm_bindgen]
impl Playground {
    /// Evaluate goal lines against this instant without recording them:
    /// `[{line, text, passed, detail}]`. Throws if a line is not an expectation.
    pub fn check(&mut self, goal: &str) -> Result<JsValue, JsError> {
        let results = self.core.check(goal).map_err(|e| JsError::new(&e))?;
        let ser = serde_wasm_bindgen::Serializer::json_compatible();
        results.serialize(&ser).map_err(|e| JsError::new(&e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    const SETUP: &str = "nodes 5\nseed 1\nrun 1s\n";

    #[test]
    fn check_reports_without_recording() {
        let mut core = Core::new(SETUP).unwrap();
        let before = (core.recorded(), core.trace_hash());
        let got = core.check("# the goal\nexpect leader\n\nexpect no-leader").unwrap();
        assert_eq!(got.len(), 2);
        assert!(got[0].passed, "{:?}", got[0]);
        assert_eq!(got[0].line, 2);
        assert!(!got[1].passed);
        assert_eq!(got[1].text, "expect no-leader");
        assert_eq!((core.recorded(), core.trace_hash()), before);
        assert!(core.runner.expectations.is_empty());
    }

    #[test]
    fn check_leaves_asked_for_violations_alone() {
        let mut core = Core::new(SETUP).unwrap();
        let got = core.check("expect violation\nexpect not-linearizable").unwrap();
        assert!(got.iter().all(|g| !g.passed));
        assert!(core.runner.expected_violation.is_empty());
        assert!(!core.runner.expected_not_linearizable);
        assert_eq!(core.runner.exit_code(), 0);
    }

    #[test]
    fn check_refuses_actions_and_bad_lines() {
        let mut core = Core::new(SETUP).unwrap();
        let e = core.check("expect leader\ncrash S1").unwrap_err();
        assert!(e.contains("line 2") && e.contains("only expectations"), "{e}");
        assert!(core.check("expect leaderz").is_err());
        assert!(core.runner.sim.servers().iter().all(|s| s.running));
    }

    // ---- the exercises in exercises/ ------------------------------------------------------

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// (id, text) of every exercise.
    fn exercises() -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("exercises"))
            .expect("exercises/ exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "scn"))
            .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        out.sort();
        out
    }

    /// Split an exercise at its `# goal:` line: (setup, goal lines).
    fn split(text: &str) -> (String, Vec<String>) {
        let mut setup = String::new();
        let mut goal = Vec::new();
        let mut in_goal = false;
        for l in text.lines() {
            if l.trim_start().starts_with("# goal:") {
                in_goal = true;
            } else if in_goal {
                let t = l.split('#').next().unwrap().trim();
                if !t.is_empty() {
                    goal.push(t.to_string());
                }
            } else {
                setup.push_str(l);
                setup.push('\n');
            }
        }
        (setup, goal)
    }

    fn header(text: &str, key: &str) -> Vec<String> {
        let prefix = format!("# {key}:");
        text.lines().filter_map(|l| l.strip_prefix(&prefix).map(|v| v.trim().to_string())).collect()
    }

    /// Exit status of `raft-sim run` for a scenario text, computed in-process the same way.
    fn exit_of(text: &str) -> i32 {
        let parsed = scenario::parse(text).unwrap_or_else(|e| panic!("does not parse: {e}\n{text}"));
        let r = simulator::Runner::run(&parsed, simulator::Observe::REPORT);
        r.exit_code()
    }

    #[test]
    fn every_exercise_is_well_formed_unsolved_at_the_start_and_solved_by_its_solution() {
        let list = exercises();
        assert!(list.len() >= 10, "at least ten exercises, found {}", list.len());
        for (id, text) in &list {
            for key in ["title", "story", "hint", "explain"] {
                assert!(!header(text, key).is_empty(), "{id}: no `# {key}:` line");
            }
            let (setup, goal) = split(text);
            assert!(!goal.is_empty(), "{id}: no goal lines after `# goal:`");
            // The goal is expectations only, and the page can check it live.
            let mut core = Core::new(&setup).unwrap_or_else(|e| panic!("{id}: setup does not run: {e}"));
            let results = core.check(&goal.join("\n")).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(!results.iter().all(|r| r.passed), "{id}: the goal already holds after the setup");
            assert_ne!(exit_of(text), 0, "{id}: the unsolved exercise passes raft-sim run");

            let solution = std::fs::read_to_string(root().join(format!("exercises/solutions/{id}.scn")))
                .unwrap_or_else(|_| panic!("{id}: no exercises/solutions/{id}.scn"));
            assert!(solution.starts_with(&setup), "{id}: the solution does not start with the exercise's setup");
            let (_, sol_goal) = split(&solution);
            assert_eq!(sol_goal, goal, "{id}: the solution ends with another goal");
            let parsed = scenario::parse(&solution).unwrap();
            let r = simulator::Runner::run(&parsed, simulator::Observe::REPORT);
            assert_eq!(
                r.exit_code(),
                0,
                "{id}: the solution fails: {:?}; violations {:?}",
                r.expectations.iter().filter(|e| !e.passed).collect::<Vec<_>>(),
                r.sim.violations().iter().map(|v| (v.property.name(), v.detail.clone())).collect::<Vec<_>>()
            );
        }
    }

    /// scripts/grade.sh, over a folder of made-up submissions: a solved one, an unsolved one, one
    /// whose goal was deleted and one for an exercise that does not exist.
    #[test]
    fn grade_script_grades_a_folder() {
        let sim = root().join("target/debug/raft-sim");
        if !sim.exists() {
            let ok = Command::new(env!("CARGO")).args(["build", "-q", "-p", "raft-sim"]).current_dir(root()).status().unwrap();
            assert!(ok.success(), "cargo build -p raft-sim failed");
        }
        let dir = std::env::temp_dir().join(format!("grade-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let sol = std::fs::read_to_string(root().join("exercises/solutions/elect-leader.scn")).unwrap();
        let ex = std::fs::read_to_string(root().join("exercises/elect-leader.scn")).unwrap();
        std::fs::write(dir.join("ada.scn"), format!("# exercise: elect-leader\n{sol}")).unwrap();
        std::fs::write(dir.join("bob.scn"), format!("# exercise: elect-leader\n{ex}")).unwrap();
        let cheat: String = sol.lines().filter(|l| !l.starts_with("expect")).map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.join("cy.scn"), format!("# exercise: elect-leader\n{cheat}")).unwrap();
        std::fs::write(dir.join("dee.scn"), "# exercise: no-such-thing\nnodes 3\n").unwrap();
        let out = Command::new("bash")
            .arg(root().join("scripts/grade.sh"))
            .arg(&dir)
            .env("RAFT_SIM", &sim)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let row = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no row for {name}:\n{text}")).to_string();
        assert!(row("ada.scn").contains("solved"), "{text}");
        assert!(row("bob.scn").contains("not solved"), "{text}");
        assert!(row("cy.scn").contains("goal missing"), "{text}");
        assert!(row("dee.scn").contains("unknown exercise"), "{text}");
        assert!(text.contains("1 of 4 solved"), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

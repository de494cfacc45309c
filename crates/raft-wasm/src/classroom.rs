//! Classroom verbs: evaluate an exercise's goal against the run as it is now, without recording
//! anything ([`simulator::session::Session::check`]), so the page can tell a student the moment
//! the goal holds. The tests here hold every exercise in exercises/ to its story.

#[cfg(feature = "page")]
use wasm_bindgen::prelude::*;

#[cfg(feature = "page")]
use crate::{to_js, Playground};

#[cfg(feature = "page")]
#[wasm_bindgen]
impl Playground {
    /// Evaluate goal lines against this instant without recording them:
    /// `[{line, text, passed, detail}]`. Throws if a line is not an expectation.
    pub fn check(&mut self, goal: &str) -> Result<JsValue, JsError> {
        to_js(&self.session.check(goal).map_err(|e| JsError::new(&e))?)
    }
}

#[cfg(test)]
mod tests {
    use simulator::scenario;
    use simulator::session::Session;
    use std::path::{Path, PathBuf};
    use std::process::Command;

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

    /// A `protocol js` exercise: its node is JavaScript, which only the judge can run
    /// (`raft-sim` refuses it); tests/node/exercises.test.mjs holds those to the same rules.
    fn is_js(text: &str) -> bool {
        text.lines().any(|l| l.split('#').next().unwrap_or("").split_whitespace().eq(["protocol", "js"]))
    }

    #[test]
    fn every_exercise_is_well_formed_unsolved_at_the_start_and_solved_by_its_solution() {
        let list: Vec<_> = exercises().into_iter().filter(|(_, text)| !is_js(text)).collect();
        assert!(list.len() >= 10, "at least ten exercises, found {}", list.len());
        for (id, text) in &list {
            for key in ["title", "story", "hint", "explain"] {
                assert!(!header(text, key).is_empty(), "{id}: no `# {key}:` line");
            }
            let (setup, goal) = split(text);
            assert!(!goal.is_empty(), "{id}: no goal lines after `# goal:`");
            // The goal is expectations only, and the page can check it live.
            let mut session = Session::new(&setup).unwrap_or_else(|e| panic!("{id}: setup does not run: {e}"));
            let results = session.check(&goal.join("\n")).unwrap_or_else(|e| panic!("{id}: {e}"));
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

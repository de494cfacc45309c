//! Classroom goals: evaluate an exercise's goal against the run as it is now, without recording
//! anything, so the page can tell a student the moment the goal holds.
//!
//! The goal is ordinary expectation lines (`expect leader`, `expect violation`, …). They are
//! applied to the live runner and their results taken back out again: expectations only read
//! the simulation, and the bookkeeping they touch (results, asked-for violations) is restored,
//! so checking changes neither the run, its recording nor its trace hash.

use serde::Serialize;

use super::Session;
use crate::scenario::{self, ItemKind};

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

impl Session {
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

#[cfg(test)]
mod tests {
    use super::*;

    const SETUP: &str = "nodes 5\nseed 1\nrun 1s\n";

    #[test]
    fn check_reports_without_recording() {
        let mut session = Session::new(SETUP).unwrap();
        let before = (session.recorded(), session.trace_hash());
        let got = session.check("# the goal\nexpect leader\n\nexpect no-leader").unwrap();
        assert_eq!(got.len(), 2);
        assert!(got[0].passed, "{:?}", got[0]);
        assert_eq!(got[0].line, 2);
        assert!(!got[1].passed);
        assert_eq!(got[1].text, "expect no-leader");
        assert_eq!((session.recorded(), session.trace_hash()), before);
        assert!(session.runner.expectations.is_empty());
    }

    #[test]
    fn check_leaves_asked_for_violations_alone() {
        let mut session = Session::new(SETUP).unwrap();
        let got = session.check("expect violation\nexpect not-linearizable").unwrap();
        assert!(got.iter().all(|g| !g.passed));
        assert!(session.runner.expected_violation.is_empty());
        assert!(!session.runner.expected_not_linearizable);
        assert_eq!(session.runner.exit_code(), 0);
    }

    #[test]
    fn check_refuses_actions_and_bad_lines() {
        let mut session = Session::new(SETUP).unwrap();
        let e = session.check("expect leader\ncrash S1").unwrap_err();
        assert!(e.contains("line 2") && e.contains("only expectations"), "{e}");
        assert!(session.check("expect leaderz").is_err());
        assert!(session.runner.sim.servers().iter().all(|s| s.running()));
    }
}

//! Every scenario that tells a deliberate bug's story must be able to fail: with its bug
//! switched on a safety property (or linearizability) breaks, and without it nothing does.
//!
//! * Story scenarios of `scenarios/` (Raft staying safe where a bug would not): they pass as
//!   they are, and with the bug switched on they break a property and fail (exit status 1).
//! * `scenarios/bugs/*.scn` and the exercises' reference solutions switch their bug on and
//!   expect the violation: with the `bug` line taken out, nothing is violated.
//!
//! A bug is switched on by writing `bug NAME` over the story's first line (a comment), and
//! off by blanking its `bug` line, so every other line keeps its number (`expect op N`).

use std::path::{Path, PathBuf};

use simulator::fuzz;
use simulator::scenario;
use simulator::sim::Observe;
use simulator::Runner;

/// Story scenarios and the bug each one's story is about.
const STORIES: [(&str, &str); 6] = [
    ("scenarios/figure-8.scn", "commit-old-terms"),
    ("scenarios/split-brain.scn", "small-quorum"),
    ("scenarios/two-leaders.scn", "small-quorum"),
    ("scenarios/deposed-leader-rejoins.scn", "skip-prev-check"),
    ("scenarios/read-index-across-terms.scn", "read-index-any-term"),
    ("scenarios/lease-follower-remembers-its-leader.scn", "lease-forget-leader"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (property broken, exit status) of a scenario text.
fn outcome(what: &str, text: &str) -> (Option<&'static str>, i32) {
    let parsed = scenario::parse(text).unwrap_or_else(|e| panic!("{what}: {e}\n{text}"));
    let verdict = fuzz::verdict(&parsed).map(|v| v.0.name());
    let exit = Runner::run(&parsed, Observe::REPORT).exit_code();
    (verdict, exit)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_story_scenario_fails_with_its_bug_and_passes_without() {
    let mut problems = Vec::new();
    for (file, bug) in STORIES {
        let text = read(file);
        assert!(text.starts_with('#'), "{file}: the first line must be a comment (the bug is written over it)");
        let (verdict, exit) = outcome(file, &text);
        if verdict.is_some() || exit != 0 {
            problems.push(format!("{file}: must pass without a bug, got {verdict:?}, exit {exit}"));
        }
        let rest = text.split_once('\n').map_or("", |(_, r)| r);
        let switched = format!("bug {bug}\n{rest}");
        let (verdict, exit) = outcome(file, &switched);
        if verdict.is_none() || exit != 1 {
            problems.push(format!("{file}: must break a property with bug {bug}, got {verdict:?}, exit {exit}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The files under `dir` (relative to the repository) with a `bug` line.
fn with_a_bug_line(dir: &str) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(root().join(dir)).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "scn")).collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read_to_string(&p).unwrap()))
        .filter(|(_, text)| text.lines().any(|l| l.starts_with("bug ")))
        .collect()
}

#[test]
fn every_bug_scenario_and_exercise_breaks_a_property_only_with_its_bug() {
    let mut files = with_a_bug_line("scenarios/bugs");
    let bug_scenarios = files.len();
    files.extend(with_a_bug_line("exercises/solutions"));
    assert!(bug_scenarios >= 6 && files.len() >= bug_scenarios + 4, "found {} files", files.len());
    let mut problems = Vec::new();
    for (file, text) in &files {
        let (verdict, _) = outcome(file, text);
        if verdict.is_none() {
            problems.push(format!("{file}: its bug breaks nothing"));
        }
        let off: String = text.lines().map(|l| if l.starts_with("bug ") { "#\n".to_string() } else { format!("{l}\n") }).collect();
        let (verdict, _) = outcome(file, &off);
        if let Some(p) = verdict {
            problems.push(format!("{file}: {p} breaks even without its bug"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

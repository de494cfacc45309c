//! `raft-sim run` says when the linearizability checker could not decide, and never calls such a
//! history linearizable.

use std::io::Write;
use std::process::{Command, Stdio};

const SCENARIO: &str = "nodes 3\nrun until leader\nput k a\nput k b\nget k\nrun 1s\nexpect linearizable\n";

/// Runs `raft-sim run - ARGS` on `SCENARIO`: (exit code, standard output, standard error).
fn run(args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_raft-sim"))
        .args(["run", "-"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("raft-sim starts");
    // A refused command line exits before reading: a broken pipe then is expected.
    let _ = child.stdin.take().unwrap().write_all(SCENARIO.as_bytes());
    let out = child.wait_with_output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap(), text(out.stdout), text(out.stderr))
}

#[test]
fn the_default_budget_decides_a_small_history() {
    let (code, out, _) = run(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("passed  expect linearizable"), "{out}");
    assert!(!out.contains("undecided"), "{out}");
}

#[test]
fn a_budget_too_small_gives_undecided_in_text_and_json() {
    let (code, out, _) = run(&["--lin-steps", "1"]);
    assert_eq!(code, 1, "expect linearizable must not pass: {out}");
    assert!(out.contains("FAILED  expect linearizable  (undecided: the search for a legal order of the operations on k ran out of its budget"), "{out}");
    assert!(out.contains("\nlinearizability: undecided: "), "{out}");
    assert!(out.contains("a larger --lin-steps may decide it"), "{out}");
    let (_, json, _) = run(&["--lin-steps", "1", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["checks"]["linearizability"], "undecided");
    assert_eq!(report["expectations"][0]["undecided"], true);
}

#[test]
fn a_bad_budget_is_refused() {
    for bad in [&["--lin-steps", "0"][..], &["--lin-steps", "many"], &["--lin-steps"]] {
        let (code, _, err) = run(bad);
        assert_eq!(code, 2, "{bad:?}");
        assert!(err.contains("--lin-steps needs a whole number of search steps above 0"), "{err}");
    }
}

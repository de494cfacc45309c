//! The linearizability checker on whole runs: what a failed cas observed, the event order within
//! one millisecond, and an undecided verdict, as the report and the expectations show them.

use std::path::Path;

use simulator::check::linearizability::check;
use simulator::scenario::{self, OpOutcome};
use simulator::sim::Observe;
use simulator::{report, Runner};

fn run_text(text: &str) -> Runner {
    let parsed = scenario::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    Runner::run(&parsed, Observe::REPORT)
}

fn run_file(name: &str) -> Runner {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios").join(name);
    run_text(&std::fs::read_to_string(&path).unwrap())
}

fn history_json(runner: &Runner) -> Vec<serde_json::Value> {
    let rep = serde_json::to_value(report::report(runner)).unwrap();
    rep["history"].as_array().unwrap().clone()
}

#[test]
fn a_naive_cas_that_found_an_overwritten_value_breaks_linearizability() {
    let runner = run_file("naive-stale-cas.scn");
    let history = history_json(&runner);
    let cas = history.iter().find(|op| op["line"] == 13).expect("the cas is in the history");
    assert_eq!(cas["outcome"], "fail");
    assert_eq!(cas["result"], "v5");
    assert_eq!(cas["observed"], serde_json::json!({"value": "v5"}));
    let put = history.iter().find(|op| op["line"] == 11).unwrap();
    assert_eq!(put["observed"], serde_json::Value::Null);
    let violation = runner.linearizability().violation.expect("the failed cas read a value already overwritten");
    assert_eq!(violation.lines, [11, 13]);
    assert!(
        violation.explanation.starts_with("cas k v1→v9 (line 13) failed because it found k = v5 after put k v6 (line 11) had completed"),
        "{}",
        violation.explanation
    );
    assert!(violation.explanation.contains("the failed cas of line 13 is such a read"), "{}", violation.explanation);
    assert_eq!(report::report(&runner).exit_code, 0, "the scenario asks for the violation");
    // Had the cas observed nothing (turned away), the rest of the history is fine.
    let mut without = runner.sim.history().to_vec();
    without.retain(|op| op.line != 13);
    assert!(check(&without).linearizable);
}

#[test]
fn the_event_order_within_one_millisecond_decides_the_verdict() {
    let runner = run_file("naive-same-millisecond.scn");
    let history = &runner.sim.history();
    let (put, get) = (&history[0], &history[1]);
    assert_eq!((put.completed_ms, get.invoked_ms), (Some(20), 20), "both at 20 ms: {history:#?}");
    assert!(put.completed_seq.unwrap() < get.invoked_seq, "{history:#?}");
    assert_eq!(get.result, None);
    let violation = runner.linearizability().violation.expect("the put completed before the get began");
    assert_eq!(violation.lines, [10, 12]);
    assert!(violation.explanation.contains("Both happened at 20 ms, line 10 completing before line 12 began."));
    // By milliseconds alone, the two overlap and the get may come first.
    let mut by_ms = history.to_vec();
    for op in &mut by_ms {
        op.invoked_seq = 0;
        op.completed_seq = None;
    }
    assert!(check(&by_ms).linearizable);
    // The report gives the event numbers beside the milliseconds.
    let json = history_json(&runner);
    assert_eq!(json[0]["completed_ms"], 20);
    assert_eq!(json[1]["invoked_ms"], 20);
    assert!(json[0]["completed_seq"].as_u64().unwrap() < json[1]["invoked_seq"].as_u64().unwrap());
}

#[test]
fn event_numbers_count_the_trace_events() {
    let text = "nodes 3\nrun until leader\nput k a\nget k\nrun 1s\n";
    let parsed = scenario::parse(text).unwrap();
    let runner = Runner::run(&parsed, Observe { trace_hash: true, trace_lines: true, feed: false, events: false });
    let lines = runner.sim.trace().lines();
    for op in runner.sim.history() {
        let invoked = &lines[op.invoked_seq as usize - 1];
        assert!(invoked.ends_with(&format!("client {} {}", op.line, simulator::sim::op_text(op))), "{invoked}");
        let completed = &lines[op.completed_seq.unwrap() as usize - 1];
        assert!(completed.contains(&format!("client {} ", op.line)) && completed.contains(" -> "), "{completed}");
    }
}

#[test]
fn a_cas_turned_away_observed_nothing_and_one_that_found_absent_did() {
    // Every server cut off from the others: none leads, each turns the cas away until the
    // client gives up. It certainly did not take effect, and it saw nothing.
    let runner = run_text("nodes 3\ncheck-quorum on\nrun until leader\npartition S1 | S2 | S3\nrun 2s\ncas k - v9\nrun 10s\n");
    let op = &runner.sim.history()[0];
    assert_eq!((op.outcome, op.turned_away), (Some(OpOutcome::Fail), true), "{op:#?}");
    assert_eq!(history_json(&runner)[0]["observed"], serde_json::Value::Null);
    // A cas that reached the key and found it absent observed absent.
    let runner = run_text("nodes 3\nrun until leader\ncas k v1 v9\nrun 1s\n");
    let op = &runner.sim.history()[0];
    assert_eq!((op.outcome, op.turned_away), (Some(OpOutcome::Fail), false), "{op:#?}");
    let json = history_json(&runner);
    assert_eq!((&json[0]["result"], &json[0]["observed"]), (&serde_json::Value::Null, &serde_json::json!({"value": null})));
}

#[test]
fn an_undecided_history_is_reported_as_undecided_and_passes_no_expectation() {
    let text = "nodes 3\nrun until leader\nput k a\nput k b\nget k\nrun 1s\nexpect linearizable\nexpect not-linearizable\nexpect violation linearizability\n";
    let parsed = scenario::parse(text).unwrap();
    // The default budget decides it.
    let runner = Runner::run(&parsed, Observe::REPORT);
    assert!(runner.expectations[0].passed && !runner.expectations[0].undecided);
    // One search step cannot place three concurrent operations.
    let mut runner = Runner::new(&parsed, Observe::REPORT);
    runner.lin_step_budget = 1;
    for item in &parsed.items {
        runner.apply(item);
    }
    let verdict = runner.linearizability();
    assert!(verdict.undecided && !verdict.linearizable && verdict.violation.is_none(), "{verdict:#?}");
    for e in &runner.expectations {
        assert!(!e.passed && e.undecided, "{e:#?}");
        assert!(e.detail.contains("undecided: the search for a legal order of the operations on k ran out of its budget"), "{e:#?}");
    }
    let rep = report::report(&runner);
    assert_eq!(rep.checks["linearizability"], "undecided");
    assert!(rep.expectations.iter().all(|e| e.undecided));
    assert_eq!(rep.exit_code, 1, "failed expectations");
    // Without expectations, undecided is not a violation.
    let parsed = scenario::parse("nodes 3\nrun until leader\nput k a\nput k b\nget k\nrun 1s\n").unwrap();
    let mut runner = Runner::new(&parsed, Observe::REPORT);
    runner.lin_step_budget = 1;
    for item in &parsed.items {
        runner.apply(item);
    }
    let rep = report::report(&runner);
    assert_eq!((rep.checks["linearizability"].as_str(), rep.exit_code), (Some("undecided"), 0));
}

#[test]
fn event_numbers_do_not_depend_on_whether_the_trace_is_kept() {
    // The fuzzer runs without a trace; its verdict must be the report's. Lost, dropped and
    // delivered messages count as events either way, so every operation gets the same numbers.
    let text = "nodes 5\nseed 7\nloss 20%\nduplicate 10%\nrun until leader\nput k a\nput k b\ncas k a c\nget k\nrun 300ms\nisolate leader\nput k d\nget k\nrun 3s\nheal\nrun 2s\n";
    let parsed = scenario::parse(text).unwrap();
    let seqs = |observe| {
        let r = Runner::run(&parsed, observe);
        r.sim.history().iter().map(|op| (op.invoked_seq, op.completed_seq)).collect::<Vec<_>>()
    };
    let (fuzz, report) = (seqs(Observe::FUZZ), seqs(Observe::REPORT));
    assert!(report.iter().all(|(i, _)| *i > 0), "{report:?}");
    assert_eq!(fuzz, report);
}

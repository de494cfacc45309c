//! The linearizability checker on small hand-written histories, one story each.

use simulator::check::linearizability::{check, check_with_budget, Verdict};
use simulator::history::{OpKind, Operation};
use simulator::scenario::OpOutcome;

/// An operation under construction: `put(9, "bike42", "alice").at(0, 10)` is an `ok` put.
struct Op(Operation);

fn new_op(line: u32, key: &str, kind: OpKind) -> Op {
    Op(Operation {
        line,
        key: key.into(),
        kind,
        invoked_ms: 0,
        invoked_seq: 0,
        completed_ms: Some(1),
        completed_seq: None,
        outcome: Some(OpOutcome::Ok),
        result: None,
        turned_away: false,
    })
}

fn put(line: u32, key: &str, value: &str) -> Op {
    new_op(line, key, OpKind::Put { value: value.into() })
}

/// A get that returned `result` (None = absent).
fn get(line: u32, key: &str, result: Option<&str>) -> Op {
    let mut op = new_op(line, key, OpKind::Get);
    op.0.result = result.map(String::from);
    op
}

fn cas(line: u32, key: &str, expected: Option<&str>, new: &str) -> Op {
    new_op(line, key, OpKind::Cas { expected: expected.map(String::from), new: new.into() })
}

impl Op {
    /// Invoked at `invoked_ms`, completed at `completed_ms`.
    fn at(mut self, invoked_ms: u64, completed_ms: u64) -> Operation {
        self.0.invoked_ms = invoked_ms;
        self.0.completed_ms = Some(completed_ms);
        self.0
    }

    /// Turned away by every server: it certainly did not take effect, and observed nothing.
    fn failed(mut self, invoked_ms: u64, completed_ms: u64) -> Operation {
        self.0.outcome = Some(OpOutcome::Fail);
        self.0.turned_away = true;
        self.at(invoked_ms, completed_ms)
    }

    /// A cas that failed because it found `found` (None = absent) instead of what it expected.
    fn found(mut self, found: Option<&str>, invoked_ms: u64, completed_ms: u64) -> Operation {
        self.0.outcome = Some(OpOutcome::Fail);
        self.0.result = found.map(String::from);
        self.at(invoked_ms, completed_ms)
    }

    /// Invoked and completed at these trace events, within the milliseconds given to `at`.
    fn seq(mut self, invoked_seq: u64, completed_seq: u64) -> Op {
        self.0.invoked_seq = invoked_seq;
        self.0.completed_seq = Some(completed_seq);
        self
    }

    /// The client gave up at `completed_ms` without knowing.
    fn unknown(mut self, invoked_ms: u64, completed_ms: u64) -> Operation {
        self.0.outcome = Some(OpOutcome::Unknown);
        self.at(invoked_ms, completed_ms)
    }

    /// Still waiting for an answer.
    fn pending(mut self, invoked_ms: u64) -> Operation {
        self.0.invoked_ms = invoked_ms;
        self.0.completed_ms = None;
        self.0.outcome = None;
        self.0
    }
}

fn assert_linearizable(history: &[Operation]) {
    let verdict = check(history);
    assert!(verdict.linearizable, "expected linearizable, got {verdict:#?}");
    assert!(!verdict.undecided && verdict.violation.is_none());
}

/// Asserts a violation on `key` involving exactly `lines`, and returns its explanation.
fn assert_violation(history: &[Operation], key: &str, lines: &[u32]) -> String {
    let verdict: Verdict = check(history);
    assert!(!verdict.linearizable, "expected a violation in {history:#?}");
    let violation = verdict.violation.expect("a violation is described");
    assert_eq!(violation.key, key);
    assert_eq!(violation.lines, lines, "{}", violation.explanation);
    for line in lines {
        assert!(violation.explanation.contains(&format!("line {line}")), "{}", violation.explanation);
    }
    violation.explanation
}

#[test]
fn empty_history_is_linearizable() {
    assert_linearizable(&[]);
}

#[test]
fn sequential_history_is_linearizable() {
    assert_linearizable(&[
        get(1, "k", None).at(0, 5),
        put(2, "k", "a").at(10, 20),
        get(3, "k", Some("a")).at(30, 40),
        cas(4, "k", Some("a"), "b").at(50, 60),
        get(5, "k", Some("b")).at(70, 80),
        cas(6, "k", Some("a"), "c").found(Some("b"), 90, 100),
        put(7, "k", "a").at(110, 120),
        get(8, "k", Some("a")).at(130, 140),
    ]);
}

#[test]
fn overlapping_writes_may_take_effect_in_either_order() {
    let writes = || vec![put(1, "k", "a").at(0, 100), put(2, "k", "b").at(10, 90)];
    for last in ["a", "b"] {
        let mut history = writes();
        history.push(get(3, "k", Some(last)).at(200, 210));
        assert_linearizable(&history);
    }
    // A read during both writes may see either, and a later read the other one.
    let mut history = writes();
    history.push(get(3, "k", Some("b")).at(20, 30));
    history.push(get(4, "k", Some("a")).at(200, 210));
    assert_linearizable(&history);
    // But two reads after both writes cannot disagree.
    let mut history = writes();
    history.push(get(3, "k", Some("a")).at(200, 210));
    history.push(get(4, "k", Some("b")).at(220, 230));
    assert!(!check(&history).linearizable);
}

#[test]
fn double_booked_bike_is_caught() {
    let history = [cas(9, "bike42", None, "alice").at(1200, 1260), cas(10, "bike42", None, "bob").at(1210, 1280)];
    let explanation = assert_violation(&history, "bike42", &[9, 10]);
    assert!(explanation.contains("only one of them can find bike42 absent"), "{explanation}");
}

#[test]
fn one_booking_and_one_refusal_is_fine() {
    assert_linearizable(&[
        cas(9, "bike42", None, "alice").at(1200, 1260),
        cas(10, "bike42", None, "bob").found(Some("alice"), 1210, 1280),
        get(11, "bike42", Some("alice")).at(1300, 1310),
    ]);
}

#[test]
fn stale_read_after_completed_write_is_caught() {
    let history = [
        put(12, "bike42", "alice").at(0, 10),
        put(13, "bike42", "bob").at(20, 30),
        get(14, "bike42", Some("alice")).at(40, 50),
    ];
    // Whatever bike42 held before line 13, it held bob after it.
    let explanation = assert_violation(&history, "bike42", &[13, 14]);
    assert!(
        explanation.starts_with("get bike42 (line 14) returned alice after put bike42 bob (line 13) had completed"),
        "{explanation}"
    );
}

#[test]
fn read_of_absent_after_completed_write_is_caught() {
    let history = [put(3, "k", "a").at(0, 10), get(4, "k", None).at(20, 30)];
    let explanation = assert_violation(&history, "k", &[3, 4]);
    assert!(explanation.contains("absent again"), "{explanation}");
}

#[test]
fn read_of_a_value_nobody_wrote_is_caught() {
    let history = [put(3, "k", "a").at(0, 10), get(4, "k", Some("zed")).at(20, 30)];
    let explanation = assert_violation(&history, "k", &[4]);
    assert!(explanation.contains("no operation ever wrote zed"), "{explanation}");
}

#[test]
fn read_of_a_value_written_only_later_is_caught() {
    let history = [get(4, "k", Some("a")).at(0, 10), put(5, "k", "a").at(20, 30)];
    let explanation = assert_violation(&history, "k", &[4]);
    assert!(explanation.contains("began only after"), "{explanation}");
}

#[test]
fn reads_that_disagree_without_a_write_between_are_caught() {
    let history = [
        put(1, "k", "a").at(0, 10),
        put(2, "k", "b").at(0, 10),
        get(3, "k", Some("a")).at(20, 30),
        get(4, "k", Some("b")).at(40, 50),
    ];
    let explanation = assert_violation(&history, "k", &[3, 4]);
    assert!(
        explanation.starts_with(
            "get k (line 4) returned b after get k (line 3) had returned a, and no write of b could have taken effect in between."
        ),
        "{explanation}"
    );
    let history = [put(1, "k", "a").at(0, 10), get(2, "k", Some("a")).at(20, 30), get(3, "k", None).at(40, 50)];
    let explanation = assert_violation(&history, "k", &[2, 3]);
    assert!(
        explanation.contains("after get k (line 2) had returned a, and nothing can make k absent again"),
        "{explanation}"
    );
}

#[test]
fn unknown_write_may_explain_a_read() {
    assert_linearizable(&[put(1, "k", "x").unknown(0, 1000), get(2, "k", Some("x")).at(2000, 2010)]);
    assert_linearizable(&[put(1, "k", "x").pending(0), get(2, "k", Some("x")).at(2000, 2010)]);
    // It may also not have happened at all.
    assert_linearizable(&[put(1, "k", "x").unknown(0, 1000), get(2, "k", None).at(2000, 2010)]);
    // A failed operation certainly did not happen.
    assert_violation(&[put(1, "k", "x").failed(0, 1000), get(2, "k", Some("x")).at(2000, 2010)], "k", &[2]);
}

#[test]
fn unknown_write_cannot_help_before_its_invocation() {
    let history = [get(2, "k", Some("x")).at(0, 10), put(3, "k", "x").unknown(20, 1000)];
    assert_violation(&history, "k", &[2]);
}

#[test]
fn unknown_write_takes_effect_at_most_once() {
    let history = [
        put(1, "k", "x").unknown(0, 1000),
        get(2, "k", Some("x")).at(10, 20),
        put(3, "k", "y").at(30, 40),
        get(4, "k", Some("x")).at(50, 60),
    ];
    // The unknown put can explain the second read alone, but not both.
    assert_violation(&history, "k", &[2, 3, 4]);
    let mut twice = history.to_vec();
    twice.push(put(5, "k", "x").unknown(0, 1000));
    assert_linearizable(&twice);
}

#[test]
fn unknown_cas_takes_effect_only_from_its_expected_value() {
    let base =
        [put(1, "k", "a").at(0, 10), cas(2, "k", Some("b"), "c").unknown(20, 30), get(3, "k", Some("c")).at(40, 50)];
    // Nothing writes b, so the unknown cas could never fire.
    assert_violation(&base, "k", &[3]);
    let mut history = base.to_vec();
    history.push(put(4, "k", "b").unknown(15, 16));
    assert_linearizable(&history);
}

#[test]
fn failed_cas_is_a_read_of_what_it_found() {
    // k is a from 10 ms on, so a cas cannot find anything else at 20 ms.
    let history =
        [put(1, "k", "b").at(0, 5), put(2, "k", "a").at(6, 10), cas(3, "k", Some("z"), "c").found(Some("b"), 20, 30)];
    let explanation = assert_violation(&history, "k", &[2, 3]);
    assert!(
        explanation.starts_with("cas k z→c (line 3) failed because it found k = b after put k a (line 2) had completed, and no write of b could have taken effect in between."),
        "{explanation}"
    );
    assert!(explanation.contains("line 3: cas k z→c, failed, found b, from 20 ms to 30 ms"), "{explanation}");
    // Unless a concurrent write changed it meanwhile.
    let mut history = history.to_vec();
    history.push(put(4, "k", "b").at(15, 35));
    assert_linearizable(&history);
    // A failed cas that found the key absent read absent.
    let explanation = assert_violation(&[put(1, "k", "a").at(0, 10), cas(2, "k", Some("a"), "b").found(None, 20, 30)], "k", &[1, 2]);
    assert!(explanation.contains("found k absent after put k a (line 1) had completed, and nothing can make k absent again"), "{explanation}");
    // One that found a value nobody wrote, or nobody wrote in time.
    let explanation = assert_violation(&[cas(5, "k", None, "b").found(Some("q"), 20, 30)], "k", &[5]);
    assert!(explanation.contains("failed because it found k = q, but no operation ever wrote q to k"), "{explanation}");
    assert_linearizable(&[put(4, "k", "q").unknown(0, 5), cas(5, "k", None, "b").found(Some("q"), 20, 30)]);
    // One that found what it expected contradicts itself.
    let explanation = assert_violation(&[put(1, "k", "a").at(0, 10), cas(2, "k", Some("a"), "b").found(Some("a"), 20, 30)], "k", &[2]);
    assert!(explanation.contains("which is what it expected"), "{explanation}");
    // And a failed cas changes nothing.
    assert_violation(
        &[
            put(1, "k", "a").at(0, 10),
            cas(2, "k", Some("z"), "b").found(Some("a"), 20, 30),
            get(3, "k", Some("b")).at(40, 50),
        ],
        "k",
        &[3],
    );
}

#[test]
fn failed_cas_that_found_an_overwritten_value_is_caught_and_called_a_read() {
    // The shape naive runs produce: v5 was overwritten by a put that ran entirely before the
    // cas began, yet the cas reports finding v5.
    let history = [
        put(1, "k", "v5").at(0, 10),
        put(2, "k", "v6").at(20, 30),
        cas(3, "k", Some("v1"), "v9").found(Some("v5"), 40, 50),
    ];
    let explanation = assert_violation(&history, "k", &[2, 3]);
    assert!(
        explanation.starts_with("cas k v1→v9 (line 3) failed because it found k = v5 after put k v6 (line 2) had completed, and no write of v5 could have taken effect in between."),
        "{explanation}"
    );
    assert!(explanation.contains("Here the failed cas of line 3 is such a read."), "{explanation}");
    // Turned away by every server, the same cas observed nothing, and nothing is wrong.
    let mut turned_away = history.to_vec();
    turned_away[2] = cas(3, "k", Some("v1"), "v9").failed(40, 50);
    assert_linearizable(&turned_away);
}

#[test]
fn failed_cas_reads_explain_a_longer_core() {
    // Failed cas that read a, b, a one after another, while only one write of each could have
    // taken effect: no order works, and the note names every failed cas of the core as a read.
    let history = [
        put(1, "k", "a").at(0, 100),
        put(2, "k", "b").at(0, 100),
        cas(3, "k", Some("z"), "c").found(Some("a"), 10, 20),
        cas(4, "k", Some("z"), "c").found(Some("b"), 30, 40),
        cas(5, "k", Some("z"), "c").found(Some("a"), 50, 60),
    ];
    let explanation = assert_violation(&history, "k", &[3, 4, 5]);
    assert!(explanation.contains("Here the failed cas of lines 3, 4 and 5 are such reads."), "{explanation}");
}

#[test]
fn failed_and_unknown_reads_constrain_nothing() {
    assert_linearizable(&[
        put(1, "k", "a").at(0, 10),
        get(2, "k", Some("nonsense")).failed(20, 30),
        get(3, "k", Some("nonsense")).unknown(20, 30),
        get(4, "k", None).pending(20),
        get(5, "k", Some("a")).at(40, 50),
    ]);
}

#[test]
fn keys_are_checked_independently() {
    // On one shared register these reads would contradict each other; on two keys they do not.
    assert_linearizable(&[
        put(1, "x", "a").at(0, 10),
        put(2, "y", "b").at(0, 10),
        get(3, "x", Some("a")).at(20, 30),
        get(4, "y", Some("b")).at(20, 30),
        get(5, "z", None).at(20, 30),
    ]);
    let explanation = assert_violation(
        &[
            put(1, "x", "a").at(0, 10),
            put(2, "y", "b").at(0, 10),
            get(3, "x", Some("a")).at(20, 30),
            get(4, "y", Some("a")).at(20, 30),
        ],
        "y",
        &[4],
    );
    assert!(explanation.contains("get y (line 4) returned a"), "{explanation}");
}

#[test]
fn many_unknown_writes_do_not_blow_up() {
    // A long partition: hundreds of writes time out, then reads see some of them.
    let mut history = Vec::new();
    let mut line = 1;
    for i in 0..300u64 {
        history.push(put(line, "k", &format!("v{i}")).unknown(i * 10, i * 10 + 5000));
        line += 1;
    }
    for i in 0..300u64 {
        let value = format!("v{}", (i * 7919) % 300);
        history.push(get(line, "k", Some(&value)).at(10_000 + i * 10, 10_000 + i * 10 + 5));
        line += 1;
    }
    let verdict = check(&history);
    // Each read needs its own unknown write, and (7919 is prime) each value is read once.
    assert!(verdict.linearizable && !verdict.undecided, "{verdict:#?}");
    // The search goes straight through, about a step per operation (600 steps when written),
    // not a hunt through the orders of the unknown writes. Steps, not seconds: they are the
    // same on every machine, and the default budget is 5,000,000.
    assert!(verdict.steps <= 2_000, "{} steps", verdict.steps);
    // Reading one of them twice, with a write between, is impossible.
    history.push(put(line, "k", "w").at(20_000, 20_010));
    history.push(get(line + 1, "k", Some("v0")).at(20_020, 20_030));
    let verdict = check(&history);
    assert!(!verdict.linearizable, "{verdict:#?}");
    // Finding the violation and shrinking it to its core (7,657 steps when written).
    assert!(verdict.steps <= 30_000, "{} steps", verdict.steps);
}

#[test]
fn budget_exhaustion_is_reported_as_undecided() {
    let mut history = Vec::new();
    for i in 0..12u32 {
        history.push(put(i + 1, "k", &format!("v{i}")).at(0, 100));
    }
    // Only one cas can find v0, whichever put came last.
    history.push(cas(13, "k", Some("v0"), "x").at(200, 300));
    history.push(cas(14, "k", Some("v0"), "y").at(200, 300));
    let verdict = check_with_budget(&history, 5);
    assert!(verdict.undecided && !verdict.linearizable && verdict.violation.is_none(), "{verdict:#?}");
    assert_eq!(verdict.undecided_key.as_deref(), Some("k"));
    assert!(verdict.steps >= 5, "{verdict:#?}");
    let detail = verdict.undecided_detail().expect("undecided says why");
    assert!(detail.contains("operations on k ran out of its budget") && detail.contains("not known to be linearizable"));
    // With the default budget the search finishes, and finds the violation.
    let verdict = check(&history);
    assert!(!verdict.linearizable && !verdict.undecided && verdict.violation.is_some(), "{verdict:#?}");
    assert!(verdict.undecided_detail().is_none());
    // A violation on another key is still reported beside an undecided one.
    let mut both = history.clone();
    both.push(put(20, "other", "a").at(0, 10));
    both.push(get(21, "other", Some("zed")).at(20, 30));
    let verdict = check_with_budget(&both, 5);
    assert!(verdict.undecided && verdict.violation.is_some_and(|v| v.key == "other"));
}

#[test]
fn operations_in_one_millisecond_are_ordered_by_the_event_sequence() {
    // put b completes at 130 ms, as event 8; the get is invoked at 130 ms too.
    let history = |get_invoked_seq| {
        vec![
            put(1, "k", "a").seq(1, 4).at(100, 110),
            put(2, "k", "b").seq(5, 8).at(120, 130),
            get(3, "k", Some("a")).seq(get_invoked_seq, 10).at(130, 140),
        ]
    };
    // Invoked after the put completed (event 9): b was there, a was gone for good.
    let explanation = assert_violation(&history(9), "k", &[2, 3]);
    assert!(
        explanation.starts_with("get k (line 3) returned a after put k b (line 2) had completed, and no write of a could have taken effect in between. Both happened at 130 ms, line 2 completing before line 3 began."),
        "{explanation}"
    );
    // Invoked before the put completed (event 7): the two overlap and the get may come first.
    assert_linearizable(&history(7));
    // A history without sequence numbers has only milliseconds: the two overlap.
    let mut unordered = history(9);
    for op in &mut unordered {
        op.invoked_seq = 0;
        op.completed_seq = None;
    }
    assert_linearizable(&unordered);
    // The same for a failed cas that read a.
    let mut with_cas = history(9);
    with_cas[2] = cas(3, "k", Some("z"), "c").seq(9, 10).found(Some("a"), 130, 140);
    assert_violation(&with_cas, "k", &[2, 3]);
    with_cas[2] = cas(3, "k", Some("z"), "c").seq(7, 10).found(Some("a"), 130, 140);
    assert_linearizable(&with_cas);
}

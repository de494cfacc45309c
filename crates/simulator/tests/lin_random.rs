//! The linearizability checker against a brute-force checker on thousands of small random
//! histories, and on histories generated from a real sequential execution (always
//! linearizable) with one read corrupted afterwards (usually not).

use std::collections::HashMap;

use simulator::check::linearizability::{check, Violation};
use simulator::history::{OpKind, Operation};
use simulator::rng::Rng;
use simulator::scenario::OpOutcome;


const VALUES: [&str; 3] = ["a", "b", "c"];

fn random_value(rng: &mut Rng) -> String {
    VALUES[rng.below(VALUES.len() as u64) as usize].to_string()
}

fn random_value_or_absent(rng: &mut Rng) -> Option<String> {
    if rng.chance_ppm(30 * 10_000) {
        None
    } else {
        Some(random_value(rng))
    }
}

// ---------------------------------------------------------------------------------------------
// The brute-force checker: try every order of every subset of unknown writes. Written without
// any of the checker's shortcuts (no windows, no memo, no chains), as a reference.

fn is_definite(op: &Operation) -> bool {
    matches!(
        (op.outcome, op.completed_ms, &op.kind),
        (Some(OpOutcome::Ok), Some(_), _) | (Some(OpOutcome::Fail), _, OpKind::Cas { .. })
    )
}

fn is_ignored(op: &Operation) -> bool {
    if op.turned_away {
        return true;
    }
    match (&op.kind, op.outcome, op.completed_ms) {
        (OpKind::Get, Some(OpOutcome::Ok), Some(_)) => false,
        (OpKind::Get, _, _) => true,
        (OpKind::Put { .. }, Some(OpOutcome::Fail), _) => true,
        _ => false,
    }
}

/// When an operation completed, as (ms, event): an unrecorded event comes last in its
/// millisecond. Never for indefinite operations.
fn completion(op: &Operation) -> (u64, u64) {
    match (is_definite(op), op.completed_ms) {
        (true, Some(ms)) => (ms, op.completed_seq.unwrap_or(u64::MAX)),
        _ => (u64::MAX, u64::MAX),
    }
}

/// When an operation was invoked, as (ms, event): an unrecorded event (0) comes first.
fn invocation(op: &Operation) -> (u64, u64) {
    (op.invoked_ms, op.invoked_seq)
}

fn brute_force(history: &[Operation]) -> bool {
    brute_force_from(history, &None)
}

/// Like `brute_force`, with every key holding `start` at first.
fn brute_force_from(history: &[Operation], start: &Option<String>) -> bool {
    let ops: Vec<&Operation> = history.iter().filter(|op| !is_ignored(op)).collect();
    let mut used = vec![false; ops.len()];
    let mut state: HashMap<String, Option<String>> = ops.iter().map(|op| (op.key.clone(), start.clone())).collect();
    search(&ops, &mut used, &mut state)
}

fn search(ops: &[&Operation], used: &mut Vec<bool>, state: &mut HashMap<String, Option<String>>) -> bool {
    let open = |i: usize, used: &Vec<bool>| !used[i] && is_definite(ops[i]);
    if (0..ops.len()).all(|i| !open(i, used)) {
        return true;
    }
    for x in 0..ops.len() {
        if used[x] {
            continue;
        }
        // Real-time order: nothing still to place may have completed before x began.
        if (0..ops.len()).any(|y| y != x && open(y, used) && completion(ops[y]) < invocation(ops[x])) {
            continue;
        }
        let op = ops[x];
        let current = state.get(&op.key).cloned().unwrap_or(None);
        let definite = is_definite(op);
        let after = match &op.kind {
            OpKind::Put { value } => Some(Some(value.clone())),
            OpKind::Get => (current == op.result).then_some(current.clone()),
            OpKind::Cas { expected, new } => {
                let matches = current == *expected;
                match (definite, op.outcome) {
                    (true, Some(OpOutcome::Ok)) => matches.then(|| Some(new.clone())),
                    // A failed cas found `result`, which was not what it expected.
                    (true, _) => (!matches && current == op.result).then_some(current.clone()),
                    // Unknown: takes effect if it can; placing it anyway is the same as leaving it out.
                    (false, _) => Some(if matches { Some(new.clone()) } else { current.clone() }),
                }
            }
        };
        let Some(after) = after else { continue };
        used[x] = true;
        state.insert(op.key.clone(), after);
        let found = search(ops, used, state);
        state.insert(op.key.clone(), current);
        used[x] = false;
        if found {
            return true;
        }
    }
    false
}

/// The same search with memoisation of (ops placed, value), for histories of up to 64 ops on
/// one key: still none of the checker's shortcuts, but fast enough for a few dozen ops.
fn memoized(history: &[Operation]) -> bool {
    let ops: Vec<&Operation> = history.iter().filter(|op| !is_ignored(op)).collect();
    assert!(ops.len() <= 64 && ops.iter().all(|op| op.key == ops[0].key));
    let required: u64 = (0..ops.len()).filter(|&i| is_definite(ops[i])).fold(0, |mask, i| mask | 1 << i);
    let mut seen = std::collections::HashSet::new();
    memoized_search(&ops, required, 0, None, &mut seen)
}

fn memoized_search(
    ops: &[&Operation],
    required: u64,
    used: u64,
    state: Option<String>,
    seen: &mut std::collections::HashSet<(u64, Option<String>)>,
) -> bool {
    if required & !used == 0 {
        return true;
    }
    if !seen.insert((used, state.clone())) {
        return false;
    }
    let open = required & !used;
    for x in 0..ops.len() {
        if used & (1 << x) != 0 {
            continue;
        }
        if (0..ops.len()).any(|y| y != x && open & (1 << y) != 0 && completion(ops[y]) < invocation(ops[x])) {
            continue;
        }
        let op = ops[x];
        let after = match &op.kind {
            OpKind::Put { value } => Some(Some(value.clone())),
            OpKind::Get => (state == op.result).then(|| state.clone()),
            OpKind::Cas { expected, new } => {
                let matches = state == *expected;
                match (is_definite(op), op.outcome) {
                    (true, Some(OpOutcome::Ok)) => matches.then(|| Some(new.clone())),
                    (true, _) => (!matches && state == op.result).then(|| state.clone()),
                    (false, _) => Some(if matches { Some(new.clone()) } else { state.clone() }),
                }
            }
        };
        if let Some(after) = after {
            if memoized_search(ops, required, used | 1 << x, after, seen) {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Generators.

fn random_outcome(rng: &mut Rng) -> (Option<OpOutcome>, bool) {
    // (outcome, whether completed_ms is known)
    match rng.below(10) {
        0 => (Some(OpOutcome::Unknown), rng.chance_ppm(50 * 10_000)),
        1 => (None, false),
        2 => (Some(OpOutcome::Fail), true),
        _ => (Some(OpOutcome::Ok), true),
    }
}

/// Anything goes: random kinds, values, results, outcomes and intervals.
fn random_history(rng: &mut Rng, op_count: u64, key_count: u64) -> Vec<Operation> {
    let mut history: Vec<Operation> = (0..op_count)
        .map(|i| {
            let kind = match rng.below(3) {
                0 => OpKind::Put { value: random_value(rng) },
                1 => OpKind::Get,
                _ => OpKind::Cas { expected: random_value_or_absent(rng), new: random_value(rng) },
            };
            let invoked_ms = rng.below(100);
            let (outcome, known) = random_outcome(rng);
            // Some failures were turned away by every server: they observed nothing.
            let turned_away = outcome == Some(OpOutcome::Fail) && rng.chance_ppm(25 * 10_000);
            let observes = match kind {
                OpKind::Get => true,
                OpKind::Cas { .. } => outcome == Some(OpOutcome::Fail) && !turned_away,
                OpKind::Put { .. } => false,
            };
            Operation {
                line: i as u32 + 1,
                key: format!("k{}", rng.below(key_count)),
                result: if observes { random_value_or_absent(rng) } else { None },
                kind,
                invoked_ms,
                invoked_seq: 0,
                completed_ms: known.then(|| invoked_ms + rng.below(60)),
                completed_seq: None,
                outcome,
                turned_away,
            }
        })
        .collect();
    if rng.chance_ppm(75 * 10_000) {
        number_events(rng, &mut history);
        // Now and then one operation without: such a history is ordered by both.
        if rng.chance_ppm(20 * 10_000) {
            let op = &mut history[rng.below(op_count) as usize];
            op.invoked_seq = 0;
            op.completed_seq = None;
        }
    }
    history
}

/// Gives every invocation and completion an event number, as the simulator does: in order of
/// milliseconds, and in a random order within one millisecond (an operation's invocation still
/// before its completion).
fn number_events(rng: &mut Rng, history: &mut [Operation]) {
    // (ms, tie-break, op, is completion)
    let mut events: Vec<(u64, u64, usize, bool)> = Vec::new();
    for (i, op) in history.iter().enumerate() {
        let mut ties = [rng.below(1000), rng.below(1000)];
        ties.sort_unstable();
        events.push((op.invoked_ms, ties[0], i, false));
        if let Some(ms) = op.completed_ms {
            events.push((ms, ties[1], i, true));
        }
    }
    events.sort_unstable();
    for (n, &(_, _, i, is_completion)) in events.iter().enumerate() {
        if is_completion {
            history[i].completed_seq = Some(n as u64 + 1);
        } else {
            history[i].invoked_seq = n as u64 + 1;
        }
    }
}

/// A history that really happened: each op takes effect (or not, when unknown) at its own
/// instant on a real register, and its interval is drawn around that instant.
fn executed_history(rng: &mut Rng, op_count: u64, key_count: u64) -> Vec<Operation> {
    let mut state: HashMap<String, Option<String>> = HashMap::new();
    let mut history = Vec::new();
    let mut instant = 100;
    for i in 0..op_count {
        instant += 1 + rng.below(15);
        let key = format!("k{}", rng.below(key_count));
        let current = state.get(&key).cloned().unwrap_or(None);
        let kind = match rng.below(3) {
            0 => OpKind::Put { value: random_value(rng) },
            1 => OpKind::Get,
            _ => {
                // Expect the current value often, so that many cas succeed.
                let expected = if rng.chance_ppm(50 * 10_000) { current.clone() } else { random_value_or_absent(rng) };
                OpKind::Cas { expected, new: random_value(rng) }
            }
        };
        let unknown = rng.chance_ppm(15 * 10_000);
        let turned_away = !unknown && rng.chance_ppm(5 * 10_000);
        let takes_effect = !turned_away && (!unknown || rng.chance_ppm(50 * 10_000));
        let mut outcome = Some(if turned_away { OpOutcome::Fail } else { OpOutcome::Ok });
        let mut result = None;
        match &kind {
            _ if turned_away => {}
            OpKind::Put { value } => {
                if takes_effect {
                    state.insert(key.clone(), Some(value.clone()));
                }
            }
            OpKind::Get => result = current.clone(),
            OpKind::Cas { expected, new } => {
                if *expected == current {
                    if takes_effect {
                        state.insert(key.clone(), Some(new.clone()));
                    }
                } else {
                    // It reports what it found.
                    outcome = Some(OpOutcome::Fail);
                    result = current.clone();
                }
            }
        }
        let invoked_ms = instant - rng.below(40).min(instant);
        let mut completed_ms = Some(instant + rng.below(40));
        if unknown {
            outcome = if rng.chance_ppm(50 * 10_000) { None } else { Some(OpOutcome::Unknown) };
            if outcome.is_none() || rng.chance_ppm(50 * 10_000) {
                completed_ms = None;
            }
            result = None;
        }
        history.push(Operation {
            line: i as u32 + 1,
            key,
            kind,
            invoked_ms,
            invoked_seq: 0,
            completed_ms,
            completed_seq: None,
            outcome,
            result,
            turned_away,
        });
    }
    // Instants are distinct, so any order within a millisecond is one the execution allows.
    if rng.chance_ppm(75 * 10_000) {
        number_events(rng, &mut history);
    }
    history
}

/// Changes the result of one `ok` get or the value a failed cas found, or flips one cas between
/// ok and fail. False if the history has nothing to corrupt.
fn corrupt(rng: &mut Rng, history: &mut [Operation]) -> bool {
    let targets: Vec<usize> = (0..history.len())
        .filter(|&i| {
            let op = &history[i];
            op.completed_ms.is_some()
                && !op.turned_away
                && matches!(op.outcome, Some(OpOutcome::Ok) | Some(OpOutcome::Fail))
                && !matches!(op.kind, OpKind::Put { .. })
                && !(matches!(op.kind, OpKind::Get) && op.outcome == Some(OpOutcome::Fail))
        })
        .collect();
    if targets.is_empty() {
        return false;
    }
    let op = &mut history[targets[rng.below(targets.len() as u64) as usize]];
    let failed = op.outcome == Some(OpOutcome::Fail);
    match op.kind {
        OpKind::Get => loop {
            let wrong = random_value_or_absent(rng);
            if wrong != op.result {
                op.result = wrong;
                break;
            }
        },
        OpKind::Cas { .. } if failed && rng.below(2) == 0 => loop {
            let wrong = random_value_or_absent(rng);
            if wrong != op.result {
                op.result = wrong;
                break;
            }
        },
        _ if failed => {
            op.outcome = Some(OpOutcome::Ok);
            op.result = None;
        }
        _ => {
            op.outcome = Some(OpOutcome::Fail);
            op.result = random_value_or_absent(rng);
        }
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Properties.

/// `LIN_ROUNDS_FACTOR=50 cargo test --release --test lin_random` runs a longer sweep.
fn rounds(default: u64) -> u64 {
    let factor = std::env::var("LIN_ROUNDS_FACTOR").ok().and_then(|text| text.parse().ok()).unwrap_or(1);
    default * factor
}

/// The violation's core must fail on its own: with every other operation of its key weakened
/// (reads dropped, writes made unknown) and, when it starts at `from_ms`, those that completed
/// before then left out and the key's first value left open. Weakening any one more of its
/// operations must make it linearizable.
fn assert_core_is_minimal_violation(history: &[Operation], violation: &Violation) {
    let lines = &violation.lines;
    // The instant the core starts at: the invocation of the operation on `from_line`.
    let start = violation.from_line.map(|line| {
        let op = history.iter().find(|op| op.line == line).expect("from_line names an operation");
        assert_eq!(Some(op.invoked_ms), violation.from_ms);
        invocation(op)
    });
    let weaken = |op: &Operation| -> Option<Operation> {
        if !is_definite(op) {
            return Some(op.clone());
        }
        if start.is_some_and(|start| completion(op) < start) {
            return None;
        }
        match op.kind {
            OpKind::Get => None,
            OpKind::Cas { .. } if op.outcome == Some(OpOutcome::Fail) => None,
            _ => Some(Operation { outcome: Some(OpOutcome::Unknown), completed_ms: None, ..op.clone() }),
        }
    };
    let restricted = |keep: &dyn Fn(&Operation) -> bool| -> Vec<Operation> {
        history
            .iter()
            .filter(|op| op.key == violation.key)
            .filter_map(|op| if keep(op) { Some(op.clone()) } else { weaken(op) })
            .collect()
    };
    let mut starts = vec![None];
    if violation.from_ms.is_some() {
        starts.extend(["a", "b", "c", "fresh"].map(|v| Some(v.to_string())));
    }
    let fails = |ops: &[Operation]| starts.iter().all(|start| !brute_force_from(ops, start));
    let core = restricted(&|op: &Operation| lines.contains(&op.line));
    assert!(fails(&core), "the core {violation:?} is linearizable on its own: {history:#?}");
    for &line in lines {
        let smaller = restricted(&|op: &Operation| op.line != line && lines.contains(&op.line));
        assert!(!fails(&smaller), "the core {violation:?} does not need line {line}: {history:#?}");
    }
}

fn assert_agrees_with_brute_force(history: &[Operation]) -> bool {
    let expected = brute_force(history);
    let verdict = check(history);
    assert!(!verdict.undecided, "{history:#?}");
    assert_eq!(verdict.linearizable, expected, "checker disagrees with brute force on {history:#?}\n{verdict:#?}");
    if let Some(violation) = &verdict.violation {
        assert!(!violation.lines.is_empty());
        for line in &violation.lines {
            assert!(violation.explanation.contains(&format!("line {line}:")), "{}", violation.explanation);
        }
        assert_core_is_minimal_violation(history, violation);
    }
    expected
}

#[test]
fn random_histories_agree_with_brute_force() {
    let mut rng = Rng::new(7);
    let mut violations = 0;
    let total = rounds(6000);
    for round in 0..total {
        let op_count = 1 + rng.below(8);
        let key_count = 1 + (round % 3 == 0) as u64;
        let history = random_history(&mut rng, op_count, key_count);
        if !assert_agrees_with_brute_force(&history) {
            violations += 1;
        }
    }
    // Both answers must be common, or the test proves little.
    assert!(violations > total / 6 && violations < total * 5 / 6, "{violations} violations");
}

#[test]
fn executed_histories_are_linearizable_and_corrupted_ones_agree_with_brute_force() {
    let mut rng = Rng::new(11);
    let mut corrupted_violations = 0;
    let mut corrupted = 0;
    for round in 0..rounds(4000) {
        let op_count = 1 + rng.below(8);
        let key_count = 1 + (round % 4 == 0) as u64;
        let mut history = executed_history(&mut rng, op_count, key_count);
        let verdict = check(&history);
        assert!(verdict.linearizable && !verdict.undecided, "{history:#?}\n{verdict:#?}");
        assert!(brute_force(&history));
        if corrupt(&mut rng, &mut history) {
            corrupted += 1;
            if !assert_agrees_with_brute_force(&history) {
                corrupted_violations += 1;
            }
        }
    }
    assert!(corrupted_violations * 2 > corrupted, "{corrupted_violations} of {corrupted} corruptions detected");
}

#[test]
fn long_executed_histories_are_linearizable() {
    let mut rng = Rng::new(13);
    for _ in 0..30 {
        let history = executed_history(&mut rng, 400, 3);
        let verdict = check(&history);
        assert!(verdict.linearizable && !verdict.undecided, "{verdict:#?}");
    }
}

#[test]
fn medium_histories_agree_with_the_memoized_reference() {
    let mut rng = Rng::new(17);
    let (mut corrupted, mut detected) = (0, 0);
    for _ in 0..rounds(300) {
        let op_count = 20 + rng.below(25);
        let mut history = executed_history(&mut rng, op_count, 1);
        assert!(check(&history).linearizable, "{history:#?}");
        for _ in 0..1 + rng.below(2) {
            corrupt(&mut rng, &mut history);
        }
        corrupted += 1;
        let expected = memoized(&history);
        let verdict = check(&history);
        assert!(!verdict.undecided);
        assert_eq!(
            verdict.linearizable, expected,
            "checker disagrees with the reference on {history:#?}\n{verdict:#?}"
        );
        if let Some(violation) = &verdict.violation {
            detected += 1;
            // A core may be long when unknown writes must all be accounted for: the first 12
            // (by invocation) are listed, the rest counted.
            let named = violation.lines.iter().filter(|line| violation.explanation.contains(&format!("line {line}:")));
            assert_eq!(named.count(), violation.lines.len().min(12), "{}", violation.explanation);
            if violation.lines.len() > 12 {
                let more = format!("and {} more", violation.lines.len() - 12);
                assert!(violation.explanation.contains(&more), "{}", violation.explanation);
            }
        }
    }
    assert!(detected * 3 > corrupted, "{detected} of {corrupted} corruptions detected");
}

#[test]
fn long_concurrent_histories_take_few_steps() {
    // Ten or so operations in flight at once on one key, few values, some unknown: the shape
    // where the search has to choose among many writes. Steps, not seconds (see lin_cases.rs).
    let mut rng = Rng::new(19);
    let (mut clean_steps, mut broken_steps, mut detected) = (0, 0, 0);
    for _ in 0..20 {
        let mut history = executed_history(&mut rng, 1000, 1);
        let verdict = check(&history);
        assert!(verdict.linearizable && !verdict.undecided, "{verdict:#?}");
        clean_steps += verdict.steps;
        corrupt(&mut rng, &mut history);
        let verdict = check(&history);
        assert!(!verdict.undecided, "{verdict:#?}");
        detected += u64::from(verdict.violation.is_some());
        broken_steps += verdict.steps;
    }
    // 19,474 and 8,654 steps when written; 47,775 and 21,805 before the search cut moves after
    // which the op that completes first needs a value nothing allowed before it can write,
    // tried writes of that value first and generated moves through unknown writes only when
    // needed.
    assert!(clean_steps <= 25_000, "{clean_steps} steps for the clean histories");
    assert!(broken_steps <= 12_000, "{broken_steps} steps for the corrupted ones");
    assert!(detected >= 5, "{detected} of 20 corruptions detected");
}

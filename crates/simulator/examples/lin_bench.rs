//! How fast the linearizability checker is on large, realistic histories.
//!
//! `cargo run --release -p simulator --example lin_bench`
//!
//! Histories are generated deterministically (splitmix64, fixed seeds) the way the simulator
//! produces them: a few clients, each with one operation at a time, take effect at one instant
//! of their interval on a real register; some time out (`unknown`) and may or may not have taken
//! effect. A "broken" variant then corrupts one late read, as a stale-read bug would.

use std::collections::HashMap;
use std::time::Instant;

use simulator::check::linearizability::{check, Verdict};
use simulator::history::{OpKind, Operation};
use simulator::rng::Rng;
use simulator::scenario::OpOutcome;

struct Shape {
    name: &'static str,
    ops: usize,
    keys: u64,
    /// Clients with one operation in flight each: the concurrency.
    clients: usize,
    /// Distinct values written per key (few values make the search harder: more ways to explain
    /// a read).
    values: u64,
    latency_ms: (u64, u64),
    unknown_per_mille: u64,
    seed: u64,
}

/// One operation before execution: its interval and the instant it takes effect.
struct Planned {
    line: u32,
    key: String,
    kind: OpKind,
    invoked_ms: u64,
    completed_ms: Option<u64>,
    effect_ms: u64,
    unknown: bool,
    takes_effect: bool,
}

fn generate(shape: &Shape) -> Vec<Operation> {
    let mut rng = Rng::new(shape.seed);
    let mut client_free_ms = vec![0u64; shape.clients];
    let mut planned = Vec::with_capacity(shape.ops);
    for i in 0..shape.ops {
        // The client that is free first issues the next command, after a short think time.
        let client = (0..shape.clients).min_by_key(|&c| client_free_ms[c]).expect("at least one client");
        let invoked_ms = client_free_ms[client] + rng.range(0, 20);
        let key = format!("key{}", rng.below(shape.keys));
        let kind = match rng.below(10) {
            0..=3 => OpKind::Put { value: format!("v{}", rng.below(shape.values)) },
            4..=7 => OpKind::Get,
            _ => {
                let expected = match rng.below(shape.values + 1) {
                    0 => None,
                    v => Some(format!("v{}", v - 1)),
                };
                OpKind::Cas { expected, new: format!("v{}", rng.below(shape.values)) }
            }
        };
        let unknown = rng.chance_ppm(shape.unknown_per_mille as u32 * 1_000);
        let latency_ms = rng.range(shape.latency_ms.0, shape.latency_ms.1);
        let (completed_ms, busy_until_ms) = if unknown {
            // The client gives up after its timeout; whether it took effect nobody knows.
            (None, invoked_ms + 1000)
        } else {
            (Some(invoked_ms + latency_ms), invoked_ms + latency_ms)
        };
        let effect_ms = rng.range(invoked_ms, invoked_ms + latency_ms);
        client_free_ms[client] = busy_until_ms;
        planned.push(Planned {
            line: i as u32 + 1,
            key,
            kind,
            invoked_ms,
            completed_ms,
            effect_ms,
            unknown,
            takes_effect: !unknown || rng.below(2) == 0,
        });
    }
    execute(planned)
}

/// Applies every operation at its instant to a real register and records what it returned.
fn execute(mut planned: Vec<Planned>) -> Vec<Operation> {
    planned.sort_by_key(|p| (p.effect_ms, p.line));
    let mut state: HashMap<String, String> = HashMap::new();
    let mut history: Vec<Operation> = Vec::with_capacity(planned.len());
    for p in planned {
        let current = state.get(&p.key).cloned();
        let mut outcome = if p.unknown { OpOutcome::Unknown } else { OpOutcome::Ok };
        let mut result = None;
        match &p.kind {
            OpKind::Put { value } => {
                if p.takes_effect {
                    state.insert(p.key.clone(), value.clone());
                }
            }
            OpKind::Get => result = if p.unknown { None } else { current },
            OpKind::Cas { expected, new } => {
                if *expected == current {
                    if p.takes_effect {
                        state.insert(p.key.clone(), new.clone());
                    }
                } else if !p.unknown {
                    // A failed cas reports what it found.
                    outcome = OpOutcome::Fail;
                    result = current;
                }
            }
        }
        history.push(Operation {
            line: p.line,
            key: p.key,
            kind: p.kind,
            invoked_ms: p.invoked_ms,
            invoked_seq: 0,
            completed_ms: p.completed_ms,
            completed_seq: None,
            outcome: Some(outcome),
            result,
            turned_away: false,
        });
    }
    history.sort_by_key(|op| op.line);
    history
}

/// Makes one late `ok` get return a stale value, as a leader answering reads from its own state
/// after losing leadership would: one of the last values written to its key before the read
/// began. The latest read, counting back, whose new result `rejects` says the checker rejects;
/// false if no such read was found among the last thirty.
fn corrupt_late_read(history: &mut [Operation], rejects: fn(&[Operation]) -> bool) -> bool {
    let reads: Vec<usize> = (0..history.len())
        .rev()
        .filter(|&i| history[i].kind == OpKind::Get && history[i].outcome == Some(OpOutcome::Ok))
        .take(30)
        .collect();
    for read in reads {
        let (key, invoked_ms) = (history[read].key.clone(), history[read].invoked_ms);
        let mut earlier_writes: Vec<(u64, String)> = history
            .iter()
            .filter(|op| op.key == key && op.outcome == Some(OpOutcome::Ok) && op.completed_ms < Some(invoked_ms))
            .filter_map(|op| match &op.kind {
                OpKind::Put { value } | OpKind::Cas { new: value, .. } => Some((op.completed_ms?, value.clone())),
                OpKind::Get => None,
            })
            .collect();
        earlier_writes.sort();
        let original = history[read].result.clone();
        for (_, stale) in earlier_writes.into_iter().rev().take(5) {
            if original.as_deref() == Some(stale.as_str()) {
                continue;
            }
            history[read].result = Some(stale);
            if rejects(history) {
                return true;
            }
        }
        history[read].result = original;
    }
    false
}

/// Whether the checker rejects the history.
fn rejected(history: &[Operation]) -> bool {
    check(history).violation.is_some()
}

/// Whether the checker rejects the history without what the failed cas found (as if every one
/// had been turned away): the broken histories the benchmark used before failed cas counted as
/// reads, so that its figures compare.
fn rejected_without_cas_reads(history: &[Operation]) -> bool {
    let mut blind = history.to_vec();
    for op in &mut blind {
        if op.outcome == Some(OpOutcome::Fail) {
            op.turned_away = true;
        }
    }
    rejected(&blind)
}

/// Checks `history` `repeats` times and prints the fastest: the machine may be shared, and the
/// fastest run is the one least disturbed.
fn run(name: &str, history: &[Operation], repeats: u32) -> Verdict {
    let mut fastest_s = f64::MAX;
    let mut verdict = None;
    for _ in 0..repeats {
        let started = Instant::now();
        verdict = Some(check(history));
        fastest_s = fastest_s.min(started.elapsed().as_secs_f64());
    }
    let verdict = verdict.expect("at least one repeat");
    let answer = match (&verdict.violation, verdict.undecided) {
        (Some(_), _) => "not linearizable",
        (None, true) => "UNDECIDED",
        (None, false) => "linearizable",
    };
    println!(
        "{name:<48} {:>6} ops {:>9.3} ms {:>10.0} ops/s {:>8} steps  {answer}",
        history.len(),
        fastest_s * 1000.0,
        history.len() as f64 / fastest_s,
        verdict.steps
    );
    verdict
}

/// name, ops, keys, clients, values per key, latency, unknown per mille.
type Row = (&'static str, usize, u64, usize, u64, (u64, u64), u64);

const SHAPES: [Row; 11] = [
    ("5000 ops, 20 keys, 10 clients", 5000, 20, 10, 6, (5, 80), 10),
    ("5000 ops, 20 keys, 10 clients, 5% unknown", 5000, 20, 10, 6, (5, 80), 50),
    ("5000 ops, 20 keys, 10 clients, unique values", 5000, 20, 10, 100_000, (5, 80), 10),
    ("2000 ops, 1 key, 5 clients", 2000, 1, 5, 6, (5, 80), 10),
    ("2000 ops, 1 key, 10 clients", 2000, 1, 10, 6, (5, 80), 10),
    ("2000 ops, 1 key, 10 clients, 3 values", 2000, 1, 10, 3, (5, 80), 20),
    ("2000 ops, 1 key, 10 clients, unique values", 2000, 1, 10, 100_000, (5, 80), 10),
    ("2000 ops, 1 key, 10 clients, 10% unknown", 2000, 1, 10, 6, (5, 80), 100),
    ("2000 ops, 1 key, 10 clients, 5..1000 ms", 2000, 1, 10, 6, (5, 1000), 20),
    ("2000 ops, 1 key, 20 clients", 2000, 1, 20, 6, (5, 80), 20),
    ("20000 ops, 50 keys, 20 clients", 20000, 50, 20, 6, (5, 80), 10),
];

fn main() {
    println!("linearizability checker; fastest of several checks; steps = search steps taken");
    let (mut total_ops, mut total_s) = (0usize, 0.0f64);
    for (seed, &(name, ops, keys, clients, values, latency_ms, unknown_per_mille)) in SHAPES.iter().enumerate() {
        let shape = Shape { name, ops, keys, clients, values, latency_ms, unknown_per_mille, seed: seed as u64 + 1 };
        let history = generate(&shape);
        let started = Instant::now();
        let verdict = run(shape.name, &history, 5);
        total_ops += history.len();
        total_s += started.elapsed().as_secs_f64() / 5.0;
        assert!(verdict.linearizable, "a generated history must be linearizable: {verdict:#?}");
        let mut broken = history.clone();
        if !corrupt_late_read(&mut broken, rejected_without_cas_reads) {
            println!("    (no late read can be made stale: unknown writes could explain any value)");
            continue;
        }
        let verdict = run(&format!("{} (broken)", shape.name), &broken, 3);
        if let Some(violation) = &verdict.violation {
            println!("    {}", violation.explanation.replace('\n', "\n    "));
        }
        // A later read may be refuted only through what a failed cas found: a harder story.
        let mut subtle = history.clone();
        if corrupt_late_read(&mut subtle, rejected) && subtle != broken {
            let verdict = run(&format!("{} (broken, through a failed cas)", shape.name), &subtle, 3);
            if let Some(violation) = &verdict.violation {
                let first = violation.explanation.lines().next().unwrap_or_default();
                println!("    {first} ({} operations)", violation.lines.len());
            }
        }
    }
    println!(
        "all linearizable histories: {total_ops} ops in {:.1} ms, {:.0} ops/s",
        total_s * 1000.0,
        total_ops as f64 / total_s
    );
}

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
use simulator::scenario::OpOutcome;

/// splitmix64: a seeded generator with no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    fn chance_per_mille(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

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
    let mut rng = Rng(shape.seed);
    let mut client_free_ms = vec![0u64; shape.clients];
    let mut planned = Vec::with_capacity(shape.ops);
    for i in 0..shape.ops {
        // The client that is free first issues the next command, after a short think time.
        let client = (0..shape.clients).min_by_key(|&c| client_free_ms[c]).expect("at least one client");
        let invoked_ms = client_free_ms[client] + rng.between(0, 20);
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
        let unknown = rng.chance_per_mille(shape.unknown_per_mille);
        let latency_ms = rng.between(shape.latency_ms.0, shape.latency_ms.1);
        let (completed_ms, busy_until_ms) = if unknown {
            // The client gives up after its timeout; whether it took effect nobody knows.
            (None, invoked_ms + 1000)
        } else {
            (Some(invoked_ms + latency_ms), invoked_ms + latency_ms)
        };
        let effect_ms = rng.between(invoked_ms, invoked_ms + latency_ms);
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
                    outcome = OpOutcome::Fail;
                }
            }
        }
        history.push(Operation {
            line: p.line,
            key: p.key,
            kind: p.kind,
            invoked_ms: p.invoked_ms,
            completed_ms: p.completed_ms,
            outcome: Some(outcome),
            result,
            turned_away: false,
        });
    }
    history.sort_by_key(|op| op.line);
    history
}

/// Makes one late `ok` get return a stale value, as a leader answering reads from its own state
/// after losing leadership would: the latest read, counting back, whose new result the checker
/// rejects. Returns false if no such read was found among the last hundred.
fn corrupt_late_read(history: &mut [Operation], values: u64) -> bool {
    let reads: Vec<usize> = (0..history.len())
        .rev()
        .filter(|&i| history[i].kind == OpKind::Get && history[i].outcome == Some(OpOutcome::Ok))
        .take(100)
        .collect();
    for read in reads {
        let original = history[read].result.clone();
        for stale in (0..values).map(|v| format!("v{v}")) {
            if original.as_deref() == Some(stale.as_str()) {
                continue;
            }
            history[read].result = Some(stale);
            if check(history).violation.is_some() {
                return true;
            }
        }
        history[read].result = original;
    }
    false
}

fn run(name: &str, history: &[Operation], repeats: u32) -> Verdict {
    let started = Instant::now();
    let mut verdict = None;
    for _ in 0..repeats {
        verdict = Some(check(history));
    }
    let seconds = started.elapsed().as_secs_f64() / repeats as f64;
    let verdict = verdict.expect("at least one repeat");
    let answer = match (&verdict.violation, verdict.undecided) {
        (Some(_), _) => "not linearizable",
        (None, true) => "UNDECIDED",
        (None, false) => "linearizable",
    };
    println!(
        "{name:<52} {:>6} ops {:>9.3} ms {:>10.0} ops/s {:>9} steps  {answer}",
        history.len(),
        seconds * 1000.0,
        history.len() as f64 / seconds,
        verdict.steps
    );
    verdict
}

fn main() {
    let shapes = [
        Shape {
            name: "5000 ops, 20 keys, 10 clients",
            ops: 5000,
            keys: 20,
            clients: 10,
            values: 6,
            latency_ms: (5, 80),
            unknown_per_mille: 10,
            seed: 1,
        },
        Shape {
            name: "5000 ops, 20 keys, 10 clients, 5% unknown",
            ops: 5000,
            keys: 20,
            clients: 10,
            values: 6,
            latency_ms: (5, 80),
            unknown_per_mille: 50,
            seed: 2,
        },
        Shape {
            name: "2000 ops, 1 key, 5 clients",
            ops: 2000,
            keys: 1,
            clients: 5,
            values: 6,
            latency_ms: (5, 80),
            unknown_per_mille: 10,
            seed: 3,
        },
        Shape {
            name: "2000 ops, 1 key, 10 clients",
            ops: 2000,
            keys: 1,
            clients: 10,
            values: 6,
            latency_ms: (5, 80),
            unknown_per_mille: 10,
            seed: 4,
        },
        Shape {
            name: "2000 ops, 1 key, 10 clients, 3 values",
            ops: 2000,
            keys: 1,
            clients: 10,
            values: 3,
            latency_ms: (5, 80),
            unknown_per_mille: 20,
            seed: 5,
        },
        Shape {
            name: "2000 ops, 1 key, 10 clients, 10% unknown",
            ops: 2000,
            keys: 1,
            clients: 10,
            values: 6,
            latency_ms: (5, 80),
            unknown_per_mille: 100,
            seed: 6,
        },
        Shape {
            name: "2000 ops, 1 key, 10 clients, slow (5..1000 ms)",
            ops: 2000,
            keys: 1,
            clients: 10,
            values: 6,
            latency_ms: (5, 1000),
            unknown_per_mille: 20,
            seed: 8,
        },
        Shape {
            name: "2000 ops, 1 key, 20 clients",
            ops: 2000,
            keys: 1,
            clients: 20,
            values: 6,
            latency_ms: (5, 80),
            unknown_per_mille: 20,
            seed: 9,
        },
        Shape {
            name: "20000 ops, 50 keys, 20 clients",
            ops: 20000,
            keys: 50,
            clients: 20,
            values: 6,
            latency_ms: (5, 80),
            unknown_per_mille: 10,
            seed: 7,
        },
    ];
    println!("linearizability checker, release build; ms per check, averaged");
    for shape in &shapes {
        let mut history = generate(shape);
        let verdict = run(shape.name, &history, 5);
        assert!(verdict.linearizable, "a generated history must be linearizable: {verdict:#?}");
        if !corrupt_late_read(&mut history, shape.values) {
            println!("    (no late read could be made stale)");
            continue;
        }
        let broken_name = format!("{} (broken)", shape.name);
        let verdict = run(&broken_name, &history, 3);
        if let Some(violation) = &verdict.violation {
            println!(
                "    {} lines {:?}: {}",
                violation.key,
                violation.lines,
                violation.explanation.replace('\n', "\n    ")
            );
        }
    }
}

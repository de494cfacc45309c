//! `raft-sim fuzz`: sweep seeds of random fault schedules; print and exit 1 on the first finding.
//!
//! `--jobs N` threads (default: one per core) take seeds from one counter in increasing order,
//! so the answer is the one a single thread gives: the lowest failing seed, shrunk once, after
//! every seed below it was found clean. A thread that meets a failing seed records it and stops;
//! the others stop at the first seed above it.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use raft_core::Bug;
use simulator::fuzz::{self, FuzzConfig, Profile};

pub fn cmd_fuzz(args: &[String]) -> ExitCode {
    let mut cfg = FuzzConfig::default();
    let (mut seeds, mut from, mut json) = (1000u64, 1u64, false);
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut it = args.iter();
    let bad = |m: String| {
        eprintln!("raft-sim fuzz: {m}");
        ExitCode::from(2)
    };
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--seeds" => match value("--seeds").and_then(|v| v.parse().map_err(|_| format!("--seeds takes a whole number, not {v}"))) {
                Ok(v) => seeds = v,
                Err(e) => return bad(e),
            },
            "--from" => match value("--from").and_then(|v| v.parse().map_err(|_| format!("--from takes a whole number, not {v}"))) {
                Ok(v) => from = v,
                Err(e) => return bad(e),
            },
            "--nodes" => match value("--nodes").and_then(|v| v.parse::<u8>().ok().filter(|n| (1..=9).contains(n)).ok_or(format!("--nodes takes 1 to 9, not {v}"))) {
                Ok(v) => cfg.nodes = v,
                Err(e) => return bad(e),
            },
            "--duration" => match value("--duration").and_then(|v| parse_duration(&v).ok_or(format!("--duration takes a duration like 10s or 500ms, not {v}"))) {
                Ok(v) => cfg.duration_ms = v,
                Err(e) => return bad(e),
            },
            "--bug" => match value("--bug").and_then(|v| {
                Bug::from_name(&v).ok_or(format!(
                    "unknown bug {v}; the bugs are {}",
                    Bug::ALL.iter().map(|b| b.name()).collect::<Vec<_>>().join(", ")
                ))
            }) {
                Ok(b) => cfg.bug = Some(b),
                Err(e) => return bad(e),
            },
            "--profile" => match value("--profile").and_then(|v| {
                Profile::from_name(&v).ok_or(format!(
                    "unknown profile {v}; the profiles are {}",
                    Profile::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
                ))
            }) {
                Ok(p) => cfg.profile = Some(p),
                Err(e) => return bad(e),
            },
            "--jobs" => match value("--jobs").and_then(|v| v.parse::<usize>().ok().filter(|n| (1..=1024).contains(n)).ok_or(format!("--jobs takes a number of threads from 1 to 1024, not {v}"))) {
                Ok(v) => jobs = v,
                Err(e) => return bad(e),
            },
            "--shrink-runs" => match value("--shrink-runs").and_then(|v| v.parse::<usize>().map_err(|_| format!("--shrink-runs takes a whole number, not {v}"))) {
                Ok(v) => cfg.shrink_runs = v,
                Err(e) => return bad(e),
            },
            "--json" => json = true,
            "--print" => {
                print!("{}", print_schedule(from, &cfg));
                return ExitCode::SUCCESS;
            }
            other => return bad(format!("unknown argument {other}")),
        }
    }
    let start = Instant::now();
    let end = from.saturating_add(seeds);
    let found = sweep(from, end, jobs, &cfg, |done| {
        let rate = done as f64 / start.elapsed().as_secs_f64();
        eprintln!("fuzz: {done} of {seeds} schedules, {rate:.0}/s, nothing found yet");
    });
    if let Some(seed) = found {
        let schedules = seed - from + 1;
        let f = fuzz::fuzz_seed(seed, &cfg).expect("the seed a thread found failing fails again: runs are deterministic");
        if json {
            let v = serde_json::json!({
                "found": true, "seed": f.seed, "property": f.property.name(), "detail": f.detail,
                "at_ms": f.at_ms, "scenario": f.scenario, "schedules": schedules,
                "actions": f.original_actions, "shrunk_actions": f.shrunk_actions,
            });
            println!("{}", serde_json::to_string_pretty(&v).expect("json"));
        } else {
            println!(
                "seed {}: {} violated after {} schedules: {}\nshrunk from {} to {} actions; replay with raft-sim run:\n\n{}",
                f.seed, f.property.name(), schedules, f.detail, f.original_actions, f.shrunk_actions, f.scenario
            );
        }
        return ExitCode::from(1);
    }
    let wall = start.elapsed().as_secs_f64();
    let rate = seeds as f64 / wall;
    if json {
        let v = serde_json::json!({
            "found": false, "schedules": seeds, "from": from, "seconds": wall, "jobs": jobs, "per_second": rate,
        });
        println!("{}", serde_json::to_string_pretty(&v).expect("json"));
    } else {
        println!(
            "fuzz: {seeds} schedules (seeds {from}..{}) of {}ms on {} servers{}: no violation ({:.1}s, {:.0} schedules/s, {jobs} thread{})",
            end - 1,
            cfg.duration_ms,
            cfg.nodes,
            cfg.bug.map(|b| format!(" with bug {}", b.name())).unwrap_or_default(),
            wall,
            rate,
            if jobs == 1 { "" } else { "s" },
        );
    }
    ExitCode::SUCCESS
}

/// Probe seeds `from..end` on `jobs` threads; the lowest failing seed, if any. `progress` hears
/// the number of schedules done every two seconds.
pub fn sweep(from: u64, end: u64, jobs: usize, cfg: &FuzzConfig, mut progress: impl FnMut(u64)) -> Option<u64> {
    let next = AtomicU64::new(from);
    let done = AtomicU64::new(0);
    // The lowest failing seed so far (u64::MAX: none).
    let lowest = AtomicU64::new(u64::MAX);
    let running = AtomicU64::new(jobs as u64);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed >= end || seed > lowest.load(Ordering::Relaxed) {
                        break;
                    }
                    if fuzz::probe(seed, cfg).is_some() {
                        lowest.fetch_min(seed, Ordering::Relaxed);
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
                running.fetch_sub(1, Ordering::Release);
            });
        }
        let mut last = Instant::now();
        while running.load(Ordering::Acquire) > 0 {
            std::thread::sleep(Duration::from_millis(50));
            if last.elapsed() >= Duration::from_secs(2) {
                last = Instant::now();
                progress(done.load(Ordering::Relaxed));
            }
        }
    });
    match lowest.into_inner() {
        u64::MAX => None,
        seed => Some(seed),
    }
}

fn parse_duration(s: &str) -> Option<u64> {
    if let Some(ms) = s.strip_suffix("ms") {
        ms.parse().ok()
    } else if let Some(sec) = s.strip_suffix('s') {
        sec.parse::<u64>().ok()?.checked_mul(1000)
    } else {
        None
    }
}

/// `raft-sim fuzz --print SEED`: the schedule a seed would run, as a scenario.
pub fn print_schedule(seed: u64, cfg: &FuzzConfig) -> String {
    simulator::scenario::print_scenario(&fuzz::schedule(seed, cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any number of threads gives the answer of one: the lowest failing seed.
    #[test]
    fn threads_find_the_lowest_failing_seed_of_one_thread() {
        for bug in [Bug::SmallQuorum, Bug::ForgetVote] {
            let cfg = FuzzConfig { bug: Some(bug), duration_ms: 3_000, ..FuzzConfig::default() };
            let one = sweep(1, 400, 1, &cfg, |_| {});
            let first = (1..400).find(|&s| fuzz::probe(s, &cfg).is_some());
            assert!(first.is_some(), "{bug:?}: nothing in 400 seeds");
            assert_eq!(one, first, "{bug:?}");
            for jobs in [2, 3, 8] {
                assert_eq!(sweep(1, 400, jobs, &cfg, |_| {}), one, "{bug:?} on {jobs} threads");
            }
        }
        let clean = FuzzConfig { duration_ms: 2_000, ..FuzzConfig::default() };
        assert_eq!(sweep(1, 60, 4, &clean, |_| {}), None);
    }
}

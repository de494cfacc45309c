//! `raft-sim fuzz`: sweep seeds of random fault schedules; print and exit 1 on the first finding.

use std::process::ExitCode;
use std::time::Instant;

use raft_core::Bug;
use simulator::fuzz::{self, FuzzConfig, Profile};

pub fn cmd_fuzz(args: &[String]) -> ExitCode {
    let mut cfg = FuzzConfig::default();
    let (mut seeds, mut from, mut json) = (1000u64, 1u64, false);
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
            "--json" => json = true,
            "--print" => {
                print!("{}", print_schedule(from, &cfg));
                return ExitCode::SUCCESS;
            }
            other => return bad(format!("unknown argument {other}")),
        }
    }
    let start = Instant::now();
    let mut last_report = Instant::now();
    for (done, seed) in (from..from.saturating_add(seeds)).enumerate() {
        if let Some(f) = fuzz::fuzz_seed(seed, &cfg) {
            if json {
                let v = serde_json::json!({
                    "found": true, "seed": f.seed, "property": f.property.name(), "detail": f.detail,
                    "at_ms": f.at_ms, "scenario": f.scenario, "schedules": done + 1,
                    "actions": f.original_actions, "shrunk_actions": f.shrunk_actions,
                });
                println!("{}", serde_json::to_string_pretty(&v).expect("json"));
            } else {
                println!(
                    "seed {}: {} violated after {} schedules: {}\nshrunk from {} to {} actions; replay with raft-sim run:\n\n{}",
                    f.seed,
                    f.property.name(),
                    done + 1,
                    f.detail,
                    f.original_actions,
                    f.shrunk_actions,
                    f.scenario
                );
            }
            return ExitCode::from(1);
        }
        if last_report.elapsed().as_secs() >= 2 {
            last_report = Instant::now();
            let rate = (done + 1) as f64 / start.elapsed().as_secs_f64();
            eprintln!("fuzz: {} of {seeds} schedules, {rate:.0}/s, nothing found yet", done + 1);
        }
    }
    let wall = start.elapsed().as_secs_f64();
    if json {
        let v = serde_json::json!({"found": false, "schedules": seeds, "from": from, "seconds": wall});
        println!("{}", serde_json::to_string_pretty(&v).expect("json"));
    } else {
        println!(
            "fuzz: {seeds} schedules (seeds {from}..{}) of {}ms on {} servers{}: no violation ({:.1}s, {:.0} schedules/s)",
            from + seeds - 1,
            cfg.duration_ms,
            cfg.nodes,
            cfg.bug.map(|b| format!(" with bug {}", b.name())).unwrap_or_default(),
            wall,
            seeds as f64 / wall
        );
    }
    ExitCode::SUCCESS
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

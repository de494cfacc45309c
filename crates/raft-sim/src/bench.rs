//! `raft-sim bench`: how fast the simulator runs a busy cluster.
//!
//! RaftScope's workload (issue 14, BENCHMARKS.md): five servers, election timeout 100–200 ms,
//! heartbeat 50 ms, latency 10–15 ms, a client write every 100 ms, a crash every 5 s (the
//! crashed server restarts 2 s later), 120 s of simulated time, every checker on.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use simulator::scenario;
use simulator::sim::Observe;
use simulator::Runner;

/// The benchmark scenario as text, so it is exactly what `raft-sim run` would play.
pub fn workload(seconds: u64) -> String {
    let mut s = String::from(
        "nodes 5\nseed 42\nelection-timeout 100ms..200ms\nheartbeat 50ms\nlatency 10ms..15ms\n",
    );
    let mut crash_victim = 1;
    for t in (0..seconds * 1000).step_by(100) {
        let _ = writeln!(s, "put k{} v{}", (t / 100) % 50, t / 100);
        if t > 0 && t % 5000 == 0 {
            let _ = writeln!(s, "crash S{crash_victim}");
        }
        if t > 0 && t % 5000 == 2000 && t > 5000 {
            let _ = writeln!(s, "restart S{}", crash_victim);
            crash_victim = crash_victim % 5 + 1;
        }
        let _ = writeln!(s, "run 100ms");
    }
    s
}

pub fn cmd_bench(args: &[String]) -> ExitCode {
    let mut seconds = 120;
    let mut runs: usize = 1;
    let mut print = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            // The workload as a scenario, to time the same run elsewhere (`raft-sim run`, the
            // WebAssembly build's runScenario).
            "--print" => print = true,
            "--seconds" => match it.next().and_then(|v| v.parse().ok()) {
                Some(v) => seconds = v,
                None => {
                    eprintln!("raft-sim bench: --seconds takes a whole number");
                    return ExitCode::from(2);
                }
            },
            // The same run several times in one process: the median and the fastest are
            // printed (on a busy machine the fastest is the closest to the unloaded speed).
            "--runs" => match it.next().and_then(|v| v.parse().ok()).filter(|&v| (1..=1000).contains(&v)) {
                Some(v) => runs = v,
                None => {
                    eprintln!("raft-sim bench: --runs takes a whole number from 1 to 1000");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("raft-sim bench: unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let text = workload(seconds);
    if print {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    let scenario = match scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("raft-sim bench: workload does not parse: {e}");
            return ExitCode::from(2);
        }
    };
    let mut walls = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let runner = Runner::run(&scenario, Observe::REPORT);
        // The linearizability check of the whole history is part of the run's cost, as it is
        // of `raft-sim run` (its report) and of the WebAssembly module's runScenario.
        let linearizable = runner.linearizability();
        walls.push(start.elapsed().as_secs_f64());
        last = Some((runner, linearizable));
    }
    let Some((runner, linearizable)) = last else { return ExitCode::from(2) };
    walls.sort_by(f64::total_cmp);
    let wall = walls[walls.len() / 2];
    let sim_s = runner.sim.now() as f64 / 1000.0;
    let ok = runner.sim.history().iter().filter(|o| o.outcome == Some(scenario::OpOutcome::Ok)).count();
    println!(
        "bench: 5 servers (RaftScope's workload), write every 100ms, crash every 5s: {sim_s:.0} s simulated in {wall:.3} s wall = {:.0} simulated s per wall s{}; {} events, {} messages, {} of {} writes ok, safe={}, linearizable={}",
        sim_s / wall,
        if runs > 1 { format!(" (median of {runs} runs; fastest {:.0})", sim_s / walls[0]) } else { String::new() },
        runner.sim.trace().events(),
        runner.sim.stats().messages_sent,
        ok,
        runner.sim.history().len(),
        runner.sim.checker().is_safe(),
        linearizable.linearizable
    );
    ExitCode::SUCCESS
}

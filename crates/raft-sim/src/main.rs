//! `raft-sim`: run Raft Playground scenarios headless.
//!
//! ```text
//! raft-sim run FILE [--json] [--trace] [--lin-steps N]
//!                                          play a scenario (FILE may be - for standard input)
//! raft-sim fuzz [--seeds N] [--from SEED] …  random fault schedules, shrunk on failure
//! raft-sim bench [--seconds N]             simulated seconds per wall second (see BENCHMARKS.md)
//! ```
//! Exit status (shared/SCENARIO.md): 0 all expectations passed and nothing was violated unless
//! asked for; 1 an expectation failed or a property was violated; 2 the scenario is not valid.

use std::io::Read;
use std::process::ExitCode;

mod bench;
mod fuzz;

use simulator::report;
use simulator::scenario;
use simulator::sim::Observe;
use simulator::Runner;

const USAGE: &str = "usage:
  raft-sim run FILE [--json] [--trace] [--lin-steps N]
                                         play a scenario file (- reads standard input);
                                         --lin-steps: the linearizability search budget per
                                         key (default 5000000; past it the check is undecided)
  raft-sim fuzz [--seeds N] [--from SEED] [--nodes N] [--duration D] [--bug NAME]
                [--profile NAME] [--jobs N] [--shrink-runs N] [--json]
                                         random fault schedules; exit 1 and print a shrunk
                                         scenario when a property breaks; --jobs: threads
                                         (default: one per core); --shrink-runs: the
                                         shrinker's budget of runs (default 2000)
  raft-sim bench [--seconds N]           measure simulated seconds per wall second
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => cmd_run(&args[1..]),
        Some("bench") => bench::cmd_bench(&args[1..]),
        Some("fuzz") => fuzz::cmd_fuzz(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn read_source(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

fn cmd_run(args: &[String]) -> ExitCode {
    let mut file = None;
    let (mut json, mut trace) = (false, false);
    let mut lin_steps = simulator::check::linearizability::DEFAULT_STEP_BUDGET;
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--trace" => trace = true,
            "--lin-steps" => match args.next().map(|n| n.parse::<u64>()) {
                Some(Ok(n)) if n > 0 => lin_steps = n,
                _ => {
                    eprintln!("raft-sim run: --lin-steps needs a whole number of search steps above 0\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            s if s.starts_with("--") && s != "-" => {
                eprintln!("raft-sim run: unknown option {s}\n{USAGE}");
                return ExitCode::from(2);
            }
            s => {
                if file.replace(s.to_string()).is_some() {
                    eprintln!("raft-sim run: one scenario file at a time\n{USAGE}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    let Some(file) = file else {
        eprint!("raft-sim run: which scenario file?\n{USAGE}");
        return ExitCode::from(2);
    };
    let text = match read_source(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("raft-sim: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let observe = Observe { trace_hash: true, trace_lines: trace, feed: false };
    let mut runner = Runner::new(&scenario, observe);
    runner.lin_step_budget = lin_steps;
    for item in &scenario.items {
        runner.apply(item);
    }
    if trace {
        for line in runner.sim.trace.lines() {
            println!("{line}");
        }
    }
    let rep = report::report(&runner);
    if json {
        println!("{}", serde_json::to_string_pretty(&rep).expect("report serialises"));
    } else {
        print_human(&file, &rep, runner.linearizability().undecided_detail());
    }
    ExitCode::from(rep.exit_code as u8)
}

/// `undecided`: what the linearizability checker says when it could not decide.
fn print_human(file: &str, rep: &report::Report, undecided: Option<String>) {
    for e in &rep.expectations {
        let mark = if e.passed { "passed" } else { "FAILED" };
        println!("line {:>3}  {mark}  {}  ({})", e.line, e.text, e.detail);
    }
    for e in &rep.errors {
        println!("error: {e}");
    }
    for (name, v) in &rep.checks {
        if v == "undecided" {
            let detail = undecided.as_deref().unwrap_or("the checker ran out of its search budget");
            println!("{name}: {detail} (a larger --lin-steps may decide it)");
        } else if v != "ok" {
            println!("violation: {name}: {}", v.get("detail").and_then(|d| d.as_str()).unwrap_or(""));
        }
    }
    let leaders: Vec<String> = rep.nodes.iter().map(|n| &n.base).filter(|n| n.role == "leader" && n.running).map(|n| format!("{} (term {})", n.id, n.term)).collect();
    let passed = rep.expectations.iter().filter(|e| e.passed).count();
    println!(
        "{file}: {}ms simulated, {} messages, leader {}, {} of {} expectations passed, trace {}",
        rep.time_ms,
        rep.stats.messages_sent,
        if leaders.is_empty() { "none".to_string() } else { leaders.join(", ") },
        passed,
        rep.expectations.len(),
        rep.trace_hash
    );
}

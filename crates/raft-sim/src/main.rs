//! `raft-sim`: run Raft Playground scenarios headless.
//!
//! ```text
//! raft-sim run FILE [--json] [--trace] [--lin-steps N]
//!                                          play a scenario (FILE may be - for standard input)
//! raft-sim run FILE --at T [--json]        the state at instant T (the page's time travel)
//! raft-sim fuzz [--seeds N] [--from SEED] …  random fault schedules, shrunk on failure
//! raft-sim bench [--seconds N] [--runs N] [--print]   simulated seconds per wall second (see BENCHMARKS.md)
//! ```
//! Exit status (shared/SCENARIO.md): 0 all expectations passed and nothing was violated unless
//! asked for; 1 an expectation failed or a property was violated; 2 the scenario is not valid.

use std::io::Read;
use std::process::ExitCode;

mod bench;
mod fuzz;

use simulator::report;
use simulator::scenario::{self, Action, ItemKind};
use simulator::session::Session;
use simulator::sim::Observe;
use simulator::Runner;

const USAGE: &str = "usage:
  raft-sim run FILE [--json] [--trace] [--at T] [--lin-steps N]
                                         play a scenario file (- reads standard input);
                                         --at T: stop at instant T (1500, 1500ms, 2s) and
                                         report the state there, as the page's timeline does;
                                         --lin-steps: the linearizability search budget per
                                         key (default 5000000; past it the check is undecided)
  raft-sim fuzz [--seeds N] [--from SEED] [--nodes N] [--duration D] [--bug NAME]
                [--profile NAME] [--jobs N] [--shrink-runs N] [--json]
                                         random fault schedules; exit 1 and print a shrunk
                                         scenario when a property breaks; --jobs: threads
                                         (default: one per core); --shrink-runs: the
                                         shrinker's budget of runs (default 2000)
  raft-sim bench [--seconds N] [--runs N] [--print]
                                         measure simulated seconds per wall second (--runs:
                                         repeat, print the median and the fastest; --print:
                                         the workload)
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
    let mut at_ms = None;
    let mut lin_steps = simulator::check::linearizability::DEFAULT_STEP_BUDGET;
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--trace" => trace = true,
            "--at" => match args.next().map(|t| instant_ms(t)) {
                Some(Ok(t)) => at_ms = Some(t),
                Some(Err(e)) => {
                    eprintln!("raft-sim run: --at {e}");
                    return ExitCode::from(2);
                }
                None => {
                    eprintln!("raft-sim run: --at needs an instant (1500, 1500ms, 2s)\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
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
    if scenario::parse(&text).is_ok_and(|s| s.code.is_some()) {
        // The node is JavaScript: this binary has no JavaScript engine; the WebAssembly build
        // runs it in Node with the same output.
        eprintln!("{file}: protocol js runs a JavaScript node, which raft-sim cannot host; run it with `npm run judge -- {file}`");
        return ExitCode::from(2);
    }
    if let Some(t) = at_ms {
        return run_at(&file, &text, t, json, trace, lin_steps);
    }
    let scenario = match scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let observe = Observe { trace_hash: true, trace_lines: trace, feed: false, events: false };
    let mut runner = Runner::new(&scenario, observe);
    runner.lin_step_budget = lin_steps;
    for item in &scenario.items {
        runner.apply(item);
    }
    if trace {
        for line in runner.sim.trace().lines() {
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

/// An instant on the command line: whole milliseconds, or a duration as the scenario language
/// writes one (`1500ms`, `2s`, `1m`).
fn instant_ms(text: &str) -> Result<u64, String> {
    if let Ok(ms) = text.parse::<u64>() {
        return Ok(ms);
    }
    match scenario::parse_line(&format!("run {text}"), 1, 9) {
        Ok(Some(item)) => match item.kind {
            ItemKind::Action(Action::Run { ms }) => Ok(ms),
            _ => Err(format!("\"{text}\" is not an instant (1500, 1500ms, 2s)")),
        },
        _ => Err(format!("\"{text}\" is not an instant (1500, 1500ms, 2s)")),
    }
}

/// `run FILE --at T`: load the scenario into a session (the page's time travel), seek to `t`,
/// and report the state there. The report is the one `raft-sim run` gives for the scenario cut
/// at `t` (the session's recording up to `t`), trace hash included.
fn run_at(file: &str, text: &str, t: u64, json: bool, trace: bool, lin_steps: u64) -> ExitCode {
    let mut session = match Session::new(text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    if t > session.end_ms() {
        eprintln!("raft-sim run: --at {t}ms is after the end of {file}, which runs to {}ms", session.end_ms());
        return ExitCode::from(2);
    }
    session.set_lin_step_budget(lin_steps);
    session.seek(t);
    if trace {
        match session.trace_lines() {
            Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let rep = report::report(session.runner());
    if json {
        println!("{}", serde_json::to_string_pretty(&rep).expect("report serialises"));
    } else {
        for n in &rep.nodes {
            let n = &n.base;
            let up = if n.running { "" } else { ", crashed" };
            println!("{}  {} term {}, commit {}, applied {}{up}", n.id, n.role, n.term, n.commit_index, n.last_applied);
        }
        let undecided = session.runner().linearizability().undecided_detail();
        print_human(&format!("{file} at {t}ms of {}ms", session.end_ms()), &rep, undecided);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_as_milliseconds_or_durations() {
        assert_eq!(instant_ms("1500"), Ok(1500));
        assert_eq!(instant_ms("0"), Ok(0));
        assert_eq!(instant_ms("1500ms"), Ok(1500));
        assert_eq!(instant_ms("2s"), Ok(2000));
        assert!(instant_ms("soon").unwrap_err().contains("not an instant"));
        assert!(instant_ms("-3").is_err());
    }
}

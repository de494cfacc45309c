//! Seeded random fault schedules: without bugs nothing may break; with each deliberate bug the
//! fuzzer must find a violation quickly, and the scenario it prints must replay it.

use raft_core::Bug;
use simulator::fuzz::{self, FuzzConfig};
use simulator::{scenario, sim::Observe, Runner};

fn seeds_from_env(default: u64) -> u64 {
    std::env::var("FUZZ_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn a_sweep_of_random_fault_schedules_finds_no_violation() {
    let n = seeds_from_env(2_000);
    let cfg = FuzzConfig::default();
    for seed in 1..=n {
        if let Some(f) = fuzz::fuzz_seed(seed, &cfg) {
            panic!(
                "seed {seed}: {} violated: {}\nreplay this scenario with raft-sim run:\n{}",
                f.property.name(),
                f.detail,
                f.scenario
            );
        }
    }
}

#[test]
fn every_bug_is_found_within_1000_schedules_and_its_scenario_replays() {
    for bug in Bug::ALL {
        let cfg = FuzzConfig { bug: Some(bug), ..FuzzConfig::default() };
        let found = (1..=1000).find_map(|seed| fuzz::fuzz_seed(seed, &cfg));
        let f = found.unwrap_or_else(|| panic!("bug {} was not found in 1000 schedules", bug.name()));
        let parsed = scenario::parse(&f.scenario).unwrap_or_else(|e| panic!("{}: printed scenario does not parse: {e}\n{}", bug.name(), f.scenario));
        let replay = fuzz::verdict(&parsed);
        assert_eq!(replay.map(|v| v.0), Some(f.property), "{}: replay differs\n{}", bug.name(), f.scenario);
        let r = Runner::run(&parsed, Observe::REPORT);
        assert_eq!(r.exit_code(), 1, "{}: raft-sim run must report the violation", bug.name());
        eprintln!("{}: seed {} -> {} ({} -> {} actions)", bug.name(), f.seed, f.property.name(), f.original_actions, f.shrunk_actions);
        assert!(f.shrunk_actions <= f.original_actions, "{}: shrinking grew the schedule", bug.name());
        // A story a student can step through, Figure 8 (commit-old-terms) included.
        assert!(f.shrunk_actions <= 25, "{}: {} actions left\n{}", bug.name(), f.shrunk_actions, f.scenario);
    }
}

#[test]
fn the_fuzzer_is_deterministic() {
    let cfg = FuzzConfig { bug: Some(Bug::CommitOldTerms), ..FuzzConfig::default() };
    for seed in 1..=20 {
        let a = fuzz::schedule(seed, &cfg);
        let b = fuzz::schedule(seed, &cfg);
        assert_eq!(scenario::print_scenario(&a), scenario::print_scenario(&b));
        let (x, y) = (fuzz::fuzz_seed(seed, &cfg), fuzz::fuzz_seed(seed, &cfg));
        assert_eq!(x.map(|f| f.scenario), y.map(|f| f.scenario));
    }
}

/// Figure 8 is hunted with the `figure8-cuts` profile: whatever seed finds it, the shrunk story
/// stays short (≤ 25 actions with the command line's budget and with the page's smaller one),
/// keeps the figure's shape (elections forced by `timeout`, a cut keeping an entry on few
/// servers, the bug's own violation) and replays to it.
#[test]
fn figure_8_shrinks_to_a_short_story_from_many_seeds() {
    for (budget, from) in [(2_000, [1, 40, 160]), (600, [2, 80, 300])] {
        for start in from {
            let cfg = FuzzConfig { bug: Some(Bug::CommitOldTerms), shrink_runs: budget, ..FuzzConfig::default() };
            let f = (start..start + 200).find_map(|seed| fuzz::fuzz_seed(seed, &cfg)).expect("found within 200 schedules");
            assert!(f.scenario.contains("profile figure8-cuts"), "{}", f.scenario);
            assert!(f.shrunk_actions <= 25, "budget {budget}, seed {}: {} actions\n{}", f.seed, f.shrunk_actions, f.scenario);
            assert!(f.scenario.contains("\ntimeout S") && f.scenario.contains("\npartition S"), "{}", f.scenario);
            assert_eq!(f.property.name(), "leader-completeness", "{}", f.scenario);
            let parsed = scenario::parse(&f.scenario).unwrap();
            assert_eq!(fuzz::verdict(&parsed).map(|v| v.0), Some(f.property), "{}", f.scenario);
        }
    }
}

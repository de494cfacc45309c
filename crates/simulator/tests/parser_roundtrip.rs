//! The printer: canonical lines for every item, and print → parse round trips.

mod parser_common;

use parser_common::assert_round_trip;
use raft_core::{Bug, ReadMode};
use simulator::scenario::*;

fn canonical(text: &str) -> String {
    let s = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let item = s.items.last().expect("one item");
    print_item(&item.kind)
}

#[test]
fn print_item_is_canonical() {
    let cases = [
        ("run 150ms", "run 150ms"),
        ("run 2000ms", "run 2s"),
        ("run 1500ms", "run 1500ms"),
        ("run 02s", "run 2s"),
        ("run until leader", "run until leader"),
        ("run until leader within 10s", "run until leader"),
        ("run until leader within 2500ms", "run until leader within 2500ms"),
        ("crash s1", "crash S1"),
        ("restart leader", "restart leader"),
        ("partition s1 S2|S3   S4\tS5", "partition S1 S2 | S3 S4 S5"),
        ("partition S2", "partition S2"),
        ("cut S1 S2", "cut S1 S2"),
        ("cut S1->S2", "cut S1 -> S2"),
        ("cut leader -> S3", "cut leader -> S3"),
        ("uncut s1   S2", "uncut S1 S2"),
        ("uncut S2->S1", "uncut S2 -> S1"),
        ("uncut S1 -> leader", "uncut S1 -> leader"),
        ("isolate leader", "isolate leader"),
        ("heal   # all", "heal"),
        ("timeout S4", "timeout S4"),
        ("transfer S2", "transfer S2"),
        ("add S6", "add S6"),
        ("remove leader", "remove leader"),
        ("put k v via leader", "put k v via leader"),
        ("put bike42 alice", "put bike42 alice"),
        ("get k", "get k"),
        ("get k via s2", "get k via S2"),
        ("cas k - v", "cas k - v"),
        ("cas k a b via S1", "cas k a b via S1"),
        ("nodes 3", "nodes 3"),
        ("seed 18446744073709551615", "seed 18446744073709551615"),
        ("election-timeout 150ms..300ms", "election-timeout 150ms..300ms"),
        ("election-timeout 1000ms..2000ms", "election-timeout 1s..2s"),
        ("election-timeout 200ms", "election-timeout 200ms..200ms"),
        ("heartbeat 50ms", "heartbeat 50ms"),
        ("latency 0ms..1s", "latency 0ms..1s"),
        ("loss 12.5%", "loss 12.5%"),
        ("loss 12.50%", "loss 12.5%"),
        ("loss 0.0001%", "loss 0.0001%"),
        ("loss 0.0%", "loss 0%"),
        ("loss 100%", "loss 100%"),
        ("duplicate 33.3333%", "duplicate 33.3333%"),
        ("prevote on", "prevote on"),
        ("check-quorum off", "check-quorum off"),
        ("client-timeout 1000ms", "client-timeout 1s"),
        ("leader-noop off", "leader-noop off"),
        ("reads log", "reads log"),
        ("reads read-index", "reads read-index"),
        ("reads lease", "reads lease"),
        ("snapshot-every 10", "snapshot-every 10"),
        ("protocol naive", "protocol naive"),
        ("protocol raft", "protocol raft"),
        ("bug small-quorum", "bug small-quorum"),
        ("expect leader", "expect leader"),
        ("expect leader s3", "expect leader S3"),
        ("expect no-leader", "expect no-leader"),
        ("expect no-leader S1 S2", "expect no-leader S1 S2"),
        ("expect value k v", "expect value k v"),
        ("expect value k - on S1 S3", "expect value k - on S1 S3"),
        ("expect committed 4", "expect committed 4"),
        ("expect committed 4 on S2", "expect committed 4 on S2"),
        ("put k v\nexpect op 1 fail", "expect op 1 fail"),
        ("expect safe", "expect safe"),
        ("expect violation", "expect violation"),
        ("expect violation state-machine-safety", "expect violation state-machine-safety"),
        ("expect linearizable", "expect linearizable"),
        ("expect not-linearizable", "expect not-linearizable"),
    ];
    for (text, want) in cases {
        assert_eq!(canonical(text), want, "{text:?}");
    }
}

#[test]
fn print_item_of_every_setting_value() {
    for bug in Bug::ALL {
        assert_eq!(print_item(&ItemKind::Setting(Setting::Bug(bug))), format!("bug {}", bug.name()));
    }
    for p in Property::ALL {
        assert_eq!(print_item(&ItemKind::Expect(Expect::Violation(Some(p)))), format!("expect violation {}", p.name()));
    }
    assert_eq!(print_item(&ItemKind::Setting(Setting::Reads(ReadMode::ReadIndex))), "reads read-index");
    assert_eq!(print_item(&ItemKind::Setting(Setting::Loss { ppm: 1 })), "loss 0.0001%");
    assert_eq!(print_item(&ItemKind::Setting(Setting::Loss { ppm: 10 })), "loss 0.001%");
    assert_eq!(print_item(&ItemKind::Setting(Setting::Duplicate { ppm: 999_999 })), "duplicate 99.9999%");
    assert_eq!(print_item(&ItemKind::Action(Action::Run { ms: 0 })), "run 0ms");
}

#[test]
fn every_ppm_prints_and_parses_back() {
    for ppm in (0..=1_000_000u32).step_by(7).chain([1, 10, 100, 1000, 999_999, 1_000_000]) {
        let line = print_item(&ItemKind::Setting(Setting::Loss { ppm }));
        let s = parse(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(s.items[0].kind, ItemKind::Setting(Setting::Loss { ppm }), "{line}");
    }
}

#[test]
fn print_scenario_puts_nodes_and_seed_first_and_renumbers_ops() {
    let text = "# a story\nloss 1%\nseed 9\nnodes 3\n\nput k v\nrun 1s\nexpect op 6 ok\n";
    let s = parse(text).unwrap();
    let printed = print_scenario(&s);
    assert_eq!(printed, "nodes 3\nseed 9\nloss 1%\nput k v\nrun 1s\nexpect op 4 ok\n");
    assert_round_trip(text, &s);
}

#[test]
fn print_scenario_writes_default_nodes_and_seed() {
    let s = parse("heal").unwrap();
    assert_eq!(print_scenario(&s), "nodes 5\nseed 1\nheal\n");
    assert_eq!(print_scenario(&parse("").unwrap()), "nodes 5\nseed 1\n");
}

#[test]
fn hand_written_scenarios_round_trip() {
    let texts = [
        "nodes 5\nseed 1\ntimeout S1\nrun 200ms\nexpect leader S1\npartition S1 S2 | S3 S4 S5\nput bike42 alice via S1\n\
         run until leader within 3s\nexpect leader\nput bike42 bob via S3\nrun 1s\nexpect value bike42 bob on S3 S4 S5\n\
         expect value bike42 - on S1 S2\nheal\nrun 1s\nexpect no-leader S1\nexpect safe\n",
        "nodes 3\nadd S4\nadd S9\ncut S4 -> S9\nget k via S9\ncas k - x\ncas k x y via leader\nexpect op 5 ok\nexpect op 6 unknown\n\
         expect op 7 fail\nexpect not-linearizable\nexpect violation linearizability",
        "protocol naive\nloss 0.5%\nduplicate 100%\nprevote on\ncheck-quorum on\nleader-noop off\nreads lease\nsnapshot-every 3\n\
         bug vote-any-log\nbug stale-read\nelection-timeout 1s..1500ms\nheartbeat 1s\nlatency 0ms..0ms\nclient-timeout 86400s\nrun 86400s",
        "expect safe\nseed 0\nnodes 1\ncrash S1\nrestart S1\nrun until leader\nexpect leader S1\nexpect committed 0 on S1",
        "nodes 3\nexpect role S1 pre-candidate\nexpect role S3 leader\nexpect term 0\nexpect term 12.. on S2 S3\nexpect term 2..4 on S1\nexpect leaders 2",
    ];
    for text in texts {
        let s = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_round_trip(text, &s);
    }
}

#[test]
fn the_story_scenarios_round_trip() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "scn") {
            let text = std::fs::read_to_string(&path).unwrap();
            // Whether a story is valid is the acceptance suite's concern (tests/scenarios.rs);
            // here every story that parses must round-trip.
            if let Ok(s) = parse(&text) {
                assert_round_trip(&text, &s);
            }
        }
    }
}

#[test]
fn parse_line_agrees_with_print_item() {
    let lines = ["crash leader", "partition S1 | S2 S3", "put k v via S2", "expect value k - on S1", "loss 2.5%", "run until leader within 2s"];
    for text in lines {
        let item = parse_line(text, 9, 5).unwrap().unwrap();
        assert_eq!(print_item(&item.kind), text);
        assert_eq!(item.line, 9);
    }
}

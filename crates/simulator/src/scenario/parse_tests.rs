//! Unit tests of the parser: every setting, action and expectation, and every error message.
use super::*;
use raft_core::{Bug, ReadMode};

/// The one item of a one-line scenario (after an optional prefix of lines).
fn item(text: &str) -> ItemKind {
    match parse(text) {
        Ok(s) => match s.items.last() {
            Some(item) => item.kind.clone(),
            None => panic!("no item in {text:?}"),
        },
        Err(e) => panic!("{text:?} did not parse: {e}"),
    }
}

fn action(text: &str) -> Action {
    match item(text) {
        ItemKind::Action(a) => a,
        other => panic!("{text:?} is not an action: {other:?}"),
    }
}

fn setting(text: &str) -> Setting {
    match item(text) {
        ItemKind::Setting(s) => s,
        other => panic!("{text:?} is not a setting: {other:?}"),
    }
}

fn expect(text: &str) -> Expect {
    match item(text) {
        ItemKind::Expect(e) => e,
        other => panic!("{text:?} is not an expectation: {other:?}"),
    }
}

/// The error of a scenario, as displayed.
fn error(text: &str) -> String {
    match parse(text) {
        Ok(s) => panic!("{text:?} parsed: {s:?}"),
        Err(e) => e.to_string(),
    }
}

const N: fn(u8) -> Target = Target::Node;

// ---------------------------------------------------------------- lexical rules

#[test]
fn empty_scenario_has_defaults() {
    for text in ["", "\n\n", "# only a comment\n   \t\n", "\u{feff}"] {
        let s = parse(text).unwrap();
        assert_eq!(s, Scenario { nodes: 5, seed: 1, items: vec![], code: None });
    }
}

#[test]
fn comments_blanks_tabs_and_crlf() {
    let s = parse("# intro\r\n\r\n\tcrash\tS1   # why\r\nrun 1s#tight\r\n").unwrap();
    assert_eq!(
        s.items,
        vec![
            Item { line: 3, kind: ItemKind::Action(Action::Crash(N(1))) },
            Item { line: 4, kind: ItemKind::Action(Action::Run { ms: 1000 }) },
        ]
    );
}

#[test]
fn node_names_are_case_insensitive() {
    assert_eq!(action("crash s3"), Action::Crash(N(3)));
    assert_eq!(action("cut s1 -> S2"), Action::Cut { from: N(1), to: N(2), both: false });
}

#[test]
fn keywords_are_lower_case() {
    assert_eq!(
        error("Crash S1"),
        "line 1, column 1: expected a setting, action or expectation, found \"Crash\" (did you mean crash? keywords are lower case)"
    );
    assert_eq!(error("crash LEADER"), "line 1, column 7: expected a node name S1..S5 or leader, found \"LEADER\"");
    // Lower-casing is ASCII only (keywords are ASCII): a non-ASCII letter is one more difference.
    assert_eq!(
        error("CRÄSH S1"),
        "line 1, column 1: expected a setting, action or expectation, found \"CRÄSH\" (did you mean crash?)"
    );
}

#[test]
fn line_numbers_count_blank_and_comment_lines() {
    let s = parse("\n# c\n\nheal\n").unwrap();
    assert_eq!(s.items[0].line, 4);
    assert_eq!(error("\n\n  # c\n   crashh S1"), "line 4, column 4: expected a setting, action or expectation, found \"crashh\" (did you mean crash?)");
}

#[test]
fn columns_count_characters_not_bytes() {
    // "é" is two bytes but one column.
    assert_eq!(error("put é v"), "line 1, column 5: expected a key (1 to 32 letters, digits or _ . : -), found \"é\"");
    assert_eq!(error("put k v via S1 ☃"), "line 1, column 16: unexpected \"☃\" after the end of the command");
    assert_eq!(error("crash\u{a0}S1"), "line 1, column 1: expected a setting, action or expectation, found \"crash\\u{a0}S1\"");
}

#[test]
fn long_and_control_tokens_are_shortened_and_escaped() {
    let long = "x".repeat(100);
    assert_eq!(
        error(&long),
        format!("line 1, column 1: expected a setting, action or expectation, found \"{}…\"", "x".repeat(40))
    );
    assert_eq!(error("crash S1\rx"), "line 1, column 7: expected a node name S1..S5 or leader, found \"S1\\rx\"");
}

#[test]
fn missing_token_points_past_the_last_token() {
    assert_eq!(error("crash"), "line 1, column 6: expected a node name S1..S5 or leader, found the end of the line");
    assert_eq!(error("crash   # no node"), "line 1, column 6: expected a node name S1..S5 or leader, found the end of the line");
    assert_eq!(error("  crash\t"), "line 1, column 8: expected a node name S1..S5 or leader, found the end of the line");
}

#[test]
fn unknown_words_get_suggestions() {
    assert_eq!(error("crashh S1"), "line 1, column 1: expected a setting, action or expectation, found \"crashh\" (did you mean crash?)");
    assert_eq!(error("partiton S1"), "line 1, column 1: expected a setting, action or expectation, found \"partiton\" (did you mean partition?)");
    assert_eq!(error("election S1"), "line 1, column 1: expected a setting, action or expectation, found \"election\" (did you mean election-timeout?)");
    assert_eq!(error("frobnicate"), "line 1, column 1: expected a setting, action or expectation, found \"frobnicate\"");
    assert_eq!(error("S1"), "line 1, column 1: expected a setting, action or expectation, found \"S1\"");
}

#[test]
fn first_error_wins() {
    assert_eq!(error("crash S9\nbogus"), "line 1, column 7: expected a node name S1..S5, found \"S9\"");
}

// ---------------------------------------------------------------- settings

#[test]
fn nodes_and_seed_are_hoisted_and_kept() {
    let s = parse("seed 42\nnodes 3\nrun 1s").unwrap();
    assert_eq!((s.nodes, s.seed), (3, 42));
    assert_eq!(s.items[0].kind, ItemKind::Setting(Setting::Seed(42)));
    assert_eq!(s.items[1].kind, ItemKind::Setting(Setting::Nodes(3)));
    assert_eq!(parse("seed 18446744073709551615").unwrap().seed, u64::MAX);
    assert_eq!(parse("seed 0").unwrap().seed, 0);
    assert_eq!(parse("nodes 1").unwrap().nodes, 1);
    assert_eq!(parse("nodes 9").unwrap().nodes, 9);
    assert_eq!(parse("nodes 09").unwrap().nodes, 9);
}

#[test]
fn nodes_and_seed_may_follow_settings_and_expectations() {
    let s = parse("loss 1%\nexpect safe\nnodes 7\ncrash S7").unwrap();
    assert_eq!(s.nodes, 7);
}

#[test]
fn nodes_and_seed_errors() {
    assert_eq!(error("nodes 0"), "line 1, column 7: expected a cluster size from 1 to 9, found \"0\"");
    assert_eq!(error("nodes 10"), "line 1, column 7: expected a cluster size from 1 to 9, found \"10\"");
    assert_eq!(error("nodes 99999999999999999999999"), "line 1, column 7: expected a cluster size from 1 to 9, found \"99999999999999999999999\"");
    assert_eq!(error("nodes"), "line 1, column 6: expected a cluster size from 1 to 9, found the end of the line");
    assert_eq!(error("nodes 3 4"), "line 1, column 9: unexpected \"4\" after the end of the command");
    assert_eq!(error("seed -1"), "line 1, column 6: expected a seed (a whole number from 0 to 18446744073709551615), found \"-1\"");
    assert_eq!(error("seed 18446744073709551616"), "line 1, column 6: expected a seed (a whole number from 0 to 18446744073709551615), found \"18446744073709551616\"");
    assert_eq!(error("seed 0x10"), "line 1, column 6: expected a seed (a whole number from 0 to 18446744073709551615), found \"0x10\"");
    assert_eq!(error("run 1s\n\nnodes 3"), "line 3, column 1: nodes must come before the first action (line 1)");
    assert_eq!(error("# c\nheal\nseed 3"), "line 3, column 1: seed must come before the first action (line 2)");
    assert_eq!(error("nodes 3\nnodes 4"), "line 2, column 1: nodes is already set on line 1");
    assert_eq!(error("seed 3\n  seed 3"), "line 2, column 3: seed is already set on line 1");
}

#[test]
fn every_setting() {
    assert_eq!(setting("election-timeout 150ms..300ms"), Setting::ElectionTimeout { min_ms: 150, max_ms: 300 });
    assert_eq!(setting("election-timeout 1s..2s"), Setting::ElectionTimeout { min_ms: 1000, max_ms: 2000 });
    assert_eq!(setting("election-timeout 200ms"), Setting::ElectionTimeout { min_ms: 200, max_ms: 200 });
    assert_eq!(setting("heartbeat 50ms"), Setting::Heartbeat { ms: 50 });
    assert_eq!(setting("latency 10ms..30ms"), Setting::Latency { min_ms: 10, max_ms: 30 });
    assert_eq!(setting("latency 0ms..0ms"), Setting::Latency { min_ms: 0, max_ms: 0 });
    assert_eq!(setting("latency 5ms"), Setting::Latency { min_ms: 5, max_ms: 5 });
    assert_eq!(setting("loss 0%"), Setting::Loss { ppm: 0 });
    assert_eq!(setting("loss 12.5%"), Setting::Loss { ppm: 125_000 });
    assert_eq!(setting("loss 100%"), Setting::Loss { ppm: 1_000_000 });
    assert_eq!(setting("loss 100.0000%"), Setting::Loss { ppm: 1_000_000 });
    assert_eq!(setting("loss 0.0001%"), Setting::Loss { ppm: 1 });
    assert_eq!(setting("duplicate 3.25%"), Setting::Duplicate { ppm: 32_500 });
    assert_eq!(setting("prevote on"), Setting::Prevote(true));
    assert_eq!(setting("prevote off"), Setting::Prevote(false));
    assert_eq!(setting("check-quorum on"), Setting::CheckQuorum(true));
    assert_eq!(setting("check-quorum off"), Setting::CheckQuorum(false));
    assert_eq!(setting("client-timeout 1s"), Setting::ClientTimeout { ms: 1000 });
    assert_eq!(setting("leader-noop off"), Setting::LeaderNoop(false));
    assert_eq!(setting("leader-noop on"), Setting::LeaderNoop(true));
    assert_eq!(setting("reads log"), Setting::Reads(ReadMode::Log));
    assert_eq!(setting("reads read-index"), Setting::Reads(ReadMode::ReadIndex));
    assert_eq!(setting("reads lease"), Setting::Reads(ReadMode::Lease));
    assert_eq!(setting("snapshot-every 0"), Setting::SnapshotEvery(0));
    assert_eq!(setting("snapshot-every 100"), Setting::SnapshotEvery(100));
    assert_eq!(setting("protocol raft"), Setting::Protocol(Protocol::Raft));
    assert_eq!(setting("protocol naive"), Setting::Protocol(Protocol::Naive));
    for bug in Bug::ALL {
        assert_eq!(setting(&format!("bug {}", bug.name())), Setting::Bug(bug));
    }
}

#[test]
fn settings_may_appear_anywhere_and_repeat() {
    let s = parse("run 1s\nloss 5%\nrun 1s\nloss 0%\nbug stale-read\nbug forget-vote").unwrap();
    assert_eq!(s.items.len(), 6);
}

#[test]
fn duration_errors() {
    assert_eq!(error("heartbeat 15x"), "line 1, column 11: expected a duration like 150ms or 2s, found \"15x\"");
    assert_eq!(error("heartbeat ms"), "line 1, column 11: expected a duration like 150ms or 2s, found \"ms\"");
    assert_eq!(error("heartbeat 1.5s"), "line 1, column 11: expected a duration like 150ms or 2s, found \"1.5s\"");
    assert_eq!(error("heartbeat -5ms"), "line 1, column 11: expected a duration like 150ms or 2s, found \"-5ms\"");
    assert_eq!(error("heartbeat 50"), "line 1, column 11: expected a duration like 150ms or 2s, found \"50\"");
    assert_eq!(error("heartbeat 50MS"), "line 1, column 11: expected a duration like 150ms or 2s, found \"50MS\"");
    assert_eq!(error("heartbeat 0ms"), "line 1, column 11: expected a duration of at least 1ms, found \"0ms\"");
    assert_eq!(error("client-timeout 0s"), "line 1, column 16: expected a duration of at least 1ms, found \"0s\"");
    assert_eq!(error("heartbeat 86401s"), "line 1, column 11: expected a duration of at most 86400s (one day), found \"86401s\"");
    assert_eq!(
        error("heartbeat 99999999999999999999ms"),
        "line 1, column 11: expected a duration of at most 86400s (one day), found \"99999999999999999999ms\""
    );
    assert_eq!(
        error("heartbeat 18446744073709551615s"),
        "line 1, column 11: expected a duration of at most 86400s (one day), found \"18446744073709551615s\""
    );
    assert_eq!(setting("heartbeat 86400s"), Setting::Heartbeat { ms: 86_400_000 });
    assert_eq!(error("heartbeat"), "line 1, column 10: expected a duration like 150ms or 2s, found the end of the line");
}

#[test]
fn range_errors() {
    assert_eq!(error("latency x"), "line 1, column 9: expected a range like 150ms..300ms, found \"x\"");
    assert_eq!(error("latency 30ms..10ms"), "line 1, column 9: expected a range A..B with A <= B, found \"30ms..10ms\"");
    assert_eq!(error("latency 10ms..3x"), "line 1, column 15: expected a duration like 150ms or 2s, found \"3x\"");
    assert_eq!(error("latency 10..30ms"), "line 1, column 9: expected a duration like 150ms or 2s, found \"10\"");
    assert_eq!(error("latency 10ms.."), "line 1, column 15: expected a duration like 150ms or 2s, found \"\"");
    assert_eq!(error("latency 10ms...20ms"), "line 1, column 15: expected a duration like 150ms or 2s, found \".20ms\"");
    assert_eq!(error("election-timeout 0ms..10ms"), "line 1, column 18: expected a duration of at least 1ms, found \"0ms\"");
    assert_eq!(error("latency"), "line 1, column 8: expected a range like 150ms..300ms, found the end of the line");
    assert_eq!(error("latency 10ms 30ms"), "line 1, column 14: unexpected \"30ms\" after the end of the command");
}

#[test]
fn percentage_errors() {
    assert_eq!(error("loss 150%"), "line 1, column 6: expected a percentage of at most 100%, found \"150%\"");
    assert_eq!(error("loss 100.0001%"), "line 1, column 6: expected a percentage of at most 100%, found \"100.0001%\"");
    assert_eq!(error("loss 99999999999999999999%"), "line 1, column 6: expected a percentage of at most 100%, found \"99999999999999999999%\"");
    assert_eq!(error("loss 0.12345%"), "line 1, column 6: expected a percentage with at most 4 decimal places, found \"0.12345%\"");
    assert_eq!(error("loss 12"), "line 1, column 6: expected a percentage like 0% or 12.5%, found \"12\"");
    assert_eq!(error("loss .5%"), "line 1, column 6: expected a percentage like 0% or 12.5%, found \".5%\"");
    assert_eq!(error("loss 5.%"), "line 1, column 6: expected a percentage like 0% or 12.5%, found \"5.%\"");
    assert_eq!(error("loss -1%"), "line 1, column 6: expected a percentage like 0% or 12.5%, found \"-1%\"");
    assert_eq!(error("loss 1.2.3%"), "line 1, column 6: expected a percentage like 0% or 12.5%, found \"1.2.3%\"");
    assert_eq!(error("duplicate %"), "line 1, column 11: expected a percentage like 0% or 12.5%, found \"%\"");
    assert_eq!(error("loss"), "line 1, column 5: expected a percentage like 0% or 12.5%, found the end of the line");
}

#[test]
fn choice_errors() {
    assert_eq!(error("prevote yes"), "line 1, column 9: expected on or off, found \"yes\"");
    assert_eq!(error("check-quorum"), "line 1, column 13: expected on or off, found the end of the line");
    assert_eq!(error("leader-noop On"), "line 1, column 13: expected on or off, found \"On\" (did you mean on? keywords are lower case)");
    assert_eq!(error("reads lg"), "line 1, column 7: expected log, read-index or lease, found \"lg\" (did you mean log?)");
    assert_eq!(error("reads readindex"), "line 1, column 7: expected log, read-index or lease, found \"readindex\" (did you mean read-index?)");
    assert_eq!(error("protocol raftt"), "line 1, column 10: expected raft, naive or js, found \"raftt\" (did you mean raft?)");
    assert_eq!(
        error("bug vote-any"),
        "line 1, column 5: expected a bug name (vote-any-log, commit-old-terms, forget-vote, skip-prev-check, small-quorum, stale-read, read-index-any-term or lease-forget-leader), found \"vote-any\" (did you mean vote-any-log?)"
    );
    assert_eq!(
        error("bug"),
        "line 1, column 4: expected a bug name (vote-any-log, commit-old-terms, forget-vote, skip-prev-check, small-quorum, stale-read, read-index-any-term or lease-forget-leader), found the end of the line"
    );
    assert_eq!(error("snapshot-every -1"), "line 1, column 16: expected a number of entries (0 for never), found \"-1\"");
    assert_eq!(error("prevote on off"), "line 1, column 12: unexpected \"off\" after the end of the command");
}

// ---------------------------------------------------------------- actions

#[test]
fn every_action() {
    assert_eq!(action("run 150ms"), Action::Run { ms: 150 });
    assert_eq!(action("run 2s"), Action::Run { ms: 2000 });
    assert_eq!(action("run until leader"), Action::RunUntilLeader { within_ms: 10_000 });
    assert_eq!(action("run until leader within 3s"), Action::RunUntilLeader { within_ms: 3000 });
    assert_eq!(action("crash S1"), Action::Crash(N(1)));
    assert_eq!(action("crash leader"), Action::Crash(Target::Leader));
    assert_eq!(action("restart S2"), Action::Restart(N(2)));
    assert_eq!(action("restart leader"), Action::Restart(Target::Leader));
    assert_eq!(action("partition S1 S2 | S3 S4 S5"), Action::Partition(vec![vec![1, 2], vec![3, 4, 5]]));
    assert_eq!(action("partition S1 | S2 | S3"), Action::Partition(vec![vec![1], vec![2], vec![3]]));
    assert_eq!(action("partition S3"), Action::Partition(vec![vec![3]]));
    assert_eq!(action("cut S1 S2"), Action::Cut { from: N(1), to: N(2), both: true });
    assert_eq!(action("cut S1 -> S2"), Action::Cut { from: N(1), to: N(2), both: false });
    assert_eq!(action("cut leader S2"), Action::Cut { from: Target::Leader, to: N(2), both: true });
    assert_eq!(action("cut S2 -> leader"), Action::Cut { from: N(2), to: Target::Leader, both: false });
    assert_eq!(action("uncut S1 S2"), Action::Uncut { from: N(1), to: N(2), both: true });
    assert_eq!(action("uncut S2->S1"), Action::Uncut { from: N(2), to: N(1), both: false });
    assert_eq!(action("uncut leader -> S3"), Action::Uncut { from: Target::Leader, to: N(3), both: false });
    assert_eq!(action("isolate S4"), Action::Isolate(N(4)));
    assert_eq!(action("isolate leader"), Action::Isolate(Target::Leader));
    assert_eq!(action("heal"), Action::Heal);
    assert_eq!(action("timeout S5"), Action::Timeout(N(5)));
    assert_eq!(action("timeout leader"), Action::Timeout(Target::Leader));
    assert_eq!(action("transfer S3"), Action::Transfer(N(3)));
    assert_eq!(action("transfer leader"), Action::Transfer(Target::Leader));
    assert_eq!(action("add S6"), Action::Add(N(6)));
    assert_eq!(action("add S9"), Action::Add(N(9)));
    assert_eq!(action("remove S2"), Action::Remove(N(2)));
    assert_eq!(action("remove leader"), Action::Remove(Target::Leader));
    assert_eq!(action("put bike42 alice"), Action::Put { key: "bike42".into(), value: "alice".into(), via: None });
    assert_eq!(
        action("put k v via leader"),
        Action::Put { key: "k".into(), value: "v".into(), via: Some(Target::Leader) }
    );
    assert_eq!(action("get k via S3"), Action::Get { key: "k".into(), via: Some(N(3)) });
    assert_eq!(action("get a.b:c-d_E9"), Action::Get { key: "a.b:c-d_E9".into(), via: None });
    assert_eq!(
        action("cas k - new"),
        Action::Cas { key: "k".into(), old: None, new: "new".into(), via: None }
    );
    assert_eq!(
        action("cas k old new via S1"),
        Action::Cas { key: "k".into(), old: Some("old".into()), new: "new".into(), via: Some(N(1)) }
    );
    assert_eq!(action(&format!("put {} {}", "k".repeat(32), "v".repeat(32))), Action::Put {
        key: "k".repeat(32),
        value: "v".repeat(32),
        via: None
    });
    assert_eq!(action("put - --"), Action::Put { key: "-".into(), value: "--".into(), via: None });
}

#[test]
fn tolerant_separators() {
    assert_eq!(action("partition S1 S2|S3"), Action::Partition(vec![vec![1, 2], vec![3]]));
    assert_eq!(action("partition S1|S2 |S3| S4"), Action::Partition(vec![vec![1], vec![2], vec![3], vec![4]]));
    assert_eq!(action("cut S1->S2"), Action::Cut { from: N(1), to: N(2), both: false });
    assert_eq!(action("cut S1-> S2"), Action::Cut { from: N(1), to: N(2), both: false });
    assert_eq!(action("cut S1 ->S2"), Action::Cut { from: N(1), to: N(2), both: false });
}

#[test]
fn run_errors() {
    assert_eq!(error("run"), "line 1, column 4: expected a duration like 150ms or 2s, or \"until leader\", found the end of the line");
    assert_eq!(error("run forever"), "line 1, column 5: expected a duration like 150ms or 2s, or \"until leader\", found \"forever\"");
    assert_eq!(error("run untill leader"), "line 1, column 5: expected a duration like 150ms or 2s, or \"until leader\", found \"untill\" (did you mean until?)");
    assert_eq!(error("run 15x"), "line 1, column 5: expected a duration like 150ms or 2s, found \"15x\"");
    assert_eq!(error("run 0ms"), "line 1, column 5: expected a duration of at least 1ms, found \"0ms\"");
    assert_eq!(error("run 1s 2s"), "line 1, column 8: unexpected \"2s\" after the end of the command");
    assert_eq!(error("run until"), "line 1, column 10: expected \"leader\", found the end of the line");
    assert_eq!(error("run until x"), "line 1, column 11: expected \"leader\", found \"x\"");
    assert_eq!(error("run until Leader"), "line 1, column 11: expected \"leader\", found \"Leader\" (did you mean leader? keywords are lower case)");
    assert_eq!(error("run until leader witin 2s"), "line 1, column 18: expected \"within\" or the end of the command, found \"witin\" (did you mean within?)");
    assert_eq!(error("run until leader within"), "line 1, column 24: expected a duration like 150ms or 2s, found the end of the line");
    assert_eq!(error("run until leader within 0s"), "line 1, column 25: expected a duration of at least 1ms, found \"0s\"");
    assert_eq!(error("run until leader foo"), "line 1, column 18: expected \"within\" or the end of the command, found \"foo\"");
    assert_eq!(error("run until leader within 1s x"), "line 1, column 28: unexpected \"x\" after the end of the command");
}

#[test]
fn node_errors() {
    assert_eq!(error("crash S7"), "line 1, column 7: expected a node name S1..S5, found \"S7\"");
    assert_eq!(error("crash S0"), "line 1, column 7: expected a node name S1..S5, found \"S0\"");
    assert_eq!(error("crash S10"), "line 1, column 7: expected a node name S1..S5, found \"S10\"");
    assert_eq!(error("crash x"), "line 1, column 7: expected a node name S1..S5 or leader, found \"x\"");
    assert_eq!(error("crash S1 S2"), "line 1, column 10: unexpected \"S2\" after the end of the command");
    assert_eq!(error("crash leader extra"), "line 1, column 14: unexpected \"extra\" after the end of the command");
    assert_eq!(error("nodes 1\ncrash S2"), "line 2, column 7: expected a node name S1, found \"S2\"");
    assert_eq!(error("nodes 3\nrestart S4"), "line 2, column 9: expected a node name S1..S3, found \"S4\"");
    assert_eq!(error("isolate"), "line 1, column 8: expected a node name S1..S5 or leader, found the end of the line");
    assert_eq!(error("heal S1"), "line 1, column 6: unexpected \"S1\" after the end of the command");
}

#[test]
fn spec_example_error() {
    // SCENARIO.md: `line 7, column 11: expected a node name S1..S5, found "S7"`.
    assert_eq!(error("\n\n\n\n\n\ncut S1 -> S7"), "line 7, column 11: expected a node name S1..S5, found \"S7\"");
}

#[test]
fn node_names_are_checked_against_the_final_nodes_line() {
    assert_eq!(error("expect leader S4\nnodes 3"), "line 1, column 15: expected a node name S1..S3, found \"S4\"");
    let s = parse("expect leader S8\nnodes 9\n").unwrap();
    assert_eq!(s.items[0].kind, ItemKind::Expect(Expect::Leader(Some(N(8)))));
    // An invalid `nodes` line is reported in order, after earlier errors.
    assert_eq!(error("crash S9\nnodes 10"), "line 1, column 7: expected a node name S1..S5, found \"S9\"");
}

#[test]
fn add_introduces_a_server() {
    let s = parse("nodes 3\nadd S5\ncrash S5\nput k v via S5\nexpect leader S5").unwrap();
    assert_eq!(s.items.len(), 5);
    assert_eq!(error("nodes 3\ncrash S5\nadd S5"), "line 2, column 7: expected a node name S1..S3, found \"S5\"");
    assert_eq!(error("nodes 3\nadd S5\ncrash S4"), "line 3, column 7: expected a node name S1..S3 or S5, found \"S4\"");
    assert_eq!(error("nodes 3\nadd S5\ncrash x"), "line 3, column 7: expected a node name S1..S3, S5 or leader, found \"x\"");
    assert_eq!(error("nodes 3\nadd S4\nadd S5\ncrash S6"), "line 4, column 7: expected a node name S1..S5, found \"S6\"");
    // `remove` does not make a name invalid.
    assert!(parse("remove S2\ncrash S2\nadd S2").is_ok());
    assert_eq!(error("add leader"), "line 1, column 5: expected a node name S1..S9, found \"leader\" (leader is not allowed here)");
    assert_eq!(error("add S0"), "line 1, column 5: expected a node name S1..S9, found \"S0\"");
    assert_eq!(error("add"), "line 1, column 4: expected a node name S1..S9, found the end of the line");
}

#[test]
fn partition_errors() {
    assert_eq!(error("partition"), "line 1, column 10: expected a node name S1..S5, found the end of the line");
    assert_eq!(error("partition |"), "line 1, column 11: expected a node name S1..S5, found \"|\"");
    assert_eq!(error("partition | S1"), "line 1, column 11: expected a node name S1..S5, found \"|\"");
    assert_eq!(error("partition S1 |"), "line 1, column 15: expected a node name S1..S5, found the end of the line");
    assert_eq!(error("partition S1 || S2"), "line 1, column 15: expected a node name S1..S5, found \"|\"");
    assert_eq!(error("partition S1 S2|"), "line 1, column 17: expected a node name S1..S5, found the end of the line");
    assert_eq!(error("partition S1 | S1"), "line 1, column 16: expected each server in at most one group, found \"S1\" a second time");
    assert_eq!(error("partition S1 s1"), "line 1, column 14: expected each server in at most one group, found \"s1\" a second time");
    assert_eq!(error("partition leader | S2"), "line 1, column 11: expected a node name S1..S5, found \"leader\" (leader is not allowed here)");
    assert_eq!(error("partition S1 | S6"), "line 1, column 16: expected a node name S1..S5, found \"S6\"");
}

#[test]
fn cut_errors() {
    assert_eq!(error("cut S1"), "line 1, column 7: expected a node name S1..S5 or leader, found the end of the line");
    assert_eq!(error("cut S1 ->"), "line 1, column 10: expected a node name S1..S5 or leader, found the end of the line");
    assert_eq!(error("cut S1 -> S1"), "line 1, column 11: expected a server other than S1, found \"S1\"");
    assert_eq!(error("cut s2 S2"), "line 1, column 8: expected a server other than S2, found \"S2\"");
    assert_eq!(error("uncut S3 -> S3"), "line 1, column 13: expected a server other than S3, found \"S3\"");
    assert_eq!(error("uncut S1"), "line 1, column 9: expected a node name S1..S5 or leader, found the end of the line");
    assert_eq!(error("uncut S1 S6"), "line 1, column 10: expected a node name S1..S5, found \"S6\"");
    assert_eq!(error("uncutt S1 S2"), "line 1, column 1: expected a setting, action or expectation, found \"uncutt\" (did you mean uncut?)");
    assert_eq!(error("cut leader leader"), "line 1, column 12: expected a server other than leader, found \"leader\"");
    assert_eq!(error("cut S1 <- S2"), "line 1, column 8: expected a node name S1..S5 or leader, found \"<-\"");
    assert_eq!(error("cut S1 -> S2 -> S3"), "line 1, column 14: unexpected \"->\" after the end of the command");
    assert_eq!(error("cut -> S2"), "line 1, column 5: expected a node name S1..S5 or leader, found \"->\"");
}

#[test]
fn client_command_errors() {
    assert_eq!(error("put k -"), "line 1, column 7: expected a value, found \"-\" (\"-\" means absent and cannot be stored)");
    assert_eq!(error("cas k - -"), "line 1, column 9: expected a value, found \"-\" (\"-\" means absent and cannot be stored)");
    assert_eq!(error("put k"), "line 1, column 6: expected a value (1 to 32 letters, digits or _ . : -), found the end of the line");
    assert_eq!(error("put"), "line 1, column 4: expected a key (1 to 32 letters, digits or _ . : -), found the end of the line");
    assert_eq!(error("get"), "line 1, column 4: expected a key (1 to 32 letters, digits or _ . : -), found the end of the line");
    assert_eq!(error("cas k"), "line 1, column 6: expected a value or - (1 to 32 letters, digits or _ . : -), found the end of the line");
    assert_eq!(error("cas k a"), "line 1, column 8: expected a value (1 to 32 letters, digits or _ . : -), found the end of the line");
    assert_eq!(error("put k v S2"), "line 1, column 9: expected \"via\" or the end of the command, found \"S2\"");
    assert_eq!(error("get k S2"), "line 1, column 7: expected \"via\" or the end of the command, found \"S2\"");
    assert_eq!(error("get k vai S2"), "line 1, column 7: expected \"via\" or the end of the command, found \"vai\" (did you mean via?)");
    assert_eq!(error("put k v via"), "line 1, column 12: expected a node name S1..S5 or leader, found the end of the line");
    assert_eq!(error("put k v via S6"), "line 1, column 13: expected a node name S1..S5, found \"S6\"");
    assert_eq!(error("put k v via S1 now"), "line 1, column 16: unexpected \"now\" after the end of the command");
    assert_eq!(error("put k=v x"), "line 1, column 5: expected a key (1 to 32 letters, digits or _ . : -), found \"k=v\"");
    assert_eq!(error("put k \"v\""), "line 1, column 7: expected a value (1 to 32 letters, digits or _ . : -), found \"\\\"v\\\"\"");
    let long = "a".repeat(33);
    assert_eq!(error(&format!("put {long} v")), format!("line 1, column 5: expected a key of at most 32 characters, found \"{long}\""));
    assert_eq!(error(&format!("put k {long}")), format!("line 1, column 7: expected a value of at most 32 characters, found \"{long}\""));
}

// ---------------------------------------------------------------- expectations

#[test]
fn every_expectation() {
    assert_eq!(expect("expect leader"), Expect::Leader(None));
    assert_eq!(expect("expect leader S2"), Expect::Leader(Some(N(2))));
    assert_eq!(expect("expect no-leader"), Expect::NoLeader(vec![]));
    assert_eq!(expect("expect no-leader S1 S3"), Expect::NoLeader(vec![1, 3]));
    assert_eq!(expect("expect value k v"), Expect::Value { key: "k".into(), value: Some("v".into()), on: vec![] });
    assert_eq!(expect("expect value k - on S1 S2"), Expect::Value { key: "k".into(), value: None, on: vec![1, 2] });
    assert_eq!(expect("expect committed 4"), Expect::Committed { index: 4, on: vec![] });
    assert_eq!(expect("expect committed 0 on S5"), Expect::Committed { index: 0, on: vec![5] });
    assert_eq!(expect("expect role S2 pre-candidate"), Expect::Role { node: 2, role: raft_core::Role::PreCandidate });
    assert_eq!(expect("expect term 7"), Expect::Term { low: 7, high: 7, on: vec![] });
    assert_eq!(expect("expect term 3..5 on S1 S4"), Expect::Term { low: 3, high: 5, on: vec![1, 4] });
    assert_eq!(expect("expect term 3.. on S2"), Expect::Term { low: 3, high: u64::MAX, on: vec![2] });
    assert_eq!(expect("expect leaders 2"), Expect::Leaders(2));
    assert_eq!(expect("put k v\nexpect op 1 ok"), Expect::Op { line: 1, outcome: OpOutcome::Ok });
    assert_eq!(expect("get k\n\nexpect op 1 fail"), Expect::Op { line: 1, outcome: OpOutcome::Fail });
    assert_eq!(expect("cas k - v\nrun 1s\nexpect op 1 unknown"), Expect::Op { line: 1, outcome: OpOutcome::Unknown });
    assert_eq!(expect("expect safe"), Expect::Safe);
    assert_eq!(expect("expect violation"), Expect::Violation(None));
    for p in Property::ALL {
        assert_eq!(expect(&format!("expect violation {}", p.name())), Expect::Violation(Some(p)));
    }
    assert_eq!(expect("expect linearizable"), Expect::Linearizable);
    assert_eq!(expect("expect not-linearizable"), Expect::NotLinearizable);
}

#[test]
fn expectation_errors() {
    let kinds = "an expectation (leader, no-leader, value, committed, role, term, leaders, op, safe, violation, linearizable or not-linearizable)";
    assert_eq!(error("expect"), format!("line 1, column 7: expected {kinds}, found the end of the line"));
    assert_eq!(error("expect leaderr"), format!("line 1, column 8: expected {kinds}, found \"leaderr\" (did you mean leader?)"));
    assert_eq!(error("expect nothing"), format!("line 1, column 8: expected {kinds}, found \"nothing\""));
    assert_eq!(error("expect leader leader"), "line 1, column 15: expected a node name S1..S5, found \"leader\" (leader is not allowed here)");
    assert_eq!(error("expect leader S6"), "line 1, column 15: expected a node name S1..S5, found \"S6\"");
    assert_eq!(error("expect leader S1 S2"), "line 1, column 18: unexpected \"S2\" after the end of the command");
    assert_eq!(error("expect no-leader S1 S1"), "line 1, column 21: expected each server at most once, found \"S1\" a second time");
    assert_eq!(error("expect no-leader leader"), "line 1, column 18: expected a node name S1..S5, found \"leader\" (leader is not allowed here)");
    assert_eq!(error("expect value k"), "line 1, column 15: expected a value or - (1 to 32 letters, digits or _ . : -), found the end of the line");
    assert_eq!(error("expect value k v on"), "line 1, column 20: expected a node name S1..S5, found the end of the line");
    assert_eq!(error("expect value k v On S1"), "line 1, column 18: expected \"on\" or the end of the command, found \"On\" (did you mean on? keywords are lower case)");
    assert_eq!(error(&format!("expect value k {}", "v".repeat(33))), format!("line 1, column 16: expected a value of at most 32 characters, found \"{}\"", "v".repeat(33)));
    assert_eq!(error("expect value k v of S1"), "line 1, column 18: expected \"on\" or the end of the command, found \"of\" (did you mean on?)");
    assert_eq!(error("expect value k v on S1 x"), "line 1, column 24: expected a node name S1..S5, found \"x\"");
    assert_eq!(error("expect committed x"), "line 1, column 18: expected a log index (a whole number), found \"x\"");
    assert_eq!(error("expect committed -1"), "line 1, column 18: expected a log index (a whole number), found \"-1\"");
    assert_eq!(error("expect role S1"), "line 1, column 15: expected a role (follower, pre-candidate, candidate or leader), found the end of the line");
    assert_eq!(error("expect role S1 precandidate"), "line 1, column 16: expected a role (follower, pre-candidate, candidate or leader), found \"precandidate\" (did you mean pre-candidate?)");
    assert_eq!(error("expect role leader leader"), "line 1, column 13: expected a node name S1..S5, found \"leader\" (leader is not allowed here)");
    assert_eq!(error("expect term S1"), "line 1, column 13: expected a term N, or a range A..B or A.. (whole numbers), found \"S1\"");
    assert_eq!(error("expect term 5..3"), "line 1, column 13: expected a range A..B with A <= B, found \"5..3\"");
    assert_eq!(error("expect term ..3"), "line 1, column 13: expected a term N, or a range A..B or A.. (whole numbers), found \"..3\"");
    assert_eq!(error("expect leaders two"), "line 1, column 16: expected a number of leaders (a whole number), found \"two\"");
    assert_eq!(error("expect committed 1 on S1 S1"), "line 1, column 26: expected each server at most once, found \"S1\" a second time");
    assert_eq!(
        error("expect violation foo"),
        "line 1, column 18: expected a property (election-safety, leader-append-only, log-matching, leader-completeness, state-machine-safety or linearizability), found \"foo\""
    );
    assert_eq!(
        error("expect violation log-matchin"),
        "line 1, column 18: expected a property (election-safety, leader-append-only, log-matching, leader-completeness, state-machine-safety or linearizability), found \"log-matchin\" (did you mean log-matching?)"
    );
    assert_eq!(error("expect safe now"), "line 1, column 13: unexpected \"now\" after the end of the command");
    assert_eq!(error("expect linearizable S1"), "line 1, column 21: unexpected \"S1\" after the end of the command");
}

#[test]
fn expect_op_errors() {
    let what = "expected the line number of an earlier put, get or cas";
    assert_eq!(error("expect op 1 ok"), format!("line 1, column 11: {what}, found \"1\" (line 1 is not before this one)"));
    assert_eq!(error("put k v\nexpect op 3 ok"), format!("line 2, column 11: {what}, found \"3\" (line 3 is not before this one)"));
    assert_eq!(error("put k v\nrun 1s\nexpect op 2 ok"), format!("line 3, column 11: {what}, found \"2\" (line 2 is not a put, get or cas)"));
    assert_eq!(error("put k v\nexpect op 0 ok"), format!("line 2, column 11: {what}, found \"0\""));
    assert_eq!(error("put k v\nexpect op x ok"), format!("line 2, column 11: {what}, found \"x\""));
    assert_eq!(error("put k v\nexpect op 99999999999 ok"), format!("line 2, column 11: {what}, found \"99999999999\""));
    assert_eq!(error("expect op"), format!("line 1, column 10: {what}, found the end of the line"));
    assert_eq!(error("put k v\nexpect op 1"), "line 2, column 12: expected ok, fail or unknown, found the end of the line");
    assert_eq!(error("put k v\nexpect op 1 maybe"), "line 2, column 13: expected ok, fail or unknown, found \"maybe\"");
    assert_eq!(error("put k v\nexpect op 1 ok ok"), "line 2, column 16: unexpected \"ok\" after the end of the command");
}

// ---------------------------------------------------------------- parse_line

#[test]
fn parse_line_items() {
    assert_eq!(parse_line("", 1, 5), Ok(None));
    assert_eq!(parse_line("  # just a comment", 4, 5), Ok(None));
    assert_eq!(
        parse_line("crash S3\r\n", 7, 3),
        Ok(Some(Item { line: 7, kind: ItemKind::Action(Action::Crash(N(3))) }))
    );
    assert_eq!(
        parse_line("expect op 2 ok", 3, 5),
        Ok(Some(Item { line: 3, kind: ItemKind::Expect(Expect::Op { line: 2, outcome: OpOutcome::Ok }) }))
    );
    assert_eq!(
        parse_line("add S9", 2, 5),
        Ok(Some(Item { line: 2, kind: ItemKind::Action(Action::Add(N(9))) }))
    );
    assert_eq!(
        parse_line("loss 1%", 2, 5),
        Ok(Some(Item { line: 2, kind: ItemKind::Setting(Setting::Loss { ppm: 10_000 }) }))
    );
}

#[test]
fn parse_line_errors() {
    let e = |text: &str, line: u32, max: u8| parse_line(text, line, max).unwrap_err().to_string();
    assert_eq!(e("nodes 3", 1, 5), "line 1, column 1: nodes can only be set at the start of a scenario, before the first action");
    assert_eq!(e("  seed 3", 9, 5), "line 9, column 3: seed can only be set at the start of a scenario, before the first action");
    assert_eq!(e("crash S6", 2, 5), "line 2, column 7: expected a node name S1..S5, found \"S6\"");
    assert_eq!(e("crash S1", 1, 0), "line 1, column 7: expected a node name (there are no servers), found \"S1\"");
    assert_eq!(e("expect op 3 ok", 3, 5), "line 3, column 11: expected the line number of an earlier put, get or cas, found \"3\" (line 3 is not before this one)");
    assert_eq!(e("expect op 0 ok", 3, 5), "line 3, column 11: expected the line number of an earlier put, get or cas, found \"0\"");
    assert_eq!(e("crash S1\ncrash S2", 1, 5), "line 1, column 9: expected one line, found a line break");
    assert_eq!(e("bogus", 5, 5), "line 5, column 1: expected a setting, action or expectation, found \"bogus\"");
}

#[test]
fn parse_line_clamps_max_node_to_nine() {
    assert_eq!(parse_line("crash S9", 2, 200).map(|i| i.map(|i| i.kind)), Ok(Some(ItemKind::Action(Action::Crash(N(9))))));
}

// ---------------------------------------------------------------- protocol js and its code

use crate::scenario::print_scenario;

const JS_MODULE: &str = "export default function node(ctx) {\n  # kept: JavaScript, not a comment here\n\n  return { onStart() { ctx.log('end'); } };\n}";

#[test]
fn code_block_is_kept_verbatim() {
    let text = format!("nodes 3\nprotocol js\ncode\n{JS_MODULE}\nend\nrun 1s\nput x 1\nexpect op 11 ok\n");
    let s = parse(&text).unwrap();
    assert_eq!(s.code.as_deref(), Some(JS_MODULE));
    assert_eq!(s.items[1].kind, ItemKind::Setting(Setting::Protocol(Protocol::Js)));
    // Lines after the block keep their numbers.
    assert_eq!(s.items[2].line, 10);
    assert_eq!(s.items[3].line, 11);
    // A CRLF file gives the same module (the \r is the line break's).
    let crlf = text.replace('\n', "\r\n");
    assert_eq!(parse(&crlf).unwrap().code.as_deref(), Some(JS_MODULE));
}

#[test]
fn code_block_round_trips_through_the_printer() {
    let text = format!("protocol js\nrun 1s\ncode\n{JS_MODULE}\nend\nput x 1\nexpect op 10 ok\n");
    let s = parse(&text).unwrap();
    let printed = print_scenario(&s);
    assert!(printed.starts_with(&format!("nodes 5\nseed 1\ncode\n{JS_MODULE}\nend\nprotocol js\n")), "{printed}");
    let again = parse(&printed).unwrap();
    assert_eq!(again.code, s.code);
    let kinds = |s: &Scenario| {
        s.items.iter().map(|i| i.kind.clone()).filter(|k| !matches!(k, ItemKind::Setting(Setting::Nodes(_) | Setting::Seed(_)))).collect::<Vec<_>>()
    };
    // `expect op` follows its command to the printed line.
    let printed_put = again.items.iter().find(|i| matches!(i.kind, ItemKind::Action(Action::Put { .. }))).unwrap().line;
    assert_eq!(again.items.last().unwrap().kind, ItemKind::Expect(Expect::Op { line: printed_put, outcome: OpOutcome::Ok }));
    assert_eq!(kinds(&again)[..3], kinds(&s)[..3]);
    assert_eq!(print_scenario(&again), printed);
    // An empty block survives too.
    let empty = parse("protocol js\ncode\nend\n").unwrap();
    assert_eq!(parse(&print_scenario(&empty)).unwrap().code, empty.code);
}

#[test]
fn code_block_errors_are_clear() {
    assert_eq!(
        error("protocol js\ncode\nexport default () => ({})\n"),
        "line 2, column 1: this code block has no line \"end\" after it (the module ends at a line that is exactly \"end\")"
    );
    assert_eq!(
        error("nodes 3\nprotocol js\nrun 1s\n"),
        "line 2, column 1: protocol js needs the node's code: a line \"code\", the module's text, then a line \"end\""
    );
    assert_eq!(
        error("protocol naive\ncode\nx\nend\n"),
        "line 2, column 1: a code block is only for protocol js (this scenario runs naive); add \"protocol js\""
    );
    assert_eq!(error("code\nx\nend\n"), "line 1, column 1: a code block is only for protocol js (this scenario runs raft); add \"protocol js\"");
    assert_eq!(error("protocol js\ncode\nx\nend\ncode\ny\nend\n"), "line 5, column 1: code is already given on line 2 (one node per scenario)");
    assert_eq!(error("run 1s\nend\n"), "line 2, column 1: found \"end\" without a \"code\" line before it");
    assert_eq!(error("protocol js\ncode js\nx\nend\n"), "line 2, column 6: unexpected \"js\" after the end of the command");
    // A code block's lines are never read as scenario lines: `nodes 9` inside it is JavaScript.
    let s = parse("nodes 3\nprotocol js\ncode\nnodes 9\nrun S7\nend\nexpect leader S3\n").unwrap();
    assert_eq!(s.nodes, 3);
    assert_eq!(parse_line("code", 4, 3).unwrap_err().to_string(), "line 4, column 1: a code block (code … end) belongs to a whole scenario, not to one line");
}

//! The printer of the scenario language: the canonical text of an item or a scenario, which the
//! parser reads back to the same items (see the decisions at the top of `parse.rs`).

use super::ast::*;
use super::parse::DEFAULT_UNTIL_LEADER_MS;
use raft_core::ReadMode;
use std::collections::HashMap;
use std::fmt::Write as _;

const PPM_PER_PERCENT: u32 = 10_000;

/// One item as a scenario line, in canonical form (`run 150ms`, `partition S1 S2 | S3 S4 S5`).
pub fn print_item(item: &ItemKind) -> String {
    match item {
        ItemKind::Setting(setting) => print_setting(setting),
        ItemKind::Action(action) => print_action(action),
        ItemKind::Expect(expect) => print_expect(expect),
    }
}

/// A whole scenario: `nodes` and `seed` first, then every item, one per line.
///
/// The `nodes` and `seed` items are written first whatever their place in `s.items` (they are
/// written from `s.nodes` and `s.seed`, even at their defaults). Every other item follows in
/// order, one per line, so line numbers may differ from the original text's; an `expect op LINE`
/// is renumbered to the printed line of the client command it named.
pub fn print_scenario(s: &Scenario) -> String {
    let body: Vec<&Item> = s
        .items
        .iter()
        .filter(|item| !matches!(item.kind, ItemKind::Setting(Setting::Nodes(_) | Setting::Seed(_))))
        .collect();
    // The code block (protocol js) comes right after `nodes` and `seed`: `code`, its lines, `end`.
    let code_lines = s.code.as_ref().map_or(0, |c| c.split('\n').count() + 2);
    let first = u32::try_from(code_lines).unwrap_or(u32::MAX).saturating_add(3);
    // Printed line of each client command, by its original line. Items start at line `first`.
    let mut new_line: HashMap<u32, u32> = HashMap::new();
    for (i, item) in body.iter().enumerate() {
        if let ItemKind::Action(Action::Put { .. } | Action::Get { .. } | Action::Cas { .. }) = item.kind {
            let printed = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(first);
            new_line.entry(item.line).or_insert(printed);
        }
    }
    let mut out = format!("nodes {}\nseed {}\n", s.nodes, s.seed);
    if let Some(code) = &s.code {
        let _ = write!(out, "code\n{code}\nend\n");
    }
    for item in body {
        let line = match &item.kind {
            ItemKind::Expect(Expect::Op { line, outcome }) => {
                let line = new_line.get(line).copied().unwrap_or(*line);
                print_expect(&Expect::Op { line, outcome: *outcome })
            }
            kind => print_item(kind),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `150ms`, or `2s` for whole seconds.
fn duration(ms: u64) -> String {
    if ms != 0 && ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// `12.5%` from parts per million.
fn percent(ppm: u32) -> String {
    let whole = ppm / PPM_PER_PERCENT;
    let frac = ppm % PPM_PER_PERCENT;
    if frac == 0 {
        return format!("{whole}%");
    }
    let digits = format!("{frac:04}");
    format!("{whole}.{}%", digits.trim_end_matches('0'))
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

fn node(id: u8) -> String {
    format!("S{id}")
}

fn target(t: &Target) -> String {
    match t {
        Target::Node(id) => node(*id),
        Target::Leader => "leader".into(),
    }
}

fn nodes(ids: &[u8]) -> String {
    ids.iter().map(|id| node(*id)).collect::<Vec<_>>().join(" ")
}

fn via(v: &Option<Target>) -> String {
    match v {
        Some(t) => format!(" via {}", target(t)),
        None => String::new(),
    }
}

fn on(ids: &[u8]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" on {}", nodes(ids))
    }
}

fn print_setting(setting: &Setting) -> String {
    match setting {
        Setting::Nodes(n) => format!("nodes {n}"),
        Setting::Seed(s) => format!("seed {s}"),
        Setting::ElectionTimeout { min_ms, max_ms } => {
            format!("election-timeout {}..{}", duration(*min_ms), duration(*max_ms))
        }
        Setting::Heartbeat { ms } => format!("heartbeat {}", duration(*ms)),
        Setting::Latency { min_ms, max_ms } => format!("latency {}..{}", duration(*min_ms), duration(*max_ms)),
        Setting::Loss { ppm } => format!("loss {}", percent(*ppm)),
        Setting::Duplicate { ppm } => format!("duplicate {}", percent(*ppm)),
        Setting::Prevote(b) => format!("prevote {}", on_off(*b)),
        Setting::CheckQuorum(b) => format!("check-quorum {}", on_off(*b)),
        Setting::ClientTimeout { ms } => format!("client-timeout {}", duration(*ms)),
        Setting::LeaderNoop(b) => format!("leader-noop {}", on_off(*b)),
        Setting::Reads(mode) => {
            let name = match mode {
                ReadMode::Log => "log",
                ReadMode::ReadIndex => "read-index",
                ReadMode::Lease => "lease",
            };
            format!("reads {name}")
        }
        Setting::SnapshotEvery(n) => format!("snapshot-every {n}"),
        Setting::Protocol(Protocol::Raft) => "protocol raft".into(),
        Setting::Protocol(Protocol::Naive) => "protocol naive".into(),
        Setting::Protocol(Protocol::Js) => "protocol js".into(),
        Setting::Bug(bug) => format!("bug {}", bug.name()),
    }
}

fn print_action(action: &Action) -> String {
    match action {
        Action::Run { ms } => format!("run {}", duration(*ms)),
        Action::RunUntilLeader { within_ms } if *within_ms == DEFAULT_UNTIL_LEADER_MS => "run until leader".into(),
        Action::RunUntilLeader { within_ms } => format!("run until leader within {}", duration(*within_ms)),
        Action::Crash(t) => format!("crash {}", target(t)),
        Action::Restart(t) => format!("restart {}", target(t)),
        Action::Partition(groups) => {
            let mut out = String::from("partition");
            for (i, group) in groups.iter().enumerate() {
                if i > 0 {
                    out.push_str(" |");
                }
                for id in group {
                    let _ = write!(out, " S{id}");
                }
            }
            out
        }
        Action::Cut { from, to, both: true } => format!("cut {} {}", target(from), target(to)),
        Action::Cut { from, to, both: false } => format!("cut {} -> {}", target(from), target(to)),
        Action::Uncut { from, to, both: true } => format!("uncut {} {}", target(from), target(to)),
        Action::Uncut { from, to, both: false } => format!("uncut {} -> {}", target(from), target(to)),
        Action::Isolate(t) => format!("isolate {}", target(t)),
        Action::Heal => "heal".into(),
        Action::Timeout(t) => format!("timeout {}", target(t)),
        Action::Transfer(t) => format!("transfer {}", target(t)),
        Action::Add(t) => format!("add {}", target(t)),
        Action::Remove(t) => format!("remove {}", target(t)),
        Action::Put { key, value, via: v } => format!("put {key} {value}{}", via(v)),
        Action::Get { key, via: v } => format!("get {key}{}", via(v)),
        Action::Cas { key, old, new, via: v } => {
            format!("cas {key} {} {new}{}", old.as_deref().unwrap_or("-"), via(v))
        }
    }
}

fn print_expect(expect: &Expect) -> String {
    match expect {
        Expect::Leader(None) => "expect leader".into(),
        Expect::Leader(Some(t)) => format!("expect leader {}", target(t)),
        Expect::NoLeader(ids) if ids.is_empty() => "expect no-leader".into(),
        Expect::NoLeader(ids) => format!("expect no-leader {}", nodes(ids)),
        Expect::Value { key, value, on: ids } => {
            format!("expect value {key} {}{}", value.as_deref().unwrap_or("-"), on(ids))
        }
        Expect::Committed { index, on: ids } => format!("expect committed {index}{}", on(ids)),
        Expect::Role { node, role } => format!("expect role S{node} {}", role.name()),
        Expect::Term { low, high, on: ids } => {
            let terms = match (*low, *high) {
                (l, h) if l == h => l.to_string(),
                (l, u64::MAX) => format!("{l}.."),
                (l, h) => format!("{l}..{h}"),
            };
            format!("expect term {terms}{}", on(ids))
        }
        Expect::Leaders(n) => format!("expect leaders {n}"),
        Expect::Op { line, outcome } => format!("expect op {line} {}", outcome.name()),
        Expect::Safe => "expect safe".into(),
        Expect::Violation(None) => "expect violation".into(),
        Expect::Violation(Some(p)) => format!("expect violation {}", p.name()),
        Expect::Linearizable => "expect linearizable".into(),
        Expect::NotLinearizable => "expect not-linearizable".into(),
    }
}

//! Seeded fuzzing of the parser: random and mutated scenario texts never make it panic, and every
//! text it accepts prints and parses back to the same scenario.

mod parser_common;

use parser_common::{assert_round_trip, Rng};
use simulator::scenario::*;

const CASES: usize = 20_000;

/// Words the language uses, and some it does not.
const VOCAB: &[&str] = &[
    "nodes", "seed", "election-timeout", "heartbeat", "latency", "loss", "duplicate", "prevote",
    "check-quorum", "client-timeout", "leader-noop", "reads", "snapshot-every", "protocol", "bug",
    "run", "crash", "restart", "partition", "cut", "uncut", "isolate", "heal", "timeout", "transfer", "add",
    "remove", "put", "get", "cas", "expect", "until", "leader", "within", "via", "on", "no-leader",
    "value", "committed", "op", "safe", "violation", "linearizable", "not-linearizable", "ok",
    "fail", "unknown", "log", "read-index", "lease", "raft", "naive", "off", "vote-any-log",
    "stale-read", "small-quorum", "log-matching", "election-safety", "linearizability", "S1", "S2",
    "S3", "s4", "S5", "S6", "S9", "S0", "S10", "S", "|", "->", "-", "#", "..", "%", "k", "v",
    "bike42", "a.b:c", "0", "1", "2", "3", "7", "12", "255", "18446744073709551615",
    "18446744073709551616", "99999999999999999999999999", "0ms", "1ms", "150ms", "2s", "86400s",
    "86401s", "15x", "150ms..300ms", "300ms..150ms", "0ms..0ms", "1s..", "..2s", "0%", "12.5%",
    "100%", "100.0001%", "0.00001%", ".5%", "é", "☃", "\u{0}", "\u{feff}", "\r", "\t", " ", "\u{202e}",
    "S1|S2", "S1->S2", "𝕊1", "ſ1", "K̊",
];

fn random_tokens(rng: &mut Rng) -> String {
    let mut text = String::new();
    for _ in 0..rng.below(12) {
        let words = rng.below(7);
        for w in 0..words {
            if w > 0 {
                text.push_str(rng.pick(&[" ", " ", "\t", "  "]));
            }
            text.push_str(rng.pick(VOCAB));
        }
        text.push_str(rng.pick(&["\n", "\n", "\r\n", "\n\n", " # note\n"]));
    }
    text
}

/// A scenario that is mostly valid, so that round trips get exercised.
fn plausible(rng: &mut Rng) -> String {
    let nodes = 1 + rng.below(9) as u8;
    let mut valid = nodes;
    let mut lines: Vec<String> = Vec::new();
    let mut client_lines: Vec<usize> = Vec::new();
    if rng.chance(70) {
        lines.push(format!("nodes {nodes}"));
    } else {
        valid = 5;
    }
    if rng.chance(50) {
        lines.push(format!("seed {}", rng.next_u64()));
    }
    let node = |rng: &mut Rng, valid: u8| format!("{}{}", if rng.chance(80) { "S" } else { "s" }, 1 + rng.below(valid as usize));
    let target = |rng: &mut Rng, valid: u8| if rng.chance(20) { "leader".to_string() } else { node(rng, valid) };
    let dur = |rng: &mut Rng| {
        if rng.chance(50) {
            format!("{}ms", 1 + rng.below(5000))
        } else {
            format!("{}s", 1 + rng.below(60))
        }
    };
    let pct = |rng: &mut Rng| match rng.below(3) {
        0 => format!("{}%", rng.below(101)),
        1 => format!("{}.{}%", rng.below(100), rng.below(10)),
        _ => format!("{}.{:04}%", rng.below(100), rng.below(10_000)),
    };
    let key = |rng: &mut Rng| rng.pick(&["k", "bike42", "a.b", "x_1", "K-9", "long_key_with_32_characters_abcd"]).to_string();
    let nodes_list = |rng: &mut Rng, valid: u8| {
        let mut ids: Vec<usize> = (1..=valid as usize).collect();
        let mut out = Vec::new();
        for _ in 0..rng.below(valid as usize + 1) {
            let i = rng.below(ids.len());
            out.push(format!("S{}", ids.remove(i)));
        }
        out
    };
    for _ in 0..rng.below(25) {
        let line = match rng.below(30) {
            0 => format!("run {}", dur(rng)),
            1 => "run until leader".into(),
            2 => format!("run until leader within {}", dur(rng)),
            3 => format!("crash {}", target(rng, valid)),
            4 => format!("restart {}", target(rng, valid)),
            5 => {
                let ids = nodes_list(rng, valid);
                if ids.is_empty() {
                    "heal".into()
                } else {
                    let cut = 1 + rng.below(ids.len());
                    let (a, b) = ids.split_at(cut.min(ids.len()));
                    if b.is_empty() {
                        format!("partition {}", a.join(" "))
                    } else {
                        format!("partition {} {} {}", a.join(" "), rng.pick(&["|", "| ", ""]), b.join(" "))
                    }
                }
            }
            6 => format!("{} {} {}{}", rng.pick(&["cut", "uncut"]), node(rng, valid), if rng.chance(50) { "-> " } else { "" }, node(rng, valid)),
            7 => format!("isolate {}", target(rng, valid)),
            8 => "heal".into(),
            9 => format!("timeout {}", target(rng, valid)),
            10 => format!("transfer {}", target(rng, valid)),
            11 => {
                if valid < 9 && rng.chance(50) {
                    valid += 1;
                }
                format!("add S{valid}")
            }
            12 => format!("remove {}", target(rng, valid)),
            13 | 14 => {
                client_lines.push(lines.len() + 1);
                let via = if rng.chance(40) { format!(" via {}", target(rng, valid)) } else { String::new() };
                match rng.below(3) {
                    0 => format!("put {} {}{via}", key(rng), key(rng)),
                    1 => format!("get {}{via}", key(rng)),
                    _ => format!("cas {} {} {}{via}", key(rng), if rng.chance(30) { "-".into() } else { key(rng) }, key(rng)),
                }
            }
            15 => format!("election-timeout {}..{}", dur(rng), "86400s"),
            16 => format!("heartbeat {}", dur(rng)),
            17 => format!("latency 0ms..{}", dur(rng)),
            18 => format!("{} {}", rng.pick(&["loss", "duplicate"]), pct(rng)),
            19 => format!("{} {}", rng.pick(&["prevote", "check-quorum", "leader-noop"]), rng.pick(&["on", "off"])),
            20 => format!("reads {}", rng.pick(&["log", "read-index", "lease"])),
            21 => format!("snapshot-every {}", rng.below(100)),
            22 => format!("protocol {}", rng.pick(&["raft", "naive"])),
            23 => format!("bug {}", rng.pick(&raft_core::Bug::ALL).name()),
            24 => {
                let t = if rng.chance(50) { format!(" {}", node(rng, valid)) } else { String::new() };
                format!("expect leader{t}")
            }
            25 => format!("expect no-leader {}", nodes_list(rng, valid).join(" ")),
            26 => {
                let on = nodes_list(rng, valid);
                let on = if on.is_empty() { String::new() } else { format!(" on {}", on.join(" ")) };
                match rng.below(5) {
                    0 | 1 => format!("expect value {} {}{on}", key(rng), if rng.chance(30) { "-".into() } else { key(rng) }),
                    2 => format!("expect committed {}{on}", rng.below(20)),
                    3 => {
                        let a = rng.below(20);
                        let t = match rng.below(3) {
                            0 => a.to_string(),
                            1 => format!("{a}.."),
                            _ => format!("{a}..{}", a + rng.below(5)),
                        };
                        format!("expect term {t}{on}")
                    }
                    _ => format!("expect leaders {}", rng.below(4)),
                }
            }
            27 if !client_lines.is_empty() => {
                format!("expect op {} {}", rng.pick(&client_lines), rng.pick(&["ok", "fail", "unknown"]))
            }
            28 if rng.chance(50) => format!("expect violation {}", rng.pick(&Property::ALL).name()),
            28 => format!(
                "expect role {} {}",
                node(rng, valid),
                rng.pick(&["follower", "pre-candidate", "candidate", "leader"])
            ),
            _ => rng.pick(&["expect safe", "expect violation", "expect linearizable", "expect not-linearizable", "# comment", ""]).to_string(),
        };
        lines.push(line);
    }
    let mut text = lines.join(if rng.chance(20) { "\r\n" } else { "\n" });
    if rng.chance(50) {
        text.push('\n');
    }
    text
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            1 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes.truncate(i);
            }
            2 => {
                let i = rng.below(bytes.len() + 1);
                let word = rng.pick(VOCAB).as_bytes();
                bytes.splice(i..i, word.iter().copied());
            }
            3 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                let n = rng.below(8).min(bytes.len() - i);
                bytes.drain(i..i + n);
            }
            4 => {
                let i = rng.below(bytes.len() + 1);
                bytes.insert(i, rng.pick(b" \n\t#|09.->"));
            }
            _ => {
                // Swap two lines.
                let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
                if lines.len() > 1 {
                    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                    lines.swap(a, b);
                }
                bytes = lines.join(&b'\n');
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn check(text: &str, stats: &mut (usize, usize)) {
    let parsed = std::panic::catch_unwind(|| parse(text));
    let Ok(result) = parsed else { panic!("parse panicked on {text:?}") };
    match result {
        Ok(s) => {
            stats.0 += 1;
            assert_round_trip(text, &s);
        }
        Err(e) => {
            stats.1 += 1;
            assert!(e.line >= 1 && e.column >= 1, "{text:?}: {e}");
            assert!(e.message.starts_with("expected") || e.message.starts_with("unexpected") || e.message.contains(" must ")
                || e.message.contains(" is already set "), "{text:?}: {e}");
        }
    }
    for (i, line) in text.split('\n').enumerate().take(4) {
        let r = std::panic::catch_unwind(|| parse_line(line, i as u32 + 1, (i % 11) as u8));
        assert!(r.is_ok(), "parse_line panicked on {line:?}");
    }
}

#[test]
fn the_parser_never_panics_and_round_trips() {
    let mut rng = Rng::new(0x5eed_0f5c_e9a1_1000);
    let mut stats = (0usize, 0usize);
    let mut plausible_ok = 0usize;
    for case in 0..CASES {
        let text = match case % 4 {
            0 => random_tokens(&mut rng),
            1 => {
                let text = plausible(&mut rng);
                let before = stats.0;
                check(&text, &mut stats);
                plausible_ok += stats.0 - before;
                continue;
            }
            _ => {
                let base = if rng.chance(70) { plausible(&mut rng) } else { random_tokens(&mut rng) };
                mutate(&mut rng, &base)
            }
        };
        check(&text, &mut stats);
    }
    eprintln!("fuzz: {} parsed, {} refused, {plausible_ok} of {} plausible parsed", stats.0, stats.1, CASES / 4);
    // The generator of plausible scenarios must mostly produce valid ones, or the round trip is
    // not exercised. (A `cut` may name one server twice, which is refused.)
    assert!(plausible_ok * 2 > CASES / 4, "only {plausible_ok} of {} plausible scenarios parsed", CASES / 4);
    assert!(stats.1 > CASES / 4, "too few errors: {stats:?}");
}

#[test]
fn pathological_inputs() {
    let long_line = "run 1s ".repeat(10_000);
    let many_lines = "heal\n".repeat(50_000);
    let huge_token = "9".repeat(100_000);
    let texts = [
        long_line.as_str(),
        many_lines.as_str(),
        huge_token.as_str(),
        "\u{feff}\u{feff}heal",
        "\r",
        "\r\r\n",
        "#\n#\n#",
        "run 1s\u{0}",
        "partition ||||",
        "cut ->->->",
        "cut S1 -> -> S2",
        "expect op 4294967295 ok",
        "expect op 4294967296 ok",
        "put k v via via",
        "latency ....",
        "latency 1ms..2ms..3ms",
        "loss 0.%",
        "loss %%",
    ];
    let mut stats = (0, 0);
    for text in texts {
        check(text, &mut stats);
    }
    assert_eq!(parse(&many_lines).unwrap().items.len(), 50_000);
    let big = format!("seed {huge_token}");
    assert!(parse(&big).is_err());
    assert!(parse(&format!("run {huge_token}ms")).is_err());
    assert!(parse(&format!("loss {huge_token}.5%")).is_err());
    assert!(parse(&format!("put k v\nexpect op {huge_token} ok")).is_err());
}

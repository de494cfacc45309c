//! The handle's time travel: a seek to `t` is exactly the recording cut at `t`, natively.

use super::*;

fn native_hash(text: &str) -> String {
    let parsed = scenario::parse(text).unwrap_or_else(|e| panic!("recorded text must parse: {e}\n{text}"));
    Runner::run(&parsed, Observe::REPORT).sim.trace.hash_hex()
}

/// A busy run: writes every half second, a crash and a partition every half minute.
pub fn busy(seconds: u64) -> String {
    let mut s = String::from("nodes 5\nseed 3\nrun until leader\n");
    for i in 0..seconds * 2 {
        s.push_str(&format!("put k{} v{i}\n", i % 7));
        if i % 60 == 20 {
            s.push_str("crash leader\n");
        }
        if i % 60 == 40 {
            s.push_str("restart S1\nrestart S2\nrestart S3\nrestart S4\nrestart S5\npartition S1 S2 | S3 S4 S5\n");
        }
        if i % 60 == 50 {
            s.push_str("heal\n");
        }
        s.push_str("run 500ms\n");
    }
    s
}

#[test]
fn seek_equals_the_recording_cut_there() {
    let mut core = Core::new(&busy(30)).unwrap();
    let end = core.end_ms();
    let full = core.trace_hash();
    assert_eq!(full, native_hash(&core.recorded()));
    for t in [end / 2, 1, 0, end - 1, 12_345, 7_000, end, 3_210, end] {
        core.seek(t);
        assert_eq!(core.time(), t.min(end));
        assert_eq!(core.trace_hash(), native_hash(&core.recorded()), "at {t}");
    }
    assert!(core.is_live());
    assert_eq!(core.trace_hash(), full);
    assert!(core.timeline().marks.iter().any(|m| m.kind == "leader"));
    assert!(core.timeline().marks.iter().any(|m| m.kind == "write"));
}

#[test]
fn time_in_the_past_replays_then_goes_live() {
    let mut core = Core::new("nodes 3\nseed 2\nrun 2s\ncrash S1\nrun 1s\n").unwrap();
    core.seek(1500);
    assert!(!core.is_live());
    core.advance(700); // to 2200: the crash at 2000 is replayed
    assert!(!core.runner.sim.server(1).unwrap().running);
    core.advance(1000); // past the end: live, the recording grows
    assert!(core.is_live());
    assert_eq!(core.time(), 3200);
    assert_eq!(core.recorded(), "nodes 3\nseed 2\nrun 2s\ncrash S1\nrun 1s\nrun 200ms\n");
    assert_eq!(core.trace_hash(), native_hash(&core.recorded()));
}

#[test]
fn acting_in_the_past_forks() {
    let mut core = Core::new("nodes 3\nseed 2\nrun until leader\nrun 2s\ncrash S1\nrun 1s\n").unwrap();
    core.seek(1200);
    core.act("put x 1").unwrap();
    assert!(core.is_live());
    let rec = core.recorded();
    assert!(rec.ends_with("put x 1\n"), "{rec}");
    assert!(!rec.contains("crash"), "{rec}");
    core.advance(500);
    core.advance(300);
    assert!(core.recorded().ends_with("put x 1\nrun 800ms\n"));
    assert_eq!(core.trace_hash(), native_hash(&core.recorded()));
    // Inside `run until leader`: cut as a plain run.
    core.seek(40);
    core.act("crash S2").unwrap();
    assert_eq!(core.recorded(), "nodes 3\nseed 2\nrun 40ms\ncrash S2\n");
    assert_eq!(core.trace_hash(), native_hash(&core.recorded()));
    // A bad line in the past changes nothing.
    core.advance(100);
    core.seek(50);
    assert!(core.act("crash S9").is_err());
    assert!(!core.is_live());
}

#[test]
fn seek_across_a_run_until_leader() {
    let mut core = Core::new("nodes 5\nseed 9\nrun 100ms\nrun until leader\nput a 1\nrun 1s\n").unwrap();
    let full = core.trace_hash();
    let lead_end = core.recs[3].end_ms;
    core.seek(150);
    assert_eq!(core.trace_hash(), native_hash(&core.recorded()));
    core.seek(lead_end);
    assert_eq!(core.trace_hash(), native_hash(&core.recorded()));
    core.seek(lead_end + 10);
    core.seek(core.end_ms());
    assert_eq!(core.trace_hash(), full);
}

#[test]
fn messages_between_old_windows_replay() {
    let mut core = Core::new(&busy(10)).unwrap();
    let now = core.time();
    let recent = core.messages_between(now - 1000, now);
    assert!(!recent.is_empty());
    assert!(recent.iter().all(|m| m.wire.sent_ms <= now));
    // Force the replay path and compare with what was kept.
    core.tracker.evicted_before_ms = Some(now);
    let replayed = core.messages_between(2000, 3000);
    core.tracker.evicted_before_ms = None;
    let kept = core.messages_between(2000, 3000);
    let ids = |v: &[MessageRec]| v.iter().map(|m| (m.wire.id, m.end_ms, m.dropped)).collect::<Vec<_>>();
    assert_eq!(ids(&replayed), ids(&kept));
    // In the past, later fates are unknown yet.
    core.seek(2500);
    assert!(core.messages_between(2400, 2500).iter().any(|m| m.end_ms.is_none()));
}

#[test]
fn trace_jsonl_matches_the_hash() {
    let core = Core::new("nodes 3\nseed 2\nrun 1s\nput a 1\nrun 500ms\n").unwrap();
    let jsonl = core.trace_jsonl().unwrap();
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert!(first["time_ms"].is_u64() && first["text"].is_string());
    assert!(jsonl.lines().count() > 10);
}

/// `cargo test -p raft-wasm --release -- --ignored --nocapture bench_seek`
#[test]
#[ignore]
fn bench_seek() {
    let t0 = std::time::Instant::now();
    let mut core = Core::new(&busy(600)).unwrap();
    eprintln!("load 10 min: {:?}, {} checkpoints every {} ms", t0.elapsed(), core.checkpoints.len(), core.interval_ms);
    let end = core.end_ms();
    let mut worst = std::time::Duration::ZERO;
    for i in 0..50u64 {
        let t = (i * 7_919_000 + 13) % end;
        let s = std::time::Instant::now();
        core.seek(t);
        worst = worst.max(s.elapsed());
    }
    eprintln!("worst seek: {worst:?}");
    let s = std::time::Instant::now();
    for _ in 0..10 {
        let _ = core.checkpoints.last().unwrap().runner.clone();
    }
    eprintln!("clone of the last checkpoint: {:?}", s.elapsed() / 10);
    let s = std::time::Instant::now();
    core.restore(end - 15_000, usize::MAX);
    eprintln!("restore: {:?} to {}", s.elapsed(), core.time());
    let s = std::time::Instant::now();
    core.seek(end - 15_000);
    eprintln!("seek 15 s before the end: {:?}", s.elapsed());
    for start in [16_000u64, 304_000, 576_000] {
        core.seek(start);
        let s = std::time::Instant::now();
        core.seek(start + 15_000);
        eprintln!("replay 15 s from {start}: {:?}", s.elapsed());
    }
}

#[test]
fn trace_jsonl_hashes_to_the_page_hash() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/bugs/stale-read.scn")).unwrap();
    let core = Core::new(&text).unwrap();
    let parsed = scenario::parse(&core.recorded()).unwrap();
    let r = Runner::run(&parsed, Observe { trace_hash: true, trace_lines: true, feed: false });
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for l in r.sim.trace.lines() {
        for b in l.bytes().chain(std::iter::once(b'\n')) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    assert_eq!(r.sim.trace.hash_hex(), core.trace_hash());
    assert_eq!(format!("{h:016x}"), core.trace_hash());
}

#[test]
fn an_undecided_history_is_shown_as_undecided_never_as_linearizable() {
    let mut core = Core::new("nodes 3\nrun until leader\nput k a\nput k b\nget k\nrun 1s\n").unwrap();
    let hash = core.trace_hash();
    let view = core.view();
    assert_eq!((view.linearizability, view.linearizability_undecided.as_deref()), ("ok", None));
    // One search step cannot place three concurrent operations.
    core.set_lin_step_budget(1);
    let view = core.view();
    assert_eq!(view.linearizability, "undecided");
    let note = view.linearizability_undecided.expect("a sentence for the page");
    assert!(note.starts_with("undecided: the search for a legal order of the operations on k"), "{note}");
    assert!(view.view.safe && view.view.violations.is_empty(), "undecided is not a violation either");
    let goal = core.check("expect linearizable\nexpect leader").unwrap();
    assert!(!goal[0].passed && goal[0].undecided, "{goal:#?}");
    assert!(goal[1].passed && !goal[1].undecided, "{goal:#?}");
    // Seeking back clones a checkpoint: it keeps the budget.
    core.seek(core.end_ms() - 1);
    assert_eq!(core.view().linearizability, "undecided");
    core.seek(core.end_ms());
    core.set_lin_step_budget(simulator::check::linearizability::DEFAULT_STEP_BUDGET);
    assert_eq!(core.view().linearizability, "ok");
    assert_eq!(core.trace_hash(), hash, "the budget changes no event");
}

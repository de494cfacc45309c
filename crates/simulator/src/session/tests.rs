//! Time travel: a seek to `t` is exactly the recording cut at `t`, natively.

use super::*;

fn native_hash(text: &str) -> String {
    let parsed = scenario::parse(text).unwrap_or_else(|e| panic!("recorded text must parse: {e}\n{text}"));
    Runner::run(&parsed, Observe::REPORT).sim.trace().hash_hex()
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
    let mut session = Session::new(&busy(30)).unwrap();
    let end = session.end_ms();
    let full = session.trace_hash();
    assert_eq!(full, native_hash(&session.recorded()));
    for t in [end / 2, 1, 0, end - 1, 12_345, 7_000, end, 3_210, end] {
        session.seek(t);
        assert_eq!(session.time(), t.min(end));
        assert_eq!(session.trace_hash(), native_hash(&session.recorded()), "at {t}");
    }
    assert!(session.is_live());
    assert_eq!(session.trace_hash(), full);
    assert!(session.timeline().marks.iter().any(|m| m.kind == "leader"));
    assert!(session.timeline().marks.iter().any(|m| m.kind == "write"));
}

#[test]
fn time_in_the_past_replays_then_goes_live() {
    let mut session = Session::new("nodes 3\nseed 2\nrun 2s\ncrash S1\nrun 1s\n").unwrap();
    session.seek(1500);
    assert!(!session.is_live());
    session.advance(700); // to 2200: the crash at 2000 is replayed
    assert!(!session.runner.sim.server(1).unwrap().running());
    session.advance(1000); // past the end: live, the recording grows
    assert!(session.is_live());
    assert_eq!(session.time(), 3200);
    assert_eq!(session.recorded(), "nodes 3\nseed 2\nrun 2s\ncrash S1\nrun 1s\nrun 200ms\n");
    assert_eq!(session.trace_hash(), native_hash(&session.recorded()));
}

#[test]
fn acting_in_the_past_forks() {
    let mut session = Session::new("nodes 3\nseed 2\nrun until leader\nrun 2s\ncrash S1\nrun 1s\n").unwrap();
    session.seek(1200);
    session.act("put x 1").unwrap();
    assert!(session.is_live());
    let rec = session.recorded();
    assert!(rec.ends_with("put x 1\n"), "{rec}");
    assert!(!rec.contains("crash"), "{rec}");
    session.advance(500);
    session.advance(300);
    assert!(session.recorded().ends_with("put x 1\nrun 800ms\n"));
    assert_eq!(session.trace_hash(), native_hash(&session.recorded()));
    // Inside `run until leader`: cut as a plain run.
    session.seek(40);
    session.act("crash S2").unwrap();
    assert_eq!(session.recorded(), "nodes 3\nseed 2\nrun 40ms\ncrash S2\n");
    assert_eq!(session.trace_hash(), native_hash(&session.recorded()));
    // A bad line in the past changes nothing.
    session.advance(100);
    session.seek(50);
    assert!(session.act("crash S9").is_err());
    assert!(!session.is_live());
}

#[test]
fn seek_across_a_run_until_leader() {
    let mut session = Session::new("nodes 5\nseed 9\nrun 100ms\nrun until leader\nput a 1\nrun 1s\n").unwrap();
    let full = session.trace_hash();
    let lead_end = session.recs[3].end_ms;
    session.seek(150);
    assert_eq!(session.trace_hash(), native_hash(&session.recorded()));
    session.seek(lead_end);
    assert_eq!(session.trace_hash(), native_hash(&session.recorded()));
    session.seek(lead_end + 10);
    session.seek(session.end_ms());
    assert_eq!(session.trace_hash(), full);
}

#[test]
fn messages_between_old_windows_replay() {
    let mut session = Session::new(&busy(10)).unwrap();
    let now = session.time();
    let recent = session.messages_between(now - 1000, now);
    assert!(!recent.is_empty());
    assert!(recent.iter().all(|m| m.wire.sent_ms <= now));
    // Force the replay path and compare with what was kept.
    session.tracker.evicted_before_ms = Some(now);
    let replayed = session.messages_between(2000, 3000);
    session.tracker.evicted_before_ms = None;
    let kept = session.messages_between(2000, 3000);
    let ids = |v: &[MessageRec]| v.iter().map(|m| (m.wire.id, m.end_ms, m.dropped)).collect::<Vec<_>>();
    assert_eq!(ids(&replayed), ids(&kept));
    // In the past, later fates are unknown yet.
    session.seek(2500);
    assert!(session.messages_between(2400, 2500).iter().any(|m| m.end_ms.is_none()));
}

#[test]
fn trace_jsonl_matches_the_hash() {
    let session = Session::new("nodes 3\nseed 2\nrun 1s\nput a 1\nrun 500ms\n").unwrap();
    let jsonl = session.trace_jsonl().unwrap();
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert!(first["time_ms"].is_u64() && first["text"].is_string());
    assert!(jsonl.lines().count() > 10);
    // Byte for byte what a `serde_json::Value` object (keys sorted) writes, as before.
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(line, v.to_string());
        assert!(line.starts_with("{\"text\":"), "{line}");
    }
}

/// `cargo test -p simulator --release -- --ignored --nocapture bench_seek`
#[test]
#[ignore]
fn bench_seek() {
    let t0 = std::time::Instant::now();
    let mut session = Session::new(&busy(600)).unwrap();
    eprintln!("load 10 min: {:?}, {} checkpoints every {} ms", t0.elapsed(), session.checkpoints.len(), session.interval_ms);
    let end = session.end_ms();
    let mut worst = std::time::Duration::ZERO;
    for i in 0..50u64 {
        let t = (i * 7_919_000 + 13) % end;
        let s = std::time::Instant::now();
        session.seek(t);
        worst = worst.max(s.elapsed());
    }
    eprintln!("worst seek: {worst:?}");
    let s = std::time::Instant::now();
    for _ in 0..10 {
        let _ = session.checkpoints.last().unwrap().runner.clone();
    }
    eprintln!("clone of the last checkpoint: {:?}", s.elapsed() / 10);
    let s = std::time::Instant::now();
    session.restore(end - 15_000, usize::MAX);
    eprintln!("restore: {:?} to {}", s.elapsed(), session.time());
    let s = std::time::Instant::now();
    session.seek(end - 15_000);
    eprintln!("seek 15 s before the end: {:?}", s.elapsed());
    for start in [16_000u64, 304_000, 576_000] {
        session.seek(start);
        let s = std::time::Instant::now();
        session.seek(start + 15_000);
        eprintln!("replay 15 s from {start}: {:?}", s.elapsed());
    }
}

#[test]
fn trace_jsonl_hashes_to_the_page_hash() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/bugs/stale-read.scn")).unwrap();
    let session = Session::new(&text).unwrap();
    let parsed = scenario::parse(&session.recorded()).unwrap();
    let r = Runner::run(&parsed, Observe { trace_hash: true, trace_lines: true, feed: false, events: false });
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for l in r.sim.trace().lines() {
        for b in l.bytes().chain(std::iter::once(b'\n')) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    assert_eq!(r.sim.trace().hash_hex(), session.trace_hash());
    assert_eq!(format!("{h:016x}"), session.trace_hash());
}

/// What `raft-sim run FILE --at T` prints: the report of the session at `t` is the report of the
/// recording cut at `t`, played from the start.
#[test]
fn report_at_an_instant_is_the_report_of_the_cut() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/bugs/stale-read.scn")).unwrap();
    let mut session = Session::new(&text).unwrap();
    let end = session.end_ms();
    for t in [end, end / 3, 0, end - 1] {
        session.seek(t);
        let cut = scenario::parse(&session.recorded()).unwrap();
        let played = Runner::run(&cut, Observe::REPORT);
        let json = |r: &Runner| serde_json::to_string(&crate::runner::report::report(r)).unwrap();
        assert_eq!(json(session.runner()), json(&played), "at {t}");
    }
}

#[test]
fn an_undecided_history_is_shown_as_undecided_never_as_linearizable() {
    let mut core = Session::new("nodes 3\nrun until leader\nput k a\nput k b\nget k\nrun 1s\n").unwrap();
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
    core.set_lin_step_budget(crate::check::linearizability::DEFAULT_STEP_BUDGET);
    assert_eq!(core.view().linearizability, "ok");
    assert_eq!(core.trace_hash(), hash, "the budget changes no event");
}

#[test]
fn the_frame_lists_what_happened_from_the_event_stream() {
    let mut session = Session::new("nodes 3\nseed 2\nrun until leader\nput x 1\nrun 500ms\n").unwrap();
    let snap = session.view();
    let kinds: Vec<&str> = snap.happened.iter().map(|h| h.kind).collect();
    let leader = snap.happened.iter().find(|h| h.kind == "leader").expect("an election");
    assert_eq!(leader.node, snap.view.leader, "{kinds:?}");
    assert!(kinds.contains(&"commit"), "{kinds:?}");
    let put_line = snap.view.history[0].line;
    assert!(snap.happened.iter().any(|h| h.kind == "answered" && h.line == Some(put_line)), "{kinds:?}");
    assert!(snap.happened.windows(2).all(|w| w[0].seq < w[1].seq && w[0].time_ms <= w[1].time_ms));
    // A frame later on lists nothing new until something happens; a crash of the leader and
    // a new election add entries with higher numbers.
    let newest = snap.happened.last().unwrap().seq;
    assert_eq!(session.view().happened.last().unwrap().seq, newest);
    session.act("crash leader").unwrap();
    session.advance(2_000);
    let later = session.view();
    assert!(later.happened.iter().any(|h| h.seq > newest && h.kind == "leader"));
    // Looking at the past announces nothing again; acting there forks the recording, and
    // what happened after that instant is forgotten, while the numbers keep growing.
    let top = later.happened.last().unwrap().seq;
    session.seek(100);
    assert_eq!(session.view().happened.last().unwrap().seq, top);
    session.act("crash S1").unwrap();
    let forked = session.view();
    assert!(forked.happened.iter().all(|h| h.time_ms <= 100));
    session.advance(3_000);
    assert!(session.view().happened.iter().any(|h| h.seq > top && h.kind == "leader"));
}

#[test]
fn the_event_stream_accounts_for_every_message_and_client() {
    let sc = scenario::parse("nodes 5\nseed 9\nloss 10%\nduplicate 10%\nrun until leader\nput a 1\nput b 2\npartition S1 S2 | S3 S4 S5\nrun 1s\nheal\nrun 1s\n").unwrap();
    let mut r = Runner::new(&sc, Observe::PAGE);
    let mut events = Vec::new();
    for item in &sc.items {
        r.apply(item);
        events.extend(r.sim.take_events());
    }
    let count = |f: &dyn Fn(&crate::engine::Event) -> bool| events.iter().filter(|(_, e)| f(e)).count() as u64;
    use crate::engine::Event as E;
    let st = r.sim.stats().clone();
    assert_eq!(count(&|e| matches!(e, E::Delivered { .. })), st.messages_delivered);
    assert_eq!(count(&|e| matches!(e, E::Dropped { .. })), st.messages_dropped);
    // Every copy sent is delivered, dropped or still on the wire.
    let on_wire = r.sim.in_flight().count() as u64;
    assert_eq!(count(&|e| matches!(e, E::Sent(_))), st.messages_delivered + st.messages_dropped + on_wire);
    let invoked = count(&|e| matches!(e, E::ClientInvoked { .. }));
    assert_eq!(invoked, r.sim.history().len() as u64);
    assert_eq!(count(&|e| matches!(e, E::ClientAnswered { .. })), r.sim.history().iter().filter(|o| o.outcome.is_some()).count() as u64);
    assert!(events.windows(2).all(|w| w[0].0 <= w[1].0), "events come in time order");
    // A run that keeps no events drains none.
    let mut quiet = Runner::new(&sc, Observe::REPORT);
    for item in &sc.items {
        quiet.apply(item);
    }
    assert!(quiet.sim.take_events().is_empty());
    assert_eq!(quiet.sim.trace().hash_hex(), r.sim.trace().hash_hex());
}

/// Servers the embedder builds (`protocol js`; here naive servers behind a factory), counting
/// the factories made: such a session rebuilds from time zero rather than cloning.
#[cfg(feature = "hosted")]
fn embedded() -> (HostMaker, std::rc::Rc<std::cell::Cell<usize>>) {
    let made = std::rc::Rc::new(std::cell::Cell::new(0));
    let count = made.clone();
    let maker: HostMaker = std::rc::Rc::new(move || {
        count.set(count.get() + 1);
        let factory: HostFactory = std::rc::Rc::new(|id, initial: &[raft_core::NodeId], joining, settings: &crate::model::Settings| {
            crate::servers::build(crate::model::Protocol::Naive, id, initial, joining, settings, None).expect("naive builds")
        });
        factory
    });
    (maker, made)
}

#[cfg(feature = "hosted")]
fn embedded_hash(text: &str) -> String {
    let parsed = scenario::parse(text).unwrap_or_else(|e| panic!("recorded text must parse: {e}\n{text}"));
    let (maker, _) = embedded();
    Runner::run_with_hosts(&parsed, Observe::REPORT, Some(maker())).sim.trace().hash_hex()
}

#[cfg(feature = "hosted")]
#[test]
fn a_session_of_embedded_servers_seeks_by_replaying_from_time_zero() {
    let text = format!("protocol js\ncode\nexport default () => ({{}})\nend\n{}", busy(8).replace("run until leader\n", ""));
    let (maker, made) = embedded();
    let mut session = Session::with_hosts(&text, Some(maker)).unwrap();
    assert_eq!(made.get(), 1);
    assert_eq!(session.checkpoints.len(), 1, "no checkpoint but time zero");
    let end = session.end_ms();
    assert_eq!(session.trace_hash(), embedded_hash(&session.recorded()));
    for t in [end / 2, 0, end - 1, 3_210, end] {
        session.seek(t);
        assert_eq!(session.time(), t);
        assert_eq!(session.trace_hash(), embedded_hash(&session.recorded()), "at {t}");
    }
    assert!(made.get() >= 4, "every seek back built fresh servers ({} made)", made.get());
    session.seek(end / 2);
    session.act("crash S2").unwrap();
    session.advance(700);
    assert_eq!(session.checkpoints.len(), 1);
    assert_eq!(session.trace_hash(), embedded_hash(&session.recorded()));
    assert!(session.recorded().contains("code\nexport default () => ({})\nend\n"), "the code block is recorded");
    let lines = session.trace_lines().unwrap();
    assert!(lines.len() > 100 && lines.iter().all(|l| !l.contains("no host")), "the trace replays on fresh hosts");
}

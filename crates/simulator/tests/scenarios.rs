//! The acceptance suite: every scenario in `scenarios/` (and its subfolders but `errors/`) must
//! pass its own expectations and give the same trace hash when run twice; every scenario in
//! `scenarios/errors/` must be refused with the message its first line names
//! (`# error: line 3, column 7: …`). `scenarios/js/` holds JavaScript nodes (`protocol js`),
//! which need a JavaScript engine: tests/node/judge.test.mjs runs them; here they must parse.

use std::path::{Path, PathBuf};

use simulator::scenario;
use simulator::sim::Observe;
use simulator::{report, Runner};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("scenarios/ exists").map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "errors" && n != "js") {
                scenario_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "scn") {
            out.push(p);
        }
    }
}

#[test]
fn the_javascript_scenarios_parse_and_carry_their_code() {
    let dir = root().join("js");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("scenarios/js exists").map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 3);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let s = scenario::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(s.code.as_deref().is_some_and(|c| c.contains("export default function node(ctx)")), "{}", f.display());
        // Without a JavaScript host the run stops at once, saying where to run it.
        let r = Runner::run(&s, Observe::REPORT);
        assert!(r.sim.halted() && r.exit_code() == 1, "{}", f.display());
    }
}

#[test]
fn every_story_passes_its_expectations_and_replays_identically() {
    let mut files = Vec::new();
    scenario_files(&root(), &mut files);
    assert!(files.len() >= 10, "expected the acceptance scenarios, found {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let parsed = match scenario::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: {e}", f.display()));
                continue;
            }
        };
        let a = Runner::run(&parsed, Observe::REPORT);
        let rep = report::report(&a);
        if rep.exit_code != 0 {
            let mut why: Vec<String> = rep
                .expectations
                .iter()
                .filter(|e| !e.passed)
                .map(|e| format!("line {} {}: {}", e.line, e.text, e.detail))
                .collect();
            why.extend(rep.checks.iter().filter(|(_, v)| *v != "ok").map(|(k, v)| format!("{k}: {v}")));
            why.extend(rep.errors.iter().cloned());
            failures.push(format!("{}:\n    {}", f.display(), why.join("\n    ")));
        }
        let b = Runner::run(&parsed, Observe::REPORT);
        if a.sim.trace().hash_hex() != b.sim.trace().hash_hex() {
            failures.push(format!("{}: two runs gave different trace hashes", f.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} scenarios failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}

#[test]
fn bad_scenarios_are_refused_with_their_message() {
    let dir = root().join("errors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let want = text.lines().next().and_then(|l| l.strip_prefix("# error: ")).unwrap_or_else(|| {
            panic!("{}: first line must be '# error: <message>'", f.display())
        });
        match scenario::parse(&text) {
            Ok(_) => panic!("{}: parsed, but should fail with {want}", f.display()),
            Err(e) => assert_eq!(e.to_string(), want, "{}", f.display()),
        }
    }
}

/// The project's three extra expectations (docs/SCENARIO-NOTES.md) fail as well as pass: each
/// with the sentence a student reads.
#[test]
fn role_term_and_leaders_expectations_say_what_they_saw() {
    let run = |text: &str| {
        let r = Runner::run(&simulator::scenario::parse(text).unwrap(), Observe::REPORT);
        r.expectations.iter().map(|e| (e.passed, e.detail.clone())).collect::<Vec<_>>()
    };
    let got = run("nodes 3\ntimeout S1\nrun 300ms\nexpect role S1 candidate\nexpect term 2..\nexpect term 0..1 on S2\nexpect leaders 2\ncrash S3\nexpect role S3 follower\n");
    assert_eq!(
        got,
        vec![
            (false, "S1 is leader in term 1".to_string()),
            (false, "expected term 2 or later: S1 is in term 1, S2 is in term 1, S3 is in term 1".to_string()),
            (true, "in a term from 0 to 1: S2 1".to_string()),
            (false, "S1 leads term 1".to_string()),
            (false, "S3 is crashed".to_string()),
        ]
    );
    let naive = run("protocol naive\nexpect leaders 0\nexpect role S1 follower\nexpect term 0\n");
    assert_eq!(
        naive,
        vec![
            (true, "no running server is leader".to_string()),
            (false, "in protocol naive there are no roles".to_string()),
            (false, "in protocol naive there are no terms".to_string()),
        ]
    );
}

#[test]
fn uncut_restores_one_link_and_leaves_the_partition_and_other_cuts() {
    let at_end = |text: &str| {
        let r = Runner::run(&scenario::parse(text).unwrap(), Observe::PAGE);
        let v = simulator::view::view(&r, 100);
        let cuts: Vec<(String, String)> = v.cuts.iter().map(|c| (c.from.clone(), c.to.clone())).collect();
        (v.partition, cuts, v.events.last().map(|e| e.text.clone()))
    };
    let start = "nodes 5\ntimeout S1\nrun 300ms\npartition S1 S2 S3 S4 | S5\ncut S1 S2\ncut S2 -> S3\nrun 100ms\n";
    let (partition, cuts, said) = at_end(&format!("{start}uncut S1 -> S2\n"));
    assert_eq!(partition, "S1 S2 S3 S4 | S5");
    assert_eq!(cuts, vec![("S2".into(), "S1".into()), ("S2".into(), "S3".into())]);
    assert_eq!(said.as_deref(), Some("Link restored: S1 -> S2"));
    let (_, cuts, _) = at_end(&format!("{start}uncut S2 S1\n"));
    assert_eq!(cuts, vec![("S2".into(), "S3".into())]);
    // S2 hears the leader again only once the link is back: it catches up with S3's commit.
    let commits = |text: String| {
        let r = Runner::run(&scenario::parse(&text).unwrap(), Observe::PAGE);
        let v = simulator::view::view(&r, 0);
        v.nodes.iter().map(|n| n.base.commit_index).collect::<Vec<_>>()
    };
    let cut = commits(format!("{start}put k v\nrun 300ms\n"));
    let restored = commits(format!("{start}put k v\nuncut S1 S2\nrun 300ms\n"));
    assert!(cut[1] < cut[2], "{cut:?}");
    assert_eq!(restored[1], restored[2], "{restored:?}");
}

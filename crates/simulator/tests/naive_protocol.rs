//! `protocol naive` played by the runner: deterministic, leaderless, caught by the
//! linearizability checker, and fixed before the first action.

#[test]
fn a_naive_run_is_deterministic_has_no_leader_and_is_caught_by_the_linearizability_checker() {
    let text = "nodes 3\nprotocol naive\ncas bike42 - alice via S1\ncas bike42 - bob via S3\nrun 500ms\n";
    let s = simulator::scenario::parse(text).unwrap();
    let a = simulator::Runner::run(&s, simulator::Observe::REPORT);
    let b = simulator::Runner::run(&s, simulator::Observe::REPORT);
    assert_eq!(a.sim.trace().hash_hex(), b.sim.trace().hash_hex());
    assert_eq!(a.sim.leader(), None);
    assert!(a.sim.violations().is_empty(), "the Raft checker never looks at naive servers");
    assert!(a.linearizability().violation.is_some());
    let report = simulator::report::report(&a);
    assert_eq!(report.protocol, "naive");
    assert!(report.nodes.iter().all(|n| n.base.role == "follower" && n.base.term == 0));
}

#[test]
fn a_protocol_switch_mid_run_is_refused() {
    assert!(simulator::scenario::parse("put k v\nprotocol naive\n").is_err());
    assert!(simulator::scenario::parse("protocol naive\nput k v\nprotocol naive\n").is_ok());
    // A line typed on the page after the run began: refused when it runs.
    let s = simulator::scenario::parse("nodes 3\nput k v\n").unwrap();
    let mut r = simulator::Runner::run(&s, simulator::Observe::REPORT);
    let item = simulator::scenario::parse_line("protocol naive", 3, 3).unwrap().unwrap();
    r.apply(&item);
    assert_eq!(r.sim.protocol(), simulator::scenario::Protocol::Raft);
    assert!(r.expectations.iter().any(|e| !e.passed && e.detail.contains("must be set before the first action")));
}

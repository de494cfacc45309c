//! The client outcome rule (docs/SCENARIO-NOTES.md, Clients): `fail` means the command certainly
//! did not take effect. A try that may have reached a leader that took it makes it `unknown`.

use simulator::scenario::{self, OpOutcome};
use simulator::sim::Observe;
use simulator::Runner;

fn outcome_of_the_put(text: &str) -> (Option<OpOutcome>, bool) {
    let r = Runner::run(&scenario::parse(text).unwrap(), Observe::REPORT);
    let op = r.sim.history().iter().find(|o| matches!(o.kind, simulator::history::OpKind::Put { .. })).expect("a put");
    (op.outcome, op.turned_away)
}

#[test]
fn every_try_turned_away_is_a_fail() {
    // Nobody can lead: every server answers "not leader" until the client gives up.
    let text = "nodes 3\nclient-timeout 200ms\npartition S1 | S2 | S3\nput x a\nrun 2s\n";
    assert_eq!(outcome_of_the_put(text), (Some(OpOutcome::Fail), true));
}

#[test]
fn a_duplicated_try_is_never_a_certain_fail() {
    // The same, but the network duplicates the request: one copy turned away says nothing about
    // the other, which might have reached a leader.
    let text = "nodes 3\nclient-timeout 200ms\npartition S1 | S2 | S3\nduplicate 100%\nput x a\nrun 2s\n";
    assert_eq!(outcome_of_the_put(text), (Some(OpOutcome::Unknown), false));
}

#[test]
fn a_duplicated_request_taken_by_a_deposed_leader_ends_unknown_and_commits() {
    // scenarios/duplicated-request-outcome.scn: the copy S1 appended commits later.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/duplicated-request-outcome.scn")).unwrap();
    let r = Runner::run(&scenario::parse(&text).unwrap(), Observe::REPORT);
    let outcomes: Vec<Option<OpOutcome>> = r.sim.history().iter().map(|o| o.outcome).collect();
    assert_eq!(outcomes, vec![Some(OpOutcome::Unknown), Some(OpOutcome::Ok)]);
    assert_eq!(r.sim.history()[1].result.as_deref(), Some("new"));
    assert_eq!(r.exit_code(), 0);
}

//! ReadIndex and lease reads (§6.4, §6.4.1). See node/reads.rs.

use super::*;

// ---- reads ---------------------------------------------------------------------------------

#[test]
fn read_mode_log_goes_through_the_log() {
    let mut c = Cluster::new(3, Config { reads: ReadMode::Log, ..cfg() });
    c.elect(1);
    let effects = c.request(1, 1, get("k"));
    assert_eq!(effects[0], PersistLog { from: 2 });
    c.deliver_all();
    assert_eq!(c.reply_to(1), Some(value(None)));
}

#[test]
fn read_index_waits_for_a_heartbeat_round() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 1, put("k", "v"));
    c.deliver_all();
    c.now = 40;
    let effects = c.request(1, 2, get("k"));
    // read_index = 2; a new round (ctx 3 here) goes to everyone; no answer yet.
    let ctx = match &sends(&effects)[0].body {
        MessageBody::AppendEntries { read_ctx, .. } => *read_ctx,
        b => panic!("{b:?}"),
    };
    assert_eq!(sends(&effects).len(), 2);
    assert!(replies(&effects).is_empty());
    // One acknowledgement of that round is a majority with the leader.
    let effects = deliver(c.nodes.get_mut(&1).unwrap(), 50, 3, 1, ae_ok(2, ctx, 1));
    assert_eq!(effects, vec![ClientReply { id: id(2), reply: value(Some("v")) }]);
    // An acknowledgement of an older round would not have done.
    let _ = c.request(1, 3, get("k"));
    let effects = deliver(c.nodes.get_mut(&1).unwrap(), 60, 3, 1, ae_ok(2, ctx, 1));
    assert!(replies(&effects).is_empty());
}

#[test]
fn read_index_waits_for_the_leaders_noop_to_commit() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    assert_eq!(n1.step(1, Input::ClientRequest { id: id(1), command: get("k") }), vec![]);
    // The noop commits: the read starts its round (ctx 2).
    let effects = deliver(&mut n1, 2, 2, 1, ae_ok(1, 1, 1));
    assert_eq!(
        effects,
        vec![
            Committed { index: 1 },
            Applied { index: 1, term: 1 },
            send(1, 2, 1, ae(1, 1, vec![], 1, 2)),
            send(1, 3, 1, ae(0, 0, vec![noop(1, 1)], 1, 2)), // S3 has not answered yet

        ]
    );
    let effects = deliver(&mut n1, 3, 3, 1, ae_ok(1, 2, 1));
    assert_eq!(effects, vec![ClientReply { id: id(1), reply: value(None) }]);
}

#[test]
fn read_index_without_noop_goes_through_the_log() {
    let mut n1 = node_with(1, 3, 0, &[], Config { leader_noop: false, ..cfg() });
    let _ = make_leader(&mut n1, 0);
    let effects = n1.step(1, Input::ClientRequest { id: id(1), command: get("k") });
    assert_eq!(effects[0], PersistLog { from: 1 });
}

#[test]
fn lease_read_is_answered_at_once_while_the_lease_holds() {
    let mut c = Cluster::new(3, Config { reads: ReadMode::Lease, ..cfg() });
    c.elect(1); // round 1 sent at t=0, acknowledged by both
    assert!(c.node(1).lease_valid(149));
    c.now = 149;
    let effects = c.request(1, 1, get("k"));
    assert_eq!(effects, vec![ClientReply { id: id(1), reply: value(None) }]);
    // At 150 the round sent at 0 no longer covers us: fall back to ReadIndex.
    c.now = 150;
    let effects = c.request(1, 2, get("k"));
    assert_eq!(sends(&effects).len(), 2);
    assert!(replies(&effects).is_empty());
    c.deliver_all();
    assert_eq!(c.reply_to(2), Some(value(None)));
    assert!(c.node(1).lease_valid(299), "the ReadIndex round renewed the lease");
}

#[test]
fn lease_is_measured_from_the_send_time() {
    let lease = Config { reads: ReadMode::Lease, ..cfg() };
    let mut n1 = node_with(1, 3, 0, &[], lease);
    let _ = make_leader(&mut n1, 0); // round 1 at t=0
    // Acknowledged much later (slow network): the lease still ends at 0 + 150.
    let _ = deliver(&mut n1, 100, 2, 1, ae_ok(1, 1, 1));
    assert!(n1.lease_valid(149));
    assert!(!n1.lease_valid(150));
}

/// S1 led term 1, and leads again in term 3. A follower answers one of S1's term-1 heartbeats
/// late, stamped with term 3 and echoing that heartbeat's round number, which S1 has reused
/// in term 3. Dissertation §6.4: only a round of the current term, sent after the read
/// arrived, confirms it.
fn leader_again_in_term_3(config: Config) -> Node {
    let mut n1 = node_with(1, 3, 2, &[1, 2], config);
    let _ = make_leader(&mut n1, 0); // term 3, no-op at index 3, round 1
    let _ = deliver(&mut n1, 1, 2, 3, ae_ok(3, 1, 3)); // the no-op commits
    assert_eq!(n1.commit_index(), 3);
    n1
}

#[test]
fn an_answer_to_a_round_of_an_earlier_term_confirms_no_read() {
    let mut n1 = leader_again_in_term_3(cfg());
    let effects = n1.step(10, Input::ClientRequest { id: id(1), command: get("k") });
    assert_eq!(sends(&effects)[0].body, ae(3, 3, vec![], 3, 2)); // round 2 of term 3
    // S3 answers the term-1 heartbeat of round 2, in term 3: not an acknowledgement.
    assert_eq!(deliver(&mut n1, 11, 3, 3, ae_reject(None, 0, 2, 1)), vec![]);
    // Its own round, answered in term 3, is.
    let effects = deliver(&mut n1, 12, 3, 3, ae_ok(3, 2, 3));
    assert_eq!(replies(&effects), vec![(id(1), value(None))]);
    // Bug::ReadIndexAnyTerm: the stale answer alone confirms the read.
    let mut bug = leader_again_in_term_3(Config { bugs: vec![Bug::ReadIndexAnyTerm], ..cfg() });
    let _ = bug.step(10, Input::ClientRequest { id: id(1), command: get("k") });
    let effects = deliver(&mut bug, 11, 3, 3, ae_reject(None, 0, 2, 1));
    assert_eq!(replies(&effects), vec![(id(1), value(None))]);
}

#[test]
fn an_answer_to_an_earlier_term_extends_no_lease_and_no_check_quorum() {
    let config = Config { reads: ReadMode::Lease, check_quorum: true, ..cfg() };
    let mut n1 = leader_again_in_term_3(config.clone());
    assert!(n1.lease_valid(149) && !n1.lease_valid(150), "S2 acknowledged round 1, sent at 0");
    let _ = n1.step(100, Input::HeartbeatTimeout); // round 2, sent at 100
    let _ = n1.step(150, Input::ElectionTimeout); // CheckQuorum: S2 was heard; starts afresh
    // Only stale answers (of term-1 rounds 2 and 3) come back, from both followers.
    for from in [2, 3] {
        let _ = deliver(&mut n1, 160, from, 3, ae_reject(None, 0, 2, 1));
        let _ = deliver(&mut n1, 160, from, 3, MessageBody::InstallSnapshotResponse { last_index: 0, read_ctx: 2, read_term: 1 });
    }
    assert!(!n1.lease_valid(160), "the lease was not renewed");
    let effects = n1.step(300, Input::ElectionTimeout);
    assert_eq!(n1.role(), Role::Follower, "CheckQuorum heard from nobody: {effects:?}");
    // With the bug, the same answers renew the lease and keep the leader in place.
    let mut bug = leader_again_in_term_3(Config { bugs: vec![Bug::ReadIndexAnyTerm], ..config });
    let _ = bug.step(100, Input::HeartbeatTimeout);
    let _ = bug.step(150, Input::ElectionTimeout);
    for from in [2, 3] {
        let _ = deliver(&mut bug, 160, from, 3, ae_reject(None, 0, 2, 1));
    }
    assert!(bug.lease_valid(160));
    let _ = bug.step(300, Input::ElectionTimeout);
    assert_eq!(bug.role(), Role::Leader);
}

/// S2 follows S1 in term 1 (heard at t=100), then learns term 2 from a late answer to an old
/// request of its own. Its memory of S1 must survive, or it votes within S1's lease (§4.2.3).
fn follower_that_learnt_term_2_from_a_response(config: Config) -> Node {
    let mut n2 = node_with(2, 3, 1, &[], config);
    let _ = deliver(&mut n2, 100, 1, 1, ae(0, 0, vec![], 0, 1));
    let _ = deliver(&mut n2, 120, 3, 2, vote(false));
    assert_eq!((n2.term(), n2.role()), (2, Role::Follower));
    n2
}

#[test]
fn the_memory_of_a_live_leader_survives_a_term_learnt_from_a_response() {
    for config in [Config { reads: ReadMode::Lease, ..cfg() }, cq_cfg()] {
        let mut n2 = follower_that_learnt_term_2_from_a_response(config.clone());
        // S3 campaigns in term 2 (the term S2 is now in) and in term 3: both ignored.
        assert_eq!(deliver(&mut n2, 200, 3, 2, rv(0, 0)), vec![send(2, 3, 2, vote(false))]);
        assert_eq!(deliver(&mut n2, 200, 3, 3, rv(0, 0)), vec![]);
        assert_eq!(n2.voted_for(), None);
        // A transfer election is heard; and so is anyone once the leader's time is up.
        let transfer = MessageBody::RequestVote { last_log_index: 0, last_log_term: 0, transfer: true };
        assert_eq!(deliver(&mut n2.clone(), 200, 3, 2, transfer).last(), Some(&send(2, 3, 2, vote(true))));
        assert_eq!(deliver(&mut n2, 250, 3, 2, rv(0, 0)).last(), Some(&send(2, 3, 2, vote(true))));
        // Bug::LeaseForgetLeader: the new term wiped the memory, the vote goes at once.
        let mut bug = follower_that_learnt_term_2_from_a_response(Config { bugs: vec![Bug::LeaseForgetLeader], ..config });
        assert_eq!(deliver(&mut bug, 200, 3, 2, rv(0, 0)).last(), Some(&send(2, 3, 2, vote(true))));
    }
}

#[test]
fn bug_stale_read_answers_without_confirmation() {
    let mut n1 = node_with(1, 3, 0, &[], Config { bugs: vec![Bug::StaleRead], ..cfg() });
    let _ = make_leader(&mut n1, 0);
    // Nothing confirmed, nothing committed: answered anyway.
    let effects = n1.step(1, Input::ClientRequest { id: id(1), command: get("k") });
    assert_eq!(effects, vec![ClientReply { id: id(1), reply: value(None) }]);
}

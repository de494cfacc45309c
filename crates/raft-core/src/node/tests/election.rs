//! Elections: votes and campaigns (§5.2, §5.4.1), Pre-Vote (§9.6), CheckQuorum (§6.2) and
//! the §4.2.3 rule. See node/election.rs.

use super::*;

// ---- elections -----------------------------------------------------------------------------

#[test]
fn new_node_arms_its_election_timer() {
    let (node, effects) = Node::new(1, vec![1, 2, 3], cfg());
    assert_eq!(effects, vec![ResetElectionTimer]);
    assert_eq!((node.role(), node.term(), node.commit_index()), (Role::Follower, 0, 0));
}

#[test]
fn election_timeout_starts_a_campaign() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], cfg());
    let effects = n1.step(0, Input::ElectionTimeout);
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Candidate, term: 1 },
            ResetElectionTimer,
            send(1, 2, 1, rv(0, 0)),
            send(1, 3, 1, rv(0, 0)),
        ]
    );
    assert_eq!(n1.voted_for(), Some(1));
    assert_eq!(n1.votes_granted(), vec![1]);
}

#[test]
fn candidate_wins_with_a_majority_and_sends_noop() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], cfg());
    let _ = n1.step(0, Input::ElectionTimeout);
    let effects = deliver(&mut n1, 5, 2, 1, vote(true));
    let noop_ae = |to| send(1, to, 1, ae(0, 0, vec![noop(1, 1)], 0, 1));
    assert_eq!(
        effects,
        vec![
            RoleChanged { role: Role::Leader, term: 1 },
            ResetElectionTimer,
            PersistLog { from: 1 },
            noop_ae(2),
            noop_ae(3),
            SetHeartbeatTimer,
        ]
    );
    assert_eq!(n1.leader_hint(), Some(1));
    assert_eq!(n1.progress().len(), 2);
    assert_eq!(n1.progress()[0], Progress { id: 2, next_index: 1, match_index: 0, learner: false });
}

#[test]
fn candidate_loses_when_a_majority_rejects() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], cfg());
    let _ = n1.step(0, Input::ElectionTimeout);
    assert_eq!(deliver(&mut n1, 5, 2, 1, vote(false)), vec![]);
    let effects = deliver(&mut n1, 6, 3, 1, vote(false));
    assert_eq!(effects, vec![RoleChanged { role: Role::Follower, term: 1 }]);
    assert_eq!(n1.voted_for(), Some(1), "the vote of this term stays");
}

#[test]
fn single_server_elects_itself_and_commits() {
    let (mut n1, _) = Node::new(1, vec![1], cfg());
    let effects = n1.step(0, Input::ElectionTimeout);
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Candidate, term: 1 },
            ResetElectionTimer,
            RoleChanged { role: Role::Leader, term: 1 },
            ResetElectionTimer,
            PersistLog { from: 1 },
            Committed { index: 1 },
            Applied { index: 1, term: 1 },
            SetHeartbeatTimer,
        ]
    );
}

#[test]
fn votes_once_per_term() {
    let (mut n2, _) = Node::new(2, vec![1, 2, 3], cfg());
    let effects = deliver(&mut n2, 0, 1, 1, rv(0, 0));
    assert_eq!(
        effects,
        vec![
            PersistHardState, // term 1
            RoleChanged { role: Role::Follower, term: 1 },
            PersistHardState, // vote
            ResetElectionTimer,
            send(2, 1, 1, vote(true)),
        ]
    );
    assert_eq!(n2.voted_for(), Some(1));
    // Same candidate again (a duplicate): granted again, nothing to persist.
    assert_eq!(deliver(&mut n2, 1, 1, 1, rv(0, 0)), vec![ResetElectionTimer, send(2, 1, 1, vote(true))]);
    // Another candidate in the same term: rejected.
    assert_eq!(deliver(&mut n2, 2, 3, 1, rv(0, 0)), vec![send(2, 3, 1, vote(false))]);
}

#[test]
fn vote_requires_an_up_to_date_log() {
    // Reference: §5.4.1. Our log ends at term 2, index 2.
    let mut n2 = node_with(2, 3, 2, &[1, 2], cfg());
    // Lower last term, longer log: rejected (but the term is adopted).
    let effects = deliver(&mut n2, 0, 1, 3, rv(5, 1));
    assert_eq!(
        effects,
        vec![PersistHardState, RoleChanged { role: Role::Follower, term: 3 }, send(2, 1, 3, vote(false))]
    );
    // Same last term, shorter: rejected.
    assert_eq!(deliver(&mut n2, 0, 3, 3, rv(1, 2)), vec![send(2, 3, 3, vote(false))]);
    // Same last term, same length: granted.
    assert_eq!(
        deliver(&mut n2, 0, 3, 3, rv(2, 2)),
        vec![PersistHardState, ResetElectionTimer, send(2, 3, 3, vote(true))]
    );
}

#[test]
fn higher_term_turns_a_leader_into_a_follower() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    let effects = deliver(&mut n1, 10, 3, 5, ae_ok(0, 0, 5));
    assert_eq!(
        effects,
        vec![PersistHardState, StopHeartbeatTimer, RoleChanged { role: Role::Follower, term: 5 }]
    );
    assert_eq!(n1.progress(), vec![]);
}

#[test]
fn stale_requests_are_answered_with_our_term() {
    let mut n2 = node_with(2, 3, 4, &[1], cfg());
    assert_eq!(deliver(&mut n2, 0, 1, 3, rv(9, 3)), vec![send(2, 1, 4, vote(false))]);
    assert_eq!(deliver(&mut n2, 0, 1, 3, ae(1, 1, vec![], 1, 7)), vec![send(2, 1, 4, ae_reject(None, 0, 7, 3))]);
    // Stale responses are dropped.
    assert_eq!(deliver(&mut n2, 0, 1, 3, vote(true)), vec![]);
    assert_eq!(n2.term(), 4);
}

#[test]
fn non_voter_never_campaigns() {
    let (mut n4, effects) = Node::new(4, vec![], cfg());
    assert_eq!(effects, vec![ResetElectionTimer]);
    assert_eq!(n4.step(0, Input::ElectionTimeout), vec![ResetElectionTimer]);
    assert_eq!(n4.term(), 0);
}

#[test]
#[should_panic(expected = "invalid transition [follower -> leader]")]
fn become_leader_asserts_a_legal_transition() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], cfg());
    n1.become_leader(0);
}

// ---- pre-vote (dissertation §9.6) ---------------------------------------------------------

fn prevote_cfg() -> Config {
    Config { prevote: true, ..cfg() }
}

#[test]
fn prevote_campaign_does_not_change_the_term() {
    let (mut n1, _) = Node::new(1, vec![1, 2, 3], prevote_cfg());
    let effects = n1.step(0, Input::ElectionTimeout);
    assert_eq!(
        effects,
        vec![
            RoleChanged { role: Role::PreCandidate, term: 0 },
            ResetElectionTimer,
            send(1, 2, 1, pv(0, 0)),
            send(1, 3, 1, pv(0, 0)),
        ]
    );
    assert_eq!((n1.term(), n1.voted_for()), (0, None));
    // One grant is a majority with our own: now the real election, in term 1.
    let effects = deliver(&mut n1, 5, 2, 1, MessageBody::PreVoteResponse { granted: true });
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Candidate, term: 1 },
            ResetElectionTimer,
            send(1, 2, 1, rv(0, 0)),
            send(1, 3, 1, rv(0, 0)),
        ]
    );
}

#[test]
fn prevote_voter_grants_without_changing_state() {
    let (mut n2, _) = Node::new(2, vec![1, 2, 3], prevote_cfg());
    let effects = deliver(&mut n2, 0, 1, 1, pv(0, 0));
    assert_eq!(effects, vec![send(2, 1, 1, MessageBody::PreVoteResponse { granted: true })]);
    assert_eq!((n2.term(), n2.voted_for()), (0, None));
}

#[test]
fn prevote_rejected_for_stale_log_or_live_leader() {
    let mut n2 = node_with(2, 3, 1, &[1], prevote_cfg());
    // Log not up to date: rejected with our own term.
    assert_eq!(deliver(&mut n2, 0, 3, 2, pv(0, 0)), vec![send(2, 3, 1, MessageBody::PreVoteResponse { granted: false })]);
    // Hear from leader S1 at t=100; a pre-vote at t=200 (< 100 + 150) is rejected...
    let _ = deliver(&mut n2, 100, 1, 1, ae(1, 1, vec![], 1, 1));
    assert_eq!(deliver(&mut n2, 200, 3, 2, pv(1, 1)), vec![send(2, 3, 1, MessageBody::PreVoteResponse { granted: false })]);
    // ...and granted once the leader has been silent for the minimum election timeout.
    assert_eq!(deliver(&mut n2, 250, 3, 2, pv(1, 1)), vec![send(2, 3, 2, MessageBody::PreVoteResponse { granted: true })]);
    assert_eq!(n2.term(), 1);
}

#[test]
fn prevote_keeps_a_partitioned_server_from_raising_its_term() {
    let mut c = Cluster::new(3, prevote_cfg());
    c.elect(1);
    c.isolated.insert(3);
    for _ in 0..5 {
        let _ = c.step(3, Input::ElectionTimeout);
        c.deliver_all();
    }
    assert_eq!(c.node(3).term(), 1, "still the term it voted in before the partition");
    assert_eq!(c.node(3).role(), Role::PreCandidate);
    c.isolated.clear();
    c.heartbeat(1);
    assert_eq!(c.node(1).role(), Role::Leader);
    assert_eq!((c.node(3).role(), c.node(3).term()), (Role::Follower, 1));
}

// ---- CheckQuorum (§6.2) and the §4.2.3 rule -------------------------------------------------

#[test]
fn check_quorum_leader_steps_down_without_a_majority() {
    let mut n1 = node_with(1, 3, 0, &[], cq_cfg());
    let _ = make_leader(&mut n1, 0);
    // Heard from S2: a majority with itself, stays leader.
    let _ = deliver(&mut n1, 10, 2, 1, ae_ok(1, 1, 1));
    assert_eq!(n1.step(150, Input::ElectionTimeout), vec![ResetElectionTimer]);
    // Heard from nobody during the next timeout: steps down.
    assert_eq!(
        n1.step(300, Input::ElectionTimeout),
        vec![StopHeartbeatTimer, RoleChanged { role: Role::Follower, term: 1 }, ResetElectionTimer]
    );
}

#[test]
fn leader_without_check_quorum_keeps_leading() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    assert_eq!(n1.step(300, Input::ElectionTimeout), vec![ResetElectionTimer]);
    assert_eq!(n1.role(), Role::Leader);
}

#[test]
fn follower_ignores_vote_requests_while_its_leader_is_alive() {
    // Dissertation §4.2.3.
    let mut n2 = node_with(2, 3, 1, &[], cq_cfg());
    let _ = deliver(&mut n2, 100, 1, 1, ae(0, 0, vec![], 0, 1));
    assert_eq!(deliver(&mut n2, 249, 3, 2, rv(0, 0)), vec![], "ignored: no term change, no answer");
    assert_eq!(n2.term(), 1);
    // A transfer election is not ignored.
    let transfer = MessageBody::RequestVote { last_log_index: 0, last_log_term: 0, transfer: true };
    let effects = deliver(&mut n2, 249, 3, 2, transfer);
    assert_eq!(n2.term(), 2);
    assert_eq!(effects.last(), Some(&send(2, 3, 2, vote(true))));
    // After the minimum election timeout the rule no longer applies.
    let mut n2 = node_with(2, 3, 1, &[], cq_cfg());
    let _ = deliver(&mut n2, 100, 1, 1, ae(0, 0, vec![], 0, 1));
    assert_eq!(deliver(&mut n2, 250, 3, 2, rv(0, 0)).last(), Some(&send(2, 3, 2, vote(true))));
}

#[test]
fn vote_requests_are_not_ignored_without_check_quorum_or_lease() {
    let mut n2 = node_with(2, 3, 1, &[], cfg());
    let _ = deliver(&mut n2, 100, 1, 1, ae(0, 0, vec![], 0, 1));
    assert_eq!(deliver(&mut n2, 110, 3, 2, rv(0, 0)).last(), Some(&send(2, 3, 2, vote(true))));
}

#[test]
fn restarted_server_ignores_vote_requests_until_its_first_timeout() {
    let lease = Config { reads: ReadMode::Lease, ..cfg() };
    let durable = Durable { term: 1, voted_for: None, log: Log::default() };
    let (mut n2, _) = Node::restart(2, durable, vec![1, 2, 3], lease);
    assert_eq!(deliver(&mut n2, 0, 3, 2, rv(0, 0)), vec![]);
    let _ = n2.step(200, Input::ElectionTimeout);
    // It campaigned itself (term 2); a term-3 request is now heard.
    assert_eq!(deliver(&mut n2, 201, 3, 3, rv(0, 0)).last(), Some(&send(2, 3, 3, vote(true))));
}

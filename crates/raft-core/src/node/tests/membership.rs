//! Membership changes (§4.1–§4.2). See node/membership.rs.

use super::*;

// ---- membership (dissertation §4.1) ---------------------------------------------------------

fn add_s4(c: &mut Cluster) {
    let (n4, _) = Node::new(4, vec![], cfg());
    c.nodes.insert(4, n4);
}

#[test]
fn add_server_catches_up_as_learner_then_joins() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    add_s4(&mut c);
    let effects = c.step(1, Input::AddServer { id: 4 });
    assert_eq!(effects, vec![send(1, 4, 1, ae(2, 1, vec![], 2, 1))]);
    assert!(c.node(1).progress()[2].learner);
    assert_eq!(c.node(1).voters(), &[1, 2, 3]);
    // S4 is too short, catches up, then the leader appends the new configuration.
    c.deliver_all();
    assert_eq!(c.node(1).voters(), &[1, 2, 3, 4]);
    assert!(!c.node(1).progress()[2].learner);
    c.heartbeat(1);
    for n in c.nodes.values() {
        assert_eq!(n.voters(), &[1, 2, 3, 4]);
        assert_eq!(n.commit_index(), 3);
        assert_eq!(n.kv().get("a"), Some("1"));
    }
}

#[test]
fn membership_refusals() {
    let mut c = Cluster::new(3, cfg());
    let refused = |c: &mut Cluster, at: NodeId, input: Input| match c.step(at, input).as_slice() {
        [Refused { reason }] => reason.clone(),
        other => panic!("not refused: {other:?}"),
    };
    assert_eq!(refused(&mut c, 2, Input::AddServer { id: 4 }), "S2 is not the leader");
    c.elect(1);
    // A new leader whose no-op has not committed yet (the 2015 fix to §4.1).
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    let r = n1.step(0, Input::AddServer { id: 4 });
    assert_eq!(r, vec![Refused { reason: "S1 has not committed an entry of its term 1 yet".into() }]);
    add_s4(&mut c);
    assert_eq!(refused(&mut c, 1, Input::AddServer { id: 2 }), "S2 is already a voter");
    assert_eq!(refused(&mut c, 1, Input::RemoveServer { id: 4 }), "S4 is not a voter");
    // A learner catching up blocks other changes.
    c.isolated.insert(4);
    let _ = c.step(1, Input::AddServer { id: 4 });
    assert_eq!(refused(&mut c, 1, Input::RemoveServer { id: 3 }), "S4 is still catching up to join");
    assert_eq!(refused(&mut c, 1, Input::AddServer { id: 4 }), "S4 is still catching up to join");
    // Removing the learner cancels its addition: no entry, and changes are possible again.
    assert_eq!(c.step(1, Input::RemoveServer { id: 4 }), vec![]);
    assert_eq!(c.node(1).progress().len(), 2);
    assert_eq!(c.step(1, Input::HeartbeatTimeout).len(), 3, "no more messages to S4");
    let (mut solo, _) = Node::new(1, vec![1], cfg());
    let _ = solo.step(0, Input::ElectionTimeout);
    assert_eq!(
        solo.step(1, Input::RemoveServer { id: 1 }),
        vec![Refused { reason: "cannot remove the last voter".into() }]
    );
}

#[test]
fn only_one_uncommitted_configuration_at_a_time() {
    let mut c = Cluster::new(5, cfg());
    c.elect(1);
    c.isolated.extend([2, 3, 4, 5]);
    let _ = c.step(1, Input::RemoveServer { id: 5 });
    assert_eq!(c.node(1).voters(), &[1, 2, 3, 4], "in force as soon as it is in the log");
    let r = c.step(1, Input::RemoveServer { id: 4 });
    assert_eq!(r, vec![Refused { reason: "the configuration at index 2 is not committed yet".into() }]);
}

#[test]
fn a_removed_server_hears_of_its_removal_then_gets_no_more_messages() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let effects = c.step(1, Input::RemoveServer { id: 3 });
    assert_eq!(effects[0], PersistLog { from: 2 });
    // S3 still gets the configuration without it, so that it learns it is out.
    assert_eq!(sends(&effects).iter().map(|m| m.to).collect::<Vec<_>>(), vec![2, 3]);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
    assert_eq!(c.node(3).voters(), &[1, 2]);
    assert_eq!(c.step(3, Input::ElectionTimeout), vec![ResetElectionTimer], "a removed server never campaigns");
    let effects = c.step(1, Input::HeartbeatTimeout);
    assert_eq!(sends(&effects).iter().map(|m| m.to).collect::<Vec<_>>(), vec![2]);
}

#[test]
fn a_removed_servers_answers_do_not_count_towards_the_majority() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.step(1, Input::RemoveServer { id: 2 });
    // Only S2, which is leaving, answers: the new configuration {S1, S3} needs S3.
    c.inflight.retain(|m| m.to == 2);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 1);
    let effects = c.step(1, Input::HeartbeatTimeout);
    assert_eq!(sends(&effects).iter().map(|m| m.to).collect::<Vec<_>>(), vec![2, 3]);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
}

#[test]
fn removed_leader_leads_until_the_change_commits_then_steps_down() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let effects = c.step(1, Input::RemoveServer { id: 1 });
    assert_eq!(c.node(1).voters(), &[2, 3]);
    assert_eq!(c.node(1).role(), Role::Leader);
    let config_ae = |to| send(1, to, 1, ae(1, 1, vec![Entry { index: 2, term: 1, data: EntryData::Config { voters: vec![2, 3] } }], 1, 1));
    assert_eq!(effects, vec![PersistLog { from: 2 }, config_ae(2), config_ae(3)]);
    // S2's ack alone is not enough: the leader no longer counts itself.
    c.inflight.retain(|m| m.to == 2);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 1);
    assert_eq!(c.node(1).role(), Role::Leader);
    let _ = c.step(1, Input::HeartbeatTimeout);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
    assert_eq!(c.node(1).role(), Role::Follower);
    assert_eq!(c.step(1, Input::ElectionTimeout), vec![ResetElectionTimer], "no longer campaigns");
    c.elect(2);
    assert_eq!(c.node(2).term(), 2);
}

#[test]
fn truncating_a_configuration_entry_reverts_it() {
    let mut n2 = node_with(2, 3, 1, &[1], cfg());
    let config = Entry { index: 2, term: 1, data: EntryData::Config { voters: vec![1, 2] } };
    let _ = deliver(&mut n2, 0, 1, 1, ae(1, 1, vec![config], 0, 1));
    assert_eq!(n2.voters(), &[1, 2]);
    let _ = deliver(&mut n2, 1, 3, 2, ae(1, 1, vec![noop(2, 2)], 0, 1));
    assert_eq!(n2.voters(), &[1, 2, 3]);
}

//! Leadership transfer (§3.10). See node/transfer.rs.

use super::*;

// ---- leadership transfer (§3.10) ------------------------------------------------------------

#[test]
fn transfer_to_an_up_to_date_voter() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let effects = c.step(1, Input::TransferLeadership { to: 2 });
    assert_eq!(effects, vec![send(1, 2, 1, MessageBody::TimeoutNow)]);
    // The target starts an election at once, marked as a transfer, skipping pre-vote.
    c.inflight.clear();
    let n2 = c.nodes.get_mut(&2).unwrap();
    let mut n2_cfg = cfg();
    n2_cfg.prevote = true;
    n2.set_config(n2_cfg);
    let effects = deliver(n2, 1, 1, 1, MessageBody::TimeoutNow);
    let transfer_rv = MessageBody::RequestVote { last_log_index: 1, last_log_term: 1, transfer: true };
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Candidate, term: 2 },
            ResetElectionTimer,
            send(2, 1, 2, transfer_rv.clone()),
            send(2, 3, 2, transfer_rv),
        ]
    );
    for e in effects {
        if let Send(m) = e {
            c.inflight.push_back(m);
        }
    }
    c.deliver_all();
    assert_eq!(c.node(2).role(), Role::Leader);
    assert_eq!(c.node(1).role(), Role::Follower);
}

#[test]
fn transfer_catches_the_target_up_first_and_refuses_writes_meanwhile() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    c.isolated.insert(3);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    c.isolated.clear();
    c.now = 10;
    let effects = c.step(1, Input::TransferLeadership { to: 3 });
    assert_eq!(sends(&effects).len(), 1);
    assert!(matches!(sends(&effects)[0].body, MessageBody::AppendEntries { .. }));
    assert_eq!(c.node(1).transfer_target(), Some(3));
    let r = c.request(1, 2, put("b", "2"));
    assert_eq!(r, vec![ClientReply { id: id(2), reply: Reply::NotLeader { hint: None } }]);
    c.deliver_all();
    assert_eq!(c.node(3).role(), Role::Leader);
    assert_eq!(c.node(3).term(), 2);
}

#[test]
fn transfer_aborts_after_an_election_timeout() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    c.isolated.insert(3);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    c.now = 10;
    let _ = c.step(1, Input::TransferLeadership { to: 3 });
    c.deliver_all();
    c.now = 159;
    c.heartbeat(1);
    assert_eq!(c.node(1).transfer_target(), Some(3));
    c.now = 160;
    let effects = c.step(1, Input::HeartbeatTimeout);
    assert_eq!(effects[0], Refused { reason: "transfer to S3 did not complete within 150ms: aborted".into() });
    assert_eq!(c.node(1).transfer_target(), None);
    c.deliver_all();
    // Normal service resumes.
    let _ = c.request(1, 2, put("b", "2"));
    c.deliver_all();
    assert_eq!(c.reply_to(2), Some(Reply::Result(ClientResult::Done)));
}

#[test]
fn transfer_refusals() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let one = |c: &mut Cluster, at, to| c.step(at, Input::TransferLeadership { to });
    assert_eq!(one(&mut c, 2, 3), vec![Refused { reason: "S2 is not the leader".into() }]);
    assert_eq!(one(&mut c, 1, 1), vec![Refused { reason: "S1 is already the leader".into() }]);
    assert_eq!(one(&mut c, 1, 7), vec![Refused { reason: "S7 is not a voter".into() }]);
    c.isolated.insert(3);
    let _ = c.request(1, 1, put("a", "1"));
    c.deliver_all();
    let _ = one(&mut c, 1, 3);
    assert_eq!(one(&mut c, 1, 2), vec![Refused { reason: "a transfer to S3 is in progress".into() }]);
}

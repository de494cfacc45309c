//! Log replication, commitment (§5.3, §5.4.2), client writes and sessions (§6.3), snapshots.
//! See node/replication.rs.

use super::*;

// ---- log replication -----------------------------------------------------------------------

#[test]
fn follower_appends_and_commits_up_to_the_last_new_entry() {
    let (mut n2, _) = Node::new(2, vec![1, 2, 3], cfg());
    let effects = deliver(&mut n2, 0, 1, 1, ae(0, 0, vec![noop(1, 1), put_entry(2, 1, 9, "k", "v")], 5, 3));
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Follower, term: 1 },
            ResetElectionTimer,
            PersistLog { from: 1 },
            Committed { index: 2 }, // min(leader_commit 5, last new entry 2)
            Applied { index: 1, term: 1 },
            Applied { index: 2, term: 1 },
            send(2, 1, 1, ae_ok(2, 3, 1)),
        ]
    );
    assert_eq!(n2.kv().get("k"), Some("v"));
    assert_eq!(n2.leader_hint(), Some(1));
}

#[test]
fn follower_rejects_with_a_hint() {
    let mut n2 = node_with(2, 3, 3, &[1, 2, 2], cfg());
    // Too short.
    assert_eq!(
        deliver(&mut n2, 0, 1, 3, ae(5, 3, vec![], 0, 1)),
        vec![ResetElectionTimer, send(2, 1, 3, ae_reject(None, 4, 1, 3))]
    );
    // Conflicting term at prev: our term 2 run starts at index 2.
    assert_eq!(
        deliver(&mut n2, 0, 1, 3, ae(3, 3, vec![], 0, 2)),
        vec![ResetElectionTimer, send(2, 1, 3, ae_reject(Some(2), 2, 2, 3))]
    );
}

#[test]
fn stale_append_never_truncates_matching_entries() {
    let (mut n2, _) = Node::new(2, vec![1, 2, 3], cfg());
    let _ = deliver(&mut n2, 0, 1, 1, ae(0, 0, vec![noop(1, 1), noop(2, 1), noop(3, 1)], 0, 1));
    // A delayed duplicate of an earlier, shorter message.
    let effects = deliver(&mut n2, 1, 1, 1, ae(0, 0, vec![noop(1, 1)], 0, 1));
    assert_eq!(effects, vec![ResetElectionTimer, send(2, 1, 1, ae_ok(1, 1, 1))]);
    assert_eq!(n2.log().last_index(), 3);
}

#[test]
fn conflicting_suffix_is_truncated() {
    let mut n2 = node_with(2, 3, 2, &[1, 2, 2], cfg());
    let effects = deliver(&mut n2, 0, 1, 3, ae(1, 1, vec![noop(2, 3)], 0, 1));
    assert_eq!(
        effects,
        vec![
            PersistHardState,
            RoleChanged { role: Role::Follower, term: 3 },
            ResetElectionTimer,
            PersistLog { from: 2 },
            send(2, 1, 3, ae_ok(2, 1, 3)),
        ]
    );
    assert_eq!(n2.log().last_index(), 2);
    assert_eq!(n2.log().term_at(2), Some(3));
}

/// Figure 7's leader (term 8) and follower (f): the leader skips a whole term per round trip.
#[test]
fn fast_backtracking_skips_a_term_per_round_trip() {
    let leader_terms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    let mut n1 = node_with(1, 3, 7, &leader_terms, Config { leader_noop: false, ..cfg() });
    let _ = make_leader(&mut n1, 0);
    assert_eq!(n1.term(), 8);
    let mut f = node_with(2, 3, 7, &[1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], cfg());

    // Round 1: prev = 10/6; f holds term 3 there, starting at 7.
    let r = deliver(&mut f, 1, 1, 8, ae(10, 6, vec![], 0, 1));
    assert_eq!(sends(&r), vec![msg(2, 1, 8, ae_reject(Some(3), 7, 1, 8))]);
    // The leader has no term 3: jump to 7.
    let r = deliver(&mut n1, 2, 2, 8, ae_reject(Some(3), 7, 1, 8));
    assert_eq!(r, vec![send(1, 2, 8, ae(6, 5, n1.log().entries_from(7, 64), 0, 1))]);
    // Round 2: f holds term 2 at 6, starting at 4.
    let r = deliver(&mut f, 3, 1, 8, ae(6, 5, n1.log().entries_from(7, 64), 0, 1));
    assert_eq!(sends(&r), vec![msg(2, 1, 8, ae_reject(Some(2), 4, 1, 8))]);
    let r = deliver(&mut n1, 4, 2, 8, ae_reject(Some(2), 4, 1, 8));
    let round3 = ae(3, 1, n1.log().entries_from(4, 64), 0, 1);
    assert_eq!(r, vec![send(1, 2, 8, round3.clone())]);
    // Round 3: match.
    let r = deliver(&mut f, 5, 1, 8, round3);
    assert_eq!(sends(&r), vec![msg(2, 1, 8, ae_ok(10, 1, 8))]);
    assert_eq!(f.log().entries(), n1.log().entries());
    // A duplicate of the first rejection changes nothing.
    let _ = deliver(&mut n1, 6, 2, 8, ae_ok(10, 1, 8));
    assert_eq!(deliver(&mut n1, 7, 2, 8, ae_reject(Some(3), 7, 1, 8)), vec![]);
    assert_eq!(n1.progress()[0].next_index, 11);
}

#[test]
fn leader_uses_its_last_entry_of_the_conflicting_term() {
    // Leader [1,2,2,2,4]; follower holds term 2 at prev but diverges after.
    let mut n1 = node_with(1, 3, 4, &[1, 2, 2, 2, 4], Config { leader_noop: false, ..cfg() });
    let _ = make_leader(&mut n1, 0);
    let r = deliver(&mut n1, 1, 2, 5, ae_reject(Some(2), 2, 1, 5));
    // Leader's last entry of term 2 is 4: resume at 5.
    assert_eq!(r, vec![send(1, 2, 5, ae(4, 2, n1.log().entries_from(5, 64), 0, 1))]);
}

#[test]
fn heartbeat_sends_entries_from_next_index_and_rearms() {
    let mut n1 = node_with(1, 2, 0, &[], Config { max_entries_per_append: 1, ..cfg() });
    let _ = make_leader(&mut n1, 0);
    let _ = n1.step(1, Input::ClientRequest { id: id(1), command: put("a", "1") });
    let effects = n1.step(50, Input::HeartbeatTimeout);
    assert_eq!(effects, vec![send(1, 2, 1, ae(0, 0, vec![noop(1, 1)], 0, 2)), SetHeartbeatTimer]);
}

// ---- commitment (§5.4.2) -------------------------------------------------------------------

#[test]
fn leader_never_commits_old_term_entries_by_counting() {
    // Figure 8: S1 leads term 3 with an entry of term 2 at index 2 (no no-op).
    let config = Config { leader_noop: false, ..cfg() };
    let mut n1 = node_with(1, 5, 2, &[1, 2], config);
    let _ = make_leader(&mut n1, 0);
    assert_eq!(n1.term(), 3);
    assert_eq!(deliver(&mut n1, 1, 2, 3, ae_ok(2, 1, 3)), vec![]);
    assert_eq!(deliver(&mut n1, 1, 3, 3, ae_ok(2, 1, 3)), vec![], "index 2 is on a majority, but of term 2");
    assert_eq!(n1.commit_index(), 0);
    // An entry of term 3 on a majority commits it, and index 2 with it.
    let _ = n1.step(2, Input::ClientRequest { id: id(1), command: put("x", "1") });
    let _ = deliver(&mut n1, 3, 2, 3, ae_ok(3, 1, 3));
    let effects = deliver(&mut n1, 3, 3, 3, ae_ok(3, 1, 3));
    assert_eq!(
        effects,
        vec![
            Committed { index: 3 },
            Applied { index: 1, term: 1 },
            Applied { index: 2, term: 2 },
            Applied { index: 3, term: 3 },
            ClientReply { id: id(1), reply: Reply::Result(ClientResult::Done) },
        ]
    );
}

#[test]
fn bug_commit_old_terms_commits_by_counting() {
    let config = Config { leader_noop: false, bugs: vec![Bug::CommitOldTerms], ..cfg() };
    let mut n1 = node_with(1, 5, 2, &[1, 2], config);
    let _ = make_leader(&mut n1, 0);
    let _ = deliver(&mut n1, 1, 2, 3, ae_ok(2, 1, 3));
    let effects = deliver(&mut n1, 1, 3, 3, ae_ok(2, 1, 3));
    assert_eq!(effects, vec![Committed { index: 2 }, Applied { index: 1, term: 1 }, Applied { index: 2, term: 2 }]);
}

#[test]
fn leader_noop_off_puts_the_first_command_at_index_1() {
    let mut c = Cluster::new(3, Config { leader_noop: false, ..cfg() });
    c.elect(1);
    assert_eq!(c.node(1).log().last_index(), 0);
    let effects = c.request(1, 1, put("a", "1"));
    assert_eq!(effects[0], PersistLog { from: 1 });
    c.deliver_all();
    assert_eq!(c.node(1).log().entry(1).unwrap().data.to_string(), "put a 1");
    assert_eq!(c.reply_to(1), Some(Reply::Result(ClientResult::Done)));
}

#[test]
fn replication_in_a_cluster() {
    let mut c = Cluster::new(5, cfg());
    c.elect(3);
    let _ = c.request(3, 1, put("bike42", "alice"));
    c.deliver_all();
    assert_eq!(c.reply_to(1), Some(Reply::Result(ClientResult::Done)));
    c.heartbeat(3);
    for n in c.nodes.values() {
        assert_eq!(n.commit_index(), 2);
        assert_eq!(n.kv().get("bike42"), Some("alice"));
    }
}

// ---- client requests and sessions (§6.3) ---------------------------------------------------

#[test]
fn non_leader_answers_not_leader_with_a_hint() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let effects = c.request(2, 1, put("a", "1"));
    assert_eq!(effects, vec![ClientReply { id: id(1), reply: Reply::NotLeader { hint: Some(1) } }]);
}

#[test]
fn retry_is_answered_from_the_session() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 7, Command::Cas { key: "x".into(), old: None, new: "a".into() });
    // A retry while the entry is in flight is not appended twice.
    assert_eq!(c.request(1, 7, Command::Cas { key: "x".into(), old: None, new: "a".into() }), vec![]);
    c.deliver_all();
    assert_eq!(c.node(1).log().last_index(), 2);
    // A retry after it applied gets the first result, not CasFailed.
    let effects = c.request(1, 7, Command::Cas { key: "x".into(), old: None, new: "a".into() });
    assert_eq!(effects, vec![ClientReply { id: id(7), reply: Reply::Result(ClientResult::Done) }]);
    assert_eq!(c.node(1).log().last_index(), 2);
}

#[test]
fn retry_at_a_new_leader_is_deduplicated_when_applied() {
    // The first attempt lands at S1 and is replicated, but S1 dies before answering; the retry
    // goes to S2 which appends it again. It is applied once.
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    let _ = c.request(1, 5, put("x", "1"));
    c.deliver_all();
    c.isolated.insert(1);
    c.elect(2);
    let _ = c.request(2, 6, put("x", "2"));
    c.deliver_all();
    let effects = c.request(2, 5, put("x", "1"));
    assert_eq!(effects, vec![ClientReply { id: id(5), reply: Reply::Result(ClientResult::Done) }]);
    assert_eq!(c.node(2).kv().get("x"), Some("2"), "the retry did not apply again");
}

#[test]
fn pending_requests_are_dropped_silently_on_step_down() {
    let mut n1 = node_with(1, 3, 0, &[], cfg());
    let _ = make_leader(&mut n1, 0);
    let _ = n1.step(1, Input::ClientRequest { id: id(1), command: put("a", "1") });
    let effects = deliver(&mut n1, 2, 2, 2, rv(9, 9));
    assert!(replies(&effects).is_empty());
}

// ---- snapshots -----------------------------------------------------------------------------

#[test]
fn compaction_after_every_n_applied_entries() {
    let (mut n1, _) = Node::new(1, vec![1], Config { snapshot_every: 2, ..cfg() });
    let _ = n1.step(0, Input::ElectionTimeout); // noop at 1
    let effects = n1.step(1, Input::ClientRequest { id: id(1), command: put("a", "1") });
    assert_eq!(
        effects,
        vec![
            PersistLog { from: 2 },
            Committed { index: 2 },
            Applied { index: 2, term: 1 },
            ClientReply { id: id(1), reply: Reply::Result(ClientResult::Done) },
        ]
    );
    // Compaction waits for the next step, so the applied entry can still be read now.
    assert_eq!(n1.log().entry(2).unwrap().data.to_string(), "put a 1");
    assert_eq!(n1.step(50, Input::HeartbeatTimeout), vec![PersistSnapshot { last_index: 2 }, SetHeartbeatTimer]);
    let snapshot = n1.log().snapshot().unwrap();
    assert_eq!((snapshot.last_index, snapshot.last_term, snapshot.voters.clone()), (2, 1, vec![1]));
    assert_eq!(snapshot.state.data, vec![("a".to_string(), "1".to_string())]);
    assert_eq!(snapshot.state.sessions, vec![(1, 1, ClientResult::Done)]);
    assert_eq!(n1.log().entries(), &[]);
    // Restart rebuilds the state machine from the snapshot.
    let (n1, _) = Node::restart(1, n1.durable(), vec![1], cfg());
    assert_eq!((n1.commit_index(), n1.last_applied()), (2, 2));
    assert_eq!(n1.kv().get("a"), Some("1"));
}

#[test]
fn lagging_follower_gets_an_install_snapshot() {
    let mut c = Cluster::new(3, Config { snapshot_every: 3, ..cfg() });
    c.elect(1);
    c.isolated.insert(3);
    for k in 1..=4 {
        let _ = c.request(1, k, put(&format!("k{k}"), "v"));
        c.deliver_all();
    }
    assert_eq!(c.node(1).log().snapshot_index(), 3);
    c.isolated.clear();
    let effects = c.step(1, Input::HeartbeatTimeout);
    let to_s3: Vec<Message> = sends(&effects).into_iter().filter(|m| m.to == 3).collect();
    assert!(matches!(to_s3[0].body, MessageBody::InstallSnapshot { .. }));
    // The follower installs it.
    let m = to_s3[0].clone();
    let MessageBody::InstallSnapshot { read_ctx, .. } = m.body else { unreachable!() };
    let effects = c.nodes.get_mut(&3).unwrap().step(c.now, Input::Message(m));
    let response = MessageBody::InstallSnapshotResponse { last_index: 3, read_ctx, read_term: 1 };
    assert_eq!(
        effects,
        vec![
            ResetElectionTimer,
            PersistSnapshot { last_index: 3 },
            PersistLog { from: 4 },
            Committed { index: 3 },
            send(3, 1, 1, response.clone()),
        ]
    );
    c.inflight.clear();
    c.inflight.push_back(msg(3, 1, 1, response));
    c.deliver_all();
    c.heartbeat(1);
    assert_eq!(c.node(3).commit_index(), 5);
    assert_eq!(c.node(3).kv().pairs(), c.node(1).kv().pairs());
}

#[test]
fn install_snapshot_keeps_a_matching_suffix() {
    let mut n2 = node_with(2, 3, 1, &[1, 1, 1, 1], cfg());
    let snapshot = Snapshot { last_index: 2, last_term: 1, voters: vec![1, 2, 3], state: KvStateData::default() };
    let effects = deliver(&mut n2, 0, 1, 1, MessageBody::InstallSnapshot { snapshot, read_ctx: 4 });
    assert_eq!(
        effects,
        vec![
            ResetElectionTimer,
            PersistSnapshot { last_index: 2 },
            Committed { index: 2 },
            send(2, 1, 1, MessageBody::InstallSnapshotResponse { last_index: 2, read_ctx: 4, read_term: 1 }),
        ]
    );
    assert_eq!((n2.log().first_index(), n2.log().last_index()), (3, 4));
}

#[test]
fn old_snapshot_is_not_installed() {
    let mut c = Cluster::new(3, cfg());
    c.elect(1);
    c.heartbeat(1);
    let snapshot = Snapshot { last_index: 1, last_term: 1, voters: vec![1, 2, 3], state: KvStateData::default() };
    let n2 = c.nodes.get_mut(&2).unwrap();
    let effects = deliver(n2, 0, 1, 1, MessageBody::InstallSnapshot { snapshot, read_ctx: 9 });
    assert_eq!(
        effects,
        vec![ResetElectionTimer, send(2, 1, 1, MessageBody::InstallSnapshotResponse { last_index: 1, read_ctx: 9, read_term: 1 })]
    );
    assert!(n2.log().snapshot().is_none());
}

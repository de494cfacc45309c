//! Log replication and commitment: Figure 2 (AppendEntries, "Rules for Servers", "Leaders"),
//! §5.3 and §5.4.2, with snapshots and compaction (dissertation §5).
//!
//! In file order: a client command enters the leader's log (`handle_client_request`,
//! `propose`); the leader sends it in heartbeats and AppendEntries (`broadcast`,
//! `send_append`), or a snapshot when the entries are compacted away; a follower checks and
//! writes them (`handle_append_entries`, `handle_install_snapshot`); the leader tracks each
//! follower's progress from the answers (`handle_append_response`) and commits what a
//! majority holds (`maybe_commit`); committed entries are applied and their clients answered
//! (`apply_committed`). Reads (`reads.rs`), membership (`membership.rs`) and transfers
//! (`transfer.rs`) hook into `after_progress` and `after_leader_commit`.

use super::{Node, PendingRead, Progress, RoleState, ROUND_HISTORY_MAX};
use crate::effect::{ClientReply, Effect};
use crate::kv::KvState;
use crate::message::{Message, MessageBody};
use crate::quorum;
use crate::role::Role;
use crate::types::*;

impl Node {
    // ---- client requests: writes enter the log here -----------------------------------------

    pub(super) fn handle_client_request(&mut self, now: TimeMs, id: RequestId, command: Command) {
        if self.role() != Role::Leader {
            let hint = self.leader_id;
            self.reply(id, ClientReply::NotLeader { hint });
            return;
        }
        // §6.3: a retry of a request already applied is answered from the session.
        if let Some(result) = self.kv.cached_result(id).cloned() {
            self.reply(id, ClientReply::Result(result));
            return;
        }
        let leader = self.leader();
        if leader.pending_writes.values().any(|w| *w == id)
            || leader.pending_reads.iter().any(|r| r.id == id)
            || leader.reads_awaiting_commit.iter().any(|(r, _)| *r == id)
        {
            return; // a retry of a request in progress: it will be answered once
        }
        let transferring = leader.transfer.is_some();
        match command {
            Command::Get { key } if self.config.has_bug(Bug::StaleRead) => {
                // Bug::StaleRead: answer from our own state without confirming that we are
                // still leader. A deposed leader that has not heard so serves stale data.
                let value = self.kv.get(&key).map(str::to_owned);
                self.reply(id, ClientReply::Result(ClientResult::Value(value)));
            }
            Command::Get { key } if self.config.reads != ReadMode::Log => {
                if self.config.reads == ReadMode::Lease && self.lease_holds(now) {
                    // Dissertation §6.4.1: within the lease no other leader can exist.
                    let value = self.kv.get(&key).map(str::to_owned);
                    self.reply(id, ClientReply::Result(ClientResult::Value(value)));
                } else {
                    self.read_index(now, id, key);
                }
            }
            _ if transferring => {
                // §3.10: no new entries while leadership is being handed over.
                self.reply(id, ClientReply::NotLeader { hint: None });
            }
            command => self.propose(now, id, command),
        }
    }

    /// Put a client command in the log; it is answered when applied.
    pub(super) fn propose(&mut self, now: TimeMs, id: RequestId, command: Command) {
        let index = self.append_entry(EntryData::Client { id, command });
        self.leader_mut().pending_writes.insert(index, id);
        self.send_append_to_all();
        // The leader's own commit point may move at once (a single-server cluster).
        self.maybe_commit(now);
    }

    // ---- heartbeats -------------------------------------------------------------------------

    /// Figure 2, "Leaders": heartbeats during idle periods prevent election timeouts. Every
    /// heartbeat is a new round, which also confirms leadership for reads (§6.4).
    pub(super) fn tick_heartbeat(&mut self, now: TimeMs) {
        if self.role() != Role::Leader {
            return; // a stale timer of a former leader
        }
        self.abort_overdue_transfer(now);
        self.broadcast(now);
        self.maybe_send_timeout_now();
        self.out.push(Effect::SetHeartbeatTimer);
    }

    // ---- follower side ----------------------------------------------------------------------

    /// Figure 2, AppendEntries receiver, with the fast-backtracking hint on rejection.
    pub(super) fn handle_append_entries(&mut self, now: TimeMs, m: Message) {
        let MessageBody::AppendEntries { mut prev_index, mut prev_term, mut entries, leader_commit, read_ctx } = m.body
        else {
            unreachable!()
        };
        assert_eq!(m.term, self.term);
        self.leader_id = Some(m.from);
        self.leader_contact_ms = Some(now);
        self.out.push(Effect::ResetElectionTimer);

        // Entries covered by our snapshot are committed, so they match every leader's log
        // (leader completeness): skip them and check from the snapshot point instead.
        let snapshot_index = self.log.snapshot_index();
        if prev_index < snapshot_index {
            entries.retain(|e| e.index > snapshot_index);
            prev_index = snapshot_index;
            prev_term = self.log.snapshot_term();
        }

        let read_term = m.term;
        let reject = |conflict_term, conflict_index| MessageBody::AppendEntriesResponse {
            success: false,
            match_index: 0,
            conflict_term,
            conflict_index,
            read_ctx,
            read_term,
        };
        if prev_index > self.log.last_index() {
            // Too short: a hole cannot be written, not even with Bug::SkipPrevCheck.
            let body = reject(None, self.log.last_index() + 1);
            self.send(m.from, body);
            return;
        }
        let prev_matches = self.log.term_at(prev_index) == Some(prev_term);
        if !prev_matches && !self.config.has_bug(Bug::SkipPrevCheck) {
            // Offer the term of our conflicting entry and where it starts, so the leader can
            // skip the whole term in one round trip.
            let conflict_term = self.log.term_at(prev_index).expect("prev_index is held");
            let body = reject(Some(conflict_term), self.log.first_index_of_term_run(prev_index));
            self.send(m.from, body);
            return;
        }
        // With Bug::SkipPrevCheck we get here even though prev does not match: the entries are
        // written at their indexes over a log that differs before them.

        let mut first_written: Option<Index> = None;
        let mut last_new = prev_index;
        for entry in entries {
            assert_eq!(entry.index, last_new + 1, "entries of one message are contiguous");
            match self.log.term_at(entry.index) {
                // Already held: never truncate a matching entry because of a stale or
                // duplicated message (the simulator reorders and duplicates).
                Some(t) if t == entry.term => {}
                Some(_) if entry.index <= self.commit_index => {
                    // A conflict with a committed entry: impossible in Raft (leader
                    // completeness), reachable only with a bug. Committed entries are never
                    // undone here; stop and report the match so far.
                    break;
                }
                existing => {
                    if existing.is_some() {
                        // Figure 2: "If an existing entry conflicts with a new one (same index
                        // but different terms), delete the existing entry and all that follow".
                        self.log.truncate_from(entry.index);
                    }
                    if entry.term < self.log.last_term() {
                        // Only after Bug::SkipPrevCheck: the entry does not fit after our
                        // (different) prefix, terms would go backwards. Stop here.
                        break;
                    }
                    first_written.get_or_insert(entry.index);
                    self.log.append(entry);
                }
            }
            last_new += 1;
        }
        if let Some(from) = first_written {
            self.out.push(Effect::PersistLog { from });
            self.refresh_voters();
        }
        // Figure 2: "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of
        // last new entry)".
        let new_commit = leader_commit.min(last_new);
        if new_commit > self.commit_index {
            self.commit_to(now, new_commit);
        }
        self.send(
            m.from,
            MessageBody::AppendEntriesResponse {
                success: true,
                match_index: last_new,
                conflict_term: None,
                conflict_index: 0,
                read_ctx,
                read_term,
            },
        );
    }

    /// Dissertation §5.3: install a snapshot from the leader if it is newer than what we have
    /// committed, keeping any log suffix that follows it.
    pub(super) fn handle_install_snapshot(&mut self, now: TimeMs, m: Message) {
        let MessageBody::InstallSnapshot { snapshot, read_ctx } = m.body else { unreachable!() };
        assert_eq!(m.term, self.term);
        self.leader_id = Some(m.from);
        self.leader_contact_ms = Some(now);
        self.out.push(Effect::ResetElectionTimer);
        let last_index = snapshot.last_index;
        if last_index <= self.commit_index {
            // Old news: our committed prefix already covers it (and matches the leader's log).
            let body = MessageBody::InstallSnapshotResponse { last_index: self.commit_index, read_ctx, read_term: m.term };
            self.send(m.from, body);
            return;
        }
        self.kv = KvState::from_data(&snapshot.state);
        let kept_suffix = self.log.install_snapshot(snapshot);
        self.out.push(Effect::PersistSnapshot { last_index });
        if !kept_suffix {
            self.out.push(Effect::PersistLog { from: last_index + 1 });
        }
        self.refresh_voters();
        // The state machine jumps to the snapshot: no Applied effects for the entries it covers.
        self.commit_index = last_index;
        self.last_applied = last_index;
        self.out.push(Effect::Committed { index: last_index });
        self.send(m.from, MessageBody::InstallSnapshotResponse { last_index, read_ctx, read_term: m.term });
    }

    // ---- leader side ------------------------------------------------------------------------

    /// Append a new entry of our term to our own log (leader only).
    pub(super) fn append_entry(&mut self, data: EntryData) -> Index {
        assert_eq!(self.role(), Role::Leader);
        let index = self.log.last_index() + 1;
        let is_config = matches!(data, EntryData::Config { .. });
        self.log.append(Entry { index, term: self.term, data });
        self.out.push(Effect::PersistLog { from: index });
        if is_config {
            // §4.1: a configuration takes effect as soon as it is in the log.
            self.refresh_voters();
            self.sync_progress();
        }
        index
    }

    /// Start a new heartbeat round and send AppendEntries (or a snapshot) to every peer.
    /// Returns the round's number.
    pub(super) fn broadcast(&mut self, now: TimeMs) -> u64 {
        let leader = self.leader_mut();
        leader.read_ctx += 1;
        let ctx = leader.read_ctx;
        leader.round_sent_ms.insert(ctx, now);
        while leader.round_sent_ms.len() > ROUND_HISTORY_MAX {
            leader.round_sent_ms.pop_first();
        }
        self.send_append_to_all();
        ctx
    }

    pub(super) fn send_append_to_all(&mut self) {
        // By position: sending changes no progress entry (and allocates no list of peers).
        for k in 0..self.leader().progress.len() {
            let to = self.leader().progress.key_at(k);
            self.send_append(to);
        }
    }

    /// Send `to` the entries from its next index (at most max_entries_per_append), or the
    /// snapshot when those entries are compacted away.
    pub(super) fn send_append(&mut self, to: NodeId) {
        let leader = self.leader();
        let read_ctx = leader.read_ctx;
        let next_index = leader.progress[&to].next_index;
        let body = if next_index <= self.log.snapshot_index() {
            let snapshot = self.log.snapshot().expect("compacted entries imply a snapshot").clone();
            MessageBody::InstallSnapshot { snapshot, read_ctx }
        } else {
            let prev_index = next_index - 1;
            MessageBody::AppendEntries {
                prev_index,
                prev_term: self.log.term_at(prev_index).expect("prev is held or is the snapshot point"),
                entries: self.log.entries_from(next_index, self.config.max_entries_per_append),
                leader_commit: self.commit_index,
                read_ctx,
            }
        };
        self.send(to, body);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn handle_append_response(
        &mut self,
        now: TimeMs,
        from: NodeId,
        success: bool,
        match_index: Index,
        conflict_term: Option<Term>,
        conflict_index: Index,
        read_ctx: u64,
    ) {
        if !self.leader().progress.contains_key(&from) {
            return; // no longer a member
        }
        self.note_ack(from, read_ctx);
        let last_index = self.log.last_index();
        if success {
            // min(): only a second leader of our term (a bug) could claim more than we hold.
            let matched = match_index.min(last_index);
            let pr = self.leader_mut().progress.get_mut(&from).expect("checked above");
            let advanced = matched > pr.match_index;
            if advanced {
                pr.match_index = matched;
            }
            pr.next_index = pr.next_index.max(pr.match_index + 1);
            let behind = pr.match_index < last_index;
            self.after_progress(now, from);
            if advanced && behind && self.is_leader_with_peer(from) {
                // Keep a lagging follower streaming instead of waiting for the next heartbeat.
                self.send_append(from);
            }
        } else {
            // Fast backtracking: if we hold entries of the follower's conflicting term, resume
            // after our last one of that term; otherwise jump to where its term starts (or
            // just past its log when too short). A whole term is skipped per round trip.
            let computed = match conflict_term {
                Some(t) => self.log.last_index_of_term(t).map_or(conflict_index, |i| i + 1),
                None => conflict_index,
            };
            let pr = self.leader_mut().progress.get_mut(&from).expect("checked above");
            let new_next = computed.max(pr.match_index + 1);
            // A duplicated or reordered rejection computes nothing lower: ignore it.
            if new_next < pr.next_index {
                pr.next_index = new_next;
                self.send_append(from);
            }
            self.check_reads();
        }
    }

    pub(super) fn handle_snapshot_response(&mut self, now: TimeMs, from: NodeId, last_index: Index, read_ctx: u64) {
        if !self.leader().progress.contains_key(&from) {
            return;
        }
        self.note_ack(from, read_ctx);
        let our_last = self.log.last_index();
        let pr = self.leader_mut().progress.get_mut(&from).expect("checked above");
        pr.match_index = pr.match_index.max(last_index.min(our_last));
        pr.next_index = pr.next_index.max(pr.match_index + 1);
        let behind = pr.match_index < our_last;
        self.after_progress(now, from);
        if behind && self.is_leader_with_peer(from) {
            self.send_append(from);
        }
    }

    fn is_leader_with_peer(&self, id: NodeId) -> bool {
        matches!(&self.role, RoleState::Leader(l) if l.progress.contains_key(&id))
    }

    /// After `from`'s match index may have advanced: commit, promote a caught-up learner,
    /// continue a transfer, answer reads.
    fn after_progress(&mut self, now: TimeMs, from: NodeId) {
        self.maybe_commit(now);
        if self.role() != Role::Leader {
            return;
        }
        let commit_index = self.commit_index;
        let learner_ready = self.leader().progress.get(&from).is_some_and(|p| p.learner && p.match_index >= commit_index);
        if learner_ready {
            // Dissertation §4.2.1: the new server caught up as a non-voter; now it joins.
            let mut voters = self.voters.clone();
            voters.push(from);
            crate::sort::insertion_sort_by(&mut voters, |a, b| a < b);
            self.append_entry(EntryData::Config { voters });
            self.send_append_to_all();
        }
        self.maybe_send_timeout_now();
        self.check_reads();
    }

    // ---- commitment and the state machine ---------------------------------------------------

    /// §5.3/§5.4.2: advance the commit index to the highest index stored on a majority of
    /// voters, but only by counting replicas of an entry of the current term.
    pub(super) fn maybe_commit(&mut self, now: TimeMs) {
        let leader = self.leader();
        let last_index = self.log.last_index();
        let match_of = |v: &NodeId| if *v == self.id { last_index } else { leader.progress.get(v).map_or(0, |p| p.match_index) };
        let small = self.config.has_bug(Bug::SmallQuorum);
        // The voters' match indexes in a buffer on the stack (this runs after every
        // acknowledgement; a cluster has a handful of voters), in a vector past 16.
        let mut buffer = [0 as Index; 16];
        let n = if self.voters.len() <= buffer.len() {
            for (m, v) in buffer.iter_mut().zip(&self.voters) {
                *m = match_of(v);
            }
            quorum::committed_index(&buffer[..self.voters.len()], small)
        } else {
            quorum::committed_index(&self.voters.iter().map(match_of).collect::<Vec<_>>(), small)
        };
        if n <= self.commit_index {
            return;
        }
        let current_term = self.log.term_at(n) == Some(self.term);
        // Bug::CommitOldTerms: commit an entry of an earlier term by counting its replicas,
        // which Figure 8 shows can be overwritten later.
        if current_term || self.config.has_bug(Bug::CommitOldTerms) {
            self.commit_to(now, n);
        }
    }

    fn commit_to(&mut self, now: TimeMs, index: Index) {
        assert!(index > self.commit_index && index <= self.log.last_index());
        self.commit_index = index;
        self.out.push(Effect::Committed { index });
        self.apply_committed();
        if self.role() == Role::Leader {
            self.after_leader_commit(now);
        }
    }

    /// Apply committed entries in order, answering the clients waiting on them.
    fn apply_committed(&mut self) {
        while self.last_applied < self.commit_index {
            let index = self.last_applied + 1;
            // Borrowed, not cloned: the log and the state machine are separate fields.
            let entry = self.log.entry(index).expect("committed entries after the snapshot are held");
            let term = entry.term;
            let result = match &entry.data {
                EntryData::Client { id, command } => self.kv.apply(*id, command).map(|r| (*id, r)),
                EntryData::Noop | EntryData::Config { .. } => None,
            };
            self.last_applied = index;
            self.out.push(Effect::Applied { index, term });
            if let RoleState::Leader(leader) = &mut self.role {
                if let Some(waiting) = leader.pending_writes.remove(&index) {
                    // If another request's entry was applied there, ours was overwritten: drop it.
                    if let Some((id, result)) = result.filter(|(id, _)| *id == waiting) {
                        self.out.push(Effect::ClientReply { id, reply: ClientReply::Result(result) });
                    }
                }
            }
        }
    }

    fn after_leader_commit(&mut self, now: TimeMs) {
        // §4.2.2: a leader removed from the configuration steps down once that configuration
        // is committed (until then it leads without counting itself).
        let config_committed = self.log.latest_config_index().is_none_or(|i| i <= self.commit_index);
        if !self.voters.contains(&self.id) && config_committed {
            self.become_follower(self.term, None);
            return;
        }
        // A server that was leaving is now out: no more messages to it (see sync_progress).
        let leaving = |p: &Progress| !p.learner && !self.voters.contains(&p.id);
        if config_committed && self.leader().progress.values().any(leaving) {
            self.sync_progress();
        }
        // Reads that waited for an entry of this term to commit (§6.4) can start their round.
        if self.current_term_committed() && !self.leader().reads_awaiting_commit.is_empty() {
            let waiting = std::mem::take(&mut self.leader_mut().reads_awaiting_commit);
            let ctx = self.broadcast(now);
            let read_index = self.commit_index;
            let leader = self.leader_mut();
            for (id, key) in waiting {
                leader.pending_reads.push(PendingRead { id, key, read_index, ctx });
            }
        }
        self.check_reads();
    }

    /// Log compaction (dissertation §5.1) once `snapshot_every` entries were applied since the
    /// last snapshot. Run at the start of each step (see `step`).
    pub(super) fn maybe_compact(&mut self) {
        let every = self.config.snapshot_every;
        if every == 0 || self.last_applied - self.log.snapshot_index() < every {
            return;
        }
        let last_index = self.last_applied;
        let snapshot = Snapshot {
            last_index,
            last_term: self.log.term_at(last_index).expect("applied entries are held"),
            voters: self.log.config_at(last_index).unwrap_or_else(|| self.initial_voters.clone()),
            state: self.kv.to_data(),
        };
        self.log.compact(snapshot);
        self.out.push(Effect::PersistSnapshot { last_index });
    }
}

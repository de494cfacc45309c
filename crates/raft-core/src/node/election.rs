//! Leader election: Figure 2 ("Followers", "Candidates", RequestVote), §5.2 and §5.4.1, with
//! Pre-Vote (dissertation §9.6) and CheckQuorum (§6.2).
//!
//! The story in file order: the election timer fires (`tick_election`), a follower asks for
//! pre-votes or votes (`pre_campaign`, `campaign`), every answer is counted (`check_campaign`)
//! until the campaign is won or lost, and a voter decides what to answer (`handle_pre_vote`,
//! `handle_request_vote`). The role changes themselves are the `become_*` functions in
//! `node.rs`; the §4.2.3 rule that makes voters ignore requests while a leader is alive is
//! applied by `step_message` through `ignores_vote_requests` below.

use super::{Node, RoleState};
use crate::effect::Effect;
use crate::message::{Message, MessageBody};
use crate::quorum::{self, VoteResult};
use crate::role::Role;
use crate::types::*;

impl Node {
    // ---- timers -----------------------------------------------------------------------------

    pub(super) fn tick_election(&mut self, now: TimeMs) {
        self.quiet_after_restart = false;
        if self.role() == Role::Leader {
            self.tick_election_leader();
            return;
        }
        if !self.voters.contains(&self.id) {
            // A learner, a removed server, or a new one not yet configured: never campaigns.
            self.out.push(Effect::ResetElectionTimer);
            return;
        }
        if self.config.prevote {
            self.pre_campaign(now);
        } else {
            self.campaign(now, false);
        }
    }

    /// CheckQuorum (dissertation §6.2): a leader that has not heard from a majority during the
    /// last election timeout steps down, so a partitioned leader stops serving.
    fn tick_election_leader(&mut self) {
        let RoleState::Leader(leader) = &mut self.role else { unreachable!() };
        let mut active: Vec<NodeId> = leader.recent_active.iter().copied().collect();
        active.push(self.id); // only counts if we are a voter (see quorum::is_quorum)
        leader.recent_active.clear();
        let small = self.config.has_bug(Bug::SmallQuorum);
        if self.config.check_quorum && !quorum::is_quorum(&self.voters, &active, small) {
            self.become_follower(self.term, None);
        }
        self.out.push(Effect::ResetElectionTimer);
    }

    // ---- campaigns --------------------------------------------------------------------------

    fn pre_campaign(&mut self, now: TimeMs) {
        self.become_pre_candidate();
        let (last_log_index, last_log_term) = (self.log.last_index(), self.log.last_term());
        for to in self.other_voters() {
            // The term we would campaign in; ours does not change (§9.6).
            self.send_at(to, self.term + 1, MessageBody::PreVote { last_log_index, last_log_term });
        }
        self.check_campaign(now);
    }

    pub(super) fn campaign(&mut self, now: TimeMs, transfer: bool) {
        self.become_candidate();
        let (last_log_index, last_log_term) = (self.log.last_index(), self.log.last_term());
        for to in self.other_voters() {
            self.send(to, MessageBody::RequestVote { last_log_index, last_log_term, transfer });
        }
        self.check_campaign(now);
    }

    /// Count the votes of the running (pre-)campaign and act on the outcome.
    pub(super) fn check_campaign(&mut self, now: TimeMs) {
        let small = self.config.has_bug(Bug::SmallQuorum);
        let (pre, result) = match &self.role {
            RoleState::PreCandidate(c) | RoleState::Candidate(c) => {
                let granted: Vec<NodeId> = c.granted.iter().copied().collect();
                let rejected: Vec<NodeId> = c.rejected.iter().copied().collect();
                (
                    matches!(self.role, RoleState::PreCandidate(_)),
                    quorum::vote_result(&self.voters, &granted, &rejected, small),
                )
            }
            _ => unreachable!("not campaigning"),
        };
        match (result, pre) {
            (VoteResult::Won, true) => self.campaign(now, false),
            (VoteResult::Won, false) => self.become_leader(now),
            // Lost: wait as a follower for the next timeout (or a leader).
            (VoteResult::Lost, _) => self.become_follower(self.term, None),
            (VoteResult::Pending, _) => {}
        }
    }

    // ---- voting -----------------------------------------------------------------------------

    /// The §4.2.3 rule is on with CheckQuorum or leases (it is what makes a lease safe).
    pub(super) fn ignores_vote_requests(&self, now: TimeMs) -> bool {
        let rule_on = self.config.check_quorum || self.config.reads == ReadMode::Lease;
        rule_on && (self.leader_alive(now) || self.quiet_after_restart)
    }

    /// Whether this server heard from a leader within the minimum election timeout (a leader
    /// counts itself as alive). That leader may have led an earlier term than ours: we may have
    /// learnt our term from a response since, and its lease may still count on us.
    fn leader_alive(&self, now: TimeMs) -> bool {
        if self.role() == Role::Leader {
            return true;
        }
        self.leader_contact_ms.is_some_and(|at| now < at + self.config.election_timeout_min_ms)
    }

    /// §5.4.1 (election restriction): the candidate's log is at least as up to date as ours.
    fn log_up_to_date(&self, last_log_index: Index, last_log_term: Term) -> bool {
        if self.config.has_bug(Bug::VoteAnyLog) {
            // Bug::VoteAnyLog: skip the election restriction, for votes and pre-votes alike.
            return true;
        }
        (last_log_term, last_log_index) >= (self.log.last_term(), self.log.last_index())
    }

    /// Dissertation §9.6: grant iff the candidate's term would be newer than ours, its log is
    /// up to date, and we have not heard from a leader within the minimum election timeout.
    /// Nothing about this server changes.
    pub(super) fn handle_pre_vote(&mut self, now: TimeMs, m: Message) {
        let MessageBody::PreVote { last_log_index, last_log_term } = m.body else { unreachable!() };
        let granted = m.term > self.term && self.log_up_to_date(last_log_index, last_log_term) && !self.leader_alive(now);
        // A grant echoes the asked-for term; a rejection carries ours (as in etcd).
        let term = if granted { m.term } else { self.term };
        self.send_at(m.from, term, MessageBody::PreVoteResponse { granted });
    }

    /// Figure 2, RequestVote receiver (m.term == self.term here).
    pub(super) fn handle_request_vote(&mut self, now: TimeMs, m: Message) {
        let MessageBody::RequestVote { last_log_index, last_log_term, transfer } = m.body else { unreachable!() };
        assert_eq!(m.term, self.term);
        // §4.2.3 again, for a candidate whose term we reached another way (from a response to
        // an old request of ours): "it does not ... grant its vote" while a leader is alive.
        let ignoring = !transfer && self.voted_for != Some(m.from) && self.ignores_vote_requests(now);
        // One vote per term; and as in etcd, no new vote once we know this term's leader.
        let can_vote = !ignoring
            && (self.voted_for == Some(m.from) || (self.voted_for.is_none() && self.leader_id.is_none()));
        let granted = can_vote && self.log_up_to_date(last_log_index, last_log_term);
        if granted {
            if self.voted_for.is_none() {
                self.voted_for = Some(m.from);
                self.out.push(Effect::PersistHardState);
            }
            // Figure 2, Followers: granting a vote resets the election timer.
            self.out.push(Effect::ResetElectionTimer);
        }
        self.send(m.from, MessageBody::RequestVoteResponse { granted });
    }
}

//! Leadership transfer (dissertation §3.10).
//!
//! The leader stops taking new writes, brings the target's log up to date, then sends it
//! TimeoutNow; the target campaigns at once, skipping Pre-Vote, with the `transfer` flag so
//! that voters do not ignore it under §4.2.3. Once TimeoutNow is sent the leader's lease is
//! unsafe for the rest of its term. A transfer that does not complete within an election
//! timeout is aborted at the next heartbeat.

use super::{Node, RoleState, Transfer};
use crate::message::MessageBody;
use crate::types::*;

impl Node {
    // ---- the leader side --------------------------------------------------------------------

    pub(super) fn handle_transfer_leadership(&mut self, now: TimeMs, to: NodeId) {
        if let Some(reason) = self.admin_refusal() {
            return self.refuse(reason);
        }
        if to == self.id {
            return self.refuse(format!("{} is already the leader", node_name(to)));
        }
        if !self.voters.contains(&to) {
            return self.refuse(format!("{} is not a voter", node_name(to)));
        }
        self.leader_mut().transfer = Some(Transfer { to, started_ms: now });
        if !self.maybe_send_timeout_now() {
            self.send_append(to);
        }
    }

    /// Send TimeoutNow once the transfer target's log matches ours. Returns whether sent.
    pub(super) fn maybe_send_timeout_now(&mut self) -> bool {
        let RoleState::Leader(leader) = &mut self.role else { return false };
        let Some(transfer) = leader.transfer else { return false };
        let caught_up = leader.progress.get(&transfer.to).is_some_and(|p| p.match_index == self.log.last_index());
        if caught_up {
            leader.lease_revoked = true;
            self.send(transfer.to, MessageBody::TimeoutNow);
        }
        caught_up
    }

    /// §3.10: abort a transfer that has not completed within an election timeout, and resume
    /// normal service (leader only).
    pub(super) fn abort_overdue_transfer(&mut self, now: TimeMs) {
        let timeout_ms = self.config.election_timeout_min_ms;
        let Some(t) = self.leader().transfer else { return };
        if now < t.started_ms + timeout_ms {
            return;
        }
        self.leader_mut().transfer = None;
        self.refuse(format!("transfer to {} did not complete within {timeout_ms}ms: aborted", node_name(t.to)));
    }

    // ---- the target side --------------------------------------------------------------------

    /// §3.10: the leader asks us to start an election at once, skipping Pre-Vote, with
    /// `transfer` set so that voters do not ignore us under §4.2.3.
    pub(super) fn handle_timeout_now(&mut self, now: TimeMs) {
        if self.voters.contains(&self.id) {
            self.campaign(now, true);
        }
    }
}

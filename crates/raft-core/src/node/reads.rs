//! Reads and the lease: ReadIndex (dissertation §6.4) and lease reads (§6.4.1).
//!
//! A `get` is routed here by `handle_client_request` (in `replication.rs`) unless reads go
//! through the log. With ReadIndex the leader notes its commit index, starts a heartbeat
//! round, and answers once a majority acknowledged that round (or a later one) and the state
//! machine reached the noted index. With a lease it answers at once while a majority
//! acknowledged rounds sent less than the minimum election timeout ago: by the §4.2.3 rule
//! none of them can have helped elect another leader since.
//!
//! Every answer of a follower acknowledges a round (`note_ack`); the same acknowledgements
//! feed CheckQuorum (`tick_election_leader` in `election.rs`).

use super::{Node, PendingRead, RoleState};
use crate::effect::ClientReply;
use crate::quorum;
use crate::types::*;

impl Node {
    // ---- ReadIndex (§6.4) -------------------------------------------------------------------

    /// ReadIndex (dissertation §6.4).
    pub(super) fn read_index(&mut self, now: TimeMs, id: RequestId, key: String) {
        if !self.current_term_committed() {
            if self.config.leader_noop {
                // The no-op of our term will commit soon; until then our commit index may be
                // behind the real one. Wait for it.
                self.leader_mut().reads_awaiting_commit.push((id, key));
            } else if self.leader().transfer.is_some() {
                self.reply(id, ClientReply::NotLeader { hint: None });
            } else {
                // Without a no-op nothing makes an entry of this term commit unless a client
                // writes. Serve this read through the log instead: its own entry does it.
                self.propose(now, id, Command::Get { key });
            }
            return;
        }
        let read_index = self.commit_index;
        let ctx = self.broadcast(now);
        self.leader_mut().pending_reads.push(PendingRead { id, key, read_index, ctx });
        self.check_reads();
    }

    /// A follower answered a round: it is alive (CheckQuorum) and acknowledges our leadership
    /// as of round `ctx` (ReadIndex, lease).
    pub(super) fn note_ack(&mut self, from: NodeId, ctx: u64) {
        let leader = self.leader_mut();
        leader.recent_active.insert(from);
        let acked = leader.acked_ctx.entry_or_insert(from, 0);
        *acked = (*acked).max(ctx);
        if let Some(&sent) = leader.round_sent_ms.get(&ctx) {
            let at = leader.acked_sent_ms.entry_or_insert(from, sent);
            *at = (*at).max(sent);
        }
    }

    /// Answer the ReadIndex reads whose round a majority acknowledged and whose read index is
    /// applied, in arrival order.
    pub(super) fn check_reads(&mut self) {
        let RoleState::Leader(leader) = &mut self.role else { return };
        let small = self.config.has_bug(Bug::SmallQuorum);
        let mut answered = Vec::new();
        leader.pending_reads.retain(|read| {
            let mut acks: Vec<NodeId> =
                leader.acked_ctx.iter().filter(|(_, &c)| c >= read.ctx).map(|(&id, _)| id).collect();
            acks.push(self.id);
            let ready = quorum::is_quorum(&self.voters, &acks, small) && self.last_applied >= read.read_index;
            if ready {
                answered.push((read.id, read.key.clone()));
            }
            !ready
        });
        for (id, key) in answered {
            let value = self.kv.get(&key).map(str::to_owned);
            self.reply(id, ClientReply::Result(ClientResult::Value(value)));
        }
    }

    // ---- the lease (§6.4.1) -----------------------------------------------------------------

    /// The lease (dissertation §6.4.1): a majority acknowledged rounds sent less than the
    /// minimum election timeout ago, so (by §4.2.3) none of them has voted for anyone since.
    pub(super) fn lease_holds(&self, now: TimeMs) -> bool {
        let RoleState::Leader(leader) = &self.role else { return false };
        if leader.transfer.is_some() || leader.lease_revoked || !self.current_term_committed() {
            return false;
        }
        let mut sent: Vec<TimeMs> = self
            .voters
            .iter()
            .filter_map(|v| if *v == self.id { Some(now) } else { leader.acked_sent_ms.get(v).copied() })
            .collect();
        let needed = quorum::majority(self.voters.len(), self.config.has_bug(Bug::SmallQuorum));
        if self.voters.is_empty() || sent.len() < needed {
            return false;
        }
        crate::sort::insertion_sort_by(&mut sent, |a, b| b < a);
        now < sent[needed - 1] + self.config.election_timeout_min_ms
    }
}

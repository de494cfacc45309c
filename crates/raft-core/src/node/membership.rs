//! Membership changes, one server at a time (dissertation §4.1–§4.2).
//!
//! A configuration takes effect as soon as it is in the log, committed or not (§4.1), so the
//! voter set is recomputed whenever the log changes (`refresh_voters`). A new server first
//! catches up as a non-voter (§4.2.1); `after_progress` in `replication.rs` adds it to the
//! voter set once it has. A leader that removed itself steps down once the change commits
//! (§4.2.2, in `after_leader_commit`). The 2015 fix to §4.1 is in `config_change_refusal`:
//! no change before an entry of the leader's term is committed.

use super::{Node, Progress};
use crate::types::*;

impl Node {
    // ---- admin inputs -----------------------------------------------------------------------

    pub(super) fn handle_add_server(&mut self, _now: TimeMs, id: NodeId) {
        if let Some(reason) = self.admin_refusal().or_else(|| self.config_change_refusal()) {
            return self.refuse(reason);
        }
        if self.voters.contains(&id) {
            return self.refuse(format!("{} is already a voter", node_name(id)));
        }
        // §4.2.1: the new server first catches up as a non-voter; it joins the voter set once
        // its log reaches our commit index (see after_progress).
        let next_index = self.log.last_index() + 1;
        self.leader_mut().progress.insert(id, Progress { id, next_index, match_index: 0, learner: true });
        self.send_append(id);
    }

    pub(super) fn handle_remove_server(&mut self, now: TimeMs, id: NodeId) {
        if let Some(reason) = self.admin_refusal() {
            return self.refuse(reason);
        }
        if self.leader().progress.get(&id).is_some_and(|p| p.learner) {
            // Removing a server that is still catching up cancels its addition: it never
            // joined the configuration, so there is nothing to log. (Otherwise an `add` of a
            // crashed server would block every membership change for the rest of the term.)
            self.leader_mut().progress.remove(&id);
            return;
        }
        if let Some(reason) = self.config_change_refusal() {
            return self.refuse(reason);
        }
        if !self.voters.contains(&id) {
            return self.refuse(format!("{} is not a voter", node_name(id)));
        }
        if self.voters.len() == 1 {
            return self.refuse("cannot remove the last voter".to_string());
        }
        let voters: Vec<NodeId> = self.voters.iter().copied().filter(|&v| v != id).collect();
        self.append_entry(EntryData::Config { voters });
        self.send_append_to_all();
        // Removing a server can shrink the majority enough to commit at once.
        self.maybe_commit(now);
    }

    /// Single-server changes need: no configuration change in progress, and (the 2015 fix to
    /// §4.1) an entry of the leader's term committed before its first change.
    fn config_change_refusal(&self) -> Option<String> {
        let leader = self.leader();
        if let Some(p) = leader.progress.values().find(|p| p.learner) {
            return Some(format!("{} is still catching up to join", node_name(p.id)));
        }
        if let Some(i) = self.log.latest_config_index().filter(|&i| i > self.commit_index) {
            return Some(format!("the configuration at index {i} is not committed yet"));
        }
        if !self.current_term_committed() {
            return Some(format!(
                "{} has not committed an entry of its term {} yet",
                node_name(self.id),
                self.term
            ));
        }
        None
    }

    // ---- the configuration in force ---------------------------------------------------------

    /// Recompute the voter set in force from the log (§4.1: the latest configuration in the
    /// log, committed or not; truncating it reverts to the previous one).
    pub(super) fn refresh_voters(&mut self) {
        self.voters = self.compute_voters();
    }

    pub(super) fn compute_voters(&self) -> Vec<NodeId> {
        self.log.config_at(self.log.last_index()).unwrap_or_else(|| self.initial_voters.clone())
    }

    /// Leader: keep a progress entry for every other voter (and a learner being added) and
    /// none for anyone else. A server leaving the configuration keeps its entry until the
    /// configuration without it commits: it receives that configuration, learns that it is no
    /// longer a voter and never campaigns, instead of timing out and disrupting the cluster
    /// with ever higher terms (dissertation §4.2.3). Its answers never count towards a
    /// majority, which is counted over `voters`.
    pub(super) fn sync_progress(&mut self) {
        let next_index = self.log.last_index() + 1;
        let voters = self.voters.clone();
        let leaving = match self.log.latest_config_index() {
            Some(i) if i > self.commit_index => {
                self.log.config_at(i - 1).unwrap_or_else(|| self.initial_voters.clone())
            }
            _ => Vec::new(),
        };
        let id = self.id;
        let leader = self.leader_mut();
        for &v in voters.iter().filter(|&&v| v != id) {
            let p = leader.progress.entry_or_insert(v, Progress { id: v, next_index, match_index: 0, learner: false });
            p.learner = false;
        }
        leader.progress.retain(|v, p| p.learner || voters.contains(v) || leaving.contains(v));
    }
}

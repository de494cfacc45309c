//! What a server reports about itself, whatever runs inside it.

use raft_core::{Index, Log, NodeId, Role, Term};

/// The state a server reports about itself, in Raft's terms: what the page draws (role, term,
/// log, commit) and what the safety checker of Figure 3 reads. A server that reports nothing
/// is drawn as a plain server and checked for linearizability only.
pub trait Reported {
    fn role(&self) -> Role;
    fn term(&self) -> Term;
    fn voted_for(&self) -> Option<NodeId>;
    fn log(&self) -> &Log;
    fn commit_index(&self) -> Index;
    /// The voters of the configuration this server follows.
    fn voters(&self) -> &[NodeId];
    /// The votes a candidate (or a leader, of its election) holds.
    fn votes(&self) -> Vec<NodeId>;
    /// The leader this server believes in.
    fn leader_hint(&self) -> Option<NodeId>;
}

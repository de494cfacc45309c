//! The role a server plays in its current term (Figure 2: followers, candidates, leaders;
//! dissertation §9.6 adds the pre-candidate).
//!
//! Its own module so that both the node and the effects it emits can name it without the two
//! importing each other. The data a role carries (votes, per-follower progress) lives in
//! the node's private `RoleState`; this is the public, copyable name of the role.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    /// The name used by the report and the page: `follower`, `pre-candidate`, `candidate`, `leader`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

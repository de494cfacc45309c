//! Quorum arithmetic over plain types. (SKELETON: to be written.)
use crate::types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteResult { Won, Lost, Pending }

/// Votes needed for a majority of `voters` servers (`small_quorum`: the bug's n/2).
pub fn majority(voters: usize, small_quorum: bool) -> usize { let _ = (voters, small_quorum); todo!() }
pub fn vote_result(voters: &[NodeId], granted: &[NodeId], rejected: &[NodeId], small_quorum: bool) -> VoteResult { let _ = (voters, granted, rejected, small_quorum); todo!() }
/// The highest index stored on a majority, given each voter's match index.
pub fn committed_index(match_indexes: &[Index], small_quorum: bool) -> Index { let _ = (match_indexes, small_quorum); todo!() }

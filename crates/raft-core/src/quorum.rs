//! Quorum arithmetic over plain types: no node state, no side effects, so every function here
//! can be tested exhaustively (see the tests at the bottom).
//!
//! Reference: Raft paper §5.2 (a candidate needs votes from a majority), §5.3/§5.4.2 (an entry
//! is committed once stored on a majority). `small_quorum` is `Bug::SmallQuorum`: half of the
//! cluster, rounded down, is taken for a majority, so two disjoint "majorities" can exist.
use crate::types::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteResult {
    Won,
    Lost,
    Pending,
}

/// Votes needed for a majority of `voters` servers (`small_quorum`: the bug's n/2).
///
/// With the bug, n/2 is still at least 1, so a lone server must at least vote for itself
/// (0 would let an empty set of votes win).
pub fn majority(voters: usize, small_quorum: bool) -> usize {
    if small_quorum {
        // Bug::SmallQuorum: half of the cluster, rounded down, counts as a majority.
        (voters / 2).max(1)
    } else {
        voters / 2 + 1
    }
}

/// The outcome of an election (or pre-election) so far. Only ids in `voters` count: a vote from
/// a server outside the configuration (a learner, a removed server) is no vote at all.
/// `Lost` as soon as the rejections leave too few voters to reach a majority.
pub fn vote_result(voters: &[NodeId], granted: &[NodeId], rejected: &[NodeId], small_quorum: bool) -> VoteResult {
    let needed = majority(voters.len(), small_quorum);
    let yes = voters.iter().filter(|v| granted.contains(v)).count();
    let no = voters.iter().filter(|v| rejected.contains(v) && !granted.contains(v)).count();
    assert!(yes + no <= voters.len());
    if yes >= needed {
        VoteResult::Won
    } else if voters.len() - no < needed {
        VoteResult::Lost
    } else {
        VoteResult::Pending
    }
}

/// The highest index stored on a majority, given each voter's match index (one per voter, the
/// leader's own last index included when it is a voter). 0 when there are too few voters to
/// form a majority at all (an empty configuration).
pub fn committed_index(match_indexes: &[Index], small_quorum: bool) -> Index {
    let needed = majority(match_indexes.len(), small_quorum);
    if match_indexes.is_empty() || needed > match_indexes.len() {
        return 0;
    }
    // The highest index that `needed` voters are at or above (the `needed`-th highest). Counted
    // rather than sorted: a cluster has a handful of voters, and this runs after every
    // acknowledgement a leader receives, so it allocates nothing.
    let reached = |m: Index| match_indexes.iter().filter(|&&x| x >= m).count() >= needed;
    match_indexes.iter().copied().filter(|&m| reached(m)).max().unwrap_or(0)
}

/// Whether `acks` (the subset of `voters` that acknowledged something) is a majority.
pub fn is_quorum(voters: &[NodeId], acks: &[NodeId], small_quorum: bool) -> bool {
    let count = voters.iter().filter(|v| acks.contains(v)).count();
    !voters.is_empty() && count >= majority(voters.len(), small_quorum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_table() {
        let expected = [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4), (8, 5), (9, 5)];
        for (n, m) in expected {
            assert_eq!(majority(n, false), m, "n={n}");
        }
        let small = [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3), (8, 4), (9, 4)];
        for (n, m) in small {
            assert_eq!(majority(n, true), m, "n={n}");
        }
    }

    /// Every subset split of up to 9 voters into granted / rejected / silent, against a brute
    /// force definition.
    #[test]
    fn vote_result_exhaustive() {
        for n in 1..=9u8 {
            let voters: Vec<NodeId> = (1..=n).collect();
            // Each voter is 0 = silent, 1 = granted, 2 = rejected: 3^n combinations.
            let combos = 3usize.pow(n as u32);
            for code in 0..combos {
                let mut c = code;
                let (mut granted, mut rejected) = (vec![], vec![]);
                for &v in &voters {
                    match c % 3 {
                        1 => granted.push(v),
                        2 => rejected.push(v),
                        _ => {}
                    }
                    c /= 3;
                }
                for small in [false, true] {
                    let need = majority(n as usize, small);
                    let silent = n as usize - granted.len() - rejected.len();
                    let want = if granted.len() >= need {
                        VoteResult::Won
                    } else if granted.len() + silent < need {
                        VoteResult::Lost
                    } else {
                        VoteResult::Pending
                    };
                    assert_eq!(vote_result(&voters, &granted, &rejected, small), want);
                }
            }
        }
    }

    #[test]
    fn votes_from_non_voters_do_not_count() {
        assert_eq!(vote_result(&[1, 2, 3], &[1, 7, 8], &[], false), VoteResult::Pending);
        assert_eq!(vote_result(&[1, 2, 3], &[1], &[2, 9], false), VoteResult::Pending);
        assert_eq!(vote_result(&[1, 2, 3], &[1], &[2, 3], false), VoteResult::Lost);
    }

    /// Every vector of match indexes in 0..=4 for up to 6 voters, against the definition:
    /// the largest N such that at least a majority of the indexes are >= N.
    #[test]
    fn committed_index_exhaustive() {
        assert_eq!(committed_index(&[], false), 0);
        for n in 1..=6usize {
            let combos = 5usize.pow(n as u32);
            for code in 0..combos {
                let mut c = code;
                let mut m = vec![];
                for _ in 0..n {
                    m.push((c % 5) as Index);
                    c /= 5;
                }
                for small in [false, true] {
                    let need = majority(n, small);
                    let want = (0..=4).rev().find(|&x| m.iter().filter(|&&i| i >= x).count() >= need).unwrap();
                    assert_eq!(committed_index(&m, small), want, "{m:?} small={small}");
                }
            }
        }
    }

    #[test]
    fn is_quorum_counts_voters_only() {
        assert!(is_quorum(&[1, 2, 3], &[1, 3], false));
        assert!(!is_quorum(&[1, 2, 3], &[1, 4, 5], false));
        assert!(is_quorum(&[1, 2, 3], &[1], true));
        assert!(!is_quorum(&[], &[], false));
    }
}

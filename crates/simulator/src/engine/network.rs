//! The network model: which directions are open, and the text of the current partition.
//!
//! Link state is per direction. A partition assigns every server a group; a message may cross
//! from `a` to `b` only if both are in the same group and no `cut` blocks that direction.
//! Clients stand outside the cluster: they reach every running server whatever the partition.

use raft_core::NodeId;

pub use crate::model::MAX_NODES;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    /// Group of each server (index by id). All zero when healed.
    group: [u8; MAX_NODES + 1],
    /// `cut[a][b]`: messages from a to b are dropped.
    cut: [[bool; MAX_NODES + 1]; MAX_NODES + 1],
}

impl Default for Network {
    fn default() -> Self {
        Network { group: [0; MAX_NODES + 1], cut: [[false; MAX_NODES + 1]; MAX_NODES + 1] }
    }
}

impl Network {
    pub fn can_send(&self, from: NodeId, to: NodeId) -> bool {
        let (f, t) = (from as usize, to as usize);
        self.group[f] == self.group[t] && !self.cut[f][t]
    }

    /// Both directions open.
    pub fn can_exchange(&self, a: NodeId, b: NodeId) -> bool {
        self.can_send(a, b) && self.can_send(b, a)
    }

    /// `partition G1 | G2 …`: servers in no group (among `1..=servers`) form one more group.
    /// Replaces any earlier partition; cuts stay.
    pub fn partition(&mut self, groups: &[Vec<NodeId>], servers: u8) {
        self.group = [0; MAX_NODES + 1];
        // Group 0 is "everyone not named", so named groups are numbered from 1.
        for (g, members) in groups.iter().enumerate() {
            for &id in members {
                self.group[id as usize] = (g + 1) as u8;
            }
        }
        let _ = servers;
    }

    /// Put `x` in a group of its own, leaving the other groups as they are.
    pub fn isolate(&mut self, x: NodeId) {
        let fresh = self.group.iter().copied().max().unwrap_or(0) + 1;
        self.group[x as usize] = fresh;
    }

    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.cut[from as usize][to as usize] = true;
    }

    /// Lift the cut from `from` to `to` only; the partition and other cuts stay.
    pub fn uncut(&mut self, from: NodeId, to: NodeId) {
        self.cut[from as usize][to as usize] = false;
    }

    pub fn heal(&mut self) {
        *self = Network::default();
    }

    pub fn is_healed(&self) -> bool {
        *self == Network::default()
    }

    /// The current groups of `servers` (the ids that exist) as scenario text
    /// (`S1 S2 | S3 S4 S5`), ordered by their lowest server, or empty when every server is in
    /// one group. Cuts are not groups and are listed by [`Network::cuts`].
    pub fn partition_text(&self, servers: &[NodeId]) -> String {
        let groups = self.groups(servers);
        if groups.len() <= 1 {
            return String::new();
        }
        groups
            .iter()
            .map(|g| g.iter().map(|id| format!("S{id}")).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Groups of `servers` (ascending ids), each sorted, ordered by lowest member.
    pub fn groups(&self, servers: &[NodeId]) -> Vec<Vec<NodeId>> {
        let mut out: Vec<(u8, Vec<NodeId>)> = Vec::new();
        for &id in servers {
            let g = self.group[id as usize];
            match out.iter_mut().find(|(gg, _)| *gg == g) {
                Some((_, members)) => members.push(id),
                None => out.push((g, vec![id])),
            }
        }
        out.into_iter().map(|(_, m)| m).collect()
    }

    /// Directions blocked by `cut`, in (from, to) order.
    pub fn cuts(&self) -> Vec<(NodeId, NodeId)> {
        let mut out = Vec::new();
        for f in 1..=MAX_NODES {
            for t in 1..=MAX_NODES {
                if self.cut[f][t] {
                    out.push((f as NodeId, t as NodeId));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_blocks_across_groups_only() {
        let mut n = Network::default();
        n.partition(&[vec![1, 2]], 5);
        assert!(n.can_exchange(1, 2));
        assert!(n.can_exchange(3, 5));
        assert!(!n.can_send(1, 3) && !n.can_send(3, 1));
        assert_eq!(n.partition_text(&[1, 2, 3, 4, 5]), "S1 S2 | S3 S4 S5");
    }

    #[test]
    fn one_way_cut() {
        let mut n = Network::default();
        n.cut(1, 2);
        assert!(!n.can_send(1, 2));
        assert!(n.can_send(2, 1));
        assert_eq!(n.partition_text(&[1, 2, 3]), "");
        assert_eq!(n.cuts(), vec![(1, 2)]);
        n.heal();
        assert!(n.is_healed());
    }

    #[test]
    fn isolate_keeps_other_groups() {
        let mut n = Network::default();
        n.partition(&[vec![1, 2]], 5);
        n.isolate(4);
        assert_eq!(n.partition_text(&[1, 2, 3, 4, 5]), "S1 S2 | S3 S5 | S4");
        // Servers that do not exist (a gap left by `add S9` in a five-server cluster) are not listed.
        assert_eq!(n.partition_text(&[1, 2, 3, 4, 5, 9]), "S1 S2 | S3 S5 S9 | S4");
    }

    #[test]
    fn uncut_lifts_one_direction_and_keeps_the_rest() {
        let mut n = Network::default();
        n.partition(&[vec![1, 2, 3]], 5);
        n.cut(1, 2);
        n.cut(2, 1);
        n.cut(3, 1);
        n.uncut(2, 1);
        assert_eq!(n.cuts(), vec![(1, 2), (3, 1)]);
        assert_eq!(n.partition_text(&[1, 2, 3, 4, 5]), "S1 S2 S3 | S4 S5");
        n.uncut(4, 5); // never cut: nothing changes
        assert_eq!(n.cuts(), vec![(1, 2), (3, 1)]);
    }
}

//! Unit tests of the parser: every command, every setting, every error message.
use super::*;

#[test]
fn smoke() {
    let s = parse("nodes 3\nseed 7\nrun 150ms\ncrash leader\n").unwrap();
    assert_eq!(s.nodes, 3);
    assert_eq!(s.seed, 7);
    assert_eq!(s.items.len(), 4);
}

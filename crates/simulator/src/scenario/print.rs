//! SKELETON — to be written by the parser work.
use super::ast::*;

/// One item as a scenario line, in canonical form (`run 150ms`, `partition S1 S2 | S3 S4 S5`).
pub fn print_item(item: &ItemKind) -> String {
    let _ = item;
    todo!()
}

/// A whole scenario: `nodes` and `seed` first, then every item, one per line.
pub fn print_scenario(s: &Scenario) -> String {
    let _ = s;
    todo!()
}

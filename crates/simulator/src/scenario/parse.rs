//! SKELETON — to be written by the parser work.
use super::ast::*;

/// A scenario error: where, and what was expected. Displays as
/// `line 7, column 11: expected a node name S1..S5, found "S7"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    /// 1-based column (in characters) of the offending token.
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}
impl std::error::Error for ParseError {}

/// Parse a whole scenario. Never panics.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    let _ = text;
    todo!()
}

/// Parse one line typed or recorded in the page, as line number `line` of a running scenario
/// whose servers are S1..S`max_node`. `Ok(None)` for a blank or comment-only line. `nodes` and
/// `seed` are refused here (they must come before the first action).
pub fn parse_line(text: &str, line: u32, max_node: u8) -> Result<Option<Item>, ParseError> {
    let _ = (text, line, max_node);
    todo!()
}

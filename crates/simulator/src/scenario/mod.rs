//! The scenario language of shared/SCENARIO.md: syntax tree, parser and printer.

pub mod ast;
mod parse;
mod print;

pub use ast::*;
pub use parse::{parse, parse_line, ParseError};
pub(crate) use parse::find_str;
pub use print::{print_item, print_scenario};

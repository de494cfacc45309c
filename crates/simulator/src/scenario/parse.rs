//! The parser of the scenario language (shared/SCENARIO.md).
//!
//! `parse` reads a whole scenario and returns its first error, if any, so that a scenario with an
//! error is never half-applied. `parse_line` reads one line typed or recorded in the page. Both
//! never panic, whatever the input: every token is checked, every number is parsed with overflow
//! checks, and the input is only ever sliced at character boundaries.
//!
//! Every error names the line and the column (1-based, counted in characters, not bytes) of the
//! offending token and says what was expected: `line 7, column 11: expected a node name S1..S5,
//! found "S7"`. A missing token is reported just past the last token of the line (a trailing
//! comment or trailing blanks are not counted). An unknown word close to a keyword gets a
//! suggestion (`found "crashh" (did you mean crash?)`).
//!
//! # Decisions where SCENARIO.md is silent
//!
//! - **Lines.** Lines end with `\n` or `\r\n`; a leading byte-order mark is ignored. Only spaces
//!   and tabs separate tokens (any other character, a lone `\r` included, belongs to a token).
//!   `#` starts a comment anywhere, even inside a token (`S1#x` is `S1`).
//! - **Nodes and seed.** `nodes N` and `seed N` may follow settings and expectations but not an
//!   action; the error names the line of the first action. Each may be given at most once. Node
//!   names anywhere in the scenario are checked against that `nodes` value (even on lines before
//!   it), plus every server introduced by an earlier `add`. `add` accepts S1..S9; `remove` does
//!   not make a name invalid (the server still exists, it can be added again).
//! - **Protocol.** `protocol` may be repeated, but after the first action only to name the
//!   protocol already in force: a switch mid-run is an error that names the first action.
//! - **Code** (`protocol js`): a line that is only `code` opens the node's module; every
//!   following line is kept verbatim (comments, `#`, blank lines included) up to a line that is
//!   exactly `end` (blanks around it allowed). One block per scenario, anywhere before or after
//!   the `protocol js` line; a block without `end`, `protocol js` without a block and a block
//!   under another protocol are errors. The printer writes the block right after `seed`.
//! - **`leader` as a target** is accepted where an action names one server: `crash`, `restart`,
//!   both ends of `cut`, `isolate`, `timeout`, `transfer`, `remove` and `via`. It is refused by
//!   `add` (a new server must be named), in `partition` groups and in expectations
//!   (`expect leader X` names a concrete server).
//! - **Durations** are whole numbers of `ms` or `s`, with no sign, and at most one day
//!   (`86400s`), so that simulated time can never overflow. A zero duration is refused where
//!   it means nothing: `run`, `run until leader within`, `heartbeat`, `client-timeout` and the
//!   lower end of `election-timeout`. `latency 0ms..0ms` is allowed (instant delivery).
//! - **Ranges** are `A..B` with `A <= B`; a single duration `D` is accepted as `D..D`
//!   (printed as `D..D`).
//! - **Percentages** have at most 4 decimal places (1 ppm = 0.0001%), at least one digit before
//!   the point, and are at most 100%.
//! - **Keys and values.** A value of `-` means absent: it is accepted by `cas` as OLD and by
//!   `expect value`, and refused as a `put` value or a `cas` NEW. A key may be `-`.
//! - **Lists of servers** (`partition` groups, `expect no-leader`, `on`) may not name a server
//!   twice; `partition` may not put a server in two groups. A single group
//!   (`partition S1 S2`) is allowed: the servers not named form the other group. `|` may be a
//!   token of its own or attached (`S1 S2|S3`), and `->` likewise (`cut S1->S2`).
//!   `cut` needs two different servers (`cut S1 S1` is refused; `cut leader S1` cannot be
//!   checked before the run).
//! - **`run until leader`** without `within` waits at most 10s.
//! - **`expect op LINE`** must name the line of an earlier `put`, `get` or `cas` of the same
//!   scenario. `parse_line` cannot see earlier lines, so it accepts any LINE from 1 to `line - 1`.
//! - **Numbers** (`nodes`, `seed`, `snapshot-every`, `committed`, `op`) are decimal digits only;
//!   leading zeros are accepted.
//! - **Printing** (see `print.rs`) always writes `nodes` and `seed` first, even at their
//!   defaults, then every other item in order, one per line, in canonical form: durations in
//!   `s` when they are whole seconds and in `ms` otherwise, node names upper case, the default
//!   `within 10s` omitted. Line numbers of the printed text may therefore differ from the
//!   original's; `expect op LINE` is renumbered to point at the same client command.

use super::ast::*;
use raft_core::{Bug, NodeId, ReadMode, Role};

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

/// Cluster size when the scenario has no `nodes` line.
pub(crate) const DEFAULT_NODES: u8 = 5;
/// Seed when the scenario has no `seed` line.
pub(crate) const DEFAULT_SEED: u64 = 1;
/// How long `run until leader` waits when it has no `within`.
pub(crate) const DEFAULT_UNTIL_LEADER_MS: u64 = 10_000;
/// The longest duration a scenario may name (one day), so simulated time never overflows.
const DURATION_MS_MAX: u64 = 86_400_000;
const NODES_MAX: u8 = 9;
const PPM_PER_PERCENT: u32 = 10_000;
const PPM_MAX: u32 = 1_000_000;
const PERCENT_DECIMALS_MAX: usize = 4;
const KEY_CHARS_MAX: usize = 32;
/// Longer tokens are shortened in error messages.
const FOUND_CHARS_MAX: usize = 40;

const DURATION: &str = "a duration like 150ms or 2s";
const RANGE: &str = "a range like 150ms..300ms";
const PERCENT: &str = "a percentage like 0% or 12.5%";
const HEAD: &str = "a setting, action or expectation";

/// Every word that may start a line, for suggestions.
const HEADS: [&str; 31] = [
    "nodes", "seed", "election-timeout", "heartbeat", "latency", "loss", "duplicate", "prevote",
    "check-quorum", "client-timeout", "leader-noop", "reads", "snapshot-every", "protocol", "bug",
    "run", "crash", "restart", "partition", "cut", "uncut", "isolate", "heal", "timeout", "transfer",
    "add", "remove", "put", "get", "cas", "expect",
];
const ACTIONS: [&str; 15] = [
    "run", "crash", "restart", "partition", "cut", "uncut", "isolate", "heal", "timeout", "transfer",
    "add", "remove", "put", "get", "cas",
];

/// Parse a whole scenario. Never panics.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let nodes = prescan_nodes(text);
    let mut ctx = Ctx { max_node: nodes, added: 0, line: 0, ops: Ops::Known(Vec::new()) };
    let mut scenario = Scenario { nodes, seed: DEFAULT_SEED, items: Vec::new(), code: None };
    let mut first_action: Option<u32> = None;
    let mut nodes_line: Option<u32> = None;
    let mut seed_line: Option<u32> = None;
    let mut protocol = Protocol::Raft;
    let mut protocol_line: Option<Tok<'_>> = None;
    // The open code block: its `code` token and the lines so far.
    let mut code: Option<(Tok<'_>, Vec<&str>)> = None;
    let mut code_line: Option<Tok<'_>> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let line = u32::try_from(index).unwrap_or(u32::MAX - 1).saturating_add(1);
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some((_, lines)) = &mut code {
            if is_end_line(raw) {
                let (tok, lines) = code.take().unwrap_or_else(|| unreachable!());
                scenario.code = Some(lines.join("\n"));
                code_line = Some(tok);
            } else {
                lines.push(raw);
            }
            continue;
        }
        let mut cur = Cur::new(raw, line);
        let Some(head) = cur.peek() else { continue };
        if head.text == "code" {
            cur.next();
            cur.end()?;
            if let Some(earlier) = code_line {
                return Err(err(head, format!("code is already given on line {} (one node per scenario)", earlier.line)));
            }
            code = Some((head, Vec::new()));
            continue;
        }
        if head.text == "end" {
            return Err(err(head, "found \"end\" without a \"code\" line before it".into()));
        }
        if head.text == "nodes" || head.text == "seed" {
            if let Some(action_line) = first_action {
                return Err(err(head, format!("{} must come before the first action (line {action_line})", head.text)));
            }
            let seen = if head.text == "nodes" { &mut nodes_line } else { &mut seed_line };
            if let Some(earlier) = *seen {
                return Err(err(head, format!("{} is already set on line {earlier}", head.text)));
            }
            *seen = Some(line);
        }
        ctx.line = line;
        let kind = parse_command(&mut cur, &mut ctx)?;
        if let ItemKind::Setting(Setting::Protocol(p)) = &kind {
            // The servers are built for one protocol; repeating it later is harmless.
            match first_action {
                Some(action_line) if *p != protocol => {
                    return Err(err(head, format!("protocol must be set before the first action (line {action_line})")));
                }
                _ => {
                    protocol = *p;
                    protocol_line = Some(head);
                }
            }
        }
        match &kind {
            ItemKind::Setting(Setting::Nodes(n)) => scenario.nodes = *n,
            ItemKind::Setting(Setting::Seed(s)) => scenario.seed = *s,
            ItemKind::Action(action) => {
                first_action.get_or_insert(line);
                if matches!(action, Action::Put { .. } | Action::Get { .. } | Action::Cas { .. }) {
                    if let Ops::Known(lines) = &mut ctx.ops {
                        lines.push(line);
                    }
                }
            }
            _ => {}
        }
        scenario.items.push(Item { line, kind });
    }
    if let Some((tok, _)) = code {
        return Err(err(tok, "this code block has no line \"end\" after it (the module ends at a line that is exactly \"end\")".into()));
    }
    match (protocol, code_line, protocol_line) {
        (Protocol::Js, None, Some(tok)) => Err(err(
            tok,
            "protocol js needs the node's code: a line \"code\", the module's text, then a line \"end\"".into(),
        )),
        (Protocol::Raft | Protocol::Naive, Some(tok), _) => Err(err(
            tok,
            format!("a code block is only for protocol js (this scenario runs {}); add \"protocol js\"", protocol.name()),
        )),
        _ => Ok(scenario),
    }
}

/// A line that closes a code block: exactly `end`, blanks around it allowed.
fn is_end_line(raw: &str) -> bool {
    raw.trim_matches(|c| c == ' ' || c == '\t') == "end"
}

/// Parse one line typed or recorded in the page, as line number `line` of a running scenario
/// whose servers are S1..S`max_node`. `Ok(None)` for a blank or comment-only line. `nodes` and
/// `seed` are refused here (they must come before the first action).
pub fn parse_line(text: &str, line: u32, max_node: u8) -> Result<Option<Item>, ParseError> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if let Some(byte) = text.find('\n') {
        let column = column_of(text, byte);
        return Err(ParseError { line, column, message: "expected one line, found a line break".into() });
    }
    let mut cur = Cur::new(text, line);
    let Some(head) = cur.peek() else { return Ok(None) };
    if head.text == "nodes" || head.text == "seed" {
        return Err(err(head, format!("{} can only be set at the start of a scenario, before the first action", head.text)));
    }
    if head.text == "code" || head.text == "end" {
        return Err(err(head, "a code block (code … end) belongs to a whole scenario, not to one line".into()));
    }
    let mut ctx = Ctx { max_node: max_node.min(NODES_MAX), added: 0, line, ops: Ops::Before };
    let kind = parse_command(&mut cur, &mut ctx)?;
    Ok(Some(Item { line, kind }))
}

/// The cluster size named by a `nodes` line before the first action, so that node names on
/// lines before it can be checked too. Errors are left to the main pass, which reports them in
/// order.
fn prescan_nodes(text: &str) -> u8 {
    let mut in_code = false;
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if in_code {
            in_code = !is_end_line(raw);
            continue;
        }
        let cur = Cur::new(raw, u32::try_from(index).unwrap_or(0));
        let Some(head) = cur.peek() else { continue };
        if head.text == "code" {
            in_code = true;
            continue;
        }
        if ACTIONS.contains(&head.text) {
            break;
        }
        if head.text == "nodes" {
            let size = cur.toks.get(1).and_then(|t| parse_u64(t.text)).and_then(|n| u8::try_from(n).ok());
            if let Some(n) = size.filter(|n| (1..=NODES_MAX).contains(n)) {
                return n;
            }
            break;
        }
    }
    DEFAULT_NODES
}

/// What `expect op LINE` may name.
enum Ops {
    /// The lines of the client commands seen so far (ascending).
    Known(Vec<u32>),
    /// Any line before the current one (`parse_line` cannot see them).
    Before,
}

struct Ctx {
    max_node: u8,
    /// Bit i set: server Si was introduced by an earlier `add`.
    added: u16,
    line: u32,
    ops: Ops,
}

impl Ctx {
    /// Bit i set: Si may be named here.
    fn valid_nodes(&self) -> u16 {
        let base: u16 = (1..=self.max_node.min(NODES_MAX)).fold(0, |m, i| m | (1 << i));
        base | self.added
    }
}

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    text: &'a str,
    line: u32,
    col: u32,
}

impl<'a> Tok<'a> {
    fn end_col(&self) -> u32 {
        self.col.saturating_add(count_chars(self.text))
    }
    /// The part of this token that starts at byte `start` (a character boundary).
    fn sub(&self, start: usize, end: usize) -> Tok<'a> {
        let text = self.text.get(start..end).unwrap_or("");
        let prefix = self.text.get(..start).unwrap_or("");
        Tok { text, line: self.line, col: self.col.saturating_add(count_chars(prefix)) }
    }
}

fn count_chars(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

/// 1-based character column of byte offset `byte` of `text`.
fn column_of(text: &str, byte: usize) -> u32 {
    count_chars(text.get(..byte).unwrap_or(text)).saturating_add(1)
}

/// The tokens of one line, and a cursor over them.
struct Cur<'a> {
    toks: Vec<Tok<'a>>,
    pos: usize,
    line: u32,
    /// Column just past the last token.
    end_col: u32,
}

impl<'a> Cur<'a> {
    fn new(text: &'a str, line: u32) -> Cur<'a> {
        let code = match text.find('#') {
            Some(at) => text.get(..at).unwrap_or(""),
            None => text,
        };
        let mut toks = Vec::new();
        let mut start: Option<(usize, u32)> = None;
        let mut col: u32 = 0;
        for (byte, ch) in code.char_indices() {
            col = col.saturating_add(1);
            if ch == ' ' || ch == '\t' {
                if let Some((s, c)) = start.take() {
                    toks.push(Tok { text: code.get(s..byte).unwrap_or(""), line, col: c });
                }
            } else if start.is_none() {
                start = Some((byte, col));
            }
        }
        if let Some((s, c)) = start {
            toks.push(Tok { text: code.get(s..).unwrap_or(""), line, col: c });
        }
        let end_col = toks.last().map_or(1, |t| t.end_col());
        Cur { toks, pos: 0, line, end_col }
    }

    fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        let tok = self.peek();
        if tok.is_some() {
            self.pos += 1;
        }
        tok
    }

    /// The next token, or an error saying `what` was expected at the end of the line.
    fn need(&mut self, what: &str) -> Result<Tok<'a>, ParseError> {
        match self.next() {
            Some(tok) => Ok(tok),
            None => Err(self.missing(what)),
        }
    }

    fn missing(&self, what: &str) -> ParseError {
        ParseError { line: self.line, column: self.end_col, message: format!("expected {what}, found the end of the line") }
    }

    /// The command is complete: nothing may follow.
    fn end(&mut self) -> Result<(), ParseError> {
        match self.next() {
            None => Ok(()),
            Some(tok) => Err(err(tok, format!("unexpected {} after the end of the command", found(tok.text)))),
        }
    }

    /// Split the remaining tokens further around `sep` (`|`, `->`), keeping `sep` as a token.
    fn split_rest(&mut self, sep: &str) {
        let mut out = Vec::with_capacity(self.toks.len());
        for tok in self.toks.get(self.pos..).unwrap_or(&[]) {
            let mut rest_start = 0;
            while let Some(found_at) = tok.text.get(rest_start..).and_then(|r| find_str(r, sep)) {
                let at = rest_start + found_at;
                if at > rest_start {
                    out.push(tok.sub(rest_start, at));
                }
                out.push(tok.sub(at, at + sep.len()));
                rest_start = at + sep.len();
            }
            if rest_start < tok.text.len() {
                out.push(tok.sub(rest_start, tok.text.len()));
            }
        }
        self.toks.truncate(self.pos);
        self.toks.extend(out);
    }
}

fn err(tok: Tok<'_>, message: String) -> ParseError {
    ParseError { line: tok.line, column: tok.col, message }
}

/// `expected "via" or the end of the command, found "vai" (did you mean via?)`.
fn expected_word(tok: Tok<'_>, word: &str, or_end: bool) -> ParseError {
    let tail = if or_end { " or the end of the command" } else { "" };
    err(tok, format!("expected \"{word}\"{tail}, found {}{}", found(tok.text), suggestion(tok.text, &[word])))
}

fn expected(tok: Tok<'_>, what: &str) -> ParseError {
    err(tok, format!("expected {what}, found {}", found(tok.text)))
}

/// A token quoted for a message: control characters escaped, long tokens shortened.
fn found(text: &str) -> String {
    let mut out = String::from("\"");
    for (i, ch) in text.chars().enumerate() {
        if i == FOUND_CHARS_MAX {
            out.push('…');
            break;
        }
        out.extend(ch.escape_debug());
    }
    out.push('"');
    out
}

/// `a, b or c`.
fn list(words: &[&str]) -> String {
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbours
/// as one edit (optimal string alignment), for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * width + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[(i - 2) * width + j - 2] + 1);
                }
                best
            };
        }
    }
    d[a.len() * width + b.len()]
}

/// ` (did you mean crash?)` when `text` is close to one of `words`.
fn suggestion(text: &str, words: &[&str]) -> String {
    let len = text.chars().count();
    if len == 0 || len > FOUND_CHARS_MAX {
        return String::new();
    }
    // ASCII only: every keyword is ASCII, and the full Unicode case tables would cost the
    // WebAssembly modules about 4 KB for this one message.
    let lower = text.to_ascii_lowercase();
    if let Some(word) = words.iter().find(|w| **w == lower) {
        return format!(" (did you mean {word}? keywords are lower case)");
    }
    let limit = if len <= 4 { 1 } else { 2 };
    let best = words.iter().map(|w| (edit_distance(&lower, w), *w)).min_by_key(|(d, _)| *d);
    if let Some((_, word)) = best.filter(|(d, _)| *d <= limit) {
        return format!(" (did you mean {word}?)");
    }
    // A unique word that starts with what was typed (`vote-any` for `vote-any-log`).
    let mut starting = words.iter().filter(|w| len >= 3 && w.starts_with(lower.as_str()));
    match (starting.next(), starting.next()) {
        (Some(word), None) => format!(" (did you mean {word}?)"),
        _ => String::new(),
    }
}

/// One of a fixed set of words.
fn choose<T: Copy>(cur: &mut Cur<'_>, what: Option<&str>, options: &[(&str, T)]) -> Result<T, ParseError> {
    let words: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
    let want = match what {
        Some(what) => format!("{what} ({})", list(&words)),
        None => list(&words),
    };
    let tok = cur.need(&want)?;
    match options.iter().find(|(w, _)| *w == tok.text) {
        Some((_, value)) => Ok(*value),
        None => Err(err(tok, format!("expected {want}, found {}{}", found(tok.text), suggestion(tok.text, &words)))),
    }
}

fn parse_u64(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.bytes().try_fold(0u64, |acc, b| acc.checked_mul(10)?.checked_add(u64::from(b - b'0')))
}

/// A whole number; `what` names it in the error.
fn number(cur: &mut Cur<'_>, what: &str) -> Result<u64, ParseError> {
    let tok = cur.need(what)?;
    parse_u64(tok.text).ok_or_else(|| expected(tok, what))
}

/// `150ms`, `2s`: whole milliseconds, at least `min_ms`, at most one day.
fn duration_tok(tok: Tok<'_>, min_ms: u64) -> Result<u64, ParseError> {
    let (digits, scale) = if let Some(d) = tok.text.strip_suffix("ms") {
        (d, 1)
    } else if let Some(d) = tok.text.strip_suffix('s') {
        (d, 1000)
    } else {
        return Err(expected(tok, DURATION));
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(expected(tok, DURATION));
    }
    let ms = parse_u64(digits).and_then(|n| n.checked_mul(scale)).filter(|ms| *ms <= DURATION_MS_MAX);
    match ms {
        None => Err(expected(tok, "a duration of at most 86400s (one day)")),
        Some(ms) if ms < min_ms => Err(expected(tok, &format!("a duration of at least {min_ms}ms"))),
        Some(ms) => Ok(ms),
    }
}

fn duration(cur: &mut Cur<'_>, min_ms: u64) -> Result<u64, ParseError> {
    let tok = cur.need(DURATION)?;
    duration_tok(tok, min_ms)
}

/// Where `needle` first occurs in `hay`, as a byte offset (what `hay.find(needle)` says). The
/// parser's few separators are short; `str::find` with a string pattern would compile the
/// Two-Way searcher (3 KB) into every WebAssembly module for them.
pub(crate) fn find_str(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.as_bytes().windows(needle.len()).position(|w| w == needle.as_bytes())
}

/// `A..B` (or a single `D`, meaning `D..D`), with `min_ms <= A <= B`.
fn range(cur: &mut Cur<'_>, min_ms: u64) -> Result<(u64, u64), ParseError> {
    let tok = cur.need(RANGE)?;
    let Some(at) = find_str(tok.text, "..") else {
        if !tok.text.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(expected(tok, RANGE));
        }
        let ms = duration_tok(tok, min_ms)?;
        return Ok((ms, ms));
    };
    let low = duration_tok(tok.sub(0, at), min_ms)?;
    let high = duration_tok(tok.sub(at + 2, tok.text.len()), min_ms)?;
    if low > high {
        return Err(expected(tok, "a range A..B with A <= B"));
    }
    Ok((low, high))
}

/// A term or a range of terms: `N`, `A..B` or `A..` (A or later).
fn term_range(cur: &mut Cur<'_>) -> Result<(u64, u64), ParseError> {
    const WHAT: &str = "a term N, or a range A..B or A.. (whole numbers)";
    let tok = cur.need(WHAT)?;
    let (low, high) = match find_str(tok.text, "..").map(|at| (&tok.text[..at], &tok.text[at + 2..])) {
        None => parse_u64(tok.text).map(|n| (n, n)),
        Some((a, "")) => parse_u64(a).map(|a| (a, u64::MAX)),
        Some((a, b)) => parse_u64(a).zip(parse_u64(b)),
    }
    .ok_or_else(|| expected(tok, WHAT))?;
    if low > high {
        return Err(expected(tok, "a range A..B with A <= B"));
    }
    Ok((low, high))
}

/// `12.5%` as parts per million.
fn percent(cur: &mut Cur<'_>) -> Result<u32, ParseError> {
    let tok = cur.need(PERCENT)?;
    let Some(number) = tok.text.strip_suffix('%') else { return Err(expected(tok, PERCENT)) };
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || (number.contains('.') && frac.is_empty()) {
        return Err(expected(tok, PERCENT));
    }
    if frac.len() > PERCENT_DECIMALS_MAX {
        return Err(expected(tok, "a percentage with at most 4 decimal places"));
    }
    let frac_ppm = frac.bytes().zip([1000u32, 100, 10, 1]).map(|(b, scale)| u32::from(b - b'0') * scale).sum::<u32>();
    let ppm = parse_u64(whole)
        .and_then(|w| u32::try_from(w).ok())
        .and_then(|w| w.checked_mul(PPM_PER_PERCENT))
        .and_then(|w| w.checked_add(frac_ppm))
        .filter(|ppm| *ppm <= PPM_MAX);
    ppm.ok_or_else(|| expected(tok, "a percentage of at most 100%"))
}

fn switch(cur: &mut Cur<'_>) -> Result<bool, ParseError> {
    choose(cur, None, &[("on", true), ("off", false)])
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-')
}

/// A key or value: `[A-Za-z0-9_.:-]{1,32}`. `what` is "a key" or "a value".
fn word(cur: &mut Cur<'_>, what: &str) -> Result<String, ParseError> {
    let want = format!("{what} (1 to 32 letters, digits or _ . : -)");
    let tok = cur.need(&want)?;
    if !tok.text.chars().all(is_key_char) {
        return Err(expected(tok, &want));
    }
    if tok.text.len() > KEY_CHARS_MAX {
        let what = what.strip_suffix(" or -").unwrap_or(what);
        return Err(expected(tok, &format!("{what} of at most 32 characters")));
    }
    Ok(tok.text.to_string())
}

/// A value to store: `-` is refused, as it means absent.
fn stored_value(cur: &mut Cur<'_>) -> Result<String, ParseError> {
    let tok = cur.peek();
    let value = word(cur, "a value")?;
    if value == "-" {
        if let Some(tok) = tok {
            return Err(err(tok, "expected a value, found \"-\" (\"-\" means absent and cannot be stored)".into()));
        }
    }
    Ok(value)
}

/// A value that may be `-` (absent).
fn maybe_value(cur: &mut Cur<'_>) -> Result<Option<String>, ParseError> {
    let value = word(cur, "a value or -")?;
    Ok(if value == "-" { None } else { Some(value) })
}

fn node_id(text: &str) -> Option<NodeId> {
    match text.as_bytes() {
        [b'S' | b's', d @ b'1'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

fn looks_like_node(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some('S' | 's')) && !chars.as_str().is_empty() && chars.all(|c| c.is_ascii_digit())
}

/// `S1..S3, S5 or leader` for the servers in `mask`.
fn describe_nodes(mask: u16, with_leader: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i: u8 = 1;
    while i <= NODES_MAX {
        if mask & (1 << i) == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < NODES_MAX && mask & (1 << (i + 1)) != 0 {
            i += 1;
        }
        parts.push(if start == i { format!("S{i}") } else { format!("S{start}..S{i}") });
        i += 1;
    }
    if with_leader {
        parts.push("leader".into());
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    if refs.is_empty() {
        "a node name (there are no servers)".into()
    } else {
        format!("a node name {}", list(&refs))
    }
}

/// A server name valid in `mask`, or `leader` when `allow_leader`.
fn target_in(cur: &mut Cur<'_>, mask: u16, allow_leader: bool) -> Result<Target, ParseError> {
    let tok = cur.need(&describe_nodes(mask, allow_leader))?;
    if allow_leader && tok.text == "leader" {
        return Ok(Target::Leader);
    }
    if let Some(id) = node_id(tok.text).filter(|id| mask & (1 << id) != 0) {
        return Ok(Target::Node(id));
    }
    if tok.text == "leader" {
        return Err(err(tok, format!("expected {}, found \"leader\" (leader is not allowed here)", describe_nodes(mask, false))));
    }
    // A token that is clearly a server name gets the plain message of SCENARIO.md.
    let with_leader = allow_leader && !looks_like_node(tok.text);
    Err(expected(tok, &describe_nodes(mask, with_leader)))
}

fn target(cur: &mut Cur<'_>, ctx: &Ctx) -> Result<Target, ParseError> {
    target_in(cur, ctx.valid_nodes(), true)
}

fn node(cur: &mut Cur<'_>, ctx: &Ctx) -> Result<NodeId, ParseError> {
    match target_in(cur, ctx.valid_nodes(), false)? {
        Target::Node(id) => Ok(id),
        // Unreachable: `leader` is refused above; answer with an error rather than panic.
        Target::Leader => Err(cur.missing("a node name")),
    }
}

/// One or more servers (`at_least_one`) or zero or more, to the end of the line, each once.
fn node_list(cur: &mut Cur<'_>, ctx: &Ctx, at_least_one: bool) -> Result<Vec<NodeId>, ParseError> {
    let mut nodes = Vec::new();
    while cur.peek().is_some() || (at_least_one && nodes.is_empty()) {
        let tok = cur.peek();
        let id = node(cur, ctx)?;
        if nodes.contains(&id) {
            if let Some(tok) = tok {
                return Err(err(tok, format!("expected each server at most once, found {} a second time", found(tok.text))));
            }
        }
        nodes.push(id);
    }
    Ok(nodes)
}

/// `via X` or nothing, then the end of the command.
fn via(cur: &mut Cur<'_>, ctx: &Ctx) -> Result<Option<Target>, ParseError> {
    match cur.next() {
        None => Ok(None),
        Some(tok) if tok.text == "via" => {
            let t = target(cur, ctx)?;
            cur.end()?;
            Ok(Some(t))
        }
        Some(tok) => Err(expected_word(tok, "via", true)),
    }
}

/// `on X …` or nothing.
fn on_list(cur: &mut Cur<'_>, ctx: &Ctx) -> Result<Vec<NodeId>, ParseError> {
    match cur.next() {
        None => Ok(Vec::new()),
        Some(tok) if tok.text == "on" => node_list(cur, ctx, true),
        Some(tok) => Err(expected_word(tok, "on", true)),
    }
}

fn parse_command(cur: &mut Cur<'_>, ctx: &mut Ctx) -> Result<ItemKind, ParseError> {
    let head = cur.need(HEAD)?;
    let kind = match head.text {
        "nodes" | "seed" | "election-timeout" | "heartbeat" | "latency" | "loss" | "duplicate"
        | "prevote" | "check-quorum" | "client-timeout" | "leader-noop" | "reads"
        | "snapshot-every" | "protocol" | "bug" => ItemKind::Setting(parse_setting(head.text, cur)?),
        "expect" => ItemKind::Expect(parse_expect(cur, ctx)?),
        "run" | "crash" | "restart" | "partition" | "cut" | "uncut" | "isolate" | "heal" | "timeout"
        | "transfer" | "add" | "remove" | "put" | "get" | "cas" => ItemKind::Action(parse_action(head.text, cur, ctx)?),
        other => return Err(err(head, format!("expected {HEAD}, found {}{}", found(other), suggestion(other, &HEADS)))),
    };
    cur.end()?;
    Ok(kind)
}

/// The link of `cut` and `uncut`: `A B` (both directions) or `A -> B` (one direction), two
/// different servers.
fn link(cur: &mut Cur<'_>, ctx: &mut Ctx) -> Result<(Target, Target, bool), ParseError> {
    cur.split_rest("->");
    let from = target(cur, ctx)?;
    let both = match cur.peek() {
        Some(t) if t.text == "->" => {
            cur.next();
            false
        }
        _ => true,
    };
    let to_tok = cur.peek();
    let to = target(cur, ctx)?;
    if let (Target::Node(id), true, Some(tok)) = (from, from == to, to_tok) {
        return Err(expected(tok, &format!("a server other than S{id}")));
    }
    if let (Target::Leader, true, Some(tok)) = (from, from == to, to_tok) {
        return Err(expected(tok, "a server other than leader"));
    }
    Ok((from, to, both))
}

fn parse_setting(head: &str, cur: &mut Cur<'_>) -> Result<Setting, ParseError> {
    Ok(match head {
        "nodes" => {
            let what = "a cluster size from 1 to 9";
            let tok = cur.need(what)?;
            let n = parse_u64(tok.text).filter(|n| (1..=u64::from(NODES_MAX)).contains(n));
            Setting::Nodes(n.and_then(|n| u8::try_from(n).ok()).ok_or_else(|| expected(tok, what))?)
        }
        "seed" => Setting::Seed(number(cur, "a seed (a whole number from 0 to 18446744073709551615)")?),
        "election-timeout" => {
            let (min_ms, max_ms) = range(cur, 1)?;
            Setting::ElectionTimeout { min_ms, max_ms }
        }
        "heartbeat" => Setting::Heartbeat { ms: duration(cur, 1)? },
        "latency" => {
            let (min_ms, max_ms) = range(cur, 0)?;
            Setting::Latency { min_ms, max_ms }
        }
        "loss" => Setting::Loss { ppm: percent(cur)? },
        "duplicate" => Setting::Duplicate { ppm: percent(cur)? },
        "prevote" => Setting::Prevote(switch(cur)?),
        "check-quorum" => Setting::CheckQuorum(switch(cur)?),
        "client-timeout" => Setting::ClientTimeout { ms: duration(cur, 1)? },
        "leader-noop" => Setting::LeaderNoop(switch(cur)?),
        "reads" => Setting::Reads(choose(
            cur,
            None,
            &[("log", ReadMode::Log), ("read-index", ReadMode::ReadIndex), ("lease", ReadMode::Lease)],
        )?),
        "snapshot-every" => Setting::SnapshotEvery(number(cur, "a number of entries (0 for never)")?),
        "protocol" => Setting::Protocol(choose(cur, None, &[("raft", Protocol::Raft), ("naive", Protocol::Naive), ("js", Protocol::Js)])?),
        _ => {
            let options: Vec<(&str, Bug)> = Bug::ALL.iter().map(|b| (b.name(), *b)).collect();
            Setting::Bug(choose(cur, Some("a bug name"), &options)?)
        }
    })
}

fn parse_action(head: &str, cur: &mut Cur<'_>, ctx: &mut Ctx) -> Result<Action, ParseError> {
    Ok(match head {
        "run" => {
            let want = "a duration like 150ms or 2s, or \"until leader\"";
            let tok = cur.need(want)?;
            if tok.text == "until" {
                let leader = cur.need("\"leader\"")?;
                if leader.text != "leader" {
                    return Err(expected_word(leader, "leader", false));
                }
                let within_ms = match cur.next() {
                    None => DEFAULT_UNTIL_LEADER_MS,
                    Some(t) if t.text == "within" => duration(cur, 1)?,
                    Some(t) => return Err(expected_word(t, "within", true)),
                };
                Action::RunUntilLeader { within_ms }
            } else if tok.text.starts_with(|c: char| c.is_ascii_digit()) {
                Action::Run { ms: duration_tok(tok, 1)? }
            } else {
                return Err(err(tok, format!("expected {want}, found {}{}", found(tok.text), suggestion(tok.text, &["until"]))));
            }
        }
        "crash" => Action::Crash(target(cur, ctx)?),
        "restart" => Action::Restart(target(cur, ctx)?),
        "isolate" => Action::Isolate(target(cur, ctx)?),
        "timeout" => Action::Timeout(target(cur, ctx)?),
        "transfer" => Action::Transfer(target(cur, ctx)?),
        "remove" => Action::Remove(target(cur, ctx)?),
        "heal" => Action::Heal,
        "add" => {
            let all: u16 = (1..=NODES_MAX).fold(0, |m, i| m | (1 << i));
            let t = target_in(cur, all, false)?;
            if let Target::Node(id) = t {
                ctx.added |= 1 << id;
            }
            Action::Add(t)
        }
        "partition" => parse_partition(cur, ctx)?,
        "cut" => {
            let (from, to, both) = link(cur, ctx)?;
            Action::Cut { from, to, both }
        }
        "uncut" => {
            let (from, to, both) = link(cur, ctx)?;
            Action::Uncut { from, to, both }
        }
        "put" => {
            let key = word(cur, "a key")?;
            let value = stored_value(cur)?;
            Action::Put { key, value, via: via(cur, ctx)? }
        }
        "get" => {
            let key = word(cur, "a key")?;
            Action::Get { key, via: via(cur, ctx)? }
        }
        _ => {
            let key = word(cur, "a key")?;
            let old = maybe_value(cur)?;
            let new = stored_value(cur)?;
            Action::Cas { key, old, new, via: via(cur, ctx)? }
        }
    })
}

fn parse_partition(cur: &mut Cur<'_>, ctx: &Ctx) -> Result<Action, ParseError> {
    cur.split_rest("|");
    let mut groups: Vec<Vec<NodeId>> = vec![Vec::new()];
    let mut seen: u16 = 0;
    loop {
        let tok = cur.peek();
        let id = node(cur, ctx)?;
        if seen & (1 << id) != 0 {
            if let Some(tok) = tok {
                return Err(err(tok, format!("expected each server in at most one group, found {} a second time", found(tok.text))));
            }
        }
        seen |= 1 << id;
        if let Some(group) = groups.last_mut() {
            group.push(id);
        }
        match cur.peek() {
            None => break,
            Some(t) if t.text == "|" => {
                cur.next();
                groups.push(Vec::new());
            }
            Some(_) => {}
        }
    }
    Ok(Action::Partition(groups))
}

fn parse_expect(cur: &mut Cur<'_>, ctx: &Ctx) -> Result<Expect, ParseError> {
    #[derive(Clone, Copy)]
    enum Kind {
        Leader,
        NoLeader,
        Value,
        Committed,
        Role,
        Term,
        Leaders,
        Op,
        Safe,
        Violation,
        Linearizable,
        NotLinearizable,
    }
    let kind = choose(
        cur,
        Some("an expectation"),
        &[
            ("leader", Kind::Leader),
            ("no-leader", Kind::NoLeader),
            ("value", Kind::Value),
            ("committed", Kind::Committed),
            ("role", Kind::Role),
            ("term", Kind::Term),
            ("leaders", Kind::Leaders),
            ("op", Kind::Op),
            ("safe", Kind::Safe),
            ("violation", Kind::Violation),
            ("linearizable", Kind::Linearizable),
            ("not-linearizable", Kind::NotLinearizable),
        ],
    )?;
    Ok(match kind {
        Kind::Leader => match cur.peek() {
            None => Expect::Leader(None),
            Some(_) => Expect::Leader(Some(Target::Node(node(cur, ctx)?))),
        },
        Kind::NoLeader => Expect::NoLeader(node_list(cur, ctx, false)?),
        Kind::Value => {
            let key = word(cur, "a key")?;
            let value = maybe_value(cur)?;
            Expect::Value { key, value, on: on_list(cur, ctx)? }
        }
        Kind::Committed => {
            let index = number(cur, "a log index (a whole number)")?;
            Expect::Committed { index, on: on_list(cur, ctx)? }
        }
        Kind::Role => {
            let node = node(cur, ctx)?;
            let roles = [Role::Follower, Role::PreCandidate, Role::Candidate, Role::Leader].map(|r| (r.name(), r));
            Expect::Role { node, role: choose(cur, Some("a role"), &roles)? }
        }
        Kind::Term => {
            let (low, high) = term_range(cur)?;
            Expect::Term { low, high, on: on_list(cur, ctx)? }
        }
        Kind::Leaders => Expect::Leaders(number(cur, "a number of leaders (a whole number)")?),
        Kind::Op => {
            let what = "the line number of an earlier put, get or cas";
            let tok = cur.need(what)?;
            let line = parse_u64(tok.text).and_then(|n| u32::try_from(n).ok());
            let ok = match (line, &ctx.ops) {
                (Some(l), Ops::Known(lines)) => lines.binary_search(&l).is_ok(),
                (Some(l), Ops::Before) => l >= 1 && l < ctx.line,
                (None, _) => false,
            };
            let Some(line) = line.filter(|_| ok) else {
                let why = match line {
                    Some(l) if l >= ctx.line => format!(" (line {l} is not before this one)"),
                    Some(l) if l >= 1 => format!(" (line {l} is not a put, get or cas)"),
                    _ => String::new(),
                };
                return Err(err(tok, format!("expected {what}, found {}{why}", found(tok.text))));
            };
            let outcome = choose(cur, None, &[("ok", OpOutcome::Ok), ("fail", OpOutcome::Fail), ("unknown", OpOutcome::Unknown)])?;
            Expect::Op { line, outcome }
        }
        Kind::Safe => Expect::Safe,
        Kind::Violation => match cur.peek() {
            None => Expect::Violation(None),
            Some(_) => {
                let options: Vec<(&str, Property)> = Property::ALL.iter().map(|p| (p.name(), *p)).collect();
                Expect::Violation(Some(choose(cur, Some("a property"), &options)?))
            }
        },
        Kind::Linearizable => Expect::Linearizable,
        Kind::NotLinearizable => Expect::NotLinearizable,
    })
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;

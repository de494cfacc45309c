//! Helpers shared by the parser tests (included with `mod`, not a test target of its own).
#![allow(dead_code)]

use simulator::scenario::*;

/// A scenario with line numbers taken out, for "the same items modulo line numbers":
/// `nodes`, `seed`, every other item in order, and each `expect op` as the position of the
/// client command it names among those items.
pub fn normalize(s: &Scenario) -> (u8, u64, Vec<ItemKind>) {
    let body: Vec<&Item> = s
        .items
        .iter()
        .filter(|i| !matches!(i.kind, ItemKind::Setting(Setting::Nodes(_) | Setting::Seed(_))))
        .collect();
    let kinds = body
        .iter()
        .map(|item| match &item.kind {
            ItemKind::Expect(Expect::Op { line, outcome }) => {
                let pos = body.iter().position(|i| i.line == *line).expect("expect op names an item");
                ItemKind::Expect(Expect::Op { line: pos as u32, outcome: *outcome })
            }
            kind => kind.clone(),
        })
        .collect();
    (s.nodes, s.seed, kinds)
}

/// Print, parse the print back, and check it is the same scenario and that printing is stable.
pub fn assert_round_trip(text: &str, s: &Scenario) {
    let printed = print_scenario(s);
    let again = match parse(&printed) {
        Ok(again) => again,
        Err(e) => panic!("the print of {text:?} does not parse: {e}\n--- printed:\n{printed}"),
    };
    assert_eq!(normalize(s), normalize(&again), "round trip of {text:?}\n--- printed:\n{printed}");
    assert_eq!(print_scenario(&again), printed, "printing is not stable for {text:?}");
}

/// SplitMix64: a tiny seeded generator, so the fuzz runs are the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

//! What was left out: every resource or code not imported, counted per code with its display
//! text and why, so that nothing is dropped silently. One summary per patient is written as
//! comments at the top of the patient's file; the summaries of all patients are printed.

use std::collections::BTreeMap;
use std::fmt::Write;

/// One kind of thing left out: the resource type, its code ("LOINC 8867-4"; empty for a whole
/// resource type), the display text and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item {
    pub resource: String,
    pub code: String,
    pub display: String,
    pub why: String,
}

/// Why a code or resource was left out, in the words the summary uses.
pub const NOT_IN_TABLE: &str = "code not in the mapping table";
pub const NOT_IMPORTED_TYPE: &str = "resource type not imported";

/// Counts of what was left out, by item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    items: BTreeMap<Item, u32>,
}

impl Summary {
    /// Counts one more of `item`.
    pub fn add(&mut self, item: Item) {
        *self.items.entry(item).or_default() += 1;
    }

    /// Counts one more resource or code: `resource` of `code` ("" for a whole resource) with
    /// `display`, left out because of `why`.
    pub fn note(&mut self, resource: &str, code: &str, display: &str, why: &str) {
        self.add(Item {
            resource: resource.to_string(),
            code: code.to_string(),
            display: clean(display),
            why: why.to_string(),
        });
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: Summary) {
        for (item, n) in other.items {
            *self.items.entry(item).or_default() += n;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many resources or codes were left out in all.
    pub fn total(&self) -> u64 {
        self.items.values().map(|n| u64::from(*n)).sum()
    }

    /// The items, most frequent first (then by resource and code).
    pub fn ranked(&self) -> Vec<(&Item, u32)> {
        let mut v: Vec<(&Item, u32)> = self.items.iter().map(|(i, n)| (i, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v
    }

    /// The count of items whose reason is `why`.
    pub fn count_why(&self, why: &str) -> u32 {
        self.items
            .iter()
            .filter(|(i, _)| i.why == why)
            .map(|(_, n)| *n)
            .sum()
    }

    /// The summary as lines (no comment marks), at most `limit` items then a count of the
    /// rest: "3 × Condition SNOMED CT 200936003 "Lupus erythematosus" — why".
    pub fn lines(&self, limit: usize) -> Vec<String> {
        let ranked = self.ranked();
        let mut out: Vec<String> = ranked
            .iter()
            .take(limit)
            .map(|(i, n)| line(i, *n))
            .collect();
        if ranked.len() > limit {
            let rest: u32 = ranked.iter().skip(limit).map(|(_, n)| *n).sum();
            out.push(format!(
                "… and {} more kinds ({rest} items)",
                ranked.len() - limit
            ));
        }
        out
    }
}

/// One item as the summary writes it.
fn line(i: &Item, n: u32) -> String {
    let mut s = format!("{n:>4} × {}", i.resource);
    if !i.code.is_empty() {
        let _ = write!(s, " {}", i.code);
    }
    if !i.display.is_empty() {
        let _ = write!(s, " \"{}\"", i.display);
    }
    let _ = write!(s, " — {}", i.why);
    s
}

/// Display text on one line, without control characters, at most 120 characters.
pub fn clean(s: &str) -> String {
    let one: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    crate::text::truncate(&crate::text::sanitize(&one), 120)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_counted_and_ranked() {
        let mut s = Summary::default();
        for _ in 0..3 {
            s.note("Observation", "LOINC 8867-4", "Heart rate", NOT_IN_TABLE);
        }
        s.note("Encounter", "", "", NOT_IMPORTED_TYPE);
        s.note("Condition", "SNOMED CT 1", "a\nb\u{1b}[2J", NOT_IN_TABLE);
        let lines = s.lines(2);
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("3 × Observation LOINC 8867-4 \"Heart rate\""));
        assert!(lines[2].contains("1 more kinds (1 items)"));
        assert_eq!(s.total(), 5);
        assert_eq!(s.count_why(NOT_IN_TABLE), 4);
        assert!(!s.lines(10).concat().contains('\u{1b}'));
    }
}

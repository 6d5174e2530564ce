//! Every row of the criteria inventory (a copy of ../shared/seeds/criteria-inventory.md) is in
//! `trials/` with its id, kind, cohort and verbatim text; and docs/criteria.md is up to date.

use chrono::NaiveDate;
use std::path::PathBuf;
use trialmatch::load::{Source, load};

struct Row {
    id: String,
    kind: String,
    cohort: String,
    text: String,
}

/// Parses the inventory's tables and applies its writing conventions (⏎ = line break,
/// `\>` `\<` `\^` = the plain characters).
fn inventory() -> Vec<Row> {
    let src = std::fs::read_to_string("tests/data/criteria-inventory.md")
        .expect("inventory copy is committed");
    src.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| id ") && !l.starts_with("|---"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").collect();
            if cells.len() != 4 {
                return None;
            }
            let text = cells[3]
                .trim()
                .replace(" ⏎ ", "\n")
                .replace("\\>", ">")
                .replace("\\<", "<")
                .replace("\\^", "^");
            Some(Row {
                id: cells[0].trim().to_string(),
                kind: cells[1].trim().to_string(),
                cohort: cells[2].trim().to_string(),
                text,
            })
        })
        .collect()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
}

#[test]
fn all_107_inventory_rows_are_encoded_verbatim() {
    let rows = inventory();
    assert_eq!(rows.len(), 107, "inventory rows parsed");
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![]),
        as_of(),
    );
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    let all: Vec<_> = ws
        .trials
        .iter()
        .flat_map(|t| t.criteria.iter().map(move |c| (t, c)))
        .collect();
    assert_eq!(all.len(), 107, "criteria in trials/");
    for r in &rows {
        let Some((t, c)) = all.iter().find(|(_, c)| c.id == r.id) else {
            panic!("{} missing from trials/", r.id)
        };
        assert_eq!(c.kind.as_str(), r.kind, "{} kind", r.id);
        // Lines of the source are separate sub-items; compare line by line, whitespace-trimmed.
        let want: Vec<String> = r.text.lines().map(squash).collect();
        let got: Vec<String> = c
            .text
            .trim()
            .lines()
            .map(squash)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(got, want, "{} text differs from the inventory", r.id);
        // Single-population studies use "common"; the inventory names that population.
        let cohort = c.cohort.clone().unwrap_or_else(|| "common".into());
        if t.cohorts.is_empty() {
            assert_eq!(cohort, "common", "{}", r.id);
        } else {
            assert_eq!(cohort, r.cohort, "{} cohort", r.id);
        }
    }
}

#[test]
fn criteria_document_is_generated_from_the_trial_files() {
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![]),
        as_of(),
    );
    let fresh = trialmatch::criteria_doc::render(&ws.trials);
    let committed = std::fs::read_to_string("docs/criteria.md").unwrap_or_default();
    assert!(
        fresh == committed,
        "docs/criteria.md is out of date: run `cargo run -- criteria-doc > docs/criteria.md`"
    );
    for r in inventory() {
        assert!(
            fresh.contains(&format!("### {} — ", r.id)),
            "{} not in the document",
            r.id
        );
    }
    assert_eq!(fresh.matches("- Rule: `").count(), 107);
    assert_eq!(fresh.matches("- In words: ").count(), 107);
}

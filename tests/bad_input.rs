//! Each class of bad input yields a problem naming the file, the line and column where known,
//! and what is wrong — while every other file still loads and is evaluated.

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use trialmatch::load::{Source, Workspace, load};
use trialmatch::problem::Problem;

const GOOD: &str = "id = \"GOOD-1\"\nname = \"Good Example\"\ndob = 1980-01-01\nsex = \"female\"\n";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

/// Loads the shipped trials plus a folder holding a good patient and `bad` as bad.toml.
fn with_bad_patient(bad: &[u8]) -> (Workspace, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a-good.toml"), GOOD).expect("write");
    let bad_path = dir.path().join("bad.toml");
    std::fs::write(&bad_path, bad).expect("write");
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![dir.path().to_path_buf()]),
        as_of(),
    );
    (ws, bad_path, dir)
}

fn only_problem(ws: &Workspace, file: &Path) -> Problem {
    assert!(
        ws.patients.iter().any(|p| p.id() == "GOOD-1"),
        "good file still loads"
    );
    let mine: Vec<&Problem> = ws
        .problems
        .iter()
        .filter(|p| p.file == file.display().to_string())
        .collect();
    assert_eq!(mine.len(), 1, "{:?}", ws.problems);
    assert_eq!(ws.problems.len(), 1, "{:?}", ws.problems);
    mine[0].clone()
}

fn check(bad: &str, line: usize, column: usize, needle: &str) {
    let (ws, path, _d) = with_bad_patient(bad.as_bytes());
    let p = only_problem(&ws, &path);
    assert_eq!((p.line, p.column), (Some(line), Some(column)), "{p}");
    assert!(p.message.contains(needle), "expected '{needle}' in: {p}");
    // The good patient is still evaluated against all four studies.
    assert_eq!(
        trialmatch::rank::rank(&ws.trials, &ws.patients[0], as_of()).len(),
        4
    );
}

#[test]
fn toml_syntax_error() {
    check("id = \"B1\"\nname = \"unclosed\n", 2, 17, "");
}

#[test]
fn unknown_field() {
    check(
        "id = \"B2\"\nwieght = { value = 60, unit = \"kg\" }\n",
        2,
        1,
        "unknown field `wieght`",
    );
}

#[test]
fn wrong_type() {
    check(
        "id = \"B3\"\n[cardiac]\nlvef = \"high\"\n",
        3,
        8,
        "invalid type",
    );
}

#[test]
fn impossible_date() {
    check("id = \"B4\"\ndob = 1980-02-30\n", 2, 7, "");
}

#[test]
fn date_of_birth_after_the_as_of_date() {
    check(
        "id = \"B5\"\ndob = 2027-01-01\n",
        2,
        7,
        "after the as-of date 2026-11-22",
    );
}

#[test]
fn unknown_unit_is_an_error_not_a_guess() {
    check(
        "id = \"B6\"\n\n[[lab]]\nname = \"hemoglobin\"\nvalue = 7\nunit = \"mmol/L\"\n",
        6,
        8,
        "unit 'mmol/L' is not recognised",
    );
    check(
        "id = \"B6b\"\nweight = { value = 10, unit = \"stone\" }\n",
        2,
        10,
        "'stone' is not recognised",
    );
}

#[test]
fn impossible_values() {
    check(
        "id = \"B7\"\nweight = { value = -60, unit = \"kg\" }\n",
        2,
        10,
        "-60 kg is impossible",
    );
    check(
        "id = \"B8\"\n[cardiac]\nlvef = 150.0\n",
        3,
        8,
        "150 is impossible",
    );
    check("id = \"B9\"\n[status]\necog = 7\n", 3, 8, "7 is impossible");
}

#[test]
fn unknown_vocabulary_suggests_the_close_word() {
    check(
        "id = \"B10\"\n[[condition]]\ncategory = \"malignency\"\n",
        3,
        12,
        "did you mean 'malignancy'",
    );
}

#[test]
fn duplicate_patient_id() {
    let (ws, path, _d) = with_bad_patient(GOOD.as_bytes());
    let p = only_problem(&ws, &path);
    assert!(
        p.message.contains("patient id 'GOOD-1' is already used"),
        "{p}"
    );
    assert_eq!(ws.patients.len(), 1);
}

#[test]
fn not_utf8() {
    let (ws, path, _d) = with_bad_patient(b"id = \"B11\"\nname = \"caf\xe9\"\n");
    let p = only_problem(&ws, &path);
    assert_eq!((p.line, p.column), (Some(2), Some(12)), "{p}");
    assert!(p.message.contains("not valid UTF-8"), "{p}");
}

#[test]
fn empty_file() {
    let (ws, path, _d) = with_bad_patient(b"  \n");
    assert!(only_problem(&ws, &path).message.contains("empty"));
}

#[test]
fn enormous_file_is_rejected_by_size() {
    let big = vec![b'#'; 2 * 1024 * 1024];
    let (ws, path, _d) = with_bad_patient(&big);
    let p = only_problem(&ws, &path);
    assert!(p.message.contains("over the 1048576-byte limit"), "{p}");
}

#[test]
fn byte_order_mark_is_accepted() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(b"id = \"BOM-1\"\n");
    let (ws, _path, _d) = with_bad_patient(&bytes);
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    assert!(ws.patients.iter().any(|p| p.id() == "BOM-1"));
}

fn trials_with(extra: &str) -> (Workspace, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in std::fs::read_dir("trials").expect("trials") {
        let f = f.expect("entry").path();
        std::fs::copy(&f, dir.path().join(f.file_name().expect("name"))).expect("copy");
    }
    let path = dir.path().join("zz-extra.toml");
    std::fs::write(&path, extra).expect("write");
    let ws = load(
        &Source::Paths(vec![dir.path().to_path_buf()]),
        &Source::Paths(vec![PathBuf::from("sample-patients")]),
        as_of(),
    );
    (ws, path, dir)
}

const TRIAL_HEAD: &str = "id = \"T-X\"\nshort_name = \"X\"\ntitle = \"X\"\n";

#[test]
fn trial_rule_naming_an_unknown_fact() {
    let (ws, path, _d) = trials_with(&format!(
        "{TRIAL_HEAD}\n[[criterion]]\nid = \"X-1\"\nkind = \"inclusion\"\ncohort = \"common\"\ntext = \"t\"\nrule = \"agee >= 18\"\n"
    ));
    let p = ws
        .problems
        .iter()
        .find(|p| p.file == path.display().to_string())
        .expect("problem");
    assert_eq!((p.line, p.column), (Some(10), Some(9)), "{p}");
    assert!(
        p.message
            .contains("unknown numeric fact 'agee' (did you mean 'age'?)"),
        "{p}"
    );
    assert_eq!(
        ws.trials.len(),
        5,
        "the other trials and this one (minus the bad rule) load"
    );
}

#[test]
fn trial_criterion_in_an_undeclared_cohort() {
    let (ws, path, _d) = trials_with(&format!(
        "{TRIAL_HEAD}\n[[criterion]]\nid = \"X-1\"\nkind = \"inclusion\"\ncohort = \"RA\"\ntext = \"t\"\nrule = \"age >= 18\"\n"
    ));
    let p = ws
        .problems
        .iter()
        .find(|p| p.file == path.display().to_string())
        .expect("problem");
    assert_eq!(p.line, Some(8), "{p}");
    assert!(p.message.contains("cohort 'RA' is not declared"), "{p}");
}

#[test]
fn two_trials_with_one_id() {
    let (ws, path, _d) =
        trials_with("id = \"NCT06613490\"\nshort_name = \"dup\"\ntitle = \"dup\"\n");
    let p = ws
        .problems
        .iter()
        .find(|p| p.file == path.display().to_string() && p.message.contains("trial id"))
        .expect("problem");
    assert!(
        p.message.contains("trial id 'NCT06613490' is already used"),
        "{p}"
    );
    assert_eq!(ws.trials.len(), 4);
    assert_eq!(
        ws.patients.len(),
        std::fs::read_dir("sample-patients").expect("dir").count()
    );
}

#[test]
fn an_attestation_must_answer_a_judgement_its_criterion_asks_for() {
    let att = |criterion: &str, part: &str| {
        format!(
            "id = \"B\"\n\n[[attestation]]\ncriterion = \"{criterion}\"\n{part}met = true\nby = \"Dr X\"\ndate = 2026-11-20\n"
        )
    };
    // A misspelt part, with the part meant.
    check(
        &att("C-I25", "part = \"problemtic\"\n"),
        4,
        13,
        "no judgement 'problemtic' (did you mean 'problematic'?)",
    );
    // No part where the criterion has several judgements.
    check(&att("C-I25", ""), 4, 13, "asks for named judgements");
    // A part where the criterion has one unnamed judgement.
    check(&att("A-I6", "part = \"crcl\"\n"), 4, 13, "remove part");
    // A criterion decided by data alone reads no attestation.
    check(&att("A-I4", ""), 4, 13, "decided by data alone");
}

#[test]
fn a_contraception_period_must_be_a_duration() {
    check(
        "id = \"B\"\n[reproductive]\ncontraception_agreed = true\ncontraception_period = \"a while\"\n",
        4,
        24,
        "not a period like",
    );
}

//! The malformed-input corpus (tests/corpus/): every broken patient or trial file produces
//! exactly the problem recorded for it in tests/corpus/expected.toml — file, line and column
//! where the file is TOML, and a message naming the field — while the good files still load.

use chrono::NaiveDate;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use trialmatch::load::{Source, load};
use trialmatch::problem::Problem;

#[derive(Deserialize)]
struct Expected {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: Option<String>,
    #[serde(default = "yes")]
    problem: bool,
}

fn yes() -> bool {
    true
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

const GOOD: &str = "id = \"GOOD-1\"\nname = \"Good Example\"\ndob = 1980-01-01\n";

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string("tests/corpus/expected.toml").expect("manifest");
    toml::from_str::<Expected>(&text)
        .expect("manifest parses")
        .case
}

/// Loads the case file beside good files; returns the problems naming it and the workspace.
fn run(case: &Case) -> (Vec<Problem>, usize, usize, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = Path::new("tests/corpus").join(&case.file);
    let name = src
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let (trials, patients, target) = if case.file.starts_with("patients/") {
        std::fs::write(dir.path().join("a-good.toml"), GOOD).expect("write");
        let target = dir.path().join(&name);
        std::fs::copy(&src, &target).expect("copy");
        (PathBuf::from("trials"), dir.path().to_path_buf(), target)
    } else {
        for f in std::fs::read_dir("trials").expect("trials") {
            let f = f.expect("entry").path();
            std::fs::copy(&f, dir.path().join(f.file_name().expect("name"))).expect("copy");
        }
        let target = dir.path().join(format!("zz-{name}"));
        std::fs::copy(&src, &target).expect("copy");
        (
            dir.path().to_path_buf(),
            PathBuf::from("sample-patients/p01-ra-multi.toml"),
            target,
        )
    };
    let ws = load(
        &Source::Paths(vec![trials]),
        &Source::Paths(vec![patients]),
        as_of(),
    );
    let target = target.display().to_string();
    let mine: Vec<Problem> = ws
        .problems
        .iter()
        .filter(|p| p.file == target)
        .cloned()
        .collect();
    let others = ws.problems.len() - mine.len();
    (mine, ws.patients.len(), others, target)
}

#[test]
fn corpus_has_at_least_40_files_each_with_its_expected_problem() {
    let cases = cases();
    assert!(cases.len() >= 40, "corpus has {} cases", cases.len());
    let on_disk = std::fs::read_dir("tests/corpus/patients")
        .expect("dir")
        .count()
        + std::fs::read_dir("tests/corpus/trials")
            .expect("dir")
            .count();
    assert_eq!(on_disk, cases.len(), "every corpus file has an expectation");
    for case in &cases {
        let (mine, patients, others, target) = run(case);
        assert_eq!(others, 0, "{}: problems in other files", case.file);
        if case.file.starts_with("patients/") {
            assert!(patients >= 1, "{}: the good patient still loads", case.file);
        } else {
            assert_eq!(patients, 1, "{}: the patient is still evaluated", case.file);
        }
        if !case.problem {
            assert!(mine.is_empty(), "{}: {mine:?}", case.file);
            continue;
        }
        assert_eq!(mine.len(), 1, "{}: {mine:?}", case.file);
        let p = &mine[0];
        assert_eq!(p.file, target);
        assert_eq!(
            (p.line, p.column),
            (case.line, case.column),
            "{}: {p}",
            case.file
        );
        assert_eq!(Some(&p.message), case.message.as_ref(), "{}", case.file);
    }
}

#[test]
fn fifty_megabyte_file_is_rejected_by_its_size_without_being_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a-good.toml"), GOOD).expect("write");
    let big = dir.path().join("huge.toml");
    // A sparse file: its size is 50 MB though nothing is written.
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(50 * 1024 * 1024))
        .expect("sparse file");
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![dir.path().to_path_buf()]),
        as_of(),
    );
    assert_eq!(ws.patients.len(), 1);
    let p: Vec<&Problem> = ws
        .problems
        .iter()
        .filter(|p| p.file == big.display().to_string())
        .collect();
    assert_eq!(p.len(), 1);
    assert_eq!(
        p[0].message,
        "file is 52428800 bytes, over the 1048576-byte limit; not read"
    );
}

#[test]
fn duplicate_patient_id_names_the_id_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.toml"), GOOD).expect("write");
    std::fs::write(dir.path().join("b.toml"), format!("# copy\n{GOOD}")).expect("write");
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![dir.path().to_path_buf()]),
        as_of(),
    );
    assert_eq!(ws.patients.len(), 1);
    assert_eq!(ws.problems.len(), 1);
    let p = &ws.problems[0];
    assert!(p.file.ends_with("b.toml"));
    assert_eq!((p.line, p.column), (Some(2), Some(1)));
    assert_eq!(
        p.message,
        "id: patient id 'GOOD-1' is already used by another file (ids are compared without case); this one is skipped"
    );
}

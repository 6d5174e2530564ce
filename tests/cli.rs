//! The command line as a script would use it: the JSON contract, the table width, `check`'s
//! exit status and messages, and the built-in copies used outside the repository.

use serde_json::Value;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trialmatch"))
}

fn run(args: &[&str]) -> (i32, String) {
    let out = bin().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn json_report_follows_the_documented_contract() {
    let (code, out) = run(&["report", "--format", "json", "--as-of", "2026-11-22"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["as_of"], "2026-11-22");
    let trials = v["trials"].as_array().expect("trials");
    assert_eq!(trials.len(), 4);
    for t in trials {
        for k in ["id", "short_name", "title"] {
            assert!(t[k].is_string(), "trial.{k}");
        }
    }
    assert_eq!(v["problems"].as_array().expect("problems").len(), 0);
    let patients = v["patients"].as_array().expect("patients");
    let files = std::fs::read_dir("sample-patients").expect("dir").count();
    assert_eq!(patients.len(), files);
    for p in patients {
        for k in ["id", "name", "file"] {
            assert!(p[k].is_string(), "patient.{k}");
        }
        let matches = p["matches"].as_array().expect("matches");
        assert_eq!(matches.len(), 4, "four matches for {}", p["id"]);
        let mut last = 0;
        for m in matches {
            let rank = match m["verdict"].as_str() {
                Some("eligible") => 0,
                Some("possible") => 1,
                Some("ineligible") => 2,
                other => panic!("verdict {other:?}"),
            };
            assert!(rank >= last, "best first");
            last = rank;
            assert!(m["trial"].is_string() && m["score"].is_number());
            assert!(m["cohort"].is_string() || m["cohort"].is_null());
            let counts = &m["counts"];
            let n = |k: &str| counts[k].as_u64().expect("count");
            let criteria = m["criteria"].as_array().expect("criteria");
            assert_eq!(
                (n("pass") + n("fail") + n("unknown")) as usize,
                criteria.len()
            );
            for c in criteria {
                assert!(matches!(
                    c["kind"].as_str(),
                    Some("inclusion" | "exclusion")
                ));
                assert!(matches!(
                    c["state"].as_str(),
                    Some("pass" | "fail" | "unknown")
                ));
                assert!(c["id"].is_string() && c["text"].is_string() && c["reason"].is_string());
                let missing = c["missing"].as_array().expect("missing");
                // Unknown always says what is missing; known states never do.
                assert_eq!(c["state"] == "unknown", !missing.is_empty(), "{}", c["id"]);
            }
            for c in m["cohorts"].as_array().expect("cohorts") {
                assert!(c["verdict"].is_string() && c["counts"]["pass"].is_number());
            }
        }
    }
}

#[test]
fn table_report_fits_100_columns() {
    let (code, out) = run(&["report", "--as-of", "2026-11-22"]);
    assert_eq!(code, 0);
    assert!(out.contains("P01  Test Patient Alpha"));
    for line in out.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
}

#[test]
fn check_passes_on_shipped_files() {
    let (code, out) = run(&["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("4 trials (107 criteria)") && out.contains("0 problems"),
        "{out}"
    );
}

#[test]
fn check_fails_with_file_and_line_but_reports_good_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        "sample-patients/p01-ra-multi.toml",
        dir.path().join("good.toml"),
    )
    .expect("copy");
    std::fs::write(
        dir.path().join("broken.toml"),
        "id = \"X\"\n[cardiac]\nlvef = 150.0\n",
    )
    .expect("write");
    let d = dir.path().display().to_string();
    let (code, out) = run(&["check", "--patients", &d]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("broken.toml:3:8: cardiac.lvef: 150 is impossible"),
        "{out}"
    );
    assert!(out.contains("2 patients, 1 problems"), "{out}");
    let (code, out) = run(&["report", "--patients", &d, "--as-of", "2026-11-22"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("P01") && out.contains("broken.toml:3:8"),
        "{out}"
    );
}

#[test]
fn built_in_copies_are_used_outside_the_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let files = std::fs::read_dir("sample-patients").expect("dir").count();
    assert!(
        text.contains(&format!(
            "4 trials (107 criteria), {files} patients, 0 problems"
        )),
        "{text}"
    );
}

#[test]
fn bad_as_of_date_is_refused() {
    let out = bin()
        .args(["report", "--as-of", "2026-02-30"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a date like 2026-11-22"));
}

#[test]
fn readme_patient_example_is_a_valid_file() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let start = readme.find("```toml\nid = \"P01\"").expect("example") + "```toml\n".len();
    let len = readme[start..].find("```").expect("end of example");
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("example.toml");
    std::fs::write(&f, &readme[start..start + len]).expect("write");
    let (code, out) = run(&["check", "--patients", &f.display().to_string()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 patients, 0 problems"), "{out}");
}

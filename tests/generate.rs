//! `trialmatch generate`: deterministic for a seed, valid for `check`, varied across studies.

use std::process::Command;

fn generate(dir: &std::path::Path, seed: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .args([
            "generate",
            "--count",
            "300",
            "--seed",
            seed,
            "--as-of",
            "2026-11-22",
            "--out",
        ])
        .arg(dir)
        .output()
        .expect("runs")
}

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let p = e.expect("entry").path();
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read(&p).expect("read"),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn same_seed_same_files_and_all_valid() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let c = tempfile::tempdir().expect("tempdir");
    assert!(generate(&a.path().join("g"), "42").status.success());
    assert!(generate(&b.path().join("g"), "42").status.success());
    assert!(generate(&c.path().join("g"), "43").status.success());
    let (fa, fb, fc) = (
        files(&a.path().join("g")),
        files(&b.path().join("g")),
        files(&c.path().join("g")),
    );
    assert_eq!(fa.len(), 300);
    assert!(fa == fb, "one seed, identical files");
    assert!(fa != fc, "another seed, other files");

    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .args(["check", "--as-of", "2026-11-22", "--patients"])
        .arg(a.path().join("g"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("300 patients, 0 problems"), "{text}");

    // Every study has patients of each verdict class somewhere in a large enough queue, and
    // ages span children to older adults.
    let csv = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .args([
            "report",
            "--format",
            "csv",
            "--as-of",
            "2026-11-22",
            "--patients",
        ])
        .arg(a.path().join("g"))
        .output()
        .expect("runs");
    let csv = String::from_utf8_lossy(&csv.stdout);
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 1200, "300 patients × 4 studies");
    for v in ["possible", "ineligible"] {
        assert!(rows.iter().any(|r| r[5] == v), "no {v} row");
    }
    let text: String = fa
        .iter()
        .map(|(_, t)| String::from_utf8_lossy(t).into_owned())
        .collect();
    for code in ["ra", "asys", "sle", "pss", "ssc", "iim", "srns", "igan"] {
        assert!(
            text.contains(&format!("code = \"{code}\"")),
            "no {code} patient"
        );
    }
}

#[test]
fn generate_never_overwrites_and_writes_owner_only() {
    let a = tempfile::tempdir().expect("tempdir");
    let dir = a.path().join("g");
    assert!(generate(&dir, "1").status.success());
    let again = generate(&dir, "1");
    assert!(!again.status.success(), "refuses to overwrite");
    assert!(String::from_utf8_lossy(&again.stderr).contains("g000001.toml"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("g000001.toml"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dmode = std::fs::metadata(&dir).expect("meta").permissions().mode();
        assert_eq!(dmode & 0o777, 0o700);
    }
}

#[test]
fn csv_report_has_one_row_per_patient_and_study() {
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .args(["report", "--format", "csv", "--as-of", "2026-11-22"])
        .output()
        .expect("runs");
    let csv = String::from_utf8_lossy(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "patient_id,name,study,study_name,cohort,verdict,pass,fail,unknown,score,unreadable_rules,worklist_status"
        )
    );
    let rows: Vec<&str> = lines.collect();
    let patients = std::fs::read_dir("sample-patients").expect("dir").count();
    assert_eq!(rows.len(), patients * 4);
    assert!(
        rows.contains(
            &"P01,Test Patient Alpha,CHEC2024-181,CHEC CAR-NK AID,RA,eligible,27,0,0,100.0,0,"
        ),
        "{csv}"
    );
}

//! Issue 11, part 1: inputs that used to make a verdict silently more permissive — a rule that
//! does not compile, colliding ids, future and impossible dates, impossible magnitudes,
//! look-alike patient ids, skipped files — each now a problem at its file and line, and never
//! a confident verdict built on it.

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::process::Command;
use trialmatch::load::{Source, Workspace, load};
use trialmatch::rank::{State, Verdict, rank};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

/// A folder holding copies of the shipped trial files, one of them edited.
fn trials_with(edit: impl Fn(&str, String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir("trials").expect("trials") {
        let path = e.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(dir.path().join(&name), edit(&name, text)).expect("write");
    }
    dir
}

fn load_dirs(trials: &Path, patients: &Path) -> Workspace {
    load(
        &Source::Paths(vec![trials.to_path_buf()]),
        &Source::Paths(vec![patients.to_path_buf()]),
        as_of(),
    )
}

fn patients_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

/// Runs the binary with a worklist database at `db` and the fixed as-of date.
fn cli(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .arg("--db")
        .arg(db)
        .args(["--as-of", "2026-11-22"])
        .args(args)
        .output()
        .expect("runs")
}

fn verdict(ws: &Workspace, patient: &str, trial: &str) -> (Verdict, Vec<(String, State, String)>) {
    let p = ws
        .patients
        .iter()
        .find(|p| p.id() == patient)
        .expect("patient");
    let m = rank(&ws.trials, p, as_of())
        .into_iter()
        .find(|m| ws.trials[m.trial].id == trial)
        .expect("trial");
    let t = &ws.trials[m.trial];
    let rows = m
        .best()
        .results
        .iter()
        .map(|r| (t.criteria[r.index].id.clone(), r.state, r.reason.clone()))
        .collect();
    (m.verdict(), rows)
}

#[test]
fn a_rule_that_does_not_compile_keeps_its_criterion_as_unknown() {
    // A one-letter typo in KN5501's pregnancy exclusion.
    let trials = trials_with(|name, text| {
        if name == "kn5501-sle.toml" {
            text.replace(
                "female and (evidence(pregnant,",
                "femal and (evidence(pregnant,",
            )
        } else {
            text
        }
    });
    let src = std::fs::read_to_string("sample-patients/p04-sle-pregnant.toml").expect("p04");
    let patients = patients_dir(&[("p04.toml", &src)]);
    let ws = load_dirs(trials.path(), patients.path());
    let problem = ws
        .problems
        .iter()
        .find(|p| p.message.contains("S-E10 rule"))
        .expect("the typo is a problem");
    assert!(problem.line.is_some(), "{problem}");
    let (v, rows) = verdict(&ws, "P04", "KN5501-SLE");
    assert_ne!(v, Verdict::Eligible);
    let (_, state, reason) = rows
        .iter()
        .find(|(id, ..)| id == "S-E10")
        .expect("S-E10 still listed");
    assert_eq!(*state, State::Unknown);
    assert!(reason.contains("rule could not be read"), "{reason}");
    let kn = ws.trials.iter().find(|t| t.id == "KN5501-SLE").expect("kn");
    assert_eq!(kn.unreadable(), 1);
    // `check` says so and exits non-zero.
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .arg("--trials")
        .arg(trials.path())
        .arg("--patients")
        .arg(patients.path())
        .args(["--as-of", "2026-11-22", "check"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("S-E10 rule"));
}

#[test]
fn a_trial_file_without_criteria_makes_no_one_eligible() {
    let trials = trials_with(|name, text| {
        if name == "kn5501-sle.toml" {
            text.split("\n[[criterion]]")
                .next()
                .unwrap_or_default()
                .to_string()
        } else {
            text
        }
    });
    let src = std::fs::read_to_string("sample-patients/p03-sle-adult.toml").expect("p03");
    let patients = patients_dir(&[("p03.toml", &src)]);
    let ws = load_dirs(trials.path(), patients.path());
    assert!(
        ws.problems
            .iter()
            .any(|p| p.message.contains("no [[criterion]] tables"))
    );
    let (v, _) = verdict(&ws, "P03", "KN5501-SLE");
    assert_eq!(v, Verdict::Possible);
}

#[test]
fn ids_that_collide_across_trial_files_are_problems() {
    // A criterion id used in two files; a trial id and a short name that differ only in case.
    let trials = trials_with(|_, text| text);
    let extra = "id = \"nct06613490\"\nshort_name = \"Other\"\ntitle = \"t\"\n\n[[criterion]]\nid = \"X-1\"\nkind = \"inclusion\"\ncohort = \"common\"\ntext = \"t\"\nrule = \"age >= 18\"\n";
    std::fs::write(trials.path().join("zz-case.toml"), extra).expect("write");
    let name = "id = \"OTHER-2\"\nshort_name = \"kn5501 sle\"\ntitle = \"t\"\n\n[[criterion]]\nid = \"Y-1\"\nkind = \"inclusion\"\ncohort = \"common\"\ntext = \"t\"\nrule = \"age >= 18\"\n";
    std::fs::write(trials.path().join("zz-name.toml"), name).expect("write");
    let crit = "id = \"OTHER-3\"\nshort_name = \"Third\"\ntitle = \"t\"\n\n[[criterion]]\nid = \"a-i4\"\nkind = \"inclusion\"\ncohort = \"common\"\ntext = \"t\"\nrule = \"age >= 18\"\n";
    std::fs::write(trials.path().join("zz-crit.toml"), crit).expect("write");
    let patients = patients_dir(&[]);
    let ws = load_dirs(trials.path(), patients.path());
    let has = |needle: &str| ws.problems.iter().any(|p| p.message.contains(needle));
    assert!(
        has("trial id 'nct06613490' is already used"),
        "{:?}",
        ws.problems
    );
    assert!(
        has("short_name: 'kn5501 sle' is already used"),
        "{:?}",
        ws.problems
    );
    assert!(
        has("criterion a-i4: the same id is used in"),
        "{:?}",
        ws.problems
    );
}

const LABS: &str = "id = \"LAB\"\nsex = \"female\"\ndob = 1980-01-01\n\n[[lab]]\nname = \"alt\"\nvalue = 300.0\nunit = \"U/L\"\nuln = 40.0\ndate = 2026-11-15\n\n[[lab]]\nname = \"alt\"\nvalue = 20.0\nunit = \"U/L\"\nuln = 40.0\ndate = 2062-01-01\n";

#[test]
fn future_and_pre_1900_dates_are_problems_and_never_used() {
    let patients = patients_dir(&[
        ("lab.toml", LABS),
        ("old.toml", "id = \"OLD\"\ndob = 0000-01-01\n"),
    ]);
    let ws = load_dirs(Path::new("trials"), patients.path());
    let future = ws
        .problems
        .iter()
        .find(|p| p.message.contains("2062-01-01 is after the as-of date"))
        .expect("future lab reported");
    assert_eq!(future.line, Some(17), "{future}");
    let p = ws.patients.iter().find(|p| p.id() == "LAB").expect("LAB");
    let alt = p.latest_lab("alt").expect("alt");
    assert_eq!(alt.date, NaiveDate::from_ymd_opt(2026, 11, 15));
    let (_, rows) = verdict(&ws, "LAB", "CHEC2024-181");
    let c5 = rows.iter().find(|(id, ..)| id == "C-I5").expect("C-I5");
    assert_ne!(c5.1, State::Pass, "{}", c5.2);
    assert!(
        ws.problems
            .iter()
            .any(|p| p.message.contains("0000-01-01 is before 1900"))
    );
    let old = ws.patients.iter().find(|p| p.id() == "OLD").expect("OLD");
    assert!(old.data.dob.is_none());
}

#[test]
fn impossible_magnitudes_are_problems_with_the_likely_unit() {
    let hb = "id = \"HB\"\n\n[[lab]]\nname = \"hemoglobin\"\nvalue = 10.5\nunit = \"g/L\"\ndate = 2026-11-15\n\n[[lab]]\nname = \"neutrophils\"\nvalue = 3.0\nunit = \"10^9/L\"\ndate = 2026-11-15\n";
    let cr = "id = \"CR\"\nsex = \"male\"\ndob = 1970-01-01\nweight = { value = 70.0, unit = \"kg\" }\n\n[[lab]]\nname = \"creatinine\"\nvalue = 88.0\nunit = \"mmol/L\"\ndate = 2026-11-15\n";
    let patients = patients_dir(&[("hb.toml", hb), ("cr.toml", cr)]);
    let ws = load_dirs(Path::new("trials"), patients.path());
    let msg = |needle: &str| {
        ws.problems
            .iter()
            .find(|p| p.message.contains(needle))
            .unwrap_or_else(|| panic!("{needle}: {:?}", ws.problems))
            .clone()
    };
    let p = msg("hemoglobin 10.5 g/L is outside 30–250 g/L — was it g/dL?");
    assert_eq!(p.line, Some(5), "{p}");
    msg("creatinine 88 mmol/L is outside 10–2500 µmol/L — was it µmol/L?");
    let (_, rows) = verdict(&ws, "HB", "KN5501-SLE");
    let s7 = rows.iter().find(|(id, ..)| id == "S-I7").expect("S-I7");
    assert_eq!(s7.1, State::Unknown, "{}", s7.2);
    let (_, rows) = verdict(&ws, "CR", "CHEC2024-181");
    let c6 = rows.iter().find(|(id, ..)| id == "C-I6").expect("C-I6");
    assert_eq!(c6.1, State::Unknown, "{}", c6.2);
}

#[test]
fn look_alike_patient_ids_are_one_patient() {
    let patients = patients_dir(&[
        ("a.toml", "id = \"P01\"\n"),
        ("b.toml", "id = \"p01\"\n"),
        ("c.toml", "id = \"P01 \"\n"),
        ("d.toml", "id = \"P01\u{200b}\"\n"),
        ("e.toml", "id = \"Jose\u{301}\"\n"),
        ("f.toml", "id = \"Jos\u{e9}\"\n"),
    ]);
    let ws = load_dirs(Path::new("trials"), patients.path());
    let ids: Vec<&str> = ws.patients.iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["P01", "Jos\u{e9}"], "{:?}", ws.problems);
    let dups = ws
        .problems
        .iter()
        .filter(|p| p.message.contains("is already used by another file"))
        .count();
    assert_eq!(dups, 4, "{:?}", ws.problems);
    assert!(
        ws.problems
            .iter()
            .any(|p| p.message.contains("invisible characters"))
    );
}

#[test]
fn skipped_files_are_named_and_no_trials_is_an_error() {
    let patients = patients_dir(&[
        ("a.toml", "id = \"A\"\n"),
        ("b.TOML", "id = \"B\"\n"),
        ("c.tml", "id = \"C\"\n"),
    ]);
    std::fs::create_dir(patients.path().join("more")).expect("mkdir");
    let ws = load_dirs(Path::new("trials"), patients.path());
    let skipped: Vec<String> = ws
        .problems
        .iter()
        .filter(|p| p.message.starts_with("skipped:"))
        .map(|p| p.to_string())
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    let empty = tempfile::tempdir().expect("tempdir");
    let ws = load_dirs(empty.path(), patients.path());
    assert!(
        ws.problems
            .iter()
            .any(|p| p.message.contains("no trial was loaded"))
    );
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .arg("--trials")
        .arg(empty.path())
        .arg("--patients")
        .arg(PathBuf::from("sample-patients"))
        .args(["--as-of", "2026-11-22", "check"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_named_toml_is_skipped_not_read() {
    let dir = patients_dir(&[("a.toml", "id = \"A\"\n")]);
    let fifo = dir.path().join("pipe.toml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    // Would block for ever if opened for reading.
    let ws = load_dirs(Path::new("trials"), dir.path());
    assert_eq!(ws.patients.len(), 1);
    assert!(
        ws.problems
            .iter()
            .any(|p| p.message.contains("not a regular file")),
        "{:?}",
        ws.problems
    );
}

#[cfg(unix)]
#[test]
fn links_in_a_patient_folder_are_followed_to_what_they_point_at() {
    let dir = patients_dir(&[("a.toml", "id = \"A\"\n")]);
    let elsewhere = patients_dir(&[("b.toml", "id = \"B\"\n")]);
    let link = |target: &Path, name: &str| {
        std::os::unix::fs::symlink(target, dir.path().join(name)).expect("symlink");
    };
    // A link to a patient file is read as that file; a link to a folder is a folder; a link
    // to nothing cannot be read. Each of the last two is said, not passed over.
    link(&elsewhere.path().join("b.toml"), "b.toml");
    link(elsewhere.path(), "more.toml");
    link(&dir.path().join("gone"), "dangling.toml");
    let ws = load_dirs(Path::new("trials"), dir.path());
    let mut ids: Vec<&str> = ws.patients.iter().map(|p| p.id()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["A", "B"]);
    let said = |file: &str, what: &str| {
        ws.problems
            .iter()
            .any(|p| p.file.ends_with(file) && p.message.contains(what))
    };
    assert!(said("more.toml", "a folder"), "{:?}", ws.problems);
    assert!(said("dangling.toml", "cannot read"), "{:?}", ws.problems);
}

#[test]
fn a_study_with_an_unreadable_rule_is_marked_in_the_report_and_the_ui() {
    let trials = trials_with(|name, text| {
        if name == "kn5501-sle.toml" {
            text.replace(
                "score(sledai2k, within=screening) >= 8",
                "score(sledai2k) >= ",
            )
        } else {
            text
        }
    });
    let src = std::fs::read_to_string("sample-patients/p03-sle-adult.toml").expect("p03");
    let patients = patients_dir(&[("p03.toml", &src)]);
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
            .arg("--trials")
            .arg(trials.path())
            .arg("--patients")
            .arg(patients.path())
            .args(["--as-of", "2026-11-22", "report", "--format", format])
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let table = run("table");
    assert!(
        table.contains("⚠ 1 rule of this study could not be read"),
        "{table}"
    );
    let csv = run("csv");
    assert!(
        csv.contains("P03,Test Patient Charlie,KN5501-SLE,KN5501 SLE,,possible,"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains("KN5501-SLE") && l.contains(",1,")),
        "{csv}"
    );
    let json = run("json");
    assert!(json.contains("\"unreadable_rules\":1"), "{json}");
    // The UI's match table marks the study.
    let ws = load_dirs(trials.path(), patients.path());
    let mut app = trialmatch::tui::App::new(ws, as_of());
    app.update(trialmatch::tui::Action::Resize {
        width: 120,
        height: 40,
    });
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("terminal");
    term.draw(|f| f.render_widget(&app, f.area()))
        .expect("draw");
    let buf = term.backend().buffer();
    let text: String = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .filter_map(|(x, y)| buf.cell((x, y)).map(|c| c.symbol().to_string()))
        .collect();
    assert!(text.contains("KN5501 SLE ⚠"), "{text}");
}

#[test]
fn deeply_nested_rules_are_a_problem_not_a_crash() {
    let deep = format!("{}age >= 18{}", "(".repeat(2000), ")".repeat(2000));
    let nots = format!("{}age >= 18", "not ".repeat(2000));
    let trials = trials_with(|_, text| text);
    for (name, rule) in [("zz-deep.toml", &deep), ("zz-not.toml", &nots)] {
        let body = format!(
            "id = \"{name}\"\nshort_name = \"{name}\"\ntitle = \"t\"\n\n[[criterion]]\nid = \"{name}-1\"\nkind = \"inclusion\"\ncohort = \"common\"\ntext = \"t\"\nrule = \"{rule}\"\n"
        );
        std::fs::write(trials.path().join(name), body).expect("write");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .arg("--trials")
        .arg(trials.path())
        .args([
            "--patients",
            "sample-patients",
            "--as-of",
            "2026-11-22",
            "check",
        ])
        .output()
        .expect("runs");
    // A problem (exit 1), not an abort.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("nested more than 64 levels").count(),
        2,
        "{text}"
    );
}

#[test]
fn a_file_with_thousands_of_problems_lists_the_first_and_counts_the_rest() {
    let mut text = String::from("id = \"MANY\"\n");
    for i in 0..5000 {
        text.push_str(&format!("\n[[lab]]\nname = \"nolab{i}\"\nvalue = 1.0\n"));
    }
    let patients = patients_dir(&[("many.toml", &text)]);
    let ws = load_dirs(Path::new("trials"), patients.path());
    let mine: Vec<_> = ws
        .problems
        .iter()
        .filter(|p| p.file.ends_with("many.toml"))
        .collect();
    assert_eq!(mine.len(), trialmatch::problem::MAX_PER_FILE + 1);
    assert!(
        mine.last()
            .is_some_and(|p| p.message.contains("and 4900 more problems"))
    );
    // Positions stay right far into the file.
    assert_eq!(mine[99].line, Some(2 + 99 * 4 + 2), "{}", mine[99]);
}

#[cfg(unix)]
#[test]
fn broken_pipes_end_with_the_conventional_status_and_lose_no_output() {
    use std::process::Stdio;
    // A problem to print on standard error while the CSV goes to standard output.
    let patients = patients_dir(&[
        ("a.toml", "id = \"A\"\ndob = 1980-01-01\n"),
        ("bad.toml", "id = \"B\"\nsex = \"X\"\n"),
    ]);
    let run = |stdout: Stdio, stderr: Stdio| {
        Command::new(env!("CARGO_BIN_EXE_trialmatch"))
            .args(["--trials", "trials", "--patients"])
            .arg(patients.path())
            .args(["--as-of", "2026-11-22", "report", "--format", "csv"])
            .stdout(stdout)
            .stderr(stderr)
            .status()
            .expect("runs")
    };
    // Standard error's reader gone: the CSV is still written whole.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let csv = tempfile::NamedTempFile::new().expect("temp");
    let status = run(
        Stdio::from(csv.reopen().expect("reopen")),
        Stdio::from(writer),
    );
    assert_eq!(status.code(), Some(141), "{status:?}");
    let written = std::fs::read_to_string(csv.path()).expect("csv");
    assert_eq!(written.lines().count(), 1 + 4, "{written}");
    // Standard output's reader gone: not a silent success.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let status = run(Stdio::from(writer), Stdio::null());
    assert_eq!(status.code(), Some(141), "{status:?}");
}

#[test]
fn patients_takes_one_value_so_the_subcommand_is_not_swallowed() {
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .args([
            "--patients",
            "sample-patients",
            "--as-of",
            "2026-11-22",
            "check",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("18 patients, 0 problems"));
    // Repeated for several inputs.
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .args([
            "--patients",
            "sample-patients/p01-ra-multi.toml",
            "--patients",
            "sample-patients/p02-asys-iim-multi.toml",
            "--as-of",
            "2026-11-22",
            "check",
        ])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 patients, 0 problems"));
}

#[test]
fn patient_ids_typed_in_another_case_find_the_patient_and_typos_get_a_suggestion() {
    let db = tempfile::tempdir().expect("tempdir");
    let dbf = db.path().join("w.sqlite3");
    let run = |args: &[&str]| cli(&dbf, args);
    let out = run(&["status", "set", "p01", "CHEC2024-181", "screening"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("P01 ×"),
        "{out:?}"
    );
    let out = run(&["status", "set", "P011", "CHEC2024-181", "screening"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean 'P01'?")
            || String::from_utf8_lossy(&out.stderr).contains("did you mean 'P11'?"),
        "{out:?}"
    );
}

/// Polls `tmux capture-pane` until `done` holds or the deadline passes.
fn capture_until(target: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-J", "-t", target])
            .output()
            .expect("tmux");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if done(&text) || std::time::Instant::now() > deadline {
            return text;
        }
        std::thread::yield_now();
    }
}

#[test]
fn the_table_report_fits_the_terminal_it_is_printed_on() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("tmux is needed (CI installs it)");
    }
    let session = format!("tm-width-{}", std::process::id());
    let bin = env!("CARGO_BIN_EXE_trialmatch");
    let cmd = format!(
        "{bin} --as-of 2026-11-22 --patients sample-patients/p01-ra-multi.toml report; echo REPORT-DONE; sleep 30"
    );
    let started = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-x",
            "64",
            "-y",
            "50",
            "-s",
            &session,
            &cmd,
        ])
        .status()
        .expect("tmux");
    assert!(started.success());
    let text = capture_until(&session, |t| t.contains("REPORT-DONE"));
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    assert!(text.contains("REPORT-DONE"), "{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 64, "{line}");
    }
}

#[test]
fn the_referral_summary_gives_the_registry_id_with_its_source() {
    let ws = load_dirs(Path::new("trials"), Path::new("sample-patients"));
    let t = ws
        .trials
        .iter()
        .position(|t| t.id == "KN5501-SLE")
        .expect("KN5501");
    let p = ws.patients.iter().find(|p| p.id() == "P03").expect("P03");
    let md = trialmatch::export::referral_markdown(
        &ws.trials,
        t,
        p,
        as_of(),
        &trialmatch::worklist::History::default(),
        chrono::Local::now(),
    )
    .expect("summary");
    assert!(
        md.contains("- Registry id: NCT06010472 (from a public registry listing"),
        "{md}"
    );
}

#[test]
fn status_list_names_a_patient_that_does_not_exist() {
    let db = tempfile::tempdir().expect("tempdir");
    let dbf = db.path().join("w.sqlite3");
    let run = |args: &[&str]| cli(&dbf, args);
    assert!(
        run(&["status", "set", "P01", "CHEC2024-181", "screening"])
            .status
            .success()
    );
    let out = run(&["status", "list", "--patient", "P3"]);
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no patient 'P3' (did you mean"), "{err}");
    // Another case of a known id finds its decisions.
    let out = run(&["status", "list", "--patient", "p01"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("screening"),
        "{out:?}"
    );
    let out = run(&["status", "history", "p01"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("screening"),
        "{out:?}"
    );
}

#[test]
fn the_csv_names_each_study_and_gives_its_worklist_status() {
    let db = tempfile::tempdir().expect("tempdir");
    let dbf = db.path().join("w.sqlite3");
    let run = |args: &[&str]| cli(&dbf, args);
    assert!(
        run(&["status", "set", "P03", "KN5501-SLE", "referred"])
            .status
            .success()
    );
    let out = run(&["report", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout);
    let row = csv
        .lines()
        .find(|l| l.starts_with("P03,") && l.contains(",KN5501-SLE,"))
        .expect("row");
    assert!(row.contains(",KN5501 SLE,"), "{row}");
    assert!(row.ends_with(",referred"), "{row}");
    // Without a worklist the column is empty, and no database is created.
    let none = db.path().join("none.sqlite3");
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .arg("--db")
        .arg(&none)
        .args(["--as-of", "2026-11-22", "report", "--format", "csv"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(!none.exists());
}

#[cfg(unix)]
#[test]
fn export_into_a_missing_folder_creates_it_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("new/deeper/p01.md");
    let run = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .arg("--db")
        .arg(dir.path().join("none.sqlite3"))
        .args([
            "--as-of",
            "2026-11-22",
            "export",
            "P01",
            "CHEC2024-181",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(run.status.success(), "{run:?}");
    assert!(out.exists());
    let mode = std::fs::metadata(dir.path().join("new"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

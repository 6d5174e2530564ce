//! Layer 5, end to end: the real binary in a real terminal (tmux), driven by keys, asserting
//! what a person would see — open, move to a patient, drill into a study, missing data,
//! contacts, filter, help, quit — and that the shell gets its terminal back; a generated queue
//! of 2,000 opens on the loading screen and quits cleanly whether loaded or not; from an
//! empty database, a referral made in the app and answered through ask-next changes a verdict;
//! the funnel screen (`F`) shows the worklist's numbers and counts a decision made elsewhere.
//!
//! Polls `tmux capture-pane` until the expected text appears, with a deadline; no fixed sleeps.
//! Skipped (with a note) only when tmux is not installed.

mod tmux_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tmux_support::{DEADLINE, Tmux, open_on_an_empty_queue, tmux_available};
use trialmatch::load::{Source, load};
use trialmatch::tui::App;

#[test]
fn the_real_binary_in_a_real_terminal() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end terminal test");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_trialmatch");

    // What the screen should show, from the same files through the library.
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let ws = load(
        &Source::Paths(vec![repo.join("trials")]),
        &Source::Paths(vec![repo.join("sample-patients")]),
        as_of,
    );
    let n_patients = ws.patients.len();
    let app = App::new(ws, as_of);
    let third = app.visible_patients()[2];
    let id = app.rows()[third].id.clone();
    let name = app.rows()[third].name.clone();
    let study = app.trials()[app.matches()[third][0].trial]
        .short_name
        .clone();
    let last_word = name
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_string();

    // A worklist of its own, never the user's.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    let t = Tmux::start(repo);
    t.wait_for(&["$"]); // the prompt (capture-pane trims the trailing space)
    t.type_text(&format!(
        "S=$(stty -g); '{bin}' --as-of 2026-11-22 --db '{}'; echo EXITED-$?; [ \"$S\" = \"$(stty -g)\" ] && echo STTY-RESTORED",
        db.display()
    ));
    t.keys(&["Enter"]);

    // Opens on the queue.
    t.wait_for(&[
        &format!("Patients ({n_patients}) · best match first"),
        "as of 2026-11-22",
        "? help",
    ]);
    // Moves to the third patient.
    t.keys(&["j", "Down"]);
    t.wait_for(&[&format!("Studies for {id} · {name}")]);
    // Drills into the best study.
    t.keys(&["Enter", "Enter"]);
    // Waits for the detail pane too: a capture can land between two parts of one frame.
    t.wait_for(&[
        &format!("Criteria · {study} · {id}"),
        "Source text (verbatim)",
        "State",
    ]);
    // Missing data, then contacts.
    t.keys(&["m"]);
    t.wait_for(&[
        &format!("Missing data · {id} {name}"),
        "most decisive first",
    ]);
    t.keys(&["c"]);
    t.wait_for(&["Contacts · ", "Registry id", "Recruitment status"]);
    // Back to the queue, one level per Esc (each waited for: two Esc bytes read together are
    // one key to the terminal), then filter.
    t.keys(&["Escape"]);
    t.wait_for(&[&format!("Missing data · {id}")]);
    t.keys(&["Escape"]);
    t.wait_for(&[&format!("Criteria · {study} · {id}")]);
    t.keys(&["Escape"]);
    t.wait_for(&[&format!("Patients ({n_patients})")]);
    t.keys(&["/"]);
    t.type_text(&last_word);
    // The filtered list shows the patient.
    t.wait_for(&[
        &format!("of {n_patients} match /{last_word}"),
        &format!("Filter: /{last_word}"),
        &id,
    ]);
    t.keys(&["Enter"]);
    // Help, generated from the keymap.
    t.keys(&["?"]);
    t.wait_for(&[
        "Help · every key, from the keymap",
        "quit trialmatch",
        "Match table",
    ]);
    // In the help `q` closes it; `q` again quits: the shell is back, with its terminal
    // settings restored.
    t.keys(&["q"]);
    t.wait_for(&["Patients: 1 of 18 match"]);
    t.keys(&["q"]);
    let s = t.wait_for(&["EXITED-0", "STTY-RESTORED"]);
    assert!(
        !s.contains("best match first"),
        "the alternate screen is gone:\n{s}"
    );
    t.type_text("echo SHELL-$((40+2))");
    t.keys(&["Enter"]);
    t.wait_for(&["SHELL-42"]);
}

/// Polls the screen until any of `wanted` shows; which one, or a failure at the deadline.
fn wait_for_any(t: &Tmux, wanted: &[&str]) -> String {
    let start = Instant::now();
    loop {
        let screen = t.capture();
        if let Some(w) = wanted.iter().find(|w| screen.contains(**w)) {
            return (*w).to_string();
        }
        if start.elapsed() > DEADLINE {
            panic!("waited {DEADLINE:?} for any of {wanted:?}; the screen shows:\n{screen}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_large_queue_opens_on_a_loading_screen_and_q_quits_cleanly_at_any_stage() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end terminal test");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_trialmatch");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let queue = dir.path().join("queue");
    let out = Command::new(bin)
        .current_dir(repo)
        .args([
            "generate",
            "--count",
            "2000",
            "--seed",
            "7",
            "--as-of",
            "2026-11-22",
        ])
        .arg("--out")
        .arg(&queue)
        .output()
        .unwrap_or_else(|e| panic!("generate: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let t = Tmux::start(repo);
    t.wait_for(&["$"]);
    let run = format!(
        "S=$(stty -g); '{bin}' --as-of 2026-11-22 --patients '{}' --db '{}'; echo EXITED-$?; [ \"$S\" = \"$(stty -g)\" ] && echo STTY-RESTORED",
        queue.display(),
        dir.path().join("w.sqlite3").display()
    );
    // Once to the end: the loading screen (unless loading beat the first poll), then the queue.
    t.type_text(&run);
    t.keys(&["Enter"]);
    let first = wait_for_any(&t, &["Opening the referral queue", "best match first"]);
    t.wait_for(&["Patients (2000) · best match first", "2000 patients"]);
    t.keys(&["q"]);
    t.wait_for(&["EXITED-0", "STTY-RESTORED"]);
    // Again, quitting as soon as the UI shows anything (while loading, on most machines).
    t.type_text("clear");
    t.keys(&["Enter"]);
    t.type_text(&run);
    t.keys(&["Enter"]);
    let second = wait_for_any(&t, &["Opening the referral queue", "best match first"]);
    t.keys(&["q"]);
    let s = t.wait_for(&["EXITED-0", "STTY-RESTORED"]);
    assert!(
        !s.contains("Opening the referral queue") && !s.contains("best match first"),
        "the alternate screen is gone:\n{s}"
    );
    eprintln!("first screens seen: {first:?}, {second:?}");
}

#[test]
fn without_a_terminal_the_ui_explains_instead_of_garbling() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_trialmatch"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--as-of", "2026-11-22", "--db"])
        .arg(dir.path().join("w.sqlite3"))
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        !dir.path().join("w.sqlite3").exists(),
        "no worklist database is created when the UI cannot start"
    );
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the signal test");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_trialmatch");
    // SIGTERM is 15, SIGHUP (an SSH drop) is 1; the shell reports 128 + the signal.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    for (signal, status) in [("TERM", 143), ("HUP", 129)] {
        let t = Tmux::start(repo);
        t.wait_for(&["$"]);
        t.type_text(&format!(
            "S=$(stty -g); '{bin}' --as-of 2026-11-22 --db '{}'; echo EXITED-$?; [ \"$S\" = \"$(stty -g)\" ] && echo STTY-RESTORED",
            db.display()
        ));
        t.keys(&["Enter"]);
        t.wait_for(&["best match first", "? help"]);
        // The UI is the shell's child in the pane.
        let pane = t.run(&["list-panes", "-t", &t.session, "-F", "#{pane_pid}"]);
        let shell = String::from_utf8_lossy(&pane.stdout).trim().to_string();
        let child = Command::new("pgrep")
            .args(["-P", &shell])
            .output()
            .expect("pgrep");
        let pid = String::from_utf8_lossy(&child.stdout).trim().to_string();
        assert!(
            !pid.is_empty(),
            "the UI runs under the pane's shell {shell}"
        );
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let s = t.wait_for(&[&format!("EXITED-{status}"), "STTY-RESTORED"]);
        assert!(
            !s.contains("best match first"),
            "the alternate screen is gone:\n{s}"
        );
        // The shell works normally afterwards.
        t.type_text("echo SHELL-$((40+2))");
        t.keys(&["Enter"]);
        t.wait_for(&["SHELL-42"]);
    }
}

#[test]
fn the_worklist_in_a_real_terminal_status_note_history_and_referral_summary() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the worklist terminal test");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_trialmatch");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let app = App::new(
        load(
            &Source::Paths(vec![repo.join("trials")]),
            &Source::Paths(vec![repo.join("sample-patients")]),
            as_of,
        ),
        as_of,
    );
    // The third patient in the list and its best study (the match table's first row).
    let third = app.visible_patients()[2];
    let id = app.rows()[third].id.clone();
    let trial = &app.trials()[app.matches()[third][0].trial];
    let (study, trial_id) = (trial.short_name.clone(), trial.id.clone());
    let note = "called Dr Li, visit on 3 Dec";

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    let t = Tmux::start(repo);
    t.wait_for(&["$"]);
    t.type_text(&format!(
        "'{bin}' --as-of 2026-11-22 --db '{}'; echo EXITED-$?",
        db.display()
    ));
    t.keys(&["Enter"]);
    t.wait_for(&["best match first", "s status"]);
    t.keys(&["j", "Down"]);
    t.wait_for(&[&format!("Studies for {id}")]);
    // Into the match table, then the status picker for the highlighted (best) study.
    t.keys(&["Enter"]);
    t.wait_for(&["n note", "e export"]);
    t.keys(&["s"]);
    t.wait_for(&[&format!("Status · {id} · {study}"), "4 referred"]);
    t.keys(&["4"]);
    t.wait_for(&["New status: referred", "Enter save"]);
    t.type_text(note);
    t.wait_for(&[&format!("> {note}")]);
    t.keys(&["Enter"]);
    t.wait_for(&[&format!("Recorded {id} · {study}: referred (with note)")]);
    // The history shows it.
    t.keys(&["H"]);
    t.wait_for(&[&format!("History · {id}"), note, "referred"]);
    t.keys(&["Escape"]);
    t.wait_for(&["Enter criteria"]);
    // The referral summary: the status bar says where, and the file is owner-only.
    t.keys(&["e"]);
    let screen = t.wait_for(&["Referral summary written to"]);
    let written: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path().join("referrals"))
        .unwrap_or_else(|e| panic!("referrals folder: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let name = written[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(screen.contains(&name), "{name} on screen:\n{screen}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&written[0])
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600, "{}", written[0].display());
    }
    let text = std::fs::read_to_string(&written[0]).unwrap_or_default();
    assert!(text.contains(note), "the summary has the history:\n{text}");
    t.keys(&["q"]);
    t.wait_for(&["EXITED-0"]);

    // The database holds exactly what was chosen and typed.
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| panic!("open {}: {e}", db.display()));
    let mut stmt = conn
        .prepare("SELECT patient_id, trial_id, status, note FROM decision ORDER BY id")
        .unwrap_or_else(|e| panic!("prepare: {e}"));
    let rows: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .and_then(|rows| rows.collect())
        .unwrap_or_else(|e| panic!("query: {e}"));
    assert_eq!(
        rows,
        vec![(id, trial_id, "referred".to_string(), note.to_string())]
    );
}

#[test]
fn a_worklist_that_cannot_open_leaves_matching_working_and_says_why() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the worklist terminal test");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_trialmatch");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a database, just notes\n").unwrap_or_else(|e| panic!("{e}"));
    let t = Tmux::start(repo);
    t.wait_for(&["$"]);
    t.type_text(&format!(
        "'{bin}' --as-of 2026-11-22 --db '{}'; echo EXITED-$?",
        notes.display()
    ));
    t.keys(&["Enter"]);
    t.wait_for(&["Worklist unavailable", "best match first"]);
    // Matching works; a worklist key says why it does nothing.
    t.keys(&["Enter"]);
    t.keys(&["s"]);
    t.wait_for(&["Worklist unavailable: ", "notes.txt"]);
    t.keys(&["!"]);
    t.wait_for(&["worklist database", "not a trialmatch worklist"]);
    t.keys(&["q"]);
    t.wait_for(&["EXITED-0"]);
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap_or_default(),
        "not a database, just notes\n",
        "left unchanged"
    );
}

#[test]
fn a_referral_made_in_the_app_from_an_empty_database_answered_through_ask_next() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the intake terminal test");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (t, dir) = open_on_an_empty_queue(repo, env!("CARGO_BIN_EXE_trialmatch"));
    let db = dir.path().join("w.sqlite3");
    // A new referral: every field typed, the diagnosis chosen by its first letter.
    t.keys(&["N"]);
    t.wait_for(&["New referral", "Patient id"]);
    for (text, then) in [
        ("R-900", "Tab"),
        ("Test Referral Echo", "Tab"),
        ("1980-05-01", "Tab"),
        ("f", "Tab"),
        ("Dr Fictional Referrer", "Tab"),
        ("referrals@example.org", "Tab"),
        ("", "Tab"),
        ("s", "Enter"),
    ] {
        if !text.is_empty() {
            t.type_text(text);
        }
        t.keys(&[then]);
    }
    // Stored, in the list, and straight into ask-next.
    t.wait_for(&["Saved #1 for R-900", "Ask next #1 · R-900", "Patients (1)"]);
    // Skip (Ctrl-N) to a fact answered in the patient-file format, then answer it with a
    // fact that changes a verdict: a pregnancy rules the patient out of a study.
    let mut n = 1;
    loop {
        let screen = t.wait_for(&[&format!("Ask next #{n} · R-900")]);
        if screen.contains("Type the fact as in a patient file") {
            break;
        }
        assert!(
            n < 40,
            "no fact to type in the patient-file format:\n{screen}"
        );
        t.keys(&["C-n"]);
        n += 1;
    }
    t.keys(&["C-u"]);
    t.type_text("reproductive = { pregnant = true }");
    t.keys(&["Enter"]);
    let screen = t.wait_for(&["Saved #2 for R-900", "→ ✖ ineligible"]);
    // The next form says what the answer changed; Esc stops ask-next. (When no other fact
    // could change a verdict, the walk has ended by itself.)
    if screen.contains("Ask next #") {
        t.wait_for(&["Last: Saved #2"]);
        t.keys(&["Escape"]);
        t.wait_for(&["Ask-next stopped for R-900"]);
    }
    t.keys(&["q"]);
    t.wait_for(&["EXITED-0"]);
    let store = trialmatch::worklist::Store::open(&db).unwrap_or_else(|e| panic!("open: {e}"));
    let entries = store.entries(Some("R-900")).unwrap_or_default();
    assert_eq!(entries.len(), 2, "{entries:?}");
}

/// The counts on the funnel table's row of `study` (the numbers after its name), as captured.
fn funnel_row(screen: &str, study: &str) -> Vec<u64> {
    screen
        .lines()
        .find(|l| l.contains('┃') && l.contains(study))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_funnel_opens_with_the_worklists_numbers_and_follows_a_decision_made_elsewhere() {
    if !tmux_available() {
        eprintln!("NOTE: tmux is not installed; skipping the end-to-end funnel test");
        return;
    }
    use trialmatch::worklist::{Status, Store};
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_trialmatch");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("w.sqlite3");
    {
        let mut s = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        for (p, st) in [
            ("P03", Status::Screening),
            ("P03", Status::ContactedStudy),
            ("P03", Status::Referred),
            ("P04", Status::NotEligible),
        ] {
            s.record(p, "KN5501-SLE", st, "")
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let t = Tmux::start(repo);
    t.wait_for(&["$"]);
    t.type_text(&format!(
        "'{bin}' --as-of 2026-11-22 --db '{}'; echo EXITED-$?",
        db.display()
    ));
    t.keys(&["Enter"]);
    t.wait_for(&["best match first", "? help"]);
    t.keys(&["F"]);
    // KN5501 SLE: P03 and P04 decided, P08 a candidate (eligible, no decision): screened 3,
    // eligible or possible 2 (P04 ruled out), contacted and referred 1 (P03).
    let screen = t.wait_for(&[
        "Screening funnel · all decisions to date",
        "Elig/poss",
        "eligible or possible",
    ]);
    assert_eq!(
        funnel_row(&screen, "KN5501 SLE"),
        [3, 2, 1, 1, 0, 0],
        "{screen}"
    );
    // Enrolled from another terminal: the open funnel counts it.
    let out = Command::new(bin)
        .current_dir(repo)
        .args(["--as-of", "2026-11-22", "--db"])
        .arg(&db)
        .args(["status", "set", "P03", "KN5501-SLE", "enrolled"])
        .output()
        .unwrap_or_else(|e| panic!("status set: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let start = Instant::now();
    loop {
        let screen = t.capture();
        if funnel_row(&screen, "KN5501 SLE") == [3, 2, 1, 1, 1, 0] {
            break;
        }
        if start.elapsed() > DEADLINE {
            panic!("the funnel did not count the enrolment:\n{screen}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    t.keys(&["Escape"]);
    t.wait_for(&["best match first"]);
    t.keys(&["q"]);
    t.wait_for(&["EXITED-0"]);
}

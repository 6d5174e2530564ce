//! End to end, in a real terminal (tmux): while the UI runs, a patient file is added to its
//! folder, changed and broken as an editor in the next pane would, and each shows without a
//! restart — the patient joins the queue, its verdict moves, and a broken file takes the
//! patient off the queue with its problem named; fixed, it is back.
//!
//! Polls `tmux capture-pane` until the expected text appears, with a deadline; no fixed sleeps.
//! Skipped (with a note) only when tmux is not installed.

mod tmux_support;

use std::path::Path;
use tmux_support::{open_on_an_empty_queue, tmux_available};

/// The patient list's row of `id` on `screen`.
fn row<'a>(screen: &'a str, id: &str) -> Option<&'a str> {
    screen
        .lines()
        .find(|l| l.starts_with('┃') && l.contains(&format!(" {id} ")))
}

/// Writes `text` as an editor does: a new file renamed over the old one.
fn save(file: &Path, text: &str) {
    let tmp = file.with_extension("toml.tmp");
    std::fs::write(&tmp, text).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(&tmp, file).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_file_edited_while_the_ui_runs_shows_its_new_verdict_and_its_problem() {
    if !tmux_available() {
        eprintln!("tmux is not installed: the live-reload end-to-end test is skipped");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (t, dir) = open_on_an_empty_queue(repo, env!("CARGO_BIN_EXE_trialmatch"));
    let file = dir.path().join("patients").join("p03-sle-adult.toml");
    let good = std::fs::read_to_string(repo.join("sample-patients/p03-sle-adult.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    // Added: joins the queue, eligible for the SLE study.
    save(&file, &good);
    let screen = t.wait_for(&["P03 added to the queue", "Patients (1)"]);
    let before = row(&screen, "P03").unwrap_or_default().to_string();
    assert!(before.contains("✔ KN5501 SLE"), "{screen}");
    // Changed: pregnant now, and so no longer eligible for it.
    save(
        &file,
        &good.replacen("pregnant = false", "pregnant = true", 1),
    );
    let screen = t.wait_for(&["P03 evaluated again"]);
    let after = row(&screen, "P03").unwrap_or_default();
    assert!(!after.contains('✔'), "{screen}");
    // Broken: off the queue, its problem shown; never the last good verdict.
    save(&file, &format!("{good}\nbroken = [\n"));
    let screen = t.wait_for(&["P03 is off the queue until it is fixed (press !)"]);
    assert!(row(&screen, "P03").is_none(), "{screen}");
    t.keys(&["!"]);
    t.wait_for(&["1 problem", "p03-sle-adult.toml:", "unclosed array"]);
    t.keys(&["Escape"]);
    // Fixed: back.
    save(&file, &good);
    let screen = t.wait_for(&["P03 added to the queue"]);
    assert!(
        row(&screen, "P03").is_some_and(|r| r.contains("✔ KN5501 SLE")),
        "{screen}"
    );
    t.keys(&["q"]);
    t.wait_for(&["EXITED-0"]);
    // Started again on the folder: the start leaves its parsed-profile cache behind,
    // owner-only, in the cache folder.
    t.type_text(&format!(
        "'{}' --as-of 2026-11-22 --patients '{}' --db '{}'; echo AGAIN-$?",
        env!("CARGO_BIN_EXE_trialmatch"),
        dir.path().join("patients").display(),
        dir.path().join("w.sqlite3").display()
    ));
    t.keys(&["Enter"]);
    t.wait_for(&["Patients (1)"]);
    t.keys(&["q"]);
    t.wait_for(&["AGAIN-0"]);
    let kept: Vec<_> = std::fs::read_dir(t.cache.path().join("trialmatch"))
        .unwrap_or_else(|e| panic!("no cache folder: {e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept[0]).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
    }
}

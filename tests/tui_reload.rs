//! Live reload, short of the terminal: a patient file changed, broken, fixed, removed or added
//! while the UI runs is read again the way loading reads it (`tui::watch::read`), and the App
//! evaluates that patient again in place, drops the last good state of a file that is gone or
//! invalid (its problem listed), keeps the selection, refuses a second file with a patient id
//! already loaded, and keeps the facts entered in the app laid over a file that changed.
//! The terminal end to end (an editor's save seen without a restart) is in tests/e2e_reload.rs.

mod tui_support;

use std::path::{Path, PathBuf};
use trialmatch::load::{Source, load};
use trialmatch::rank::Verdict;
use trialmatch::tui::App;
use trialmatch::tui::watch::{Changed, read};
use trialmatch::worklist::NewEntry;
use trialmatch::worklist::Store;
use tui_support::*;

/// A copy of the files of folder `from` in the new folder `to`; `to`.
fn copy_folder(from: &str, to: &Path) -> PathBuf {
    std::fs::create_dir(to).unwrap_or_else(|e| panic!("{e}"));
    for f in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{e}")) {
        let f = f.unwrap_or_else(|e| panic!("{e}")).path();
        if let Some(name) = f.file_name() {
            std::fs::copy(&f, to.join(name)).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    to.to_path_buf()
}

/// A copy of the sample patients in a temporary folder, and the App loaded from it.
fn copied() -> (tempfile::TempDir, PathBuf, App) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let queue = copy_folder("sample-patients", &dir.path().join("queue"));
    let ws = load(&trials(), &Source::Paths(vec![queue.clone()]), as_of());
    let mut app = App::new(ws, as_of());
    app.update(trialmatch::tui::Action::Resize {
        width: 120,
        height: 40,
    });
    (dir, queue, app)
}

fn trials() -> Source {
    Source::Paths(vec!["trials".into()])
}

/// Reads `files` again as the watch would have the UI do.
fn changed(app: &mut App, files: &[&Path], store: Option<&Store>) {
    let c = Changed {
        trials: false,
        patients: files.iter().map(|f| f.display().to_string()).collect(),
    };
    read(app, &c, &trials(), &["trials".into()], as_of(), store);
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains(from), "{from} not in {}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
}

fn best(app: &App, id: &str) -> Option<Verdict> {
    let row = app.rows().iter().find(|r| r.id == id)?;
    row.best.map(|(v, _)| v)
}

/// Appends `text` to `file`.
fn append(file: &Path, text: &str) {
    let before = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(file, format!("{before}\n{text}\n")).unwrap_or_else(|e| panic!("{e}"));
}

fn has(app: &App, id: &str) -> bool {
    app.rows().iter().any(|r| r.id == id)
}

fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn a_changed_file_is_evaluated_again_in_place_and_the_selection_stays() {
    let (_dir, queue, mut app) = copied();
    let p03 = queue.join("p03-sle-adult.toml");
    select(&mut app, "P07");
    assert_eq!(best(&app, "P03"), Some(Verdict::Eligible));
    // Pregnant now: an exclusion of every study that reads it.
    edit(&p03, "pregnant = false", "pregnant = true");
    changed(&mut app, &[&p03], None);
    assert_ne!(best(&app, "P03"), Some(Verdict::Eligible));
    assert_eq!(selected_id(&app).as_deref(), Some("P07"));
    assert_eq!(
        message(&app),
        "p03-sle-adult.toml changed: P03 evaluated again"
    );
    assert!(app.problems().is_empty(), "{:?}", app.problems());
}

#[test]
fn a_broken_or_removed_file_drops_the_patient_and_a_fixed_one_brings_it_back() {
    let (_dir, queue, mut app) = copied();
    let n = app.patients().len();
    let p03 = queue.join("p03-sle-adult.toml");
    let good = std::fs::read_to_string(&p03).unwrap_or_default();
    select(&mut app, "P07");
    append(&p03, "broken = [");
    changed(&mut app, &[&p03], None);
    // Never a stale verdict shown as current: the patient is off the queue, its problem listed.
    assert!(!has(&app, "P03"));
    assert_eq!(app.patients().len(), n - 1);
    assert_eq!(app.problems().len(), 1, "{:?}", app.problems());
    assert_eq!(app.problems()[0].file, p03.display().to_string());
    assert!(message(&app).contains("P03 is off the queue until it is fixed"));
    assert_eq!(selected_id(&app).as_deref(), Some("P07"));
    // Fixed: back, and its problem gone.
    std::fs::write(&p03, &good).unwrap_or_else(|e| panic!("{e}"));
    changed(&mut app, &[&p03], None);
    assert!(has(&app, "P03"));
    assert!(app.problems().is_empty(), "{:?}", app.problems());
    assert_eq!(best(&app, "P03"), Some(Verdict::Eligible));
    // Removed: gone, without a problem.
    let p05 = queue.join("p05-ra-age70-lvef45.toml");
    std::fs::remove_file(&p05).unwrap_or_else(|e| panic!("{e}"));
    changed(&mut app, &[&p05], None);
    assert!(!has(&app, "P05"));
    assert!(app.problems().is_empty());
    assert_eq!(
        message(&app),
        "p05-ra-age70-lvef45.toml is gone: P05 is off the queue"
    );
    // The patient list, the match table and the decisions still line up with the patients.
    for (p, row) in app.rows().iter().enumerate() {
        assert_eq!(app.patients()[p].id(), row.id);
    }
    assert_eq!(selected_id(&app).as_deref(), Some("P07"));
}

#[test]
fn a_new_file_joins_the_queue_unless_its_id_is_taken() {
    let (_dir, queue, mut app) = copied();
    let text = std::fs::read_to_string(queue.join("p03-sle-adult.toml")).unwrap_or_default();
    let twin = queue.join("p99-twin.toml");
    std::fs::write(&twin, &text).unwrap_or_else(|e| panic!("{e}"));
    changed(&mut app, &[&twin], None);
    assert_eq!(app.rows().iter().filter(|r| r.id == "P03").count(), 1);
    assert!(
        app.problems()
            .iter()
            .any(|p| p.file == twin.display().to_string() && p.message.contains("already used")),
        "{:?}",
        app.problems()
    );
    edit(&twin, "id = \"P03\"", "id = \"P99\"");
    changed(&mut app, &[&twin], None);
    assert!(has(&app, "P99"));
    assert!(app.problems().is_empty(), "{:?}", app.problems());
    assert_eq!(
        message(&app),
        "p99-twin.toml changed: P99 added to the queue"
    );
}

#[test]
fn the_facts_entered_in_the_app_stay_laid_over_a_file_that_changed() {
    let (dir, queue, mut app) = copied();
    let mut store = Store::open(&dir.path().join("w.sqlite3")).unwrap_or_else(|e| panic!("{e}"));
    store
        .add_entry(&NewEntry {
            patient: "P03",
            fragment: "reproductive = { pregnant = true }",
            summary: "pregnant",
            fact_date: None,
            source: "phone",
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let p03 = queue.join("p03-sle-adult.toml");
    edit(
        &p03,
        "name = ",
        "name = \"Test Patient Charlie Renamed\"\nold_name = ",
    );
    changed(&mut app, &[&p03], Some(&store));
    // The edit was not a valid field: a problem, and P03 off the queue.
    assert!(!has(&app, "P03"));
    edit(&p03, "\"Test Patient Charlie Renamed\"\nold_name = ", "");
    changed(&mut app, &[&p03], Some(&store));
    let p = patient_index(&app, "P03");
    assert_eq!(
        app.patients()[p]
            .data
            .reproductive
            .as_ref()
            .and_then(|r| r.pregnant),
        Some(true)
    );
    assert_ne!(best(&app, "P03"), Some(Verdict::Eligible));
}

#[test]
fn a_changed_study_file_ranks_every_patient_again() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let studies = copy_folder("trials", &dir.path().join("trials"));
    let src = Source::Paths(vec![studies.clone()]);
    let ws = load(
        &src,
        &Source::Paths(vec!["sample-patients".into()]),
        as_of(),
    );
    let mut app = App::new(ws, as_of());
    select(&mut app, "P07");
    let n = app.trials().len();
    let file = std::fs::read_dir(&studies)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "toml"))
        .unwrap_or_else(|| panic!("no trial file"));
    let good = std::fs::read_to_string(&file).unwrap_or_default();
    let names = [studies.display().to_string()];
    let all = Changed {
        trials: true,
        patients: Default::default(),
    };
    append(&file, "broken = [");
    read(&mut app, &all, &src, &names, as_of(), None);
    assert_eq!(app.trials().len(), n - 1);
    assert_eq!(app.problems().len(), 1, "{:?}", app.problems());
    assert!(message(&app).contains("every patient ranked again; 1 problem(s)"));
    assert_eq!(selected_id(&app).as_deref(), Some("P07"));
    // Every patient's standings name the studies now loaded, none beyond them.
    for p in 0..app.patients().len() {
        assert!(app.match_for(p, n - 1).is_none());
    }
    std::fs::write(&file, good).unwrap_or_else(|e| panic!("{e}"));
    read(&mut app, &all, &src, &names, as_of(), None);
    assert_eq!(app.trials().len(), n);
    assert!(app.problems().is_empty(), "{:?}", app.problems());
}

//! Helpers for the entry-form tests: a temporary worklist, the missing-data screen of a
//! patient with one fact selected, filling a form's fields and saving it as the event loop
//! would.

use super::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use trialmatch::tui::App;
use trialmatch::tui::app::Screen;
use trialmatch::worklist::Store;

/// A fresh database in a temporary folder (kept alive by the returned guard).
pub fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let s = Store::open(&dir.path().join("w.sqlite3")).unwrap_or_else(|e| panic!("open: {e}"));
    (dir, s)
}

pub fn entries(store: &Store, id: &str) -> usize {
    store
        .entries(Some(id))
        .unwrap_or_else(|e| panic!("entries: {e}"))
        .len()
}

pub fn ctrl(app: &mut App, c: char) {
    let ev = Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    if let Some(a) = app.action_for(&ev) {
        app.update(a);
    }
}

/// The missing-data screen of patient `id`, every fact shown (none folded).
pub fn missing_screen(app: &mut App, id: &str) {
    select(app, id);
    press(app, KeyCode::Char('m'));
    assert_eq!(app.screen(), Screen::Missing);
    if app.missing_folded() > 0 {
        press(app, KeyCode::Char('a'));
    }
}

/// Selects the missing fact whose text satisfies `pick` on the missing-data screen; its text.
pub fn select_fact(app: &mut App, pick: impl Fn(&str) -> bool) -> Option<String> {
    let at = app.missing_rows().iter().position(|f| pick(&f.fact))?;
    press(app, KeyCode::Home);
    for _ in 0..at {
        press(app, KeyCode::Down);
    }
    Some(app.missing_rows()[at].fact.clone())
}

/// The first patient (in list order) with a missing fact satisfying `pick`, on its
/// missing-data screen with that fact selected: (id, fact).
pub fn find_fact(app: &mut App, pick: impl Fn(&str) -> bool + Copy) -> (String, String) {
    let ids: Vec<String> = app
        .visible_patients()
        .iter()
        .map(|&p| app.rows()[p].id.clone())
        .collect();
    for id in ids {
        while app.screen() != Screen::Main {
            press(app, KeyCode::Esc);
        }
        missing_screen(app, &id);
        if let Some(f) = select_fact(app, pick) {
            return (id, f);
        }
    }
    panic!("no patient misses such a fact")
}

/// Tab to the field with this label.
pub fn to_field(app: &mut App, label: &str) {
    for _ in 0..20 {
        let f = app.form().unwrap_or_else(|| panic!("no form"));
        if f.fields[f.focus].label == label {
            return;
        }
        press(app, KeyCode::Tab);
    }
    panic!("no field {label}");
}

pub fn fill(app: &mut App, label: &str, text: &str) {
    to_field(app, label);
    type_str(app, text);
}

pub fn has_fact(app: &App, fact: &str) -> bool {
    app.missing_rows().iter().any(|f| f.fact == fact)
}

/// Saves the open form: Enter, then the event loop's part against `store`.
pub fn save(app: &mut App, store: &mut Store) {
    press(app, KeyCode::Enter);
    app.run_requests(store);
}

pub fn message(app: &App) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

/// P13's missing-data screen with `fact` selected and its form open.
pub fn open(app: &mut App, fact: &str) {
    missing_screen(app, "P13");
    let at = select_fact(app, |f| f.starts_with(fact));
    assert!(at.is_some(), "P13 does not miss {fact}");
    press(app, KeyCode::Char('i'));
}

/// Enter on a form whose answer cannot be a fragment: refused in the form, nothing sent.
pub fn refused(app: &mut App, store: &Store, says: &str) {
    refused_for(app, store, "P13", says);
}

/// [`refused`], for patient `id`.
pub fn refused_for(app: &mut App, store: &Store, id: &str, says: &str) {
    press(app, KeyCode::Enter);
    assert!(app.requests().is_empty(), "sent: {:?}", app.requests());
    let errors = app.form().map(|f| f.errors.clone()).unwrap_or_default();
    assert!(errors.iter().any(|e| e.contains(says)), "{errors:?}");
    assert_eq!(entries(store, id), 0);
}

pub fn clear(app: &mut App, label: &str) {
    to_field(app, label);
    press(app, KeyCode::End);
    ctrl(app, 'u');
}

/// Saved: the form closed, one entry whose fragment has each of `has`, the fact cleared.
pub fn stored(app: &mut App, store: &mut Store, fact: &str, has: &[&str]) {
    stored_for(app, store, "P13", fact, has);
}

/// [`stored`], for patient `id`.
pub fn stored_for(app: &mut App, store: &mut Store, id: &str, fact: &str, has: &[&str]) {
    save(app, store);
    assert_eq!(app.form(), None, "{:?}", app.form().map(|f| &f.errors));
    let e = &store.entries(Some(id)).unwrap_or_default()[0];
    for h in has {
        assert!(e.fragment.contains(h), "{h} not in {}", e.fragment);
    }
    assert!(
        !app.missing_rows().iter().any(|f| f.fact.starts_with(fact)),
        "{fact} still missing"
    );
}

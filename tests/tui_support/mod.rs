//! Shared fixtures for the UI tests: the shipped trials and sample patients at a fixed as-of
//! date, a TestBackend terminal, and helpers that drive the App through real key events.
#![allow(dead_code)]

pub mod intake;

use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use trialmatch::load::{Source, Workspace, load};
use trialmatch::tui::App;
use trialmatch::tui::app::List;

/// The fixed screening date every UI test uses.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

/// The shipped files, loaded as the binary would load them from the repository.
pub fn workspace() -> Workspace {
    load(
        &Source::Paths(vec!["trials".into()]),
        &Source::Paths(vec!["sample-patients".into()]),
        as_of(),
    )
}

/// An App over the shipped files, sized `w`×`h`.
pub fn app_sized(w: u16, h: u16) -> App {
    let mut app = App::new(workspace(), as_of());
    app.update(trialmatch::tui::Action::Resize {
        width: w,
        height: h,
    });
    app
}

pub fn app() -> App {
    app_sized(80, 24)
}

/// Draws the app on a fresh `w`×`h` test terminal.
pub fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("terminal: {e}"));
    t.draw(|f| f.render_widget(app, f.area()))
        .unwrap_or_else(|e| panic!("draw: {e}"));
    t
}

/// The screen as lines of text.
pub fn screen(app: &App) -> Vec<String> {
    let t = draw(app, app.area().width, app.area().height);
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .filter_map(|x| buf.cell((x, y)).map(|c| c.symbol().to_string()))
                .collect::<String>()
        })
        .collect()
}

pub fn screen_text(app: &App) -> String {
    screen(app).join("\n")
}

pub fn key_event(code: KeyCode) -> KeyEvent {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() || "?!".contains(c) => KeyModifiers::SHIFT,
        KeyCode::BackTab => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    KeyEvent::new(code, mods)
}

/// Presses a key: keymap → Action → update, as the event loop does.
pub fn press(app: &mut App, code: KeyCode) {
    let ev = Event::Key(key_event(code));
    if let Some(a) = app.action_for(&ev) {
        app.update(a);
    }
}

pub fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The id of the patient selected in the list.
pub fn selected_id(app: &App) -> Option<String> {
    app.selected_patient().map(|p| app.rows()[p].id.clone())
}

/// A recorded decision for the fixtures: patient id × trial id, at 2026-11-22 09:00 UTC plus
/// `seq` minutes, by "coordinator".
pub fn decision(
    seq: i64,
    patient: &str,
    trial: &str,
    status: trialmatch::worklist::Status,
    note: &str,
) -> trialmatch::worklist::Decision {
    use chrono::TimeZone;
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
        .single()
        .unwrap_or_default()
        + chrono::Duration::minutes(seq);
    trialmatch::worklist::Decision {
        seq,
        patient: patient.into(),
        trial: trial.into(),
        status,
        note: note.into(),
        who: "coordinator".into(),
        at,
    }
}

/// The id of the study with this short name.
pub fn trial_id(app: &App, short: &str) -> String {
    app.trials()
        .iter()
        .find(|t| t.short_name == short)
        .map(|t| t.id.clone())
        .unwrap_or_else(|| panic!("no study {short}"))
}

/// The index of the patient with this id.
pub fn patient_index(app: &App, id: &str) -> usize {
    app.rows()
        .iter()
        .position(|r| r.id == id)
        .unwrap_or_else(|| panic!("no patient {id}"))
}

/// Moves the list selection to patient `id`.
pub fn select(app: &mut App, id: &str) {
    press(app, KeyCode::Home);
    while selected_id(app).as_deref() != Some(id) {
        let before = app.cursor(List::Patients).selected;
        press(app, KeyCode::Down);
        assert_ne!(
            before,
            app.cursor(List::Patients).selected,
            "{id} not in the list"
        );
    }
}

/// Presses Ctrl plus a letter.
pub fn press_ctrl(app: &mut App, c: char) {
    let ev = Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    if let Some(a) = app.action_for(&ev) {
        app.update(a);
    }
}

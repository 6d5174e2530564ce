//! All UI state in one `App`, what outside the UI may read of it, and the only function that
//! changes it (`update`), which hands each action to the file of its concern. The event loop
//! that feeds it is in `run`, beside the terminal it owns.
//!
//! - `screen`: the one declaration of the screens and their lists, and every per-screen
//!   decision (the home to extend when adding a screen).
//! - `evaluation`: every patient ranked once at startup on the fast path; the explained
//!   ranking of a shown patient on demand.
//! - `filter`: the fuzzy filter, the status filter and the overview's sort.
//! - `navigation`: the stack of screens, Enter and Esc, ←/→ within a screen.
//! - `focus`: which list has the keys, and so the keymap's context.
//! - `cursor`: each list's selection and scroll, by keys, pages and the mouse.
//!
//! The fields are private to this module and its files, but for the worklist's own state
//! (`worklist`, `modal`, `message`, `problems`), which `tui::worklist` changes. Tests, benches
//! and the views read the rest through read-only methods: those under "Reading the state"
//! below, and each concern's own (`cursor`, `focus`, `context`, `list_len`, `drill_rows`,
//! `missing_rows`, `explained`, `highlight`, ...).

mod cursor;
mod evaluation;
mod filter;
mod focus;
mod navigation;
mod reload;
mod screen;

pub use cursor::{Cursor, WHEEL_STEP};
pub use evaluation::{Explained, PatientRow, Show, Standing};
pub use filter::{Pattern, Sort, char_mask};
pub use navigation::Drill;
pub use screen::{List, OPENING_KEYS, Screen, Scrolling};

use crate::load::{Progress, Workspace};
use crate::patient::Profile;
use crate::problem::Problem;
use crate::trial::Trial;
use crate::tui::action::Action;
use crate::tui::theme::Theme;
use crate::tui::worklist::{Message, Modal, StatusFilter, Worklist};
use chrono::NaiveDate;
use cursor::Cursors;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::layout::Rect;

/// The whole state of the UI.
pub struct App {
    trials: Vec<Trial>,
    patients: Vec<Profile>,
    /// What went wrong loading the files (and opening the worklist).
    pub(in crate::tui) problems: Vec<Problem>,
    as_of: NaiveDate,
    /// Each patient's studies ranked, best first (index-aligned with `patients`), evaluated
    /// once at startup on the fast path: verdict counts, no explanation.
    matches: Vec<Vec<Standing>>,
    /// The explained results of the patients the drill-down and the missing-data screen show
    /// (at most two), refreshed by `update`.
    explained: Vec<Explained>,
    rows: Vec<PatientRow>,
    /// Sanitized study short names, by trial index.
    study_names: Vec<String>,
    /// Their `char_mask`s.
    study_masks: Vec<u64>,
    /// Patient indices, best match first.
    order: Vec<usize>,
    /// `order` restricted to the filter.
    visible: Vec<usize>,
    /// The overview's rows: `visible` in the overview's sort.
    overview_rows: Vec<usize>,
    filter: String,
    /// The visible patients of the latest filters, each a prefix of the next: a new character
    /// searches only the previous result, Backspace goes back to the one before.
    trail: Vec<(String, Vec<usize>)>,
    /// Typing into the filter.
    typing: bool,
    /// Open screens; the last is shown. Never empty; the first is `Main`, which opens again
    /// over the overview when the overview opens a patient (so Esc returns to it).
    stack: Vec<Screen>,
    /// The main screen's focused pane: one of `Screen::Main.lists()`.
    focus: List,
    cursors: Cursors,
    show: Show,
    drill: Drill,
    missing_patient: usize,
    /// The missing-data screen lists the facts that only concern studies already ruled out;
    /// otherwise they are folded into one last row.
    missing_ruled_out: bool,
    contacts_trial: usize,
    overview_column: usize,
    sort: Option<Sort>,
    /// The terminal's size, for paging and mouse hit-testing.
    area: Rect,
    theme: Theme,
    quit: bool,
    /// Width of the id column.
    id_width: u16,
    /// Width of the longest study short name.
    study_width: u16,
    /// The decisions, the status filter, the history screen and the queued database requests.
    pub(in crate::tui) worklist: Worklist,
    /// The status picker or note input, when open: it takes the keys.
    pub(in crate::tui) modal: Option<Modal>,
    /// The status bar's message (what a worklist key did), until the next key.
    pub(in crate::tui) message: Option<Message>,
    matcher: SkimMatcherV2,
}

impl App {
    /// Ranks every patient against every study, once, and opens on the patient list.
    pub fn new(ws: Workspace, as_of: NaiveDate) -> App {
        App::with_progress(ws, as_of, &Progress::default())
    }

    /// As [`App::new`], counting evaluated patients into `progress` (its `total` is set first)
    /// so a loading screen can show how far it has got. Patients are ranked in parallel on the
    /// fast path; explanations wait until a patient is shown.
    pub fn with_progress(ws: Workspace, as_of: NaiveDate, progress: &Progress) -> App {
        let Workspace {
            trials,
            patients,
            problems,
        } = ws;
        let ranked = evaluation::rank_all(&trials, &patients, as_of, progress);
        let mut app = App {
            trials,
            patients,
            problems,
            as_of,
            matches: ranked.matches,
            explained: Vec::new(),
            rows: ranked.rows,
            study_masks: ranked.study_names.iter().map(|s| char_mask(s)).collect(),
            study_names: ranked.study_names,
            visible: ranked.order.clone(),
            overview_rows: ranked.order.clone(),
            order: ranked.order,
            filter: String::new(),
            trail: Vec::new(),
            typing: false,
            stack: vec![Screen::Main],
            focus: List::Patients,
            cursors: Cursors::default(),
            show: Show::All,
            drill: Drill::default(),
            missing_patient: 0,
            missing_ruled_out: false,
            contacts_trial: 0,
            overview_column: 0,
            sort: None,
            area: Rect::new(0, 0, 80, 24),
            theme: crate::tui::theme::THEME,
            quit: false,
            id_width: ranked.id_width,
            study_width: ranked.study_width,
            worklist: Worklist::default(),
            modal: None,
            message: None,
            matcher: SkimMatcherV2::default(),
        };
        app.explain();
        app.fit();
        app
    }

    /// The same app drawing with `theme`.
    pub fn with_theme(mut self, theme: Theme) -> App {
        self.theme = theme;
        self
    }

    /// Applies one action. The only place state changes.
    pub fn update(&mut self, action: Action) {
        if !matches!(action, Action::Resize { .. }) {
            self.message = None;
        }
        if self.modal_action(action) {
            self.fit();
            return;
        }
        let list = self.focused_list();
        match action {
            Action::Quit => self.quit = true,
            Action::Up => self.step(list, -1),
            Action::Down => self.step(list, 1),
            Action::PageUp => self.page(list, -1),
            Action::PageDown => self.page(list, 1),
            Action::Top => self.step(list, isize::MIN / 2),
            Action::Bottom => self.step(list, isize::MAX / 2),
            Action::Left => self.sideways(-1),
            Action::Right => self.sideways(1),
            Action::NextPane => self.cycle_pane(1),
            Action::PrevPane => self.cycle_pane(-1),
            Action::Open => self.enter(),
            Action::Back => self.back(),
            Action::Filter => self.start_filter(),
            Action::FilterInput(c) => self.filter_push(c),
            Action::FilterBackspace => self.filter_pop(),
            Action::FilterAccept => self.typing = false,
            Action::FilterClear => self.filter_clear(),
            Action::Show(s) => self.show(s),
            Action::OnlyFailing => self.toggle_shown(Show::Failing),
            Action::OnlyUnknown => self.toggle_shown(Show::Unknown),
            Action::AllCriteria => self.toggle_shown(Show::All),
            Action::RuledOutFacts => {
                if self.screen() == Screen::Missing {
                    // The selection stays on its fact; a fact folded away leaves it on the
                    // row that stands for them (at the same index: they come last).
                    self.missing_ruled_out = !self.missing_ruled_out;
                }
            }
            Action::Sort => self.sort_overview(),
            Action::Click { column, row } => self.click(column, row),
            Action::ScrollUp { column, row } => self.wheel(column, row, -WHEEL_STEP),
            Action::ScrollDown { column, row } => self.wheel(column, row, WHEEL_STEP),
            Action::Resize { width, height } => self.area = Rect::new(0, 0, width, height),
            Action::SetStatus
            | Action::AddNote
            | Action::HistoryScope
            | Action::Export
            | Action::StatusFilter => self.worklist_action(action),
            Action::Answer | Action::AskNext | Action::NewReferral => self.intake_action(action),
            // Only a picker or the note input acts on these.
            Action::Pick(_) | Action::Confirm | Action::Cancel | Action::Edit(_) | Action::Skip => {
            }
            // The event loop suspends the process (a terminal matter); no state changes.
            Action::Suspend => {}
        }
        self.explain();
        self.keep_funnel_fresh();
        self.fit();
    }
}

/// Reading the state: what tests, benches and the views may see of the App, all of it
/// read-only (only `update` changes the state).
impl App {
    /// The studies, by trial index.
    pub fn trials(&self) -> &[Trial] {
        &self.trials
    }

    /// The patients, by patient index.
    pub fn patients(&self) -> &[Profile] {
        &self.patients
    }

    /// What went wrong loading the files (and opening the worklist).
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The screening date every verdict is for.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Each patient's list row (display strings, sanitized), by patient index.
    pub fn rows(&self) -> &[PatientRow] {
        &self.rows
    }

    /// Each patient's studies, ranked best first, by patient index.
    pub fn matches(&self) -> &[Vec<Standing>] {
        &self.matches
    }

    /// A study's sanitized short name ("" for no study).
    pub fn study_name(&self, t: usize) -> &str {
        self.study_names.get(t).map_or("", String::as_str)
    }

    /// Width of the id column.
    pub fn id_width(&self) -> u16 {
        self.id_width
    }

    /// Width of the longest study short name.
    pub fn study_width(&self) -> u16 {
        self.study_width
    }

    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    /// Every patient index, best match first: the list without a filter.
    pub fn patient_order(&self) -> &[usize] {
        &self.order
    }

    /// The patients the list shows (indices), in its order: the order narrowed by the filters.
    pub fn visible_patients(&self) -> &[usize] {
        &self.visible
    }

    /// The patient selected in the list, as an index into the patients.
    pub fn selected_patient(&self) -> Option<usize> {
        self.visible
            .get(self.cursors[List::Patients].selected)
            .copied()
    }

    /// The selected patient's ranked matches (empty without a patient).
    pub fn selected_matches(&self) -> &[Standing] {
        self.selected_patient()
            .and_then(|p| self.matches.get(p))
            .map_or(&[], Vec::as_slice)
    }

    /// The overview's rows (patient indices): the visible patients in the overview's sort.
    pub fn overview_rows(&self) -> &[usize] {
        &self.overview_rows
    }

    /// The patient selected in the overview.
    pub fn overview_patient(&self) -> Option<usize> {
        self.overview_rows
            .get(self.cursors[List::Overview].selected)
            .copied()
    }

    /// The overview's selected study column (a trial index).
    pub fn overview_column(&self) -> usize {
        self.overview_column
    }

    /// The overview's sort, once chosen.
    pub fn overview_sort(&self) -> Option<Sort> {
        self.sort
    }

    /// The patient filter as typed ("" for none).
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Whether keys are typed into the filter.
    pub fn typing_filter(&self) -> bool {
        self.typing
    }

    /// The worklist status the list and the overview are filtered by.
    pub fn status_filter(&self) -> StatusFilter {
        self.worklist.filter
    }

    /// The screen on top.
    pub fn screen(&self) -> Screen {
        self.stack.last().copied().unwrap_or(Screen::Main)
    }

    /// The open screens, the one shown last.
    pub fn open_screens(&self) -> &[Screen] {
        &self.stack
    }

    /// The match and cohort the drill-down shows.
    pub fn drill(&self) -> Drill {
        self.drill
    }

    /// Which of its criteria the drill-down shows.
    pub fn criteria_shown(&self) -> Show {
        self.show
    }

    /// The patient the missing-data screen is about.
    pub fn missing_patient(&self) -> usize {
        self.missing_patient
    }

    /// The study the contacts screen shows (a trial index).
    pub fn contacts_trial(&self) -> usize {
        self.contacts_trial
    }

    /// The status picker or the note input, when one is open.
    pub fn modal(&self) -> Option<&Modal> {
        self.modal.as_ref()
    }

    /// The status bar's message, until the next key.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// The terminal's size, as last told.
    pub fn area(&self) -> Rect {
        self.area
    }

    /// Whether the user has quit.
    pub fn quitting(&self) -> bool {
        self.quit
    }
}

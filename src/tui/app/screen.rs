//! The one home of the screens: every screen and its lists are declared once, here, and every
//! decision the UI makes per screen or per list (how long a list is, which patient and study a
//! screen is about, what ←/→, Enter and opening a screen do) is an exhaustive match in this
//! file, so the compiler names each arm a new screen must add. The cursors (one per [`List`]),
//! the keymap's contexts (`Context::List`) and the help's section titles derive from the
//! declaration; the mechanics the arms call live in the files of their concern (navigation,
//! focus, cursor, evaluation). Drawing a screen is in `view` (`list_areas` and `render`).

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::{self, Binding, Context};
use crate::tui::view;
use ratatui::crossterm::event::KeyCode;

/// Declares the screens, each with its lists, each list's title (the help's section heading)
/// and, for a screen opened from anywhere, its key with the help's and the footer's words; and
/// derives from that one declaration: [`Screen`], [`List`], `List::ALL`, `List::COUNT`,
/// `Screen::lists`, `List::title` and [`OPENING_KEYS`].
macro_rules! screens {
    ($(
        $(#[doc = $screen_doc:literal])*
        $screen:ident
        $( (key $key:literal: $description:literal, footer $footer:literal) )?
        {
            $( $(#[doc = $list_doc:literal])* $list:ident: $title:literal ),+ $(,)?
        }
    )+) => {
        /// A full screen. `Main` is the patient list with the match table; the others open
        /// over it (see `App::open_screens`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Screen {
            $( $(#[doc = $screen_doc])* $screen, )+
        }

        /// Every scrollable list (or text) of the UI, each on one screen. Each has a cursor
        /// (`App::cursor`) and a keymap context (`Context::List`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum List {
            $( $( $(#[doc = $list_doc])* $list, )+ )+
        }

        impl Screen {
            /// The screen's lists: Tab moves between them when there are several.
            pub fn lists(self) -> &'static [List] {
                match self {
                    $( Screen::$screen => &[$(List::$list),+], )+
                }
            }
        }

        impl List {
            /// How many lists there are.
            pub const COUNT: usize = [$($(List::$list),+),+].len();
            /// Every list, screen by screen in the order declared.
            pub const ALL: [List; List::COUNT] = [$($(List::$list),+),+];

            /// The list's name, as the help heads its keys.
            pub fn title(self) -> &'static str {
                match self {
                    $( $( List::$list => $title, )+ )+
                }
            }
        }

        /// The keys that open a screen from anywhere, in the order declared: the keymap
        /// places them among its global keys (`keymap::KEYMAP`), so the handler, the footer
        /// and the help read them like any other binding.
        pub const OPENING_KEYS: &[Binding] = &[
            $( $(
                keymap::b(
                    Context::Global,
                    &[keymap::Key::Code(KeyCode::Char($key))],
                    Action::Show(Screen::$screen),
                    $description,
                    $footer,
                ),
            )? )+
        ];
    };
}

screens! {
    /// The referral queue: the patient list above, the selected patient's studies below.
    Main {
        /// The referral queue, best match first.
        Patients: "Patient list",
        /// The selected patient's studies, ranked.
        Matches: "Match table",
    }
    /// The criteria of one cohort of one study for one patient.
    Criteria {
        Criteria: "Criteria",
    }
    /// The facts missing for one patient, most decisive first.
    Missing (key 'm': "missing data for the selected patient", footer "missing") {
        Missing: "Missing data",
    }
    /// Whom to call about one study (text, scrolled).
    Contacts (key 'c': "contacts and ids of the selected study", footer "contacts") {
        Contacts: "Contacts",
    }
    /// Every (filtered) patient × every study.
    Overview (key 'o': "queue overview: patients × studies", footer "overview") {
        Overview: "Queue overview",
    }
    /// The worklist decisions of one patient.
    History (key 'H': "worklist history of the selected patient", footer "history") {
        History: "Worklist history",
    }
    /// What went wrong while loading the files. Not in the footer (an empty label): the
    /// status bar says "N problems (press !)" when there are any.
    Problems (key '!': "problems found in the data files", footer "") {
        Problems: "Problems",
    }
    /// Every key, from the keymap.
    Help (key '?': "this help", footer "help") {
        Help: "Help",
    }
    /// Each study's screening funnel to date (screened, eligible or possible, contacted,
    /// referred, enrolled, declined) and its most frequent reasons not eligible: the numbers of
    /// `trialmatch log`. Not in the footer (an empty label): every footer stays as it was, and
    /// the help lists the key.
    Funnel (key 'F': "screening funnel per study: screened to enrolled, reasons not eligible", footer "") {
        Funnel: "Screening funnel",
    }
}

/// How the keys move in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scrolling {
    /// A selected row, kept in view.
    Rows,
    /// Text: the cursor's `selected` is the top line, and the last page stops at the end.
    Text,
}

impl List {
    pub fn scrolling(self) -> Scrolling {
        match self {
            List::Contacts => Scrolling::Text,
            List::Patients
            | List::Matches
            | List::Criteria
            | List::Missing
            | List::Overview
            | List::Help
            | List::Problems
            | List::History
            | List::Funnel => Scrolling::Rows,
        }
    }
}

impl App {
    /// Number of rows (lines for text) in a list.
    pub fn list_len(&self, l: List) -> usize {
        match l {
            List::Patients => self.visible.len(),
            List::Matches => self.selected_matches().len(),
            List::Criteria => self.drill_rows().len(),
            // The facts shown, and the row that stands for the folded ones.
            List::Missing => self.missing_rows().len() + usize::from(self.missing_folded() > 0),
            List::Contacts => view::contacts::lines(self, self.text_width(l)).len(),
            List::Overview => self.overview_rows.len(),
            List::Help => keymap::help_rows().len(),
            List::Problems => self.problems.len(),
            List::History => self.history_rows().len(),
            List::Funnel => self.funnel_studies().len(),
        }
    }

    /// The patient the current screen is about (an index into the patients).
    pub(in crate::tui) fn current_patient(&self) -> Option<usize> {
        match self.screen() {
            Screen::Overview => self.overview_patient(),
            Screen::History => self.worklist.history.as_ref().map(|h| h.patient),
            Screen::Criteria => Some(self.drill.patient),
            Screen::Missing => Some(self.missing_patient),
            Screen::Main | Screen::Contacts | Screen::Help | Screen::Problems | Screen::Funnel => {
                self.selected_patient()
            }
        }
    }

    /// The study the current screen is about (a trial index).
    pub(super) fn current_trial(&self) -> Option<usize> {
        match self.screen() {
            Screen::Main => self.highlighted_match().map(|m| m.trial),
            Screen::Criteria => self.drill_match().map(|m| m.trial),
            Screen::Missing => self.missing_fact_trial(),
            Screen::Overview => Some(self.overview_column),
            Screen::Contacts => Some(self.contacts_trial),
            Screen::History => self
                .worklist
                .history
                .as_ref()
                .and_then(|h| h.study)
                .or_else(|| self.best_match_trial()),
            Screen::Help | Screen::Problems => self.best_match_trial(),
            // The selected study's contacts (c) are one key away.
            Screen::Funnel => self
                .funnel_studies()
                .get(self.cursors[List::Funnel].selected)
                .map(|f| f.trial),
        }
        .filter(|t| *t < self.trials.len())
    }

    /// The patient × study the worklist keys (s, n, e) act on: the match table's highlighted
    /// row, or the study the drill-down shows; none on the other screens.
    pub(in crate::tui) fn worklist_target(&self) -> Option<(usize, usize)> {
        match self.screen() {
            Screen::Main => {
                let p = self.selected_patient()?;
                let t = self
                    .selected_matches()
                    .get(self.cursors[List::Matches].selected)?
                    .trial;
                Some((p, t))
            }
            Screen::Criteria => Some((self.drill.patient, self.drill_match()?.trial)),
            Screen::Missing
            | Screen::Contacts
            | Screen::Overview
            | Screen::Help
            | Screen::Problems
            | Screen::History
            | Screen::Funnel => None,
        }
    }

    /// The study the worklist history opens on, so its `a` key can narrow to it: the
    /// overview's column, else the worklist keys' study.
    pub(in crate::tui) fn history_study(&self) -> Option<usize> {
        match self.screen() {
            Screen::Overview => Some(self.overview_column),
            Screen::Main | Screen::Criteria => self.worklist_target().map(|(_, t)| t),
            Screen::Missing
            | Screen::Contacts
            | Screen::Help
            | Screen::Problems
            | Screen::History
            | Screen::Funnel => None,
        }
        .filter(|t| *t < self.trials.len())
    }

    /// Opens screen `s` (its key was pressed): about the patient or study the current screen
    /// is about, where it shows one.
    pub(super) fn show(&mut self, s: Screen) {
        match s {
            Screen::Missing => self.show_missing(),
            Screen::Contacts => self.show_contacts(),
            Screen::History => self.show_history(),
            Screen::Funnel => self.show_funnel(),
            Screen::Overview | Screen::Help | Screen::Problems => self.push(s),
            // The main screen is always open underneath; the drill-down opens from a study
            // (Enter), never on its own.
            Screen::Main | Screen::Criteria => {}
        }
    }

    /// ← (`d` < 0) or → (`d` > 0).
    pub(super) fn sideways(&mut self, d: isize) {
        match self.screen() {
            Screen::Main => self.focus_toward(d),
            Screen::Criteria => self.next_cohort(d),
            Screen::Contacts => self.next_contacts_study(d),
            Screen::Overview => self.move_overview_column(d),
            Screen::Missing
            | Screen::Help
            | Screen::Problems
            | Screen::History
            | Screen::Funnel => {}
        }
    }

    /// Enter: opens what the selected row stands for.
    pub(super) fn enter(&mut self) {
        match self.screen() {
            Screen::Main => self.open_from_main(),
            Screen::Overview => self.open_overview_patient(),
            Screen::Missing => self.open_missing_fact(),
            Screen::Criteria
            | Screen::Contacts
            | Screen::Help
            | Screen::Problems
            | Screen::History
            | Screen::Funnel => {}
        }
    }
}

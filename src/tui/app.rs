//! All UI state in one `App` and the only function that changes it (`update`); the event loop
//! that feeds it is in `run`, beside the terminal it owns. Every patient is ranked once, at
//! startup, on the fast path (states and counts only, in parallel); the explained ranking and
//! the missing facts are computed in `update` only for the patient(s) a screen shows, and kept
//! in a small cache.

use crate::load::{Progress, Workspace};
use crate::missing::{MissingFact, missing_facts};
use crate::patient::{Profile, Sex};
use crate::problem::Problem;
use crate::rank::{Counts, CriterionResult, State, TrialMatch, Verdict, rank, rank_with};
use crate::text::sanitize;
use crate::trial::Trial;
use crate::tui::action::Action;
use crate::tui::keymap::{self, Context};
use crate::tui::theme::Theme;
use crate::tui::view;
use crate::tui::worklist::{Message, Modal, StatusFilter, Worklist, execute};
use crate::worklist::Store;
use chrono::NaiveDate;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::{Position, Rect};
use rayon::prelude::*;
use std::sync::atomic::Ordering;

/// Rows the mouse wheel moves.
pub const WHEEL_STEP: isize = 3;

/// A full screen. `Main` is the patient list with the match table; the others open over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Main,
    Criteria,
    Missing,
    Contacts,
    Overview,
    Help,
    Problems,
    History,
}

/// The two panes of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Patients,
    Matches,
}

/// Which criteria the drill-down shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    All,
    Failing,
    Unknown,
}

/// Every scrollable list (or text) of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Patients,
    Matches,
    Criteria,
    Missing,
    Contacts,
    Overview,
    Help,
    Problems,
    History,
}

/// Selection and scroll position of one list. For text (contacts), `selected` is the top line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` rows, staying within `0..len`.
    pub fn step(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let to = (self.selected as isize).saturating_add(delta);
        self.selected = to.clamp(0, len as isize - 1) as usize;
    }

    /// The first visible row for a window of `height` rows: as close to the stored offset as
    /// keeps the selection visible and the window full.
    pub fn window(&self, len: usize, height: usize) -> usize {
        if height == 0 || len == 0 {
            return 0;
        }
        let selected = self.selected.min(len - 1);
        let mut off = self.offset.min(len.saturating_sub(height));
        if selected < off {
            off = selected;
        } else if selected >= off + height {
            off = selected + 1 - height;
        }
        off
    }

    /// Clamps the selection to `len` rows and scrolls it into a window of `height` rows.
    pub fn fit(&mut self, len: usize, height: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        self.offset = self.window(len, height);
    }
}

/// The cursors of every list.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cursors {
    pub patients: Cursor,
    pub matches: Cursor,
    pub criteria: Cursor,
    pub missing: Cursor,
    pub contacts: Cursor,
    pub overview: Cursor,
    pub help: Cursor,
    pub problems: Cursor,
    pub history: Cursor,
}

impl Cursors {
    pub fn get(&self, l: List) -> Cursor {
        match l {
            List::Patients => self.patients,
            List::Matches => self.matches,
            List::Criteria => self.criteria,
            List::Missing => self.missing,
            List::Contacts => self.contacts,
            List::Overview => self.overview,
            List::Help => self.help,
            List::Problems => self.problems,
            List::History => self.history,
        }
    }
    fn get_mut(&mut self, l: List) -> &mut Cursor {
        match l {
            List::Patients => &mut self.patients,
            List::Matches => &mut self.matches,
            List::Criteria => &mut self.criteria,
            List::Missing => &mut self.missing,
            List::Contacts => &mut self.contacts,
            List::Overview => &mut self.overview,
            List::Help => &mut self.help,
            List::Problems => &mut self.problems,
            List::History => &mut self.history,
        }
    }
}

/// What the criterion drill-down shows: a patient's match (by rank) and one of its cohorts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drill {
    pub patient: usize,
    /// Index into the patient's ranked matches.
    pub rank: usize,
    /// Index into that match's cohorts (0 = the best).
    pub cohort: usize,
}

/// One patient's display strings, sanitized once.
#[derive(Debug, Clone)]
pub struct PatientRow {
    pub id: String,
    pub name: String,
    /// "F 54", "M ?".
    pub sex_age: String,
    /// Every diagnosis (name, else the upper-cased code); the first is the main one.
    pub diagnoses: Vec<String>,
    /// The diagnosis codes, for the filter.
    pub codes: Vec<String>,
    /// Best verdict and its trial index.
    pub best: Option<(Verdict, usize)>,
    /// `char_mask` of the id, the name, all diagnoses and all codes, for the filter.
    masks: [u64; 4],
}

impl PatientRow {
    /// The main diagnosis, as the list shows it.
    pub fn main_diagnosis(&self) -> &str {
        self.diagnoses
            .first()
            .map_or("no diagnosis recorded", String::as_str)
    }
}

/// One study's result for one patient without the explanation: the trial, its best cohort
/// and that cohort's counts. This is all the lists, the match table and the overview need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Index into the trial list.
    pub trial: usize,
    /// The best cohort, as an index into the trial's `cohort_ids()`.
    pub cohort: usize,
    /// The best cohort's counts.
    pub counts: Counts,
}

impl Standing {
    /// The best cohort's verdict.
    pub fn verdict(&self) -> Verdict {
        self.counts.verdict()
    }
    /// The best cohort's score (percent of its criteria that pass).
    pub fn score(&self) -> f64 {
        self.counts.score()
    }
    fn of(trials: &[Trial], m: &TrialMatch) -> Standing {
        let best = m.cohorts.first();
        let cohort = match (trials.get(m.trial), best.and_then(|c| c.cohort.as_deref())) {
            (Some(t), Some(id)) => t.cohorts.iter().position(|c| c.id == id).unwrap_or(0),
            _ => 0,
        };
        Standing {
            trial: m.trial,
            cohort,
            counts: best.map(|c| c.counts).unwrap_or_default(),
        }
    }
}

/// The explained ranking of one patient (reasons, missing facts) and that patient's missing
/// facts, computed when a screen shows the patient.
#[derive(Debug, Clone)]
pub struct Explained {
    pub patient: usize,
    /// Ranked as [`App::matches`] ranks the same patient.
    pub matches: Vec<TrialMatch>,
    /// Most decisive first.
    pub missing: Vec<MissingFact>,
}

/// The queue overview's sort: study column and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    /// Ineligible first instead of eligible first.
    pub reverse: bool,
}

/// The filter as the list tests it: a tight fuzzy match, fit for a clinical list. The pattern's
/// characters appear in order in the string (ASCII letters compared without case unless the
/// pattern has an ASCII capital: "smart case", as fuzzy-matcher's skim matcher does), and a
/// character that does not follow the previous one directly must start a word (the string's
/// first character, or one after a character that is neither a letter nor a digit). So `sle`
/// finds "SLE" and "Systemic lupus erythematosus" but not "Systemic sclerosis" or "Test
/// Patient Juliet", and `P19` finds the id "P19" but not "Paed CD19". Every tight match is
/// also a skim match (a test holds that), so the character-class pre-check stays valid, and a
/// tight match of a filter is a tight match of its prefix, so the filter can narrow its
/// previous result. The same alignment picks the characters highlighted.
pub struct Pattern {
    chars: Vec<char>,
    case_sensitive: bool,
    mask: u64,
}

/// One bit per character class: each ASCII letter (either case), each digit, and the other
/// characters hashed into the remaining bits. A character matches only characters of its bit.
fn char_bit(c: char) -> u64 {
    let bit = match c {
        'a'..='z' => c as u32 - 'a' as u32,
        'A'..='Z' => c as u32 - 'A' as u32,
        '0'..='9' => 26 + (c as u32 - '0' as u32),
        _ => 36 + c as u32 % 28,
    };
    1 << bit
}

/// The character classes present in `s`: a pattern with a class missing from it cannot match
/// it, which rules most strings out without scanning them.
pub fn char_mask(s: &str) -> u64 {
    s.chars().fold(0, |m, c| m | char_bit(c))
}

impl Pattern {
    pub fn new(filter: &str) -> Pattern {
        Pattern {
            chars: filter.chars().collect(),
            case_sensitive: filter.chars().any(|c| c.is_ascii_uppercase()),
            mask: char_mask(filter),
        }
    }

    /// Whether a string with these character classes (`char_mask`) could match.
    pub fn may_hit(&self, mask: u64) -> bool {
        mask & self.mask == self.mask
    }

    fn same(&self, c: char, p: char) -> bool {
        if self.case_sensitive {
            c == p
        } else {
            c.eq_ignore_ascii_case(&p)
        }
    }

    /// Whether the pattern matches `s` tightly (see [`Pattern`]).
    pub fn hits(&self, s: &str) -> bool {
        self.in_order(s) && self.indices(s).is_some()
    }

    /// Whether the pattern's characters appear in order in `s` (the skim matcher's test): a
    /// cheap scan that rules most strings out before the tight match is tried.
    fn in_order(&self, s: &str) -> bool {
        let mut want = self.chars.iter();
        let Some(mut p) = want.next() else {
            return true;
        };
        for c in s.chars() {
            if self.same(c, *p) {
                match want.next() {
                    Some(n) => p = n,
                    None => return true,
                }
            }
        }
        false
    }

    /// The character positions of `s` the pattern matches, leftmost alignment first
    /// (empty for an empty pattern); None when it does not match.
    pub fn indices(&self, s: &str) -> Option<Vec<usize>> {
        let m = self.chars.len();
        if m == 0 {
            return Some(Vec::new());
        }
        let text: Vec<char> = s.chars().collect();
        let n = text.len();
        if n < m {
            return None;
        }
        let starts: Vec<bool> = (0..n)
            .map(|j| j == 0 || !text[j - 1].is_alphanumeric())
            .collect();
        // ok[i * n + j]: pattern[i..] matches with pattern[i] at text[j].
        let mut ok = vec![false; m * n];
        for i in (0..m).rev() {
            // Whether pattern[i + 1] can sit at a word start after j (scanning j downwards).
            let mut start_after = false;
            for j in (0..n).rev() {
                let rest = i + 1 == m || (j + 1 < n && ok[(i + 1) * n + j + 1]) || start_after;
                ok[i * n + j] = self.same(text[j], self.chars[i]) && rest;
                if i + 1 < m && starts[j] && ok[(i + 1) * n + j] {
                    start_after = true;
                }
            }
        }
        let mut at = (0..n).find(|&j| ok[j])?;
        let mut out = Vec::with_capacity(m);
        out.push(at);
        for i in 1..m {
            at = if at + 1 < n && ok[i * n + at + 1] {
                at + 1
            } else {
                (at + 1..n).find(|&j| starts[j] && ok[i * n + j])?
            };
            out.push(at);
        }
        Some(out)
    }
}

/// Filter results kept for Backspace: at most this many of the latest filters.
const TRAIL: usize = 32;

/// The whole state of the UI.
pub struct App {
    pub trials: Vec<Trial>,
    pub patients: Vec<Profile>,
    pub problems: Vec<Problem>,
    pub as_of: NaiveDate,
    /// Each patient's studies ranked, best first (index-aligned with `patients`), evaluated
    /// once at startup on the fast path: verdict counts, no explanation.
    pub matches: Vec<Vec<Standing>>,
    /// The explained results of the patients the drill-down and the missing-data screen show
    /// (at most two), refreshed by `update`.
    pub explained: Vec<Explained>,
    pub rows: Vec<PatientRow>,
    /// Sanitized study short names, by trial index.
    pub study_names: Vec<String>,
    /// Their `char_mask`s.
    study_masks: Vec<u64>,
    /// Patient indices, best match first.
    pub order: Vec<usize>,
    /// `order` restricted to the filter.
    pub visible: Vec<usize>,
    /// The overview's rows: `visible` in the overview's sort.
    pub overview_rows: Vec<usize>,
    pub filter: String,
    /// The visible patients of the latest filters, each a prefix of the next: a new character
    /// searches only the previous result, Backspace goes back to the one before.
    trail: Vec<(String, Vec<usize>)>,
    /// Typing into the filter.
    pub typing: bool,
    /// Open screens; the last is shown. Never empty; the first is `Main`, which opens again
    /// over the overview when the overview opens a patient (so Esc returns to it).
    pub stack: Vec<Screen>,
    pub focus: Pane,
    pub cursors: Cursors,
    pub show: Show,
    pub drill: Drill,
    pub missing_patient: usize,
    /// The missing-data screen lists the facts that only concern studies already ruled out;
    /// otherwise they are folded into one last row.
    pub missing_ruled_out: bool,
    pub contacts_trial: usize,
    pub overview_column: usize,
    pub sort: Option<Sort>,
    /// The terminal's size, for paging and mouse hit-testing.
    pub area: Rect,
    pub theme: Theme,
    pub quit: bool,
    /// Width of the id column.
    pub id_width: u16,
    /// Width of the longest study short name.
    pub study_width: u16,
    /// The decisions, the status filter, the history screen and the queued database requests.
    pub worklist: Worklist,
    /// The status picker or note input, when open: it takes the keys.
    pub modal: Option<Modal>,
    /// The status bar's message (what a worklist key did), until the next key.
    pub message: Option<Message>,
    matcher: SkimMatcherV2,
}

fn sex_age(p: &Profile, as_of: NaiveDate) -> String {
    let sex = match p.data.sex.as_ref().map(|s| *s.get_ref()) {
        Some(Sex::Female) => "F",
        Some(Sex::Male) => "M",
        None => "?",
    };
    let age = crate::derive::age(p, as_of)
        .value
        .map_or("?".to_string(), |a| format!("{a:.0}"));
    format!("{sex} {age}")
}

/// A patient's place in the list: their best study's rank key (no study last).
fn sort_key(m: &[Standing]) -> (bool, Option<crate::rank::RankKey>) {
    let best = m.first().map(|b| b.counts.rank_key());
    (best.is_none(), best)
}

/// Ranks one patient on the fast path and builds its list row.
fn evaluate(trials: &[Trial], p: &Profile, as_of: NaiveDate) -> (Vec<Standing>, PatientRow) {
    let m: Vec<Standing> = rank_with(trials, p, as_of, false)
        .iter()
        .map(|m| Standing::of(trials, m))
        .collect();
    let diagnoses: Vec<String> = p
        .data
        .diagnosis
        .iter()
        .map(|d| match &d.name {
            Some(n) => sanitize(n),
            None => sanitize(&d.code.get_ref().to_uppercase()),
        })
        .collect();
    let codes: Vec<String> = p
        .data
        .diagnosis
        .iter()
        .map(|d| sanitize(d.code.get_ref()))
        .collect();
    let (id, name) = (sanitize(p.id()), sanitize(p.name()));
    let all = |v: &[String]| v.iter().fold(0, |m, s| m | char_mask(s));
    let row = PatientRow {
        masks: [
            char_mask(&id),
            char_mask(&name),
            all(&diagnoses),
            all(&codes),
        ],
        id,
        name,
        sex_age: sex_age(p, as_of),
        diagnoses,
        codes,
        best: m.first().map(|b| (b.verdict(), b.trial)),
    };
    (m, row)
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
        progress.total.store(patients.len(), Ordering::Relaxed);
        let (matches, rows): (Vec<Vec<Standing>>, Vec<PatientRow>) = patients
            .par_iter()
            .map(|p| {
                let r = evaluate(&trials, p, as_of);
                progress.done.fetch_add(1, Ordering::Relaxed);
                r
            })
            .unzip();
        let mut order: Vec<usize> = (0..patients.len()).collect();
        order.par_sort_by(|&a, &b| {
            sort_key(&matches[a])
                .cmp(&sort_key(&matches[b]))
                .then_with(|| rows[a].id.cmp(&rows[b].id))
        });
        let width = |s: &str| ratatui::text::Span::raw(s).width();
        let id_width = rows
            .par_iter()
            .map(|r| width(&r.id))
            .max()
            .unwrap_or(2)
            .clamp(2, 12) as u16;
        // Marked "⚠" where a rule of the trial file could not be read.
        let study_names: Vec<String> = trials.iter().map(crate::tui::view::study_name).collect();
        let study_width = study_names
            .iter()
            .map(|s| width(s))
            .max()
            .unwrap_or(5)
            .clamp(5, 20) as u16;
        let mut app = App {
            trials,
            patients,
            problems,
            as_of,
            matches,
            explained: Vec::new(),
            rows,
            study_masks: study_names.iter().map(|s| char_mask(s)).collect(),
            study_names,
            visible: order.clone(),
            overview_rows: order.clone(),
            order,
            filter: String::new(),
            trail: Vec::new(),
            typing: false,
            stack: vec![Screen::Main],
            focus: Pane::Patients,
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
            id_width,
            study_width,
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

    /// The screen on top.
    pub fn screen(&self) -> Screen {
        self.stack.last().copied().unwrap_or(Screen::Main)
    }

    /// Which part of the keymap applies now.
    pub fn context(&self) -> Context {
        match self.modal {
            Some(Modal::Picker(_)) => return Context::Picker,
            Some(Modal::Note(_)) => return Context::Note,
            None => {}
        }
        if self.typing {
            return Context::Filter;
        }
        match self.screen() {
            Screen::Main => match self.focus {
                Pane::Patients => Context::Patients,
                Pane::Matches => Context::Matches,
            },
            Screen::Criteria => Context::Criteria,
            Screen::Missing => Context::Missing,
            Screen::Contacts => Context::Contacts,
            Screen::Overview => Context::Overview,
            Screen::Help => Context::Help,
            Screen::Problems => Context::Problems,
            Screen::History => Context::History,
        }
    }

    /// The patient selected in the list, as an index into `patients`.
    pub fn selected_patient(&self) -> Option<usize> {
        self.visible.get(self.cursors.patients.selected).copied()
    }

    /// The patient selected in the overview.
    pub fn overview_patient(&self) -> Option<usize> {
        self.overview_rows
            .get(self.cursors.overview.selected)
            .copied()
    }

    /// The selected patient's ranked matches (empty without a patient).
    pub fn selected_matches(&self) -> &[Standing] {
        self.selected_patient()
            .and_then(|p| self.matches.get(p))
            .map_or(&[], Vec::as_slice)
    }

    /// The explained results of patient `p`, when a screen shows that patient.
    pub fn explained(&self, p: usize) -> Option<&Explained> {
        self.explained.iter().find(|e| e.patient == p)
    }

    /// The match the drill-down shows, explained.
    pub fn drill_match(&self) -> Option<&TrialMatch> {
        self.explained(self.drill.patient)?
            .matches
            .get(self.drill.rank)
    }

    /// The criteria rows the drill-down shows (after the failing/unknown filter).
    pub fn drill_rows(&self) -> Vec<&CriterionResult> {
        let Some(m) = self.drill_match() else {
            return Vec::new();
        };
        let Some(c) = m.cohorts.get(self.drill.cohort) else {
            return Vec::new();
        };
        c.results
            .iter()
            .filter(|r| match self.show {
                Show::All => true,
                Show::Failing => r.state == State::Fail,
                Show::Unknown => r.state == State::Unknown,
            })
            .collect()
    }

    /// The missing facts of the patient the missing-data screen shows.
    pub fn missing_list(&self) -> &[MissingFact] {
        self.explained(self.missing_patient)
            .map_or(&[], |e| e.missing.as_slice())
    }

    /// The facts the missing-data screen lists, in its order: those that could change a
    /// verdict, then (unfolded) those that only concern studies already ruled out.
    pub fn missing_rows(&self) -> Vec<&MissingFact> {
        let all = self.missing_list();
        let open = all.iter().filter(|f| !f.only_ruled_out());
        if self.missing_ruled_out {
            open.chain(all.iter().filter(|f| f.only_ruled_out()))
                .collect()
        } else {
            open.collect()
        }
    }

    /// How many facts the missing-data screen folds into its last row (0: none folded).
    pub fn missing_folded(&self) -> usize {
        if self.missing_ruled_out {
            0
        } else {
            self.missing_list()
                .iter()
                .filter(|f| f.only_ruled_out())
                .count()
        }
    }

    /// The match of patient `p` for trial index `t`.
    pub fn match_for(&self, p: usize, t: usize) -> Option<&Standing> {
        self.matches.get(p)?.iter().find(|m| m.trial == t)
    }

    /// A study's sanitized short name ("" for no study).
    pub fn study_name(&self, t: usize) -> &str {
        self.study_names.get(t).map_or("", String::as_str)
    }

    /// The id of a standing's best cohort (None for a study of one population).
    pub fn cohort_id(&self, s: &Standing) -> Option<&str> {
        self.trials
            .get(s.trial)?
            .cohorts
            .get(s.cohort)
            .map(|c| c.id.as_str())
    }

    /// The filter's match in `s` (see [`Pattern`]): the matched character indices.
    pub fn highlight(&self, s: &str) -> Vec<usize> {
        if self.filter.is_empty() {
            return Vec::new();
        }
        Pattern::new(&self.filter).indices(s).unwrap_or_default()
    }

    /// The diagnosis to show for a patient: the main one, or while filtering the one the filter
    /// matches best (so a match in a second diagnosis is visible).
    pub fn shown_diagnosis<'a>(&self, r: &'a PatientRow) -> &'a str {
        let main = r.main_diagnosis();
        if self.filter.is_empty() {
            return main;
        }
        let pattern = Pattern::new(&self.filter);
        let score = |d: &str| {
            pattern
                .hits(d)
                .then(|| self.matcher.fuzzy_match(d, &self.filter))
                .flatten()
        };
        let main_score = score(main);
        r.diagnoses
            .iter()
            .filter_map(|d| score(d).map(|s| (s, d)))
            .filter(|(s, _)| main_score.is_none_or(|m| *s > m))
            .max_by_key(|(s, _)| *s)
            .map_or(main, |(_, d)| d.as_str())
    }

    /// Whether `filter` matches patient `i` (tightly, see [`Pattern`]): its id, name,
    /// diagnoses, diagnosis codes or a study it is not ruled out of.
    fn filter_matches(&self, i: usize, filter: &Pattern) -> bool {
        let (Some(r), Some(m)) = (self.rows.get(i), self.matches.get(i)) else {
            return false;
        };
        let [id, name, diagnoses, codes] = r.masks.map(|m| filter.may_hit(m));
        (id && filter.hits(&r.id))
            || (name && filter.hits(&r.name))
            || (diagnoses && r.diagnoses.iter().any(|d| filter.hits(d)))
            || (codes && r.codes.iter().any(|c| filter.hits(c)))
            || m.iter()
                .filter(|s| s.verdict() != Verdict::Ineligible)
                .any(|s| {
                    self.study_masks
                        .get(s.trial)
                        .is_some_and(|&k| filter.may_hit(k))
                        && filter.hits(self.study_name(s.trial))
                })
    }

    /// Number of rows (lines for contacts) in a list.
    pub fn list_len(&self, l: List) -> usize {
        match l {
            List::Patients => self.visible.len(),
            List::Matches => self.selected_matches().len(),
            List::Criteria => self.drill_rows().len(),
            // The facts shown, and the row that stands for the folded ones.
            List::Missing => self.missing_rows().len() + usize::from(self.missing_folded() > 0),
            List::Contacts => view::contacts::lines(self, self.contacts_width()).len(),
            List::Overview => self.overview_rows.len(),
            List::Help => keymap::help_rows().len(),
            List::Problems => self.problems.len(),
            List::History => self.history_rows().len(),
        }
    }

    fn contacts_width(&self) -> u16 {
        view::list_areas(self, self.area)
            .iter()
            .find(|(l, _)| *l == List::Contacts)
            .map_or(self.area.width, |(_, r)| r.width)
    }

    /// The list that keys move on the current screen.
    pub fn focused_list(&self) -> List {
        match self.screen() {
            Screen::Main => match self.focus {
                Pane::Patients => List::Patients,
                Pane::Matches => List::Matches,
            },
            Screen::Criteria => List::Criteria,
            Screen::Missing => List::Missing,
            Screen::Contacts => List::Contacts,
            Screen::Overview => List::Overview,
            Screen::Help => List::Help,
            Screen::Problems => List::Problems,
            Screen::History => List::History,
        }
    }

    fn height(&self, l: List) -> usize {
        view::list_areas(self, self.area)
            .iter()
            .find(|(x, _)| *x == l)
            .map_or(1, |(_, r)| r.height as usize)
    }

    /// Clamps every cursor and scrolls the visible lists so their selection shows.
    pub(crate) fn fit(&mut self) {
        let areas = view::list_areas(self, self.area);
        for l in [
            List::Patients,
            List::Matches,
            List::Criteria,
            List::Missing,
            List::Overview,
            List::Help,
            List::Problems,
            List::History,
        ] {
            let len = self.list_len(l);
            let h = areas
                .iter()
                .find(|(x, _)| *x == l)
                .map_or(0, |(_, r)| r.height as usize);
            let c = self.cursors.get_mut(l);
            if h == 0 {
                c.selected = c.selected.min(len.saturating_sub(1));
            } else {
                c.fit(len, h);
            }
        }
        if let Some((_, r)) = areas.iter().find(|(l, _)| *l == List::Contacts) {
            let lines = view::contacts::lines(self, r.width).len();
            let top = lines.saturating_sub(r.height as usize);
            let c = &mut self.cursors.contacts;
            c.selected = c.selected.min(top);
            c.offset = c.selected;
        }
    }

    /// Moves the selection of list `l` by `delta` rows (scrolls for text).
    fn step(&mut self, l: List, delta: isize) {
        let len = self.list_len(l);
        let before = self.selected_patient();
        if l == List::Contacts {
            let h = self.height(l);
            let c = &mut self.cursors.contacts;
            c.step(delta, len.saturating_sub(h) + 1);
        } else {
            self.cursors.get_mut(l).step(delta, len);
        }
        if l == List::Patients && self.selected_patient() != before {
            self.cursors.matches = Cursor::default();
        }
    }

    pub(crate) fn push(&mut self, s: Screen) {
        match self.stack.iter().position(|x| *x == s) {
            Some(i) => self.stack.truncate(i + 1),
            None => self.stack.push(s),
        }
    }

    /// The patient the current screen is about.
    pub(crate) fn current_patient(&self) -> Option<usize> {
        match self.screen() {
            Screen::Overview => self.overview_patient(),
            Screen::History => self.worklist.history.as_ref().map(|h| h.patient),
            Screen::Criteria => Some(self.drill.patient),
            Screen::Missing => Some(self.missing_patient),
            _ => self.selected_patient(),
        }
    }

    /// The study the current screen is about (a trial index).
    fn current_trial(&self) -> Option<usize> {
        match self.screen() {
            Screen::Main => match self.focus {
                Pane::Matches => self.selected_matches().get(self.cursors.matches.selected),
                Pane::Patients => self.selected_matches().first(),
            }
            .map(|m| m.trial),
            Screen::Criteria => self.drill_match().map(|m| m.trial),
            Screen::Missing => self
                .missing_rows()
                .get(self.cursors.missing.selected)
                .and_then(|f| f.decisive_for.first().or(f.blocks.first().map(|b| &b.0)))
                .copied()
                .or_else(|| {
                    self.matches
                        .get(self.missing_patient)?
                        .first()
                        .map(|m| m.trial)
                }),
            Screen::Overview => Some(self.overview_column),
            Screen::Contacts => Some(self.contacts_trial),
            Screen::History => self
                .worklist
                .history
                .as_ref()
                .and_then(|h| h.study)
                .or_else(|| self.selected_matches().first().map(|m| m.trial)),
            Screen::Help | Screen::Problems => self.selected_matches().first().map(|m| m.trial),
        }
        .filter(|t| *t < self.trials.len())
    }

    fn open_drill(&mut self, d: Drill, criterion: Option<&str>) {
        self.drill = d;
        self.show = Show::All;
        self.cursors.criteria = Cursor::default();
        self.push(Screen::Criteria);
        self.explain();
        if let Some(id) = criterion {
            let trial = self.drill_match().map(|m| m.trial);
            let pos = self.drill_rows().iter().position(|r| {
                trial
                    .and_then(|t| self.trials.get(t))
                    .and_then(|t| t.criteria.get(r.index))
                    .is_some_and(|c| c.id == id)
            });
            self.cursors.criteria.selected = pos.unwrap_or(0);
        }
    }

    /// Keeps the explained results of the patients that the open drill-down and missing-data
    /// screens show, computing those not yet explained and dropping the rest: the only place
    /// the slow, explaining evaluation runs.
    fn explain(&mut self) {
        let mut want: Vec<usize> = Vec::with_capacity(2);
        if self.stack.contains(&Screen::Criteria) {
            want.push(self.drill.patient);
        }
        if self.stack.contains(&Screen::Missing) && !want.contains(&self.missing_patient) {
            want.push(self.missing_patient);
        }
        want.retain(|&p| p < self.patients.len());
        self.explained.retain(|e| want.contains(&e.patient));
        for p in want {
            if self.explained(p).is_none() {
                let matches = rank(&self.trials, &self.patients[p], self.as_of);
                let missing = missing_facts(&self.trials, &matches);
                self.explained.push(Explained {
                    patient: p,
                    matches,
                    missing,
                });
            }
        }
    }

    /// Recomputes the visible patients after the filter changed, keeping the selected patient
    /// when it still matches; a patient whose id is the filter comes first and is selected. Incremental: a filter that extends an earlier one searches only
    /// that one's result (a fuzzy match of the longer filter is a match of its prefix), and a
    /// filter seen before (Backspace) reuses its result; otherwise every patient is searched.
    pub(crate) fn refilter(&mut self) {
        let keep = self.selected_patient();
        if self.filter.is_empty() {
            self.trail.clear();
            self.visible = self.order.clone();
        } else {
            while self
                .trail
                .last()
                .is_some_and(|(f, _)| !self.filter.starts_with(f.as_str()))
            {
                self.trail.pop();
            }
            self.visible = match self.trail.last() {
                Some((f, v)) if *f == self.filter => v.clone(),
                last => {
                    let from = last.map_or(&self.order, |(_, v)| v);
                    let pattern = Pattern::new(&self.filter);
                    let v: Vec<usize> = from
                        .par_iter()
                        .copied()
                        .filter(|&i| self.filter_matches(i, &pattern))
                        .collect();
                    if self.trail.len() >= TRAIL {
                        self.trail.remove(0);
                    }
                    self.trail.push((self.filter.clone(), v.clone()));
                    v
                }
            };
        }
        self.apply_status_filter();
        // A patient whose id is the filter (any case) ranks first and is selected: the
        // coordinator typed that patient, and `m`, `s` or Enter must act on it.
        let typed = self.filter.trim().to_lowercase();
        let exact = (!typed.is_empty())
            .then(|| {
                self.visible.iter().position(|&i| {
                    self.rows
                        .get(i)
                        .is_some_and(|r| r.id.to_lowercase() == typed)
                })
            })
            .flatten();
        if let Some(pos) = exact {
            let p = self.visible.remove(pos);
            self.visible.insert(0, p);
        }
        self.cursors.patients = Cursor::default();
        if exact.is_none()
            && let Some(k) = keep
            && let Some(pos) = self.visible.iter().position(|&i| i == k)
        {
            self.cursors.patients.selected = pos;
        }
        if self.selected_patient() != keep {
            self.cursors.matches = Cursor::default();
        }
        self.resort();
    }

    /// Recomputes the overview rows: the visible patients, sorted by the chosen study column
    /// (verdict, then score, then the list order).
    fn resort(&mut self) {
        let keep = self.overview_patient();
        let mut rows = self.visible.clone();
        if let Some(s) = self.sort {
            let key = |p: usize| {
                self.match_for(p, s.column).map_or((u8::MAX, 0), |m| {
                    (m.verdict() as u8, -(m.score() * 1000.0).round() as i64)
                })
            };
            // `visible` is already in list order, and the sort is stable.
            rows.sort_by(|&a, &b| {
                let o = key(a).cmp(&key(b));
                if s.reverse { o.reverse() } else { o }
            });
        }
        self.overview_rows = rows;
        self.cursors.overview = Cursor::default();
        if let Some(k) = keep
            && let Some(pos) = self.overview_rows.iter().position(|&i| i == k)
        {
            self.cursors.overview.selected = pos;
        }
    }

    fn select_patient(&mut self, p: usize) {
        if let Some(pos) = self.visible.iter().position(|&i| i == p) {
            if self.cursors.patients.selected != pos {
                self.cursors.matches = Cursor::default();
            }
            self.cursors.patients.selected = pos;
        }
    }

    /// Turns a terminal event into an action (key through the keymap; mouse; resize).
    pub fn action_for(&self, ev: &Event) -> Option<Action> {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                keymap::action_for(self.context(), k)
            }
            Event::Mouse(m) => match m.kind {
                MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                    column: m.column,
                    row: m.row,
                }),
                MouseEventKind::ScrollUp => Some(Action::ScrollUp {
                    column: m.column,
                    row: m.row,
                }),
                MouseEventKind::ScrollDown => Some(Action::ScrollDown {
                    column: m.column,
                    row: m.row,
                }),
                _ => None,
            },
            Event::Resize(w, h) => Some(Action::Resize {
                width: *w,
                height: *h,
            }),
            _ => None,
        }
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
            Action::PageUp => self.step(list, -(self.height(list).max(1) as isize)),
            Action::PageDown => self.step(list, self.height(list).max(1) as isize),
            Action::Top => self.step(list, isize::MIN / 2),
            Action::Bottom => self.step(list, isize::MAX / 2),
            Action::Left => self.left_right(-1),
            Action::Right => self.left_right(1),
            Action::NextPane | Action::PrevPane => {
                if self.screen() == Screen::Main {
                    self.focus = match self.focus {
                        Pane::Patients => Pane::Matches,
                        Pane::Matches => Pane::Patients,
                    };
                }
            }
            Action::Open => self.open(),
            Action::Back => self.back(),
            Action::Filter => {
                self.typing = true;
                if self.screen() == Screen::Main {
                    self.focus = Pane::Patients;
                }
            }
            Action::FilterInput(c) => {
                if !c.is_control() {
                    self.filter.push(c);
                    self.refilter();
                }
            }
            Action::FilterBackspace => {
                if self.filter.pop().is_some() {
                    self.refilter();
                }
            }
            Action::FilterAccept => self.typing = false,
            Action::FilterClear => {
                self.typing = false;
                if !self.filter.is_empty() {
                    self.filter.clear();
                    self.refilter();
                }
            }
            Action::ShowMissing => {
                if let Some(p) = self.current_patient() {
                    if p != self.missing_patient || self.screen() != Screen::Missing {
                        self.cursors.missing = Cursor::default();
                    }
                    self.missing_patient = p;
                    self.push(Screen::Missing);
                }
            }
            Action::ShowContacts => {
                if let Some(t) = self.current_trial() {
                    if t != self.contacts_trial {
                        self.cursors.contacts = Cursor::default();
                    }
                    self.contacts_trial = t;
                    self.push(Screen::Contacts);
                }
            }
            Action::ShowOverview => self.push(Screen::Overview),
            Action::ShowHelp => self.push(Screen::Help),
            Action::ShowProblems => self.push(Screen::Problems),
            Action::OnlyFailing | Action::OnlyUnknown | Action::AllCriteria => {
                let want = match action {
                    Action::OnlyFailing => Show::Failing,
                    Action::OnlyUnknown => Show::Unknown,
                    _ => Show::All,
                };
                self.show = if self.show == want { Show::All } else { want };
                self.cursors.criteria = Cursor::default();
            }
            Action::RuledOutFacts => {
                if self.screen() == Screen::Missing {
                    // The selection stays on its fact; a fact folded away leaves it on the
                    // row that stands for them (at the same index: they come last).
                    self.missing_ruled_out = !self.missing_ruled_out;
                }
            }
            Action::Sort => {
                let column = self.overview_column;
                self.sort = Some(match self.sort {
                    Some(s) if s.column == column => Sort {
                        column,
                        reverse: !s.reverse,
                    },
                    _ => Sort {
                        column,
                        reverse: false,
                    },
                });
                self.resort();
            }
            Action::Click { column, row } => self.click(column, row),
            Action::ScrollUp { column, row } => self.wheel(column, row, -WHEEL_STEP),
            Action::ScrollDown { column, row } => self.wheel(column, row, WHEEL_STEP),
            Action::Resize { width, height } => self.area = Rect::new(0, 0, width, height),
            Action::SetStatus
            | Action::AddNote
            | Action::ShowHistory
            | Action::HistoryScope
            | Action::Export
            | Action::StatusFilter => self.worklist_action(action),
            // Only a picker or the note input acts on these.
            Action::Pick(_) | Action::Confirm | Action::Cancel | Action::Edit(_) => {}
            // The event loop suspends the process (a terminal matter); no state changes.
            Action::Suspend => {}
        }
        self.explain();
        self.fit();
    }

    fn left_right(&mut self, d: isize) {
        let wrap = |i: usize, n: usize| -> usize {
            if n == 0 {
                0
            } else {
                (i as isize + d).rem_euclid(n as isize) as usize
            }
        };
        match self.screen() {
            Screen::Main => {
                self.focus = if d < 0 { Pane::Patients } else { Pane::Matches };
            }
            Screen::Criteria => {
                let n = self.drill_match().map_or(0, |m| m.cohorts.len());
                self.drill.cohort = wrap(self.drill.cohort, n);
                self.cursors.criteria = Cursor::default();
            }
            Screen::Contacts => {
                self.contacts_trial = wrap(self.contacts_trial, self.trials.len());
                self.cursors.contacts = Cursor::default();
            }
            Screen::Overview => {
                let n = self.trials.len();
                self.overview_column = (self.overview_column as isize + d)
                    .clamp(0, n.saturating_sub(1) as isize)
                    as usize;
            }
            Screen::Missing | Screen::Help | Screen::Problems | Screen::History => {}
        }
    }

    fn open(&mut self) {
        match self.screen() {
            Screen::Main => match self.focus {
                Pane::Patients => {
                    if self.selected_patient().is_some() {
                        self.focus = Pane::Matches;
                    }
                }
                Pane::Matches => {
                    if let Some(p) = self.selected_patient()
                        && self.cursors.matches.selected < self.selected_matches().len()
                    {
                        let rank = self.cursors.matches.selected;
                        self.open_drill(
                            Drill {
                                patient: p,
                                rank,
                                cohort: 0,
                            },
                            None,
                        );
                    }
                }
            },
            Screen::Overview => {
                // The list opens over the overview, so Esc comes back to it.
                if let Some(p) = self.overview_patient() {
                    self.select_patient(p);
                    self.stack.push(Screen::Main);
                    self.focus = Pane::Patients;
                }
            }
            Screen::Missing => {
                let p = self.missing_patient;
                let rows = self.missing_rows();
                let Some(f) = rows.get(self.cursors.missing.selected) else {
                    // The last row stands for the folded facts: Enter shows them.
                    if self.missing_folded() > 0 {
                        self.missing_ruled_out = true;
                    }
                    return;
                };
                // The first study the fact could change, else the first it blocks.
                let Some((t, cohort, cid)) = f
                    .blocks
                    .iter()
                    .find(|b| f.decisive_for.contains(&b.0))
                    .or(f.blocks.first())
                    .cloned()
                else {
                    return;
                };
                let Some((rank, m)) = self
                    .explained(p)
                    .and_then(|e| e.matches.iter().enumerate().find(|(_, m)| m.trial == t))
                else {
                    return;
                };
                let cohort = m
                    .cohorts
                    .iter()
                    .position(|c| c.cohort == cohort)
                    .unwrap_or(0);
                self.open_drill(
                    Drill {
                        patient: p,
                        rank,
                        cohort,
                    },
                    Some(&cid),
                );
            }
            Screen::Criteria
            | Screen::Contacts
            | Screen::Help
            | Screen::Problems
            | Screen::History => {}
        }
    }

    fn back(&mut self) {
        if self.screen() == Screen::Main && self.focus == Pane::Matches {
            self.focus = Pane::Patients;
        } else if self.stack.len() > 1 {
            self.stack.pop();
        } else if !self.filter.is_empty() {
            self.filter.clear();
            self.refilter();
        } else if self.worklist.filter != StatusFilter::All {
            self.set_status_filter(StatusFilter::All);
        }
    }

    fn list_at(&self, column: u16, row: u16) -> Option<(List, Rect)> {
        let pos = Position::new(column, row);
        view::list_areas(self, self.area)
            .into_iter()
            .find(|(_, r)| r.contains(pos))
    }

    fn click(&mut self, column: u16, row: u16) {
        if self.screen() == Screen::Overview
            && let Some(c) = view::overview::column_at(self, self.area, column, row)
        {
            self.overview_column = c;
        }
        if self.screen() == Screen::Main
            && let Some(p) = view::pane_at(self, self.area, column, row)
        {
            self.focus = p;
        }
        let Some((l, r)) = self.list_at(column, row) else {
            return;
        };
        if l == List::Contacts {
            return;
        }
        let c = self.cursors.get(l);
        let i = c.window(self.list_len(l), r.height as usize) + (row - r.y) as usize;
        if i < self.list_len(l) {
            let before = self.selected_patient();
            self.cursors.get_mut(l).selected = i;
            if l == List::Patients && self.selected_patient() != before {
                self.cursors.matches = Cursor::default();
            }
        }
    }

    fn wheel(&mut self, column: u16, row: u16, delta: isize) {
        let l = self
            .list_at(column, row)
            .map_or(self.focused_list(), |(l, _)| l);
        self.step(l, delta);
    }

    /// Runs the queued worklist requests against `store`, feeding each outcome back.
    pub fn run_requests(&mut self, store: &mut Store) {
        for r in self.take_requests() {
            let outcome = execute(store, self, &r);
            self.receive(outcome);
        }
    }

    /// Reloads the current decisions when another connection has changed the database;
    /// returns whether it did. A failed read is shown in the status bar.
    pub fn refresh_from(&mut self, store: &mut Store) -> bool {
        match store.others_changed() {
            Ok(false) => false,
            Ok(true) => match store.current(None, None) {
                Ok(ds) => {
                    self.load_decisions(ds);
                    true
                }
                Err(e) => {
                    self.message = Some(crate::tui::worklist::Message {
                        text: sanitize(&e.to_string()),
                        error: true,
                    });
                    true
                }
            },
            Err(_) => false,
        }
    }
}

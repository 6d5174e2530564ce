//! The small windows that take the keys while open: the status picker (also the status
//! filter's picker) and the note input, and how they answer keys (the entry form answers its
//! own, in `tui::intake`).

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::input::TextInput;
use crate::tui::worklist::{Request, StatusFilter};
use crate::worklist::{NOTE_MAX, Status};

/// What a picker chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    /// The status of patient × study (indices), then a note.
    Status {
        patient: usize,
        trial: usize,
        current: Option<Status>,
    },
    /// The status filter of the list and the overview.
    Filter,
}

/// A small list to choose from, drawn over the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picker {
    pub purpose: PickFor,
    pub selected: usize,
}

impl Picker {
    /// The entries' labels and whether each is the current choice.
    pub fn entries(&self, app: &App) -> Vec<(&'static str, bool)> {
        match self.purpose {
            PickFor::Status { current, .. } => Status::ALL
                .iter()
                .map(|s| (s.label(), Some(*s) == current))
                .collect(),
            PickFor::Filter => StatusFilter::CHOICES
                .iter()
                .map(|f| (f.label(), *f == app.worklist.filter))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        match self.purpose {
            PickFor::Status { .. } => Status::ALL.len(),
            PickFor::Filter => StatusFilter::CHOICES.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The note being typed for a status about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteForm {
    pub patient: usize,
    pub trial: usize,
    pub status: Status,
    /// Only adding a note: the status stays what it was, and an empty note records nothing.
    pub note_only: bool,
    pub input: TextInput,
    /// Ctrl-C was pressed once: the next one quits without recording; any other key keeps
    /// typing.
    pub quit_asked: bool,
}

/// A small window over the screen that takes the keys until it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Picker(Picker),
    Note(NoteForm),
    /// The entry form (`tui::intake`).
    Form(Box<crate::tui::intake::Form>),
}

impl App {
    pub(super) fn open_note(
        &mut self,
        patient: usize,
        trial: usize,
        status: Status,
        note_only: bool,
    ) {
        self.modal = Some(Modal::Note(NoteForm {
            patient,
            trial,
            status,
            note_only,
            input: TextInput::new(NOTE_MAX),
            quit_asked: false,
        }));
    }

    /// An action while a picker or the note input is open: they take every key. Returns
    /// false for the actions that still apply as usual (quit, resize).
    pub(crate) fn modal_action(&mut self, action: Action) -> bool {
        if let Some(Modal::Form(_)) = self.modal {
            return self.form_action(action);
        }
        if let Some(Modal::Note(n)) = self.modal.as_mut()
            && !matches!(action, Action::Resize { .. })
        {
            // Quitting from the note loses what is being recorded: the first Ctrl-C asks, the
            // second quits; any other key goes on with the note.
            let asked = std::mem::replace(&mut n.quit_asked, action == Action::Quit);
            if action == Action::Quit && !asked {
                let (patient, trial) = (n.patient, n.trial);
                let what = if n.note_only {
                    "The note".to_string()
                } else {
                    format!("The status \"{}\"", n.status.label())
                };
                let pair = self.pair_label(patient, trial);
                self.say(
                    format!(
                        "{what} for {pair} is not recorded: Ctrl-C again quits without it, Enter records it"
                    ),
                    true,
                );
                return true;
            }
        }
        let Some(modal) = self.modal.as_mut() else {
            return false;
        };
        match (modal, action) {
            (_, Action::Quit | Action::Resize { .. }) => return false,
            (_, Action::Cancel | Action::Back) => self.modal = None,
            (Modal::Picker(p), Action::Up) => p.selected = p.selected.saturating_sub(1),
            (Modal::Picker(p), Action::Down) => {
                p.selected = (p.selected + 1).min(p.len().saturating_sub(1))
            }
            (Modal::Picker(p), Action::Top) => p.selected = 0,
            (Modal::Picker(p), Action::Bottom) => p.selected = p.len().saturating_sub(1),
            (Modal::Picker(p), Action::Pick(n)) => {
                // 1-9 are the first nine entries, 0 the tenth.
                let i = if n == 0 { 9 } else { n as usize - 1 };
                if i < p.len() {
                    p.selected = i;
                    let p = *p;
                    self.choose(p);
                }
            }
            (Modal::Picker(p), Action::Confirm | Action::Open) => {
                let p = *p;
                self.choose(p);
            }
            (Modal::Note(n), Action::Edit(e)) => n.input.apply(e),
            (Modal::Note(n), Action::Confirm | Action::Open) => {
                let n = n.clone();
                self.modal = None;
                let note = n.input.text().trim().to_string();
                if n.note_only && note.is_empty() {
                    self.say("Empty note: nothing recorded.".into(), false);
                } else {
                    self.worklist.requests.push(Request::Record {
                        patient: n.patient,
                        trial: n.trial,
                        status: n.status,
                        note,
                    });
                }
            }
            _ => {}
        }
        true
    }

    /// A picker's entry is chosen.
    fn choose(&mut self, p: Picker) {
        self.modal = None;
        match p.purpose {
            PickFor::Status { patient, trial, .. } => {
                if let Some(s) = Status::ALL.get(p.selected) {
                    self.open_note(patient, trial, *s, false);
                }
            }
            PickFor::Filter => {
                if let Some(f) = StatusFilter::CHOICES.get(p.selected) {
                    self.set_status_filter(*f);
                }
            }
        }
    }
}

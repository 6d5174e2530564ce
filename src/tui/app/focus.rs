//! Which list has the keys: the main screen's focused pane, the focused list of the screen on
//! top, and from them the keymap's context (a picker, the note and the filter take the keys
//! first).

use crate::tui::app::{App, List, Screen, Standing};
use crate::tui::keymap::Context;
use crate::tui::worklist::Modal;

impl App {
    /// The main screen's focused pane (`List::Patients` or `List::Matches`); it stays while
    /// other screens open over the main screen.
    pub fn focus(&self) -> List {
        self.focus
    }

    /// The list that keys move on the current screen.
    pub fn focused_list(&self) -> List {
        // A screen of one list, else the main screen's focused pane.
        if let [only] = self.screen().lists() {
            *only
        } else {
            self.focus
        }
    }

    /// Which part of the keymap applies now.
    pub fn context(&self) -> Context {
        match self.modal {
            Some(Modal::Picker(_)) => Context::Picker,
            Some(Modal::Note(_)) => Context::Note,
            Some(Modal::Form(_)) => Context::Form,
            None if self.typing => Context::Filter,
            None => Context::List(self.focused_list()),
        }
    }

    /// Tab (`step` 1) and Shift-Tab (-1): the next or previous pane of a screen with several.
    pub(super) fn cycle_pane(&mut self, step: isize) {
        let panes = self.screen().lists();
        if let Some(i) = panes.iter().position(|l| *l == self.focus) {
            let next = (i as isize + step).rem_euclid(panes.len() as isize) as usize;
            if let Some(l) = panes.get(next) {
                self.focus = *l;
            }
        }
    }

    /// ← focuses the patient list, → the match table (on the main screen).
    pub(super) fn focus_toward(&mut self, d: isize) {
        self.focus = if d < 0 { List::Patients } else { List::Matches };
    }

    /// The patient list takes the keys (to filter it, or a patient opened from the overview).
    pub(super) fn focus_patients(&mut self) {
        if self.screen() == Screen::Main {
            self.focus = List::Patients;
        }
    }

    /// The selected patient's study that the main screen highlights: the match table's
    /// selected row while it has the keys, else the best match.
    pub(super) fn highlighted_match(&self) -> Option<&Standing> {
        let row = if self.focus == List::Matches {
            self.cursors[List::Matches].selected
        } else {
            0
        };
        self.selected_matches().get(row)
    }

    /// The selected patient's best study (a trial index).
    pub(super) fn best_match_trial(&self) -> Option<usize> {
        self.selected_matches().first().map(|m| m.trial)
    }
}

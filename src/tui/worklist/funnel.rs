//! The funnel screen's state and how it is filled: opening it (`F`) queues a read of the whole
//! worklist history (the steps need every decision, not only the current ones the App holds),
//! and the answer is turned into each study's funnel by `crate::screening` — the same
//! computation as `trialmatch log` over every date — from the verdicts ranked at startup; only
//! the pairs trialmatch finds ineligible are evaluated again, for their failing criteria. A
//! decision recorded, read from another trialmatch, or a fact entered marks the funnel stale,
//! and it is read again while the screen shows (or when it is shown next).

use crate::screening::{self, Period, Sources, StudyFunnel};
use crate::text::sanitize;
use crate::tui::app::{App, Cursor, List, Screen};
use crate::tui::worklist::Request;
use crate::worklist::History;
use chrono::Local;

/// What the funnel screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelView {
    /// Each study's funnel, in the trials' order; None while the worklist is read.
    pub studies: Option<Result<Vec<StudyFunnel>, String>>,
    /// Why the worklist's decisions are not counted (the database cannot be used): the funnel
    /// then holds trialmatch's candidates alone.
    pub note: Option<String>,
    /// A decision or a verdict changed since it was computed.
    pub stale: bool,
}

impl App {
    /// F: the funnel of every study, from the whole history (read by the event loop); without a
    /// worklist, from the candidates alone, saying so.
    pub(in crate::tui) fn show_funnel(&mut self) {
        if self.screen() != Screen::Funnel {
            *self.cursor_mut(List::Funnel) = Cursor::default();
        }
        self.read_funnel();
        self.push(Screen::Funnel);
    }

    /// Reads the history again (or, without a worklist, computes from no decisions).
    fn read_funnel(&mut self) {
        match self.worklist.error.clone() {
            Some(e) => {
                let studies = self.compute_funnel(&History::default());
                self.worklist.funnel = Some(FunnelView {
                    studies: Some(Ok(studies)),
                    note: Some(format!(
                        "Worklist unavailable ({e}): trialmatch's candidates only"
                    )),
                    stale: false,
                });
            }
            None => {
                let shown = self.worklist.funnel.take().and_then(|f| f.studies);
                self.worklist.funnel = Some(FunnelView {
                    // The numbers shown stay until the new ones arrive.
                    studies: shown.filter(Result::is_ok),
                    note: None,
                    stale: false,
                });
                if !self.worklist.requests.contains(&Request::Funnel) {
                    self.worklist.requests.push(Request::Funnel);
                }
            }
        }
    }

    /// Takes in the history read for the funnel.
    pub(in crate::tui) fn receive_funnel(&mut self, result: Result<History, String>) {
        let studies = result
            .map(|h| self.compute_funnel(&h))
            .map_err(|e| sanitize(&e));
        if let Some(f) = &mut self.worklist.funnel {
            f.studies = Some(studies);
        }
    }

    /// Each study's funnel over every date, as `trialmatch log` counts it.
    fn compute_funnel(&self, history: &History) -> Vec<StudyFunnel> {
        let src = Sources {
            trials: self.trials(),
            patients: self.patients(),
            as_of: self.as_of(),
            history,
            explain: false,
        };
        let zone = self.worklist.zone;
        let studies: Vec<usize> = (0..self.trials().len()).collect();
        let log = screening::build(
            &src,
            |p, t| self.match_for(p, t).map(|s| s.verdict()),
            |at| match zone {
                Some(z) => at.with_timezone(&z).date_naive(),
                None => at.with_timezone(&Local).date_naive(),
            },
            &studies,
            Period::ALL,
        );
        screening::funnel(&log)
    }

    /// The funnel is out of date: a decision or a verdict changed.
    pub(in crate::tui) fn funnel_changed(&mut self) {
        if let Some(f) = &mut self.worklist.funnel {
            f.stale = true;
        }
    }

    /// Reads the funnel again when it is shown and out of date.
    pub(in crate::tui) fn keep_funnel_fresh(&mut self) {
        let stale = self.worklist.funnel.as_ref().is_some_and(|f| f.stale);
        if stale && self.screen() == Screen::Funnel {
            self.read_funnel();
        }
    }

    /// What the funnel screen shows, once opened.
    pub fn funnel_view(&self) -> Option<&FunnelView> {
        self.worklist.funnel.as_ref()
    }

    /// The funnel screen's studies (empty while read, or when the read failed).
    pub fn funnel_studies(&self) -> &[StudyFunnel] {
        match self
            .worklist
            .funnel
            .as_ref()
            .and_then(|f| f.studies.as_ref())
        {
            Some(Ok(v)) => v,
            _ => &[],
        }
    }
}

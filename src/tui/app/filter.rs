//! Which patients show, in which order: the tight fuzzy filter ([`Pattern`]) over ids, names,
//! diagnoses and open studies, narrowed incrementally as it grows; the worklist status
//! filter; the overview's sort; and the filter's matched characters, for highlighting.

use crate::rank::Verdict;
use crate::tui::app::{App, Cursor, List, PatientRow};
use crate::tui::worklist::StatusFilter;
use fuzzy_matcher::FuzzyMatcher;
use rayon::prelude::*;
use std::collections::HashSet;

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

impl App {
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

    /// `/`: typing into the filter, the patient list taking the keys.
    pub(super) fn start_filter(&mut self) {
        self.typing = true;
        self.focus_patients();
    }

    /// A character typed into the filter.
    pub(super) fn filter_push(&mut self, c: char) {
        if !c.is_control() {
            self.filter.push(c);
            self.refilter();
        }
    }

    /// Backspace while typing the filter.
    pub(super) fn filter_pop(&mut self) {
        if self.filter.pop().is_some() {
            self.refilter();
        }
    }

    /// Esc while typing the filter: stops typing and clears it.
    pub(super) fn filter_clear(&mut self) {
        self.typing = false;
        if !self.filter.is_empty() {
            self.filter.clear();
            self.refilter();
        }
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

    /// Recomputes the visible patients after the filter changed, keeping the selected patient
    /// when it still matches; a patient whose id is the filter comes first and is selected.
    /// Incremental: a filter that extends an earlier one searches only that one's result (a
    /// fuzzy match of the longer filter is a match of its prefix), and a filter seen before
    /// (Backspace) reuses its result; otherwise every patient is searched.
    pub(in crate::tui) fn refilter(&mut self) {
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
        self.cursors[List::Patients] = Cursor::default();
        if exact.is_none()
            && let Some(k) = keep
            && let Some(pos) = self.visible.iter().position(|&i| i == k)
        {
            self.cursors[List::Patients].selected = pos;
        }
        self.new_patient_restarts_matches(keep);
        self.resort();
    }

    /// Narrows `visible` to the worklist status filter (after the text filter).
    fn apply_status_filter(&mut self) {
        let want = match self.worklist.filter {
            StatusFilter::All => return,
            StatusFilter::Is(s) => Some(s),
            StatusFilter::Undecided => None,
        };
        let with_status: HashSet<usize> = self
            .worklist
            .current
            .iter()
            .filter(|(_, d)| want.is_none_or(|s| d.status == s))
            .map(|((p, _), _)| *p)
            .collect();
        let filter = self.worklist.filter;
        self.visible.retain(|p| match filter {
            StatusFilter::All => true,
            StatusFilter::Is(_) => with_status.contains(p),
            StatusFilter::Undecided => !with_status.contains(p),
        });
    }

    /// s in the overview: sorts by the selected study column; again: the other way round.
    pub(super) fn sort_overview(&mut self) {
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
        self.cursors[List::Overview] = Cursor::default();
        if let Some(k) = keep
            && let Some(pos) = self.overview_rows.iter().position(|&i| i == k)
        {
            self.cursors[List::Overview].selected = pos;
        }
    }
}

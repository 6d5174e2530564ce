//! The funnel of each study in a log: how many pairs reached each step in the period, and the
//! most frequent reasons the screened ones were not eligible; and the bars that draw it in
//! characters (readable without colour, with the number printed beside).
//!
//! Each step counts the pairs that reached it in the period: *screened* those whose date
//! screened is in it; *eligible or possible* those of them the log does not rule out
//! ([`Eligible`]); *contacted*, *referred*, *enrolled* and *declined* those whose first decision
//! reaching the step ([`Step::reached_by`]) is dated in it. Over every date (the UI) this is the
//! whole funnel to date; over a month it is that month's activity, so that the months add up.

use super::{Eligible, Log, Step};
use crate::text::{sanitize, truncate};
use crate::trial::Trial;
use std::collections::HashMap;

/// How many reasons a funnel keeps.
pub const TOP_REASONS: usize = 5;

/// Why a screened pair is not eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// A criterion that fails (an index into the study's criteria).
    Criterion(usize),
    /// Ruled not eligible in the worklist while no criterion fails (a fact trialmatch does
    /// not hold; the note says which).
    RuledOut,
}

impl Reason {
    /// The criterion id, or "not-eligible" (the worklist status) for a ruling.
    pub fn id(self, trial: &Trial) -> String {
        match self {
            Reason::Criterion(i) => trial
                .criteria
                .get(i)
                .map_or_else(|| format!("#{i}"), |c| sanitize(&c.id)),
            Reason::RuledOut => "not-eligible".to_string(),
        }
    }

    /// A short text for a table cell: the start of the criterion's source text (sanitized).
    pub fn text(self, trial: &Trial) -> String {
        match self {
            Reason::Criterion(i) => trial.criteria.get(i).map_or_else(String::new, |c| {
                let words: Vec<&str> = c.text.split_whitespace().collect();
                truncate(&sanitize(&words.join(" ")), 60)
            }),
            Reason::RuledOut => "ruled not eligible in the worklist (no criterion fails)".into(),
        }
    }
}

/// A reason and how many screened pairs it kept out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonCount {
    pub reason: Reason,
    pub count: usize,
}

/// One study's funnel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyFunnel {
    /// The study (a trial index).
    pub trial: usize,
    /// The count of each of [`Step::ALL`], in its order.
    pub counts: [usize; 6],
    /// Screened pairs not eligible (the reasons are about these).
    pub not_eligible: usize,
    /// The most frequent reasons, most frequent first (at most [`TOP_REASONS`]); a pair failing
    /// several criteria counts once for each.
    pub reasons: Vec<ReasonCount>,
}

impl StudyFunnel {
    pub fn count(&self, step: Step) -> usize {
        Step::ALL
            .iter()
            .position(|s| *s == step)
            .map_or(0, |i| self.counts[i])
    }

    /// The largest count, which a bar chart's longest bar stands for.
    pub fn max(&self) -> usize {
        self.counts.iter().copied().max().unwrap_or(0)
    }
}

/// The funnel of every study the log covers, in its order.
pub fn funnel(log: &Log) -> Vec<StudyFunnel> {
    log.studies
        .iter()
        .map(|&trial| {
            let mut counts = [0usize; 6];
            let mut not_eligible = 0;
            let mut reasons: HashMap<Reason, usize> = HashMap::new();
            let in_period = |d: Option<chrono::NaiveDate>| match d {
                Some(d) => log.period.contains(d),
                None => log.period.is_all(),
            };
            for row in log.rows.iter().filter(|r| r.trial == trial) {
                let screened = in_period(row.screened);
                for (i, step) in Step::ALL.iter().enumerate() {
                    let reached = match step {
                        Step::Screened => screened,
                        Step::EligibleOrPossible => screened && row.eligible != Eligible::No,
                        _ => row.reached(*step).is_some_and(|d| log.period.contains(d)),
                    };
                    counts[i] += usize::from(reached);
                }
                if screened && row.eligible == Eligible::No {
                    not_eligible += 1;
                    if row.finding.failing.is_empty() {
                        *reasons.entry(Reason::RuledOut).or_default() += 1;
                    }
                    for &i in &row.finding.failing {
                        *reasons.entry(Reason::Criterion(i)).or_default() += 1;
                    }
                }
            }
            let mut reasons: Vec<ReasonCount> = reasons
                .into_iter()
                .map(|(reason, count)| ReasonCount { reason, count })
                .collect();
            reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
            reasons.truncate(TOP_REASONS);
            StudyFunnel {
                trial,
                counts,
                not_eligible,
                reasons,
            }
        })
        .collect()
}

/// A bar of `count` out of `max` in at most `width` cells, in eighths of a block (█ ▉ … ▏):
/// empty for 0, at least an eighth for any other count.
pub fn bar(count: usize, max: usize, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    if count == 0 || max == 0 || width == 0 {
        return String::new();
    }
    let eighths = (count.min(max) * width * 8 + max / 2) / max;
    let eighths = eighths.clamp(1, width * 8);
    let mut s = "█".repeat(eighths / 8);
    s.push_str(PARTS[eighths % 8]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_count_in_eighths() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 16, 2), "▏");
        assert_eq!(bar(1, 1000, 10), "▏", "never invisible");
        assert_eq!(bar(0, 10, 4), "");
        assert_eq!(bar(3, 8, 1), "▍");
    }
}

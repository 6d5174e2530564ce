//! Before an entry is stored: laid over the patient as it stands, it must be read by the same
//! checks as a file without a new problem (an impossible value, an unknown unit or name), or
//! it is refused and nothing is stored. After: which verdicts it changed.

use super::{FactEntry, apply};
use crate::load::parse_patient;
use crate::patient::Profile;
use crate::rank::{Verdict, rank_with};
use crate::trial::Trial;
use chrono::NaiveDate;

/// The patient as it would stand with the entry `fragment` added to `entries`, or every
/// reason the entry is refused (the new problems it brings, with their field and reason).
pub fn with_entry(
    file: Option<&str>,
    entries: &[FactEntry],
    candidate: &FactEntry,
    as_of: NaiveDate,
) -> Result<Profile, Vec<String>> {
    let name = "the entry";
    let read = |list: &[FactEntry]| -> Result<(Profile, Vec<String>), Vec<String>> {
        // The candidate has no number yet: its problems are "the entry"'s, not "entry #…".
        let own = format!("entry #{}: ", candidate.seq);
        let text = apply(file, list).map_err(|e| {
            vec![match e.message.strip_prefix(&own) {
                Some(m) => m.to_string(),
                None => e.message,
            }]
        })?;
        let (p, problems) = parse_patient(name, &text, as_of).map_err(|p| vec![p.message])?;
        Ok((p, problems.into_iter().map(|p| p.message).collect()))
    };
    // What was wrong before the entry is not the entry's fault.
    let before = if file.is_none() && entries.is_empty() {
        Vec::new()
    } else {
        read(entries)
            .map(|(_, problems)| problems)
            .unwrap_or_default()
    };
    let mut list = entries.to_vec();
    list.push(candidate.clone());
    let (profile, after) = read(&list)?;
    let mut known = before;
    let mut new = Vec::new();
    for p in after {
        match known.iter().position(|k| *k == p) {
            Some(i) => {
                known.swap_remove(i);
            }
            None => new.push(p),
        }
    }
    if new.is_empty() {
        Ok(profile)
    } else {
        Err(new)
    }
}

/// Each study whose verdict differs between `before` and `after`, as
/// "CHEC CAR-NK AID: ? possible → ✔ eligible" (None for a patient new to the queue).
pub fn verdict_changes(
    trials: &[Trial],
    before: Option<&Profile>,
    after: &Profile,
    as_of: NaiveDate,
) -> Vec<String> {
    let verdict_of = |p: &Profile| -> Vec<(usize, Verdict)> {
        let mut v: Vec<(usize, Verdict)> = rank_with(trials, p, as_of, false)
            .iter()
            .map(|m| (m.trial, m.verdict()))
            .collect();
        v.sort_unstable_by_key(|(t, _)| *t);
        v
    };
    let now = verdict_of(after);
    let then = before.map(verdict_of);
    let said = |v: Verdict| format!("{} {}", crate::report::glyph(v), v.as_str());
    now.iter()
        .filter_map(|&(t, v)| {
            let name = &trials.get(t)?.short_name;
            match then.as_ref() {
                None => Some(format!("{name}: {}", said(v))),
                Some(then) => {
                    let (_, old) = then.iter().find(|(u, _)| *u == t)?;
                    (*old != v).then(|| format!("{name}: {} → {}", said(*old), said(v)))
                }
            }
        })
        .collect()
}

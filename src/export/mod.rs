//! The referral summary sent to a study team: one patient × one study (its best cohort only)
//! as Markdown that reads as written when printed or faxed — who sends it (from the settings
//! file, [`crate::config`]), who the patient is, the verdict, the criteria met with their
//! evidence, the open questions, whom to call, and the worklist's decision history. Data text
//! needs no backslash escapes (see `quote`) and vocabulary codes are put in words (see
//! `words`). Written owner-only, never over another file, and all or nothing (a full disk
//! leaves no truncated summary).
//!
//! Here: the public API (the summary as text, written to a file); the sections are in
//! `sections`.

mod quote;
mod sections;
mod words;

use crate::config::Sender;
use crate::patient::Profile;
use crate::rank::rank_with;
use crate::trial::Trial;
use crate::worklist::History;
use chrono::{DateTime, Local, NaiveDate};
use sections::Doc;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where the UI writes summaries: a `referrals` folder beside the worklist database.
pub fn referrals_dir(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("referrals")
}

/// The summary for `patient` and the study at index `trial`, evaluated as of `as_of`, with
/// no sender configured (the block says so): see [`referral_markdown_from`].
pub fn referral_markdown(
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
    written: DateTime<Local>,
) -> Option<String> {
    let none = Sender::default();
    referral_markdown_from(trials, trial, patient, as_of, history, written, &none)
}

/// The summary for `patient` and the study at index `trial`, evaluated as of `as_of`, for the
/// study's best cohort only. `history` is the pair's history (decisions withdrawn as entered in
/// error are shown struck through, with the withdrawal); `written` stamps the document;
/// `sender` is the block saying who sends it (see [`crate::config`]).
pub fn referral_markdown_from(
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
    written: DateTime<Local>,
    sender: &Sender,
) -> Option<String> {
    let t = trials.get(trial)?;
    let matches = rank_with(trials, patient, as_of, true);
    let m = matches.iter().find(|m| m.trial == trial)?;
    let best = m.cohorts.first()?;
    let doc = Doc {
        trials,
        t,
        m,
        best,
        patient,
        as_of,
        history,
        written,
        sender,
    };
    Some(doc.render())
}

/// A file-name-safe form of an id: letters, digits, '-' and '_' kept, the rest '_'.
fn file_part(s: &str) -> String {
    s.chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes the summary (the UI's `e`) with the sender block of the user's settings file, read
/// now (see [`crate::config::sender`]); a settings file that cannot be read is an error and
/// nothing is written. See [`write_referral_from`].
pub fn write_referral(
    dir: &Path,
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
) -> io::Result<PathBuf> {
    let sender = crate::config::sender().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{e}; no summary was written"),
        )
    })?;
    write_referral_from(dir, trials, trial, patient, as_of, history, &sender)
}

/// Writes the summary into `dir` (created owner-only) as
/// `referral-<patient>-<study>-<as-of>.md`, adding `-2`, `-3`, ... rather than replacing an
/// earlier summary; returns the path written.
pub fn write_referral_from(
    dir: &Path,
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
    sender: &Sender,
) -> io::Result<PathBuf> {
    let doc = referral_markdown_from(trials, trial, patient, as_of, history, Local::now(), sender)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such study"))?;
    let study = trials.get(trial).map_or("study", |t| t.id.as_str());
    crate::fsutil::create_private_dir(dir)?;
    let stem = format!(
        "referral-{}-{}-{as_of}",
        file_part(patient.id()),
        file_part(study)
    );
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.md")
        } else {
            format!("{stem}-{n}.md")
        };
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        let written =
            crate::fsutil::write_new_private(&path, crate::fsutil::Durability::Synced, |f, _| {
                f.write_all(doc.as_bytes())
            });
        match written {
            Ok(()) => return Ok(path),
            // Taken a moment ago by another trialmatch: the next number.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{}: 999 summaries of this pair already exist",
            dir.display()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_part("p/../x y"), "p____x_y");
    }
}

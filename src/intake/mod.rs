//! Facts entered in the app rather than written in a file: a lab read out on the phone, a
//! referral created from a letter, an investigator's judgement. Each entry is a fragment in the
//! patient-file format, kept append-only in the worklist database with who entered it, when,
//! and from what source; the profile the engine reads is the patient's file (if any) with the
//! entries laid over it in the order entered ([`merge`]). Input files are never written.

pub mod check;
pub mod mark;
pub mod merge;
pub mod template;
pub mod workspace;

use chrono::{DateTime, NaiveDate, Utc};

/// One entry as stored: a fragment of a patient file, or the withdrawal of an earlier entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FactEntry {
    /// Order of entry, increasing.
    pub seq: i64,
    pub patient: String,
    /// The fact(s) in the patient-file format (empty for a withdrawal).
    pub fragment: String,
    /// What was entered, in words ("LVEF 58 %"); for a withdrawal, why.
    pub summary: String,
    /// The fact's own date, where it has one (a lab's date, not the day it was typed).
    pub fact_date: Option<NaiveDate>,
    /// Where the fact came from ("phone, Dr Tan", "letter of 2026-11-28"); may be empty.
    pub source: String,
    /// The OS account that entered it.
    pub who: String,
    pub at: DateTime<Utc>,
    /// For a withdrawal: the entry it withdraws.
    pub withdraws: Option<i64>,
}

impl FactEntry {
    /// "entered by jdoe 2026-12-01 14:02 UTC, phone, Dr Tan": where the fact came from.
    pub fn provenance(&self) -> String {
        let source = if self.source.trim().is_empty() {
            String::new()
        } else {
            format!(", {}", self.source.trim())
        };
        format!(
            "entered by {} {}{source}",
            self.who,
            self.at.format("%Y-%m-%d %H:%M UTC")
        )
    }
}

/// The entries that count: not withdrawals, and not withdrawn; in the order entered.
pub fn in_force(entries: &[FactEntry]) -> impl Iterator<Item = &FactEntry> {
    entries.iter().filter(move |e| {
        e.withdraws.is_none() && !entries.iter().any(|w| w.withdraws == Some(e.seq))
    })
}

/// Why entries could not be laid over a patient's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyError {
    /// The entry at fault (None: the file itself could not be read as a table).
    pub seq: Option<i64>,
    pub message: String,
}

/// The patient file the engine reads: `file` (the text of the patient's file, None for a
/// referral made in the app) with every entry in force laid over it, as TOML text in the
/// patient-file format. Without entries in force the file's own text is returned unchanged.
pub fn apply(file: Option<&str>, entries: &[FactEntry]) -> Result<String, ApplyError> {
    let mut active = in_force(entries).peekable();
    if active.peek().is_none()
        && let Some(text) = file
    {
        return Ok(text.to_string());
    }
    let mut table: toml::Table = match file {
        Some(text) => text.parse().map_err(|e: toml::de::Error| ApplyError {
            seq: None,
            message: format!("the patient file cannot be read: {}", e.message().trim()),
        })?,
        None => toml::Table::new(),
    };
    for e in active {
        let mut fragment: toml::Table =
            e.fragment
                .parse()
                .map_err(|err: toml::de::Error| ApplyError {
                    seq: Some(e.seq),
                    message: format!("entry #{} cannot be read: {}", e.seq, err.message().trim()),
                })?;
        mark::mark(&mut fragment, &e.provenance());
        merge::overlay(&mut table, &fragment).map_err(|c| ApplyError {
            seq: Some(e.seq),
            message: format!("entry #{}: {}", e.seq, c.message),
        })?;
    }
    toml::to_string(&table).map_err(|e| ApplyError {
        seq: None,
        message: format!("the merged profile cannot be written: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, fragment: &str, withdraws: Option<i64>) -> FactEntry {
        FactEntry {
            seq,
            patient: "P1".into(),
            fragment: fragment.into(),
            summary: String::new(),
            fact_date: None,
            source: "phone, Dr Tan".into(),
            who: "jdoe".into(),
            at: DateTime::from_timestamp(1_764_597_720, 0).unwrap_or_default(),
            withdraws,
        }
    }

    #[test]
    fn withdrawn_entries_and_withdrawals_do_not_count() {
        let entries = [
            entry(1, "cardiac = { lvef = 58 }", None),
            entry(2, "cardiac = { lvef = 85 }", None),
            entry(3, "", Some(2)),
        ];
        let seqs: Vec<i64> = in_force(&entries).map(|e| e.seq).collect();
        assert_eq!(seqs, [1]);
        let text = apply(Some("id = \"P1\"\n"), &entries).unwrap_or_default();
        let t: toml::Table = text.parse().unwrap_or_default();
        assert_eq!(t["cardiac"]["lvef"].as_integer(), Some(58));
    }

    #[test]
    fn a_file_without_entries_is_read_as_written() {
        let file = "# a comment\nid = \"P1\"\n";
        assert_eq!(apply(Some(file), &[]).as_deref(), Ok(file));
        let withdrawn = [entry(1, "name = \"X\"", None), entry(2, "", Some(1))];
        assert_eq!(apply(Some(file), &withdrawn).as_deref(), Ok(file));
    }

    #[test]
    fn a_referral_made_in_the_app_needs_no_file() {
        let entries = [entry(
            1,
            "id = \"R1\"\nname = \"New Referral\"\ndob = 1990-05-01",
            None,
        )];
        let text = apply(None, &entries).unwrap_or_default();
        let t: toml::Table = text.parse().unwrap_or_default();
        assert_eq!(t["id"].as_str(), Some("R1"));
        assert_eq!(t["dob"].to_string(), "1990-05-01");
    }

    #[test]
    fn an_entry_that_cannot_be_laid_over_names_itself() {
        let entries = [entry(4, "cardiac = 3", None)];
        let e = apply(Some("id = \"P1\"\n[cardiac]\nnyha = 1\n"), &entries);
        assert_eq!(e.clone().map_err(|e| e.seq), Err(Some(4)));
        assert!(e.is_err_and(|e| e.message.contains("entry #4: cardiac")));
    }

    #[test]
    fn provenance_names_who_when_and_the_source() {
        let e = entry(1, "", None);
        assert_eq!(
            e.provenance(),
            "entered by jdoe 2025-12-01 14:02 UTC, phone, Dr Tan"
        );
    }
}

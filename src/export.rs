//! The referral summary sent to a study team: one patient × one study as Markdown — who the
//! patient is, the verdict, the criteria met with their evidence, the open questions, whom to
//! call, and the worklist's decision history. Written owner-only, never over another file,
//! and all or nothing (a full disk leaves no truncated summary).

use crate::missing::missing_facts;
use crate::patient::{Profile, Sex};
use crate::rank::{CohortResult, State, TrialMatch, rank_with};
use crate::text::sanitize;
use crate::trial::{NOT_STATED, Trial};
use crate::worklist::{Entry, History, print};
use chrono::{DateTime, Local, NaiveDate};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where the UI writes summaries: a `referrals` folder beside the worklist database.
pub fn referrals_dir(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("referrals")
}

/// Data text made safe for Markdown: control characters shown visibly, and the characters
/// Markdown would act on (emphasis, links, tables, HTML) escaped.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in sanitize(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn or_not_stated(v: &Option<String>) -> String {
    v.as_deref().map_or(format!("_{NOT_STATED}_"), md)
}

/// The summary for `patient` and the study at index `trial`, evaluated as of `as_of`.
/// `history` is the pair's history (decisions withdrawn as entered in error are shown struck
/// through, with the withdrawal); `written` stamps the document.
pub fn referral_markdown(
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
    written: DateTime<Local>,
) -> Option<String> {
    let t = trials.get(trial)?;
    let matches = rank_with(trials, patient, as_of, true);
    let m = matches.iter().find(|m| m.trial == trial)?;
    let best = m.cohorts.first()?;
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = write_doc(&mut o, trials, t, m, best, patient, as_of, history, written);
    Some(o)
}

#[allow(clippy::too_many_arguments)]
fn write_doc(
    o: &mut String,
    trials: &[Trial],
    t: &Trial,
    m: &TrialMatch,
    best: &CohortResult,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
    written: DateTime<Local>,
) -> std::fmt::Result {
    writeln!(
        o,
        "# Referral summary: patient {} for {}\n",
        md(patient.id()),
        md(&t.short_name)
    )?;
    writeln!(
        o,
        "Screened as of **{as_of}** by trialmatch; written {}. Every criterion below is \
         quoted from the study's source documents.\n",
        written.format("%Y-%m-%d %H:%M %Z")
    )?;

    writeln!(o, "## Patient\n")?;
    writeln!(o, "- Patient id: {}", md(patient.id()))?;
    let name = patient
        .data
        .name
        .as_deref()
        .map_or("_not recorded_".into(), md);
    writeln!(o, "- Name: {name}")?;
    let dob = patient.data.dob.as_ref().map(|d| d.get_ref().0);
    match dob {
        Some(d) => writeln!(
            o,
            "- Date of birth: {d} (age {} on {as_of})",
            crate::derive::age_years(d, as_of)
        )?,
        None => writeln!(o, "- Date of birth: _not recorded_")?,
    }
    let sex = match patient.data.sex.as_ref().map(|s| *s.get_ref()) {
        Some(Sex::Female) => "female",
        Some(Sex::Male) => "male",
        None => "_not recorded_",
    };
    writeln!(o, "- Sex: {sex}")?;
    for d in &patient.data.diagnosis {
        let label = d.name.as_deref().unwrap_or(d.code.get_ref());
        writeln!(o, "- Diagnosis: {}", md(label))?;
    }
    if let Some(r) = &patient.data.referral {
        if let Some(c) = &r.clinician {
            writeln!(o, "- Referring clinician: {}", md(c))?;
        }
        if let Some(c) = &r.contact {
            writeln!(o, "- Referrer contact: {}", md(c))?;
        }
    }

    writeln!(o, "\n## Study\n")?;
    writeln!(o, "- Study: {} ({})", md(&t.short_name), md(&t.id))?;
    writeln!(o, "- Title: {}", md(&t.title))?;
    // The registry id as the contacts screen shows it: from the source, else a listing
    // outside the sources, with where it comes from and how sure it is.
    let registry = match &t.meta.registry_id {
        Some(id) => md(id),
        None => t
            .external_facts
            .iter()
            .find(|f| f.field.eq_ignore_ascii_case("registry id"))
            .map_or(format!("_{NOT_STATED}_"), |f| {
                format!(
                    "{} (from a {}{}; not in the study's own documents)",
                    md(&f.value),
                    md(&f.source),
                    f.confidence
                        .as_deref()
                        .map(|c| format!(", {}", md(c)))
                        .unwrap_or_default()
                )
            }),
    };
    writeln!(o, "- Registry id: {registry}")?;
    writeln!(
        o,
        "- Sponsor study id: {}",
        or_not_stated(&t.meta.sponsor_id)
    )?;
    let cohort_name = |id: &Option<String>| match id {
        Some(id) => t
            .cohorts
            .iter()
            .find(|c| &c.id == id)
            .map_or(md(id), |c| format!("{} ({})", md(&c.name), md(&c.id))),
        None => "whole study (no cohorts)".to_string(),
    };
    writeln!(o, "- Cohort: {}", cohort_name(&best.cohort))?;
    let c = best.counts;
    writeln!(
        o,
        "- Verdict: **{}** — {} of {} criteria pass, {} fail, {} unknown",
        best.verdict().as_str(),
        c.pass,
        c.total(),
        c.fail,
        c.unknown
    )?;
    for other in m.cohorts.iter().skip(1) {
        writeln!(
            o,
            "- Other cohort: {} — {} ({} pass, {} fail, {} unknown)",
            cohort_name(&other.cohort),
            other.verdict().as_str(),
            other.counts.pass,
            other.counts.fail,
            other.counts.unknown
        )?;
    }

    let section = |o: &mut String, title: &str, state: State| -> std::fmt::Result {
        let rows: Vec<_> = best.results.iter().filter(|r| r.state == state).collect();
        writeln!(o, "\n## {title} ({})\n", rows.len())?;
        if rows.is_empty() {
            return writeln!(o, "None.");
        }
        for r in rows {
            let Some(cr) = t.criteria.get(r.index) else {
                continue;
            };
            writeln!(
                o,
                "- **{}** ({}): {}\n  - {}: {}",
                md(&cr.id),
                cr.kind.as_str(),
                md(&cr.text),
                if state == State::Unknown {
                    "Why unknown"
                } else {
                    "Evidence"
                },
                md(&r.reason)
            )?;
        }
        Ok(())
    };
    section(o, "Criteria met", State::Pass)?;
    section(o, "Criteria not met", State::Fail)?;
    section(o, "Criteria not yet decided", State::Unknown)?;

    let facts = missing_facts(trials, std::slice::from_ref(m));
    writeln!(o, "\n## Open questions ({})\n", facts.len())?;
    if facts.is_empty() {
        writeln!(o, "None: every fact the criteria need is recorded.")?;
    }
    for f in &facts {
        let ids: Vec<String> = f.blocks.iter().map(|(_, _, id)| md(id)).collect();
        writeln!(o, "- {} — needed by {}", md(&f.fact), ids.join(", "))?;
    }

    writeln!(o, "\n## Whom to contact\n")?;
    writeln!(
        o,
        "- Principal investigator: {}",
        or_not_stated(&t.meta.principal_investigator)
    )?;
    if t.contacts.is_empty() {
        writeln!(o, "- Contacts: _{NOT_STATED}_")?;
    }
    for c in &t.contacts {
        writeln!(
            o,
            "- {}{} — phone: {}; email: {}{}",
            md(&c.name),
            c.role
                .as_deref()
                .map_or(String::new(), |r| format!(", {}", md(r))),
            or_not_stated(&c.phone),
            or_not_stated(&c.email),
            c.site
                .as_deref()
                .map_or(String::new(), |s| format!("; site: {}", md(s)))
        )?;
    }
    if t.sites.is_empty() {
        writeln!(o, "- Sites: _{NOT_STATED}_")?;
    }
    for s in &t.sites {
        let place: Vec<String> = [&s.city, &s.region, &s.country]
            .into_iter()
            .flatten()
            .map(|p| md(p))
            .collect();
        writeln!(
            o,
            "- Site: {}{}{}",
            md(&s.name),
            if place.is_empty() {
                String::new()
            } else {
                format!(", {}", place.join(", "))
            },
            s.status
                .as_deref()
                .map_or(String::new(), |st| format!(" ({})", md(st)))
        )?;
    }

    writeln!(o, "\n## Decision history\n")?;
    if history.is_empty() {
        writeln!(o, "No decisions recorded in the worklist.")?;
    } else {
        writeln!(o, "| When | Status | Who | Note |\n|---|---|---|---|")?;
        let when = |at: &DateTime<chrono::Utc>| {
            at.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        for e in history.entries() {
            let (at, status, who, note) = match e {
                Entry::Decision {
                    decision: d,
                    withdrawn: None,
                } => (d.at, d.status.label().to_string(), &d.who, md(&d.note)),
                // Struck through, and said in words for whoever reads it printed.
                Entry::Decision {
                    decision: d,
                    withdrawn: Some(_),
                } => (
                    d.at,
                    format!("~~{}~~ — {}", d.status.label(), print::WITHDRAWN),
                    &d.who,
                    if d.note.is_empty() {
                        String::new()
                    } else {
                        format!("~~{}~~", md(&d.note))
                    },
                ),
                Entry::Withdrawal(w) => {
                    let of = history
                        .decisions
                        .iter()
                        .find(|d| d.seq == w.withdraws)
                        .map_or_else(|| format!("#{}", w.withdraws), |d| when(&d.at));
                    (
                        w.at,
                        format!(
                            "{}: withdraws the {} of {of}",
                            print::ENTERED_IN_ERROR,
                            w.status.label()
                        ),
                        &w.who,
                        md(&w.note),
                    )
                }
            };
            writeln!(o, "| {} | {status} | {} | {note} |", when(&at), md(who))?;
        }
    }
    Ok(())
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

/// Writes the summary into `dir` (created owner-only) as
/// `referral-<patient>-<study>-<as-of>.md`, adding `-2`, `-3`, ... rather than replacing an
/// earlier summary; returns the path written.
pub fn write_referral(
    dir: &Path,
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
) -> io::Result<PathBuf> {
    let doc = referral_markdown(trials, trial, patient, as_of, history, Local::now())
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
    fn markdown_specials_are_escaped_and_controls_shown() {
        assert_eq!(md("a|b *c* [x](y)"), "a\\|b \\*c\\* \\[x\\](y)");
        // The visible escape's backslash is itself escaped, so Markdown shows `\u{1b}`.
        assert_eq!(md("<script>\u{1b}[2J"), "\\<script\\>\\\\u{1b}\\[2J");
        assert_eq!(file_part("p/../x y"), "p____x_y");
    }
}

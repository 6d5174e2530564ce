//! The screening log as a plain-text table for people, study by study: the funnel drawn in
//! bars with its numbers and reasons, then the rows, each followed by its reasons, unknowns,
//! steps and note (left out when deidentified) on lines of their own; at most 100 columns,
//! data text sanitized.

use super::write::{RowOut, date, rows_out};
use super::{LogDoc, Step, StudyFunnel, bar};
use crate::text::{sanitize, truncate};
use crate::trial::Trial;
use std::io::{self, Write};

/// Width of the plain-text log.
const WIDTH: usize = 100;

/// One study's funnel as lines of text: a bar per step with its count, then the reasons.
fn funnel_lines(f: &StudyFunnel, t: &Trial, bar_width: usize) -> Vec<String> {
    let max = f.max();
    let mut lines: Vec<String> = Step::ALL
        .iter()
        .map(|s| {
            let n = f.count(*s);
            format!("{:<20} {n:>5}  {}", s.label(), bar(n, max, bar_width))
        })
        .collect();
    if f.reasons.is_empty() {
        lines.push("No screened patient was ruled out.".into());
    } else {
        lines.push(format!(
            "Most frequent reasons not eligible ({} screened not eligible):",
            f.not_eligible
        ));
        for r in &f.reasons {
            lines.push(format!(
                "{:>5}  {}  {}",
                r.count,
                r.reason.id(t),
                r.reason.text(t)
            ));
        }
    }
    lines
}

/// The log as a plain-text table, study by study: its funnel, then its rows, each followed by
/// its reasons, unknowns, steps and note on lines of their own.
pub fn write_table(doc: &LogDoc, out: &mut impl Write) -> io::Result<()> {
    let LogDoc {
        log,
        funnels,
        trials,
        patients,
        who,
    } = *doc;
    let line = |out: &mut dyn Write, s: &str| writeln!(out, "{}", truncate(s.trim_end(), WIDTH));
    line(
        out,
        &format!(
            "Screening log · {} · verdicts as of {}",
            log.period.describe(),
            log.as_of
        ),
    )?;
    if who.deidentified() {
        line(
            out,
            "Deidentified: subjects by pseudonym; names, file paths, dates of birth and notes \
             are left out.",
        )?;
    }
    let rows = rows_out(log, trials, patients, who);
    for f in funnels {
        let Some(t) = trials.get(f.trial) else {
            continue;
        };
        writeln!(out)?;
        line(
            out,
            &format!("{} · {}", sanitize(&t.short_name), sanitize(&t.id)),
        )?;
        let when = if log.period.is_all() {
            "to date".to_string()
        } else {
            format!("in {}", log.period.describe())
        };
        line(out, &format!("  Funnel {when}:"))?;
        for l in funnel_lines(f, t, 40) {
            line(out, &format!("    {l}"))?;
        }
        let mine: Vec<&RowOut> = rows.iter().filter(|r| r.study == t.id).collect();
        if mine.is_empty() {
            line(out, "  No patient screened or decided in the period.")?;
            continue;
        }
        line(
            out,
            &format!(
                "  {:<24} {:>3} {:<3} {:<10}  {:<8}  {:<20} {}",
                "Subject", "Age", "Sex", "Screened", "Eligible", "Status", "Since"
            ),
        )?;
        for r in mine {
            let subject = match r.name {
                Some(Some(n)) => format!("{} {}", sanitize(&r.subject), sanitize(n)),
                _ => sanitize(&r.subject),
            };
            let status = r
                .status
                .and_then(crate::worklist::Status::parse)
                .map_or("no decision yet", |s| s.label());
            line(
                out,
                &format!(
                    "  {:<24} {:>3} {:<3} {:<10}  {:<8}  {:<20} {}",
                    truncate(&subject, 24),
                    r.age.map_or_else(|| "?".into(), |a| a.to_string()),
                    r.sex.unwrap_or("?"),
                    r.screened.map_or_else(|| "—".into(), |d| d.to_string()),
                    r.eligible,
                    status,
                    date(r.status_since)
                ),
            )?;
            for reason in &r.ineligibility_reasons {
                line(out, &format!("      ✖ {} {}", reason.id, reason.text))?;
            }
            if !r.unknowns.is_empty() {
                let u = format!("      ? unknown: {}", r.unknowns.join(", "));
                line(out, &u)?;
            }
            let steps: Vec<String> = [
                ("contacted", r.contacted_on),
                ("referred", r.referred_on),
                ("enrolled", r.enrolled_on),
                ("declined", r.declined_on),
            ]
            .iter()
            .filter_map(|(s, d)| d.map(|d| format!("{s} {d}")))
            .collect();
            if !steps.is_empty() {
                line(out, &format!("      {}", steps.join(" · ")))?;
            }
            if let Some(n) = r.note.filter(|n| !n.is_empty()) {
                line(out, &format!("      note: {}", sanitize(n)))?;
            }
        }
    }
    if log.undated > 0 {
        writeln!(out)?;
        line(
            out,
            &format!(
                "{} candidate(s) with no decision and no referral date are not placed in the \
                 period.",
                log.undated
            ),
        )?;
    }
    if log.not_loaded > 0 {
        line(
            out,
            &format!(
                "{} patient × study pair(s) with decisions are left out: the patient or study \
                 is not loaded.",
                log.not_loaded
            ),
        )?;
    }
    Ok(())
}

//! Headless output for scripts: a JSON report (the contract documented in README.md), written
//! patient by patient so it streams, and a plain table readable at 100 columns.

use crate::load::Workspace;
use crate::patient::Profile;
use crate::rank::Counts;
use crate::rank::{TrialMatch, rank};
use crate::text::{sanitize, truncate};
use crate::trial::Trial;
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};

fn trial_json(t: &Trial) -> Value {
    let m = &t.meta;
    json!({
        "id": t.id,
        "short_name": t.short_name,
        "title": t.title,
        "file": t.file,
        "registry_id": m.registry_id,
        "sponsor_id": m.sponsor_id,
        "phase": m.phase,
        "status": m.status,
        "enrollment": m.enrollment,
        "sponsor": m.sponsor,
        "sites": t.sites,
        "contacts": t.contacts,
        "external_facts": t.external_facts,
        "cohorts": t.cohorts.iter().map(|c| json!({"id": c.id, "name": c.name})).collect::<Vec<_>>(),
        "criteria_count": t.criteria.len(),
    })
}

#[derive(Serialize)]
struct CriterionOut<'a> {
    id: &'a str,
    kind: &'static str,
    cohort: Option<&'a str>,
    state: &'static str,
    text: &'a str,
    reason: &'a str,
    missing: &'a [String],
}

#[derive(Serialize)]
struct CohortOut<'a> {
    id: Option<&'a str>,
    verdict: &'static str,
    score: f64,
    counts: Counts,
}

#[derive(Serialize)]
struct MatchOut<'a> {
    trial: &'a str,
    short_name: &'a str,
    cohort: Option<&'a str>,
    verdict: &'static str,
    score: f64,
    counts: Counts,
    criteria: Vec<CriterionOut<'a>>,
    cohorts: Vec<CohortOut<'a>>,
    /// Criteria of the study whose rule could not be read (they are unknown): a verdict with
    /// any is not to be trusted until the trial file is fixed.
    unreadable_rules: usize,
}

#[derive(Serialize)]
struct PatientOut<'a> {
    id: &'a str,
    name: Option<&'a str>,
    file: &'a str,
    matches: Vec<MatchOut<'a>>,
}

/// One match in the JSON shape: the best cohort's criteria and every cohort's summary.
fn match_out<'a>(trials: &'a [Trial], m: &'a TrialMatch) -> MatchOut<'a> {
    let t = &trials[m.trial];
    let best = m.best();
    MatchOut {
        trial: &t.id,
        short_name: &t.short_name,
        cohort: best.cohort.as_deref(),
        verdict: best.verdict().as_str(),
        score: round1(m.score()),
        counts: best.counts,
        criteria: best
            .results
            .iter()
            .map(|r| {
                let c = &t.criteria[r.index];
                CriterionOut {
                    id: &c.id,
                    kind: c.kind.as_str(),
                    cohort: c.cohort.as_deref(),
                    state: r.state.as_str(),
                    text: &c.text,
                    reason: &r.reason,
                    missing: &r.missing,
                }
            })
            .collect(),
        cohorts: m
            .cohorts
            .iter()
            .map(|c| CohortOut {
                id: c.cohort.as_deref(),
                verdict: c.verdict().as_str(),
                score: round1(c.counts.score()),
                counts: c.counts,
            })
            .collect(),
        unreadable_rules: t.unreadable(),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// One patient's JSON object, as bytes.
fn patient_bytes(trials: &[Trial], p: &Profile, as_of: NaiveDate) -> serde_json::Result<Vec<u8>> {
    let matches = rank(trials, p, as_of);
    let out = PatientOut {
        id: p.id(),
        name: p.data.name.as_deref(),
        file: &p.file,
        matches: matches.iter().map(|m| match_out(trials, m)).collect(),
    };
    serde_json::to_vec(&out)
}

/// Patients evaluated together before their JSON is written, in file order.
const JSON_CHUNK: usize = 256;

/// The JSON report written piece by piece: the header with the trials, then patients a chunk
/// at a time (each chunk evaluated in parallel, written in order), then the problems. Memory
/// stays bounded however long the queue.
pub struct JsonReport<'a, W: Write> {
    trials: &'a [Trial],
    as_of: NaiveDate,
    out: &'a mut W,
    first: bool,
}

impl<'a, W: Write> JsonReport<'a, W> {
    pub fn begin(trials: &'a [Trial], as_of: NaiveDate, out: &'a mut W) -> io::Result<Self> {
        let header: Vec<Value> = trials.iter().map(trial_json).collect();
        write!(out, "{{\"as_of\":\"{as_of}\",\"trials\":")?;
        serde_json::to_writer(&mut *out, &header)?;
        write!(out, ",\"patients\":[")?;
        Ok(JsonReport {
            trials,
            as_of,
            out,
            first: true,
        })
    }

    pub fn patients(&mut self, patients: &[Profile]) -> io::Result<()> {
        for chunk in patients.chunks(JSON_CHUNK) {
            let encoded: Vec<serde_json::Result<Vec<u8>>> = chunk
                .par_iter()
                .map(|p| patient_bytes(self.trials, p, self.as_of))
                .collect();
            for bytes in encoded {
                if !self.first {
                    self.out.write_all(b",")?;
                }
                self.first = false;
                self.out.write_all(&bytes?)?;
            }
        }
        Ok(())
    }

    pub fn end(self, problems: &[crate::problem::Problem]) -> io::Result<()> {
        write!(self.out, "],\"problems\":")?;
        serde_json::to_writer(&mut *self.out, problems)?;
        writeln!(self.out, "}}")
    }
}

/// Writes the JSON report of a loaded workspace.
pub fn write_json(ws: &Workspace, as_of: NaiveDate, out: &mut impl Write) -> io::Result<()> {
    let mut r = JsonReport::begin(&ws.trials, as_of, out)?;
    r.patients(&ws.patients)?;
    r.end(&ws.problems)
}

pub fn glyph(v: crate::rank::Verdict) -> &'static str {
    match v {
        crate::rank::Verdict::Eligible => "✔",
        crate::rank::Verdict::Possible => "?",
        crate::rank::Verdict::Ineligible => "✖",
    }
}

/// Writes the plain-text report, at most `width` columns wide.
pub fn write_table(
    ws: &Workspace,
    as_of: NaiveDate,
    width: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    let w = width.max(60);
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let head = format!(
        "trialmatch report — as of {as_of} — {} × {} — {}",
        plural(ws.patients.len(), "patient", "patients"),
        plural(ws.trials.len(), "study", "studies"),
        plural(ws.problems.len(), "problem", "problems")
    );
    writeln!(out, "{}", truncate(&head, w))?;
    for p in &ws.patients {
        let age = crate::patient::derive::age(p, as_of)
            .value
            .map_or("age ?".into(), |a| format!("{a:.0} y"));
        let sex = match p.data.sex.as_ref().map(|s| *s.get_ref()) {
            Some(crate::patient::Sex::Female) => "F",
            Some(crate::patient::Sex::Male) => "M",
            None => "sex ?",
        };
        writeln!(out)?;
        let head = format!(
            "{}  {}  ({sex}, {age})  {}",
            sanitize(p.id()),
            sanitize(p.name()),
            sanitize(&p.main_diagnosis())
        );
        writeln!(out, "{}", truncate(&head, w))?;
        let columns = format!(
            "  #  {:<16} {:<9} {:<12} {:>4} {:>4} {:>4} {:>5}  Site",
            "Study", "Cohort", "Verdict", "Pass", "Fail", "Unk", "Score"
        );
        writeln!(out, "{}", truncate(&columns, w))?;
        for (i, m) in rank(&ws.trials, p, as_of).iter().enumerate() {
            let t = &ws.trials[m.trial];
            let b = m.best();
            let line = format!(
                "  {}  {:<16} {:<9} {} {:<10} {:>4} {:>4} {:>4} {:>4.0}%  {}",
                i + 1,
                truncate(&sanitize(&t.short_name), 16),
                truncate(&sanitize(b.cohort.as_deref().unwrap_or("—")), 9),
                glyph(b.verdict()),
                b.verdict().as_str(),
                b.counts.pass,
                b.counts.fail,
                b.counts.unknown,
                m.score(),
                sanitize(&t.site_line()),
            );
            writeln!(out, "{}", truncate(&line, w))?;
            let unreadable = t.unreadable();
            if unreadable > 0 {
                let l = format!(
                    "       ⚠ {unreadable} rule{} of this study could not be read (see Problems): its verdict is incomplete",
                    if unreadable == 1 { "" } else { "s" }
                );
                writeln!(out, "{}", truncate(&l, w))?;
            }
            for r in b
                .results
                .iter()
                .filter(|r| r.state == crate::rank::State::Fail)
            {
                let c = &t.criteria[r.index];
                let l = format!("       ✖ {} {}", c.id, sanitize(&r.reason));
                writeln!(out, "{}", truncate(&l, w))?;
            }
            if b.counts.fail == 0 {
                for r in b
                    .results
                    .iter()
                    .filter(|r| r.state == crate::rank::State::Unknown)
                {
                    let c = &t.criteria[r.index];
                    let l = format!(
                        "       ? {} missing: {}",
                        c.id,
                        sanitize(&r.missing.join(", "))
                    );
                    writeln!(out, "{}", truncate(&l, w))?;
                }
            }
        }
    }
    if !ws.problems.is_empty() {
        writeln!(out, "\nProblems:")?;
        for p in &ws.problems {
            writeln!(out, "  {}", truncate(&sanitize(&p.to_string()), w - 2))?;
        }
    }
    Ok(())
}

/// One CSV field: quoted when needed, and a leading `= + - @` neutralised so a spreadsheet
/// never reads data as a formula. Every CSV trialmatch writes (the report, the screening log)
/// goes through it.
pub fn csv_field(s: &str) -> String {
    let s = sanitize(s);
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s
    };
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The CSV report's header line.
pub const CSV_HEADER: &str = "patient_id,name,study,study_name,cohort,verdict,pass,fail,unknown,score,unreadable_rules,worklist_status";

/// The worklist status of patient × study (patient id, trial id → status label), for the CSV.
pub type Statuses = std::collections::HashMap<(String, String), &'static str>;

/// Writes one CSV row per patient × study (best cohort), evaluated in parallel on the fast
/// path and written in order.
pub fn write_csv_rows(
    trials: &[Trial],
    patients: &[Profile],
    as_of: NaiveDate,
    statuses: &Statuses,
    out: &mut impl Write,
) -> io::Result<()> {
    for chunk in patients.chunks(JSON_CHUNK * 4) {
        let rows: Vec<String> = chunk
            .par_iter()
            .map(|p| {
                let mut s = String::new();
                for m in crate::rank::rank_with(trials, p, as_of, false) {
                    let b = m.best();
                    let t = &trials[m.trial];
                    let status = statuses
                        .get(&(p.id().to_string(), t.id.clone()))
                        .copied()
                        .unwrap_or("");
                    s.push_str(&format!(
                        "{},{},{},{},{},{},{},{},{},{:.1},{},{}\n",
                        csv_field(p.id()),
                        csv_field(p.data.name.as_deref().unwrap_or("")),
                        csv_field(&t.id),
                        csv_field(&t.short_name),
                        csv_field(b.cohort.as_deref().unwrap_or("")),
                        b.verdict().as_str(),
                        b.counts.pass,
                        b.counts.fail,
                        b.counts.unknown,
                        m.score(),
                        t.unreadable(),
                        csv_field(status)
                    ));
                }
                s
            })
            .collect();
        for r in rows {
            out.write_all(r.as_bytes())?;
        }
    }
    Ok(())
}

/// Writes the CSV report of a loaded workspace (header and rows).
pub fn write_csv(ws: &Workspace, as_of: NaiveDate, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{CSV_HEADER}")?;
    write_csv_rows(&ws.trials, &ws.patients, as_of, &Statuses::new(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        for (value, field) in [
            ("plain", "plain"),
            ("Doe, Jane", "\"Doe, Jane\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@sum", "'@sum"),
            ("bell\u{7}", "bell\\u{7}"),
        ] {
            assert_eq!(csv_field(value), field, "{value}");
        }
    }
}

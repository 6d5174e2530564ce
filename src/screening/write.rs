//! The screening log written out for a spreadsheet and for scripts, in the columns of the
//! public screening and enrolment log templates (subject, date screened, eligible, reasons,
//! status, consent and enrolment): CSV (every field through the report's formula neutralising,
//! the funnel after the rows) and JSON; the rows as both write them, which the table
//! (`table`) reads too; and how a log names its patients. Deidentified, a subject is its
//! pseudonym, and names, file paths, dates of birth and notes (free text that may name people)
//! are not written at all: not even their columns.

use super::{Eligible, Log, LogDoc, Pseudonyms, Reason, Row, Step, StudyFunnel};
use crate::patient::{Profile, Sex};
use crate::report::csv_field;
use crate::text::sanitize;
use crate::trial::Trial;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};

/// How a log names its patients: by id, name and file, or by pseudonym alone.
pub struct Subjects {
    /// Pseudonyms by patient index, when deidentified.
    pseudonyms: Option<HashMap<usize, String>>,
}

impl Subjects {
    pub fn identified() -> Subjects {
        Subjects { pseudonyms: None }
    }

    /// Every patient of `log` by pseudonym. Two patients with one pseudonym (48 bits: about
    /// one chance in ten million for 10,000 patients) is an error rather than a merged subject.
    pub fn pseudonymised(
        log: &Log,
        patients: &[Profile],
        pseudonyms: &Pseudonyms,
    ) -> Result<Subjects, String> {
        let mut by_pseudonym: HashMap<String, String> = HashMap::new();
        let mut out = HashMap::new();
        for row in &log.rows {
            let Some(p) = patients.get(row.patient) else {
                continue;
            };
            let id = p.id().to_lowercase();
            let name = pseudonyms.of(&id);
            match by_pseudonym.get(&name) {
                Some(other) if *other != id => {
                    return Err("two patients of this log have the same pseudonym; nothing \
                                was written (please report this)"
                        .into());
                }
                _ => {}
            }
            by_pseudonym.insert(name.clone(), id);
            out.insert(row.patient, name);
        }
        Ok(Subjects {
            pseudonyms: Some(out),
        })
    }

    pub fn deidentified(&self) -> bool {
        self.pseudonyms.is_some()
    }

    fn subject(&self, patient: &Profile, index: usize) -> String {
        match &self.pseudonyms {
            Some(p) => p.get(&index).cloned().unwrap_or_else(|| "S-?".into()),
            None => patient.id().to_string(),
        }
    }
}

/// A reason in a row or a funnel.
#[derive(Serialize)]
pub(super) struct ReasonOut {
    pub(super) id: String,
    pub(super) text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) count: Option<usize>,
}

/// One row as written (JSON keys; the CSV columns in the same order).
#[derive(Serialize)]
pub(super) struct RowOut<'a> {
    pub(super) study: &'a str,
    pub(super) study_name: &'a str,
    pub(super) subject: String,
    /// Left out (not null) when deidentified, like `file`, `dob` and `note`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dob: Option<Option<NaiveDate>>,
    pub(super) age: Option<i32>,
    pub(super) sex: Option<&'static str>,
    pub(super) screened: Option<NaiveDate>,
    pub(super) screened_from: &'static str,
    pub(super) eligible: &'static str,
    pub(super) verdict: &'static str,
    pub(super) cohort: Option<&'a str>,
    pub(super) ineligibility_reasons: Vec<ReasonOut>,
    pub(super) unknowns: Vec<String>,
    pub(super) status: Option<&'static str>,
    pub(super) status_since: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) note: Option<&'a str>,
    pub(super) contacted_on: Option<NaiveDate>,
    pub(super) referred_on: Option<NaiveDate>,
    pub(super) enrolled_on: Option<NaiveDate>,
    pub(super) declined_on: Option<NaiveDate>,
    pub(super) consent_signed: Option<bool>,
}

/// The reasons a row is not eligible: its failing criteria, or the worklist's ruling.
fn row_reasons(row: &Row) -> Vec<Reason> {
    if row.eligible != Eligible::No {
        return Vec::new();
    }
    if row.finding.failing.is_empty() {
        return vec![Reason::RuledOut];
    }
    row.finding
        .failing
        .iter()
        .map(|&i| Reason::Criterion(i))
        .collect()
}

fn row_out<'a>(
    t: &'a Trial,
    p: &'a Profile,
    row: &'a Row,
    who: &Subjects,
    log: &Log,
) -> RowOut<'a> {
    let deid = who.deidentified();
    let dob = p.data.dob.as_ref().map(|d| d.get_ref().0);
    // At the as-of date, as the verdict beside it reads it.
    let age = dob
        .map(|d| crate::patient::derive::age_years(d, log.as_of))
        .filter(|a| *a >= 0);
    RowOut {
        study: &t.id,
        study_name: &t.short_name,
        subject: who.subject(p, row.patient),
        name: (!deid).then_some(p.data.name.as_deref()),
        file: (!deid).then_some(p.file.as_str()),
        dob: (!deid).then_some(dob),
        age,
        sex: p.data.sex.as_ref().map(|s| match s.get_ref() {
            Sex::Female => "F",
            Sex::Male => "M",
        }),
        screened: row.screened,
        screened_from: row.screened_from.as_str(),
        eligible: row.eligible.as_str(),
        verdict: row.finding.verdict.as_str(),
        cohort: row.finding.cohort.as_deref(),
        ineligibility_reasons: row_reasons(row)
            .into_iter()
            .map(|r| ReasonOut {
                id: r.id(t),
                text: r.text(t),
                count: None,
            })
            .collect(),
        unknowns: row
            .finding
            .unknown
            .iter()
            .filter_map(|&i| t.criteria.get(i).map(|c| sanitize(&c.id)))
            .collect(),
        status: row.current.as_ref().map(|c| c.status.key()),
        status_since: row.current.as_ref().map(|c| c.since),
        note: (!deid).then(|| row.current.as_ref().map_or("", |c| c.note.as_str())),
        contacted_on: row.reached(Step::Contacted),
        referred_on: row.reached(Step::Referred),
        enrolled_on: row.reached(Step::Enrolled),
        declined_on: row.reached(Step::Declined),
        consent_signed: p.data.status.as_ref().and_then(|s| s.consent_signed),
    }
}

/// Every row of the log with its study and patient (rows whose indices are not loaded are
/// skipped).
pub(super) fn rows_out<'a>(
    log: &'a Log,
    trials: &'a [Trial],
    patients: &'a [Profile],
    who: &Subjects,
) -> Vec<RowOut<'a>> {
    log.rows
        .iter()
        .filter_map(|r| {
            Some(row_out(
                trials.get(r.trial)?,
                patients.get(r.patient)?,
                r,
                who,
                log,
            ))
        })
        .collect()
}

/// A funnel as written.
#[derive(Serialize)]
struct FunnelOut<'a> {
    study: &'a str,
    study_name: &'a str,
    screened: usize,
    eligible_or_possible: usize,
    contacted: usize,
    referred: usize,
    enrolled: usize,
    declined: usize,
    not_eligible: usize,
    top_reasons: Vec<ReasonOut>,
}

fn funnel_out<'a>(f: &StudyFunnel, t: &'a Trial) -> FunnelOut<'a> {
    FunnelOut {
        study: &t.id,
        study_name: &t.short_name,
        screened: f.count(Step::Screened),
        eligible_or_possible: f.count(Step::EligibleOrPossible),
        contacted: f.count(Step::Contacted),
        referred: f.count(Step::Referred),
        enrolled: f.count(Step::Enrolled),
        declined: f.count(Step::Declined),
        not_eligible: f.not_eligible,
        top_reasons: f
            .reasons
            .iter()
            .map(|r| ReasonOut {
                id: r.reason.id(t),
                text: r.reason.text(t),
                count: Some(r.count),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct LogOut<'a> {
    as_of: NaiveDate,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    studies: Vec<&'a str>,
    deidentified: bool,
    rows: Vec<RowOut<'a>>,
    funnel: Vec<FunnelOut<'a>>,
    /// Candidates with no referral date (not placed in the period) and pairs whose patient or
    /// study is not loaded.
    left_out: LeftOut,
}

#[derive(Serialize)]
struct LeftOut {
    undated: usize,
    not_loaded: usize,
}

/// The log as one JSON object: `as_of`, `from`, `to`, `studies`, `deidentified`, `rows`,
/// `funnel` and `left_out` (docs/screening-log.md).
pub fn write_json(doc: &LogDoc, out: &mut impl Write) -> io::Result<()> {
    let LogDoc {
        log,
        funnels,
        trials,
        patients,
        who,
    } = *doc;
    let doc = LogOut {
        as_of: log.as_of,
        from: log.period.from,
        to: log.period.to,
        studies: log
            .studies
            .iter()
            .filter_map(|&t| trials.get(t).map(|t| t.id.as_str()))
            .collect(),
        deidentified: who.deidentified(),
        rows: rows_out(log, trials, patients, who),
        funnel: funnels
            .iter()
            .filter_map(|f| Some(funnel_out(f, trials.get(f.trial)?)))
            .collect(),
        left_out: LeftOut {
            undated: log.undated,
            not_loaded: log.not_loaded,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub(super) fn date(d: Option<NaiveDate>) -> String {
    d.map_or_else(String::new, |d| d.to_string())
}

fn reasons_text(rs: &[ReasonOut]) -> String {
    let one = |r: &ReasonOut| match r.count {
        Some(n) => format!("{} {} ({n})", r.id, r.text),
        None => format!("{} {}", r.id, r.text),
    };
    rs.iter().map(one).collect::<Vec<_>>().join("; ")
}

/// The log as CSV: a header and one line per row, then an empty line and the funnel (a header
/// and one line per study). Deidentified, the name, file, dob and note columns are not there.
pub fn write_csv(doc: &LogDoc, out: &mut impl Write) -> io::Result<()> {
    let LogDoc {
        log,
        funnels,
        trials,
        patients,
        who,
    } = *doc;
    let deid = who.deidentified();
    let mut head = vec!["study", "study_name", "subject_id"];
    if !deid {
        head.extend(["name", "file", "dob"]);
    }
    head.extend([
        "age",
        "sex",
        "date_screened",
        "screened_from",
        "eligible",
        "verdict",
        "cohort",
        "ineligibility_reasons",
        "unknowns_outstanding",
        "status",
        "status_since",
    ]);
    if !deid {
        head.push("note");
    }
    head.extend([
        "contacted_on",
        "referred_on",
        "enrolled_on",
        "declined_on",
        "consent_signed",
    ]);
    writeln!(out, "{}", head.join(","))?;
    for r in rows_out(log, trials, patients, who) {
        let mut f: Vec<String> = vec![r.study.into(), r.study_name.into(), r.subject];
        if let (Some(name), Some(file), Some(dob)) = (r.name, r.file, r.dob) {
            f.extend([name.unwrap_or("").into(), file.into(), date(dob)]);
        }
        f.extend([
            r.age.map_or_else(String::new, |a| a.to_string()),
            r.sex.unwrap_or("").into(),
            date(r.screened),
            r.screened_from.into(),
            r.eligible.into(),
            r.verdict.into(),
            r.cohort.unwrap_or("").into(),
            reasons_text(&r.ineligibility_reasons),
            r.unknowns.join("; "),
            r.status
                .and_then(crate::worklist::Status::parse)
                .map_or("", |s| s.label())
                .into(),
            date(r.status_since),
        ]);
        if let Some(note) = r.note {
            f.push(note.into());
        }
        f.extend([
            date(r.contacted_on),
            date(r.referred_on),
            date(r.enrolled_on),
            date(r.declined_on),
            r.consent_signed
                .map_or("not recorded", |c| if c { "yes" } else { "no" })
                .into(),
        ]);
        let line: Vec<String> = f.iter().map(|s| csv_field(s)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    writeln!(out)?;
    let steps: Vec<&str> = Step::ALL.iter().map(|s| s.key()).collect();
    writeln!(
        out,
        "study,study_name,{},not_eligible,top_ineligibility_reasons",
        steps.join(",")
    )?;
    for f in funnels {
        let Some(t) = trials.get(f.trial) else {
            continue;
        };
        let fo = funnel_out(f, t);
        let mut line = vec![csv_field(fo.study), csv_field(fo.study_name)];
        line.extend(f.counts.iter().map(|n| n.to_string()));
        line.push(f.not_eligible.to_string());
        line.push(csv_field(&reasons_text(&fo.top_reasons)));
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

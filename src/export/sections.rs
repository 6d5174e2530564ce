//! The sections of the referral summary, in reading order: who sends it, the patient, the
//! study and cohort, the criteria met, not met and undecided, the open questions, whom to
//! contact, and the worklist's decision history.

use super::quote::md;
use super::words::{diagnosis_label, plain};
use crate::config::Sender;
use crate::missing::missing_facts;
use crate::patient::{Profile, Sex};
use crate::rank::{CohortResult, State, TrialMatch};
use crate::trial::{NOT_STATED, Trial};
use crate::worklist::{Entry, History, print};
use chrono::{DateTime, Local, NaiveDate};
use std::fmt::Write as _;

/// An optional data field as quoted text, or "not stated".
fn or_not_stated(v: &Option<String>) -> String {
    v.as_deref().map_or(NOT_STATED.to_string(), md)
}

/// What one summary is written from: the study and its evaluation for the patient (`m`, with
/// `best` its best cohort), the pair's history, when it is written and by whom.
pub(super) struct Doc<'a> {
    pub trials: &'a [Trial],
    pub t: &'a Trial,
    pub m: &'a TrialMatch,
    pub best: &'a CohortResult,
    pub patient: &'a Profile,
    pub as_of: NaiveDate,
    pub history: &'a History,
    pub written: DateTime<Local>,
    pub sender: &'a Sender,
}

impl Doc<'_> {
    /// The whole summary.
    pub fn render(&self) -> String {
        let mut o = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(&mut o);
        o
    }

    fn write(&self, o: &mut String) -> std::fmt::Result {
        let (t, patient, as_of) = (self.t, self.patient, self.as_of);
        writeln!(
            o,
            "# Referral summary: patient {} for {}\n",
            md(patient.id()),
            md(&t.short_name)
        )?;
        writeln!(
            o,
            "Screened as of {as_of} by trialmatch; written {}. Every criterion below is \
             quoted from the study's source documents.\n",
            self.written.format("%Y-%m-%d %H:%M %Z")
        )?;
        self.write_sender(o)?;
        self.write_patient(o)?;
        self.write_entered(o)?;
        self.write_study(o)?;
        self.write_criteria(o, "Criteria met", State::Pass)?;
        self.write_criteria(o, "Criteria not met", State::Fail)?;
        self.write_criteria(o, "Criteria not yet decided", State::Unknown)?;
        self.write_open_questions(o)?;
        self.write_contacts(o)?;
        self.write_history(o)
    }

    /// Who sends the summary, from the settings file; what is missing is said.
    fn write_sender(&self, o: &mut String) -> std::fmt::Result {
        writeln!(o, "## From\n")?;
        let mut missing = Vec::new();
        for (key, label, value) in self.sender.fields() {
            match value {
                Some(v) => writeln!(o, "- {label}: {}", md(v))?,
                None => missing.push(if key == "name" {
                    "coordinator name"
                } else {
                    key
                }),
            }
        }
        if !missing.is_empty() {
            let list = match missing.as_slice() {
                [one] => (*one).to_string(),
                [init @ .., last] => format!("{} or {last}", init.join(", ")),
                [] => String::new(),
            };
            writeln!(
                o,
                "- Sender not configured — run `trialmatch config` (no {list} given)"
            )?;
        }
        writeln!(o)
    }

    fn write_patient(&self, o: &mut String) -> std::fmt::Result {
        let (patient, as_of) = (self.patient, self.as_of);
        writeln!(o, "## Patient\n")?;
        writeln!(o, "- Patient id: {}", md(patient.id()))?;
        let name = patient
            .data
            .name
            .as_deref()
            .map_or("not recorded".into(), md);
        // Where a fact came from, when it was entered in the app.
        let from = |field: &str| md(&patient.entered_note(field));
        writeln!(o, "- Name: {name}{}", from("name"))?;
        let dob = patient.data.dob.as_ref().map(|d| d.get_ref().0);
        match dob {
            Some(d) => writeln!(
                o,
                "- Date of birth: {d} (age {} on {as_of}){}",
                crate::patient::derive::age_years(d, as_of),
                from("dob")
            )?,
            None => writeln!(o, "- Date of birth: not recorded")?,
        }
        let sex = match patient.data.sex.as_ref().map(|s| *s.get_ref()) {
            Some(Sex::Female) => "female",
            Some(Sex::Male) => "male",
            None => "not recorded",
        };
        writeln!(o, "- Sex: {sex}{}", from("sex"))?;
        for d in &patient.data.diagnosis {
            let label = match d.name.as_deref() {
                Some(n) => n.to_string(),
                None => diagnosis_label(d.code.get_ref()),
            };
            let entered = crate::patient::entered_note(d.entered.as_deref());
            writeln!(o, "- Diagnosis: {}{}", md(&label), md(&entered))?;
        }
        if let Some(r) = &patient.data.referral {
            if let Some(c) = &r.clinician {
                writeln!(
                    o,
                    "- Referring clinician: {}{}",
                    md(c),
                    from("referral.clinician")
                )?;
            }
            if let Some(c) = &r.contact {
                writeln!(
                    o,
                    "- Referrer contact: {}{}",
                    md(c),
                    from("referral.contact")
                )?;
            }
        }
        Ok(())
    }

    fn write_study(&self, o: &mut String) -> std::fmt::Result {
        let t = self.t;
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
                .map_or(NOT_STATED.to_string(), |f| {
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
        // Only the cohort the summary is about: the others' criteria and questions are not
        // the study team's concern for this referral.
        let cohort = match &self.best.cohort {
            Some(id) => t
                .cohorts
                .iter()
                .find(|c| &c.id == id)
                .map_or(md(id), |c| format!("{} ({})", md(&c.name), md(&c.id))),
            None => "whole study (no cohorts)".to_string(),
        };
        writeln!(o, "- Cohort: {cohort}")?;
        let c = self.best.counts;
        writeln!(
            o,
            "- Verdict: {} — {} of {} criteria pass, {} fail, {} unknown",
            self.best.verdict().as_str(),
            c.pass,
            c.total(),
            c.fail,
            c.unknown
        )
    }

    fn write_criteria(&self, o: &mut String, title: &str, state: State) -> std::fmt::Result {
        let rows: Vec<_> = self
            .best
            .results
            .iter()
            .filter(|r| r.state == state)
            .collect();
        writeln!(o, "\n## {title} ({})\n", rows.len())?;
        if rows.is_empty() {
            return writeln!(o, "None.");
        }
        for r in rows {
            let Some(cr) = self.t.criteria.get(r.index) else {
                continue;
            };
            writeln!(
                o,
                "- {} ({}): {}\n  - {}: {}",
                md(&cr.id),
                cr.kind.as_str(),
                md(&cr.text),
                if state == State::Unknown {
                    "Why unknown"
                } else {
                    "Evidence"
                },
                md(&plain(&r.reason))
            )?;
        }
        Ok(())
    }

    /// The facts missing for the shown cohort's criteria, never another cohort's.
    fn write_open_questions(&self, o: &mut String) -> std::fmt::Result {
        let shown = TrialMatch {
            trial: self.m.trial,
            cohorts: vec![self.best.clone()],
        };
        let facts = missing_facts(self.trials, std::slice::from_ref(&shown));
        writeln!(o, "\n## Open questions ({})\n", facts.len())?;
        if facts.is_empty() {
            writeln!(o, "None: every fact the criteria need is recorded.")?;
        }
        for f in &facts {
            let ids: Vec<String> = f.blocks.iter().map(|(_, _, id)| md(id)).collect();
            writeln!(
                o,
                "- {} — needed by {}",
                md(&plain(&f.fact)),
                ids.join(", ")
            )?;
        }
        Ok(())
    }

    fn write_contacts(&self, o: &mut String) -> std::fmt::Result {
        let t = self.t;
        writeln!(o, "\n## Whom to contact\n")?;
        writeln!(
            o,
            "- Principal investigator: {}",
            or_not_stated(&t.meta.principal_investigator)
        )?;
        if t.contacts.is_empty() {
            writeln!(o, "- Contacts: {NOT_STATED}")?;
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
            writeln!(o, "- Sites: {NOT_STATED}")?;
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
        Ok(())
    }

    /// The pair's worklist history, one line each (a list rather than a table, so nothing in a
    /// note needs escaping); "Recorded by" names the computer account that entered it.
    /// The facts entered in the app that the verdicts read, each with who entered it, when
    /// and from what source (only when there are any: a patient known from a file alone has
    /// no such section).
    fn write_entered(&self, o: &mut String) -> std::fmt::Result {
        let entered: Vec<&crate::intake::FactEntry> =
            crate::intake::in_force(&self.history.entered).collect();
        if entered.is_empty() {
            return Ok(());
        }
        writeln!(
            o,
            "\n## Facts entered in the app ({})\n\nNot from the patient's file: typed into \
             trialmatch, each with its source.\n",
            entered.len()
        )?;
        for e in entered {
            let dated = e
                .fact_date
                .map_or(String::new(), |d| format!(" (dated {d})"));
            writeln!(o, "- {}{dated} — {}", md(&e.summary), md(&e.provenance()))?;
        }
        Ok(())
    }

    fn write_history(&self, o: &mut String) -> std::fmt::Result {
        let history = self.history;
        writeln!(o, "\n## Decision history\n")?;
        if history.is_empty() {
            return writeln!(o, "No decisions recorded in the worklist.");
        }
        writeln!(
            o,
            "From the coordinator's worklist, oldest first; \"Recorded by\" is the computer \
             account that entered each line.\n"
        )?;
        let when = |at: &DateTime<chrono::Utc>| {
            at.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        let note = |n: &str, struck: bool| match (n.trim().is_empty(), struck) {
            (true, _) => String::new(),
            (false, false) => format!(" Note: {}", md(n)),
            (false, true) => format!(" Note: ~~{}~~", md(n)),
        };
        for e in history.entries() {
            let (at, status, who, note) = match e {
                Entry::Decision {
                    decision: d,
                    withdrawn: None,
                } => (
                    d.at,
                    d.status.label().to_string(),
                    &d.who,
                    note(&d.note, false),
                ),
                // Struck through, and said in words for whoever reads it printed.
                Entry::Decision {
                    decision: d,
                    withdrawn: Some(_),
                } => (
                    d.at,
                    format!("~~{}~~ — {}", d.status.label(), print::WITHDRAWN),
                    &d.who,
                    note(&d.note, true),
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
                        note(&w.note, false),
                    )
                }
            };
            writeln!(
                o,
                "- {}: {status}. Recorded by {}.{note}",
                when(&at),
                md(who)
            )?;
        }
        Ok(())
    }
}

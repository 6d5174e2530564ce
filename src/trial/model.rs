//! A study as written in `trials/*.toml` (see docs/rules.md), and its compiled form.

use crate::trial::rule::Rule;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// Shown wherever a source does not state a fact.
pub const NOT_STATED: &str = "not stated in source";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialFile {
    pub id: Spanned<String>,
    pub short_name: String,
    pub title: String,
    #[serde(default)]
    pub sources: Vec<String>,
    pub registry_id: Option<String>,
    pub sponsor_id: Option<String>,
    pub phase: Option<String>,
    pub status: Option<String>,
    pub enrollment: Option<String>,
    pub start_date: Option<String>,
    pub primary_completion_date: Option<String>,
    pub completion_date: Option<String>,
    pub last_updated: Option<String>,
    pub sponsor: Option<String>,
    #[serde(default)]
    pub collaborators: Vec<String>,
    pub principal_investigator: Option<String>,
    #[serde(default)]
    pub conditions: Vec<String>,
    pub intervention: Option<String>,
    pub lymphodepletion: Option<String>,
    pub age_range: Option<String>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub site: Vec<Site>,
    #[serde(default)]
    pub contact: Vec<Contact>,
    #[serde(default)]
    pub external_fact: Vec<ExternalFact>,
    #[serde(default)]
    pub cohort: Vec<Cohort>,
    #[serde(default)]
    pub criterion: Vec<CriterionFile>,
    /// How long before the as-of date a value "during the screening period" may be: a site
    /// setting (the sources state none), read by rules as `within=screening`.
    pub screening_window: Option<Spanned<String>>,
    #[serde(default)]
    pub signoff: Vec<Signoff>,
}

/// Study metadata; every field optional (absent = not stated in source).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Meta {
    pub registry_id: Option<String>,
    pub sponsor_id: Option<String>,
    pub phase: Option<String>,
    pub status: Option<String>,
    pub enrollment: Option<String>,
    pub start_date: Option<String>,
    pub primary_completion_date: Option<String>,
    pub completion_date: Option<String>,
    pub last_updated: Option<String>,
    pub sponsor: Option<String>,
    #[serde(default)]
    pub collaborators: Vec<String>,
    pub principal_investigator: Option<String>,
    #[serde(default)]
    pub conditions: Vec<String>,
    pub intervention: Option<String>,
    pub lymphodepletion: Option<String>,
    pub age_range: Option<String>,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub status: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub role: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub site: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalFact {
    pub field: String,
    pub value: String,
    pub source: String,
    pub confidence: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    pub id: String,
    pub name: String,
    pub note: Option<String>,
    /// A rule true when the patient has this cohort's disease (e.g. `diagnosis(ra)`): a
    /// multi-cohort study shows the patient's own disease cohort first.
    #[serde(default)]
    pub disease: Option<String>,
    /// `disease`, compiled when the trial is loaded.
    #[serde(skip)]
    pub disease_rule: Option<crate::trial::Rule>,
}

/// A judgement call the sources leave open, for clinical sign-off: what the encoding reads,
/// the other reading, and where a site changes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Signoff {
    /// The criteria it concerns.
    pub criteria: Vec<String>,
    pub question: String,
    pub reading: String,
    pub alternative: String,
    /// Where in the trial file a site changes it.
    pub change: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Inclusion,
    Exclusion,
}

impl TrialFile {
    /// The metadata fields, gathered.
    pub fn meta(&self) -> Meta {
        Meta {
            registry_id: self.registry_id.clone(),
            sponsor_id: self.sponsor_id.clone(),
            phase: self.phase.clone(),
            status: self.status.clone(),
            enrollment: self.enrollment.clone(),
            start_date: self.start_date.clone(),
            primary_completion_date: self.primary_completion_date.clone(),
            completion_date: self.completion_date.clone(),
            last_updated: self.last_updated.clone(),
            sponsor: self.sponsor.clone(),
            collaborators: self.collaborators.clone(),
            principal_investigator: self.principal_investigator.clone(),
            conditions: self.conditions.clone(),
            intervention: self.intervention.clone(),
            lymphodepletion: self.lymphodepletion.clone(),
            age_range: self.age_range.clone(),
            notes: self.notes.clone(),
        }
    }
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Inclusion => "inclusion",
            Kind::Exclusion => "exclusion",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionFile {
    pub id: String,
    pub kind: Kind,
    pub cohort: Spanned<String>,
    pub text: String,
    pub rule: Spanned<String>,
    pub note: Option<String>,
}

/// A phone number in international form ("+86 180 6120 2878") when it is written with the
/// Chinese country code in a local way ("086 18061202878", "0086 …") or as "+86 …": the
/// studies' phones are Chinese. `None` for any other form (shown as written).
pub fn international_phone(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = ["0086", "086"]
        .iter()
        .find_map(|p| {
            digits
                .strip_prefix(p)
                .filter(|_| !phone.trim().starts_with('+'))
        })
        .or_else(|| phone.trim().starts_with("+86").then(|| &digits[2..]))?;
    match national.len() {
        // A mobile number: 3-4-4.
        11 => Some(format!(
            "+86 {} {} {}",
            &national[..3],
            &national[3..7],
            &national[7..]
        )),
        8..=10 => Some(format!("+86 {national}")),
        _ => None,
    }
}

/// One criterion, compiled.
#[derive(Debug, Clone)]
pub struct Criterion {
    pub id: String,
    pub kind: Kind,
    /// `None` for criteria common to every cohort.
    pub cohort: Option<String>,
    pub text: String,
    pub rule_text: String,
    pub rule: Rule,
    pub note: Option<String>,
}

impl Criterion {
    /// Whether the criterion applies to `cohort` (None: the study's one population): common
    /// criteria apply to every cohort.
    pub fn applies_to(&self, cohort: Option<&str>) -> bool {
        self.cohort.is_none() || self.cohort.as_deref() == cohort
    }
}

/// A loaded study.
#[derive(Debug, Clone)]
pub struct Trial {
    pub id: String,
    pub short_name: String,
    pub title: String,
    pub file: String,
    pub sources: Vec<String>,
    pub meta: Meta,
    pub sites: Vec<Site>,
    pub contacts: Vec<Contact>,
    pub external_facts: Vec<ExternalFact>,
    pub cohorts: Vec<Cohort>,
    pub criteria: Vec<Criterion>,
    /// The screening window rules read as `within=screening` (a site setting).
    pub screening_window: Option<crate::trial::rule::Span>,
    pub signoffs: Vec<Signoff>,
}

impl Trial {
    /// How many criteria could not be read from the trial file (they stay unknown): a study
    /// with any says so wherever its verdicts are shown.
    pub fn unreadable(&self) -> usize {
        self.criteria
            .iter()
            .filter(|c| matches!(c.rule, crate::trial::Rule::Unreadable(_)))
            .count()
    }

    /// Indices of the criteria that apply to a cohort (common ones first, in file order).
    pub fn criteria_for<'a>(&'a self, cohort: Option<&'a str>) -> impl Iterator<Item = usize> + 'a {
        self.criteria
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.applies_to(cohort))
            .map(|(i, _)| i)
    }

    /// The cohorts to evaluate: each declared cohort, or one population (None).
    pub fn cohort_ids(&self) -> Vec<Option<&str>> {
        if self.cohorts.is_empty() {
            vec![None]
        } else {
            self.cohorts.iter().map(|c| Some(c.id.as_str())).collect()
        }
    }

    /// Whether the study takes patients, as the sources state it: "end date … passed" once
    /// the stated end date is before `as_of`, else the stated status ("recruiting", "not yet
    /// recruiting"), else "status not stated".
    pub fn recruitment(&self, as_of: chrono::NaiveDate) -> String {
        let ended = self
            .meta
            .completion_date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .filter(|d| *d < as_of);
        match (ended, self.meta.status.as_deref()) {
            (Some(d), _) => format!("end date {d} passed"),
            (None, Some(s)) => s.to_lowercase(),
            (None, None) => "status not stated".into(),
        }
    }

    /// Whether the sources show the study taking patients on `as_of`: stated "recruiting" and
    /// no stated end date before it. A missing status is not taken as recruiting.
    pub fn is_recruiting(&self, as_of: chrono::NaiveDate) -> bool {
        self.recruitment(as_of) == "recruiting"
    }

    /// The first site's name and city, for one-line displays.
    pub fn site_line(&self) -> String {
        match self.sites.first() {
            Some(s) => match &s.city {
                Some(c) => format!("{}, {}", s.name, c),
                None => s.name.clone(),
            },
            None => NOT_STATED.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::international_phone;

    #[test]
    fn recruitment_says_when_the_stated_end_date_has_passed() {
        let ws = crate::load::load_trials(&crate::load::Source::Paths(vec!["trials".into()]));
        let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap_or_default();
        let t = |id: &str| ws.trials.iter().find(|t| t.id == id);
        let nct = t("NCT06613490").map(|t| t.recruitment(day("2026-11-22")));
        assert_eq!(nct.as_deref(), Some("end date 2026-10-20 passed"));
        let nct = t("NCT06613490").map(|t| t.recruitment(day("2026-10-20")));
        assert_eq!(nct.as_deref(), Some("recruiting"));
        let paed = t("PAED-CD19-BCMA").map(|t| t.recruitment(day("2026-11-22")));
        assert_eq!(paed.as_deref(), Some("status not stated"));
        let open = |id: &str, d: &str| t(id).map(|t| t.is_recruiting(day(d)));
        assert_eq!(open("NCT06613490", "2026-10-20"), Some(true));
        assert_eq!(open("NCT06613490", "2026-10-21"), Some(false));
        assert_eq!(open("KN5501-SLE", "2026-11-22"), Some(true));
        // Not stated is not taken as recruiting; nor is "Not yet recruiting".
        assert_eq!(open("PAED-CD19-BCMA", "2026-11-22"), Some(false));
        assert_eq!(open("CHEC2024-181", "2026-01-01"), Some(false));
    }

    #[test]
    fn chinese_phones_in_international_form() {
        assert_eq!(
            international_phone("086 18061202878").as_deref(),
            Some("+86 180 6120 2878")
        );
        assert_eq!(
            international_phone("0086-18800181269").as_deref(),
            Some("+86 188 0018 1269")
        );
        assert_eq!(
            international_phone("+86 18061202878").as_deref(),
            Some("+86 180 6120 2878")
        );
        assert_eq!(international_phone("not stated in source"), None);
        assert_eq!(international_phone("+1 555 0100"), None);
    }
}

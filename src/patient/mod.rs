//! Patient profiles: the file format (`model`), and the checked, unit-normalised form the
//! engine evaluates (`Profile`), built by `prepare` which also reports every invalid value.

pub mod date;
pub mod facts;
pub mod model;
pub mod shared;
mod when;

pub use facts::Facts;
pub use model::*;
pub use shared::Shared;

use crate::problem::{Lines, Problem, did_you_mean, key_pos, line_col};
use crate::units::Dimension;
use crate::vocab;
use chrono::NaiveDate;
use std::fmt;
use toml::Spanned;

/// A qualitative lab reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qual {
    Positive,
    Negative,
}

/// A lab result with its numeric value converted to the lab's canonical unit.
#[derive(Debug, Clone)]
pub struct LabFact {
    /// Position of the lab's name in `vocab::LABS`.
    pub id: u8,
    /// Canonical value, or why it cannot be used (e.g. unrecognised unit).
    pub value: Option<Result<f64, String>>,
    /// As written, for evidence: "0.9 mg/dL" (see [`LabFact::written`]).
    pub as_written: Written,
    /// ULN in the canonical unit.
    pub uln: Option<f64>,
    pub qual: Option<Qual>,
    pub titre: Option<f64>,
    /// Method, e.g. "IIF" for ANA.
    pub method: Option<Shared>,
    pub date: Option<NaiveDate>,
}

/// A lab result as written in its file, kept in parts (the unit, result word or titre shared
/// across the queue) and put into words when evidence quotes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// A value with its unit as written: "0.9 mg/dL".
    Measure(f64, Shared),
    /// A titre as written, after "titre ": "1:160".
    Titre(Shared),
    /// A value written without a unit.
    Number(f64),
    /// A qualitative result as written: "negative".
    Result(Shared),
    /// Nothing readable: "no value".
    Nothing,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Written::Measure(v, u) => write!(f, "{v} {u}"),
            Written::Titre(t) => write!(f, "titre {t}"),
            Written::Number(v) => write!(f, "{v}"),
            Written::Result(r) => f.write_str(r),
            Written::Nothing => f.write_str("no value"),
        }
    }
}

impl LabFact {
    /// The result as written, for evidence: "0.9 mg/dL", "titre 1:160", "negative".
    pub fn written(&self) -> String {
        self.as_written.to_string()
    }

    pub fn name(&self) -> &'static str {
        vocab::LABS
            .get(usize::from(self.id))
            .copied()
            .unwrap_or("lab")
    }
}

/// A patient ready for evaluation.
#[derive(Debug, Clone)]
pub struct Profile {
    pub file: String,
    /// Line and column of the `id` key in the file, for problems about the id.
    pub id_pos: Option<(usize, usize)>,
    pub data: Patient,
    /// Weight in kg and height in cm, when recorded with a valid unit.
    pub weight_kg: Option<f64>,
    pub height_cm: Option<f64>,
    /// Labs, in file order.
    pub labs: Vec<LabFact>,
    /// Vocabulary ids, index-aligned with `data.diagnosis`, `data.condition`, `data.treatment`
    /// (class bitmask), so evaluation compares numbers, not strings.
    pub diagnosis_ids: Vec<u8>,
    pub condition_ids: Vec<u8>,
    pub class_masks: Vec<u32>,
    /// `vocab::key` of each attestation's criterion id, index-aligned with `data.attestation`.
    pub attestation_keys: Vec<u64>,
    /// For each criterion with an attestation and a short id (held whole in its `vocab::key`),
    /// the key and what its latest attestation says (see [`facts::latest_attestations`]).
    attested: Box<[(u64, bool)]>,
    /// Condition categories checked absent, as a bitmask over `vocab::CATEGORIES`.
    pub checked_categories: u64,
    /// Index into `labs` / `data.score` of the latest result, by lab / score id (`NONE` when
    /// there is none; a file of at most 1 MB holds far fewer than `u32::MAX` items).
    /// Held in the profile itself, not behind pointers: most rules read them.
    latest_labs: [u32; vocab::LABS.len()],
    latest_scores: [u32; vocab::SCORES.len()],
    /// Age, CrCl and eGFR at the as-of date `prepare` was given (read through
    /// [`Profile::facts`], which falls back to computing them for any other date).
    facts: Facts,
}

impl Profile {
    pub fn id(&self) -> &str {
        &self.data.id
    }

    pub fn name(&self) -> &str {
        self.data.name.as_deref().unwrap_or("(no name)")
    }

    /// The latest result of a lab (by date; undated results count as oldest).
    pub fn latest_lab(&self, name: &str) -> Option<&LabFact> {
        self.latest_lab_id(vocab::index(vocab::LABS, name)?)
    }

    /// As [`Profile::latest_lab`], by id in `vocab::LABS`.
    pub fn latest_lab_id(&self, id: u8) -> Option<&LabFact> {
        let i = *self.latest_labs.get(usize::from(id))?;
        self.labs.get(usize::try_from(i).ok()?)
    }

    /// Age, CrCl and eGFR at `as_of`: as computed by `prepare` when it is the same date,
    /// computed now otherwise.
    pub fn facts(&self, as_of: NaiveDate) -> Facts {
        match self.facts.at(as_of) {
            Some(f) => *f,
            None => Facts::new(self, as_of),
        }
    }

    /// What the latest attestation for the criterion with this `vocab::key` says, for short
    /// ids (`vocab::key_is_exact`); `None` when there is none.
    pub fn attested(&self, key: u64) -> Option<bool> {
        self.attested
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, met)| *met)
    }

    /// The latest score with this id in `vocab::SCORES`.
    pub fn latest_score_id(&self, id: u8) -> Option<&Score> {
        let i = *self.latest_scores.get(usize::from(id))?;
        self.data.score.get(usize::try_from(i).ok()?)
    }

    pub fn checked(&self) -> Option<&Checked> {
        self.data.checked.as_ref()
    }

    /// The first diagnosis, for one-line displays.
    pub fn main_diagnosis(&self) -> String {
        self.data
            .diagnosis
            .first()
            .map(|d| {
                d.name
                    .clone()
                    .unwrap_or_else(|| d.code.get_ref().to_uppercase())
            })
            .unwrap_or_else(|| "no diagnosis recorded".into())
    }
}

/// Collects the problems of one file, each at its line and column.
pub(super) struct Checker<'a> {
    file: &'a str,
    src: &'a str,
    lines: Lines<'a>,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn at<T>(&mut self, span: &Spanned<T>, field: &str, message: String) {
        self.at_offset(span.span().start, field, message);
    }

    pub(super) fn at_offset(&mut self, offset: usize, field: &str, message: String) {
        let (line, col) = self.lines.line_col(offset);
        self.problems.push(Problem::at(
            self.file,
            line,
            col,
            format!("{field}: {message}"),
        ));
    }

    /// A problem with one field of the table at `span`, placed on that field's line.
    fn at_key<T>(&mut self, span: &Spanned<T>, key: &str, field: &str, message: String) {
        let at = key_pos(self.src, span.span().start, key);
        self.at_offset(at, field, message);
    }

    /// Keeps a number only when it is finite and within `lo..=hi`.
    fn range(&mut self, v: &Option<Spanned<f64>>, field: &str, lo: f64, hi: f64) -> Option<f64> {
        let s = v.as_ref()?;
        let x = *s.get_ref();
        if x.is_finite() && x >= lo && x <= hi {
            Some(x)
        } else {
            self.at(
                s,
                field,
                format!("{x} is impossible (expected {lo} to {hi})"),
            );
            None
        }
    }

    fn int_range(&mut self, v: &Option<Spanned<i64>>, field: &str, lo: i64, hi: i64) -> bool {
        if let Some(s) = v
            && !(lo..=hi).contains(s.get_ref())
        {
            self.at(
                s,
                field,
                format!("{} is impossible (expected {lo} to {hi})", s.get_ref()),
            );
            return false;
        }
        true
    }

    fn word(&mut self, s: &Spanned<String>, field: &str, known: &[&str]) -> bool {
        if known.contains(&s.get_ref().as_str()) {
            return true;
        }
        let hint = did_you_mean(s.get_ref(), known);
        self.at(s, field, format!("unknown value '{}'{hint}", s.get_ref()));
        false
    }
}

/// Checks a parsed patient against the vocabulary and physical limits, converts units, and
/// drops every invalid value (so it reads as not recorded), reporting each as a problem.
pub fn prepare(file: &str, src: &str, mut p: Patient, as_of: NaiveDate) -> (Profile, Vec<Problem>) {
    let mut c = Checker {
        file,
        src,
        lines: Lines::new(src),
        problems: Vec::new(),
    };
    // One spelling per id: trimmed, in Unicode NFC, without invisible characters (a
    // zero-width space would make "P01" and "P01\u{200b}" two patients).
    let normal: String = unicode_normalization::UnicodeNormalization::nfc(p.id.trim()).collect();
    if normal.chars().any(crate::text::is_invisible) {
        let at = crate::problem::key_line(src, "id").unwrap_or(0);
        let (l, col) = line_col(src, at);
        c.problems.push(Problem::at(
            file,
            l,
            col,
            format!(
                "id: '{}' contains invisible characters; they are removed",
                crate::text::sanitize(&normal)
            ),
        ));
    }
    p.id = normal
        .chars()
        .filter(|ch| !crate::text::is_invisible(*ch))
        .collect();
    if p.id.trim().is_empty() {
        c.problems
            .push(Problem::at(file, 1, 1, "id: must not be empty".into()));
    }
    when::check_dates(&mut c, &mut p, as_of);
    let measure = |c: &mut Checker,
                   m: &Option<Spanned<Measure>>,
                   field: &str,
                   dim: Dimension,
                   lo: f64,
                   hi: f64| {
        let s = m.as_ref()?;
        let v = s.get_ref();
        match dim.to_canonical(v.value, &v.unit) {
            Ok(x) if x.is_finite() && x >= lo && x <= hi => Some(x),
            Ok(_) => {
                c.at(s, field, format!("{} {} is impossible", v.value, v.unit));
                None
            }
            Err(e) => {
                c.at(s, field, e);
                None
            }
        }
    };
    let weight_kg = measure(&mut c, &p.weight, "weight", Dimension::Mass, 0.5, 400.0);
    let height_cm = measure(&mut c, &p.height, "height", Dimension::Length, 30.0, 250.0);

    if let Some(card) = &mut p.cardiac {
        let lvef = c.range(&card.lvef, "cardiac.lvef", 0.0, 100.0);
        if lvef.is_none() {
            card.lvef = None;
        }
        if !c.int_range(&card.nyha, "cardiac.nyha", 1, 4) {
            card.nyha = None;
        }
    }
    if let Some(st) = &mut p.status {
        if c.range(&st.spo2, "status.spo2", 0.0, 100.0).is_none() {
            st.spo2 = None;
        }
        if c.range(
            &st.estimated_survival_weeks,
            "status.estimated_survival_weeks",
            0.0,
            5200.0,
        )
        .is_none()
        {
            st.estimated_survival_weeks = None;
        }
        if !c.int_range(&st.ecog, "status.ecog", 0, 5) {
            st.ecog = None;
        }
        if !c.int_range(
            &st.acr_functional_class,
            "status.acr_functional_class",
            1,
            4,
        ) {
            st.acr_functional_class = None;
        }
    }
    p.score.retain(|s| {
        let known = c.word(&s.name, "score.name", vocab::SCORES);
        let v = *s.value.get_ref();
        let signed = s.name.get_ref().ends_with("_pct") || s.name.get_ref().contains("change");
        let ok = v.is_finite() && (signed || v >= 0.0) && v.abs() < 1e6;
        if !ok {
            c.at(
                &s.value,
                "score.value",
                format!("{v} is impossible for {}", s.name.get_ref()),
            );
        }
        known && ok
    });
    p.diagnosis
        .retain(|d| c.word(&d.code, "diagnosis.code", vocab::DIAGNOSES));
    p.condition
        .retain(|d| c.word(&d.category, "condition.category", vocab::CATEGORIES));
    if let Some(r) = &mut p.reproductive
        && let Some(period) = &r.contraception_period
        && crate::span::parse_span(period.get_ref()).is_none()
    {
        c.at(
            period,
            "reproductive.contraception_period",
            format!(
                "'{}' is not a period like \"90 days\", \"6 months\" or \"1 year\"",
                period.get_ref()
            ),
        );
        r.contraception_period = None;
    }
    for a in &mut p.allergy {
        a.key = a.substance.trim().to_lowercase();
    }
    for t in &mut p.treatment {
        t.key = t.drug.get_ref().trim().to_lowercase();
        t.drug_mask = vocab::drug_mask(&t.key);
        for cl in &t.classes {
            if !vocab::CLASSES.contains(&cl.as_str()) {
                let hint = did_you_mean(cl, vocab::CLASSES);
                let at = key_pos(c.src, t.drug.span().start, "classes");
                c.at_offset(
                    at,
                    "treatment.classes",
                    format!("'{}': unknown class '{cl}'{hint}", t.drug),
                );
            }
        }
        if t.classes.is_empty() {
            t.classes = vocab::drug_classes(t.drug.get_ref())
                .iter()
                .map(|s| s.to_string())
                .collect();
        }
        if let Some(o) = &t.outcome
            && !c.word(o, "treatment.outcome", vocab::OUTCOMES)
        {
            t.outcome = None;
        }
        t.outcome_bit = t
            .outcome
            .as_ref()
            .and_then(|o| vocab::index(vocab::OUTCOMES, o.get_ref()))
            .map_or(0, |i| 1 << i);
        if let Some(d) = &t.dose {
            let m = d.get_ref();
            let known = vocab::DOSE_UNITS
                .iter()
                .any(|u| u.eq_ignore_ascii_case(m.unit.trim()));
            if !known || !m.value.is_finite() || m.value <= 0.0 {
                let what = if known {
                    format!("{} {} is impossible", m.value, m.unit)
                } else {
                    format!(
                        "unit '{}' is not recognised (expected one of {})",
                        m.unit,
                        vocab::DOSE_UNITS.join(", ")
                    )
                };
                c.at(d, "treatment.dose", what);
                t.dose = None;
            }
        }
        if let (Some(s), Some(e)) = (t.start, t.end)
            && e < s
        {
            let at = key_pos(c.src, t.drug.span().start, "end");
            c.at_offset(
                at,
                "treatment.end",
                format!("'{}': end {e} is before start {s}", t.drug),
            );
        }
    }
    if let Some(ch) = &p.checked {
        for cat in &ch.conditions {
            c.word(cat, "checked.conditions", vocab::CATEGORIES);
        }
    }
    let mut labs: Vec<LabFact> = p.lab.iter().filter_map(|l| lab_fact(&mut c, l)).collect();
    labs.shrink_to_fit();
    // The checked, converted facts replace the raw entries (a large queue's memory matters).
    p.lab = Vec::new();
    let ids = |list: &[&str], name: &str| vocab::index(list, name).unwrap_or(u8::MAX);
    let latest_labs = latest_by_id(labs.iter().map(|l| (l.id, l.date)));
    let latest_scores = latest_by_id(
        p.score
            .iter()
            .map(|s| (ids(vocab::SCORES, s.name.get_ref()), s.date)),
    );
    let checked_categories = p.checked.as_ref().map_or(0, |ch| {
        ch.conditions
            .iter()
            .filter_map(|c| vocab::index(vocab::CATEGORIES, c.get_ref()))
            .fold(0u64, |m, i| m | (1 << i))
    });
    let class_masks: Vec<u32> = p
        .treatment
        .iter()
        .map(|t| vocab::class_mask(&t.classes))
        .collect();
    // As with the labs: once held as bitmasks, the word lists are not kept (memory at scale).
    if let Some(ch) = &mut p.checked {
        ch.conditions = Vec::new();
    }
    for t in &mut p.treatment {
        t.classes = Vec::new();
    }
    shrink(&mut p);
    let attestation_keys: Vec<u64> = p
        .attestation
        .iter()
        .map(|a| vocab::key(a.criterion.get_ref()))
        .collect();
    let mut profile = Profile {
        file: file.to_string(),
        id_pos: crate::problem::key_line(src, "id").map(|at| line_col(src, at)),
        diagnosis_ids: p
            .diagnosis
            .iter()
            .map(|d| ids(vocab::DIAGNOSES, d.code.get_ref()))
            .collect(),
        condition_ids: p
            .condition
            .iter()
            .map(|d| ids(vocab::CATEGORIES, d.category.get_ref()))
            .collect(),
        class_masks,
        checked_categories,
        attested: facts::latest_attestations(&p.attestation, &attestation_keys),
        attestation_keys,
        latest_labs,
        latest_scores,
        data: p,
        weight_kg,
        height_cm,
        labs,
        facts: Facts::default(),
    };
    profile.facts = Facts::new(&profile, as_of);
    crate::problem::cap(file, &mut c.problems);
    (profile, c.problems)
}

/// Drops the spare capacity the parser's growing lists leave (a fifth to a half of each list;
/// at 100,000 patients in memory it adds up to hundreds of megabytes).
fn shrink(p: &mut Patient) {
    p.diagnosis.shrink_to_fit();
    for d in &mut p.diagnosis {
        d.criteria.shrink_to_fit();
        d.tags.shrink_to_fit();
    }
    p.score.shrink_to_fit();
    p.treatment.shrink_to_fit();
    p.condition.shrink_to_fit();
    for c in &mut p.condition {
        c.tags.shrink_to_fit();
    }
    p.allergy.shrink_to_fit();
    p.trial_participation.shrink_to_fit();
    p.attestation.shrink_to_fit();
}

/// No item: the `latest_*` index of an id without one.
const NONE: u32 = u32::MAX;

/// For each id below `n`, the position of its latest item (later dates win; undated items
/// count as oldest; among equal dates the later item in the file wins).
fn latest_by_id<const N: usize>(items: impl Iterator<Item = (u8, Option<NaiveDate>)>) -> [u32; N] {
    let mut best: [Option<(usize, Option<NaiveDate>)>; N] = [None; N];
    for (i, (id, date)) in items.enumerate() {
        if let Some(slot) = best.get_mut(usize::from(id))
            && slot.is_none_or(|(_, d)| d <= date)
        {
            *slot = Some((i, date));
        }
    }
    best.map(|b| b.map_or(NONE, |(i, _)| u32::try_from(i).unwrap_or(NONE)))
}

/// Whether a canonical value lies within the lab's plausible range.
fn plausible(name: &str, canonical: f64) -> bool {
    vocab::lab_range(name).is_none_or(|(lo, hi)| (lo..=hi).contains(&canonical))
}

/// "hemoglobin 10.5 g/L is outside 30–250 g/L — was it g/dL?": the range, and the accepted
/// unit that would make the value plausible.
fn implausible(name: &str, value: f64, unit: &str, d: Dimension) -> String {
    let (lo, hi) = vocab::lab_range(name).unwrap_or((0.0, 0.0));
    let fmt = crate::text::fmt_num;
    let guess = d
        .accepted_units()
        .filter(|u| !u.eq_ignore_ascii_case(unit.trim()))
        .find(|u| d.to_canonical(value, u).is_ok_and(|x| plausible(name, x)))
        .map(|u| format!(" — was it {u}?"))
        .unwrap_or_default();
    format!(
        "{name} {} {unit} is outside {}–{} {}{guess}; not used",
        fmt(value),
        fmt(lo),
        fmt(hi),
        d.canonical()
    )
}

fn lab_fact(c: &mut Checker, spanned: &Spanned<Lab>) -> Option<LabFact> {
    let l = spanned.get_ref();
    if !vocab::is_lab(&l.name) {
        let mut known: Vec<&str> = vocab::NUMERIC_LABS.iter().map(|(n, _)| *n).collect();
        known.extend_from_slice(vocab::QUALITATIVE_LABS);
        let hint = did_you_mean(&l.name, &known);
        c.at_key(
            spanned,
            "name",
            "lab.name",
            format!("unknown lab '{}'{hint}", l.name),
        );
        return None;
    }
    let dim = vocab::lab_dimension(&l.name);
    let mut value = None;
    let mut uln = None;
    if let Some(v) = l.value {
        if !v.is_finite() || !(0.0..=1e7).contains(&v) {
            c.at_key(
                spanned,
                "value",
                "lab.value",
                format!("{v} is impossible for {}", l.name),
            );
            value = Some(Err(format!("{} value {v} is impossible", l.name)));
        } else {
            match (dim, &l.unit) {
                (Some(d), Some(su)) => match d.to_canonical(v, su.get_ref()) {
                    Ok(x) if !plausible(&l.name, x) => {
                        let u = su.get_ref();
                        let message = implausible(&l.name, v, u, d);
                        c.at_key(spanned, "value", "lab.value", message.clone());
                        value = Some(Err(message));
                    }
                    Ok(x) => {
                        value = Some(Ok(x));
                        uln = l.uln.and_then(|x| d.to_canonical(x, su.get_ref()).ok());
                    }
                    Err(e) => {
                        let u = su.get_ref();
                        c.at(su, "lab.unit", format!("{}: {e}", l.name));
                        value = Some(Err(format!("{} unit '{u}' not recognised", l.name)));
                    }
                },
                (Some(_), None) => {
                    c.at_key(
                        spanned,
                        "value",
                        "lab.unit",
                        format!("{} has a value but no unit", l.name),
                    );
                    value = Some(Err(format!("{} recorded without a unit", l.name)));
                }
                (None, _) => {
                    // A qualitative lab with a number (e.g. anti-dsDNA IU/mL with a ULN).
                    value = Some(Ok(v));
                    uln = l.uln;
                }
            }
        }
    }
    if let Some(u) = l.uln
        && (!u.is_finite() || u <= 0.0)
    {
        c.at_key(
            spanned,
            "uln",
            "lab.uln",
            format!("{u} is not a usable upper limit of normal"),
        );
        uln = None;
    }
    let qual = match l.result.as_deref().map(|s| s.trim().to_lowercase()) {
        None => None,
        Some(r) => match r.as_str() {
            "positive" | "detected" | "reactive" => Some(Qual::Positive),
            "negative" | "not detected" | "non-reactive" | "nonreactive" => Some(Qual::Negative),
            other => {
                c.at_key(
                    spanned,
                    "result",
                    "lab.result",
                    format!("'{other}' is not positive/negative/detected/not detected"),
                );
                None
            }
        },
    };
    let titre = match &l.titre {
        None => None,
        Some(t) => {
            let parsed = t
                .trim()
                .strip_prefix("1:")
                .and_then(|n| n.trim().parse::<f64>().ok());
            if parsed.is_none() {
                c.at_key(
                    spanned,
                    "titre",
                    "lab.titre",
                    format!("'{t}' is not a titre like \"1:160\""),
                );
            }
            parsed
        }
    };
    let as_written = match (&l.value, &l.unit, &l.result, &l.titre) {
        (Some(v), Some(u), _, _) => Written::Measure(*v, Shared::new(u.get_ref())),
        (_, _, _, Some(t)) => Written::Titre(Shared::new(t)),
        (Some(v), None, _, _) => Written::Number(*v),
        (None, _, Some(r), _) => Written::Result(Shared::new(r)),
        _ => Written::Nothing,
    };
    Some(LabFact {
        id: vocab::index(vocab::LABS, &l.name).unwrap_or(u8::MAX),
        method: l.method.as_deref().map(Shared::new),
        value,
        as_written,
        uln,
        qual,
        titre,
        date: l.date,
    })
}

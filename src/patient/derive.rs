//! Values computed from facts, each with the formula and inputs shown as evidence: age,
//! creatinine clearance (Cockcroft-Gault), eGFR (CKD-EPI 2021 / bedside Schwartz), × ULN.
//!
//! Each formula is written once. Its inputs are read into a small struct ([`Age`], [`Kidney`]
//! for CrCl and eGFR, [`Xuln`]) without allocating; one step per value applies the formula
//! and keeps the inputs it used; the `value` methods give the number alone (the screening
//! path, cached per profile by `Profile::facts`) and the `explain` methods show that same
//! number with its formula and inputs, or name the inputs that are missing. The number
//! compared and the number shown cannot disagree.

use crate::patient::{LabFact, Profile, Sex};
use crate::text::fmt_num;
use crate::units::{CREATININE_UMOL_PER_MGDL, Dimension};
use chrono::{Datelike, NaiveDate};

/// A derived value: its number (None when an input is missing), the evidence line, and the
/// names of missing inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub value: Option<f64>,
    pub evidence: String,
    pub missing: Vec<String>,
}

impl Derived {
    fn known(value: f64, evidence: String) -> Self {
        Derived {
            value: Some(value),
            evidence,
            missing: vec![],
        }
    }

    fn missing(what: &str, missing: Vec<String>) -> Self {
        Derived {
            value: None,
            evidence: format!(
                "{what} cannot be computed: {} not recorded",
                missing.join(", ")
            ),
            missing,
        }
    }
}

/// Age with its evidence (see [`Age`]).
pub fn age(p: &Profile, as_of: NaiveDate) -> Derived {
    Age::of(p, as_of).explain()
}

/// Whole years from `dob` to `as_of`.
pub fn age_years(dob: NaiveDate, as_of: NaiveDate) -> i32 {
    let mut years = as_of.year() - dob.year();
    if (as_of.month(), as_of.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// (140 − age) × weight kg × (0.85 if female) / (72 × creatinine mg/dL).
pub fn cockcroft_gault(age: f64, weight_kg: f64, female: bool, scr_mg_dl: f64) -> f64 {
    let f = if female { 0.85 } else { 1.0 };
    (140.0 - age) * weight_kg * f / (72.0 * scr_mg_dl)
}

/// CKD-EPI 2021: 142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age × 1.012 (female),
/// κ = 0.7 (F) / 0.9 (M), α = −0.241 (F) / −0.302 (M).
pub fn ckd_epi_2021(scr_mg_dl: f64, age: f64, female: bool) -> f64 {
    let (k, alpha) = if female { (0.7, -0.241) } else { (0.9, -0.302) };
    let r = scr_mg_dl / k;
    let v = 142.0 * r.min(1.0).powf(alpha) * r.max(1.0).powf(-1.200) * 0.9938_f64.powf(age);
    if female { v * 1.012 } else { v }
}

/// Bedside Schwartz (2009): 0.413 × height cm / creatinine mg/dL.
pub fn schwartz(height_cm: f64, scr_mg_dl: f64) -> f64 {
    0.413 * height_cm / scr_mg_dl
}

/// Age in whole years at the as-of date.
#[derive(Debug, Clone, Copy)]
pub struct Age<'a> {
    born: Option<NaiveDate>,
    as_of: NaiveDate,
    /// The profile, for where the date of birth came from (read only when explaining).
    profile: &'a Profile,
}

impl<'a> Age<'a> {
    pub fn of(p: &'a Profile, as_of: NaiveDate) -> Age<'a> {
        Age {
            born: p.data.dob.as_ref().map(|d| d.get_ref().0),
            as_of,
            profile: p,
        }
    }

    /// The age and the date of birth it is counted from.
    fn computed(&self) -> Option<(i32, NaiveDate)> {
        let born = self.born?;
        Some((age_years(born, self.as_of), born))
    }

    pub fn value(&self) -> Option<f64> {
        self.computed().map(|(a, _)| f64::from(a))
    }

    pub fn explain(&self) -> Derived {
        match self.computed() {
            Some((a, born)) => Derived::known(
                f64::from(a),
                format!(
                    "age {a} (born {born}{}, as of {})",
                    self.profile.entered_note("dob"),
                    self.as_of
                ),
            ),
            None => Derived::missing("age", vec!["date of birth".into()]),
        }
    }
}

fn sex(p: &Profile) -> Option<Sex> {
    p.data.sex.as_ref().map(|s| *s.get_ref())
}

/// The latest serum creatinine, as CrCl and eGFR read it.
#[derive(Debug, Clone, Copy)]
enum Creatinine<'a> {
    /// In mg/dL, with the result it was read from.
    Usable(f64, &'a LabFact),
    NotRecorded,
    /// Recorded, but not usable: why (an unrecognised unit, an implausible value).
    Unusable(&'a str),
    /// Recorded without a usable value.
    NoValue,
}

impl<'a> Creatinine<'a> {
    fn of(p: &'a Profile) -> Creatinine<'a> {
        let Some(lab) = p.latest_lab_id(crate::vocab::CREATININE) else {
            return Creatinine::NotRecorded;
        };
        match &lab.value {
            Some(Ok(umol)) if *umol > 0.0 => {
                Creatinine::Usable(umol / CREATININE_UMOL_PER_MGDL, lab)
            }
            Some(Err(e)) => Creatinine::Unusable(e),
            _ => Creatinine::NoValue,
        }
    }

    fn usable(self) -> Option<(f64, &'a LabFact)> {
        match self {
            Creatinine::Usable(mg, lab) => Some((mg, lab)),
            _ => None,
        }
    }

    /// What is missing for a usable creatinine (nothing when it is usable).
    fn missing(self) -> Option<String> {
        match self {
            Creatinine::Usable(..) => None,
            Creatinine::NotRecorded => Some("serum creatinine".into()),
            Creatinine::Unusable(e) => Some(format!("usable serum creatinine ({e})")),
            Creatinine::NoValue => Some("serum creatinine value".into()),
        }
    }
}

/// "creatinine 80 µmol/L on DATE": the result as written (and where it came from, when it was
/// entered in the app), for the evidence.
fn creatinine_shown(lab: &LabFact) -> String {
    let date = lab.date.map(|d| format!(" on {d}")).unwrap_or_default();
    format!("creatinine {}{date}{}", lab.written(), lab.entered_note())
}

/// A value computed from creatinine: the value, the other inputs it was computed from, and
/// the creatinine (mg/dL) with the result it was read from.
struct Computed<'a, I> {
    value: f64,
    inputs: I,
    scr: f64,
    lab: &'a LabFact,
}

/// Creatinine in mg/dL to two decimals, for the evidence.
fn mg_dl_shown(scr: f64) -> String {
    fmt_num((scr * 100.0).round() / 100.0)
}

/// Each name of `inputs` whose value is not recorded, in order, then the creatinine's gap.
fn missing_inputs(inputs: &[(&str, bool)], cr: Creatinine) -> Vec<String> {
    inputs
        .iter()
        .filter(|(_, recorded)| !recorded)
        .map(|(name, _)| name.to_string())
        .chain(cr.missing())
        .collect()
}

/// The inputs of the kidney-function values, each read once from the profile: creatinine
/// clearance (Cockcroft-Gault, mL/min) and eGFR (mL/min/1.73m²: CKD-EPI 2021, race-free, from
/// age 18; bedside Schwartz below).
#[derive(Debug, Clone, Copy)]
pub struct Kidney<'a> {
    age: Option<f64>,
    weight: Option<f64>,
    height: Option<f64>,
    sex: Option<Sex>,
    cr: Creatinine<'a>,
    /// The profile, for where the inputs came from (read only when explaining).
    profile: &'a Profile,
}

/// The eGFR formula for an age, with the input that formula needs beside age and creatinine.
#[derive(Debug, Clone, Copy)]
enum EgfrFormula {
    /// Below 18: bedside Schwartz, from height in cm.
    Schwartz(f64),
    /// From 18: CKD-EPI 2021, by sex (female).
    CkdEpi(bool),
}

impl<'a> Kidney<'a> {
    pub fn of(p: &'a Profile, as_of: NaiveDate) -> Kidney<'a> {
        Kidney {
            age: Age::of(p, as_of).value(),
            weight: p.weight_kg,
            height: p.height_cm,
            sex: sex(p),
            cr: Creatinine::of(p),
            profile: p,
        }
    }

    /// Where the inputs at these fields came from, when any was entered in the app: the
    /// inputs of one entry together, " [date of birth, weight: entered by …]"; nothing
    /// otherwise.
    fn entered(&self, fields: &[(&str, &str)]) -> String {
        let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
        for (name, field) in fields {
            let Some(p) = self.profile.entered(field) else {
                continue;
            };
            match groups.iter_mut().find(|(_, q)| *q == p) {
                Some((names, _)) => names.push(name),
                None => groups.push((vec![name], p)),
            }
        }
        groups
            .iter()
            .filter_map(|(names, p)| {
                let note = crate::patient::entered_note(Some(p));
                // " [entered by …]" → " [weight: entered by …]"
                let inner = note.strip_prefix(" [")?;
                Some(format!(" [{}: {inner}", names.join(", ")))
            })
            .collect()
    }

    /// Cockcroft-Gault: (140 − age) × weight kg × (0.85 if female) / (72 × creatinine mg/dL),
    /// with the inputs used: [age, weight] and female.
    fn crcl(&self) -> Option<Computed<'a, ([f64; 2], bool)>> {
        let (age, weight) = (self.age?, self.weight?);
        let female = self.sex? == Sex::Female;
        let (scr, lab) = self.cr.usable()?;
        Some(Computed {
            value: cockcroft_gault(age, weight, female, scr),
            inputs: ([age, weight], female),
            scr,
            lab,
        })
    }

    /// Whether the age calls for the children's eGFR formula (unknown without an age).
    fn child(&self) -> Option<bool> {
        self.age.map(|a| a < 18.0)
    }

    /// eGFR by the formula for the age, with the inputs used: age and the formula.
    fn egfr(&self) -> Option<Computed<'a, (f64, EgfrFormula)>> {
        let age = self.age?;
        let (scr, lab) = self.cr.usable()?;
        let formula = if self.child()? {
            EgfrFormula::Schwartz(self.height?)
        } else {
            EgfrFormula::CkdEpi(self.sex? == Sex::Female)
        };
        let value = match formula {
            EgfrFormula::Schwartz(h) => schwartz(h, scr),
            EgfrFormula::CkdEpi(female) => ckd_epi_2021(scr, age, female),
        };
        Some(Computed {
            value,
            inputs: (age, formula),
            scr,
            lab,
        })
    }

    /// Creatinine clearance (the screening path).
    pub fn crcl_value(&self) -> Option<f64> {
        self.crcl().map(|c| c.value)
    }

    /// eGFR (the screening path).
    pub fn egfr_value(&self) -> Option<f64> {
        self.egfr().map(|c| c.value)
    }

    /// Creatinine clearance with its formula and inputs, or the inputs missing.
    pub fn explain_crcl(&self) -> Derived {
        let Some(c) = self.crcl() else {
            let inputs = [
                ("date of birth", self.age.is_some()),
                ("weight", self.weight.is_some()),
                ("sex", self.sex.is_some()),
            ];
            return Derived::missing("CrCl (Cockcroft-Gault)", missing_inputs(&inputs, self.cr));
        };
        let ([a, w], female) = c.inputs;
        let sex_factor = if female { " × 0.85" } else { "" };
        let text = format!(
            "CrCl {} mL/min = (140 − {}) × {} kg{sex_factor} / (72 × {} mg/dL) [Cockcroft-Gault; {}]{}",
            fmt_num(c.value.round()),
            fmt_num(a),
            fmt_num(w),
            mg_dl_shown(c.scr),
            creatinine_shown(c.lab),
            self.entered(&[
                ("date of birth", "dob"),
                ("weight", "weight"),
                ("sex", "sex")
            ]),
        );
        Derived::known(c.value, text)
    }

    /// eGFR with its formula and inputs, or the inputs missing for the formula the age calls
    /// for.
    pub fn explain_egfr(&self) -> Derived {
        let Some(c) = self.egfr() else {
            let (what, inputs) = match self.child() {
                None => ("eGFR", [("date of birth", false)]),
                Some(true) => (
                    "eGFR (bedside Schwartz)",
                    [("height", self.height.is_some())],
                ),
                Some(false) => ("eGFR (CKD-EPI 2021)", [("sex", self.sex.is_some())]),
            };
            return Derived::missing(what, missing_inputs(&inputs, self.cr));
        };
        let (a, formula) = c.inputs;
        let text = match formula {
            EgfrFormula::Schwartz(h) => format!(
                "eGFR {} mL/min/1.73m2 = 0.413 × {} cm / {} mg/dL [bedside Schwartz, age {}; {}]{}",
                fmt_num(c.value.round()),
                fmt_num(h),
                mg_dl_shown(c.scr),
                fmt_num(a),
                creatinine_shown(c.lab),
                self.entered(&[("date of birth", "dob"), ("height", "height")]),
            ),
            EgfrFormula::CkdEpi(female) => format!(
                "eGFR {} mL/min/1.73m2 [CKD-EPI 2021: creatinine {} mg/dL, age {}, {}; {}]{}",
                fmt_num(c.value.round()),
                mg_dl_shown(c.scr),
                fmt_num(a),
                if female { "female" } else { "male" },
                creatinine_shown(c.lab),
                self.entered(&[("date of birth", "dob"), ("sex", "sex")]),
            ),
        };
        Derived::known(c.value, text)
    }
}

/// The latest value of a lab as a multiple of its recorded ULN.
#[derive(Debug, Clone, Copy)]
pub struct Xuln<'a> {
    lab: &'static str,
    latest: Option<&'a LabFact>,
}

impl<'a> Xuln<'a> {
    pub fn of(p: &'a Profile, lab_id: u8) -> Xuln<'a> {
        Xuln {
            lab: crate::vocab::LABS
                .get(usize::from(lab_id))
                .copied()
                .unwrap_or("lab"),
            latest: p.latest_lab_id(lab_id),
        }
    }

    /// The multiple with the result and the ULN it was computed from.
    fn computed(&self) -> Option<(f64, &'a LabFact, f64)> {
        let l = self.latest?;
        match (&l.value, l.uln) {
            (Some(Ok(v)), Some(u)) => Some((v / u, l, u)),
            _ => None,
        }
    }

    pub fn value(&self) -> Option<f64> {
        self.computed().map(|c| c.0)
    }

    pub fn explain(&self) -> Derived {
        let lab = self.lab;
        let Some((x, l, u)) = self.computed() else {
            let gap = match self.latest.map(|l| (&l.value, l.uln)) {
                None => format!("{lab} result"),
                Some((Some(Err(e)), _)) => e.clone(),
                Some((Some(Ok(_)), None)) => format!("{lab} upper limit of normal"),
                Some(_) => format!("{lab} value"),
            };
            return Derived::missing(&format!("{lab} × ULN"), vec![gap]);
        };
        let date = l.date.map(|d| format!(" on {d}")).unwrap_or_default();
        let date = format!("{date}{}", l.entered_note());
        let unit = crate::vocab::lab_dimension(lab).map_or("", Dimension::canonical);
        Derived::known(
            x,
            format!(
                "{} {}{date} = {} × ULN ({} {unit})",
                lab.to_uppercase(),
                l.written(),
                fmt_num((x * 100.0).round() / 100.0),
                fmt_num(u)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years_at_the_as_of_date() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(age_years(d(2008, 11, 22), d(2026, 11, 22)), 18);
        assert_eq!(age_years(d(2008, 11, 23), d(2026, 11, 22)), 17);
        assert_eq!(age_years(d(2000, 2, 29), d(2026, 2, 28)), 25);
        assert_eq!(age_years(d(2000, 2, 29), d(2026, 3, 1)), 26);
    }

    #[test]
    fn ckd_epi_2021_matches_hand_computed_values() {
        // Female, 50 y, Scr 0.7: 142 × 1 × 1 × 0.9938^50 × 1.012 = 105.30
        let v = ckd_epi_2021(0.7, 50.0, true);
        assert!((v - 142.0 * 0.9938_f64.powf(50.0) * 1.012).abs() < 1e-9);
        assert!((v - 105.30).abs() < 0.01, "{v}");
        // Male, 60 y, Scr 1.2: 142 × (1.2/0.9)^−1.2 × 0.9938^60 = 69.23
        let m = ckd_epi_2021(1.2, 60.0, false);
        assert!((m - 69.23).abs() < 0.01, "{m}");
        // Female, 30 y, Scr 0.5: 142 × (0.5/0.7)^−0.241 × 0.9938^30 × 1.012 = 129.32
        let f = ckd_epi_2021(0.5, 30.0, true);
        assert!((f - 129.32).abs() < 0.01, "{f}");
    }

    #[test]
    fn bedside_schwartz_matches_hand_computed_value() {
        // 0.413 × 120 / 0.4 = 123.9
        assert!((schwartz(120.0, 0.4) - 123.9).abs() < 1e-9);
    }
}

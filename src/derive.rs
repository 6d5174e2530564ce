//! Values computed from facts, each with the formula and inputs shown as evidence: age,
//! creatinine clearance (Cockcroft-Gault), eGFR (CKD-EPI 2021 / bedside Schwartz), × ULN.

use crate::patient::{Profile, Sex};
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

/// Age in whole years at `as_of`, without evidence (the fast path).
pub fn age_value(p: &Profile, as_of: NaiveDate) -> Option<f64> {
    p.data
        .dob
        .as_ref()
        .map(|d| f64::from(age_years(d.get_ref().0, as_of)))
}

/// Latest creatinine in mg/dL, without evidence.
fn creatinine_value(p: &Profile) -> Option<f64> {
    match p.latest_lab_id(crate::vocab::CREATININE)?.value {
        Some(Ok(umol)) if umol > 0.0 => Some(umol / CREATININE_UMOL_PER_MGDL),
        _ => None,
    }
}

/// Cockcroft-Gault value only (see [`crcl`]).
pub fn crcl_value(p: &Profile, as_of: NaiveDate) -> Option<f64> {
    let female = sex(p)? == Sex::Female;
    Some(cockcroft_gault(
        age_value(p, as_of)?,
        p.weight_kg?,
        female,
        creatinine_value(p)?,
    ))
}

/// eGFR value only (see [`egfr`]).
pub fn egfr_value(p: &Profile, as_of: NaiveDate) -> Option<f64> {
    let a = age_value(p, as_of)?;
    let scr = creatinine_value(p)?;
    if a < 18.0 {
        Some(schwartz(p.height_cm?, scr))
    } else {
        Some(ckd_epi_2021(scr, a, sex(p)? == Sex::Female))
    }
}

/// × ULN value only (see [`xuln`]).
pub fn xuln_value(p: &Profile, lab: u8) -> Option<f64> {
    let l = p.latest_lab_id(lab)?;
    match (&l.value, l.uln) {
        (Some(Ok(v)), Some(u)) => Some(v / u),
        _ => None,
    }
}

/// (140 − age) × weight kg × (0.85 if female) / (72 × creatinine mg/dL).
pub fn cockcroft_gault(age: f64, weight_kg: f64, female: bool, scr_mg_dl: f64) -> f64 {
    let f = if female { 0.85 } else { 1.0 };
    (140.0 - age) * weight_kg * f / (72.0 * scr_mg_dl)
}

/// Whole years from `dob` to `as_of`.
pub fn age_years(dob: NaiveDate, as_of: NaiveDate) -> i32 {
    let mut years = as_of.year() - dob.year();
    if (as_of.month(), as_of.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

pub fn age(p: &Profile, as_of: NaiveDate) -> Derived {
    match &p.data.dob {
        Some(dob) => {
            let a = age_years(dob.get_ref().0, as_of);
            Derived {
                value: Some(f64::from(a)),
                evidence: format!("age {a} (born {}, as of {as_of})", dob.get_ref().0),
                missing: vec![],
            }
        }
        None => Derived::missing("age", vec!["date of birth".into()]),
    }
}

fn sex(p: &Profile) -> Option<Sex> {
    p.data.sex.as_ref().map(|s| *s.get_ref())
}

/// Latest creatinine in mg/dL with its date, or the reason it is unusable.
fn creatinine_mg_dl(p: &Profile) -> Result<(f64, String), String> {
    let lab = p
        .latest_lab_id(crate::vocab::CREATININE)
        .ok_or_else(|| "serum creatinine".to_string())?;
    match &lab.value {
        Some(Ok(umol)) if *umol > 0.0 => {
            let mg = umol / CREATININE_UMOL_PER_MGDL;
            let date = lab.date.map(|d| format!(" on {d}")).unwrap_or_default();
            Ok((mg, format!("creatinine {}{date}", lab.written())))
        }
        Some(Err(e)) => Err(format!("usable serum creatinine ({e})")),
        _ => Err("serum creatinine value".to_string()),
    }
}

/// Cockcroft-Gault creatinine clearance, mL/min:
/// (140 − age) × weight kg × (0.85 if female) / (72 × creatinine mg/dL).
pub fn crcl(p: &Profile, as_of: NaiveDate) -> Derived {
    let a = age(p, as_of).value;
    let s = sex(p);
    let cr = creatinine_mg_dl(p);
    let mut missing = Vec::new();
    if a.is_none() {
        missing.push("date of birth".to_string());
    }
    if p.weight_kg.is_none() {
        missing.push("weight".to_string());
    }
    if s.is_none() {
        missing.push("sex".to_string());
    }
    if let Err(e) = &cr {
        missing.push(e.clone());
    }
    let (Some(a), Some(w), Some(s), Ok((scr, cr_text))) = (a, p.weight_kg, s, cr) else {
        return Derived::missing("CrCl (Cockcroft-Gault)", missing);
    };
    let v = cockcroft_gault(a, w, s == Sex::Female, scr);
    let sex_factor = if s == Sex::Female { " × 0.85" } else { "" };
    Derived {
        value: Some(v),
        evidence: format!(
            "CrCl {} mL/min = (140 − {}) × {} kg{sex_factor} / (72 × {} mg/dL) [Cockcroft-Gault; {cr_text}]",
            fmt_num(v.round()),
            fmt_num(a),
            fmt_num(w),
            fmt_num((scr * 100.0).round() / 100.0),
        ),
        missing: vec![],
    }
}

/// eGFR in mL/min/1.73m²: CKD-EPI 2021 (race-free) from age 18, bedside Schwartz below.
pub fn egfr(p: &Profile, as_of: NaiveDate) -> Derived {
    let a = age(p, as_of).value;
    let cr = creatinine_mg_dl(p);
    let Some(a) = a else {
        let mut missing = vec!["date of birth".to_string()];
        if let Err(e) = cr {
            missing.push(e);
        }
        return Derived::missing("eGFR", missing);
    };
    if a < 18.0 {
        let mut missing = Vec::new();
        if p.height_cm.is_none() {
            missing.push("height".to_string());
        }
        if let Err(e) = &cr {
            missing.push(e.clone());
        }
        let (Some(h), Ok((scr, cr_text))) = (p.height_cm, cr) else {
            return Derived::missing("eGFR (bedside Schwartz)", missing);
        };
        let v = schwartz(h, scr);
        return Derived {
            value: Some(v),
            evidence: format!(
                "eGFR {} mL/min/1.73m2 = 0.413 × {} cm / {} mg/dL [bedside Schwartz, age {}; {cr_text}]",
                fmt_num(v.round()),
                fmt_num(h),
                fmt_num((scr * 100.0).round() / 100.0),
                fmt_num(a)
            ),
            missing: vec![],
        };
    }
    let s = sex(p);
    let mut missing = Vec::new();
    if s.is_none() {
        missing.push("sex".to_string());
    }
    if let Err(e) = &cr {
        missing.push(e.clone());
    }
    let (Some(s), Ok((scr, cr_text))) = (s, cr) else {
        return Derived::missing("eGFR (CKD-EPI 2021)", missing);
    };
    let v = ckd_epi_2021(scr, a, s == Sex::Female);
    Derived {
        value: Some(v),
        evidence: format!(
            "eGFR {} mL/min/1.73m2 [CKD-EPI 2021: creatinine {} mg/dL, age {}, {}; {cr_text}]",
            fmt_num(v.round()),
            fmt_num((scr * 100.0).round() / 100.0),
            fmt_num(a),
            if s == Sex::Female { "female" } else { "male" }
        ),
        missing: vec![],
    }
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

/// The latest value of a lab as a multiple of its recorded ULN.
pub fn xuln(p: &Profile, lab_id: u8) -> Derived {
    let lab = crate::vocab::LABS
        .get(usize::from(lab_id))
        .copied()
        .unwrap_or("lab");
    let Some(l) = p.latest_lab_id(lab_id) else {
        return Derived::missing(&format!("{lab} × ULN"), vec![format!("{lab} result")]);
    };
    let date = l.date.map(|d| format!(" on {d}")).unwrap_or_default();
    match (&l.value, l.uln) {
        (Some(Ok(v)), Some(u)) => {
            let x = v / u;
            let unit = crate::vocab::lab_dimension(lab).map_or("", Dimension::canonical);
            Derived {
                value: Some(x),
                evidence: format!(
                    "{} {}{date} = {} × ULN ({} {unit})",
                    lab.to_uppercase(),
                    l.written(),
                    fmt_num((x * 100.0).round() / 100.0),
                    fmt_num(u)
                ),
                missing: vec![],
            }
        }
        (Some(Err(e)), _) => Derived::missing(&format!("{lab} × ULN"), vec![e.clone()]),
        (Some(Ok(_)), None) => Derived::missing(
            &format!("{lab} × ULN"),
            vec![format!("{lab} upper limit of normal")],
        ),
        (None, _) => Derived::missing(&format!("{lab} × ULN"), vec![format!("{lab} value")]),
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

//! Units of measure: every measured value names its unit, and is converted to one canonical unit
//! per quantity. An unrecognised unit is an error, never a guess.

/// A kind of quantity with its canonical unit and the accepted spellings of other units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Creatinine,
    Bilirubin,
    Hemoglobin,
    CellCount,
    Enzyme,
    Crp,
    Esr,
    UrineProtein24h,
    Upcr,
    Ratio,
    Seconds,
    PercentPredicted,
    Hcg,
    Mass,
    Length,
    Crcl,
    Egfr,
}

/// Molar mass factors used by the conversions (documented so they can be audited).
pub const CREATININE_UMOL_PER_MGDL: f64 = 88.42;
pub const BILIRUBIN_UMOL_PER_MGDL: f64 = 17.104;
/// 1 mmol creatinine = 113.12 mg.
pub const CREATININE_MG_PER_MMOL: f64 = 113.12;

impl Dimension {
    /// The canonical unit every value of this dimension is converted to.
    pub fn canonical(self) -> &'static str {
        match self {
            Dimension::Creatinine | Dimension::Bilirubin => "µmol/L",
            Dimension::Hemoglobin => "g/L",
            Dimension::CellCount => "10^9/L",
            Dimension::Enzyme => "U/L",
            Dimension::Crp => "mg/L",
            Dimension::Esr => "mm/h",
            Dimension::UrineProtein24h => "mg/24h",
            Dimension::Upcr => "mg/mg",
            Dimension::Ratio => "ratio",
            Dimension::Seconds => "s",
            Dimension::PercentPredicted => "% predicted",
            Dimension::Hcg => "IU/L",
            Dimension::Mass => "kg",
            Dimension::Length => "cm",
            Dimension::Crcl => "mL/min",
            Dimension::Egfr => "mL/min/1.73m2",
        }
    }

    /// Factor that multiplies a value in `unit` to give the canonical unit; `None` when the
    /// unit is not one this dimension accepts.
    pub fn factor(self, unit: &str) -> Option<f64> {
        let u = normalise(unit);
        let f = match (self, u.as_str()) {
            (Dimension::Creatinine, "µmol/l") => 1.0,
            (Dimension::Creatinine, "mg/dl") => CREATININE_UMOL_PER_MGDL,
            (Dimension::Creatinine, "mmol/l") => 1000.0,
            (Dimension::Bilirubin, "µmol/l") => 1.0,
            (Dimension::Bilirubin, "mg/dl") => BILIRUBIN_UMOL_PER_MGDL,
            (Dimension::Hemoglobin, "g/l") => 1.0,
            (Dimension::Hemoglobin, "g/dl") => 10.0,
            (Dimension::CellCount, "10^9/l" | "10^3/µl" | "10^3/mm3") => 1.0,
            (Dimension::CellCount, "/µl" | "cells/µl" | "/mm3") => 0.001,
            (Dimension::Enzyme, "u/l" | "iu/l") => 1.0,
            (Dimension::Crp, "mg/l") => 1.0,
            (Dimension::Crp, "mg/dl") => 10.0,
            (Dimension::Esr, "mm/h" | "mm/hr") => 1.0,
            (Dimension::UrineProtein24h, "mg/24h" | "mg/day" | "mg/d") => 1.0,
            (Dimension::UrineProtein24h, "g/24h" | "g/day" | "g/d") => 1000.0,
            (Dimension::Upcr, "mg/mg" | "g/g") => 1.0,
            // Milligrams of protein per gram of creatinine, as US laboratories report it.
            (Dimension::Upcr, "mg/g") => 0.001,
            (Dimension::Upcr, "mg/mmol") => 1.0 / CREATININE_MG_PER_MMOL,
            (Dimension::Upcr, "g/mmol") => 1000.0 / CREATININE_MG_PER_MMOL,
            (Dimension::Ratio, "ratio" | "" | "1") => 1.0,
            (Dimension::Seconds, "s" | "sec" | "seconds") => 1.0,
            (Dimension::PercentPredicted, "%" | "%predicted") => 1.0,
            (Dimension::Hcg, "iu/l" | "miu/ml") => 1.0,
            (Dimension::Mass, "kg") => 1.0,
            (Dimension::Mass, "g") => 0.001,
            (Dimension::Mass, "lb") => 0.453_592_37,
            (Dimension::Length, "cm") => 1.0,
            (Dimension::Length, "m") => 100.0,
            (Dimension::Length, "in") => 2.54,
            (Dimension::Crcl, "ml/min") => 1.0,
            (Dimension::Egfr, "ml/min/1.73m2") => 1.0,
            _ => return None,
        };
        Some(f)
    }

    /// Converts `value` in `unit` to the canonical unit.
    pub fn to_canonical(self, value: f64, unit: &str) -> Result<f64, String> {
        self.factor(unit).map(|f| value * f).ok_or_else(|| {
            format!(
                "unit '{unit}' is not recognised for this value (expected {}: {})",
                self.canonical(),
                self.accepted()
            )
        })
    }

    /// Converts a canonical value to `unit`.
    pub fn from_canonical(self, value: f64, unit: &str) -> Option<f64> {
        self.factor(unit).map(|f| value / f)
    }

    /// The units this dimension accepts, as written for people ("µmol/L, mg/dL").
    pub fn accepted_units(self) -> impl Iterator<Item = &'static str> {
        self.accepted().split(", ")
    }

    fn accepted(self) -> &'static str {
        match self {
            Dimension::Creatinine => "µmol/L, mg/dL, mmol/L",
            Dimension::Bilirubin => "µmol/L, mg/dL",
            Dimension::Hemoglobin => "g/L, g/dL",
            Dimension::CellCount => "10^9/L, 10^3/µL, /µL",
            Dimension::Enzyme => "U/L, IU/L",
            Dimension::Crp => "mg/L, mg/dL",
            Dimension::Esr => "mm/h",
            Dimension::UrineProtein24h => "mg/24h, g/24h",
            Dimension::Upcr => "mg/mg, g/g, mg/g, mg/mmol",
            Dimension::Ratio => "ratio",
            Dimension::Seconds => "s",
            Dimension::PercentPredicted => "% predicted",
            Dimension::Hcg => "IU/L, mIU/mL",
            Dimension::Mass => "kg, g, lb",
            Dimension::Length => "cm, m, in",
            Dimension::Crcl => "mL/min",
            Dimension::Egfr => "mL/min/1.73m2",
        }
    }
}

/// Lower-cases a unit and unifies the spellings of micro, ×, spaces and superscripts.
fn normalise(unit: &str) -> String {
    // One pass, one allocation: loading converts every lab's unit, so this runs a few dozen
    // times per patient file.
    let mut s = String::with_capacity(unit.len() + 2);
    for c in unit.chars().filter(|c| !c.is_whitespace()) {
        for c in c.to_lowercase() {
            match c {
                'μ' => s.push('µ'),
                '×' => s.push('x'),
                '²' => s.push('2'),
                '³' => s.push('3'),
                '⁹' => s.push_str("^9"),
                c => s.push(c),
            }
        }
    }
    if s.starts_with("x10") {
        s.remove(0);
    }
    // "umol/L" and "/uL" are the ASCII spellings of µmol/L and /µL.
    if s.contains("umol") {
        s = s.replacen("umol", "µmol", 1);
    }
    if s.contains("/ul") {
        s = s.replace("/ul", "/µl");
    }
    match s.as_str() {
        "k/µl" => "10^3/µl".to_string(),
        "%pred" => "%predicted".to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn creatinine_mg_dl_to_umol_l_and_back() {
        let c = Dimension::Creatinine;
        assert!(close(c.to_canonical(1.0, "mg/dL").unwrap(), 88.42));
        assert!(close(c.to_canonical(88.0, "umol/L").unwrap(), 88.0));
        assert!(close(c.to_canonical(88.0, "μmol/L").unwrap(), 88.0));
        assert!(close(c.from_canonical(176.84, "mg/dL").unwrap(), 2.0));
    }

    #[test]
    fn hemoglobin_g_dl_to_g_l() {
        assert!(close(
            Dimension::Hemoglobin.to_canonical(12.5, "g/dL").unwrap(),
            125.0
        ));
        assert!(close(
            Dimension::Hemoglobin.to_canonical(60.0, "g/L").unwrap(),
            60.0
        ));
    }

    #[test]
    fn cell_counts_per_microlitre_to_10_9_per_litre() {
        let d = Dimension::CellCount;
        assert!(close(d.to_canonical(1500.0, "/µL").unwrap(), 1.5));
        assert!(close(d.to_canonical(1500.0, "/uL").unwrap(), 1.5));
        assert!(close(d.to_canonical(1500.0, "cells/µL").unwrap(), 1.5));
        assert!(close(d.to_canonical(4.2, "x10^9/L").unwrap(), 4.2));
        assert!(close(d.to_canonical(4.2, "×10⁹/L").unwrap(), 4.2));
        assert!(close(d.to_canonical(4.2, "10^3/uL").unwrap(), 4.2));
        assert!(close(d.from_canonical(1.0, "/µL").unwrap(), 1000.0));
    }

    #[test]
    fn other_conversions() {
        assert!(close(
            Dimension::Bilirubin.to_canonical(1.0, "mg/dL").unwrap(),
            17.104
        ));
        assert!(close(
            Dimension::Crp.to_canonical(1.2, "mg/dL").unwrap(),
            12.0
        ));
        assert!(close(
            Dimension::UrineProtein24h
                .to_canonical(0.8, "g/24h")
                .unwrap(),
            800.0
        ));
        assert!(close(
            Dimension::Upcr.to_canonical(113.12, "mg/mmol").unwrap(),
            1.0
        ));
        assert!(close(
            Dimension::Upcr.to_canonical(1400.0, "mg/g").unwrap(),
            1.4
        ));
        assert!(close(
            Dimension::Mass.to_canonical(154.0, "lb").unwrap(),
            69.853_225
        ));
        assert!(close(
            Dimension::Length.to_canonical(1.62, "m").unwrap(),
            162.0
        ));
    }

    #[test]
    fn spellings_are_normalised_to_one_form() {
        for (written, normal) in [
            (" Umol / L", "µmol/l"),
            ("μmol/L", "µmol/l"),
            ("ΜMOL/L", "µmol/l"),
            ("×10⁹/L", "10^9/l"),
            ("x10^3/uL", "10^3/µl"),
            ("K/uL", "10^3/µl"),
            ("cells/uL", "cells/µl"),
            ("% pred", "%predicted"),
            ("mL/min/1.73m²", "ml/min/1.73m2"),
            ("10³/mm3", "103/mm3"),
            ("x", "x"),
            ("", ""),
        ] {
            assert_eq!(normalise(written), normal, "{written:?}");
        }
    }

    #[test]
    fn unrecognised_units_are_errors() {
        let e = Dimension::Hemoglobin
            .to_canonical(7.0, "mmol/L")
            .unwrap_err();
        assert!(e.contains("'mmol/L' is not recognised"), "{e}");
        assert!(Dimension::Creatinine.to_canonical(1.0, "mg").is_err());
        assert!(Dimension::CellCount.to_canonical(1.0, "g/L").is_err());
        assert!(Dimension::Mass.to_canonical(1.0, "stone").is_err());
    }
}

//! The facts a patient file records and rules read by name — numbers (LVEF, SpO2, ECOG, …) and
//! yes/no flags (pregnant, consent signed, …) — one row each, so that a fact cannot be named in
//! a rule and then forgotten by the code that reads it (the "silent unknown": a fact that then
//! always reads "not recorded"). Each row is used by the rule compiler (its name), `prepare`
//! (where it is, its valid range), evaluation and evidence (its label and unit) and the criteria
//! document (its words and field); nothing else names these facts.
//!
//! **Adding a recorded number** (e.g. FEV1 % predicted in `[status]`): (1) the field in
//! `patient/model.rs` (`Option<Spanned<f64>>`, or `Option<Spanned<i64>>` for a class or grade);
//! (2) a row in [`RECORDED`]; (3) where wanted, a value in the generator (`generate.rs`) and the
//! sample patients. Rules can then say `fev1_pct >= 50`; out-of-range values are reported.
//! **Adding a flag**: the `Option<bool>` field in `patient/model.rs` and a row in [`FLAGS`].
//! **Adding a new kind of criterion** (a rule word with its own logic, not a recorded fact):
//! see `trial/rule/mod.rs` — a variant of `Rule` with its row in `CONDITIONS` there, its
//! evaluation in `eval`, its words in `trial/words.rs`.
//!
//! `tests/engine.rs` writes every row's field into a patient file and checks that a rule naming
//! it reads the value, so a row that reads the wrong place fails there.

use crate::patient::model::Patient;
use crate::patient::spanned::Spanned;

/// Where a recorded number is held in the parsed file.
pub enum Slot<'a> {
    /// A decimal number, e.g. LVEF 55.5.
    Real(&'a mut Option<Spanned<f64>>),
    /// A whole number (a class or grade), e.g. NYHA class 2.
    Whole(&'a mut Option<Spanned<i64>>),
}

/// A number recorded in the patient file that rules compare (`lvef >= 50`).
#[derive(Debug)]
pub struct RecordedFact {
    /// The name rules use.
    pub name: &'static str,
    /// Where it is written in the patient file: in problems, and in the criteria document's
    /// list of facts a rule reads.
    pub field: &'static str,
    /// In evidence ("LVEF 55%", "LVEF not recorded") and as the missing fact.
    pub label: &'static str,
    /// Written right after the value in evidence: "%", " weeks" or nothing.
    pub unit: &'static str,
    /// In the criteria document: "LVEF %".
    pub words: &'static str,
    /// The possible values (whole bounds for a whole number): a value outside is reported as
    /// impossible and reads as not recorded.
    pub range: (f64, f64),
    /// The field in the parsed file; `None` when its table (`[cardiac]`, …) is absent.
    pub slot: fn(&mut Patient) -> Option<Slot<'_>>,
}

/// Every recorded number, in the order `prepare` checks them.
pub const RECORDED: &[RecordedFact] = &[
    RecordedFact {
        name: "lvef",
        field: "cardiac.lvef",
        label: "LVEF",
        unit: "%",
        words: "LVEF %",
        range: (0.0, 100.0),
        slot: |p| p.cardiac.as_mut().map(|c| Slot::Real(&mut c.lvef)),
    },
    RecordedFact {
        name: "nyha",
        field: "cardiac.nyha",
        label: "NYHA class",
        unit: "",
        words: "NYHA class",
        range: (1.0, 4.0),
        slot: |p| p.cardiac.as_mut().map(|c| Slot::Whole(&mut c.nyha)),
    },
    RecordedFact {
        name: "spo2",
        field: "status.spo2",
        label: "SpO2",
        unit: "%",
        words: "SpO2 %",
        range: (0.0, 100.0),
        slot: |p| p.status.as_mut().map(|s| Slot::Real(&mut s.spo2)),
    },
    RecordedFact {
        name: "survival_weeks",
        field: "status.estimated_survival_weeks",
        label: "estimated survival",
        unit: " weeks",
        words: "estimated survival in weeks",
        range: (0.0, 5200.0),
        slot: |p| {
            p.status
                .as_mut()
                .map(|s| Slot::Real(&mut s.estimated_survival_weeks))
        },
    },
    RecordedFact {
        name: "ecog",
        field: "status.ecog",
        label: "ECOG",
        unit: "",
        words: "ECOG",
        range: (0.0, 5.0),
        slot: |p| p.status.as_mut().map(|s| Slot::Whole(&mut s.ecog)),
    },
    RecordedFact {
        name: "acr_class",
        field: "status.acr_functional_class",
        label: "ACR functional class",
        unit: "",
        words: "ACR functional class",
        range: (1.0, 4.0),
        slot: |p| {
            p.status
                .as_mut()
                .map(|s| Slot::Whole(&mut s.acr_functional_class))
        },
    },
];

/// A yes/no fact recorded in the patient file that rules name (`pregnant`).
#[derive(Debug)]
pub struct FlagFact {
    /// The name rules use; in evidence and words with spaces for underscores.
    pub name: &'static str,
    /// Where it is written in the patient file.
    pub field: &'static str,
    /// Its value; `None` when not recorded.
    pub read: fn(&Patient) -> Option<bool>,
}

/// Every flag, in the order "did you mean" prefers them.
pub const FLAGS: &[FlagFact] = &[
    FlagFact {
        name: "pregnant",
        field: "reproductive.pregnant",
        read: |p| p.reproductive.as_ref()?.pregnant,
    },
    FlagFact {
        name: "lactating",
        field: "reproductive.lactating",
        read: |p| p.reproductive.as_ref()?.lactating,
    },
    FlagFact {
        name: "planning_pregnancy",
        field: "reproductive.planning_pregnancy",
        read: |p| p.reproductive.as_ref()?.planning_pregnancy,
    },
    FlagFact {
        name: "childbearing_potential",
        field: "reproductive.childbearing_potential",
        read: |p| p.reproductive.as_ref()?.childbearing_potential,
    },
    FlagFact {
        name: "contraception_agreed",
        field: "reproductive.contraception_agreed",
        read: |p| p.reproductive.as_ref()?.contraception_agreed,
    },
    FlagFact {
        name: "partner_childbearing_potential",
        field: "reproductive.partner_childbearing_potential",
        read: |p| p.reproductive.as_ref()?.partner_childbearing_potential,
    },
    FlagFact {
        name: "consent_signed",
        field: "status.consent_signed",
        read: |p| p.status.as_ref()?.consent_signed,
    },
    FlagFact {
        name: "echo_structure_normal",
        field: "cardiac.echo_structure_normal",
        read: |p| p.cardiac.as_ref()?.echo_structure_normal,
    },
    FlagFact {
        name: "ecg_normal",
        field: "cardiac.ecg_normal",
        read: |p| p.cardiac.as_ref()?.ecg_normal,
    },
    FlagFact {
        name: "hemodynamically_stable",
        field: "cardiac.hemodynamically_stable",
        read: |p| p.cardiac.as_ref()?.hemodynamically_stable,
    },
    FlagFact {
        name: "uncontrolled_bp",
        field: "cardiac.uncontrolled_bp",
        read: |p| p.cardiac.as_ref()?.uncontrolled_bp,
    },
    FlagFact {
        name: "renal_replacement",
        field: "status.renal_replacement",
        read: |p| p.status.as_ref()?.renal_replacement,
    },
];

/// Position of the row named `name` in a table.
fn position<T>(table: &[T], name: &str, name_of: fn(&T) -> &str) -> Option<u8> {
    table
        .iter()
        .position(|row| name_of(row) == name)
        .and_then(|i| u8::try_from(i).ok())
}

/// A recorded number a rule reads: its row in [`RECORDED`]. Made only from the table, so it
/// always names a row; the profile holds the checked values by row (`Profile::recorded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded(u8);

impl Recorded {
    /// The recorded number rules call `name`.
    pub fn named(name: &str) -> Option<Recorded> {
        position(RECORDED, name, |r| r.name).map(Recorded)
    }

    pub fn fact(self) -> &'static RecordedFact {
        &RECORDED[self.index()]
    }

    /// Its position in [`RECORDED`].
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A flag a rule reads: its row in [`FLAGS`] (made only from the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(u8);

impl Flag {
    /// The flag rules call `name`.
    pub fn named(name: &str) -> Option<Flag> {
        position(FLAGS, name, |f| f.name).map(Flag)
    }

    pub fn fact(self) -> &'static FlagFact {
        &FLAGS[usize::from(self.0)]
    }

    pub fn name(self) -> &'static str {
        self.fact().name
    }

    /// The patient's recorded value; `None` when not recorded.
    pub fn read(self, p: &Patient) -> Option<bool> {
        (self.fact().read)(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_rows_fit_a_handle() {
        let mut names: Vec<&str> = RECORDED.iter().map(|r| r.name).collect();
        names.extend(FLAGS.iter().map(|f| f.name));
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a name is used twice: {names:?}");
        assert!(RECORDED.len() <= usize::from(u8::MAX) && FLAGS.len() <= usize::from(u8::MAX));
        for (i, r) in RECORDED.iter().enumerate() {
            assert_eq!(Recorded::named(r.name).map(Recorded::index), Some(i));
            assert!(r.range.0 <= r.range.1, "{}", r.name);
        }
        for f in FLAGS {
            assert_eq!(Flag::named(f.name).map(Flag::name), Some(f.name));
        }
    }
}

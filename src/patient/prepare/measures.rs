//! Measured values: weight and height converted to kg and cm, and the recorded numbers rules
//! read by name (LVEF, SpO2, ECOG, …: `patient::recorded`), each within its possible range.

use super::Checker;
use crate::patient::recorded::{RECORDED, Slot};
use crate::patient::spanned::Spanned;
use crate::patient::{Measure, Patient};
use crate::units::Dimension;
use std::fmt::Display;

/// Weight in kg and height in cm, when recorded with a valid unit and a possible value.
pub(super) struct Body {
    pub(super) weight_kg: Option<f64>,
    pub(super) height_cm: Option<f64>,
}

pub(super) fn body(c: &mut Checker, p: &Patient) -> Body {
    Body {
        weight_kg: measure(c, &p.weight, "weight", Dimension::Mass, (0.5, 400.0)),
        height_cm: measure(c, &p.height, "height", Dimension::Length, (30.0, 250.0)),
    }
}

/// A measure in the dimension's canonical unit, kept only when it lies within `lo..=hi`.
fn measure(
    c: &mut Checker,
    m: &Option<Spanned<Measure>>,
    field: &str,
    dim: Dimension,
    (lo, hi): (f64, f64),
) -> Option<f64> {
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
}

/// Each recorded number of [`RECORDED`], by row: its value when recorded and possible, NaN
/// otherwise. An impossible value is reported and removed from the file's data too.
pub(super) fn recorded(c: &mut Checker, p: &mut Patient) -> [f64; RECORDED.len()] {
    let mut out = [f64::NAN; RECORDED.len()];
    for (value, fact) in out.iter_mut().zip(RECORDED) {
        let (lo, hi) = fact.range;
        let kept = match (fact.slot)(p) {
            Some(Slot::Real(v)) => possible(c, v, fact.field, (lo, hi), |x: f64| {
                x.is_finite() && x >= lo && x <= hi
            }),
            Some(Slot::Whole(v)) => {
                let (lo, hi) = (lo as i64, hi as i64);
                possible(c, v, fact.field, (lo, hi), |x| (lo..=hi).contains(&x)).map(|x| x as f64)
            }
            None => None,
        };
        if let Some(x) = kept {
            *value = x;
        }
    }
    out
}

/// A value kept only when `ok` says it is possible; dropped, and reported as impossible
/// (expected `lo` to `hi`), otherwise.
fn possible<T: Copy + Display, B: Display>(
    c: &mut Checker,
    v: &mut Option<Spanned<T>>,
    field: &str,
    (lo, hi): (B, B),
    ok: impl Fn(T) -> bool,
) -> Option<T> {
    let s = v.as_ref()?;
    let x = *s.get_ref();
    if ok(x) {
        return Some(x);
    }
    c.at(
        s,
        field,
        format!("{x} is impossible (expected {lo} to {hi})"),
    );
    *v = None;
    None
}

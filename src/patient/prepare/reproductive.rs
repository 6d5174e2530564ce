//! Reproductive facts: the contraception period must read as a period ("6 months"); the flags
//! themselves are yes/no and need no check (they are read through `patient::recorded`).

use super::Checker;
use crate::patient::Patient;

/// Drops (and reports) a contraception period that is not a period like "90 days".
pub(super) fn contraception_period(c: &mut Checker, p: &mut Patient) {
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
}

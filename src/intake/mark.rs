//! Where each fact of an entry came from, written into the entry's fragment before it is laid
//! over the patient's file, so that the merged profile carries it and evidence can say it:
//! each item of a list (a lab, a treatment, an attestation, …) gains the field
//! `entered = "entered by jdoe 2026-12-01 14:02 UTC, phone, Dr Tan"`, and every other value
//! (`cardiac.lvef`, `dob`, `weight.value`, …) is named by its dotted path in the top-level
//! `[entered]` table with its provenance. Both are part of the patient-file format, so the
//! merged profile `patient export` prints keeps them, and reads back to the same evidence.

use toml::{Table, Value};

/// The top-level table of dotted paths and their provenance, and the field of a list item.
pub const ENTERED: &str = "entered";

/// Marks every fact of `fragment` as entered with `provenance` (see the module doc). A later
/// entry's mark replaces an earlier one's for the same value, as its value does.
pub fn mark(fragment: &mut Table, provenance: &str) {
    let mut paths = Table::new();
    for (key, value) in fragment.iter_mut() {
        if key == ENTERED || key == "id" {
            continue;
        }
        match value {
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_table) => {
                for item in items.iter_mut() {
                    if let Value::Table(t) = item {
                        t.insert(ENTERED.into(), Value::String(provenance.into()));
                    }
                }
            }
            other => record(&mut paths, key, other, provenance),
        }
    }
    if paths.is_empty() {
        return;
    }
    match fragment.get_mut(ENTERED) {
        Some(Value::Table(own)) => own.extend(paths),
        _ => {
            fragment.insert(ENTERED.into(), Value::Table(paths));
        }
    }
}

/// Records `value` at `path`, or each value inside it when it is a table (merged key by key).
fn record(paths: &mut Table, path: &str, value: &Value, provenance: &str) {
    match value {
        Value::Table(t) => {
            for (key, inner) in t {
                record(paths, &format!("{path}.{key}"), inner, provenance);
            }
        }
        _ => {
            paths.insert(path.into(), Value::String(provenance.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> Table {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn items_gain_a_field_and_values_are_named_by_path() {
        let mut f = table(
            "dob = 1980-01-02\ncardiac = { lvef = 58 }\nweight = { value = 70, unit = \"kg\" }\n\
             lab = [{ name = \"alt\", value = 40, unit = \"U/L\" }]\n",
        );
        mark(&mut f, "entered by jdoe");
        assert_eq!(f["lab"][0]["entered"].as_str(), Some("entered by jdoe"));
        let paths = f["entered"].as_table().cloned().unwrap_or_default();
        let keys: Vec<&str> = paths.keys().map(String::as_str).collect();
        assert_eq!(keys, ["cardiac.lvef", "dob", "weight.unit", "weight.value"]);
        assert!(
            paths
                .values()
                .all(|v| v.as_str() == Some("entered by jdoe"))
        );
    }

    #[test]
    fn an_entry_without_values_adds_no_table() {
        let mut f = table("id = \"R1\"\nallergy = [{ substance = \"penicillin\" }]\n");
        mark(&mut f, "entered by jdoe");
        assert!(f.get("entered").is_none());
    }
}

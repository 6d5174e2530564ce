//! The profile the engine reads when facts were entered in the app: the patient file's table
//! with each entry's fragment laid over it, in the order entered. An entry is a fragment in the
//! patient-file format (`cardiac = { lvef = 58 }`, `lab = [{ name = "alt", ... }]`), so the
//! merged table is itself a patient file: it is checked by the same code as any file, and
//! `patient export` prints it.

use toml::{Table, Value};

/// Why a fragment cannot be laid over a table: the dotted key and the clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub key: String,
    pub message: String,
}

/// Lays `fragment` over `base`: a list (of labs, treatments, …) gains the fragment's items
/// after its own; a table (`cardiac`, `status`, …) is merged key by key; any other value
/// replaces the one before it (a corrected date of birth). A value of another shape than the
/// one it meets (a list over a table) is a clash, and `base` is left as it was.
pub fn overlay(base: &mut Table, fragment: &Table) -> Result<(), Clash> {
    // Checked whole first, so that a clash half-way changes nothing.
    check(base, fragment, "")?;
    apply(base, fragment);
    Ok(())
}

fn check(base: &Table, fragment: &Table, path: &str) -> Result<(), Clash> {
    for (key, new) in fragment {
        let dotted = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match (base.get(key), new) {
            (None, _) => {}
            (Some(Value::Array(_)), Value::Array(_)) => {}
            (Some(Value::Table(old)), Value::Table(new)) => check(old, new, &dotted)?,
            (Some(Value::Array(_) | Value::Table(_)), _)
            | (Some(_), Value::Array(_) | Value::Table(_)) => {
                return Err(Clash {
                    message: format!(
                        "{dotted}: the entry gives {} where the file has {}",
                        shape(new),
                        base.get(key).map_or("nothing", shape)
                    ),
                    key: dotted,
                });
            }
            (Some(_), _) => {}
        }
    }
    Ok(())
}

fn apply(base: &mut Table, fragment: &Table) {
    for (key, new) in fragment {
        match (base.get_mut(key), new) {
            (Some(Value::Array(old)), Value::Array(items)) => old.extend(items.iter().cloned()),
            (Some(Value::Table(old)), Value::Table(new)) => apply(old, new),
            _ => {
                base.insert(key.clone(), new.clone());
            }
        }
    }
}

/// A value's shape in words, for a clash.
fn shape(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
        _ => "a single value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> Table {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn lists_gain_items_tables_merge_and_values_are_replaced() {
        let mut base = table(
            "id = \"P1\"\ndob = 1980-01-01\n[cardiac]\nnyha = 1\n[[lab]]\nname = \"alt\"\nvalue = 20\nunit = \"U/L\"\n",
        );
        overlay(
            &mut base,
            &table("lab = [{ name = \"ast\", value = 30, unit = \"U/L\" }]"),
        )
        .unwrap();
        overlay(&mut base, &table("cardiac = { lvef = 58 }")).unwrap();
        overlay(&mut base, &table("dob = 1981-02-03")).unwrap();
        let labs = base["lab"].as_array().map(Vec::len);
        assert_eq!(labs, Some(2));
        assert_eq!(base["lab"][1]["name"].as_str(), Some("ast"));
        assert_eq!(base["cardiac"]["nyha"].as_integer(), Some(1));
        assert_eq!(base["cardiac"]["lvef"].as_integer(), Some(58));
        assert_eq!(base["dob"].to_string(), "1981-02-03");
    }

    #[test]
    fn a_fragment_of_another_shape_is_a_clash_and_changes_nothing() {
        let mut base = table("id = \"P1\"\n[cardiac]\nnyha = 1\n");
        let before = base.clone();
        // `name` alone would apply; the clash stops the whole fragment.
        for (fragment, key) in [
            ("name = \"X\"\ncardiac = 3\n", "cardiac"),
            (
                "name = \"X\"\ncardiac = { nyha = [1, 2] }\n",
                "cardiac.nyha",
            ),
            ("cardiac = { nyha = { a = 1 } }", "cardiac.nyha"),
            ("id = [\"P1\"]", "id"),
        ] {
            let e = overlay(&mut base, &table(fragment));
            assert_eq!(e.map_err(|c| c.key), Err(key.to_string()), "{fragment}");
            assert_eq!(base, before, "{fragment}");
        }
    }

    #[test]
    fn an_empty_base_becomes_the_fragment() {
        let mut base = Table::new();
        overlay(&mut base, &table("id = \"R1\"\nname = \"New\"\n")).unwrap();
        assert_eq!(base, table("id = \"R1\"\nname = \"New\"\n"));
    }
}

//! The JSON Schema of the configuration: generated from the types the loader reads, shipped as
//! `config/portfolio-sync.schema.json` (a test keeps the two equal), and named by the shipped configurations'
//! `#:schema` line, so that taplo / Even Better TOML complete and check their keys.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{bin, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SHIPPED: &str = "config/portfolio-sync.schema.json";

fn shipped() -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(ROOT).join(SHIPPED)).unwrap()).unwrap()
}

#[test]
fn the_shipped_schema_is_the_generated_one() {
    let out = bin(&["schema"]);
    assert!(out.status.success(), "{}", text(&out));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, portfolio_sync::config::schema());
    let file = std::fs::read_to_string(Path::new(ROOT).join(SHIPPED)).unwrap();
    assert!(
        file == String::from_utf8_lossy(&out.stdout),
        "{SHIPPED} is out of date: run `cargo run -- schema > {SHIPPED}`"
    );
}

/// Draft-7 validation, the part this schema uses: types, properties, additionalProperties, required, items,
/// `$ref` into definitions, allOf/oneOf/anyOf, const and enum. Returns every problem, as `path: what`.
fn validate(root: &Value, schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/definitions/");
        return validate(root, &root["definitions"][name], value, path, problems);
    }
    for all in schema["allOf"].as_array().into_iter().flatten() {
        validate(root, all, value, path, problems);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema[key].as_array() {
            let fits = alternatives.iter().any(|a| {
                let mut p = Vec::new();
                validate(root, a, value, path, &mut p);
                p.is_empty()
            });
            if !fits {
                problems.push(format!("{path}: {value} fits none of {key}"));
            }
        }
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            problems.push(format!("{path}: {value} is not {c}"));
        }
    }
    if let Some(e) = schema["enum"].as_array() {
        if !e.contains(value) {
            problems.push(format!("{path}: {value} is not one of {e:?}"));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let is = |t: &str| match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "null" => value.is_null(),
        _ => false,
    };
    if !types.is_empty() && !types.iter().any(|t| is(t)) {
        problems.push(format!("{path}: {value} is not {types:?}"));
        return;
    }
    if let Some(object) = value.as_object() {
        for required in schema["required"].as_array().into_iter().flatten() {
            let key = required.as_str().unwrap_or_default();
            if !object.contains_key(key) {
                problems.push(format!("{path}: missing {key}"));
            }
        }
        for (key, v) in object {
            let at = format!("{path}.{key}");
            match (
                schema["properties"].get(key),
                &schema["additionalProperties"],
            ) {
                (Some(s), _) => validate(root, s, v, &at, problems),
                (None, Value::Bool(false)) => problems.push(format!("{at}: unknown key")),
                (None, s @ Value::Object(_)) => validate(root, s, v, &at, problems),
                (None, _) => {}
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            validate(root, items, v, &format!("{path}[{i}]"), problems);
        }
    }
}

fn problems_of(toml_text: &str) -> Vec<String> {
    let value: Value =
        serde_json::to_value(toml::from_str::<toml::Value>(toml_text).unwrap()).unwrap();
    let schema = shipped();
    let mut problems = Vec::new();
    validate(&schema, &schema, &value, "", &mut problems);
    problems
}

#[test]
fn the_shipped_configurations_fit_the_schema_and_a_typo_does_not() {
    for file in ["config/portfolio.toml", "config/examples/english.toml"] {
        let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
        assert_eq!(problems_of(&text), Vec::<String>::new(), "{file}");
    }
    // What init writes fits it too.
    let out = bin(&[
        "init",
        "--snapshot",
        "config/examples/board.json",
        "--out",
        "-",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        problems_of(&String::from_utf8_lossy(&out.stdout)),
        Vec::<String>::new()
    );
    // What an editor must flag: an unknown key, a value of the wrong type, a value outside the choices.
    let problems = problems_of(
        "[board]\nowner = \"x\"\nproject = \"1\"\nrepositories = [\"x/y\"]\n[sync]\nmax_change = 3\non_violation = \"Revert\"\n[[phase]]\nname = \"A\"\nrequire = [{ sektion = \"B\" }]\n",
    );
    assert_eq!(
        problems,
        [
            ".board.project: \"1\" is not [\"integer\"]",
            ".phase[0].require[0].sektion: unknown key",
            ".sync.max_change: unknown key",
            ".sync.on_violation: \"Revert\" fits none of oneOf",
        ]
    );
}

#[test]
fn the_shipped_configurations_name_the_schema_for_editors() {
    for file in ["config/portfolio.toml", "config/examples/english.toml"] {
        let path = Path::new(ROOT).join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let target = first
            .strip_prefix("#:schema ")
            .unwrap_or_else(|| panic!("{file} starts with {first:?}, not a #:schema line"));
        // taplo resolves a relative schema path from the file's folder.
        let resolved = path.parent().unwrap().join(target);
        assert_eq!(
            resolved.canonicalize().unwrap(),
            Path::new(ROOT).join(SHIPPED).canonicalize().unwrap(),
            "{file}"
        );
    }
}

//! The committed OpenAPI document (`openapi.json` at the repository root) is
//! the one the code serves, and it is a valid OpenAPI 3.1 document.

use std::path::PathBuf;
use std::process::Command;

use rapport_core::schema::RecordType;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::on_both_backends;

/// The document without the test-only kind, which exists in test builds only.
fn product_document() -> Value {
    let mut doc = serde_json::to_value(rapport_server::api::document()).expect("the document as JSON");
    let test_kind = "gadget";
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.retain(|path, _| !path.starts_with("/api/v1/gadgets"));
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.retain(|name, _| !name.to_lowercase().starts_with(test_kind));
    }
    drop_enum_value(&mut doc, test_kind);
    doc
}

/// Removes `value` from every `enum` list (the record type enums).
fn drop_enum_value(node: &mut Value, value: &str) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(items)) = map.get_mut("enum") {
                items.retain(|v| v != value);
            }
            map.values_mut().for_each(|v| drop_enum_value(v, value));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| drop_enum_value(v, value)),
        _ => {}
    }
}

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json")
}

/// After an intended API change, write the new document with
/// `RAPPORT_UPDATE_OPENAPI=1 cargo test -p rapport-server --test api openapi` and
/// review its diff.
#[test]
fn the_committed_openapi_document_is_the_one_the_code_serves() {
    let generated = serde_json::to_string_pretty(&product_document()).expect("render the document") + "\n";
    let path = committed_path();
    if std::env::var_os("RAPPORT_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("write openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first_difference = committed.lines().zip(generated.lines()).position(|(a, b)| a != b);
        panic!(
            "openapi.json is not the document the code serves (first difference at line {}); \
             run RAPPORT_UPDATE_OPENAPI=1 cargo test -p rapport-server --test api openapi and commit it",
            first_difference.map_or_else(|| "end".to_owned(), |l| (l + 1).to_string())
        );
    }
}

/// Checked by openapi-spec-validator (PyPI), which `.ci/run` installs; where
/// it is missing the check is reported as skipped, except in CI.
#[test]
fn the_openapi_document_is_valid_openapi_3_1() {
    let file = std::env::temp_dir().join(format!("rapport-openapi-{}.json", uuid::Uuid::now_v7()));
    let served = serde_json::to_string(&rapport_server::api::document()).expect("render the document");
    std::fs::write(&file, served).expect("write the document");
    let script = "import sys\nfrom openapi_spec_validator import validate\nfrom openapi_spec_validator.readers import read_from_filename\n\
                  spec, _ = read_from_filename(sys.argv[1])\nvalidate(spec)\nprint(spec['openapi'])";
    let outcome = Command::new("python3").args(["-c", script]).arg(&file).output();
    let _ = std::fs::remove_file(&file);
    let output = match outcome {
        Ok(output) => output,
        Err(e) => return skip(&format!("python3 did not run: {e}")),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("ModuleNotFoundError") {
        return skip("openapi-spec-validator is not installed (pip install openapi-spec-validator)");
    }
    assert!(output.status.success(), "the document is not valid OpenAPI:\n{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "3.1.0");
}

fn skip(why: &str) {
    assert!(std::env::var_os("CI").is_none(), "CI must validate the OpenAPI document: {why}");
    eprintln!("SKIPPED: OpenAPI validation: {why}");
}

/// Values a property's schema calls valid (`true`) or invalid (`false`), at
/// the edges of its constraints. References to other records (uuids) and
/// structured values are left to the record tests.
fn cases(property: &Value) -> Vec<(Value, bool)> {
    let types: Vec<&str> = match &property["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut cases = Vec::new();
    if types.contains(&"null") {
        cases.push((Value::Null, true));
    }
    let format = property["format"].as_str();
    if let Some(choices) = property["enum"].as_array() {
        let values: Vec<&Value> = choices.iter().filter(|v| !v.is_null()).collect();
        cases.extend([values.first(), values.last()].into_iter().flatten().map(|v| ((*v).clone(), true)));
        cases.push((json!("not-a-choice"), false));
        return cases;
    }
    if types.contains(&"string") {
        cases.push((json!(12345), false));
        match format {
            Some("date") => cases.extend([(json!("2026-01-31"), true), (json!("31/01/2026"), false)]),
            Some("date-time") => cases.extend([(json!("2026-01-31T10:00:00Z"), true), (json!("yesterday"), false)]),
            Some("email") => cases.push((json!("someone@example.com"), true)),
            Some(_) => {}
            None if property.get("pattern").is_none() => {
                if let Some(max) = property["maxLength"].as_u64() {
                    let max = max as usize;
                    cases.extend([(json!("a".repeat(max)), true), (json!("a".repeat(max + 1)), false)]);
                }
            }
            None => {}
        }
    }
    if types.contains(&"integer") {
        cases.push((json!("12"), false));
        for (bound, step) in [("minimum", -1), ("maximum", 1)] {
            if let Some(edge) = property[bound].as_f64().map(|f| f as i64) {
                cases.extend([(json!(edge), true), (json!(edge + step), false)]);
            }
        }
    }
    if types.contains(&"boolean") {
        cases.extend([(json!(true), true), (json!("yes"), false)]);
    }
    if types.contains(&"array") {
        cases.push((json!("not a list"), false));
    }
    cases
}

/// The document's record input schemas agree with the validators: what it
/// calls valid is created, unless a rule across fields that the schema states
/// (`x-cross-field-rules`) refuses it; what it calls invalid is refused with 422.
#[tokio::test]
async fn requests_the_document_calls_valid_are_accepted_and_invalid_ones_get_422() {
    on_both_backends("requests_the_document_calls_valid_are_accepted_and_invalid_ones_get_422", async |app| {
        let doc = app.get("/api/v1/openapi.json", &app.admin_token).await.body;
        let mut disagreements = Vec::new();
        let mut checked = 0;
        for kind in RecordType::all() {
            let mut chars = kind.as_str().chars();
            let name: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
            let schema = &doc["components"]["schemas"][format!("{name}Input")];
            let example = schema["examples"][0].clone();
            let stated: Vec<(&str, &str)> = schema["x-cross-field-rules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| Some((r["field"].as_str()?, r["code"].as_str()?)))
                .collect();
            let mut requests: Vec<(String, Value, bool)> = vec![("the example".into(), example.clone(), true)];
            for required in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                let mut body = example.clone();
                body.as_object_mut().expect("an object").remove(required);
                requests.push((format!("without {required}"), body, false));
            }
            let mut unknown = example.clone();
            unknown["no_such_field"] = json!("x");
            requests.push(("an unknown field".into(), unknown, false));
            for (property, spec) in schema["properties"].as_object().expect("properties") {
                for (value, valid) in cases(spec) {
                    let mut body = example.clone();
                    body[property] = value.clone();
                    requests.push((format!("{property} = {value}"), body, valid));
                }
            }
            for (what, body, valid) in requests {
                let reply = app.post_json(&format!("/api/v1/{}", kind.plural()), &app.admin_token, &body).await;
                checked += 1;
                let expected = if valid { StatusCode::CREATED } else { StatusCode::UNPROCESSABLE_ENTITY };
                let refused_by_a_stated_rule = valid
                    && reply.status == StatusCode::UNPROCESSABLE_ENTITY
                    && reply.body["errors"].as_array().is_some_and(|errors| {
                        errors.iter().all(|e| {
                            stated
                                .iter()
                                .any(|(f, c)| Some(*f) == e["field"].as_str() && Some(*c) == e["code"].as_str())
                        })
                    });
                if reply.status != expected && !refused_by_a_stated_rule {
                    disagreements.push(format!("{kind} with {what}: {} ({})", reply.status, reply.text));
                }
            }
        }
        assert!(checked > 150, "only {checked} requests were checked");
        assert!(disagreements.is_empty(), "the document and the API disagree:\n{}", disagreements.join("\n"));
    })
    .await;
}

//! The committed OpenAPI document (`openapi.json` at the repository root) is
//! the one the code serves, and it is a valid OpenAPI 3.1 document.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

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

//! Random JSON bodies never make the server fail: every answer is a success
//! or a problem+json with `status` and `code`.

use std::panic::AssertUnwindSafe;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rapport_core::schema::RecordType;
use serde_json::{Map, Value};

use crate::helpers::{TestApp, assert_problem_shape, backends, spawn_app};

const CASES: u32 = 64;

fn plausible_strings() -> Vec<String> {
    vec![
        "ana@example.com".into(),
        "not an e-mail".into(),
        "+55 81 99999-0000".into(),
        "(81) 3333-4444".into(),
        "11.222.333/0001-81".into(),
        "https://acme.com.br".into(),
        "acme.com".into(),
        "2026-03-02".into(),
        "2026-03-02T10:00:00Z".into(),
        "9999-12-31T23:59:59Z".into(),
        "0000-01-01".into(),
        "BR".into(),
        "BRL".into(),
        "XX".into(),
        "task".into(),
        "note".into(),
        "open".into(),
        "won".into(),
        "converted".into(),
        "contact".into(),
        "00000000-0000-0000-0000-000000000000".into(),
        "018f0000-0000-7000-8000-000000000000".into(),
        "'; DROP TABLE contacts; --".into(),
        "%_\\".into(),
        "\u{0}".into(),
        "a\u{0}b".into(),
        "ação 日本語 🦀".into(),
        "\u{202e}evil".into(),
        String::new(),
        " ".into(),
    ]
}

fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        "\\PC{0,30}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        prop::sample::select(vec![0usize, 1, 50, 101, 201, 301, 1000, 5000, 100_001])
            .prop_map(|n| Value::from("é".repeat(n))),
        prop::sample::select(plausible_strings()).prop_map(Value::from),
    ]
    .boxed()
}

fn keys(record_type: RecordType) -> BoxedStrategy<String> {
    let mut names: Vec<String> = record_type.fields().iter().map(|f| f.name.to_owned()).collect();
    names.extend(["owner_id", "tags", "custom", "id", "version", "type", "deleted_at"].map(str::to_owned));
    prop_oneof![
        3 => prop::sample::select(names),
        1 => "[a-z_]{0,12}",
        1 => any::<String>(),
    ]
    .boxed()
}

fn value(record_type: RecordType) -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(3, 24, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(keys(record_type), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// Mostly objects with real field names; sometimes any JSON at all.
fn body(record_type: RecordType) -> BoxedStrategy<Value> {
    prop_oneof![
        6 => prop::collection::btree_map(keys(record_type), value(record_type), 0..8)
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        1 => value(record_type),
    ]
    .boxed()
}

fn bulk_body(record_type: RecordType) -> BoxedStrategy<Value> {
    prop_oneof![
        6 => prop::collection::vec(body(record_type), 0..5).prop_map(|items| serde_json::json!({ "items": items })),
        1 => body(record_type),
    ]
    .boxed()
}

fn check(runtime: &tokio::runtime::Runtime, app: &TestApp, path: &str, strategy: BoxedStrategy<Value>) {
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    let outcome = runner.run(&strategy, |body| {
        let reply = runtime.block_on(app.post_json(path, &app.admin_token, &body));
        prop_assert!(!reply.status.is_server_error(), "POST {} answered {}: {}", path, reply.status, reply.text);
        if !reply.status.is_success() {
            let shape = std::panic::catch_unwind(AssertUnwindSafe(|| assert_problem_shape(&reply)));
            prop_assert!(
                shape.is_ok(),
                "POST {} answered {} without a problem body: {}",
                path,
                reply.status,
                reply.text
            );
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("POST {path}: {failure}");
    }
}

#[test]
fn random_json_bodies_to_create_endpoints_never_cause_server_errors() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    for backend in backends("random_json_bodies_to_create_endpoints_never_cause_server_errors") {
        let app = runtime.block_on(spawn_app(backend));
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            for record_type in RecordType::all() {
                let plural = record_type.plural();
                check(&runtime, &app, &format!("/api/v1/{plural}"), body(record_type));
                check(&runtime, &app, &format!("/api/v1/{plural}/bulk"), bulk_body(record_type));
            }
        }));
        runtime.block_on(app.teardown());
        if let Err(panic) = outcome {
            eprintln!("FAILED on {backend:?}: random_json_bodies_to_create_endpoints_never_cause_server_errors");
            std::panic::resume_unwind(panic);
        }
    }
}

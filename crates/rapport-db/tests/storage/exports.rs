//! Exports written in the background: the list's filters and the
//! requester's visibility, CSV with formula-like cells neutralised, and an
//! Excel workbook that reads back.

use calamine::{Data, Reader, Xlsx};
use rapport_core::schema::RecordType;
use rapport_db::exports::{self, ExportFormat, ExportStatus};
use rapport_db::records;
use serde_json::json;

use crate::common::run_on_both_backends;

#[tokio::test]
async fn a_filtered_list_exports_as_csv_and_xlsx_in_the_background() {
    run_on_both_backends("background exports", |t| async move {
        let (_, admin) = t.admin().await;
        for (name, city) in [("Ana", "Recife"), ("=HYPERLINK(\"x\")", "Recife"), ("Bruno", "Natal")] {
            records::create(&t.ctx, &admin, RecordType::CONTACT, &json!({"first_name": name, "city": city}))
                .await
                .expect("create");
        }
        let query =
            vec![("filter[city][eq]".to_owned(), "Recife".to_owned()), ("sort".to_owned(), "first_name".to_owned())];
        let bad = vec![("filter[shoe_size][eq]".to_owned(), "42".to_owned())];
        assert!(
            exports::request(&t.ctx, &admin, RecordType::CONTACT, ExportFormat::Csv, &bad).await.is_err(),
            "refused at once"
        );

        let csv =
            exports::request(&t.ctx, &admin, RecordType::CONTACT, ExportFormat::Csv, &query).await.expect("request");
        let xlsx =
            exports::request(&t.ctx, &admin, RecordType::CONTACT, ExportFormat::Xlsx, &query).await.expect("request");
        assert_eq!(csv.status, ExportStatus::Queued);
        assert!(exports::file(&t.ctx, &admin, csv.id).await.is_err(), "no file before the worker writes it");
        for _ in 0..2 {
            let id = exports::claim_next(&t.ctx).await.expect("claim").expect("a queued export");
            assert_eq!(exports::run(&t.ctx, id).await.expect("run"), ExportStatus::Done);
        }
        assert_eq!(exports::claim_next(&t.ctx).await.expect("claim"), None);

        let (done, file) = exports::file(&t.ctx, &admin, csv.id).await.expect("csv file");
        assert_eq!(done.rows_done, 2);
        assert!(done.file_name.starts_with("contacts-") && done.file_name.ends_with(".csv"), "{}", done.file_name);
        let text = String::from_utf8(file).expect("utf-8");
        assert!(text.starts_with('\u{feff}'), "Excel's UTF-8 mark");
        assert!(text.contains("'=HYPERLINK"), "a formula-like cell is neutralised: {text}");
        assert!(text.contains("Ana") && !text.contains("Bruno"), "the list's filter: {text}");

        let (_, file) = exports::file(&t.ctx, &admin, xlsx.id).await.expect("xlsx file");
        let mut workbook = Xlsx::new(std::io::Cursor::new(file)).expect("a workbook");
        let sheet = workbook.worksheet_range_at(0).expect("a sheet").expect("readable");
        let header: Vec<String> = sheet.rows().next().expect("a header").iter().map(|c| c.to_string()).collect();
        let first_name = header.iter().position(|h| h == "first_name").expect("a first_name column");
        let names: Vec<Data> = sheet.rows().skip(1).map(|row| row[first_name].clone()).collect();
        assert_eq!(names, [Data::String("=HYPERLINK(\"x\")".into()), Data::String("Ana".into())], "sorted, as text");

        // Someone else cannot see or download it.
        let (_, member) = t.user("outra", rapport_core::access::Role::Member).await;
        assert!(exports::get(&t.ctx, &member, xlsx.id).await.is_err());
    })
    .await;
}

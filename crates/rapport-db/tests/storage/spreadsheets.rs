//! Spreadsheets (XLSX, ODS) import like CSV files: the first sheet, typed
//! numbers and dates as they are, rows numbered as the sheet numbers them;
//! hostile files are one clear error.

use std::io::Write;

use rapport_core::schema::RecordType;
use rapport_db::imports::{self, ImportStatus};
use rapport_db::records::{self, Encoding, ImportCounts};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::json;

use crate::common::run_on_both_backends;

/// A customer sheet as Excel saves it: a header, typed dates and numbers,
/// a formula, an error value and an empty row.
fn customers_xlsx() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = workbook.add_worksheet();
    let header = ["Nome", "Sobrenome", "E-mail", "Nascimento", "Pontos"];
    for (column, name) in header.iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "Ana").unwrap();
    sheet.write_string(1, 1, "Ávila").unwrap();
    sheet.write_string(1, 2, "ana@example.com").unwrap();
    sheet.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(1990, 12, 25).unwrap(), &date).unwrap();
    sheet.write_number(1, 4, 1234.5).unwrap();
    // Row 3 is left empty; row 4 is rejected; row 5 holds a formula.
    sheet.write_string(3, 0, "Bruno").unwrap();
    sheet.write_string(3, 2, "not-an-email").unwrap();
    sheet.write_string(4, 0, "Carla").unwrap();
    sheet
        .write_formula(
            4,
            2,
            rust_xlsxwriter::Formula::new("=\"carla\"&\"@example.com\"").set_result("carla@example.com"),
        )
        .unwrap();
    workbook.save_to_buffer().unwrap()
}

/// A zip archive of `entries`, as an OpenDocument file is one.
fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in entries {
        out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Clientes">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", &content),
        ("META-INF/manifest.xml", manifest),
    ])
}

fn cell(text: &str) -> String {
    format!(r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#)
}

#[tokio::test]
async fn an_xlsx_sheet_is_mapped_and_imported_with_its_typed_cells() {
    run_on_both_backends("xlsx import", |t| async move {
        let (_, admin) = t.admin().await;
        let import =
            imports::upload(&t.ctx, &admin, RecordType::CONTACT, "clientes.xlsx", customers_xlsx(), Encoding::Auto)
                .await
                .expect("upload");
        assert_eq!(import.columns, ["Nome", "Sobrenome", "E-mail", "Nascimento", "Pontos"]);
        assert_eq!(
            import.settings.mapping,
            [
                Some("first_name".into()),
                Some("last_name".into()),
                Some("emails".into()),
                Some("birth_date".into()),
                None
            ]
        );
        let preview = imports::preview(&t.ctx, &admin, import.id).await.expect("preview");
        let outcomes: Vec<(u64, &str)> = preview.iter().map(|row| (row.line, row.outcome)).collect();
        assert_eq!(outcomes, [(2, "create"), (4, "reject"), (5, "create")], "lines are the sheet's rows");

        imports::start(&t.ctx, &admin, import.id).await.expect("start");
        assert_eq!(imports::claim_next(&t.ctx).await.expect("claim"), Some(import.id));
        assert_eq!(imports::run(&t.ctx, import.id).await.expect("run"), ImportStatus::Done);
        let done = imports::get(&t.ctx, &admin, import.id).await.expect("get");
        assert_eq!(done.counts, ImportCounts { rows: 3, created: 2, updated: 0, skipped: 0, rejected: 1 });
        let ana =
            records::list(&t.ctx, &admin, RecordType::CONTACT, &[("filter[first_name][eq]".into(), "Ana".into())])
                .await
                .expect("list");
        assert_eq!(ana.items[0].fields["last_name"], json!("Ávila"));
        assert_eq!(ana.items[0].fields["birth_date"], json!("1990-12-25"), "an Excel date, not its serial number");
        let carla =
            records::list(&t.ctx, &admin, RecordType::CONTACT, &[("filter[first_name][eq]".into(), "Carla".into())])
                .await
                .expect("list");
        assert_eq!(carla.items[0].fields["emails"], json!(["carla@example.com"]), "a formula's value, not its text");
    })
    .await;
}

#[tokio::test]
async fn an_ods_sheet_imports_and_hostile_spreadsheets_are_one_clear_error() {
    run_on_both_backends("ods import", |t| async move {
        let (_, admin) = t.admin().await;
        let rows = format!(
            "<table:table-row>{}{}</table:table-row><table:table-row>{}{}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048574\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>",
            cell("Empresa"),
            cell("Site"),
            cell("Padaria Pão Quente"),
            cell("paoquente.com.br"),
        );
        let import = imports::upload(&t.ctx, &admin, RecordType::COMPANY, "empresas.ods", ods(&rows), Encoding::Auto)
            .await
            .expect("an ODS file with LibreOffice's trailing empty rows");
        assert_eq!(import.columns, ["Empresa", "Site"]);
        let preview = imports::preview(&t.ctx, &admin, import.id).await.expect("preview");
        assert_eq!(preview.len(), 1);
        assert_eq!(preview[0].outcome, "create");

        // A sheet whose repeated cells would expand to billions of values.
        let bomb = format!(
            "<table:table-row>{}</table:table-row><table:table-row table:number-rows-repeated=\"1048575\">\
             <table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>",
            cell("Empresa")
        );
        let error = imports::upload(&t.ctx, &admin, RecordType::COMPANY, "bomba.ods", ods(&bomb), Encoding::Auto)
            .await
            .expect_err("refused before it is expanded");
        assert!(error.to_string().contains("save it as CSV"), "{error}");

        // An XLSX sheet that declares the whole grid and holds a cell at its far corner.
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Empresa").unwrap();
        sheet.write_string(1_048_575, 16_383, "far away").unwrap();
        let far = workbook.save_to_buffer().unwrap();
        let error = imports::upload(&t.ctx, &admin, RecordType::COMPANY, "far.xlsx", far, Encoding::Auto)
            .await
            .expect_err("data beyond the columns read");
        assert!(error.to_string().contains("column 4096"), "{error}");

        for (name, file) in [
            ("old.xls", vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0]),
            ("broken.xlsx", zip_of(&[("xl/workbook.xml", "<workbook")])),
            ("empty.xlsx", Workbook::new().save_to_buffer().unwrap()),
        ] {
            let error = imports::upload(&t.ctx, &admin, RecordType::COMPANY, name, file, Encoding::Auto)
                .await
                .expect_err(name);
            assert!(error.to_string().contains("xlsx") || error.to_string().contains("sheet"), "{name}: {error}");
        }
    })
    .await;
}

/// Uploads `file`, runs it to its end and returns the import's counts, or
/// the upload's error.
async fn import_all(
    t: &crate::common::TestCtx,
    admin: &rapport_core::access::Writer,
    file: Vec<u8>,
    encoding: Encoding,
) -> Result<ImportCounts, String> {
    let import = imports::upload(&t.ctx, admin, RecordType::CONTACT, "hostile.csv", file, encoding)
        .await
        .map_err(|e| e.to_string())?;
    imports::start(&t.ctx, admin, import.id).await.map_err(|e| e.to_string())?;
    let id = imports::claim_next(&t.ctx).await.expect("claim").expect("queued");
    assert_eq!(imports::run(&t.ctx, id).await.expect("run"), ImportStatus::Done);
    Ok(imports::get(&t.ctx, admin, id).await.expect("get").counts)
}

/// Files as they come from the wild: each is a row error or one clear file
/// error, never a crash, and the counts always add up to the rows read.
#[tokio::test]
async fn hostile_csv_files_are_row_errors_or_one_clear_file_error() {
    run_on_both_backends("hostile files", |t| async move {
        let (_, admin) = t.admin().await;
        let adds_up = |c: &ImportCounts| c.created + c.updated + c.skipped + c.rejected == c.rows;

        // Ragged rows: a short row is read with empty cells, a long one is rejected.
        let ragged =
            import_all(&t, &admin, b"first_name,city\nAna\nBruno,Recife,extra\nCarla,Natal\n".to_vec(), Encoding::Auto)
                .await
                .expect("ragged");
        assert_eq!((ragged.rows, ragged.created, ragged.rejected), (3, 2, 1));

        // A quote that never closes swallows the rest of the file into one cell.
        let broken = import_all(&t, &admin, b"first_name,city\n\"Dora,Recife\nEva,Natal\n".to_vec(), Encoding::Auto)
            .await
            .expect("broken quotes");
        assert!(adds_up(&broken) && broken.rows == 1, "{broken:?}");

        // Invalid UTF-8 in a file said to be UTF-8: that row is rejected, the others imported.
        let invalid =
            import_all(&t, &admin, b"first_name\nF\xFF\xFEbio\nGil\n".to_vec(), Encoding::Utf8).await.expect("utf-8");
        assert_eq!((invalid.rows, invalid.created, invalid.rejected), (2, 1, 1));

        // A 10 MB cell is a row error (too long), read in bounded memory.
        let mut huge = b"first_name,job_title\nHugo,".to_vec();
        huge.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
        huge.extend_from_slice(b"\nIris,Dev\n");
        let huge = import_all(&t, &admin, huge, Encoding::Auto).await.expect("a huge cell");
        assert_eq!((huge.rows, huge.created, huge.rejected), (2, 1, 1));

        // Formulas are text, stored as typed and never evaluated.
        let formulas = import_all(&t, &admin, b"first_name,city\n=1+1,@SUM(A1)\n".to_vec(), Encoding::Auto)
            .await
            .expect("formulas");
        assert_eq!(formulas.created, 1);
        let page =
            records::list(&t.ctx, &admin, RecordType::CONTACT, &[("filter[first_name][eq]".into(), "=1+1".into())])
                .await
                .expect("list");
        assert_eq!(page.items[0].fields["city"], json!("@SUM(A1)"));

        // A header and no rows: nothing to do, and nothing fails.
        let header_only =
            import_all(&t, &admin, b"first_name,city\n".to_vec(), Encoding::Auto).await.expect("header only");
        assert_eq!(header_only.rows, 0);

        // An empty file, and a binary one named .csv: one clear error each.
        let empty = import_all(&t, &admin, Vec::new(), Encoding::Auto).await.expect_err("empty");
        assert!(empty.contains("empty"), "{empty}");
        let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        binary.extend((0..4096u32).map(|i| (i * 7919 % 251) as u8));
        let binary = import_all(&t, &admin, binary, Encoding::Auto).await.expect_err("binary");
        assert!(!binary.is_empty(), "a message that says what is wrong");
    })
    .await;
}

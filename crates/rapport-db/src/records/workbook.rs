//! Spreadsheets (XLSX, ODS) as the CSV text the importer reads: the first
//! sheet, row by row, so that mapping, preview, batches, resume and the
//! left-out report work the same way for every file.
//!
//! Files are untrusted: an XLSX sheet is read as a stream of cells (its
//! declared dimensions are never allocated), an ODS sheet is measured before
//! it is expanded, and the decompressed size of either is bounded.

use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Ods, Reader, Xlsx};
use rapport_core::DomainError;

use crate::error::Result;

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
    Ods,
    /// The binary Excel format of before 2007, which we do not read.
    Xls,
}

/// The most a spreadsheet may hold once decompressed.
const MAX_UNPACKED_BYTES: u64 = 1 << 30;

/// The most CSV a spreadsheet may become (stored with the import).
const MAX_CSV_BYTES: usize = 128 << 20;

/// Columns read; data further right is a file error, not silently dropped.
const MAX_COLUMNS: u32 = 4096;

/// Non-empty cells an ODS sheet may expand to (its repeat counts multiply).
const MAX_ODS_CELLS: u64 = 20_000_000;

fn bad_file(message: impl Into<String>) -> crate::error::Error {
    DomainError::invalid("file", "invalid_spreadsheet", message).into()
}

/// The kind of `file`, from its content (a renamed file is what it holds).
pub fn kind_of(file: &[u8]) -> FileKind {
    if file.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return FileKind::Xls;
    }
    if !file.starts_with(b"PK\x03\x04") {
        return FileKind::Csv;
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(file)) else {
        return FileKind::Csv;
    };
    if archive.by_name("xl/workbook.xml").is_ok() {
        return FileKind::Xlsx;
    }
    let mut mimetype = String::new();
    if let Ok(entry) = archive.by_name("mimetype") {
        let _ = entry.take(128).read_to_string(&mut mimetype);
    }
    if mimetype.trim() == "application/vnd.oasis.opendocument.spreadsheet" { FileKind::Ods } else { FileKind::Csv }
}

/// `file` as CSV: unchanged when it is text, the first sheet when it is a
/// spreadsheet. Numbers are written with a decimal point and dates as ISO
/// 8601, which the importer reads whatever the file's guessed formats.
pub fn as_csv(file: Vec<u8>) -> Result<Vec<u8>> {
    match kind_of(&file) {
        FileKind::Csv => Ok(file),
        FileKind::Xls => Err(bad_file(
            "this is an Excel 97-2003 file (.xls): save it as .xlsx or CSV in your spreadsheet and upload that",
        )),
        FileKind::Xlsx => {
            check_unpacked_size(&file)?;
            xlsx_as_csv(file)
        }
        FileKind::Ods => {
            check_unpacked_size(&file)?;
            check_ods_cells(&file)?;
            ods_as_csv(file)
        }
    }
}

/// Refuses archives whose entries declare more than `MAX_UNPACKED_BYTES`.
fn check_unpacked_size(file: &[u8]) -> Result<()> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(file)).map_err(|e| bad_file(format!("the file is damaged: {e}")))?;
    let mut unpacked: u64 = 0;
    for index in 0..archive.len() {
        // The central directory's sizes; reading stops at them.
        let entry = archive.by_index_raw(index).map_err(|e| bad_file(format!("the file is damaged: {e}")))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > MAX_UNPACKED_BYTES {
        return Err(bad_file(format!(
            "the spreadsheet unpacks to more than {} MB: save it as CSV and upload that",
            MAX_UNPACKED_BYTES >> 20
        )));
    }
    Ok(())
}

/// Rows of CSV text, written as cells arrive, keeping the sheet's row
/// numbers as the file's line numbers.
struct CsvOut {
    out: Vec<u8>,
    row: Vec<String>,
    /// Sheet row (0-based) of `row`, and of the next line to write.
    row_index: u32,
    next_line: u32,
}

impl CsvOut {
    fn new() -> Self {
        Self { out: Vec::new(), row: Vec::new(), row_index: 0, next_line: 0 }
    }

    fn cell(&mut self, (row, column): (u32, u32), text: String) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        if column >= MAX_COLUMNS {
            return Err(bad_file(format!(
                "the sheet has data beyond column {MAX_COLUMNS}: only {MAX_COLUMNS} columns are read"
            )));
        }
        if row != self.row_index {
            self.end_row()?;
            self.row_index = row;
        }
        let column = column as usize;
        if self.row.len() <= column {
            self.row.resize(column + 1, String::new());
        }
        self.row[column] = text;
        Ok(())
    }

    fn end_row(&mut self) -> Result<()> {
        if self.row.is_empty() {
            return Ok(());
        }
        // An empty line would not count as a line for the CSV reader; a
        // blank cell does, and the importer passes over blank rows.
        while self.next_line < self.row_index {
            self.out.extend_from_slice(b"\"\"\n");
            self.next_line += 1;
        }
        let mut line = csv::WriterBuilder::new().flexible(true).buffer_capacity(1024).from_writer(&mut self.out);
        line.write_record(&self.row).map_err(|e| bad_file(format!("the sheet cannot be read: {e}")))?;
        line.flush().map_err(|e| bad_file(format!("the sheet cannot be read: {e}")))?;
        drop(line);
        self.next_line = self.row_index + 1;
        self.row.clear();
        if self.out.len() > MAX_CSV_BYTES {
            return Err(bad_file(format!(
                "the sheet holds more than {} MB of text: split it and import the parts",
                MAX_CSV_BYTES >> 20
            )));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>> {
        self.end_row()?;
        let bytes = self.out;
        if bytes.is_empty() {
            return Err(bad_file("the first sheet is empty: its first row should name the columns"));
        }
        Ok(bytes)
    }
}

fn xlsx_as_csv(file: Vec<u8>) -> Result<Vec<u8>> {
    let damaged = |e: calamine::XlsxError| bad_file(format!("the spreadsheet cannot be read: {e}"));
    let mut workbook = Xlsx::new(Cursor::new(file)).map_err(damaged)?;
    let sheet = workbook.sheet_names().first().cloned().ok_or_else(|| bad_file("the spreadsheet has no sheet"))?;
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(damaged)?;
    let mut out = CsvOut::new();
    while let Some(cell) = cells.next_cell().map_err(damaged)? {
        out.cell(cell.get_position(), text_of_ref(cell.get_value()))?;
    }
    out.finish()
}

fn ods_as_csv(file: Vec<u8>) -> Result<Vec<u8>> {
    let damaged = |e: calamine::OdsError| bad_file(format!("the spreadsheet cannot be read: {e}"));
    let mut workbook = Ods::new(Cursor::new(file)).map_err(damaged)?;
    let sheet = workbook.sheet_names().first().cloned().ok_or_else(|| bad_file("the spreadsheet has no sheet"))?;
    let range = workbook.worksheet_range(&sheet).map_err(damaged)?;
    let mut out = CsvOut::new();
    for (row, column, value) in range.used_cells() {
        let (top, left) = range.start().unwrap_or_default();
        out.cell((top + row as u32, left + column as u32), text_of(value))?;
    }
    out.finish()
}

/// Counts the non-empty cells an ODS sheet expands to from its repeat
/// attributes, before calamine allocates them.
fn check_ods_cells(file: &[u8]) -> Result<()> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(file)).map_err(|e| bad_file(format!("the file is damaged: {e}")))?;
    let mut content = Vec::new();
    archive
        .by_name("content.xml")
        .map_err(|_| bad_file("the spreadsheet has no content"))?
        .take(MAX_UNPACKED_BYTES)
        .read_to_end(&mut content)
        .map_err(|e| bad_file(format!("the file is damaged: {e}")))?;
    if ods_cell_count(&content) > MAX_ODS_CELLS {
        return Err(bad_file(format!(
            "the sheet repeats its cells to more than {MAX_ODS_CELLS} values: save it as CSV and upload that"
        )));
    }
    Ok(())
}

/// Non-empty cells of an ODS `content.xml` once rows and columns repeat.
fn ods_cell_count(xml: &[u8]) -> u64 {
    let mut total: u64 = 0;
    let mut row_repeat: u64 = 1;
    let mut row_cells: u64 = 0;
    let mut at = 0;
    while let Some(offset) = xml[at..].iter().position(|b| *b == b'<') {
        let start = at + offset;
        let end = xml[start..].iter().position(|b| *b == b'>').map_or(xml.len(), |e| start + e);
        let tag = &xml[start..end];
        if tag.starts_with(b"<table:table-row") {
            row_repeat = attribute_number(tag, b"table:number-rows-repeated=\"");
            row_cells = 0;
        } else if tag.starts_with(b"</table:table-row") {
            total = total.saturating_add(row_repeat.saturating_mul(row_cells));
        } else if tag.starts_with(b"<table:table-cell") || tag.starts_with(b"<table:covered-table-cell") {
            // A cell that closes at once holds no text; it holds a value only
            // when it says so.
            let has_value = !tag.ends_with(b"/") || contains(tag, b"office:value");
            if has_value {
                row_cells = row_cells.saturating_add(attribute_number(tag, b"table:number-columns-repeated=\""));
            }
        }
        at = end.min(xml.len().saturating_sub(1)) + 1;
        if at >= xml.len() {
            break;
        }
    }
    total
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The number after `name` in a tag, or 1.
fn attribute_number(tag: &[u8], name: &[u8]) -> u64 {
    let Some(start) = tag.windows(name.len()).position(|w| w == name).map(|p| p + name.len()) else {
        return 1;
    };
    let digits: Vec<u8> = tag[start..].iter().take_while(|b| b.is_ascii_digit()).copied().collect();
    std::str::from_utf8(&digits).ok().and_then(|d| d.parse().ok()).unwrap_or(1)
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 { format!("{value:.0}") } else { value.to_string() }
}

fn date_time(value: &calamine::ExcelDateTime) -> String {
    if value.is_duration() {
        return number(value.as_f64());
    }
    match value.as_datetime() {
        Some(at) if at.time() == chrono::NaiveTime::MIN => at.format("%Y-%m-%d").to_string(),
        Some(at) => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        None => number(value.as_f64()),
    }
}

/// A cell as text; formulas are read as the value they last computed, and
/// error values (`#N/A`) as empty.
fn text_of_ref(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => date_time(d),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

fn text_of(value: &Data) -> String {
    match value {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => date_time(d),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_repeats_are_counted_before_they_are_expanded() {
        let legit = br#"<table:table-row><table:table-cell office:value-type="string"><text:p>Ana</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1020"/></table:table-row><table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
        assert_eq!(ods_cell_count(legit), 1);
        let bomb = br#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
        assert_eq!(ods_cell_count(bomb), 1_048_576 * 16_384);
    }

    #[test]
    fn text_files_are_left_as_they_are() {
        assert_eq!(kind_of(b"name,email\n"), FileKind::Csv);
        assert_eq!(kind_of(b"PK\x03\x04 not really a zip"), FileKind::Csv);
        assert_eq!(kind_of(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]), FileKind::Xls);
        assert!(as_csv([0xD0, 0xCF, 0x11, 0xE0, 0xA1].to_vec()).is_err());
    }
}

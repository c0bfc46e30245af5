//! What a contract's signed document may be: PDF, PNG, JPEG or Word (DOCX)
//! of at most [`MAX_DOCUMENT_BYTES`]. The type is read from the bytes, never
//! taken from the name or the type the client declares; a name whose
//! extension says otherwise (an executable named `contrato.pdf`) is refused.

use crate::FieldError;

/// The largest document stored: 10 MB.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// The longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// A document type we store, by its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentType {
    pub content_type: &'static str,
    /// File name extensions of this type (lower case, without the dot).
    pub extensions: &'static [&'static str],
}

pub const PDF: DocumentType = DocumentType { content_type: "application/pdf", extensions: &["pdf"] };
pub const PNG: DocumentType = DocumentType { content_type: "image/png", extensions: &["png"] };
pub const JPEG: DocumentType = DocumentType { content_type: "image/jpeg", extensions: &["jpg", "jpeg"] };
pub const DOCX: DocumentType = DocumentType {
    content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extensions: &["docx"],
};

/// The type the bytes are, if one we store. A DOCX is a ZIP archive whose
/// first entries name the Word parts (`[Content_Types].xml`, `word/…`).
pub fn sniff(bytes: &[u8]) -> Option<DocumentType> {
    if bytes.starts_with(b"%PDF-") {
        Some(PDF)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PNG)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(JPEG)
    } else if bytes.starts_with(b"PK\x03\x04") && is_word_archive(bytes) {
        Some(DOCX)
    } else {
        None
    }
}

/// Whether a ZIP archive names Word's main part among its local entries.
fn is_word_archive(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    head.windows(b"word/document.xml".len()).any(|w| w == b"word/document.xml")
}

/// A file name as stored: trimmed, without folders or control characters.
pub fn clean_file_name(name: &str) -> Result<String, FieldError> {
    let name = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(FieldError::new("file", "invalid_file_name", "give the file a name without control characters"));
    }
    if name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(FieldError::new("file", "too_long", format!("at most {MAX_FILE_NAME_CHARS} characters")));
    }
    Ok(name.to_owned())
}

/// Checks a document before it is stored: its size, its type from its
/// bytes, and that its name's extension (if any) is of that type. Returns
/// the cleaned name and the type. Errors name the field `file`.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<(String, DocumentType), FieldError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(FieldError::new("file", "contract_document_too_large", "a document of at most 10 MB")
            .with("max_mb", MAX_DOCUMENT_BYTES / (1024 * 1024)));
    }
    if bytes.is_empty() {
        return Err(FieldError::new("file", "empty_file", "the file is empty"));
    }
    let name = clean_file_name(file_name)?;
    let refused = || {
        FieldError::new(
            "file",
            "contract_document_type",
            "a signed document is a PDF, PNG, JPEG or Word (DOCX) file, as its contents show",
        )
    };
    let kind = sniff(bytes).ok_or_else(refused)?;
    if let Some((_, extension)) = name.rsplit_once('.') {
        if !kind.extensions.contains(&extension.to_ascii_lowercase().as_str()) {
            return Err(refused());
        }
    }
    Ok((name, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<(String, DocumentType), FieldError>) -> String {
        result.err().map(|e| e.code).unwrap_or_default()
    }

    #[test]
    fn documents_are_typed_by_their_bytes_not_their_names() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec();
        assert_eq!(check("contrato.pdf", &pdf).map(|(_, t)| t), Ok(PDF));
        assert_eq!(check("Contrato Assinado.PDF", &pdf).map(|(n, _)| n), Ok("Contrato Assinado.PDF".to_owned()));
        assert_eq!(check("C:\\docs\\contrato.pdf", &pdf).map(|(n, _)| n), Ok("contrato.pdf".to_owned()));
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00This program cannot be run in DOS mode".to_vec();
        assert_eq!(code(check("contrato.pdf", &exe)), "contract_document_type");
        // A real PDF named as an image is not what it says either.
        assert_eq!(code(check("scan.png", &pdf)), "contract_document_type");
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        assert_eq!(check("scan.png", &png).map(|(_, t)| t), Ok(PNG));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(JPEG));
        let zip = b"PK\x03\x04\x14\0\0\0\x08\0[Content_Types].xml....word/document.xml".to_vec();
        assert_eq!(sniff(&zip), Some(DOCX));
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0\x08\0evil.exe"), None, "any other archive is refused");
        assert_eq!(code(check("vazio.pdf", b"")), "empty_file");
        assert_eq!(code(check("  ", &pdf)), "invalid_file_name");
        let big = vec![b'%'; MAX_DOCUMENT_BYTES + 1];
        assert_eq!(code(check("big.pdf", &big)), "contract_document_too_large");
    }
}

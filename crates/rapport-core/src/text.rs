//! Text normalisation shared by validation, search and de-duplication.

/// Lower-cases and strips Latin diacritics so that "João" finds "joao".
///
/// Applied to both indexed text and queries, identically on every backend.
pub fn fold_for_search(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        for lower in c.to_lowercase() {
            out.push(strip_diacritic(lower));
        }
    }
    out
}

/// Whether `c` is part of a word as the SQLite search index cuts text
/// (FTS5 `unicode61`: letters, digits, private use). Marks split words
/// there, so a query must split on them too: each query word has to be a
/// single index term.
pub fn is_word_char(c: char) -> bool {
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
    matches!(c.general_category_group(), GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number)
        || c.general_category() == GeneralCategory::PrivateUse
}

fn strip_diacritic(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        'ď' => 'd',
        'ť' => 't',
        other => other,
    }
}

/// Escapes `%`, `_` and the escape character itself for a `LIKE … ESCAPE '\'`.
pub fn escape_like(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold_for_search("João Conceição"), "joao conceicao");
        assert_eq!(fold_for_search("PEÑA Müller"), "pena muller");
    }

    #[test]
    fn words_are_letters_and_digits_but_not_marks() {
        fn words(text: &str) -> Vec<&str> {
            text.split(|c| !is_word_char(c)).filter(|w| !w.is_empty()).collect()
        }
        assert_eq!(words("ana.souza@ex.com +55 11"), ["ana", "souza", "ex", "com", "55", "11"]);
        assert_eq!(words("José 北京"), ["José", "北京"]);
        // Devanagari vowel signs are marks: the index cuts the word there.
        assert_eq!(words("हिंदी"), ["ह", "द"]);
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}

/// The character a Windows-1252 byte stands for: Latin-1 but for 0x80–0x9F,
/// where it has €, curly quotes, dashes, Š, Œ, ™ and more (the encoding of
/// spreadsheets saved as CSV by Excel in Brazil and Spain). Its five unused
/// bytes read as U+FFFD.
pub fn windows_1252_char(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž', '\u{FFFD}',
        '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}', 'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        other => char::from(other),
    }
}

/// Whether the start of a file reads as UTF-8 (a character cut at the end of
/// the sample does not count against it).
pub fn looks_like_utf8(sample: &[u8]) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none() && sample.len() - error.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod encoding_tests {
    use super::*;

    #[test]
    fn windows_1252_reads_as_excel_wrote_it() {
        let bytes = b"Jos\xe9 \xc1vila \x96 S\xe3o Paulo \x80 10 \x93ok\x94";
        let text: String = bytes.iter().copied().map(windows_1252_char).collect();
        assert_eq!(text, "José Ávila – São Paulo € 10 “ok”");
        assert!(!looks_like_utf8(bytes));
        assert!(looks_like_utf8("José".as_bytes()));
        assert!(looks_like_utf8(&"São".as_bytes()[..2]), "a character cut by the sample");
    }
}

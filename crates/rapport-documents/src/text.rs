//! The two fonts, their widths and encoding, and line breaking.

use pdf_canvas::{BuiltinFont, FontSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    fn builtin(self) -> BuiltinFont {
        match self {
            Self::Regular => BuiltinFont::Helvetica,
            Self::Bold => BuiltinFont::Helvetica_Bold,
        }
    }

    /// The name of the font in a page's resources.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Self::Regular => b"F1",
            Self::Bold => b"F2",
        }
    }

    pub fn base_font(self) -> &'static [u8] {
        match self {
            Self::Regular => b"Helvetica",
            Self::Bold => b"Helvetica-Bold",
        }
    }

    /// Width of `text` at `size` points.
    pub fn width(self, text: &str, size: f32) -> f32 {
        self.builtin().get_width(size, &printable(text))
    }

    /// `text` in WinAnsi codes; what the encoding lacks prints as `?`.
    pub fn encode(self, text: &str) -> Vec<u8> {
        let font = self.builtin();
        let encoding = font.get_encoding();
        printable(text).chars().map(|c| encoding.encode_char(c).unwrap_or(b'?')).collect()
    }
}

/// Control characters (tabs, stray line breaks) become spaces, since a PDF
/// text operator draws one line; typographic signs that locale formatting
/// produces but WinAnsi lacks (the minus sign, thin and narrow spaces)
/// become their plain equivalents instead of `?`.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| match c {
        '\u{2212}' | '\u{2010}' | '\u{2011}' => '-',
        '\u{2009}' | '\u{202f}' | '\u{2007}' => ' ',
        c if c.is_control() => ' ',
        c => c,
    };
    if text.chars().any(|c| plain(c) != c) { text.chars().map(plain).collect::<String>().into() } else { text.into() }
}

/// Breaks `text` into lines no wider than `width`: at spaces, and inside a
/// word only when the word alone is wider. Explicit line breaks are kept.
pub fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if font.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if font.width(word, size) <= width {
                line = word.to_owned();
                continue;
            }
            for c in word.chars() {
                line.push(c);
                if font.width(&line, size) > width && line.chars().count() > 1 {
                    let last = line.pop().unwrap_or(c);
                    lines.push(std::mem::replace(&mut line, last.to_string()));
                }
            }
        }
        lines.push(line);
    }
    while lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// `text` shortened with an ellipsis to fit `width`.
pub fn fit(text: &str, font: Font, size: f32, width: f32) -> String {
    if font.width(text, size) <= width {
        return text.to_owned();
    }
    let mut out: String = text.to_owned();
    while !out.is_empty() && font.width(&format!("{out}…"), size) > width {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portuguese_and_spanish_letters_and_the_euro_are_encoded() {
        assert_eq!(Font::Regular.encode("ção"), vec![0xe7, 0xe3, b'o']);
        assert_eq!(Font::Regular.encode("Ñandú €"), vec![0xd1, b'a', b'n', b'd', 0xfa, b' ', 0x80]);
        assert_eq!(Font::Regular.encode("Łódź"), b"?\xf3d?".to_vec());
        assert_eq!(Font::Bold.encode("a\tb"), b"a b".to_vec());
        assert_eq!(Font::Regular.encode("\u{2212}R$\u{a0}5\u{202f}%"), b"-R$\xa05 %".to_vec());
    }

    #[test]
    fn bold_is_wider_and_widths_scale_with_size() {
        let regular = Font::Regular.width("Orçamento", 10.0);
        assert!(Font::Bold.width("Orçamento", 10.0) > regular);
        assert!((Font::Regular.width("Orçamento", 20.0) - 2.0 * regular).abs() < 0.01);
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_overlong_words_only() {
        let text = "Implantação do sistema com treinamento da equipe comercial";
        let lines = wrap(text, Font::Regular, 10.0, 120.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| Font::Regular.width(l, 10.0) <= 120.0));
        let word = "x".repeat(200);
        let pieces = wrap(&word, Font::Regular, 10.0, 50.0);
        assert_eq!(pieces.concat(), word);
        assert!(pieces.iter().all(|l| Font::Regular.width(l, 10.0) <= 50.0));
        assert_eq!(wrap("one\ntwo", Font::Regular, 10.0, 500.0), ["one", "two"]);
        assert_eq!(wrap("", Font::Regular, 10.0, 500.0), [""]);
    }

    #[test]
    fn fitting_shortens_with_an_ellipsis() {
        let fitted = fit("Grupo Pão de Açúcar Comércio Varejista S.A.", Font::Bold, 12.0, 100.0);
        assert!(fitted.ends_with('…'));
        assert!(Font::Bold.width(&fitted, 12.0) <= 100.0);
        assert_eq!(fit("Acme", Font::Bold, 12.0, 100.0), "Acme");
    }
}

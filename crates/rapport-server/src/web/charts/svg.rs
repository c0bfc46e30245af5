//! A tiny SVG/HTML writer: elements with escaped attributes and text, so no
//! chart can emit markup from data. Coordinates are written with one decimal
//! and never as NaN (non-finite numbers become 0).

use std::fmt::Write as _;

/// Text or an attribute value with `& < > " '` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate as written in the SVG: one decimal, `-0` and non-finite as `0`.
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        return "0".to_owned();
    }
    if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.1}") }
}

/// Markup under construction. Every method escapes what it is given except
/// `raw`, which only takes markup this module produced.
#[derive(Default)]
pub struct Writer {
    out: String,
    open: Vec<&'static str>,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    fn start(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"{}\"", escape(value));
        }
    }

    /// An element that holds others; close it with `close`.
    pub fn open(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.start(name, attributes);
        self.out.push('>');
        self.open.push(name);
    }

    pub fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            let _ = write!(self.out, "</{name}>");
        }
    }

    /// An element with no content.
    pub fn empty(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.start(name, attributes);
        self.out.push_str("/>");
    }

    /// An element holding only text.
    pub fn text(&mut self, name: &'static str, attributes: &[(&str, &str)], text: &str) {
        self.start(name, attributes);
        let _ = write!(self.out, ">{}</{name}>", escape(text));
    }

    /// A shape with a tooltip (`<title>` child), as every bar, slice and point has.
    pub fn shape(&mut self, name: &'static str, attributes: &[(&str, &str)], tooltip: &str) {
        self.open(name, attributes);
        self.text("title", &[], tooltip);
        self.close();
    }

    /// Opens a link when there is one; returns whether it did, for `end_link`.
    pub fn link(&mut self, href: Option<&str>) -> bool {
        match href {
            Some(href) => {
                self.open("a", &[("href", href)]);
                true
            }
            None => false,
        }
    }

    pub fn end_link(&mut self, opened: bool) {
        if opened {
            self.close();
        }
    }

    /// Markup another `Writer` produced.
    pub fn raw(&mut self, markup: Writer) {
        self.out.push_str(&markup.finish());
    }

    /// The markup, with every element still open closed.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape(r#"<b>"Tom" & 'Jerry'</b>"#), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
        let mut w = Writer::new();
        w.text("text", &[("data-x", "a\"b")], "<&>");
        assert_eq!(w.finish(), r#"<text data-x="a&quot;b">&lt;&amp;&gt;</text>"#);
    }

    #[test]
    fn numbers_never_print_nan_or_negative_zero() {
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(f64::INFINITY), "0");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-3.25), "-3.3");
    }

    #[test]
    fn finish_closes_what_is_open() {
        let mut w = Writer::new();
        w.open("svg", &[]);
        w.open("g", &[]);
        w.empty("rect", &[("x", "1")]);
        assert_eq!(w.finish(), r#"<svg><g><rect x="1"/></g></svg>"#);
    }
}

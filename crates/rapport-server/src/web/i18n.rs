//! The words of the UI in English, Português (Brasil) and Español: one
//! Fluent catalogue per language under `locales/`, compiled into the binary.
//! Code names messages with dots and underscores (`top.sign_out`, the
//! descriptors' `field.first_name`); Fluent ids write both as hyphens.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static CATALOGUES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: they end up in
        // attribute values and copied text. Counts grouped as each
        // language writes them (Fluent itself prints "12345").
        customise: |bundle| {
            bundle.set_use_isolating(false);
            let language = bundle.locales.first().map(|l| l.language.as_str().to_owned()).unwrap_or_default();
            bundle.set_formatter(Some(count_formatter(&language)));
        },
    };
}

/// The formatter of whole numbers passed as counts (`Arg::Number`) in a
/// catalogue of `language`: grouped by `format::integer`.
fn count_formatter<M>(language: &str) -> fn(&FluentValue, &M) -> Option<String> {
    match language {
        "pt" => |value, _| grouped(value, Locale::PtBr),
        "es" => |value, _| grouped(value, Locale::Es),
        _ => |value, _| grouped(value, Locale::En),
    }
}

fn grouped(value: &FluentValue, locale: Locale) -> Option<String> {
    match value {
        FluentValue::Number(FluentNumber { value, options })
            if options.use_grouping && value.fract() == 0.0 && value.abs() < 1e15 =>
        {
            Some(super::format::integer(*value as i64, locale))
        }
        _ => None,
    }
}

/// A count for a message: it picks the plural and reads grouped.
fn count_value(n: i64) -> FluentValue<'static> {
    FluentValue::from(n)
}

/// A number from a field error's parameters (a year, a line, a limit):
/// it picks plurals but reads as given, never grouped ("between 1900 and 2100").
fn plain_number(n: i64) -> FluentValue<'static> {
    FluentValue::Number(FluentNumber::new(n as f64, FluentNumberOptions { use_grouping: false, ..Default::default() }))
}

/// A language of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    PtBr,
    Es,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Self::En, Self::PtBr, Self::Es];

    /// The BCP 47 tag, as stored on users and used in `lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::PtBr => "pt-BR",
            Self::Es => "es",
        }
    }

    /// The language's own name, for the language menu.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::PtBr => "Português (Brasil)",
            Self::Es => "Español",
        }
    }

    /// A tag as people and browsers write it: `pt`, `pt-BR`, `pt_br`, `es-AR`.
    pub fn parse(tag: &str) -> Option<Self> {
        let language = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match language.as_str() {
            "en" => Some(Self::En),
            "pt" => Some(Self::PtBr),
            "es" => Some(Self::Es),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header we speak, by weight.
    pub fn negotiate(accept_language: &str) -> Self {
        let mut offers: Vec<(f32, Locale)> = accept_language
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let locale = Self::parse(pieces.next()?)?;
                let weight = pieces.find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok()).unwrap_or(1.0);
                Some((weight, locale))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0));
        offers.first().map_or(Self::En, |(_, locale)| *locale)
    }

    fn language(self) -> LanguageIdentifier {
        self.tag().parse().unwrap_or_default()
    }
}

/// Translates for one language.
#[derive(Debug, Clone)]
pub struct Tr {
    pub locale: Locale,
    language: LanguageIdentifier,
}

/// A message id as Fluent writes it: letters and digits kept, everything
/// else a hyphen (`field.first_name` is `field-first-name`, the size band
/// `5001+` is `enum-size-band-5001-`).
pub fn fluent_id(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Self { locale, language: locale.language() }
    }

    /// The message; its key when no catalogue has it (a test keeps that from
    /// happening for every key the templates and descriptors use).
    pub fn t(&self, key: &str) -> String {
        self.try_t(key).unwrap_or_else(|| key.to_owned())
    }

    pub fn try_t(&self, key: &str) -> Option<String> {
        CATALOGUES.try_lookup(&self.language, &fluent_id(key))
    }

    /// The message with arguments: text, or numbers (which pick plurals).
    pub fn t_with(&self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(text) => FluentValue::from(text.clone()),
                    Arg::Number(n) => count_value(*n),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        CATALOGUES.try_lookup_with_args(&self.language, &fluent_id(key), &args).unwrap_or_else(|| key.to_owned())
    }

    /// The message with named values, as a field error carries them;
    /// values that are whole numbers pick plurals.
    pub fn try_t_params(&self, key: &str, params: &BTreeMap<String, String>) -> Option<String> {
        let args: HashMap<Cow<'static, str>, FluentValue> = params
            .iter()
            .map(|(name, value)| {
                let value = match value.parse::<i64>() {
                    Ok(n) => plain_number(n),
                    Err(_) => FluentValue::from(value.clone()),
                };
                (Cow::Owned(name.clone()), value)
            })
            .collect();
        CATALOGUES.try_lookup_with_args(&self.language, &fluent_id(key), &args)
    }

    /// `t_with` for the common case of one text argument.
    pub fn t1(&self, key: &str, name: &'static str, value: impl Into<String>) -> String {
        self.t_with(key, &[(name, Arg::Text(value.into()))])
    }

    /// `t_with` for a count, which also picks the plural form.
    pub fn count(&self, key: &str, count: i64) -> String {
        self.t_with(key, &[("count", Arg::Number(count))])
    }

    /// A field's label, by the descriptor's label key.
    pub fn field(&self, record_type: rapport_core::schema::RecordType, name: &str) -> String {
        match record_type.field(name) {
            Some(spec) => self.t(&spec.label_key()),
            None => self.t(&format!("field.{name}")),
        }
    }

    /// A choice field's value.
    pub fn choice(&self, field: &str, value: &str) -> String {
        self.try_t(&format!("enum.{field}.{value}")).unwrap_or_else(|| value.to_owned())
    }
}

pub enum Arg {
    Text(String),
    Number(i64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_languages_are_negotiated_by_weight() {
        assert_eq!(Locale::negotiate("pt-BR,pt;q=0.9,en;q=0.8"), Locale::PtBr);
        assert_eq!(Locale::negotiate("de-DE, es-AR;q=0.7, en;q=0.3"), Locale::Es);
        assert_eq!(Locale::negotiate("fr"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::parse("pt_br"), Some(Locale::PtBr));
    }

    #[test]
    fn messages_come_in_every_language_with_plurals() {
        assert_eq!(Tr::new(Locale::En).t("nav.contacts"), "Contacts");
        assert_eq!(Tr::new(Locale::PtBr).t("nav.contacts"), "Contatos");
        assert_eq!(Tr::new(Locale::Es).t("nav.contacts"), "Contactos");
        assert_eq!(Tr::new(Locale::En).count("board.count", 1), "1 deal");
        assert_eq!(Tr::new(Locale::En).count("board.count", 3), "3 deals");
        assert_eq!(Tr::new(Locale::En).choice("size_band", "5001+"), "More than 5,000 people");
    }

    #[test]
    fn counts_read_grouped_per_language_but_field_error_numbers_as_given() {
        assert_eq!(Tr::new(Locale::En).count("board.count", 12_345), "12,345 deals");
        assert!(Tr::new(Locale::PtBr).count("board.count", 12_345).starts_with("12.345 "));
        assert!(Tr::new(Locale::Es).count("board.count", 12_345).starts_with("12.345 "));
        assert!(Tr::new(Locale::Es).count("board.count", 1_234).starts_with("1234 "), "Spanish leaves four digits");
        let params = BTreeMap::from([("max".to_owned(), "2100".to_owned())]);
        assert_eq!(
            Tr::new(Locale::En).try_t_params("error.too_many", &params).as_deref(),
            Some("Too many: at most 2100.")
        );
    }
}

/// The catalogues agree with each other and with what the UI asks of them.
#[cfg(test)]
mod catalogue_tests {
    use std::collections::BTreeSet;

    use rapport_core::schema::{FieldKind, RecordType};

    use super::*;

    const CATALOGUES_TEXT: [(&str, &str); 3] = [
        ("en", include_str!("../../locales/en/main.ftl")),
        ("pt-BR", include_str!("../../locales/pt-BR/main.ftl")),
        ("es", include_str!("../../locales/es/main.ftl")),
    ];

    fn ids(text: &str) -> BTreeSet<String> {
        text.lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    /// Prefixes of message keys; any string literal starting with one of
    /// them in a template or in the web module is a key.
    const PREFIXES: &[&str] = &[
        "nav.",
        "imports.",
        "exports.",
        "top.",
        "kind.",
        "group.",
        "field.",
        "enum.",
        "value.",
        "action.",
        "list.",
        "op.",
        "record.",
        "timeline.",
        "composer.",
        "related.",
        "board.",
        "home.",
        "search.",
        "sign_in.",
        "setup.",
        "error.",
        "bulk.",
        "views.",
        "columns.",
        "settings.",
        "profile.",
        "pipeline.",
        "palette.",
        "privacy.",
        "dup.",
        "branding.",
        "document.",
        "email.",
        "order.",
        "return.",
        "public.",
        "rules.",
        "quote.",
        "product.",
        "forecast.",
        "analytics.",
        "persona.",
        "customers.",
        "segment.",
        "clv.",
        "scoring.",
        "quota.",
        "chart.",
        "report.",
        "dashboard.",
        "contract.",
        "cadence.",
        "whatsapp.",
    ];

    fn literal_keys(source: &str, keys: &mut BTreeSet<String>) {
        for (i, piece) in source.split('"').enumerate() {
            let is_key = i % 2 == 1
                && PREFIXES.iter().any(|p| piece.starts_with(p))
                && piece.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                && !piece.ends_with('.')
                && !piece.ends_with(".html")
                && !piece.ends_with(".js");
            if is_key {
                keys.insert(piece.to_owned());
            }
        }
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs") {
                out.push(std::fs::read_to_string(&path).expect("a source file"));
            }
        }
    }

    /// Keys built from the descriptors: kinds, fields, groups, choices.
    fn descriptor_keys(keys: &mut BTreeSet<String>) {
        for kind in RecordType::all() {
            for suffix in ["", ".one", ".empty"] {
                keys.insert(format!("kind.{}{suffix}", kind.plural()));
            }
            for field in kind.fields() {
                keys.insert(field.label_key());
                keys.extend(field.help_key());
                keys.insert(format!("group.{}", field.group));
                if let FieldKind::Enum(values) = field.kind {
                    keys.extend(values.iter().map(|v| format!("enum.{}.{v}", field.name)));
                }
            }
        }
        keys.extend(["eq", "ne", "contains", "starts_with", "gt", "lt", "is_empty"].map(|op| format!("op.{op}")));
        keys.extend(["admin", "manager", "member", "read_only"].map(|role| format!("role.{role}")));
        keys.extend(["everyone", "team", "private"].map(|v| format!("settings.visibility_{v}")));
        keys.extend((0..7).map(|day| format!("calendar.day_{day}")));
    }

    #[test]
    fn the_three_catalogues_have_the_same_keys() {
        let english = ids(CATALOGUES_TEXT[0].1);
        for (language, text) in &CATALOGUES_TEXT[1..] {
            let other = ids(text);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{language}: missing {missing:?}, extra {extra:?}");
        }
    }

    #[test]
    fn every_key_the_ui_uses_is_in_every_catalogue() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        sources(&root.join("templates"), &mut texts);
        sources(&root.join("src/web"), &mut texts);
        let mut keys = BTreeSet::new();
        for text in &texts {
            literal_keys(text, &mut keys);
        }
        assert!(keys.len() > 100, "the scan found only {} keys", keys.len());
        descriptor_keys(&mut keys);
        for (language, text) in CATALOGUES_TEXT {
            let catalogue = ids(text);
            let missing: Vec<&String> = keys.iter().filter(|k| !catalogue.contains(&fluent_id(k))).collect();
            assert!(missing.is_empty(), "{language} lacks {missing:?}");
        }
    }
}

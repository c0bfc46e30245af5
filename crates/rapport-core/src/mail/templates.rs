//! User-editable e-mail templates: a subject and a text body per language,
//! with placeholders (`{{ recipient.name }}`), rendered by minijinja in a
//! sandbox: no loader (nothing to include or import, no file to read), a
//! bounded amount of work (fuel) and output, and a clear error for a broken
//! template. The built-in texts below are used until an administrator edits
//! one; features add their own key here.

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};
use serde::Serialize;
use serde_json::Value;

use crate::FieldError;

/// A template's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TemplateText {
    pub subject: String,
    pub body: String,
}

/// A template every account has, with its texts in each language.
#[derive(Debug)]
pub struct BuiltIn {
    pub key: &'static str,
    /// The placeholders its context offers, for the editor's help line.
    pub placeholders: &'static [&'static str],
    /// `(language, subject, body)` for every language of [`super::LANGUAGES`].
    pub texts: [(&'static str, &'static str, &'static str); 3],
}

/// The key of the message the settings page's "send a test e-mail" sends.
pub const TEST_EMAIL: &str = "test_email";
/// A note to the person of a record, sent from its page.
pub const FOLLOW_UP: &str = "follow_up";
/// A quote sent to its customer, with its PDF and the link to decide.
pub const QUOTE_SENT: &str = "quote_sent";
/// To a record's owner when a step of a follow-up cadence is due.
pub const CADENCE_STEP_DUE: &str = "cadence_step_due";
/// A saved report on its schedule, with the report as a PDF or CSV file.
pub const REPORT_SCHEDULED: &str = "report_scheduled";

pub const BUILT_IN: &[BuiltIn] = &[
    BuiltIn {
        key: TEST_EMAIL,
        placeholders: &["sender.name", "sender.email"],
        texts: [
            (
                "en",
                "Rapport test e-mail",
                "Hello,\n\nThis is a test e-mail sent by {{ sender.name }} from Rapport's e-mail settings. \
                 If you are reading it, the SMTP settings work.\n",
            ),
            (
                "pt-BR",
                "E-mail de teste do Rapport",
                "Olá,\n\nEste é um e-mail de teste enviado por {{ sender.name }} nas configurações de e-mail do \
                 Rapport. Se você o está lendo, as configurações de SMTP funcionam.\n",
            ),
            (
                "es",
                "Correo de prueba de Rapport",
                "Hola:\n\nEste es un correo de prueba enviado por {{ sender.name }} desde la configuración de \
                 correo de Rapport. Si lo está leyendo, la configuración SMTP funciona.\n",
            ),
        ],
    },
    BuiltIn {
        key: FOLLOW_UP,
        placeholders: &["recipient.name", "recipient.email", "record.name", "sender.name", "sender.email"],
        texts: [
            (
                "en",
                "Following up: {{ record.name }}",
                "Hello {{ recipient.name }},\n\nThank you for your time. I am following up on our conversation \
                 and remain at your disposal for any question.\n\nBest regards,\n{{ sender.name }}\n",
            ),
            (
                "pt-BR",
                "Dando continuidade: {{ record.name }}",
                "Olá, {{ recipient.name }},\n\nObrigado pelo seu tempo. Estou dando continuidade à nossa \
                 conversa e fico à disposição para qualquer dúvida.\n\nAtenciosamente,\n{{ sender.name }}\n",
            ),
            (
                "es",
                "Seguimiento: {{ record.name }}",
                "Hola, {{ recipient.name }}:\n\nGracias por su tiempo. Le escribo para dar seguimiento a nuestra \
                 conversación y quedo a su disposición para cualquier consulta.\n\nSaludos cordiales,\n\
                 {{ sender.name }}\n",
            ),
        ],
    },
    BuiltIn {
        key: QUOTE_SENT,
        placeholders: &[
            "recipient.name",
            "quote.number",
            "quote.title",
            "quote.total",
            "quote.valid_until",
            "link",
            "company.name",
            "sender.name",
            "sender.email",
        ],
        texts: [
            (
                "en",
                "Quote {{ quote.number }} from {{ company.name }}",
                "Hello {{ recipient.name }},\n\nPlease find attached our quote {{ quote.number }}{% if quote.title %} \
                 ({{ quote.title }}){% endif %}, for a total of {{ quote.total }}, valid until {{ quote.valid_until }}.\n\n\
                 You can read it, accept it or decline it here:\n{{ link }}\n\n\
                 Best regards,\n{{ sender.name }}\n{{ company.name }}\n",
            ),
            (
                "pt-BR",
                "Proposta {{ quote.number }} de {{ company.name }}",
                "Olá, {{ recipient.name }},\n\nSegue em anexo nossa proposta {{ quote.number }}{% if quote.title %} \
                 ({{ quote.title }}){% endif %}, no valor total de {{ quote.total }}, válida até {{ quote.valid_until }}.\n\n\
                 Você pode lê-la, aceitá-la ou recusá-la aqui:\n{{ link }}\n\n\
                 Atenciosamente,\n{{ sender.name }}\n{{ company.name }}\n",
            ),
            (
                "es",
                "Presupuesto {{ quote.number }} de {{ company.name }}",
                "Hola, {{ recipient.name }}:\n\nAdjuntamos nuestro presupuesto {{ quote.number }}{% if quote.title %} \
                 ({{ quote.title }}){% endif %}, por un total de {{ quote.total }}, válido hasta {{ quote.valid_until }}.\n\n\
                 Puede leerlo, aceptarlo o rechazarlo aquí:\n{{ link }}\n\n\
                 Saludos cordiales,\n{{ sender.name }}\n{{ company.name }}\n",
            ),
        ],
    },
    BuiltIn {
        key: CADENCE_STEP_DUE,
        placeholders: &["recipient.name", "step.title", "step.note", "record.name", "cadence.name", "link"],
        texts: [
            (
                "en",
                "Due today: {{ step.title }} ({{ record.name }})",
                "Hello {{ recipient.name }},\n\nA step of the cadence \"{{ cadence.name }}\" is due for \
                 {{ record.name }}: {{ step.title }}.\n{% if step.note %}\n{{ step.note }}\n{% endif %}\nIt is \
                 on your task list: {{ link }}\n",
            ),
            (
                "pt-BR",
                "Para hoje: {{ step.title }} ({{ record.name }})",
                "Olá, {{ recipient.name }},\n\nUma etapa da cadência \"{{ cadence.name }}\" vence hoje para \
                 {{ record.name }}: {{ step.title }}.\n{% if step.note %}\n{{ step.note }}\n{% endif %}\nEla \
                 está na sua lista de tarefas: {{ link }}\n",
            ),
            (
                "es",
                "Para hoy: {{ step.title }} ({{ record.name }})",
                "Hola, {{ recipient.name }}:\n\nUn paso de la cadencia \"{{ cadence.name }}\" vence hoy para \
                 {{ record.name }}: {{ step.title }}.\n{% if step.note %}\n{{ step.note }}\n{% endif %}\nEstá \
                 en su lista de tareas: {{ link }}\n",
            ),
        ],
    },
    BuiltIn {
        key: REPORT_SCHEDULED,
        placeholders: &["recipient.name", "report.name", "report.description", "schedule.frequency", "link"],
        texts: [
            (
                "en",
                "Report: {{ report.name }}",
                "Hello {{ recipient.name }},\n\nAttached is the report \"{{ report.name }}\" as of today, with the \
                 records you can see.{% if report.description %}\n\n{{ report.description }}{% endif %}\n\n\
                 Open it in Rapport: {{ link }}\n\nYou receive it because it is scheduled; its owner can stop it \
                 on the report's page.\n",
            ),
            (
                "pt-BR",
                "Relatório: {{ report.name }}",
                "Olá, {{ recipient.name }},\n\nSegue em anexo o relatório \"{{ report.name }}\" de hoje, com os \
                 registros que você pode ver.{% if report.description %}\n\n{{ report.description }}{% endif %}\n\n\
                 Abra-o no Rapport: {{ link }}\n\nVocê o recebe porque ele está agendado; quem o criou pode \
                 interromper o envio na página do relatório.\n",
            ),
            (
                "es",
                "Informe: {{ report.name }}",
                "Hola, {{ recipient.name }}:\n\nAdjuntamos el informe \"{{ report.name }}\" de hoy, con los \
                 registros que usted puede ver.{% if report.description %}\n\n{{ report.description }}{% endif %}\n\n\
                 Ábralo en Rapport: {{ link }}\n\nLo recibe porque está programado; su propietario puede \
                 detener el envío en la página del informe.\n",
            ),
        ],
    },
];

pub fn built_in(key: &str) -> Option<&'static BuiltIn> {
    BUILT_IN.iter().find(|b| b.key == key)
}

impl BuiltIn {
    /// Its texts in `language` (a tag of [`super::LANGUAGES`]), English otherwise.
    pub fn text(&self, language: &str) -> TemplateText {
        let (_, subject, body) = self.texts.iter().find(|(tag, _, _)| *tag == language).unwrap_or(&self.texts[0]);
        TemplateText { subject: (*subject).to_owned(), body: (*body).to_owned() }
    }
}

/// Most characters an edited subject template may have.
pub const MAX_SUBJECT_TEMPLATE: usize = 1_000;
/// Most bytes an edited body template may have.
pub const MAX_BODY_TEMPLATE: usize = 64 * 1024;
/// Most bytes a rendered body may have.
const MAX_RENDERED: usize = 256 * 1024;
/// Instructions a rendering may run: plenty for a letter, little for a loop
/// that never ends.
const FUEL: u64 = 50_000;

/// A template and its context, rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// Checks that a template's texts parse, without rendering them.
pub fn check(text: &TemplateText) -> Result<(), FieldError> {
    if text.subject.chars().count() > MAX_SUBJECT_TEMPLATE {
        return Err(FieldError::new("subject", "too_long", format!("at most {MAX_SUBJECT_TEMPLATE} characters")));
    }
    if text.body.len() > MAX_BODY_TEMPLATE {
        return Err(FieldError::new("body", "too_long", "a template body has at most 64 KB"));
    }
    if text.subject.trim().is_empty() {
        return Err(FieldError::required("subject"));
    }
    if text.body.trim().is_empty() {
        return Err(FieldError::required("body"));
    }
    let env = sandbox();
    for (field, source) in [("subject", &text.subject), ("body", &text.body)] {
        env.template_from_str(source).map_err(|e| template_error(field, &e))?;
    }
    Ok(())
}

/// Renders a template's subject and body with `context` (placeholders that
/// are missing render empty).
pub fn render(text: &TemplateText, context: &Value) -> Result<Rendered, FieldError> {
    check(text)?;
    let env = sandbox();
    let render_one = |field: &str, source: &str| -> Result<String, FieldError> {
        let template = env.template_from_str(source).map_err(|e| template_error(field, &e))?;
        // Written into a bounded buffer: a loop of long strings stops at the
        // limit instead of filling the memory.
        let mut out = Bounded(Vec::new());
        match template.render_captured_to(context, &mut out) {
            Ok(_) => {}
            Err(_) if out.0.len() >= MAX_RENDERED => {
                return Err(FieldError::new(field, "template_too_long", "the template writes more than 256 KB"));
            }
            Err(e) => return Err(template_error(field, &e)),
        }
        String::from_utf8(out.0).map_err(|_| FieldError::new(field, "template_error", "the output is not text"))
    };
    // A subject is one line, whatever a placeholder held.
    let subject = render_one("subject", &text.subject)?.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(Rendered { subject, body: render_one("body", &text.body)? })
}

/// A buffer that refuses to grow past [`MAX_RENDERED`].
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_RENDERED {
            self.0.extend_from_slice(&buf[..MAX_RENDERED.saturating_sub(self.0.len())]);
            return Err(std::io::Error::other("the template writes too much"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An environment with no loader and no global beyond the built-in filters:
/// a template can only read its context.
fn sandbox() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(50);
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    // Text e-mails: nothing to escape (an HTML body would use AutoEscape::Html).
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env
}

fn template_error(field: &str, error: &minijinja::Error) -> FieldError {
    let (code, message) = match error.kind() {
        ErrorKind::OutOfFuel => ("template_too_slow", "the template does too much work (a loop without end?)".into()),
        ErrorKind::SyntaxError => ("template_syntax", error.detail().unwrap_or("syntax error").to_owned()),
        _ => ("template_error", error.detail().map_or_else(|| error.kind().to_string(), str::to_owned)),
    };
    let mut field_error = FieldError::new(field, code, message.clone()).with("detail", message);
    if let Some(line) = error.line() {
        field_error = field_error.with("line", line);
    }
    field_error
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_built_in_template_has_every_language_and_renders() {
        for built_in in BUILT_IN {
            let tags: Vec<&str> = built_in.texts.iter().map(|(tag, _, _)| *tag).collect();
            assert_eq!(tags, super::super::LANGUAGES, "{}", built_in.key);
            // A value for each placeholder the template offers, and only those.
            let mut context = json!({});
            for placeholder in built_in.placeholders {
                let value = match *placeholder {
                    "sender.name" => "Marina",
                    "recipient.name" => "Ana",
                    _ => "sample",
                };
                match placeholder.split_once('.') {
                    Some((object, key)) => context[object][key] = json!(value),
                    None => context[*placeholder] = json!(value),
                }
            }
            for (tag, _, _) in &built_in.texts {
                let rendered = render(&built_in.text(tag), &context).expect("a built-in template renders");
                // Written by someone (a sender) or to someone (a reminder's recipient).
                let named = rendered.body.contains("Marina") || rendered.body.contains("Ana");
                assert!(named, "{}/{tag}: {}", built_in.key, rendered.body);
            }
        }
    }

    #[test]
    fn placeholders_are_filled_and_the_subject_stays_on_one_line() {
        let text =
            TemplateText { subject: "Hi {{ recipient.name }}".into(), body: "Dear {{ recipient.name }}.".into() };
        let rendered = render(&text, &json!({"recipient": {"name": "Ana\r\nBcc: x@evil.test"}})).unwrap();
        assert_eq!(rendered.subject, "Hi Ana Bcc: x@evil.test");
        assert_eq!(rendered.body, "Dear Ana\r\nBcc: x@evil.test.");
    }

    #[test]
    fn a_broken_template_names_the_field_and_line() {
        let text = TemplateText { subject: "ok".into(), body: "line one\n{% if %}".into() };
        let error = render(&text, &json!({})).unwrap_err();
        assert_eq!((error.field.as_str(), error.code.as_str()), ("body", "template_syntax"));
        assert_eq!(error.params.get("line").map(String::as_str), Some("2"));
    }

    #[test]
    fn a_template_cannot_read_files_or_include_others() {
        for source in [
            "{% include '/etc/passwd' %}",
            "{% import '/etc/passwd' as x %}",
            "{% extends '/etc/passwd' %}",
            "{{ open('/etc/passwd') }}",
        ] {
            let text = TemplateText { subject: "s".into(), body: source.into() };
            let error = render(&text, &json!({})).expect_err(source);
            assert_eq!(error.field, "body", "{source}");
        }
    }

    #[test]
    fn a_template_that_loops_forever_or_writes_too_much_is_stopped() {
        let endless = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}";
        let error = render(&TemplateText { subject: "s".into(), body: endless.into() }, &json!({})).unwrap_err();
        assert_eq!(error.code, "template_too_slow");
        let recursive = "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}";
        assert!(render(&TemplateText { subject: "s".into(), body: recursive.into() }, &json!({})).is_err());
        let huge = "{{ 'x' * 100000000000 }}";
        assert!(render(&TemplateText { subject: "s".into(), body: huge.into() }, &json!({})).is_err());
        let long = "{% for i in range(100) %}{{ 'x' * 100000 }}{% endfor %}";
        let error = render(&TemplateText { subject: "s".into(), body: long.into() }, &json!({})).unwrap_err();
        assert_eq!(error.code, "template_too_long");
    }
}

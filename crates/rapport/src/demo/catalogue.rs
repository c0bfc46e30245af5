//! The product catalogue of the demo's seller, a Brazilian B2B software house that sells across Latin America:
//! SaaS plans and add-ons, services, hardware for sales teams and training, plus four configurable products.
//!
//! Names, units and option labels are Portuguese (the seller's language). Every price is set in US cents and
//! converted with the fixed [`RATES`] into each demo currency, rounded to three significant digits of the major
//! unit, so the same product costs about the same everywhere. Nothing here is random.

use rapport_core::configurator::PricedProduct;
use rapport_core::values::Currency;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::util::{Record, put};

/// Local currency units per US dollar (fixed, illustrative late-2026 rates), one per demo currency.
pub(super) const RATES: [(&str, f64); 8] = [
    ("BRL", 5.4),
    ("MXN", 18.5),
    ("ARS", 1150.0),
    ("COP", 4100.0),
    ("CLP", 940.0),
    ("EUR", 0.92),
    ("PEN", 3.75),
    ("USD", 1.0),
];

/// What a product is; it decides the tax rate, the quantities bought and how often it is picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Category {
    Saas,
    Service,
    Hardware,
    Training,
}

impl Category {
    /// Brazilian-style rates: ISS on software and services, a blended ICMS/IPI on hardware.
    fn tax_rate_bp(self) -> i64 {
        match self {
            Self::Saas | Self::Service | Self::Training => 500,
            Self::Hardware => 1_200,
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::Saas => "Assinatura de software em nuvem, cobrada por período.",
            Self::Service => "Serviço profissional prestado pela nossa equipe.",
            Self::Hardware => "Equipamento novo com garantia de 12 meses e nota fiscal.",
            Self::Training => "Capacitação com material didático e certificado de participação.",
        }
    }
}

/// One catalogue entry.
pub(super) struct Item {
    pub sku: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub category: Category,
    /// Base price in US cents.
    pub usd_cents: i64,
    /// Whole units usually bought at once (inclusive range) by a small customer.
    pub quantity: (u32, u32),
    /// Option groups and rules (`rapport_core::configurator` JSON with prices in US cents), for configurable ones.
    pub options: Option<fn() -> Value>,
}

const fn item(
    sku: &'static str,
    name: &'static str,
    unit: &'static str,
    category: Category,
    usd_cents: i64,
    quantity: (u32, u32),
) -> Item {
    Item { sku, name, unit, category, usd_cents, quantity, options: None }
}

use Category::{Hardware, Saas, Service, Training};

pub(super) static ITEMS: &[Item] = &[
    item("CRM-ESS-M", "Plano Essencial (mensal)", "usuário/mês", Saas, 2_500, (3, 25)),
    item("CRM-PRO-M", "Plano Profissional (mensal)", "usuário/mês", Saas, 4_900, (3, 40)),
    item("CRM-ENT-M", "Plano Enterprise (mensal)", "usuário/mês", Saas, 8_900, (10, 80)),
    item("CRM-ESS-A", "Plano Essencial (anual)", "usuário/ano", Saas, 25_000, (3, 25)),
    item("CRM-PRO-A", "Plano Profissional (anual)", "usuário/ano", Saas, 49_000, (3, 40)),
    item("CRM-ENT-A", "Plano Enterprise (anual)", "usuário/ano", Saas, 89_000, (10, 80)),
    item("WA-1000", "WhatsApp Business: pacote de 1.000 conversas", "pacote", Saas, 4_500, (1, 10)),
    item("SMS-1000", "Pacote de 1.000 SMS", "pacote", Saas, 1_800, (1, 20)),
    item("BI-ADD", "Módulo de BI e painéis", "usuário/mês", Saas, 1_500, (2, 20)),
    item("SIGN-50", "Assinatura eletrônica: 50 envelopes", "pacote", Saas, 4_000, (1, 12)),
    item("STO-100", "Armazenamento adicional de 100 GB", "mês", Saas, 1_200, (1, 12)),
    item("API-PLUS", "Limite de API ampliado", "mês", Saas, 6_000, (1, 12)),
    item("SSO-ADD", "Login único (SSO/SAML)", "usuário/mês", Saas, 600, (10, 80)),
    item("SANDBOX", "Ambiente sandbox", "mês", Saas, 12_000, (1, 12)),
    item("IMPL-BAS", "Implantação básica", "projeto", Service, 150_000, (1, 1)),
    item("CONS-H", "Consultoria de processos comerciais", "hora", Service, 9_500, (4, 40)),
    item("MIG-DADOS", "Migração de dados", "projeto", Service, 120_000, (1, 1)),
    item("INT-ERP", "Integração com ERP (TOTVS, SAP, Omie)", "projeto", Service, 350_000, (1, 1)),
    item("DEV-H", "Desenvolvimento sob medida", "hora", Service, 8_500, (8, 120)),
    item("SUP-PREM", "Suporte premium", "mês", Service, 40_000, (1, 12)),
    item("SUP-24X7", "Suporte 24×7 com SLA de 1 hora", "mês", Service, 90_000, (1, 12)),
    item("REV-CFG", "Revisão de configuração", "projeto", Service, 60_000, (1, 1)),
    item("CSM", "Gerente de sucesso dedicado", "mês", Service, 120_000, (1, 12)),
    item("LGPD-AV", "Avaliação de privacidade (LGPD)", "projeto", Service, 200_000, (1, 1)),
    item("NB-14", "Notebook 14\" Core i5, 16 GB", "unidade", Hardware, 95_000, (1, 15)),
    item("NB-16", "Notebook 16\" Core i7, 32 GB", "unidade", Hardware, 145_000, (1, 10)),
    item("MON-24", "Monitor 24\" Full HD", "unidade", Hardware, 18_000, (1, 20)),
    item("MON-27", "Monitor 27\" 4K", "unidade", Hardware, 39_000, (1, 12)),
    item("HS-USB", "Headset USB com cancelamento de ruído", "unidade", Hardware, 7_500, (2, 40)),
    item("CAM-FHD", "Webcam Full HD", "unidade", Hardware, 6_500, (2, 30)),
    item("DOCK-C", "Dock USB-C", "unidade", Hardware, 14_000, (1, 20)),
    item("TAB-10", "Tablet 10\" para equipes de campo", "unidade", Hardware, 32_000, (2, 25)),
    item("CEL-CORP", "Smartphone corporativo", "unidade", Hardware, 42_000, (2, 25)),
    item("IMP-ETQ", "Impressora térmica de etiquetas", "unidade", Hardware, 26_000, (1, 6)),
    item("LEITOR", "Leitor de código de barras", "unidade", Hardware, 11_000, (1, 10)),
    item("WIFI6", "Roteador Wi-Fi 6 empresarial", "unidade", Hardware, 35_000, (1, 4)),
    item("TR-ADM", "Treinamento de administradores (online)", "participante", Training, 18_000, (1, 6)),
    item("TR-USR", "Treinamento de usuários (online)", "participante", Training, 9_000, (5, 60)),
    item("TR-WS", "Workshop presencial", "dia", Training, 180_000, (1, 3)),
    item("CERT", "Certificação de especialista", "participante", Training, 25_000, (1, 8)),
    item("TR-VC", "Curso de vendas consultivas", "participante", Training, 22_000, (3, 30)),
    item("TR-LID", "Programa de liderança comercial", "participante", Training, 65_000, (1, 6)),
    Item {
        options: Some(notebook_options),
        ..item("CFG-NB", "Notebook corporativo", "unidade", Hardware, 90_000, (2, 20))
    },
    Item {
        options: Some(license_options),
        ..item("CFG-CRM", "Licença CRM anual", "usuário/ano", Saas, 25_000, (5, 60))
    },
    Item {
        options: Some(project_options),
        ..item("CFG-IMPL", "Projeto de implantação", "projeto", Service, 150_000, (1, 1))
    },
    Item {
        options: Some(training_options),
        ..item("CFG-TR", "Trilha de capacitação", "participante", Training, 9_000, (5, 40))
    },
];

fn notebook_options() -> Value {
    json!({
        "groups": [
            {"code": "tela", "label": "Tela", "required": true, "options": [
                {"code": "14", "label": "14\"", "prices": 0},
                {"code": "16", "label": "16\"", "prices": 15_000},
            ]},
            {"code": "memoria", "label": "Memória", "required": true, "options": [
                {"code": "16gb", "label": "16 GB", "prices": 0},
                {"code": "32gb", "label": "32 GB", "prices": 18_000},
            ]},
            {"code": "extras", "label": "Extras", "multiple": true, "options": [
                {"code": "garantia3", "label": "Garantia de 3 anos", "prices": 12_000},
                {"code": "onsite", "label": "Atendimento no local", "prices": 9_000},
                {"code": "kit", "label": "Kit teclado e mouse", "prices": 3_500},
            ]},
        ],
        "rules": [{"option": "onsite", "kind": "requires", "other": "garantia3"}],
    })
}

fn license_options() -> Value {
    json!({
        "groups": [
            {"code": "plano", "label": "Plano", "required": true, "options": [
                {"code": "essencial", "label": "Essencial", "prices": 0},
                {"code": "profissional", "label": "Profissional", "prices": 24_000},
                {"code": "enterprise", "label": "Enterprise", "prices": 64_000},
            ]},
            {"code": "modulos", "label": "Módulos", "multiple": true, "options": [
                {"code": "bi", "label": "BI e painéis", "prices": 18_000},
                {"code": "sso", "label": "Login único (SSO)", "prices": 7_200},
                {"code": "whatsapp", "label": "WhatsApp", "prices": 6_000},
            ]},
        ],
        "rules": [
            {"option": "sso", "kind": "requires", "other": "enterprise"},
            {"option": "essencial", "kind": "excludes", "other": "bi"},
        ],
    })
}

fn project_options() -> Value {
    json!({
        "groups": [
            {"code": "escopo", "label": "Escopo", "required": true, "options": [
                {"code": "basico", "label": "Básico", "prices": 0},
                {"code": "completo", "label": "Completo", "prices": 250_000},
            ]},
            {"code": "adicionais", "label": "Adicionais", "multiple": true, "options": [
                {"code": "migracao", "label": "Migração de dados", "prices": 120_000},
                {"code": "erp", "label": "Integração com ERP", "prices": 350_000},
                {"code": "treinamento", "label": "Treinamento da equipe", "prices": 60_000},
            ]},
        ],
        "rules": [{"option": "basico", "kind": "excludes", "other": "erp"}],
    })
}

fn training_options() -> Value {
    json!({
        "groups": [
            {"code": "modalidade", "label": "Modalidade", "required": true, "options": [
                {"code": "online", "label": "Online ao vivo", "prices": 0},
                {"code": "presencial", "label": "Presencial", "prices": 12_000},
            ]},
            {"code": "extras", "label": "Extras", "multiple": true, "options": [
                {"code": "certificacao", "label": "Prova de certificação", "prices": 15_000},
                {"code": "mentoria", "label": "Mentoria pós-curso", "prices": 20_000},
            ]},
        ],
        "rules": [{"option": "mentoria", "kind": "requires", "other": "presencial"}],
    })
}

/// Option choices a buyer makes, per configurable product (each satisfies the product's rules).
pub(super) fn choices(sku: &str) -> &'static [&'static [&'static str]] {
    match sku {
        "CFG-NB" => &[
            &["14", "16gb"],
            &["14", "16gb", "kit"],
            &["14", "32gb", "garantia3"],
            &["16", "32gb", "garantia3", "onsite"],
            &["16", "16gb", "garantia3", "kit"],
        ],
        "CFG-CRM" => &[
            &["essencial"],
            &["essencial", "whatsapp"],
            &["profissional"],
            &["profissional", "bi"],
            &["enterprise", "sso", "bi"],
            &["enterprise", "whatsapp"],
        ],
        "CFG-IMPL" => {
            &[&["basico"], &["basico", "migracao"], &["completo", "migracao", "erp"], &["completo", "treinamento"]]
        }
        "CFG-TR" => &[&["online"], &["online", "certificacao"], &["presencial", "certificacao", "mentoria"]],
        _ => &[&[]],
    }
}

/// `usd_cents` in `currency`'s minor units at the fixed rate, rounded to three significant digits of the major unit.
pub(super) fn convert(usd_cents: i64, currency: &str) -> i64 {
    let rate = RATES.iter().find(|(code, _)| *code == currency).map_or(1.0, |(_, rate)| *rate);
    let digits = Currency::parse(currency).map_or(2, |c| c.minor_digits());
    let major = usd_cents as f64 / 100.0 * rate;
    if major == 0.0 {
        return 0;
    }
    let magnitude = 10f64.powi(major.abs().log10().floor() as i32 - 2);
    let rounded = (major / magnitude).round() * magnitude;
    (rounded * 10f64.powi(i32::from(digits))).round() as i64
}

/// Prices in every demo currency.
fn prices(usd_cents: i64) -> Value {
    Value::Object(RATES.iter().map(|(code, _)| ((*code).to_owned(), Value::from(convert(usd_cents, code)))).collect())
}

/// The configurator JSON with every option's US price turned into prices in all demo currencies.
fn options_json(item: &Item) -> Option<Value> {
    let mut options = (item.options?)();
    for group in options["groups"].as_array_mut().into_iter().flatten() {
        for option in group["options"].as_array_mut().into_iter().flatten() {
            let usd = option["prices"].as_i64().unwrap_or(0);
            option["prices"] = prices(usd);
        }
    }
    Some(options)
}

/// The product records, in [`ITEMS`] order.
pub(super) fn products() -> Vec<Record> {
    ITEMS
        .iter()
        .map(|item| {
            let mut m = Record::new();
            put(&mut m, "name", item.name);
            put(&mut m, "sku", item.sku);
            put(&mut m, "description", item.category.description());
            put(&mut m, "unit", item.unit);
            put(&mut m, "prices", prices(item.usd_cents));
            put(&mut m, "tax_rate_bp", item.category.tax_rate_bp());
            put(&mut m, "active", true);
            if let Some(options) = options_json(item) {
                put(&mut m, "options", options);
            }
            m
        })
        .collect()
}

/// The catalogue as the configurator reads it (ids are placeholders: the product's index), for pricing order lines
/// exactly as the server prices quote lines.
pub(super) fn priced(products: &[Record]) -> Vec<PricedProduct> {
    products
        .iter()
        .enumerate()
        .map(|(index, fields)| {
            let fields: &Map<String, Value> = fields;
            rapport_core::records::product::priced(Uuid::from_u128(index as u128), fields)
                .expect("the catalogue follows the product rules")
        })
        .collect()
}

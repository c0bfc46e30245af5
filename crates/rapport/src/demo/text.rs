//! Word lists other than people's names. Per-language arrays are indexed `[PT, ES, EN]`; lists use the
//! `item:weight|item|…` format of `util::Weighted::parse`.

/// Brand words shared by all languages (plus syllable-built brands, see `BRAND_PREFIXES`).
pub(super) const BRAND_WORDS: &str = "Aurora|Atlas|Orion|Vértice|Nexo|Horizonte|Alvorada|Cerrado|Pampa|Ipê|Jequitibá|\
    Atlântico|Pacífico|Andes|Cóndor|Quetzal|Sierra|Cumbre|Faro|Ancla|Solaris|Boreal|Austral|Zenith|Polaris|Kairos|\
    Lumina|Vega|Sirius|Altair|Delta|Sigma|Omega|Prisma|Kappa|Ágora|Trilha|Rumo|Norte|Brisa|Maré|Ônix|Safira|Granito|\
    Cobalto|Titânio|Cedro|Olivo|Mangue|Jacarandá|Araucária|Tucano|Arara|Jaguar|Puma|Colibri|Lince|Águia|Acme|Pioneer";
pub(super) const BRAND_PREFIXES: &str = "Vert|Nov|Sol|Lum|Tec|Prim|Mar|Alt|Sig|Cor|Fort|Nex|Zen|Vit|Bel|Cap|Dat|Sin|\
    Ori|Arc|Agr|Bio|Eco|Geo|Inf|Log|Med|Pro|Tri|Qua";
pub(super) const BRAND_SUFFIXES: &str = "ix|ia|ara|on|ax|us|ita|ora|el|ium|eo|al|ex|ika|ano|ur|is|ova|em|ea";

/// `Portuguese/Spanish/English/industry` per line; the sector word follows the brand in company names.
pub(super) const SECTORS: &str = "Logística/Logística/Logistics/Logistics|\
    Tecnologia/Tecnología/Technologies/Software|Soluções/Soluciones/Solutions/IT Services|\
    Sistemas/Sistemas/Systems/Software|Alimentos/Alimentos/Foods/Food & Beverage|Agro/Agro/Agritech/Agribusiness|\
    Energia/Energía/Energy/Energy|Engenharia/Ingeniería/Engineering/Construction|\
    Construtora/Constructora/Builders/Construction|Saúde/Salud/Health/Healthcare|Educação/Educación/Learning/Education|\
    Consultoria/Consultoría/Consulting/Consulting|Distribuidora/Distribuidora/Distribution/Wholesale|\
    Imóveis/Inmobiliaria/Realty/Real Estate|Telecom/Telecom/Telecom/Telecommunications|\
    Transportes/Transportes/Transport/Transportation|Têxtil/Textil/Textiles/Manufacturing|\
    Farma/Farma/Pharma/Pharmaceuticals|Digital/Digital/Digital/Marketing & Advertising|\
    Seguros/Seguros/Insurance/Insurance|Investimentos/Inversiones/Capital/Financial Services|\
    Varejo/Comercial/Retail/Retail|Indústria/Industrias/Industries/Manufacturing|Mídia/Medios/Media/Media|\
    Automação/Automatización/Automation/Industrial Automation|Embalagens/Empaques/Packaging/Packaging|\
    Turismo/Turismo/Travel/Travel & Hospitality|Analytics/Analytics/Analytics/Software";

/// Appended to company names after the first pass through all brand × sector combinations.
pub(super) const QUALIFIERS: [&str; 3] = [
    "Brasil|Sul|Nordeste|Centro-Oeste|Norte|Paulista|Capital|Serviços|Global|Participações|Holding|Express",
    "Latam|Norte|Sur|Andina|Global|Holding|Express|Internacional|Capital|Servicios|Pacífico|Centro",
    "Group|Partners|Global|Labs|Holdings|Co|Works|Collective|Ventures|Network|Direct|Pro",
];

/// `masculine/feminine` where the two forms differ.
pub(super) const JOB_TITLES: [&str; 3] = [
    "Diretor Comercial/Diretora Comercial:4|Diretor de Marketing/Diretora de Marketing:3|Gerente de Vendas:6|\
     Gerente Comercial:5|Analista de Marketing:5|Analista Financeiro/Analista Financeira:4|\
     Coordenador de Compras/Coordenadora de Compras:3|Coordenador de Logística/Coordenadora de Logística:3|CEO:3|\
     CFO:2|CTO:2|Sócio-fundador/Sócia-fundadora:3|Sócio-diretor/Sócia-diretora:2|Gerente de TI:3|\
     Supervisor de Atendimento/Supervisora de Atendimento:3|Head de Growth:2|Executivo de Contas/Executiva de Contas:9|\
     Comprador/Compradora:3|Gerente de Operações:3|Diretor de RH/Diretora de RH:2|Analista de Recursos Humanos:3|\
     Engenheiro de Produção/Engenheira de Produção:2|Consultor de Vendas/Consultora de Vendas:5|\
     Assistente Administrativo/Assistente Administrativa:4|Gerente de Projetos:3|Especialista em Customer Success:3|\
     Controller:2|Gerente de Marketing Digital:3|Representante Comercial:4|Coordenador de TI/Coordenadora de TI:2|\
     Advogado/Advogada:1|Contador/Contadora:2",
    "Director Comercial/Directora Comercial:4|Director de Marketing/Directora de Marketing:3|Gerente de Ventas:6|\
     Gerente General:3|Jefe de Compras/Jefa de Compras:3|Jefe de Logística/Jefa de Logística:2|\
     Analista de Marketing:5|Analista Financiero/Analista Financiera:4|\
     Coordinador de Logística/Coordinadora de Logística:3|Coordinador de Proyectos/Coordinadora de Proyectos:3|\
     CEO:3|CFO:2|Socio Fundador/Socia Fundadora:2|Gerente de TI:3|Ejecutivo de Cuentas/Ejecutiva de Cuentas:9|\
     Comprador/Compradora:3|Gerente de Operaciones:3|Director de Recursos Humanos/Directora de Recursos Humanos:2|\
     Asistente Administrativo/Asistente Administrativa:4|Consultor de Ventas/Consultora de Ventas:5|\
     Gerente de Proyectos:3|Especialista en Customer Success:3|Contralor/Contralora:2|\
     Gerente de Marketing Digital:3|Representante de Ventas:4|Ingeniero de Procesos/Ingeniera de Procesos:2|\
     Jefe de Sistemas/Jefa de Sistemas:2|Contador/Contadora:2",
    "VP of Sales:4|Account Executive:6|Marketing Manager:5|Head of Operations:3|CTO:2|CEO:3|CFO:2|\
     Procurement Specialist:3|Customer Success Manager:4|Sales Development Representative:5|Director of Marketing:3|\
     Operations Manager:3|IT Director:2|HR Manager:3|Product Manager:4|Software Engineer:3|Financial Analyst:3|\
     Office Manager:3|Chief Revenue Officer:1|Regional Sales Manager:3|Business Development Manager:4|\
     Controller:2|Founder:2|Purchasing Manager:2",
];

pub(super) const STREET_TYPES: [&str; 3] =
    ["Rua:6|Avenida:3|Alameda:1|Travessa:1", "Calle:5|Avenida:4|Paseo:1", "St:5|Ave:3|Blvd:1|Rd:1"];
/// Street names common to many cities of each language area (no landmark streets of one particular city).
pub(super) const STREET_NAMES: [&str; 3] = [
    "das Flores|Sete de Setembro|XV de Novembro|Barão do Rio Branco|Dom Pedro II|Tiradentes|Getúlio Vargas|\
     Santos Dumont|Marechal Deodoro|Visconde de Mauá|Rui Barbosa|Duque de Caxias|Presidente Vargas|dos Andradas|\
     Voluntários da Pátria|João Pessoa|das Palmeiras|Bela Vista|São João|Padre Anchieta|Brasil|Independência|\
     Amazonas|dos Bandeirantes|Castro Alves|Princesa Isabel",
    "San Martín|Bolívar|del Libertador|Independencia|Colón|Mayor|Benito Juárez|Miguel Hidalgo|Morelos|de la Paz|\
     Sucre|Belgrano|Los Pinos|Las Acacias|del Sol|Central|Santander|de la Constitución|de los Andes|del Parque|\
     Real|de la Libertad|Primavera|Los Olivos",
    "Main|Broadway|Pine|Madison|Oak|Maple|Washington|Park|Lake|Hudson|Spring|Elm|Cedar|Market|Jefferson|Lincoln|\
     Franklin|Walnut|Chestnut|Highland|Church|Center",
];

pub(super) const PERSONAL_DOMAINS: [&str; 3] = [
    "gmail.com:60|hotmail.com:15|outlook.com:8|yahoo.com.br:6|uol.com.br:4|icloud.com:4|bol.com.br:3",
    "gmail.com:60|hotmail.com:20|outlook.com:10|yahoo.com:6|icloud.com:4",
    "gmail.com:50|yahoo.com:12|outlook.com:12|icloud.com:12|hotmail.com:10|aol.com:4",
];

/// Activity kinds in the order used by `SUBJECTS`.
pub(super) const ACTIVITY_KINDS: &str = "task:30|call:25|meeting:15|email:20|note:10";

pub(super) const SUBJECTS: [[&str; 5]; 3] = [
    [
        "Enviar proposta comercial|Preparar apresentação|Atualizar cadastro do cliente|\
         Enviar contrato para assinatura|Follow-up da proposta|Revisar orçamento|Agendar demonstração|\
         Cobrar retorno do financeiro|Organizar onboarding",
        "Ligar para confirmar proposta|Ligação de qualificação|Retornar ligação|Ligação de follow-up|\
         Alinhar prazos de entrega|Negociar desconto|Confirmar reunião por telefone",
        "Reunião de apresentação|Demonstração do produto|Reunião de alinhamento|Reunião de kickoff|Visita ao cliente|\
         Reunião de renovação|Café com o decisor",
        "Enviar tabela de preços|Responder dúvidas técnicas|Enviar estudo de caso|E-mail de boas-vindas|\
         Reenviar proposta atualizada|Enviar resumo da reunião",
        "Cliente pediu desconto|Observações da visita|Decisor mudou|Orçamento aprovado para o próximo trimestre|\
         Prefere contato por WhatsApp|Concorrente ofereceu preço menor",
    ],
    [
        "Enviar cotización|Preparar presentación|Actualizar datos del cliente|Enviar contrato para firma|\
         Dar seguimiento a la propuesta|Revisar presupuesto|Agendar demostración|Coordinar onboarding",
        "Llamar para confirmar propuesta|Llamada de calificación|Devolver llamada|Llamada de seguimiento|\
         Negociar condiciones|Confirmar reunión por teléfono",
        "Reunión de seguimiento|Demo del producto|Reunión de presentación|Reunión de kickoff|Visita al cliente|\
         Reunión de renovación|Almuerzo con el decisor",
        "Enviar lista de precios|Responder dudas técnicas|Enviar caso de éxito|Correo de bienvenida|\
         Reenviar propuesta actualizada|Enviar minuta de la reunión",
        "El cliente pidió descuento|Notas de la visita|Cambió el decisor|\
         Presupuesto aprobado para el próximo trimestre|Prefiere contacto por WhatsApp|\
         La competencia ofreció un precio menor",
    ],
    [
        "Send proposal|Prepare slide deck|Update account details|Send contract for signature|Follow up on proposal|\
         Review budget|Schedule demo|Plan onboarding",
        "Discovery call|Follow-up call|Return call|Check in on proposal|Negotiate terms|Confirm meeting by phone",
        "Product demo|Intro meeting|Quarterly business review|Kickoff meeting|On-site visit|Renewal discussion|\
         Lunch with decision maker",
        "Send pricing|Answer technical questions|Send case study|Welcome email|Resend updated proposal|\
         Send meeting recap",
        "Customer asked for a discount|Notes from the visit|New decision maker|Budget approved for next quarter|\
         Prefers email over calls|Competitor offered a lower price",
    ],
];

pub(super) const BODIES: [&str; 3] = [
    "Cliente demonstrou interesse no plano anual.|Pediu para retornar na próxima semana.|\
     Aguardando aprovação da diretoria financeira.|Enviar material com os cases do setor.|\
     Precisa de integração com o ERP atual.|Decisão prevista para o fim do mês.|\
     Solicitou condições especiais de pagamento.|Reunião produtiva, próximos passos definidos.",
    "El cliente mostró interés en el plan anual.|Pidió que lo contactemos la próxima semana.|\
     Esperando aprobación de la gerencia financiera.|Necesita integración con su ERP actual.|\
     Decisión prevista para fin de mes.|Solicitó condiciones especiales de pago.|\
     Reunión productiva, próximos pasos acordados.",
    "Customer is interested in the annual plan.|Asked us to follow up next week.|\
     Waiting for sign-off from finance.|Needs an integration with their current ERP.|\
     Decision expected by the end of the month.|Asked for special payment terms.|\
     Good meeting, next steps agreed.",
];

pub(super) const PRODUCTS: [&str; 3] = [
    "Licença anual CRM:5|Implantação e treinamento:2|Expansão de licenças:3|Renovação de contrato:3|\
     Módulo de automação de marketing:2|Suporte premium:1|Integração com ERP:1|Projeto piloto:1",
    "Licencia anual CRM:5|Implementación y capacitación:2|Ampliación de licencias:3|Renovación de contrato:3|\
     Módulo de automatización de marketing:2|Soporte premium:1|Integración con ERP:1|Proyecto piloto:1",
    "CRM annual license:5|Onboarding & training:2|License expansion:3|Contract renewal:3|\
     Marketing automation add-on:2|Premium support:1|ERP integration:1|Pilot project:1",
];

pub(super) const LOST_REASONS: [&str; 3] = [
    "Preço acima do orçamento:4|Escolheu um concorrente:4|Sem retorno do cliente:3|Projeto cancelado:2|\
     Momento inadequado:2|Falta de funcionalidade:2",
    "Precio fuera de presupuesto:4|Eligió a la competencia:4|Sin respuesta del cliente:3|Proyecto cancelado:2|\
     Mal momento:2|Falta de funcionalidad:2",
    "Over budget:4|Went with a competitor:4|No response:3|Project cancelled:2|Bad timing:2|Missing feature:2",
];

pub(super) const DISQUALIFIED_REASONS: [&str; 3] = [
    "Sem orçamento:4|Fora do perfil de cliente:4|Contato inválido:2|Apenas pesquisando:3|Já é cliente:1|Concorrente:1",
    "Sin presupuesto:4|Fuera del perfil de cliente:4|Contacto inválido:2|Solo investigando:3|Ya es cliente:1|\
     Competencia:1",
    "No budget:4|Not a fit:4|Invalid contact details:2|Just researching:3|Already a customer:1|Competitor:1",
];

pub(super) const COMPETITORS: &str = "Salesforce:8|HubSpot:8|Pipedrive:6|Zoho CRM:4|Microsoft Dynamics 365:3|\
    RD Station CRM:5|Agendor:2|PipeRun:2|monday sales CRM:2|Freshsales:2";

pub(super) const CAMPAIGNS: [&str; 3] = [
    "black_friday|webinar_vendas|lancamento_produto|ebook_gestao_comercial|rd_summit|remarketing|institucional",
    "webinar_ventas|lanzamiento|ebook_crm|hot_sale|cyber_monday|buen_fin|remarketing",
    "spring_promo|webinar_pipeline|product_launch|saastr_followup|retargeting|newsletter_q|brand_search",
];

/// Acquisition channels (shared by contacts, leads and deals); `UTM` has one entry per channel, in this order.
pub(super) const CHANNELS: [&str; 2] = [
    "website:28|referral:15|event:10|whatsapp:14|paid_search:18|social:15",
    "website:32|referral:18|event:12|whatsapp:2|paid_search:20|social:16",
];
pub(super) const UTM: [&str; 6] = [
    "google/organic:3|bing/organic:1|newsletter/email:2",
    "partner/referral:3|customer/referral:2",
    "event/offline:2|webinar/webinar:2",
    "whatsapp/messaging:1",
    "google/cpc:4|bing/cpc:1",
    "linkedin/paid_social:3|instagram/social:3|facebook/paid_social:2|tiktok/social:1",
];

/// Preferred channel, `[Latin America, United States]`.
pub(super) const PREFERRED: [&str; 2] = ["email:35|whatsapp:40|phone:15|sms:10", "email:60|phone:25|sms:12|whatsapp:3"];
pub(super) const LIFECYCLE: &str = "subscriber:15|lead:30|qualified:15|opportunity:12|customer:20|evangelist:3|other:5";
pub(super) const CALL_MINUTES: &str = "5:2|10:3|15:4|20:2|30:3|45:1";
pub(super) const MEETING_MINUTES: &str = "30:4|45:2|60:5|90:2|120:1";

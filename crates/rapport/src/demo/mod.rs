//! Deterministic, realistic demo / benchmark data.
//!
//! Every record is a JSON field map (`serde_json::Map`) using exactly the field names the app accepts, plus a
//! few *helper keys* that refer to other records by position and must be removed (and mapped to real ids)
//! before storing:
//!
//! | helper key      | found on                    | meaning                                             |
//! |-----------------|-----------------------------|-----------------------------------------------------|
//! | `company_index` | contacts, deals             | index into [`DemoData::companies`] / [`companies`]  |
//! | `contact_index` | deals, activities           | index into [`DemoData::contacts`]                   |
//! | `owner_index`   | activities                  | index into the demo sellers (`history::SELLERS`)    |
//! | `stage_index`   | deals                       | pipeline stage `0..=5`; 4 = won, 5 = lost           |
//! | `company_index` | orders, quotes              | the customer company                                |
//! | `contact_index` | orders (when the company has contacts), quotes | one of the company's contacts    |
//! | `deal_index`    | quotes                      | index into [`DemoData::deals`]                      |
//! | `lead_index`    | lead activities             | index into [`DemoData::leads`]                      |
//! | `converted_*_index` | converted leads         | the contact, company and deal the lead became       |
//! | `product_index` | each line of orders, quotes | index into [`DemoData::products`] → `product_id`    |
//!
//! The data set looks like a Latin-American CRM: ~55% Brazilian, ~30% Spanish-speaking (MX, CO, AR, CL, PE,
//! ES) and ~15% US records, with names, cities, phone formats, tax ids, currencies and texts to match. All
//! dates are relative to a fixed "today", 2026-11-24; the system clock is never read.
//!
//! Output depends only on [`DemoConfig`]: the same seed always yields byte-identical records. Scales:
//! companies = contacts / 10 (at least 1), leads = contacts / 5, deals = contacts / 4,
//! activities = 5 × contacts (plus ≈ 1.8 calls, e-mails and meetings per lead in its first month), orders = contacts
//! (so ≈ 10 per company), products = a fixed catalogue of 46, quotes = one per open deal in the Proposal or
//! Negotiation stage (≈ 3.5 % of the deals: most deals of a two-year history are closed).
//!
//! Sales data (see `catalogue` and `sales`):
//! * products are the catalogue of a Brazilian B2B software house (SaaS plans and add-ons, services, hardware,
//!   training; Portuguese names), priced in all eight demo currencies at fixed exchange rates, four of them
//!   configurable (option groups with `requires`/`excludes` rules);
//! * orders cover the three years before "today" with seasonality (slow January–February, strong
//!   November–December) and growth; a company buys, in its own currency, with probability skewed towards the low
//!   (big) indices, so the top 10 % of customers place over 40 % of the orders while most buy a few times (at
//!   20,000 contacts: median 6 orders, the biggest customer ~5 % of all). Lines (1–5) carry the product's
//!   configured price, description and tax rate, in the customer's currency; orders older than 45 days are
//!   delivered (7 % cancelled), recent ones pending, confirmed, invoiced or shipped; `paid_minor` is the total,
//!   half of it or nothing (the payment status is derived); invoice numbers follow the dates. The order `number`
//!   and totals are derived by the server (numbers by the year the records are stored in);
//! * quotes are drafts only (a quote's status is derived and moves by its actions), in the deal's currency, with
//!   1–4 product lines without prices: the server prices them from the product and its chosen options.
//!
//! History (see `history`): deals were created over the last two years (recent ones more often) and moved through
//! the pipeline's stages by their sellers (six demo sellers in two teams); won and lost deals closed when they reached
//! their final stage, open ones sit in theirs since their last move. About 40 % of the leads are converted or
//! disqualified, conversion depending on channel, phone, company, job title and first-month activities. Contacts,
//! their deals and the leads converted into them share acquisition fields (channel, campaign, UTM).
//!
//! Guarantees worth knowing when writing tests against this data:
//! * every contact address is unique in the data set (the local part ends with the contact index);
//! * every company domain and every Brazilian CNPJ (valid check digits) is unique;
//! * ~10% of leads deliberately reuse a contact's first address, name, job title and company name (duplicate
//!   matching); every other lead address contains `_`, which contact addresses never do;
//! * deal amounts follow the same distribution whatever the currency (no exchange-rate scaling).

mod catalogue;
mod company;
mod geo;
pub(crate) mod history;
mod ids;
mod names;
mod people;
mod records;
mod sales;
mod tables;
mod text;
mod util;

#[cfg(test)]
mod history_tests;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

use util::{DemoRng, Record, stream_rng};

const STREAM_CONTACTS: u64 = 10;
const STREAM_LEADS: u64 = 11;
const STREAM_DEALS: u64 = 12;
const STREAM_ACTIVITIES: u64 = 13;
const STREAM_ORDERS: u64 = 14;
const STREAM_QUOTES: u64 = 15;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Number of contacts; every other count is derived from it.
    pub contacts: usize,
    /// RNG seed; equal seeds give identical data.
    pub seed: u64,
}

/// A complete generated data set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemoData {
    /// `contacts / 10` companies (at least 1). Low indices are the large companies that hold many contacts.
    pub companies: Vec<Map<String, Value>>,
    /// Contacts. Helper key `company_index: usize` (index into `companies`) must be removed before storing.
    pub contacts: Vec<Map<String, Value>>,
    /// `contacts / 5` leads; ~10% reuse an existing contact's e-mail address on purpose (see module docs).
    pub leads: Vec<Map<String, Value>>,
    /// `contacts / 4` deals. Helper keys `company_index`, `contact_index` and `stage_index` (`0..=5`; 4 = won,
    /// 5 = lost, lost deals carry `lost_reason`) must be removed before storing.
    pub deals: Vec<Map<String, Value>>,
    /// `5 × contacts` activities. Helper key `contact_index` must be removed before storing.
    pub activities: Vec<Map<String, Value>>,
    /// The fixed product catalogue (the same for every configuration).
    pub products: Vec<Map<String, Value>>,
    /// `contacts` orders, oldest first. Helper keys `company_index`, `contact_index` (absent when the company has
    /// no contact) and, on each line, `product_index` must be replaced before storing.
    pub orders: Vec<Map<String, Value>>,
    /// Draft quotes. Helper keys `deal_index`, `company_index`, `contact_index` and, on each line,
    /// `product_index` must be replaced before storing.
    pub quotes: Vec<Map<String, Value>>,
    /// Each deal's past (seller, creation, stage path), in `deals` order.
    pub deal_pasts: Vec<history::DealHistory>,
    /// Each lead's past (seller, creation, close), in `leads` order.
    pub lead_pasts: Vec<history::LeadHistory>,
    /// Calls, e-mails and meetings of the leads' first 30 days. Helper key `lead_index` (index into `leads`) must be
    /// removed before storing; each was written when it was due.
    pub lead_activities: Vec<Map<String, Value>>,
}

/// Generates the full data set in memory. Contacts are the same as those yielded by [`contact_batches`] and
/// companies the same as [`companies`] for the same configuration.
pub fn generate(config: &DemoConfig) -> DemoData {
    let t = tables::tables();
    let (companies, infos) = company::build(t, config, true);
    let mut contacts = Vec::with_capacity(config.contacts);
    for batch in contact_batches(config, 4096) {
        contacts.extend(batch);
    }
    let (deals, deal_pasts) = records::deals(t, &contacts, &infos, &mut stream_rng(config.seed, STREAM_DEALS));
    let people::Leads { leads, pasts: lead_pasts, activities: lead_activities } =
        people::leads(t, &contacts, &infos, (&deals, &deal_pasts), &mut stream_rng(config.seed, STREAM_LEADS));
    let activities = records::activities(t, &contacts, infos.len(), &mut stream_rng(config.seed, STREAM_ACTIVITIES));
    let products = catalogue::products();
    let contact_companies: Vec<usize> = contacts.iter().map(company_of).collect();
    let company_countries: Vec<usize> = infos.iter().map(|c| c.country).collect();
    let orders = sales::orders(
        &sales::Customers { contact_companies: &contact_companies, company_countries: &company_countries },
        &catalogue::priced(&products),
        &mut stream_rng(config.seed, STREAM_ORDERS),
    );
    let quotes = sales::quotes(&deals, &mut stream_rng(config.seed, STREAM_QUOTES));
    DemoData {
        companies,
        contacts,
        leads,
        deals,
        activities,
        products,
        orders,
        quotes,
        deal_pasts,
        lead_pasts,
        lead_activities,
    }
}

fn company_of(contact: &Record) -> usize {
    contact.get("company_index").and_then(Value::as_u64).unwrap_or(0) as usize
}

/// The product catalogue of [`generate`] (fixed; the order and quote lines' `product_index` points into it).
pub fn products() -> Vec<Map<String, Value>> {
    catalogue::products()
}

/// The orders of [`generate`] for the same configuration, streaming the contacts instead of keeping them.
pub fn orders(config: &DemoConfig) -> Vec<Map<String, Value>> {
    let t = tables::tables();
    let mut contact_companies = Vec::with_capacity(config.contacts);
    for batch in contact_batches(config, 4096) {
        contact_companies.extend(batch.iter().map(company_of));
    }
    let company_countries: Vec<usize> =
        (0..company::company_count(config)).map(|i| company::CompanyCore::new(t, config.seed, i).country).collect();
    sales::orders(
        &sales::Customers { contact_companies: &contact_companies, company_countries: &company_countries },
        &catalogue::priced(&catalogue::products()),
        &mut stream_rng(config.seed, STREAM_ORDERS),
    )
}

/// The companies of [`generate`] for the same configuration, without generating anything else.
pub fn companies(config: &DemoConfig) -> Vec<Map<String, Value>> {
    company::build(tables::tables(), config, false).0
}

/// Streams the contacts of a configuration in batches of at most `batch` (a `batch` of 0 is treated as 1),
/// in index order, without holding more than one batch in memory. Contacts carry the `company_index` helper
/// key (index into [`companies`]); concatenated, the batches equal [`DemoData::contacts`].
///
/// Company identities (country, domain) are recomputed from the seed, so the company maps need not be kept.
/// Most of the cost is allocating the maps themselves; batches of 1,000–5,000 keep glibc's allocator in its
/// fast path (1M contacts take a few seconds in release mode).
pub fn contact_batches(config: &DemoConfig, batch: usize) -> ContactBatches {
    ContactBatches {
        tables: tables::tables(),
        rng: stream_rng(config.seed, STREAM_CONTACTS),
        seed: config.seed,
        companies: company::company_count(config),
        next: 0,
        total: config.contacts,
        batch: batch.max(1),
    }
}

/// Iterator returned by [`contact_batches`]; yields `Vec`s of contact records.
pub struct ContactBatches {
    tables: &'static tables::Tables,
    rng: DemoRng,
    seed: u64,
    companies: usize,
    next: usize,
    total: usize,
    batch: usize,
}

impl Iterator for ContactBatches {
    type Item = Vec<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.total {
            return None;
        }
        let end = self.total.min(self.next + self.batch);
        let out = (self.next..end)
            .map(|index| people::contact(self.tables, self.seed, self.companies, index, &mut self.rng))
            .collect();
        self.next = end;
        Some(out)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.total - self.next).div_ceil(self.batch);
        (left, Some(left))
    }
}

impl ExactSizeIterator for ContactBatches {}

impl std::fmt::Debug for ContactBatches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactBatches").field("next", &self.next).field("total", &self.total).finish()
    }
}

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
//! | `stage_index`   | deals                       | pipeline stage `0..=5`; 4 = won, 5 = lost           |
//!
//! The data set looks like a Latin-American CRM: ~55% Brazilian, ~30% Spanish-speaking (MX, CO, AR, CL, PE,
//! ES) and ~15% US records, with names, cities, phone formats, tax ids, currencies and texts to match. All
//! dates are relative to a fixed "today", 2026-11-24; the system clock is never read.
//!
//! Output depends only on [`DemoConfig`]: the same seed always yields byte-identical records. Scales:
//! companies = contacts / 10 (at least 1), leads = contacts / 5, deals = contacts / 4,
//! activities = 5 × contacts.
//!
//! Guarantees worth knowing when writing tests against this data:
//! * every contact address is unique in the data set (the local part ends with the contact index);
//! * every company domain and every Brazilian CNPJ (valid check digits) is unique;
//! * ~10% of leads deliberately reuse a contact's first address, name, job title and company name (duplicate
//!   matching); every other lead address contains `_`, which contact addresses never do;
//! * deal amounts follow the same distribution whatever the currency (no exchange-rate scaling).

mod company;
mod geo;
mod ids;
mod names;
mod people;
mod records;
mod tables;
mod text;
mod util;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

use util::{DemoRng, Record, stream_rng};

const STREAM_CONTACTS: u64 = 10;
const STREAM_LEADS: u64 = 11;
const STREAM_DEALS: u64 = 12;
const STREAM_ACTIVITIES: u64 = 13;

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
    let leads = people::leads(t, &contacts, &infos, &mut stream_rng(config.seed, STREAM_LEADS));
    let deals = records::deals(t, &contacts, &infos, &mut stream_rng(config.seed, STREAM_DEALS));
    let activities = records::activities(t, &contacts, &mut stream_rng(config.seed, STREAM_ACTIVITIES));
    DemoData { companies, contacts, leads, deals, activities }
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

//! `operator sales --from --to`: every purchase of the period with its VAT
//! split (the receipt's), its outcome and what was captured, released and
//! refunded, then the totals: something an accountant can hold against
//! Vipps's settlement report.

use super::major;
use super::period::Bound;
use crate::domain::{Phase, SessionRecord};
use crate::store::{refunds, Store};

/// `operator sales`'s arguments.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
#[command(
    about = "Lists the purchases of a period with VAT, outcome, captured, released, refunded and totals",
    long_about = "Lists every purchase created in the period: time (UTC), machine, reference, \
product, slot, currency, amount, VAT rate, amount excluding VAT and VAT (as on the receipt), \
outcome, and what was captured, released (a reservation given back) and refunded, and the net \
(captured minus refunded); then a TOTAL line. Amounts are in major units (35.00). The VAT \
totals are those of the captured purchases.

DATE is a day, YYYY-MM-DD (UTC; --to includes that whole day), or an RFC 3339 time \
(2026-12-01T06:00:00Z; --to excludes it)."
)]
pub struct SalesArgs {
    /// The first day (or time) of the period.
    #[arg(long, value_name = "DATE", value_parser = Bound::parse)]
    pub from: Bound,
    /// The last day of the period (or the time it ends before).
    #[arg(long, value_name = "DATE", value_parser = Bound::parse)]
    pub to: Bound,
    /// csv (RFC 4180, for a spreadsheet or an accountant) or table (for reading).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Table,
}

const HEADER: [&str; 15] = [
    "time",
    "machine",
    "reference",
    "product",
    "slot",
    "currency",
    "amount",
    "vat_rate",
    "excl_vat",
    "vat",
    "outcome",
    "captured",
    "released",
    "refunded",
    "net",
];

/// One line's money, in minor units.
#[derive(Default)]
struct Money {
    amount: i64,
    excl: i64,
    vat: i64,
    captured: i64,
    released: i64,
    refunded: i64,
}

impl Money {
    fn of(r: &SessionRecord, refunded: i64) -> Money {
        let (excl, vat) = r.vat_split();
        let phase = r.status.phase();
        let captured = if phase == Phase::Completed {
            r.amount.value
        } else {
            0
        };
        // Approved, then given back because the vend failed (or was uncertain).
        let released = if phase == Phase::VendFailed {
            r.amount.value
        } else {
            0
        };
        Money {
            amount: r.amount.value,
            excl,
            vat,
            captured,
            released,
            refunded,
        }
    }

    fn add(&mut self, m: &Money) {
        self.amount += m.amount;
        if m.captured > 0 {
            self.excl += m.excl;
            self.vat += m.vat;
        }
        self.captured += m.captured;
        self.released += m.released;
        self.refunded += m.refunded;
    }
}

pub async fn run(store: &dyn Store, args: &SalesArgs) -> Result<String, String> {
    let (from, to) = (args.from.start(), args.to.end());
    if to <= from {
        return Err("--to must be after --from".into());
    }
    let sold = store.sales(from, to).await.map_err(|e| e.to_string())?;
    let mut lines = vec![HEADER.map(String::from).to_vec()];
    let mut total = Money::default();
    for r in &sold {
        let given = store
            .refunds(&r.reference)
            .await
            .map_err(|e| e.to_string())?;
        let m = Money::of(r, refunds::refunded(&given));
        total.add(&m);
        lines.push(line(r, &m));
    }
    lines.push(totals(sold.len(), &total));
    match args.format {
        Format::Csv => csv(&lines),
        Format::Table => Ok(table(&lines)),
    }
}

fn line(r: &SessionRecord, m: &Money) -> Vec<String> {
    vec![
        crate::store::rfc3339(r.created_at),
        r.machine.clone(),
        r.reference.clone(),
        r.product_name.clone(),
        r.slot.clone(),
        r.amount.currency.code().into(),
        major(m.amount),
        major(r.tax_rate),
        major(m.excl),
        major(m.vat),
        r.status.phase().as_str().into(),
        major(m.captured),
        major(m.released),
        major(m.refunded),
        major(m.captured - m.refunded),
    ]
}

fn totals(count: usize, t: &Money) -> Vec<String> {
    let mut row = vec![String::new(); HEADER.len()];
    row[0] = "TOTAL".into();
    row[2] = format!("{count} purchases");
    row[6] = major(t.amount);
    row[8] = major(t.excl);
    row[9] = major(t.vat);
    row[11] = major(t.captured);
    row[12] = major(t.released);
    row[13] = major(t.refunded);
    row[14] = major(t.captured - t.refunded);
    row
}

fn csv(lines: &[Vec<String>]) -> Result<String, String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for l in lines {
        out.write_record(l).map_err(|e| e.to_string())?;
    }
    let bytes = out.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

fn table(lines: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for l in lines {
        let cells: Vec<String> = l
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let lines = vec![vec![
            "Cola, 0,5 l".to_string(),
            "say \"hi\"".into(),
            "x".into(),
        ]];
        assert_eq!(
            csv(&lines).unwrap(),
            "\"Cola, 0,5 l\",\"say \"\"hi\"\"\",x\n"
        );
    }
}

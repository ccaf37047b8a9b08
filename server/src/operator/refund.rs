//! `operator refund REF`: gives back money of a captured purchase through
//! the ePayment refund call. The Idempotency-Key is derived from the
//! purchase, the amount and `--nth`, and the refund is written to the store
//! under it before it is asked for: the same command run twice (or after a
//! lost answer) refunds once.

use crate::config::Config;
use crate::domain::{Phase, SessionRecord};
use crate::epayment::model::Amount;
use crate::epayment::{EpaymentClient, EpaymentError, RetryPolicy};
use crate::store::{Refund, Store};
use std::time::Duration;
use time::OffsetDateTime;

use super::major;

/// `operator refund`'s arguments.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
#[command(
    about = "Refunds a captured purchase (all of it, or --amount) through Vipps",
    long_about = "Refunds a captured purchase (all of it, or --amount) through the ePayment \
refund call, records who and why in the store and shows what Vipps holds afterwards.

Running the same command twice refunds once: the Idempotency-Key is the purchase's \
reference, the amount and --nth. A deliberate second refund of the same amount (two \
partial refunds of 10.00) is --nth 2; a different amount is a different refund anyway. \
More than was captured and not yet refunded, or a purchase that was never captured, is \
refused.

It pays where the server pays: epayment.* of the configuration. A standalone demo server \
without credentials pays at its built-in simulator, which lives in the running server \
process: this command then talks to it at server.listen (run it with the server's own \
configuration). To reach another simulator, set VENDSCREEN_EPAYMENT_BASE_URL and the \
simulator's test credentials (VENDSCREEN_EPAYMENT_CLIENT_ID, _CLIENT_SECRET, \
_SUBSCRIPTION_KEY, _MSN; scripts/run-fleet lists them)."
)]
pub struct RefundArgs {
    /// The purchase's reference (shown small on the customer's screen).
    pub reference: String,
    /// How much, in minor units (3500 = 35.00); default: the whole purchase.
    #[arg(long, value_name = "MINOR", value_parser = clap::value_parser!(i64).range(1..))]
    pub amount: Option<i64>,
    /// Why, for the record (e.g. "nothing came out of slot A1").
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reason: String,
    /// Who is refunding; default: the login name ($SUDO_USER, $USER).
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// The how-manieth refund of this same amount of this purchase (a
    /// deliberate second one is 2).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub nth: u32,
}

/// A person waits on this command, and Vipps allows 5 refunds, captures
/// and cancels per reference a minute: a few quick tries, then the answer
/// "unknown, run it again" (which is safe: the same key refunds once).
const TRIES: RetryPolicy = RetryPolicy {
    attempts: Some(3),
    base_delay: Duration::from_millis(200),
    max_delay: Duration::from_secs(2),
};

pub async fn run(store: &dyn Store, config: &Config, args: &RefundArgs) -> Result<String, String> {
    let reference = &args.reference;
    let record = store.get(reference).await.map_err(|e| e.to_string())?;
    let record = record.ok_or_else(|| format!("no purchase {reference} in this store"))?;
    if record.status.phase() != Phase::Completed {
        return Err(format!(
            "{reference} was never captured (it is {}): only a completed purchase can be \
             refunded; a purchase that was not charged has nothing to give back",
            record.status.phase().as_str()
        ));
    }
    let amount = args.amount.unwrap_or(record.amount.value);
    let key = record.idempotency_key(&format!("refund-{amount}-{}", args.nth));
    let settings = crate::startup::epayment_settings(config, &local(config));
    let client = EpaymentClient::with_retry(settings, TRIES);
    let earlier = store.refunds(reference).await.map_err(|e| e.to_string())?;
    match earlier.iter().find(|r| r.key == key) {
        Some(done) if done.is_done() => return Ok(already(done, &record)),
        Some(unknown) => return send(store, &client, &record, unknown).await,
        None => {}
    }
    if let Some(open) = earlier.iter().find(|r| !r.is_done()) {
        return Err(format!(
            "an earlier refund of {} (asked {}) has no answer yet: run that command again \
             first (--amount {} ...), so nothing is refunded twice",
            major(open.amount),
            crate::store::rfc3339(open.requested_at),
            open.amount
        ));
    }
    check_room(&client, &record, amount)
        .await
        .map_err(|e| match config.uses_simulator() {
            true => format!("{e}\n(this demo pays at the simulator inside the running server, at {}: is it running?)", local(config)),
            false => e,
        })?;
    let asked = Refund {
        key,
        reference: reference.clone(),
        amount,
        reason: args.reason.clone(),
        operator: args.operator.clone().unwrap_or_else(login),
        requested_at: OffsetDateTime::now_utc(),
        done_at: None,
    };
    match store
        .begin_refund(&asked)
        .await
        .map_err(|e| e.to_string())?
    {
        // Another operator's identical command came first.
        Some(first) if first.is_done() => Ok(already(&first, &record)),
        Some(first) => send(store, &client, &record, &first).await,
        None => send(store, &client, &record, &asked).await,
    }
}

/// Refuses what Vipps would refuse, in words: nothing captured, or more
/// than is left of what was.
async fn check_room(
    client: &EpaymentClient,
    record: &SessionRecord,
    amount: i64,
) -> Result<(), String> {
    let reference = &record.reference;
    let payment = client
        .get_payment(reference)
        .await
        .map_err(|e| format!("could not read payment {reference} at Vipps: {e}"))?;
    let (captured, refunded) = (
        payment.aggregate.captured_amount.value,
        payment.aggregate.refunded_amount.value,
    );
    if captured == 0 {
        return Err(format!(
            "{reference} was never captured at Vipps: nothing to refund"
        ));
    }
    let left = captured - refunded;
    if amount > left {
        return Err(format!(
            "refusing to refund {} of {reference}: only {} is left ({} captured, {} refunded already)",
            major(amount),
            major(left),
            major(captured),
            major(refunded)
        ));
    }
    Ok(())
}

/// Asks Vipps for the refund written under `refund.key` and records its answer.
async fn send(
    store: &dyn Store,
    client: &EpaymentClient,
    record: &SessionRecord,
    refund: &Refund,
) -> Result<String, String> {
    let amount = Amount::new(record.amount.currency, refund.amount);
    match client.refund(&record.reference, amount, &refund.key).await {
        Ok(answer) => {
            let now = OffsetDateTime::now_utc();
            store
                .finish_refund(&refund.key, now)
                .await
                .map_err(|e| e.to_string())?;
            let a = &answer.aggregate;
            Ok(format!(
                "refunded {} {} of {} (Idempotency-Key {})\nVipps now holds: captured {}, refunded {}\n",
                major(refund.amount),
                record.amount.currency.code(),
                record.reference,
                refund.key,
                major(a.captured_amount.value),
                major(a.refunded_amount.value),
            ))
        }
        Err(e) if !e.is_transient() => {
            store
                .drop_refund(&refund.key)
                .await
                .map_err(|e| e.to_string())?;
            Err(format!(
                "Vipps refused the refund of {}: {}",
                record.reference,
                refused(&e)
            ))
        }
        Err(e) => Err(format!(
            "no answer from Vipps ({e}); the refund is recorded as asked for: run the same \
             command again to finish it (the same Idempotency-Key cannot refund twice)"
        )),
    }
}

fn refused(e: &EpaymentError) -> String {
    match e {
        EpaymentError::Api { status, title, .. } => format!("{status} {title}"),
        other => other.to_string(),
    }
}

fn already(done: &Refund, record: &SessionRecord) -> String {
    format!(
        "{} was refunded {} {} already (by {}, {}): nothing sent. A deliberate second \
         refund of the same amount is --nth 2.\n",
        record.reference,
        major(done.amount),
        record.amount.currency.code(),
        done.operator,
        done.done_at.map(crate::store::rfc3339).unwrap_or_default(),
    )
}

/// Where a standalone server's built-in simulator answers: its listener,
/// the loopback address when it listens on every interface.
fn local(config: &Config) -> String {
    let listen = &config.server.listen;
    match listen.parse::<std::net::SocketAddr>() {
        Ok(a) if a.ip().is_unspecified() => format!("http://127.0.0.1:{}", a.port()),
        _ => format!("http://{listen}"),
    }
}

fn login() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

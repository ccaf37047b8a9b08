//! What the display asks for: start a purchase, cancel it, and provider news.

use super::record::SessionRecord;
use super::state::{Event, Phase, Status};
use super::{Engine, EngineError};
use crate::epayment::client::{CreatePayment, OrderLine};
use crate::epayment::model::Amount;
use crate::epayment::EpaymentError;
use time::OffsetDateTime;
use vendscreen_protocol::{self as wire, EndReason};

/// The QR lives 10 minutes at Vipps; the machine may stop showing it sooner.
const QR_LIFETIME_S: u64 = 600;

impl Engine {
    /// Starts a purchase of `product_id` and creates its payment. Refuses when a
    /// purchase is unresolved or the machine cannot sell; no money moves then.
    pub async fn start_purchase(&self, product_id: &str) -> Result<wire::Session, EngineError> {
        let product = self
            .inner
            .settings
            .products
            .iter()
            .find(|p| p.id == product_id);
        let product = product
            .ok_or_else(|| EngineError::UnknownProduct(product_id.into()))?
            .clone();
        if !product.available {
            return Err(EngineError::SoldOut(product.id));
        }
        self.ensure_in_service().await?;
        let record = {
            let _serial = self.inner.transitions.lock().await;
            // A session flagged for an operator no longer holds the machine,
            // unless its money is still being settled.
            if self.inner.store.latest()?.is_some_and(|r| {
                !r.status.phase.is_final() && (!r.needs_operator || self.settling(&r.reference))
            }) {
                return Err(EngineError::Busy);
            }
            let record = self.new_record(&product)?;
            self.inner.store.insert(&record)?;
            record
        };
        self.publish_session(&record);
        self.create_payment(&record).await;
        self.session(&record.reference)
    }

    fn new_record(
        &self,
        product: &crate::config::ProductConfig,
    ) -> Result<SessionRecord, EngineError> {
        let machine = &self.inner.settings.machine;
        let seq = self.inner.store.next_seq()?;
        let tag = self.inner.store.install_tag()?;
        let now = OffsetDateTime::now_utc();
        let lifetime = machine.session_timeout_s.min(QR_LIFETIME_S) as i64;
        Ok(SessionRecord {
            reference: format!("{}-{tag}-{seq:06}", machine.pos_id),
            seq,
            product_id: product.id.clone(),
            product_name: product.name.clone(),
            slot: product.slot.clone(),
            amount: wire::Money::new(product.price, machine.currency),
            tax_rate: product.tax_rate,
            qr_url: None,
            qr_image: None,
            status: Status::new(Phase::Creating),
            needs_operator: false,
            created_at: now,
            expires_at: now + time::Duration::seconds(lifetime),
            authorized_at: None,
            ended_at: None,
        })
    }

    /// Calls create (same key and body on every attempt, also after a restart),
    /// stores the QR, and moves the session on.
    pub(super) async fn create_payment(&self, record: &SessionRecord) {
        let request = self.create_request(record);
        let key = record.idempotency_key("create");
        let reference = &record.reference;
        let result = self.inner.client.create_payment(&request, &key).await;
        self.note_reachability(!result.as_ref().is_err_and(|e| e.service_unusable()));
        match result {
            Ok(url) => match self.qr_for(url).await {
                Ok(qr) => {
                    self.store_qr(reference, qr).await;
                    self.offer(reference, Event::Created).await;
                }
                Err(e) => self.abandon_unshown(record, &e).await,
            },
            Err(e) => {
                tracing::error!(%reference, error = %e, "create failed");
                let reason = match e {
                    EpaymentError::Unreachable(_) => EndReason::PaymentServiceUnreachable,
                    EpaymentError::Api { .. } => EndReason::PaymentServiceRefused,
                };
                self.offer(reference, Event::CreateFailed(reason)).await;
            }
        }
    }

    /// The payment exists but its QR could not be fetched, so nobody can pay:
    /// showing an empty box while the countdown runs would only make the
    /// customer wait. The session ends `failed` first, so the webhook for our
    /// cancel finds nothing to move; then the payment is cancelled in full
    /// (not `cancelTransactionOnly`: we will never vend on it, so even an
    /// approval must be voided). Should that cancel fail after the client's
    /// retries, the payment expires unpaid at Vipps: nobody has its QR.
    async fn abandon_unshown(&self, record: &SessionRecord, e: &EpaymentError) {
        let reference = &record.reference;
        tracing::error!(%reference, error = %e, "no QR image to show; ending the purchase");
        let reason = EndReason::PaymentServiceUnreachable;
        self.offer(reference, Event::CreateFailed(reason)).await;
        let key = record.idempotency_key("cancel-unshown");
        if let Err(e) = self.inner.client.cancel(reference, false, &key).await {
            tracing::warn!(%reference, error = %e, "could not cancel the unshown payment");
        }
    }

    fn create_request(&self, record: &SessionRecord) -> CreatePayment {
        let amount = record.amount.value;
        // Prices include VAT: excl = total / (1 + rate), rounded to the nearest minor unit.
        let excluding =
            (amount * 10_000 + (10_000 + record.tax_rate) / 2) / (10_000 + record.tax_rate);
        CreatePayment {
            reference: record.reference.clone(),
            amount: Amount {
                currency: record.amount.currency,
                value: amount,
            },
            description: crate::config::payment_description(
                &record.product_name,
                &self.inner.settings.machine.name,
            ),
            pos_id: self.inner.settings.machine.pos_id.clone(),
            receipt_number: record.seq.to_string(),
            order_lines: vec![OrderLine {
                id: record.product_id.clone(),
                name: record.product_name.clone(),
                total_amount: amount,
                total_amount_excluding_tax: excluding,
                total_tax_amount: amount - excluding,
                tax_rate: record.tax_rate,
            }],
            qr_format: self.inner.settings.qr_format,
        }
    }

    /// The customer pressed Cancel. The answer says "cancelling"; the SSE
    /// stream tells which way it went (cancelled, or paid meanwhile and vending).
    pub async fn cancel(&self, reference: &str) -> Result<wire::Session, EngineError> {
        let record = self
            .inner
            .store
            .get(reference)?
            .ok_or_else(|| EngineError::UnknownSession(reference.into()))?;
        match record.status.phase {
            Phase::AwaitingPayment => {
                self.handle(
                    reference,
                    Event::CancelRequested(EndReason::CustomerCancelled),
                )
                .await?;
                self.session(reference)
            }
            Phase::Cancelled => self.session(reference),
            _ => Err(EngineError::NotCancellable),
        }
    }

    /// A verified webhook said something happened to `reference`. The payload
    /// is a signal; the payment itself is re-read before anything moves.
    pub async fn provider_news(&self, reference: &str) {
        if matches!(self.inner.store.get(reference), Ok(Some(_))) {
            self.refresh(reference).await;
        }
    }
}

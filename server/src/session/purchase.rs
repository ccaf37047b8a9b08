//! What the display asks for: start a purchase (and create its payment),
//! cancel it, and the news a webhook brings.

use super::worker::Step;
use super::{Engine, EngineError};
use crate::config::{MachineCatalog, ProductConfig};
use crate::domain::{Event, Phase, SessionRecord, Status};
use crate::epayment::client::{CreatePayment, OrderLine};
use crate::epayment::model::Amount;
use crate::epayment::EpaymentError;
use crate::store::{Due, Inserted};
use crate::telemetry::{metrics, purchase_span};
use std::time::Duration;
use time::OffsetDateTime;
use tracing::Instrument;
use vendscreen_protocol::{self as wire, EndReason};

/// The QR lives 10 minutes at Vipps; the machine may stop showing it sooner.
const QR_LIFETIME_S: u64 = 600;

/// Creating is done inline for the customer waiting at the screen; should
/// this process die meanwhile, a worker takes it up after this long.
const CREATE_TAKEOVER: Duration = Duration::from_secs(60);

impl Engine {
    /// Starts a purchase of `product_id` and creates its payment. Refuses when a
    /// purchase is unresolved or the machine cannot sell; no money moves then.
    pub async fn start_purchase(&self, product_id: &str) -> Result<wire::Session, EngineError> {
        let machine = self.machine_id().to_string();
        self.purchase(&machine, product_id, None).await
    }

    /// Starts a purchase on `machine`; `request_id` (a fleet edge's) makes a
    /// repeated request find the purchase it started.
    pub(super) async fn purchase(
        &self,
        machine: &str,
        product_id: &str,
        request_id: Option<&str>,
    ) -> Result<wire::Session, EngineError> {
        if let Some(request) = request_id {
            if let Some(existing) = self.inner.store.by_request(machine, request).await? {
                return self.wire(&existing).await;
            }
        }
        let catalog = self.catalog_of(machine).await?;
        let product = catalog.products.iter().find(|p| p.id == product_id);
        let product = product.ok_or_else(|| EngineError::UnknownProduct(product_id.into()))?;
        if !product.available {
            return Err(EngineError::SoldOut(product.id.clone()));
        }
        self.ensure_in_service(machine).await?;
        if self.machine_busy(machine).await? {
            return Err(EngineError::Busy);
        }
        let mut record = self.new_record(&catalog, product).await?;
        record.request_id = request_id.map(String::from);
        match self
            .inner
            .store
            .insert(&record, Due::In(CREATE_TAKEOVER))
            .await?
        {
            Inserted::New => {}
            Inserted::Busy => return Err(EngineError::Busy),
            Inserted::Existing(existing) => return self.wire(&existing).await,
        }
        metrics::purchase_started();
        self.publish_session(&record);
        let span = purchase_span(&record.reference, &record.machine);
        async {
            tracing::info!(product = %record.product_id, "purchase started");
            self.create_step(&record, false).await;
            self.session(&record.reference).await
        }
        .instrument(span)
        .await
    }

    /// Whether the machine's newest purchase still holds it. One flagged for
    /// an operator no longer does, unless its money is still being settled.
    async fn machine_busy(&self, machine: &str) -> Result<bool, EngineError> {
        let latest = self.inner.store.latest(machine).await?;
        Ok(latest.is_some_and(|r| {
            !r.status.phase().is_final() && (!r.needs_operator() || r.due_at.is_some())
        }))
    }

    async fn new_record(
        &self,
        catalog: &MachineCatalog,
        product: &ProductConfig,
    ) -> Result<SessionRecord, EngineError> {
        let machine = &catalog.machine;
        let store = &self.inner.store;
        let seq = store.next_seq(&machine.pos_id).await?;
        let tag = store.install_tag().await?;
        let now = OffsetDateTime::now_utc();
        let lifetime = machine.session_timeout_s.min(QR_LIFETIME_S) as i64;
        Ok(SessionRecord {
            reference: format!("{}-{tag}-{seq:06}", machine.pos_id),
            machine: machine.pos_id.clone(),
            seq,
            version: 0,
            product_id: product.id.clone(),
            // The receipt and the payment's description speak the machine's language.
            product_name: product.name_in(machine.locale).to_owned(),
            slot: product.slot.clone(),
            amount: wire::Money::new(product.price, machine.currency),
            tax_rate: product.tax_rate,
            qr_url: None,
            qr_image: None,
            status: Status::new(Phase::Creating),
            operator: None,
            created_at: now,
            expires_at: now + time::Duration::seconds(lifetime),
            authorized_at: None,
            ended_at: None,
            request_id: None,
            vend_acked_at: None,
            due_at: None,
            phase_since: Some(now),
            attempts: 0,
        })
    }

    /// Calls create (same key and body on every attempt, also after a
    /// restart), stores the QR, and moves the session on. A session taken
    /// over (after a restart) that can no longer be paid in time is cancelled:
    /// its customer has most likely gone.
    pub(super) async fn create_step(&self, record: &SessionRecord, takeover: bool) -> Step {
        let request = match self.create_request(record).await {
            Ok(request) => request,
            Err(e) => {
                tracing::error!(reference = %record.reference, error = %e, "no catalog to create with");
                return Step::retry_in(Duration::from_secs(5));
            }
        };
        let key = record.idempotency_key("create");
        let reference = &record.reference;
        let result = self.inner.client.create_payment(&request, &key).await;
        // The payment may exist at Vipps now; the store does not know yet.
        crate::failpoint::hit("create-sent");
        self.note_reachability(!result.as_ref().is_err_and(|e| e.service_unusable()));
        match result {
            Ok(url) => match self.qr_for(url).await {
                Ok(qr) => {
                    self.store_qr(reference, qr).await;
                    self.offer(reference, Event::Created).await;
                    if takeover && !super::unpaid::still_payable(record) {
                        let late = Event::CancelRequested(EndReason::Interrupted);
                        self.offer(reference, late).await;
                    }
                }
                Err(e) => self.abandon_unshown(record, &e).await,
            },
            Err(e) => {
                tracing::error!(%reference, error = %e, "create failed");
                let reason = match e {
                    // An answer we cannot read is no usable answer at all.
                    EpaymentError::Unreachable(_) | EpaymentError::Undecodable { .. } => {
                        EndReason::PaymentServiceUnreachable
                    }
                    EpaymentError::Api { .. } => EndReason::PaymentServiceRefused,
                };
                self.offer(reference, Event::CreateFailed(reason)).await;
            }
        }
        Step::Moved
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

    async fn create_request(&self, record: &SessionRecord) -> Result<CreatePayment, EngineError> {
        let amount = record.amount.value;
        let (excluding, tax) = record.vat_split();
        let catalog = self.catalog_of(&record.machine).await?;
        let machine = &catalog.machine;
        Ok(CreatePayment {
            reference: record.reference.clone(),
            amount: Amount {
                currency: record.amount.currency,
                value: amount,
            },
            description: crate::config::payment_description(&record.product_name, &machine.name),
            pos_id: record.machine.clone(),
            receipt_number: record.seq.to_string(),
            order_lines: vec![OrderLine {
                id: record.product_id.clone(),
                name: record.product_name.clone(),
                total_amount: amount,
                total_amount_excluding_tax: excluding,
                total_tax_amount: tax,
                tax_rate: record.tax_rate,
            }],
            qr_format: self.inner.settings.qr_format,
        })
    }

    /// The customer pressed Cancel. The answer says "cancelling"; the SSE
    /// stream tells which way it went (cancelled, or paid meanwhile and vending).
    pub async fn cancel(&self, reference: &str) -> Result<wire::Session, EngineError> {
        let record = self.record(reference).await?;
        match record.status.phase() {
            Phase::AwaitingPayment => {
                let span = purchase_span(reference, &record.machine);
                let event = Event::CancelRequested(EndReason::CustomerCancelled);
                self.handle(reference, event).instrument(span).await?;
                self.session(reference).await
            }
            Phase::Cancelled => self.session(reference).await,
            _ => Err(EngineError::NotCancellable),
        }
    }

    /// A signed webhook named this purchase but could not be read: its
    /// payment is re-read now, as after any news.
    pub async fn payment_news(&self, reference: &str) {
        match self.inner.store.wake(reference).await {
            Ok(()) => self.inner.wake.notify_one(),
            Err(e) => tracing::warn!(%reference, error = %e, "could not look at the payment"),
        }
    }

    /// The span of `reference`'s purchase (its machine read from the store),
    /// for lines about it logged outside the engine's own work.
    pub async fn span_of(&self, reference: &str) -> tracing::Span {
        match self.inner.store.get(reference).await {
            Ok(Some(record)) => purchase_span(reference, &record.machine),
            _ => tracing::Span::none(),
        }
    }

    /// A verified webhook arrived: recorded once, and an unpaid session is
    /// re-read now (the payload is a signal; the payment itself decides).
    /// False when the same delivery came before.
    pub async fn webhook_delivery(
        &self,
        reference: &str,
        name: &str,
        psp_reference: &str,
    ) -> Result<bool, EngineError> {
        let fresh = self
            .inner
            .store
            .record_webhook(reference, name, psp_reference)
            .await?;
        if fresh {
            self.inner.wake.notify_one();
        }
        Ok(fresh)
    }
}

//! The worker's promises about leases, on a real SQLite store.

use super::*;
use crate::config::{Config, MachineCatalog};
use crate::dispenser::Dispenser;
use crate::epayment::EpaymentClient;
use crate::store::{conformance, SqliteStore, Store};
use std::sync::Arc;

/// An engine on a fresh store; its payment client is never called here.
fn engine(dir: &tempfile::TempDir) -> (Engine, Arc<dyn Store>) {
    let config = Config::from_sources("", Vec::new()).unwrap();
    let path = dir.path().join("vendscreen.db");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, "vm-1").unwrap());
    let client = EpaymentClient::new(crate::startup::epayment_settings(
        &config,
        "http://127.0.0.1:9",
    ));
    let catalog = MachineCatalog {
        machine: config.machine.clone(),
        products: config.products.clone(),
    };
    let settings = super::super::EngineSettings::from_config(&config);
    let dispenser = Dispenser::from_config(&config.dispenser);
    let engine = Engine::new(store.clone(), client, dispenser, catalog, settings);
    (engine, store)
}

/// The race the bench met (a Cancel that took 15 s): a drive gives its lease
/// back, the customer's cancel makes the session due at once and the worker
/// claims it, before the first drive has taken its running mark away. The
/// second drive may not run, but must not sit on the lease it was given:
/// the session would wait a whole lease for the next worker.
#[tokio::test]
async fn a_claim_that_finds_the_session_running_here_gives_its_lease_back() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, store) = engine(&dir);
    let record = conformance::record(store.as_ref(), "vm-1", Phase::AwaitingPayment).await;
    store.insert(&record, Due::Now).await.unwrap();
    let owner = engine.inner.owner.clone();
    let claimed = store.claim_due(&owner, LEASE, 8).await.unwrap();
    assert_eq!(claimed.len(), 1);
    // A drive of the same session is still finishing in this process.
    assert!(engine.lock_running(&record.reference));
    engine.drive(claimed[0].clone()).await;
    let again = store
        .claim(&record.reference, "another", LEASE)
        .await
        .unwrap();
    assert!(
        again.is_some(),
        "the lease was kept by a drive that did not run"
    );
}

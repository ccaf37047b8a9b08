//! The store keeps sessions across a restart on the same file.

use crate::helpers::{spawn_app, spawn_in};
use vendscreen_protocol::SessionState as S;

#[tokio::test]
async fn a_completed_session_is_still_there_after_a_restart() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.wait_for(&session.reference, S::Completed).await;
    let dir = app.dir;
    let again = spawn_in(dir, &[]).await;
    assert_eq!(again.session(&session.reference).await.state, S::Completed);
    let next = again.buy("cola").await;
    assert_ne!(
        next.reference, session.reference,
        "references are never reused"
    );
}

#[tokio::test]
async fn a_payment_the_restarted_demo_simulator_forgot_ends_failed_not_stuck() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    // The in-process simulator keeps payments in memory: a restart forgets them.
    let again = spawn_in(app.dir, &[]).await;
    let ended = again.wait_for(&session.reference, S::Failed).await;
    assert_eq!(
        ended.reason,
        Some(vendscreen_protocol::EndReason::Interrupted)
    );
    again.buy("water").await;
}

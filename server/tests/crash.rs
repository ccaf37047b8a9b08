//! Crash tests: the real `vendscreen-server` binary as a child process, killed
//! (SIGKILL, or an abort at a named crash point) at each step of a purchase,
//! then restarted on the same SQLite file. "Vipps" is a second server process
//! running only as the simulator, so the payment outlives the crash.
//!
//! After every restart: no double vend, no capture without a confirmed vend,
//! no reservation left open.

#[path = "support/ports.rs"]
mod ports;
#[path = "support/vipps.rs"]
mod vipps;
#[path = "support/wait.rs"]
mod wait;

use ports::free_port;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use tokio::process::{Child, Command};
use vipps::RawVipps;
use wait::wait_for;

const BIN: &str = env!("CARGO_BIN_EXE_vendscreen-server");

/// A running server process and what it needs to be restarted.
struct Proc {
    child: Child,
    base: String,
}

async fn start(env: &[(&str, String)]) -> Proc {
    let port = env
        .iter()
        .find(|(k, _)| *k == "VENDSCREEN_SERVER_LISTEN")
        .map(|(_, v)| v.clone())
        .unwrap();
    let mut cmd = Command::new(BIN);
    cmd.envs(env.iter().map(|(k, v)| (k.to_string(), v.clone())))
        .env("RUST_LOG", "vendscreen_server=info")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let proc = Proc {
        child: cmd.spawn().unwrap(),
        base: format!("http://{port}"),
    };
    let mut proc = proc;
    let health = format!("{}/healthz", proc.base);
    let what = format!("the server on {port} to start");
    wait_for(&what, Duration::from_secs(20), async || {
        reqwest::get(&health).await.ok().map(|_| ())
    })
    .await;
    // The answer must come from our child, not from whoever else holds the port.
    let exited = proc.child.try_wait().unwrap();
    assert!(exited.is_none(), "server on {port} exited: {exited:?}");
    proc
}

/// One crash scenario's world: a Vipps simulator process, a store, a dispenser log.
struct World {
    dir: tempfile::TempDir,
    vipps: Proc,
    port: u16,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let vipps_port = free_port();
        let vipps = start(&[
            (
                "VENDSCREEN_SERVER_LISTEN",
                format!("127.0.0.1:{vipps_port}"),
            ),
            (
                "VENDSCREEN_STORE_PATH",
                dir.path().join("vipps.db").display().to_string(),
            ),
            ("VENDSCREEN_WEBHOOK_ENABLED", "false".into()),
        ])
        .await;
        write_dispenser(dir.path());
        World {
            dir,
            vipps,
            port: free_port(),
        }
    }

    /// Starts the machine's server, optionally set to crash at `crash_at`.
    async fn machine(&self, crash_at: Option<&str>) -> Proc {
        let mut env = self.machine_env();
        if let Some(point) = crash_at {
            env.push(("VENDSCREEN_CRASH_AT", point.into()));
        }
        start(&env).await
    }

    /// `vendscreen-server operator …` on the machine's configuration: its
    /// exit status and what it printed.
    async fn operator(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new(BIN)
            .envs(
                self.machine_env()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v)),
            )
            .arg("operator")
            .args(args)
            .output()
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        (
            out.status.success(),
            text + &String::from_utf8_lossy(&out.stderr),
        )
    }

    /// The machine's settings: "Vipps" is the other process, vends are logged.
    fn machine_env(&self) -> Vec<(&'static str, String)> {
        let d = self.dir.path();
        vec![
            (
                "VENDSCREEN_SERVER_LISTEN",
                format!("127.0.0.1:{}", self.port),
            ),
            (
                "VENDSCREEN_STORE_PATH",
                d.join("machine.db").display().to_string(),
            ),
            ("VENDSCREEN_EPAYMENT_BASE_URL", self.vipps.base.clone()),
            (
                "VENDSCREEN_EPAYMENT_CLIENT_ID",
                "fb492b5e-7907-4d83-bc20-c7fb60ca35de".into(),
            ),
            (
                "VENDSCREEN_EPAYMENT_CLIENT_SECRET",
                "Y8Kteew6GE3ZmeycEt6egg==".into(),
            ),
            (
                "VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY",
                "0f14ebcab0ec4b29ae0cb90d91b4a84a".into(),
            ),
            ("VENDSCREEN_EPAYMENT_MSN", "123456".into()),
            ("VENDSCREEN_MACHINE_POS_ID", "vm-crash-1".into()),
            ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "300".into()),
            ("VENDSCREEN_EPAYMENT_POLL_INTERVAL_MS", "300".into()),
            (
                "VENDSCREEN_WEBHOOK_PUBLIC_URL",
                format!("http://127.0.0.1:{}/webhooks/epayment", self.port),
            ),
            ("VENDSCREEN_DISPENSER_KIND", "command".into()),
            (
                "VENDSCREEN_DISPENSER_COMMAND",
                d.join("dispense.sh").display().to_string(),
            ),
        ]
    }

    fn vend_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("vends.log")).unwrap_or_default()
    }

    fn fail_vends(&self) {
        std::fs::write(self.dir.path().join("fail"), "").unwrap();
    }

    async fn approve(&self, reference: &str) {
        let url = format!("{}/sim/payments/{reference}/approve", self.vipps.base);
        let resp = reqwest::Client::new().post(url).send().await.unwrap();
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "approve {reference}: {status} {body}");
    }

    /// The process playing Vipps, read raw (its API's JSON, its request log).
    fn vipps(&self) -> RawVipps {
        RawVipps::at(&self.vipps.base)
    }

    /// The payment's aggregate at "Vipps".
    async fn aggregate(&self, reference: &str) -> Value {
        self.vipps().payment(reference).await["aggregate"].clone()
    }
}

/// The dispenser: logs "start REF", takes a moment (longer while a `hold`
/// file exists), then "done REF" (exit 0), or fails (exit 1) while a `fail`
/// file exists.
fn write_dispenser(dir: &Path) {
    let script: PathBuf = dir.join("dispense.sh");
    let log = dir.join("vends.log");
    let fail = dir.join("fail");
    let hold = dir.join("hold");
    let body = format!(
        "#!/bin/sh\necho \"start $2\" >> '{log}'\nsleep 0.3\nwhile [ -e '{hold}' ]; do sleep 0.05; done\nif [ -e '{fail}' ]; then exit 1; fi\necho \"done $2\" >> '{log}'\n",
        log = log.display(),
        fail = fail.display(),
        hold = hold.display(),
    );
    std::fs::write(&script, body).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
}

async fn buy(machine: &Proc) -> Option<String> {
    let resp = reqwest::Client::new()
        .post(format!("{}/api/sessions", machine.base))
        .json(&json!({ "productId": "cola" }))
        .send()
        .await
        .ok()?;
    let session: Value = resp.json().await.ok()?;
    session["reference"].as_str().map(String::from)
}

async fn state(machine: &Proc, reference: &str) -> Option<String> {
    let url = format!("{}/api/sessions/{reference}", machine.base);
    let session: Value = reqwest::get(url).await.ok()?.json().await.ok()?;
    session["state"].as_str().map(String::from)
}

async fn wait_for_state(machine: &Proc, reference: &str, wanted: &[&str]) -> String {
    let what = format!("{reference} to reach {wanted:?}");
    wait_for(&what, Duration::from_secs(30), async || {
        state(machine, reference)
            .await
            .filter(|s| wanted.contains(&s.as_str()))
    })
    .await
}

async fn wait_for_exit(machine: &mut Proc) {
    let exited = tokio::time::timeout(Duration::from_secs(30), machine.child.wait()).await;
    assert!(exited.is_ok(), "the server never reached its crash point");
}

/// The three promises, checked against Vipps's books and the dispenser's log.
async fn assert_consistent(world: &World, reference: &str, final_state: &str) {
    let vends = world.vend_log();
    let started = vends
        .lines()
        .filter(|l| *l == format!("start {reference}"))
        .count();
    let confirmed = vends.lines().any(|l| *l == format!("done {reference}"));
    let a = world.aggregate(reference).await;
    let value = |k: &str| a[k]["value"].as_i64().unwrap();
    let (authorized, captured, cancelled) = (
        value("authorizedAmount"),
        value("capturedAmount"),
        value("cancelledAmount"),
    );
    assert!(started <= 1, "vended {started} times:\n{vends}");
    assert!(
        captured == 0 || confirmed,
        "captured {captured} without a confirmed vend"
    );
    assert_eq!(
        captured + cancelled,
        authorized,
        "a reservation is left open: {a}"
    );
    assert!(captured == 0 || captured == 3500, "captured {captured}");
    let expect_captured = final_state == "completed";
    assert_eq!(
        captured == 3500,
        expect_captured,
        "{final_state} but captured {captured}"
    );
    if expect_captured {
        // Not made twice, as Vipps's own log tells it: a retry after the
        // restart must carry the key of the call it repeats.
        world.vipps().assert_captured_under_one_key(reference).await;
    }
}

/// Approves, lets the machine crash at `point`, restarts it, checks the books.
async fn crash_after_approval(point: &str, fail_vend: bool, expected: &[&str]) {
    let world = World::new().await;
    if fail_vend {
        world.fail_vends();
    }
    let mut machine = world.machine(Some(point)).await;
    let reference = buy(&machine).await.expect("purchase started");
    world.approve(&reference).await;
    wait_for_exit(&mut machine).await;
    let machine = world.machine(None).await;
    let ended = wait_for_state(&machine, &reference, &["completed", "vendFailed"]).await;
    assert!(
        expected.contains(&ended.as_str()),
        "{point}: ended {ended}, expected {expected:?}"
    );
    assert_consistent(&world, &reference, &ended).await;
}

#[tokio::test]
async fn sigkill_while_awaiting_payment_then_the_customer_pays_after_the_restart() {
    let world = World::new().await;
    let mut machine = world.machine(None).await;
    let reference = buy(&machine).await.unwrap();
    machine.child.kill().await.unwrap();
    let machine = world.machine(None).await;
    wait_for_state(&machine, &reference, &["awaitingPayment"]).await;
    world.approve(&reference).await;
    let ended = wait_for_state(&machine, &reference, &["completed"]).await;
    assert_consistent(&world, &reference, &ended).await;
}

#[tokio::test]
async fn crash_just_after_authorization_vends_once_after_the_restart() {
    crash_after_approval("authorized", false, &["completed"]).await;
}

/// The crash point named after a phase fires once that phase is stored:
/// "vending" is after the vend was recorded and before the dispenser was
/// told. Nothing dropped, but the restarted server cannot know that, so it
/// releases and asks a person (the real mid-vend case is the SIGKILL below).
#[tokio::test]
async fn crash_after_the_vend_is_recorded_before_the_dispenser_starts_releases_and_asks_for_the_operator(
) {
    let world = World::new().await;
    let mut machine = world.machine(Some("vending")).await;
    let reference = buy(&machine).await.expect("purchase started");
    world.approve(&reference).await;
    wait_for_exit(&mut machine).await;
    assert_eq!(world.vend_log(), "", "the dispenser was never told");
    let machine = world.machine(None).await;
    let ended = wait_for_state(&machine, &reference, &["completed", "vendFailed"]).await;
    assert_eq!(ended, "vendFailed");
    assert_consistent(&world, &reference, &ended).await;
    wait_until_only_awaiting_operator(&machine, &reference).await;
}

/// The machine's `/healthz` list of purchases waiting for a person.
async fn awaiting_operator(machine: &Proc) -> Vec<String> {
    let url = format!("{}/healthz", machine.base);
    let health: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    serde_json::from_value(health["needsOperator"].clone()).unwrap()
}

/// Waits until `reference`, and nothing else, is listed for a person.
async fn wait_until_only_awaiting_operator(machine: &Proc, reference: &str) {
    let what = format!("{reference} alone to be flagged for a person");
    wait_for(&what, Duration::from_secs(20), async || {
        (awaiting_operator(machine).await == [reference]).then_some(())
    })
    .await
}

#[tokio::test]
async fn sigkill_while_the_dispenser_runs_never_captures_and_asks_for_the_operator() {
    let world = World::new().await;
    let mut machine = world.machine(None).await;
    let reference = buy(&machine).await.unwrap();
    world.approve(&reference).await;
    world.wait_for_vend_start(&reference).await;
    machine.child.kill().await.unwrap();
    let machine = world.machine(None).await;
    let ended = wait_for_state(&machine, &reference, &["completed", "vendFailed"]).await;
    assert_eq!(ended, "vendFailed");
    assert_consistent(&world, &reference, &ended).await;
    // Did the item drop? Nobody knows: a person must look.
    wait_until_only_awaiting_operator(&machine, &reference).await;
    let (ok, listed) = world.operator(&["list"]).await;
    assert!(
        ok && listed.contains(&reference) && listed.contains("vendFailed"),
        "{listed}"
    );
    let (ok, said) = world.operator(&["resolve", &reference]).await;
    assert!(ok, "{said}");
    assert!(awaiting_operator(&machine).await.is_empty());
    let (ok, said) = world.operator(&["resolve", &reference]).await;
    assert!(!ok && said.contains("not waiting"), "{said}");
}

#[tokio::test]
async fn crash_before_the_capture_call_captures_once_after_the_restart() {
    crash_after_approval("capturing", false, &["completed"]).await;
}

#[tokio::test]
async fn crash_after_the_capture_was_sent_does_not_capture_twice() {
    crash_after_approval("capture-sent", false, &["completed"]).await;
}

#[tokio::test]
async fn crash_while_releasing_a_failed_vend_releases_after_the_restart() {
    crash_after_approval("releasing", true, &["vendFailed"]).await;
}

#[tokio::test]
async fn sigterm_ends_open_event_streams_and_the_server_exits() {
    let world = World::new().await;
    let mut machine = world.machine(None).await;
    let mut stream = reqwest::get(format!("{}/api/events", machine.base))
        .await
        .unwrap();
    assert!(stream.chunk().await.unwrap().is_some(), "no snapshot");
    let pid = machine.child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let drained = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    });
    assert!(
        drained.await.is_ok(),
        "the event stream stayed open after SIGTERM"
    );
    let exited = tokio::time::timeout(Duration::from_secs(10), machine.child.wait()).await;
    assert!(exited.expect("the server did not exit").unwrap().success());
}

/// Asks the simulator playing Vipps to fail `endpoint` (see `simulator::Fault`).
async fn vipps_fault(world: &World, fault: Value) {
    let url = format!("{}/sim/faults", world.vipps.base);
    let resp = reqwest::Client::new()
        .post(url)
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204, "fault {fault}");
}

#[tokio::test]
async fn an_older_purchase_settling_late_never_takes_over_the_screen_of_the_newer_one() {
    let world = World::new().await;
    let mut machine = world.machine(None).await;
    // A: vended, but Vipps refuses its capture for good, so it waits for a person
    // and no longer holds the machine; B is bought.
    vipps_fault(&world, json!({ "endpoint": "capture", "status": 400 })).await;
    let a = buy(&machine).await.unwrap();
    world.approve(&a).await;
    wait_until_only_awaiting_operator(&machine, &a).await;
    let b = buy(&machine).await.expect("B starts beside a flagged A");
    wait_for_state(&machine, &b, &["awaitingPayment"]).await;
    // Restarted while Vipps answers captures with 503: A's capture is retried.
    vipps_fault(
        &world,
        json!({ "endpoint": "capture", "status": 503, "times": 1000 }),
    )
    .await;
    machine.child.kill().await.unwrap();
    wait_for_exit(&mut machine).await;
    let machine = world.machine(None).await;
    let mut screen = reqwest::get(format!("{}/api/events", machine.base))
        .await
        .unwrap();
    // Vipps recovers: A is captured now, while B is on the screen.
    let cleared = reqwest::Client::new()
        .delete(format!("{}/sim/faults", world.vipps.base))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    wait_for_state(&machine, &a, &["completed"]).await;
    // Events leave in the store's order, so once B's cancel is on the stream,
    // anything about A would have been too.
    let resp = reqwest::Client::new()
        .post(format!("{}/api/sessions/{b}/cancel", machine.base))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "cancel B: {}", resp.status());
    let mut seen = String::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        while !seen.contains("\"state\":\"cancelled\"") {
            let chunk = screen.chunk().await.unwrap().expect("stream open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    });
    assert!(
        read.await.is_ok(),
        "B's cancel never reached the screen:\n{seen}"
    );
    assert!(seen.contains(&b), "{seen}");
    assert!(!seen.contains(&a), "A reached B's screen:\n{seen}");
}

impl World {
    /// Moves "Vipps"'s clock on by `seconds`.
    async fn advance_vipps_clock(&self, seconds: u64) {
        let url = format!("{}/sim/clock/advance", self.vipps.base);
        let body = json!({ "seconds": seconds });
        let resp = reqwest::Client::new().post(url).json(&body).send().await;
        assert!(resp.unwrap().status().is_success());
    }

    /// Waits until the dispenser has been told to vend `reference`.
    async fn wait_for_vend_start(&self, reference: &str) {
        let started = format!("start {reference}");
        wait_for("the vend to start", Duration::from_secs(20), async || {
            self.vend_log().contains(&started).then_some(())
        })
        .await
    }
}

#[tokio::test]
async fn sigkill_then_the_customer_approves_and_the_restart_comes_too_late_to_vend() {
    let world = World::new().await;
    let mut machine = world.machine(None).await;
    let reference = buy(&machine).await.unwrap();
    wait_for_state(&machine, &reference, &["awaitingPayment"]).await;
    machine.child.kill().await.unwrap();
    world.approve(&reference).await;
    // The machine is back three minutes later by Vipps's clock: past the
    // 2-minute vend window. Nobody is at the machine any more.
    world.advance_vipps_clock(180).await;
    let machine = world.machine(None).await;
    let ended = wait_for_state(&machine, &reference, &["completed", "vendFailed"]).await;
    assert_eq!(ended, "vendFailed");
    let session: Value = reqwest::get(format!("{}/api/sessions/{reference}", machine.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["reason"], "approvalTooLate");
    assert!(world.vend_log().is_empty(), "{}", world.vend_log());
    assert_consistent(&world, &reference, &ended).await;
}

/// `/healthz` status and its `storeWritable`.
async fn store_health(machine: &Proc) -> (u16, Value) {
    let resp = reqwest::get(format!("{}/healthz", machine.base))
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        resp.json::<Value>().await.unwrap()["storeWritable"].clone(),
    )
}

#[tokio::test]
async fn a_store_write_locked_by_another_process_mid_vend_lands_once_the_lock_is_gone() {
    let world = World::new().await;
    let machine = world.machine(None).await;
    let reference = buy(&machine).await.unwrap();
    let hold = world.dir.path().join("hold");
    std::fs::write(&hold, "").unwrap();
    world.approve(&reference).await;
    world.wait_for_vend_start(&reference).await;
    // Another process (this test) takes the store's write lock while the
    // item drops; the engine's record of the vend cannot be written.
    let mut other = rusqlite::Connection::open(world.dir.path().join("machine.db")).unwrap();
    let lock = other
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    std::fs::remove_file(&hold).unwrap();
    let refusing = (503, json!(false));
    let what = "/healthz to say the store refuses writes";
    wait_for(what, Duration::from_secs(20), async || {
        (store_health(&machine).await == refusing).then_some(())
    })
    .await;
    assert!(world.vend_log().contains(&format!("done {reference}")));
    drop(lock);
    let ended = wait_for_state(&machine, &reference, &["completed", "vendFailed"]).await;
    assert_eq!(ended, "completed");
    assert_consistent(&world, &reference, &ended).await;
    assert_eq!(store_health(&machine).await, (200, json!(true)));
}

impl World {
    /// Starts the machine's server with `extra` settings (later ones win).
    async fn machine_with(&self, crash_at: Option<&str>, extra: &[(&'static str, &str)]) -> Proc {
        let mut env = self.machine_env();
        env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        if let Some(point) = crash_at {
            env.push(("VENDSCREEN_CRASH_AT", point.into()));
        }
        start(&env).await
    }

    /// The one reference "Vipps" was asked to create a payment for.
    async fn created_reference(&self) -> String {
        let log = self.vipps().log().await;
        let creates: Vec<&Value> = log.iter().filter(|c| c["operation"] == "create").collect();
        assert_eq!(creates.len(), 1, "{log:?}");
        creates[0]["reference"].as_str().unwrap().to_string()
    }

    /// The payment's state at "Vipps" (`CREATED`, `TERMINATED`, …).
    async fn payment_state(&self, reference: &str) -> String {
        let payment = self.vipps().payment(reference).await;
        payment["state"].as_str().unwrap().to_string()
    }
}

/// A purchase that ended unpaid: Vipps terminated the payment, nothing was
/// ever reserved or captured, the dispenser was never told, no capture sent.
async fn assert_never_charged(world: &World, reference: &str) {
    assert_eq!(world.payment_state(reference).await, "TERMINATED");
    let a = world.aggregate(reference).await;
    assert_eq!(a["authorizedAmount"]["value"], 0, "{a}");
    assert_eq!(a["capturedAmount"]["value"], 0, "{a}");
    assert_eq!(world.vend_log(), "");
    let calls = world.vipps().money_calls(reference).await;
    assert!(
        calls.iter().all(|c| c["operation"] != "capture"),
        "{calls:?}"
    );
}

/// The create calls "Vipps" was sent for `reference`: (key, replayed) each.
async fn creates(world: &World, reference: &str) -> Vec<(String, bool)> {
    let calls = world.vipps().money_calls(reference).await;
    let creates = calls.iter().filter(|c| c["operation"] == "create");
    let key = |c: &Value| c["idempotencyKey"].as_str().unwrap_or("(none)").to_string();
    creates.map(|c| (key(c), c["replayed"] == true)).collect()
}

#[tokio::test]
async fn crash_after_the_create_call_resumes_the_same_payment_and_sells_after_the_restart() {
    let world = World::new().await;
    let mut machine = world.machine(Some("create-sent")).await;
    // The payment exists at Vipps; the machine dies before storing its QR.
    assert_eq!(
        buy(&machine).await,
        None,
        "the purchase answered before the crash"
    );
    wait_for_exit(&mut machine).await;
    let reference = world.created_reference().await;
    let machine = world.machine(None).await;
    wait_for_state(&machine, &reference, &["awaitingPayment"]).await;
    // The create was repeated under its key: the same payment, not a second one.
    let key = format!("{reference}-create");
    assert_eq!(
        creates(&world, &reference).await,
        [(key.clone(), false), (key, true)]
    );
    world.approve(&reference).await;
    let ended = wait_for_state(&machine, &reference, &["completed"]).await;
    assert_consistent(&world, &reference, &ended).await;
}

#[tokio::test]
async fn crash_after_the_create_call_and_a_restart_too_late_to_pay_cancels_the_payment() {
    let world = World::new().await;
    // A payable minute is left at most: too little to show a QR again.
    let short = [("VENDSCREEN_MACHINE_SESSION_TIMEOUT_S", "20")];
    let mut machine = world.machine_with(Some("create-sent"), &short).await;
    assert_eq!(buy(&machine).await, None);
    wait_for_exit(&mut machine).await;
    let reference = world.created_reference().await;
    let machine = world.machine_with(None, &short).await;
    wait_for_state(&machine, &reference, &["cancelled"]).await;
    let session: Value = reqwest::get(format!("{}/api/sessions/{reference}", machine.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["reason"], "interrupted");
    assert_never_charged(&world, &reference).await;
}

#[tokio::test]
async fn sigkill_with_the_customers_cancel_in_flight_finishes_it_after_the_restart() {
    let world = World::new().await;
    let mut machine = world.machine(None).await;
    let reference = buy(&machine).await.unwrap();
    wait_for_state(&machine, &reference, &["awaitingPayment"]).await;
    // Vipps cancels the payment, but its answer is held back: the machine
    // dies not knowing the cancel went through.
    let held = json!({ "endpoint": "cancel", "afterProcessing": true, "delayMs": 60_000 });
    vipps_fault(&world, held).await;
    let cancel = reqwest::Client::new()
        .post(format!("{}/api/sessions/{reference}/cancel", machine.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 202);
    let what = "Vipps to have cancelled the payment";
    wait_for(what, Duration::from_secs(20), async || {
        (world.payment_state(&reference).await == "TERMINATED").then_some(())
    })
    .await;
    let before = state(&machine, &reference).await;
    machine.child.kill().await.unwrap();
    assert_eq!(
        before.as_deref(),
        Some("awaitingPayment"),
        "the answer was held"
    );
    let machine = world.machine(None).await;
    wait_for_state(&machine, &reference, &["cancelled"]).await;
    let url = format!("{}/api/sessions/{reference}", machine.base);
    let session: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(session["reason"], "customerCancelled");
    assert_never_charged(&world, &reference).await;
}

#[tokio::test]
async fn sigkill_then_a_restart_past_the_sessions_expiry_cancels_the_unpaid_payment() {
    let world = World::new().await;
    // Short, but long enough that a busy machine (tests run in parallel on
    // two cores) kills the server before its own timeout cancels: at 3 s
    // the machine once got there first and the payment was TERMINATED.
    let short = [("VENDSCREEN_MACHINE_SESSION_TIMEOUT_S", "10")];
    let mut machine = world.machine_with(None, &short).await;
    let reference = buy(&machine).await.unwrap();
    wait_for_state(&machine, &reference, &["awaitingPayment"]).await;
    let url = format!("{}/api/sessions/{reference}", machine.base);
    let session: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    machine.child.kill().await.unwrap();
    let expires = session["expiresAt"].as_str().unwrap();
    let expires = time::OffsetDateTime::parse(expires, &Rfc3339).unwrap();
    wait_for(
        "the session to expire",
        Duration::from_secs(30),
        async || (time::OffsetDateTime::now_utc() > expires).then_some(()),
    )
    .await;
    assert_eq!(world.payment_state(&reference).await, "CREATED");
    let machine = world.machine_with(None, &short).await;
    wait_for_state(&machine, &reference, &["cancelled"]).await;
    let url = format!("{}/api/sessions/{reference}", machine.base);
    let session: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(session["reason"], "sessionTimeout");
    assert_never_charged(&world, &reference).await;
}

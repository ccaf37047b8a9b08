//! A TCP proxy between an edge and its hub whose link a test can cut (every
//! connection closed, new ones refused) and restore: a cable pulled and
//! plugged back in, as far as both ends can tell. It can also lose the
//! answer to one request: the request reaches the hub, its answer never
//! comes back (the connection closes), so the caller must retry.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    /// `http://127.0.0.1:PORT`: give this to the edge as its hub.
    pub url: String,
    cut: Arc<watch::Sender<bool>>,
    lose: Lose,
    accepting: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// A proxy to `upstream` (`http://host:port`), open.
    pub async fn to(upstream: &str) -> Proxy {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (cut, _) = watch::channel(false);
        let cut = Arc::new(cut);
        let lose = Lose::default();
        let accepting = tokio::spawn(accept(listener, upstream, cut.clone(), lose.clone()));
        Proxy {
            url,
            cut,
            lose,
            accepting,
        }
    }

    /// Closes every connection through the proxy and refuses new ones.
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    pub fn restore(&self) {
        self.cut.send_replace(false);
    }

    /// The next request starting with `start` (e.g. `POST /fleet/v1/sessions `)
    /// reaches the hub; its answer is lost with its connection.
    pub fn lose_answer_to(&self, start: &str) {
        *self.lose.0.lock().unwrap() = Some(start.as_bytes().to_vec());
    }
}

/// The request whose answer is to be lost, until it passes.
#[derive(Clone, Default)]
struct Lose(Arc<Mutex<Option<Vec<u8>>>>);

impl Lose {
    /// True (once) when `chunk` starts the request whose answer is lost.
    fn matches(&self, chunk: &[u8]) -> bool {
        let mut wanted = self.0.lock().unwrap();
        let hit = wanted.as_ref().is_some_and(|w| chunk.starts_with(w));
        if hit {
            *wanted = None;
        }
        hit
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accepting.abort();
        self.cut();
    }
}

async fn accept(
    listener: TcpListener,
    upstream: String,
    cut: Arc<watch::Sender<bool>>,
    lose: Lose,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if *cut.borrow() {
            drop(client); // Refused: closed at once.
            continue;
        }
        tokio::spawn(pipe(
            client,
            upstream.clone(),
            cut.subscribe(),
            lose.clone(),
        ));
    }
}

/// Carries one connection both ways until either end closes or the link is
/// cut (or the answer to a lost request would pass).
async fn pipe(client: TcpStream, upstream: String, mut cut: watch::Receiver<bool>, lose: Lose) {
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let doomed = Arc::new(AtomicBool::new(false));
    let marked = doomed.clone();
    let up = async move {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n @ 1..) = from_client.read(&mut buf).await {
            if lose.matches(&buf[..n]) {
                marked.store(true, Ordering::SeqCst);
            }
            if to_server.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    let down = async move {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n @ 1..) = from_server.read(&mut buf).await {
            if doomed.load(Ordering::SeqCst) || to_client.write_all(&buf[..n]).await.is_err() {
                return; // The answer is lost: both halves close.
            }
        }
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cut.wait_for(|cut| *cut) => {}
    }
}

//! A machine's link to the hub as a TCP proxy the test controls. New
//! connections go round-robin over the replicas (a load balancer that skips a
//! dead one); the link can be cut now, held down, or cut at the next vend
//! ack — before the ack reaches the hub, or after the hub answered it but
//! before the answer gets back.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Where the next ack is cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cut {
    /// The ack never reaches the hub.
    BeforeAck,
    /// The hub took the ack; its answer never reaches the machine.
    AfterAck,
}

pub struct Link {
    addr: SocketAddr,
    inner: Arc<Inner>,
}

struct Inner {
    backends: Vec<SocketAddr>,
    next: AtomicUsize,
    down: AtomicBool,
    /// Bumped to close every open connection.
    cuts: watch::Sender<u64>,
    at_ack: Mutex<Option<Cut>>,
    acks_cut: AtomicU32,
}

impl Link {
    pub async fn start(backends: Vec<SocketAddr>) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Inner {
            backends,
            next: AtomicUsize::new(0),
            down: AtomicBool::new(false),
            cuts: watch::channel(0).0,
            at_ack: Mutex::new(None),
            acks_cut: AtomicU32::new(0),
        });
        let accepting = inner.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(accepting.clone().carry(client));
            }
        });
        Link { addr, inner }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Closes every open connection now.
    pub fn cut(&self) {
        self.inner.cuts.send_modify(|n| *n += 1);
    }

    /// While down, new connections are closed at once (and open ones cut).
    pub fn set_down(&self, down: bool) {
        self.inner.down.store(down, Ordering::SeqCst);
        if down {
            self.cut();
        }
    }

    /// The next vend ack through this link is cut `how`.
    pub fn cut_at_next_ack(&self, how: Cut) {
        *self.inner.at_ack.lock().unwrap() = Some(how);
    }

    /// How many acks were cut so far.
    pub fn acks_cut(&self) -> u32 {
        self.inner.acks_cut.load(Ordering::SeqCst)
    }
}

impl Inner {
    /// A replica that accepts, starting after the last one used.
    async fn connect(&self) -> Option<TcpStream> {
        for _ in 0..self.backends.len() {
            let i = self.next.fetch_add(1, Ordering::Relaxed) % self.backends.len();
            if let Ok(stream) = TcpStream::connect(self.backends[i]).await {
                return Some(stream);
            }
        }
        None
    }

    async fn carry(self: Arc<Self>, client: TcpStream) {
        if self.down.load(Ordering::SeqCst) {
            return;
        }
        let Some(server) = self.connect().await else {
            return;
        };
        let mut cut = self.cuts.subscribe();
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        // Set when an ack went through and its answer must be swallowed.
        let swallow = Arc::new(AtomicBool::new(false));
        let up = self
            .clone()
            .upstream(client_read, server_write, swallow.clone());
        let down = downstream(server_read, client_write, swallow);
        tokio::select! {
            _ = up => {}
            _ = down => {}
            _ = cut.changed() => {}
        }
    }

    /// Machine → hub, watching for the ack to cut.
    async fn upstream(
        self: Arc<Self>,
        mut from: OwnedReadHalf,
        mut to: OwnedWriteHalf,
        swallow: Arc<AtomicBool>,
    ) {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            match self.cut_here(chunk) {
                Some(Cut::BeforeAck) => return,
                Some(Cut::AfterAck) => swallow.store(true, Ordering::SeqCst),
                None => {}
            }
            if to.write_all(chunk).await.is_err() {
                return;
            }
        }
    }

    /// Whether this chunk carries the ack to cut (taking the order if so).
    fn cut_here(&self, chunk: &[u8]) -> Option<Cut> {
        let mut at_ack = self.at_ack.lock().unwrap();
        at_ack.as_ref()?;
        let is_ack = chunk
            .windows(b"/ack HTTP/1.1".len())
            .any(|w| w == b"/ack HTTP/1.1");
        if !is_ack {
            return None;
        }
        self.acks_cut.fetch_add(1, Ordering::SeqCst);
        at_ack.take()
    }
}

/// Hub → machine; after a swallowed ack, the answer is read and dropped and
/// the connection closed.
async fn downstream(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, swallow: Arc<AtomicBool>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if swallow.load(Ordering::SeqCst) {
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

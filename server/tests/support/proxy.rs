//! A TCP proxy between an edge and its hub whose link a test can cut (every
//! connection closed, new ones refused) and restore: a cable pulled and
//! plugged back in, as far as both ends can tell.

use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    /// `http://127.0.0.1:PORT`: give this to the edge as its hub.
    pub url: String,
    cut: Arc<watch::Sender<bool>>,
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
        let accepting = tokio::spawn(accept(listener, upstream, cut.clone()));
        Proxy {
            url,
            cut,
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
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accepting.abort();
        self.cut();
    }
}

async fn accept(listener: TcpListener, upstream: String, cut: Arc<watch::Sender<bool>>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if *cut.borrow() {
            drop(client); // Refused: closed at once.
            continue;
        }
        tokio::spawn(pipe(client, upstream.clone(), cut.subscribe()));
    }
}

/// Carries one connection both ways until either end closes or the link is cut.
async fn pipe(mut client: TcpStream, upstream: String, mut cut: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.wait_for(|cut| *cut) => {}
    }
}

//! A fake HTTP/1.1 server (one tokio task per connection) whose answers a test chooses per
//! request, logging every request it saw.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubeward_oci::{ClientOptions, RegistryClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the fake server saw it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the fake server does with a request.
pub enum Reply {
    /// Write these bytes and close.
    Raw(Vec<u8>),
    /// Keep the connection open and never answer.
    Hang,
    /// Write `head`, then `chunk` forever (until the client goes away).
    Endless { head: String, chunk: Vec<u8> },
}

impl From<Vec<u8>> for Reply {
    fn from(bytes: Vec<u8>) -> Self {
        Reply::Raw(bytes)
    }
}

/// An HTTP/1.1 response with `Connection: close`.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut s = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    let mut bytes = s.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Every request the server saw, in order.
pub type Log = Arc<Mutex<Vec<Req>>>;

/// Listens on a free loopback port and answers each request with `handler(request)`.
pub async fn serve<F, R>(handler: F) -> (SocketAddr, Log)
where
    F: Fn(&Req) -> R + Send + Sync + 'static,
    R: Into<Reply>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log: Log = Arc::default();
    let handler = Arc::new(handler);
    let log2 = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let log = log2.clone();
            tokio::spawn(async move { handle(stream, handler, log).await });
        }
    });
    (addr, log)
}

async fn handle<F, R>(mut stream: TcpStream, handler: Arc<F>, log: Log)
where
    F: Fn(&Req) -> R,
    R: Into<Reply>,
{
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    log.lock().unwrap().push(req.clone());
    write_reply(&mut stream, handler(&req).into()).await;
}

/// Reads one request: the head, then a body of `Content-Length` bytes (so that the client is
/// not blocked writing it). `None` when the connection closes before the head is complete.
async fn read_request(stream: &mut TcpStream) -> Option<Req> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match stream.read(&mut tmp).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
    };
    let mut req = parse_head(&String::from_utf8_lossy(&buf[..head_end]));
    req.body = buf[head_end + 4..].to_vec();
    if let Some(len) = req
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        while req.body.len() < len {
            match stream.read(&mut tmp).await {
                Ok(0) | Err(_) => break,
                Ok(n) => req.body.extend_from_slice(&tmp[..n]),
            }
        }
    }
    Some(req)
}

/// The request line and headers of a request head (without the blank line); no body yet.
fn parse_head(head: &str) -> Req {
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let path = first.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Req {
        method,
        path,
        headers,
        body: Vec::new(),
    }
}

async fn write_reply(stream: &mut TcpStream, reply: Reply) {
    match reply {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        Reply::Endless { head, chunk } => {
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..100_000 {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Client options for the fake server: plain HTTP to `addr`, a 5 s request timeout.
pub fn insecure_options(addr: SocketAddr) -> ClientOptions {
    ClientOptions {
        insecure_registries: vec![addr.to_string()],
        request_timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

/// A client with [`insecure_options`].
pub fn insecure_client(addr: SocketAddr) -> RegistryClient {
    RegistryClient::new(insecure_options(addr)).unwrap()
}

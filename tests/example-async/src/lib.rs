//! An ordinary tokio client, as a user ships it: a line protocol ("PING
//! name\n" answered by one line), up to 5 connect attempts with a doubling
//! back-off, a 3 s connect timeout, a 3 s request timeout, and one
//! reconnect when the connection was reset. It is written against tokio's
//! sockets; the only seam is [`Connector`], which a test fills with
//! simsock's sockets in seven lines (`tests/faults.rs`).

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// How the client makes a connection.
pub trait Connector {
    type Stream: AsyncRead + AsyncWrite + Unpin;
    fn connect(&self, addr: &str) -> impl Future<Output = io::Result<Self::Stream>>;
}

/// Production: tokio's sockets.
pub struct TokioNet;

impl Connector for TokioNet {
    type Stream = tokio::net::TcpStream;
    async fn connect(&self, addr: &str) -> io::Result<Self::Stream> {
        tokio::net::TcpStream::connect(addr).await
    }
}

/// The client's settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub attempts: u32,
    pub first_backoff: Duration,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            attempts: 5,
            first_backoff: Duration::from_millis(100),
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(3),
        }
    }
}

/// A client of one server, connected on demand.
pub struct Client<C: Connector> {
    connector: C,
    addr: String,
    config: Config,
    stream: Option<BufReader<C::Stream>>,
    /// Connect attempts made so far (for tests and logs).
    pub attempts_made: u32,
}

impl<C: Connector> Client<C> {
    pub fn new(connector: C, addr: &str, config: Config) -> Self {
        Client {
            connector,
            addr: addr.to_string(),
            config,
            stream: None,
            attempts_made: 0,
        }
    }

    /// Connects, retrying with a doubling back-off.
    async fn connect(&mut self) -> io::Result<()> {
        let mut backoff = self.config.first_backoff;
        let mut last = io::Error::new(io::ErrorKind::TimedOut, "no attempt made");
        for attempt in 1..=self.config.attempts {
            self.attempts_made += 1;
            let timeout = self.config.connect_timeout;
            match tokio::time::timeout(timeout, self.connector.connect(&self.addr)).await {
                Ok(Ok(stream)) => {
                    self.stream = Some(BufReader::new(stream));
                    return Ok(());
                }
                Ok(Err(e)) => last = e,
                Err(_) => last = io::Error::new(io::ErrorKind::TimedOut, "connect timed out"),
            }
            if attempt < self.config.attempts {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        Err(last)
    }

    /// One request on the current connection.
    async fn exchange(&mut self, name: &str) -> io::Result<String> {
        let stream = self.stream.as_mut().expect("connected");
        let ask = async {
            stream
                .get_mut()
                .write_all(format!("PING {name}\n").as_bytes())
                .await?;
            let mut line = String::new();
            if stream.read_line(&mut line).await? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed"));
            }
            Ok(line.trim_end().to_string())
        };
        match tokio::time::timeout(self.config.request_timeout, ask).await {
            Ok(result) => result,
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "request timed out")),
        }
    }

    /// Sends "PING name" and returns the answer; reconnects once if the
    /// connection was reset.
    pub async fn ping(&mut self, name: &str) -> io::Result<String> {
        if self.stream.is_none() {
            self.connect().await?;
        }
        match self.exchange(name).await {
            Err(e) if is_reset(&e) => {
                self.stream = None;
                self.connect().await?;
                self.exchange(name).await
            }
            result => result,
        }
    }
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::UnexpectedEof
    )
}

/// The server the client talks to: answers each "PING x" line with "PONG x".
pub async fn serve_connection<S: AsyncRead + AsyncWrite + Unpin>(stream: S) -> io::Result<()> {
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let name = line.trim_end().strip_prefix("PING ").unwrap_or("?");
        stream
            .get_mut()
            .write_all(format!("PONG {name}\n").as_bytes())
            .await?;
    }
}

//! The stream the distribution handshake runs on, between erl_dist and the
//! socket. erl_dist 0.8 frames handshake messages with 2-byte lengths, as
//! a plain node does; `inet_tls_dist` frames them with 4-byte ones inside
//! TLS. This is the one place that knows: over TLS it rewrites each
//! message's length both ways; over plain TCP it passes bytes through.
//! Either way it reads exactly what erl_dist asks for (bytes after the
//! handshake stay in the socket, or in the TLS session, for the link) and
//! notes what the node sent first, which tells a TLS node that a plain
//! client reached (it answers with a TLS alert, or closes without a word).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The longest handshake message a 2-byte length can tell erl_dist.
const MAX_MESSAGE: usize = u16::MAX as usize;

/// What the node sent during the handshake, for the error that follows a failure.
#[derive(Default)]
pub struct Seen {
    bytes: AtomicUsize,
    /// The first byte, plus one (0: none yet).
    first: AtomicU16,
}

impl Seen {
    /// How many bytes the node sent.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The first byte the node sent.
    pub fn first(&self) -> Option<u8> {
        self.first.load(Ordering::Relaxed).checked_sub(1).map(|b| b as u8)
    }

    fn note(&self, read: &[u8]) {
        if let Some(b) = read.first() {
            let _ = self.first.compare_exchange(0, u16::from(*b) + 1, Ordering::Relaxed, Ordering::Relaxed);
        }
        self.bytes.fetch_add(read.len(), Ordering::Relaxed);
    }
}

/// A handshake stream over `S`: 2-byte framing as is, or 4-byte framing rewritten.
pub struct HandshakeIo<S> {
    inner: S,
    four: bool,
    seen: Arc<Seen>,
    /// Reading (4-byte framing): the node's header as it comes, the
    /// 2-byte header made from it still to hand up, the body left.
    head: ([u8; 4], usize),
    up: ([u8; 2], usize),
    body_in: usize,
    /// Writing (4-byte framing): erl_dist's header as it comes, its body
    /// left, and the rewritten bytes not yet taken by `inner`.
    whead: ([u8; 2], usize),
    body_out: usize,
    out: Vec<u8>,
}

impl<S> HandshakeIo<S> {
    /// Over `inner`, with 4-byte framing (`inet_tls_dist`) or 2-byte framing.
    pub fn new(inner: S, four: bool) -> Self {
        HandshakeIo {
            inner,
            four,
            seen: Arc::default(),
            head: ([0; 4], 0),
            up: ([0; 2], 2),
            body_in: 0,
            whead: ([0; 2], 0),
            body_out: 0,
            out: Vec::new(),
        }
    }

    pub fn seen(&self) -> Arc<Seen> {
        self.seen.clone()
    }

    pub fn into_inner(self) -> S {
        self.inner
    }

    /// Rewrites erl_dist's bytes (2-byte headers) into `out` (4-byte headers).
    fn rewrite(&mut self, mut buf: &[u8]) {
        while !buf.is_empty() {
            if self.body_out > 0 {
                let n = self.body_out.min(buf.len());
                self.out.extend_from_slice(&buf[..n]);
                self.body_out -= n;
                buf = &buf[n..];
                continue;
            }
            let (h, got) = &mut self.whead;
            h[*got] = buf[0];
            *got += 1;
            buf = &buf[1..];
            if *got == 2 {
                *got = 0;
                let len = u16::from_be_bytes(*h);
                self.out.extend_from_slice(&u32::from(len).to_be_bytes());
                self.body_out = usize::from(len);
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> HandshakeIo<S> {
    /// Hands `inner` the rewritten bytes waiting in `out`.
    fn push_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut at = 0;
        let result = loop {
            if at == self.out.len() {
                break Poll::Ready(Ok(()));
            }
            match Pin::new(&mut self.inner).poll_write(cx, &self.out[at..]) {
                Poll::Ready(Ok(0)) => break Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => at += n,
                Poll::Ready(Err(e)) => break Poll::Ready(Err(e)),
                Poll::Pending => break Poll::Pending,
            }
        };
        self.out.drain(..at);
        result
    }

    /// Reads at most `max` bytes from the node into `into`; 0 at the end.
    fn read_some(&mut self, cx: &mut Context<'_>, into: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut rb = ReadBuf::new(into);
        ready!(Pin::new(&mut self.inner).poll_read(cx, &mut rb))?;
        let n = rb.filled().len();
        self.seen.note(&into[..n]);
        Poll::Ready(Ok(n))
    }

    /// One step of reading with 4-byte framing.
    fn read_four(&mut self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        loop {
            let (up, at) = self.up;
            if at < 2 {
                let n = (2 - at).min(buf.remaining());
                buf.put_slice(&up[at..at + n]);
                self.up.1 += n;
                return Poll::Ready(Ok(()));
            }
            if self.body_in > 0 {
                let mut chunk = vec![0; self.body_in.min(buf.remaining()).min(4096)];
                let n = ready!(self.read_some(cx, &mut chunk))?;
                buf.put_slice(&chunk[..n]);
                self.body_in -= n;
                return Poll::Ready(Ok(()));
            }
            let (mut head, got) = self.head;
            let n = ready!(self.read_some(cx, &mut head[got..]))?;
            if n == 0 {
                return Poll::Ready(Ok(()));
            }
            self.head = (head, got + n);
            if got + n == 4 {
                let len = u32::from_be_bytes(head) as usize;
                if len > MAX_MESSAGE {
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, "handshake message too long")));
                }
                self.head.1 = 0;
                self.up = ((len as u16).to_be_bytes(), 0);
                self.body_in = len;
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for HandshakeIo<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // What erl_dist wrote goes out before it waits for the answer.
        if let Poll::Ready(Err(e)) = this.push_out(cx) {
            return Poll::Ready(Err(e));
        }
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if this.four {
            return this.read_four(cx, buf);
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        this.seen.note(&buf.filled()[before..]);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for HandshakeIo<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if !this.four {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        this.rewrite(buf);
        if let Poll::Ready(Err(e)) = this.push_out(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.push_out(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.push_out(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
    }

    #[test]
    fn four_byte_framing_both_ways_and_nothing_read_past() {
        run(async {
            let (a, mut node) = tokio::io::duplex(1024);
            let mut io = HandshakeIo::new(a, true);
            // erl_dist writes a 2-byte length, then the body, in two writes.
            io.write_all(&[0, 3]).await.unwrap();
            io.write_all(b"abc").await.unwrap();
            io.flush().await.unwrap();
            let mut got = [0; 7];
            node.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"\0\0\0\x03abc");
            // The node answers with a 4-byte length; a frame follows that is not the handshake's.
            node.write_all(b"\0\0\0\x02ok\0\0\0\0").await.unwrap();
            let mut len = [0; 2];
            io.read_exact(&mut len).await.unwrap();
            assert_eq!(len, [0, 2]);
            let mut body = [0; 2];
            io.read_exact(&mut body).await.unwrap();
            assert_eq!(&body, b"ok");
            assert_eq!(io.seen().bytes(), 6);
            assert_eq!(io.seen().first(), Some(0));
            let mut rest = io.into_inner();
            let mut tick = [9; 4];
            rest.read_exact(&mut tick).await.unwrap();
            assert_eq!(tick, [0; 4]);
        });
    }

    #[test]
    fn too_long_a_message_is_refused() {
        run(async {
            let (a, mut node) = tokio::io::duplex(64);
            let mut io = HandshakeIo::new(a, true);
            node.write_all(&[0, 1, 0, 0]).await.unwrap();
            let mut b = [0; 2];
            let e = io.read_exact(&mut b).await.unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        });
    }

    #[test]
    fn two_byte_framing_passes_through_and_notes_the_first_byte() {
        run(async {
            let (a, mut node) = tokio::io::duplex(64);
            let mut io = HandshakeIo::new(a, false);
            io.write_all(&[0, 1, b'N']).await.unwrap();
            let mut got = [0; 3];
            node.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, &[0, 1, b'N']);
            node.write_all(&[0x15, 3, 3]).await.unwrap();
            let mut b = [0; 3];
            io.read_exact(&mut b).await.unwrap();
            assert_eq!(io.seen().first(), Some(0x15));
        });
    }
}

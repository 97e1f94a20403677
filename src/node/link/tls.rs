//! A link's TLS session once the handshake is done: frames sealed into
//! records before they reach the socket, records read from the socket
//! opened into the reader's buffer. The session is one state for both
//! directions, so it has its own lock, held only while bytes are sealed
//! or opened, never across a socket read or write: a reader blocked on
//! the socket keeps no writer waiting. Records are written in the order
//! they were sealed because sealing and sending both happen under the
//! link's writer lock.

use std::io::{self, Read, Write};
use std::sync::{Mutex, MutexGuard};

use rustls::ClientConnection;

use super::buffer::ReadState;

/// Room for the records of one socket read (a TLS record is at most 16 KiB
/// and some bytes).
pub(super) const RAW: usize = 18 << 10;

pub(super) struct Session {
    conn: Mutex<ClientConnection>,
}

/// What opening records gave.
pub(super) struct Opened {
    /// Plaintext bytes added to the reader's buffer.
    pub(super) bytes: usize,
    /// The node ended the session (close_notify).
    pub(super) closed: bool,
    /// The session has records of its own to send (an alert, a key update).
    pub(super) wants_write: bool,
}

impl Session {
    pub(super) fn new(mut conn: ClientConnection) -> Self {
        // Frames of any size are sealed whole; the socket write paces them.
        conn.set_buffer_limit(None);
        Session { conn: Mutex::new(conn) }
    }

    fn lock(&self) -> MutexGuard<'_, ClientConnection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `plain` sealed into records, after whatever the session had to send.
    pub(super) fn seal(&self, plain: &[u8]) -> io::Result<Vec<u8>> {
        let mut conn = self.lock();
        conn.writer().write_all(plain)?;
        let mut out = Vec::with_capacity(plain.len() + 64);
        while conn.wants_write() {
            conn.write_tls(&mut out)?;
        }
        Ok(out)
    }

    /// Opens the records of `raw` (and any the session holds already) into
    /// `rd`; an error names what was wrong with them.
    pub(super) fn open(&self, mut raw: &[u8], rd: &mut ReadState) -> Result<Opened, String> {
        let mut conn = self.lock();
        let mut opened = Opened { bytes: 0, closed: false, wants_write: false };
        loop {
            if !raw.is_empty() {
                conn.read_tls(&mut raw).map_err(|e| e.to_string())?;
            }
            conn.process_new_packets().map_err(|e| e.to_string())?;
            // Taken out at each step: the session holds little plaintext.
            loop {
                rd.make_room();
                match conn.reader().read(rd.spare()) {
                    Ok(0) => {
                        opened.closed = true;
                        break;
                    }
                    Ok(n) => {
                        rd.filled(n);
                        opened.bytes += n;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e.to_string()),
                }
            }
            if raw.is_empty() || opened.closed {
                break;
            }
        }
        opened.wants_write = conn.wants_write();
        Ok(opened)
    }
}
